"""Bulk scoring without explanations: every firm x every programme of its year, and the
outreach list of one programme (the firms that fit it best)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from recommender.constants import OTHER_TYPE, TEXT_MATCH_WEIGHT
from recommender.eligibility import EligibilityIndex
from recommender.errors import NotFoundError
from recommender.features import FeaturePipeline, descriptions, with_history
from recommender.features.text_match import as_feature
from recommender.ranker import Ranker
from recommender.recommend.catalogue import YearCatalogue
from recommender.recommend.lists import blended

SCORE_COLUMNS: tuple[str, ...] = ("firm_id", "year", "programme_id", "eligible", "score", "rank")
OUTREACH_COLUMNS: tuple[str, ...] = ("firm_id", "year", "score", "rank")


def score_all(
    firms: pd.DataFrame,
    *,
    ranker: Ranker,
    pipeline: FeaturePipeline,
    programmes: pd.DataFrame,
    years: Mapping[int, YearCatalogue],
    outcomes: pd.DataFrame | None = None,
    chunk: int = 20_000,
    text_weight: float = TEXT_MATCH_WEIGHT,
) -> pd.DataFrame:
    """Every firm row x every programme of its year: the contract's score output.

    Columns :data:`SCORE_COLUMNS`; ``score`` is empty for unscored (``other``)
    programmes, ``rank`` for ineligible or unscored ones. The rank orders a firm's
    eligible programmes as its own list does: the blend of score and the text match of
    its description (``text_weight``), ties by the match, then the sooner closing day.
    """
    parts = []
    firms = with_history(firms.reset_index(drop=True), outcomes, programmes)
    for year, idx in firms.groupby("year").indices.items():
        cat = years.get(int(year))
        if cat is None:
            continue
        for start in range(0, len(idx), chunk):
            sub = firms.iloc[idx[start : start + chunk]].reset_index(drop=True)
            parts.append(
                _score_chunk(sub, cat, ranker=ranker, pipeline=pipeline, text_weight=text_weight)
            )
    if not parts:
        return pd.DataFrame(columns=list(SCORE_COLUMNS))
    return pd.concat(parts, ignore_index=True)[list(SCORE_COLUMNS)]


def _score_chunk(
    firms: pd.DataFrame,
    cat: YearCatalogue,
    *,
    ranker: Ranker,
    pipeline: FeaturePipeline,
    text_weight: float,
) -> pd.DataFrame:
    n, m = len(firms), len(cat.programmes)
    eligible = cat.eligibility.mask(firms)
    fi, pj = np.nonzero(np.broadcast_to(cat.table.scored[None, :], (n, m)))
    said = descriptions(firms)
    text = cat.text.similarity(said)  # matched once: the model's feature and the blend
    X = pipeline.matrix(firms, cat.table, fi, pj, text=as_feature(text, said)[fi, pj])
    score = np.full((n, m), np.nan)
    if len(X):
        score[fi, pj] = ranker.predict(X)
    candidates = eligible & ~np.isnan(score)
    ci, cj = np.nonzero(candidates)
    ranked = np.full((n, m), -np.inf)
    ranked[ci, cj] = blended(score[ci, cj], text[ci, cj], ci, n, weight=text_weight)
    # ties as a firm's own list breaks them: the text match, the sooner closing day, then
    # catalogue order
    shape = (n, m)
    order = np.lexsort(
        (
            np.broadcast_to(np.arange(m), shape),
            np.broadcast_to(cat.closing_key, shape),
            -text,
            -ranked,
        ),
        axis=1,
    )
    rank = np.empty((n, m))
    rank[np.arange(n)[:, None], order] = np.arange(1, m + 1)[None, :]
    rank = np.where(np.isfinite(ranked), rank, np.nan)
    return pd.DataFrame(
        {
            "firm_id": np.repeat(firms["firm_id"].to_numpy(), m),
            "year": np.repeat(firms["year"].to_numpy(), m),
            "programme_id": np.tile(cat.programmes["programme_id"].to_numpy(), n),
            "eligible": eligible.ravel(),
            "score": score.ravel(),
            "rank": pd.array(rank.ravel(), dtype="Int64"),
        }
    )


def rank_firms(
    programme_id: str,
    firms: pd.DataFrame,
    *,
    ranker: Ranker,
    pipeline: FeaturePipeline,
    programmes: pd.DataFrame,
    years: Mapping[int, YearCatalogue],
    k: int = 20,
    outcomes: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Firms ranked by fit for one offering, eligible ones only (outreach list); each
    firm's text match is read against its year's catalogue (``years``), as its own
    list reads it.

    Columns :data:`OUTREACH_COLUMNS`, best first, at most ``k`` rows.

    Raises
    ------
    NotFoundError
        The programme is not in ``programmes``.
    """
    match = programmes.index[programmes["programme_id"] == programme_id]
    if len(match) == 0:
        raise NotFoundError(f"programme {programme_id!r} is not in the catalogue")
    prog = programmes.iloc[[match[0]]].reset_index(drop=True)
    year = int(prog["year"].iloc[0])
    firms = firms[firms["year"] == year].reset_index(drop=True)
    if firms.empty or prog["programme_type"].iloc[0] == OTHER_TYPE:
        return pd.DataFrame(columns=list(OUTREACH_COLUMNS))
    firms = with_history(firms, outcomes, programmes)
    ok = EligibilityIndex(prog).mask(firms)[:, 0]
    rows = np.flatnonzero(ok)
    table = years[year].table
    at = np.flatnonzero(table.programmes["programme_id"].to_numpy() == programme_id)[:1]
    X = pipeline.matrix(firms, table, rows, np.repeat(at, len(rows)))
    scores = ranker.predict(X) if len(rows) else np.empty(0)
    ranked = pd.DataFrame(
        {"firm_id": firms["firm_id"].to_numpy()[rows], "year": year, "score": scores}
    ).sort_values(["score", "firm_id"], ascending=[False, True])
    ranked = ranked.head(k).reset_index(drop=True)
    ranked["rank"] = np.arange(1, len(ranked) + 1)
    return ranked[list(OUTREACH_COLUMNS)]
