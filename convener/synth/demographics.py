"""Self-identification answers with realistic rates: about 70% respond; women are about a
fifth overall, fewer among senior physicists and engineers, more among students, slowly
rising with later cohorts (calibrated on figures published by a large LHC collaboration)."""

from __future__ import annotations

from django.utils import timezone

from convener.people.models import CareerStage
from convener.review import crypto
from convener.review.models import ConsentText, SelfIdentification

Stage = CareerStage.Stage
WOMEN = {  # share of women by career stage at entry
    Stage.STUDENT: 0.27,
    Stage.POSTDOC: 0.22,
    Stage.SCIENTIST: 0.19,
    Stage.ENGINEER: 0.14,
    Stage.TECHNICIAN: 0.12,
    Stage.FACULTY_EARLY: 0.20,
    Stage.FACULTY_SENIOR: 0.13,
    Stage.EMERITUS: 0.08,
}
RACE = [
    ("white", 0.62),
    ("asian", 0.20),
    ("hispanic", 0.08),
    ("black", 0.04),
    ("mena", 0.04),
    ("american_indian", 0.01),
    ("pacific_islander", 0.01),
]
REGIONS = [
    "europe",
    "east_asia",
    "south_asia",
    "latin_america",
    "middle_east",
    "africa",
    "oceania",
    "north_america",
]


def draw_gender(rng, stage: str, years_since_start: int) -> str:
    """A member's gender, drawn when they join (later cohorts have more women)."""
    roll = rng.random()
    woman = WOMEN.get(stage, 0.18) + 0.004 * years_since_start
    if roll < 0.04:
        return "prefer_not"
    if roll < 0.05:
        return "non_binary"
    return "woman" if roll < 0.05 + woman else "man"


def answers_for(rng, sim, us_member: bool) -> dict:
    answers = {"gender": [sim.gender]}
    if rng.random() < 0.9:
        if rng.random() < 0.06:
            answers["race_ethnicity"] = ["prefer_not"]
        else:
            picked = [k for k, p in RACE if rng.random() < p] or ["white"]
            answers["race_ethnicity"] = sorted(picked)
    if not us_member and rng.random() < 0.85:
        answers["region"] = [rng.choice(REGIONS)]
    for key, p in (("first_generation", 0.2), ("caregiver", 0.35), ("disability", 0.06)):
        r = rng.random()
        answers[key] = ["prefer_not"] if r < 0.05 else (["yes"] if r < 0.05 + p else ["no"])
    answers["career_path"] = sorted(
        [
            k
            for k, p in (("academic", 0.85), ("laboratory", 0.3), ("industry", 0.1))
            if rng.random() < p
        ]
        or ["academic"]
    )
    return {"answers": answers, "described": {}}


def make_self_identification(synth) -> dict:
    rng = synth.rng
    consent = ConsentText.objects.order_by("-version").first()
    if consent is None:
        return {}
    now = timezone.now()
    home_country = {}
    for aff in synth.affiliations_planned:
        home_country.setdefault(aff.person.pk, str(aff.institution.country))
    rows = []
    for sim in synth.people:
        if rng.random() >= 0.7:
            continue
        us = home_country.get(sim.obj.pk) == "US"
        data = answers_for(rng, sim, us)
        rows.append(
            SelfIdentification(
                person=sim.obj, ciphertext=crypto.encrypt(data), consent=consent, consented_at=now
            )
        )
    SelfIdentification.objects.bulk_create(rows, batch_size=2000)
    return {"self_identified": len(rows)}
