"""`recommender train` then `score` on any contract directory, and what never gets half-done."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from recommender.adapters.artefact import MODEL_FILE, PIPELINE_FILE, REPORT_FILE, REPORT_HTML_FILE
from recommender.adapters.files import read_data_dir, write_data_dir
from recommender.adapters.registry import Registry
from recommender.contract.canonical import Dataset
from recommender.simulate import simulate_world
from tests.signing import TEST_SIGNING_KEY
from tests.waiting import wait_until


def cli_env(models: Path) -> dict[str, str]:
    return {"RECOMMENDER_MODELS_DIR": str(models), "RECOMMENDER_SIGNING_KEY": TEST_SIGNING_KEY}


def run(args: list[str], models: Path, **kw: object) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **cli_env(models)}
    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        **kw,
    )  # type: ignore[call-overload]


@pytest.fixture(scope="module")
def foreign_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A contract directory unlike the demo world: other ids, years and size."""
    ds = simulate_world(n_firms=700, years=(2017, 2018), seed=3).dataset
    firm = {f: f"ACME-{i:05d}" for i, f in enumerate(ds.firms["firm_id"].unique())}
    prog = {p: f"gov:{i}" for i, p in enumerate(ds.programmes["programme_id"])}
    renamed = Dataset(
        ds.firms.assign(firm_id=ds.firms["firm_id"].map(firm)),
        ds.programmes.assign(programme_id=ds.programmes["programme_id"].map(prog)),
        ds.outcomes.assign(
            firm_id=ds.outcomes["firm_id"].map(firm),
            programme_id=ds.outcomes["programme_id"].map(prog),
        ),
    )
    out = tmp_path_factory.mktemp("foreign")
    write_data_dir(renamed, out, fmt="parquet")
    return out


@pytest.fixture(scope="module")
def models(foreign_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("models")
    done = run(["train", "--data", str(foreign_dir), "--version", "v1", "--no-evaluation"], root)
    assert done.returncode == 0, done.stderr
    return root


def test_train_writes_a_verified_champion(models: Path) -> None:
    registry = Registry(models, signing_key=TEST_SIGNING_KEY)
    assert registry.champion() == "v1"
    manifest = registry.verify("v1")
    assert {MODEL_FILE, PIPELINE_FILE, REPORT_FILE, REPORT_HTML_FILE} <= set(manifest["files"])


def test_score_ranks_every_eligible_programme_of_the_year(
    models: Path, foreign_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "scores.csv"
    done = run(
        [
            "score",
            "--data",
            str(foreign_dir),
            "--model",
            "champion",
            "--out",
            str(out),
            "--year",
            "2018",
        ],
        models,
    )
    assert done.returncode == 0, done.stderr
    scores = pd.read_csv(out, dtype={"firm_id": str, "programme_id": str})
    assert list(scores.columns) == ["firm_id", "year", "programme_id", "eligible", "score", "rank"]
    assert (scores["year"] == 2018).all()
    assert scores["firm_id"].str.startswith("ACME-").all()
    assert scores.loc[~scores["eligible"], "rank"].isna().all()
    ranked = scores[scores["rank"].notna()]
    assert not ranked.empty
    for _, group in ranked.groupby("firm_id"):
        assert sorted(group["rank"]) == list(range(1, len(group) + 1))
    # a firm without a business description is ranked by the score alone (with one, the
    # rank follows its list's blend of score and text match)
    firms = read_data_dir(foreign_dir).firms
    plain = set(
        firms.loc[(firms["year"] == 2018) & firms["business_description"].isna(), "firm_id"]
    )
    silent = ranked[ranked["firm_id"].isin(plain)]
    assert silent["firm_id"].nunique() >= 10
    by_rank = silent.sort_values(["firm_id", "rank"]).groupby("firm_id")["score"]
    assert by_rank.apply(lambda s: s.is_monotonic_decreasing).all()


def test_a_tampered_model_is_refused_with_a_clear_message(
    models: Path, foreign_dir: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "models"
    import shutil

    shutil.copytree(models, copy)
    model = copy / "v1" / MODEL_FILE
    text = model.read_text()
    model.write_text(text.replace("learning_rate", "learning_ratf", 1))
    done = run(
        ["score", "--data", str(foreign_dir), "--model", "v1", "--out", str(tmp_path / "s.csv")],
        copy,
    )
    assert done.returncode == 2
    assert "v1" in done.stderr and MODEL_FILE in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "s.csv").exists()


def test_a_failed_training_leaves_registry_and_champion_untouched(
    models: Path, tmp_path: Path, foreign_dir: Path
) -> None:
    before = sorted(p.name for p in models.iterdir())
    broken = tmp_path / "broken"
    broken.mkdir()
    for f in foreign_dir.iterdir():
        (broken / f.name).write_bytes(f.read_bytes())
    outcomes = pd.read_parquet(broken / "outcomes.parquet")
    outcomes.loc[0, "outcome"] = 9
    outcomes.to_parquet(broken / "outcomes.parquet")
    done = run(["train", "--data", str(broken), "--version", "v2"], models)
    assert done.returncode == 2 and "outcome" in done.stderr
    assert sorted(p.name for p in models.iterdir()) == before
    assert Registry(models, signing_key=TEST_SIGNING_KEY).champion() == "v1"


def test_an_interrupted_training_leaves_no_half_version(models: Path, foreign_dir: Path) -> None:
    """Kill a training process part-way: no new version, no temp folder left behind
    that the registry would list, champion unchanged."""
    import signal

    env = {**os.environ, **cli_env(models)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli", "train", "--data", str(foreign_dir), "--version", "v3"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )

    def writing() -> bool:
        if any(p.name.startswith("_tmp-") for p in models.iterdir()):
            return True
        if proc.poll() is not None:
            raise AssertionError("training ended before it began writing its version")
        return False

    try:
        wait_until(writing, timeout=300, interval=0.01, what="the training writing its version")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    registry = Registry(models, signing_key=TEST_SIGNING_KEY)
    assert "v3" not in [v["version"] for v in registry.versions()]
    assert not (models / "v3").exists()
    assert registry.champion() == "v1"
    registry.remove_stale_temp(older_than_seconds=0)  # what a later run sweeps
    assert not any(p.name.startswith("_tmp-") for p in models.iterdir())


def test_evaluate_procedure_reports_the_model_beside_every_baseline(
    models: Path, foreign_dir: Path
) -> None:
    done = run(["evaluate", "--data", str(foreign_dir), "--model", "v1", "--procedure"], models)
    assert done.returncode == 0, done.stderr
    for method in ("model", "random", "type_popularity", "gap_heuristic", "raw_lightgbm"):
        assert method in done.stdout
