"""Reading the programme-type rules: ``type_rules.toml`` into checked :class:`TypeRules`.

The shipped file is package data of ``recommender.bizinfo`` (read with
:mod:`importlib.resources`); a caseworker's own file can be given by path. Checking the
rules is the core's job (:func:`recommender.bizinfo.classify.parse_type_rules`).
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Final

from recommender.bizinfo.classify import TypeRules, parse_type_rules
from recommender.errors import DataValidationError, Problem

RULES_FILE: Final[str] = "type_rules.toml"


def load_type_rules(path: Path | str | None = None) -> TypeRules:
    """Read and check a rules file.

    Parameters
    ----------
    path
        The TOML file; default: the ``type_rules.toml`` shipped with
        ``recommender.bizinfo``.

    Raises
    ------
    DataValidationError
        The file is unreadable, or a rule names an unknown type, target or field;
        every problem names the file and the rule.
    """
    shipped = resources.files("recommender.bizinfo") / RULES_FILE
    name = Path(path).name if path is not None else RULES_FILE
    try:
        text = (
            Path(path).read_text(encoding="utf-8")
            if path is not None
            else shipped.read_text(encoding="utf-8")
        )
        raw = tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise DataValidationError(
            [Problem(name, None, None, None, f"a readable TOML rules file ({exc})")]
        ) from exc
    return parse_type_rules(raw, source=name)
