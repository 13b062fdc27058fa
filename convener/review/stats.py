"""The statistics of the proportionality review, for groups of 5 to a few hundred people.

Every comparison runs two pre-specified one-sided tests, one for a shortfall and one for an
excess, and names the direction the data point to. Beside every result that is not
significant we give the exact power of the test actually used to detect a real disparity,
twice: a share half the pool's, and a share at the four-fifths boundary (an impact ratio of
0.8), because at these sizes "not significant" usually means "not detectable", never "no
disparity".

How a level is compared depends on how it is formed (see ``report``):

- drawn from its pool on the reference date (L3 from the members): the hypergeometric test;
- new appointments, each compared with the pool at the time it was made: the Poisson-
  binomial distribution of the count (one draw per appointee, each with the pool's share on
  the day of the appointment);
- against a published share (the published review): the binomial test;
- two separate groups (advancement of a group against the others, resource against
  community-building seats): Boschloo's exact test (Fisher's beyond 300 people), with the
  samples as columns, and a Newcombe interval of the difference.

The impact ratio is always a ratio of selection rates: of the group and of everyone else."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import numpy as np
from scipy import optimize, stats
from statsmodels.stats.contingency_tables import Table
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

ALPHA = 0.05
FOUR_FIFTHS = 0.8
EXACT_TWO_SAMPLE_MAX = 300  # Boschloo up to this many people in both samples, Fisher beyond
METHOD_VERSION = "2026.3"  # bump whenever a published number could change


class Method:
    HYPERGEOMETRIC = "hypergeometric"  # the level is chosen out of its pool
    BINOMIAL = "binomial"  # against a given share
    POISSON_BINOMIAL = "Poisson-binomial"  # each appointment against the pool on its day
    BOSCHLOO = "Boschloo"  # two separate small groups
    BARNARD = "Barnard"
    FISHER = "Fisher"  # two separate large groups


def wilson(k: int, n: int) -> tuple[float, float]:
    """Two-sided 95% Wilson score interval of k/n."""
    low, high = proportion_confint(k, n, alpha=ALPHA, method="wilson")
    return float(low), float(high)


def newcombe(k1: int, n1: int, k2: int, n2: int) -> tuple[float, float]:
    """Two-sided 95% Newcombe (hybrid score) interval of k1/n1 - k2/n2."""
    low, high = confint_proportions_2indep(k1, n1, k2, n2, method="newcomb", compare="diff")
    return float(low), float(high)


def boundary_share(pool_share: float) -> float:
    """The share of a selection from a pool with ``pool_share`` whose ratio of selection rates
    (the group's against everyone else's) is exactly four fifths: s/(1-s) = 0.8 p/(1-p)."""
    p = pool_share
    return FOUR_FIFTHS * p / (1 - p + FOUR_FIFTHS * p)


@dataclass
class Comparison:
    """One comparison of a level (k of n) with what its pool leads one to expect."""

    k: int
    n: int
    method: str
    expected: float | None  # the share the pool leads one to expect
    pool_k: int | None = None  # the pool's counts, when it is a single group
    pool_n: int | None = None
    impact_ratio: float | None = None
    p_lower: float | None = None  # one-sided: a shortfall
    p_upper: float | None = None  # one-sided: an excess
    power_half: float | None = None  # of the shortfall test, at half the expected share
    power_boundary: float | None = None  # ... at the four-fifths boundary
    diff_low: float | None = None  # Newcombe interval of the difference (two samples)
    diff_high: float | None = None
    robust: dict = field(default_factory=dict)  # published: conclusions over true counts

    @property
    def share(self) -> float | None:
        return self.k / self.n if self.n else None

    @property
    def wilson(self) -> tuple[float, float] | None:
        return wilson(self.k, self.n) if self.n else None

    @property
    def representation_index(self) -> float | None:
        return self.share / self.expected if self.share is not None and self.expected else None

    @property
    def four_fifths_flag(self) -> bool | None:
        """Whether the impact ratio is below 0.8; published, None when some of the true
        counts the rounding allows put it below and some do not."""
        if self.robust and "four_fifths" in self.robust:
            return self.robust["four_fifths"]
        return self.impact_ratio is not None and self.impact_ratio < FOUR_FIFTHS

    @property
    def direction(self) -> str:
        """ "lower", "higher" or "equal": where the level's share lies against the pool's;
        published, "unclear" when the true counts the rounding allows point both ways."""
        if self.robust and "direction" in self.robust:
            return self.robust["direction"]
        if self.share is None or self.expected is None:
            return ""
        if math.isclose(self.share, self.expected, abs_tol=1e-9):
            return "equal"
        return "lower" if self.share < self.expected else "higher"

    @property
    def p_value(self) -> float | None:
        """The one-sided p-value in the direction the data point to (published: none when
        the direction or the conclusion depends on the rounding)."""
        if self.robust and (
            self.robust.get("direction") == "unclear" or self.conclusion() == "inconclusive"
        ):
            return None
        return self.p_upper if self.direction == "higher" else self.p_lower

    def worst_p(self, side: str) -> float | None:
        """The one-sided p-value ``side`` ("p_lower" or "p_upper") that holds for every true
        count: the largest over those the rounding allows (published), else the p-value."""
        if self.robust and side in self.robust:
            return self.robust[side]
        return getattr(self, side)

    def conclusion(self) -> str:
        """ "shortfall", "excess", "none" or (published, when the rounding could change it)
        "inconclusive"."""
        if self.robust:
            return self.robust["conclusion"]
        if self.p_lower is not None and self.p_lower < ALPHA:
            return "shortfall"
        if self.p_upper is not None and self.p_upper < ALPHA:
            return "excess"
        return "none"

    def verdict(self) -> str:
        """In plain words, never reading "not significant" as "no disparity"."""
        if self.p_lower is None:
            return "Too few answers to compare."
        conclusion = self.conclusion()
        if self.direction == "unclear":
            return (
                f"About the pool's share ({self.share:.0%} against {self.expected:.0%}): the "
                "published counts are rounded, and the true counts they stand for may lie "
                "either below or above it. Inconclusive."
            )
        side = {"lower": "Lower than", "higher": "Higher than", "equal": "Equal to"}[self.direction]
        what = f"{side} the pool's share ({self.share:.0%} against {self.expected:.0%})"
        if conclusion == "inconclusive":
            return (
                f"{what}. Inconclusive: the published counts are rounded, and some of the "
                "true counts they stand for give a significant result and some do not."
            )
        if conclusion == "shortfall":
            return f"{what}, beyond what chance selection explains ({p_text(self.p_lower)})."
        if conclusion == "excess":
            return f"{what}, beyond what chance selection explains ({p_text(self.p_upper)})."
        text = f"{what}, within what chance selection explains ({p_text(self.p_value, 2)})."
        if self.power_half is None:
            return text
        power = (
            f" A real shortfall to half the pool's share would be detected with probability "
            f"{self.power_half:.0%}, and one at the four-fifths boundary with probability "
            f"{self.power_boundary:.0%}"
        )
        if self.power_boundary >= 0.8:
            return text + power + ": a shortfall that large would very likely have been seen."
        return text + power + ": this result cannot rule such a shortfall out."


def p_text(p: float | None, digits: int = 3) -> str:
    """A p-value in words: "p = 0.012", or "p < 0.001" (never "p = < 0.001")."""
    if p is None:
        return "p not given"
    if p < 0.001:
        return "p < 0.001"
    return f"p = {p:.{digits}f}"


def _largest_rejected(cdf_values: np.ndarray) -> int:
    """The largest count whose lower-tail probability is at most ALPHA (-1: none)."""
    rejected = np.nonzero(cdf_values <= ALPHA + 1e-12)[0]
    return int(rejected[-1]) if rejected.size else -1


def drawn(k: int, n: int, pool_k: int, pool_n: int) -> Comparison:
    """A level of ``n`` (``k`` in the group) chosen out of a pool of ``pool_n`` that includes
    it (``pool_k`` in the group): hypergeometric test; power under Fisher's noncentral
    hypergeometric distribution (selection biased by a constant odds ratio) whose mean is
    half the expected count, or whose expected impact ratio is 0.8."""
    rest = pool_n - pool_k
    c = Comparison(k, n, Method.HYPERGEOMETRIC, pool_k / pool_n if pool_n else None)
    c.pool_k, c.pool_n = pool_k, pool_n
    if not (n and pool_k and rest) or n > pool_n:
        return c
    c.impact_ratio = _rates(k, pool_k, n - k, rest)
    c.p_lower = float(stats.hypergeom.cdf(k, pool_n, pool_k, n))
    c.p_upper = float(stats.hypergeom.sf(k - 1, pool_n, pool_k, n))
    critical = _largest_rejected(stats.hypergeom.cdf(np.arange(n + 1), pool_n, pool_k, n))
    low, high = max(0, n - rest), min(n, pool_k)

    def power_at_mean(mean: float) -> float:
        if critical < low:
            return 0.0
        if mean <= low:
            return 1.0

        def gap(log_odds):
            return stats.nchypergeom_fisher.mean(pool_n, pool_k, n, math.exp(log_odds)) - mean

        odds = math.exp(optimize.brentq(gap, -30, 0, xtol=1e-10))
        return float(stats.nchypergeom_fisher.cdf(critical, pool_n, pool_k, n, odds))

    expected = n * pool_k / pool_n
    c.power_half = power_at_mean(max(expected / 2, low))
    # the mean m at which (m / pool_k) / ((n - m) / rest) = 0.8
    boundary = FOUR_FIFTHS * n * pool_k / (rest + FOUR_FIFTHS * pool_k)
    c.power_boundary = power_at_mean(min(max(boundary, low), high))
    return c


def against_share(k: int, n: int, share: float) -> Comparison:
    """``k`` of ``n`` against a given share (a large pool, or a published one): binomial."""
    c = Comparison(k, n, Method.BINOMIAL, share)
    if not n or not 0 < share < 1:
        return c
    c.impact_ratio = _rates(k, share, n - k, 1 - share)
    c.p_lower = float(stats.binom.cdf(k, n, share))
    c.p_upper = float(stats.binom.sf(k - 1, n, share))
    critical = _largest_rejected(stats.binom.cdf(np.arange(n + 1), n, share))
    c.power_half = float(stats.binom.cdf(critical, n, share / 2)) if critical >= 0 else 0.0
    c.power_boundary = (
        float(stats.binom.cdf(critical, n, boundary_share(share))) if critical >= 0 else 0.0
    )
    return c


def poisson_binomial_pmf(probabilities) -> np.ndarray:
    """The distribution of a sum of independent Bernoulli draws, by convolution."""
    pmf = np.ones(1)
    for p in probabilities:
        pmf = np.convolve(pmf, [1 - p, p])
    return pmf


def appointments(k: int, pools: list[tuple[int, int]]) -> Comparison:
    """``k`` of the ``len(pools)`` new appointees in the group, each appointment made from a
    pool with (group, everyone else) on its day: Poisson-binomial test. The impact ratio
    compares the group's selection rate with everyone else's, over the average pool."""
    n = len(pools)
    probs = [g / (g + r) for g, r in pools if g + r]
    c = Comparison(k, n, Method.POISSON_BINOMIAL, float(np.mean(probs)) if probs else None)
    if not n or len(probs) < n or not all(0 < p < 1 for p in probs):
        return c
    group = float(np.mean([g for g, _ in pools]))
    rest = float(np.mean([r for _, r in pools]))
    c.impact_ratio = _rates(k, group, n - k, rest)
    cdf = np.cumsum(poisson_binomial_pmf(probs))
    c.p_lower = float(min(cdf[k], 1.0))
    c.p_upper = float(min(1.0, max(0.0, 1 - (cdf[k - 1] if k else 0.0))))
    critical = _largest_rejected(cdf)
    if critical < 0:
        c.power_half = c.power_boundary = 0.0
    else:
        c.power_half = float(np.cumsum(poisson_binomial_pmf([p / 2 for p in probs]))[critical])
        c.power_boundary = float(
            np.cumsum(poisson_binomial_pmf([boundary_share(p) for p in probs]))[critical]
        )
    return c


def _rates(k1, base1, k2, base2) -> float | None:
    """Ratio of two selection rates, k1/base1 over k2/base2."""
    if not base1 or not base2 or not k2:
        return None
    return (k1 / base1) / (k2 / base2)


def _fisher_statistic(n1: int, n2: int) -> np.ndarray:
    """Fisher's one-sided p-value P(X1 <= x1 | margins) for every table (x1 of n1, x2 of n2):
    the statistic Boschloo's test orders the tables by."""
    x1, x2 = np.meshgrid(np.arange(n1 + 1), np.arange(n2 + 1), indexing="ij")
    return stats.hypergeom.cdf(x1, n1 + n2, x1 + x2, n1)


def _two_sample_p(test: str, k1, n1, k2, n2, alternative: str) -> float:
    table = np.array([[k1, k2], [n1 - k1, n2 - k2]])  # samples as COLUMNS, as scipy expects
    if test == Method.BOSCHLOO:
        return float(stats.boschloo_exact(table, alternative=alternative).pvalue)
    if test == Method.BARNARD:
        return float(stats.barnard_exact(table, alternative=alternative).pvalue)
    return float(stats.fisher_exact(table, alternative=alternative).pvalue)


def _fisher_region(n1: int, n2: int) -> np.ndarray:
    """Fisher's one-sided test, for every x2 the largest x1 it rejects. Given the margin
    t = x1 + x2 the test rejects x1 up to a critical count c(t) (one quantile per margin);
    x1 - c(x1 + x2) grows with x1, so a binary search over all x2 at once finds the last."""
    total = n1 + n2
    c = _fisher_critical(total, n1)
    x2 = np.arange(n2 + 1)
    lo, hi = np.full(n2 + 1, -1), np.full(n2 + 1, n1)
    while (lo < hi).any():
        mid = (lo + hi + 1) // 2
        ok = mid <= c[np.minimum(mid + x2, total)]
        lo, hi = np.where(ok, mid, lo), np.where(ok, hi, mid - 1)
    return lo


def _fisher_critical(total: int, n1: int, step: int = 16) -> np.ndarray:
    """c(t) for every margin t: the largest x1 with P(X1 <= x1 | t) <= ALPHA (-1 if none).

    Found by binary search, first on every ``step``-th margin, then on the others within
    the bracket their neighbours give (a margin one larger moves the quantile by 0 or 1).
    Each bracket's ends are checked first; a margin whose bracket is wrong is searched over
    its whole range, so the result is exact whatever the brackets were."""
    t = np.arange(total + 1)
    top = np.minimum(t, n1)

    def rejects(x, margins):
        return stats.hypergeom.cdf(x, total, margins, n1) <= ALPHA * (1 + 1e-9)

    def search(margins, lo, hi):  # lo rejected (or -1), the answer <= hi
        lo, hi = lo.copy(), hi.copy()
        open_ = np.nonzero(lo < hi)[0]
        while open_.size:  # only the margins not settled yet
            mid = (lo[open_] + hi[open_] + 1) // 2
            ok = rejects(mid, margins[open_])
            lo[open_] = np.where(ok, mid, lo[open_])
            hi[open_] = np.where(ok, hi[open_], mid - 1)
            open_ = open_[lo[open_] < hi[open_]]
        return lo

    grid = np.unique(np.append(t[::step], total))
    known = search(grid, np.full(len(grid), -1), top[grid])
    right = np.searchsorted(grid, t)  # the first grid margin at or after t
    left = np.where(grid[right] == t, right, right - 1)
    lo = np.maximum(known[left], known[right] - (grid[right] - t))
    hi = np.minimum(known[left] + (t - grid[left]), known[right])
    lo, hi = np.clip(lo, -1, top), np.clip(hi, -1, top)
    # exact whatever the brackets are: where lo is not rejected, or hi + 1 is (the answer
    # lies above hi, as the cdf grows with x1), the whole range is searched instead
    wrong = (
        (hi < lo)
        | ((lo >= 0) & ~rejects(np.maximum(lo, 0), t))
        | ((hi < top) & rejects(np.minimum(hi + 1, top), t))
    )
    lo, hi = np.where(wrong, -1, lo), np.where(wrong, top, hi)
    return search(t, lo, hi)


@functools.lru_cache(maxsize=64)
def _rejection_region(test: str, n1: int, n2: int) -> np.ndarray:
    """For every x2, the largest x1 that the one-sided test for p1 < p2 rejects at ALPHA.

    Fisher's rejects where its statistic is at most ALPHA. Boschloo's p-value grows with
    Fisher's statistic, so it rejects every table up to a threshold: found from the supremum
    over the common proportion on a fine grid, then confirmed with scipy's own p-values on
    either side of it, so that the region is exactly that of the test reported."""
    if test == Method.FISHER:
        return _fisher_region(n1, n2)
    statistic = _fisher_statistic(n1, n2)
    values = np.unique(statistic)
    order = np.argsort(statistic, axis=None)
    rank = np.searchsorted(values, statistic.ravel()[order])
    x1s, x2s = np.arange(n1 + 1), np.arange(n2 + 1)
    sup = np.zeros(len(values))
    for pi in np.linspace(0.0005, 0.9995, 400):
        prob = np.outer(stats.binom.pmf(x1s, n1, pi), stats.binom.pmf(x2s, n2, pi)).ravel()
        sup = np.maximum(sup, np.cumsum(np.bincount(rank, prob[order], len(values))))

    def rejects(i):
        x1, x2 = np.argwhere(statistic == values[i])[0]
        return _two_sample_p(test, int(x1), n1, int(x2), n2, "less") <= ALPHA

    candidates = np.nonzero(sup <= ALPHA)[0]
    i = int(candidates[-1]) if candidates.size else -1
    while i >= 0 and not rejects(i):
        i -= 1
    while i + 1 < len(values) and rejects(i + 1):
        i += 1
    if i < 0:
        return np.full(n2 + 1, -1)
    inside = statistic <= values[i]
    return np.array([np.nonzero(inside[:, j])[0].max(initial=-1) for j in range(n2 + 1)])


def power_two_samples(test: str, n1: int, n2: int, p1: float, p2: float) -> float:
    """Exact probability that the one-sided test rejects when the true rates are p1, p2."""
    critical = _rejection_region(test, n1, n2)
    return _power(critical, n1, n2, p1, p2)


def _power(critical, n1, n2, p1, p2) -> float:
    rejected = np.where(critical >= 0, stats.binom.cdf(critical, n1, p1), 0.0)
    return float((stats.binom.pmf(np.arange(n2 + 1), n2, p2) * rejected).sum())


def two_samples(k1: int, n1: int, k2: int, n2: int, test: str | None = None) -> Comparison:
    """Group 1 (k1 of n1) against a separate group 2 (k2 of n2): is group 1's rate lower?
    Boschloo's exact test up to EXACT_TWO_SAMPLE_MAX people, Fisher's beyond; power exact,
    at group 1's rate half of group 2's and at 0.8 of it; Newcombe interval of the
    difference. The impact ratio is the ratio of the two rates."""
    test = test or (Method.BOSCHLOO if n1 + n2 <= EXACT_TWO_SAMPLE_MAX else Method.FISHER)
    c = Comparison(k1, n1, test, k2 / n2 if n2 else None, pool_k=k2, pool_n=n2)
    if not n1 or not n2:
        return c
    c.diff_low, c.diff_high = newcombe(k1, n1, k2, n2)
    c.impact_ratio = _rates(k1, n1, k2, n2) if k2 else None
    if not 0 < (k1 + k2) < n1 + n2:
        return c
    c.p_lower = _two_sample_p(test, k1, n1, k2, n2, "less")
    c.p_upper = _two_sample_p(test, k1, n1, k2, n2, "greater")
    p2 = k2 / n2
    critical = _rejection_region(test, n1, n2)
    c.power_half = _power(critical, n1, n2, p2 / 2, p2)
    c.power_boundary = _power(critical, n1, n2, FOUR_FIFTHS * p2, p2)
    return c


@dataclass
class Trend:
    """A linear-by-linear trend of a share over real years."""

    z: float
    p_value: float

    @property
    def direction(self) -> str:
        return "rising" if self.z > 0 else "falling" if self.z < 0 else "flat"

    @property
    def significant(self) -> bool:
        return self.p_value < ALPHA


def trend(series: list[tuple[int, int, int]]) -> Trend | None:
    """Linear-by-linear association (Cochran-Armitage) of (year, with, answered) counts,
    scored by the real years, two-sided. Each person should appear once (new appointees of
    each year), so that the years are independent samples."""
    rows = [(year, k, n - k) for year, k, n in series if n]
    if len(rows) < 3:
        return None
    table = np.array([[k, rest] for _, k, rest in rows], dtype=float)
    if (table.sum(axis=0) == 0).any():
        return None
    years = np.array([year for year, _, _ in rows], dtype=float)
    result = Table(table).test_ordinal_association(
        row_scores=years, col_scores=np.array([1.0, 0.0])
    )
    return Trend(float(result.zscore), float(result.pvalue))


def benjamini_hochberg(p_values: list[float], q: float = ALPHA) -> list[bool]:
    """Which of the p-values survive a Benjamini-Hochberg correction at false discovery
    rate ``q``."""
    if not p_values:
        return []
    return [bool(x) for x in multipletests(p_values, alpha=q, method="fdr_bh")[0]]


def robust(method: str, ranges: list[tuple[int, int]]) -> dict:
    """The conclusion of the test ``method`` for every combination of true counts (k, n,
    pool_k, pool_n) within ``ranges`` (a published count stands for up to 2 either side):
    kept only when all of them agree, otherwise "inconclusive". Likewise the direction
    ("unclear" unless all agree) and the four-fifths flag (None unless all agree), and the
    largest one-sided p-values (what holds for every true count)."""
    grids = np.meshgrid(*(np.arange(lo, hi + 1) for lo, hi in ranges), indexing="ij")
    k, n, pool_k, pool_n = (g.ravel() for g in grids)
    possible = (k <= n) & (n > 0) & (pool_k > 0) & (pool_k < pool_n)
    if method == Method.HYPERGEOMETRIC:
        possible &= (n <= pool_n) & (k <= pool_k) & (n - k <= pool_n - pool_k)
    k, n, pool_k, pool_n = k[possible], n[possible], pool_k[possible], pool_n[possible]
    if not k.size:
        return {"conclusion": "none"}
    if method == Method.HYPERGEOMETRIC:
        lower = stats.hypergeom.cdf(k, pool_n, pool_k, n)
        upper = stats.hypergeom.sf(k - 1, pool_n, pool_k, n)
    else:
        lower = stats.binom.cdf(k, n, pool_k / pool_n)
        upper = stats.binom.sf(k - 1, n, pool_k / pool_n)
    conclusions = set(
        np.where(lower < ALPHA, "shortfall", np.where(upper < ALPHA, "excess", "none")).tolist()
    )
    conclusion = next(iter(conclusions)) if len(conclusions) == 1 else "inconclusive"
    # direction: the level's share against the pool's, compared without division
    sign = np.sign(k * pool_n - pool_k * n)
    directions = {int(x) for x in sign.tolist()}
    direction = (
        {-1: "lower", 0: "equal", 1: "higher"}[directions.pop()]
        if len(directions) == 1
        else "unclear"
    )
    # impact ratio: the group's selection rate over everyone else's, (k / g) / ((n - k) / r)
    # with the pool's group g and rest r (as shares for the binomial test: the same ratio)
    rest = pool_n - pool_k
    below = np.where(n - k > 0, k * rest < FOUR_FIFTHS * (n - k) * pool_k, False)
    flags = set(below.tolist())
    out = {
        "conclusion": conclusion,
        "direction": direction,
        "p_lower": float(lower.max()),
        "p_upper": float(upper.max()),
    }
    if (n - k > 0).all():
        out["four_fifths"] = flags.pop() if len(flags) == 1 else None
    return out
