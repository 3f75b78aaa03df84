"""SHAP contributions turned into reasons a person understands.

Every model feature belongs to exactly one *factor* (:data:`FACTOR_OF`). A factor's
contribution is the sum of its features' exact TreeSHAP values, so the base value plus
all factor contributions equals the score. Each factor is rendered as a sentence with
the firm's and the programme's own values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from recommender.constants import CAPABILITIES, CAPABILITY_LABELS, SECTOR_LABELS, TYPE_LABELS
from recommender.constants import TYPE_READINESS_CAPS as READINESS
from recommender.features import PAIR_FEATURES

FACTOR_OF: dict[str, str] = {
    **{f"gap_{c}": f"gap:{c}" for c in CAPABILITIES},
    **dict.fromkeys(("target_gap_mean", "target_gap_max", "target_self_mean",
                     "target_rel_weakness", "target_missing_share"), "target_fit"),
    "readiness": "readiness",
    "log_employees": "firm_size", "size_band": "firm_size",
    "firm_age": "firm_age",
    "log_revenue": "finances", "revenue_growth": "finances",
    "rnd_intensity": "rnd_base", "researchers_per_employee": "rnd_base", "log_patents": "rnd_base",
    "has_rnd_lab": "rnd_base",
    "export_share": "exports",
    "sector": "sector",
    "self_mean": "self_assessment", "n_caps_missing": "self_assessment",
    **{f: "history" for f in PAIR_FEATURES if f.startswith("hist_")},
    "type_taken_before": "history", "last_type_same": "history",
    "log_support": "support_level", "log_support_per_employee": "support_level",
    "duration_months": "programme_format", "log_capacity": "programme_format",
    "n_targets": "programme_format", "regional": "programme_format",
    "sector_restricted": "programme_format", "requires_lab": "programme_format",
    "programme_type": "programme_type",
}
FACTORS: tuple[str, ...] = tuple(dict.fromkeys(FACTOR_OF[f] for f in PAIR_FEATURES))
# (n_features, n_factors) 0/1 matrix: contributions @ GROUPING = factor contributions
GROUPING = np.zeros((len(PAIR_FEATURES), len(FACTORS)))
for _i, _f in enumerate(PAIR_FEATURES):
    GROUPING[_i, FACTORS.index(FACTOR_OF[_f])] = 1.0


@dataclass(frozen=True)
class Contribution:
    """One factor's share of a score, with the sentence that says why."""

    factor: str
    value: float
    text: str


@dataclass(frozen=True)
class Explanation:
    """Base value and every factor's contribution, largest in magnitude first."""

    base_value: float
    contributions: list[Contribution]

    @property
    def total(self) -> float:
        """Base value plus all contributions: the score."""
        return self.base_value + sum(c.value for c in self.contributions)


def factor_contributions(contrib: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Group ``pred_contrib`` rows ``(n, n_features + 1)`` into ``(n, n_factors)`` and base."""
    return contrib[:, :-1] @ GROUPING, contrib[:, -1]


def _fmt(v: Any, spec: str = ".1f") -> str:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return "unknown"
    return "unknown" if np.isnan(f) else format(f, spec)


def _effect(value: float) -> str:
    if abs(value) < 0.005:
        return "hardly changes fit"
    return "raises fit" if value > 0 else "lowers fit"


def _targets(programme: Mapping[str, Any]) -> list[str]:
    spec = programme.get("targets")
    return [t.strip() for t in spec.split(";") if t.strip()] if isinstance(spec, str) else []


def describe(factor: str, *, firm: Mapping[str, Any], programme: Mapping[str, Any],
             peers: Mapping[str, float], features: Mapping[str, float]) -> str:
    """What a factor is about, in the firm's and the programme's own values."""
    if factor.startswith("gap:"):
        cap = factor[4:]
        own = firm.get(cap)
        rated = "not answered" if own is None or _fmt(own) == "unknown" else f"self-rated {_fmt(own, '.0f')}/5"
        label = CAPABILITY_LABELS[cap]
        return (f"{label[0].upper() + label[1:]} {rated}, peers in your sector and size "
                f"{_fmt(peers.get(cap))}")
    if factor == "target_fit":
        names = ", ".join(CAPABILITY_LABELS.get(t, t) for t in _targets(programme)) or "no stated capabilities"
        return (f"The programme strengthens {names}; your gap to peers there is "
                f"{_fmt(features.get('target_gap_mean'), '+.1f')} points on average")
    if factor == "readiness":
        caps = READINESS.get(str(programme.get("programme_type")), ())
        names = ", ".join(CAPABILITY_LABELS[c] for c in caps)
        return f"Readiness to absorb this support ({names}): {_fmt(features.get('readiness'))}/5"
    if factor == "firm_size":
        return f"Firm size: {_fmt(firm.get('employees'), '.0f')} employees"
    if factor == "firm_age":
        return f"Firm age: {_fmt(features.get('firm_age'), '.0f')} years"
    if factor == "finances":
        growth = firm.get("revenue_growth")
        g = "unknown" if _fmt(growth) == "unknown" else f"{float(growth):+.0%}"
        return f"Revenue {_fmt(firm.get('revenue_krw_m'), ',.0f')} million KRW, growth {g}"
    if factor == "rnd_base":
        lab = "with" if firm.get("has_rnd_lab") else "without"
        return (f"R&D base: {_fmt(firm.get('researchers'), '.0f')} researchers, "
                f"{_fmt(firm.get('patents'), '.0f')} patents, {lab} an R&D lab")
    if factor == "exports":
        return f"Exports: {_fmt(100 * float(firm.get('export_share') or 0), '.0f')}% of revenue"
    if factor == "sector":
        return f"Sector: {SECTOR_LABELS.get(str(firm.get('sector')), firm.get('sector'))}"
    if factor == "self_assessment":
        return (f"Self-diagnosis average {_fmt(features.get('self_mean'))}/5 with "
                f"{_fmt(features.get('n_caps_missing'), '.0f')} of 12 items unanswered")
    if factor == "history":
        return (f"Took part in {_fmt(features.get('hist_n_total'), '.0f')} programmes before, "
                f"{_fmt(features.get('type_taken_before'), '.0f')} of this type")
    if factor == "support_level":
        return f"Support of {_fmt(programme.get('support_krw_m'), ',.0f')} million KRW per firm"
    if factor == "programme_format":
        return (f"Format: {_fmt(programme.get('duration_months'), '.0f')} months, "
                f"{_fmt(programme.get('capacity'), '.0f')} places")
    if factor == "programme_type":
        return f"Programme type: {TYPE_LABELS.get(str(programme.get('programme_type')), 'other')}"
    return factor


def explain_row(factor_values: np.ndarray, base_value: float, *, firm: Mapping[str, Any],
                programme: Mapping[str, Any], peers: Mapping[str, float],
                features: Mapping[str, float]) -> Explanation:
    """All factors of one explained pair, sorted by absolute contribution."""
    order = np.argsort(-np.abs(factor_values), kind="stable")
    contributions = [
        Contribution(FACTORS[i], float(factor_values[i]),
                     f"{describe(FACTORS[i], firm=firm, programme=programme, peers=peers, features=features)}: "
                     f"{_effect(float(factor_values[i]))}")
        for i in order
    ]
    return Explanation(float(base_value), contributions)


def contrast(first: Explanation, second: Explanation, *, top: int = 3) -> list[Contribution]:
    """Factors that most put ``first`` above ``second``: differences of contributions."""
    a = {c.factor: c for c in first.contributions}
    b = {c.factor: c.value for c in second.contributions}
    diffs = sorted(((a[f].value - b.get(f, 0.0), f) for f in a), reverse=True)
    return [Contribution(f, d, a[f].text.rsplit(":", 1)[0]) for d, f in diffs[:top] if d > 0]
