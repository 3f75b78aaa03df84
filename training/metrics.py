"""Ranking metrics: pure functions over a DataFrame of scored (query, item) rows.

A *query* is one firm profile (``firm_id, year`` by default) and its rows are the
programmes it was scored against; ``score`` ranks them, higher first. Every metric is
the mean over queries of a per-query value, computed with NumPy over the whole frame
(about half a second for a million rows on two cores).

Ties in ``score`` are never broken by row order or by an id. With ``ties="average"``
(the default) a metric is its *expected value when tied items are ordered at random*
(McSherry & Najork, ECIR 2008), computed exactly in closed form, so a model that
cannot separate two programmes gets neither credit nor blame for which one happened
to come first, and a constant scorer gets the value of a random ranking. With
``ties="pessimistic"`` tied items are ordered worst first (lowest gain / not relevant
first), a lower bound.

Queries a metric cannot judge are skipped (and are ``NaN`` in ``per_query_ndcg``):
for NDCG those whose ideal DCG is 0 (every gain 0), for MAP, precision and hit rate
those with no relevant item. A metric with no query left to judge is ``NaN``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
import pandas as pd

from recommender.constants import FIRM_ID, OUTCOME, YEAR

SCORE: Final[str] = "score"
EXPECTED_OUTCOME: Final[str] = "expected_outcome"
QUERY: Final[tuple[str, str]] = (FIRM_ID, YEAR)
RELEVANT_FROM: Final[int] = 2  # outcome grade from which a programme counts as relevant

Ties = Literal["average", "pessimistic"]


@dataclass(frozen=True)
class _Ranked:
    """Rows sorted by query, then score descending, with rank and tie-group facts."""

    query: np.ndarray  # query number (0..n_queries-1) per sorted row, ascending
    pos: np.ndarray  # 1-based rank within the query
    value: np.ndarray  # the gain / relevance column, in sorted order
    tie_size: np.ndarray  # size of the row's tie group
    tie_before: np.ndarray  # rows of the query ranked above the row's tie group
    tie_sum: np.ndarray  # summed value of the row's tie group
    tie_mean: np.ndarray  # mean value of the row's tie group
    starts: np.ndarray  # index of each query's first sorted row
    first_rows: np.ndarray  # original row position of each query's first sorted row

    @property
    def n_queries(self) -> int:
        return len(self.starts)

    def per_query_sum(self, weights: np.ndarray) -> np.ndarray:
        return np.bincount(self.query, weights=weights, minlength=self.n_queries)


def _column(df: pd.DataFrame, name: str) -> np.ndarray:
    if name not in df.columns:
        raise ValueError(f"column {name!r} is missing from the frame")
    values = df[name].to_numpy(dtype=float, na_value=np.nan)
    if np.isnan(values).any():
        raise ValueError(f"column {name!r} has missing values")
    return values


def _rank(
    df: pd.DataFrame, *, query: Sequence[str], scores: np.ndarray, values: np.ndarray, ties: Ties
) -> _Ranked:
    """Sort rows by query then score (descending) and describe ranks and tie groups."""
    if ties not in ("average", "pessimistic"):
        raise ValueError(f"ties must be 'average' or 'pessimistic', not {ties!r}")
    if isinstance(query, str):
        raise ValueError(f"query must be a sequence of column names, e.g. ({query!r},)")
    missing = [c for c in query if c not in df.columns]
    if missing:
        raise ValueError(f"query columns {missing} are missing from the frame")
    qid = df.groupby(list(query), sort=False, dropna=False).ngroup().to_numpy()
    order = (
        np.lexsort((-scores, qid)) if ties == "average" else np.lexsort((values, -scores, qid))
    )  # pessimistic: worst first in a tie
    q, s, v = qid[order], scores[order], values[order]
    n = len(q)
    idx = np.arange(n)
    new_query = np.ones(n, dtype=bool)
    new_query[1:] = q[1:] != q[:-1]
    starts = np.flatnonzero(new_query)
    pos = idx - np.maximum.accumulate(np.where(new_query, idx, 0)) + 1
    new_tie = np.ones(n, dtype=bool)
    if ties == "average":
        new_tie[1:] = new_query[1:] | (s[1:] != s[:-1])
    tie = np.cumsum(new_tie) - 1
    size = np.bincount(tie)
    total = np.bincount(tie, weights=v)
    first_pos = pos[np.flatnonzero(new_tie)]
    return _Ranked(
        query=q,
        pos=pos,
        value=v,
        tie_size=size[tie],
        tie_before=first_pos[tie] - 1,
        tie_sum=total[tie],
        tie_mean=(total / size)[tie],
        starts=starts,
        first_rows=order[starts],
    )


def _query_index(df: pd.DataFrame, ranked: _Ranked, query: Sequence[str]) -> pd.Index:
    keys = df[list(query)].iloc[ranked.first_rows]
    if len(query) == 1:
        return pd.Index(keys[query[0]].to_numpy(), name=query[0])
    return pd.MultiIndex.from_frame(keys.reset_index(drop=True))


def _check_k(k: int) -> None:
    if not isinstance(k, int | np.integer) or isinstance(k, bool) or k < 1:
        raise ValueError(f"k must be a positive integer, not {k!r}")


def _mean(values: np.ndarray) -> float:
    kept = values[~np.isnan(values)]
    return float(kept.mean()) if kept.size else float("nan")


def _ranked_relevance(
    df: pd.DataFrame,
    *,
    query: Sequence[str],
    score: str,
    relevant: str,
    threshold: float,
    ties: Ties,
) -> _Ranked:
    marked = (_column(df, relevant) >= threshold).astype(float)
    return _rank(df, query=query, scores=_column(df, score), values=marked, ties=ties)


def per_query_ndcg(
    df: pd.DataFrame,
    *,
    k: int,
    query: Sequence[str] = QUERY,
    score: str = SCORE,
    gain: str = OUTCOME,
    exponential: bool = False,
    ties: Ties = "average",
) -> pd.Series:
    """NDCG@k of every query, indexed by the query columns; ``NaN`` where IDCG is 0.

    DCG@k = sum over ranks r <= k of gain_r / log2(r + 1), IDCG@k the same for the
    best possible order. The gain is the ``gain`` column itself (linear, the default;
    gains must be >= 0) or ``2**gain - 1`` with ``exponential=True``.
    """
    _check_k(k)
    gains = _column(df, gain)
    if (gains < 0).any():
        raise ValueError(f"column {gain!r} has negative gains")
    if exponential:
        gains = np.exp2(gains) - 1.0  # monotone: the pessimistic order is unchanged
    ranked = _rank(df, query=query, scores=_column(df, score), values=gains, ties=ties)
    discount = np.where(ranked.pos <= k, 1.0 / np.log2(ranked.pos + 1.0), 0.0)
    # average ties: every row of a tie group carries the group's mean gain
    dcg = ranked.per_query_sum(ranked.tie_mean * discount)
    ideal = ranked.value[np.lexsort((-ranked.value, ranked.query))]
    idcg = ranked.per_query_sum(ideal * discount)
    with np.errstate(divide="ignore", invalid="ignore"):
        ndcg = np.where(idcg > 0, dcg / idcg, np.nan)
    return pd.Series(ndcg, index=_query_index(df, ranked, query), name=f"ndcg@{k}")


def ndcg_at_k(
    df: pd.DataFrame,
    *,
    k: int,
    query: Sequence[str] = QUERY,
    score: str = SCORE,
    gain: str = OUTCOME,
    exponential: bool = False,
    ties: Ties = "average",
) -> float:
    """Mean NDCG@k over queries whose IDCG@k is positive (see :func:`per_query_ndcg`)."""
    per_query = per_query_ndcg(
        df, k=k, query=query, score=score, gain=gain, exponential=exponential, ties=ties
    )
    return _mean(per_query.to_numpy())


def average_precision(
    df: pd.DataFrame,
    *,
    query: Sequence[str] = QUERY,
    score: str = SCORE,
    relevant: str = OUTCOME,
    threshold: float = RELEVANT_FROM,
    ties: Ties = "average",
) -> float:
    """MAP: mean over queries of average precision over the full ranking.

    An item is relevant when ``relevant >= threshold``; queries without a relevant
    item are skipped. With average ties, a tie group of n rows holding r relevant ones,
    with s rows and c relevant ones ranked above it, adds r times the mean over its
    places j = 1..n of (c + 1 + (j-1)(r-1)/(n-1)) / (s + j): the expected precision at
    a relevant item placed at random within the group.
    """
    ranked = _ranked_relevance(
        df, query=query, score=score, relevant=relevant, threshold=threshold, ties=ties
    )
    n, r = ranked.tie_size.astype(float), ranked.tie_sum
    relevant_before = np.cumsum(ranked.value) - ranked.value  # over the whole frame
    group_first = ranked.starts[ranked.query] + ranked.tie_before
    c = relevant_before[group_first] - relevant_before[ranked.starts][ranked.query]
    j = (ranked.pos - ranked.tie_before).astype(float)
    others = np.divide(r - 1.0, n - 1.0, out=np.zeros_like(n), where=n > 1)
    precision = (c + 1.0 + (j - 1.0) * others) / ranked.pos
    ap_sum = ranked.per_query_sum(precision * r / n)  # each row is one of n places
    total = ranked.per_query_sum(ranked.value)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _mean(np.where(total > 0, ap_sum / total, np.nan))


def precision_at_k(
    df: pd.DataFrame,
    *,
    k: int,
    query: Sequence[str] = QUERY,
    score: str = SCORE,
    relevant: str = OUTCOME,
    threshold: float = RELEVANT_FROM,
    ties: Ties = "average",
) -> float:
    """Mean share of relevant items among the top min(k, query size) of each query.

    Dividing by min(k, n) rather than k keeps a perfect ranking at 1.0 for queries
    with fewer than k items. Queries without a relevant item are skipped.
    """
    _check_k(k)
    ranked = _ranked_relevance(
        df, query=query, score=score, relevant=relevant, threshold=threshold, ties=ties
    )
    top = ranked.pos <= k
    hits = ranked.per_query_sum(np.where(top, ranked.tie_mean, 0.0))
    shown = ranked.per_query_sum(top.astype(float))
    has_relevant = ranked.per_query_sum(ranked.value) > 0
    return _mean(np.where(has_relevant, hits / np.maximum(shown, 1.0), np.nan))


def hit_rate_at_k(
    df: pd.DataFrame,
    *,
    k: int,
    query: Sequence[str] = QUERY,
    score: str = SCORE,
    relevant: str = OUTCOME,
    threshold: float = RELEVANT_FROM,
    ties: Ties = "average",
) -> float:
    """Share of queries with at least one relevant item in the top k.

    Queries without a relevant item are skipped. With average ties, the tie group
    straddling rank k counts with the (hypergeometric) chance that the places it gets
    in the top k catch one of its relevant items.
    """
    _check_k(k)
    ranked = _ranked_relevance(
        df, query=query, score=score, relevant=relevant, threshold=threshold, ties=ties
    )
    # P(miss) = product over top-k rows of (n - r - i) / (n - i), i = 0-based place in
    # the row's tie group; a zero factor means a relevant item is surely in the top k
    n = ranked.tie_size.astype(float)
    free = n - ranked.tie_sum
    i = (ranked.pos - 1 - ranked.tie_before).astype(float)
    top = ranked.pos <= k
    sure = top & (free - i < 0.5)
    factor = np.where(top & ~sure, (free - i) / (n - i), 1.0)
    miss = np.exp(ranked.per_query_sum(np.log(factor)))
    miss[ranked.per_query_sum(sure.astype(float)) > 0] = 0.0
    has_relevant = ranked.per_query_sum(ranked.value) > 0
    return _mean(np.where(has_relevant, 1.0 - miss, np.nan))


def top_pick_regret(
    df: pd.DataFrame,
    *,
    query: Sequence[str] = QUERY,
    score: str = SCORE,
    gain: str = EXPECTED_OUTCOME,
    ties: Ties = "average",
) -> float:
    """Mean over queries of (best gain in the query - gain of the top-scored item).

    0 means the top pick is always the best one. With average ties the top pick's gain
    is the mean gain of the items tied for first place. Every query counts.
    """
    ranked = _rank(df, query=query, scores=_column(df, score), values=_column(df, gain), ties=ties)
    if not ranked.n_queries:
        return float("nan")
    best = np.maximum.reduceat(ranked.value, ranked.starts)
    return float(np.mean(best - ranked.tie_mean[ranked.starts]))
