"""Firm profiles (dicts, records or frames) to the canonical firm frame the core uses."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from recommender.constants import CAPABILITIES, FIRM_COLUMNS
from recommender.errors import DataValidationError, Problem

_INT_COLUMNS = ("year", "founded_year", "employees", "researchers", "patents")
_FLOAT_COLUMNS = ("revenue_krw_m", "revenue_growth", "export_share", "rnd_spend_krw_m",
                  *CAPABILITIES)


def profile_frame(profiles: Mapping[str, Any] | Sequence[Mapping[str, Any]] | pd.DataFrame
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
    missing = [c for c in FIRM_COLUMNS if c not in present and not c.startswith("cap_")
               and c != "revenue_growth"]
    if missing:
        raise DataValidationError([Problem("profile", None, c, None, "a value") for c in missing])
    # One DataFrame construction from finished columns: assigning ~30 columns one by
    # one costs ~1 ms each in pandas 3, which dominated a single recommendation.
    out: dict[str, np.ndarray] = {}
    for col in FIRM_COLUMNS:
        values = column(col) if col in present else np.full(n, np.nan)
        if col in _INT_COLUMNS:
            out[col] = _ints(values)
        elif col in _FLOAT_COLUMNS:
            out[col] = _floats(values)
        elif col == "has_rnd_lab":
            out[col] = _bools(values)
        else:
            out[col] = _strings(values)
    return pd.DataFrame(out) if n else pd.DataFrame(out, index=pd.RangeIndex(0))


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


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """``frame.to_dict("records")`` (Python scalars) without its per-cell overhead."""
    columns = [str(c) for c in frame.columns]
    return [dict(zip(columns, row, strict=True)) for row in frame.to_numpy(object).tolist()]
