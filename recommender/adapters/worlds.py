"""Demo worlds on disk: a contract data directory plus the simulator's ``oracle.csv``.

:func:`write_world` writes a world simulated in one piece; :func:`write_partitioned_world`
writes a large one chunk by chunk as it is simulated
(:func:`recommender.simulate.chunked.simulate_in_chunks`), as Parquet with one row group
per chunk, never holding the whole world. :func:`read_oracle` reads the oracle back.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from recommender.adapters.atomic import atomic_file, move_into_place, publish_dir, staged_dir
from recommender.adapters.files import FORMATS, write_data_dir
from recommender.errors import RecommenderError
from recommender.simulate import World
from recommender.simulate.chunked import simulate_in_chunks

ORACLE_FILE: Final[str] = "oracle.csv"
TABLE_FILES: Final[dict[str, str]] = {
    "firms": "firms.parquet",
    "programmes": "programmes.parquet",
    "outcomes": "outcomes.parquet",
}

Progress = Callable[[str], None]


def write_world(world: World, out: Path | str, *, fmt: Literal["csv", "parquet"] = "csv") -> None:
    """Write a world as a contract data directory plus ``oracle.csv``.

    Parameters
    ----------
    world : World
    out : Path or str
        The data directory (created when missing).
    fmt : {"csv", "parquet"}
        Format of the contract tables; the oracle is always CSV.
    """
    target = Path(out)
    write_data_dir(world.dataset, target, fmt=fmt)
    with atomic_file(target / ORACLE_FILE) as tmp:
        world.oracle.to_csv(tmp, index=False, encoding="utf-8", lineterminator="\n")


def read_oracle(data: Path | str) -> pd.DataFrame | None:
    """The ``oracle.csv`` of a data directory (ids as text), or ``None`` when it has none."""
    path = Path(data) / ORACLE_FILE
    if not path.exists():
        return None
    return pd.read_csv(path, dtype={"firm_id": str, "programme_id": str})


@dataclass(frozen=True)
class PartitionedWorld:
    """What :func:`write_partitioned_world` wrote."""

    path: Path
    partitions: int
    firm_rows: int
    programmes: int
    outcomes: int
    oracle_rows: int


class _Appender:
    """One Parquet file written a row group at a time, with the first chunk's schema."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.rows = 0
        self._writer: pq.ParquetWriter | None = None

    def append(self, frame: pd.DataFrame) -> None:
        if frame.empty:
            return
        if self._writer is None:
            table = pa.Table.from_pandas(frame, preserve_index=False)
            self._writer = pq.ParquetWriter(self.path, table.schema)
        else:
            table = pa.Table.from_pandas(frame, schema=self._writer.schema, preserve_index=False)
        self._writer.write_table(table, row_group_size=max(1, len(frame)))
        self.rows += len(frame)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()


def write_partitioned_world(
    out: Path | str,
    *,
    n_firms: int,
    partitions: int,
    years: tuple[int, int] = (2022, 2024),
    seed: int = 42,
    progress: Progress | None = None,
) -> PartitionedWorld:
    """Simulate a world chunk by chunk and write it as a Parquet data directory.

    Parameters
    ----------
    out : Path or str
        The data directory; its tables are replaced only when every chunk is written.
    n_firms : int
        Distinct firms over all years.
    partitions : int
        Chunks of firms, simulated one after the other: each becomes one row group of
        ``firms.parquet`` and ``outcomes.parquet``. Peak memory follows the chunk size.
    years, seed
        As for :func:`recommender.simulate_world`; same seed and partitions, same files.
    progress : callable, optional
        Called with a short message per chunk.

    Raises
    ------
    RecommenderError
        When the sizes or years make no sense, or ``out`` is a file.
    """
    chunked = simulate_in_chunks(
        n_firms=n_firms, partitions=partitions, years=years, seed=seed, progress=progress
    )
    target = Path(out)
    if target.exists() and not target.is_dir():
        raise RecommenderError(f"{target} exists and is not a directory")
    with staged_dir(target) as staging:
        chunked.programmes.to_parquet(staging / TABLE_FILES["programmes"], index=False)
        firms = _Appender(staging / TABLE_FILES["firms"])
        outcomes = _Appender(staging / TABLE_FILES["outcomes"])
        oracle_rows = 0
        for i, world in enumerate(chunked.chunks):
            firms.append(world.dataset.firms)
            if world.dataset.outcomes is not None:
                outcomes.append(world.dataset.outcomes)
            world.oracle.to_csv(
                staging / ORACLE_FILE,
                mode="a",
                header=i == 0,
                index=False,
                encoding="utf-8",
                lineterminator="\n",
            )
            oracle_rows += len(world.oracle)
        firms.close()
        outcomes.close()
        _publish(staging, target)
    return PartitionedWorld(
        target, partitions, firms.rows, len(chunked.programmes), outcomes.rows, oracle_rows
    )


def _publish(staging: Path, target: Path) -> None:
    """The staged tables replace the target's (and any of them in another format)."""
    if not target.exists():
        publish_dir(staging, target)
        return
    for name, file in TABLE_FILES.items():
        for fmt in FORMATS:
            old = target / f"{name}.{fmt}"
            if old.is_dir() and not old.is_symlink():
                shutil.rmtree(old)
            else:
                old.unlink(missing_ok=True)
        if (staging / file).exists():
            move_into_place(staging / file, target / file)
    move_into_place(staging / ORACLE_FILE, target / ORACLE_FILE)
