"""The :class:`Recommender` facade: firm profile in, ranked and explained programmes out.

It holds one verified model version and a catalogue (precomputed per year), and serves
the API, the portal, the CLI's ``score`` and batch jobs through the same code path.
Everything per request is vectorised over the catalogue: one eligibility pass (with
the reasons, when asked), one feature matrix, one prediction and one TreeSHAP pass for
all explained pairs of a batch; only the result objects are built one by one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from functools import cached_property
from typing import Any, Literal

import numpy as np
import pandas as pd

from recommender.calibration import Calibration, Chance
from recommender.constants import CAPABILITIES, TEXT_MATCH_WEIGHT
from recommender.eligibility import Columns, Reason
from recommender.explain import (
    Explanation,
    PathShap,
    contrast,
    explanations,
    factor_contributions,
    firm_facts,
)
from recommender.explain.facts import PAIR_COLUMNS
from recommender.features import HISTORY_COLUMNS, FeaturePipeline, with_history
from recommender.ranker import Ranker
from recommender.recommend.catalogue import (
    _year_groups,
    _YearCatalogue,
    ineligible_items,
    reference_date,
)
from recommender.recommend.profiles import _records, profile_columns, profile_frame
from recommender.recommend.results import Recommendation, RecommendedItem
from recommender.recommend.scoring import rank_firms, score_all

Explain = Literal["top", "all", "none"]
FEW = 64  # batches up to this many firms read their columns from Python records


def _columns(records: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """The records' values column by column."""
    return {c: [r[c] for r in records] for c in (records[0] if records else {})}


class Recommender:
    """Ranks the eligible programmes of a firm's year and explains the ranking.

    Parameters
    ----------
    ranker, pipeline
        A trained :class:`Ranker` and its fitted :class:`FeaturePipeline`.
    programmes
        The catalogue (canonical programme frame, any number of years).
    version
        Name of the model version, reported with every recommendation.
    text_weight
        Share of the business-description text match in the ranking key (0: the model
        alone, 1: the text alone), where a firm gives a description; both are
        standardised over the firm's candidates (:func:`blended`).
    calibration
        The version's chance of a measurable result (None: items carry no chance).
    """

    def __init__(
        self,
        ranker: Ranker,
        pipeline: FeaturePipeline,
        programmes: pd.DataFrame,
        *,
        version: str,
        text_weight: float = TEXT_MATCH_WEIGHT,
        calibration: Calibration | None = None,
    ) -> None:
        self.ranker = ranker
        self.calibration = calibration
        self.text_weight = text_weight
        self.pipeline = pipeline
        self.version = version
        self.programmes = programmes.reset_index(drop=True)
        self._years = {int(y): _YearCatalogue(g) for y, g in self.programmes.groupby("year")}

    def with_programmes(self, programmes: pd.DataFrame) -> Recommender:
        """The same model over another catalogue."""
        other = Recommender(
            self.ranker,
            self.pipeline,
            programmes,
            version=self.version,
            text_weight=self.text_weight,
            calibration=self.calibration,
        )
        if "explainer" in self.__dict__:  # the model's TreeSHAP tables carry over
            other.__dict__["explainer"] = self.explainer
        return other

    @cached_property
    def explainer(self) -> PathShap | None:
        """The model's vectorised exact TreeSHAP (None: LightGBM's ``pred_contrib`` is
        used for a model it does not cover). Built on first use."""
        return PathShap.from_booster(self.ranker.booster)

    def years(self) -> list[int]:
        """Years the catalogue has programmes for."""
        return sorted(self._years)

    def catalogue_size(self, year: int, programme_types: Iterable[str] | None = None) -> int:
        """How many programmes of ``year`` (of ``programme_types``, if given) a profile
        of that year is ranked against; 0 for a year without a catalogue."""
        cat = self._years.get(int(year))
        if cat is None:
            return 0
        if programme_types is None:
            return len(cat.ids)
        return int(cat.of_types(set(programme_types)).sum())

    # --- one firm -------------------------------------------------------------------
    def recommend(
        self,
        profile: Mapping[str, Any] | pd.DataFrame,
        *,
        k: int = 5,
        explain: Explain = "top",
        include_ineligible: bool = False,
        programme_types: Iterable[str] | None = None,
        outcomes: pd.DataFrame | None = None,
        as_of: date | None = None,
        today: date | None = None,
        unscored_k: int | None = None,
    ) -> Recommendation:
        """Ranked eligible programmes of the profile's year, the top ``k`` explained.

        Parameters
        ----------
        profile
            One firm profile (contract firm columns).
        k
            How many ranked programmes to return (and explain, with ``explain="top"``).
        explain
            ``"top"`` explains the returned ``k``, ``"all"`` every eligible programme
            (all are then returned), ``"none"`` none.
        include_ineligible
            Also list the programmes the firm cannot join, with the reasons.
        programme_types
            Only these programme types.
        outcomes
            The firm's past participations (contract outcome rows), if known.
        as_of
            Only programmes whose application window (where known) is open that day.
        today
            Used when ``as_of`` is not given: profiles of today's year see only what is
            open today; profiles of other years (history, planning) are not filtered by
            window, since "open today" says nothing about another year's offerings.
        unscored_k
            List at most this many of the eligible programmes the model cannot score
            (``other``), in catalogue order; ``None`` lists them all. Their number is
            ``unscored_total`` either way.
        """
        return self.recommend_batch(
            profile_frame(profile) if not isinstance(profile, pd.DataFrame) else profile,
            k=k,
            explain=explain,
            include_ineligible=include_ineligible,
            programme_types=programme_types,
            outcomes=outcomes,
            as_of=as_of,
            today=today,
            unscored_k=unscored_k,
        )[0]

    # --- many firms -----------------------------------------------------------------
    def recommend_batch(
        self,
        profiles: pd.DataFrame | Sequence[Mapping[str, Any]],
        *,
        k: int = 5,
        explain: Explain = "top",
        explain_k: int | None = None,
        include_ineligible: bool = False,
        programme_types: Iterable[str] | None = None,
        outcomes: pd.DataFrame | None = None,
        as_of: date | None = None,
        today: date | None = None,
        unscored_k: int | None = None,
    ) -> list[Recommendation]:
        """:meth:`recommend` for many profiles, scoring each year's pairs in one call."""
        types = set(programme_types) if programme_types is not None else None
        source: Columns  # the firms column by column: a frame, or lists for a few
        if not isinstance(profiles, pd.DataFrame) and len(profiles) <= FEW and outcomes is None:
            # a request's profiles: no frame at all (pandas costs ~20 us a column read
            # and ~0.5 ms a frame made); no history means "no known participation",
            # the profiler's own default
            source = profile_columns(profiles)
            records = [
                dict(zip(source, row, strict=True)) for row in zip(*source.values(), strict=True)
            ]
        else:
            firms = profiles if isinstance(profiles, pd.DataFrame) else profile_frame(profiles)
            firms = firms.reset_index(drop=True)
            if outcomes is not None or not set(HISTORY_COLUMNS).isdisjoint(firms.columns):
                firms = with_history(firms, outcomes, self.programmes)
            records = _records(firms)
            source = _columns(records) if len(records) <= FEW else firms
        firm_feats, peers = self.pipeline.profiler.features_with_peers(source)
        caps = np.column_stack([np.asarray(source[c], float) for c in CAPABILITIES]).reshape(
            len(records), len(CAPABILITIES)
        )
        results: list[Recommendation | None] = [None] * len(records)
        n_explain = k if explain_k is None else explain_k
        for year, rows in _year_groups([r["year"] for r in records]).items():
            cat = self._years.get(int(year))
            for i, rec in zip(
                rows,
                self._year_batch(
                    cat,
                    source,
                    records,
                    firm_feats,
                    caps,
                    peers,
                    rows,
                    k=k,
                    explain=explain,
                    n_explain=n_explain,
                    include_ineligible=include_ineligible,
                    types=types,
                    as_of=reference_date(int(year), as_of, today),
                    unscored_k=unscored_k,
                ),
                strict=True,
            ):
                results[i] = rec
        return [r for r in results if r is not None]

    def _year_batch(
        self,
        cat: _YearCatalogue | None,
        source: Columns,
        records: list[dict[str, Any]],
        firm_feats: np.ndarray,
        caps: np.ndarray,
        peers: np.ndarray,
        rows: np.ndarray,
        *,
        k: int,
        explain: Explain,
        n_explain: int,
        include_ineligible: bool,
        types: set[str] | None,
        as_of: date | None,
        unscored_k: int | None,
    ) -> list[Recommendation]:
        whole = len(rows) == len(records)  # rows are then 0..n-1: skip the copies
        firm_records = records if whole else [records[i] for i in rows.tolist()]
        sub: Columns
        if whole:
            sub = source
        elif len(firm_records) <= FEW or not isinstance(source, pd.DataFrame):
            sub = _columns(firm_records)
        else:
            sub = source.iloc[rows]
        if cat is None:
            return [
                Recommendation(
                    str(f["firm_id"]),
                    int(f["year"]),
                    self.version,
                    [],
                    [],
                    [] if include_ineligible else None,
                    [],
                    caps[i],
                    peers[i],
                )
                for f, i in zip(firm_records, rows, strict=True)
            ]
        eligible, failed, conditions = cat.eligibility.screen(sub, with_reasons=include_ineligible)
        is_open = cat.open_on(as_of)
        wanted = is_open & cat.of_types(types) if types is not None else is_open
        usable = eligible & wanted[None, :]
        descriptions = [f.get("business_description") for f in firm_records]
        text = cat.text.similarity(descriptions)
        fi, pj = np.nonzero(usable & cat.table.scored[None, :])
        X = self.pipeline.pairs.transform(
            firm_feats if whole else firm_feats[rows], caps[rows], cat.table, fi, pj
        )
        scores = self.ranker.predict(X) if len(X) else np.empty(0)
        matched = text[fi, pj]
        unsure = np.fromiter(
            (j in conditions[i] for i, j in zip(fi.tolist(), pj.tolist(), strict=True)),
            dtype=bool,
            count=len(fi),
        )
        # fi is sorted (row-major nonzero): each firm's pairs are one contiguous run
        bounds = np.searchsorted(fi, np.arange(len(firm_records) + 1)).tolist()
        # every firm's pairs in one sort: surely eligible before those with a condition,
        # then by the blend of model score and text match, ties by the text match, then
        # the sooner closing day, then catalogue order
        blend = blended(scores, matched, fi, len(firm_records), weight=self.text_weight)
        ordered = (
            np.lexsort((np.arange(len(scores)), cat.closing_key[pj], -matched, -blend, unsure, fi))
            if len(scores)
            else fi
        )
        shown, explained = [], []
        for local in range(len(firm_records)):
            lo, hi = bounds[local], bounds[local + 1]
            top = ordered[lo:hi] if explain == "all" else ordered[lo : min(hi, lo + k)]
            shown.append(top)
            explained.append(
                top if explain == "all" else top[:n_explain] if explain == "top" else top[:0]
            )
        why = self._explain(cat, firm_records, peers[rows], X, pj, explained)
        chances = self._chances(scores, firm_feats, rows[fi], shown)
        plain = cat.plain_items(as_of)
        unscored_mask = usable & ~cat.table.scored[None, :]
        has_unscored = bool(unscored_mask.any())
        score_list, pj_list = scores.tolist(), pj.tolist()
        open_list = is_open.tolist()
        out = []
        for local, firm in enumerate(firm_records):
            said = why[local]
            match = _Match(cat, firm.get("business_description"), text[local], conditions[local])
            items = [
                match.item(
                    plain[pj_list[p]],
                    pj_list[p],
                    rank + 1,
                    score_list[p],
                    said[rank] if rank < len(said) else None,
                    chances.get(p),
                )
                for rank, p in enumerate(shown[local].tolist())
            ]
            unscored_at = match.order(np.flatnonzero(unscored_mask[local])) if has_unscored else []
            unscored = [match.item(plain[j], j) for j in unscored_at[:unscored_k]]
            ineligible = None
            if failed is not None:
                ineligible = ineligible_items(
                    cat, failed[local], eligible[local], wanted, open_list, as_of
                )
            first_two = [i.explanation for i in items[:2]]
            versus = (
                contrast(first_two[0], first_two[1])
                if len(first_two) == 2 and first_two[0] and first_two[1]
                else []
            )
            out.append(
                Recommendation(
                    str(firm["firm_id"]),
                    int(firm["year"]),
                    self.version,
                    items,
                    unscored,
                    ineligible,
                    versus,
                    caps[rows[local]],
                    peers[rows[local]],
                    unscored_total=len(unscored_at),
                )
            )
        return out

    def _chances(
        self,
        scores: np.ndarray,
        firm_feats: np.ndarray,
        firm_of: np.ndarray,
        shown: list[np.ndarray],
    ) -> dict[int, Chance]:
        """The chance of each shown pair (by pair index), in one vectorised call; none
        without a calibration. ``firm_of``: each pair's row of ``firm_feats``, whose first
        two columns are the sector and size band codes."""
        picked = np.concatenate(shown) if shown else np.empty(0, np.intp)
        if self.calibration is None or len(picked) == 0:
            return {}
        codes = firm_feats[firm_of[picked], :2]
        got = self.calibration.chances(scores[picked], codes[:, 0], codes[:, 1])
        return dict(zip(picked.tolist(), got, strict=True))

    def _explain(
        self,
        cat: _YearCatalogue,
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
        if self.explainer is not None:
            contrib, distinct = self.explainer.distinct(X[pairs])
        else:
            contrib, distinct = self.ranker.contributions(X[pairs]), np.arange(len(pairs))
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

    # --- outreach and bulk scoring --------------------------------------------------
    def rank_firms_for(
        self,
        programme_id: str,
        firms: pd.DataFrame,
        *,
        k: int = 20,
        outcomes: pd.DataFrame | None = None,
    ) -> pd.DataFrame:
        """Stored firms ranked by fit for one offering, eligible ones only (outreach list);
        see :func:`~recommender.recommend.scoring.rank_firms`."""
        return rank_firms(
            programme_id,
            firms,
            ranker=self.ranker,
            pipeline=self.pipeline,
            programmes=self.programmes,
            k=k,
            outcomes=outcomes,
        )

    def score(
        self, firms: pd.DataFrame, *, outcomes: pd.DataFrame | None = None, chunk: int = 20_000
    ) -> pd.DataFrame:
        """Every firm row x every programme of its year: the contract's score output.

        Columns ``firm_id, year, programme_id, eligible, score, rank``; ``score`` is
        empty for unscored (``other``) programmes, ``rank`` for ineligible or unscored ones.
        """
        return score_all(
            firms,
            ranker=self.ranker,
            pipeline=self.pipeline,
            programmes=self.programmes,
            years=self._years,
            outcomes=outcomes,
            chunk=chunk,
        )


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


class _Match:
    """One firm's text match and conditions over a year's catalogue, for its items."""

    def __init__(
        self,
        cat: _YearCatalogue,
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
