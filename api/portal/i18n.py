"""The portal's words in English and Korean: its own in ``i18n.json`` next to this file,
the names and sentences it shares with the API in the core's phrase book
(:mod:`recommender.explain.render`, ``phrases.json``: capability labels, sectors,
regions, programme types, factors, explanation sentences and eligibility reasons).

The two are merged into one tree per language, and a key may be in only one of them.
Every language holds the same keys (checked when the files are loaded, so a missing
Korean string fails at start-up, not in front of a firm). The language of a request is
the one asked for in the query or form, else the one remembered in a cookie, else the
browser's first supported ``Accept-Language``, else English.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

from recommender.explain.render import LANGUAGES as CORE_LANGUAGES
from recommender.explain.render import phrases

LANGUAGES: Final[tuple[str, ...]] = CORE_LANGUAGES
DEFAULT_LANGUAGE: Final[str] = "en"
LANG_COOKIE: Final[str] = "portal_lang"
I18N_FILE: Final[Path] = Path(__file__).with_name("i18n.json")


def _keys(tree: Mapping[str, Any], prefix: str = "") -> set[str]:
    out: set[str] = set()
    for key, value in tree.items():
        path = f"{prefix}{key}"
        out |= _keys(value, path + ".") if isinstance(value, Mapping) else {path}
    return out


def check_catalogue(catalogue: Mapping[str, Mapping[str, Any]]) -> None:
    """Raise ``ValueError`` unless every language of :data:`LANGUAGES` has the same keys."""
    missing_langs = [lang for lang in LANGUAGES if lang not in catalogue]
    if missing_langs:
        raise ValueError(f"{I18N_FILE.name}: no strings for {', '.join(missing_langs)}")
    reference = _keys(catalogue[DEFAULT_LANGUAGE])
    for lang in LANGUAGES:
        keys = _keys(catalogue[lang])
        if keys != reference:
            diff = sorted(reference ^ keys)
            raise ValueError(
                f"{I18N_FILE.name}: language {lang!r} differs from "
                f"{DEFAULT_LANGUAGE!r} in {', '.join(diff[:10])}"
            )


def merged(portal: Mapping[str, Any], core: Mapping[str, Any], path: str = "") -> dict[str, Any]:
    """The union of two string trees; raise ``ValueError`` when both hold one key's string."""
    out: dict[str, Any] = dict(core)
    for key, value in portal.items():
        there = out.get(key)
        if there is None:
            out[key] = value
        elif isinstance(there, Mapping) and isinstance(value, Mapping):
            out[key] = merged(value, there, f"{path}{key}.")
        else:
            raise ValueError(
                f"{I18N_FILE.name}: {path}{key} is also in the core's phrase book; keep one"
            )
    return out


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, Any]]:
    """All strings of all languages (the portal's and the core's), loaded and checked once."""
    portal: dict[str, dict[str, Any]] = json.loads(I18N_FILE.read_text(encoding="utf-8"))
    core = phrases()
    data = {lang: merged(portal.get(lang, {}), core.get(lang, {})) for lang in LANGUAGES}
    check_catalogue(data)
    return data


@dataclass(frozen=True)
class Translator:
    """The strings of one language; ``t("ui.title_form")`` or ``t("errors.min", min=1)``."""

    lang: str

    @property
    def strings(self) -> dict[str, Any]:
        """The language's whole tree (for templates that loop over e.g. capabilities)."""
        return catalogue()[self.lang]

    def t(self, key: str, **values: object) -> str:
        """The string at dotted ``key``, with ``{name}`` placeholders filled from ``values``."""
        node: Any = self.strings
        for part in key.split("."):
            node = node[part]
        if not isinstance(node, str):
            raise KeyError(f"{key!r} is not a string in {self.lang!r}")
        return node.format(**values) if values else node

    def __call__(self, key: str, **values: object) -> str:
        return self.t(key, **values)

    @property
    def other(self) -> str:
        """The language the switch offers."""
        return next(lang for lang in LANGUAGES if lang != self.lang)


def _accepted(header: str | None) -> str | None:
    """The first language of an ``Accept-Language`` header the portal speaks."""
    if not header:
        return None
    ranked = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((-quality, position, tag.strip().lower().split("-")[0]))
    for _q, _pos, lang in sorted(ranked):
        if lang in LANGUAGES:
            return lang
    return None


def choose_language(*, asked: str | None, cookie: str | None, accept_language: str | None) -> str:
    """The language of a request: asked for, else remembered, else the browser's, else English."""
    for candidate in (asked, cookie):
        if candidate is not None and candidate in LANGUAGES:
            return candidate
    return _accepted(accept_language) or DEFAULT_LANGUAGE
