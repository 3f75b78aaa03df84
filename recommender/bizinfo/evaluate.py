"""Rules versus learned model on hand-labelled announcements.

The labels file has a ``sample`` column: ``dev`` rows were labelled first and the
keyword rules were written while reading them, so the rules' figures there are
optimistic; ``holdout`` rows were drawn and labelled after the rules were frozen and
are the fair test. The model never sees the rows it is scored on: on ``dev`` it is
cross-validated (stratified folds, fixed seed), on ``holdout`` it is trained on all of
``dev``. The hybrid keeps the rules' answer unless their confidence is below
``threshold``, where it takes the model's.

Run ``python -m recommender.adapters.bizinfo.evaluate [ANNOUNCEMENTS.csv LABELS.csv]``
to print the tables of ``docs/bizinfo.md``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold

from recommender.bizinfo.classify import TypeRules, classify_text
from recommender.bizinfo.metrics import accuracy, macro_f1, per_type_precision_recall
from recommender.bizinfo.model import TypeTextModel, announcement_text
from recommender.bizinfo.text import html_to_text, split_sections
from recommender.constants import DEFAULT_SEED, PROGRAMME_TYPES
from recommender.errors import DataValidationError, Problem

HYBRID_THRESHOLD = 0.5
METHODS: tuple[str, ...] = ("rules", "model", "hybrid")
SAMPLES: tuple[str, ...] = ("dev", "holdout")


@dataclass(frozen=True)
class Comparison:
    """Every labelled row with the label and each method's prediction."""

    predictions: pd.DataFrame  # id, sample, label, rules, rules_confidence, model, hybrid

    def table(self, sample: str, method: str) -> pd.DataFrame:
        """Per-type precision/recall of ``method`` on ``sample`` (or ``"all"``)."""
        rows = (
            self.predictions
            if sample == "all"
            else (self.predictions[self.predictions["sample"] == sample])
        )
        return per_type_precision_recall(rows["label"], rows[method])

    def summary(self) -> pd.DataFrame:
        """Accuracy and macro-F1 of each method on each sample."""
        out = []
        for sample in SAMPLES:
            rows = self.predictions[self.predictions["sample"] == sample]
            for method in METHODS:
                out.append(
                    {
                        "sample": sample,
                        "method": method,
                        "n": len(rows),
                        "accuracy": accuracy(rows["label"], rows[method]),
                        "macro_f1": macro_f1(self.table(sample, method)),
                    }
                )
        return pd.DataFrame(out)


def labelled_announcements(
    raw: pd.DataFrame, labels: pd.DataFrame, *, file: str = "labels"
) -> pd.DataFrame:
    """The announcements of the labelled ids, with ``label`` and ``sample`` columns.

    Raises
    ------
    DataValidationError
        A label names an unknown type or an id absent from ``raw``.
    """
    problems = []
    known = set(raw["id"])
    for row, (ident, label) in enumerate(zip(labels["id"], labels["label"], strict=True), 2):
        if label not in PROGRAMME_TYPES:
            problems.append(Problem(file, row, "label", label, "a programme type"))
        if ident not in known:
            problems.append(Problem(file, row, "id", ident, "an id of the announcements"))
    if problems:
        raise DataValidationError(problems)
    firsts = raw.drop_duplicates("id", keep="last").set_index("id")
    out = firsts.loc[labels["id"]].reset_index()
    out["label"] = labels["label"].to_numpy()
    out["sample"] = labels["sample"].to_numpy() if "sample" in labels else "dev"
    return out


def _texts_and_rules(
    rows: pd.DataFrame, rules: TypeRules
) -> tuple[list[str], list[str], list[float]]:
    texts, kinds, confidences = [], [], []
    for title, html, category in zip(
        rows["title"], rows["description"], rows["lcategory"], strict=True
    ):
        sections = split_sections(html_to_text(html))
        decision = classify_text(str(title), sections, category, rules=rules)
        texts.append(announcement_text(str(title), sections, category))
        kinds.append(decision.programme_type)
        confidences.append(decision.confidence)
    return texts, kinds, confidences


def out_of_fold(
    texts: list[str], labels: np.ndarray, *, n_splits: int = 5, seed: int = DEFAULT_SEED
) -> np.ndarray:
    """Model predictions for each text from a model that never saw it (stratified k-fold)."""
    out = np.empty(len(texts), dtype=object)
    folds = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    with warnings.catch_warnings():  # rare types have fewer members than folds
        warnings.filterwarnings("ignore", message="The least populated class")
        for train, test in folds.split(np.zeros(len(texts)), labels):
            model = TypeTextModel(seed=seed).fit([texts[i] for i in train], labels[train])
            out[test] = model.predict([texts[i] for i in test])
    return out


def compare_rules_and_model(
    raw: pd.DataFrame,
    labels: pd.DataFrame,
    *,
    rules: TypeRules,
    n_splits: int = 5,
    seed: int = DEFAULT_SEED,
    threshold: float = HYBRID_THRESHOLD,
) -> Comparison:
    """Score rules, model and hybrid on the labelled rows (see the module docstring)."""
    rows = labelled_announcements(raw, labels)
    texts, kinds, confidences = _texts_and_rules(rows, rules)
    y = rows["label"].to_numpy(dtype=object)
    dev = (rows["sample"] == "dev").to_numpy()
    model = np.empty(len(rows), dtype=object)
    dev_idx = np.flatnonzero(dev)
    model[dev_idx] = out_of_fold([texts[i] for i in dev_idx], y[dev], n_splits=n_splits, seed=seed)
    rest = np.flatnonzero(~dev)
    if len(rest):
        fitted = TypeTextModel(seed=seed).fit([texts[i] for i in dev_idx], y[dev])
        model[rest] = fitted.predict([texts[i] for i in rest])
    conf = np.asarray(confidences)
    predictions = pd.DataFrame(
        {
            "id": rows["id"],
            "sample": rows["sample"],
            "label": y,
            "rules": kinds,
            "rules_confidence": conf,
            "model": model,
            "hybrid": np.where(conf < threshold, model, np.asarray(kinds, dtype=object)),
        }
    )
    return Comparison(predictions)


def render_markdown(comparison: Comparison) -> str:
    """The summary and the per-type tables as Markdown."""

    def fmt(value: float) -> str:
        return "–" if pd.isna(value) else f"{value:.2f}"

    lines = ["| sample | method | n | accuracy | macro-F1 |", "|---|---|---|---|---|"]
    for r in comparison.summary().itertuples():
        lines.append(f"| {r.sample} | {r.method} | {r.n} | {fmt(r.accuracy)} | {fmt(r.macro_f1)} |")
    for sample in SAMPLES:
        lines += [
            "",
            f"**{sample}** — precision / recall per type",
            "",
            "| type | n | " + " | ".join(METHODS) + " |",
            "|---|---|" + "---|" * len(METHODS),
        ]
        tables = {m: comparison.table(sample, m) for m in METHODS}
        for kind in PROGRAMME_TYPES:
            cells = [
                f"{fmt(tables[m].at[kind, 'precision'])} / {fmt(tables[m].at[kind, 'recall'])}"
                for m in METHODS
            ]
            lines.append(
                f"| {kind} | {tables['rules'].at[kind, 'support']} | " + " | ".join(cells) + " |"
            )
    return "\n".join(lines)
