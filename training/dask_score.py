"""Score (and optionally explain) a large data directory on a Dask cluster.

Each co-partition (a set of firms with all their profiles and outcomes, see
:mod:`training.dask_io`) is checked, scored with :meth:`Recommender.score` -- the code
path of ``recommender score`` -- and written by its own task as one Parquet part file,
so a task holds one partition and its output, never the whole data. The output is a
directory of ``part-NNNNN.parquet`` files with the contract's score columns (plus
``reasons`` for the top ``explain_top`` programmes of each firm row when asked), built
beside the target and moved into place only when every partition succeeded.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import dask
import pandas as pd

from recommender.constants import CHAMPION
from recommender.errors import Problem, RecommenderError
from recommender.recommend import Recommender
from recommender.adapters.registry import Registry
from training.dask_io import Checked, dask_client, open_tables, raise_problems

Progress = Callable[[str], None]
DEFAULT_SCORE_ROWS: Final[int] = 20_000  # firm profiles per scoring partition
REASONS: Final[str] = "reasons"
REASONS_PER_ITEM: Final[int] = 3


@dataclass(frozen=True)
class ScoreRun:
    """What a Dask scoring run wrote."""

    version: str
    out_dir: Path
    firm_rows: int
    rows: int
    partitions: int
    files: int


def reasons_frame(rec: Recommender, firms: pd.DataFrame, outcomes: pd.DataFrame | None, *,
                  k: int) -> pd.DataFrame:
    """The top ``k`` programmes of each firm row with their three leading reasons."""
    rows = []
    for r in rec.recommend_batch(firms, k=k, explain="top", outcomes=outcomes):
        for item in r.items:
            if item.explanation is not None:
                text = " | ".join(c.text for c in item.explanation.contributions[:REASONS_PER_ITEM])
                rows.append((r.firm_id, r.year, item.programme_id, text))
    return pd.DataFrame(rows, columns=["firm_id", "year", "programme_id", REASONS])


def score_partition(checked: Checked, rec: Recommender, *, year: int | None, folder: str,
                    number: int, explain_top: int = 0) -> tuple[list[Problem], int, int, int]:
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
    scored = rec.score(firms, outcomes=ds.outcomes)
    if explain_top > 0:
        why = reasons_frame(rec, firms, ds.outcomes, k=explain_top)
        scored = scored.merge(why, on=["firm_id", "year", "programme_id"], how="left")
    if scored.empty:
        return [], len(firms), 0, 0
    scored.to_parquet(Path(folder) / f"part-{number:05d}.parquet", index=False)
    return [], len(firms), len(scored), 1


def _replace_dir(staging: Path, target: Path) -> None:
    """Move ``staging`` to ``target``, replacing an older output directory."""
    if not target.exists():
        os.replace(staging, target)
        return
    old = target.with_name(f".{target.name}.old-{uuid.uuid4().hex[:8]}")
    os.replace(target, old)
    os.replace(staging, target)
    shutil.rmtree(old, ignore_errors=True)


def score_dask(data_dir: Path, *, registry: Registry, out_dir: Path, model: str = CHAMPION,
               scheduler: str | None = None, n_workers: int = 2, year: int | None = None,
               explain_top: int = 0, partition_rows: int = DEFAULT_SCORE_ROWS,
               progress: Progress | None = None) -> ScoreRun:
    """Score every firm row of ``data_dir`` against its year's programmes, on Dask.

    Parameters
    ----------
    data_dir
        A contract data directory (Parquet or CSV tables; outcomes optional, used as
        participation history).
    registry, model
        Where the model comes from: a version name or ``champion``.
    out_dir
        Directory of Parquet part files to write (replaced when it exists); on a real
        cluster it must be on storage every worker can write.
    scheduler, n_workers
        A scheduler address, or the size of the ``LocalCluster`` to start.
    year
        Only firm rows of this year.
    explain_top
        Also write a ``reasons`` column for the top ``explain_top`` programmes of each
        firm row (0 = scores only, the contract's columns).
    partition_rows
        Firm profiles per partition: what bounds each task's memory.
    """
    say = progress or (lambda _m: None)
    target = Path(out_dir)
    if target.exists() and not target.is_dir():
        raise RecommenderError(f"{target} exists and is not a directory; the Dask engine "
                               "writes a directory of Parquet part files")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.parent / f".{target.name}.tmp-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    try:
        with dask_client(scheduler, n_workers=n_workers) as client:
            workers = len(client.scheduler_info()["workers"])
            tables = open_tables(Path(data_dir), partition_rows=partition_rows,
                                 minimum_partitions=workers)
            rec = Recommender.load(registry, model, programmes=tables.programmes,
                                   num_threads=1)
            say(f"scoring {tables.npartitions} partitions with model {rec.version} on "
                f"{workers} workers")
            shared = client.scatter(rec, broadcast=True, hash=False)
            task = dask.delayed(score_partition, pure=False)
            results = dask.compute(*[task(part, shared, year=year, folder=str(staging),
                                          number=i, explain_top=explain_top)
                                     for i, part in enumerate(tables.parts)])
        raise_problems([r[0] for r in results])
        _replace_dir(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return ScoreRun(rec.version, target, sum(r[1] for r in results),
                    sum(r[2] for r in results), tables.npartitions, sum(r[3] for r in results))
