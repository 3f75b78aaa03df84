"""How well a firm's business description matches each programme's text.

A character n-gram TF-IDF (2- to 4-grams within words, sublinear term frequency) is
fitted on one year's catalogue (name and description of every programme); a firm's
description is compared with every programme by cosine similarity, which is the
model's pair feature ``text_match`` (the demo world makes a programme worth more the
closer its text is to what a firm does, ``docs/causal-model.md``). Character n-grams need no
Korean analyser: ``체외진단 의료기기를`` and ``의료기기 제조`` share ``의료``, ``료기``,
``의료기기``. A firm that gives no description gets 0 everywhere: the blend then adds
nothing to the ranking, the model's feature is missing (NaN, as for any firm whose
description is unknown) and the reason says that no description was given.

The words shown as the factor ("matches your business: 체외진단, 의료기기") are the
description's words (of at least two characters, a trailing particle dropped, filler
words such as 지원 or 준비 left out) that occur in the programme's text, longest first.
"""

from __future__ import annotations

import re
from typing import Any, Final

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

NGRAMS: Final[tuple[int, int]] = (2, 4)
MAX_TERMS: Final[int] = 3
_WORD = re.compile(r"[0-9A-Za-z가-힣]{2,}")
_PARTICLE = re.compile(r"(을|를|이|가|은|는|와|과|의|에|로|으로|및|등)$")
# Words of any description or announcement that say nothing about the business.
FILLER: Final[frozenset[str]] = frozenset(
    {"기업", "사업", "지원", "준비", "완료", "추진", "확대", "진행", "위한", "통해", "기반", "관련"}
)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def has_text(value: Any) -> bool:
    """Whether a description says anything."""
    return bool(_text(value))


def as_feature(similarity: np.ndarray, descriptions: list[Any]) -> np.ndarray:
    """The model's ``text_match`` from :meth:`TextMatcher.similarity` of ``descriptions``:
    the same values, with NaN rows for firms that give no description (their match is
    unknown, not 0)."""
    given = np.array([has_text(d) for d in descriptions], dtype=bool)
    return np.where(given[:, None], similarity, np.nan)


class TextMatcher:
    """TF-IDF of one catalogue's programme texts, and the match of descriptions to them.

    Parameters
    ----------
    texts
        Each programme's text (name and description), in catalogue order.
    """

    def __init__(self, texts: list[str]) -> None:
        self.texts = texts
        self._vectoriser: TfidfVectorizer | None = None
        self._terms_by_programme: Any = None  # (n-grams x programmes), row-major
        if any(t.strip() for t in texts):
            self._vectoriser = TfidfVectorizer(
                analyzer="char_wb", ngram_range=NGRAMS, sublinear_tf=True
            )
            # transposed once: a request multiplies one row by it (no per-call conversion)
            self._terms_by_programme = self._vectoriser.fit_transform(texts).T.tocsr()

    @classmethod
    def of(cls, programmes: Any) -> TextMatcher:
        """The matcher of a canonical programme frame (``name`` and ``description``)."""
        names = [_text(v) for v in programmes["name"]]
        descriptions = (
            [_text(v) for v in programmes["description"]]
            if "description" in programmes
            else [""] * len(names)
        )
        return cls([f"{n} {d}".strip() for n, d in zip(names, descriptions, strict=True)])

    def similarity(self, descriptions: list[Any]) -> np.ndarray:
        """``(len(descriptions), n_programmes)`` cosine similarities in [0, 1]; rows of
        firms without a description are 0."""
        out = np.zeros((len(descriptions), len(self.texts)))
        given = [i for i, d in enumerate(descriptions) if _text(d)]
        if not given or self._vectoriser is None:
            return out
        queries = self._vectoriser.transform([_text(descriptions[i]) for i in given])
        out[given] = (queries @ self._terms_by_programme).toarray()
        return out

    def terms(self, description: Any, programme: int) -> tuple[str, ...]:
        """The description's words found in programme ``programme``'s text, longest first."""
        text = self.texts[programme]
        words = dict.fromkeys(_PARTICLE.sub("", w) for w in _WORD.findall(_text(description)))
        found = [w for w in words if len(w) >= 2 and w not in FILLER and w in text]
        return tuple(sorted(found, key=len, reverse=True)[:MAX_TERMS])
