"""Reading the industry mapping: ``industry_keywords.toml`` into checked :class:`IndustryRules`.

The shipped file is package data of ``recommender.bizinfo`` (read with
:mod:`importlib.resources`); a caseworker's corrected copy can be given by path.
Checking the entries is the core's job
(:func:`recommender.bizinfo.industries.parse_industry_rules`).
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Final

from recommender.bizinfo.industries import IndustryRules, parse_industry_rules
from recommender.errors import DataValidationError, Problem

INDUSTRY_FILE: Final[str] = "industry_keywords.toml"


def load_industry_rules(path: Path | str | None = None) -> IndustryRules:
    """Read and check a mapping file.

    Parameters
    ----------
    path
        The TOML file; default: the ``industry_keywords.toml`` shipped with
        ``recommender.bizinfo``.

    Raises
    ------
    DataValidationError
        The file is unreadable or not TOML, or an entry lacks keywords or has a prefix
        that is not 1-5 digits; every problem names the file and the entry.
    """
    name = Path(path).name if path is not None else INDUSTRY_FILE
    try:
        text = (
            Path(path).read_text(encoding="utf-8")
            if path is not None
            else (resources.files("recommender.bizinfo") / INDUSTRY_FILE).read_text(
                encoding="utf-8"
            )
        )
        raw = tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise DataValidationError(
            [Problem(name, None, None, None, f"a readable TOML mapping file ({exc})")]
        ) from exc
    return parse_industry_rules(raw, source=name)
