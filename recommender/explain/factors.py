"""Which factor each model feature belongs to, and SHAP values grouped into factors.

Every model feature belongs to exactly one *factor* (:data:`FACTOR_OF`). A factor's
contribution is the sum of its features' exact TreeSHAP values, so the base value plus
all factor contributions equals the score.
"""

from __future__ import annotations

import numpy as np

from recommender.constants import CAPABILITIES
from recommender.features import PAIR_FEATURES

FACTOR_OF: dict[str, str] = {
    **{f"gap_{c}": f"gap:{c}" for c in CAPABILITIES},
    **dict.fromkeys(
        (
            "target_gap_mean",
            "target_gap_max",
            "target_self_mean",
            "target_rel_weakness",
            "target_missing_share",
        ),
        "target_fit",
    ),
    "readiness": "readiness",
    "log_employees": "firm_size",
    "size_band": "firm_size",
    "firm_age": "firm_age",
    "log_revenue": "finances",
    "revenue_growth": "finances",
    "rnd_intensity": "rnd_base",
    "researchers_per_employee": "rnd_base",
    "log_patents": "rnd_base",
    "has_rnd_lab": "rnd_base",
    "export_share": "exports",
    "sector": "sector",
    "self_mean": "self_assessment",
    "n_caps_missing": "self_assessment",
    **{f: "history" for f in PAIR_FEATURES if f.startswith("hist_")},
    "type_taken_before": "history",
    "last_type_same": "history",
    "log_support": "support_level",
    "log_support_per_employee": "support_level",
    "duration_months": "programme_format",
    "log_capacity": "programme_format",
    "n_targets": "programme_format",
    "regional": "programme_format",
    "sector_restricted": "programme_format",
    "requires_lab": "programme_format",
    "programme_type": "programme_type",
    "text_match": "text_match",
}
FACTORS: tuple[str, ...] = tuple(dict.fromkeys(FACTOR_OF[f] for f in PAIR_FEATURES))
# (n_features, n_factors) 0/1 matrix: contributions @ GROUPING = factor contributions
GROUPING = np.zeros((len(PAIR_FEATURES), len(FACTORS)))
for _i, _f in enumerate(PAIR_FEATURES):
    GROUPING[_i, FACTORS.index(FACTOR_OF[_f])] = 1.0


def factor_contributions(contrib: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Group ``pred_contrib`` rows ``(n, n_features + 1)`` into ``(n, n_factors)`` and base."""
    return contrib[:, :-1] @ GROUPING, contrib[:, -1]
