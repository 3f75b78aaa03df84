"""Enums, key column names and defaults of the data contract (``docs/contract.md``).

Every enum value and default lives here so the rest of the code refers to it by name.
The tables' columns, with their kinds and bounds, are written once in
:mod:`recommender.contract.fields` (``FIRM_COLUMNS`` and the other column tuples too).
"""

from __future__ import annotations

from typing import Final

REGIONS: Final[tuple[str, ...]] = (
    "seoul",
    "busan",
    "daegu",
    "incheon",
    "gwangju",
    "daejeon",
    "ulsan",
    "sejong",
    "gyeonggi",
    "gangwon",
    "chungbuk",
    "chungnam",
    "jeonbuk",
    "jeonnam",
    "gyeongbuk",
    "gyeongnam",
    "jeju",
)
SECTORS: Final[tuple[str, ...]] = (
    "mfg_high_tech",
    "mfg_mid_tech",
    "mfg_low_tech",
    "kbs_ict",
    "kbs_professional",
    "kbs_content",
    "other_services",
)
# Types the ranker scores; ``other`` is listed and filtered but carries no fit score.
SCORED_TYPES: Final[tuple[str, ...]] = (
    "consulting",
    "rnd_planning",
    "education",
    "industry_academic",
    "commercialization",
    "globalization",
    "finance",
    "workforce",
)
OTHER_TYPE: Final[str] = "other"
PROGRAMME_TYPES: Final[tuple[str, ...]] = (*SCORED_TYPES, OTHER_TYPE)
# Contract v1's seven types (finance and workforce came with v2): the first Bizinfo
# classification (``classify_text``) and its labelled sample still speak these.
V1_PROGRAMME_TYPES: Final[tuple[str, ...]] = (*SCORED_TYPES[:6], OTHER_TYPE)

# The twelve-item management-of-technology self-diagnosis, 1 = very weak, 5 = very strong.
CAPABILITIES: Final[tuple[str, ...]] = (
    "cap_tech_planning",
    "cap_rnd_execution",
    "cap_commercialization",
    "cap_marketing",
    "cap_hr_skills",
    "cap_funding_access",
    "cap_internal_coordination",
    "cap_nontech_innovation",
    "cap_tech_acquisition",
    "cap_feedback",
    "cap_global_orientation",
    "cap_global_partnerships",
)
CAP_MIN: Final[int] = 1
CAP_MAX: Final[int] = 5

OUTCOME_MIN: Final[int] = 0
OUTCOME_MAX: Final[int] = 3

ALL: Final[str] = "*"  # wildcard in programmes.sectors / programmes.regions
LIST_SEP: Final[str] = ";"  # separator of list-valued programme columns

# --- contract v2: statuses a firm declares and a programme may require ----------------
# The applicant groups Bizinfo announcements name (recommender/bizinfo/groups.py reads
# them); small_merchant is also derived from size and sector, preliminary_founder
# means "not founded yet".
FIRM_FLAGS: Final[tuple[str, ...]] = (
    "small_merchant",
    "women_owned",
    "social_enterprise",
    "venture_certified",
    "innobiz",
    "mainbiz",
    "disabled_owned",
    "preliminary_founder",
    "youth_founder",
)
# Statuses that follow from a profile's facts and are never asked: small_merchant from
# size and sector, preliminary_founder is never held by a founded firm (every profile).
DERIVED_FLAGS: Final[tuple[str, ...]] = ("small_merchant", "preliminary_founder")
# The statuses a firm is asked to declare (the portal's checkboxes).
DECLARED_FLAGS: Final[tuple[str, ...]] = tuple(f for f in FIRM_FLAGS if f not in DERIVED_FLAGS)
# A firm_flags value saying the firm has declared that it holds none of them: programmes
# for a group are then decided for it, not left as conditions to check.
NO_FLAGS: Final[str] = "none"
SUPPORT_KINDS: Final[tuple[str, ...]] = (
    "grant",
    "loan",
    "guarantee",
    "interest_subsidy",
    "voucher",
    "consulting",
    "training",
    "tax",
    "in_kind",
    "other",
)

# --- column names -------------------------------------------------------------------
FIRM_ID: Final[str] = "firm_id"
PROGRAMME_ID: Final[str] = "programme_id"
YEAR: Final[str] = "year"
OUTCOME: Final[str] = "outcome"

# --- firm size bands (peer groups are sector x size band) ----------------------------
SIZE_BAND_EDGES: Final[tuple[int, ...]] = (1, 10, 50, 300)
SIZE_BANDS: Final[tuple[str, ...]] = ("micro", "small", "medium", "large")

# --- defaults -----------------------------------------------------------------------
# What was done with a programme of a served list, in the order a case moves on
# (``declined`` may come at any step); the store's feedback and contract v2's
# feedback file use these.
FEEDBACK_STATUSES: Final[tuple[str, ...]] = (
    "contacted",
    "interested",
    "applied",
    "selected",
    "joined",
    "declined",
)
FEEDBACK_MEANINGS: Final[dict[str, str]] = {
    "contacted": "the firm was told about the programme (call, mail, visit)",
    "interested": "the firm wants to apply or to know more",
    "applied": "the firm sent its application",
    "selected": "the programme's agency accepted the firm",
    "joined": "the firm started the programme (its outcome comes later, POST /v1/outcomes)",
    "declined": "the firm will not take part (at any step, by its choice or the agency's)",
}

DEFAULT_K: Final[int] = 5
# Share of the business-description text match in the ranking key (model score and match
# both standardised over a firm's candidates); chosen on the personas' dev half
# (P01-P06) by bench/personas.py --tune-text (docs/bizinfo.md).
TEXT_MATCH_WEIGHT: Final[float] = 0.9
DEFAULT_SEED: Final[int] = 42
CHAMPION: Final[str] = "champion"

# --- human labels (English; the portal carries its own translations) -----------------
SECTOR_LABELS: Final[dict[str, str]] = {
    "mfg_high_tech": "high-tech manufacturing",
    "mfg_mid_tech": "medium-tech manufacturing",
    "mfg_low_tech": "low-tech manufacturing",
    "kbs_ict": "ICT services",
    "kbs_professional": "professional services",
    "kbs_content": "content services",
    "other_services": "other services",
}
REGION_LABELS: Final[dict[str, str]] = {r: r.capitalize() for r in REGIONS}
CAPABILITY_LABELS: Final[dict[str, str]] = {
    "cap_tech_planning": "technology / R&D planning",
    "cap_rnd_execution": "running development projects",
    "cap_commercialization": "commercialization",
    "cap_marketing": "marketing and sales channels",
    "cap_hr_skills": "technical and managerial staff",
    "cap_funding_access": "access to innovation finance",
    "cap_internal_coordination": "internal coordination",
    "cap_nontech_innovation": "non-technical innovation",
    "cap_tech_acquisition": "technology acquisition",
    "cap_feedback": "learning from finished projects",
    "cap_global_orientation": "global orientation",
    "cap_global_partnerships": "global partnerships",
}
TYPE_LABELS: Final[dict[str, str]] = {
    "consulting": "technology consulting",
    "rnd_planning": "R&D planning",
    "education": "MOT education",
    "industry_academic": "industry-academic cooperation",
    "commercialization": "commercialization",
    "globalization": "globalization",
    "finance": "finance (loans, guarantees, interest subsidies)",
    "workforce": "workforce (hiring and staff development)",
    "other": "other support",
}

# --- domain: what lets a firm absorb each type of support (docs/causal-model.md) ------
# Own self-ratings averaged into the "readiness" pair feature of each programme type.
TYPE_READINESS_CAPS: Final[dict[str, tuple[str, ...]]] = {
    "consulting": ("cap_hr_skills", "cap_internal_coordination"),
    "rnd_planning": ("cap_hr_skills", "cap_rnd_execution", "cap_internal_coordination"),
    "education": ("cap_hr_skills", "cap_internal_coordination", "cap_feedback"),
    "industry_academic": ("cap_hr_skills", "cap_rnd_execution", "cap_tech_acquisition"),
    "commercialization": ("cap_hr_skills", "cap_rnd_execution", "cap_funding_access"),
    "globalization": ("cap_hr_skills", "cap_global_orientation", "cap_global_partnerships"),
    "finance": ("cap_funding_access", "cap_internal_coordination"),
    "workforce": ("cap_hr_skills", "cap_internal_coordination"),
}

# --- the demo world the product starts with (make run) and its shipped model ----------
DEMO_WORLD: Final[dict[str, object]] = {"n_firms": 5000, "years": (2022, 2024), "seed": 42}
DEMO_MODEL_VERSION: Final[str] = "demo-v1"
