"""Metrics of the Bizinfo import (pure functions): per-type precision and recall of a
programme-type classifier, and how well each announcement field is read."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from recommender.constants import PROGRAMME_TYPES


def per_type_precision_recall(
    y_true: Sequence[str], y_pred: Sequence[str], *, types: Sequence[str] = PROGRAMME_TYPES
) -> pd.DataFrame:
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
        rows.append(
            {
                "type": kind,
                "support": support,
                "predicted": predicted,
                "correct": correct,
                "precision": precision,
                "recall": recall,
                "f1": f1,
            }
        )
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


# --- field accuracy of the announcement parser -------------------------------------------
def items(value: object) -> frozenset[str]:
    """A set-valued cell as its items: ``"a;b"`` -> ``{a, b}``; blank, ``None`` and the
    wildcard ``*`` (no restriction) -> the empty set."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return frozenset()
    return frozenset(v.strip() for v in str(value).split(";") if v.strip() not in ("", "*"))


def _number(value: object) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if np.isnan(number) else number


def same_number(a: object, b: object, *, rel: float = 0.01) -> bool:
    """Both blank, or both numbers within ``rel`` of the second (the label)."""
    x, y = _number(a), _number(b)
    if x is None or y is None:
        return x is y
    return abs(x - y) <= rel * abs(y) if y else x == 0


def _label(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value).strip().lower()


def field_scores(
    truth: Sequence[object], predicted: Sequence[object], *, kind: str
) -> dict[str, float]:
    """How well one field was read.

    Parameters
    ----------
    truth, predicted
        Aligned cells in the labels file's format: ``;``-lists (``*`` = no restriction),
        numbers (blank = not stated) or labels.
    kind
        ``"set"`` (compared as sets of items), ``"number"`` (equal within 1 %) or
        ``"label"`` (equal text, blank = not stated).

    Returns
    -------
    dict
        ``n``; ``accuracy`` (share exactly right, blanks included); ``coverage`` (share
        where a value was read); ``labelled`` (share where the label has one); for sets
        ``precision`` and ``recall`` over the items of all rows (NaN when there are none);
        for numbers ``correct_where_read`` (share right among rows read, NaN if none).
    """
    if len(truth) != len(predicted):
        raise ValueError(f"{len(truth)} labels but {len(predicted)} predictions")
    n = len(truth)
    out: dict[str, float] = {"n": float(n)}
    if kind == "set":
        t_sets = [items(v) for v in truth]
        p_sets = [items(v) for v in predicted]
        right = [a == b for a, b in zip(t_sets, p_sets, strict=True)]
        hits = sum(len(a & b) for a, b in zip(t_sets, p_sets, strict=True))
        said = sum(len(b) for b in p_sets)
        exist = sum(len(a) for a in t_sets)
        out["precision"] = hits / said if said else float("nan")
        out["recall"] = hits / exist if exist else float("nan")
        read = [bool(b) for b in p_sets]
        labelled = [bool(a) for a in t_sets]
    elif kind == "number":
        right = [same_number(p, t) for t, p in zip(truth, predicted, strict=True)]
        read = [_number(p) is not None for p in predicted]
        labelled = [_number(t) is not None for t in truth]
        correct_read = [r for r, was_read in zip(right, read, strict=True) if was_read]
        out["correct_where_read"] = (
            sum(correct_read) / len(correct_read) if correct_read else float("nan")
        )
    elif kind == "label":
        right = [_label(t) == _label(p) for t, p in zip(truth, predicted, strict=True)]
        read = [_label(p) not in ("", "false", "other") for p in predicted]
        labelled = [_label(t) not in ("", "false", "other") for t in truth]
    else:
        raise ValueError(f"kind must be set, number or label, not {kind!r}")
    for name, flags in (("accuracy", right), ("coverage", read), ("labelled", labelled)):
        out[name] = sum(flags) / n if n else float("nan")
    return out
