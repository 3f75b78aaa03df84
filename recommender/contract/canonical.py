"""The canonical frames of ``docs/internals.md`` and the :class:`Dataset` that holds them.

Whatever a table came from (a CSV or Parquet file, an upload, the store, the simulator),
the core sees the contract's columns in the spec's order with one dtype per kind:

==========================  ==================================================
kind                        canonical dtype
==========================  ==================================================
str, enum, list             ``object`` (``str``; ``None`` where nullable)
date                        ``object``: ISO ``YYYY-MM-DD`` or ``None``
int                         ``int64``; ``float64`` with NaN where nullable
float                       ``float64``, NaN = missing
bool                        ``bool``; ``object`` ``True`` / ``False`` / ``None`` where nullable
==========================  ==================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from recommender.contract.fields import CONTRACT


@dataclass(frozen=True, eq=False)
class Dataset:
    """The contract tables as canonical frames; optional tables are ``None`` when absent.

    ``outcomes`` (v1, needed for training), ``applications`` and ``feedback`` (v2) are
    optional. Two datasets are equal when every frame has the same columns, dtypes and
    values.
    """

    firms: pd.DataFrame
    programmes: pd.DataFrame
    outcomes: pd.DataFrame | None
    applications: pd.DataFrame | None = None
    feedback: pd.DataFrame | None = None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Dataset):
            return NotImplemented
        pairs = [
            (self.firms, other.firms),
            (self.programmes, other.programmes),
            (self.outcomes, other.outcomes),
            (self.applications, other.applications),
            (self.feedback, other.feedback),
        ]
        return all(
            a is b
            if a is None or b is None
            else list(a.columns) == list(b.columns) and a.dtypes.equals(b.dtypes) and a.equals(b)
            for a, b in pairs
        )

    __hash__ = None  # type: ignore[assignment]

    def tables(self) -> dict[str, pd.DataFrame | None]:
        """Every contract table by name (``None`` for an absent optional one)."""
        return {
            "firms": self.firms,
            "programmes": self.programmes,
            "outcomes": self.outcomes,
            "applications": self.applications,
            "feedback": self.feedback,
        }


def canonical_frame(df: pd.DataFrame, table: str) -> pd.DataFrame:
    """The contract columns of ``table`` in order, with the canonical dtypes.

    ``df`` must already be valid (checked, or written by code that keeps the contract);
    columns it lacks are added all missing, extra columns are dropped.
    """
    out: dict[str, pd.Series] = {}
    frame = df.reset_index(drop=True)
    for field in CONTRACT[table].fields:
        column, kind, nullable = field.name, field.kind, field.nullable
        if column not in frame:  # an absent optional column: all missing, as its kind has it
            s = (
                pd.Series(float("nan"), index=frame.index, dtype="float64")
                if kind in ("int", "float")
                else pd.Series([None] * len(frame), index=frame.index, dtype=object)
            )
        elif kind in ("int", "float"):
            s = frame[column].astype("float64" if nullable or kind == "float" else "int64")
        elif kind == "bool" and not nullable:
            s = frame[column].astype(bool)
        else:
            s = frame[column].astype(object)
            s = s.where(s.notna(), None) if nullable else s
        out[column] = s
    return pd.DataFrame(out, index=frame.index)


def canonical_firms(df: pd.DataFrame) -> pd.DataFrame:
    """Canonical firms frame from an already valid one (column order, dtypes, RangeIndex)."""
    return canonical_frame(df, "firms")


def canonical_programmes(df: pd.DataFrame) -> pd.DataFrame:
    """Canonical programmes frame from an already valid one; adds absent optional columns."""
    return canonical_frame(df, "programmes")


def canonical_outcomes(df: pd.DataFrame) -> pd.DataFrame:
    """Canonical outcomes frame from an already valid one."""
    return canonical_frame(df, "outcomes")


def canonical_applications(df: pd.DataFrame) -> pd.DataFrame:
    """Canonical applications frame from an already valid one."""
    return canonical_frame(df, "applications")


def canonical_dataset(tables: Mapping[str, pd.DataFrame]) -> Dataset:
    """A dataset of canonical frames from valid frames by table name; the optional
    tables (``outcomes``, ``applications``, ``feedback``) may be absent."""

    def optional(name: str) -> pd.DataFrame | None:
        frame = tables.get(name)
        return None if frame is None else canonical_frame(frame, name)

    return Dataset(
        canonical_firms(tables["firms"]),
        canonical_programmes(tables["programmes"]),
        optional("outcomes"),
        optional("applications"),
        optional("feedback"),
    )
