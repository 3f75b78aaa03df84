"""Caseworkers' corrections of what the readers made of an announcement.

An override maps a programme id to the type a caseworker set and, optionally, to the
values of the fields the readers fill (:data:`FIELD_COLUMNS`: districts, target groups,
industries, support kind and amount, "offers nothing"). A correction wins over the
readers on every re-import, and its evidence says it was set by a caseworker (with what
the readers had said). In a correction's cell, blank means "not corrected" and ``*``
means "none" (no district, group or industry restriction; no support kind or amount
stated). Where overrides are kept is an adapter's business (``overrides.csv`` beside a
catalogue directory: :mod:`recommender.adapters.bizinfo.overrides`; the store's
``type_overrides`` and ``field_overrides`` tables).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Final

import pandas as pd

from recommender.bizinfo.places import DISTRICT_REGIONS
from recommender.constants import (
    ALL,
    FIRM_FLAGS,
    LIST_SEP,
    PROGRAMME_ID,
    PROGRAMME_TYPES,
    SUPPORT_KINDS,
)
from recommender.errors import Problem

# field a caseworker may correct -> the column of its evidence
FIELD_COLUMNS: Final[dict[str, str]] = {
    "districts": "district_evidence",
    "target_groups": "target_groups_evidence",
    "industries": "industries_evidence",
    "support_kind": "support_kind_evidence",
    "support_krw_m": "support_amount_evidence",
    "offers_nothing": "offers_nothing_evidence",
    "requires_rnd_lab": "requires_rnd_lab_evidence",
    "requires_patent": "requires_patent_evidence",
}
NONE_CELL: Final[str] = "*"
SET_BY_CASEWORKER: Final[str] = "set by caseworker"
_KSIC: Final = re.compile(r"^\d{1,5}$")
_TRUE, _FALSE = frozenset({"true", "yes", "1"}), frozenset({"false", "no", "0"})
FieldValues = dict[str, object]


def check_override(
    programme_id: str, programme_type: str, *, file: str = "overrides", row: int | None = None
) -> list[Problem]:
    """Problems with one type override: a blank id or a type outside the contract's enum.

    Parameters
    ----------
    programme_id, programme_type
        The override.
    file, row
        Where it came from, for the problems' messages.
    """
    problems = []
    if not str(programme_id).strip():
        problems.append(Problem(file, row, "id", programme_id, "a programme id"))
    if programme_type not in PROGRAMME_TYPES:
        problems.append(
            Problem(file, row, "type", programme_type, f"one of {', '.join(PROGRAMME_TYPES)}")
        )
    return problems


def _names(text: str) -> list[str]:
    return list(dict.fromkeys(p.strip() for p in text.split(LIST_SEP) if p.strip()))


def _listed(text: str, ok: Callable[[str], object], what: str) -> tuple[object, str | None]:
    names = _names(text)
    if not names or not all(ok(n) for n in names):
        return None, what
    return LIST_SEP.join(names), None


def parse_field(column: str, text: str) -> tuple[object, str | None]:
    """The value a caseworker's cell sets for ``column`` (one of :data:`FIELD_COLUMNS`),
    or what the cell should have been. ``*`` is "none"; the cell is not blank."""
    none = text == NONE_CELL
    if column == "districts":
        if none:
            return ALL, None
        return _listed(text, DISTRICT_REGIONS.__contains__, "* or ';'-separated 시군구 names")
    if column == "target_groups":
        flags = f"* or ';'-separated statuses, each one of {', '.join(FIRM_FLAGS)}"
        return (None, None) if none else _listed(text, FIRM_FLAGS.__contains__, flags)
    if column == "industries":
        prefixes = "* or ';'-separated KSIC prefixes of 1-5 digits"
        return (None, None) if none else _listed(text, _KSIC.match, prefixes)
    if column == "support_kind":
        if none or text in SUPPORT_KINDS:
            return (None if none else text), None
        return None, f"* or one of {', '.join(SUPPORT_KINDS)}"
    if column == "support_krw_m":
        if none:
            return None, None
        try:
            amount = float(text.replace(",", ""))
        except ValueError:
            amount = math.nan
        if not math.isfinite(amount) or amount <= 0:
            return None, "* or a positive amount in million KRW"
        return amount, None
    if column in ("offers_nothing", "requires_rnd_lab", "requires_patent"):
        word = text.lower()
        if word not in _TRUE | _FALSE:
            return None, "true or false"
        if word in _TRUE:
            return True, None
        # a requirement that does not hold is the contract's empty cell
        return (False if column == "offers_nothing" else None), None
    raise KeyError(column)


def check_field_cell(
    programme_id: str, column: str, cell: str, *, file: str = "set-field"
) -> tuple[object, list[Problem]]:
    """The value one caseworker's cell sets (:func:`parse_field`), or the problems: a
    blank id, a field that cannot be corrected, a cell that does not say a value."""
    problems = (
        [] if str(programme_id).strip() else [Problem(file, None, "id", "", "a programme id")]
    )
    if column not in FIELD_COLUMNS:
        fields = f"one of {', '.join(FIELD_COLUMNS)}"
        return None, [*problems, Problem(file, None, "field", column, fields)]
    text = cell.strip()
    value, expected = parse_field(column, text) if text else (None, "a value, or * for none")
    if expected is not None:
        problems.append(Problem(file, None, column, text, expected))
    return value, problems


def check_override_row(
    cells: Mapping[str, str], *, file: str = "overrides", row: int | None = None
) -> tuple[str | None, FieldValues, list[Problem]]:
    """One caseworker's row: its type (``None``: not corrected), its field values, and
    every problem (blank id, unknown type, a cell that does not say a value, or a row
    that corrects nothing), each naming ``file``, ``row`` and the column."""
    ident = (cells.get("id") or "").strip()
    kind = (cells.get("type") or "").strip()
    problems = [] if ident else [Problem(file, row, "id", ident, "a programme id")]
    if kind and kind not in PROGRAMME_TYPES:
        problems.append(Problem(file, row, "type", kind, f"one of {', '.join(PROGRAMME_TYPES)}"))
    fields: FieldValues = {}
    for column in FIELD_COLUMNS:
        text = (cells.get(column) or "").strip()
        if not text:
            continue
        value, expected = parse_field(column, text)
        if expected is not None:
            problems.append(Problem(file, row, column, text, expected))
        else:
            fields[column] = value
    if ident and not kind and not fields and not problems:
        problems.append(Problem(file, row, "type", "", "a type or at least one field to set"))
    return (kind or None), fields, problems


def apply_field_overrides(
    programmes: pd.DataFrame, overrides: Mapping[str, FieldValues]
) -> pd.DataFrame:
    """``programmes`` (importer rows with evidence columns) with the caseworkers' field
    values set and their evidence saying so; ids not in ``programmes`` are ignored."""
    out = programmes.copy()
    ids = out[PROGRAMME_ID].astype(str)
    for ident, fields in overrides.items():
        at = ids == ident
        if not at.any():
            continue
        for column, value in fields.items():
            evidence = FIELD_COLUMNS[column]
            said = out.loc[at, evidence].iloc[0] if evidence in out else None
            out.loc[at, column] = value
            out.loc[at, evidence] = f"{SET_BY_CASEWORKER}; readers said: {said or 'not stated'}"
    return out
