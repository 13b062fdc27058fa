"""A small registry written by hand for the publication tests, with what a reader of the
collaboration's website must see written out beside it (never read back from the code).

Units carry WBS-like orders that disagree with the alphabet and with string order ("10" after
"2"), people carry the short names the fixture site's own ``_data/people/`` uses.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from convener.nominations import services as calls
from convener.nominations.models import Call
from convener.org import services
from convener.org.models import OrgUnit, Position
from tests.factories import (
    AffiliationFactory,
    InstitutionFactory,
    OrgUnitFactory,
    PersonFactory,
    PositionFactory,
    UserFactory,
)

D = dt.date
PHOTO = "https://www.example.org/collab/assets/img/{}.svg"

# The chart as a reader sees it: units in the collaboration's order, each with its positions
# and holders (name, then the notes shown beside it). Written by hand from the set-up below.
EXPECTED_CHART = [
    ("Example Neutrino Collaboration", 0),
    ("Physics", 1),
    ("Oscillations", 2),
    ("Detector", 1),
    ("Tracker", 2),
    ("Strips", 3),
    ("Pixel Modules", 3),
    ("Calorimeter", 2),
    ("Computing", 1),
    ("Collaboration Board", 1),
    ("Speakers Committee", 1),
]
EXPECTED_HOLDERS = {
    "Spokesperson": ["Ingrid Valdés"],
    "Deputy Spokesperson": [],
    "Physics Coordinator": ["Tomasz Breuer"],
    "Oscillations Convener": ["Dario Fenwick"],
    "Detector Coordinator": ["Yuki Andersen"],
    "Tracker Co-Lead": ["Marta Rossi-Lindgren", "Olu Kamara"],
    "Strips Convener": ["Phuong Nguyen"],
    "Pixel Modules Convener": [],
    "Calorimeter Convener": [],
    "Computing Coordinator": [],
    "Board Chair": ["Yuki Andersen"],
    "Speakers Committee Member": ["Ruben Castillo", "Nadia Osei"],
}


def build() -> dict:
    """The registry; returns the objects tests refer to by name."""
    testville = InstitutionFactory(name="Testville Institute", short_name="TVI", country="CH")
    lakeside = InstitutionFactory(name="Lakeside University", country="DE")
    northfield = InstitutionFactory(name="Northfield Laboratory", country="US")

    def person(name, key, institution, **profile):
        p = PersonFactory(name=name, external_id=key, **profile)
        AffiliationFactory(person=p, institution=institution, start=D(2005, 1, 1))
        return p

    ingrid = person(
        "Ingrid Valdés",
        "ivaldes",
        testville,
        photo_url=PHOTO.format("ivaldes"),
        website="https://www.example.org/~ivaldes/",
        orcid="0000-0002-1825-0097",
    )
    tomasz = person("Tomasz Breuer", "tbreuer", lakeside, photo_url=PHOTO.format("tbreuer"))
    yuki = person("Yuki Andersen", "yandersen", testville, photo_url=PHOTO.format("yandersen"))
    olu = person("Olu Kamara", "okamara", lakeside)
    marta = person("Marta Rossi-Lindgren", "mrossi", northfield)
    phuong = person("Phuong Nguyen", "pnguyen", northfield)
    dario = person("Dario Fenwick", None, northfield)  # no external id in the registry
    nadia = person("Nadia Osei", "nosei", testville)
    ruben = person("Ruben Castillo", "rcastillo", lakeside)
    past = person("Greta Holm", "gholm", testville)

    root = OrgUnitFactory(
        name="Example Neutrino Collaboration",
        short_name="ENC",
        kind=OrgUnit.Kind.COLLABORATION,
        level=0,
        external_id="enc",
    )

    def unit(name, parent, order, level, kind=OrgUnit.Kind.AREA, **kw):
        return OrgUnitFactory(name=name, parent=parent, order=order, level=level, kind=kind, **kw)

    detector = unit("Detector", root, "2", 1, external_id="wbs-2", short_name="detector")
    physics = unit("Physics", root, "1", 1, external_id="wbs-1")
    computing = unit("Computing", root, "10", 1, external_id="wbs-10")
    calorimeter = unit("Calorimeter", detector, "2.2", 2)
    tracker = unit("Tracker", detector, "2.1", 2, external_id="wbs-2.1")
    pixels = unit("Pixel Modules", tracker, "2.1.2", 3, kind=OrgUnit.Kind.GROUP)
    strips = unit("Strips", tracker, "2.1.1", 3, kind=OrgUnit.Kind.GROUP)
    oscillations = unit("Oscillations", physics, "1.1", 2, kind=OrgUnit.Kind.GROUP)
    board = unit("Collaboration Board", root, "", None, kind=OrgUnit.Kind.BOARD)
    speakers = unit("Speakers Committee", root, "", None, kind=OrgUnit.Kind.COMMITTEE)

    def post(unit, title, level, **kw):
        kw = {"term_months": None, "term_limit": None, **kw}
        return PositionFactory(unit=unit, title=title, level=level, **kw)

    spokesperson = post(
        root,
        "Spokesperson",
        "top",
        term_months=36,
        term_limit=2,
        mandate="Represents the collaboration and chairs the *executive board*.",
        requirements="- Ten years in the collaboration\n- Elected by the board",
        external_id="spokesperson",
    )
    deputy_spokesperson = post(
        root,
        "Deputy Spokesperson",
        "top",
        role=Position.Role.DEPUTY,
        deputizes_for=spokesperson,
    )
    physics_coordinator = post(physics, "Physics Coordinator", "L1")
    oscillations_convener = post(oscillations, "Oscillations Convener", "L2")
    detector_coordinator = post(detector, "Detector Coordinator", "L1")
    tracker_leads = post(tracker, "Tracker Co-Lead", "L2", seats=2, role=Position.Role.CO_LEAD)
    strips_convener = post(strips, "Strips Convener", "L3")
    post(pixels, "Pixel Modules Convener", "L3")
    post(calorimeter, "Calorimeter Convener", "L2")
    computing_coordinator = post(
        computing,
        "Computing Coordinator",
        "L1",
        mandate="Runs the computing model and the data centres' agreements.",
    )
    chair = post(board, "Board Chair", "board", role=Position.Role.CHAIR)
    speakers_seat = post(
        speakers, "Speakers Committee Member", "committee", seats=5, role=Position.Role.MEMBER
    )

    appoint = services.appoint
    # the spokesperson in a second consecutive term, started in a month known to the month
    appoint(past, spokesperson, D(2019, 9, 1), start_precision="month", end=D(2022, 9, 1))
    appoint(ingrid, spokesperson, D(2022, 9, 1), start_precision="month", end=D(2025, 9, 1))
    appoint(ingrid, spokesperson, D(2025, 9, 1), start_precision="month")
    appoint(tomasz, physics_coordinator, D(2024, 3, 1), capacity="acting")
    appoint(dario, oscillations_convener, D(2020, 1, 1), start_precision="year")
    appoint(yuki, detector_coordinator, D(2022, 1, 1), start_precision="year")
    appoint(marta, tracker_leads, D(2021, 6, 1))
    appoint(olu, tracker_leads, D(2023, 6, 1))
    appoint(phuong, strips_convener, D(2022, 10, 1), start_precision="month")
    appoint(yuki, chair, D(2023, 1, 1))
    appoint(nadia, speakers_seat, D(2022, 1, 1))
    appoint(ruben, speakers_seat, D(2022, 1, 1))

    manager = UserFactory(username="jekyll-manager")
    now = timezone.now()
    open_call = calls.create_call(
        computing_coordinator,
        opens_at=now - dt.timedelta(days=3),
        closes_at=now + dt.timedelta(days=30),
        committee=speakers,
        by=manager,
        title="Call for the Computing Coordinator",
    )
    calls.transition(open_call, Call.State.OPEN, by=manager)
    draft = calls.create_call(  # a draft is not public: never on the site
        deputy_spokesperson,
        opens_at=now + dt.timedelta(days=3),
        closes_at=now + dt.timedelta(days=40),
        committee=speakers,
        by=manager,
        title="Call for the Deputy Spokesperson",
    )
    return {
        "people": {
            "ingrid": ingrid,
            "tomasz": tomasz,
            "yuki": yuki,
            "olu": olu,
            "marta": marta,
            "phuong": phuong,
            "dario": dario,
            "nadia": nadia,
            "ruben": ruben,
            "past": past,
        },
        "units": {
            "root": root,
            "detector": detector,
            "tracker": tracker,
            "computing": computing,
        },
        "positions": {
            "spokesperson": spokesperson,
            "deputy_spokesperson": deputy_spokesperson,
            "physics_coordinator": physics_coordinator,
            "computing_coordinator": computing_coordinator,
            "tracker_leads": tracker_leads,
            "strips_convener": strips_convener,
        },
        "open_call": Call.objects.get(pk=open_call.pk),
        "draft_call": draft,
    }
