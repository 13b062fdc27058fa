"""The annual proportionality review: each management level compared with the level below,
one attribute at a time, for the diversity officer (exact, k-protected) or for publication
(every rule of ``disclosure``). Answers are decrypted in memory only, never stored or logged.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Min
from django.views.decorators.debug import sensitive_variables

from convener.org.models import Appointment, Position
from convener.org.succession import junior_participation
from convener.people.models import Membership

from . import services
from .disclosure import MIN_GROUP, Cell, protect, round_base
from .models import Goal
from .stats import Comparison, choose_method, compare, trend


@dataclass(frozen=True)
class Level:
    key: str
    name: str
    position_levels: tuple[str, ...] = ()  # empty: the members of the collaboration
    short: str = ""


# The chain, from the base up: each level's pool is the one before it.
CHAIN = [
    Level("members", "Members", (), "Members"),
    Level("L3", "L3 conveners and deputies", (Position.Level.L3,), "L3"),
    Level("L2", "L2 managers and deputies", (Position.Level.L2,), "L2"),
    Level(
        "L1",
        "L1 managers and the management board",
        (Position.Level.L1, Position.Level.TOP, Position.Level.BOARD),
        "L1 and board",
    ),
]
OFFICER, PUBLISHED = "officer", "published"
SERVICE_LEVELS = {Position.Level.BOARD, Position.Level.COMMITTEE}
SEAT_KINDS = {"resources": True, "advisory": False}  # resource-allocating or not


def published_options(question) -> list:
    """The options of a question that the published review breaks down.

    Where each person gives one answer, the counts of all options add up to the number who
    answered, and publishing several would let them be combined against each other; so only
    one is published ("yes" for a yes/no question, none for longer lists). Options of a
    question that allows several answers are independent and each is published."""
    options = [o for o in question.options.all() if not o.prefer_not and not o.self_describe]
    if question.kind == question.Kind.MULTI:
        return options
    keys = {o.key for o in options}
    if keys == {"yes", "no"}:
        return [o for o in options if o.key == "yes"]
    return []


def chain() -> list[Level]:
    """The configured chain of levels (the default one when none is configured)."""
    from .models import ReviewLevel

    rows = list(ReviewLevel.objects.order_by("order"))
    if len(rows) < 2:
        return list(CHAIN)
    return [Level(r.key, r.name, tuple(r.position_levels), r.short) for r in rows]


def first_year() -> int | None:
    """The first year a review can cover: the year the earliest membership starts (None
    while nobody is a member). Earlier years have no pool to compare with."""
    first = Membership.objects.aggregate(first=Min("start"))["first"]
    return first.year if first else None


@dataclass
class Row:
    level: Level
    pool: Level | None
    k: int
    n: int
    shown_k: int | None = None  # what the audience sees (None: not shown)
    shown_n: int | None = None
    comparison: Comparison | None = None
    reason: str = ""
    goal: Goal | None = None

    @property
    def share(self):
        return self.shown_k / self.shown_n if self.shown_k is not None and self.shown_n else None

    @property
    def goal_met(self):
        if self.goal is None or self.share is None:
            return None
        return self.share >= float(self.goal.target)


@dataclass
class AttributeReport:
    question: str
    option: str
    label: str
    question_text: str
    invisible: bool
    rows: list[Row] = field(default_factory=list)
    flows: list[Row] = field(default_factory=list)
    trend_p: dict[str, float | None] = field(default_factory=dict)
    seats: list[dict] = field(default_factory=list)  # resource vs advisory, per level
    engagement: dict | None = None


class Data:
    """Rosters and answers, loaded once."""

    @sensitive_variables("answers")
    def __init__(self):
        self.memberships = list(
            Membership.objects.only("person_id", "start", "sure_from", "sure_until", "maybe_until")
        )
        self.appointments = list(
            Appointment.objects.select_related("position").only(
                "person_id",
                "start",
                "sure_from",
                "sure_until",
                "maybe_until",
                "position__level",
                "position__function",
            )
        )
        answers = dict(services.all_answers())
        self.answered: dict[str, set[int]] = defaultdict(set)  # answered, not "prefer not"
        self.has: dict[tuple[str, str], set[int]] = defaultdict(set)
        self.any_answer = set(answers)
        for person_id, person_answers in answers.items():
            for question, options in person_answers.items():
                if options and options != ["prefer_not"]:
                    self.answered[question].add(person_id)
                    for option in options:
                        self.has[(question, option)].add(person_id)
        self._rosters = {}
        self.chain = chain()
        from .models import ReviewYear

        self.reference_days = dict(ReviewYear.objects.values_list("year", "reference_date"))
        # plain tuples: who held a seat of which level and kind, surely from/until when
        self.spans = [
            (
                a.person_id,
                a.position.level,
                a.position.function == Position.Function.RESOURCES,
                a.sure_from,
                a.sure_until,
            )
            for a in self.appointments
        ]

    def day(self, year: int) -> dt.date:
        """The snapshot day of ``year`` (1 July unless configured)."""
        return self.reference_days.get(year) or dt.date(year, 7, 1)

    def roster(self, level: Level, day: dt.date, *, resources_only=None) -> frozenset[int]:
        key = (level.key, day, resources_only)
        if key not in self._rosters:
            if not level.position_levels:
                people = {m.person_id for m in self.memberships if m.surely_covers(day)}
            else:
                people = {
                    person
                    for person, lvl, resources, start, end in self.spans
                    if lvl in level.position_levels
                    and start <= day
                    and (end is None or day < end)
                    and (resources_only is None or resources == resources_only)
                }
            self._rosters[key] = frozenset(people)
        return self._rosters[key]

    def service(self, day: dt.date) -> dict[int, int]:
        """Members serving on a board, a committee or in a community-building or advisory
        seat on ``day``, with how many such seats each holds at once."""
        if ("service", day) not in self._rosters:
            seats: dict[int, int] = defaultdict(int)
            for a in self.appointments:
                p = a.position
                if (
                    p.level in SERVICE_LEVELS or p.function != Position.Function.RESOURCES
                ) and a.surely_covers(day):
                    seats[a.person_id] += 1
            self._rosters[("service", day)] = dict(seats)
        return self._rosters[("service", day)]

    def newcomers(self, level: Level, first: dt.date, last: dt.date) -> frozenset[int]:
        """People whose first appointment at the level started within [first, last]."""
        key = ("first-start", level.key)
        if key not in self._rosters:
            starts: dict[int, dt.date] = {}
            for a in self.appointments:
                if a.position.level in level.position_levels and a.start is not None:
                    starts[a.person_id] = min(starts.get(a.person_id, a.start), a.start)
            self._rosters[key] = starts
        starts = self._rosters[key]
        return frozenset(p for p, s in starts.items() if first <= s <= last)


def _cells(data: Data, year: int, question: str, option: str) -> dict[tuple, Cell]:
    """Every candidate cell of one attribute for every year up to ``year``, in the order
    they were (or would have been) published, so earlier decisions never change."""
    cells = {}
    order = 0
    first_year = min((m.start.year for m in data.memberships), default=year)
    for y in range(max(first_year, year - 30), year + 1):
        day = data.day(y)
        for level in data.chain:
            roster = data.roster(level, day) & data.answered[question]
            k = len(roster & data.has[(question, option)])
            cells[("level", level.key, y)] = Cell(
                (question, option), ("level", level.key, y), order, roster, k, len(roster)
            )
            order += 1
        for level in data.chain[1:]:
            for kind, resources in SEAT_KINDS.items():
                roster = data.roster(level, day, resources_only=resources) & data.answered[question]
                k = len(roster & data.has[(question, option)])
                key = (kind, level.key, y)
                cells[key] = Cell((question, option), key, order, roster, k, len(roster))
                order += 1
        roster = (
            frozenset(data.service(day)) & data.roster(data.chain[0], day) & data.answered[question]
        )
        k = len(roster & data.has[(question, option)])
        cells[("engaged", y)] = Cell(
            (question, option), ("engaged", y), order, roster, k, len(roster)
        )
        order += 1
        if y == year:
            for level in data.chain[1:]:
                window = (dt.date(y - 2, 1, 1), dt.date(y, 12, 31))
                roster = data.newcomers(level, *window) & data.answered[question]
                k = len(roster & data.has[(question, option)])
                cells[("flow", level.key, y)] = Cell(
                    (question, option), ("flow", level.key, y), order, roster, k, len(roster)
                )
                order += 1
    return cells


def _row(cells, key, pool_key, level, pool, audience, n_level_members) -> Row:
    cell = cells[key]
    pool_cell = cells.get(pool_key)
    row = Row(level, pool, cell.k, cell.n)
    if audience == OFFICER:
        if cell.k >= MIN_GROUP and cell.n - cell.k >= MIN_GROUP:
            row.shown_k, row.shown_n = cell.k, cell.n
        else:
            row.reason = f"a group or its complement smaller than {MIN_GROUP}"
        pk, pn = (pool_cell.k, pool_cell.n) if pool_cell else (None, None)
    else:
        if cell.published:
            row.shown_k, row.shown_n = cell.k_pub, cell.n_pub
        else:
            row.reason = cell.reason
        pk, pn = (
            (pool_cell.k_pub, pool_cell.n_pub)
            if pool_cell and pool_cell.published
            else (None, None)
        )
    if row.shown_k is not None and pk is not None and pn:
        overlap = len(cell.roster & pool_cell.roster) / len(cell.roster) if cell.roster else 0
        method = choose_method(overlap, pn)
        row.comparison = compare(row.shown_k, row.shown_n, pk, pn, method)
    return row


@sensitive_variables("data")
def build(
    year: int, audience: str = OFFICER, *, strict: bool = False, data: Data | None = None
) -> dict:
    """The review of ``year`` for ``audience`` ("officer" or "published")."""
    data = data or Data()
    day = data.day(year)
    goals = {
        (g.level, g.question, g.option): g
        for g in Goal.objects.filter(year=year, resource_allocating_only=False)
    }
    resource_goals = {
        (g.level, g.question, g.option): g
        for g in Goal.objects.filter(year=year, resource_allocating_only=True)
    }
    levels = []
    for level in data.chain:
        roster = data.roster(level, day)
        responded = len(roster & data.any_answer)
        rate = responded / len(roster) if roster else None
        shown_rate = rate if audience == OFFICER or rate is None else round(rate, 1)
        levels.append(
            {
                "level": level,
                "size": len(roster),
                "rate": shown_rate,
                "caution": rate is not None and rate < 0.5,
            }
        )
    attributes = []
    for question in services.questions():
        for option in (
            published_options(question) if audience == PUBLISHED else question.options.all()
        ):
            if option.prefer_not or option.self_describe:
                continue
            cells = _cells(data, year, question.key, option.key)
            if audience == PUBLISHED:
                protect(list(cells.values()), strict=strict)
            report = AttributeReport(
                question.key, option.key, option.label, question.text, question.invisible
            )
            for i, level in enumerate(data.chain):
                pool = data.chain[i - 1] if i else None
                row = _row(
                    cells,
                    ("level", level.key, year),
                    ("level", pool.key, year) if pool else None,
                    level,
                    pool,
                    audience,
                    0,
                )
                row.goal = goals.get((level.key, question.key, option.key))
                report.rows.append(row)
                if pool:
                    report.flows.append(
                        _row(
                            cells,
                            ("flow", level.key, year),
                            ("level", pool.key, year),
                            level,
                            pool,
                            audience,
                            0,
                        )
                    )
                series = []
                for y in range(year - 9, year + 1):
                    c = cells.get(("level", level.key, y))
                    if c is None:
                        continue
                    if audience == OFFICER:
                        series.append((c.k, c.n))
                    elif c.published:
                        series.append((c.k_pub, c.n_pub))
                report.trend_p[level.key] = trend(series)
            for i, level in enumerate(data.chain[1:], start=1):
                pool = data.chain[i - 1]
                pair = {}
                for kind in SEAT_KINDS:
                    row = _row(
                        cells,
                        (kind, level.key, year),
                        ("level", pool.key, year),
                        level,
                        pool,
                        audience,
                        0,
                    )
                    if kind == "resources":
                        row.goal = resource_goals.get((level.key, question.key, option.key))
                    pair[kind] = row
                res, adv = pair["resources"].share, pair["advisory"].share
                report.seats.append(
                    {
                        "level": level,
                        "resources": pair["resources"],
                        "advisory": pair["advisory"],
                        "ratio": adv / res if res and adv is not None else None,
                    }
                )
            report.engagement = _engagement(
                cells, data, day, year, question.key, option.key, audience
            )
            attributes.append(report)
    from . import workforce

    women = data.has[("gender", "woman")]
    officer = audience == OFFICER
    extra = {
        "retention": workforce.retention(day),
        "junior": junior_participation([year]),
        "advancement": workforce.advancement(
            day, women if officer else None, data.answered["gender"] if officer else None
        ),
        "institutions": workforce.institutions(
            day, women if officer else None, data.answered["gender"], published=not officer
        ),
    }
    return {
        "year": year,
        "audience": audience,
        "reference_date": day,
        "levels": levels,
        "attributes": attributes,
        "strict": strict,
        "chain": data.chain,
        **extra,
    }


def _engagement(cells, data, day, year, question, option, audience) -> dict:
    """The group's and everyone else's share of members who serve on boards, committees or
    in advisory and community seats, and the seats they hold at once."""
    members, engaged = cells[("level", "members", year)], cells[("engaged", year)]
    if audience == OFFICER:
        ok = min(members.k, members.n - members.k, engaged.k, engaged.n - engaged.k) >= MIN_GROUP
        mk, mn, ek, en = members.k, members.n, engaged.k, engaged.n
    else:
        ok = members.published and engaged.published
        mk, mn, ek, en = members.k_pub, members.n_pub, engaged.k_pub, engaged.n_pub
    if not ok:
        return {
            "shown": False,
            "reason": engaged.reason or members.reason or f"a group smaller than {MIN_GROUP}",
        }
    seats = data.service(day)
    group = [seats[p] for p in engaged.roster if p in data.has[(question, option)]]
    rest = [seats[p] for p in engaged.roster if p not in data.has[(question, option)]]
    load_group = sum(group) / len(group) if group else None
    load_rest = sum(rest) / len(rest) if rest else None
    if audience != OFFICER:  # published loads are coarse: to the nearest half seat
        load_group = round(load_group * 2) / 2 if load_group else None
        load_rest = round(load_rest * 2) / 2 if load_rest else None
    return {
        "shown": True,
        "group_rate": ek / mk if mk else None,
        "rest_rate": (en - ek) / (mn - mk) if mn - mk else None,
        "group_serving": ek,
        "rest_serving": en - ek,
        "load_group": load_group,
        "load_rest": load_rest,
    }


def rows_for_csv(review: dict) -> list[list]:
    """The aggregate tables exactly as shown."""
    out = [
        [
            "year",
            "audience",
            "question",
            "option",
            "kind",
            "level",
            "pool",
            "count",
            "answered",
            "share",
            "pool_share",
            "representation_index",
            "impact_ratio",
            "wilson_low",
            "wilson_high",
            "test",
            "p_value",
            "power",
            "note",
        ]
    ]

    def fmt(x):
        return "" if x is None else (f"{x:.4f}" if isinstance(x, float) else x)

    def named(**values):
        """A row from the columns it fills; the others stay empty."""
        values.setdefault("year", review["year"])
        values.setdefault("audience", review["audience"])
        return [values.get(column, "") for column in out[0]]

    def row_line(attr, kind, row, note):
        c = row.comparison
        stats = (
            [c.pool_share, c.representation_index, c.impact_ratio, c.wilson_low, c.wilson_high]
            if c
            else [None] * 5
        )
        return [
            review["year"],
            review["audience"],
            attr.question,
            attr.option,
            kind,
            row.level.key,
            row.pool.key if row.pool else "",
            fmt(row.shown_k),
            fmt(row.shown_n),
            fmt(row.share),
            *(fmt(x) for x in stats),
            c.method if c else "",
            fmt(c.p_value if c else None),
            fmt(c.power if c else None),
            note,
        ]

    for attr in review["attributes"]:
        for kind, rows in (("level", attr.rows), ("new appointments", attr.flows)):
            out.extend(row_line(attr, kind, row, row.reason) for row in rows)
        for seat in attr.seats:
            ratio = seat["ratio"]
            for kind in SEAT_KINDS:
                row = seat[kind]
                note = row.reason or (
                    f"advisory/resources ratio {ratio:.2f}" if ratio is not None else ""
                )
                out.append(row_line(attr, f"{kind} seats", row, note))
        e = attr.engagement
        if e and e["shown"]:
            out.append(
                named(
                    question=attr.question,
                    option=attr.option,
                    kind="community engagement",
                    level="members",
                    count=fmt(e["group_serving"]),
                    share=fmt(e["group_rate"]),
                    pool_share=fmt(e["rest_rate"]),
                    note=f"seats at once: {fmt(e['load_group'])} vs {fmt(e['load_rest'])}",
                )
            )
    for r in review.get("retention", []):
        for horizon, value in r["at"].items():
            out.append(
                named(
                    kind=f"retention {horizon}y",
                    level=r["stage"],
                    count=r["people"],
                    share=fmt(value),
                    note="" if value is not None else "too few at risk",
                )
            )
    for step, r in review.get("advancement", {}).items():
        out.append(
            named(
                kind=f"advancement {step}",
                count=r["advanced"],
                answered=r["base"],
                share=fmt(r["advanced"] / r["base"] if r["base"] else None),
            )
        )
    return out


__all__ = ["build", "first_year", "rows_for_csv", "round_base", "OFFICER", "PUBLISHED"]
