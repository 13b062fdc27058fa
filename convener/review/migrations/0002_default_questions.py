"""The default questions: gender; race and ethnicity with the seven minimum categories of
the 2024 U.S. OMB standard (select all that apply); region of origin; and the "invisible"
attributes. Every question has "prefer not to say"."""

from django.db import migrations

PNTS = ("prefer_not", "Prefer not to say")
QUESTIONS = [
    ("gender", "What is your current gender? Choose all that apply.", "multi", False, [
        ("woman", "Woman"), ("man", "Man"), ("non_binary", "Non-binary"),
        ("self_described", "I use another term (describe below)"), PNTS]),
    ("race_ethnicity", "Which categories describe you? Choose all that apply.", "multi",
     False, [
         ("american_indian", "American Indian or Alaska Native"), ("asian", "Asian"),
         ("black", "Black or African American"), ("hispanic", "Hispanic or Latino"),
         ("mena", "Middle Eastern or North African"),
         ("pacific_islander", "Native Hawaiian or Pacific Islander"), ("white", "White"),
         PNTS]),
    ("region", "For members from outside the United States: which region are you from?",
     "single", False, [
         ("north_america", "North America"), ("latin_america", "Latin America and the "
          "Caribbean"), ("europe", "Europe"), ("africa", "Africa"),
         ("middle_east", "Middle East"), ("south_asia", "South Asia"),
         ("east_asia", "East and South-East Asia"), ("oceania", "Oceania"), PNTS]),
    ("first_generation", "Are you the first in your family to graduate from university?",
     "single", True, [("yes", "Yes"), ("no", "No"), PNTS]),
    ("caregiver", "Do you have caregiving or parental responsibilities?", "single", True,
     [("yes", "Yes"), ("no", "No"), PNTS]),
    ("disability", "Do you have a disability?", "single", True,
     [("yes", "Yes"), ("no", "No"), PNTS]),
    ("career_path", "Where have you worked? Choose all that apply.", "multi", True, [
        ("academic", "Academia"), ("laboratory", "A national laboratory"),
        ("industry", "Industry, before joining"), PNTS]),
]

CONSENT = (
    "I answer these questions voluntarily. My answers are encrypted and can be read by me "
    "alone. They are used only to compute statistics about groups of members for the "
    "collaboration's annual review, and only statistics that cannot reveal any individual's "
    "answers are published. I can change my answers, or withdraw my consent and erase them, "
    "at any time; statistics already published are not withdrawn."
)


def create(apps, schema_editor):
    Question = apps.get_model("review", "Question")
    Option = apps.get_model("review", "Option")
    ConsentText = apps.get_model("review", "ConsentText")
    for order, (key, text, kind, invisible, options) in enumerate(QUESTIONS):
        q = Question.objects.create(key=key, text=text, kind=kind, invisible=invisible,
                                    order=order)
        for i, (okey, label) in enumerate(options):
            Option.objects.create(question=q, key=okey, label=label, order=i,
                                  prefer_not=okey == "prefer_not",
                                  self_describe=okey == "self_described")
    ConsentText.objects.create(version=1, text=CONSENT)


def remove(apps, schema_editor):
    apps.get_model("review", "Question").objects.all().delete()
    apps.get_model("review", "ConsentText").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("review", "0001_initial")]
    operations = [migrations.RunPython(create, remove)]
