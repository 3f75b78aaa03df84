"""Cell parsing: raw cells (CSV strings, Parquet or JSON values) to typed columns.

Parsing never stops at a bad cell: it returns the parsed column (missing where a cell
was missing or unreadable) and a mask of the cells that were given but unreadable, which
:mod:`recommender.contract.tables` turns into problems.
"""

from __future__ import annotations

import re
from typing import Final

import numpy as np
import pandas as pd

from recommender.constants import LIST_SEP
from recommender.contract.spec import Kind

BOOL_SPELLINGS: Final[dict[str, bool]] = {
    "true": True,
    "yes": True,
    "1": True,
    "1.0": True,
    "false": False,
    "no": False,
    "0": False,
    "0.0": False,
}
_ISO_DATE: Final = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ]00:00(?::00(?:\.0+)?)?)?$")
_MAX_EXACT_INT: Final[float] = 2.0**53

# The dtype each kind has once parsed (pandera checks these; canonical frames differ).
PARSED_DTYPES: Final[dict[Kind, object]] = {
    "str": object,
    "enum": object,
    "list": object,
    "date": object,
    "int": "Int64",
    "float": "float64",
    "bool": "boolean",
}


def plain(value: object) -> object:
    """A cell as shown in a problem: a Python scalar, ``None`` when missing."""
    if isinstance(value, (list, tuple, dict, set)):
        return value
    if value is None or (not isinstance(value, str) and bool(pd.isna(value))):
        return None
    item = getattr(value, "item", None)
    return item() if callable(item) and isinstance(value, np.generic) else value


def _as_object(s: pd.Series) -> pd.Series:
    return s.astype(object).where(s.notna(), None)


def _text(raw: pd.Series) -> pd.Series:
    """Cells as stripped ``str`` (object dtype); ``None`` where missing or blank."""
    if raw.dtype != object and pd.api.types.is_string_dtype(raw.dtype):
        s = raw.str.strip()
    else:
        s = raw.map(lambda v: v if isinstance(v, str) else str(plain(v)), na_action="ignore")
        s = s.astype(object).map(str.strip, na_action="ignore")
    s = _as_object(s)
    return s.where(s != "", None)


def _numbers(raw: pd.Series, *, integer: bool) -> tuple[pd.Series, np.ndarray]:
    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        present = raw.notna().to_numpy()
        nums = raw.astype("float64").to_numpy(copy=True)
    else:
        text = _text(raw)
        present = text.notna().to_numpy()
        try:  # the fast path when every cell is a number
            nums = text.astype("float64").to_numpy(copy=True)
        except (ValueError, TypeError):
            nums = pd.to_numeric(text, errors="coerce").astype("float64").to_numpy(copy=True)
    ok = np.isfinite(nums)
    if integer:
        ok &= (np.abs(nums) <= _MAX_EXACT_INT) & (nums == np.round(nums))
    nums[~ok] = np.nan
    parsed = pd.Series(nums, index=raw.index)
    return (parsed.astype("Int64") if integer else parsed), present & ~ok


def _bools(raw: pd.Series) -> tuple[pd.Series, np.ndarray]:
    if pd.api.types.is_bool_dtype(raw.dtype):
        return raw.astype("boolean"), np.zeros(len(raw), dtype=bool)
    text = _text(raw)
    mapped = text.str.lower().map(BOOL_SPELLINGS)
    bad = text.notna().to_numpy() & mapped.isna().to_numpy()
    return mapped.astype("boolean"), bad


def _dates(raw: pd.Series) -> tuple[pd.Series, np.ndarray]:
    text = _text(raw)
    day = _as_object(text.str.extract(_ISO_DATE, expand=False))
    real = pd.to_datetime(day, format="%Y-%m-%d", errors="coerce").notna()
    day = day.where(real, None)
    return day, text.notna().to_numpy() & ~real.to_numpy()


def _names(cell: str) -> str | None:
    items = [part.strip() for part in cell.lower().split(LIST_SEP)]
    return LIST_SEP.join(i for i in items if i) or None


def parse_column(raw: pd.Series, kind: Kind) -> tuple[pd.Series, np.ndarray]:
    """Parse one raw column.

    Parameters
    ----------
    raw : pd.Series
        The cells as read.
    kind : Kind
        ``str`` (stripped text), ``enum`` (lower-cased text), ``list`` (``;``-separated
        names, lower-cased, blanks dropped), ``date`` (ISO ``YYYY-MM-DD``), ``int``,
        ``float`` or ``bool`` (true/false, yes/no, 1/0, any case).

    Returns
    -------
    parsed : pd.Series
        Object (text kinds), ``Int64``, ``float64`` or ``boolean``; missing where the
        cell was missing or could not be parsed.
    bad : np.ndarray
        True where a cell was given but could not be parsed.
    """
    if kind in ("int", "float"):
        return _numbers(raw, integer=kind == "int")
    if kind == "bool":
        return _bools(raw)
    if kind == "date":
        return _dates(raw)
    text = _text(raw)
    if kind == "enum":
        text = _as_object(text.str.lower())
    elif kind == "list":
        text = _as_object(text.map(_names, na_action="ignore"))
    return text, np.zeros(len(raw), dtype=bool)
