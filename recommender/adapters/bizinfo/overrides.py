"""Caseworkers' programme-type corrections on disk, in ``overrides.csv`` (``id,type``).

The file lives beside the imported catalogue; every re-import reads it, so a correction
survives new versions of the feed. Each override is checked by the core
(:func:`recommender.bizinfo.overrides.check_override`).
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from recommender.adapters.atomic import atomic_file
from recommender.bizinfo.overrides import check_override
from recommender.errors import DataValidationError, Problem

OVERRIDES_FILE: Final[str] = "overrides.csv"
OVERRIDE_COLUMNS: Final[tuple[str, str]] = ("id", "type")


def read_overrides(path: Path | str) -> dict[str, str]:
    """Overrides by programme id; an absent file means none.

    Raises
    ------
    DataValidationError
        The file is unreadable, lacks the ``id``/``type`` columns, or a row has a blank
        id or an unknown type (each problem names the file, row and column).
    """
    file = Path(path)
    if not file.exists():
        return {}
    try:
        with file.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in OVERRIDE_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise DataValidationError(
                    [Problem(file.name, None, c, None, f"a column named {c}") for c in missing]
                )
            rows = [
                (n, (r.get("id") or "").strip(), (r.get("type") or "").strip())
                for n, r in enumerate(reader, start=2)
            ]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DataValidationError(
            [Problem(file.name, None, None, None, f"a readable UTF-8 CSV file ({exc})")]
        ) from exc
    problems = [
        p for n, ident, kind in rows for p in check_override(ident, kind, file=file.name, row=n)
    ]
    if problems:
        raise DataValidationError(problems)
    return {ident: kind for _, ident, kind in rows}


def write_overrides(path: Path | str, overrides: Mapping[str, str]) -> None:
    """Write all overrides, sorted by id, replacing the file atomically."""
    file = Path(path)
    problems = [
        p for ident, kind in overrides.items() for p in check_override(ident, kind, file=file.name)
    ]
    if problems:
        raise DataValidationError(problems)
    with atomic_file(file) as temp, temp.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(OVERRIDE_COLUMNS)
        writer.writerows(sorted(overrides.items()))


def record_override(path: Path | str, programme_id: str, programme_type: str) -> dict[str, str]:
    """Add or replace one override in the file; returns all overrides now in force."""
    overrides = read_overrides(path)
    overrides[str(programme_id).strip()] = programme_type
    write_overrides(path, overrides)
    return overrides
