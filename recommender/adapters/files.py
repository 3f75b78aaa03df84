"""Read and write data directories (``docs/contract.md``).

A data directory holds ``firms``, ``programmes`` and optionally ``outcomes`` and (contract
v2) ``applications``, each as ``NAME.csv`` (UTF-8, a BOM is fine) or ``NAME.parquet``.
Reading collects every problem in every file, then raises one
:class:`~recommender.errors.DataValidationError`; checking and canonicalising are the
contract's (:mod:`recommender.contract.datasets`), so what it returns are the canonical
frames of ``docs/internals.md``.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa

from recommender.adapters.atomic import move_into_place, publish_dir, staged_dir
from recommender.contract.canonical import Dataset, canonical_frame
from recommender.contract.datasets import dataset_of
from recommender.contract.fields import CONTRACT, TABLES, column_kind
from recommender.contract.raw import RawTable
from recommender.errors import DataValidationError, Problem, RecommenderError

FORMATS: tuple[str, ...] = ("csv", "parquet")


# --- reading -----------------------------------------------------------------------------
def _read_csv(path: Path) -> tuple[RawTable | None, list[Problem]]:
    file = path.name
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, [
            Problem(
                file,
                line,
                None,
                None,
                "UTF-8 text; this file is in another encoding (e.g. cp949 / "
                "EUC-KR): save it as 'CSV UTF-8'",
            )
        ]
    if not text.strip():
        return None, [
            Problem(file, None, None, None, "a header line naming the columns; the file is empty")
        ]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)  # extra cells: no data loss
            frame = pd.read_csv(
                io.StringIO(text),
                dtype=str,
                keep_default_na=False,
                skip_blank_lines=False,
                index_col=False,
            )
    except (pd.errors.ParserError, pd.errors.ParserWarning, ValueError) as exc:
        return None, [_malformed(file, text, exc)]
    rows = np.arange(len(frame), dtype=np.int64) + 2
    if '"' in text:  # quoted cells may span lines: later rows start further down
        breaks = np.zeros(len(frame), dtype=np.int64)
        for column in frame.columns:
            if frame[column].str.contains("\n", regex=False).any():
                breaks += frame[column].str.count("\n").to_numpy(dtype=np.int64)
        rows[1:] += np.cumsum(breaks)[:-1]
    blank = frame.iloc[:, 0].str.strip().eq("").to_numpy(copy=True)
    if blank.any():  # blank lines and rows of empty cells carry no data
        blank[blank] = frame[blank].apply(lambda c: c.str.strip().eq("")).all(axis=1).to_numpy()
        frame, rows = frame[~blank], rows[~blank]
    header = next(csv.reader(io.StringIO(text)))  # the names as written, repeats included
    if len(header) == frame.shape[1]:
        frame.columns = header
    return RawTable(frame.reset_index(drop=True), file, rows), []


def _malformed(file: str, text: str, exc: Exception) -> Problem:
    """Locate a CSV file's first row with more cells than its header, if that is the fault."""
    try:
        records = csv.reader(io.StringIO(text))
        width = len(next(records))
        for cells in records:
            if len(cells) > width:
                return Problem(
                    file,
                    records.line_num,
                    None,
                    None,
                    f"at most {width} cells per row, as in the header; this row has {len(cells)}",
                )
    except csv.Error:
        pass
    message = str(exc).strip()
    if opened := re.search(r"EOF inside string starting at row (\d+)", message):
        return Problem(
            file,
            int(opened.group(1)) + 1,
            None,
            None,  # pandas counts from 0
            "a closing double quote for the quoted cell that starts on this row",
        )
    found = re.search(r"line (\d+)", message)
    return Problem(
        file, int(found.group(1)) if found else None, None, None, f"well-formed CSV ({message})"
    )


def _read_parquet(path: Path) -> tuple[RawTable | None, list[Problem]]:
    if path.stat().st_size == 0:
        return None, [Problem(path.name, None, None, None, "a Parquet file; the file is empty")]
    try:
        frame = pd.read_parquet(path)
    except (OSError, ValueError, pa.ArrowException) as exc:
        return None, [Problem(path.name, None, None, None, f"a readable Parquet file ({exc})")]
    return RawTable.numbered(frame.reset_index(drop=True), path.name), []


def _locate(root: Path, name: str, *, required: bool) -> tuple[Path | None, list[Problem]]:
    found = [root / f"{name}.{fmt}" for fmt in FORMATS if (root / f"{name}.{fmt}").is_file()]
    if len(found) > 1:
        return None, [
            Problem(
                f"{name}.csv",
                None,
                None,
                None,
                f"only one of {name}.csv and {name}.parquet; both are present",
            )
        ]
    if not found:
        problem = Problem(
            f"{name}.csv", None, None, None, f"a file {name}.csv or {name}.parquet in {root}"
        )
        return None, [problem] if required else []
    return found[0], []


def read_data_dir(path: Path | str, *, require_outcomes: bool = False) -> Dataset:
    """Read and validate a data directory.

    Rows in problems are line numbers as a person counts them in a CSV file (header =
    line 1, first data row = 2, lines taken by quoted multi-line cells counted); in a
    Parquet file the first row is numbered 2 likewise (1-based row number + 1).

    Parameters
    ----------
    path : Path or str
        The directory holding ``firms``, ``programmes``, ``outcomes`` and
        ``applications`` files (the last two optional).
    require_outcomes : bool
        Whether a missing ``outcomes`` file is a problem (it is for training).

    Returns
    -------
    Dataset
        Canonical frames; ``outcomes`` and ``applications`` are ``None`` when the
        directory has none (every v1 directory reads as before).

    Raises
    ------
    DataValidationError
        Listing every problem in every file: missing or duplicated files, unreadable
        files, missing columns, bad cells, duplicate keys and broken references.
    """
    root = Path(path)
    if not root.is_dir():
        what = "a directory" if root.exists() else "an existing directory"
        raise DataValidationError(
            [Problem(str(root), None, None, None, f"{what} holding firms, programmes and outcomes")]
        )
    problems: list[Problem] = []
    tables: dict[str, RawTable] = {}
    files: list[str] = []
    for name in TABLES:
        required = CONTRACT[name].required or (name == "outcomes" and require_outcomes)
        file, missing = _locate(root, name, required=required)
        problems += missing
        files += [p.file for p in missing] + ([file.name] if file else [])
        if file is not None:
            table, unread = (_read_csv if file.suffix == ".csv" else _read_parquet)(file)
            problems += unread
            if table is not None:
                tables[name] = table
    return dataset_of(tables, problems, files)


# --- writing -----------------------------------------------------------------------------
def _for_csv(df: pd.DataFrame, table: str) -> pd.DataFrame:
    """Booleans as true/false, whole-number columns without a trailing .0, missing empty."""
    out = df.copy()
    for column in out.columns:
        kind, _ = column_kind(table, column)
        if kind == "bool":
            out[column] = out[column].map({True: "true", False: "false"}).astype(object)
        elif kind == "int":
            out[column] = out[column].astype("Int64")
    return out


def write_data_dir(
    ds: Dataset, path: Path | str, *, fmt: Literal["csv", "parquet"] = "csv"
) -> None:
    """Write a dataset as a data directory that :func:`read_data_dir` reads back equal.

    All files are written into a temporary directory beside the target first, then
    moved into place (the whole directory when the target does not exist yet), so a
    failure never leaves half a dataset. Files of the same tables in the other format,
    and an old ``outcomes`` or ``applications`` file when the dataset has none, are
    removed.

    Parameters
    ----------
    ds : Dataset
        The tables to write (canonicalised on the way).
    path : Path or str
        The data directory; created when missing.
    fmt : {"csv", "parquet"}
        File format. CSV is UTF-8 without BOM; booleans are written true/false and
        missing values as empty cells.
    """
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {FORMATS}, not {fmt!r}")
    target = Path(path)
    if target.exists() and not target.is_dir():
        raise RecommenderError(f"{target} exists and is not a directory")
    target.parent.mkdir(parents=True, exist_ok=True)
    frames = {
        name: None if frame is None else canonical_frame(frame, name)
        for name, frame in ds.tables().items()
    }
    with staged_dir(target) as staging:
        for name, frame in frames.items():
            if frame is None:
                continue
            file = staging / f"{name}.{fmt}"
            if fmt == "csv":
                _for_csv(frame, name).to_csv(
                    file, index=False, encoding="utf-8", lineterminator="\n"
                )
            else:
                frame.to_parquet(file, index=False)
        if not target.exists():
            publish_dir(staging, target)
            return
        for name, frame in frames.items():
            if frame is not None:
                move_into_place(staging / f"{name}.{fmt}", target / f"{name}.{fmt}")
            for other in FORMATS:
                if other != fmt or frame is None:
                    (target / f"{name}.{other}").unlink(missing_ok=True)
