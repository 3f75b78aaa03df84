"""A learned programme-type classifier: character n-gram TF-IDF + logistic regression.

It exists to be measured against the keyword rules (``recommender.bizinfo.evaluate``);
``docs/bizinfo.md`` records whether it earned a place in the import.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Self

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from recommender.bizinfo.text import Sections
from recommender.constants import DEFAULT_SEED, PROGRAMME_TYPES
from recommender.errors import NotFittedError


def announcement_text(title: str, sections: Sections, lcategory: str | None) -> str:
    """The text the model reads: category, the title twice (it says most), the summary."""
    body = "\n".join(p for p in (sections.intro, sections.target, sections.support) if p)
    return f"{lcategory or ''} {title}\n{title}\n{body}"


class TypeTextModel:
    """Programme type from announcement text.

    Parameters
    ----------
    ngram_range
        Character n-gram lengths (within word boundaries, ``analyzer="char_wb"``).
    C
        Inverse regularisation strength of the logistic regression.
    class_weight
        ``"balanced"`` (rare types weigh more) or ``None``.
    seed
        Random seed of the solver.
    """

    def __init__(
        self,
        *,
        ngram_range: tuple[int, int] = (2, 4),
        C: float = 1.0,
        class_weight: str | None = "balanced",
        seed: int = DEFAULT_SEED,
    ) -> None:
        self.ngram_range = ngram_range
        self.C = C
        self.class_weight = class_weight
        self.seed = seed

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> Self:
        """Learn from labelled texts; labels must be programme types, two kinds at least."""
        texts = [str(t) for t in texts]
        y = np.asarray(labels, dtype=object)
        if len(texts) != len(y):
            raise ValueError(f"{len(texts)} texts but {len(y)} labels")
        unknown = sorted(set(y) - set(PROGRAMME_TYPES))
        if unknown:
            raise ValueError(f"labels {unknown} are not programme types")
        if len(set(y)) < 2:
            raise ValueError("need at least two different labels to learn from")
        self.vectorizer_ = TfidfVectorizer(
            analyzer="char_wb", ngram_range=self.ngram_range, sublinear_tf=True
        )
        features = self.vectorizer_.fit_transform(texts)
        self.classifier_ = LogisticRegression(
            C=self.C, class_weight=self.class_weight, max_iter=5000, random_state=self.seed
        )
        self.classifier_.fit(features, y)
        self.classes_ = self.classifier_.classes_
        return self

    def _check(self) -> None:
        if not hasattr(self, "classifier_"):
            raise NotFittedError("TypeTextModel is not fitted; call fit first")

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probability of each type in ``classes_`` order, one row per text."""
        self._check()
        return self.classifier_.predict_proba(self.vectorizer_.transform([str(t) for t in texts]))

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        """The most probable type of each text."""
        self._check()
        return self.classifier_.predict(self.vectorizer_.transform([str(t) for t in texts]))

    def get_feature_names_out(self) -> np.ndarray:
        """The character n-grams the model weighs."""
        self._check()
        return self.vectorizer_.get_feature_names_out()
