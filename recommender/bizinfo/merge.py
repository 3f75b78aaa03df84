"""A fresh Bizinfo import folded into an existing catalogue: ids stable, nothing
duplicated, a row replaced only when one of its values really changed."""

from __future__ import annotations

import re
from typing import Any, Final

import numpy as np
import pandas as pd

from recommender.constants import PROGRAMME_ID
from recommender.errors import DataValidationError, Problem

_NUMERIC: Final = re.compile(r"^-?\d+(\.\d+)?$")


def _cell_key(value: Any) -> str | None:
    """A comparable form of a cell, the same for ``5``, ``5.0`` and ``"5"``, or for
    ``None``, NaN and ``""``."""
    if value is None or (isinstance(value, float | np.floating) and np.isnan(value)):
        return None
    if isinstance(value, bool | np.bool_):
        return str(bool(value)).lower()
    if isinstance(value, int | float | np.integer | np.floating):
        number = float(value)
        return str(int(number)) if number.is_integer() else repr(round(number, 9))
    text = str(value).strip()
    if not text:
        return None
    if text.lower() in ("true", "false"):
        return text.lower()
    if _NUMERIC.match(text):
        return _cell_key(float(text))
    return text


def merge_catalogue(
    existing: pd.DataFrame, new: pd.DataFrame
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Fold a fresh import into a catalogue.

    Rows are matched on ``programme_id``. A matched row whose values differ in any
    column of ``new`` is replaced in place; a new id is appended; rows of
    ``existing`` that ``new`` does not mention (other sources, announcements no longer
    in the feed) are kept as they are. Importing the same feed twice changes nothing.

    Returns
    -------
    (catalogue, counts)
        The merged rows (``existing``'s order, then the added ones) and
        ``{"added": ..., "updated": ..., "unchanged": ...}``.

    Raises
    ------
    DataValidationError
        ``new`` holds an id twice.
    """
    twice = new[PROGRAMME_ID][new[PROGRAMME_ID].duplicated()].unique()
    if len(twice):
        raise DataValidationError(
            [
                Problem("import", None, PROGRAMME_ID, ident, "each programme id once")
                for ident in twice
            ]
        )
    columns = list(dict.fromkeys([*existing.columns, *new.columns]))
    base = existing.reindex(columns=columns).astype(object).reset_index(drop=True)
    position = {ident: i for i, ident in enumerate(base[PROGRAMME_ID])}
    counts = {"added": 0, "updated": 0, "unchanged": 0}
    added = []
    for record in new.to_dict("records"):
        at = position.get(record[PROGRAMME_ID])
        if at is None:
            added.append(record)
            counts["added"] += 1
            continue
        old = base.loc[at]
        if all(_cell_key(old[c]) == _cell_key(record[c]) for c in new.columns):
            counts["unchanged"] += 1
            continue
        for column in new.columns:
            base.at[at, column] = record[column]
        counts["updated"] += 1
    if added:
        base = pd.concat(
            [base, pd.DataFrame(added, columns=columns).astype(object)], ignore_index=True
        )
    return base, counts
