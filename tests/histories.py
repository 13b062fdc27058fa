"""Invented histories of big-science leadership, written by hand to look like what old
minutes, bulletins and web pages give: dates known to the year, the month or the day, ends
written as the last day in office, seats that changed, records that do not say. No real
names: every person and body here is made up.

Each builder returns a dict of what it made, so tests can name things."""

from __future__ import annotations

import datetime as dt

from convener.org import services
from convener.org.models import Appointment, OrgUnit, Position
from tests.factories import OrgUnitFactory, PersonFactory, PositionFactory

D = dt.date
LAST_DAY = Appointment.EndKind.LAST_DAY
LEFT = Appointment.EndKind.LEFT


def observatory() -> dict:
    """The Northfield Deep Observatory, a laboratory founded in 1962 with a director (one
    seat), co-spokespersons (two seats from 2005 to 2011, one otherwise) and a board whose
    first chair's end nobody recorded."""
    lab = OrgUnitFactory(
        name="Northfield Deep Observatory",
        kind=OrgUnit.Kind.ORGANISATION,
        level=0,
        start=D(1962, 1, 1),
        start_precision="year",
    )
    director = PositionFactory(
        unit=lab,
        title="Director",
        level=Position.Level.TOP,
        seats=1,
        term_months=36,
        term_limit=2,
        start=D(1962, 1, 1),
        start_precision="year",
    )
    spokesperson = PositionFactory(
        unit=lab,
        title="Spokesperson",
        level=Position.Level.TOP,
        seats=1,
        term_months=24,
        term_limit=3,
        start=D(1994, 9, 1),
        start_precision="month",
    )
    people = {
        name: PersonFactory(name=name)
        for name in [
            "Orla Vantongeren",
            "Ines della Arbel",
            "Tomasz Qirelli",
            "Halvard Unset",
            "Mireille van der Hoek",
            "Kojo Anselm-Brie",
        ]
    }
    return {"lab": lab, "director": director, "spokesperson": spokesperson, "people": people}


def director_terms(world: dict) -> list[Appointment]:
    """Orla Vantongeren directs the observatory in three records whose dates are known to
    different precisions, all consecutive: "1988-05-01 to 1991-04" (the bulletin gives the
    last month), "1991-05 to 1994-04-30" (last day in office), then "from 1994-05-01" to
    "1997" (day of leaving known to the year)."""
    orla = world["people"]["Orla Vantongeren"]
    director = world["director"]
    first = services.appoint(
        orla,
        director,
        D(1988, 5, 1),
        end=D(1991, 4, 1),
        end_precision="month",
        end_kind=LAST_DAY,
    )
    second = services.appoint(
        orla,
        director,
        D(1991, 5, 1),
        start_precision="month",
        end=D(1994, 4, 30),
        end_kind=LAST_DAY,
    )
    return [first, second]


def partial(text: str) -> dict:
    """Keyword arguments of ``services.appoint`` for a start written as in a record."""
    if text == "unknown":
        return {"start": None, "start_precision": "unknown"}
    parts = text.split("-")
    precision = ["year", "month", "day"][len(parts) - 1]
    numbers = [int(p) for p in parts] + [1] * (3 - len(parts))
    return {"start": D(*numbers), "start_precision": precision}


def end_partial(text: str | None) -> dict:
    if text is None:
        return {}
    start = partial(text)
    return {"end": start["start"], "end_precision": start["start_precision"]}
