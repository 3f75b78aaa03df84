"""Per-type precision and recall of a programme-type classifier (pure functions)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from recommender.constants import PROGRAMME_TYPES


def per_type_precision_recall(y_true: Sequence[str], y_pred: Sequence[str], *,
                              types: Sequence[str] = PROGRAMME_TYPES) -> pd.DataFrame:
    """Precision, recall and F1 of each type, one-vs-rest.

    Parameters
    ----------
    y_true, y_pred
        True and predicted types, aligned.
    types
        The rows of the result, in this order.

    Returns
    -------
    pandas.DataFrame
        Indexed by type, columns ``support`` (true count), ``predicted``, ``correct``,
        ``precision`` (NaN when never predicted), ``recall`` (NaN when no true case)
        and ``f1`` (NaN when either is NaN, 0 when both are 0).
    """
    true = np.asarray(y_true, dtype=object)
    pred = np.asarray(y_pred, dtype=object)
    if true.shape != pred.shape:
        raise ValueError(f"y_true has {true.size} labels but y_pred has {pred.size}")
    rows = []
    for kind in types:
        support = int((true == kind).sum())
        predicted = int((pred == kind).sum())
        correct = int(((true == kind) & (pred == kind)).sum())
        precision = correct / predicted if predicted else np.nan
        recall = correct / support if support else np.nan
        if np.isnan(precision) or np.isnan(recall):
            f1 = np.nan
        else:
            f1 = 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)
        rows.append({"type": kind, "support": support, "predicted": predicted,
                     "correct": correct, "precision": precision, "recall": recall, "f1": f1})
    return pd.DataFrame(rows).set_index("type")


def accuracy(y_true: Sequence[str], y_pred: Sequence[str]) -> float:
    """Share of labels predicted exactly."""
    true = np.asarray(y_true, dtype=object)
    pred = np.asarray(y_pred, dtype=object)
    if true.shape != pred.shape:
        raise ValueError(f"y_true has {true.size} labels but y_pred has {pred.size}")
    return float((true == pred).mean()) if true.size else float("nan")


def macro_f1(table: pd.DataFrame) -> float:
    """Mean F1 over the types that occur (``support > 0``) in a
    :func:`per_type_precision_recall` table; a type never predicted counts as 0."""
    present = table[table["support"] > 0]
    return float(present["f1"].fillna(0.0).mean()) if len(present) else float("nan")
