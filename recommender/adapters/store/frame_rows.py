"""Database rows to the canonical frames of ``docs/internals.md``, and frames to rows.

Reading builds frames with exactly the canonical columns, order and dtypes; writing
turns frame columns into plain Python values (``None`` for missing) that every DBAPI
driver accepts. How each contract column is held (its *store kind*) is derived from the
contract's field specification (:mod:`recommender.contract.fields`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Final

import numpy as np
import pandas as pd

from recommender.contract.fields import (
    APPLICATION_COLUMNS,
    APPLICATIONS,
    FIRM_COLUMNS,
    FIRMS,
    OPTIONAL_PROGRAMME_COLUMNS,
    OUTCOME_COLUMNS,
    OUTCOMES,
    PROGRAMME_COLUMNS,
    PROGRAMMES,
)
from recommender.contract.spec import Field, Table
from recommender.errors import DataValidationError, Problem

# How each column is held: in the canonical frame (docs/internals.md) and in the database.
#   str       object str, never missing          | VARCHAR
#   opt_str   object str or None                 | VARCHAR / TEXT, NULL
#   int       int64                              | INTEGER
#   opt_int   float64, NaN = missing             | INTEGER (or DOUBLE), NULL
#   float     float64, NaN = missing             | DOUBLE, NULL where allowed
#   bool      bool                               | BOOLEAN
#   opt_bool  object True / False / None         | BOOLEAN, NULL
#   date      object ISO 'YYYY-MM-DD' or None    | DATE, NULL


def store_kind(field: Field) -> str:
    """How the store holds a contract column, from its kind and nullability."""
    if field.kind == "date":
        return "date"
    if field.kind == "float":
        return "float"
    if field.kind in ("int", "bool"):
        return f"opt_{field.kind}" if field.nullable else field.kind
    return "opt_str" if field.nullable else "str"  # str, enum, list


def store_kinds(table: Table) -> dict[str, str]:
    """The store kind of every column of a contract table, in order."""
    return {f.name: store_kind(f) for f in table.fields}


# The service's own programme columns: how each programme's type was determined.
TYPE_EVIDENCE_KINDS: Final[dict[str, str]] = {
    "type_evidence": "opt_str",
    "type_method": "opt_str",
    "type_confidence": "float",
}
TYPE_EVIDENCE_COLUMNS: Final = tuple(TYPE_EVIDENCE_KINDS)
FIRM_KINDS: Final[dict[str, str]] = store_kinds(FIRMS)
PROGRAMME_KINDS: Final[dict[str, str]] = {**store_kinds(PROGRAMMES), **TYPE_EVIDENCE_KINDS}
OUTCOME_KINDS: Final[dict[str, str]] = store_kinds(OUTCOMES)
APPLICATION_KINDS: Final[dict[str, str]] = store_kinds(APPLICATIONS)
PROGRAMME_ALL_COLUMNS: Final = (*PROGRAMME_COLUMNS, *OPTIONAL_PROGRAMME_COLUMNS)


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _iso(value: Any) -> str | None:
    if _is_missing(value):
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


def _date(value: Any, column: str) -> date | None:
    if _is_missing(value) or isinstance(value, date):
        return value if isinstance(value, date) else None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise DataValidationError(
            [Problem("programmes", None, column, value, "an ISO date YYYY-MM-DD")]
        ) from None


# --- rows -> canonical frames ---------------------------------------------------------
def _series(values: Sequence[Any], kind: str) -> pd.Series:
    if kind == "int":
        return pd.Series(np.asarray(values, dtype=np.int64))
    if kind in ("float", "opt_int"):
        return pd.Series(np.asarray(values, dtype=np.float64))  # None -> NaN
    if kind == "bool":
        return pd.Series(np.asarray(values, dtype=bool))
    if kind == "date":
        return pd.Series([_iso(v) for v in values], dtype=object)
    return pd.Series(list(values), dtype=object)  # str / opt_str / opt_bool: None stays None


def frame_from_rows(
    rows: Sequence[Sequence[Any]], columns: Sequence[str], kinds: Mapping[str, str]
) -> pd.DataFrame:
    """A canonical frame from database rows whose values are in ``columns`` order."""
    data: list[Sequence[Any]] = list(zip(*rows, strict=True)) if rows else [() for _ in columns]
    return pd.DataFrame(
        {c: _series(data[i], kinds[c]) for i, c in enumerate(columns)}, columns=list(columns)
    )


def firms_frame(rows: Sequence[Sequence[Any]]) -> pd.DataFrame:
    """Canonical firms frame from rows in :data:`FIRM_COLUMNS` order."""
    return frame_from_rows(rows, FIRM_COLUMNS, FIRM_KINDS)


def programmes_frame(
    rows: Sequence[Sequence[Any]], *, columns: Sequence[str] = PROGRAMME_ALL_COLUMNS
) -> pd.DataFrame:
    """Canonical programmes frame (plus any type-evidence columns named in ``columns``)."""
    return frame_from_rows(rows, columns, PROGRAMME_KINDS)


def applications_frame(rows: Sequence[Sequence[Any]]) -> pd.DataFrame:
    """Canonical applications frame from rows in :data:`APPLICATION_COLUMNS` order."""
    return frame_from_rows(rows, APPLICATION_COLUMNS, APPLICATION_KINDS)


def outcomes_frame(rows: Sequence[Sequence[Any]]) -> pd.DataFrame:
    """Canonical outcomes frame from rows in :data:`OUTCOME_COLUMNS` order."""
    return frame_from_rows(rows, OUTCOME_COLUMNS, OUTCOME_KINDS)


# --- canonical frames -> row parameters -----------------------------------------------
def _column_values(series: pd.Series, kind: str, column: str) -> list[Any]:
    """Plain Python values of one column, ``None`` where missing (vectorised)."""
    missing = series.isna().to_numpy()
    if kind == "int":
        return series.to_numpy(dtype=np.int64).tolist()
    if kind == "bool":
        return series.to_numpy(dtype=bool).tolist()
    if kind == "date":
        return [_date(v, column) for v in series.tolist()]
    if kind == "opt_bool":
        return [None if m else bool(v) for v, m in zip(series.tolist(), missing, strict=True)]
    if kind == "opt_int":
        numbers = series.to_numpy(dtype=np.float64)
        values: list[Any] = np.where(missing, 0, numbers).astype(np.int64).tolist()
    elif kind == "float":
        values = series.to_numpy(dtype=np.float64).tolist()
    elif kind in ("str", "opt_str"):
        values = series.to_numpy(dtype=object).tolist()
    else:
        raise ValueError(f"unknown column kind {kind!r}")
    for i in np.flatnonzero(missing).tolist():
        values[i] = None
    return values


def row_params(
    frame: pd.DataFrame, kinds: Mapping[str, str], *, prefix: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """One dict of plain Python values per row, for the columns of ``frame`` in ``kinds``.

    ``prefix`` maps a column to a prefix for its parameter name (``{"year": "k_"}``
    gives ``k_year``), for statements whose bind names differ from the columns.
    """
    columns = [c for c in kinds if c in frame.columns]
    names = [(prefix or {}).get(c, "") + c for c in columns]
    values = [_column_values(frame[c], kinds[c], c) for c in columns]
    return [dict(zip(names, row, strict=True)) for row in zip(*values, strict=True)]


def same_values(left: pd.Series, right: pd.Series) -> np.ndarray:
    """Elementwise equality of two aligned columns; two missing values count as equal."""
    equal = np.asarray(left.to_numpy() == right.to_numpy(), dtype=bool)
    return equal | (left.isna().to_numpy() & right.isna().to_numpy())
