"""Disclosure control for everything the review shows.

Leadership rosters are public, so a count is an equation about known people. The rules:

1. One attribute (option) at a time, never a cross-tabulation. For a question with one
   answer per person, only one option is published ("yes" of a yes/no question).
2. A breakdown is published only when at least ``min_level`` people of the cell answered
   (10; 11 in strict mode) and both the group and its complement number at least 5, which
   also rules out 0% and 100%. "Prefer not to say" is never published.
3. Published counts are rounded to the nearest 5 (so each is known only to within ±2), and
   everything else published is computed from the rounded counts.
4. Differencing. The attacker we defend against knows the roster of every cell ever
   published, with who answered, and every published count: each is a linear constraint
   on the unknown answers. The options of one question are attacked together (most people
   pick one option, so the counts of "woman" and "man" bound the number of people who
   picked neither). Before anything new is published, the new cells are checked together
   with the stored cells of every earlier published snapshot, with an exact integer
   program: nobody's answer may be forced, i.e. no person may be shown to have, or not to
   have, any option (nor to have none of the published ones). A new cell that would force
   someone is withheld, latest first, and the check runs again.

5. The rules themselves are public, so what is shown or withheld is itself a statement: a
   published count also says that the group and its complement number at least 5, and a
   group withheld as small says it numbers fewer than 5 (or its complement does). The
   attacker is given both (``Cell.known``; for a withheld small group, conservatively, the
   side it is really on), and every withheld figure gives the same reason, so that a figure
   withheld because it would reveal someone cannot be told from a small group.

The officer's confidential tables show exact counts but hide every group or complement
smaller than 5; the same machinery, with exact counts, then hides further cells until no
hidden count can be narrowed to fewer than three possible values from the shown ones
(complementary suppression: no hidden cell is "total minus parts"). The officer also keeps
every earlier draft and version of the year, so a preparation is checked against their
stored cells too: exact counts that would, with an earlier draft's, single out someone who
came or went in between (a late appointment, a first answer) are hidden.

People are grouped into atoms: those who belong to exactly the same cells are
interchangeable for the attacker, so the integer program has one variable per atom and
option. Differential privacy is not used: for tables of 10 to 40 people its noise is as
large as the signal.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from django.views.decorators.debug import sensitive_variables
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

BASE = 5
MIN_GROUP = 5
SLACK = BASE // 2  # a rounded count is known to within this many either side
OTHER = ""  # the category of people who picked none of the options in question
# Every withheld figure gives the same reason: a reason that told a small group from a
# figure withheld for revealing someone would say which side of 5 the figure is on.
WITHHELD = (
    f"withheld to protect individual answers: a group or its complement smaller than "
    f"{MIN_GROUP}, or a figure that with others could reveal someone's answer"
)
HIDDEN = (
    f"hidden to protect individual answers: a group or its complement smaller than "
    f"{MIN_GROUP}, or a figure from which a smaller group or someone's answer could be "
    "worked out"
)
INFEASIBLE = 2  # scipy's milp status for a program without a solution
TOLERANCE = 1e-6  # a relaxation's optimum this close to a whole number is taken as it
TRIALS = 2  # candidates tried, each, before hiding one that overlaps and going round again


def round_base(value: int) -> int:
    """Nearest multiple of 5, halves up: known to within ±2."""
    return BASE * ((value + BASE // 2) // BASE)


@dataclass
class Cell:
    """One group of people (a level on a day, the new appointees of a window, ...) and, for
    one question, how many of those who answered it picked each option."""

    question: str
    key: tuple  # what the cell describes, e.g. ("level", "L3", 2024)
    order: int  # publication order: later cells yield to earlier ones
    roster: frozenset[int]  # who answered the question (not "prefer not to say")
    k: dict[str, int]  # option -> true count
    shown: dict[str, int] = field(default_factory=dict)  # option -> count as shown
    reason: dict[str, str] = field(default_factory=dict)  # option -> why not shown
    stored: bool = False  # from an earlier published snapshot: fixed, never withheld
    priority: int = 0  # officer: lower priorities are hidden first to protect others
    only: frozenset | None = None  # the options this cell shows at all (None: every one)
    exact: bool = False  # shows exact counts (the officer's), not rounded ones
    # option -> the range the attacker learns from a figure withheld as a small group: the
    # side of 5 it is really on (conservative: the reason alone would leave both sides)
    side: dict[str, tuple[int, int]] = field(default_factory=dict)
    known: dict[str, tuple[int, int]] = field(default_factory=dict)  # stored cells' ranges

    def options(self, options: list[str]) -> list[str]:
        return [o for o in options if self.only is None or o in self.only]

    @property
    def n(self) -> int:
        return len(self.roster)

    def mark_small(self, option: str) -> None:
        """Record what withholding ``option`` as a small group tells the attacker."""
        k, n = self.k[option], self.n
        if n >= 2 * MIN_GROUP:  # below that, "small or complement small" is always true
            self.side[option] = (0, MIN_GROUP - 1) if k < MIN_GROUP else (n - MIN_GROUP + 1, n)

    def ranges(self) -> dict[str, tuple[int, int]]:
        """Option -> the range of its true count that what is shown (and withheld) tells an
        attacker who knows the rules."""
        if self.stored:
            return dict(self.known)
        out = dict(self.side)
        for option, value in self.shown.items():
            if self.exact:
                out[option] = (value, value)
            else:  # known to within SLACK, and (the rule) at least 5 on either side
                out[option] = (
                    max(0, value - SLACK, MIN_GROUP),
                    min(self.n, value + SLACK, self.n - MIN_GROUP),
                )
        return out

    def store(self) -> dict:
        """What a snapshot (or a draft) keeps of this cell for later checks."""
        return {
            "question": self.question,
            "key": list(self.key),
            "roster": sorted(self.roster),
            "shown": dict(self.shown),
            "known": {o: list(r) for o, r in self.ranges().items()},
        }

    @classmethod
    def from_store(cls, data: dict, order: int) -> Cell:
        roster = frozenset(data["roster"])
        shown = dict(data["shown"])
        if "known" in data:
            known = {o: tuple(r) for o, r in data["known"].items()}
        else:  # kept before the ranges were: the published counts, to within SLACK
            known = {o: (max(0, v - SLACK), min(len(roster), v + SLACK)) for o, v in shown.items()}
        return cls(
            data["question"],
            tuple(data["key"]),
            order,
            roster,
            {},
            shown=shown,
            stored=True,
            known=known,
        )


def primary(k: int, n: int, min_level: int) -> str:
    """Why a count cannot be published on its own, or '' if it can."""
    if n < min_level:
        return f"fewer than {min_level} answers"
    if k < MIN_GROUP or n - k < MIN_GROUP:
        return f"a group or its complement smaller than {MIN_GROUP}"
    return ""


class System:
    """The attacker's integer program over one question's cells: one variable per atom
    (people in exactly the same cells) and option, bounded by the atom's size; with
    ``exclusive``, each person picked at most one of the options."""

    @sensitive_variables()
    def __init__(
        self, cells: list[Cell], options: list[str], truth, exclusive: bool, exhaustive=False
    ):
        self.options = options
        self.exclusive = exclusive or exhaustive
        # everyone picked exactly one option (a one-answer question, nobody self-described):
        # a cell's options then add up to the number who answered, which is shown
        self.exhaustive = exhaustive
        signature: dict[int, list[int]] = defaultdict(list)
        for index, cell in enumerate(cells):
            for person in cell.roster:
                signature[person].append(index)
        atoms: dict[tuple, list[int]] = defaultdict(list)
        for person, where in signature.items():
            atoms[tuple(where)].append(person)
        self.atoms = list(atoms)
        self.size = np.array([len(atoms[a]) for a in self.atoms])
        self.members = [atoms[a] for a in self.atoms]
        self.cell_atoms: dict[int, list[int]] = defaultdict(list)
        for i, where in enumerate(self.atoms):
            for c in where:
                self.cell_atoms[c].append(i)
        self.cells = cells
        n_atoms = len(self.atoms)
        self.n_vars = n_atoms * len(options)
        # the truth, per atom and option (None where someone's current answer is unknown)
        self.truth = None
        if truth is not None:
            y = np.zeros(self.n_vars)
            for i, people in enumerate(self.members):
                for j, option in enumerate(options):
                    y[self.var(i, j)] = sum(1 for p in people if option in truth.get(p, ()))
            self.truth = y

    def var(self, atom: int, option: int) -> int:
        return atom * len(self.options) + option

    def constraints(self, bounds: dict[tuple[int, str], tuple[int, int]]):
        """Rows: each (cell, option) with its known range; with ``exclusive`` one row per
        atom, sum of options <= size."""
        rows, cols, lows, highs = [], [], [], []
        r = 0
        for (c, option), (lo, hi) in bounds.items():
            j = self.options.index(option)
            for i in self.cell_atoms[c]:
                rows.append(r)
                cols.append(self.var(i, j))
            lows.append(lo)
            highs.append(hi)
            r += 1
        if self.exclusive and len(self.options) > 1:
            for i in range(len(self.atoms)):
                for j in range(len(self.options)):
                    rows.append(r)
                    cols.append(self.var(i, j))
                lows.append(int(self.size[i]) if self.exhaustive else 0)
                highs.append(int(self.size[i]))
                r += 1
        return rows, cols, lows, highs, r

    def program(self, bounds, extra=(), binaries=0):
        """The attacker's constraints and ``extra`` rows (lists of (column, coefficient),
        low, high) over the variables and ``binaries`` added 0/1 columns: (the columns'
        upper bounds, the constraints)."""
        rows, cols, lows, highs, r = self.constraints(bounds)
        data = [1.0] * len(rows)
        for terms, lo, hi in extra:
            for col, coef in terms:
                rows.append(r)
                cols.append(col)
                data.append(coef)
            lows.append(lo)
            highs.append(hi)
            r += 1
        n = self.n_vars + binaries
        upper = np.concatenate([np.repeat(self.size, len(self.options)), np.ones(binaries)])
        constraints = []
        if r:
            matrix = coo_matrix((data, (rows, cols)), shape=(r, n)).tocsr()
            constraints = [LinearConstraint(matrix, lows, highs)]
        return upper, constraints

    def solve(self, bounds, extra=(), objective=None, binaries=0, keep_binaries=False):
        """One integer program (see ``program``), maximizing ``objective``. Returns the
        solution or None."""
        n = self.n_vars + binaries
        if n == 0:  # nobody in any cell: nothing to solve for
            return np.zeros(0)
        if self.n_vars == 0:
            return np.zeros(n) if keep_binaries else np.zeros(0)
        upper, constraints = self.program(bounds, extra, binaries)
        cost = np.zeros(n) if objective is None else -np.asarray(objective, dtype=float)
        if objective is None and _relaxed(cost, upper, constraints).status == INFEASIBLE:
            return None  # no fractional solution, so no whole one either
        result = milp(
            cost,
            integrality=np.ones(n),
            bounds=Bounds(np.zeros(n), upper),
            constraints=constraints,
            options={"time_limit": 60},
        )
        if result.status != 0:
            return None
        return result.x.round() if keep_binaries else result.x[: self.n_vars].round()

    def relaxed_range(self, bounds, objective) -> tuple[float, float] | None:
        """The least and the greatest whole value of ``objective`` that the linear relaxation
        allows (every whole solution lies in between; unbounded if it could not be solved);
        None if it has no solution at all."""
        if self.n_vars == 0:
            return 0, 0
        upper, constraints = self.program(bounds)
        out = []
        for sign in (1, -1):
            result = _relaxed(sign * np.asarray(objective, dtype=float), upper, constraints)
            if result.status == INFEASIBLE:
                return None
            if result.status != 0:  # not solved: nothing learned, the caller goes on
                return -np.inf, np.inf
            out.append(sign * result.fun)
        low, high = out
        return int(np.ceil(low - TOLERANCE)), int(np.floor(high + TOLERANCE))

    def satisfies(self, y, bounds) -> bool:
        for (c, option), (lo, hi) in bounds.items():
            j = self.options.index(option)
            total = sum(y[self.var(i, j)] for i in self.cell_atoms[c])
            if not lo <= total <= hi:
                return False
        if self.exclusive:
            per_atom = y.reshape(len(self.atoms), len(self.options)).sum(axis=1)
            if (per_atom > self.size).any():
                return False
            if self.exhaustive and (per_atom < self.size).any():
                return False
        return True

    def targets(self):
        """Every (atom, category) the attacker could pin down: (terms, size, label)."""
        out = []
        k = len(self.options)
        for i in range(len(self.atoms)):
            s = int(self.size[i])
            for j in range(k):
                out.append(([(self.var(i, j), 1.0)], s, (i, self.options[j])))
            if self.exclusive and not self.exhaustive:
                # "none of the options": size minus the options' sum
                out.append(([(self.var(i, j), 1.0) for j in range(k)], s, (i, OTHER)))
        return out

    @sensitive_variables()
    def forced(self, bounds, skip=frozenset()) -> list[tuple[int, str]] | None:
        """(atom, category) pairs whose value every solution fixes at 0 or at the atom's
        size, i.e. people whose answer the attacker can derive; None if no solution. Pairs
        in ``skip`` are not looked at (the caller knows them already)."""
        solutions = []
        if self.truth is not None and self.satisfies(self.truth, bounds):
            solutions.append(self.truth)
        else:
            y = self.solve(bounds)
            if y is None:
                return None
            solutions.append(y)
        # each target needs a solution where it is above 0 ("up") and one where it is
        # below the atom's size ("down"), except for the "other" category whose value is
        # size minus the sum: there "up" means the sum is below the size
        needs = []
        for terms, size, label in self.targets():
            if label in skip:
                continue
            other = label[1] == OTHER
            for up in (True, False):
                needs.append((terms, size, label, up != other))
        open_needs = [need for need in needs if not any(_meets(y, need) for y in solutions)]
        # certify many at once: maximize how many open needs one solution meets
        while open_needs:
            extra, objective = [], np.zeros(self.n_vars + len(open_needs))
            for b, (terms, size, _, above_zero) in enumerate(open_needs):
                z = self.n_vars + b
                if above_zero:  # z <= sum  (z = 1 needs sum >= 1)
                    extra.append(([(z, 1.0)] + [(c, -w) for c, w in terms], -np.inf, 0))
                else:  # z + sum <= size  (z = 1 needs sum <= size - 1)
                    extra.append(([(z, 1.0)] + terms, -np.inf, size))
                objective[z] = 1
            y = self.solve(bounds, extra, objective, binaries=len(open_needs))
            met = [need for need in open_needs if y is not None and _meets(y, need)]
            if not met:
                break
            open_needs = [need for need in open_needs if not _meets(y, need)]
        forced = []
        for terms, size, label, above_zero in open_needs:
            row = (terms, 1, np.inf) if above_zero else (terms, -np.inf, size - 1)
            if self.solve(bounds, [row]) is None:
                forced.append(label)
        return forced


def _relaxed(cost, upper, constraints):
    """The linear relaxation (fractional values allowed), minimizing ``cost``: solved in a
    few milliseconds where the integer program, to prove it has no solution, often takes
    several times as long."""
    return milp(
        cost,
        integrality=np.zeros(len(cost)),
        bounds=Bounds(np.zeros(len(cost)), upper),
        constraints=constraints,
    )


def _meets(y, need) -> bool:
    terms, size, _, above_zero = need
    total = sum(y[c] * w for c, w in terms)
    return total >= 1 if above_zero else total <= size - 1


def _published_bounds(cells: list[Cell]) -> dict[tuple[int, str], tuple[int, int]]:
    """What the attacker knows of each cell and option: see ``Cell.ranges``."""
    bounds = {}
    for c, cell in enumerate(cells):
        for option, (lo, hi) in cell.ranges().items():
            bounds[(c, option)] = (lo, hi)
    return bounds


def _informative(cell: Cell) -> bool:
    return cell.stored or bool(cell.shown) or bool(cell.side)


@sensitive_variables()
def _forced_people(cells, options, truth, exclusive, known=frozenset()):
    """(person, category) pairs the attacker can derive from ``cells`` (None: no solution).
    Pairs in ``known`` may be left out: an atom whose people are all known for a category is
    not examined for it."""
    active = [c for c in cells if _informative(c)]
    if not active:
        return set()
    system = System(active, options, truth, exclusive)
    skip = set()
    if known:
        for i, people in enumerate(system.members):
            for category in [*options, OTHER]:
                if all((p, category) in known for p in people):
                    skip.add((i, category))
    forced = system.forced(_published_bounds(active), skip)
    if forced is None:
        return None
    return {(p, category) for atom, category in forced for p in system.members[atom]}


def _exhaustive(cells: list[Cell], options: list[str], truth) -> bool:
    """Whether everyone in the cells picked exactly one of the options: then the shown
    number who answered is the sum of the options, and the officer is given that."""
    if len(options) < 2 or truth is None:
        return False
    people = set().union(*(c.roster for c in cells)) if cells else set()
    return all(sum(1 for o in options if o in truth.get(p, ())) == 1 for p in people)


def _exclusive(cells: list[Cell], options: list[str], truth) -> bool:
    """Attack with "one option each" when that is true of the people in the cells: the
    stronger attack, and the one real data invite."""
    if len(options) < 2 or truth is None:
        return False
    people = set().union(*(c.roster for c in cells)) if cells else set()
    return all(sum(1 for o in options if o in truth.get(p, ())) <= 1 for p in people)


@sensitive_variables()
def protect(
    cells: list[Cell],
    options: list[str],
    truth: dict[int, set[str]] | None = None,
    *,
    strict: bool = False,
) -> list[Cell]:
    """Decide what of one question is published: sets ``shown`` (rounded counts) and
    ``reason`` on the new cells; stored cells (earlier snapshots) take part unchanged.

    ``truth`` maps each person to the options they picked (None: not known), used only to
    find a first solution quickly and to choose the stronger attack."""
    min_level = 11 if strict else 10
    new = [c for c in cells if not c.stored]
    for cell in new:
        cell.shown, cell.reason, cell.side = {}, {}, {}
        for option in cell.options(options):
            why = primary(cell.k[option], cell.n, min_level)
            if why and cell.n < min_level:
                cell.reason[option] = why
            elif why:
                cell.reason[option] = WITHHELD
                cell.mark_small(option)
            else:
                cell.shown[option] = round_base(cell.k[option])
    cells = sorted(cells, key=lambda c: (not c.stored, c.order))
    exclusive = _exclusive(cells, options, truth)
    baseline = None  # what the stored cells and the withheld small groups alone give away
    while True:
        active = [c for c in cells if _informative(c)]
        if not any(c.shown for c in active if not c.stored):
            return cells
        system = System(active, options, truth, exclusive)
        bounds = _published_bounds(active)
        forced = system.forced(bounds)
        if forced == []:
            return cells
        if forced is not None:
            if baseline is None:
                quiet = [_without_shown(c) for c in active]
                baseline = _forced_people(quiet, options, truth, exclusive) or set()
            if not any(
                (p, category) not in baseline
                for atom, category in forced
                for p in system.members[atom]
            ):
                return cells  # nothing the new figures add
        culprit = _latest_new(active, system, forced, bounds)
        if culprit is None:
            return cells  # only stored cells involved: nothing left to withhold
        cell, option, _other = culprit
        cell.shown.pop(option, None)
        cell.reason[option] = WITHHELD


def _without_shown(cell: Cell) -> Cell:
    """A new cell as if none of its figures were shown (what withholding cannot undo)."""
    if cell.stored:
        return cell
    return Cell(
        cell.question,
        cell.key,
        cell.order,
        cell.roster,
        cell.k,
        side=dict(cell.side),
        exact=cell.exact,
    )


def _latest_new(active, system, forced, bounds):
    """The latest new (cell, option) that can take part in pinning someone down: one that
    shares people with a cell containing them (differencing needs an overlap)."""
    candidates = [(c, o) for c in active if not c.stored for o in c.shown]
    if forced is None:  # no solution at all: the new cells contradict the stored ones
        cell, option = max(candidates, key=lambda co: co[0].order)
        return cell, option, "earlier snapshots"
    best = None
    for atom, category in forced:
        holding = [active[c] for c in system.atoms[atom]]
        near = frozenset().union(*(cell.roster for cell in holding))
        for cell, option in candidates:
            if category not in (OTHER, option) or cell.roster.isdisjoint(near):
                continue
            if best is None or cell.order > best[0].order:
                others = [h.key for h in holding if h is not cell]
                best = (cell, option, others[0] if others else "the other options")
    if best is None and candidates:
        cell, option = max(candidates, key=lambda co: co[0].order)
        best = (cell, option, "the other figures")
    return best


@sensitive_variables()
def suppress_officer(
    cells: list[Cell],
    options: list[str],
    truth: dict[int, set[str]],
    earlier: list[Cell] = (),
) -> list:
    """The officer's confidential tables: exact counts, every group or complement under 5
    hidden; then, against the stored cells of ``earlier`` drafts and versions the officer
    has seen, exact counts that would single out someone who came or went in between; then
    more cells hidden (lowest ``priority`` first) until no hidden count can be narrowed to
    fewer than three values from the shown counts."""
    for cell in cells:
        cell.shown, cell.reason, cell.side, cell.exact = {}, {}, {}, True
        for option in cell.options(options):
            k = cell.k[option]
            if k < MIN_GROUP or cell.n - k < MIN_GROUP:
                cell.reason[option] = HIDDEN
                cell.mark_small(option)
            else:
                cell.shown[option] = k
    exclusive = _exclusive(cells, options, truth)
    earlier = [c for c in earlier if c.question in {cell.question for cell in cells}]
    if earlier:
        _hide_differences(cells, earlier, options, truth, exclusive)
    # one program for all: hiding a cell only drops its rows, and a hidden count once
    # shown to be uncertain stays so when more is hidden
    system = System(cells, options, None, exclusive, _exhaustive(cells, options, truth))
    work = [(c, o) for c, cell in enumerate(cells) for o in options if o in cell.reason]
    index = {id(cell): c for c, cell in enumerate(cells)}
    total = {o: sum(cell.k.get(o, 0) for cell in cells) for o in options}
    # hiding only ever widens what is possible: once shown uncertain, always uncertain. One
    # program certifies most of the open figures at once (again after each hiding); the
    # rest are checked one by one
    certified = _certify(system, cells, work)
    dirty = False
    while work:
        c, option = work.pop(0)
        if (c, option) not in certified and dirty:
            certified |= _certify(system, cells, [(c, option), *work])
            dirty = False
        if (c, option) in certified:
            continue
        while not _uncertain(system, cells, c, option):
            dirty = True
            people = cells[c].roster
            near = set(people).union(
                *(other.roster for other in cells if not other.roster.isdisjoint(people))
            )
            candidates = sorted(
                (
                    (other, o)
                    for other in cells
                    if other.shown and not other.roster.isdisjoint(near)
                    for o in other.shown
                    if o == option or exclusive
                ),
                # first a cell's largest group, whose count is nearly the complement of the
                # others (what a review is read for); then the least important cells
                key=lambda co: (
                    co[0].k[co[1]] < max(co[0].k.values()),
                    -total[co[1]],
                    co[0].priority,
                    co[0].n,
                    -co[0].order,
                ),
            )
            if not candidates:
                break
            # prefer hiding cells' largest groups: the least important one whose hiding is
            # enough, else the first one that overlaps the hidden figure directly (and go
            # round again); smaller groups only when no largest group is left
            majority = [co for co in candidates if co[0].k[co[1]] >= max(co[0].k.values())]
            chosen = None
            for group in (majority, candidates) if majority else (candidates,):
                for cell, o in group[:TRIALS]:
                    value = cell.shown.pop(o)
                    enough = _uncertain(system, cells, c, option)
                    cell.shown[o] = value
                    if enough:
                        chosen = (cell, o)
                        break
                if chosen is not None or group is majority:
                    break
            if chosen is None:
                pool = majority or candidates
                direct = [co for co in pool if not co[0].roster.isdisjoint(people)]
                chosen = (direct or pool)[0]
            cell, o = chosen
            del cell.shown[o]
            cell.reason[o] = HIDDEN
            work.append((index[id(cell)], o))
    return cells


@sensitive_variables()
def _hide_differences(cells, earlier, options, truth, exclusive) -> None:
    """Hide the officer's exact counts that, with an earlier draft's stored cells, let the
    officer derive someone's answer that neither alone gives away (a late appointment
    between two preparations is the typical case): the latest such figure first, then
    check again."""
    changed = set()
    for cell in cells:
        for old in earlier:
            if not cell.roster.isdisjoint(old.roster):
                changed |= cell.roster ^ old.roster
    if not changed:
        return
    before = _forced_people(earlier, options, truth, exclusive) or set()
    alone = _forced_people(cells, options, truth, exclusive) or set()
    while True:
        # what either gives away alone is no news: only the rest is examined
        forced = _forced_people(earlier + cells, options, truth, exclusive, before | alone)
        if forced is None:
            return  # answers changed since: the earlier figures no longer fit today's
        leaked = {(p, c) for p, c in forced if (p, c) not in before and (p, c) not in alone}
        if not leaked:
            return
        people = {p for p, _ in leaked}
        candidates = [
            (cell, o)
            for cell in cells
            for o in cell.shown
            if not cell.roster.isdisjoint(people)
            and any(o == c or c == OTHER for p, c in leaked if p in cell.roster)
        ] or [(cell, o) for cell in cells for o in cell.shown if not cell.roster.isdisjoint(people)]
        if not candidates:
            return
        cell, option = max(candidates, key=lambda co: (-co[0].priority, co[0].order))
        del cell.shown[option]
        cell.reason[option] = HIDDEN


def _certify(system: System, cells: list[Cell], targets) -> set[tuple[int, str]]:
    """The hidden figures that one solution of the shown counts puts at least two away from
    their true value (so at least three values are possible), found by maximizing how many
    it does at once."""
    targets = [t for t in dict.fromkeys(targets) if cells[t[0]].n >= 2]
    if not targets:
        return set()
    bounds = {(x, o): (v, v) for x, cell in enumerate(cells) for o, v in cell.shown.items()}
    extra, sides = [], []
    objective = np.zeros(system.n_vars + 2 * len(targets))
    for b, (c, option) in enumerate(targets):
        j = system.options.index(option)
        terms = [(system.var(i, j), 1.0) for i in system.cell_atoms[c]]
        truth, n = cells[c].k[option], cells[c].n
        up, down = system.n_vars + 2 * b, system.n_vars + 2 * b + 1
        # up = 1 needs count >= truth + 2; down = 1 needs count <= truth - 2
        extra.append((terms + [(up, -(truth + 2.0))], 0, np.inf))
        extra.append((terms + [(down, float(n))], -np.inf, truth - 2 + n))
        objective[up] = objective[down] = 1
        sides.append((up, down))
    y = system.solve(bounds, extra, objective, binaries=2 * len(targets), keep_binaries=True)
    if y is None:
        return set()
    return {
        target
        for target, (up, down) in zip(targets, sides, strict=True)
        if y[up] > 0.5 or y[down] > 0.5
    }


def _uncertain(system: System, cells: list[Cell], c: int, option: str) -> bool:
    """Whether the shown counts leave at least three possible values for a hidden one (as
    many as the cell's size allows, in a cell of one or two)."""
    need = min(2, cells[c].n)
    if need == 0:
        return True
    atoms = set(system.cell_atoms[c])
    constrained = any(
        not atoms.isdisjoint(system.cell_atoms[x])
        for x, cell in enumerate(cells)
        if cell.shown and (option in cell.shown or system.exclusive)
    )
    if not constrained:  # no shown count touches these people: anything from 0 to n
        return True
    bounds = {(x, o): (v, v) for x, cell in enumerate(cells) for o, v in cell.shown.items()}
    truth = cells[c].k[option]
    j = system.options.index(option)
    objective = np.zeros(system.n_vars)
    for i in system.cell_atoms[c]:
        objective[system.var(i, j)] = 1
    relaxed = system.relaxed_range(bounds, objective)
    if relaxed is None:
        return True
    if relaxed[1] - relaxed[0] < need:  # whole solutions lie in between: fewer values still
        return False
    high = system.solve(bounds, objective=objective)
    if high is None:
        return True
    high = int(objective @ high)
    if high >= truth + need:
        return True
    low = system.solve(bounds, objective=-objective)
    return low is not None and high - int(objective @ low) >= need


@sensitive_variables()
def decide(job: tuple) -> list[tuple[dict, dict, dict, bool]]:
    """One question's disclosure decision, for ``core.parallel``: ``job`` is (audience,
    new cells, options, truth, stored cells, strict), with audience "officer" for
    ``suppress_officer`` and anything else for ``protect``. Returns, per new cell, what it
    shows and why not (shown, reason, side, exact), for ``apply``."""
    audience, cells, options, truth, stored, strict = job
    if audience == "officer":
        suppress_officer(cells, options, truth, stored)
    else:
        protect(list(stored) + cells, options, truth, strict=strict)
    return [(c.shown, c.reason, c.side, c.exact) for c in cells]


@sensitive_variables()
def apply(cells: list[Cell], decided: list[tuple[dict, dict, dict, bool]]) -> None:
    """Set on ``cells`` what ``decide`` returned for them (from another process)."""
    for cell, (shown, reason, side, exact) in zip(cells, decided, strict=True):
        cell.shown, cell.reason, cell.side, cell.exact = shown, reason, side, exact


@sensitive_variables()
def cost(job: tuple) -> int:
    """A rough order of a job's work, to start the longest first: its cells and the stored
    ones, times its options; the officer's exact counts take the most checking."""
    audience, cells, options, _, stored, _ = job
    return (len(cells) + len(stored)) * len(options) * (2 if audience == "officer" else 1)
