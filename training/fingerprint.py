"""The training-data fingerprint recorded in every version's manifest, on either engine.

A table's :class:`TableDigest` is its column names, its row count and the sum (mod
2**64) of :func:`pandas.util.hash_pandas_object` over its rows. Digests of disjoint
parts of a table add up to the digest of the whole, so the single-machine engine
(whole frames) and the Dask engine (one digest per partition) record the same
fingerprint for the same data, however it is partitioned and in whatever row order.
Object and string columns holding the same text hash alike; the index is ignored.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

METHOD: Final[str] = (
    "sha256 of each table's columns, row count and sum of row hashes "
    "(independent of partitioning and row order)"
)
_MOD: Final[int] = 2**64


@dataclass(frozen=True)
class TableDigest:
    """What the fingerprint knows of one table (or of a part of it)."""

    columns: tuple[str, ...]
    rows: int
    hash_sum: int

    @classmethod
    def of(cls, frame: pd.DataFrame) -> TableDigest:
        """The digest of a frame's values (its index is ignored)."""
        hashed = pd.util.hash_pandas_object(frame, index=False).to_numpy(np.uint64)
        return cls(
            tuple(str(c) for c in frame.columns), len(frame), int(hashed.sum(dtype=np.uint64))
        )

    def __add__(self, other: TableDigest) -> TableDigest:
        if other.columns != self.columns:
            raise ValueError(
                f"cannot add digests of different tables: {list(self.columns)} "
                f"vs {list(other.columns)}"
            )
        return TableDigest(
            self.columns, self.rows + other.rows, (self.hash_sum + other.hash_sum) % _MOD
        )


def combine(parts: Iterable[Mapping[str, TableDigest]]) -> dict[str, TableDigest]:
    """The digests of whole tables from the digests of their parts (e.g. partitions)."""
    total: dict[str, TableDigest] = {}
    for part in parts:
        for name, digest in part.items():
            total[name] = total[name] + digest if name in total else digest
    return total


def fingerprint(tables: Mapping[str, TableDigest | None]) -> str:
    """A sha256 of named table digests; a ``None`` table (e.g. no outcomes) is named
    but holds nothing, which differs from an empty table and from no entry at all."""
    body = {
        name: None if d is None else [list(d.columns), d.rows, d.hash_sum]
        for name, d in tables.items()
    }
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode("utf-8")).hexdigest()


def data_fingerprint(frames: Mapping[str, pd.DataFrame | None]) -> str:
    """The fingerprint of named frames held whole in memory."""
    return fingerprint(
        {name: None if frame is None else TableDigest.of(frame) for name, frame in frames.items()}
    )
