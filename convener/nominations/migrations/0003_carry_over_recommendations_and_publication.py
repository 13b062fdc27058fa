"""Carry what the removed fields said into the new rows, and make every call meet the new
constraints (see the function's docstring)."""

from django.db import migrations, models


def carry_over(apps, schema_editor):
    """Keep what the removed fields said, and make every row meet the new constraints.

    - A call is public once it was first opened: ``published_at`` is the time of its first
      move to "open" (a draft cancelled before opening has none, and stays private).
    - The committee's recommendation and the shortlisted/recommended flags become one
      Recommendation row per call, by an unrecorded member (nobody was recorded then).
    - A call marked decided without a decision (no date or no rationale: the generic
      transition used to allow it) goes back to review, with the reason in its history.
    """
    Call = apps.get_model("nominations", "Call")
    CallEvent = apps.get_model("nominations", "CallEvent")
    Candidacy = apps.get_model("nominations", "Candidacy")
    Recommendation = apps.get_model("nominations", "Recommendation")
    RecommendationEntry = apps.get_model("nominations", "RecommendationEntry")
    for call in Call.objects.exclude(state="draft"):
        first_open = (
            CallEvent.objects.filter(call=call, to_state="open").order_by("at", "id").first()
        )
        if first_open is not None:
            call.published_at = first_open.at
        elif call.state != "cancelled":  # published, but its opening was never recorded
            call.published_at = call.opens_at
        if call.state == "decided" and (call.decided_at is None or not call.rationale.strip()):
            call.state = "review"
            CallEvent.objects.create(
                call=call,
                from_state="decided",
                to_state="review",
                reason="Returned to review: it had been marked decided without a recorded "
                "decision (rationale, appointments).",
            )
        call.save(update_fields=["published_at", "state"])
        flagged = Candidacy.objects.filter(call=call).filter(
            models.Q(shortlisted=True) | models.Q(recommended=True)
        )
        if call.recommendation.strip() or flagged.exists():
            row = Recommendation.objects.create(
                call=call, made_by=None, text=call.recommendation.strip() or "(no text recorded)"
            )
            for candidacy in flagged.order_by("pk"):
                RecommendationEntry.objects.create(
                    recommendation=row, candidacy=candidacy, recommended=candidacy.recommended
                )


class Migration(migrations.Migration):
    dependencies = [("nominations", "0002_decisions_votes_recommendations_published")]

    operations = [migrations.RunPython(carry_over, migrations.RunPython.noop)]
