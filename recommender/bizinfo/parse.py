"""Field-by-field parsing of one Bizinfo announcement (pure functions).

Dates, the programme year, the running agency and the announcement URL live here; the
text, region and eligibility parsers live in their own modules and are re-exported so
``recommender.bizinfo.parse`` offers every parser in one place. Nothing is guessed:
whatever the announcement does not state stays ``None``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Final, NamedTuple

from recommender.bizinfo.criteria import (
    Bounds,
    SectorResult,
    parse_employees,
    parse_firm_age,
    parse_max_revenue,
    parse_sectors,
)
from recommender.bizinfo.regions import RegionResult, parse_regions
from recommender.bizinfo.text import Sections, html_to_text, split_sections

__all__ = [
    "BIZINFO_BASE_URL",
    "Bounds",
    "RegionResult",
    "SectorResult",
    "Sections",
    "Window",
    "announcement_url",
    "apply_window",
    "html_to_text",
    "parse_agency",
    "parse_date",
    "parse_employees",
    "parse_firm_age",
    "parse_max_revenue",
    "parse_regions",
    "parse_sectors",
    "programme_year",
    "split_sections",
]

BIZINFO_BASE_URL: Final[str] = "https://www.bizinfo.go.kr"
# Executing-agency values that name no agency: the author (소관부처) runs the programme.
NO_AGENCY: Final[frozenset[str]] = frozenset({"기초자치단체", "소관 수행기관", "직접수행", "-"})
_DATE = re.compile(r"^\s*(\d{4})\s*[-./년]\s*(\d{1,2})\s*[-./월]\s*(\d{1,2})\s*일?")
_COMPACT_DATE = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})\s*$")


class Window(NamedTuple):
    """An application window as ISO dates (``None`` where absent or unparsable)."""

    start: str | None
    end: str | None
    evidence: str


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value) or not str(value).strip()


def parse_date(value: object) -> dt.date | None:
    """A calendar date from ``2025-08-12``, ``2025.8.12``, ``2025년 8월 12일``, ``20250812``.

    Text after the date (a time of day) is ignored. Returns ``None`` for blanks,
    other text and impossible dates (``2025-02-30``).
    """
    if _blank(value):
        return None
    text = str(value)
    match = _DATE.match(text) or _COMPACT_DATE.match(text)
    if not match:
        return None
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def apply_window(start: object, end: object) -> Window:
    """The application window, each end kept only when it is a real date.

    Returns
    -------
    Window
        ISO ``start`` and ``end``; the evidence names any value that could not be read.
        A window whose end precedes its start is kept as given but flagged.
    """
    notes = []
    parsed = []
    for label, value in (("apply_start", start), ("apply_end", end)):
        day = parse_date(value)
        if day is None and not _blank(value):
            notes.append(f"{label} {str(value).strip()!r} unreadable")
        parsed.append(day)
    first, last = parsed
    if first and last and last < first:
        notes.append("apply_end before apply_start")
    return Window(
        first.isoformat() if first else None, last.isoformat() if last else None, "; ".join(notes)
    )


def programme_year(window: Window, pub_date: object) -> tuple[int | None, str]:
    """The year the offering runs: the application window's start, else publication.

    Returns
    -------
    (year, evidence)
        ``year`` is ``None`` when neither date is readable.
    """
    if window.start:
        return int(window.start[:4]), "year from apply_start"
    published = parse_date(pub_date)
    if published:
        return published.year, "year from pubDate"
    return None, "no readable apply_start or pubDate"


def parse_agency(executing: object, author: object) -> str | None:
    """The running agency: the executing agency (사업수행기관) when it names one, else
    the ministry or local government in charge (소관부처), else ``None``."""
    for value in (executing, author):
        if not _blank(value) and str(value).strip() not in NO_AGENCY:
            return str(value).strip()
    return None


def announcement_url(link: object) -> str | None:
    """Absolute announcement URL; Bizinfo's relative ``/web/...`` links get its host."""
    if _blank(link):
        return None
    text = str(link).strip()
    if text.startswith(("http://", "https://")):
        return text
    return BIZINFO_BASE_URL + (text if text.startswith("/") else "/" + text)
