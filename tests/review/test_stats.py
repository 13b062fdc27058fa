"""The review's statistics against small cases worked by hand and an independent toolkit."""

import pytest
from scipy import stats as sps

from convener.review.stats import Method, choose_method, compare, trend


def test_the_hand_worked_case():
    """Pool 12 of 40, level 2 of 16: representation index 0.417, one-sided p = 0.0498."""
    result = compare(2, 16, 12, 40, Method.HYPERGEOMETRIC)
    assert result.representation_index == pytest.approx(0.4167, abs=5e-4)
    assert result.p_value == pytest.approx(0.0498, abs=5e-5)
    assert result.significant
    # by hand: selection rates 2/12 for the group and 14/28 for the rest
    assert result.impact_ratio == pytest.approx((2 / 12) / (14 / 28))
    assert result.four_fifths_flag


def test_the_wilson_interval_matches_its_formula():
    result = compare(3, 20, 30, 100, Method.HYPERGEOMETRIC)
    z = sps.norm.ppf(0.975)
    p, n = 3 / 20, 20
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * ((p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5) / (1 + z * z / n)
    assert (result.wilson_low, result.wilson_high) == pytest.approx((centre - half, centre + half))


def test_not_significant_comes_with_its_low_power():
    result = compare(2, 8, 10, 40, Method.HYPERGEOMETRIC)
    assert not result.significant
    assert result.power is not None and result.power < 0.5
    assert "not evidence of parity" in result.verdict()


def test_separate_small_groups_use_boschloo_with_a_newcombe_interval():
    result = compare(2, 15, 10, 25, Method.BOSCHLOO)
    table = [[2, 13], [10, 15]]
    assert result.p_value == pytest.approx(sps.boschloo_exact(table, alternative="less").pvalue)
    assert result.diff_low < 2 / 15 - 10 / 25 < result.diff_high


def test_a_large_pool_uses_the_binomial_test():
    result = compare(3, 20, 300, 1200, Method.BINOMIAL)
    assert result.p_value == pytest.approx(sps.binomtest(3, 20, 0.25, alternative="less").pvalue)


def test_the_method_follows_how_the_level_is_formed():
    assert choose_method(1.0, 30) == Method.HYPERGEOMETRIC
    assert choose_method(0.2, 30) == Method.BOSCHLOO
    assert choose_method(0.2, 3000) == Method.BINOMIAL


def test_the_trend_test_sees_a_steady_rise_and_not_noise():
    rising = [(1, 20), (3, 20), (5, 20), (7, 20), (9, 20), (11, 20)]
    flat = [(5, 20), (4, 20), (6, 20), (5, 20), (5, 20), (5, 20)]
    assert trend(rising) < 0.01
    assert trend(flat) > 0.3


def test_shares_agree_with_an_independent_count():
    """Cross-check against pandas-free plain counting of a roster."""
    roster = [1] * 4 + [0] * 11
    pool = [1] * 12 + [0] * 28
    result = compare(sum(roster), len(roster), sum(pool), len(pool), Method.HYPERGEOMETRIC)
    assert result.share == sum(roster) / len(roster)
    assert result.pool_share == sum(pool) / len(pool)


def test_selection_rates_and_impact_ratio_agree_with_fairlearn():
    """Fairlearn's MetricFrame, on the pool as individuals (selected into the level or not),
    gives the same selection rates and the same four-fifths ratio."""
    import numpy as np
    from fairlearn.metrics import MetricFrame, selection_rate

    # pool of 40: 12 in the group; 16 selected into the level, 2 of them from the group
    group = np.array([1] * 12 + [0] * 28)
    selected = np.array([1] * 2 + [0] * 10 + [1] * 14 + [0] * 14)
    frame = MetricFrame(
        metrics=selection_rate, y_true=selected, y_pred=selected, sensitive_features=group
    )
    rates = frame.by_group
    result = compare(2, 16, 12, 40, Method.HYPERGEOMETRIC)
    assert rates[1] == pytest.approx(2 / 12) and rates[0] == pytest.approx(14 / 28)
    assert result.impact_ratio == pytest.approx(frame.ratio(method="between_groups"))
