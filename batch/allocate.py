"""``recommender allocate``: a data directory in, an allocation CSV (and its programme
table) out.

Everything is read and checked first -- the floors, the data directory, an applications
file, the model -- and the allocation solved, before anything is written; the two files
are then published atomically, so bad input or an infeasible floor leaves no output.

``FILE.csv``
    ``firm_id, year, programme_id, expected_outcome, score, reason``: one row per
    assignment (:data:`recommender.allocate.ALLOCATION_COLUMNS`).
``FILE.programmes.csv``
    Per programme: capacity, seats, candidates, top-pick demand, assigned, mean expected
    outcome and ``seat_value``, the value of one more seat
    (:data:`recommender.allocate.PROGRAMME_COLUMNS`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from recommender import DataValidationError, Problem
from recommender.adapters.artefact import load_recommender
from recommender.adapters.atomic import atomic_file
from recommender.adapters.files import read_data_dir
from recommender.adapters.registry import Registry
from recommender.allocate import Allocation, parse_floors
from recommender.allocate.cohort import allocate_cohort
from recommender.constants import CHAMPION
from recommender.contract.canonical import Dataset
from recommender.contract.datasets import validate_frames

Progress = Callable[[str], None]
FLOAT_FORMAT = "%.6f"


@dataclass(frozen=True)
class AllocationRun:
    """What an allocation run wrote, with its headline figures and phase timings."""

    version: str
    out: Path
    programmes_out: Path
    summary: dict[str, object]
    seconds: dict[str, float] = field(default_factory=dict)
    best_seats: list[tuple[str, float]] = field(default_factory=list)  # by seat value


def programmes_path(out: Path) -> Path:
    """``FILE.programmes.csv`` beside ``FILE.csv``."""
    return out.with_name(f"{out.stem if out.suffix == '.csv' else out.name}.programmes.csv")


def read_applications(path: Path, ds: Dataset) -> pd.DataFrame:
    """An applications file (CSV or Parquet) checked against the contract and ``ds``.

    Raises
    ------
    DataValidationError
        The file is missing or unreadable, or a row breaks the contract (a bad cell, a
        duplicate, a firm or programme the data directory does not have), each problem
        with its file, row and column.
    """
    if not path.is_file():
        raise DataValidationError(
            [Problem(str(path), None, None, None, "an applications file (CSV or Parquet)")]
        )
    try:
        raw = (
            pd.read_parquet(path)
            if path.suffix == ".parquet"
            else pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        )
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise DataValidationError(
            [Problem(path.name, None, None, None, f"a readable CSV or Parquet file ({exc})")]
        ) from None
    checked = validate_frames(
        ds.firms, ds.programmes, applications=raw, names={"applications": path.name}
    )
    if checked.applications is None:  # pragma: no cover - given, so always checked
        raise DataValidationError([Problem(path.name, None, None, None, "applications")])
    return checked.applications


def write_allocation(
    allocation: Allocation,
    out: Path,
    *,
    rows: pd.DataFrame | None = None,
    table: pd.DataFrame | None = None,
) -> Path:
    """Publish both files of an allocation atomically; returns the programme table's path.

    ``rows`` and ``table`` are its :meth:`~recommender.allocate.Allocation.assignments`
    and :meth:`~recommender.allocate.Allocation.programme_table` when already made.
    """
    table_out = programmes_path(out)
    rows = allocation.assignments() if rows is None else rows
    table = allocation.programme_table() if table is None else table
    with atomic_file(out) as rows_tmp, atomic_file(table_out) as table_tmp:
        rows.to_csv(rows_tmp, index=False, float_format=FLOAT_FORMAT, lineterminator="\n")
        allocation.programme_table().to_csv(
            table_tmp, index=False, float_format=FLOAT_FORMAT, lineterminator="\n"
        )
    return table_out


def allocate_data_dir(
    data: Path,
    *,
    registry: Registry,
    out: Path,
    year: int,
    model: str = CHAMPION,
    per_firm: int = 1,
    as_of: date | None = None,
    min_shares: Sequence[str] = (),
    applications: Path | None = None,
    num_threads: int = 2,
    progress: Progress | None = None,
) -> AllocationRun:
    """Allocate one year's seats among the firms of a data directory and write the files.

    Parameters
    ----------
    data
        A contract data directory; its ``applications`` table, when present, restricts
        each firm to what it applied for.
    registry, model
        The model: a version name or ``champion`` (a regression model).
    out
        The allocation CSV; ``FILE.programmes.csv`` is written beside it.
    year, per_firm, as_of
        The year allocated, most programmes per firm, only programmes open that day.
    min_shares
        ``--min-share`` values (:mod:`recommender.allocate.floors`).
    applications
        An applications file to use instead of the directory's.
    num_threads
        LightGBM threads.
    """
    say = progress or (lambda _m: None)
    seconds: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        seconds[name] = round(now - clock, 3)
        clock = now

    floors = parse_floors(list(min_shares))
    ds = read_data_dir(data)
    applied = read_applications(applications, ds) if applications is not None else ds.applications
    rec = load_recommender(registry, model, programmes=ds.programmes, num_threads=num_threads)
    objective = str(registry.verify(rec.version)["params"]["objective"])
    lap("read")
    say(f"allocating {year}'s seats with model {rec.version}")
    allocation = allocate_cohort(
        rec,
        ds.firms,
        year=year,
        objective=objective,
        outcomes=ds.outcomes,
        per_firm=per_firm,
        as_of=as_of,
        floors=floors,
        applications=applied,
    )
    lap("score_and_solve")
    table = allocation.programme_table()
    table_out = write_allocation(allocation, Path(out), table=table)
    lap("write")
    best = table[table["seat_value"] > 0].nlargest(3, "seat_value")
    return AllocationRun(
        rec.version,
        Path(out),
        table_out,
        allocation.summary(),
        seconds,
        list(zip(best["programme_id"], best["seat_value"], strict=True)),
    )
