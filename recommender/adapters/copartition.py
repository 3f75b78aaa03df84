"""Co-partitioning by firm: every table of a data directory hash-partitioned on
``firm_id`` into the same ``n`` partitions (a Dask shuffle with fixed divisions), so
partition ``i`` of ``firms`` and partition ``i`` of ``outcomes`` hold the same firms.
Each row keeps its original position (:data:`ROW`) for problem reports."""

from __future__ import annotations

import math
from typing import Any, Final

import dask.dataframe as dd
import numpy as np
import pandas as pd

PART: Final[str] = "_part"
ROW: Final[str] = "_row"


def firm_partition(firm_ids: pd.Series, n: int) -> np.ndarray:
    """Partition number in ``[0, n)`` of each firm id, from a stable hash of its text."""
    hashed = pd.util.hash_array(firm_ids.astype(str).to_numpy(dtype=object))
    return (hashed % np.uint64(n)).astype(np.int64)


def _numbered(
    part: pd.DataFrame, offsets: list[int], n: int, partition_info: dict[str, Any] | None = None
) -> pd.DataFrame:
    number = partition_info["number"] if partition_info else 0
    start = offsets[number]
    return part.assign(
        **{
            ROW: np.arange(start, start + len(part), dtype=np.int64),
            PART: firm_partition(part["firm_id"], n),
        }
    )


def partition_lengths(frame: dd.DataFrame) -> list[int]:
    """Rows in each partition of ``frame`` (one pass over it)."""
    return [int(x) for x in frame.map_partitions(len).compute()]


def co_partition(frame: dd.DataFrame, n: int, lengths: list[int]) -> dd.DataFrame:
    """``frame`` with its original row position (:data:`ROW`) shuffled into ``n``
    partitions by firm: every table partitioned this way lines up firm by firm.
    ``lengths`` are the rows of each partition of ``frame``."""
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(int).tolist()
    meta = frame._meta.assign(**{ROW: np.int64(0), PART: np.int64(0)})
    numbered = frame.map_partitions(_numbered, offsets, n, meta=meta)
    return numbered.set_index(PART, divisions=(*range(n), n - 1))


def partition_count(rows: int, *, partition_rows: int, minimum: int = 1) -> int:
    """Enough partitions for about ``partition_rows`` rows each (and at least ``minimum``)."""
    return max(minimum, math.ceil(rows / max(1, partition_rows)))
