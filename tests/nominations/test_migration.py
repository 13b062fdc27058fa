"""The migration to recorded recommendations and decisions loses nothing: rows written under
the old schema come out with the same facts, and bad ones are put right openly."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import OrgUnitFactory, PersonFactory, PositionFactory

pytestmark = pytest.mark.django_db(transaction=True)
BEFORE = [("nominations", "0001_initial")]
AFTER = [("nominations", "0004_remove_flags_add_decision_constraints")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_old_rows_keep_their_recommendation_publication_and_honest_states():
    old = _migrate(BEFORE)
    try:
        Call = old.get_model("nominations", "Call")
        CallEvent = old.get_model("nominations", "CallEvent")
        Candidacy = old.get_model("nominations", "Candidacy")
        # the registry's tables are not touched by these migrations: today's factories fit
        committee = OrgUnitFactory(name="Old Committee", kind="committee", level=None)
        position = PositionFactory(title="Pixel Convener")
        opened = dt.datetime(2024, 3, 1, 9, 0, tzinfo=dt.UTC)

        def call(title, state, **extra):
            return Call.objects.create(
                position_id=position.pk,
                committee_id=committee.pk,
                title=title,
                state=state,
                opens_at=opened,
                closes_at=opened + dt.timedelta(days=30),
                **extra,
            )

        reviewed = call("Reviewed", "review", recommendation="Ada, for her record.")
        CallEvent.objects.create(call=reviewed, from_state="draft", to_state="open", at=opened)
        ada, ben = PersonFactory(name="Ada Old"), PersonFactory(name="Ben Old")
        c_ada = Candidacy.objects.create(
            call=reviewed,
            nominee_id=ada.pk,
            state="consented",
            shortlisted=True,
            recommended=True,
        )
        Candidacy.objects.create(
            call=reviewed, nominee_id=ben.pk, state="consented", shortlisted=True
        )
        shortcut = call("Decided by the old shortcut", "decided")
        CallEvent.objects.create(call=shortcut, from_state="draft", to_state="open", at=opened)
        never_opened = call("Cancelled draft", "cancelled")
        CallEvent.objects.create(call=never_opened, from_state="draft", to_state="cancelled")
        ids = (reviewed.pk, shortcut.pk, never_opened.pk, c_ada.pk)
    finally:
        new = _migrate(AFTER)

    Call = new.get_model("nominations", "Call")
    Recommendation = new.get_model("nominations", "Recommendation")
    reviewed, shortcut, never_opened = (Call.objects.get(pk=pk) for pk in ids[:3])
    (rec,) = Recommendation.objects.filter(call=reviewed)
    assert rec.text == "Ada, for her record." and rec.made_by is None
    entries = rec.entries.order_by("candidacy__nominee__name")
    assert [(e.candidacy.nominee.name, e.recommended) for e in entries] == [
        ("Ada Old", True),
        ("Ben Old", False),
    ]
    assert entries[0].candidacy_id == ids[3]
    assert reviewed.published_at == dt.datetime(2024, 3, 1, 9, 0, tzinfo=dt.UTC)
    assert never_opened.published_at is None
    assert shortcut.state == "review"
    assert shortcut.events.order_by("-id").first().reason.startswith("Returned to review")
