"""The data contract (``docs/contract.md``) as pandera schemas, plus the rules across files.

Validation works on *raw* tables (strings as read from a CSV file, or whatever types a
Parquet file or an upload holds) and never stops at the first fault:

1. every contract column is parsed cell by cell; a cell that is not a number, an
   integer, a bool or an ISO date becomes a :class:`~recommender.errors.Problem` and
   is missing in the parsed frame;
2. the parsed frame is checked against the table's pandera schema with ``lazy=True``
   and every failure case becomes a Problem;
3. keys and references are checked across the tables: duplicate profiles, programmes
   and outcomes, and outcomes that point at an unknown firm, a year with no profile of
   the firm, an unknown programme, or a programme that ran in another year.

A Problem's ``row`` is the line number as a person counts it in a CSV file: the header
is line 1, so the first data row is line 2. Parquet files and in-memory frames are
numbered the same way (1-based row number + 1) unless the caller passes other numbers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from recommender.constants import (
    ALL,
    CAP_MAX,
    CAP_MIN,
    CAPABILITIES,
    FIRM_COLUMNS,
    LIST_SEP,
    OPTIONAL_PROGRAMME_COLUMNS,
    OUTCOME_COLUMNS,
    OUTCOME_MAX,
    OUTCOME_MIN,
    PROGRAMME_COLUMNS,
    PROGRAMME_TYPES,
    REGIONS,
    SECTORS,
    TABLES,
)
from recommender.errors import Problem

Kind = Literal["str", "enum", "list", "date", "int", "float", "bool"]

_DTYPES: Final[dict[str, Any]] = {
    "str": object, "enum": object, "list": object, "date": object,
    "int": "Int64", "float": "float64", "bool": "boolean",
}
_BOOL_WORDS: Final[dict[str, bool]] = {
    "true": True, "yes": True, "1": True, "1.0": True,
    "false": False, "no": False, "0": False, "0.0": False,
}
_ISO_DATE: Final = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ]00:00(?::00(?:\.0+)?)?)?$")
_MAX_EXACT_INT: Final[float] = 2.0**53


def _one_of(values: Sequence[str]) -> str:
    return "one of: " + ", ".join(values)


def _col(kind: Kind, expected: str, *checks: pa.Check, nullable: bool = False) -> pa.Column:
    """A contract column; ``description`` holds what the cell must be, in plain words."""
    return pa.Column(_DTYPES[kind], list(checks), nullable=nullable,
                     description=expected + (" or empty" if nullable else ""),
                     metadata={"kind": kind})


def _listed(allowed: Sequence[str], *, wildcard: bool, name: str) -> pa.Check:
    """Cells are ``;``-separated names from ``allowed`` (or the wildcard ``*``)."""
    known = frozenset(allowed)

    def ok(cell: str) -> bool:
        return (wildcard and cell == ALL) or set(cell.split(LIST_SEP)) <= known

    return pa.Check(lambda s: s.map(ok).astype(bool), name=name)


@dataclass(frozen=True)
class Order:
    """A rule between two columns of one row: ``low <= high`` wherever both are given."""

    low: str
    high: str
    blame: str     # the column the problem is reported on
    expected: str  # format string; may use {low} and {high} (the row's parsed values)

    @property
    def name(self) -> str:
        return f"{self.low}<={self.high}"

    def check(self) -> pa.Check:
        def holds(df: pd.DataFrame) -> pd.Series:
            if self.low not in df or self.high not in df:
                return pd.Series(True, index=df.index)
            low, high = df[self.low], df[self.high]
            given = (low.notna() & high.notna()).to_numpy(dtype=bool)
            holds = np.ones(len(df), dtype=bool)
            holds[given] = (low[given] <= high[given]).to_numpy(dtype=bool)
            return pd.Series(holds, index=df.index)

        return pa.Check(holds, name=self.name)


_EMP = "an integer >= 0"
_ORDERS: Final[dict[str, tuple[Order, ...]]] = {
    "firms": (
        Order("founded_year", "year", "founded_year",
              "a year no later than the profile year {high}"),
    ),
    "programmes": (
        Order("min_employees", "max_employees", "min_employees",
              "a number no larger than max_employees ({high})"),
        Order("min_firm_age", "max_firm_age", "min_firm_age",
              "a number no larger than max_firm_age ({high})"),
        Order("apply_start", "apply_end", "apply_end", "a date on or after apply_start ({low})"),
    ),
    "outcomes": (),
}
_CAP = _col("int", f"an integer from {CAP_MIN} to {CAP_MAX}", pa.Check.in_range(CAP_MIN, CAP_MAX),
            nullable=True)

FIRMS_SCHEMA: Final = pa.DataFrameSchema(
    {
        "firm_id": _col("str", "a firm identifier"),
        "year": _col("int", "a whole-number year"),
        "region": _col("enum", _one_of(REGIONS), pa.Check.isin(REGIONS)),
        "sector": _col("enum", _one_of(SECTORS), pa.Check.isin(SECTORS)),
        "founded_year": _col("int", "a whole-number year"),
        "employees": _col("int", "an integer >= 1", pa.Check.ge(1)),
        "revenue_krw_m": _col("float", "a number >= 0", pa.Check.ge(0)),
        "revenue_growth": _col("float", "a number (a fraction, 0.05 = 5 %)", nullable=True),
        "export_share": _col("float", "a number from 0 to 1", pa.Check.in_range(0, 1)),
        "rnd_spend_krw_m": _col("float", "a number >= 0", pa.Check.ge(0)),
        "researchers": _col("int", "an integer >= 0", pa.Check.ge(0)),
        "patents": _col("int", "an integer >= 0", pa.Check.ge(0)),
        "has_rnd_lab": _col("bool", "true or false (also yes/no, 1/0)"),
        **{cap: _CAP for cap in CAPABILITIES},
    },
    checks=[o.check() for o in _ORDERS["firms"]],
    name="firms",
)
PROGRAMMES_SCHEMA: Final = pa.DataFrameSchema(
    {
        "programme_id": _col("str", "a programme identifier"),
        "name": _col("str", "a programme name"),
        "programme_type": _col("enum", _one_of(PROGRAMME_TYPES), pa.Check.isin(PROGRAMME_TYPES)),
        "agency": _col("str", "an agency name", nullable=True),
        "targets": _col("list", f"';'-separated capability names ({', '.join(CAPABILITIES)})",
                        _listed(CAPABILITIES, wildcard=False, name="known_targets"),
                        nullable=True),
        "year": _col("int", "a whole-number year"),
        "min_employees": _col("int", _EMP, pa.Check.ge(0), nullable=True),
        "max_employees": _col("int", _EMP, pa.Check.ge(0), nullable=True),
        "min_firm_age": _col("int", _EMP, pa.Check.ge(0), nullable=True),
        "max_firm_age": _col("int", _EMP, pa.Check.ge(0), nullable=True),
        "sectors": _col("list", f"* or ';'-separated sectors, each {_one_of(SECTORS)}",
                        _listed(SECTORS, wildcard=True, name="known_sectors")),
        "regions": _col("list", f"* or ';'-separated regions, each {_one_of(REGIONS)}",
                        _listed(REGIONS, wildcard=True, name="known_regions")),
        "requires_rnd_lab": _col("bool", "true or false (also yes/no, 1/0)", nullable=True),
        "max_revenue_krw_m": _col("float", "a number >= 0", pa.Check.ge(0), nullable=True),
        "support_krw_m": _col("float", "a number >= 0", pa.Check.ge(0), nullable=True),
        "duration_months": _col("int", "an integer >= 1", pa.Check.ge(1), nullable=True),
        "capacity": _col("int", "an integer >= 1", pa.Check.ge(1), nullable=True),
        "apply_start": _col("date", "an ISO date YYYY-MM-DD", nullable=True),
        "apply_end": _col("date", "an ISO date YYYY-MM-DD", nullable=True),
        "url": _col("str", "a web address", nullable=True),
        "description": _col("str", "a description", nullable=True),
        "source": _col("str", "the row's source", nullable=True),
    },
    checks=[o.check() for o in _ORDERS["programmes"]],
    name="programmes",
)
OUTCOMES_SCHEMA: Final = pa.DataFrameSchema(
    {
        "firm_id": _col("str", "a firm identifier"),
        "year": _col("int", "a whole-number year"),
        "programme_id": _col("str", "a programme identifier"),
        "outcome": _col("int", f"an integer from {OUTCOME_MIN} to {OUTCOME_MAX}",
                        pa.Check.in_range(OUTCOME_MIN, OUTCOME_MAX)),
    },
    name="outcomes",
)
SCHEMAS: Final[dict[str, pa.DataFrameSchema]] = {
    "firms": FIRMS_SCHEMA, "programmes": PROGRAMMES_SCHEMA, "outcomes": OUTCOMES_SCHEMA,
}
COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "firms": FIRM_COLUMNS,
    "programmes": (*PROGRAMME_COLUMNS, *OPTIONAL_PROGRAMME_COLUMNS),
    "outcomes": OUTCOME_COLUMNS,
}
OPTIONAL: Final[dict[str, tuple[str, ...]]] = {
    "firms": (), "programmes": OPTIONAL_PROGRAMME_COLUMNS, "outcomes": (),
}


def column_kind(table: str, column: str) -> tuple[Kind, bool]:
    """The parse kind of a contract column and whether it may be missing."""
    col = SCHEMAS[table].columns[column]
    return col.metadata["kind"], bool(col.nullable)


@dataclass(frozen=True)
class RawTable:
    """A table as read, before any parsing.

    Parameters
    ----------
    frame : pd.DataFrame
        The cells as read (strings from CSV, any type from Parquet or an upload).
    file : str
        The name problems are reported under (``firms.csv``, ``upload``...).
    rows : np.ndarray
        The row number of each frame row, as a person counts it (header = line 1).
    """

    frame: pd.DataFrame
    file: str
    rows: np.ndarray

    @classmethod
    def numbered(cls, frame: pd.DataFrame, file: str, *, first_row: int = 2) -> RawTable:
        """A table whose rows are numbered consecutively from ``first_row``."""
        return cls(frame, file, np.arange(len(frame), dtype=np.int64) + first_row)


# --- parsing cells -----------------------------------------------------------------------
def plain(value: object) -> object:
    """A cell as shown in a problem: a Python scalar, ``None`` when missing."""
    if isinstance(value, (list, tuple, dict, set)):
        return value
    if value is None or (not isinstance(value, str) and bool(pd.isna(value))):  # type: ignore[arg-type]
        return None
    item = getattr(value, "item", None)
    return item() if callable(item) and isinstance(value, np.generic) else value


def _as_object(s: pd.Series) -> pd.Series:
    return s.astype(object).where(s.notna(), None)


def _text(raw: pd.Series) -> pd.Series:
    """Cells as stripped ``str`` (object dtype); ``None`` where missing or blank."""
    if raw.dtype != object and pd.api.types.is_string_dtype(raw.dtype):
        s = raw.str.strip()
    else:
        s = raw.map(lambda v: v if isinstance(v, str) else str(plain(v)), na_action="ignore")
        s = s.astype(object).map(str.strip, na_action="ignore")
    s = _as_object(s)
    return s.where(s != "", None)


def _numbers(raw: pd.Series, *, integer: bool) -> tuple[pd.Series, np.ndarray]:
    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        present = raw.notna().to_numpy()
        nums = raw.astype("float64").to_numpy(copy=True)
    else:
        text = _text(raw)
        present = text.notna().to_numpy()
        try:  # the fast path when every cell is a number
            nums = text.astype("float64").to_numpy(copy=True)
        except (ValueError, TypeError):
            nums = pd.to_numeric(text, errors="coerce").astype("float64").to_numpy(copy=True)
    ok = np.isfinite(nums)
    if integer:
        ok &= (np.abs(nums) <= _MAX_EXACT_INT) & (nums == np.round(nums))
    nums[~ok] = np.nan
    parsed = pd.Series(nums, index=raw.index)
    return (parsed.astype("Int64") if integer else parsed), present & ~ok


def _bools(raw: pd.Series) -> tuple[pd.Series, np.ndarray]:
    if pd.api.types.is_bool_dtype(raw.dtype):
        return raw.astype("boolean"), np.zeros(len(raw), dtype=bool)
    text = _text(raw)
    mapped = text.str.lower().map(_BOOL_WORDS)
    bad = text.notna().to_numpy() & mapped.isna().to_numpy()
    return mapped.astype("boolean"), bad


def _dates(raw: pd.Series) -> tuple[pd.Series, np.ndarray]:
    text = _text(raw)
    day = _as_object(text.str.extract(_ISO_DATE, expand=False))
    real = pd.to_datetime(day, format="%Y-%m-%d", errors="coerce").notna()
    day = day.where(real, None)
    return day, text.notna().to_numpy() & ~real.to_numpy()


def _names(cell: str) -> str | None:
    items = [part.strip() for part in cell.lower().split(LIST_SEP)]
    return LIST_SEP.join(i for i in items if i) or None


def parse_column(raw: pd.Series, kind: Kind) -> tuple[pd.Series, np.ndarray]:
    """Parse one raw column.

    Parameters
    ----------
    raw : pd.Series
        The cells as read.
    kind : Kind
        ``str`` (stripped text), ``enum`` (lower-cased text), ``list`` (``;``-separated
        names, lower-cased, blanks dropped), ``date`` (ISO ``YYYY-MM-DD``), ``int``,
        ``float`` or ``bool`` (true/false, yes/no, 1/0, any case).

    Returns
    -------
    parsed : pd.Series
        Object (text kinds), ``Int64``, ``float64`` or ``boolean``; missing where the
        cell was missing or could not be parsed.
    bad : np.ndarray
        True where a cell was given but could not be parsed.
    """
    if kind in ("int", "float"):
        return _numbers(raw, integer=kind == "int")
    if kind == "bool":
        return _bools(raw)
    if kind == "date":
        return _dates(raw)
    text = _text(raw)
    if kind == "enum":
        text = _as_object(text.str.lower())
    elif kind == "list":
        text = _as_object(text.map(_names, na_action="ignore"))
    return text, np.zeros(len(raw), dtype=bool)


# --- one table ---------------------------------------------------------------------------
def check_table(name: str, table: RawTable) -> tuple[pd.DataFrame, list[Problem]]:
    """Parse one raw table and check it against its schema.

    Parameters
    ----------
    name : str
        ``firms``, ``programmes`` or ``outcomes``.
    table : RawTable
        The raw cells with their file name and row numbers.

    Returns
    -------
    parsed : pd.DataFrame
        The contract columns that are present (optional programme columns always),
        parsed, with a ``RangeIndex``; unparseable cells are missing.
    problems : list[Problem]
        Every problem found (duplicate keys included), in row order.
    """
    parsed, problems = check_tables({name: table})
    return parsed[name], problems


def _tidy(table: RawTable, schema: pa.DataFrameSchema) -> tuple[RawTable, list[Problem]]:
    """Positional index, stripped column names, and only the first of repeated columns."""
    frame = table.frame.reset_index(drop=True)
    frame.columns = [str(c).strip() for c in frame.columns]
    problems = [Problem(table.file, None, column, None, f"one column named {column}, not several")
                for column in dict.fromkeys(frame.columns[frame.columns.duplicated()])
                if column in schema.columns]
    frame = frame.loc[:, ~frame.columns.duplicated()]
    return RawTable(frame, table.file, table.rows), problems


def _check_tidy(name: str, table: RawTable) -> tuple[pd.DataFrame, list[Problem]]:
    schema, frame = SCHEMAS[name], table.frame
    problems: list[Problem] = []
    parsed: dict[str, pd.Series] = {}
    bad_cells: set[tuple[int, str]] = set()
    for column in COLUMNS[name]:
        spec = schema.columns[column]
        if column not in frame:
            if column in OPTIONAL[name]:
                parsed[column] = pd.Series(None, index=frame.index, dtype=object)
            else:
                problems.append(Problem(table.file, None, column, None,
                                        f"a column named {column}: {spec.description}"))
            continue
        parsed[column], bad = parse_column(frame[column], spec.metadata["kind"])
        for pos in np.flatnonzero(bad):
            bad_cells.add((int(pos), column))
            problems.append(Problem(table.file, int(table.rows[pos]), column,
                                    plain(frame[column].iat[pos]), spec.description))
    out = pd.DataFrame(parsed, index=frame.index)
    missing = [c for c in schema.columns if c not in out]
    problems += _schema_problems(name, schema.remove_columns(missing), out, table, bad_cells)
    return out, problems


def _schema_problems(name: str, schema: pa.DataFrameSchema, parsed: pd.DataFrame,
                     table: RawTable, skip: set[tuple[int, str]]) -> list[Problem]:
    """Run the pandera schema lazily and turn its failure cases into problems."""
    try:
        schema.validate(parsed, lazy=True)
        return []
    except SchemaErrors as exc:
        cases = exc.failure_cases
    orders = {o.name: o for o in _ORDERS[name]}
    problems: list[Problem] = []
    seen: set[tuple[int, str]] = set(skip)
    for check, column, failure, index in zip(cases["check"], cases["column"],
                                             cases["failure_case"], cases["index"],
                                             strict=True):
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
            expected = order.expected.format(low=plain(parsed[order.low].iat[pos]),
                                             high=plain(parsed[order.high].iat[pos]))
        else:
            expected = str(schema.columns[target].description)
        value = plain(table.frame[target].iat[pos]) if target in table.frame else plain(failure)
        problems.append(Problem(table.file, int(table.rows[pos]), target, value, expected))
    return problems


def _in_order(problems: list[Problem], columns: Sequence[str]) -> list[Problem]:
    rank = {c: i for i, c in enumerate(columns)}
    return sorted(problems, key=lambda p: (p.row or 0, rank.get(p.column or "", -1)))


# --- across tables -----------------------------------------------------------------------
def _duplicates(parsed: pd.DataFrame, table: RawTable, keys: Sequence[str],
                expected: Callable[[int, tuple[object, ...]], str]) -> list[Problem]:
    """Rows whose key repeats an earlier row's; reported on the key's first column."""
    if any(k not in parsed for k in keys):
        return []
    key = parsed[list(keys)]
    involved = key[key.notna().all(axis=1) & key.duplicated(keep=False)]
    first: dict[tuple[object, ...], int] = {}
    problems = []
    for pos, values in zip(involved.index, involved.itertuples(index=False, name=None),
                           strict=True):
        shown = tuple(plain(v) for v in values)
        if shown in first:
            problems.append(Problem(table.file, int(table.rows[pos]), keys[0],
                                    plain(table.frame[keys[0]].iat[pos]),
                                    expected(first[shown], shown)))
        else:
            first[shown] = int(table.rows[pos])
    return problems


def _key_problems(parsed: Mapping[str, pd.DataFrame],
                  tables: Mapping[str, RawTable]) -> dict[str, list[Problem]]:
    out: dict[str, list[Problem]] = {name: [] for name in parsed}
    keys: dict[str, tuple[tuple[str, ...], Callable[[int, tuple[object, ...]], str]]] = {
        "firms": (("firm_id", "year"), lambda r, k: (
            f"one profile per (firm_id, year); row {r} already has {k[0]}, {k[1]}")),
        "programmes": (("programme_id",), lambda r, k: (
            f"a programme_id used only once; row {r} already has it")),
        "outcomes": (("firm_id", "year", "programme_id"), lambda r, k: (
            f"one outcome per (firm_id, year, programme_id); row {r} already has "
            f"{k[0]}, {k[1]}, {k[2]}")),
    }
    for name in parsed:
        out[name] += _duplicates(parsed[name], tables[name], keys[name][0], keys[name][1])
    return out


def _reference_problems(parsed: Mapping[str, pd.DataFrame],
                        tables: Mapping[str, RawTable]) -> list[Problem]:
    """Outcomes must name a known firm profile and a programme running that year."""
    if "outcomes" not in parsed:
        return []
    out, raw = parsed["outcomes"], tables["outcomes"]
    problems: list[Problem] = []

    def report(mask: pd.Series, column: str, expected: Callable[[int], str]) -> None:
        for pos in np.flatnonzero(mask.to_numpy(dtype=bool, na_value=False)):
            problems.append(Problem(raw.file, int(raw.rows[pos]), column,
                                    plain(raw.frame[column].iat[pos]), expected(int(pos))))

    firms = parsed.get("firms")
    if firms is not None and {"firm_id", "year"} <= set(firms) and {"firm_id", "year"} <= set(out):
        ffile = tables["firms"].file
        known = out["firm_id"].isin(set(firms["firm_id"].dropna()))
        report(out["firm_id"].notna() & ~known, "firm_id",
               lambda pos: f"a firm_id that has a profile in {ffile}")
        unsure = set(firms.loc[firms["year"].isna(), "firm_id"].dropna())
        profiles = pd.MultiIndex.from_frame(firms[["firm_id", "year"]].dropna())
        has = pd.Series(pd.MultiIndex.from_frame(out[["firm_id", "year"]]).isin(profiles),
                        index=out.index)
        lost = known & out["year"].notna() & ~has & ~out["firm_id"].isin(unsure)
        if lost.any():
            of = firms[firms["firm_id"].isin(set(out.loc[lost, "firm_id"]))].dropna(
                subset=["year"]).groupby("firm_id")["year"].agg(
                lambda y: ", ".join(str(v) for v in sorted(y.unique())))
            report(lost, "year", lambda pos: (
                f"a year with a profile of {out['firm_id'].iat[pos]} in {ffile} "
                f"(has: {of.get(out['firm_id'].iat[pos], '')})"))
    progs = parsed.get("programmes")
    if progs is not None and {"programme_id", "year"} <= set(progs) and "programme_id" in out:
        pfile = tables["programmes"].file
        ran = progs.dropna(subset=["programme_id"]).drop_duplicates("programme_id")
        ran_in = ran.set_index("programme_id")["year"]
        report(out["programme_id"].notna() & ~out["programme_id"].isin(ran_in.index),
               "programme_id", lambda pos: f"a programme_id listed in {pfile}")
        if "year" in out:
            when = out["programme_id"].map(ran_in).astype("Int64")
            report(when.notna() & out["year"].notna() & (when != out["year"]), "year",
                   lambda pos: (f"{when.iat[pos]}, the year programme "
                                f"{out['programme_id'].iat[pos]} runs in {pfile}"))
    return problems


def check_tables(tables: Mapping[str, RawTable]) -> tuple[dict[str, pd.DataFrame],
                                                          list[Problem]]:
    """Check every table given, then the rules across them; never stop at the first fault.

    Parameters
    ----------
    tables : Mapping[str, RawTable]
        Raw tables by name (``firms``, ``programmes``, ``outcomes``); absent names
        (e.g. a file that could not be read) are skipped, and so are the rules that
        need them.

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
            tidy[name], found[name] = _tidy(tables[name], SCHEMAS[name])
            parsed[name], more = _check_tidy(name, tidy[name])
            found[name] += more
    keys = _key_problems(parsed, tidy)
    keys.setdefault("outcomes", []).extend(_reference_problems(parsed, tidy))
    problems: list[Problem] = []
    for name in parsed:
        problems += _in_order(found[name] + keys[name], COLUMNS[name])
    return parsed, problems
