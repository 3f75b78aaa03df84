"""One year's catalogue, precomputed for fast per-request use, and the window rules."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from recommender.eligibility import EligibilityIndex
from recommender.features import ProgrammeTable


def _year_groups(firms: pd.DataFrame) -> dict[Any, np.ndarray]:
    """``firms.groupby("year").indices``, with a shortcut for the common single year."""
    years = firms["year"].to_numpy()
    if len(years) and (years == years[0]).all():
        return {years[0]: np.arange(len(years))}
    return dict(firms.groupby("year").indices)


def reference_date(year: int, as_of: date | None, today: date | None) -> date | None:
    """The day whose open programmes a profile of ``year`` is shown: ``as_of`` when
    given, else ``today`` for a profile of today's year, else none (no window filter)."""
    if as_of is not None:
        return as_of
    return today if today is not None and today.year == year else None


class _YearCatalogue:
    """One year's programmes with everything precomputed for fast per-request use."""

    def __init__(self, programmes: pd.DataFrame) -> None:
        self.programmes = programmes.reset_index(drop=True)
        self.table = ProgrammeTable(self.programmes)
        self.eligibility = EligibilityIndex(self.programmes)
        self.records = self.programmes.to_dict("records")
        self.apply_start = pd.to_datetime(self.programmes["apply_start"], errors="coerce")
        self.apply_end = pd.to_datetime(self.programmes["apply_end"], errors="coerce")
        self.apply_end_list = list(self.apply_end)  # Timestamp or NaT, by position
        self.item_fields = [(str(p["programme_id"]), str(p["name"]), str(p["programme_type"]),
                             p.get("agency"), p.get("url"), p.get("apply_start"),
                             p.get("apply_end")) for p in self.records]

    def open_on(self, day: date | None) -> np.ndarray:
        """Programmes whose application window (where known) includes ``day``."""
        if day is None:
            return np.ones(len(self.programmes), dtype=bool)
        ts = pd.Timestamp(day)
        closed = (self.apply_end.notna() & (self.apply_end < ts)) | (
            self.apply_start.notna() & (self.apply_start > ts))
        return ~closed.to_numpy()
