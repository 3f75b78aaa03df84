"""The firms table of the contract: one row per firm-year profile, every column."""

from __future__ import annotations

from typing import Final

from recommender.constants import (
    CAP_MAX,
    CAP_MIN,
    CAPABILITIES,
    FIRM_FLAGS,
    NO_FLAGS,
    REGIONS,
    SECTORS,
)
from recommender.contract.limits import (
    FIRST_YEAR,
    KSIC_PATTERN,
    LAST_YEAR,
    MAX_AMOUNT,
    MAX_COUNT,
    MAX_DESCRIPTION_LENGTH,
    MAX_DISTRICT_LENGTH,
    MAX_KSIC_LENGTH,
    MAX_NAME_LENGTH,
    YEAR_MEANING,
    identifier,
)
from recommender.contract.spec import Field, Order, Table, one_of

_CAPABILITY_MEANINGS: Final[dict[str, str]] = {
    "cap_tech_planning": "self-assessed technology / R&D planning capability",
    "cap_rnd_execution": "capability to run development projects",
    "cap_commercialization": "turning technology into products and sales",
    "cap_marketing": "market research, sales channels",
    "cap_hr_skills": "technical and managerial human resources",
    "cap_funding_access": "access to finance for innovation",
    "cap_internal_coordination": "coordination between R&D, production, sales, planning",
    "cap_nontech_innovation": "organisational and marketing innovation beside technical innovation",
    "cap_tech_acquisition": "using own, joint and outsourced development as fits",
    "cap_feedback": "learning from finished projects",
    "cap_global_orientation": "orientation to foreign markets",
    "cap_global_partnerships": "partnerships with foreign customers, suppliers, research bodies",
}

FIRMS: Final = Table(
    name="firms",
    meaning="one row per firm per profile year",
    fields=(
        identifier("firm_id", "stable identifier", "a firm identifier"),
        Field(
            "year",
            "int",
            "year the profile describes (decisions for this year use it)",
            says=YEAR_MEANING,
            entry_ge=FIRST_YEAR,
            entry_le=LAST_YEAR,
        ),
        Field("region", "enum", "where the firm is registered", values=REGIONS),
        Field("sector", "enum", "main activity (kbs = knowledge-based services)", values=SECTORS),
        Field(
            "founded_year",
            "int",
            "year the firm was founded",
            says=YEAR_MEANING,
            entry_ge=FIRST_YEAR,
            entry_le=LAST_YEAR,
        ),
        Field("employees", "int", "headcount", ge=1, entry_le=MAX_COUNT),
        Field("revenue_krw_m", "float", "annual revenue, million KRW", ge=0, entry_le=MAX_AMOUNT),
        Field(
            "revenue_growth",
            "float",
            "year-on-year growth as a fraction (0.05 = 5 %)",
            nullable=True,
            says="a number (a fraction, 0.05 = 5 %)",
            entry_ge=-1,
            entry_le=1000,
        ),
        Field("export_share", "float", "share of revenue from exports", ge=0, le=1),
        Field(
            "rnd_spend_krw_m",
            "float",
            "annual R&D spending, million KRW",
            ge=0,
            entry_le=MAX_AMOUNT,
        ),
        Field("researchers", "int", "dedicated R&D staff", ge=0, entry_le=MAX_COUNT),
        Field("patents", "int", "patents held", ge=0, entry_le=MAX_COUNT),
        Field("has_rnd_lab", "bool", "registered corporate R&D lab"),
        *(
            Field(cap, "int", _CAPABILITY_MEANINGS[cap], nullable=True, ge=CAP_MIN, le=CAP_MAX)
            for cap in CAPABILITIES
        ),
        Field(
            "firm_name",
            "str",
            "the firm's registered name, for people finding it (v2; never a model input)",
            nullable=True,
            optional=True,
            says="a firm name",
            max_length=MAX_NAME_LENGTH,
        ),
        Field(
            "district",
            "str",
            "the 시군구 the firm is registered in, e.g. 포천시 (v2; checked against "
            "programmes restricted to districts; never a model input)",
            nullable=True,
            optional=True,
            says="a district (시군구) name",
            max_length=MAX_DISTRICT_LENGTH,
        ),
        Field(
            "industry_code",
            "str",
            "KSIC (10th revision) code of the main activity, up to 5 digits, e.g. 27112 "
            "(v2; programmes restricted to industries admit firms whose code starts with "
            "one of their prefixes)",
            nullable=True,
            optional=True,
            says="a KSIC code of 1 to 5 digits",
            max_length=MAX_KSIC_LENGTH,
            pattern=KSIC_PATTERN,
        ),
        Field(
            "business_description",
            "str",
            "what the firm makes or does, in its own words (v2; matched against the "
            "announcements' text)",
            nullable=True,
            optional=True,
            says="a business description",
            max_length=MAX_DESCRIPTION_LENGTH,
        ),
        Field(
            "firm_flags",
            "list",
            "statuses the firm declares (v2; a programme for one of them admits only "
            "firms that hold it; small_merchant also follows from size and sector; "
            f"`{NO_FLAGS}`: declared to hold none, so such programmes are decided, not "
            "conditions to check; empty: not declared)",
            nullable=True,
            optional=True,
            values=(*FIRM_FLAGS, NO_FLAGS),
            says=f"';'-separated statuses, each {one_of((*FIRM_FLAGS, NO_FLAGS))}",
        ),
    ),
    key=("firm_id", "year"),
    duplicate="one profile per (firm_id, year); row {row} already has {key}",
    orders=(
        Order(
            "founded_year", "year", "founded_year", "a year no later than the profile year {high}"
        ),
    ),
)
