"""On PostgreSQL, the database itself refuses two holders of a single-seat position on a day
both appointments surely cover. Other backends rely on the model layer's check."""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE org_appointment ADD CONSTRAINT appointment_single_seat_no_overlap
EXCLUDE USING gist (position_id WITH =, daterange(sure_from, sure_until, '[)') WITH &&)
WHERE (single_seat AND (sure_until IS NULL OR sure_until > sure_from));
"""
DROP = "ALTER TABLE org_appointment DROP CONSTRAINT IF EXISTS appointment_single_seat_no_overlap;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("org", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
