"""``recommender evaluate --model VERSION`` scores the stored version, and
``recommender models promote`` judges candidate and champion on the same data: a data
directory, else the store's outcomes, else the candidate's recorded held-out year.

One world of 4,000 firms (2022-2024); the versions are trained on 2022-2023 and judged
on 2024's outcomes alone (``tests/gate_world.py``). Fitting who joins what on a year
takes about a minute here, so the commands run in-process (typer's ``CliRunner``) and
share one fit of the logged pairs per data directory: the estimators are not replaced,
the same deterministic fit is reused.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import training.gate
import training.version
import training.version_value
from cli import app
from recommender.adapters.artefact import load_recommender
from recommender.adapters.champion import read_history
from recommender.adapters.files import read_data_dir, write_data_dir
from recommender.adapters.registry import Registry
from recommender.adapters.worlds import write_world
from recommender.contract.canonical import Dataset
from recommender.settings import get_settings
from recommender.simulate import World
from tests.gate_world import YEARS, copy_version
from tests.signing import TEST_SIGNING_KEY
from training.held_out import fingerprint_of
from training.local import train_version
from training.policies import oracle_value
from training.version_value import logged_data, ranking_of

LAST = YEARS[1]
POLICY_KEYS = {"estimate", "ci_low", "ci_high", "year", "k", "method"}


@pytest.fixture(scope="module")
def built(
    gate_models: tuple[World, Path], tmp_path_factory: pytest.TempPathFactory
) -> tuple[World, Registry, Path, Path]:
    world, models = gate_models
    root = tmp_path_factory.mktemp("gate")
    shutil.copytree(models, root / "models")  # promotions here leave the shared one alone
    with_oracle, without = root / "with-oracle", root / "no-oracle"
    write_world(world, with_oracle)
    write_data_dir(world.dataset, without)
    return world, Registry(root / "models", signing_key=TEST_SIGNING_KEY), with_oracle, without


@pytest.fixture(scope="module")
def shared_fit() -> Iterator[None]:
    """One fit of the logged pairs per dataset object, reused by every command."""
    fits: dict[int, Any] = {}
    real = training.version_value.logged_data

    def once(dataset: Dataset, *, seed: int = 42) -> Any:
        outcomes = 0 if dataset.outcomes is None else len(dataset.outcomes)
        key = hash((len(dataset.firms), outcomes, seed))
        if key not in fits:
            fits[key] = real(dataset, seed=seed)
        return fits[key]

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(training.version_value, "logged_data", once)
        mp.setattr(training.gate, "logged_data", once)
        yield


@pytest.fixture
def cli(
    built: tuple[World, Registry, Path, Path], shared_fit: None, monkeypatch: pytest.MonkeyPatch
) -> Iterator[CliRunner]:
    _, registry, _, _ = built
    monkeypatch.setenv("RECOMMENDER_MODELS_DIR", str(registry.root))
    monkeypatch.setenv("RECOMMENDER_VAR_DIR", str(registry.root.parent / "var"))
    monkeypatch.setenv("RECOMMENDER_SIGNING_KEY", TEST_SIGNING_KEY)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_evaluate_json_scores_the_stored_version_from_outcomes_alone(
    built: tuple[World, Registry, Path, Path], cli: CliRunner
) -> None:
    world, registry, data, _ = built
    results = {}
    for model in ("early", "inverted"):
        done = cli.invoke(app, ["evaluate", "--data", str(data), "--model", model, "--json"])
        assert done.exit_code == 0, done.output
        results[model] = json.loads(done.stdout)
    good, bad = results["early"], results["inverted"]
    assert set(good["policy_value"]) == POLICY_KEYS
    assert good["policy_value"]["year"] == LAST and good["policy_value"]["k"] == 1
    assert good["policy_value"]["method"] == "dr" and good["in_sample"] is False
    value = good["policy_value"]
    assert value["ci_low"] < value["estimate"] < value["ci_high"]
    assert good["clip_allowance"] >= 0.0
    # the stored versions are scored, not retrained: the inverted one is far worse
    assert bad["policy_value"]["estimate"] < value["estimate"] - 0.2
    ds = read_data_dir(data)
    logged = logged_data(ds)
    truth = oracle_value(
        ranking_of(load_recommender(registry, "early", programmes=ds.programmes), logged),
        world.oracle,
        year=LAST,
    )
    assert good["true_value"] == pytest.approx(truth)
    # one small world: the 95 % interval may miss (coverage is measured over worlds and
    # rankers in test_policy_value_validation and docs/evaluation.md); the estimate is
    # within three of its standard errors of the truth
    standard_error = (value["ci_high"] - value["ci_low"]) / (2 * 1.96)
    assert abs(value["estimate"] - truth) <= 3 * standard_error
    groups = {(g["group"], g["level"]) for g in good["groups"]}
    assert ("size_band", "micro") in groups and ("region", "seoul") in groups
    assert all(0.0 <= g["exposure"] <= 1.0 for g in good["groups"])


def test_evaluate_prints_the_same_without_json(
    built: tuple[World, Registry, Path, Path], cli: CliRunner
) -> None:
    _, _, data, _ = built
    text = cli.invoke(app, ["evaluate", "--data", str(data), "--model", "early"])
    js = cli.invoke(app, ["evaluate", "--data", str(data), "--model", "early", "--json"])
    assert text.exit_code == 0 and js.exit_code == 0
    value = json.loads(js.stdout)["policy_value"]
    assert f"policy_value (dr, k=1): {value['estimate']:.3f}" in text.stdout
    assert "true_value (oracle.csv)" in text.stdout and "size_band" in text.stdout


def test_evaluate_refuses_data_without_outcomes_for_its_last_year(
    built: tuple[World, Registry, Path, Path], cli: CliRunner, tmp_path: Path
) -> None:
    world, _, _, _ = built
    ds = world.dataset
    assert ds.outcomes is not None
    write_data_dir(
        Dataset(ds.firms, ds.programmes, ds.outcomes[ds.outcomes["year"] < LAST]), tmp_path
    )
    done = cli.invoke(app, ["evaluate", "--data", str(tmp_path), "--model", "early", "--json"])
    assert done.exit_code == 2 and done.stdout == ""
    assert f"participations with outcomes in {LAST}" in done.stderr


def test_promotion_is_refused_when_worse_on_the_same_data_and_accepted_when_not(
    built: tuple[World, Registry, Path, Path], cli: CliRunner
) -> None:
    _, registry, _, data = built  # a data directory without an oracle
    assert registry.champion() == "early"
    events = len(registry.history())
    refused = cli.invoke(app, ["models", "promote", "inverted", "--data", str(data)])
    assert refused.exit_code == 2
    message = " ".join(refused.stderr.split())
    assert "for candidate 'inverted'" in message and "for champion 'early'" in message
    assert "the candidate is worse" in message and "95 % interval" in message
    assert registry.champion() == "early" and len(registry.history()) == events

    accepted = cli.invoke(app, ["models", "promote", "early-copy", "--data", str(data)])
    assert accepted.exit_code == 0, accepted.output
    assert registry.champion() == "early-copy"
    event = read_history(registry.root)["events"][-1]
    evidence = event["evidence"]
    assert event["version"] == "early-copy" and event["forced"] is False
    assert evidence["accepted"] is True and evidence["year"] == LAST
    assert evidence["champion"]["version"] == "early"
    assert evidence["candidate"]["estimate"] == pytest.approx(evidence["champion"]["estimate"])
    assert evidence["difference"]["estimate"] == 0.0  # the same model files
    registry.promote("early", force=True)


def test_a_forced_promotion_records_what_the_gate_said(
    built: tuple[World, Registry, Path, Path], cli: CliRunner
) -> None:
    _, registry, _, data = built
    assert registry.champion() == "early"
    done = cli.invoke(app, ["models", "promote", "inverted", "--data", str(data), "--force"])
    assert done.exit_code == 0, done.output
    event = read_history(registry.root)["events"][-1]
    assert event["forced"] is True and event["evidence"]["accepted"] is False
    assert event["evidence"]["difference"]["ci_high"] < 0
    registry.promote("early", force=True)


def test_a_version_trained_on_the_judged_year_is_not_compared(
    built: tuple[World, Registry, Path, Path], cli: CliRunner
) -> None:
    _, registry, _, data = built
    done = cli.invoke(app, ["models", "promote", "all-years", "--data", str(data)])
    assert done.exit_code == 2
    message = " ".join(done.stderr.split())
    assert f"trained on [2022, 2023, 2024], so its estimate on {LAST} would be in-sample" in message
    assert "nothing is promoted" in message and registry.champion() == "early"


@pytest.fixture(scope="module")
def held(built: tuple[World, Registry, Path, Path]) -> str:
    """``held``: the shipped procedure fitted on the no-oracle directory's years before
    its last, which it records as held out."""
    _, registry, _, data = built
    with pytest.MonkeyPatch.context() as mp:  # the report's SHAP plots are not under test
        mp.setattr(training.version, "shap_plots", lambda *a, **k: [])
        return train_version(
            data,
            registry=registry,
            version="held",
            objective="regression",
            run_evaluation=False,
            num_threads=2,
            hold_out=True,
        )


def test_training_with_the_last_year_held_out_fits_the_years_before_and_records_it(
    built: tuple[World, Registry, Path, Path], held: str
) -> None:
    _, registry, _, data = built
    meta = registry.verify(held)
    assert meta["years"] == [YEARS[0], LAST - 1]
    assert meta["held_out"] == {
        "year": LAST,
        "data": str(data.resolve()),
        "data_fingerprint": fingerprint_of(read_data_dir(data)),
    }


def test_without_outcomes_in_the_store_the_gate_judges_on_the_candidates_held_out_year(
    built: tuple[World, Registry, Path, Path], held: str, cli: CliRunner
) -> None:
    _, registry, _, data = built
    copy_version(registry, held, "held-inverted", invert=True)
    assert registry.champion() == "early"
    events = len(registry.history())
    refused = cli.invoke(app, ["models", "promote", "held-inverted"])
    assert refused.exit_code == 2
    message = " ".join(refused.stderr.split())
    assert f"the held-out year {LAST} of 'held-inverted'" in message
    assert "for champion 'early'" in message and "the candidate is worse" in message
    assert registry.champion() == "early" and len(registry.history()) == events

    accepted = cli.invoke(app, ["models", "promote", held])
    assert accepted.exit_code == 0, accepted.output
    evidence = read_history(registry.root)["events"][-1]["evidence"]
    assert (
        evidence["data"] == f"the held-out year {LAST} of 'held', data directory {data.resolve()}"
    )
    assert evidence["accepted"] is True and evidence["year"] == LAST
    assert evidence["champion"]["version"] == "early" and evidence["candidate"]["version"] == held
    registry.promote("early", force=True)


def test_the_held_out_fallback_refuses_data_it_cannot_read_again_unchanged(
    built: tuple[World, Registry, Path, Path], held: str, cli: CliRunner, tmp_path: Path
) -> None:
    world, registry, _, _ = built
    moved = tmp_path / "moved"
    write_data_dir(world.dataset, moved)
    record = {**registry.verify(held)["held_out"], "data": str(moved)}
    copy_version(registry, held, "held-moved", metadata={"held_out": record})
    events = len(registry.history())

    def refusal(version: str) -> str:
        done = cli.invoke(app, ["models", "promote", version])
        assert done.exit_code == 2
        return " ".join(done.stderr.split())

    unrecorded = refusal("early-copy")
    assert (
        "the store holds none" in unrecorded and "'early-copy', and it records none" in unrecorded
    )
    assert "nothing is promoted" in unrecorded

    ds = world.dataset
    assert ds.outcomes is not None
    write_data_dir(Dataset(ds.firms, ds.programmes, ds.outcomes.iloc[1:]), moved)
    assert "no longer holds the data it was trained from" in refusal("held-moved")

    shutil.rmtree(moved)
    assert "no longer exists" in refusal("held-moved")
    assert registry.champion() == "early" and len(registry.history()) == events


def test_the_dask_engine_does_not_hold_out_a_year(
    built: tuple[World, Registry, Path, Path], cli: CliRunner
) -> None:
    _, registry, _, data = built
    versions = len(registry.versions())
    done = cli.invoke(
        app, ["train", "--data", str(data), "--engine", "dask", "--hold-out-last-year"]
    )
    assert done.exit_code == 2
    usage = " ".join(done.stderr.replace("│", " ").split())  # typer draws a panel
    assert "the dask engine does not hold out a year" in usage
    assert len(registry.versions()) == versions
