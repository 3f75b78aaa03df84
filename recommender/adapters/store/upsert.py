"""Insert-or-update a canonical frame by its key, in bulk, counting what changed.

Portable on purpose (no ``ON CONFLICT`` dialects): the stored rows for the incoming keys
are read, compared column by column in pandas, and then new rows go in with one
executemany ``INSERT`` and changed rows with one executemany ``UPDATE`` (on PostgreSQL
with psycopg, ``COPY`` instead: :mod:`recommender.adapters.store.pgcopy`). Rows equal to what is
stored are not touched, so re-importing the same data writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Final

import numpy as np
import pandas as pd
from sqlalchemy import Table, and_, bindparam, insert, update
from sqlalchemy.orm import Session

from recommender.adapters.store.frame_rows import row_params, same_values
from recommender.adapters.store.pgcopy import copy_insert, copy_update, supports_copy
from recommender.errors import ConflictError

IN_CHUNK: Final[int] = 500  # values per SQL ``IN (...)``, well under every driver's limit


def chunks(values: Sequence[Any], size: int = IN_CHUNK) -> Iterator[Sequence[Any]]:
    """Consecutive slices of ``values`` of at most ``size`` items."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def describe_key(key: Sequence[str], values: Sequence[Any]) -> str:
    """``firm_id='F1', year=2024`` — a key as a person reads it."""
    return ", ".join(f"{k}={v!r}" for k, v in zip(key, values, strict=True))


def refuse_duplicate_keys(frame: pd.DataFrame, key: Sequence[str], *, what: str) -> None:
    """Raise :class:`ConflictError` naming the first keys that occur more than once."""
    dup = frame.duplicated(subset=list(key), keep="first")
    if dup.any():
        shown = frame.loc[dup, list(key)].head(5).itertuples(index=False, name=None)
        listed = "; ".join(f"({describe_key(key, row)})" for row in shown)
        raise ConflictError(f"{int(dup.sum())} duplicate {what} in the input: {listed}")


def upsert_frame(
    session: Session,
    table: Table,
    incoming: pd.DataFrame,
    existing: pd.DataFrame,
    *,
    key: Sequence[str],
    kinds: Mapping[str, str],
    what: str,
    insert_extra: Mapping[str, Any] | None = None,
) -> dict[str, int]:
    """Write ``incoming`` into ``table``: insert new keys, update changed rows.

    Parameters
    ----------
    session
        Open session; the caller owns the transaction.
    table
        Target table.
    incoming
        Canonical frame to store; its columns that appear in ``kinds`` are written.
    existing
        The stored rows for (at least) the keys of ``incoming``, canonical, with the
        same compared columns.
    key
        Columns identifying a row.
    kinds
        Column -> value kind (see :func:`recommender.adapters.store.frame_rows.row_params`).
    what
        Plural noun for messages (``"firm profiles"``).
    insert_extra
        Values set on inserted rows only (e.g. ``created_at``, ``source``).

    Returns
    -------
    dict
        ``{"added": n, "updated": n, "unchanged": n}``.
    """
    refuse_duplicate_keys(incoming, key, what=what)
    columns = [c for c in kinds if c in incoming.columns]
    compared = [c for c in columns if c not in key]
    incoming = incoming[columns].reset_index(drop=True)
    stored = existing[[*key, *compared]].rename(columns={c: f"{c}__db" for c in compared})
    merged = incoming.merge(stored, on=list(key), how="left", indicator=True, sort=False)
    if len(merged) != len(incoming):  # pragma: no cover - stored keys are unique
        raise ConflictError(f"stored {what} have duplicate keys")
    is_new = (merged["_merge"] == "left_only").to_numpy()
    changed = np.zeros(len(merged), dtype=bool)
    for col in compared:
        changed |= ~same_values(merged[col], merged[f"{col}__db"])
    changed &= ~is_new

    fast = supports_copy(session)
    added = incoming.loc[is_new]
    if len(added):
        params = row_params(added, kinds)
        if insert_extra:
            params = [{**p, **insert_extra} for p in params]
        if fast:
            copy_insert(session, table, params)
        else:
            session.execute(insert(table), params)
    updated = incoming.loc[changed]
    if len(updated) and compared:
        if fast:
            copy_update(session, table, row_params(updated, kinds), key=key)
        else:
            where = and_(*(table.c[k] == bindparam(f"k_{k}") for k in key))
            stmt = update(table).where(where).values({c: bindparam(f"v_{c}") for c in compared})
            prefix = {c: "k_" if c in key else "v_" for c in columns}
            session.execute(stmt, row_params(updated, kinds, prefix=prefix))
    return {
        "added": int(is_new.sum()),
        "updated": int(changed.sum()),
        "unchanged": int(len(incoming) - is_new.sum() - changed.sum()),
    }
