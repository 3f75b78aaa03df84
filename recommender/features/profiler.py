"""The capability-gap profiler: peer benchmarks per sector x size band, firm features.

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

from recommender.enum_codes import enum_codes
from recommender.constants import CAPABILITIES, SECTORS, SIZE_BAND_EDGES, SIZE_BANDS
from recommender.errors import NotFittedError
from recommender.features.names import FIRM_FEATURES, HISTORY_COLUMNS, N_CAPS


def size_band(employees: np.ndarray | pd.Series) -> np.ndarray:
    """Index into :data:`SIZE_BANDS` for each headcount (micro < 10 <= small < 50 <= ...)."""
    return np.searchsorted(np.asarray(SIZE_BAND_EDGES[1:]), np.asarray(employees), side="right")


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
