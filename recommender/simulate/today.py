"""The demo world placed around a date: its years end at that date's year, and the last
year's application windows lie around the date, some open, some upcoming, some closed.

The simulator draws its years as labels (:data:`recommender.constants.DEMO_WORLD`
keeps them fixed, so the shipped model is trained on the same world whatever the day);
what the demo *stores* for a person to try is moved with :func:`placed_around`: every
year, founding year, dated window and year-bearing programme id is shifted by the same
number of years, so ages, histories and outcomes are unchanged, and the windows of the
last year are then placed relative to ``today`` in turn (open now, opening later,
closed already), keeping each window's length where it is moved whole.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta
from typing import Final

import numpy as np
import pandas as pd

from recommender.contract.canonical import Dataset

_YEAR_ID: Final = re.compile(r"^P(\d{4})-")
PHASES: Final[tuple[str, ...]] = ("open", "upcoming", "closed")


def _shift_day(value: object, years: int) -> object:
    if not isinstance(value, str) or not value:
        return value
    day = date.fromisoformat(value)
    try:
        return day.replace(year=day.year + years).isoformat()
    except ValueError:  # 29 February into a year without one
        return day.replace(year=day.year + years, day=28).isoformat()


def _shift_id(value: object, years: int) -> object:
    if not isinstance(value, str):
        return value
    return _YEAR_ID.sub(lambda m: f"P{int(m.group(1)) + years}-", value, count=1)


def window_around(today: date, k: int, length_days: int) -> tuple[date, date]:
    """The ``k``-th window of the current year: open (``k % 3 == 0``), upcoming (1) or
    closed (2) on ``today``, at distances that vary with ``k``."""
    length = max(int(length_days), 14)
    phase = PHASES[k % 3]
    if phase == "open":
        start = today - timedelta(days=3 + 4 * (k % 5))
        return start, max(start + timedelta(days=length), today + timedelta(days=7 + 6 * (k % 4)))
    if phase == "upcoming":
        start = today + timedelta(days=5 + 9 * (k % 6))
        return start, start + timedelta(days=length)
    end = today - timedelta(days=2 + 11 * (k % 6))
    return end - timedelta(days=length), end


def placed_around(ds: Dataset, today: date) -> Dataset:
    """``ds`` with its last year moved to ``today.year`` and that year's windows placed
    around ``today`` (see the module's description).

    Parameters
    ----------
    ds
        A simulated dataset (canonical frames).
    today
        The day the demo is set on.
    """
    years = int(today.year - ds.firms["year"].max())
    firms = ds.firms.assign(year=ds.firms["year"] + years)
    if "founded_year" in firms:
        firms["founded_year"] = firms["founded_year"] + years
    progs = ds.programmes.assign(
        year=ds.programmes["year"] + years,
        programme_id=ds.programmes["programme_id"].map(lambda v: _shift_id(v, years)),
        apply_start=ds.programmes["apply_start"].map(lambda v: _shift_day(v, years)),
        apply_end=ds.programmes["apply_end"].map(lambda v: _shift_day(v, years)),
    )
    current = np.flatnonzero((progs["year"] == today.year).to_numpy())
    starts, ends = progs["apply_start"].to_numpy(object), progs["apply_end"].to_numpy(object)
    for k, row in enumerate(current.tolist()):
        length = (
            (date.fromisoformat(ends[row]) - date.fromisoformat(starts[row])).days
            if isinstance(starts[row], str) and isinstance(ends[row], str)
            else 30
        )
        start, end = window_around(today, k, length)
        starts[row], ends[row] = start.isoformat(), end.isoformat()
    progs["apply_start"], progs["apply_end"] = starts, ends

    def moved(frame: pd.DataFrame | None) -> pd.DataFrame | None:
        if frame is None:
            return None
        out = frame.assign(year=frame["year"] + years) if "year" in frame else frame.copy()
        if "programme_id" in out:
            out["programme_id"] = out["programme_id"].map(lambda v: _shift_id(v, years))
        return out

    return replace(
        ds,
        firms=firms,
        programmes=progs,
        outcomes=moved(ds.outcomes),
        applications=moved(ds.applications),
        feedback=moved(ds.feedback),
    )
