"""Manifest building blocks: file hashes, data fingerprints, canonical JSON and its HMAC,
and durable writes. Pure helpers of :mod:`recommender.adapters.registry`."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import math
import os
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from recommender.errors import RegistryError

CHUNK: Final[int] = 1 << 20


def sha256_file(path: Path) -> str:
    """The hex sha256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


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


def jsonable(value: Any, where: str) -> Any:
    """Plain JSON types for the manifest (NumPy scalars unwrapped, NaN/inf -> None)."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist(), where)
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    raise RegistryError(f"manifest metadata {where}: {type(value).__name__} is not JSON data")


def canonical_json(manifest: Mapping[str, Any]) -> bytes:
    body = {k: v for k, v in manifest.items() if k != "hmac"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def sign(manifest: Mapping[str, Any], key: str) -> str:
    return hmac.new(key.encode("utf-8"), canonical_json(manifest), hashlib.sha256).hexdigest()


def fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):  # directories cannot be opened for fsync everywhere
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``path.tmp``, fsync it, rename it over ``path``: readers see old or new."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def folder_entries(folder: Path) -> list[str]:
    """Every non-directory entry below ``folder`` (symlinks included), as POSIX paths."""
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        base = Path(dirpath)
        linked = [d for d in dirnames if (base / d).is_symlink()]
        found += [(base / n).relative_to(folder).as_posix() for n in [*filenames, *linked]]
    return sorted(found)


def safe_relpath(rel: object) -> bool:
    if not isinstance(rel, str) or not rel or "\\" in rel or rel.startswith("/"):
        return False
    return all(part not in {"", ".", ".."} for part in rel.split("/"))
