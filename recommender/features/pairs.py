"""(firm, programme) pair features and the fitted feature pipeline.

:class:`PairFeaturizer` joins firm features with programme attributes and the
interactions that describe *fit*. Programme ids are never features: next year's
offerings are new rows, so only what a programme *is* may be learned from.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from recommender.constants import ALL, CAPABILITIES, LIST_SEP, SCORED_TYPES, TYPE_READINESS_CAPS
from recommender.features.names import (
    CATEGORICAL_FEATURES,
    FIRM_FEATURES,
    N_CAPS,
    PAIR_FEATURES,
)
from recommender.features.profiler import CapabilityProfiler
from recommender.features.text_match import TextMatcher, has_text


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
        self.type_code = np.array(
            [SCORED_TYPES.index(t) if t in SCORED_TYPES else -1 for t in types]
        )
        self.readiness = np.zeros((len(p), N_CAPS), dtype=bool)
        for row, t in enumerate(types):
            for cap in TYPE_READINESS_CAPS.get(t, ()):
                self.readiness[row, index[cap]] = True
        support = p["support_krw_m"].to_numpy(float)
        self.support = support
        self.matrix = np.column_stack(
            [
                np.where(self.type_code >= 0, self.type_code, np.nan),
                np.log1p(support),
                np.zeros(len(p)),  # log_support_per_employee: filled per pair
                p["duration_months"].to_numpy(float),
                np.log1p(p["capacity"].to_numpy(float)),
                self.targets.sum(1).astype(float),
                (p["regions"].astype(str).str.strip() != ALL).to_numpy(float),
                (p["sectors"].astype(str).str.strip() != ALL).to_numpy(float),
                np.array([v is True or v == 1 for v in p["requires_rnd_lab"]], dtype=float),
            ]
        )

        self.year = p["year"].to_numpy(np.int64)
        self._matchers: dict[int, tuple[np.ndarray, TextMatcher]] = {}

    @property
    def scored(self) -> np.ndarray:
        """Which rows carry a learned fit score (not ``other``)."""
        return self.type_code >= 0

    def matcher(self, year: int) -> tuple[np.ndarray, TextMatcher]:
        """The rows of ``year`` and the text matcher fitted on them (built on first use)."""
        if year not in self._matchers:
            rows = np.flatnonzero(self.year == year)
            self._matchers[year] = (rows, TextMatcher.of(self.programmes.iloc[rows]))
        return self._matchers[year]

    def text_match(
        self, descriptions: Any, firm_rows: np.ndarray, programme_rows: np.ndarray
    ) -> np.ndarray:
        """The pair feature ``text_match``: each pair's firm description matched with the
        programme's text (TF-IDF cosine over the programmes of that year); NaN where the
        firm gives no description. ``descriptions`` is indexed by ``firm_rows``."""
        out = np.full(len(firm_rows), np.nan)
        said = np.array([has_text(d) for d in descriptions], dtype=bool)
        wanted = said[firm_rows] if len(firm_rows) else np.zeros(0, dtype=bool)
        if not wanted.any():
            return out
        texts = np.array([d.strip() if has_text(d) else "" for d in descriptions], dtype=object)
        pair_year = self.year[programme_rows]
        for year in np.unique(pair_year[wanted]).tolist():
            rows, matcher = self.matcher(int(year))
            local = np.full(len(self.year), -1)
            local[rows] = np.arange(len(rows))
            sel = np.flatnonzero(wanted & (pair_year == year))
            # few distinct descriptions (a world's firms share templates; a request has
            # one): match each once
            unique, index = np.unique(texts[firm_rows[sel]], return_inverse=True)
            match = matcher.similarity(unique.tolist())
            out[sel] = match[index, local[programme_rows[sel]]]
        return out


def _masked_mean(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    ok = mask & ~np.isnan(values)
    n = ok.sum(1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, np.where(ok, values, 0.0).sum(1) / np.maximum(n, 1), np.nan)


class PairFeaturizer:
    """Builds the model's input rows for (firm, programme) pairs; stateless, NumPy only."""

    feature_names: tuple[str, ...] = PAIR_FEATURES

    def transform(
        self,
        firm_features: np.ndarray,
        firm_caps: np.ndarray,
        table: ProgrammeTable,
        firm_rows: np.ndarray,
        programme_rows: np.ndarray,
        text: np.ndarray | None = None,
    ) -> np.ndarray:
        """Feature matrix of shape ``(n_pairs, len(PAIR_FEATURES))``.

        Parameters
        ----------
        firm_features
            The firms' features, columns :data:`FIRM_FEATURES` (the matrix of
            :meth:`CapabilityProfiler.features_with_peers`).
        firm_caps
            The firms' own self-ratings, shape ``(n_firms, 12)``, NaN where unanswered.
        table
            The catalogue's :class:`ProgrammeTable`.
        firm_rows, programme_rows
            Positional indices of each pair into the firms and into ``table``.
        text
            Each pair's ``text_match`` (:meth:`ProgrammeTable.text_match`); None: NaN,
            nothing known.
        """
        F = np.asarray(firm_features, dtype=float)[firm_rows]
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
        fit = np.column_stack(
            [
                _masked_mean(gaps, targets),
                np.where(np.isfinite(gap_max), gap_max, np.nan),
                target_self,
                self_mean - target_self,
                (targets & np.isnan(own)).sum(1) / n_targets,
                _masked_mean(own, table.readiness[programme_rows]),
                taken,
                np.where(np.isnan(last_type), 0.0, (last_type == ptype).astype(float)),
                np.full(len(F), np.nan) if text is None else np.asarray(text, dtype=float),
            ]
        )
        return np.hstack([F, P, fit])


def firm_caps(firms: pd.DataFrame) -> np.ndarray:
    """The firms' own self-ratings as an ``(n, 12)`` float array (NaN = unanswered)."""
    return firms[list(CAPABILITIES)].to_numpy(float)


class FeaturePipeline:
    """The fitted feature side of a model: profiler + pair featurizer (stored as JSON).

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

    def matrix(
        self,
        firms: pd.DataFrame,
        table: ProgrammeTable,
        firm_rows: np.ndarray,
        programme_rows: np.ndarray,
        text: np.ndarray | None = None,
    ) -> np.ndarray:
        """Model input for pairs of ``firms`` rows and ``table`` rows (positional);
        ``text`` (None: matched here, over ``table``'s programmes of each year): see
        :meth:`PairFeaturizer.transform`."""
        firm_rows, programme_rows = np.asarray(firm_rows, int), np.asarray(programme_rows, int)
        if text is None:
            text = table.text_match(descriptions(firms), firm_rows, programme_rows)
        return self.pairs.transform(
            self.profiler.transform(firms),
            firm_caps(firms),
            table,
            firm_rows,
            programme_rows,
            text,
        )


def descriptions(firms: pd.DataFrame) -> list[Any]:
    """The firms' business descriptions (None where a frame has no such column)."""
    if "business_description" not in firms:
        return [None] * len(firms)
    return firms["business_description"].tolist()
