"""Raw tables checked against the contract, every problem collected, none skipped.

Validation works on *raw* tables (strings as read from a CSV file, or whatever types a
Parquet file or an upload holds) and never stops at the first fault:

1. every contract column is parsed cell by cell (:mod:`recommender.contract.cells`); a
   cell that is not a number, an integer, a bool or an ISO date becomes a
   :class:`~recommender.errors.Problem` and is missing in the parsed frame;
2. the parsed frame is checked against the table's pandera schema
   (:mod:`recommender.contract.columns`) with ``lazy=True`` and every failure case
   becomes a Problem;
3. keys and references are checked across the tables
   (:mod:`recommender.contract.keys`): duplicate profiles, programmes, outcomes and
   applications, and outcomes or applications that point at an unknown firm, a year
   with no profile of the firm, an unknown programme, or a programme of another year.

A Problem's ``row`` is the line number as a person counts it in a CSV file: the header
is line 1, so the first data row is line 2. Parquet files and in-memory frames are
numbered the same way (1-based row number + 1) unless the caller passes other numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from recommender.contract.cells import parse_column, plain
from recommender.contract.columns import SCHEMAS, described
from recommender.contract.fields import CONTRACT, TABLES
from recommender.contract.keys import key_problems
from recommender.contract.raw import RawTable
from recommender.contract.spec import Table
from recommender.errors import Problem


def check_table(name: str, table: RawTable) -> tuple[pd.DataFrame, list[Problem]]:
    """Parse one raw table and check it against its schema.

    Parameters
    ----------
    name : str
        A contract table: ``firms``, ``programmes``, ``outcomes`` or ``applications``.
    table : RawTable
        The raw cells with their file name and row numbers.

    Returns
    -------
    parsed : pd.DataFrame
        The contract columns that are present (optional columns always), parsed, with
        a ``RangeIndex``; unparseable cells are missing.
    problems : list[Problem]
        Every problem found (duplicate keys included), in row order.
    """
    parsed, problems = check_tables({name: table})
    return parsed[name], problems


def _tidy(table: RawTable, spec: Table) -> tuple[RawTable, list[Problem]]:
    """Positional index, stripped column names, and only the first of repeated columns."""
    frame = table.frame.reset_index(drop=True)
    frame.columns = [str(c).strip() for c in frame.columns]
    problems = [
        Problem(table.file, None, column, None, f"one column named {column}, not several")
        for column in dict.fromkeys(frame.columns[frame.columns.duplicated()])
        if column in spec.columns
    ]
    frame = frame.loc[:, ~frame.columns.duplicated()]
    return RawTable(frame, table.file, table.rows), problems


def _check_tidy(spec: Table, table: RawTable) -> tuple[pd.DataFrame, list[Problem]]:
    frame = table.frame
    problems: list[Problem] = []
    parsed: dict[str, pd.Series] = {}
    bad_cells: set[tuple[int, str]] = set()
    for field in spec.fields:
        column = field.name
        if column not in frame:
            if field.optional:  # all missing, held as its kind's parsed cells are
                absent = pd.Series(None, index=frame.index, dtype=object)
                parsed[column] = parse_column(absent, field.kind)[0]
            else:
                problems.append(
                    Problem(
                        table.file,
                        None,
                        column,
                        None,
                        f"a column named {column}: {described(field)}",
                    )
                )
            continue
        parsed[column], bad = parse_column(frame[column], field.kind)
        for pos in np.flatnonzero(bad):
            bad_cells.add((int(pos), column))
            problems.append(
                Problem(
                    table.file,
                    int(table.rows[pos]),
                    column,
                    plain(frame[column].iat[pos]),
                    described(field),
                )
            )
    out = pd.DataFrame(parsed, index=frame.index)
    schema = SCHEMAS[spec.name]
    missing = [c for c in schema.columns if c not in out]
    problems += _schema_problems(spec, schema.remove_columns(missing), out, table, bad_cells)
    return out, problems


def _schema_problems(
    spec: Table,
    schema: pa.DataFrameSchema,
    parsed: pd.DataFrame,
    table: RawTable,
    skip: set[tuple[int, str]],
) -> list[Problem]:
    """Run the pandera schema lazily and turn its failure cases into problems."""
    try:
        schema.validate(parsed, lazy=True)
        return []
    except SchemaErrors as exc:
        cases = exc.failure_cases
    orders = {o.name: o for o in spec.orders}
    problems: list[Problem] = []
    seen: set[tuple[int, str]] = set(skip)
    for check, column, failure, index in zip(
        cases["check"], cases["column"], cases["failure_case"], cases["index"], strict=True
    ):
        if pd.isna(index):  # a whole-column failure; parsing rules it out, kept for safety
            problems.append(Problem(table.file, None, column, plain(failure), str(check)))
            continue
        pos = int(index)
        order = orders.get(str(check))
        target = order.blame if order else str(column)
        if (pos, target) in seen:
            continue
        seen.add((pos, target))
        if order:
            expected = order.expected.format(
                low=plain(parsed[order.low].iat[pos]), high=plain(parsed[order.high].iat[pos])
            )
        else:
            expected = str(schema.columns[target].description)
        value = plain(table.frame[target].iat[pos]) if target in table.frame else plain(failure)
        problems.append(Problem(table.file, int(table.rows[pos]), target, value, expected))
    return problems


def _in_order(problems: list[Problem], columns: Sequence[str]) -> list[Problem]:
    rank = {c: i for i, c in enumerate(columns)}
    return sorted(problems, key=lambda p: (p.row or 0, rank.get(p.column or "", -1)))


def check_tables(tables: Mapping[str, RawTable]) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """Check every table given, then the rules across them; never stop at the first fault.

    Parameters
    ----------
    tables : Mapping[str, RawTable]
        Raw tables by name (``firms``, ``programmes``, ``outcomes``, ``applications``);
        absent names (e.g. a file that could not be read) are skipped, and so are the
        rules that need them.

    Returns
    -------
    parsed : dict[str, pd.DataFrame]
        The parsed frames (see :func:`check_table`), by name.
    problems : list[Problem]
        Every problem in every table, table by table, in row order.
    """
    tidy: dict[str, RawTable] = {}
    parsed: dict[str, pd.DataFrame] = {}
    found: dict[str, list[Problem]] = {}
    for name in TABLES:
        if name in tables:
            tidy[name], found[name] = _tidy(tables[name], CONTRACT[name])
            parsed[name], more = _check_tidy(CONTRACT[name], tidy[name])
            found[name] += more
    keys = key_problems(parsed, tidy)
    problems: list[Problem] = []
    for name in parsed:
        problems += _in_order(found[name] + keys[name], CONTRACT[name].columns)
    return parsed, problems
