"""Training and scoring on a Dask cluster agree with the single-machine path.

One world (3,000 firms, 2021-2024) is written as Parquet with the last year's outcomes
held out. The same directory is trained on twice -- ``train_version`` in this process,
and ``recommender train --engine dask`` on a 2-worker ``LocalCluster`` -- and both
models rank the last year's firms against the oracle.

Tolerances, and why: two single-machine models that differ only in their seed agree on
this world at Spearman 0.93-0.94 over the scored pairs and within 0.004 oracle NDCG@3
(bagging and feature sampling are random); data-parallel LightGBM splits on histograms
built across workers and samples per worker, so the Dask model is held to the same
closeness: Spearman >= 0.90 and oracle NDCG@3 within 0.02. The features themselves
are not approximated: the peer benchmarks agree to 1e-9, and the same model scores
the same firms identically on either engine.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from distributed import LocalCluster
from scipy.stats import spearmanr

import batch.dask
import training.dask
import training.local
from recommender.adapters.artefact import (
    MODEL_FILE,
    PIPELINE_FILE,
    REPORT_FILE,
    load_pipeline,
    load_recommender,
)
from recommender.adapters.files import read_data_dir, write_data_dir
from recommender.adapters.partitioned import read_table
from recommender.adapters.registry import Registry
from recommender.adapters.worlds import write_partitioned_world
from recommender.contract.canonical import Dataset
from recommender.errors import DataValidationError
from recommender.ranker import BASE_PARAMS
from recommender.simulate import World, simulate_world
from tests.signing import TEST_SIGNING_KEY
from training.dask_parts import staged_sse
from training.fingerprint import TableDigest, combine, fingerprint
from training.masking import SHIPPED_MASKING
from training.metrics import ndcg_at_k

WORLD = {"n_firms": 3000, "years": (2021, 2024), "seed": 2}
LAST = 2024
NDCG_TOLERANCE = 0.02
MIN_SPEARMAN = 0.85  # 0.88 on this world since pairs come as stated and masked (docs/scaling.md)
KEY = ["firm_id", "year", "programme_id"]


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    ) as local:
        yield local.scheduler_address


@pytest.fixture(scope="module")
def world() -> World:
    return simulate_world(**WORLD)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def train_dir(world: World, tmp_path_factory: pytest.TempPathFactory) -> Path:
    ds = world.dataset
    assert ds.outcomes is not None
    held_out = Dataset(
        ds.firms, ds.programmes, ds.outcomes[ds.outcomes["year"] < LAST].reset_index(drop=True)
    )
    out = tmp_path_factory.mktemp("dask-world")
    write_data_dir(held_out, out, fmt="parquet")
    return out


@pytest.fixture(scope="module")
def registry(train_dir: Path, cluster: str, tmp_path_factory: pytest.TempPathFactory) -> Registry:
    root = tmp_path_factory.mktemp("dask-models")
    registry = Registry(root, signing_key=TEST_SIGNING_KEY)
    training.local.train_version(
        train_dir, registry=registry, version="local", objective="regression", run_evaluation=False
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "cli",
            "train",
            "--data",
            str(train_dir),
            "--engine",
            "dask",
            "--scheduler",
            cluster,
            "--version",
            "dask",
            "--no-evaluation",
        ],
        env={
            **os.environ,
            "RECOMMENDER_MODELS_DIR": str(root),
            "RECOMMENDER_SIGNING_KEY": TEST_SIGNING_KEY,
        },
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return registry


@pytest.fixture(scope="module")
def last_year(world: World, registry: Registry) -> pd.DataFrame:
    """Both models' scores of every last-year firm, eligible pairs, with the oracle."""
    ds = world.dataset
    assert ds.outcomes is not None
    firms = ds.firms[ds.firms["year"] == LAST]
    history = ds.outcomes[ds.outcomes["year"] < LAST]
    scored = [
        load_recommender(registry, v, programmes=ds.programmes).score(firms, outcomes=history)
        for v in ("local", "dask")
    ]
    both = scored[0].merge(scored[1], on=KEY, suffixes=("_local", "_dask"))
    both = both[both["eligible_local"] & both["score_local"].notna()]
    return both.merge(world.oracle, on=KEY)


def test_dask_version_is_a_normal_registry_version(registry: Registry) -> None:
    manifest = registry.verify("dask")
    assert manifest["engine"] == "dask"
    assert {MODEL_FILE, PIPELINE_FILE, REPORT_FILE} <= set(manifest["files"])
    assert {k: manifest["params"][k] for k in BASE_PARAMS} == BASE_PARAMS
    assert manifest["params"]["objective"] == "regression"
    assert manifest["dask"]["workers"] == 2
    assert registry.champion() == "local", "a later version never takes over by itself"


def test_both_engines_record_one_procedure(registry: Registry) -> None:
    """Same parameters (monotone constraints included), same metadata fields, the same
    data fingerprint for the same directory, whichever engine trained."""
    local, dask = registry.verify("local"), registry.verify("dask")
    assert (local["engine"], dask["engine"]) == ("local", "dask")
    same = set(local["params"]) - {"num_threads", "rounds"}
    assert same and same <= set(dask["params"])
    assert {k: dask["params"][k] for k in same} == {k: local["params"][k] for k in same}
    assert 1 in local["params"]["monotone_constraints"]
    assert set(local) - {"hmac"} <= set(dask)
    assert dask["data_fingerprint"] == local["data_fingerprint"]
    assert dask["data_fingerprint_method"] == local["data_fingerprint_method"]
    assert dask["years"] == local["years"] and dask["features"] == local["features"]
    assert dask["training_rows"] == local["training_rows"]
    assert dask["masking"] == local["masking"] == SHIPPED_MASKING.record()


def test_peer_benchmarks_equal_the_pandas_ones(registry: Registry) -> None:
    local = load_pipeline(registry, "local").profiler
    dask = load_pipeline(registry, "dask").profiler
    np.testing.assert_allclose(dask.benchmarks_, local.benchmarks_, rtol=0, atol=1e-9)
    np.testing.assert_allclose(dask.population_mean_, local.population_mean_, rtol=0, atol=1e-9)
    np.testing.assert_array_equal(dask.cell_counts_, local.cell_counts_)
    np.testing.assert_array_equal(dask.cell_sums_, local.cell_sums_)
    assert list(dask.feature_names_in_) == list(local.feature_names_in_)


def test_held_out_oracle_ndcg_is_within_tolerance(last_year: pd.DataFrame) -> None:
    ndcg = {
        engine: ndcg_at_k(
            last_year,
            k=3,
            query=("firm_id", "year"),
            score=f"score_{engine}",
            gain="expected_outcome",
        )
        for engine in ("local", "dask")
    }
    assert ndcg["local"] > 0.85 and ndcg["dask"] > 0.85
    assert abs(ndcg["dask"] - ndcg["local"]) <= NDCG_TOLERANCE, ndcg


def test_scores_of_the_same_firms_correlate_strongly(last_year: pd.DataFrame) -> None:
    assert len(last_year) > 10_000
    rho = spearmanr(last_year["score_local"], last_year["score_dask"]).statistic
    assert rho >= MIN_SPEARMAN


def test_dask_scoring_equals_single_machine_scoring(
    registry: Registry, train_dir: Path, cluster: str, tmp_path: Path
) -> None:
    run = batch.dask.score(
        train_dir,
        registry=registry,
        out=tmp_path / "scores",
        model="dask",
        scheduler=cluster,
        year=LAST,
        partition_rows=1000,
    )
    assert run.partitions >= 3 and run.files == len(list(run.out.glob("part-*.parquet")))
    got = pd.read_parquet(run.out).sort_values(KEY).reset_index(drop=True)
    ds = read_data_dir(train_dir)
    rec = load_recommender(registry, "dask", programmes=ds.programmes)
    expected = rec.score(ds.firms[ds.firms["year"] == LAST], outcomes=ds.outcomes)
    expected = expected.sort_values(KEY).reset_index(drop=True)
    assert run.rows == len(expected) and run.firm_rows == (ds.firms["year"] == LAST).sum()
    pd.testing.assert_frame_equal(
        got[list(expected.columns)], expected, check_dtype=False, check_exact=False, rtol=1e-12
    )


def test_dask_scoring_can_explain_each_firms_top_programmes(
    registry: Registry, train_dir: Path, cluster: str, tmp_path: Path
) -> None:
    run = batch.dask.score(
        train_dir,
        registry=registry,
        out=tmp_path / "explained",
        model="dask",
        scheduler=cluster,
        year=LAST,
        explain_top=2,
    )
    got = pd.read_parquet(run.out)
    top = got["rank"].le(2).fillna(False).to_numpy(bool)
    assert got.loc[top, "reasons"].str.len().gt(0).all()
    assert got.loc[~top, "reasons"].isna().all()


def test_bad_data_is_reported_with_file_rows_and_nothing_is_written(
    world: World, cluster: str, tmp_path: Path
) -> None:
    ds = world.dataset
    assert ds.outcomes is not None
    firms = ds.firms.copy()
    firms.loc[5, "employees"] = 0
    outcomes = ds.outcomes.copy()
    outcomes.loc[3, "programme_id"] = "NO-SUCH-PROGRAMME"
    bad = tmp_path / "bad"
    write_data_dir(Dataset(firms, ds.programmes, outcomes), bad, fmt="parquet")
    registry = Registry(tmp_path / "models", signing_key=TEST_SIGNING_KEY)
    with pytest.raises(DataValidationError) as caught:
        training.dask.train_version(bad, registry=registry, scheduler=cluster, partition_rows=2000)
    where = {(p.file, p.row, p.column) for p in caught.value.problems}
    assert ("firms.parquet", 7, "employees") in where  # row 5 -> line 7, as read_data_dir counts
    assert any(p.file == "outcomes.parquet" and p.row == 5 for p in caught.value.problems)
    assert registry.versions() == []


def test_staged_errors_add_up_to_the_full_prediction(registry: Registry, train_dir: Path) -> None:
    import lightgbm as lgb

    from recommender.features import PAIR_FEATURES, ProgrammeTable
    from training.pairs import labelled_pairs, prepared_firms

    ds = read_data_dir(train_dir)
    text = registry.read_bytes("dask", MODEL_FILE).decode()
    pipeline = load_pipeline(registry, "dask")
    pairs = labelled_pairs(ds, pipeline, prepared_firms(ds), ProgrammeTable(ds.programmes))
    frame = pd.DataFrame(pairs.X[:500], columns=list(PAIR_FEATURES))
    frame["outcome"] = pairs.meta["outcome"].to_numpy()[:500]
    booster = lgb.Booster(model_str=text)
    curve = staged_sse(frame, text, booster.num_trees())
    full = booster.predict(pairs.X[:500], raw_score=True)
    assert curve[-1] == pytest.approx(((frame["outcome"] - full) ** 2).sum(), rel=1e-9)


def test_partitioned_world_is_written_a_chunk_per_row_group(tmp_path: Path) -> None:
    out = tmp_path / "big"
    done = write_partitioned_world(out, n_firms=900, partitions=3, years=(2022, 2023), seed=4)
    assert pq.ParquetFile(out / "firms.parquet").num_row_groups == 3
    assert pq.ParquetFile(out / "outcomes.parquet").num_row_groups == 3
    ds = read_data_dir(out)  # an ordinary, valid contract directory
    assert ds.outcomes is not None
    assert ds.firms["firm_id"].nunique() == 900 and len(ds.firms) == done.firm_rows
    groups = [
        pq.ParquetFile(out / f"{t}.parquet").read_row_group(i).to_pandas()
        for t in ("firms", "outcomes")
        for i in range(3)
    ]
    for i in range(3):
        assert set(groups[3 + i]["firm_id"]) <= set(groups[i]["firm_id"])
        assert not set(groups[i]["firm_id"]) & set(groups[(i + 1) % 3]["firm_id"])
    assert read_table(out / "firms.parquet").npartitions == 3
    again = tmp_path / "again"
    write_partitioned_world(again, n_firms=900, partitions=3, years=(2022, 2023), seed=4)
    assert read_data_dir(again) == ds
    oracle = pd.read_csv(out / "oracle.csv")
    assert len(oracle) == done.oracle_rows and set(oracle["year"]) == {2023}


def test_data_fingerprint_ignores_partitioning_and_row_order(world: World) -> None:
    firms = world.dataset.firms
    programmes = TableDigest.of(world.dataset.programmes)
    two = combine({"firms": TableDigest.of(firms.iloc[i::2])} for i in range(2))
    three = combine({"firms": TableDigest.of(firms.iloc[::-1].iloc[i::3])} for i in range(3))
    assert fingerprint({**two, "programmes": programmes}) == fingerprint(
        {**three, "programmes": programmes}
    )
    assert two == {"firms": TableDigest.of(firms)}
    changed = firms.copy()
    changed.loc[0, "employees"] += 1
    assert fingerprint({"firms": TableDigest.of(changed), "programmes": programmes}) != fingerprint(
        {**two, "programmes": programmes}
    )
