"""Oracle tests: every statistic of the review against values computed independently.

Reference values marked [ref] come from /work/shared/reference/review-oracle.md (scipy 1.17,
statsmodels 0.15, computed outside this code base). The others were computed by hand or in
a scratch Python session from first principles (explicit sums of binomial coefficients, not
the library call the function wraps); each test's comment gives the computation."""

import datetime as dt

import pytest

from convener.review import stats
from convener.review.stats import Method

pytestmark = []


# --- the worked case [ref]: pool 12 women of 40, level 2 women of 16 -------------------


def test_share_index_and_impact_ratio_of_the_worked_case():
    c = stats.drawn(2, 16, 12, 40)
    assert c.share == pytest.approx(0.125)
    assert c.representation_index == pytest.approx(0.417, abs=5e-4)  # [ref]
    # [ref] selection rates 2/12 (women) against 14/28 (men)
    assert c.impact_ratio == pytest.approx(0.333, abs=5e-4)
    assert c.four_fifths_flag


def test_the_wilson_interval_of_two_in_sixteen():
    assert stats.wilson(2, 16) == pytest.approx((0.035, 0.360), abs=5e-4)  # [ref]


def test_a_level_drawn_from_its_pool_uses_the_hypergeometric_test():
    c = stats.drawn(2, 16, 12, 40)
    assert c.method == Method.HYPERGEOMETRIC
    assert c.p_lower == pytest.approx(0.0498, abs=5e-5)  # [ref]
    assert c.direction == "lower" and c.conclusion() == "shortfall"


def test_against_a_share_the_binomial_test():
    c = stats.against_share(2, 16, 0.30)
    assert c.p_lower == pytest.approx(0.099, abs=5e-4)  # [ref]
    assert c.conclusion() == "none"


@pytest.mark.parametrize(
    "test,expected",
    [(Method.FISHER, 0.153), (Method.BOSCHLOO, 0.0998), (Method.BARNARD, 0.147)],  # [ref]
)
def test_two_separate_groups_take_the_samples_as_columns(test, expected):
    # [ref] level 2 of 16 against another group 12 of 40; the table with samples as rows
    # would give Boschloo 0.0958, the wrong test
    c = stats.two_samples(2, 16, 12, 40, test)
    assert c.p_lower == pytest.approx(expected, abs=5e-4)


def test_the_newcombe_interval_of_the_difference_is_computed_and_kept():
    c = stats.two_samples(2, 16, 12, 40)
    assert (c.diff_low, c.diff_high) == pytest.approx((-0.354, 0.089), abs=5e-4)  # [ref]
    # two separate groups: the impact ratio is the ratio of the two rates, (2/16)/(12/40)
    assert c.impact_ratio == pytest.approx(0.125 / 0.3)


# --- exact power, at three sizes and at the four-fifths boundary -----------------------


@pytest.mark.parametrize(
    "n,half,boundary",
    # half [ref]: 20% / 28% / 61%. Boundary, by hand: the share whose odds are 0.8 times the
    # pool's is s = 0.8*0.3/(1 - 0.3 + 0.8*0.3) = 0.255319; the largest count the test
    # rejects (sum of C(n,i) 0.3^i 0.7^(n-i) <= 0.05) is 0, 1 and 6 for n = 10, 16, 40;
    # the power is the same sum at s: 0.052445, 0.058007, 0.084121.
    [(10, 0.197, 0.052445), (16, 0.284, 0.058007), (40, 0.607, 0.084121)],
)
def test_exact_power_of_the_binomial_test(n, half, boundary):
    c = stats.against_share(0, n, 0.30)
    assert c.power_half == pytest.approx(half, abs=5e-3)
    assert c.power_boundary == pytest.approx(boundary, abs=5e-6)


def test_exact_power_of_the_hypergeometric_test():
    # Scratch session, by explicit sums: the test rejects 0..2 women of 16 (P = 0.049758).
    # Under Fisher's noncentral hypergeometric law with weights C(12,x) C(28,16-x) w^x, the
    # odds w giving a mean of 2.4 (half of 16*12/40) is 0.273287 by bisection, and
    # P(X <= 2) is then 0.552919; the mean 0.8*16*12/(28 + 0.8*12) = 4.085106 (an impact
    # ratio of 0.8) needs w = 0.703015 and gives 0.125870.
    c = stats.drawn(2, 16, 12, 40)
    assert c.power_half == pytest.approx(0.552919, abs=5e-6)
    assert c.power_boundary == pytest.approx(0.125870, abs=5e-6)


def test_exact_power_of_boschloos_test():
    # Scratch session: scipy's boschloo_exact for each of the 17 x 41 tables (samples as
    # columns), the tables with p <= 0.05 summed under independent binomials with
    # p2 = 12/40 and p1 = 0.15 (half) or 0.24 (four fifths): 0.278974 and 0.092340.
    c = stats.two_samples(2, 16, 12, 40, Method.BOSCHLOO)
    assert c.power_half == pytest.approx(0.278974, abs=5e-4)
    assert c.power_boundary == pytest.approx(0.092340, abs=5e-4)


def test_exact_power_of_fishers_test_between_two_samples():
    # 60 against 300 people (over 300 in all: Fisher's one-sided test). By brute force in a
    # scratch session: for every table (x1 of 60, x2 of 300), scipy.stats.fisher_exact on
    # [[x1, x2], [60 - x1, 300 - x2]] with alternative="less"; the power is the sum of
    # binom.pmf(x1, 60, p1) * binom.pmf(x2, 300, 0.3) over the tables with p <= 0.05:
    # 0.771287 at p1 = 0.15 (half) and 0.193309 at p1 = 0.24 (four fifths).
    c = stats.two_samples(10, 60, 90, 300)
    assert c.method == Method.FISHER
    assert c.power_half == pytest.approx(0.771287, abs=5e-6)
    assert c.power_boundary == pytest.approx(0.193309, abs=5e-6)


def test_power_is_stated_in_words_that_cannot_contradict_themselves():
    weak = stats.against_share(3, 10, 0.30).verdict()
    assert "cannot rule such a shortfall out" in weak and "100%" not in weak
    strong = stats.against_share(60, 200, 0.30)
    assert strong.power_boundary < 0.8  # even 200 people rarely see a four-fifths gap
    large = stats.against_share(3000, 10000, 0.30)
    assert large.power_boundary > 0.99
    assert "would very likely have been seen" in large.verdict()


# --- direction -------------------------------------------------------------------------


def test_an_excess_is_named_as_an_excess():
    # 9 women of 16 drawn from a pool of 12 of 40: P(X >= 9)
    # is sum(C(12,x) C(28,16-x), x = 9..12) / C(40,16) = 0.004559 (scratch session)
    c = stats.drawn(9, 16, 12, 40)
    assert c.direction == "higher" and c.conclusion() == "excess"
    assert c.p_upper == pytest.approx(0.004559, abs=5e-6)
    assert c.verdict().startswith("Higher than the pool's share")


# --- new appointments, each against the pool on its day --------------------------------


def test_appointments_against_changing_pools_follow_the_poisson_binomial_law():
    # three appointments from pools with shares 0.3, 0.3 and 0.5 (by hand: enumerate the 8
    # outcomes) P(K=0) = 0.7*0.7*0.5 = 0.245 and P(K=3) = 0.3*0.3*0.5 = 0.045
    pools = [(3, 7), (3, 7), (5, 5)]
    assert stats.appointments(0, pools).p_lower == pytest.approx(0.245)
    assert stats.appointments(3, pools).p_upper == pytest.approx(0.045)
    # the impact ratio: the group's selection rate over everyone else's, on the average
    # pool (11/3 women, 19/3 others): (1 / (11/3)) / (2 / (19/3)) = 19/22
    assert stats.appointments(1, pools).impact_ratio == pytest.approx(19 / 22)


def test_one_pool_for_every_appointment_is_the_binomial_test():
    pools = [(3, 7)] * 16
    assert stats.appointments(2, pools).p_lower == pytest.approx(0.099, abs=5e-4)  # [ref]


# --- the trend test --------------------------------------------------------------------


def test_the_trend_test_of_the_reference():
    # [ref] counts 2,2,3,4,5 of 16,16,17,18,18 over five consecutive years
    t = stats.trend([(2020, 2, 16), (2021, 2, 16), (2022, 3, 17), (2023, 4, 18), (2024, 5, 18)])
    assert t.z == pytest.approx(1.34, abs=5e-3) and t.p_value == pytest.approx(0.18, abs=5e-3)
    assert t.direction == "rising" and not t.significant


def test_the_trend_is_scored_by_the_real_years():
    # scratch session: z = sqrt(N-1) r, r the correlation of year and answer over the 85
    # people; with the years 2016, 2017, 2018, 2019, 2024 instead, z = 1.3041 (p = 0.192)
    t = stats.trend([(2016, 2, 16), (2017, 2, 16), (2018, 3, 17), (2019, 4, 18), (2024, 5, 18)])
    assert t.z == pytest.approx(1.3041, abs=5e-4)
    falling = stats.trend([(2020, 5, 18), (2021, 4, 18), (2022, 3, 17), (2023, 2, 16)])
    assert falling.direction == "falling"


# --- multiple comparisons and published conclusions ------------------------------------


def test_benjamini_hochberg_by_hand():
    # sorted: 0.01 <= 1/4*0.05 survives; 0.03 > 2/4*0.05, 0.04 > 3/4*0.05, 0.20 > 0.05
    assert stats.benjamini_hochberg([0.01, 0.04, 0.03, 0.20]) == [True, False, False, False]


def test_a_published_conclusion_must_hold_for_every_true_count():
    # the worked case published as rounded counts 0 (k=2 rounds to 0) cannot be tested; with
    # 5 of 15 against 10 of 40 the true counts 3..7 of 13..17 against 8..12 of 38..42 give
    # p from well below to well above 0.05: inconclusive
    ranges = [(3, 7), (13, 17), (8, 12), (38, 42)]
    assert stats.robust(Method.HYPERGEOMETRIC, ranges)["conclusion"] == "inconclusive"
    # a large clear shortfall stays a shortfall for every count the rounding allows
    ranges = [(3, 7), (98, 102), (98, 102), (198, 202)]
    assert stats.robust(Method.BINOMIAL, ranges)["conclusion"] == "shortfall"


# --- Kaplan-Meier ----------------------------------------------------------------------


@pytest.mark.django_db
def test_kaplan_meier_retention_at_one_three_and_five_years_with_at_risk_counts():
    """Ten postdocs (by hand, product-limit): one leaves after half a year (S = 9/10), two
    after two years with 9 at risk (S = 0.9 * 7/9 = 0.7), one after four years with 6 at
    risk (S = 0.7 * 5/6 = 0.5833). The one who joined in 2022 is censored at 3.5 years.
    At risk at 1, 3, 5 years: 9, 7, 5. The first leaver's later return does not count
    twice, and the 2022 joiner counts as a postdoc (their stage when that membership began),
    not as the student they had been."""
    from convener.review.workforce import retention
    from tests.factories import CareerStageFactory, MembershipFactory, PersonFactory

    ends = [dt.date(2015, 7, 1), dt.date(2017, 1, 1), dt.date(2017, 1, 1), dt.date(2019, 1, 1)]
    people = [PersonFactory() for _ in range(10)]
    for i, person in enumerate(people):
        start = dt.date(2022, 1, 1) if i == 4 else dt.date(2015, 1, 1)
        MembershipFactory(person=person, start=start, end=ends[i] if i < 4 else None)
        if i == 4:
            CareerStageFactory(
                person=person, stage="student", start=dt.date(2010, 1, 1), end=dt.date(2021, 1, 1)
            )
            CareerStageFactory(person=person, stage="postdoc", start=dt.date(2021, 1, 1))
        else:
            CareerStageFactory(person=person, stage="postdoc", start=dt.date(2014, 1, 1))
    MembershipFactory(person=people[0], start=dt.date(2020, 1, 1))
    (row,) = retention(dt.date(2025, 7, 1), min_at_risk=5)
    assert row["stage"] == "Postdoc" and row["people"] == 10
    assert row["at"] == pytest.approx({1: 0.9, 3: 0.7, 5: 0.58333}, abs=5e-5)
    assert row["at_risk"] == {1: 9, 3: 7, 5: 5}
    (row,) = retention(dt.date(2025, 7, 1), min_at_risk=6)
    assert row["at"][5] is None  # only 5 still at risk at five years
