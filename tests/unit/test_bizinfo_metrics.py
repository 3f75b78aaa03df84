"""Per-type precision/recall, and the rules-vs-model evaluation never peeking at test rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recommender.adapters.bizinfo.rules import load_type_rules
from recommender.bizinfo import evaluate as evaluation
from recommender.bizinfo.metrics import accuracy, macro_f1, per_type_precision_recall
from recommender.bizinfo.model import TypeTextModel
from recommender.errors import DataValidationError, NotFittedError

TRUE = ["a", "a", "b", "b", "b", "c"]
PRED = ["a", "b", "b", "b", "c", "c"]


def test_per_type_precision_recall_on_a_hand_computed_fixture():
    table = per_type_precision_recall(TRUE, PRED, types=("a", "b", "c", "d"))
    assert table.loc["a", ["support", "predicted", "correct"]].tolist() == [2, 1, 1]
    assert table.loc["a", "precision"] == pytest.approx(1.0)
    assert table.loc["a", "recall"] == pytest.approx(0.5)
    assert table.loc["a", "f1"] == pytest.approx(2 / 3)
    assert table.loc["b", "precision"] == pytest.approx(2 / 3)
    assert table.loc["b", "recall"] == pytest.approx(2 / 3)
    assert table.loc["c", "precision"] == pytest.approx(0.5)
    assert table.loc["c", "recall"] == pytest.approx(1.0)
    assert table.loc["d"].isna()[["precision", "recall", "f1"]].all()


def test_accuracy_and_macro_f1_on_the_same_fixture():
    assert accuracy(TRUE, PRED) == pytest.approx(4 / 6)
    table = per_type_precision_recall(TRUE, PRED, types=("a", "b", "c", "d"))
    assert macro_f1(table) == pytest.approx(2 / 3)  # d has no cases and is left out


def test_a_type_never_predicted_counts_as_zero_in_macro_f1():
    table = per_type_precision_recall(["a", "b"], ["a", "a"], types=("a", "b"))
    assert np.isnan(table.loc["b", "precision"]) and table.loc["b", "recall"] == 0
    assert macro_f1(table) == pytest.approx((2 / 3 + 0) / 2)


def test_misaligned_inputs_are_refused():
    with pytest.raises(ValueError):
        per_type_precision_recall(["a"], ["a", "b"])


def test_an_unfitted_model_says_so():
    with pytest.raises(NotFittedError):
        TypeTextModel().predict(["x"])


def test_the_model_learns_distinct_vocabularies():
    texts = ["수출 해외 바이어"] * 4 + ["융자 보증 이차보전"] * 4
    labels = ["globalization"] * 4 + ["other"] * 4
    model = TypeTextModel().fit(texts, labels)
    assert list(model.predict(["해외 바이어 상담", "보증 융자"])) == ["globalization", "other"]
    assert len(model.get_feature_names_out()) > 0


class _Spy:
    """Records what every model is trained on and asked about."""

    def __init__(self) -> None:
        self.fits: list[set[str]] = []
        self.asks: list[set[str]] = []

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        spy = self
        fit, predict = TypeTextModel.fit, TypeTextModel.predict

        def recording_fit(model, texts, labels):
            spy.fits.append(set(texts))
            return fit(model, texts, labels)

        def recording_predict(model, texts):
            spy.asks.append(set(texts))
            return predict(model, texts)

        monkeypatch.setattr(TypeTextModel, "fit", recording_fit)
        monkeypatch.setattr(TypeTextModel, "predict", recording_predict)


def test_out_of_fold_predictions_come_from_models_that_never_saw_them(monkeypatch):
    spy = _Spy()
    spy.install(monkeypatch)
    texts = [f"수출 공고 {i}" if i % 2 else f"융자 공고 {i}" for i in range(20)]
    labels = np.array(["globalization" if i % 2 else "other" for i in range(20)], dtype=object)
    predictions = evaluation.out_of_fold(texts, labels, n_splits=5, seed=1)
    assert len(spy.fits) == 5
    for trained, asked in zip(spy.fits, spy.asks, strict=True):
        assert not trained & asked
    assert set().union(*spy.asks) == set(texts)
    assert (predictions == labels).mean() >= 0.9


def _announcement(i: int, kind: str) -> dict[str, str]:
    words = {"globalization": "해외 수출상담회", "other": "운전자금 융자"}[kind]
    return {
        "id": f"PBLN_{i}",
        "title": f"{words} 공고 {i}",
        "lcategory": "경영",
        "pubDate": "2025-01-01",
        "description": f"<p>☞ 기업</p><p>☞ {words} 지원</p>",
    }


def test_holdout_rows_are_scored_by_a_model_trained_on_dev_only(monkeypatch):
    spy = _Spy()
    spy.install(monkeypatch)
    kinds = ["globalization", "other"] * 8
    raw = pd.DataFrame([_announcement(i, k) for i, k in enumerate(kinds)])
    labels = pd.DataFrame(
        {"id": raw["id"], "label": kinds, "sample": ["dev"] * 10 + ["holdout"] * 6}
    )
    comparison = evaluation.compare_rules_and_model(
        raw, labels, rules=load_type_rules(), n_splits=5, seed=3
    )
    holdout_titles = set(raw["title"].iloc[10:])
    assert all(not any(t in text for t in holdout_titles for text in fit) for fit in spy.fits)
    summary = comparison.summary().set_index(["sample", "method"])
    assert summary.loc[("holdout", "rules"), "accuracy"] == pytest.approx(1.0)
    assert summary.loc[("dev", "model"), "n"] == 10
    assert set(comparison.predictions.columns) >= {"rules", "model", "hybrid", "label"}


def test_labels_naming_unknown_ids_or_types_are_refused():
    raw = pd.DataFrame([_announcement(0, "other")])
    labels = pd.DataFrame({"id": ["PBLN_0", "PBLN_9"], "label": ["other", "loans"]})
    with pytest.raises(DataValidationError) as caught:
        evaluation.labelled_announcements(raw, labels, file="labels.csv")
    text = str(caught.value)
    assert "labels.csv, row 3, column label" in text and "row 3, column id" in text
