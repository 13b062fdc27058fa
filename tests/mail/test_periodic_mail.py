"""Periodic mail the worker sends: term-ending reminders (months ahead, to the holder and the
manager responsible) and the weekly digest of a person's tasks, each once, with an opt-out."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from convener.core.dates import add_months
from convener.core.roles import Role
from convener.mail import jobs
from convener.mail.models import OutgoingMail
from convener.nominations import services as calls
from convener.org import reminders, services
from convener.org.models import Appointment, OrgUnit
from convener.site import digest
from tests.factories import OrgUnitFactory, PersonFactory, PositionFactory, UserFactory
from tests.nominations import world as w

pytestmark = pytest.mark.django_db


def two_years_after(day: dt.date) -> dt.date:
    """A 24-month term's end worked out by hand: the same day two years on (29 February,
    which the later year lacks, ends on the 28th)."""
    if (day.month, day.day) == (2, 29):
        return dt.date(day.year + 2, 2, 28)
    return day.replace(year=day.year + 2)


def test_the_worker_runs_the_jobs_each_domain_registered():
    assert {"calls", "training_reminders", "term_reminders", "weekly_digest"} <= set(
        jobs.registered()
    )


@pytest.fixture
def area():
    """An L2 area led by Lena Lead; its L3 group's convener, Gus Group, started a 24-month
    term 20 months ago (it ends in four months)."""
    today = timezone.localdate()
    l2 = OrgUnitFactory(name="Strips", level=2, kind=OrgUnit.Kind.AREA)
    group = OrgUnitFactory(name="Strip Modules", parent=l2, level=3, kind=OrgUnit.Kind.GROUP)
    lead = PositionFactory(unit=l2, title="Strips L2 Manager", level="L2")
    convener = PositionFactory(unit=group, title="Strip Modules Convener", level="L3")
    lena = PersonFactory(name="Lena Lead", email="lena@example.org")
    gus = PersonFactory(name="Gus Group", email="gus@example.org")
    services.appoint(lena, lead, today - dt.timedelta(days=30))
    services.appoint(gus, convener, add_months(today, -20))
    return {"today": today, "convener": convener, "gus": gus, "lena": lena}


@pytest.mark.expects_mail
def test_the_holder_and_the_manager_hear_once_that_a_term_ends(area, settings):
    settings.TERM_REMINDER_MONTHS = 6
    assert reminders.send_term_reminders() == 1
    mails = {m.to: m for m in OutgoingMail.objects.filter(kind__startswith="term_ending")}
    assert set(mails) == {"gus@example.org", "lena@example.org"}
    end = two_years_after(Appointment.objects.get(person=area["gus"]).start)
    assert f"ends on {end.day} " in mails["gus@example.org"].subject
    assert "Gus Group's term as Strip Modules Convener" in mails["lena@example.org"].body
    assert reminders.send_term_reminders() == 0  # once
    assert OutgoingMail.objects.count() == 2


def test_a_term_beyond_the_configured_months_is_not_announced_yet(area, settings):
    settings.TERM_REMINDER_MONTHS = 3
    assert reminders.send_term_reminders() == 0
    assert not OutgoingMail.objects.exists()


def test_no_reminder_when_a_call_is_already_under_way(area, settings):
    settings.TERM_REMINDER_MONTHS = 6
    committee = OrgUnitFactory(kind=OrgUnit.Kind.COMMITTEE, level=None)
    calls.create_call(
        area["convener"],
        opens_at=timezone.now(),
        closes_at=timezone.now() + dt.timedelta(days=14),
        committee=committee,
    )
    assert reminders.send_term_reminders() == 0


@pytest.mark.expects_mail
def test_the_weekly_digest_goes_once_a_week_to_those_with_tasks():
    world = w.build()
    calls.nominate(world["call"], world["bob"], world["alice"], "Bob runs the meetings well.")
    OutgoingMail.objects.all().delete()
    monday = dt.date(2026, 3, 2)
    # Bob has a nomination to answer; Mona, the manager, has the committee's seats, whose
    # 24-month terms from 2020 ended with no call; Alice and the reviewers have nothing
    assert digest.send_weekly_digests(monday) == 2
    mails = {m.to: m for m in OutgoingMail.objects.filter(kind="weekly_digest")}
    assert set(mails) == {world["bob"].email, world["manager"].person.email}
    bobs = mails[world["bob"].email]  # the address in the registry comes first
    assert world["call"].title in bobs.body and "(1)" in bobs.subject
    assert "Committee Member" in mails[world["manager"].person.email].body
    assert digest.send_weekly_digests(monday + dt.timedelta(days=3)) == 0  # same week
    assert digest.send_weekly_digests(monday + dt.timedelta(days=7)) == 2  # next week


@pytest.mark.expects_mail
def test_a_person_who_turns_the_digest_off_gets_none(client):
    world = w.build()
    calls.nominate(world["call"], world["bob"], world["alice"], "Bob runs the meetings well.")
    OutgoingMail.objects.all().delete()
    client.force_login(world["bob"].user)
    page = client.get(reverse("mail:preferences")).content.decode()
    assert 'name="weekly_digest" checked' in page  # on until turned off
    client.post(reverse("mail:preferences"), {})
    assert (
        'name="weekly_digest" checked'
        not in client.get(reverse("mail:preferences")).content.decode()
    )
    assert digest.send_weekly_digests() == 1  # the manager's, not Bob's
    assert not OutgoingMail.objects.filter(to=world["bob"].email).exists()


@pytest.mark.expects_mail
def test_the_worker_command_queues_and_sends_the_periodic_mail(area, settings):
    from django.core import mail

    settings.TERM_REMINDER_MONTHS = 6
    UserFactory(roles=[Role.MANAGER])  # no address: nothing for them
    call_command("worker", verbosity=0)
    assert sorted(m.to[0] for m in mail.outbox) == ["gus@example.org", "lena@example.org"]
