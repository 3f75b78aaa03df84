"""The causal model of programme benefit (``docs/causal-model.md``), in closed form.

For a firm ``i`` and an offering ``p`` of type ``t`` targeting capabilities ``K``::

    gap_ik   = softplus_s(peer_ik - true_ik)               (room to gain on k)
    G_ip     = mean_{k in K} gap_ik                        (room to gain on p's targets)
    A_it     = sigmoid(a0 + capacity terms of type t)       (absorptive capacity)
    S_ip     = log(1 + support_p / employees_i / s0)        (support intensity)
    R_ip     = text match of what i does with what p says     (TF-IDF cosine, [0, 1])
    B_ip     = base_t + b_fit G_ip A_it + b_sup S_ip + b_text R_ip - b_rep log(1 + n_same_it)
    outcome  = #{j : B_ip + e > c_j},   e ~ Logistic(0, scale)

so ``P(outcome >= j) = sigmoid((B - c_j) / scale)`` and
``E[outcome] = sum_j sigmoid((B - c_j) / scale)`` exactly: the oracle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

from recommender.constants import CAPABILITIES, OUTCOME_MAX, PROGRAMME_TYPES, SECTORS
from recommender.simulate.capabilities import CAP_INDEX, N_CAPS, rnd_readiness
from recommender.simulate.firms import KBS

N_TYPES: Final[int] = len(PROGRAMME_TYPES)
TYPE_INDEX: Final[dict[str, int]] = {t: i for i, t in enumerate(PROGRAMME_TYPES)}

# --- parameters (docs/causal-model.md, "Parameters") ---------------------------------
PEER_PRIOR: Final[float] = 20.0  # pseudo-firms shrinking a thin peer cell to its sector
GAP_SOFTNESS: Final[float] = 0.3  # softplus temperature: a firm at its peers' level has
# a little room left, one far above has none
CAPACITY_INTERCEPT: Final[float] = -0.2
HR_WEIGHT: Final[float] = 0.7  # cap_hr_skills (2014: lack of human resources)
COORDINATION_WEIGHT: Final[float] = 0.5  # cap_internal_coordination (2014: coordination)
RESEARCHERS_WEIGHT: Final[float] = 0.4  # researchers help every type absorb support
B_FIT: Final[float] = 3.5
B_SUPPORT: Final[float] = 0.25
SUPPORT_SCALE: Final[float] = 2.0  # million KRW per employee at which S = log 2
B_TEXT: Final[float] = 5.0  # per unit of text match (0.1-0.3: its own industry named)
B_REPEAT: Final[float] = 0.6  # diminishing returns of taking the same type again
BASE: Final[dict[str, float]] = {
    "consulting": 0.1,
    "rnd_planning": 0.0,
    "education": 0.0,
    "industry_academic": 0.0,
    "commercialization": 0.1,
    "globalization": 0.0,
    "finance": 0.1,
    "workforce": 0.0,
    "other": 0.6,
}
# What a million KRW of each type's stated support is worth to the firm: a loan or a
# guarantee's face value is what it may borrow, worth about a tenth of a grant.
SUPPORT_VALUE: Final[dict[str, float]] = {"finance": 0.1}
THRESHOLDS: Final[np.ndarray] = np.array([0.0, 1.1, 2.2])  # c_1, c_2, c_3
SCALE: Final[float] = 0.5  # logistic noise scale of the realised grade
GAIN_PER_GRADE: Final[float] = 0.1  # next year's true level rises this much per grade on
# each targeted capability


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # exact and overflow-free


def peer_reference(
    caps: np.ndarray, sector: np.ndarray, band: np.ndarray, *, prior: float = PEER_PRIOR
) -> np.ndarray:
    """Each firm's peer level ``(n, 12)``: its sector x size band's mean true level.

    A cell's mean is shrunk towards the sector mean with ``prior`` pseudo-firms, and the
    sector mean towards the population mean likewise, so thin cells lean on wider groups.
    """
    n_bands = int(band.max(initial=0)) + 1
    cell = sector * n_bands + band
    n_cells = len(SECTORS) * n_bands
    pop_mean = caps.mean(0) if len(caps) else np.full(N_CAPS, 3.0)
    s_n = np.bincount(sector, minlength=len(SECTORS)).astype(float)[:, None]
    s_sum = np.stack(
        [np.bincount(sector, caps[:, k], minlength=len(SECTORS)) for k in range(N_CAPS)], axis=1
    )
    s_mean = (s_sum + prior * pop_mean) / (s_n + prior)
    c_n = np.bincount(cell, minlength=n_cells).astype(float)[:, None]
    c_sum = np.stack(
        [np.bincount(cell, caps[:, k], minlength=n_cells) for k in range(N_CAPS)], axis=1
    )
    c_mean = (c_sum + prior * s_mean[np.arange(n_cells) // n_bands]) / (c_n + prior)
    return c_mean[cell]


def capability_gaps(
    caps: np.ndarray, reference: np.ndarray, *, softness: float = GAP_SOFTNESS
) -> np.ndarray:
    """Room to gain ``(n, 12)``: how far below its peers a firm truly stands, smoothed."""
    return softness * np.logaddexp(0.0, (reference - caps) / softness)


def absorptive_capacity(
    caps: np.ndarray,
    *,
    researchers: np.ndarray,
    lab: np.ndarray,
    export_share: np.ndarray,
    sector: np.ndarray,
) -> np.ndarray:
    """Capacity ``(n, types)`` in (0, 1) to absorb each programme type's support.

    Human resources and internal coordination matter for every type; R&D readiness
    (lab, researchers, technology planning) for R&D planning, industry-academic
    cooperation and commercialization (which also needs access to finance); global
    orientation, exports and -- most for knowledge-based services -- global
    partnerships for globalization; R&D readiness and commercialization for finance
    (money that has a use), internal coordination for workforce support (someone to
    take the new hire in).
    """
    z = caps - 3.0

    def cap(name: str) -> np.ndarray:
        return z[:, CAP_INDEX[name]]

    rd = rnd_readiness(researchers, lab)
    common = (
        CAPACITY_INTERCEPT
        + HR_WEIGHT * cap("cap_hr_skills")
        + COORDINATION_WEIGHT * cap("cap_internal_coordination")
        + RESEARCHERS_WEIGHT * np.tanh(researchers / 4.0)
    )
    kbs = KBS[sector]
    terms = {
        "consulting": 0.3 * cap("cap_internal_coordination"),
        "rnd_planning": 0.8 * rd + 0.5 * cap("cap_tech_planning") - 0.4,
        "education": 0.4 * cap("cap_feedback"),
        "industry_academic": 0.8 * rd + 0.4 * cap("cap_rnd_execution") - 0.4,
        "commercialization": (
            0.5 * rd + 0.3 * cap("cap_rnd_execution") + 0.4 * cap("cap_funding_access") - 0.2
        ),
        "globalization": (
            0.6 * cap("cap_global_orientation")
            + 1.2 * np.sqrt(export_share)
            + np.where(kbs, 0.6, 0.25) * cap("cap_global_partnerships")
            - 0.3
        ),
        "finance": 0.3 * rd + 0.3 * cap("cap_commercialization") - 0.2,
        "workforce": 0.4 * cap("cap_internal_coordination") + 0.2,
        "other": np.zeros(len(caps)),
    }
    return _sigmoid(common[:, None] + np.stack([terms[t] for t in PROGRAMME_TYPES], axis=1))


@dataclass(frozen=True)
class Offerings:
    """The programme side of the model for ``m`` offerings.

    Attributes
    ----------
    targets : ndarray of bool, shape (m, 12)
    type_code : ndarray of int, shape (m,)
        Index into ``PROGRAMME_TYPES``.
    support : ndarray of float, shape (m,)
        True support per firm, million KRW.
    """

    targets: np.ndarray
    type_code: np.ndarray
    support: np.ndarray

    @classmethod
    def from_columns(
        cls,
        targets: list[str | None] | np.ndarray,
        types: list[str] | np.ndarray,
        support: np.ndarray,
    ) -> Offerings:
        """From ``;``-separated target strings, type names and support amounts."""
        mask = np.zeros((len(types), N_CAPS), dtype=bool)
        for row, spec in enumerate(targets):
            if isinstance(spec, str):
                for c in spec.split(";"):
                    mask[row, CAPABILITIES.index(c)] = True
        codes = np.array([TYPE_INDEX[t] for t in types], dtype=np.int64)
        return cls(mask, codes, np.asarray(support, dtype=float))


def support_intensity(
    support: np.ndarray, type_code: np.ndarray, employees: np.ndarray
) -> np.ndarray:
    """``S = log(1 + worth / employees / s0)``, the support's worth being its stated
    amount times :data:`SUPPORT_VALUE` of its type (arrays broadcast)."""
    value = np.array([SUPPORT_VALUE.get(t, 1.0) for t in PROGRAMME_TYPES])[type_code]
    return np.log1p(support * value / employees / SUPPORT_SCALE)


def latent_benefit(
    gaps: np.ndarray,
    capacity: np.ndarray,
    employees: np.ndarray,
    history: np.ndarray,
    offerings: Offerings,
    relatedness: np.ndarray | None = None,
) -> np.ndarray:
    """Latent benefit ``B`` ``(n, m)`` of every firm with every offering.

    Parameters
    ----------
    gaps : ndarray, shape (n, 12)
        :func:`capability_gaps`.
    capacity : ndarray, shape (n, types)
        :func:`absorptive_capacity`.
    employees : ndarray, shape (n,)
    history : ndarray, shape (n, types)
        Programmes of each type the firm took part in, in earlier years.
    offerings : Offerings
    relatedness : ndarray, shape (n, m), optional
        ``R``: how well what each firm does matches what each offering says
        (``world.text_relatedness``); None: no text term.
    """
    n_targets = np.maximum(offerings.targets.sum(1), 1)
    room = gaps @ (offerings.targets / n_targets[:, None]).T
    absorb = capacity[:, offerings.type_code]
    intensity = support_intensity(
        offerings.support[None, :], offerings.type_code[None, :], employees[:, None]
    )
    repeat = np.log1p(history[:, offerings.type_code])
    base = np.array([BASE[t] for t in PROGRAMME_TYPES])[offerings.type_code]
    benefit = base + B_FIT * room * absorb + B_SUPPORT * intensity - B_REPEAT * repeat
    if relatedness is not None:
        benefit += B_TEXT * relatedness
    return benefit


def expected_outcome(benefit: np.ndarray) -> np.ndarray:
    """Exact ``E[outcome]`` in [0, 3] of the ordinal logistic model at latent ``benefit``."""
    b = np.asarray(benefit, dtype=float)[..., None]
    return _sigmoid((b - THRESHOLDS) / SCALE).sum(-1)


def draw_outcome(benefit: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Realised grades 0..3: thresholds passed by ``benefit`` plus logistic noise."""
    b = np.asarray(benefit, dtype=float)
    latent = b + rng.logistic(0.0, SCALE, b.shape)
    return np.minimum((latent[..., None] > THRESHOLDS).sum(-1), OUTCOME_MAX).astype(np.int64)


def capability_gains(grades: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Next year's rise in true levels ``(k, 12)`` after ``k`` participations."""
    return GAIN_PER_GRADE * grades[:, None] * targets
