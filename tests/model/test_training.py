"""The training procedure both engines share: one signature, one set of rules, one
fingerprint of the data."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import batch.dask
import batch.local
import training.dask
import training.local
from recommender import World
from recommender.adapters.artefact import MODEL_FILE, PIPELINE_FILE
from recommender.adapters.registry import Registry
from recommender.errors import DataValidationError
from tests.signing import TEST_SIGNING_KEY
from training.fingerprint import TableDigest, combine, data_fingerprint, fingerprint
from training.rules import MIN_PAIRS, MIN_ROUNDS, early_stopping_rounds, final_rounds, require_pairs

SHARED_TRAINING = (
    "registry",
    "version",
    "objective",
    "seed",
    "max_rounds",
    "run_evaluation",
    "oracle",
    "progress",
    "masking",
)
SHARED_SCORING = ("registry", "out", "model", "year", "explain_top", "progress")


def parameters(func: object, names: tuple[str, ...]) -> list[tuple[str, object, object]]:
    params = inspect.signature(func).parameters  # type: ignore[arg-type]
    return [(n, params[n].kind, params[n].default) for n in names]


@pytest.mark.parametrize(
    ("local", "dask", "shared"),
    [
        (training.local.train_version, training.dask.train_version, SHARED_TRAINING),
        (batch.local.score, batch.dask.score, SHARED_SCORING),
    ],
)
def test_the_engines_are_interchangeable(
    local: object, dask: object, shared: tuple[str, ...]
) -> None:
    assert getattr(local, "__name__") == getattr(dask, "__name__")  # noqa: B009
    assert parameters(local, shared) == parameters(dask, shared)
    first = [next(iter(inspect.signature(f).parameters.values())) for f in (local, dask)]  # type: ignore[arg-type]
    assert [p.name for p in first] == ["data", "data"]
    assert all(p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD for p in first)
    kinds = {
        p.kind
        for f in (local, dask)  # everything after the data is keyword-only
        for p in list(inspect.signature(f).parameters.values())[1:]
    }  # type: ignore[arg-type]
    assert kinds == {inspect.Parameter.KEYWORD_ONLY}


def test_early_stopping_keeps_the_best_round_and_stops_after_patience() -> None:
    assert early_stopping_rounds(np.array([5.0, 4.0, 3.0, 3.5, 2.0]), patience=30) == 5
    curve = np.concatenate([[3.0, 2.0, 1.0], np.full(40, 1.5), [0.1]])
    assert early_stopping_rounds(curve, patience=30) == 3  # stopped before the late dip
    assert early_stopping_rounds(np.array([2.0, 2.0, 2.0]), patience=1) == 1  # ties never improve


def test_the_refit_never_uses_fewer_than_the_minimum_rounds() -> None:
    assert final_rounds(3) == MIN_ROUNDS and final_rounds(57) == 57


def test_too_few_labelled_pairs_are_a_data_problem_naming_the_file() -> None:
    require_pairs(MIN_PAIRS)
    with pytest.raises(DataValidationError, match="outcomes.parquet") as caught:
        require_pairs(MIN_PAIRS - 1, file="outcomes.parquet")
    assert caught.value.problems[0].value == MIN_PAIRS - 1


def test_data_fingerprint_is_stable_and_sensitive_to_every_value() -> None:
    firms = pd.DataFrame(
        {"firm_id": ["f1", "f2"], "year": [2023, 2023], "cap_hr_skills": [3.0, np.nan]}
    )
    programmes = pd.DataFrame({"programme_id": ["p1"], "requires_rnd_lab": [None]}, dtype=object)
    base = data_fingerprint({"firms": firms, "programmes": programmes, "outcomes": None})
    assert re.fullmatch(r"[0-9a-f]{64}", base)
    assert base == data_fingerprint(
        {
            "outcomes": None,
            "programmes": programmes.copy(),
            "firms": firms.set_index("firm_id", drop=False),
        }
    )
    # the rows, not their order: a Dask engine sees them partition by partition
    assert base == data_fingerprint(
        {"firms": firms.iloc[::-1], "programmes": programmes, "outcomes": None}
    )
    changed = firms.copy()
    changed.loc[1, "cap_hr_skills"] = 2.0
    renamed = firms.rename(columns={"cap_hr_skills": "cap_feedback"})
    others = [
        data_fingerprint({"firms": changed, "programmes": programmes, "outcomes": None}),
        data_fingerprint({"firms": renamed, "programmes": programmes, "outcomes": None}),
        data_fingerprint(
            {
                "firms": pd.concat([firms, firms.iloc[[0]]]),
                "programmes": programmes,
                "outcomes": None,
            }
        ),
        data_fingerprint({"firms": firms, "programmes": programmes}),
        data_fingerprint({"firms": firms.iloc[:0], "programmes": programmes, "outcomes": None}),
    ]
    assert len({base, *others}) == 6


def test_digests_of_parts_add_up_to_the_whole() -> None:
    firms = pd.DataFrame({"firm_id": [f"f{i}" for i in range(7)], "employees": range(7)})
    parts = combine({"firms": TableDigest.of(firms.iloc[i::3])} for i in range(3))
    assert parts == {"firms": TableDigest.of(firms)}
    assert fingerprint(parts) == data_fingerprint({"firms": firms})
    with pytest.raises(ValueError, match="different tables"):
        TableDigest.of(firms) + TableDigest.of(firms.rename(columns={"employees": "staff"}))


def test_the_same_data_and_seed_give_byte_identical_version_files(
    small_world: World, tmp_path: Path
) -> None:
    """What makes ``make model`` reproducible: the booster text and the pipeline JSON."""
    registry = Registry(tmp_path / "models", signing_key=TEST_SIGNING_KEY)
    for name in ("a", "b"):
        training.local.train_version(
            small_world.dataset, registry=registry, version=name, run_evaluation=False
        )
    for file in (MODEL_FILE, PIPELINE_FILE):
        assert (tmp_path / "models" / "a" / file).read_bytes() == (
            tmp_path / "models" / "b" / file
        ).read_bytes()
    manifests = [registry.verify(name) for name in ("a", "b")]
    assert manifests[0]["data_fingerprint"] == manifests[1]["data_fingerprint"]
