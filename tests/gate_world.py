"""A simulated world for the promotion gate and ``evaluate --model``: stored versions
trained on the years before its last, one of them deliberately bad.

``early`` is the shipped procedure trained on every year but the last; ``early-copy``
has the same model files (its value is exactly ``early``'s); ``inverted`` negates every
leaf of ``early``'s trees, so it ranks each firm's programmes in reverse and puts the
one the model likes least first; ``all-years`` is trained on every year, the last
included (judged on the last year it is in-sample).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Final

import pytest

import training.version
from recommender.adapters.artefact import MODEL_FILE, PIPELINE_FILE
from recommender.adapters.registry import Registry
from recommender.contract.canonical import Dataset
from recommender.simulate import World, simulate_world
from tests.signing import TEST_SIGNING_KEY
from training.local import train_version

N_FIRMS: Final[int] = 4000
YEARS: Final[tuple[int, int]] = (2022, 2024)
SEED: Final[int] = 11


def before(ds: Dataset, year: int) -> Dataset:
    """Every table's rows of the years before ``year``."""

    def keep(frame: object) -> object:
        return None if frame is None else frame[frame["year"] < year]  # type: ignore[index]

    return Dataset(
        keep(ds.firms),  # type: ignore[arg-type]
        keep(ds.programmes),  # type: ignore[arg-type]
        keep(ds.outcomes),  # type: ignore[arg-type]
        keep(ds.applications),  # type: ignore[arg-type]
    )


def _negate(match: re.Match[str]) -> str:
    return "leaf_value=" + " ".join(repr(-float(v)) for v in match.group(1).split())


def copy_version(
    registry: Registry,
    source: str,
    name: str,
    *,
    invert: bool = False,
    metadata: dict[str, object] | None = None,
) -> str:
    """``source``'s model files under a new name; ``invert`` negates every leaf value (the
    byte sizes of the trees change, so their index line is dropped: LightGBM then reads
    the trees one after another). The manifest keeps ``source``'s years, parameters,
    features and held-out record, updated by ``metadata``."""
    meta = registry.verify(source)
    keep = {k: meta[k] for k in ("years", "params", "features", "held_out") if k in meta}
    keep.update(metadata or {})
    with registry.create_version(name, metadata=keep) as folder:
        for file in (MODEL_FILE, PIPELINE_FILE):
            shutil.copy(registry.root / source / file, folder / file)
        if invert:
            text = (folder / MODEL_FILE).read_text()
            text = re.sub(r"^tree_sizes=.*\n", "", text, flags=re.M)
            text = re.sub(r"^leaf_value=(.*)$", _negate, text, flags=re.M)
            (folder / MODEL_FILE).write_text(text)
    return name


def gate_world(root: Path) -> tuple[World, Registry]:
    """The world and a registry holding ``early`` (champion), ``early-copy``,
    ``inverted`` and ``all-years``."""
    world = simulate_world(n_firms=N_FIRMS, years=YEARS, seed=SEED)
    registry = Registry(root / "models", signing_key=TEST_SIGNING_KEY)
    with pytest.MonkeyPatch.context() as mp:  # the report's SHAP plots are not under test
        mp.setattr(training.version, "shap_plots", lambda *a, **k: [])
        for name, data in (
            ("early", before(world.dataset, YEARS[1])),
            ("all-years", world.dataset),
        ):
            train_version(
                data,
                registry=registry,
                version=name,
                objective="regression",
                run_evaluation=False,
                num_threads=2,
            )
    copy_version(registry, "early", "early-copy")
    copy_version(registry, "early", "inverted", invert=True)
    if registry.champion() != "early":
        registry.promote("early", force=True)
    return world, registry
