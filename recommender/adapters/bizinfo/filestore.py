"""The file-based catalogue behind ``recommender catalogue ... --out DIR``.

``DIR`` holds three files:

- ``programmes.csv`` - the contract's programme columns (valid under docs/contract.md);
- ``bizinfo_evidence.csv`` - ``programme_id`` plus the evidence of every imported row;
- ``overrides.csv`` - caseworkers' corrections (``id,type`` and optionally the fields the
  readers fill: districts, target groups, industries, support kind and amount, offers
  nothing), re-applied on import.

Every write validates first and replaces each file atomically, so a failed import or a
bad override leaves the directory as it was.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pandas as pd

from recommender.adapters.atomic import atomic_file
from recommender.adapters.bizinfo.feed import read_announcements
from recommender.adapters.bizinfo.industry_rules import load_industry_rules
from recommender.adapters.bizinfo.overrides import (
    OVERRIDES_FILE,
    read_all_overrides,
    record_override,
    write_overrides,
)
from recommender.adapters.bizinfo.rules import load_type_rules
from recommender.bizinfo.classify import TypeRules
from recommender.bizinfo.importer import (
    CATALOGUE_COLUMNS,
    EVIDENCE_COLUMNS,
    METHOD_OVERRIDE,
    announcements_to_programmes,
    merge_catalogue,
    validate_programmes,
)
from recommender.bizinfo.overrides import (
    apply_field_overrides,
    check_field_cell,
    check_override,
)
from recommender.constants import (
    LIST_SEP,
    PROGRAMME_ID,
)
from recommender.contract.fields import (
    OPTIONAL_PROGRAMME_COLUMNS,
    PROGRAMME_COLUMNS,
    column_kind,
)
from recommender.errors import DataValidationError, NotFoundError, Problem

PROGRAMMES_FILE: Final[str] = "programmes.csv"
EVIDENCE_FILE: Final[str] = "bizinfo_evidence.csv"
_OVERRIDE_PREFIX = re.compile(r"^override: set to \w+ by a caseworker; ")


@dataclass(frozen=True)
class ImportReport:
    """What an import did."""

    counts: dict[str, int]  # added, updated, unchanged
    type_counts: dict[str, int]  # programme_type -> rows, over the whole catalogue
    total: int  # rows in the catalogue now
    overrides: int  # overrides in force


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataValidationError(
            [Problem(path.name, None, None, None, f"a readable UTF-8 CSV file ({exc})")]
        ) from exc


def read_catalogue(out_dir: Path | str) -> pd.DataFrame:
    """The catalogue in ``out_dir`` (programmes joined with their evidence), cells as
    text; an empty frame with the catalogue columns when there is none yet."""
    folder = Path(out_dir)
    programmes = folder / PROGRAMMES_FILE
    if not programmes.exists():
        return pd.DataFrame(columns=list(CATALOGUE_COLUMNS))
    frame = _read_csv(programmes)
    if PROGRAMME_ID not in frame:
        raise DataValidationError(
            [Problem(programmes.name, None, PROGRAMME_ID, None, f"a column named {PROGRAMME_ID}")]
        )
    evidence_file = folder / EVIDENCE_FILE
    if evidence_file.exists():
        evidence = _read_csv(evidence_file)
        keep = [c for c in (PROGRAMME_ID, *EVIDENCE_COLUMNS) if c in evidence]
        frame = frame.merge(
            evidence[keep].drop_duplicates(PROGRAMME_ID), on=PROGRAMME_ID, how="left"
        )
    return frame.astype(object)


def _replace(path: Path, frame: pd.DataFrame) -> None:
    with atomic_file(path) as temp:
        frame.to_csv(temp, index=False, encoding="utf-8")


def _for_csv(programmes: pd.DataFrame) -> pd.DataFrame:
    out = programmes.copy()
    for column in out.columns:
        kind, _ = column_kind("programmes", column)
        if kind == "int":
            out[column] = out[column].astype("Int64")
    return out


def write_catalogue(out_dir: Path | str, catalogue: pd.DataFrame) -> pd.DataFrame:
    """Validate the catalogue's programme rows, then write both files.

    Returns
    -------
    pandas.DataFrame
        The programmes as written, canonical.

    Raises
    ------
    DataValidationError
        A row breaks the contract (row numbers as in the ``programmes.csv`` to be
        written); nothing is written.
    """
    folder = Path(out_dir)
    programmes = validate_programmes(catalogue, file=PROGRAMMES_FILE)
    evidence = catalogue.reindex(columns=[PROGRAMME_ID, *EVIDENCE_COLUMNS]).reset_index(drop=True)
    folder.mkdir(parents=True, exist_ok=True)
    _replace(folder / PROGRAMMES_FILE, _for_csv(programmes))
    _replace(folder / EVIDENCE_FILE, evidence)
    return programmes


def import_into_dir(
    announcements: Path | str, out_dir: Path | str, *, rules: TypeRules | None = None
) -> ImportReport:
    """Import (or re-import) a Bizinfo CSV into ``out_dir``, applying its overrides."""
    folder = Path(out_dir)
    raw = read_announcements(announcements)
    corrections = read_all_overrides(folder / OVERRIDES_FILE)
    overrides = corrections.types
    new = announcements_to_programmes(
        raw,
        overrides=overrides,
        rules=rules or load_type_rules(),
        industry_rules=load_industry_rules(),
    )
    new = apply_field_overrides(new, corrections.fields)
    merged, counts = merge_catalogue(read_catalogue(folder), new)
    programmes = write_catalogue(folder, merged)
    return ImportReport(
        counts=counts,
        type_counts=dict(Counter(programmes["programme_type"]).most_common()),
        total=len(programmes),
        overrides=len(set(overrides) | set(corrections.fields)),
    )


def set_type_in_dir(
    out_dir: Path | str, programme_id: str, programme_type: str, *, rules: TypeRules | None = None
) -> pd.Series:
    """Record a caseworker's type for one programme and apply it to the catalogue.

    The override goes to ``overrides.csv`` (so re-imports keep it); the row gets the
    type, ``type_method = "override"``, confidence 1, and the targets of its rules
    decision when the type is unchanged, else the type's default targets.

    Raises
    ------
    DataValidationError
        ``programme_type`` is not a programme type.
    NotFoundError
        The catalogue has no programme ``programme_id``.
    """
    folder = Path(out_dir)
    problems = check_override(programme_id, programme_type, file="set-type")
    if problems:
        raise DataValidationError(problems)
    catalogue = read_catalogue(folder)
    at = catalogue.index[catalogue[PROGRAMME_ID] == programme_id]
    if not len(at):
        raise NotFoundError(f"no programme {programme_id!r} in {folder / PROGRAMMES_FILE}")
    rules = rules or load_type_rules()
    row = catalogue.loc[at[0]].copy()
    was_rules = row.get("type_method") != METHOD_OVERRIDE
    if was_rules:
        said = f"rules said {row['programme_type']} ({row.get('type_evidence') or ''})"
    else:
        said = _OVERRIDE_PREFIX.sub("", str(row.get("type_evidence") or ""))
    if not (was_rules and row["programme_type"] == programme_type):
        row["targets"] = LIST_SEP.join(rules.default_targets.get(programme_type, ())) or None
    row["programme_type"] = programme_type
    row["type_method"] = METHOD_OVERRIDE
    row["type_confidence"] = 1.0
    row["type_evidence"] = f"override: set to {programme_type} by a caseworker; {said}"
    catalogue.loc[at[0]] = row
    columns = [c for c in (*PROGRAMME_COLUMNS, *OPTIONAL_PROGRAMME_COLUMNS) if c in catalogue]
    validate_programmes(catalogue[columns], file=PROGRAMMES_FILE)
    record_override(folder / OVERRIDES_FILE, programme_id, programme_type)
    write_catalogue(folder, catalogue)
    return row


def set_field_in_dir(out_dir: Path | str, programme_id: str, field: str, cell: str) -> pd.Series:
    """Record a caseworker's value for one field the readers fill (a cell as in
    ``overrides.csv``; ``*`` for none) and apply it to the catalogue; its evidence then
    says it was set by a caseworker.

    Raises
    ------
    DataValidationError
        ``field`` cannot be corrected or ``cell`` does not say a value for it.
    NotFoundError
        The catalogue has no programme ``programme_id``.
    """
    folder = Path(out_dir)
    value, problems = check_field_cell(programme_id, field, cell)
    if problems:
        raise DataValidationError(problems)
    catalogue = read_catalogue(folder)
    if not (catalogue[PROGRAMME_ID] == programme_id).any():
        raise NotFoundError(f"no programme {programme_id!r} in {folder / PROGRAMMES_FILE}")
    updated = apply_field_overrides(catalogue, {programme_id: {field: value}})
    columns = [c for c in (*PROGRAMME_COLUMNS, *OPTIONAL_PROGRAMME_COLUMNS) if c in updated]
    validate_programmes(updated[columns], file=PROGRAMMES_FILE)
    rows = read_all_overrides(folder / OVERRIDES_FILE).rows
    rows[programme_id] = {**rows.get(programme_id, {}), field: cell.strip()}
    write_overrides(folder / OVERRIDES_FILE, rows)
    write_catalogue(folder, updated)
    return updated.set_index(PROGRAMME_ID).loc[programme_id]
