"""The :class:`Recommender` facade: firm profile in, ranked and explained programmes out.

It holds one verified model version and a catalogue (precomputed per year), and serves
the API, the portal, the CLI's ``score`` and batch jobs through the same code path.
Everything per request is vectorised over the catalogue: one eligibility pass (with
the reasons, when asked), one feature matrix, one prediction and one TreeSHAP pass for
all explained pairs of a batch; only the result objects are built one by one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from functools import cached_property
from typing import Any, Literal

import numpy as np
import pandas as pd

from recommender.calibration import Calibration
from recommender.constants import CAPABILITIES, TEXT_MATCH_WEIGHT
from recommender.eligibility import Columns
from recommender.explain import PathShap
from recommender.features import HISTORY_COLUMNS, FeaturePipeline, with_history
from recommender.features.text_match import as_feature
from recommender.ranker import Ranker
from recommender.recommend.catalogue import (
    YearCatalogue,
    _year_groups,
    ineligible_items,
    reference_date,
)
from recommender.recommend.lists import (
    FirmMatch,
    blended,
    chances_of,
    explain_pairs,
    first_k,
    first_versus_second,
)
from recommender.recommend.profiles import _records, profile_columns, profile_frame, record_columns
from recommender.recommend.results import Recommendation
from recommender.recommend.scoring import rank_firms, score_all

Explain = Literal["top", "all", "none"]
FEW = 64  # batches up to this many firms read their columns from Python records


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
        self.ranker, self.pipeline, self.calibration = ranker, pipeline, calibration
        self.version, self.text_weight = version, text_weight
        self.programmes = programmes.reset_index(drop=True)
        self._years = {int(y): YearCatalogue(g) for y, g in self.programmes.groupby("year")}

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
        if cat is None or programme_types is None:
            return 0 if cat is None else len(cat.ids)
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
        conditional_k: int | None = None,
    ) -> list[Recommendation]:
        """:meth:`recommend` for many profiles, scoring each year's pairs in one call;
        ``conditional_k``: see :func:`~recommender.recommend.lists.first_k`."""
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
            source = record_columns(records) if len(records) <= FEW else firms
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
                    conditional_k=conditional_k,
                ),
                strict=True,
            ):
                results[i] = rec
        return [r for r in results if r is not None]

    def _year_batch(
        self,
        cat: YearCatalogue | None,
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
        conditional_k: int | None = None,
    ) -> list[Recommendation]:
        whole = len(rows) == len(records)  # rows are then 0..n-1: skip the copies
        firm_records = records if whole else [records[i] for i in rows.tolist()]
        sub: Columns
        if whole:
            sub = source
        elif len(firm_records) <= FEW or not isinstance(source, pd.DataFrame):
            sub = record_columns(firm_records)
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
            firm_feats if whole else firm_feats[rows],
            caps[rows],
            cat.table,
            fi,
            pj,
            as_feature(text, descriptions)[fi, pj],
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
        ordered = np.lexsort(
            (np.arange(len(fi)), cat.closing_key[pj], -matched, -blend, unsure, fi)
        )
        shown, explained = [], []
        for local in range(len(firm_records)):
            run = ordered[bounds[local] : bounds[local + 1]]
            top = run if explain == "all" else first_k(run, unsure[run], k, conditional_k)
            shown.append(top)
            explained.append(
                top if explain == "all" else top[:n_explain] if explain == "top" else top[:0]
            )
        why = explain_pairs(
            self.explainer or self.ranker, cat, firm_records, peers[rows], X, pj, explained
        )
        chances = chances_of(self.calibration, scores, firm_feats, rows[fi], shown)
        plain = cat.plain_items(as_of)
        unscored_mask = usable & ~cat.table.scored[None, :]
        has_unscored = bool(unscored_mask.any())
        score_list, pj_list = scores.tolist(), pj.tolist()
        open_list = is_open.tolist()
        out = []
        for local, firm in enumerate(firm_records):
            said = why[local]
            match = FirmMatch(cat, firm.get("business_description"), text[local], conditions[local])
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
            out.append(
                Recommendation(
                    str(firm["firm_id"]),
                    int(firm["year"]),
                    self.version,
                    items,
                    unscored,
                    ineligible,
                    first_versus_second(items),
                    caps[rows[local]],
                    peers[rows[local]],
                    unscored_total=len(unscored_at),
                )
            )
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
            years=self._years,
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
            text_weight=self.text_weight,
        )
