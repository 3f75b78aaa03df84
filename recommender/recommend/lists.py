"""A firm's ranked list put together: the blend of model score and text match that
orders it, the explanations and chances of the pairs shown, and each item with its
match and conditions. Pure functions over one year's catalogue, used by
:class:`~recommender.recommend.recommender.Recommender`."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from recommender.calibration import Calibration, Chance
from recommender.eligibility import Reason
from recommender.explain import (
    Contribution,
    Explanation,
    PathShap,
    contrast,
    explanations,
    factor_contributions,
    firm_facts,
)
from recommender.explain.facts import PAIR_COLUMNS
from recommender.ranker import Ranker
from recommender.recommend.catalogue import YearCatalogue
from recommender.recommend.results import RecommendedItem


def standardised(values: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """``values`` as z-scores within each group (0 where a group's values are all equal)."""
    count = np.bincount(groups, minlength=n_groups).astype(float)
    safe = np.maximum(count, 1.0)
    mean = np.bincount(groups, values, minlength=n_groups) / safe
    centred = values - mean[groups]
    std = np.sqrt(np.bincount(groups, centred**2, minlength=n_groups) / safe)
    spread = std[groups]
    return np.divide(centred, spread, out=np.zeros_like(centred), where=spread > 1e-12)


def blended(
    scores: np.ndarray, matched: np.ndarray, firms: np.ndarray, n_firms: int, *, weight: float
) -> np.ndarray:
    """The ranking key of each pair: ``(1 - weight)`` times the model score plus
    ``weight`` times the text match, both as z-scores over the firm's candidates. A firm
    without a description has no spread in its match, so only the model orders it."""
    if len(scores) == 0:
        return scores
    return (1.0 - weight) * standardised(scores, firms, n_firms) + weight * standardised(
        matched, firms, n_firms
    )


def first_k(run: np.ndarray, unsure: np.ndarray, k: int, conditional_k: int | None) -> np.ndarray:
    """The pairs a firm's list shows from its ordered ``run`` (surely eligible first, then
    those with a condition, ``unsure``): the first ``k``; or, with ``conditional_k``, the
    first ``k`` surely eligible and then up to ``conditional_k`` with a condition, so a
    long list of sure ones does not hide every *eligible if* one."""
    if conditional_k is None:
        return run[:k]
    return np.concatenate([run[~unsure][:k], run[unsure][:conditional_k]])


class FirmMatch:
    """One firm's text match and conditions over a year's catalogue, for its items."""

    def __init__(
        self,
        cat: YearCatalogue,
        description: Any,
        text: np.ndarray,
        conditions: dict[int, list[Reason]],
    ) -> None:
        self.cat, self.description, self.text, self.conditions = cat, description, text, conditions
        self.described = isinstance(description, str) and bool(description.strip())

    def order(self, rows: np.ndarray) -> list[int]:
        """Unscored rows: surely eligible first, then by text match, then closing day."""
        if len(rows) == 0:
            return []
        unsure = np.array([j in self.conditions for j in rows.tolist()], dtype=bool)
        keys = (rows, self.cat.closing_key[rows], -self.text[rows], unsure)
        return rows[np.lexsort(keys)].tolist()

    def item(
        self,
        plain: RecommendedItem,
        row: int,
        rank: int | None = None,
        score: float | None = None,
        explanation: Explanation | None = None,
        chance: Chance | None = None,
    ) -> RecommendedItem:
        """The item of programme ``row`` with its rank, score, chance, match and
        conditions."""
        matched = float(self.text[row]) if self.described else None
        terms = self.cat.text.terms(self.description, row) if matched else ()
        return replace(
            plain,
            rank=rank,
            score=score,
            explanation=explanation,
            text_match=matched,
            match_terms=terms,
            to_check=tuple(self.conditions.get(row, ())),
            chance=chance,
        )


def chances_of(
    calibration: Calibration | None,
    scores: np.ndarray,
    firm_feats: np.ndarray,
    firm_of: np.ndarray,
    shown: list[np.ndarray],
) -> dict[int, Chance]:
    """The chance of each shown pair (by pair index), in one vectorised call; none
    without a calibration. ``firm_of``: each pair's row of ``firm_feats``, whose first
    two columns are the sector and size band codes."""
    picked = np.concatenate(shown) if shown else np.empty(0, np.intp)
    if calibration is None or len(picked) == 0:
        return {}
    codes = firm_feats[firm_of[picked], :2]
    got = calibration.chances(scores[picked], codes[:, 0], codes[:, 1])
    return dict(zip(picked.tolist(), got, strict=True))


def explain_pairs(
    explainer: PathShap | Ranker,
    cat: YearCatalogue,
    firms: list[dict[str, Any]],
    peers: np.ndarray,
    X: np.ndarray,
    pj: np.ndarray,
    explained: list[np.ndarray],
) -> list[list[Explanation]]:
    """Each firm's explanations, in the order of its ``explained`` pairs."""
    pairs = np.concatenate(explained) if explained else np.empty(0, np.intp)
    if len(pairs) == 0:
        return [[] for _ in firms]
    # one TreeSHAP pass for every explained pair of the batch (rows are independent)
    if isinstance(explainer, PathShap):
        contrib, distinct = explainer.distinct(X[pairs])
    else:
        contrib, distinct = explainer.contributions(X[pairs]), np.arange(len(pairs))
    values, base = factor_contributions(contrib)
    features = X[pairs][:, PAIR_COLUMNS].tolist()
    programme_rows = pj[pairs].tolist()
    out: list[list[Explanation]] = []
    start = 0
    for firm, firm_peers, mine in zip(firms, peers.tolist(), explained, strict=True):
        end = start + len(mine)
        if end == start:
            out.append([])
            continue
        used, local = np.unique(distinct[start:end], return_inverse=True)
        out.append(
            explanations(
                values[used],
                base[used],
                local,
                firm_facts(firm, firm_peers),
                cat.facts,
                programme_rows[start:end],
                features[start:end],
            )
        )
        start = end
    return out


def first_versus_second(items: list[RecommendedItem]) -> list[Contribution]:
    """What puts the first item above the second (:func:`contrast`), where both are
    explained and the first scores higher; nothing otherwise (two equal scores may share
    out their factors differently, but nothing puts one above the other)."""
    if len(items) < 2 or items[0].score is None or items[1].score is None:
        return []
    first, second = items[0].explanation, items[1].explanation
    ahead = items[0].score - items[1].score > 1e-9
    return contrast(first, second) if first and second and ahead else []
