"""A small hand-built collaboration whose size can grow, for page tests."""

import datetime as dt

from convener.org import services
from convener.org.models import OrgUnit, Position
from tests.factories import (
    AffiliationFactory,
    InstitutionFactory,
    OrgUnitFactory,
    PersonFactory,
    PositionFactory,
)

D = dt.date


def build(groups: int = 2) -> dict:
    """A collaboration with one L1 area, one L2 area and ``groups`` L3 groups, each with a
    convener and a deputy, and two past conveners per group."""
    inst = InstitutionFactory(name="Testville Institute")
    root = OrgUnitFactory(name="Collaboration", kind=OrgUnit.Kind.COLLABORATION, level=0)
    l1 = OrgUnitFactory(name="Tracker", parent=root, level=1)
    l2 = OrgUnitFactory(name="Pixels", parent=l1, level=2)
    spokesperson = PositionFactory(unit=root, title="Spokesperson", level="top")
    seat_period = services.set_seat_period(spokesperson, D(1990, 1, 1), 2, end=D(1994, 1, 1))
    world = {
        "seat_period": seat_period,
        "root": root,
        "l1": l1,
        "l2": l2,
        "spokesperson": spokesperson,
        "inst": inst,
        "groups": [],
    }
    for g in range(groups):
        unit = OrgUnitFactory(name=f"Group {g}", parent=l2, kind=OrgUnit.Kind.GROUP, level=3)
        lead = PositionFactory(unit=unit, title=f"Group {g} Convener", level="L3")
        deputy = PositionFactory(
            unit=unit,
            title=f"Group {g} Deputy Convener",
            level="L3",
            role=Position.Role.DEPUTY,
            deputizes_for=lead,
        )
        people = [PersonFactory(name=f"Leader {g}-{k}") for k in range(3)]
        for p in people:
            AffiliationFactory(person=p, institution=inst, start=D(1990, 1, 1))
        services.appoint(
            people[0],
            lead,
            D(1995, 1, 1),
            start_precision="year",
            end=D(2005, 1, 1),
            end_precision="year",
        )
        services.appoint(people[1], deputy, D(2005, 1, 1), end=D(2010, 1, 1))
        services.appoint(people[1], lead, D(2010, 1, 1), end=D(2020, 1, 1))
        services.appoint(people[2], lead, D(2020, 1, 1))
        world["groups"].append({"unit": unit, "lead": lead, "deputy": deputy, "people": people})
    return world
