"""The capability-gap profiler honours the scikit-learn contract and says what a gap is."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.pipeline import Pipeline

from recommender.constants import CAPABILITIES
from recommender.errors import NotFittedError
from recommender.features import (
    FIRM_FEATURES,
    PAIR_FEATURES,
    CapabilityProfiler,
    CellTotals,
    FeaturePipeline,
    ProgrammeTable,
    history_features,
    size_band,
)
from tests.data.factories import firms_frame, outcomes_frame, programmes_frame


def population(n: int = 400, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    base = firms_frame().iloc[[0]]
    df = pd.concat([base] * n, ignore_index=True)
    df["firm_id"] = [f"F{i}" for i in range(n)]
    df["sector"] = rng.choice(["mfg_high_tech", "kbs_ict"], n)
    df["employees"] = rng.choice([5, 30, 120], n)
    for cap in CAPABILITIES:
        df[cap] = rng.integers(1, 6, n).astype(float)
    return df


def test_profiler_follows_the_estimator_contract() -> None:
    firms = population()
    prof = CapabilityProfiler(prior_weight=5.0)
    assert prof.get_params() == {"prior_weight": 5.0}
    assert prof.fit(firms) is prof
    out = prof.transform(firms)
    assert list(out.columns) == list(prof.get_feature_names_out()) == list(FIRM_FEATURES)
    again = pickle.loads(pickle.dumps(prof)).transform(firms)
    pd.testing.assert_frame_equal(out, again)
    assert not hasattr(clone(prof), "benchmarks_")
    piped = Pipeline([("profile", CapabilityProfiler())]).fit(firms).transform(firms)
    assert piped.shape == out.shape


def test_unfitted_profiler_raises_a_specific_error() -> None:
    with pytest.raises(NotFittedError, match="fit"):
        CapabilityProfiler().transform(population(10))


def test_gap_is_peer_benchmark_minus_own_rating() -> None:
    firms = population()
    prof = CapabilityProfiler().fit(firms)
    out = prof.transform(firms)
    peers = prof.peer_benchmarks(firms)
    cap = CAPABILITIES[0]
    np.testing.assert_allclose(out[f"gap_{cap}"], peers[:, 0] - firms[cap])


def test_a_lower_own_rating_means_a_larger_gap() -> None:
    firms = population()
    prof = CapabilityProfiler().fit(firms)
    low, high = firms.iloc[[0]].copy(), firms.iloc[[0]].copy()
    low[CAPABILITIES[3]], high[CAPABILITIES[3]] = 1.0, 5.0
    gap = f"gap_{CAPABILITIES[3]}"
    assert prof.transform(low)[gap].iloc[0] > prof.transform(high)[gap].iloc[0]


def test_missing_answers_stay_missing_and_are_counted() -> None:
    firms = population()
    prof = CapabilityProfiler().fit(firms)
    blank = firms.iloc[[0]].copy()
    blank[list(CAPABILITIES)] = np.nan
    out = prof.transform(blank).iloc[0]
    assert out["n_caps_missing"] == 12
    assert np.isnan(out["self_mean"]) and np.isnan(out[f"gap_{CAPABILITIES[0]}"])


def test_thin_cells_lean_on_their_sector() -> None:
    firms = population()
    lone = firms.iloc[[0]].copy()
    lone["employees"] = 1000  # the only firm in its size band
    lone[list(CAPABILITIES)] = 5.0
    prof = CapabilityProfiler(prior_weight=20.0).fit(pd.concat([firms, lone], ignore_index=True))
    bench = prof.peer_benchmarks(lone)[0]
    assert (bench < 4.0).all(), "one firm must not become its own peer group"


def test_size_bands_follow_the_documented_edges() -> None:
    assert list(size_band(np.array([1, 9, 10, 49, 50, 299, 300]))) == [0, 0, 1, 1, 2, 2, 3]


def test_history_uses_only_earlier_years() -> None:
    firms, outcomes, programmes = firms_frame(), outcomes_frame(), programmes_frame()
    hist = history_features(firms, outcomes, programmes)
    f001_2023 = (firms["firm_id"] == "F001") & (firms["year"] == 2023)
    f001_2024 = (firms["firm_id"] == "F001") & (firms["year"] == 2024)
    assert hist.loc[f001_2023, "hist_n_total"].iloc[0] == 0
    assert hist.loc[f001_2024, "hist_n_total"].iloc[0] == 1
    assert hist.loc[f001_2024, "hist_n_consulting"].iloc[0] == 1
    assert hist.loc[f001_2024, "hist_last_type"].notna().iloc[0]


def test_pair_features_never_include_programme_ids_and_reflect_target_gaps() -> None:
    firms = population()
    programmes = programmes_frame()
    pipe = FeaturePipeline().fit(firms)
    table = ProgrammeTable(programmes)
    X = pipe.matrix(firms.iloc[:5], table, np.arange(5), np.zeros(5, int))
    assert X.shape == (5, len(PAIR_FEATURES))
    assert not any("programme_id" in f for f in PAIR_FEATURES)
    targets = programmes.iloc[0]["targets"].split(";")
    gaps = pipe.profiler.transform(firms.iloc[:5])[[f"gap_{t}" for t in targets]].mean(1)
    np.testing.assert_allclose(X[:, PAIR_FEATURES.index("target_gap_mean")], gaps)


def test_partial_fit_over_any_partitioning_equals_fit() -> None:
    firms = population(600, seed=3)
    firms.loc[::7, CAPABILITIES[0]] = np.nan
    firms.loc[::11, "sector"] = "not_a_sector"  # counted as other_services, as in fit
    fitted = CapabilityProfiler(prior_weight=8.0).fit(firms)
    parts = [firms.iloc[i::3] for i in range(3)]
    assert len(parts) == 3
    by_frames = CapabilityProfiler(prior_weight=8.0)
    for part in parts:
        assert by_frames.partial_fit(part) is by_frames
    by_totals = CapabilityProfiler(prior_weight=8.0)
    for part in reversed(parts):  # what a cluster sends: per-partition cell totals
        by_totals.partial_fit(CellTotals.of(part))
    summed = CapabilityProfiler(prior_weight=8.0).fit(
        CellTotals.of(parts[0]) + CellTotals.of(parts[1]) + CellTotals.of(parts[2])
    )
    for rebuilt in (by_frames, by_totals, summed):
        np.testing.assert_allclose(rebuilt.benchmarks_, fitted.benchmarks_, rtol=0, atol=1e-12)
        np.testing.assert_allclose(rebuilt.population_mean_, fitted.population_mean_, atol=1e-12)
        np.testing.assert_array_equal(rebuilt.cell_counts_, fitted.cell_counts_)
        assert list(rebuilt.feature_names_in_) == list(firms.columns)
        pd.testing.assert_frame_equal(rebuilt.transform(firms), fitted.transform(firms))


def test_fit_starts_again_where_partial_fit_accumulates() -> None:
    a, b = population(300, seed=1), population(300, seed=2)
    prof = CapabilityProfiler().fit(a)
    assert prof.cell_counts_.sum() == 300
    prof.partial_fit(b)
    assert prof.cell_counts_.sum() == 600
    np.testing.assert_array_equal(prof.fit(b).benchmarks_, CapabilityProfiler().fit(b).benchmarks_)
    assert prof.cell_counts_.sum() == 300
    with pytest.raises(ValueError, match="other columns"):
        prof.partial_fit(b.drop(columns=["region"]))


def test_cell_totals_have_the_shape_of_the_peer_cells() -> None:
    totals = CellTotals.of(population(50))
    assert totals.sums.shape == totals.answered.shape == (*totals.profiles.shape, 12)
    assert totals.profiles.sum() == 50
    assert CellTotals.of(population(50).iloc[:0]).profiles.sum() == 0
    with pytest.raises(ValueError, match="shapes"):
        CellTotals(np.zeros((2, 2, 12)), np.zeros((2, 2, 12)), np.zeros((2, 2)))
