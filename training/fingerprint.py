"""The training-data fingerprint recorded in every version's manifest."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

import pandas as pd


def data_fingerprint(frames: Mapping[str, pd.DataFrame | None]) -> str:
    """A stable sha256 of named frames: names, column names, row count and every value.

    Row order matters, the index does not; ``None`` frames (e.g. no outcomes) count as
    absent. Built on :func:`pandas.util.hash_pandas_object`, so object and string
    columns holding the same text give the same fingerprint.
    """
    digest = hashlib.sha256()
    for name in sorted(frames):
        frame = frames[name]
        columns = None if frame is None else [str(c) for c in frame.columns]
        rows = 0 if frame is None else len(frame)
        digest.update(json.dumps([name, columns, rows]).encode("utf-8"))
        if frame is not None and rows:
            hashed = pd.util.hash_pandas_object(frame, index=False).to_numpy()
            digest.update(hashed.astype("<u8").tobytes())
    return digest.hexdigest()
