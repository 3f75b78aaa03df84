"""True capability levels and their self-diagnosis.

Every firm has a latent, continuous *true* level (1..5) on each of the twelve ``cap_*``
items, built from a few latent factors (general management, technology, global,
market) plus its size, R&D and exports, so the items correlate with each other and
with what the firm is. What the data shows is the firm's *self-diagnosis*: the true
level read through a persistent per-firm bias, item noise and rounding, with answers
missing. See ``docs/causal-model.md`` for every number here.
"""

from __future__ import annotations

from typing import Final

import numpy as np

from recommender.constants import CAP_MAX, CAP_MIN, CAPABILITIES, SECTORS

N_CAPS: Final[int] = len(CAPABILITIES)
CAP_INDEX: Final[dict[str, int]] = {c: i for i, c in enumerate(CAPABILITIES)}
SECTOR_INDEX: Final[dict[str, int]] = {s: i for i, s in enumerate(SECTORS)}

# --- true capabilities ----------------------------------------------------------------
# latent factors: general management, technology, global, market
FACTORS: Final[tuple[str, ...]] = ("general", "technology", "global", "market")
LOADINGS: Final[np.ndarray] = np.array(
    [
        # gen  tech  glob  mkt
        [0.45, 0.55, 0.00, 0.00],  # cap_tech_planning
        [0.40, 0.60, 0.00, 0.00],  # cap_rnd_execution
        [0.45, 0.30, 0.00, 0.35],  # cap_commercialization
        [0.40, 0.00, 0.15, 0.55],  # cap_marketing
        [0.55, 0.25, 0.00, 0.00],  # cap_hr_skills
        [0.45, 0.10, 0.00, 0.10],  # cap_funding_access
        [0.60, 0.00, 0.00, 0.10],  # cap_internal_coordination
        [0.50, 0.00, 0.00, 0.35],  # cap_nontech_innovation
        [0.40, 0.50, 0.10, 0.00],  # cap_tech_acquisition
        [0.60, 0.15, 0.00, 0.00],  # cap_feedback
        [0.30, 0.00, 0.70, 0.00],  # cap_global_orientation
        [0.25, 0.05, 0.65, 0.00],  # cap_global_partnerships
    ]
)
CAP_BASE: Final[float] = 2.8  # SMEs are weak in MOT on average (2014 report)
CAP_NOISE: Final[float] = 0.45  # item-specific part of a true level
SIZE_EFFECT: Final[np.ndarray] = np.array(
    [0.12, 0.12, 0.12, 0.12, 0.20, 0.30, 0.05, 0.10, 0.12, 0.12, 0.15, 0.15]
)
RND_EFFECT: Final[np.ndarray] = np.array(
    [0.40, 0.45, 0.20, 0.00, 0.15, 0.05, 0.00, 0.00, 0.35, 0.10, 0.00, 0.05]
)
EXPORT_EFFECT: Final[np.ndarray] = np.array(
    [0.00, 0.00, 0.10, 0.20, 0.00, 0.05, 0.00, 0.00, 0.00, 0.00, 1.10, 1.00]
)
_SECTOR_CAP = {  # sector offsets on groups of capabilities
    "mfg_high_tech": {"tech": 0.30},
    "mfg_mid_tech": {"tech": 0.10},
    "mfg_low_tech": {"tech": -0.20, "nontech": -0.10},
    "kbs_ict": {"tech": 0.20, "global": 0.10},
    "kbs_professional": {"nontech": 0.20, "market": 0.10},
    "kbs_content": {"nontech": 0.20, "market": 0.20},
    "other_services": {"tech": -0.30, "global": -0.20},
}
_CAP_GROUPS = {
    "tech": ("cap_tech_planning", "cap_rnd_execution", "cap_tech_acquisition"),
    "nontech": ("cap_nontech_innovation", "cap_internal_coordination"),
    "market": ("cap_marketing", "cap_commercialization"),
    "global": ("cap_global_orientation", "cap_global_partnerships"),
}
CAP_DRIFT: Final[float] = 0.05  # yearly random drift of a true level

# --- self-diagnosis -------------------------------------------------------------------
BIAS_MEAN: Final[float] = 0.25  # firms over-rate themselves on average ...
BIAS_SD: Final[float] = 0.35  # ... some much more than others
BIAS_WEAKNESS: Final[float] = 0.20  # weaker firms over-rate more
ITEM_NOISE: Final[float] = 0.55
SKIP_ALL_RATE: Final[float] = 0.06  # firm-years with no self-diagnosis at all
MISSING_A, MISSING_B = 1.2, 9.0  # per-firm item non-response propensity ~ Beta(a, b)
ITEM_MISSING: Final[np.ndarray] = np.array(
    [0.85, 0.85, 0.85, 0.85, 0.85, 1.5, 0.85, 0.85, 0.85, 1.3, 1.3, 1.6]
)


def _sector_cap_offsets() -> np.ndarray:
    out = np.zeros((len(SECTORS), N_CAPS))
    for sector, groups in _SECTOR_CAP.items():
        for group, value in groups.items():
            for cap in _CAP_GROUPS[group]:
                out[SECTOR_INDEX[sector], CAP_INDEX[cap]] += value
    return out


def true_levels(
    factors: np.ndarray,
    sector: np.ndarray,
    employees: np.ndarray,
    researchers: np.ndarray,
    lab: np.ndarray,
    export_share: np.ndarray,
    item: np.ndarray,
) -> np.ndarray:
    """True capability levels ``(n, 12)`` on the 1..5 scale from a firm's make-up.

    Parameters
    ----------
    factors : ndarray, shape (n, 4)
        Latent general, technology, global and market factors.
    sector : ndarray of int
        Codes into ``SECTORS``.
    employees, researchers : ndarray of int
    lab : ndarray of bool
    export_share : ndarray of float
    item : ndarray, shape (n, 12)
        The item-specific parts (noise).
    """
    log_size = (np.log(employees) - np.log(10.0)) / 1.2
    level = (
        CAP_BASE
        + factors @ LOADINGS.T
        + _sector_cap_offsets()[sector]
        + log_size[:, None] * SIZE_EFFECT
        + rnd_readiness(researchers, lab)[:, None] * RND_EFFECT
        + np.sqrt(export_share)[:, None] * EXPORT_EFFECT
        + item
    )
    return np.clip(level, CAP_MIN, CAP_MAX)


def rnd_readiness(researchers: np.ndarray, lab: np.ndarray) -> np.ndarray:
    """R&D readiness in [0, ~1.3]: researchers (saturating) and a registered lab."""
    return np.tanh(researchers / 4.0) + 0.3 * lab


def self_bias(truth: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each firm's persistent self-rating bias: over-rating on average, more when weak."""
    return BIAS_MEAN + rng.normal(0.0, BIAS_SD, len(truth)) - BIAS_WEAKNESS * (truth.mean(1) - 3.0)


def missing_propensity(n: int, rng: np.random.Generator) -> np.ndarray:
    """Each firm's item non-response rate, ~ Beta(MISSING_A, MISSING_B)."""
    return rng.beta(MISSING_A, MISSING_B, n)


def self_ratings(
    truth: np.ndarray, bias: np.ndarray, missing_rate: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """The self-diagnosis ``(k, 12)`` of ``k`` firms: 1..5 as floats, NaN unanswered.

    Each answer is the true level plus the firm's persistent bias plus item noise,
    rounded and clipped to 1..5; items go unanswered at the firm's own rate (some items
    more often), and some firm-years skip the whole questionnaire.
    """
    reading = truth + bias[:, None] + rng.normal(0.0, ITEM_NOISE, truth.shape)
    rating = np.clip(np.round(reading), CAP_MIN, CAP_MAX)
    p_missing = np.minimum(missing_rate[:, None] * ITEM_MISSING[None, :], 0.9)
    missing = rng.random(truth.shape) < p_missing
    missing |= (rng.random(len(truth)) < SKIP_ALL_RATE)[:, None]
    return np.where(missing, np.nan, rating)
