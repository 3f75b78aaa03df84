"""A small world and a model trained on it, shared by the model tests (seeded)."""

from __future__ import annotations

from pathlib import Path

import pytest

from recommender.adapters.artefact import load_recommender
from recommender.adapters.registry import Registry
from recommender.recommend import Recommender
from recommender.simulate import World, simulate_world
from tests.signing import TEST_SIGNING_KEY
from training.local import train_version


@pytest.fixture(scope="session")
def small_world() -> World:
    return simulate_world(n_firms=1500, years=(2022, 2024), seed=11)


@pytest.fixture(scope="session")
def small_registry(small_world: World, tmp_path_factory: pytest.TempPathFactory) -> Registry:
    registry = Registry(Path(tmp_path_factory.mktemp("models")), signing_key=TEST_SIGNING_KEY)
    train_version(
        small_world.dataset,
        registry=registry,
        version="small",
        objective="regression",
        run_evaluation=False,
    )
    return registry


@pytest.fixture(scope="session")
def small_recommender(small_world: World, small_registry: Registry) -> Recommender:
    return load_recommender(small_registry, programmes=small_world.dataset.programmes)
