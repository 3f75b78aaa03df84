"""The single-machine engine: evaluate, fit on everything, write a version.

:func:`train_version` and :func:`training.dask.train_version` take the same arguments
and follow the same procedure (:mod:`training.rules`, :mod:`training.version`); this
engine holds the data in memory as pandas frames, can compare every objective
(``objective="auto"``) and evaluates the procedure against the baselines first.

The version folder is written by the registry in a temporary folder and renamed into
place only when every file is written: a failed or interrupted training leaves no half
version behind and the champion unchanged.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from recommender import DataValidationError, FeaturePipeline, Problem
from recommender.adapters.files import read_data_dir
from recommender.adapters.registry import Registry
from recommender.contract.canonical import Dataset
from recommender.features import ProgrammeTable
from training.calibrate import fit_calibration
from training.evaluate import Evaluation, evaluate
from training.fingerprint import data_fingerprint
from training.fit import fit_ranker
from training.held_out import held_out_record, hold_out_last_year
from training.masking import SHIPPED_MASKING, Masking
from training.pairs import labelled_pairs, prepared_firms
from training.rules import DEFAULT_OBJECTIVE, MAX_ROUNDS, Progress, quiet
from training.version import FEATURES, publish_version, version_metadata

ENGINE = "local"


def train_version(
    data: Path | Dataset,
    *,
    registry: Registry,
    version: str | None = None,
    objective: str = DEFAULT_OBJECTIVE,
    seed: int = 42,
    max_rounds: int = MAX_ROUNDS,
    run_evaluation: bool = True,
    oracle: pd.DataFrame | None = None,
    progress: Progress | None = None,
    num_threads: int = 2,
    masking: Masking | None = SHIPPED_MASKING,
    hold_out: bool = False,
) -> str:
    """Train on a data directory (or a dataset in memory) and write a new version.

    Parameters
    ----------
    data
        A contract data directory with outcomes, or a :class:`Dataset` already read.
    registry, version
        Where to write, and the version's name (default: a UTC timestamp). The first
        version of an empty registry becomes the champion; later ones wait for an
        analyst's promotion.
    objective
        One of :data:`recommender.ranker.OBJECTIVES`, or ``"auto"`` to choose by
        validation.
    seed, max_rounds
        Seed of every random choice; upper bound on boosting rounds.
    run_evaluation
        Evaluate the procedure against the baselines first (needs two years or more);
        its objective choice on the time split is the one trained.
    oracle
        The simulator's expected outcomes, for the oracle metrics of the evaluation.
    num_threads
        LightGBM threads.
    masking
        Programme attributes hidden from training pairs at real-catalogue rates
        (:mod:`training.masking`; ``None`` for full descriptions only), in the
        evaluation and in the final fit alike; recorded in the manifest.
    hold_out
        Fit on every year but the last and record that year, the data directory and its
        fingerprint (``held_out`` in the manifest): the promotion gate's last source of
        data (:mod:`training.held_out`).

    Returns
    -------
    str
        The name of the new version.
    """
    say = quiet(progress)
    ds = data if isinstance(data, Dataset) else read_data_dir(data, require_outcomes=True)
    if ds.outcomes is None or ds.outcomes.empty:
        raise DataValidationError(
            [
                Problem(
                    "outcomes",
                    None,
                    None,
                    None,
                    "an outcomes file with at least one row to train on",
                )
            ]
        )
    extra: dict[str, object] = {}
    if hold_out:
        fitted, held_year = hold_out_last_year(ds)
        extra = held_out_record(held_year, None if isinstance(data, Dataset) else data, ds)
        ds, oracle = fitted, None  # the oracle is of the held-out year
    evaluation: Evaluation | None = None
    if run_evaluation and ds.firms["year"].nunique() >= 2:
        evaluation = evaluate(
            ds,
            oracle=oracle,
            objective=objective,
            seed=seed,
            num_threads=num_threads,
            masking=masking,
            progress=say,
        )
        objective = evaluation.chosen_objective
    say("fitting the final model on all the data")
    firms = prepared_firms(ds)
    pipeline = FeaturePipeline().fit(ds.firms)
    pairs = labelled_pairs(ds, pipeline, firms, ProgrammeTable(ds.programmes), masking)
    fit = fit_ranker(
        pairs,
        objective=objective,
        seed=seed,
        num_threads=num_threads,
        max_rounds=max_rounds,
        progress=say,
    )
    trees = fit.ranker.booster.num_trees()
    say("calibrating the chance of a measurable result on the held-out rows")
    calibration = (
        None
        if fit.held_out is None
        else fit_calibration(fit.held_out["score"].to_numpy(), fit.held_out, seed=seed)
    )
    metadata = version_metadata(
        engine=ENGINE,
        objective=fit.objective,
        params=fit.ranker.training_params(FEATURES),
        rounds=trees,
        seed=seed,
        validation_score=fit.validation_score,
        objective_scores=fit.objective_scores,
        data_fingerprint=data_fingerprint(
            {"firms": ds.firms, "programmes": ds.programmes, "outcomes": ds.outcomes}
        ),
        training_rows=len(pairs.meta),
        years=ds.firms["year"].unique().tolist(),
        evaluation=evaluation,
        extra={
            **extra,
            **({} if calibration is None else {"calibration": calibration.metadata()}),
        },
        masking=masking,
    )
    summary: dict[str, object] = {
        "engine": ENGINE,
        "objective": fit.objective,
        "trees": trees,
        "training pairs": len(pairs.meta),
        "firm profiles": len(ds.firms),
        "programmes": len(ds.programmes),
        "validation peer NDCG@3": round(fit.validation_score, 4),
    }
    return publish_version(
        registry,
        version,
        ranker=fit.ranker,
        pipeline=pipeline,
        metadata=metadata,
        summary=summary,
        shap_rows=pairs.X,
        evaluation=evaluation,
        seed=seed,
        progress=say,
        calibration=calibration,
    )
