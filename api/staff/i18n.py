"""The staff pages' words in English and Korean: their own under ``staff.*`` in
``i18n.json`` next to this file, on top of everything the partner portal speaks (its
``i18n.json`` and the core's phrase book: capability labels, sectors, regions, field
labels, explanation sentences), so both front ends name things alike.

A key may be in only one of the files, and every language holds the same keys (checked
when first loaded). The language of a request is chosen as the portal chooses it
(:func:`api.portal.i18n.choose_language`), remembered in its own cookie.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

from api.portal.i18n import LANGUAGES, Translator, check_catalogue, merged
from api.portal.i18n import catalogue as portal_catalogue

STAFF_LANG_COOKIE: Final[str] = "staff_lang"
STAFF_I18N_FILE: Final[Path] = Path(__file__).with_name("i18n.json")


@lru_cache(maxsize=1)
def staff_catalogue() -> dict[str, dict[str, Any]]:
    """All strings of all languages (the staff pages', the portal's, the core's), once."""
    own: dict[str, dict[str, Any]] = json.loads(STAFF_I18N_FILE.read_text(encoding="utf-8"))
    base = portal_catalogue()
    data = {lang: merged(own.get(lang, {}), base[lang]) for lang in LANGUAGES}
    check_catalogue(data)
    return data


@dataclass(frozen=True)
class StaffTranslator(Translator):
    """A :class:`Translator` over the staff catalogue (``tr("staff.sign_out")``)."""

    @property
    def strings(self) -> dict[str, Any]:
        """The language's whole tree."""
        return staff_catalogue()[self.lang]
