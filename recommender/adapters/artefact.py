"""One model version's artefact: its file names, writing them, loading them back.

A version folder (see :mod:`recommender.adapters.versions`) holds::

    model.txt        the LightGBM booster in its native text format
    pipeline.json    the fitted feature pipeline as plain JSON (profiler cell sums and
                     benchmarks, :mod:`recommender.adapters.pipeline_file`)
    calibration.json the chance of a measurable result (:mod:`recommender.calibration`),
                     plain JSON; versions trained before it (or by the Dask engine) have
                     none and serve no chance
    report.md        the model report, with report.html and its SHAP plots
    manifest.json    written by the registry: every file's sha256, the metadata

Training writes a version through :func:`write_version`; the API's model holder, the
CLI, batch scoring, tests and benchmarks load one through :func:`load_recommender`.
Every file is read only after the registry verified the whole version (and re-hashed
as it is read), so nothing unverified reaches LightGBM's parser; and nothing of a
version is ever unpickled: the pipeline is data, checked field by field before use.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

import pandas as pd

from recommender.adapters.pipeline_file import dump_pipeline, load_pipeline_bytes
from recommender.adapters.registry import Registry
from recommender.calibration import Calibration
from recommender.constants import CHAMPION
from recommender.errors import ModelIntegrityError, ModelNotFoundError
from recommender.features import FeaturePipeline
from recommender.ranker import Ranker
from recommender.recommend import Recommender

MODEL_FILE: Final[str] = "model.txt"
PIPELINE_FILE: Final[str] = "pipeline.json"
CALIBRATION_FILE: Final[str] = "calibration.json"
PICKLED_PIPELINE_FILE: Final[str] = "pipeline.joblib"  # versions before the JSON format
REPORT_FILE: Final[str] = "report.md"
REPORT_HTML_FILE: Final[str] = "report.html"

WriteExtras = Callable[[Path, str], None]
"""Writes further files (the report) into a version folder, given its final name."""


def write_artefact(
    folder: Path,
    *,
    ranker: Ranker,
    pipeline: FeaturePipeline,
    calibration: Calibration | None = None,
) -> None:
    """Write the model files of a version into ``folder`` (not yet committed)."""
    (folder / MODEL_FILE).write_text(ranker.to_text(), encoding="utf-8")
    (folder / PIPELINE_FILE).write_bytes(dump_pipeline(pipeline))
    if calibration is not None:
        (folder / CALIBRATION_FILE).write_bytes(calibration.to_json())


def write_version(
    registry: Registry,
    version: str | None,
    *,
    ranker: Ranker,
    pipeline: FeaturePipeline,
    metadata: dict[str, Any],
    extras: WriteExtras | None = None,
    calibration: Calibration | None = None,
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
    calibration
        The chance of a measurable result, when training fitted one.
    """
    pending = registry.create_version(version, metadata=metadata)
    with pending as folder:
        write_artefact(folder, ranker=ranker, pipeline=pipeline, calibration=calibration)
        if extras is not None:
            extras(folder, pending.version)
    return pending.version


def load_ranker(registry: Registry, version: str, *, num_threads: int = 1) -> Ranker:
    """The ranker of a version, after verifying every file of it."""
    text = registry.read_bytes(version, MODEL_FILE).decode("utf-8")
    return Ranker.from_text(text, num_threads=num_threads)


def load_pipeline(registry: Registry, version: str) -> FeaturePipeline:
    """The fitted feature pipeline of a version, after verifying every file of it.

    Raises
    ------
    ModelIntegrityError
        The pipeline file is not a valid pipeline document (see
        :func:`~recommender.adapters.pipeline_file.load_pipeline_bytes`), or the version
        only has a pickled pipeline, which is never loaded.
    """
    try:
        data = registry.read_bytes(version, PIPELINE_FILE)
    except ModelNotFoundError:
        if (registry.root / version / PICKLED_PIPELINE_FILE).exists():
            raise ModelIntegrityError(
                f"model version {version!r} stores its pipeline as a pickle "
                f"({PICKLED_PIPELINE_FILE}), which is never loaded: retrain the version"
            ) from None
        raise
    return load_pipeline_bytes(data, where=f"model version {version!r}: {PIPELINE_FILE}")


def load_calibration(registry: Registry, version: str) -> Calibration | None:
    """The calibration of a verified version; None for a version without one.

    Raises
    ------
    ModelIntegrityError
        The file is not a valid calibration document.
    """
    try:
        data = registry.read_bytes(version, CALIBRATION_FILE)
    except ModelNotFoundError:
        return None
    return Calibration.from_json(data, where=f"model version {version!r}: {CALIBRATION_FILE}")


def load_recommender(
    registry: Registry, name: str = CHAMPION, *, programmes: pd.DataFrame, num_threads: int = 1
) -> Recommender:
    """A :class:`Recommender` serving a version (or the champion) over a catalogue.

    Raises
    ------
    ModelNotFoundError
        No such version, or no champion yet.
    ModelIntegrityError
        A file of the version does not match its manifest (nothing was parsed), or its
        pipeline file is not a valid pipeline document.
    """
    version = registry.resolve(name)
    return Recommender(
        load_ranker(registry, version, num_threads=num_threads),
        load_pipeline(registry, version),
        programmes,
        version=version,
        calibration=load_calibration(registry, version),
    )
