"""The synthetic collaboration: a deterministic, realistic stand-in for a real one.

Used by `make demo` and the benchmarks. Each step is a method of :class:`Synthesizer` that
fills in-memory rows and bulk-inserts them; later features add steps of their own. The data
is valid by construction (every holder's true dates never overlap more holders than seats;
recorded dates are coarsened for old records, which only narrows what is surely known), and
:func:`check_registry` verifies that after the fact.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.text import slugify
from stdnum.iso7064 import mod_11_2
from tqdm import tqdm

from convener.core.dates import Precision, add_months
from convener.core.models import RegistryVersion
from convener.core.validators import ror_checksum
from convener.org.models import (
    Appointment,
    OrgUnit,
    Position,
    in_order,
    peak_holders,
    seat_clashes,
    term_numbers,
)
from convener.people import names as person_names
from convener.people.models import Affiliation, CareerStage, Institution, Membership, Person

from . import names
from .demographics import draw_gender

Stage = CareerStage.Stage
EXCEPTION_REASONS = [
    "The upgrade installation falls in this term; continuity of leadership was judged essential.",
    "No eligible candidate came forward in two calls; extended for one term.",
    "The deputy is being prepared to take over at the end of this term.",
]
DAYS_PER_YEAR = 365.25


@dataclass
class SimPerson:
    index: int
    join: dt.date
    leave: dt.date | None
    stages: list[tuple[str, dt.date, dt.date | None]] = field(default_factory=list)
    busy: list[tuple[dt.date, dt.date | None, int]] = field(default_factory=list)
    obj: Person | None = None
    gender: str = "man"

    def stage_on(self, day: dt.date) -> str | None:
        for stage, start, end in self.stages:
            if start <= day and (end is None or day < end):
                return stage
        return None

    def member_through(self, start: dt.date, end: dt.date) -> bool:
        return self.join <= start and (self.leave is None or self.leave >= end)


@dataclass
class Track:
    """Planned appointments of one seat, before they become rows."""

    rows: list[dict] = field(default_factory=list)


class Synthesizer:
    """Builds a collaboration of ``people`` members over ``years`` years, ending ``today``."""

    def __init__(
        self,
        people: int,
        years: int,
        seed: int,
        today: dt.date | None = None,
        progress: bool = True,
    ):
        if people < 50:
            raise ValueError("people must be at least 50")
        if not 1 <= years <= 80:
            raise ValueError("years must be between 1 and 80")
        self.n_people = people
        self.years = years
        self.rng = random.Random(seed)
        # Whether this collaboration shows the service-burden pattern: for some seeds women
        # are steered to advisory and community seats, for others not at all.
        self.service_bias = self.rng.random() < 0.5
        self.today = today or dt.date.today()
        self.t0 = dt.date(self.today.year - years, 1, 1)
        self.progress = progress
        self.institutions: list[Institution] = []
        self.people: list[SimPerson] = []
        self.units: list[OrgUnit] = []
        self.positions: list[Position] = []
        self.appointments: list[Appointment] = []
        self._slugs: dict[str, set[str]] = {}
        self._tracks: list[list[dict]] = []
        self.bar = None

    # -- helpers -------------------------------------------------------------------------
    def slug(self, kind: str, text: str) -> str:
        taken = self._slugs.setdefault(kind, set())
        base = slugify(text)[:70].strip("-") or kind
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        return slug

    def random_day(self, start: dt.date, end: dt.date) -> dt.date:
        span = max((end - start).days, 0)
        return start + dt.timedelta(days=self.rng.randint(0, span))

    def precision_for(self, day: dt.date) -> str:
        """Old records are known only to the year or month, as real archives are."""
        age = day.year - self.t0.year
        if age < self.years // 3:
            return Precision.YEAR
        if age < self.years // 2 + 2:
            return Precision.MONTH
        return Precision.DAY

    # -- steps ---------------------------------------------------------------------------
    def run(self) -> dict:
        n_positions_estimate = max(60, self.n_people // 8)
        with (
            tqdm(
                total=self.n_people + n_positions_estimate,
                desc="synth",
                unit="item",
                disable=not self.progress,
                dynamic_ncols=True,
            ) as bar,
            transaction.atomic(),
        ):
            self.bar = bar
            self.make_institutions()
            self.make_people()
            self.make_structure()
            bar.total = self.n_people + len(self.positions)
            bar.refresh()
            self.make_appointments()
            from .calls import make_calls

            self.calls = make_calls(self)
            from .training import make_training

            self.training = make_training(self)
            from .demographics import make_self_identification

            self.training.update(make_self_identification(self))
            RegistryVersion.bump()
        return self.summary()

    def summary(self) -> dict:
        return {
            "institutions": len(self.institutions),
            "countries": len({i.country for i in self.institutions}),
            "people": len(self.people),
            "units": len(self.units),
            "positions": len(self.positions),
            "appointments": len(self.appointments),
            "calls": len(getattr(self, "calls", [])),
            **getattr(self, "training", {}),
        }

    def make_institutions(self) -> None:
        rng = self.rng
        count = max(5, round(self.n_people / 24))
        n_countries = min(len(set(names.COUNTRIES)), max(3, round(count / 5.5)))
        countries = list(dict.fromkeys(names.COUNTRIES))[:n_countries]
        weights = [names.COUNTRIES.count(c) for c in countries]
        rors: set[str] = set()
        for i in range(count):
            # every country gets at least one institution before any gets a second
            country = countries[i] if i < len(countries) else rng.choices(countries, weights)[0]
            city = "".join(rng.choice(names.SYLLABLES) for _ in range(rng.randint(2, 3))).title()
            name = rng.choice(names.INSTITUTION_FORMS).format(city=city)
            while True:
                prefix = "0" + "".join(
                    rng.choice("0123456789abcdefghjkmnpqrstvwxyz") for _ in range(6)
                )
                ror = prefix + ror_checksum(prefix)
                if ror not in rors:
                    rors.add(ror)
                    break
            self.institutions.append(
                Institution(
                    name=name,
                    slug=self.slug("inst", name),
                    country=country,
                    city=city,
                    ror=ror,
                )
            )
        Institution.objects.bulk_create(self.institutions, batch_size=500)

    def _stages(
        self, join: dt.date
    ) -> tuple[list[tuple[str, dt.date, dt.date | None]], dt.date | None]:
        """A career from ``join``: stages with dates, and the day the person left (or None)."""
        rng = self.rng
        stage = rng.choices(
            [
                Stage.STUDENT,
                Stage.POSTDOC,
                Stage.SCIENTIST,
                Stage.ENGINEER,
                Stage.TECHNICIAN,
                Stage.FACULTY_EARLY,
                Stage.FACULTY_SENIOR,
            ],
            [40, 20, 10, 14, 4, 7, 5],
        )[0]
        rules = {  # stage: (years min, years max, chance to leave after, next stages)
            Stage.STUDENT: (3, 6, 0.55, [Stage.POSTDOC]),
            Stage.POSTDOC: (2, 5, 0.45, [Stage.SCIENTIST, Stage.FACULTY_EARLY]),
            Stage.SCIENTIST: (6, 20, 0.4, [Stage.FACULTY_SENIOR, Stage.SCIENTIST]),
            Stage.ENGINEER: (5, 25, 0.5, [Stage.ENGINEER]),
            Stage.TECHNICIAN: (5, 25, 0.6, [Stage.TECHNICIAN]),
            Stage.FACULTY_EARLY: (5, 8, 0.1, [Stage.FACULTY_SENIOR]),
            Stage.FACULTY_SENIOR: (8, 25, 0.6, [Stage.EMERITUS]),
            Stage.EMERITUS: (3, 10, 1.0, []),
        }
        stages: list[tuple[str, dt.date, dt.date | None]] = []
        stage_start = start = join
        while True:
            lo, hi, p_leave, following = rules[stage]
            end = start + dt.timedelta(days=int(rng.uniform(lo, hi) * DAYS_PER_YEAR))
            if end >= self.today:
                stages.append((stage, stage_start, None))
                return stages, None
            if not following or rng.random() < p_leave:
                stages.append((stage, stage_start, end))
                return stages, end
            nxt = rng.choice(following)
            if nxt != stage:  # staying in the same stage just lengthens it
                stages.append((stage, stage_start, end))
                stage_start = end
            stage, start = nxt, end

    def make_people(self) -> None:
        rng = self.rng
        first_day = self.t0 - dt.timedelta(days=int(8 * DAYS_PER_YEAR))
        last_day = self.today - dt.timedelta(days=90)
        inst_weights = [1 / (i + 3) ** 0.8 for i in range(len(self.institutions))]
        people, stages, memberships, affiliations = [], [], [], []
        for i in range(self.n_people):
            join = self.random_day(first_day, last_day)
            career, leave = self._stages(join)
            sim = SimPerson(i, join, leave, career)
            sim.gender = draw_gender(
                rng, career[0][0] if career else Stage.SCIENTIST, join.year - self.t0.year
            )
            given, family = rng.choice(names.GIVEN), rng.choice(names.FAMILY)
            name = f"{given} {family}"
            orcid = None
            if rng.random() < 0.8:
                digits = "0000" + "".join(str(rng.randint(0, 9)) for _ in range(11))
                full = digits + mod_11_2.calc_check_digit(digits)
                orcid = "-".join(full[k : k + 4] for k in range(0, 16, 4))
            person = Person(
                name=name,
                sort_name=f"{family}, {given}",
                slug=self.slug("person", name),
                orcid=orcid,
                email=f"{slugify(given)}.{slugify(family)}.{i}@example.org",
            )
            person.sort_key = person_names.sort_key(person.sort_name)
            sim.obj = person
            people.append(person)
            self.people.append(sim)
            if self.bar:
                self.bar.update(1)
        seen_orcids: set[str] = set()
        for p in people:  # a random clash of ORCID iDs is possible at large N; drop it
            if p.orcid in seen_orcids:
                p.orcid = None
            elif p.orcid:
                seen_orcids.add(p.orcid)
        Person.objects.bulk_create(people, batch_size=1000)
        for sim in self.people:
            person = sim.obj
            memberships.append(self._interval(Membership(person=person), sim.join, sim.leave))
            for stage, start, end in sim.stages:
                stages.append(self._interval(CareerStage(person=person, stage=stage), start, end))
            home = rng.choices(self.institutions, inst_weights)[0]
            move = None
            if len(sim.stages) > 1 and rng.random() < 0.3:
                move = sim.stages[1][1]
            if move:
                other = rng.choices(self.institutions, inst_weights)[0]
                affiliations.append(
                    self._interval(Affiliation(person=person, institution=home), sim.join, move)
                )
                if other.pk == home.pk:
                    affiliations[-1].end = sim.leave
                    self._interval(affiliations[-1], sim.join, sim.leave)
                else:
                    affiliations.append(
                        self._interval(
                            Affiliation(person=person, institution=other), move, sim.leave
                        )
                    )
            else:
                affiliations.append(
                    self._interval(
                        Affiliation(person=person, institution=home), sim.join, sim.leave
                    )
                )
        Membership.objects.bulk_create(memberships, batch_size=2000)
        CareerStage.objects.bulk_create(stages, batch_size=2000)
        Affiliation.objects.bulk_create(affiliations, batch_size=2000)
        self.affiliations_planned = affiliations
        # Who could be picked at a given time: people sorted by join date.
        self._by_join = sorted(self.people, key=lambda s: s.join)
        self._joins = [s.join for s in self._by_join]

    def _interval(self, row, start: dt.date, end: dt.date | None):
        row.start, row.start_precision = start, self.precision_for(start)
        row.end = end
        row.end_precision = self.precision_for(end) if end else Precision.DAY
        row.set_derived_dates()
        return row

    def make_structure(self) -> None:
        rng = self.rng
        scale = (self.n_people / 6000) ** 0.5
        n_l1 = 6 if rng.random() < 0.5 else 5
        n_l2 = max(n_l1 * 2, round(30 * scale))
        span_days = (self.today - self.t0).days
        root = self._unit(
            "U.S. Collaboration",
            "Collaboration",
            None,
            OrgUnit.Kind.COLLABORATION,
            0,
            self.t0,
            None,
        )
        self._leadership(root, "Spokesperson", Position.Level.TOP, 24, 2, deputy_seats=2)
        self._leadership(root, "Program Manager", Position.Level.TOP, 36, 2, deputy_seats=1)
        areas = rng.sample(names.L1_AREAS, n_l1)
        used_names: set[str] = set()

        def area_name() -> str:
            while True:
                a, b = rng.sample(names.AREA_WORDS, 2)
                name = f"{a} {b}".replace("-", " ")
                if name not in used_names:
                    used_names.add(name)
                    return name

        def lifetime(parent_start: dt.date) -> tuple[dt.date, dt.date | None]:
            start = parent_start
            if rng.random() < 0.3:
                start = self.random_day(parent_start, self.today - dt.timedelta(days=700))
            end = None
            if rng.random() < 0.18 and (self.today - start).days > 6 * 365:
                end = self.random_day(start + dt.timedelta(days=5 * 365), self.today)
            return start, end

        l2_per_l1 = [n_l2 // n_l1 + (1 if k < n_l2 % n_l1 else 0) for k in range(n_l1)]
        for (l1_name, function), n_children in zip(areas, l2_per_l1, strict=True):
            l1_start = self.t0
            if "Upgrade" in l1_name:
                l1_start = self.t0 + dt.timedelta(days=int(span_days * rng.uniform(0.3, 0.5)))
            l1 = self._unit(l1_name, l1_name.split()[0], root, OrgUnit.Kind.AREA, 1, l1_start, None)
            self._leadership(
                l1,
                "L1 Manager",
                Position.Level.L1,
                36,
                2,
                deputy_seats=1,
                function=function,
                prefix=l1_name,
            )
            for _ in range(n_children):
                start, end = lifetime(l1_start)
                self._l2(l1, area_name(), start, end, area_name, lifetime, function)
                if end is not None:  # a retired area is succeeded by a new one
                    self._l2(l1, area_name(), end, None, area_name, lifetime, function)
        for title, kind, function, seats in names.BOARDS:
            start = self.t0
            if "Diversity" in title or "Early Career" in title or "Conduct" in title:
                start = max(self.t0, dt.date(self.today.year - 6, 1, 1))
            board = self._unit(
                title,
                "".join(w[0] for w in title.split() if w[0].isupper()),
                root,
                kind,
                None,
                start,
                None,
            )
            chair = self._position(
                board,
                f"{title} Chair",
                Position.Level.BOARD if kind == "board" else Position.Level.COMMITTEE,
                Position.Role.CHAIR,
                1,
                24,
                2,
                function,
            )
            self._position(
                board, f"{title} Member", chair.level, Position.Role.MEMBER, seats, 36, 2, function
            )
        depth = {}
        for unit in self.units:  # parents are always made before their children
            depth[id(unit)] = 0 if unit.parent is None else depth[id(unit.parent)] + 1
        for d in sorted(set(depth.values())):
            layer = [u for u in self.units if depth[id(u)] == d]
            for unit in layer:
                unit.parent_id = unit.parent.pk if unit.parent else None
            OrgUnit.objects.bulk_create(layer, batch_size=500)
        for p in self.positions:
            p.unit_id = p.unit.pk
        # deputies point at leads: insert leads first, then deputies
        leads = [p for p in self.positions if p.deputizes_for is None]
        Position.objects.bulk_create(leads, batch_size=500)
        for p in self.positions:
            if p.deputizes_for is not None:
                p.deputizes_for_id = p.deputizes_for.pk
        Position.objects.bulk_create(
            [p for p in self.positions if p.deputizes_for is not None], batch_size=500
        )

    def _l2(self, l1, name, start, end, area_name, lifetime, function):
        rng = self.rng
        l2 = self._unit(name, "", l1, OrgUnit.Kind.AREA, 2, start, end)
        self._leadership(
            l2,
            "L2 Manager",
            Position.Level.L2,
            24,
            3,
            deputy_seats=1 if rng.random() < 0.8 else 0,
            function=function,
            prefix=name,
        )
        for _ in range(rng.randint(4, 6)):
            g_start, g_end = lifetime(start)
            if end is not None:
                g_start = min(g_start, end - dt.timedelta(days=30))
                g_end = min(g_end or end, end)
            l3_name = area_name()
            self._l3(l2, l3_name, g_start, g_end, function)

    def _l3(self, l2, name, start, end, function):
        rng = self.rng
        l3 = self._unit(name, "", l2, OrgUnit.Kind.GROUP, 3, start, end)
        co = rng.random() < 0.4
        self._leadership(
            l3,
            "L3 Convener",
            Position.Level.L3,
            24,
            2 if rng.random() < 0.7 else None,
            deputy_seats=0 if co or rng.random() < 0.4 else 1,
            function=function if rng.random() < 0.85 else "community",
            prefix=name,
            seats=2 if co else 1,
        )

    def _unit(self, name, short, parent, kind, level, start, end) -> OrgUnit:
        unit = OrgUnit(
            name=name,
            short_name=short,
            slug=self.slug("unit", short or name),
            parent=parent,
            kind=kind,
            level=level,
        )
        self._interval(unit, start, end)
        self.units.append(unit)
        return unit

    def _position(
        self, unit, title, level, role, seats, term, limit, function, deputizes_for=None
    ) -> Position:
        position = Position(
            unit=unit,
            title=title,
            slug=self.slug("position", title),
            level=level,
            role=role,
            seats=seats,
            term_months=term,
            term_limit=limit,
            function=function,
            deputizes_for=deputizes_for,
            mandate=(names.DEPUTY_MANDATE if deputizes_for else names.MANDATE)
            .format(
                title=title,
                unit=unit.name,
                parent=unit.parent.name if unit.parent else "the collaboration",
                lead=deputizes_for.title if deputizes_for else "",
            )
            .strip(),  # as the models keep text: trimmed, whichever path it came by
            requirements=names.REQUIREMENTS.format(topic=unit.name, level=level).strip(),
            filled_by=Position.FilledBy.ELECTION
            if level == Position.Level.TOP
            else Position.FilledBy.CALL,
        )
        self._interval(position, unit.start, unit.end)
        self.positions.append(position)
        return position

    def _leadership(
        self,
        unit,
        title,
        level,
        term,
        limit,
        *,
        deputy_seats=0,
        function="resources",
        prefix="",
        seats=1,
    ):
        full = f"{prefix} {title}".strip()
        role = Position.Role.CO_LEAD if seats > 1 else Position.Role.LEAD
        lead = self._position(unit, full, level, role, seats, term, limit, function)
        if deputy_seats:
            deputy_title = f"{prefix} Deputy {title}".strip()
            self._position(
                unit,
                deputy_title,
                level,
                Position.Role.DEPUTY,
                deputy_seats,
                term,
                limit,
                function,
                deputizes_for=lead,
            )
        return lead

    # -- appointments --------------------------------------------------------------------
    def pick(
        self, position: Position, start: dt.date, end: dt.date, exclude: set[int]
    ) -> SimPerson | None:
        """A member present for the whole period, at a suitable career stage, not too busy."""
        rng = self.rng
        hi = bisect.bisect_right(self._joins, start)
        if hi == 0:
            return None
        junior_ok = position.level in {Position.Level.L3, Position.Level.COMMITTEE} or (
            position.role == Position.Role.DEPUTY and position.level == Position.Level.L2
        )
        allowed_students = position.level == Position.Level.COMMITTEE
        max_busy = 3 if position.level in {Position.Level.BOARD, Position.Level.COMMITTEE} else 1
        for _ in range(60):
            sim = self._by_join[rng.randrange(hi)]
            if sim.index in exclude or not sim.member_through(start, end):
                continue
            stage = sim.stage_on(start)
            if stage is None or stage == Stage.EMERITUS:
                continue
            if stage == Stage.STUDENT and not allowed_students:
                continue
            if (
                stage in {Stage.POSTDOC, Stage.FACULTY_EARLY}
                and not junior_ok
                and rng.random() < 0.7
            ):
                continue
            clash = sum(1 for s, e, _pid in sim.busy if s < end and (e is None or start < e))
            if clash >= max_busy:
                continue
            if self.service_bias:
                # the pattern the review looks for: women steered to advisory and community
                # seats, away from the seats that allocate resources
                woman = sim.gender == "woman"
                resources = position.function == Position.Function.RESOURCES
                if woman == resources and rng.random() < 0.4:
                    continue
            return sim
        return None

    def make_appointments(self) -> None:
        # deputies first, so that a lead can be chosen among the sitting deputies
        order = sorted(self.positions, key=lambda p: 0 if p.deputizes_for_id else 1)
        deputies_of: dict[int, list[Position]] = {}
        for p in self.positions:
            if p.deputizes_for_id:
                deputies_of.setdefault(p.deputizes_for_id, []).append(p)
        deputy_rows: dict[int, list[dict]] = {}
        for position in order:
            rows: list[dict] = []
            deputies = deputies_of.get(position.pk, [])
            for seat in range(position.seats):
                rows.extend(self._seat_track(position, seat, rows, deputies, deputy_rows))
            if position.deputizes_for_id:
                deputy_rows[position.pk] = rows
            for row in rows:
                row["position"] = position
            self._tracks.append(rows)
            if self.bar:
                self.bar.update(1)
        for rows in self._tracks:
            for row in rows:
                if row.get("dropped"):
                    continue
                self.appointments.append(self._appointment(row))
        self._number_terms()
        Appointment.objects.bulk_create(self.appointments, batch_size=2000)

    @staticmethod
    def _holding(rows: list[dict], start: dt.date, end: dt.date) -> set[int]:
        """Indexes of the people whose planned rows overlap ``[start, end)``."""
        return {
            r["sim"].index
            for r in rows
            if not r.get("dropped") and r["start"] < end and (r["end"] is None or start < r["end"])
        }

    def _seat_track(self, position, seat, sibling_rows, deputies, deputy_rows) -> list[dict]:
        rng = self.rng
        start_limit = position.start
        end_limit = position.end or self.today
        t = start_limit + dt.timedelta(days=rng.randint(0, 120) + seat * 180)
        if rng.random() < 0.25:
            t += dt.timedelta(days=rng.randint(30, 300))
        term = position.term_months or 24
        limit = position.term_limit or 4
        rows: list[dict] = []
        while t < end_limit - dt.timedelta(days=60):
            in_position = self._holding(sibling_rows + rows, t, add_months(t, term))
            promoted = None
            if deputies and rng.random() < 0.45:
                promoted = self._promote(deputies, deputy_rows, t, in_position)
            sim = promoted or self.pick(position, t, add_months(t, term), in_position)
            if sim is None:
                t = add_months(t, rng.randint(2, 8))  # nobody found: a vacancy
                continue
            n_terms = 1 + sum(rng.random() < 0.55 for _ in range(limit - 1))
            if rng.random() < 0.04:
                n_terms = limit + 1  # over the limit, as happens
            for k in range(n_terms):
                end = add_months(t, term)
                if k and sim.index in self._holding(sibling_rows, t, end):
                    end = t  # another seat of this position is theirs by then
                    break
                reason = Appointment.EndReason.TERM_COMPLETED
                if k == n_terms - 1 and rng.random() < 0.07:
                    end = add_months(t, rng.randint(3, term - 1))
                    reason = Appointment.EndReason.RESIGNED
                if sim.leave is not None and end > sim.leave:
                    end, reason = sim.leave, Appointment.EndReason.RESIGNED
                if end >= end_limit:
                    if position.end is not None:
                        end, reason = position.end, Appointment.EndReason.UNIT_RETIRED
                    else:
                        end, reason = None, ""
                if end is not None and end <= t:
                    end = t
                    break
                rows.append(
                    {
                        "sim": sim,
                        "start": t,
                        "end": end,
                        "reason": reason,
                        "capacity": Appointment.Capacity.REGULAR,
                    }
                )
                sim.busy.append((t, end, position.pk))
                if end is None or reason != Appointment.EndReason.TERM_COMPLETED:
                    break
                t = end
            if end is None:
                break
            t = end
            if rng.random() < 0.1 and t < end_limit - dt.timedelta(days=300):
                acting_end = add_months(t, rng.randint(3, 9))
                busy = self._holding(sibling_rows + rows, t, acting_end) | {sim.index}
                acting = self.pick(position, t, acting_end, busy)
                if acting is not None:
                    rows.append(
                        {
                            "sim": acting,
                            "start": t,
                            "end": acting_end,
                            "reason": Appointment.EndReason.REPLACED,
                            "capacity": rng.choice(
                                [Appointment.Capacity.ACTING, Appointment.Capacity.INTERIM]
                            ),
                        }
                    )
                    acting.busy.append((t, acting_end, position.pk))
                    t = acting_end
            elif rng.random() < 0.15:
                t = add_months(t, rng.randint(1, 10))
        return rows

    def _promote(self, deputies, deputy_rows, t, exclude: set[int]) -> SimPerson | None:
        """The sitting deputy becomes the lead at ``t``: their deputy term ends that day."""
        for deputy in deputies:
            for row in deputy_rows.get(deputy.pk, []):
                if row.get("dropped") or not (
                    row["start"] < t and (row["end"] is None or t < row["end"])
                ):
                    continue
                sim = row["sim"]
                if sim.index in exclude or (
                    sim.leave is not None and sim.leave < t + dt.timedelta(days=400)
                ):
                    return None
                row["end"], row["reason"] = t, Appointment.EndReason.MOVED_ON
                for later in deputy_rows[deputy.pk]:
                    if later["sim"] is sim and later["start"] >= t:
                        later["dropped"] = True
                return sim
        return None

    def _appointment(self, row) -> Appointment:
        position = row["position"]
        appointment = Appointment(
            person=row["sim"].obj,
            position=position,
            capacity=row["capacity"],
            end_reason=row["reason"] if row["end"] else "",
            end_kind=Appointment.EndKind.LEFT,  # the simulation hands over on the same day
            method=Appointment.Method.ELECTION
            if position.filled_by == "election"
            else Appointment.Method.CALL,
        )
        return self._interval(appointment, row["start"], row["end"])

    def _number_terms(self) -> None:
        groups: dict[tuple[int, int], list[Appointment]] = {}
        for a in self.appointments:
            groups.setdefault((a.person.pk, a.position.pk), []).append(a)
        for (_, _), rows in groups.items():
            rows = in_order(rows)
            numbers = term_numbers(rows, rows[0].position.acting_counts_as_term)
            limit = rows[0].position.term_limit
            for a, n in zip(rows, numbers, strict=True):
                a.term_number = n
                if limit and n and n > limit:
                    a.exception_justification = self.rng.choice(EXCEPTION_REASONS)
                    a.exception_approved_by = self.rng.choice(
                        ["Spokesperson", "Collaboration Board", "Program Manager"]
                    )


def check_registry() -> list[str]:
    """Every violation of the registry's rules in the database (empty when all hold)."""
    problems = []
    by_position: dict[int, list[Appointment]] = {}
    for a in Appointment.objects.select_related("position").order_by("position", "start"):
        by_position.setdefault(a.position_id, []).append(a)
        if a.end is not None and a.end_date.latest < a.start_date.earliest:
            problems.append(f"appointment {a.pk} ends before it starts")
    for rows in by_position.values():
        position = rows[0].position
        if position.term_limit and any(
            a.term_number and a.term_number > position.term_limit and not a.exception_justification
            for a in rows
        ):
            problems.append(f"position {position.slug} has a term over its limit, no exception")
        if seat_clashes(rows, list(position.seat_periods.all()), position.seats):
            problems.append(f"position {position.slug} has more holders than seats")
        by_person: dict[int, list[Appointment]] = {}
        for a in rows:
            by_person.setdefault(a.person_id, []).append(a)
        for mine in by_person.values():
            if peak_holders(mine) > 1:
                problems.append(f"{mine[0].person_id} overlaps themself in {position.slug}")
    return problems
