"""Data directories as Dask collections, co-partitioned by firm, validated partition-wise.

Used by both Dask engines: training (:mod:`training.dask`) and batch scoring
(:mod:`batch.dask`).

A firm's participation history is in ``outcomes`` and its profiles in ``firms``; both
tables are hash-partitioned on ``firm_id`` into the same ``n`` partitions (a Dask
shuffle with fixed divisions), so partition ``i`` of the one holds every row of the
firms in partition ``i`` of the other. Each partition is then a small, complete
dataset: checked with the contract's own rules (:func:`recommender.contract.tables.check_tables`,
keys and references included, since a firm never spans partitions), canonicalised,
and handed to the same pandas code the single-machine path runs.

Problems are returned as data, not raised on the workers, and reported together with
their original row numbers (the line as counted in the file, like ``read_data_dir``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import dask
import dask.dataframe as dd
import pandas as pd
from dask.delayed import Delayed
from distributed import Client, LocalCluster

from recommender.adapters.copartition import ROW, co_partition, partition_count, partition_lengths
from recommender.adapters.files import FORMATS
from recommender.contract.canonical import (
    Dataset,
    canonical_firms,
    canonical_outcomes,
    canonical_programmes,
)
from recommender.contract.fields import FIRM_COLUMNS, V1_TABLES
from recommender.contract.raw import RawTable
from recommender.contract.tables import check_tables
from recommender.errors import DataValidationError, Problem

DEFAULT_PARTITION_ROWS: Final[int] = 50_000  # firm profiles per co-partition
FIRST_ROW: Final[int] = 2  # line of the first data row, as read_data_dir counts


@contextmanager
def dask_client(
    scheduler: str | None = None, *, n_workers: int = 2, memory_limit: str | float | None = "auto"
) -> Iterator[Client]:
    """A client of ``scheduler`` (``tcp://host:8786``) or of a new local cluster.

    The local cluster runs ``n_workers`` processes of one thread each and is shut down
    when the block ends; an existing scheduler is only disconnected from.
    """
    if scheduler:
        with Client(scheduler) as client:
            yield client
        return
    with (
        LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            memory_limit=memory_limit,
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


# --- reading --------------------------------------------------------------------------
def table_path(root: Path, name: str, *, required: bool) -> Path | None:
    """``root/name.parquet`` (a file or a directory of part files) or ``root/name.csv``.

    Raises
    ------
    DataValidationError
        Both formats present, or a required table missing.
    """
    found = [root / f"{name}.{fmt}" for fmt in FORMATS if (root / f"{name}.{fmt}").exists()]
    if len(found) > 1:
        raise DataValidationError(
            [
                Problem(
                    f"{name}.csv",
                    None,
                    None,
                    None,
                    f"only one of {name}.csv and {name}.parquet; both are present",
                )
            ]
        )
    if not found:
        if required:
            raise DataValidationError(
                [
                    Problem(
                        f"{name}.csv",
                        None,
                        None,
                        None,
                        f"a file {name}.csv or {name}.parquet in {root}",
                    )
                ]
            )
        return None
    return found[0]


def read_table(path: Path) -> dd.DataFrame:
    """A table as a Dask DataFrame of raw cells: Parquet one partition per row group,
    CSV as strings in blocks of 64 MB."""
    if path.suffix == ".parquet":
        return dd.read_parquet(str(path), split_row_groups=True)
    return dd.read_csv(
        str(path), dtype=str, keep_default_na=False, blocksize="64MB", encoding="utf-8-sig"
    )


def read_small_table(path: Path) -> pd.DataFrame:
    """A small table (the programme catalogue) read whole with pandas, raw cells."""
    if path.suffix == ".parquet":
        return pd.read_parquet(path).reset_index(drop=True)
    return pd.read_csv(
        path, dtype=str, keep_default_na=False, encoding="utf-8-sig", index_col=False
    )


def programmes_of(data_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The catalogue raw (for the partition checks) and canonical, checked on its own.

    Raises
    ------
    DataValidationError
        Every problem of the programmes file.
    """
    path = table_path(data_dir, "programmes", required=True)
    assert path is not None
    raw = read_small_table(path)
    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in FIRM_COLUMNS})
    parsed, problems = check_tables(
        {
            "firms": RawTable.numbered(empty, "firms"),
            "programmes": RawTable.numbered(raw, path.name),
        }
    )
    if problems:
        raise DataValidationError(problems)
    return raw, canonical_programmes(parsed["programmes"])


# --- one partition ------------------------------------------------------------------
@dataclass
class Checked:
    """One co-partition after the contract checks: canonical frames or the problems."""

    dataset: Dataset | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def valid(self) -> Dataset:
        """The canonical frames; only for a partition that passed its checks."""
        assert self.dataset is not None, "partition failed its checks"
        return self.dataset


def _raw(part: pd.DataFrame, file: str) -> RawTable:
    part = part.sort_values(ROW).reset_index(drop=True)
    return RawTable(part.drop(columns=[ROW]), file, part[ROW].to_numpy() + FIRST_ROW)


def check_partition(
    firms: pd.DataFrame,
    outcomes: pd.DataFrame | None,
    programmes: pd.DataFrame,
    *,
    files: dict[str, str],
) -> Checked:
    """Check and canonicalise one co-partition with the contract's rules.

    Rows are put back in file order; problems about the catalogue are left to
    :func:`programmes_of` (it is checked once, not once per partition).
    """
    tables = {
        "firms": _raw(firms, files["firms"]),
        "programmes": RawTable.numbered(programmes, files["programmes"]),
    }
    if outcomes is not None:
        tables["outcomes"] = _raw(outcomes, files["outcomes"])
    parsed, problems = check_tables(tables)
    problems = [p for p in problems if p.file != files["programmes"]]
    if problems:
        return Checked(None, problems)
    out = None if outcomes is None else canonical_outcomes(parsed["outcomes"])
    ds = Dataset(canonical_firms(parsed["firms"]), canonical_programmes(parsed["programmes"]), out)
    return Checked(ds, [])


@dataclass(frozen=True)
class Tables:
    """A data directory as co-partitions: one delayed :class:`Checked` per partition."""

    parts: list[Delayed]
    programmes: pd.DataFrame
    programmes_raw: pd.DataFrame
    files: dict[str, str]
    has_outcomes: bool

    @property
    def npartitions(self) -> int:
        return len(self.parts)


def open_tables(
    data_dir: Path,
    *,
    partition_rows: int = DEFAULT_PARTITION_ROWS,
    require_outcomes: bool = False,
    minimum_partitions: int = 1,
) -> Tables:
    """The lazily checked co-partitions of a data directory (nothing computed yet).

    Raises
    ------
    DataValidationError
        Missing tables or a bad catalogue (found before any partition is read).
    """
    root = Path(data_dir)
    if not root.is_dir():
        raise DataValidationError(
            [
                Problem(
                    str(root),
                    None,
                    None,
                    None,
                    "an existing directory holding firms, programmes and outcomes",
                )
            ]
        )
    paths = {
        name: table_path(root, name, required=name != "outcomes" or require_outcomes)
        for name in V1_TABLES
    }
    programmes_raw, programmes = programmes_of(root)
    firms_path = paths["firms"]
    assert firms_path is not None
    firms = read_table(firms_path)
    lengths = partition_lengths(firms)
    n = partition_count(sum(lengths), partition_rows=partition_rows, minimum=minimum_partitions)
    firm_parts = co_partition(firms, n, lengths).to_delayed()
    out_path = paths["outcomes"]
    out_parts: list[Delayed | None] = [None] * n
    if out_path is not None:
        outcomes = read_table(out_path)
        out_parts = co_partition(outcomes, n, partition_lengths(outcomes)).to_delayed()
    files = {name: p.name for name, p in paths.items() if p is not None}
    raw = dask.delayed(programmes_raw, pure=True)
    check = dask.delayed(check_partition, pure=True)
    parts = [check(f, o, raw, files=files) for f, o in zip(firm_parts, out_parts, strict=True)]
    return Tables(parts, programmes, programmes_raw, files, out_path is not None)


def raise_problems(checked: list[list[Problem]]) -> None:
    """Raise one :class:`DataValidationError` with every partition's problems, in file
    and row order; do nothing when there are none."""
    problems = [p for part in checked for p in part]
    if problems:
        problems.sort(key=lambda p: (p.file, p.row if p.row is not None else -1))
        raise DataValidationError(problems)
