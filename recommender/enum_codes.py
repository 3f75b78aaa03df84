"""Enum values to integer codes, fast for one row and for a million."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np
import pandas as pd

_SMALL = 64  # below this, a dict lookup beats building a pandas index


@cache
def _lookup(universe: tuple[str, ...]) -> dict[str, int]:
    return {v: i for i, v in enumerate(universe)}


def enum_codes(
    values: Sequence[object] | pd.Series | np.ndarray, universe: tuple[str, ...]
) -> np.ndarray:
    """Position of each value in ``universe``; -1 where the value is not in it."""
    arr = np.asarray(values, dtype=object)
    if len(arr) <= _SMALL:
        index = _lookup(universe)
        return np.fromiter((index.get(v, -1) for v in arr), dtype=np.int64, count=len(arr))
    return pd.Index(universe).get_indexer(arr).astype(np.int64)
