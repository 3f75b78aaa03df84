"""The data contract (``docs/contract.md``), written once: every column of every table.

Each :class:`~recommender.contract.spec.Field` states a column's kind, bounds, allowed
values, nullability and meaning. Everything else is derived from these tables: the
pandera schemas and cell parsing (:mod:`recommender.contract.columns`,
:mod:`recommender.contract.cells`), the canonical frames
(:mod:`recommender.contract.canonical`), the profile coercion of the core, the API's
``FirmProfile``, the portal form and the store's column kinds. A new optional column or
table (contract v2) is one more entry here.
"""

from __future__ import annotations

from typing import Final

from recommender.constants import (
    CAP_MAX,
    CAP_MIN,
    CAPABILITIES,
    FEEDBACK_MEANINGS,
    FEEDBACK_STATUSES,
    FIRM_FLAGS,
    NO_FLAGS,
    OUTCOME_MAX,
    OUTCOME_MIN,
    PROGRAMME_TYPES,
    REGIONS,
    SECTORS,
    SUPPORT_KINDS,
)
from recommender.contract.spec import Field, Kind, Order, Table, one_of

# Sanity limits for values a client or a person types in (API, portal); files have none.
FIRST_YEAR: Final[int] = 1900
LAST_YEAR: Final[int] = 2100
MAX_COUNT: Final[int] = 10_000_000  # people, patents: far beyond any SME
MAX_AMOUNT: Final[float] = 1e12  # million KRW: far beyond any firm, fine for every sum
# Identifiers (firm_id, programme_id): what every stored id is made of, so that each one
# can be named in an API path (no '/', no spaces or control characters, at most the
# path parameter's length) and cannot be mistaken for '.' or '..'.
MAX_ID_LENGTH: Final[int] = 128
MAX_NAME_LENGTH: Final[int] = 200
MAX_DISTRICT_LENGTH: Final[int] = 40
MAX_KSIC_LENGTH: Final[int] = 5
KSIC_PATTERN: Final[str] = r"[0-9]{1,5}"
MAX_DESCRIPTION_LENGTH: Final[int] = 2000
ID_PATTERN: Final[str] = r"[A-Za-z0-9][A-Za-z0-9._:~-]*"
ID_RULE: Final[str] = (
    f"1 to {MAX_ID_LENGTH} characters of A-Z a-z 0-9 . _ : ~ -, the first a letter or digit"
)


def _id(name: str, meaning: str, noun: str) -> Field:
    """An identifier column: a ``str`` held to :data:`ID_PATTERN` and
    :data:`MAX_ID_LENGTH` wherever it comes from."""
    return Field(
        name,
        "str",
        meaning,
        says=f"{noun} ({ID_RULE})",
        max_length=MAX_ID_LENGTH,
        pattern=ID_PATTERN,
    )


_YEAR = "a whole-number year"

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
        _id("firm_id", "stable identifier", "a firm identifier"),
        Field(
            "year",
            "int",
            "year the profile describes (decisions for this year use it)",
            says=_YEAR,
            entry_ge=FIRST_YEAR,
            entry_le=LAST_YEAR,
        ),
        Field("region", "enum", "where the firm is registered", values=REGIONS),
        Field("sector", "enum", "main activity (kbs = knowledge-based services)", values=SECTORS),
        Field(
            "founded_year",
            "int",
            "year the firm was founded",
            says=_YEAR,
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

_RULE = "eligibility: "
PROGRAMMES: Final = Table(
    name="programmes",
    meaning="one row per programme offering",
    fields=(
        _id(
            "programme_id",
            "unique per row: one offering in one year; a programme "
            "that runs again next year comes back as a new row with a new id, and wholly "
            "new programmes appear every year",
            "a programme identifier",
        ),
        Field("name", "str", "display name", says="a programme name"),
        Field(
            "programme_type",
            "enum",
            "what kind of support it is; `other` is listed and "
            "filtered but carries no learned fit score",
            values=PROGRAMME_TYPES,
        ),
        Field("agency", "str", "running agency", nullable=True, says="an agency name"),
        Field(
            "targets",
            "list",
            "the `cap_*` capabilities the programme is meant to strengthen",
            nullable=True,
            values=CAPABILITIES,
            says=f"';'-separated capability names ({', '.join(CAPABILITIES)})",
        ),
        Field("year", "int", "year the offering runs", says=_YEAR),
        Field("min_employees", "int", _RULE + "at least this headcount", nullable=True, ge=0),
        Field("max_employees", "int", _RULE + "at most this headcount", nullable=True, ge=0),
        Field(
            "min_firm_age",
            "int",
            _RULE + "at least this many years since founding",
            nullable=True,
            ge=0,
        ),
        Field(
            "max_firm_age",
            "int",
            _RULE + "at most this many years since founding",
            nullable=True,
            ge=0,
        ),
        Field(
            "sectors",
            "list",
            "the sectors it is open to, or `*` for all",
            values=SECTORS,
            wildcard=True,
            says=f"* or ';'-separated sectors, each {one_of(SECTORS)}",
        ),
        Field(
            "regions",
            "list",
            "the regions it is open to, or `*` for all",
            values=REGIONS,
            wildcard=True,
            says=f"* or ';'-separated regions, each {one_of(REGIONS)}",
        ),
        Field("requires_rnd_lab", "bool", _RULE + "firm must have an R&D lab", nullable=True),
        Field(
            "max_revenue_krw_m",
            "float",
            _RULE + "revenue at most this, million KRW",
            nullable=True,
            ge=0,
        ),
        Field("support_krw_m", "float", "support per firm, million KRW", nullable=True, ge=0),
        Field("duration_months", "int", "length of the programme", nullable=True, ge=1),
        Field("capacity", "int", "firms it can take that year", nullable=True, ge=1),
        Field(
            "apply_start",
            "date",
            "first day of the application window",
            nullable=True,
            optional=True,
        ),
        Field(
            "apply_end", "date", "last day of the application window", nullable=True, optional=True
        ),
        Field("url", "str", "the announcement", nullable=True, optional=True, says="a web address"),
        Field(
            "description",
            "str",
            "what the programme offers, as text",
            nullable=True,
            optional=True,
            says="a description",
        ),
        Field(
            "source",
            "str",
            "where the row came from, e.g. `bizinfo`",
            nullable=True,
            optional=True,
            says="the row's source",
        ),
        Field(
            "districts",
            "str",
            _RULE + "the 시군구 it is open to (v2), `*` or empty for all of its regions",
            nullable=True,
            optional=True,
            says="* or ';'-separated district (시군구) names",
        ),
        Field(
            "target_groups",
            "list",
            _RULE + "statuses of which an applicant must hold one (v2), empty for none",
            nullable=True,
            optional=True,
            values=FIRM_FLAGS,
            says=f"';'-separated statuses, each {one_of(FIRM_FLAGS)}",
        ),
        Field(
            "industries",
            "str",
            _RULE + "KSIC prefixes it is restricted to (v2), empty for any industry",
            nullable=True,
            optional=True,
            says="';'-separated KSIC prefixes of 1 to 5 digits",
        ),
        Field(
            "support_kind",
            "enum",
            "what kind of support it gives (v2), empty when not stated",
            nullable=True,
            optional=True,
            values=SUPPORT_KINDS,
        ),
        Field(
            "offers_nothing",
            "bool",
            "the notice offers firms nothing (results, awards, briefings): never recommended (v2)",
            nullable=True,
            optional=True,
        ),
    ),
    key=("programme_id",),
    duplicate="a programme_id used only once; row {row} already has it",
    orders=(
        Order(
            "min_employees",
            "max_employees",
            "min_employees",
            "a number no larger than max_employees ({high})",
        ),
        Order(
            "min_firm_age",
            "max_firm_age",
            "min_firm_age",
            "a number no larger than max_firm_age ({high})",
        ),
        Order("apply_start", "apply_end", "apply_end", "a date on or after apply_start ({low})"),
    ),
)

OUTCOMES: Final = Table(
    name="outcomes",
    meaning="one row per firm that took part in a programme",
    fields=(
        _id("firm_id", "refers to firms.firm_id", "a firm identifier"),
        Field(
            "year",
            "int",
            "year of participation; the firm's profile of that year was the basis",
            says=_YEAR,
        ),
        _id("programme_id", "refers to programmes.programme_id", "a programme identifier"),
        Field(
            "outcome",
            "int",
            "0 = no benefit or dropped out, 1 = completed with little "
            "effect, 2 = measurable improvement, 3 = major result (product launched, export "
            "contract, patent)",
            ge=OUTCOME_MIN,
            le=OUTCOME_MAX,
        ),
    ),
    key=("firm_id", "year", "programme_id"),
    duplicate="one outcome per (firm_id, year, programme_id); row {row} already has {key}",
    refers=True,
    required=False,
)

APPLICATIONS: Final = Table(
    name="applications",
    meaning="one row per firm that applied for a programme offering of that year",
    fields=(
        _id("firm_id", "refers to firms.firm_id", "a firm identifier"),
        Field(
            "year",
            "int",
            "year of the application; the firm's profile of that year is the basis",
            says=_YEAR,
        ),
        _id(
            "programme_id",
            "refers to programmes.programme_id, an offering of that year",
            "a programme identifier",
        ),
    ),
    key=("firm_id", "year", "programme_id"),
    duplicate="one application per (firm_id, year, programme_id); row {row} already has {key}",
    refers=True,
    required=False,
    version=2,
)

FEEDBACK: Final = Table(
    name="feedback",
    meaning="one row per status a caseworker recorded for a firm and a programme of a served list",
    fields=(
        _id("firm_id", "refers to firms.firm_id", "a firm identifier"),
        Field(
            "year",
            "int",
            "year of the served list; the firm's profile of that year was its basis",
            says=_YEAR,
        ),
        _id(
            "programme_id",
            "refers to programmes.programme_id, an offering of that year",
            "a programme identifier",
        ),
        Field(
            "status",
            "enum",
            "what was done: " + "; ".join(f"`{k}` {v}" for k, v in FEEDBACK_MEANINGS.items()),
            values=FEEDBACK_STATUSES,
        ),
        Field(
            "request_id",
            "str",
            "the served list it answers (the audit log's request id)",
            says="a request id",
        ),
        Field(
            "recorded_at",
            "str",
            "when it was recorded, ISO 8601 in UTC",
            says="an ISO 8601 timestamp",
        ),
        Field("note", "str", "what the caseworker wrote", nullable=True, says="a note"),
    ),
    key=("request_id", "firm_id", "programme_id", "status"),
    duplicate="one row per (request_id, firm_id, programme_id, status); row {row} already "
    "has {key}",
    refers=True,
    required=False,
    version=2,
)

CONTRACT: Final[dict[str, Table]] = {
    t.name: t for t in (FIRMS, PROGRAMMES, OUTCOMES, APPLICATIONS, FEEDBACK)
}
TABLES: Final[tuple[str, ...]] = tuple(CONTRACT)
V1_TABLES: Final[tuple[str, ...]] = tuple(n for n, t in CONTRACT.items() if t.version == 1)

FIRM_COLUMNS: Final[tuple[str, ...]] = FIRMS.columns
OPTIONAL_FIRM_COLUMNS: Final[tuple[str, ...]] = FIRMS.optional_columns
PROGRAMME_COLUMNS: Final[tuple[str, ...]] = tuple(
    f.name for f in PROGRAMMES.fields if not f.optional
)
OPTIONAL_PROGRAMME_COLUMNS: Final[tuple[str, ...]] = PROGRAMMES.optional_columns
OUTCOME_COLUMNS: Final[tuple[str, ...]] = OUTCOMES.columns
APPLICATION_COLUMNS: Final[tuple[str, ...]] = APPLICATIONS.columns
FEEDBACK_COLUMNS: Final[tuple[str, ...]] = FEEDBACK.columns


def column_kind(table: str, column: str) -> tuple[Kind, bool]:
    """The parse kind of a contract column and whether it may be missing.

    Raises
    ------
    KeyError
        ``table`` is no contract table, or has no such column.
    """
    field = CONTRACT[table].field(column)
    return field.kind, field.nullable
