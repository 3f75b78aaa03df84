"""A table as read from a file or an upload, before any parsing, with its row numbers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class RawTable:
    """A table as read, before any parsing.

    Parameters
    ----------
    frame : pd.DataFrame
        The cells as read (strings from CSV, any type from Parquet or an upload).
    file : str
        The name problems are reported under (``firms.csv``, ``upload``...).
    rows : np.ndarray
        The row number of each frame row, as a person counts it (header = line 1).
    """

    frame: pd.DataFrame
    file: str
    rows: np.ndarray

    @classmethod
    def numbered(cls, frame: pd.DataFrame, file: str, *, first_row: int = 2) -> RawTable:
        """A table whose rows are numbered consecutively from ``first_row``."""
        return cls(frame, file, np.arange(len(frame), dtype=np.int64) + first_row)
