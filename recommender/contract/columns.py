"""The contract's tables as pandera schemas, derived from :mod:`recommender.contract.fields`.

A schema checks *parsed* columns (:mod:`recommender.contract.cells`): bounds, allowed
values and the order rules between columns. Each column's ``description`` holds what a
cell must be in plain words, which is what a problem reports as *expected*.
"""

from __future__ import annotations

import re
from typing import Final

import numpy as np
import pandas as pd
import pandera.pandas as pa

from recommender.constants import ALL, LIST_SEP
from recommender.contract.cells import PARSED_DTYPES
from recommender.contract.fields import CONTRACT
from recommender.contract.spec import Field, Order, Table


def described(field: Field) -> str:
    """What a cell of ``field`` must be, as problems report it."""
    return field.expected + (" or empty" if field.nullable else "")


def _listed(field: Field) -> pa.Check:
    """Cells are ``;``-separated names from the field's values (or the wildcard ``*``)."""
    known = frozenset(field.values)

    def ok(cell: str) -> bool:
        return (field.wildcard and cell == ALL) or set(cell.split(LIST_SEP)) <= known

    return pa.Check(lambda s: s.map(ok).astype(bool), name=f"known_{field.name}")


def _identifier(pattern: str, max_length: int, name: str) -> pa.Check:
    """Cells match ``pattern`` whole and hold at most ``max_length`` characters."""
    whole = re.compile(rf"(?:{pattern})\Z")

    def ok(cell: str) -> bool:
        return len(cell) <= max_length and whole.match(cell) is not None

    return pa.Check(lambda s: s.map(ok).astype(bool), name=f"identifier_{name}")


def _checks(field: Field) -> list[pa.Check]:
    checks: list[pa.Check] = []
    if field.ge is not None and field.le is not None:
        checks.append(pa.Check.in_range(field.ge, field.le))
    elif field.ge is not None:
        checks.append(pa.Check.ge(field.ge))
    elif field.le is not None:
        checks.append(pa.Check.le(field.le))
    if field.pattern is not None and field.max_length is not None:
        checks.append(_identifier(field.pattern, field.max_length, field.name))
    if field.kind == "enum":
        checks.append(pa.Check.isin(field.values))
    elif field.kind == "list":
        checks.append(_listed(field))
    return checks


def column(field: Field) -> pa.Column:
    """The pandera column of one field; ``metadata["kind"]`` is its parse kind."""
    return pa.Column(
        PARSED_DTYPES[field.kind],
        _checks(field),
        nullable=field.nullable,
        description=described(field),
        metadata={"kind": field.kind},
    )


def order_check(order: Order) -> pa.Check:
    """A frame-wide check of one order rule; rows missing either side pass."""

    def holds(df: pd.DataFrame) -> pd.Series:
        if order.low not in df or order.high not in df:
            return pd.Series(True, index=df.index)
        low, high = df[order.low], df[order.high]
        given = (low.notna() & high.notna()).to_numpy(dtype=bool)
        ok = np.ones(len(df), dtype=bool)
        ok[given] = (low[given] <= high[given]).to_numpy(dtype=bool)
        return pd.Series(ok, index=df.index)

    return pa.Check(holds, name=order.name)


def schema(table: Table) -> pa.DataFrameSchema:
    """The pandera schema of one contract table."""
    return pa.DataFrameSchema(
        {f.name: column(f) for f in table.fields},
        checks=[order_check(o) for o in table.orders],
        name=table.name,
    )


SCHEMAS: Final[dict[str, pa.DataFrameSchema]] = {
    name: schema(table) for name, table in CONTRACT.items()
}
FIRMS_SCHEMA: Final = SCHEMAS["firms"]
PROGRAMMES_SCHEMA: Final = SCHEMAS["programmes"]
OUTCOMES_SCHEMA: Final = SCHEMAS["outcomes"]
APPLICATIONS_SCHEMA: Final = SCHEMAS["applications"]
