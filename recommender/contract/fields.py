"""The data contract (``docs/contract.md``), written once: every column of every table.

Each :class:`~recommender.contract.spec.Field` states a column's kind, bounds, allowed
values, nullability and meaning. Everything else is derived from these tables: the
pandera schemas and cell parsing (:mod:`recommender.contract.columns`,
:mod:`recommender.contract.cells`), the canonical frames
(:mod:`recommender.contract.canonical`), the profile coercion of the core, the API's
``FirmProfile``, the portal form and the store's column kinds. A new optional column or
table (contract v2) is one more entry here. The firms and programmes tables live in
:mod:`~recommender.contract.firm_fields` and :mod:`~recommender.contract.programme_fields`,
the shared bounds in :mod:`~recommender.contract.limits`; this module is where they meet.
"""

from __future__ import annotations

from typing import Final

from recommender.constants import (
    FEEDBACK_MEANINGS,
    FEEDBACK_STATUSES,
    OUTCOME_MAX,
    OUTCOME_MIN,
)
from recommender.contract.firm_fields import FIRMS
from recommender.contract.limits import (
    ID_PATTERN,
    ID_RULE,
    MAX_DISTRICT_LENGTH,
    MAX_ID_LENGTH,
    MAX_NAME_LENGTH,
    YEAR_MEANING,
    identifier,
)
from recommender.contract.programme_fields import PROGRAMMES
from recommender.contract.spec import Field, Kind, Table

OUTCOMES: Final = Table(
    name="outcomes",
    meaning="one row per firm that took part in a programme",
    fields=(
        identifier("firm_id", "refers to firms.firm_id", "a firm identifier"),
        Field(
            "year",
            "int",
            "year of participation; the firm's profile of that year was the basis",
            says=YEAR_MEANING,
        ),
        identifier("programme_id", "refers to programmes.programme_id", "a programme identifier"),
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
        identifier("firm_id", "refers to firms.firm_id", "a firm identifier"),
        Field(
            "year",
            "int",
            "year of the application; the firm's profile of that year is the basis",
            says=YEAR_MEANING,
        ),
        identifier(
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
        identifier("firm_id", "refers to firms.firm_id", "a firm identifier"),
        Field(
            "year",
            "int",
            "year of the served list; the firm's profile of that year was its basis",
            says=YEAR_MEANING,
        ),
        identifier(
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


__all__ = [
    "APPLICATIONS",
    "APPLICATION_COLUMNS",
    "CONTRACT",
    "FEEDBACK",
    "FEEDBACK_COLUMNS",
    "FIRMS",
    "FIRM_COLUMNS",
    "ID_PATTERN",
    "ID_RULE",
    "MAX_DISTRICT_LENGTH",
    "MAX_ID_LENGTH",
    "MAX_NAME_LENGTH",
    "OPTIONAL_FIRM_COLUMNS",
    "OPTIONAL_PROGRAMME_COLUMNS",
    "OUTCOMES",
    "OUTCOME_COLUMNS",
    "PROGRAMMES",
    "PROGRAMME_COLUMNS",
    "TABLES",
    "V1_TABLES",
    "column_kind",
]
