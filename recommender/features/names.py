"""Names of the model's features, in the column order of its input matrix."""

from __future__ import annotations

from recommender.constants import CAPABILITIES, SCORED_TYPES

N_CAPS = len(CAPABILITIES)
HISTORY_COLUMNS: tuple[str, ...] = (
    "hist_n_total",
    *(f"hist_n_{t}" for t in SCORED_TYPES),
    "hist_last_type",
    "hist_last_outcome",
    "hist_mean_outcome",
)
FIRM_FEATURES: tuple[str, ...] = (
    "sector",
    "size_band",
    "firm_age",
    "log_employees",
    "log_revenue",
    "revenue_growth",
    "export_share",
    "rnd_intensity",
    "researchers_per_employee",
    "log_patents",
    "has_rnd_lab",
    "self_mean",
    "n_caps_missing",
    *(f"gap_{c}" for c in CAPABILITIES),
    *HISTORY_COLUMNS,
)
PROGRAMME_FEATURES: tuple[str, ...] = (
    "programme_type",
    "log_support",
    "log_support_per_employee",
    "duration_months",
    "log_capacity",
    "n_targets",
    "regional",
    "sector_restricted",
    "requires_lab",
)
FIT_FEATURES: tuple[str, ...] = (
    "target_gap_mean",
    "target_gap_max",
    "target_self_mean",
    "target_rel_weakness",
    "target_missing_share",
    "readiness",
    "type_taken_before",
    "last_type_same",
    "text_match",
)
PAIR_FEATURES: tuple[str, ...] = (*FIRM_FEATURES, *PROGRAMME_FEATURES, *FIT_FEATURES)
CATEGORICAL_FEATURES: tuple[str, ...] = ("sector", "size_band", "hist_last_type", "programme_type")
