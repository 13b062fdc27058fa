"""A small collaboration written by hand for the review's tests: 90 members since 2012,
24 L3 seats (14 allocate resources, 10 build the community), 12 L2 seats and 6 L1 seats,
with appointments spread over 2019-2025, and self-identification answers set person by
person (about a third women, two non-binary people, some with a disability)."""

import datetime as dt

from django.utils import timezone

from convener.org.models import Position
from convener.review import crypto
from convener.review.models import ConsentText, SelfIdentification
from tests.factories import (
    AppointmentFactory,
    MembershipFactory,
    OrgUnitFactory,
    PersonFactory,
    PositionFactory,
)

PEOPLE = 90


def gender(i: int) -> list[str]:
    if i in (7, 61):
        return ["non_binary"]
    return ["woman"] if i % 3 == 0 else ["man"]


def answers(i: int) -> dict:
    data = {"gender": gender(i), "disability": ["yes"] if i % 5 == 0 else ["no"]}
    if i % 11 == 4:
        data["gender"] = ["prefer_not"]
    return {"answers": data, "described": {}}


def save_answers(person, data: dict) -> None:
    consent = ConsentText.objects.order_by("-version").first()
    SelfIdentification.objects.update_or_create(
        person=person,
        defaults={
            "ciphertext": crypto.encrypt(data),
            "consent": consent,
            "consented_at": timezone.now(),
        },
    )


def build() -> dict:
    unit = OrgUnitFactory(name="Tracker")
    people = [PersonFactory(name=f"Member Number{i}") for i in range(PEOPLE)]
    for person in people:
        MembershipFactory(person=person, start=dt.date(2012, 1, 1))
    for i, person in enumerate(people):
        if i % 13 != 12:  # a few never answer
            save_answers(person, answers(i))

    def seat(level, function, n):
        return [
            PositionFactory(
                unit=unit, level=level, function=function, title=f"{level} {function} {k}"
            )
            for k in range(n)
        ]

    l3 = seat(Position.Level.L3, Position.Function.RESOURCES, 14) + seat(
        Position.Level.L3, Position.Function.COMMUNITY, 10
    )
    l2 = seat(Position.Level.L2, Position.Function.RESOURCES, 8) + seat(
        Position.Level.L2, Position.Function.COMMUNITY, 4
    )
    l1 = seat(Position.Level.L1, Position.Function.RESOURCES, 6)
    # L3: people 0-23, appointed over 2019-2024; L2: people 20-31 (20-23 came from L3);
    # L1: people 30-35
    for k, position in enumerate(l3):
        AppointmentFactory(person=people[k], position=position, start=dt.date(2019 + k % 6, 3, 1))
    for k, position in enumerate(l2):
        AppointmentFactory(
            person=people[20 + k], position=position, start=dt.date(2021 + k % 4, 9, 1)
        )
    for k, position in enumerate(l1):
        AppointmentFactory(
            person=people[30 + k], position=position, start=dt.date(2020 + k % 5, 1, 15)
        )
    return {"people": people, "l3": l3, "l2": l2, "l1": l1, "unit": unit}
