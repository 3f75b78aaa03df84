"""The trial load in a child process: a good version passes, a bad one is refused with
why (an error in the child, a crash, a timeout), and a pass is remembered."""

from __future__ import annotations

import shutil

import lightgbm as lgb
import numpy as np
import pytest

from recommender.adapters.artefact import MODEL_FILE, PIPELINE_FILE
from recommender.adapters.registry import Registry
from recommender.adapters.trial import TrialLoader, run_trial
from recommender.constants import DEMO_MODEL_VERSION
from recommender.errors import ModelIntegrityError
from tests.signing import shipped_registry


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Registry:
    return shipped_registry(tmp_path_factory.mktemp("trial"))


def with_model(registry: Registry, name: str, model_text: bytes) -> str:
    """A signed version with the demo pipeline and ``model_text`` as its booster."""
    if not (registry.root / name).exists():
        with registry.create_version(name, metadata={}) as folder:
            shutil.copy(registry.root / DEMO_MODEL_VERSION / PIPELINE_FILE, folder)
            (folder / MODEL_FILE).write_bytes(model_text)
    return name


def test_a_good_version_passes_and_the_pass_is_remembered(registry: Registry) -> None:
    assert run_trial(registry, DEMO_MODEL_VERSION, timeout=120) > 0
    loader = TrialLoader(timeout=120)
    loader(registry, DEMO_MODEL_VERSION)
    loader.timeout = 1e-6  # a second child could not answer this fast: the pass is reused
    loader(registry, DEMO_MODEL_VERSION)


def test_a_model_that_does_not_fit_its_pipeline_is_refused_with_why(registry: Registry) -> None:
    rng = np.random.default_rng(0)
    data = lgb.Dataset(rng.normal(size=(50, 2)), label=rng.normal(size=50))
    booster = lgb.train({"verbose": -1, "num_leaves": 4}, data, num_boost_round=2)
    name = with_model(registry, "two-features", booster.model_to_string().encode())
    with pytest.raises(ModelIntegrityError, match="self-check: the model has 2 features"):
        run_trial(registry, name, timeout=120)


def test_a_model_that_aborts_lightgbm_kills_only_the_child(registry: Registry) -> None:
    text = (registry.root / DEMO_MODEL_VERSION / MODEL_FILE).read_bytes()
    name = with_model(registry, "cut-in-half", text[: len(text) // 2])
    with pytest.raises(ModelIntegrityError, match=r"'cut-in-half'.*child died of SIG\w+"):
        run_trial(registry, name, timeout=120)


def test_a_child_that_does_not_answer_in_time_is_killed_and_refused(registry: Registry) -> None:
    with pytest.raises(ModelIntegrityError, match=r"no answer within 0\.05 s"):
        run_trial(registry, DEMO_MODEL_VERSION, timeout=0.05)
