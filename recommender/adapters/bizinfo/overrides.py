"""Caseworkers' corrections on disk, in ``overrides.csv``.

Columns: ``id``, ``type`` and, optionally, any of the fields the readers fill
(:data:`~recommender.bizinfo.overrides.FIELD_COLUMNS`: ``districts``,
``target_groups``, ``industries``, ``support_kind``, ``support_krw_m``,
``offers_nothing``, ``requires_rnd_lab``, ``requires_patent``). A blank cell corrects
nothing, ``*`` sets "none". The file lives beside the imported catalogue; every
re-import reads it, so a correction survives new versions of the feed. Each row is
checked by the core (:func:`recommender.bizinfo.overrides.check_override_row`).
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from recommender.adapters.atomic import atomic_file
from recommender.bizinfo.overrides import (
    FIELD_COLUMNS,
    FieldValues,
    check_override,
    check_override_row,
)
from recommender.errors import DataValidationError, Problem

OVERRIDES_FILE: Final[str] = "overrides.csv"
OVERRIDE_COLUMNS: Final[tuple[str, str]] = ("id", "type")
ALL_COLUMNS: Final[tuple[str, ...]] = (*OVERRIDE_COLUMNS, *FIELD_COLUMNS)


@dataclass(frozen=True)
class Overrides:
    """Every correction in force: types and field values by programme id, and the rows
    as the file has them (to write back unchanged what is not touched)."""

    types: dict[str, str] = field(default_factory=dict)
    fields: dict[str, FieldValues] = field(default_factory=dict)
    rows: dict[str, dict[str, str]] = field(default_factory=dict)


def _rows(file: Path) -> list[tuple[int, dict[str, str]]]:
    try:
        with file.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            columns = reader.fieldnames or []
            missing = [c for c in OVERRIDE_COLUMNS if c not in columns]
            unknown = [c for c in columns if c not in ALL_COLUMNS]
            if missing or unknown:
                raise DataValidationError(
                    [Problem(file.name, None, c, None, f"a column named {c}") for c in missing]
                    + [
                        Problem(file.name, None, c, c, f"one of {', '.join(ALL_COLUMNS)}")
                        for c in unknown
                    ]
                )
            return [
                (n, {c: (r.get(c) or "").strip() for c in ALL_COLUMNS})
                for n, r in enumerate(reader, start=2)
            ]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DataValidationError(
            [Problem(file.name, None, None, None, f"a readable UTF-8 CSV file ({exc})")]
        ) from exc


def read_all_overrides(path: Path | str) -> Overrides:
    """Every correction in the file; an absent file means none.

    Raises
    ------
    DataValidationError
        The file is unreadable, lacks the ``id``/``type`` columns or has another one,
        or a row has a blank id, an unknown type, a field cell that does not say a value
        (``districts`` of unknown 시군구, a ``support_krw_m`` that is no positive number
        ...) or corrects nothing; each problem names the file, row and column.
    """
    file = Path(path)
    if not file.exists():
        return Overrides()
    out = Overrides()
    problems: list[Problem] = []
    for n, cells in _rows(file):
        kind, fields, found = check_override_row(cells, file=file.name, row=n)
        problems += found
        ident = cells["id"]
        if kind is not None:
            out.types[ident] = kind
        if fields:
            out.fields[ident] = fields
        out.rows[ident] = cells
    if problems:
        raise DataValidationError(problems)
    return out


def read_overrides(path: Path | str) -> dict[str, str]:
    """Type overrides by programme id (:func:`read_all_overrides`, types only)."""
    return read_all_overrides(path).types


def write_overrides(path: Path | str, overrides: Mapping[str, Mapping[str, str]]) -> None:
    """Write all rows (cells by column, by programme id), sorted by id, replacing the
    file atomically; every row is checked first."""
    file = Path(path)
    problems = [
        p
        for ident, cells in overrides.items()
        for p in check_override_row({**cells, "id": ident}, file=file.name)[2]
    ]
    if problems:
        raise DataValidationError(problems)
    with atomic_file(file) as temp, temp.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(ALL_COLUMNS)
        for ident in sorted(overrides):
            cells = {**overrides[ident], "id": ident}
            writer.writerow([cells.get(c, "") for c in ALL_COLUMNS])


def record_override(path: Path | str, programme_id: str, programme_type: str) -> dict[str, str]:
    """Add or replace one type override in the file, keeping the row's field
    corrections; returns all type overrides now in force."""
    problems = check_override(programme_id, programme_type, file=Path(path).name)
    if problems:
        raise DataValidationError(problems)
    rows = read_all_overrides(path).rows
    ident = str(programme_id).strip()
    rows[ident] = {**rows.get(ident, {}), "type": programme_type}
    write_overrides(path, rows)
    return read_overrides(path)
