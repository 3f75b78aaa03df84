"""The capability-gap profiler: peer benchmarks per sector x size band, firm features.

Missing self-assessments stay missing (NaN, which LightGBM routes explicitly) and are
counted in ``n_caps_missing``; they are never read as zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from recommender.constants import CAPABILITIES, SECTORS, SIZE_BAND_EDGES, SIZE_BANDS
from recommender.eligibility import Columns
from recommender.enum_codes import enum_codes
from recommender.errors import NotFittedError
from recommender.features.names import FIRM_FEATURES, HISTORY_COLUMNS, N_CAPS


def size_band(employees: np.ndarray | pd.Series) -> np.ndarray:
    """Index into :data:`SIZE_BANDS` for each headcount (micro < 10 <= small < 50 <= ...)."""
    return np.searchsorted(np.asarray(SIZE_BAND_EDGES[1:]), np.asarray(employees), side="right")


@dataclass(frozen=True)
class CellTotals:
    """What a batch of firm profiles adds to each sector x size-band peer cell.

    Totals of disjoint batches add up (``a + b``), so any engine that computes them
    per partition and hands them to :meth:`CapabilityProfiler.partial_fit` gets the
    benchmarks :meth:`CapabilityProfiler.fit` learns from the whole population.

    Parameters
    ----------
    sums, answered : ndarray of shape (n_sectors, n_size_bands, 12)
        Summed self-ratings (unanswered items count 0) and answered items per cell.
    profiles : ndarray of shape (n_sectors, n_size_bands)
        Firm profiles per cell.
    columns
        Columns of the frame the totals were computed from (empty when unknown).
    """

    sums: np.ndarray
    answered: np.ndarray
    profiles: np.ndarray
    columns: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        shape = (len(SECTORS), len(SIZE_BANDS), N_CAPS)
        got = tuple(np.shape(a) for a in (self.sums, self.answered, self.profiles))
        if got != (shape, shape, shape[:2]):
            raise ValueError(
                f"cell totals must have shapes {shape}, {shape} and "
                f"{shape[:2]}, not {got[0]}, {got[1]} and {got[2]}"
            )

    @classmethod
    def of(cls, firms: pd.DataFrame) -> CellTotals:
        """The totals of a frame of canonical firm profiles (any number of rows)."""
        n_s, n_b = len(SECTORS), len(SIZE_BANDS)
        caps = firms[list(CAPABILITIES)].to_numpy(float)
        answered = ~np.isnan(caps)
        cell = (_sector_codes(firms["sector"]) * n_b + size_band(firms["employees"])).astype(
            np.int64
        )

        def per_cell(weights: np.ndarray) -> np.ndarray:
            return np.bincount(cell, weights=weights, minlength=n_s * n_b)

        rated, seen = np.nan_to_num(caps), answered.astype(float)
        sums = np.stack([per_cell(rated[:, k]) for k in range(N_CAPS)], axis=-1)
        counts = np.stack([per_cell(seen[:, k]) for k in range(N_CAPS)], axis=-1)
        profiles = np.bincount(cell, minlength=n_s * n_b).astype(float)
        return cls(
            sums.reshape(n_s, n_b, N_CAPS),
            counts.reshape(n_s, n_b, N_CAPS),
            profiles.reshape(n_s, n_b),
            tuple(str(c) for c in firms.columns),
        )

    def __add__(self, other: CellTotals) -> CellTotals:
        return CellTotals(
            self.sums + other.sums,
            self.answered + other.answered,
            self.profiles + other.profiles,
            self.columns or other.columns,
        )


class CapabilityProfiler(TransformerMixin, BaseEstimator):
    """Learns peer benchmarks per capability and turns firm profiles into firm features.

    Follows scikit-learn's ``MaxAbsScaler``: :meth:`fit` is a reset followed by
    :meth:`partial_fit`, which adds a batch's :class:`CellTotals` to the cell sums and
    recomputes the benchmarks, so whole-data and incremental (or distributed) fitting
    share one code path.

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
    cell_sums_, cell_answered_ : ndarray of shape (n_sectors, n_size_bands, 12)
        Summed self-ratings and answered items seen so far per cell.
    cell_counts_ : ndarray of shape (n_sectors, n_size_bands)
        Firm profiles behind each cell.
    feature_names_in_ : ndarray of str
        Columns of the frames fitted on (when known).
    """

    def __init__(self, prior_weight: float = 20.0) -> None:
        self.prior_weight = prior_weight

    def _reset(self) -> None:
        """Forget everything fitted (what :meth:`fit` starts with)."""
        for name in (
            "benchmarks_",
            "population_mean_",
            "cell_sums_",
            "cell_answered_",
            "cell_counts_",
            "n_features_in_",
            "feature_names_in_",
        ):
            if hasattr(self, name):
                delattr(self, name)

    def fit(self, X: pd.DataFrame | CellTotals, y: Any = None) -> CapabilityProfiler:
        """Learn the benchmarks from a population of canonical firm profiles.

        Parameters
        ----------
        X
            Firm profiles (contract firm columns), or their :class:`CellTotals`.
        """
        self._reset()
        return self.partial_fit(X)

    def partial_fit(self, X: pd.DataFrame | CellTotals, y: Any = None) -> CapabilityProfiler:
        """Add a batch of firm profiles (or their :class:`CellTotals`) to the benchmarks.

        The cell sums accumulate; the shrunk benchmarks are recomputed from all the
        batches seen since the last :meth:`fit`, in any order and partitioning.

        Raises
        ------
        ValueError
            A batch with other columns than the earlier ones.
        """
        totals = X if isinstance(X, CellTotals) else CellTotals.of(X)
        if not hasattr(self, "cell_counts_"):
            shape = totals.sums.shape
            self.cell_sums_, self.cell_answered_ = np.zeros(shape), np.zeros(shape)
            self.cell_counts_ = np.zeros(shape[:2])
        if totals.columns:
            known = getattr(self, "feature_names_in_", None)
            if known is not None and list(known) != list(totals.columns):
                raise ValueError(
                    "partial_fit got firm profiles with other columns than "
                    f"before: {list(totals.columns)} vs {list(known)}"
                )
            self.feature_names_in_ = np.asarray(totals.columns, dtype=object)
            self.n_features_in_ = len(totals.columns)
        self.cell_sums_ = self.cell_sums_ + np.asarray(totals.sums, float)
        self.cell_answered_ = self.cell_answered_ + np.asarray(totals.answered, float)
        self.cell_counts_ = self.cell_counts_ + np.asarray(totals.profiles, float)
        self._set_benchmarks()
        return self

    def _set_benchmarks(self) -> None:
        """Shrink cell means towards sector means, sector means towards the population."""
        sums, answered = self.cell_sums_, self.cell_answered_
        w = float(self.prior_weight)
        pop_n = answered.sum((0, 1))
        self.population_mean_ = np.where(pop_n > 0, sums.sum((0, 1)) / np.maximum(pop_n, 1), 3.0)
        sector_mean = (sums.sum(1) + w * self.population_mean_) / (answered.sum(1) + w)
        self.benchmarks_ = (sums + w * sector_mean[:, None, :]) / (answered + w)

    def peer_benchmarks(self, firms: Columns) -> np.ndarray:
        """The benchmark row (12 capabilities) of each firm's peer group."""
        self._check()
        return self.benchmarks_[
            _sector_codes(firms["sector"]), size_band(np.asarray(firms["employees"], float))
        ]

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        """Firm features (:data:`FIRM_FEATURES`) for canonical firm profiles.

        History columns are taken from ``X`` when present (see :func:`history_features`)
        and otherwise mean "no known participation".
        """
        return pd.DataFrame(
            self.features_with_peers(X)[0], index=X.index, columns=list(FIRM_FEATURES)
        )

    def features_with_peers(self, X: Columns) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`transform` as a matrix (columns :data:`FIRM_FEATURES`) and
        :meth:`peer_benchmarks`, in one pass (serving needs both).

        ``X`` is a frame of canonical firm profiles or, for a few firms, the same
        columns as plain sequences (reading a pandas column costs ~20 us; a request
        reads two dozen).
        """
        self._check()
        n = len(X["employees"])

        def col(name: str) -> np.ndarray:
            return np.asarray(X[name], dtype=float)

        caps = np.column_stack([col(c) for c in CAPABILITIES]).reshape(n, N_CAPS)
        employees, revenue = col("employees"), col("revenue_krw_m")
        peers = self.benchmarks_[_sector_codes(X["sector"]), size_band(employees)]
        answered = (~np.isnan(caps)).sum(1)
        with np.errstate(invalid="ignore", divide="ignore"):
            self_mean = np.where(answered > 0, np.nansum(caps, 1) / np.maximum(answered, 1), np.nan)
        history = [
            col(c) if c in X else np.zeros(n) if c.startswith("hist_n_") else np.full(n, np.nan)
            for c in HISTORY_COLUMNS
        ]
        parts = [
            _sector_codes(X["sector"]).astype(float),
            size_band(employees).astype(float),
            col("year") - col("founded_year"),
            np.log1p(employees),
            np.log1p(revenue),
            col("revenue_growth"),
            col("export_share"),
            col("rnd_spend_krw_m") / np.maximum(revenue, 1.0),
            col("researchers") / np.maximum(employees, 1),
            np.log1p(col("patents")),
            col("has_rnd_lab"),
            self_mean,
            (N_CAPS - answered).astype(float),
            *(peers - caps).T,
            *history,
        ]
        return np.column_stack(parts).reshape(n, len(FIRM_FEATURES)), peers

    def get_feature_names_out(self, input_features: Sequence[str] | None = None) -> np.ndarray:
        """Names of the columns :meth:`transform` returns."""
        return np.asarray(FIRM_FEATURES, dtype=object)

    def _check(self) -> None:
        try:
            check_is_fitted(self, "benchmarks_")
        except Exception as exc:  # sklearn's NotFittedError -> ours, with the same meaning
            raise NotFittedError("CapabilityProfiler is not fitted: call fit(firms) first") from exc


def _sector_codes(values: pd.Series) -> np.ndarray:
    codes = enum_codes(values, SECTORS)
    return np.where(codes < 0, len(SECTORS) - 1, codes)  # unknown sector -> other_services
