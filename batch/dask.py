"""The Dask scoring engine: a large data directory, partition by partition, on a cluster.

:func:`score` takes the arguments of :func:`batch.local.score`. Each co-partition (a set
of firms with all their profiles and outcomes, see :mod:`recommender.adapters.partitioned`)
is checked, scored with :meth:`~recommender.recommend.Recommender.score` -- the code
path of the local engine -- and written by its own task as one Parquet part file, so a
task holds one partition and its output, never the whole data. The output is a
directory of ``part-NNNNN.parquet`` files, built beside the target and published only
when every partition succeeded (:func:`recommender.adapters.atomic.publish_dir`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import dask
import pandas as pd

from batch.output import ScoreRun, scored_frame
from recommender import FeaturePipeline, Problem, Ranker, Recommender, RecommenderError
from recommender.adapters.artefact import load_recommender
from recommender.adapters.atomic import publish_dir, staged_dir
from recommender.adapters.partitioned import Checked, dask_client, open_tables, raise_problems
from recommender.adapters.registry import Registry
from recommender.constants import CHAMPION

Progress = Callable[[str], None]
ENGINE: Final[str] = "dask"
DEFAULT_SCORE_ROWS: Final[int] = 20_000  # firm profiles per scoring partition


@dataclass(frozen=True)
class ShippedModel:
    """What a worker needs to rebuild the served model: plain, picklable parts.

    The client loads (and verifies) the version once; the workers rebuild the
    :class:`Recommender` from its model text, fitted pipeline and catalogue instead of
    receiving the client's object, whose caches are per process.
    """

    text: str
    pipeline: FeaturePipeline
    programmes: pd.DataFrame
    version: str

    @classmethod
    def of(cls, rec: Recommender) -> ShippedModel:
        return cls(rec.ranker.to_text(), rec.pipeline, rec.programmes, rec.version)

    def recommender(self) -> Recommender:
        ranker = Ranker.from_text(self.text, num_threads=1)
        return Recommender(ranker, self.pipeline, self.programmes, version=self.version)


def score_partition(
    checked: Checked,
    model: ShippedModel,
    *,
    year: int | None,
    folder: str,
    number: int,
    explain_top: int = 0,
) -> tuple[list[Problem], int, int, int]:
    """Score one co-partition and write it as ``folder/part-<number>.parquet``.

    Returns ``(problems, firm rows, score rows, files written)``; nothing is written
    for a partition with problems or without firm rows.
    """
    if checked.dataset is None:
        return checked.problems, 0, 0, 0
    ds = checked.dataset
    firms = ds.firms if year is None else ds.firms[ds.firms["year"] == year]
    if firms.empty:
        return [], 0, 0, 0
    scored = scored_frame(model.recommender(), firms, ds.outcomes, explain_top=explain_top)
    if scored.empty:
        return [], len(firms), 0, 0
    scored.to_parquet(Path(folder) / f"part-{number:05d}.parquet", index=False)
    return [], len(firms), len(scored), 1


def score(
    data: Path,
    *,
    registry: Registry,
    out: Path,
    model: str = CHAMPION,
    year: int | None = None,
    explain_top: int = 0,
    progress: Progress | None = None,
    scheduler: str | None = None,
    n_workers: int = 2,
    partition_rows: int = DEFAULT_SCORE_ROWS,
) -> ScoreRun:
    """Score every firm row of ``data`` against its year's programmes, on Dask.

    Parameters
    ----------
    data, registry, model, year, explain_top
        As in :func:`batch.local.score`.
    out
        Directory of Parquet part files to write (replaced when it exists); on a real
        cluster it must be on storage every worker can write.
    scheduler, n_workers
        A scheduler address, or the size of the ``LocalCluster`` to start.
    partition_rows
        Firm profiles per partition: what bounds each task's memory.

    Raises
    ------
    RecommenderError
        ``out`` is an existing file.
    DataValidationError
        Every problem of every partition; the old output stays as it was.
    """
    say = progress or (lambda _m: None)
    target = Path(out)
    if target.exists() and not target.is_dir():
        raise RecommenderError(
            f"{target} exists and is not a directory; the Dask engine "
            "writes a directory of Parquet part files"
        )
    with staged_dir(target) as staging:
        with dask_client(scheduler, n_workers=n_workers) as client:
            workers = len(client.scheduler_info()["workers"])
            tables = open_tables(
                Path(data), partition_rows=partition_rows, minimum_partitions=workers
            )
            rec = load_recommender(registry, model, programmes=tables.programmes, num_threads=1)
            say(
                f"scoring {tables.npartitions} partitions with model {rec.version} on "
                f"{workers} workers"
            )
            shared = client.scatter(ShippedModel.of(rec), broadcast=True, hash=False)
            task = dask.delayed(score_partition, pure=False)
            results = dask.compute(
                *[
                    task(
                        part,
                        shared,
                        year=year,
                        folder=str(staging),
                        number=i,
                        explain_top=explain_top,
                    )
                    for i, part in enumerate(tables.parts)
                ]
            )
        raise_problems([r[0] for r in results])
        publish_dir(staging, target)
    return ScoreRun(
        rec.version,
        target,
        sum(r[1] for r in results),
        sum(r[2] for r in results),
        tables.npartitions,
        sum(r[3] for r in results),
    )
