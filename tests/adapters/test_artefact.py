"""A version's artefact: written whole, loaded back exactly, and never unpickled.

The feature pipeline is stored as plain JSON; a file that is not a pipeline document
(a pickle, broken JSON, wrong shapes or types, sums out of range, benchmarks that do
not follow from the sums) is refused before anything is scored with it, even when the
manifest's hashes vouch for its bytes.
"""

from __future__ import annotations

import json
import pathlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
import pytest

from recommender import FeaturePipeline, Ranker, World, simulate_world
from recommender.adapters.artefact import (
    MODEL_FILE,
    PICKLED_PIPELINE_FILE,
    PIPELINE_FILE,
    load_pipeline,
    load_recommender,
    write_version,
)
from recommender.adapters.registry import Registry
from recommender.errors import ModelIntegrityError, NotFittedError
from recommender.features import PAIR_FEATURES, ProgrammeTable

Document = dict[str, Any]


class Boom:
    """Unpickling this creates a marker file: stands for code run by a pickle."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (pathlib.Path.touch, (self.marker,))


@pytest.fixture(scope="module")
def world() -> World:
    return simulate_world(n_firms=300, years=(2023, 2024), seed=5)


@pytest.fixture(scope="module")
def fitted(world: World) -> tuple[Ranker, FeaturePipeline]:
    pipeline = FeaturePipeline().fit(world.dataset.firms)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, len(PAIR_FEATURES)))
    ranker = Ranker(max_rounds=5).fit(
        X, rng.integers(0, 4, 300).astype(float), feature_names=PAIR_FEATURES
    )
    return ranker, pipeline


@pytest.fixture
def registry(tmp_path: Path) -> Registry:
    return Registry(tmp_path / "models", signing_key="k")


def written(registry: Registry, fitted: tuple[Ranker, FeaturePipeline], name: str = "v1") -> str:
    ranker, pipeline = fitted
    return write_version(
        registry,
        name,
        ranker=ranker,
        pipeline=pipeline,
        metadata={"metrics": {"validation_score": 0.5}},
    )


def test_a_version_loads_back_exactly(
    registry: Registry, world: World, fitted: tuple[Ranker, FeaturePipeline]
) -> None:
    ranker, pipeline = fitted
    assert written(registry, fitted) == "v1"
    assert set(registry.verify("v1")["files"]) == {MODEL_FILE, PIPELINE_FILE}
    document = json.loads((registry.root / "v1" / PIPELINE_FILE).read_text(encoding="utf-8"))
    assert document["format"] == "sme-recommender/feature-pipeline"
    loaded = load_pipeline(registry, "v1").profiler
    for name in ("benchmarks_", "population_mean_", "cell_counts_", "cell_sums_", "cell_answered_"):
        np.testing.assert_array_equal(getattr(loaded, name), getattr(pipeline.profiler, name))
    assert loaded.prior_weight == pipeline.profiler.prior_weight
    assert list(loaded.feature_names_in_) == list(pipeline.profiler.feature_names_in_)

    ds = world.dataset
    rec = load_recommender(registry, "v1", programmes=ds.programmes)
    firms = ds.firms.iloc[:40].reset_index(drop=True)
    table = ProgrammeTable(ds.programmes)
    rows, progs = np.repeat(np.arange(40), 3), np.tile(np.arange(3), 40)
    X = pipeline.matrix(firms, table, rows, progs)
    np.testing.assert_array_equal(rec.pipeline.matrix(firms, table, rows, progs), X)
    np.testing.assert_array_equal(rec.ranker.predict(X), ranker.predict(X))
    assert rec.version == "v1"


def test_an_unfitted_pipeline_is_not_written(
    registry: Registry, fitted: tuple[Ranker, FeaturePipeline]
) -> None:
    with pytest.raises(NotFittedError):
        write_version(registry, "v1", ranker=fitted[0], pipeline=FeaturePipeline(), metadata={})
    assert registry.versions() == []


def edit(change: Callable[[Document], None]) -> Callable[[bytes], bytes]:
    def apply(source: bytes) -> bytes:
        document = json.loads(source)
        change(document)
        return json.dumps(document).encode()

    return apply


def profiler_field(key: str, value: Any) -> Callable[[Document], None]:
    return lambda d: d["profiler"].__setitem__(key, value)


FORGERIES: dict[str, tuple[Callable[[bytes], bytes], str]] = {
    "not json": (lambda _: b"{not json", "not JSON"),
    "not utf-8": (lambda _: b"\xff\xfe{}", "not JSON"),
    "a list": (lambda _: b"[1, 2, 3]", "not a JSON object"),
    "another format": (edit(lambda d: d.__setitem__("format", "pickle")), "is not a"),
    "a newer version": (edit(lambda d: d.__setitem__("format_version", 2)), "is not a"),
    "other features": (edit(lambda d: d["feature_names"].reverse()), "feature_names"),
    "other sectors": (edit(lambda d: d["profiler"]["sectors"].pop()), "sectors"),
    "no profiler": (edit(lambda d: d.pop("profiler")), "no profiler"),
    "zero prior weight": (edit(profiler_field("prior_weight", 0)), "prior_weight"),
    "a text prior weight": (edit(profiler_field("prior_weight", "20")), "prior_weight"),
    "a short row": (edit(lambda d: d["profiler"]["cell_counts"][0].pop()), "cell_counts"),
    "a text number": (
        edit(lambda d: d["profiler"]["population_mean"].__setitem__(0, "3")),
        "population_mean",
    ),
    "a boolean": (
        edit(lambda d: d["profiler"]["population_mean"].__setitem__(0, True)),
        "population_mean",
    ),
    "a null": (
        edit(lambda d: d["profiler"]["benchmarks"][0][0].__setitem__(0, None)),
        "benchmarks",
    ),
    "negative counts": (
        edit(lambda d: d["profiler"]["cell_counts"][0].__setitem__(0, -1)),
        "counts out of range",
    ),
    "ratings above 5": (
        edit(
            lambda d: d["profiler"]["cell_sums"][0][0].__setitem__(
                0, 6 * d["profiler"]["cell_answered"][0][0][0] + 1
            )
        ),
        "cell sums outside",
    ),
    "a moved benchmark": (
        edit(
            lambda d: d["profiler"]["benchmarks"][0][0].__setitem__(
                0, d["profiler"]["benchmarks"][0][0][0] + 0.01
            )
        ),
        "do not follow from its cell sums",
    ),
}


@pytest.mark.parametrize("forgery", list(FORGERIES))
def test_a_forged_pipeline_with_valid_hashes_is_refused(
    registry: Registry, fitted: tuple[Ranker, FeaturePipeline], forgery: str
) -> None:
    forge, why = FORGERIES[forgery]
    written(registry, fitted, "good")
    source = (registry.root / "good" / PIPELINE_FILE).read_bytes()
    with registry.create_version("forged", metadata={}) as folder:
        (folder / MODEL_FILE).write_bytes((registry.root / "good" / MODEL_FILE).read_bytes())
        (folder / PIPELINE_FILE).write_bytes(forge(source))
    assert registry.verify("forged")["version"] == "forged"  # the manifest vouches for it
    with pytest.raises(ModelIntegrityError, match=f"'forged': {PIPELINE_FILE} .*{why}"):
        load_pipeline(registry, "forged")


def test_a_pickle_is_never_unpickled(
    registry: Registry, tmp_path: Path, fitted: tuple[Ranker, FeaturePipeline]
) -> None:
    marker = tmp_path / "pwned"
    written(registry, fitted, "good")
    model = (registry.root / "good" / MODEL_FILE).read_bytes()
    with registry.create_version("as-json", metadata={}) as folder:  # under the JSON name
        (folder / MODEL_FILE).write_bytes(model)
        joblib.dump(Boom(marker), folder / PIPELINE_FILE)
    with registry.create_version("old-style", metadata={}) as folder:  # a pickled pipeline
        (folder / MODEL_FILE).write_bytes(model)
        joblib.dump(Boom(marker), folder / PICKLED_PIPELINE_FILE)
    programmes = pd.DataFrame()
    with pytest.raises(ModelIntegrityError, match="not JSON"):
        load_recommender(registry, "as-json", programmes=programmes)
    with pytest.raises(ModelIntegrityError, match="as a pickle .* never loaded"):
        load_recommender(registry, "old-style", programmes=programmes)
    assert not marker.exists()
    joblib.load(registry.root / "old-style" / PICKLED_PIPELINE_FILE)  # the payload is live
    assert marker.exists()
