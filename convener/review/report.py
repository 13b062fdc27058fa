"""The annual proportionality review, computed once per preparation into plain data that a
snapshot stores: for the diversity officer (exact counts, hiding small groups and whatever
would give them away) and for publication (every rule of ``disclosure``, checked against
every earlier published snapshot). Answers are decrypted in memory only, never stored or
logged; every function that holds them or sets of person ids hides its variables from
error reports.

Each link of the chain says whom a level is chosen from (``ReviewLevel.pool``):

- the members on the day (L3): the level on the reference date against the members, with
  the hypergeometric test (the level is drawn out of them);
- the eligible pool (L2, L1): people who held the level below within N years. The holders
  on the reference date are compared, each at the date of their appointment, with the pool
  on that date (Poisson-binomial).

The primary test is the flow: people newly appointed to the level in the three years ending
on the reference date, each compared with the pool on the day they were appointed. Trends
use the new appointees of each of ten years (each person once), scored by the real years.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from django.db.models import Min
from django.views.decorators.debug import sensitive_variables

from convener.core import parallel
from convener.org.models import Appointment, Position
from convener.people.models import Membership

from . import disclosure, services, stats
from .disclosure import MIN_GROUP, SLACK, Cell, round_base

OFFICER, PUBLISHED = "officer", "published"
SERVICE_LEVELS = {Position.Level.BOARD, Position.Level.COMMITTEE}
FLOW_YEARS = 3
TREND_YEARS = 10
NEVER = 10**7  # an ordinal after any real date: "no end"


@dataclass(frozen=True)
class Level:
    key: str
    name: str
    position_levels: tuple[str, ...] = ()  # empty: the members of the collaboration
    short: str = ""
    pool: str = "members"  # "members" or "eligible"
    pool_years: int = 5

    def pool_text(self, below: Level | None) -> str:
        if below is None:
            return "The base of the chain."
        if self.pool == "eligible":
            # the pool the level is meant to draw on, not a statement of where its
            # appointees came from (``Data.from_pool`` counts how many did)
            return (
                f"Compared with the eligible pool: people who held a seat in {below.name} "
                f"within the {self.pool_years} years before each appointment."
            )
        return "Compared with all members of the collaboration on the day of each appointment."


CHAIN = [
    Level("members", "Members", (), "Members"),
    Level("L3", "L3 conveners and deputies", (Position.Level.L3,), "L3"),
    Level("L2", "L2 managers and deputies", (Position.Level.L2,), "L2", "eligible"),
    Level(
        "L1",
        "L1 managers and the management board",
        (Position.Level.L1, Position.Level.TOP, Position.Level.BOARD),
        "L1 and board",
        "eligible",
    ),
]


def chain() -> list[Level]:
    """The configured chain of levels (the default one when none is configured)."""
    from .models import ReviewLevel

    rows = list(ReviewLevel.objects.order_by("order"))
    if len(rows) < 2:
        return list(CHAIN)
    return [
        Level(r.key, r.name, tuple(r.position_levels), r.short, r.pool, r.pool_years) for r in rows
    ]


def first_year() -> int | None:
    """The first year a review can cover: the year the earliest membership starts (None
    while nobody is a member). Earlier years have no pool to compare with."""
    first = Membership.objects.aggregate(first=Min("start"))["first"]
    return first.year if first else None


def published_options(question) -> list:
    """The options of a question that the published review breaks down.

    Where each person gives one answer only one is published ("yes" for a yes/no
    question, none for longer lists); options of a question that allows several answers
    are each published, and checked together."""
    options = [o for o in question.options.all() if not o.prefer_not and not o.self_describe]
    if question.kind == question.Kind.MULTI:
        return options
    keys = {o.key for o in options}
    if keys == {"yes", "no"}:
        return [o for o in options if o.key == "yes"]
    return []


def officer_options(question) -> list:
    return [o for o in question.options.all() if not o.prefer_not and not o.self_describe]


def _ordinal(day: dt.date | None, default: int) -> int:
    return day.toordinal() if day is not None else default


class Data:
    """Rosters and answers, loaded once per preparation, as arrays."""

    @sensitive_variables()
    def __init__(self):
        rows = list(Membership.objects.values_list("person_id", "sure_from", "sure_until"))
        rows = [r for r in rows if r[1] is not None]  # an unknown start counts nowhere
        self.m_person = np.array([r[0] for r in rows], dtype=np.int64)
        self.m_from = np.array([_ordinal(r[1], NEVER) for r in rows], dtype=np.int64)
        self.m_until = np.array([_ordinal(r[2], NEVER) for r in rows], dtype=np.int64)
        rows = list(
            Appointment.objects.values_list(
                "person_id",
                "start",
                "sure_from",
                "sure_until",
                "position__level",
                "position__function",
                "position__role",
            )
        )
        # a row whose start is unknown is not countable on any date
        rows = [r for r in rows if r[1] is not None and r[2] is not None]
        self.a_person = np.array([r[0] for r in rows], dtype=np.int64)
        self.a_start = np.array([_ordinal(r[1], NEVER) for r in rows], dtype=np.int64)
        self.a_from = np.array([_ordinal(r[2], NEVER) for r in rows], dtype=np.int64)
        self.a_until = np.array([_ordinal(r[3], NEVER) for r in rows], dtype=np.int64)
        self.a_level = np.array([r[4] for r in rows], dtype=object)
        self.a_function = np.array([r[5] for r in rows], dtype=object)
        self.a_role = np.array([r[6] for r in rows], dtype=object)
        self.answers: dict[int, dict[str, list[str]]] = dict(services.all_answers())
        self.answered: dict[str, set[int]] = defaultdict(set)  # not "prefer not to say"
        self.picked: dict[str, dict[int, set[str]]] = defaultdict(dict)
        for person, answers in self.answers.items():
            for question, options in answers.items():
                if options and options != ["prefer_not"]:
                    self.answered[question].add(person)
                    self.picked[question][person] = set(options)
        self.any_answer = set(self.answers)
        self.chain = chain()
        from .models import ReviewYear

        self.reference_days = dict(ReviewYear.objects.values_list("year", "reference_date"))
        self._memo = {}
        self.institutions_shown: set[str] = set()

    def day(self, year: int) -> dt.date:
        """The reference date of ``year`` (1 July unless configured)."""
        return self.reference_days.get(year) or dt.date(year, 7, 1)

    def level_mask(self, level: Level) -> np.ndarray:
        return np.isin(self.a_level, list(level.position_levels))

    @sensitive_variables()
    def members(self, day: int) -> set[int]:
        key = ("members", day)
        if key not in self._memo:
            mask = (self.m_from <= day) & (day < self.m_until)
            self._memo[key] = set(self.m_person[mask].tolist())
        return self._memo[key]

    @sensitive_variables()
    def holders(self, level: Level, day: int, resources: bool | None = None) -> set[int]:
        """Who surely held a seat of ``level`` on ``day`` (of a resource-allocating kind,
        or of no such kind at all, when ``resources`` says so)."""
        if not level.position_levels:
            return self.members(day)
        key = ("holders", level.key, day, resources)
        if key not in self._memo:
            mask = self.level_mask(level) & (self.a_from <= day) & (day < self.a_until)
            if resources is None:
                people = set(self.a_person[mask].tolist())
            else:
                with_resources = set(
                    self.a_person[mask & (self.a_function == Position.Function.RESOURCES)].tolist()
                )
                people = (
                    with_resources
                    if resources
                    else set(self.a_person[mask].tolist()) - with_resources
                )
            self._memo[key] = people
        return self._memo[key]

    def community_label(self, level: Level, day: int) -> str:
        """What the seats that allocate no resources are at this level, by their function."""
        mask = self.level_mask(level) & (self.a_from <= day) & (day < self.a_until)
        kinds = set(self.a_function[mask & (self.a_function != Position.Function.RESOURCES)])
        if kinds == {Position.Function.COMMUNITY}:
            return "community-building seats"
        if kinds == {Position.Function.ADVISORY}:
            return "advisory seats"
        return "advisory and community-building seats"

    @sensitive_variables()
    def pool(self, level: Level, below: Level, day: int) -> set[int]:
        """Whom ``level`` is chosen from on ``day``."""
        if level.pool != "eligible" or not below.position_levels:
            return self.members(day)
        key = ("eligible", level.key, day)
        if key not in self._memo:
            since = day - round(level.pool_years * 365.25)
            mask = self.level_mask(below) & (self.a_from <= day) & (self.a_until > since)
            self._memo[key] = set(self.a_person[mask].tolist())
        return self._memo[key]

    @sensitive_variables()
    def pool_counts(self, level: Level, below: Level, day: int, question: str, option: str):
        """(with the option, without it) among those who answered, in the pool ``level`` is
        chosen from, on the first of the month of ``day`` (pools move slowly; counting them
        once a month keeps a preparation fast)."""
        month = dt.date.fromordinal(day).replace(day=1).toordinal()
        key = ("pool-counts", level.key, month, question, option)
        if key not in self._memo:
            if level.pool != "eligible" or not below.position_levels:
                people = self.m_person[(self.m_from <= month) & (month < self.m_until)]
            else:
                since = month - round(level.pool_years * 365.25)
                mask = self.level_mask(below) & (self.a_from <= month) & (self.a_until > since)
                people = self.a_person[mask]
            answered_mask = self.mask(question)
            in_pool = np.zeros(len(answered_mask), dtype=bool)
            in_pool[people] = True  # each person once, however many rows they have
            answered = int((in_pool & answered_mask).sum())
            k = int((in_pool & self.mask(question, option)).sum())
            self._memo[key] = (k, answered - k)
        return self._memo[key]

    @sensitive_variables()
    def from_pool(self, level: Level, below: Level, after: int, until: int) -> tuple[int, int]:
        """(in their eligible pool on the day appointed, all) of the people first appointed
        to ``level`` after ``after`` and up to ``until``: how far the pool describes where
        they came from. Appointments only, which are public: no answers."""
        newcomers = self.newcomers(level, after, until)
        inside = sum(1 for p, day in newcomers.items() if p in self.pool(level, below, day))
        return inside, len(newcomers)

    def once(self, key, compute):
        """A result that does not depend on the audience, computed once per preparation."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    @sensitive_variables()
    def mask(self, question: str, option: str | None = None) -> np.ndarray:
        """Indexed by person id: answered ``question`` (picked ``option``, when given)."""
        key = ("mask", question, option)
        if key not in self._memo:
            size = int(max(self.m_person.max(initial=0), self.a_person.max(initial=0))) + 1
            mask = np.zeros(max(size, max(self.answers, default=0) + 1), dtype=bool)
            people = [
                p
                for p, picked in self.picked[question].items()
                if option is None or option in picked
            ]
            mask[people] = True
            self._memo[key] = mask
        return self._memo[key]

    @sensitive_variables()
    def first_starts(self, level: Level) -> dict[int, int]:
        """Each person's first appointment to the level (ordinal day)."""
        key = ("first", level.key)
        if key not in self._memo:
            mask = self.level_mask(level)
            first: dict[int, int] = {}
            for person, start in zip(
                self.a_person[mask].tolist(), self.a_start[mask].tolist(), strict=True
            ):
                if start < first.get(person, NEVER):
                    first[person] = start
            self._memo[key] = first
        return self._memo[key]

    @sensitive_variables()
    def newcomers(self, level: Level, after: int, until: int) -> dict[int, int]:
        """People first appointed to the level after ``after`` and up to ``until``."""
        key = ("new", level.key, after, until)
        if key not in self._memo:
            self._memo[key] = {
                p: s for p, s in self.first_starts(level).items() if after < s <= until
            }
        return self._memo[key]

    @sensitive_variables()
    def current_starts(self, level: Level, day: int) -> dict[int, int]:
        """For each holder on ``day``, the start of the appointment they hold then."""
        mask = self.level_mask(level) & (self.a_from <= day) & (day < self.a_until)
        starts: dict[int, int] = {}
        for person, start in zip(
            self.a_person[mask].tolist(), self.a_start[mask].tolist(), strict=True
        ):
            starts[person] = max(starts.get(person, 0), start)
        return starts

    @sensitive_variables()
    def service(self, day: int) -> dict[int, int]:
        """Members serving on a board, a committee or in a seat that allocates no resources
        on ``day``, with how many such seats each holds at once."""
        mask = (
            np.isin(self.a_level, list(SERVICE_LEVELS))
            | (self.a_function != Position.Function.RESOURCES)
        ) & ((self.a_from <= day) & (day < self.a_until))
        seats: dict[int, int] = defaultdict(int)
        for person in self.a_person[mask].tolist():
            seats[person] += 1
        return dict(seats)


def _years_back(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


@sensitive_variables()
def question_cells(data: Data, year: int, question, options: list[str], order: int) -> list:
    """Every cell of one question for the review of ``year``: the levels, the eligible
    pools, the two kinds of seats, the members who serve, and the new appointees of the
    three years ending on the reference date."""
    day = data.day(year).toordinal()
    answered = data.answered[question.key]
    picked = data.picked[question.key]
    cells = []

    def add(key, people, priority):
        nonlocal order
        roster = frozenset(people & answered)
        k = {o: sum(1 for p in roster if o in picked[p]) for o in options}
        cells.append(Cell(question.key, key, order, roster, k, priority=priority))
        order += 1

    for i, level in enumerate(data.chain):
        add(("level", level.key, year), data.holders(level, day), 10)
        if i and level.pool == "eligible":
            add(("pool", level.key, year), data.pool(level, data.chain[i - 1], day), 6)
    for level in data.chain[1:]:
        start = _years_back(data.day(year), FLOW_YEARS).toordinal()
        add(("flow", level.key, year), set(data.newcomers(level, start, day)), 8)
    for level in data.chain[1:]:
        add(("resources", level.key, year), data.holders(level, day, resources=True), 4)
        add(("community", level.key, year), data.holders(level, day, resources=False), 4)
    add(("engaged", year), set(data.service(day)) & data.members(day), 2)
    return cells


def _comparison_dict(c: stats.Comparison | None) -> dict | None:
    if c is None:
        return None
    w = c.wilson
    # published: no p-value beside a result the rounding leaves open
    open_ = bool(c.robust) and (c.conclusion() == "inconclusive" or c.direction == "unclear")
    return {
        "method": c.method,
        "k": c.k,
        "n": c.n,
        "share": c.share,
        "expected": c.expected,
        "wilson": list(w) if w else None,
        "ri": c.representation_index,
        "impact_ratio": c.impact_ratio,
        "four_fifths": c.four_fifths_flag,
        "p_lower": None if open_ else c.p_lower,
        "p_upper": None if open_ else c.p_upper,
        "p": c.p_value,
        # what the correction for multiple comparisons uses: published, the largest p-value
        # over the true counts the rounding allows, so a result it keeps holds for them all
        "p_worst": {"p_lower": c.worst_p("p_lower"), "p_upper": c.worst_p("p_upper")},
        "direction": c.direction,
        "conclusion": c.conclusion(),
        "power_half": c.power_half,
        "power_boundary": c.power_boundary,
        "diff": [c.diff_low, c.diff_high] if c.diff_low is not None else None,
        "verdict": c.verdict(),
    }


def _pool_key(level: Level, year: int) -> tuple:
    """The cell of the pool a level is compared with on the reference date."""
    return ("pool", level.key, year) if level.pool == "eligible" else ("level", "members", year)


def _with_pool(level, year, option, cells):
    """The level's cell and its pool's, or None when the pool's count is hidden (then no
    comparison may be shown: it would give the pool's count away)."""
    pool_cell = cells.get(_pool_key(level, year))
    if pool_cell is None or option not in pool_cell.shown:
        return None
    return cells[("level", level.key, year)], pool_cell


@sensitive_variables()
def _against_pools(data, level, below, question, option, dated: dict[int, int]):
    """People appointed on the given days, each against the pool on that day; None when a
    pool had fewer than 5 on either side (its share would show a small group)."""
    pools, k = [], 0
    for person, day in dated.items():
        if person in data.answered[question]:
            pools.append(data.pool_counts(level, below, day, question, option))
            k += option in data.picked[question][person]
    if not pools or not all(min(g, r) >= MIN_GROUP for g, r in pools):
        return None
    return stats.appointments(k, pools)


@sensitive_variables()
def _officer_tests(data, year, level, below, question, option, cells):
    """The officer's exact comparisons of one level and attribute: stock and flow."""
    out = {"stock": None, "flow": None, "pool_hidden": False}
    both = _with_pool(level, year, option, cells)
    if both is None:
        out["pool_hidden"] = True
        return out
    level_cell, pool_cell = both
    day = data.day(year).toordinal()
    if option in level_cell.shown:
        if level.pool == "eligible":
            holders = {
                p: start
                for p, start in data.current_starts(level, day).items()
                if p in level_cell.roster
            }
            out["stock"] = _against_pools(data, level, below, question, option, holders)
        else:
            out["stock"] = stats.drawn(
                level_cell.k[option], level_cell.n, pool_cell.k[option], pool_cell.n
            )
    if option in cells[("flow", level.key, year)].shown:
        start = _years_back(data.day(year), FLOW_YEARS).toordinal()
        newcomers = data.newcomers(level, start, day)
        out["flow"] = _against_pools(data, level, below, question, option, newcomers)
    return out


def _published_tests(level, year, option, cells):
    """Published comparisons, from rounded counts only; conclusions kept only when every
    true count consistent with the rounding agrees."""
    out = {"stock": None, "flow": None, "pool_hidden": False}
    both = _with_pool(level, year, option, cells)
    if both is None:
        out["pool_hidden"] = True
        return out
    level_cell, pool_cell = both
    pk, pn = pool_cell.shown[option], round_base(pool_cell.n)
    if not 0 < pk < pn:
        return out

    def spread(value):
        return (max(0, value - SLACK), value + SLACK)

    for name, cell, method in (
        (
            "stock",
            level_cell,
            stats.Method.HYPERGEOMETRIC if level.pool == "members" else stats.Method.BINOMIAL,
        ),
        ("flow", cells[("flow", level.key, year)], stats.Method.BINOMIAL),
    ):
        if option not in cell.shown:
            continue
        k, n = cell.shown[option], round_base(cell.n)
        if method == stats.Method.HYPERGEOMETRIC and n <= pn:
            c = stats.drawn(k, n, pk, pn)
        else:
            method = stats.Method.BINOMIAL
            c = stats.against_share(k, n, pk / pn)
        c.robust = stats.robust(method, [spread(k), spread(n), spread(pk), spread(pn)])
        out[name] = c
    return out


@sensitive_variables()
def build(
    year: int,
    audience: str = OFFICER,
    *,
    strict: bool = False,
    data: Data | None = None,
    stored: list[dict] | None = None,
    progress=None,
) -> dict:
    """The review of ``year`` for ``audience``, as plain data. ``stored`` are the cells of
    every earlier published snapshot (published audience) or of every earlier draft of the
    year the officer has seen (officer audience): the review is checked against them. The
    result's ``cells`` are what the preparation must keep for later checks."""
    request = {"year": year, "audience": audience, "strict": strict, "stored": stored}
    return build_together([request], data=data or Data(), progress=progress)[0]


@sensitive_variables()
def build_together(requests: list[dict], *, data: Data, progress=None, labels=()) -> list[dict]:
    """Several reviews sharing ``data`` (the officer's and the published one), each given as
    ``build``'s arguments: their questions' disclosure checks, independent of each other,
    are spread together over the machine's cores. ``progress(percent, note)`` hears of
    all of it, a note starting with the request's label."""
    progress = progress or (lambda pct, note: None)
    labels = list(labels) or [""] * len(requests)
    window = {"low": 0, "high": 0, "label": ""}

    def within(pct, note):  # a stage's own 0 to 100, placed in its part of the whole
        span = window["high"] - window["low"]
        progress(window["low"] + span * min(pct, 100) // 100, f"{window['label']}{note}")

    def part(low, high, label):
        window.update(low=low, high=high, label=label)

    stages = [_stages(data=data, progress=within, **request) for request in requests]
    jobs = []
    for i, stage in enumerate(stages):
        part(5 + 10 * i // len(stages), 5 + 10 * (i + 1) // len(stages), labels[i])
        jobs.append(next(stage))
    flat = [job for mine in jobs for job in mine]

    def checked(n):
        part(15, 80, "")
        within(100 * n // max(len(flat), 1), f"Checked what can be shown: {n} of {len(flat)}")

    checked(0)
    decided = parallel.run(disclosure.decide, flat, cost=disclosure.cost, done=checked)
    out, start = [], 0
    for i, (stage, mine) in enumerate(zip(stages, jobs, strict=True)):
        part(80 + 15 * i // len(stages), 80 + 15 * (i + 1) // len(stages), labels[i])
        out.append(stage.send(decided[start : start + len(mine)]))
        start += len(mine)
    return out


@sensitive_variables()
def _stages(year, audience, *, strict, data, stored, progress):
    """``build`` in two stages around the disclosure checks: yields the questions' jobs for
    ``disclosure.decide``, is sent their decisions, and yields the review."""
    from . import workforce
    from .models import Goal

    day = data.day(year)
    officer = audience == OFFICER
    levels = []
    for level in data.chain:
        roster = data.holders(level, day.toordinal())
        responded = len(roster & data.any_answer)
        rate = responded / len(roster) if roster else None
        levels.append(
            {
                "key": level.key,
                "name": level.name,
                "short": level.short,
                "size": len(roster),
                "rate": rate if officer or rate is None else round(rate, 1),
                "caution": rate is not None and rate < 0.5,
            }
        )
    goals = defaultdict(dict)
    for g in Goal.objects.filter(year=year):
        goals[(g.level, g.question, g.option)][g.resource_allocating_only] = g
    questions = services.questions()
    sections = {
        level.key: {"rows": [], "flows": [], "seats": [], "trends": []} for level in data.chain[1:]
    }
    base_rows, engagement, chart_rows, stored_cells, question_notes = [], [], [], [], []
    order = 0
    prepared = []  # per question: its options and cells, and what decides what they show
    for qi, question in enumerate(questions):
        progress(100 * qi // max(len(questions), 1), f"{question.text[:60]}")
        options = (published_options if not officer else officer_options)(question)
        if not options:
            continue
        keys = [o.key for o in options]
        cells_list = question_cells(data, year, question, keys, order)
        order += len(cells_list)
        picked = data.picked[question.key]
        if officer and question.key == "gender":
            cells_list += _institution_cells(data, day, question.key, keys, order)
        truth = {p: picked[p] for c in cells_list for p in c.roster}
        earlier = [
            Cell.from_store(s, i)
            for i, s in enumerate(stored or [])
            if s["question"] == question.key
        ]
        job = (audience, cells_list, keys, truth, earlier, strict)
        prepared.append((question, options, cells_list, job))
    # the questions are independent: decided side by side (see build_together)
    decisions = yield [job for *_, job in prepared]
    for (*_, cells_list, _), decided in zip(prepared, decisions, strict=True):
        disclosure.apply(cells_list, decided)
    for qi, (question, options, cells_list, _) in enumerate(prepared):
        progress(80 * qi // max(len(prepared), 1), f"{question.text[:60]}")
        if officer:
            stored_cells += [c.store() for c in cells_list]
            if question.key == "gender":
                data.institutions_shown = {
                    c.key[1] for c in cells_list if c.key[0] == "institution" and "woman" in c.shown
                }
        else:
            stored_cells += [c.store() for c in cells_list if c.ranges()]
        cells = {c.key: c for c in cells_list}
        if question.kind == question.Kind.MULTI:
            question_notes.append(
                {
                    "question": question.text,
                    "note": "Several answers allowed: each option counts everyone who chose it, "
                    "alone or in combination with others, so shares add up to more than 100%.",
                }
            )
        for option in options:
            label = option.label
            members = cells[("level", data.chain[0].key, year)]
            base_rows.append(_shown(members, option.key, label, question))
            chart = [(data.chain[0].short, _share(members, option.key, officer), None)]
            for i, level in enumerate(data.chain[1:], start=1):
                below = data.chain[i - 1]
                tests = (
                    _officer_tests(data, year, level, below, question.key, option.key, cells)
                    if officer
                    else _published_tests(level, year, option.key, cells)
                )
                row = _shown(cells[("level", level.key, year)], option.key, label, question)
                pool = _shown(cells[_pool_key(level, year)], option.key, label, question)
                row["pool"] = pool
                row["comparison"] = _comparison_dict(tests["stock"])
                row["pool_hidden"] = tests["pool_hidden"]
                level_goals = goals.get((level.key, question.key, option.key), {})
                row["goal"] = _goal(level_goals.get(False), row)
                sections[level.key]["rows"].append(row)
                flow = _shown(cells[("flow", level.key, year)], option.key, label, question)
                flow["comparison"] = _comparison_dict(tests["flow"])
                flow["pool_hidden"] = tests["pool_hidden"]
                sections[level.key]["flows"].append(flow)
                chart.append(
                    (
                        level.short,
                        _share(cells[("level", level.key, year)], option.key, officer),
                        pool["share"] if pool["shown"] else None,
                    )
                )
                sections[level.key]["seats"].append(
                    _seats(
                        cells,
                        level,
                        year,
                        option.key,
                        label,
                        question,
                        officer,
                        level_goals.get(True),
                    )
                )
                sections[level.key]["trends"].append(
                    _trend(data, level, year, question.key, option.key, label, officer)
                )
            chart_rows.append(
                {
                    "id": f"chart-{question.key}-{option.key}",
                    "question": question.key,
                    "question_text": question.text,
                    "option": option.key,
                    "label": label,
                    "rows": chart,
                }
            )
            engagement.append(
                _engagement(cells, data, day, year, question.key, option.key, label, officer)
            )
    progress(80, "Retention, advancement and institutions")
    women = data.picked["gender"]
    stages = data.once("stages", workforce.stages_by_person)
    extra = {
        "retention": data.once(("retention", day), lambda: workforce.retention(day, stages=stages)),
        "advancement": workforce.advancement(
            day,
            {p for p, o in women.items() if "woman" in o} if officer else None,
            data.answered["gender"] if officer else None,
            stages=stages,
        ),
        "institutions": workforce.institutions(
            day,
            {p for p, o in women.items() if "woman" in o} if officer else None,
            data.answered["gender"],
            published=not officer,
        ),
    }
    if officer:
        for row in extra["institutions"]:
            if row["slug"] not in data.institutions_shown:
                row["group"] = None
    from convener.org.succession import junior_participation

    extra["junior"] = data.once(("junior", year), lambda: junior_participation([year]))
    levels_info = [
        {
            "key": level.key,
            "name": level.name,
            "short": level.short,
            "pool": level.pool,
            "pool_text": level.pool_text(data.chain[i - 1] if i else None),
        }
        for i, level in enumerate(data.chain)
    ]
    flow_start = _years_back(day, FLOW_YEARS).toordinal()
    for i, level in enumerate(data.chain[1:], start=1):
        sections[level.key]["level"] = levels_info[i]
        sections[level.key]["from_pool"] = None
        if level.pool == "eligible" and data.chain[i - 1].position_levels:
            inside, total = data.from_pool(level, data.chain[i - 1], flow_start, day.toordinal())
            sections[level.key]["from_pool"] = {
                "inside": inside,
                "outside": total - inside,
                "total": total,
                "below": data.chain[i - 1].name,
                "years": level.pool_years,
            }
        sections[level.key]["community_label"] = data.community_label(level, day.toordinal())
    review = {
        "year": year,
        "audience": audience,
        "reference_date": day.isoformat(),
        "method_version": stats.METHOD_VERSION,
        "strict": strict,
        "chain": levels_info,
        "levels": levels,
        "base": base_rows,
        "sections": [sections[level.key] for level in data.chain[1:]],
        "engagement": engagement,
        "charts": chart_rows,
        "question_notes": question_notes,
        **extra,
    }
    review["tests"] = _multiple_comparisons(review)
    review["summary"] = _summary(review)
    review["cells"] = stored_cells
    yield review


def _share(cell: Cell, option: str, officer: bool) -> float | None:
    if option not in cell.shown:
        return None
    n = cell.n if officer else round_base(cell.n)
    return cell.shown[option] / n if n else None


def _shown(cell: Cell, option: str, label: str, question) -> dict:
    """A cell as the audience sees it: the count and the number who answered, or why not."""
    shown = option in cell.shown
    n = (cell.n if cell.exact else round_base(cell.n)) if shown else None
    return {
        "question": question.key,
        "option": option,
        "label": label,
        "question_text": question.text,
        "shown": shown,
        "k": cell.shown.get(option),
        "n": n,
        "share": cell.shown[option] / n if shown and n else None,
        "wilson": list(stats.wilson(cell.shown[option], n)) if shown and n else None,
        "reason": cell.reason.get(option, ""),
    }


def _goal(goal, row) -> dict | None:
    if goal is None:
        return None
    target = float(goal.target)
    share = row["share"]
    return {
        "target": target,
        "baseline": goal.baseline,
        "share": share,
        "met": None if share is None else share >= target,
        "set_against": goal.set_against.version if goal.set_against_id else None,
    }


def _seats(cells, level, year, option, label, question, officer, goal) -> dict:
    resources = _shown(cells[("resources", level.key, year)], option, label, question)
    community = _shown(cells[("community", level.key, year)], option, label, question)
    out = {
        "label": label,
        "question": question.key,
        "option": option,
        "resources": resources,
        "community": community,
        "ratio": (
            community["share"] / resources["share"]
            if resources["share"] and community["share"] is not None
            else None
        ),
        "comparison": None,
        "goal": _goal(goal, resources),
    }
    if officer and resources["shown"] and community["shown"]:
        # two separate groups: are the group's people fewer among the resource seats?
        out["comparison"] = _comparison_dict(
            stats.two_samples(resources["k"], resources["n"], community["k"], community["n"])
        )
    return out


@sensitive_variables()
def _trend(data, level, year, question, option, label, officer) -> dict:
    """New appointees of each of ten years ending on the reference date, each person once,
    scored by the real years. The published review gives only the direction and whether
    it is significant, never the yearly counts."""
    series = []
    day = data.day(year)
    for back in range(TREND_YEARS):
        end = _years_back(day, back)
        start = _years_back(day, back + 1)
        people = set(data.newcomers(level, start.toordinal(), end.toordinal()))
        asked = people & data.answered[question]
        k = sum(1 for p in asked if option in data.picked[question][p])
        series.append((end.year, k, len(asked)))
    result = stats.trend(sorted(series))
    out = {"label": label, "question": question, "option": option, "level": level.key}
    if result is None:
        out.update(direction="", significant=None, p=None, z=None)
    else:
        out.update(
            direction=result.direction,
            significant=result.significant,
            p=result.p_value if officer else None,
            z=result.z if officer else None,
        )
    return out


@sensitive_variables()
def _engagement(cells, data, day, year, question, option, label, officer) -> dict:
    """The group's and everyone else's share of members who serve on boards, committees or in
    seats that allocate no resources, and how many such seats they hold at once. Published
    loads come from rounded counts."""
    members, engaged = cells[("level", "members", year)], cells[("engaged", year)]
    base = {"label": label, "question": question, "option": option}
    if option not in members.shown or option not in engaged.shown:
        return {
            **base,
            "shown": False,
            "reason": engaged.reason.get(option) or members.reason.get(option) or "not shown",
        }
    seats = data.service(day.toordinal())
    picked = data.picked[question]
    group = [seats[p] for p in engaged.roster if option in picked[p]]
    rest = [seats[p] for p in engaged.roster if option not in picked[p]]
    mk, ek = members.shown[option], engaged.shown[option]
    mn = members.n if officer else round_base(members.n)
    en = engaged.n if officer else round_base(engaged.n)
    if officer:
        load_group = sum(group) / len(group) if group else None
        load_rest = sum(rest) / len(rest) if rest else None
        diff = stats.newcombe(ek, mk, en - ek, mn - mk) if mk and mn - mk else None
    else:
        # seats held, rounded like every published count, over the rounded number serving
        load_group = round_base(sum(group)) / ek if ek else None
        load_rest = round_base(sum(rest)) / (en - ek) if en - ek else None
        diff = None
    return {
        **base,
        "shown": True,
        "group_rate": ek / mk if mk else None,
        "rest_rate": (en - ek) / (mn - mk) if mn - mk else None,
        "group_serving": ek,
        "rest_serving": en - ek,
        "load_group": load_group,
        "load_rest": load_rest,
        "diff": list(diff) if diff else None,
    }


@sensitive_variables()
def _institution_cells(data, day, question, options, order) -> list[Cell]:
    from . import workforce

    cells = []
    for slug, people in workforce.largest_institutions(day, data.members(day.toordinal())):
        roster = frozenset(people & data.answered[question])
        k = {o: sum(1 for p in roster if o in data.picked[question][p]) for o in options}
        cell = Cell(question, ("institution", slug), order, roster, k, priority=1)
        cell.only = frozenset({"woman"})
        cells.append(cell)
        order += 1
    return cells


def _all_comparisons(review):
    for section in review["sections"]:
        for row in section["rows"] + section["flows"] + section["seats"]:
            if row.get("comparison"):
                yield row["comparison"]


def _multiple_comparisons(review) -> dict:
    """How many one-sided tests the review ran, how many false positives chance alone would
    give, and which results survive a Benjamini-Hochberg correction."""
    tests = []
    for c in _all_comparisons(review):
        worst = c.get("p_worst") or {}
        for side in ("p_lower", "p_upper"):
            p = worst.get(side, c[side])
            if p is not None:
                tests.append((c, side, p))
    for section in review["sections"]:
        for t in section["trends"]:
            if t.get("p") is not None:
                tests.append((t, "p", t["p"]))
    survive = stats.benjamini_hochberg([p for _, _, p in tests])
    for (obj, side, _), ok in zip(tests, survive, strict=True):
        obj.setdefault("bh", {})[side] = ok
    significant = sum(1 for _, _, p in tests if p < stats.ALPHA)
    return {
        "count": len(tests),
        "significant": significant,
        "expected_by_chance": round(len(tests) * stats.ALPHA, 1),
        "survive_bh": sum(survive),
    }


def _summary(review) -> list[str]:
    """The findings at the top of the review, in words."""
    lines = []
    for section in review["sections"]:
        name = section["level"]["name"]
        for kind, rows in (("holders", section["rows"]), ("new appointees", section["flows"])):
            for row in rows:
                c = row.get("comparison")
                if not c or c["conclusion"] not in ("shortfall", "excess"):
                    continue
                side = "below" if c["conclusion"] == "shortfall" else "above"
                survives = any(c.get("bh", {}).values())
                lines.append(
                    f"{name}, {kind}: {row['label']} {side} the pool's share "
                    f"({c['share']:.0%} against {c['expected']:.0%}, {stats.p_text(c['p'])}"
                    f"{'; survives' if survives else '; does not survive'} the correction "
                    "for multiple comparisons)."
                )
            for row in rows:
                c = row.get("comparison")
                if c and c["conclusion"] == "inconclusive":
                    lines.append(
                        f"{name}, {kind}: {row['label']}: inconclusive once rounding is "
                        "taken into account."
                    )
    t = review["tests"]
    lines.append(
        f"{t['count']} one-sided tests were run: about {t['expected_by_chance']} would come out "
        f"significant by chance alone. {t['significant']} did; {t['survive_bh']} survive a "
        "Benjamini-Hochberg correction (false discovery rate 5%)."
    )
    return lines


def rows_for_csv(review: dict) -> list[list]:
    """The aggregate tables exactly as shown."""
    columns = [
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
        "pool_count",
        "pool_answered",
        "pool_share",
        "representation_index",
        "impact_ratio",
        "wilson_low",
        "wilson_high",
        "diff_low",
        "diff_high",
        "test",
        "direction",
        "p_shortfall",
        "p_excess",
        "conclusion",
        "survives_bh",
        "power_half",
        "power_four_fifths",
        "note",
    ]
    out = [columns]

    def fmt(x):
        if x is None:
            return ""
        if isinstance(x, bool):
            return "yes" if x else "no"
        return f"{x:.4f}" if isinstance(x, float) else x

    def line(**values):
        values.setdefault("year", review["year"])
        values.setdefault("audience", review["audience"])
        return [fmt(values.get(column)) for column in columns]

    def row_line(kind, level, pool, row, note=""):
        c = row.get("comparison") or {}
        p = row.get("pool") or {}
        wilson = row.get("wilson") or [None, None]
        diff = c.get("diff") or [None, None]
        return line(
            question=row["question"],
            option=row["option"],
            kind=kind,
            level=level,
            pool=pool,
            count=row.get("k"),
            answered=row.get("n"),
            share=row.get("share"),
            pool_count=p.get("k"),
            pool_answered=p.get("n"),
            pool_share=c.get("expected"),
            representation_index=c.get("ri"),
            impact_ratio=c.get("impact_ratio"),
            wilson_low=wilson[0],
            wilson_high=wilson[1],
            diff_low=diff[0],
            diff_high=diff[1],
            test=c.get("method"),
            direction=c.get("direction"),
            p_shortfall=c.get("p_lower"),
            p_excess=c.get("p_upper"),
            conclusion=c.get("conclusion"),
            survives_bh=any(c.get("bh", {}).values()) if c else None,
            power_half=c.get("power_half"),
            power_four_fifths=c.get("power_boundary"),
            note=row.get("reason") or note,
        )

    for row in review["base"]:
        out.append(row_line("level", "members", "", row))
    for section in review["sections"]:
        key = section["level"]["key"]
        pool = section["level"]["pool"]
        for row in section["rows"]:
            out.append(row_line("level", key, pool, row))
        for row in section["flows"]:
            out.append(row_line(f"new appointments ({FLOW_YEARS} years)", key, pool, row))
        came = section.get("from_pool")
        if came:
            out.append(
                line(
                    kind=f"new appointments ({FLOW_YEARS} years) who were in the eligible pool",
                    level=key,
                    pool=pool,
                    count=came["inside"],
                    answered=came["total"],
                    share=came["inside"] / came["total"] if came["total"] else None,
                    note="answered = everyone newly appointed (public appointments)",
                )
            )
        for seat in section["seats"]:
            # the test compares the resource seats (group 1) with the other seats (group 2):
            # its row is the resource seats' row, against the other seats
            label = section["community_label"]
            resources = dict(seat["resources"], comparison=seat["comparison"])
            out.append(
                row_line("resource seats", key, label if seat["comparison"] else "", resources)
            )
            ratio = seat["ratio"]
            note = f"{label}/resource share ratio {ratio:.2f}" if ratio else ""
            out.append(row_line(label, key, "", seat["community"], note))
        for t in section["trends"]:
            out.append(
                line(
                    question=t["question"],
                    option=t["option"],
                    kind=f"trend of new appointments ({TREND_YEARS} years)",
                    level=key,
                    test="linear-by-linear (years as scores)",
                    direction=t["direction"],
                    p_shortfall=t["p"],
                    conclusion=(
                        ""
                        if t["significant"] is None
                        else "significant"
                        if t["significant"]
                        else "not significant"
                    ),
                    survives_bh=t.get("bh", {}).get("p"),
                    note="two-sided p" if t["p"] is not None else "",
                )
            )
    for e in review["engagement"]:
        if e["shown"]:
            diff = e.get("diff") or [None, None]
            out.append(
                line(
                    question=e["question"],
                    option=e["option"],
                    kind="community engagement",
                    level="members",
                    count=e["group_serving"],
                    share=e["group_rate"],
                    pool_share=e["rest_rate"],
                    diff_low=diff[0],
                    diff_high=diff[1],
                    note=f"seats at once: {fmt(e['load_group'])} vs {fmt(e['load_rest'])}",
                )
            )
    for r in review.get("retention", []):
        for horizon, value in r["at"].items():
            out.append(
                line(
                    kind=f"retention {horizon}y",
                    level=r["stage"],
                    count=r["people"],
                    answered=r["at_risk"][horizon],
                    share=value,
                    note="answered = still at risk"
                    + ("" if value is not None else "; too few at risk"),
                )
            )
    for step, r in review.get("advancement", {}).items():
        out.append(
            line(
                kind=f"advancement {step}",
                count=r["advanced"],
                answered=r["base"],
                share=r["advanced"] / r["base"] if r["base"] else None,
                note=f"within {r['horizon']} years",
            )
        )
        for side in ("group", "others"):
            if side in r:
                value = r[side]
                out.append(
                    line(
                        question="gender",
                        option="woman" if side == "group" else "not woman",
                        kind=f"advancement {step}",
                        count=value[0] if value else None,
                        answered=value[1] if value else None,
                        share=value[0] / value[1] if value else None,
                        note="" if value else f"a group smaller than {MIN_GROUP}",
                    )
                )
        c = r.get("comparison")
        if c:
            out.append(
                row_line(
                    "advancement test (women against others)",
                    "",
                    "",
                    {"question": "gender", "option": "woman", "comparison": c},
                    note=step,
                )
            )
    return out


__all__ = ["build", "first_year", "rows_for_csv", "round_base", "OFFICER", "PUBLISHED"]
