"""The vocabulary of the data contract: what a column, a rule and a table are.

:mod:`recommender.contract.fields` writes the contract once in these terms; validation,
canonical frames, the API model, the portal form and the store's column kinds are all
derived from it, so a bound or an allowed value is stated in exactly one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

Kind = Literal["str", "enum", "list", "date", "int", "float", "bool"]
Number = int | float

BOOL_WORDS: Final[str] = "true or false (also yes/no, 1/0)"


def one_of(values: tuple[str, ...]) -> str:
    """``one of: a, b, c`` — how the contract names a closed set of values."""
    return "one of: " + ", ".join(values)


def _shown(value: Number) -> str:
    """A bound as a person writes it: ``1``, ``0``, ``0.5``."""
    return str(int(value)) if float(value).is_integer() else str(value)


@dataclass(frozen=True)
class Field:
    """One column of one contract table.

    Parameters
    ----------
    name : str
        The column name, as written in a file's header.
    kind : Kind
        How a cell is parsed: ``str`` (stripped text), ``enum`` (one of ``values``,
        any case), ``list`` (``;``-separated names from ``values``), ``date`` (ISO
        ``YYYY-MM-DD``), ``int``, ``float`` or ``bool``.
    meaning : str
        What the value means, in words (``docs/contract.md``, OpenAPI descriptions).
    nullable : bool
        Whether a cell may be empty.
    optional : bool
        Whether the column may be absent from a file (it is then all missing).
    ge, le : int or float, optional
        The contract's bounds: every file value must lie within them.
    values : tuple of str
        The allowed values of an ``enum``, or the allowed names in a ``list``.
    wildcard : bool
        A ``list`` cell may be ``*``, standing for every value.
    says : str, optional
        What a cell must be, in words, where the words derived from the kind and bounds
        do not fit (required for ``str`` and ``list`` columns).
    entry_ge, entry_le : int or float, optional
        Tighter sanity limits for a value a client or a person types in (the API and
        the portal); files are held to ``ge`` / ``le`` only.
    max_length : int, optional
        The longest ``str`` value a client may send; with ``pattern``, the longest any
        file may hold too.
    pattern : str, optional
        The characters an identifier is made of, as an unanchored regular expression
        that every value must match whole (files, store and API alike).
    """

    name: str
    kind: Kind
    meaning: str
    nullable: bool = False
    optional: bool = False
    ge: Number | None = None
    le: Number | None = None
    values: tuple[str, ...] = ()
    wildcard: bool = False
    says: str | None = None
    entry_ge: Number | None = None
    entry_le: Number | None = None
    max_length: int | None = None
    pattern: str | None = None

    def __post_init__(self) -> None:
        if self.kind in ("str", "list") and self.says is None:
            raise ValueError(f"field {self.name}: a {self.kind} column needs `says`")
        if (self.kind in ("enum", "list")) != bool(self.values):
            raise ValueError(f"field {self.name}: `values` belong to enum and list columns")
        if self.optional and not self.nullable:
            raise ValueError(f"field {self.name}: an optional column must be nullable")
        if self.pattern is not None and (self.kind != "str" or self.max_length is None):
            raise ValueError(f"field {self.name}: a `pattern` belongs to a str with max_length")

    @property
    def expected(self) -> str:
        """What a cell must be, in plain words (without the ``or empty`` of nullables)."""
        if self.says is not None:
            return self.says
        if self.kind == "enum":
            return one_of(self.values)
        if self.kind == "bool":
            return BOOL_WORDS
        if self.kind == "date":
            return "an ISO date YYYY-MM-DD"
        noun = "an integer" if self.kind == "int" else "a number"
        if self.ge is not None and self.le is not None:
            return f"{noun} from {_shown(self.ge)} to {_shown(self.le)}"
        if self.ge is not None:
            return f"{noun} >= {_shown(self.ge)}"
        if self.le is not None:
            return f"{noun} <= {_shown(self.le)}"
        return noun

    @property
    def entry_bounds(self) -> tuple[Number | None, Number | None]:
        """The bounds a typed-in value is held to: the tighter of contract and entry."""
        lows = [b for b in (self.ge, self.entry_ge) if b is not None]
        highs = [b for b in (self.le, self.entry_le) if b is not None]
        return (max(lows) if lows else None), (min(highs) if highs else None)


@dataclass(frozen=True)
class Order:
    """A rule between two columns of one row: ``low <= high`` wherever both are given.

    ``blame`` is the column the problem is reported on; ``expected`` is a format string
    that may use ``{low}`` and ``{high}`` (the row's parsed values).
    """

    low: str
    high: str
    blame: str
    expected: str

    @property
    def name(self) -> str:
        """The rule's name, ``low<=high``."""
        return f"{self.low}<={self.high}"


@dataclass(frozen=True)
class Table:
    """One contract table: its fields in file order, its key and its rules.

    Parameters
    ----------
    name : str
        The table (and file) name: ``firms`` reads ``firms.csv`` or ``firms.parquet``.
    meaning : str
        What one row is.
    fields : tuple of Field
        The columns, in the canonical frame's order.
    key : tuple of str
        Columns whose values identify a row; a repeat is a problem.
    duplicate : str
        What a repeated key breaks, as a format string using ``{row}`` (the earlier
        row's line) and ``{key}`` (the key's values, comma-separated).
    orders : tuple of Order
        Rules between columns of one row.
    refers : bool
        Each row names a firm profile ``(firm_id, year)`` and a ``programme_id`` that
        runs in that ``year``; rows that do not are problems.
    required : bool
        Whether every data directory holds the table (``outcomes`` is required only
        for training, which the reader is told).
    version : int
        The contract version that introduced the table; every older directory reads
        unchanged without it.
    """

    name: str
    meaning: str
    fields: tuple[Field, ...]
    key: tuple[str, ...]
    duplicate: str
    orders: tuple[Order, ...] = ()
    refers: bool = False
    required: bool = True
    version: int = 1

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column name, in order."""
        return tuple(f.name for f in self.fields)

    @property
    def optional_columns(self) -> tuple[str, ...]:
        """The columns a file may leave out."""
        return tuple(f.name for f in self.fields if f.optional)

    def field(self, name: str) -> Field:
        """The field named ``name``.

        Raises
        ------
        KeyError
            No column of this table has that name.
        """
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.name} has no column {name!r}")
