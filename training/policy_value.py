"""Off-policy value of a ranking policy: direct method, (self-normalised) IPW, doubly robust.

A *policy* ranks each firm profile's eligible scored programmes (rank 1 = its top
pick); its *value* is the mean over firm profiles of the expected outcome of its top
pick, or of the mean over its top ``k``. The logged data (:mod:`training.logged`)
shows, for every eligible pair ``(i, a)`` of the year, whether the firm joined it
(``D``), the outcome if it did (``Y``), and two fitted nuisances: the propensity
``e = P(D = 1)`` and the outcome model's expected grade ``m``. With ``w = 1 / k_i`` on
each of firm ``i``'s top ``k_i = min(k, its ranked programmes)`` picks ``A_i``:

================  =====================================================================
``dm``            mean_i  sum_{a in A_i} w m_ia
``ips``           mean_i  sum_{a in A_i} w D_ia Y_ia / e_ia
``snips``         sum_i sum_{a in A_i} w D_ia Y_ia / e_ia  /  sum_i sum_{a in A_i} w D_ia / e_ia
``dr``            mean_i  sum_{a in A_i} w (m_ia + D_ia min(1 / e_ia, c) (Y_ia - m_ia))
``dr_unclipped``  mean_i  sum_{a in A_i} w (m_ia + D_ia (Y_ia - m_ia) / e_ia)
================  =====================================================================

``dr`` clips the importance ratio at ``c`` = :data:`CLIP` = 100: a joined pick of
propensity below 1 % (the overlap diagnostic's "low") corrects the outcome model by at
most ``c`` times its residual, and the outcome model answers for the rest. Those few
picks carry much of the unclipped estimator's variance, which the outcome noise sets
(a better outcome model cannot remove it); clipping trades some of it for a bias of
``(1 - c e)`` times the outcome model's error on them. ``c`` was chosen on tuning
worlds only and the estimator validated against the simulator's oracle on others
(``docs/evaluation.md``, "Validation against the oracle").

Intervals are percentile bootstraps that resample firms (each firm keeps all of its
pairs), seeded and deterministic; a paired difference of two policies resamples the
same firms for both. The bootstrap sees the clipped estimator's noise, not its bias, so
``dr``'s interval is **bias-aware**: with ``b = |dr - dr_unclipped|`` (the clip's
estimated bias, the correction it held back) and ``se`` the bootstrap standard error,
each end is widened by ``se (cv(b / se) - z)``, where ``cv(t)``, the ``level`` quantile
of ``|N(t, 1)|``, is the critical value of an interval that holds whatever the bias up
to ``b`` (Armstrong and Kolesar's fixed-length interval) and ``z`` the normal one it
replaces. Nothing clipped, nothing widened. Frames in, frozen results out: the
functions fit nothing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Final, Literal

import numpy as np
import pandas as pd
from scipy.stats import ncx2, norm

from recommender import DataValidationError, Problem
from recommender.constants import FIRM_ID, OUTCOME, PROGRAMME_ID, YEAR
from training.logged import JOINED
from training.policies import picks, year_of

Method = Literal["dm", "ips", "snips", "dr", "dr_unclipped"]
METHODS: Final[tuple[str, ...]] = ("dm", "ips", "snips", "dr", "dr_unclipped")
PROPENSITY: Final[str] = "propensity"
EXPECTED: Final[str] = "expected"
N_BOOT: Final[int] = 1000
LOW_PROPENSITY: Final[float] = 0.01
CLIP: Final[float] = 1 / LOW_PROPENSITY  # the largest importance ratio ``dr`` uses (100)
_CHUNK_CELLS: Final[int] = 2_000_000  # bootstrap draws x firms held in memory at once


@dataclass(frozen=True)
class PolicyValue:
    """An estimated policy value (or a paired difference of two) with its interval.

    ``n_firms`` firm profiles were averaged over; ``n_matched`` of them had joined one
    of the policy's picks (the ones the observed outcomes speak for). ``allowance`` is
    how far each end of the percentile interval was moved out for the clip's estimated
    bias (``dr`` only; 0 when no ratio was clipped).
    """

    estimate: float
    ci_low: float
    ci_high: float
    year: int
    k: int
    method: str
    n_firms: int
    n_matched: int
    allowance: float = 0.0

    def as_dict(self) -> dict[str, float | int | str]:
        """The interface's keys: estimate, ci_low, ci_high, year, k, method."""
        out = asdict(self)
        return {key: out[key] for key in ("estimate", "ci_low", "ci_high", "year", "k", "method")}


@dataclass(frozen=True)
class _Terms:
    """Per firm (sorted by id): numerator and denominator of the estimate, matched."""

    num: np.ndarray
    den: np.ndarray
    matched: np.ndarray
    year: int


def _chosen(logged: pd.DataFrame, ranking: pd.DataFrame, *, k: int) -> tuple[pd.DataFrame, int]:
    """The policy's top-``k`` picks with their weights ``w``, and the year; refused when
    the policy ranks no pair of the year."""
    year = year_of(logged)
    chosen = picks(logged, ranking, k=k)
    if chosen.empty:
        raise DataValidationError(
            [
                Problem(
                    "programmes",
                    None,
                    YEAR,
                    year,
                    f"firm profiles of {year} with a ranked eligible scored programme (none)",
                )
            ]
        )
    return chosen, year


def _terms(chosen: pd.DataFrame, year: int, *, k: int, method: str) -> _Terms:
    joined = chosen[JOINED].to_numpy(bool)
    w = chosen["w"].to_numpy(float)
    m = np.zeros(len(w)) if method in ("ips", "snips") else chosen[EXPECTED].to_numpy(float)
    y = np.where(joined, chosen[OUTCOME].to_numpy(float), 0.0)
    ratio = np.where(joined, 1.0 / chosen[PROPENSITY].to_numpy(float), 0.0)
    if method == "dm":
        num, den = w * m, np.zeros(len(w))
    elif method == "dr":
        num, den = w * (m + np.minimum(ratio, CLIP) * (y - m)), np.zeros(len(w))
    elif method == "dr_unclipped":
        num, den = w * (m + ratio * (y - m)), np.zeros(len(w))
    else:
        num, den = w * ratio * y, w * ratio
    codes, firms = pd.factorize(chosen[FIRM_ID], sort=True)
    n = len(firms)
    sums = [np.bincount(codes, weights=v, minlength=n) for v in (num, den, joined)]
    if method != "snips":
        sums[1] = np.ones(n)
    matched = sums[2] > 0
    if method != "dm" and not matched.any():
        raise DataValidationError(
            [
                Problem(
                    "outcomes",
                    None,
                    PROGRAMME_ID,
                    None,
                    f"participations of {year} in programmes the policy ranks in its top {k}: none "
                    f"of the {n} firm profiles of {year} took part in one, so the outcomes do not "
                    f"overlap the policy and its value cannot be estimated by {method}",
                )
            ]
        )
    return _Terms(sums[0], sums[1], matched, year)


def _bootstrap(terms: list[_Terms], signs: list[float], *, n_boot: int, seed: int) -> np.ndarray:
    """``n_boot`` resampled values of sum_j sign_j * sum(num_j) / sum(den_j), firms drawn
    with replacement (the same firms for every policy)."""
    n = len(terms[0].num)
    rng = np.random.default_rng(seed)
    chunk = max(1, _CHUNK_CELLS // max(n, 1))
    out = np.empty(n_boot)
    for start in range(0, n_boot, chunk):
        idx = rng.integers(0, n, size=(min(chunk, n_boot - start), n))
        value = np.zeros(len(idx))
        for t, sign in zip(terms, signs, strict=True):
            value += sign * t.num[idx].sum(1) / t.den[idx].sum(1)
        out[start : start + len(idx)] = value
    return out


def bias_allowance(bias: float, se: float, *, level: float) -> float:
    """How far to move each end of a ``level`` interval of standard error ``se`` out so
    that it holds for any bias up to ``|bias|``: ``se (cv(|bias| / se) - z)``, with
    ``cv(t)`` the ``level`` quantile of ``|N(t, 1)|`` and ``z`` that of ``|N(0, 1)|``."""
    bias = abs(bias)
    if bias == 0.0:
        return 0.0
    if se <= 0.0:
        return bias
    z = float(norm.ppf((1 + level) / 2))
    cv = float(np.sqrt(ncx2.ppf(level, 1, (bias / se) ** 2)))
    return se * max(cv - z, 0.0)


def _value(terms: list[_Terms], signs: list[float]) -> float:
    return float(sum(s * t.num.sum() / t.den.sum() for t, s in zip(terms, signs, strict=True)))


def _result(
    terms: list[_Terms],
    signs: list[float],
    *,
    k: int,
    method: str,
    n_boot: int,
    seed: int,
    level: float,
    unclipped: list[_Terms] | None = None,
) -> PolicyValue:
    estimate = _value(terms, signs)
    draws = _bootstrap(terms, signs, n_boot=n_boot, seed=seed)
    with np.errstate(invalid="ignore"):  # a draw with no matched firm (snips) is NaN
        low, high = np.nanquantile(draws, [(1 - level) / 2, (1 + level) / 2])
    allowance = 0.0
    if unclipped is not None:
        se = float(np.std(draws, ddof=1)) if n_boot > 1 else 0.0
        allowance = bias_allowance(estimate - _value(unclipped, signs), se, level=level)
    matched = np.logical_or.reduce([t.matched for t in terms])
    return PolicyValue(
        estimate,
        float(low) - allowance,
        float(high) + allowance,
        terms[0].year,
        k,
        method,
        len(terms[0].num),
        int(matched.sum()),
        allowance,
    )


def _estimate(
    logged: pd.DataFrame,
    rankings: list[pd.DataFrame],
    signs: list[float],
    *,
    method: str,
    k: int,
    n_boot: int,
    seed: int,
    level: float,
) -> PolicyValue:
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, not {method!r}")
    chosen = [_chosen(logged, r, k=k) for r in rankings]
    terms = [_terms(c, year, k=k, method=method) for c, year in chosen]
    if len({len(t.num) for t in terms}) > 1:
        raise ValueError(
            f"the two policies rank different firm profiles of {terms[0].year} "
            f"({len(terms[0].num)} and {len(terms[1].num)})"
        )
    unclipped = (
        [_terms(c, year, k=k, method="dr_unclipped") for c, year in chosen]
        if method == "dr"
        else None
    )
    return _result(
        terms,
        signs,
        k=k,
        method=method,
        n_boot=n_boot,
        seed=seed,
        level=level,
        unclipped=unclipped,
    )


def policy_value(
    logged: pd.DataFrame,
    ranking: pd.DataFrame,
    *,
    method: Method = "dr",
    k: int = 1,
    n_boot: int = N_BOOT,
    seed: int = 42,
    level: float = 0.95,
) -> PolicyValue:
    """The estimated mean expected outcome of the policy's top ``k`` picks.

    Parameters
    ----------
    logged : pandas.DataFrame
        Every eligible scored pair of one year: ``firm_id, year, programme_id, joined,
        outcome, propensity, expected`` (:func:`training.off_policy.logged_values`).
    ranking : pandas.DataFrame
        ``firm_id, year, programme_id, rank`` (``Recommender.score`` output).
    method : {"dm", "ips", "snips", "dr", "dr_unclipped"}
    k : int
        The value of the mean over the top ``k`` (1: the top pick).
    n_boot, seed, level
        Bootstrap draws (firms resampled), their seed, the interval's coverage.

    Raises
    ------
    DataValidationError
        No firm profile with a ranked pair, or (every method but ``dm``) no firm that
        joined one of the policy's picks: no overlap. Names the year.
    """
    return _estimate(
        logged, [ranking], [1.0], method=method, k=k, n_boot=n_boot, seed=seed, level=level
    )


def policy_difference(
    logged: pd.DataFrame,
    candidate: pd.DataFrame,
    baseline: pd.DataFrame,
    *,
    method: Method = "dr",
    k: int = 1,
    n_boot: int = N_BOOT,
    seed: int = 42,
    level: float = 0.95,
) -> PolicyValue:
    """Value of ``candidate`` minus value of ``baseline`` on the same logged pairs, with a
    paired interval (each draw resamples the same firms for both).

    Both policies must rank the same firm profiles. Raises as :func:`policy_value`.
    """
    return _estimate(
        logged,
        [candidate, baseline],
        [1.0, -1.0],
        method=method,
        k=k,
        n_boot=n_boot,
        seed=seed,
        level=level,
    )


def overlap(
    logged: pd.DataFrame, ranking: pd.DataFrame | None = None, *, k: int = 1
) -> dict[str, float]:
    """How well the participations cover the pairs (or one policy's top-``k`` picks).

    Returns ``share_below_1pct`` (pairs, or picks, with propensity below 1 %), ``ess``
    (Kish effective sample size of the inverse-propensity weights: of the joined pairs,
    or of the firms' weights sum_a w D / e under the policy), ``n_joined`` and ``n``.
    """
    if ranking is None:
        e = logged[PROPENSITY].to_numpy(float)
        weights = 1.0 / e[logged[JOINED].to_numpy(bool)]
    else:
        chosen = picks(logged, ranking, k=k)
        e = chosen[PROPENSITY].to_numpy(float)
        ratio = np.where(chosen[JOINED].to_numpy(bool), chosen["w"].to_numpy(float) / e, 0.0)
        weights = chosen.assign(r=ratio).groupby(FIRM_ID)["r"].sum().to_numpy(float)
    total = weights.sum()
    ess = float(total**2 / (weights**2).sum()) if total > 0 else 0.0
    return {
        "share_below_1pct": float((e < LOW_PROPENSITY).mean()) if len(e) else 0.0,
        "ess": ess,
        "n_joined": float((weights > 0).sum()),
        "n": float(len(weights)),
    }
