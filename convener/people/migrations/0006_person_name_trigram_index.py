"""The person picker's search ("every word somewhere in the name") as an index scan on
PostgreSQL: trigram indexes on the upper-cased name and sort name, which is what Django's
``icontains`` compares. SQLite has no such index and scans, as before."""

from django.db import migrations

INDEXES = {
    "person_name_trgm_idx": "name",
    "person_sort_name_trgm_idx": "sort_name",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON people_person "
            f"USING gin (UPPER({column}::text) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("people", "0005_merge_profile_and_names")]

    operations = [migrations.RunPython(create, drop)]
