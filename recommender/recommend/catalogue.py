"""One year's catalogue, precomputed for fast per-request use, and the window rules."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any, Final

import numpy as np
import pandas as pd

from recommender.eligibility import EligibilityIndex, Reason, window_reason
from recommender.explain import ProgrammeFacts
from recommender.features import ProgrammeTable, TextMatcher
from recommender.recommend.results import IneligibleItem, RecommendedItem

_NO_DAY: Final[int] = np.iinfo(np.int64).min  # a missing window date, as epoch days
_KEPT_DAYS: Final[int] = 4  # unranked items kept for this many reference days


def _year_groups(years: list[int]) -> dict[int, np.ndarray]:
    """The positions of each year's profiles, years in ascending order."""
    if years and all(y == years[0] for y in years):  # the common single year
        return {years[0]: np.arange(len(years))}
    values = np.asarray(years)
    return {int(y): np.flatnonzero(values == y) for y in np.unique(values)}


def reference_date(year: int, as_of: date | None, today: date | None) -> date | None:
    """The day whose open programmes a profile of ``year`` is shown: ``as_of`` when
    given, else ``today`` for a profile of today's year, else none (no window filter)."""
    if as_of is not None:
        return as_of
    return today if today is not None and today.year == year else None


def _epoch_days(values: pd.Series) -> np.ndarray:
    """ISO dates as days since 1970-01-01 (:data:`_NO_DAY` where missing or invalid)."""
    parsed = pd.to_datetime(values, errors="coerce")
    days = parsed.to_numpy("datetime64[D]").astype(np.int64)
    return np.where(parsed.isna().to_numpy(), _NO_DAY, days)


def _day(day: date) -> int:
    return int(np.datetime64(day, "D").astype(np.int64))


class YearCatalogue:
    """One year's programmes with everything precomputed for fast per-request use."""

    def __init__(self, programmes: pd.DataFrame) -> None:
        self.programmes = programmes.reset_index(drop=True)
        p = self.programmes
        self.table = ProgrammeTable(p)
        self.eligibility = EligibilityIndex(p)
        self.facts = ProgrammeFacts.of(p)
        self.types = p["programme_type"].astype(str).to_numpy()
        self.ids = p["programme_id"].astype(str).tolist()
        self.names = p["name"].astype(str).tolist()
        self.windows: list[tuple[str | None, str | None]] = [
            (s if isinstance(s, str) else None, e if isinstance(e, str) else None)
            for s, e in zip(p["apply_start"].tolist(), p["apply_end"].tolist(), strict=True)
        ]
        self.start_day = _epoch_days(p["apply_start"])
        self.end_day = _epoch_days(p["apply_end"])
        # closing day as a sort key: sooner first, unknown last
        self.closing_key = np.where(self.end_day == _NO_DAY, np.iinfo(np.int64).max, self.end_day)
        # the year's matcher: the ranking's text match and the model's feature share it
        self.text: TextMatcher = (
            self.table.matcher(int(p["year"].iloc[0]))[1] if len(p) else TextMatcher.of(p)
        )
        self.item_fields = [
            (pid, name, kind, _text(agency), _text(url), start, end)
            for pid, name, kind, agency, url, (start, end) in zip(
                self.ids,
                self.names,
                self.types.tolist(),
                p["agency"].tolist(),
                p["url"].tolist(),
                self.windows,
                strict=True,
            )
        ]
        self.support = list(zip(_amounts(p), _column_text(p, "support_kind"), strict=True))
        self._plain: dict[date | None, list[RecommendedItem]] = {}
        self._lock = threading.Lock()

    def open_on(self, day: date | None) -> np.ndarray:
        """Programmes whose application window (where known) includes ``day``."""
        if day is None:
            return np.ones(len(self.programmes), dtype=bool)
        d = _day(day)
        closed = ((self.end_day != _NO_DAY) & (self.end_day < d)) | (
            (self.start_day != _NO_DAY) & (self.start_day > d)
        )
        return ~closed

    def of_types(self, types: set[str]) -> np.ndarray:
        """Programmes of one of ``types``."""
        return np.isin(self.types, list(types))

    def days_left(self, as_of: date | None) -> list[int | None]:
        """Days from ``as_of`` to each programme's last application day (None: unknown)."""
        if as_of is None:
            return [None] * len(self.ids)
        left = (self.end_day - _day(as_of)).tolist()
        return [
            None if e == _NO_DAY else v for e, v in zip(self.end_day.tolist(), left, strict=True)
        ]

    def plain_items(self, as_of: date | None) -> list[RecommendedItem]:
        """Every programme as an unranked, unexplained item seen on ``as_of``.

        Items are immutable, so the lists of unscored programmes share them; they are
        built once per reference day (the last few days are kept).
        """
        items = self._plain.get(as_of)
        if items is None:
            items = [
                RecommendedItem(
                    None,
                    pid,
                    name,
                    kind,
                    None,
                    None,
                    agency,
                    url,
                    start,
                    end,
                    left,
                    support_krw_m=amount,
                    support_kind=support_kind,
                )
                for (pid, name, kind, agency, url, start, end), left, (amount, support_kind) in zip(
                    self.item_fields, self.days_left(as_of), self.support, strict=True
                )
            ]
            with self._lock:
                while len(self._plain) >= _KEPT_DAYS:
                    self._plain.pop(next(iter(self._plain)))
                self._plain[as_of] = items
        return items


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def ineligible_items(
    cat: YearCatalogue,
    failed: dict[int, list[Reason]],
    eligible: np.ndarray,
    wanted: np.ndarray,
    is_open: list[bool],
    as_of: date | None,
) -> list[IneligibleItem]:
    """The programmes a firm cannot join (or cannot apply to on ``as_of``), with reasons.

    Programmes left out only by the type filter are not listed: that is not a reason
    the firm cannot join them.
    """
    day = None if as_of is None else as_of.isoformat()
    out = []
    for j in np.flatnonzero(~eligible | ~wanted).tolist():
        why = failed.get(j)
        if why is None:  # eligible, and not wanted: closed that day, or another type
            if day is None or is_open[j]:
                continue
            why = [window_reason(*cat.windows[j], day)]
        out.append(IneligibleItem(cat.ids[j], cat.names[j], why))
    return out


def _column_text(p: pd.DataFrame, column: str) -> list[str | None]:
    """A text column's values (None where missing or blank; all None without the
    column: a contract-v1 catalogue has no ``support_kind``)."""
    if column not in p.columns:
        return [None] * len(p)
    return [_text(v) for v in p[column].tolist()]


def _amounts(p: pd.DataFrame) -> list[float | None]:
    """Each programme's stated ``support_krw_m`` (None where not stated)."""
    if "support_krw_m" not in p.columns:
        return [None] * len(p)
    values = pd.to_numeric(p["support_krw_m"], errors="coerce").tolist()
    return [None if v != v else float(v) for v in values]
