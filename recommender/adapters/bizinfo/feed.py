"""Reading the Bizinfo feed: an announcements CSV file into a checked frame of text."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from recommender.bizinfo.importer import check_announcements
from recommender.errors import DataValidationError, Problem


def read_announcements(path: Path | str) -> pd.DataFrame:
    """Read a Bizinfo announcements CSV (every cell as text, blanks as ``""``).

    Raises
    ------
    DataValidationError
        The file is missing or unreadable, or
        :func:`~recommender.bizinfo.importer.check_announcements` finds problems; every
        problem names the file, and the row and column where there is one.
    """
    file = Path(path)
    try:
        raw = pd.read_csv(file, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataValidationError(
            [Problem(file.name, None, None, None, f"a readable UTF-8 CSV file ({exc})")]
        ) from exc
    problems = check_announcements(raw, file=file.name)
    if problems:
        raise DataValidationError(problems)
    return raw
