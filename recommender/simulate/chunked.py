"""Large demo worlds, simulated and written chunk by chunk as partitioned Parquet.

:func:`write_partitioned_world` never holds the whole world: the firms are split into
``partitions`` independent chunks, each drawn and run through the causal model
(:func:`~recommender.simulate.world.run_years`) with its own seed derived from the
world's, and appended to ``firms.parquet`` and ``outcomes.parquet`` as one row group
per chunk; the oracle is appended to ``oracle.csv``. Every chunk shares one catalogue,
drawn once for the whole population; each chunk competes for its share of each
programme's places (capacity scaled by the chunk's share of the firms), so
oversubscription is as strong as in a world simulated in one piece. Peer references
of the causal model are taken within a chunk, which for chunks of thousands of firms
is the same population statistic.

The files are ordinary contract tables: ``read_data_dir`` reads them whole, and Dask
reads one partition per row group (``training.dask_io``). A partitioned world is a
world of the same causal model but not byte-identical to ``simulate_world`` with the
same seed (the random streams are split differently).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from recommender.adapters.files import FORMATS, canonical_programmes
from recommender.errors import RecommenderError
from recommender.simulate.catalogue import HIDDEN, catalogue
from recommender.simulate.firms import new_population
from recommender.simulate.world import ORACLE_FILE, _check, run_years

Progress = Callable[[str], None]
TABLE_FILES: Final[dict[str, str]] = {"firms": "firms.parquet", "programmes": "programmes.parquet",
                                      "outcomes": "outcomes.parquet"}


@dataclass(frozen=True)
class PartitionedWorld:
    """What :func:`write_partitioned_world` wrote."""

    path: Path
    partitions: int
    firm_rows: int
    programmes: int
    outcomes: int
    oracle_rows: int


def chunk_sizes(n_firms: int, partitions: int) -> list[int]:
    """Firms per chunk: ``partitions`` chunks differing by at most one firm."""
    if isinstance(partitions, bool) or not isinstance(partitions, int | np.integer) \
            or not 1 <= partitions <= n_firms:
        raise RecommenderError(f"partitions must be a whole number from 1 to the number of "
                               f"firms ({n_firms}), not {partitions!r}")
    base, extra = divmod(n_firms, partitions)
    return [base + (i < extra) for i in range(partitions)]


def scaled_capacity(offers: pd.DataFrame, share: float) -> pd.DataFrame:
    """The catalogue with each offering's true places scaled to a chunk's share of firms
    (at least one place); the published columns are unchanged."""
    places = np.maximum(1, np.rint(offers["true_capacity"].to_numpy(float) * share))
    return offers.assign(true_capacity=places.astype(np.int64))


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


def write_partitioned_world(out: Path | str, *, n_firms: int, partitions: int,
                            years: tuple[int, int] = (2022, 2024), seed: int = 42,
                            progress: Progress | None = None) -> PartitionedWorld:
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
        As for :func:`~recommender.simulate.world.simulate_world`; same seed and
        partitions, same files.
    progress : callable, optional
        Called with a short message per chunk.

    Raises
    ------
    RecommenderError
        When the sizes or years make no sense, or ``out`` is a file.
    """
    first, last = _check(n_firms, years)
    sizes = chunk_sizes(n_firms, partitions)
    say = progress or (lambda _message: None)
    target = Path(out)
    if target.exists() and not target.is_dir():
        raise RecommenderError(f"{target} exists and is not a directory")
    span = range(first, last + 1)
    cat_seed, chunk_root = np.random.SeedSequence(seed).spawn(2)
    offers = catalogue(np.random.default_rng(cat_seed), years=span, n_firms=n_firms)
    programmes = canonical_programmes(offers.drop(columns=list(HIDDEN)))
    width = max(6, len(str(n_firms)))
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        programmes.to_parquet(staging / TABLE_FILES["programmes"], index=False)
        firms = _Appender(staging / TABLE_FILES["firms"])
        outcomes = _Appender(staging / TABLE_FILES["outcomes"])
        oracle_rows, start = 0, 0
        for i, (size, chunk_seed) in enumerate(zip(sizes, chunk_root.spawn(partitions),
                                                   strict=True)):
            say(f"simulating chunk {i + 1} of {partitions} ({size} firms)")
            pop_seed, year_seed = chunk_seed.spawn(2)
            pop = new_population(np.random.default_rng(pop_seed), n_firms=size,
                                 first_year=first, last_year=last)
            ids = np.array([f"F{j:0{width}d}" for j in range(start + 1, start + size + 1)],
                           dtype=object)
            world = run_years(replace(pop, firm_id=ids), scaled_capacity(offers, size / n_firms),
                              span=span, year_seed=year_seed)
            firms.append(world.dataset.firms)
            if world.dataset.outcomes is not None:
                outcomes.append(world.dataset.outcomes)
            world.oracle.to_csv(staging / ORACLE_FILE, mode="a", header=i == 0, index=False,
                                encoding="utf-8", lineterminator="\n")
            oracle_rows += len(world.oracle)
            start += size
        firms.close()
        outcomes.close()
        _move_into_place(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return PartitionedWorld(target, partitions, firms.rows, len(programmes), outcomes.rows,
                            oracle_rows)


def _move_into_place(staging: Path, target: Path) -> None:
    """The staged tables replace the target's (and any of them in another format)."""
    if not target.exists():
        staging.chmod(0o755)
        os.replace(staging, target)
        return
    for name, file in TABLE_FILES.items():
        for fmt in FORMATS:
            old = target / f"{name}.{fmt}"
            if old.is_dir() and not old.is_symlink():
                shutil.rmtree(old)
            else:
                old.unlink(missing_ok=True)
        if (staging / file).exists():
            os.replace(staging / file, target / file)
    os.replace(staging / ORACLE_FILE, target / ORACLE_FILE)
