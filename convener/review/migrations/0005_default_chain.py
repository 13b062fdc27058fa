from django.db import migrations

CHAIN = [
    (0, "members", "Members", "Members", []),
    (1, "L3", "L3 conveners and deputies", "L3", ["L3"]),
    (2, "L2", "L2 managers and deputies", "L2", ["L2"]),
    (3, "L1", "L1 managers and the management board", "L1 and board", ["L1", "top", "board"]),
]


def create(apps, schema_editor):
    ReviewLevel = apps.get_model("review", "ReviewLevel")
    for order, key, name, short, levels in CHAIN:
        ReviewLevel.objects.get_or_create(key=key, defaults={
            "order": order, "name": name, "short": short, "position_levels": levels})


def remove(apps, schema_editor):
    apps.get_model("review", "ReviewLevel").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("review", "0004_review_chain")]
    operations = [migrations.RunPython(create, remove)]
