"""A model that kills whoever parses it: refused in a child process, never in the server.

A ``model.txt`` cut in half makes LightGBM abort the process that loads it. Written and
signed by the registry (a broken training, say), it passes every hash check, so:

* promoting it (API, or ``recommender models promote``) is refused after its trial load
  in a child process died, and the server stays up and serving;
* a champion pointer set to it by hand is refused by the poller's trial load; ``/readyz``
  says ``degraded`` and why while the old model serves;
* a server started with it as champion falls back to the last good version, and says
  ``degraded`` (200) and why; with nothing else to serve ``/readyz`` is 503;
* ``/readyz`` is 503 as soon as the served model's probe prediction fails.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import pytest

from recommender.adapters.artefact import MODEL_FILE, PIPELINE_FILE
from recommender.adapters.champion import switch_champion
from recommender.adapters.registry import Registry
from recommender.adapters.signing import open_registry
from recommender.errors import ModelIntegrityError
from recommender.ranker import Ranker
from recommender.recommend import Recommender
from recommender.settings import Settings
from recommender.simulate import World
from tests.api.conftest import Deployment, _deploy, make_settings
from tests.signing import TEST_SIGNING_KEY

DIED = "failed its trial load in a child process (the child died of SIG"


def write_crasher(registry: Registry, source: Path, name: str) -> str:
    """A version signed by the registry whose model.txt is cut in half (LightGBM aborts)."""
    with registry.create_version(name, metadata={"metrics": {"validation_score": 0.0}}) as d:
        shutil.copy(source / PIPELINE_FILE, d / PIPELINE_FILE)
        text = (source / MODEL_FILE).read_bytes()
        (d / MODEL_FILE).write_bytes(text[: len(text) // 2])
    return name


def recommend(d: Deployment, profile: dict[str, Any]) -> tuple[int, str | None]:
    with d.client("partner") as client:
        response = client.post("/v1/recommendations", json={"profile": profile})
    return response.status_code, response.json().get("model_version")


def readiness(d: Deployment) -> tuple[int, dict[str, Any]]:
    with d.client() as client:
        response = client.get("/readyz")
    return response.status_code, response.json()


@contextlib.contextmanager
def deployed(settings: Settings, world: World) -> Iterator[Deployment]:
    yield from _deploy(settings, world)


@pytest.fixture
def crasher(deployment: Deployment) -> Iterator[str]:
    """A crashing version beside the shared deployment's, removed afterwards."""
    registry = deployment.registry
    name = write_crasher(registry, registry.root / "v1", "crasher")
    try:
        yield name
    finally:
        shutil.rmtree(registry.root / name)


def test_promoting_a_model_that_aborts_its_parser_is_refused_and_the_server_stays_up(
    deployment: Deployment, profiles: list[dict[str, Any]], crasher: str
) -> None:
    champion = deployment.registry.champion()
    with deployment.client("analyst") as client:
        refused = client.post(f"/v1/models/{crasher}/promote", params={"force": True})
    assert refused.status_code == 409, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert DIED in refused.json()["detail"]
    assert deployment.registry.champion() == champion
    assert recommend(deployment, profiles[0]) == (200, champion)
    assert readiness(deployment)[1]["status"] == "ready"

    env = {  # `recommender models promote`, as an analyst would run it
        **os.environ,
        "RECOMMENDER_MODELS_DIR": str(deployment.settings.models_dir),
        "RECOMMENDER_SIGNING_KEY": TEST_SIGNING_KEY,
    }
    done = subprocess.run(
        [sys.executable, "-m", "cli", "models", "promote", crasher, "--force"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "trial load" in done.stderr and "SIG" in done.stderr
    assert deployment.registry.champion() == champion


def test_a_champion_pointer_moved_to_it_is_refused_and_readyz_says_degraded(
    deployment: Deployment, profiles: list[dict[str, Any]], crasher: str
) -> None:
    registry = deployment.registry
    champion = registry.champion()
    assert champion is not None
    pointer = registry.root / "champion"
    pointer.write_text(f"{crasher}\n")  # by hand: no promotion, no trial
    try:
        assert DIED in deployment.server.refusal(crasher, timeout=60)
        assert recommend(deployment, profiles[0]) == (200, champion)
        status, body = readiness(deployment)
        assert status == 200 and body["status"] == "degraded"
        assert crasher in body["reason"] and body["model_version"] == champion
    finally:
        pointer.write_text(f"{champion}\n")


def test_a_crashing_champion_on_start_falls_back_to_the_last_good_version(
    tmp_path: Path, trained_models: Path, world: World, profiles: list[dict[str, Any]]
) -> None:
    settings = make_settings(tmp_path, readiness_probe_seconds=0)
    shutil.copytree(trained_models, settings.models_dir)
    registry = Registry(settings.models_dir, signing_key=TEST_SIGNING_KEY)
    write_crasher(registry, registry.root / "v1", "crasher")
    switch_champion(registry.root, "crasher", previous="v1", action="promote", forced=True)

    with deployed(settings, world) as d:
        status, body = readiness(d)
        assert status == 200, body
        assert body["status"] == "degraded" and body["model_version"] == "v1"
        assert "'crasher'" in body["reason"] and "SIG" in body["reason"]
        assert recommend(d, profiles[0]) == (200, "v1")

        # predictions that fail make the server not ready at once
        holder = d.server.app.state.holder
        served = holder.current
        holder.current = Recommender(
            two_feature_ranker(), served.pipeline, served.programmes, version="v1"
        )
        try:
            assert recommend(d, profiles[0])[0] >= 500
            status, body = readiness(d)
            assert status == 503 and "probe prediction" in body["detail"]
        finally:
            holder.current = served
        assert readiness(d)[0] == 200

        with d.client("analyst") as client:  # a good promotion ends the degraded state
            promoted = client.post("/v1/models/v2-better/promote")
        assert promoted.status_code == 200, promoted.text
        status, body = readiness(d)
        assert (status, body["status"], body["reason"]) == (200, "ready", None)


def test_nothing_to_fall_back_to_means_not_ready(
    tmp_path: Path, trained_models: Path, world: World
) -> None:
    settings = make_settings(tmp_path)
    registry = Registry(settings.models_dir, signing_key=TEST_SIGNING_KEY)
    write_crasher(registry, trained_models / "v1", "crasher")
    switch_champion(registry.root, "crasher", previous=None, action="promote", forced=True)
    with deployed(settings, world) as d:
        status, body = readiness(d)
        with d.client() as client:
            assert client.get("/healthz").status_code == 200  # the process is up
    assert status == 503 and "crasher" in body["detail"] and "SIG" in body["detail"]


def test_the_registry_refuses_the_crasher_before_the_pointer_moves(
    tmp_path: Path, trained_models: Path
) -> None:
    settings = make_settings(tmp_path)
    shutil.copytree(trained_models, settings.models_dir)
    registry = open_registry(settings)
    write_crasher(registry, registry.root / "v1", "crasher")
    before = registry.history()
    with pytest.raises(ModelIntegrityError, match="trial load"):
        registry.promote("crasher", force=True)
    assert registry.champion() == "v1" and registry.history() == before


def two_feature_ranker() -> Ranker:
    """A real booster with the wrong number of features: every prediction fails."""
    rng = np.random.default_rng(0)
    data = lgb.Dataset(rng.normal(size=(50, 2)), label=rng.normal(size=50))
    booster = lgb.train({"verbose": -1, "num_leaves": 4}, data, num_boost_round=2)
    return Ranker.from_booster(booster, num_threads=1)
