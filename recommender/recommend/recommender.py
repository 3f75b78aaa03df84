"""The :class:`Recommender` facade: firm profile in, ranked and explained programmes out.

It holds one verified model version and a catalogue (precomputed per year), and serves
the API, the portal, the CLI's ``score`` and batch jobs through the same code path.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any, Literal

import numpy as np
import pandas as pd

from recommender.adapters.registry import Registry
from recommender.constants import CAPABILITIES, CHAMPION, OTHER_TYPE
from recommender.eligibility import EligibilityIndex, reasons
from recommender.errors import NotFoundError
from recommender.explain import Explanation, contrast, explain_row
from recommender.explain import factor_contributions as group_factors
from recommender.features import (
    HISTORY_COLUMNS,
    PAIR_FEATURES,
    FeaturePipeline,
    ProgrammeTable,
    with_history,
)
from recommender.ranker import Ranker
from recommender.recommend.catalogue import _year_groups, _YearCatalogue, reference_date
from recommender.recommend.profiles import _records, profile_frame
from recommender.recommend.results import IneligibleItem, Recommendation, RecommendedItem

MODEL_FILE = "model.txt"
PIPELINE_FILE = "pipeline.joblib"
Explain = Literal["top", "all", "none"]


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
    """

    def __init__(self, ranker: Ranker, pipeline: FeaturePipeline, programmes: pd.DataFrame, *,
                 version: str) -> None:
        self.ranker = ranker
        self.pipeline = pipeline
        self.version = version
        self.programmes = programmes.reset_index(drop=True)
        self._years = {int(y): _YearCatalogue(g) for y, g in self.programmes.groupby("year")}

    @classmethod
    def load(cls, registry: Registry, name: str = CHAMPION, *, programmes: pd.DataFrame,
             num_threads: int = 1) -> Recommender:
        """Load a version after verifying every file of it against its manifest."""
        version = registry.resolve(name)
        text = registry.read_bytes(version, MODEL_FILE).decode("utf-8")
        pipeline = registry.load_joblib(version, PIPELINE_FILE)
        return cls(Ranker.from_text(text, num_threads=num_threads), pipeline, programmes,
                   version=version)

    def with_programmes(self, programmes: pd.DataFrame) -> Recommender:
        """The same model over another catalogue."""
        return Recommender(self.ranker, self.pipeline, programmes, version=self.version)

    def years(self) -> list[int]:
        """Years the catalogue has programmes for."""
        return sorted(self._years)

    # --- one firm -------------------------------------------------------------------
    def recommend(self, profile: Mapping[str, Any] | pd.DataFrame, *, k: int = 5,
                  explain: Explain = "top", include_ineligible: bool = False,
                  programme_types: Iterable[str] | None = None,
                  outcomes: pd.DataFrame | None = None, as_of: date | None = None,
                  today: date | None = None) -> Recommendation:
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
        """
        return self.recommend_batch(profile_frame(profile) if not isinstance(profile, pd.DataFrame)
                                    else profile, k=k, explain=explain,
                                    include_ineligible=include_ineligible,
                                    programme_types=programme_types, outcomes=outcomes,
                                    as_of=as_of, today=today)[0]

    # --- many firms -----------------------------------------------------------------
    def recommend_batch(self, profiles: pd.DataFrame | Sequence[Mapping[str, Any]], *,
                        k: int = 5, explain: Explain = "top", explain_k: int | None = None,
                        include_ineligible: bool = False,
                        programme_types: Iterable[str] | None = None,
                        outcomes: pd.DataFrame | None = None, as_of: date | None = None,
                        today: date | None = None) -> list[Recommendation]:
        """:meth:`recommend` for many profiles, scoring each year's pairs in one call."""
        firms = profiles if isinstance(profiles, pd.DataFrame) else profile_frame(profiles)
        firms = firms.reset_index(drop=True)
        if outcomes is not None or any(c in firms.columns for c in HISTORY_COLUMNS):
            firms = with_history(firms, outcomes, self.programmes)
        # else: the profiler's own default is "no known participation", as with_history
        # would add it (saves ~2 ms of pandas per request)
        types = set(programme_types) if programme_types is not None else None
        firm_feats, peers = self.pipeline.profiler.transform_with_peers(firms)
        caps = np.column_stack([firms[c].to_numpy(float) for c in CAPABILITIES])
        results: list[Recommendation | None] = [None] * len(firms)
        n_explain = k if explain_k is None else explain_k
        for year, rows in _year_groups(firms).items():
            cat = self._years.get(int(year))
            for i, rec in zip(rows, self._year_batch(cat, firms, firm_feats, caps, peers, rows,
                                                     k=k, explain=explain, n_explain=n_explain,
                                                     include_ineligible=include_ineligible,
                                                     types=types,
                                                     as_of=reference_date(int(year), as_of, today)),
                                                     strict=True):
                results[i] = rec
        return [r for r in results if r is not None]

    def _year_batch(self, cat: _YearCatalogue | None, firms: pd.DataFrame,
                    firm_feats: pd.DataFrame, caps: np.ndarray, peers: np.ndarray,
                    rows: np.ndarray, *, k: int, explain: Explain, n_explain: int,
                    include_ineligible: bool, types: set[str] | None, as_of: date | None,
                    ) -> list[Recommendation]:
        whole = len(rows) == len(firms)  # rows are then 0..n-1: skip the copies
        sub = firms if whole else firms.iloc[rows]
        firm_records = _records(sub)
        if cat is None:
            return [Recommendation(str(f["firm_id"]), int(f["year"]), self.version, [], [],
                                   [] if include_ineligible else None, [], caps[i], peers[i])
                    for f, i in zip(firm_records, rows, strict=True)]
        eligible = cat.eligibility.mask(sub)
        is_open = cat.open_on(as_of)
        wanted = is_open.copy()
        if types is not None:
            wanted &= cat.programmes["programme_type"].isin(types).to_numpy()
        usable = eligible & wanted[None, :]
        scored_mask = usable & cat.table.scored[None, :]
        fi, pj = np.nonzero(scored_mask)
        X = self.pipeline.pairs.transform(firm_feats if whole else firm_feats.iloc[rows],
                                          caps[rows], cat.table, fi, pj)
        scores = self.ranker.predict(X) if len(X) else np.empty(0)
        # fi is sorted (row-major nonzero): each firm's pairs are one contiguous run
        bounds = np.searchsorted(fi, np.arange(len(firm_records) + 1))
        # every firm's pairs by falling score, in one sort (ties keep catalogue order)
        ordered = np.lexsort((np.arange(len(scores)), -scores, fi)) if len(scores) else fi
        plans = []
        for local in range(len(firm_records)):
            lo, hi = bounds[local], bounds[local + 1]
            shown = ordered[lo:hi] if explain == "all" else ordered[lo:min(hi, lo + k)]
            to_explain = shown if explain == "all" else (shown[:n_explain] if explain == "top"
                                                         else shown[:0])
            plans.append((shown, to_explain))
        # one TreeSHAP call for every explained pair of the batch (rows are independent)
        explained = np.concatenate([e for _, e in plans]) if plans else np.empty(0, np.int64)
        contrib = self.ranker.contributions(X[explained]) if len(explained) else None
        unscored_mask = usable & ~cat.table.scored[None, :]
        has_unscored = bool(unscored_mask.any())
        out = []
        start = 0
        for local, firm in enumerate(firm_records):
            shown, to_explain = plans[local]
            part = None if contrib is None else contrib[start:start + len(to_explain)]
            start += len(to_explain)
            explanations = self._explain(X[to_explain], part, firm, cat, pj[to_explain],
                                         peers[rows[local]])
            items = [self._item(cat, int(pj[p]), rank + 1, float(scores[p]),
                                explanations.get(rank), as_of)
                     for rank, p in enumerate(shown)]
            unscored = [self._item(cat, int(j), None, None, None, as_of)
                        for j in np.flatnonzero(unscored_mask[local])] if has_unscored else []
            ineligible = None
            if include_ineligible:
                ineligible = self._ineligible(firm, cat, eligible[local], wanted, is_open,
                                              as_of)
            why = (contrast(items[0].explanation, items[1].explanation)
                   if len(items) > 1 and items[0].explanation and items[1].explanation else [])
            out.append(Recommendation(str(firm["firm_id"]), int(firm["year"]), self.version,
                                      items, unscored, ineligible, why, caps[rows[local]],
                                      peers[rows[local]]))
        return out

    def _explain(self, X: np.ndarray, contrib: np.ndarray | None, firm: Mapping[str, Any],
                 cat: _YearCatalogue, prog_rows: np.ndarray,
                 peers: np.ndarray) -> dict[int, Explanation]:
        if len(X) == 0 or contrib is None:
            return {}
        factors, base = group_factors(contrib)
        peer_map = dict(zip(CAPABILITIES, peers.tolist(), strict=True))
        return {i: explain_row(factors[i], base[i], firm=firm, programme=cat.records[prog_rows[i]],
                               peers=peer_map,
                               features=dict(zip(PAIR_FEATURES, X[i].tolist(), strict=True)))
                for i in range(len(X))}

    @staticmethod
    def _item(cat: _YearCatalogue, row: int, rank: int | None, score: float | None,
              explanation: Explanation | None, as_of: date | None) -> RecommendedItem:
        pid, name, kind, agency, url, start, end_text = cat.item_fields[row]
        days_left = None
        if as_of is not None:
            end = cat.apply_end_list[row]
            if pd.notna(end):
                days_left = int((end - pd.Timestamp(as_of)).days)
        return RecommendedItem(rank, pid, name, kind, score, explanation, agency, url, start,
                               end_text, days_left)

    @staticmethod
    def _ineligible(firm: Mapping[str, Any], cat: _YearCatalogue, eligible: np.ndarray,
                    wanted: np.ndarray, is_open: np.ndarray,
                    as_of: date | None) -> list[IneligibleItem]:
        out = []
        for j in np.flatnonzero(~eligible | ~wanted):
            p = cat.records[j]
            why = reasons(firm, p) if not eligible[j] else []
            if not wanted[j] and eligible[j]:
                if as_of is not None and not is_open[j]:
                    why.append(f"applications are open {p.get('apply_start') or '?'} to "
                               f"{p.get('apply_end') or '?'}, not on {as_of.isoformat()}")
                else:
                    continue  # filtered out by type, not a reason the firm cannot join
            out.append(IneligibleItem(str(p["programme_id"]), str(p["name"]), why))
        return out

    # --- outreach and bulk scoring --------------------------------------------------
    def rank_firms_for(self, programme_id: str, firms: pd.DataFrame, *, k: int = 20,
                       outcomes: pd.DataFrame | None = None) -> pd.DataFrame:
        """Stored firms ranked by fit for one offering, eligible ones only (outreach list)."""
        match = self.programmes.index[self.programmes["programme_id"] == programme_id]
        if len(match) == 0:
            raise NotFoundError(f"programme {programme_id!r} is not in the catalogue")
        prog = self.programmes.iloc[[match[0]]].reset_index(drop=True)
        year = int(prog["year"].iloc[0])
        firms = firms[firms["year"] == year].reset_index(drop=True)
        columns = ["firm_id", "year", "score", "rank"]
        if firms.empty or prog["programme_type"].iloc[0] == OTHER_TYPE:
            return pd.DataFrame(columns=columns)
        firms = with_history(firms, outcomes, self.programmes)
        ok = EligibilityIndex(prog).mask(firms)[:, 0]
        rows = np.flatnonzero(ok)
        X = self.pipeline.matrix(firms, ProgrammeTable(prog), rows, np.zeros(len(rows), int))
        scores = self.ranker.predict(X) if len(rows) else np.empty(0)
        ranked = pd.DataFrame({"firm_id": firms["firm_id"].to_numpy()[rows], "year": year,
                               "score": scores}).sort_values(["score", "firm_id"],
                                                             ascending=[False, True])
        ranked = ranked.head(k).reset_index(drop=True)
        ranked["rank"] = np.arange(1, len(ranked) + 1)
        return ranked[columns]

    def score(self, firms: pd.DataFrame, *, outcomes: pd.DataFrame | None = None,
              chunk: int = 20_000) -> pd.DataFrame:
        """Every firm row x every programme of its year: the contract's score output.

        Columns ``firm_id, year, programme_id, eligible, score, rank``; ``score`` is
        empty for unscored (``other``) programmes, ``rank`` for ineligible or unscored ones.
        """
        parts = []
        firms = with_history(firms.reset_index(drop=True), outcomes, self.programmes)
        for year, idx in firms.groupby("year").indices.items():
            cat = self._years.get(int(year))
            if cat is None:
                continue
            for start in range(0, len(idx), chunk):
                sub = firms.iloc[idx[start:start + chunk]].reset_index(drop=True)
                parts.append(self._score_chunk(sub, cat))
        columns = ["firm_id", "year", "programme_id", "eligible", "score", "rank"]
        if not parts:
            return pd.DataFrame(columns=columns)
        return pd.concat(parts, ignore_index=True)[columns]

    def _score_chunk(self, firms: pd.DataFrame, cat: _YearCatalogue) -> pd.DataFrame:
        n, m = len(firms), len(cat.programmes)
        eligible = cat.eligibility.mask(firms)
        fi, pj = np.nonzero(np.broadcast_to(cat.table.scored[None, :], (n, m)))
        X = self.pipeline.matrix(firms, cat.table, fi, pj)
        score = np.full((n, m), np.nan)
        if len(X):
            score[fi, pj] = self.ranker.predict(X)
        ranked = np.where(eligible & ~np.isnan(score), score, -np.inf)
        order = np.argsort(-ranked, axis=1, kind="stable")
        rank = np.empty((n, m))
        rank[np.arange(n)[:, None], order] = np.arange(1, m + 1)[None, :]
        rank = np.where(np.isfinite(ranked), rank, np.nan)
        return pd.DataFrame({
            "firm_id": np.repeat(firms["firm_id"].to_numpy(), m),
            "year": np.repeat(firms["year"].to_numpy(), m),
            "programme_id": np.tile(cat.programmes["programme_id"].to_numpy(), n),
            "eligible": eligible.ravel(), "score": score.ravel(),
            "rank": pd.array(rank.ravel(), dtype="Int64"),
        })
