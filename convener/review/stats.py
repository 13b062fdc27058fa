"""The statistics of the proportionality review, for groups of 5 to 40 people.

Everything is computed with scipy and statsmodels. Tests are one-sided: is the group's share
of the level lower than its share of the pool? Beside every result we give the power to
detect a real disparity (a level share half the pool's), because at these sizes "not
significant" usually means "not detectable", never "no disparity"."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats
from statsmodels.stats.contingency_tables import Table
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    proportion_effectsize,
)

ALPHA = 0.05
LARGE_POOL = 200  # a pool this large is treated as a population share (binomial test)


class Method:
    HYPERGEOMETRIC = "hypergeometric"  # the level is chosen out of its pool
    BOSCHLOO = "boschloo"  # level and pool are separate small groups
    BINOMIAL = "binomial"  # the pool is large: test against its share


@dataclass
class Comparison:
    k: int  # level members with the attribute
    n: int  # level members who answered
    pool_k: int
    pool_n: int
    method: str
    share: float | None
    pool_share: float | None
    representation_index: float | None
    impact_ratio: float | None
    wilson_low: float | None
    wilson_high: float | None
    p_value: float | None
    power: float | None
    diff_low: float | None = None  # Newcombe interval of level share minus pool share
    diff_high: float | None = None

    @property
    def significant(self) -> bool:
        return self.p_value is not None and self.p_value < ALPHA

    @property
    def four_fifths_flag(self) -> bool:
        return self.impact_ratio is not None and self.impact_ratio < 0.8

    def verdict(self) -> str:
        """In plain words, never reading "not significant" as "no disparity"."""
        if self.p_value is None:
            return "Too few answers to compare."
        if self.significant:
            return (
                f"The level's share is lower than the pool's beyond what chance selection "
                f"explains (p = {self.p_value:.3f})."
            )
        power = f"{self.power:.0%}" if self.power is not None else "unknown"
        return (
            f"No significant difference (p = {self.p_value:.2f}), but with these numbers a "
            f"real disparity (a share half the pool's) would be detected only {power} of "
            "the time: this is not evidence of parity."
        )


def choose_method(level_in_pool: float, pool_n: int) -> str:
    """Hypergeometric when the level is (almost) drawn from the pool, binomial for a large
    separate pool, Boschloo for two small separate groups."""
    if level_in_pool >= 0.9:
        return Method.HYPERGEOMETRIC
    if pool_n >= LARGE_POOL:
        return Method.BINOMIAL
    return Method.BOSCHLOO


def compare(k: int, n: int, pool_k: int, pool_n: int, method: str) -> Comparison:
    """Compare a level (k of n) with its pool (pool_k of pool_n).

    For the hypergeometric test the pool includes the level's members, as when conveners are
    chosen among members; for Boschloo the two are separate groups."""
    share = k / n if n else None
    pool_share = pool_k / pool_n if pool_n else None
    ri = share / pool_share if share is not None and pool_share else None
    impact = None
    if method == Method.HYPERGEOMETRIC and pool_k and pool_n - pool_k:
        rate_group = k / pool_k
        rate_rest = (n - k) / (pool_n - pool_k)
        impact = rate_group / rate_rest if rate_rest else None
    elif share is not None and pool_share is not None and pool_share < 1:
        impact = (
            (share / (1 - share)) / (pool_share / (1 - pool_share))
            if 0 < share < 1 and pool_share > 0
            else None
        )
    low = high = p = power = dlow = dhigh = None
    if n:
        low, high = proportion_confint(k, n, alpha=ALPHA, method="wilson")
    if n and pool_n and pool_share is not None and 0 < pool_share < 1:
        if method == Method.HYPERGEOMETRIC:
            p = float(stats.hypergeom.cdf(k, pool_n, pool_k, n))
            critical = _critical(lambda x: stats.hypergeom.cdf(x, pool_n, pool_k, n), n)
        elif method == Method.BINOMIAL:
            p = float(stats.binomtest(k, n, pool_share, alternative="less").pvalue)
            critical = _critical(lambda x: stats.binom.cdf(x, n, pool_share), n)
        else:
            table = np.array([[k, n - k], [pool_k, pool_n - pool_k]])
            p = float(stats.boschloo_exact(table, alternative="less").pvalue)
            dlow, dhigh = (
                float(v)
                for v in confint_proportions_2indep(
                    k, n, pool_k, pool_n, method="newcomb", compare="diff"
                )
            )
            critical = None
        if critical is not None:
            power = float(stats.binom.cdf(critical, n, pool_share / 2)) if critical >= 0 else 0.0
        else:
            effect = proportion_effectsize(pool_share / 2, pool_share)
            power = float(
                NormalIndPower().power(
                    effect, nobs1=n, alpha=ALPHA, ratio=pool_n / n, alternative="smaller"
                )
            )
    return Comparison(
        k,
        n,
        pool_k,
        pool_n,
        method,
        share,
        pool_share,
        ri,
        impact,
        low,
        high,
        p,
        power,
        dlow,
        dhigh,
    )


def _critical(cdf, n: int) -> int:
    """The largest count still rejected at ALPHA by a lower one-sided test (-1: none)."""
    critical = -1
    for x in range(n + 1):
        if cdf(x) <= ALPHA:
            critical = x
        else:
            break
    return critical


def trend(counts: list[tuple[int, int]]) -> float | None:
    """Linear-by-linear association of (with, without) counts across ordered years."""
    rows = [(k, n - k) for k, n in counts if n]
    if len(rows) < 3:
        return None
    table = np.array(rows, dtype=float)
    if (table.sum(axis=0) == 0).any():
        return None
    return float(Table(table).test_ordinal_association().pvalue)
