from django.db import migrations


def eligible(apps, schema_editor):
    """L2 and L1 are chosen from those who recently held the level below, not from it."""
    ReviewLevel = apps.get_model("review", "ReviewLevel")
    ReviewLevel.objects.filter(key__in=["L2", "L1"]).update(pool="eligible", pool_years=5)


def members(apps, schema_editor):
    apps.get_model("review", "ReviewLevel").objects.update(pool="members")


class Migration(migrations.Migration):
    dependencies = [("review", "0006_review_lifecycle_and_pools")]
    operations = [migrations.RunPython(eligible, members)]
