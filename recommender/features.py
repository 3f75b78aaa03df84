"""Capability-gap profiling and (firm, programme) pair features.

:class:`CapabilityProfiler` learns peer benchmarks (sector x size band, shrunk towards
the sector and the whole population where cells are thin) and turns firm profiles into
firm features. :class:`PairFeaturizer` joins those with programme attributes and the
interactions that describe *fit*. Programme ids are never features: next year's
offerings are new rows, so only what a programme *is* may be learned from.

Missing self-assessments stay missing (NaN, which LightGBM routes explicitly) and are
counted in ``n_caps_missing``; they are never read as zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from recommender.codes import enum_codes
from recommender.constants import (
    ALL,
    CAPABILITIES,
    LIST_SEP,
    SCORED_TYPES,
    SECTORS,
    SIZE_BAND_EDGES,
    SIZE_BANDS,
    TYPE_READINESS_CAPS,
)
from recommender.errors import NotFittedError

N_CAPS = len(CAPABILITIES)
HISTORY_COLUMNS: tuple[str, ...] = (
    "hist_n_total", *(f"hist_n_{t}" for t in SCORED_TYPES), "hist_last_type",
    "hist_last_outcome", "hist_mean_outcome",
)
FIRM_FEATURES: tuple[str, ...] = (
    "sector", "size_band", "firm_age", "log_employees", "log_revenue", "revenue_growth",
    "export_share", "rnd_intensity", "researchers_per_employee", "log_patents", "has_rnd_lab",
    "self_mean", "n_caps_missing", *(f"gap_{c}" for c in CAPABILITIES), *HISTORY_COLUMNS,
)
PROGRAMME_FEATURES: tuple[str, ...] = (
    "programme_type", "log_support", "log_support_per_employee", "duration_months",
    "log_capacity", "n_targets", "regional", "sector_restricted", "requires_lab",
)
FIT_FEATURES: tuple[str, ...] = (
    "target_gap_mean", "target_gap_max", "target_self_mean", "target_rel_weakness",
    "target_missing_share", "readiness", "type_taken_before", "last_type_same",
)
PAIR_FEATURES: tuple[str, ...] = (*FIRM_FEATURES, *PROGRAMME_FEATURES, *FIT_FEATURES)
CATEGORICAL_FEATURES: tuple[str, ...] = ("sector", "size_band", "hist_last_type", "programme_type")


def size_band(employees: np.ndarray | pd.Series) -> np.ndarray:
    """Index into :data:`SIZE_BANDS` for each headcount (micro < 10 <= small < 50 <= ...)."""
    return np.searchsorted(np.asarray(SIZE_BAND_EDGES[1:]), np.asarray(employees), side="right")


def history_features(firms: pd.DataFrame, outcomes: pd.DataFrame | None,
                     programmes: pd.DataFrame) -> pd.DataFrame:
    """Participation history of each firm profile, from outcomes of *earlier* years only.

    Returns a frame aligned with ``firms`` holding :data:`HISTORY_COLUMNS`: how many
    programmes of each type the firm took before, the type and outcome of last year's
    participation (NaN when none) and its mean outcome so far.
    """
    out = pd.DataFrame(index=firms.index, columns=list(HISTORY_COLUMNS), dtype=float)
    out.loc[:, [c for c in HISTORY_COLUMNS if c.startswith("hist_n_")]] = 0.0
    if outcomes is None or outcomes.empty:
        return out
    kinds = programmes.set_index("programme_id")["programme_type"]
    past = outcomes.assign(ptype=outcomes["programme_id"].map(kinds))
    past = past[past["ptype"].isin(SCORED_TYPES)]
    if past.empty:
        return out
    type_code = past["ptype"].map({t: i for i, t in enumerate(SCORED_TYPES)}).astype(float)
    past = past.assign(type_code=type_code)
    keys = firms[["firm_id", "year"]].reset_index()
    merged = keys.merge(past, on="firm_id", suffixes=("", "_p"))
    merged = merged[merged["year_p"] < merged["year"]]
    if merged.empty:
        return out
    g = merged.groupby("index")
    out.loc[g.size().index, "hist_n_total"] = g.size().to_numpy(float)
    counts = pd.crosstab(merged["index"], merged["ptype"])
    for t in SCORED_TYPES:
        if t in counts:
            out.loc[counts.index, f"hist_n_{t}"] = counts[t].to_numpy(float)
    out.loc[g.size().index, "hist_mean_outcome"] = g["outcome"].mean().to_numpy(float)
    last = merged[merged["year_p"] == merged["year"] - 1]
    if not last.empty:
        best = last.sort_values(["index", "outcome"]).groupby("index").tail(1)
        out.loc[best["index"].to_numpy(), "hist_last_type"] = best["type_code"].to_numpy(float)
        out.loc[best["index"].to_numpy(), "hist_last_outcome"] = best["outcome"].to_numpy(float)
    return out


class CapabilityProfiler(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Learns peer benchmarks per capability and turns firm profiles into firm features.

    Parameters
    ----------
    prior_weight
        Pseudo-count with which a sector x size-band cell mean is shrunk towards its
        sector mean (and a sector mean towards the population mean); thin cells lean on
        the wider group, large cells on their own peers.

    Attributes
    ----------
    benchmarks_ : ndarray of shape (n_sectors, n_size_bands, 12)
        Peer benchmark of each capability.
    population_mean_ : ndarray of shape (12,)
    cell_counts_ : ndarray of shape (n_sectors, n_size_bands)
        Firm profiles behind each cell.
    """

    def __init__(self, prior_weight: float = 20.0) -> None:
        self.prior_weight = prior_weight

    def fit(self, X: pd.DataFrame, y: Any = None) -> CapabilityProfiler:
        """Learn the benchmarks from a population of canonical firm profiles."""
        self._set_benchmarks(*cell_totals(capability_cells(X).groupby(list(CELL_KEYS)).sum()))
        self.n_features_in_ = X.shape[1]
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        return self

    @classmethod
    def from_sums(cls, sums: np.ndarray, answered: np.ndarray, profiles: np.ndarray, *,
                  prior_weight: float = 20.0,
                  feature_names_in: Sequence[str] | None = None) -> CapabilityProfiler:
        """A fitted profiler from per-cell totals, e.g. aggregated by a cluster.

        Applies exactly the shrinkage of :meth:`fit`, which is this method applied to
        the totals of :func:`cell_totals`; any engine that sums :func:`capability_cells`
        per sector x size band gets the same benchmarks.

        Parameters
        ----------
        sums, answered : ndarray of shape (n_sectors, n_size_bands, 12)
            Summed self-ratings (unanswered items count 0) and answered items per cell.
        profiles : ndarray of shape (n_sectors, n_size_bands)
            Firm profiles per cell.
        prior_weight
            As in the constructor.
        feature_names_in
            Columns of the frame the totals were computed from, if known.
        """
        prof = cls(prior_weight=prior_weight)
        prof._set_benchmarks(np.asarray(sums, float), np.asarray(answered, float),
                             np.asarray(profiles, float))
        if feature_names_in is not None:
            prof.feature_names_in_ = np.asarray(list(feature_names_in), dtype=object)
            prof.n_features_in_ = len(prof.feature_names_in_)
        return prof

    def _set_benchmarks(self, sums: np.ndarray, answered: np.ndarray,
                        profiles: np.ndarray) -> None:
        """Shrink cell means towards sector means, sector means towards the population."""
        shape = (len(SECTORS), len(SIZE_BANDS), N_CAPS)
        if sums.shape != shape or answered.shape != shape or profiles.shape != shape[:2]:
            raise ValueError(f"cell totals must have shapes {shape} and {shape[:2]}, not "
                             f"{sums.shape}, {answered.shape} and {profiles.shape}")
        w = float(self.prior_weight)
        pop_n = answered.sum((0, 1))
        self.population_mean_ = np.where(pop_n > 0, sums.sum((0, 1)) / np.maximum(pop_n, 1), 3.0)
        sector_mean = (sums.sum(1) + w * self.population_mean_) / (answered.sum(1) + w)
        self.benchmarks_ = (sums + w * sector_mean[:, None, :]) / (answered + w)
        self.cell_counts_ = profiles.copy()

    def peer_benchmarks(self, firms: pd.DataFrame) -> np.ndarray:
        """The benchmark row (12 capabilities) of each firm's peer group."""
        self._check()
        return self.benchmarks_[_sector_codes(firms["sector"]), size_band(firms["employees"])]

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        """Firm features (:data:`FIRM_FEATURES`) for canonical firm profiles.

        History columns are taken from ``X`` when present (see :func:`history_features`)
        and otherwise mean "no known participation".
        """
        return self.transform_with_peers(X)[0]

    def transform_with_peers(self, X: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
        """:meth:`transform` and :meth:`peer_benchmarks` in one pass (serving needs both)."""
        self._check()
        caps = X[list(CAPABILITIES)].to_numpy(float)
        employees = X["employees"].to_numpy(float)
        revenue = X["revenue_krw_m"].to_numpy(float)
        feats: dict[str, np.ndarray] = {
            "sector": _sector_codes(X["sector"]).astype(float),
            "size_band": size_band(employees).astype(float),
            "firm_age": (X["year"].to_numpy(float) - X["founded_year"].to_numpy(float)),
            "log_employees": np.log1p(employees),
            "log_revenue": np.log1p(revenue),
            "revenue_growth": X["revenue_growth"].to_numpy(float),
            "export_share": X["export_share"].to_numpy(float),
            "rnd_intensity": X["rnd_spend_krw_m"].to_numpy(float) / np.maximum(revenue, 1.0),
            "researchers_per_employee": X["researchers"].to_numpy(float) / np.maximum(employees, 1),
            "log_patents": np.log1p(X["patents"].to_numpy(float)),
            "has_rnd_lab": X["has_rnd_lab"].to_numpy(float),
        }
        answered = (~np.isnan(caps)).sum(1)
        with np.errstate(invalid="ignore", divide="ignore"):
            feats["self_mean"] = np.where(answered > 0, np.nansum(caps, 1) / np.maximum(answered, 1),
                                          np.nan)
        feats["n_caps_missing"] = (N_CAPS - answered).astype(float)
        peers = self.peer_benchmarks(X)
        gaps = peers - caps
        for i, cap in enumerate(CAPABILITIES):
            feats[f"gap_{cap}"] = gaps[:, i]
        for col in HISTORY_COLUMNS:
            if col in X:
                feats[col] = X[col].to_numpy(float)
            else:
                feats[col] = np.zeros(len(X)) if col.startswith("hist_n_") else np.full(len(X), np.nan)
        return pd.DataFrame(feats, index=X.index, columns=list(FIRM_FEATURES)), peers

    def get_feature_names_out(self, input_features: Sequence[str] | None = None) -> np.ndarray:
        """Names of the columns :meth:`transform` returns."""
        return np.asarray(FIRM_FEATURES, dtype=object)

    def _check(self) -> None:
        try:
            check_is_fitted(self, "benchmarks_")
        except Exception as exc:  # sklearn's NotFittedError -> ours, with the same meaning
            raise NotFittedError("CapabilityProfiler is not fitted: call fit(firms) first") from exc


CELL_KEYS: tuple[str, str] = ("sector_code", "size_band_code")
CELL_SUMS: tuple[str, ...] = tuple(f"sum_{c}" for c in CAPABILITIES)
CELL_ANSWERED: tuple[str, ...] = tuple(f"n_{c}" for c in CAPABILITIES)


def capability_cells(firms: pd.DataFrame) -> pd.DataFrame:
    """Per firm profile: its peer cell (:data:`CELL_KEYS`) and what it adds to the cell.

    Columns ``sum_<cap>`` (the rating, 0 when unanswered), ``n_<cap>`` (1 when
    answered) and ``profiles`` (1). Summed per cell -- by pandas in
    :meth:`CapabilityProfiler.fit` or by a cluster, partition by partition -- they are
    the totals :func:`cell_totals` turns into the arrays the shrinkage needs.
    """
    caps = firms[list(CAPABILITIES)].to_numpy(float)
    answered = ~np.isnan(caps)
    out = pd.DataFrame(np.hstack([np.nan_to_num(caps), answered.astype(float)]),
                       columns=[*CELL_SUMS, *CELL_ANSWERED], index=firms.index)
    out.insert(0, CELL_KEYS[0], _sector_codes(firms["sector"]))
    out.insert(1, CELL_KEYS[1], size_band(firms["employees"]).astype(np.int64))
    out["profiles"] = 1.0
    return out


def cell_totals(summed: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(sums, answered, profiles)`` arrays from :func:`capability_cells` summed per cell.

    ``summed`` is indexed by :data:`CELL_KEYS` (as ``groupby(...).sum()`` returns it);
    cells without any profile are zero.
    """
    n_s, n_b = len(SECTORS), len(SIZE_BANDS)
    sums, answered = np.zeros((n_s, n_b, N_CAPS)), np.zeros((n_s, n_b, N_CAPS))
    profiles = np.zeros((n_s, n_b))
    if len(summed):
        keys = summed.index.to_frame(index=False)
        s = keys[CELL_KEYS[0]].to_numpy(np.int64)
        b = keys[CELL_KEYS[1]].to_numpy(np.int64)
        sums[s, b] = summed[list(CELL_SUMS)].to_numpy(float)
        answered[s, b] = summed[list(CELL_ANSWERED)].to_numpy(float)
        profiles[s, b] = summed["profiles"].to_numpy(float)
    return sums, answered, profiles


def _sector_codes(values: pd.Series) -> np.ndarray:
    codes = enum_codes(values, SECTORS)
    return np.where(codes < 0, len(SECTORS) - 1, codes)  # unknown sector -> other_services


class ProgrammeTable:
    """Programme-side arrays, computed once per catalogue and reused for every firm."""

    def __init__(self, programmes: pd.DataFrame) -> None:
        self.programmes = programmes.reset_index(drop=True)
        p = self.programmes
        self.targets = np.zeros((len(p), N_CAPS), dtype=bool)
        index = {c: i for i, c in enumerate(CAPABILITIES)}
        for row, spec in enumerate(p["targets"].to_numpy()):
            if isinstance(spec, str):
                for cap in spec.split(LIST_SEP):
                    if cap.strip() in index:
                        self.targets[row, index[cap.strip()]] = True
        types = p["programme_type"].to_numpy()
        self.type_code = np.array([SCORED_TYPES.index(t) if t in SCORED_TYPES else -1 for t in types])
        self.readiness = np.zeros((len(p), N_CAPS), dtype=bool)
        for row, t in enumerate(types):
            for cap in TYPE_READINESS_CAPS.get(t, ()):
                self.readiness[row, index[cap]] = True
        support = p["support_krw_m"].to_numpy(float)
        self.support = support
        self.matrix = np.column_stack([
            np.where(self.type_code >= 0, self.type_code, np.nan),
            np.log1p(support),
            np.zeros(len(p)),  # log_support_per_employee: filled per pair
            p["duration_months"].to_numpy(float),
            np.log1p(p["capacity"].to_numpy(float)),
            self.targets.sum(1).astype(float),
            (p["regions"].astype(str).str.strip() != ALL).to_numpy(float),
            (p["sectors"].astype(str).str.strip() != ALL).to_numpy(float),
            np.array([v is True or v == 1 for v in p["requires_rnd_lab"]], dtype=float),
        ])

    @property
    def scored(self) -> np.ndarray:
        """Which rows carry a learned fit score (not ``other``)."""
        return self.type_code >= 0


def _masked_mean(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    ok = mask & ~np.isnan(values)
    n = ok.sum(1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, np.where(ok, values, 0.0).sum(1) / np.maximum(n, 1), np.nan)


class PairFeaturizer:
    """Builds the model's input rows for (firm, programme) pairs; stateless, NumPy only."""

    feature_names: tuple[str, ...] = PAIR_FEATURES

    def transform(self, firm_features: pd.DataFrame, firm_caps: np.ndarray,
                  table: ProgrammeTable, firm_rows: np.ndarray,
                  programme_rows: np.ndarray) -> np.ndarray:
        """Feature matrix of shape ``(n_pairs, len(PAIR_FEATURES))``.

        Parameters
        ----------
        firm_features
            Output of :meth:`CapabilityProfiler.transform`.
        firm_caps
            The firms' own self-ratings, shape ``(n_firms, 12)``, NaN where unanswered.
        table
            The catalogue's :class:`ProgrammeTable`.
        firm_rows, programme_rows
            Positional indices of each pair into the firms and into ``table``.
        """
        F = firm_features.to_numpy(float)[firm_rows]
        P = table.matrix[programme_rows].copy()
        employees = np.expm1(F[:, FIRM_FEATURES.index("log_employees")])
        P[:, 2] = np.log1p(table.support[programme_rows] / np.maximum(employees, 1.0))
        gap_cols = [FIRM_FEATURES.index(f"gap_{c}") for c in CAPABILITIES]
        gaps = F[:, gap_cols]
        own = firm_caps[firm_rows]
        targets = table.targets[programme_rows]
        n_targets = np.maximum(targets.sum(1), 1)
        gap_max = np.where(targets & ~np.isnan(gaps), gaps, -np.inf).max(1, initial=-np.inf)
        self_mean = F[:, FIRM_FEATURES.index("self_mean")]
        target_self = _masked_mean(own, targets)
        ptype = table.type_code[programme_rows]
        hist_cols = np.array([FIRM_FEATURES.index(f"hist_n_{t}") for t in SCORED_TYPES])
        taken = np.where(ptype >= 0, F[np.arange(len(F)), hist_cols[np.maximum(ptype, 0)]], np.nan)
        last_type = F[:, FIRM_FEATURES.index("hist_last_type")]
        fit = np.column_stack([
            _masked_mean(gaps, targets),
            np.where(np.isfinite(gap_max), gap_max, np.nan),
            target_self,
            self_mean - target_self,
            (targets & np.isnan(own)).sum(1) / n_targets,
            _masked_mean(own, table.readiness[programme_rows]),
            taken,
            np.where(np.isnan(last_type), 0.0, (last_type == ptype).astype(float)),
        ])
        return np.hstack([F, P, fit])


def firm_caps(firms: pd.DataFrame) -> np.ndarray:
    """The firms' own self-ratings as an ``(n, 12)`` float array (NaN = unanswered)."""
    return firms[list(CAPABILITIES)].to_numpy(float)


class FeaturePipeline:
    """The fitted feature side of a model: profiler + pair featurizer, saved with joblib.

    Parameters
    ----------
    profiler
        A :class:`CapabilityProfiler` (fitted by :meth:`fit`).
    """

    feature_names: tuple[str, ...] = PAIR_FEATURES
    categorical_features: tuple[str, ...] = CATEGORICAL_FEATURES

    def __init__(self, profiler: CapabilityProfiler | None = None) -> None:
        self.profiler = profiler if profiler is not None else CapabilityProfiler()
        self.pairs = PairFeaturizer()

    def fit(self, firms: pd.DataFrame) -> FeaturePipeline:
        """Learn peer benchmarks from a population of firm profiles."""
        self.profiler.fit(firms)
        return self

    def matrix(self, firms: pd.DataFrame, table: ProgrammeTable, firm_rows: np.ndarray,
               programme_rows: np.ndarray) -> np.ndarray:
        """Model input for pairs of ``firms`` rows and ``table`` rows (positional)."""
        return self.pairs.transform(self.profiler.transform(firms), firm_caps(firms), table,
                                    np.asarray(firm_rows), np.asarray(programme_rows))


def with_history(firms: pd.DataFrame, outcomes: pd.DataFrame | None,
                 programmes: pd.DataFrame) -> pd.DataFrame:
    """``firms`` with the :data:`HISTORY_COLUMNS` of :func:`history_features` added."""
    return pd.concat([firms.drop(columns=list(HISTORY_COLUMNS), errors="ignore"),
                      history_features(firms, outcomes, programmes)], axis=1)
