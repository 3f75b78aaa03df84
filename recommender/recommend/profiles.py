"""Firm profiles (dicts, records or frames) to the canonical firm frame the core uses.

Which converter each column takes, and which columns a profile must give, follow from
the contract's field specification (:data:`recommender.contract.fields.FIRMS`): a
non-nullable ``int`` becomes ``int64``, a nullable ``int`` or any ``float`` ``float64``
(NaN = missing), a ``bool`` ``bool`` and text ``object``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

import numpy as np
import pandas as pd

from recommender.contract.fields import FIRMS
from recommender.contract.spec import Field
from recommender.errors import DataValidationError, Problem


def profile_frame(
    profiles: Mapping[str, Any] | Sequence[Mapping[str, Any]] | pd.DataFrame,
) -> pd.DataFrame:
    """Canonical firm rows from profile dicts (already validated at the edge)."""
    if isinstance(profiles, pd.DataFrame):
        frame = profiles.reset_index(drop=True)
        n = len(frame)
        present = set(frame.columns)

        def column(col: str) -> Any:
            return frame[col].to_numpy()
    else:
        rows = [profiles] if isinstance(profiles, Mapping) else list(profiles)
        n = len(rows)
        present = {c for r in rows for c in r}

        def column(col: str) -> Any:
            return [r.get(col, np.nan) for r in rows]

    # One DataFrame construction from finished columns: assigning ~30 columns one by
    # one costs ~1 ms each in pandas 3, which dominated a single recommendation.
    out = _converted(n, present, column)
    return pd.DataFrame(out) if n else pd.DataFrame(out, index=pd.RangeIndex(0))


def profile_columns(profiles: Sequence[Mapping[str, Any]]) -> dict[str, list[Any]]:
    """The canonical firm columns of a few profile dicts as lists of Python values, as
    :func:`profile_frame` would hold them, without building a frame (a request's
    profile is read this way: a pandas frame of one row costs ~0.5 ms to make)."""
    rows = list(profiles)
    present = {c for r in rows for c in r}
    out = _converted(len(rows), present, lambda col: [r.get(col, np.nan) for r in rows])
    return {col: values.tolist() for col, values in out.items()}


def _converted(n: int, present: set[str], column: Callable[[str], Any]) -> dict[str, np.ndarray]:
    """Every firm column converted to its canonical holding; refuses missing ones."""
    missing = [c for c in _REQUIRED if c not in present]
    if missing:
        raise DataValidationError([Problem("profile", None, c, None, "a value") for c in missing])
    return {
        col: convert(column(col) if col in present else np.full(n, np.nan))
        for col, convert in _PLAN
    }


def _converter(field: Field) -> str:
    """The canonical holding of one firm column: ``int``, ``float``, ``bool`` or ``str``
    (``optional_str``: text that may be missing, kept as ``None``)."""
    if field.kind == "int":
        return "float" if field.nullable else "int"
    if field.kind in ("float", "bool"):
        return field.kind
    return "optional_str" if field.nullable else "str"


# Column converters of profile_frame: plain Python / NumPy values take a direct path,
# anything else (strings of numbers, mixed types) goes through pandas as before.
def _ints(values: Any) -> np.ndarray:
    if isinstance(values, np.ndarray) and values.dtype.kind in "iu":
        return values.astype(np.int64)
    if isinstance(values, list) and all(type(v) is int for v in values):
        return np.array(values, dtype=np.int64)
    return pd.to_numeric(pd.Series(values, dtype=object)).to_numpy(np.int64)


def _floats(values: Any) -> np.ndarray:
    if isinstance(values, np.ndarray) and values.dtype.kind in "fiu":
        return values.astype(float)
    if isinstance(values, list) and all(v is None or type(v) in (int, float) for v in values):
        return np.array([np.nan if v is None else v for v in values], dtype=float)
    return pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").to_numpy(float)


def _bools(values: Any) -> np.ndarray:
    if isinstance(values, np.ndarray) and values.dtype.kind == "b":
        return values.copy()
    if isinstance(values, list) and all(type(v) is bool for v in values):
        return np.array(values, dtype=bool)
    return pd.Series(values, dtype=object).astype(bool).to_numpy()


def _strings(values: Any) -> np.ndarray:
    if isinstance(values, list) and all(type(v) is str for v in values):
        return np.array(values, dtype=object)
    return pd.Series(values, dtype=object).astype(str).to_numpy()


def _optional_strings(values: Any) -> np.ndarray:
    if isinstance(values, np.ndarray) and values.dtype.kind == "f" and np.isnan(values).all():
        return np.full(len(values), None, dtype=object)  # a column the profiles lack
    if isinstance(values, list) and all(v is None or type(v) is str for v in values):
        return np.array(values, dtype=object)
    s = pd.Series(values, dtype=object)
    return s.where(s.notna(), None).to_numpy()


_CONVERTERS: Final[dict[str, Callable[[Any], np.ndarray]]] = {
    "int": _ints,
    "float": _floats,
    "bool": _bools,
    "str": _strings,
    "optional_str": _optional_strings,
}
_PLAN: Final = tuple((f.name, _CONVERTERS[_converter(f)]) for f in FIRMS.fields)
_REQUIRED: Final = tuple(f.name for f in FIRMS.fields if not f.nullable)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """``frame.to_dict("records")`` (Python scalars) without its per-cell overhead."""
    columns = [str(c) for c in frame.columns]
    return [dict(zip(columns, row, strict=True)) for row in frame.to_numpy(object).tolist()]


def record_columns(records: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """The records' values column by column."""
    return {c: [r[c] for r in records] for c in (records[0] if records else {})}
