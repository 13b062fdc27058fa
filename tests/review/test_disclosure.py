"""Disclosure control, tested as an attacker would attack it.

The attacker knows every published number and, more than a real one would, exactly who
answered each question in each cell. With an exact integer program (one 0/1 unknown per
person and option, and optionally "one option each") they try to derive anyone's answer:
that someone has an option, has not, or has none of the published ones. They must find no
one, across earlier published snapshots, consecutive years, overlapping windows and
the options of one question taken together."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from convener.review.disclosure import Cell, protect, round_base, suppress_officer


def cell(key, order, roster, truth, options=("woman",), question="gender"):
    roster = frozenset(roster)
    k = {o: sum(1 for p in roster if o in truth[p]) for o in options}
    return Cell(question, key, order, roster, k)


def derivable(
    published: list[Cell], options=("woman",), exclusive=False, rules=False, small=(), only=None
) -> set:
    """Everyone whose answer the published ranges force: (person, option) pairs, with
    option "" for "none of the published options". With ``rules`` the attacker also knows
    the publication rule (a shown count has at least 5 on either side); ``small`` are
    (roster, option, low, high): what they know of figures withheld as small groups. With
    ``only``, just those people are tried."""
    people = sorted(set().union(*(c.roster for c in published), *(frozenset(r) for r, *_ in small)))
    if not people:
        return set()
    n_opt = len(options)
    index = {p: i for i, p in enumerate(people)}

    def var(p, o):
        return index[p] * n_opt + o

    rows, lows, highs = [], [], []
    for c in published:
        for option, value in c.shown.items():
            row = np.zeros(len(people) * n_opt)
            for p in c.roster:
                row[var(p, options.index(option))] = 1
            rows.append(row)
            lows.append(max(0, value - 2, 5 if rules else 0))
            highs.append(min(value + 2, c.n - 5) if rules else value + 2)
    for roster, option, low, high in small:
        row = np.zeros(len(people) * n_opt)
        for p in roster:
            row[var(p, options.index(option))] = 1
        rows.append(row)
        lows.append(low)
        highs.append(high)
    if exclusive:
        for p in people:
            row = np.zeros(len(people) * n_opt)
            for o in range(n_opt):
                row[var(p, o)] = 1
            rows.append(row)
            lows.append(0)
            highs.append(1)
    forced = set()

    def feasible(extra_row, lo, hi):
        a = np.array(rows + [extra_row])
        result = milp(
            np.zeros(len(people) * n_opt),
            integrality=np.ones(len(people) * n_opt),
            bounds=Bounds(0, 1),
            constraints=LinearConstraint(a, lows + [lo], highs + [hi]),
        )
        return result.status == 0

    for p in people if only is None else [p for p in people if p in only]:
        for o, option in enumerate(options):
            row = np.zeros(len(people) * n_opt)
            row[var(p, o)] = 1
            for value in (0, 1):
                if not feasible(row, value, value):
                    forced.add((p, option))
        if exclusive:
            row = np.zeros(len(people) * n_opt)
            for o in range(n_opt):
                row[var(p, o)] = 1
            for lo, hi in ((0, 0), (1, 1)):
                if not feasible(row, lo, hi):
                    forced.add((p, ""))
    return forced


def truth_of(answers):
    return {p: ({"woman"} if a else set()) for p, a in answers.items()}


def test_rounding_is_to_the_nearest_five():
    assert [round_base(x) for x in (0, 2, 3, 7, 8, 12, 13)] == [0, 0, 5, 5, 10, 10, 15]


def test_small_groups_and_their_complements_are_never_published():
    truth = truth_of({i: int(i < 4) for i in range(30)})
    (c,) = protect([cell(("level", 2024), 0, range(30), truth)], ["woman"], truth)
    assert not c.shown and "smaller than 5" in c.reason["woman"]
    truth = truth_of({i: int(i < 8) for i in range(9)})
    (c,) = protect([cell(("level", 2024), 0, range(9), truth)], ["woman"], truth)
    assert not c.shown and "fewer than 10" in c.reason["woman"]
    truth = truth_of({i: int(i < 6) for i in range(11)})
    (c,) = protect([cell(("level", 2024), 0, range(11), truth)], ["woman"], truth)
    assert c.shown == {"woman": 5}
    (c,) = protect([cell(("level", 2024), 0, range(10), truth)], ["woman"], truth, strict=True)
    assert not c.shown


def newcomer_case():
    """12 of 25 one year; one man leaves, a woman joins: 13 of 25. Rounded: 10 then 15,
    which says the newcomer is a woman and the leaver a man."""
    answers = {i: int(i < 12) for i in range(26)}
    answers[25] = 1
    truth = truth_of(answers)
    return truth, range(25), [*range(24), 25]


def test_without_protection_the_attacker_finds_the_newcomer():
    truth, first, second = newcomer_case()
    year1 = cell(("level", 2023), 0, first, truth)
    year2 = cell(("level", 2024), 1, second, truth)
    for c in (year1, year2):
        c.shown = {"woman": round_base(c.k["woman"])}
    assert {p for p, _ in derivable([year1, year2])} == {24, 25}


def test_a_newcomer_who_tips_the_rounded_count_is_protected():
    truth, first, second = newcomer_case()
    year1 = cell(("level", 2023), 0, first, truth)
    year2 = cell(("level", 2024), 1, second, truth)
    protect([year1, year2], ["woman"], truth)
    assert year1.shown and not year2.shown
    assert "reveal" in year2.reason["woman"]
    assert derivable([c for c in (year1, year2) if c.shown]) == set()


def test_a_stored_snapshot_protects_the_next_year():
    """Year one was published and stored; next year's review is checked against the stored
    cell (roster and published count), not against today's answers: the newcomer's year is
    withheld even though it is prepared a year later, in another review."""
    truth, first, second = newcomer_case()
    year1 = cell(("level", 2023), 0, first, truth)
    protect([year1], ["woman"], truth)
    stored = Cell.from_store(year1.store(), 0)
    year2 = cell(("level", 2024), 0, second, truth)
    protect([stored, year2], ["woman"], truth)
    assert not year2.shown
    assert derivable([stored, year2] if year2.shown else [stored]) == set()


def test_overlapping_three_year_windows_never_single_out_a_new_appointee():
    """New appointees of 2021-23 and of 2022-24 share two years: the difference is who was
    appointed in 2024 against who was appointed in 2021. One woman more and one man fewer
    moves 12 of 25 to 13 of 25."""
    answers = {i: int(i < 12) for i in range(26)}
    answers[25] = 1
    truth = truth_of(answers)
    window1 = cell(("flow", "L2", 2023), 0, range(25), truth)  # person 24: appointed 2021
    window2 = cell(("flow", "L2", 2024), 1, [*range(24), 25], truth)  # person 25: in 2024
    level = cell(("level", "L2", 2024), 2, range(26), truth)
    protect([window1, window2, level], ["woman"], truth)
    published = [c for c in (window1, window2, level) if c.shown]
    assert derivable(published) == set()
    # the first window is published; the second and the level (26 = the first window plus
    # the 2024 appointee) would each single the newcomer out against it
    assert window1.shown and not window2.shown and not level.shown


def test_the_options_of_one_question_are_checked_together():
    """21 people, 8 women and 13 men (nobody picked both, nobody anything else): rounded, 10
    and 15, each known to within 2, so women + men >= 8 + 13 = 21: nobody can be
    non-binary. Checked one option at a time both would be published; together, one is
    withheld."""
    truth = {i: ({"woman"} if i < 8 else {"man"}) for i in range(21)}
    options = ["woman", "man"]
    separate = [
        protect([cell(("level", 2024), 0, range(21), truth, (o,))], [o], truth)[0] for o in options
    ]
    assert all(c.shown for c in separate)
    joint = cell(("level", 2024), 0, range(21), truth, tuple(options))
    joint.shown = {"woman": 10, "man": 20 - 5}
    assert {o for _, o in derivable([joint], tuple(options), exclusive=True)} == {""}
    (checked,) = protect(
        [cell(("level", 2024), 0, range(21), truth, tuple(options))], options, truth
    )
    assert len(checked.shown) == 1
    assert derivable([checked], tuple(options), exclusive=True) == set()


def late_appointment_case():
    """The finding on main: L1's new appointees of three years, 19 who answered, 4 women
    and 15 men; version 1 withholds both as small groups (4 < 5, and 19 - 15 = 4 < 5). A
    backdated appointment adds person 19, a woman: 5 women and 15 men of 20, which rounded
    read 5 and 15. The rule says a shown count has at least 5 on either side, so version 2
    says at least 5 women where version 1 said at most 4: the newcomer is a woman."""
    truth = {i: ({"woman"} if i < 4 else {"man"}) for i in range(19)}
    truth[19] = {"woman"}
    return truth, range(19), range(20)


def test_a_correction_after_a_late_appointment_does_not_reveal_the_newcomer():
    truth, first, second = late_appointment_case()
    options = ["woman", "man"]
    v1 = cell(("flow", "L1", 2025), 0, first, truth, tuple(options))
    protect([v1], options, truth)
    assert v1.shown == {}
    # what v1 tells an attacker who knows the rules: the small side of each figure
    small = [(first, "woman", 0, 4), (first, "man", 15, 19)]
    # unprotected, version 2 gives the newcomer's answer away (worked by hand above)
    naive = cell(("flow", "L1", 2025), 0, second, truth, tuple(options))
    naive.shown = {"woman": 5, "man": 15}
    found = derivable([naive], tuple(options), exclusive=True, rules=True, small=small)
    assert (19, "woman") in found
    # the correction is checked against the stored cells of version 1
    stored = Cell.from_store(v1.store(), 0)
    v2 = cell(("flow", "L1", 2025), 1, second, truth, tuple(options))
    protect([stored, v2], options, truth)
    assert "woman" not in v2.shown
    assert derivable([v2], tuple(options), exclusive=True, rules=True, small=small) == set()
    # and the reason cannot tell a figure withheld for revealing someone from a small group
    assert {v1.reason["woman"], v1.reason["man"]} | set(v2.reason.values()) == {v1.reason["woman"]}


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    data=st.data(),
    size=st.integers(10, 24),
    pool_extra=st.integers(0, 16),
    years=st.integers(2, 3),
)
def test_no_published_years_let_the_attacker_derive_anyone(data, size, pool_extra, years):
    """Consecutive published years of a level and its pool, each year's review checked
    against the stored cells of the years before: nobody is ever derivable from all of
    them together, one option or two."""
    total = size + pool_extra + 10
    two = data.draw(st.booleans())
    options = ("woman", "man") if two else ("woman",)
    truth = {}
    for i in range(total):
        pick = data.draw(st.integers(0, 2 if two else 1))
        truth[i] = {"woman"} if pick == 1 else ({"man"} if pick == 2 else set())
    roster = list(range(size))
    pool = list(range(size + pool_extra))
    outside = list(range(size + pool_extra, total))
    stored: list[Cell] = []
    published: list[Cell] = []
    for year in range(years):
        new = [
            cell(("level", year), 0, roster, truth, options),
            cell(("pool", year), 1, pool, truth, options),
        ]
        earlier = [Cell.from_store(c.store(), i) for i, c in enumerate(stored)]
        protect(earlier + new, list(options), truth)
        for c in new:
            assert all(
                c.k[o] >= 5 and c.n - c.k[o] >= 5 and c.n >= 10 and c.shown[o] % 5 == 0
                for o in c.shown
            )
        stored += [c for c in new if c.shown]
        published += [c for c in new if c.shown]
        leave = data.draw(st.integers(0, min(4, len(roster) - 5)))
        roster = roster[leave:]
        joiners = data.draw(st.lists(st.sampled_from(pool + outside), max_size=4, unique=True))
        roster = sorted(set(roster) | set(joiners))
        pool = sorted(set(pool) | set(joiners))
    exclusive = two and all(len(t) <= 1 for t in truth.values())
    assert derivable(published, options, exclusive=exclusive) == set()


# --- the officer's confidential tables ------------------------------------------------


def exact_range(cells, target, option, options=("woman",), exclusive=False, exhaustive=False):
    """What the officer can work out about a hidden count from the shown exact counts."""
    people = sorted(set().union(*(c.roster for c in cells)))
    index = {p: i for i, p in enumerate(people)}
    n_opt = len(options)
    rows, lows, highs = [], [], []
    for c in cells:
        for o, value in c.shown.items():
            row = np.zeros(len(people) * n_opt)
            for p in c.roster:
                row[index[p] * n_opt + options.index(o)] = 1
            rows.append(row)
            lows.append(value)
            highs.append(value)
    if exclusive:
        for p in people:
            row = np.zeros(len(people) * n_opt)
            row[index[p] * n_opt : index[p] * n_opt + n_opt] = 1
            rows.append(row)
            lows.append(1 if exhaustive else 0)
            highs.append(1)
    goal = np.zeros(len(people) * n_opt)
    for p in target.roster:
        goal[index[p] * n_opt + options.index(option)] = 1
    out = []
    for sign in (1, -1):
        result = milp(
            sign * goal,
            integrality=np.ones(len(goal)),
            bounds=Bounds(0, 1),
            constraints=LinearConstraint(np.array(rows), lows, highs) if rows else [],
        )
        out.append(round(goal @ result.x))
    return tuple(out)


def test_the_officer_cannot_work_out_a_hidden_seat_count_as_total_minus_parts():
    """A level of 24 (8 women) is its resource seats (12, 2 women: hidden) and its
    community seats (12, 6 women): 8 - 6 would give the hidden 2. A second cell is hidden,
    and what stays shown leaves at least three possible values."""
    truth = {i: ({"woman"} if i in {0, 1, 12, 13, 14, 15, 16, 17} else set()) for i in range(24)}
    level = cell(("level", "L2"), 0, range(24), truth)
    resources = cell(("resources", "L2"), 1, range(12), truth)
    community = cell(("community", "L2"), 2, range(12, 24), truth)
    level.priority, resources.priority, community.priority = 10, 4, 4
    suppress_officer([level, resources, community], ["woman"], truth)
    assert "woman" not in resources.shown
    assert level.shown == {"woman": 8}  # the level's own figure is kept
    assert "woman" not in community.shown
    low, high = exact_range([level, resources, community], resources, "woman")
    assert high - low >= 2


def test_the_officer_cannot_work_out_a_hidden_option_from_the_others():
    """24 answered: 10 women, 13 men, 1 non-binary (hidden). Shown together, 24 - 10 - 13
    gives the non-binary count; one more option is hidden."""
    truth = {i: ({"woman"} if i < 10 else {"man"} if i < 23 else {"non_binary"}) for i in range(24)}
    options = ["woman", "man", "non_binary"]
    level = cell(("level", "L2"), 0, range(24), truth, tuple(options))
    suppress_officer([level], options, truth)
    assert "non_binary" not in level.shown and len(level.shown) == 1
    low, high = exact_range([level], level, "non_binary", tuple(options), exclusive=True)
    assert high - low >= 2


def exact_attacker(cells, options=("woman",), exclusive=False, earlier=()):
    """The officer as attacker: every shown exact count of these cells and of ``earlier``
    (what an earlier draft showed), plus the small side of every figure hidden as small."""
    known = []
    for c in [*earlier, *cells]:
        for option, (low, high) in c.ranges().items():
            known.append((c.roster, option, low, high))
    return derivable([], options, exclusive=exclusive, small=known)


def test_a_second_draft_after_one_appointment_does_not_give_the_officer_the_newcomer():
    """The finding on main: the officer prepares the review (L1's new appointees: 19 who
    answered, 5 carers), a manager backdates one appointment, the officer prepares again:
    6 carers of 20. 6 - 5 = 1: the newcomer cares for someone. Each draft alone is fine
    (5 or more on either side); the second must not show its exact count beside the first."""
    truth = {i: ({"yes"} if i < 5 else set()) for i in range(19)}
    truth[19] = {"yes"}
    first = cell(("flow", "L1", 2025), 0, range(19), truth, ("yes",), "caregiver")
    suppress_officer([first], ["yes"], truth)
    assert first.shown == {"yes": 5}
    second = cell(("flow", "L1", 2025), 0, range(20), truth, ("yes",), "caregiver")
    second.shown = {"yes": 6}
    second.exact = True
    assert (19, "yes") in exact_attacker([second], ("yes",), earlier=[first])
    stored = Cell.from_store(first.store(), 0)
    second = cell(("flow", "L1", 2025), 0, range(20), truth, ("yes",), "caregiver")
    suppress_officer([second], ["yes"], truth, [stored])
    assert second.shown == {}
    assert exact_attacker([second], ("yes",), earlier=[stored]) == set()


def test_a_second_draft_does_not_turn_a_small_group_into_a_shown_one_by_one_person():
    """Gender in the same event: 4 women of 19 are hidden as a small group, then 5 of 20
    would be shown. Hidden as small says at most 4; shown says 5: the newcomer is a woman.
    The first draft's reason says no more than the second's."""
    truth = truth_of({i: int(i < 4) for i in range(19)})
    truth[19] = {"woman"}
    first = cell(("flow", "L1", 2025), 0, range(19), truth)
    suppress_officer([first], ["woman"], truth)
    assert first.shown == {}
    stored = Cell.from_store(first.store(), 0)
    second = cell(("flow", "L1", 2025), 0, range(20), truth)
    second.shown, second.exact = {"woman": 5}, True
    assert (19, "woman") in exact_attacker([second], earlier=[stored])
    second = cell(("flow", "L1", 2025), 0, range(20), truth)
    suppress_officer([second], ["woman"], truth, [stored])
    assert second.shown == {}
    assert exact_attacker([second], earlier=[stored]) == set()
    assert second.reason["woman"] == first.reason["woman"]


def test_the_officer_cannot_work_out_a_hidden_region_from_the_answered_total():
    """Finding 6. Region has one answer each: 30 answered, 13 in Europe, 13 in Asia and 4 in
    North America (hidden). The number who answered is shown, so 30 - 13 - 13 = 4: a
    hidden figure worked out as total minus parts. One more option is hidden, and what
    stays shown leaves at least three possible values."""
    truth = {
        i: ({"europe"} if i < 13 else {"asia"} if i < 26 else {"north_america"}) for i in range(30)
    }
    options = ["europe", "asia", "north_america"]
    naive = cell(("resources", "L3"), 0, range(30), truth, tuple(options), "region")
    naive.shown = {"europe": 13, "asia": 13}
    assert exact_range([naive], naive, "north_america", tuple(options), True, True) == (4, 4)
    level = cell(("resources", "L3"), 0, range(30), truth, tuple(options), "region")
    suppress_officer([level], options, truth)
    assert "north_america" not in level.shown and len(level.shown) == 1
    low, high = exact_range([level], level, "north_america", tuple(options), True, True)
    assert high - low >= 2


def test_the_relaxation_bounds_a_hidden_count_as_worked_out_by_hand():
    """The relaxation (fractions allowed) that settles most of the officer's questions before
    any integer program. A level of 24 with 8 women, its resource seats (12) and community
    seats (12). With the level and the community seats shown (8 and 6), the resource seats'
    count is 8 - 6 = 2 exactly. With the community seats hidden too it can be anything from
    0 to 8 (a seat group holds at most 12). With the level shown as 30, more women than
    people, nothing fits."""
    from convener.review.disclosure import System

    truth = {i: ({"woman"} if i in {0, 1, 12, 13, 14, 15, 16, 17} else set()) for i in range(24)}
    level = cell(("level", "L2"), 0, range(24), truth)
    resources = cell(("resources", "L2"), 1, range(12), truth)
    community = cell(("community", "L2"), 2, range(12, 24), truth)
    system = System([level, resources, community], ["woman"], None, False)
    objective = np.zeros(system.n_vars)
    for i in system.cell_atoms[1]:
        objective[system.var(i, 0)] = 1
    assert system.relaxed_range({(0, "woman"): (8, 8), (2, "woman"): (6, 6)}, objective) == (2, 2)
    assert system.relaxed_range({(0, "woman"): (8, 8)}, objective) == (0, 8)
    assert system.relaxed_range({(0, "woman"): (30, 30)}, objective) is None
