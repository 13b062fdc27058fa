"""Disclosure control, tested as an attacker would attack it.

The attacker knows every published number and, more than a real one would, exactly who
answered; with an exact integer program they try to derive anyone's answer from the
published tables of two or three consecutive years, a level, its pool and the members.
They must find no one."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from convener.review.disclosure import Cell, protect, round_base

ATTR = ("gender", "woman")


def cell(key, order, roster, answers):
    roster = frozenset(roster)
    return Cell(ATTR, key, order, roster, sum(answers[i] for i in roster), len(roster))


def derivable(published: list[Cell]) -> set[int]:
    """Everyone whose answer the published ranges force, found with an exact MILP."""
    people = sorted(set().union(*(c.roster for c in published))) if published else []
    index = {p: i for i, p in enumerate(people)}
    if not people:
        return set()
    rows, lows, highs = [], [], []
    for c in published:
        row = np.zeros(len(people))
        for p in c.roster:
            row[index[p]] = 1
        lo, hi = c.k_range
        rows.append(row)
        lows.append(lo)
        highs.append(hi)
    forced = set()
    for p in people:
        for value in (0, 1):
            bounds_lo = np.zeros(len(people))
            bounds_hi = np.ones(len(people))
            bounds_lo[index[p]] = bounds_hi[index[p]] = value
            result = milp(
                np.zeros(len(people)),
                integrality=np.ones(len(people)),
                bounds=Bounds(bounds_lo, bounds_hi),
                constraints=LinearConstraint(np.array(rows), lows, highs),
            )
            if result.status != 0:  # no solution gives this person this answer
                forced.add(p)
    return forced


def test_rounding_is_to_the_nearest_five():
    assert [round_base(x) for x in (0, 2, 3, 7, 8, 12, 13)] == [0, 0, 5, 5, 10, 10, 15]


def test_small_groups_and_their_complements_are_never_published():
    answers = {i: int(i < 4) for i in range(30)}
    (c,) = protect([cell(("level", 2024), 0, range(30), answers)])
    assert not c.published and "smaller than 5" in c.reason
    answers = {i: int(i < 8) for i in range(9)}
    (c,) = protect([cell(("level", 2024), 0, range(9), answers)])
    assert not c.published and "fewer than 10" in c.reason
    answers = {i: int(i < 6) for i in range(11)}
    (c,) = protect([cell(("level", 2024), 0, range(11), answers)])
    assert c.published
    (c,) = protect([cell(("level", 2024), 0, range(10), answers)], strict=True)
    assert not c.published


def test_a_newcomer_who_tips_the_rounded_count_is_protected():
    """12 of 25 one year; one man leaves, a woman joins: 13 of 25. Rounded: 10 then 15, which
    would say the newcomer is a woman. The second year is suppressed."""
    answers = {i: int(i < 12) for i in range(26)}
    answers[25] = 1
    year1 = cell(("level", 2023), 0, range(25), answers)  # person 24 is a man
    year2 = cell(("level", 2024), 1, [*range(24), 25], answers)
    protect([year1, year2])
    assert year1.published and not year2.published
    assert "reveal" in year2.reason
    assert derivable([c for c in (year1, year2) if c.published]) == set()


def test_without_protection_the_attacker_would_find_the_newcomer():
    answers = {i: int(i < 12) for i in range(26)}
    answers[25] = 1
    year1 = cell(("level", 2023), 0, range(25), answers)
    year2 = cell(("level", 2024), 1, [*range(24), 25], answers)
    for c in (year1, year2):
        c.k_pub = round_base(c.k)
    assert derivable([year1, year2]) == {24, 25}


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    data=st.data(),
    size=st.integers(10, 26),
    pool_extra=st.integers(0, 20),
    years=st.integers(2, 3),
)
def test_no_published_table_lets_the_attacker_derive_anyone(data, size, pool_extra, years):
    total = size + pool_extra + 10
    answers = {i: data.draw(st.integers(0, 1)) for i in range(total)}
    roster = list(range(size))
    pool = list(range(size + pool_extra))
    cells, order, outside = [], 0, list(range(size + pool_extra, total))
    for year in range(years):
        cells.append(cell(("level", year), order, roster, answers))
        cells.append(cell(("pool", year), order + 1, pool, answers))
        order += 2
        # next year: a few leave the level and a few join it (from the pool or outside)
        leave = data.draw(st.integers(0, min(4, len(roster) - 5)))
        roster = roster[leave:]
        joiners = data.draw(st.lists(st.sampled_from(pool + outside), max_size=4, unique=True))
        roster = sorted(set(roster) | set(joiners))
        pool = sorted(set(pool) | set(joiners))
    protect(cells)
    published = [c for c in cells if c.published]
    assert all(c.k >= 5 and c.n - c.k >= 5 and c.n >= 10 for c in published)
    assert all(c.k_pub % 5 == 0 for c in published)
    assert derivable(published) == set()
