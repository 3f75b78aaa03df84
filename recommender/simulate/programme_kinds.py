"""What programmes of each type look like, and the eligibility archetypes they draw from.

:data:`TYPES` holds, per programme type, the names a line may carry with the
capabilities it targets (consistent with the type: R&D planning strengthens technology
planning and R&D execution, globalization global orientation and partnerships, ...),
the agencies that run it, typical support and duration, and how often each eligibility
*archetype* (open, start-ups, micro firms, R&D labs, one region, ...) is used.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from recommender.constants import CAPABILITY_LABELS, LIST_SEP, REGION_LABELS, REGIONS, SECTORS
from recommender.simulate.firms import REGION_SHARES

_T = {c.removeprefix("cap_"): c for c in CAPABILITY_LABELS}  # short names


def _caps(*short: str) -> tuple[str, ...]:
    return tuple(_T[s] for s in short)


@dataclass(frozen=True)
class TypeSpec:
    """What the lines of one programme type look like."""

    stems: tuple[tuple[str, tuple[str, ...]], ...]  # (name, targeted capabilities)
    agencies: tuple[str, ...]
    support_median: float  # million KRW per firm
    durations: tuple[int, ...]
    archetypes: dict[str, float]  # eligibility archetype -> weight


TIPA = "Korea Technology and Information Promotion Agency for SMEs (TIPA)"
KOSMES = "Korea SMEs and Startups Agency (KOSMES)"
KIAT = "Korea Institute for Advancement of Technology (KIAT)"
KEIT = "Korea Evaluation Institute of Industrial Technology (KEIT)"
KOTRA = "Korea Trade-Investment Promotion Agency (KOTRA)"
KISED = "Korea Institute of Startup and Entrepreneurship Development (KISED)"
KPC = "Korea Productivity Center (KPC)"
KOTEC = "Korea Technology Finance Corporation (KOTEC)"
KODIT = "Korea Credit Guarantee Fund (KODIT)"
MOEL = "Ministry of Employment and Labor"
HRDK = "Human Resources Development Service of Korea (HRD Korea)"

TYPES: Final[dict[str, TypeSpec]] = {
    "consulting": TypeSpec(
        (
            (
                "Technology Management Consulting",
                _caps("internal_coordination", "feedback", "tech_planning"),
            ),
            ("MOT Diagnosis and Coaching", _caps("internal_coordination", "feedback")),
            (
                "Management Innovation Consulting",
                _caps("internal_coordination", "nontech_innovation"),
            ),
            ("Marketing Strategy Consulting", _caps("marketing", "commercialization")),
            ("Business Model Coaching", _caps("marketing", "nontech_innovation", "feedback")),
            ("Innovation Finance Consulting", _caps("funding_access", "marketing")),
        ),
        (TIPA, KPC, KOSMES),
        25.0,
        (3, 4, 6),
        {
            "open": 0.25,
            "micro": 0.15,
            "small": 0.2,
            "startup": 0.1,
            "regional": 0.2,
            "manufacturing": 0.1,
        },
    ),
    "rnd_planning": TypeSpec(
        (
            ("R&D Planning Support", _caps("tech_planning", "rnd_execution")),
            (
                "Technology Roadmap Development",
                _caps(
                    "tech_planning",
                ),
            ),
            (
                "Pre-R&D Planning Programme",
                _caps("tech_planning", "rnd_execution", "tech_acquisition"),
            ),
            ("R&D Strategy Coaching", _caps("tech_planning", "rnd_execution", "feedback")),
        ),
        (TIPA, KEIT, KIAT),
        50.0,
        (6, 9),
        {
            "open": 0.15,
            "lab": 0.3,
            "growth": 0.15,
            "small": 0.15,
            "regional": 0.1,
            "manufacturing": 0.15,
        },
    ),
    "education": TypeSpec(
        (
            ("MOT Academy", _caps("hr_skills", "nontech_innovation")),
            ("Technology Management Training", _caps("hr_skills", "internal_coordination")),
            ("Innovation Leadership Course", _caps("internal_coordination", "nontech_innovation")),
            (
                "Digital Skills Training",
                _caps(
                    "hr_skills",
                ),
            ),
            ("Learning-from-Projects Workshop", _caps("feedback", "hr_skills")),
        ),
        (KOSMES, KPC, KIAT),
        5.0,
        (1, 2, 3),
        {"open": 0.35, "micro": 0.1, "startup": 0.15, "regional": 0.25, "small": 0.15},
    ),
    "industry_academic": TypeSpec(
        (
            ("Industry-Academia Joint R&D", _caps("tech_acquisition", "rnd_execution")),
            (
                "University Technology Transfer",
                _caps(
                    "tech_acquisition",
                ),
            ),
            (
                "Research Institute Partnership",
                _caps("tech_acquisition", "rnd_execution", "hr_skills"),
            ),
            ("Joint Lab with Universities", _caps("rnd_execution", "tech_acquisition")),
        ),
        (KIAT, TIPA),
        80.0,
        (12, 18, 24),
        {"open": 0.2, "lab": 0.25, "small": 0.2, "regional": 0.2, "manufacturing": 0.15},
    ),
    "commercialization": TypeSpec(
        (
            ("Commercialization Acceleration", _caps("commercialization", "marketing")),
            ("Product Launch Support", _caps("commercialization", "marketing")),
            ("Technology Commercialization Fund", _caps("commercialization", "funding_access")),
            (
                "Prototype-to-Market Programme",
                _caps("commercialization", "marketing", "funding_access"),
            ),
        ),
        (KISED, KOTEC, TIPA),
        100.0,
        (9, 12, 18),
        {"open": 0.2, "startup": 0.25, "small": 0.2, "growth": 0.1, "regional": 0.15, "lab": 0.1},
    ),
    "globalization": TypeSpec(
        (
            ("Global Market Entry", _caps("global_orientation", "marketing")),
            ("Export Voucher", _caps("global_orientation", "global_partnerships")),
            (
                "Overseas Partnership Matching",
                _caps(
                    "global_partnerships",
                ),
            ),
            ("Knowledge Service Global Leap", _caps("global_orientation", "global_partnerships")),
            ("Global Buyer Matching", _caps("global_partnerships", "marketing")),
        ),
        (KOTRA, KOSMES),
        40.0,
        (6, 9, 12),
        {
            "open": 0.25,
            "knowledge_services": 0.25,
            "growth": 0.2,
            "manufacturing": 0.1,
            "regional": 0.2,
        },
    ),
    "finance": TypeSpec(
        (
            ("Policy Fund for Innovative SMEs", _caps("funding_access")),
            ("Technology Guarantee Programme", _caps("funding_access", "commercialization")),
            ("Policy Loan Interest Support", _caps("funding_access")),
            ("Growth Capital Loan", _caps("funding_access", "global_orientation")),
        ),
        (KOSMES, KOTEC, KODIT),
        300.0,
        (12, 24),
        {"open": 0.3, "small": 0.2, "startup": 0.2, "growth": 0.1, "regional": 0.2},
    ),
    "workforce": TypeSpec(
        (
            ("Innovation Talent Hiring Support", _caps("hr_skills")),
            ("Researcher Employment Subsidy", _caps("hr_skills", "rnd_execution")),
            ("Staff Upskilling Programme", _caps("hr_skills", "internal_coordination")),
            ("Youth Employment Subsidy", _caps("hr_skills")),
        ),
        (MOEL, HRDK, KOSMES),
        40.0,
        (6, 12),
        {"open": 0.3, "small": 0.3, "startup": 0.15, "regional": 0.25},
    ),
    "other": TypeSpec(
        (
            ("Smart Factory Equipment Grant", ()),
            ("Energy Efficiency Grant", ()),
            ("Workplace Safety Improvement Grant", ()),
            ("Trade Fair Booth Support", ()),
        ),
        (KOSMES, KPC, MOEL),
        60.0,
        (12,),
        {"open": 0.4, "small": 0.2, "startup": 0.2, "regional": 0.2},
    ),
}

RULES: Final[tuple[str, ...]] = (
    "min_employees",
    "max_employees",
    "min_firm_age",
    "max_firm_age",
    "max_revenue_krw_m",
)
MFG_SECTORS = tuple(s for s in SECTORS if s.startswith("mfg_"))
KBS_SECTORS = tuple(s for s in SECTORS if s.startswith("kbs_"))


def archetype(name: str, rng: np.random.Generator) -> tuple[dict[str, Any], str, float]:
    """Eligibility rules, a name suffix and a capacity factor for an archetype."""
    c = rng.choice
    if name == "startup":
        rules = {"max_firm_age": float(c([3, 5, 7])), "max_employees": c([49.0, np.nan])}
        return rules, " for Start-ups", 0.45
    if name == "micro":
        return (
            {"max_employees": 9.0, "max_revenue_krw_m": c([1_000.0, 3_000.0, np.nan])},
            " for Micro Enterprises",
            0.7,
        )
    if name == "small":
        return (
            {
                "max_employees": float(c([49, 99])),
                "max_revenue_krw_m": c([10_000.0, 20_000.0, np.nan]),
            },
            " for Small Firms",
            0.8,
        )
    if name == "growth":
        return (
            {"min_employees": float(c([10, 20])), "min_firm_age": 3.0},
            " for Growing SMEs",
            0.5,
        )
    if name == "lab":
        return (
            {"requires_rnd_lab": True, "min_employees": c([5.0, np.nan])},
            " for Corporate R&D Labs",
            0.4,
        )
    if name == "manufacturing":
        sectors = MFG_SECTORS if rng.random() < 0.6 else MFG_SECTORS[:2]
        return {"sectors": LIST_SEP.join(sectors)}, " for Manufacturers", 0.6
    if name == "knowledge_services":
        return {"sectors": LIST_SEP.join(KBS_SECTORS)}, " for Knowledge Services", 0.5
    if name == "regional":
        shares = np.array([REGION_SHARES[r] for r in REGIONS])
        region = REGIONS[int(rng.choice(len(REGIONS), p=shares / shares.sum()))]
        factor = float(np.clip(3.0 * REGION_SHARES[region], 0.08, 1.0))
        return {"regions": region}, f" ({REGION_LABELS[region]})", factor
    return ({"min_firm_age": 1.0} if rng.random() < 0.3 else {}), "", 1.0


def regional_agency(region: str) -> str:
    """The agency that runs a programme restricted to ``region``."""
    special = {
        "seoul": "Seoul Business Agency",
        "gyeonggi": "Gyeonggi Business and Science Accelerator",
    }
    return special.get(region, f"{REGION_LABELS[region]} Technopark")
