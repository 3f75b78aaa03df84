"""The programmes table of the contract: one row per programme offering, every column."""

from __future__ import annotations

from typing import Final

from recommender.constants import (
    CAPABILITIES,
    FIRM_FLAGS,
    PROGRAMME_TYPES,
    REGIONS,
    SECTORS,
    SUPPORT_KINDS,
)
from recommender.contract.limits import (
    YEAR_MEANING,
    identifier,
)
from recommender.contract.spec import Field, Order, Table, one_of

_RULE = "eligibility: "
PROGRAMMES: Final = Table(
    name="programmes",
    meaning="one row per programme offering",
    fields=(
        identifier(
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
            "what kind of support it is (finance and workforce since v2); `other` is listed "
            "and filtered but carries no learned fit score",
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
        Field("year", "int", "year the offering runs", says=YEAR_MEANING),
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
        Field(
            "requires_patent",
            "bool",
            "only for firms holding a patent, granted or applied for; empty: not required (v2)",
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
