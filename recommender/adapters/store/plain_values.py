"""Small helpers shared by the store modules: one frame row as a plain dict."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd


def plain(value: Any) -> Any:
    """A JSON-friendly Python value: NumPy scalars unwrapped, NaN as ``None``."""
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def frame_record(frame: pd.DataFrame, row: int = 0) -> dict[str, Any]:
    """Row ``row`` of ``frame`` as ``{column: plain value}``."""
    return {col: plain(frame[col].iloc[row]) for col in frame.columns}


def jsonable(mapping: dict[str, Any] | Any) -> Any:
    """A copy of nested dicts / lists with NaN as ``None`` and NumPy scalars unwrapped.

    JSON has no NaN; PostgreSQL refuses it, so profiles are cleaned before storing.
    """
    if isinstance(mapping, dict):
        return {str(k): jsonable(v) for k, v in mapping.items()}
    if isinstance(mapping, (list, tuple)):
        return [jsonable(v) for v in mapping]
    return plain(mapping)
