"""One model version's artefact: its file names, writing them, loading them back.

A version folder (see :mod:`recommender.adapters.versions`) holds::

    model.txt        the LightGBM booster in its native text format
    pipeline.joblib  the fitted feature pipeline (profiler benchmarks)
    report.md        the model report, with report.html and its SHAP plots
    manifest.json    written by the registry: every file's sha256, the metadata

Training writes a version through :func:`write_version`; the API's model holder, the
CLI, batch scoring, tests and benchmarks load one through :func:`load_recommender`.
Every file is read only after the registry verified the whole version (and re-hashed
as it is read), so nothing unverified reaches LightGBM's parser or the unpickler.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

import joblib
import pandas as pd

from recommender.adapters.manifest import MANIFEST
from recommender.adapters.registry import Registry
from recommender.constants import CHAMPION
from recommender.errors import ModelIntegrityError
from recommender.features import FeaturePipeline
from recommender.ranker import Ranker
from recommender.recommend import Recommender

MODEL_FILE: Final[str] = "model.txt"
PIPELINE_FILE: Final[str] = "pipeline.joblib"
REPORT_FILE: Final[str] = "report.md"
REPORT_HTML_FILE: Final[str] = "report.html"
ARTEFACT_FILES: Final[tuple[str, ...]] = (MODEL_FILE, PIPELINE_FILE, MANIFEST)

WriteExtras = Callable[[Path, str], None]
"""Writes further files (the report) into a version folder, given its final name."""


def write_artefact(folder: Path, *, ranker: Ranker, pipeline: FeaturePipeline) -> None:
    """Write the model files of a version into ``folder`` (not yet committed)."""
    (folder / MODEL_FILE).write_text(ranker.to_text(), encoding="utf-8")
    joblib.dump(pipeline, folder / PIPELINE_FILE)


def write_version(
    registry: Registry,
    version: str | None,
    *,
    ranker: Ranker,
    pipeline: FeaturePipeline,
    metadata: dict[str, Any],
    extras: WriteExtras | None = None,
) -> str:
    """Write and commit a whole version; returns its name.

    The files are written into the registry's temporary folder and the version appears
    only once all of them (and ``extras``) are written; any failure leaves no version.

    Parameters
    ----------
    registry, version
        Where, and the name (``None``: a UTC timestamp).
    ranker, pipeline
        The fitted model.
    metadata
        The manifest's metadata (see :func:`training.procedure.version_metadata`).
    extras
        Called with the folder and the version's name to add files (the report).
    """
    pending = registry.create_version(version, metadata=metadata)
    with pending as folder:
        write_artefact(folder, ranker=ranker, pipeline=pipeline)
        if extras is not None:
            extras(folder, pending.version)
    return pending.version


def load_ranker(registry: Registry, version: str, *, num_threads: int = 1) -> Ranker:
    """The ranker of a version, after verifying every file of it."""
    text = registry.read_bytes(version, MODEL_FILE).decode("utf-8")
    return Ranker.from_text(text, num_threads=num_threads)


def load_pipeline(registry: Registry, version: str) -> FeaturePipeline:
    """The fitted feature pipeline of a version, after verifying every file of it."""
    pipeline = joblib.load(io.BytesIO(registry.read_bytes(version, PIPELINE_FILE)))
    if not isinstance(pipeline, FeaturePipeline):
        raise ModelIntegrityError(
            f"model version {version!r}: {PIPELINE_FILE} holds a "
            f"{type(pipeline).__name__}, not a feature pipeline"
        )
    return pipeline


def load_recommender(
    registry: Registry, name: str = CHAMPION, *, programmes: pd.DataFrame, num_threads: int = 1
) -> Recommender:
    """A :class:`Recommender` serving a version (or the champion) over a catalogue.

    Raises
    ------
    ModelNotFoundError
        No such version, or no champion yet.
    ModelIntegrityError
        A file of the version does not match its manifest; nothing was parsed.
    """
    version = registry.resolve(name)
    return Recommender(
        load_ranker(registry, version, num_threads=num_threads),
        load_pipeline(registry, version),
        programmes,
        version=version,
    )
