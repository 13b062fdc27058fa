"""Disclosure control for everything the review publishes.

Leadership rosters are public, so a published count is an equation about known people.
The rules, applied the same way to every year, level and attribute:

1. One attribute (option) at a time; never a cross-tabulation. For a question with one
   answer per person only one option is published ("yes" of a yes/no question), since the
   counts of all its options add up and could be played against each other.
2. A breakdown is published only when at least ``min_level`` people of the cell answered
   (10; 11 in strict mode) and both the group and its complement number at least 5, which
   also rules out 0% and 100%. "Prefer not to say" is never published.
3. Published counts are rounded to the nearest 5 (so each is known only to within ±2), and
   everything else published (shares, indices, tests) is computed from the rounded counts.
4. Differencing: for every two publishable cells of the same attribute whose rosters share
   people (two years of a level, two levels, a level and the members), the rounded counts
   bound the difference between the people in one and not the other. If those bounds could
   force the answer of everyone who entered or left, the later (or smaller) cell is
   suppressed, and the check runs again against what remains.

Differential privacy is not used: for tables of 10 to 40 people its noise is as large as the
signal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

BASE = 5
MIN_GROUP = 5


def round_base(value: int) -> int:
    """Nearest multiple of 5, halves up: known to within ±2."""
    return BASE * ((value + BASE // 2) // BASE)


@dataclass
class Cell:
    """One candidate published number: how many of ``roster`` answered ``option``."""

    attribute: tuple[str, str]  # (question, option)
    key: tuple  # what the cell describes, e.g. ("level", "L3", 2024)
    order: int  # publication order: later cells yield to earlier ones
    roster: frozenset[int]  # public: who is in the group
    k: int  # true: how many of them have the attribute
    n: int  # true: how many of them answered the question (not "prefer not to say")
    published: bool = False
    reason: str = ""
    k_pub: int | None = None
    n_pub: int | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def k_range(self) -> tuple[int, int]:
        return max(0, self.k_pub - 2), min(len(self.roster), self.k_pub + 2)


def primary(cell: Cell, min_level: int) -> str:
    """Why the cell cannot be published on its own, or '' if it can."""
    if cell.n < min_level:
        return f"fewer than {min_level} answers"
    if cell.k < MIN_GROUP or cell.n - cell.k < MIN_GROUP:
        return f"a group or its complement smaller than {MIN_GROUP}"
    return ""


def _forces(a: Cell, b: Cell) -> bool:
    """Whether the rounded counts of two overlapping cells pin down anyone's answer.

    People fall in three exchangeable groups: in both cells (C of them with the attribute),
    only in ``a`` (alpha), only in ``b`` (beta). The published ranges say
    lo_a <= C + alpha <= hi_a and lo_b <= C + beta <= hi_b. Someone is forced exactly when
    one of the three sums can only be zero or only be the group's size. Each sum's feasible
    values form an interval, computed exactly from the two ranges."""
    n_common = len(a.roster & b.roster)
    n_a, n_b = len(a.roster) - n_common, len(b.roster) - n_common
    if not n_a and not n_b:
        return False  # the same people: the same count, nothing new
    lo_a, hi_a = a.k_range
    lo_b, hi_b = b.k_range
    # the common count c must leave room for both cells' own ranges
    c_low = max(0, lo_a - n_a, lo_b - n_b)
    c_high = min(n_common, hi_a, hi_b)
    if c_low > c_high:
        return False  # inconsistent ranges cannot come from real data
    ranges = {
        "c": (c_low, c_high, n_common),
        "a": (max(0, lo_a - c_high), min(n_a, hi_a - c_low), n_a),
        "b": (max(0, lo_b - c_high), min(n_b, hi_b - c_low), n_b),
    }
    # someone is forced when a non-empty group can only be all-with or all-without
    return any(size and (low == size or high == 0) for low, high, size in ranges.values())


def protect(cells: list[Cell], *, strict: bool = False) -> list[Cell]:
    """Decide what is published; returns the same cells with ``published`` and ``reason``."""
    min_level = 11 if strict else 10
    by_attribute: dict[tuple[str, str], list[Cell]] = {}
    for cell in cells:
        cell.reason = primary(cell, min_level)
        cell.published = not cell.reason
        if cell.published:
            cell.k_pub, cell.n_pub = round_base(cell.k), round_base(cell.n)
        by_attribute.setdefault(cell.attribute, []).append(cell)
    for group in by_attribute.values():
        ordered = sorted((c for c in group if c.published), key=lambda c: c.order)
        kept: list[Cell] = []
        for cell in ordered:
            clash = next(
                (
                    other
                    for other in kept
                    if not other.roster.isdisjoint(cell.roster) and _forces(other, cell)
                ),
                None,
            )
            if clash is not None:
                cell.published = False
                cell.reason = f"would reveal individuals when compared with {clash.key}"
                cell.k_pub = cell.n_pub = None
            else:
                kept.append(cell)
    return cells
