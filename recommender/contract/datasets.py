"""Raw tables in, one validated canonical :class:`Dataset` out (or every problem raised).

Readers of files (:mod:`recommender.adapters.files`) and of uploads both end here, so a
dataset is checked the same way whatever it came from.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from recommender.contract.canonical import Dataset, canonical_dataset
from recommender.contract.fields import TABLES
from recommender.contract.raw import RawTable
from recommender.contract.tables import check_tables
from recommender.errors import DataValidationError, Problem


def dataset_of(
    tables: Mapping[str, RawTable], unread: Sequence[Problem] = (), files: Sequence[str] = ()
) -> Dataset:
    """Check raw tables and return them as a canonical dataset.

    Parameters
    ----------
    tables : Mapping[str, RawTable]
        Raw tables by contract name; ``firms`` and ``programmes`` are needed for a
        dataset (when either is absent, ``unread`` must say why).
    unread : Sequence[Problem]
        Problems found before parsing (missing or unreadable files), raised together
        with the tables' own.
    files : Sequence[str]
        File names in the order problems are listed (problems of other files first).

    Raises
    ------
    DataValidationError
        Listing every problem: ``unread`` ones and those in and across the tables.
    """
    parsed, found = check_tables(tables)
    rank = {file: i for i, file in enumerate(files)}
    problems = sorted([*unread, *found], key=lambda p: rank.get(p.file, -1))
    if problems:
        raise DataValidationError(problems)
    return canonical_dataset(parsed)


def validate_frames(
    firms: pd.DataFrame,
    programmes: pd.DataFrame,
    outcomes: pd.DataFrame | None = None,
    *,
    applications: pd.DataFrame | None = None,
    feedback: pd.DataFrame | None = None,
    names: Mapping[str, str] | None = None,
    row_offset: int = 2,
) -> Dataset:
    """Validate raw in-memory tables (e.g. an upload) and return them canonical.

    Parameters
    ----------
    firms, programmes, outcomes, applications, feedback : pd.DataFrame
        Raw tables: strings or typed cells, extra columns allowed; all but ``firms``
        and ``programmes`` may be ``None``.
    names : Mapping[str, str], optional
        The name each table's problems are reported under (default: the table name).
    row_offset : int
        The row number reported for a table's first row (default 2, as in a CSV file
        whose header is line 1).

    Raises
    ------
    DataValidationError
        Listing every problem in every table and across them.
    """
    files = {name: name for name in TABLES} | dict(names or {})
    given = {
        "firms": firms,
        "programmes": programmes,
        "outcomes": outcomes,
        "applications": applications,
        "feedback": feedback,
    }
    tables = {
        name: RawTable.numbered(frame, files[name], first_row=row_offset)
        for name, frame in given.items()
        if frame is not None
    }
    return dataset_of(tables)
