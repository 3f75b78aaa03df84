"""What a version folder may hold and how its manifest vouches for it: version names,
file hashes, canonical JSON and its HMAC, and the manifest's own structure.

Pure helpers of :mod:`recommender.adapters.versions`; nothing here writes a file.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import os
import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import numpy as np

from recommender.constants import CHAMPION
from recommender.errors import ModelIntegrityError, RegistryError

CHUNK: Final[int] = 1 << 20
MANIFEST: Final[str] = "manifest.json"
HISTORY: Final[str] = "history.json"
RESERVED_KEYS: Final[frozenset[str]] = frozenset(
    {"version", "created_at", "files", "sizes", "hmac", "trusted"}
)
MAX_MANIFEST_BYTES: Final[int] = 16 * 1024 * 1024
_RESERVED_NAMES: Final[frozenset[str]] = frozenset(
    {CHAMPION, f"{CHAMPION}.tmp", HISTORY, f"{HISTORY}.tmp", MANIFEST}
)
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_SHA256 = re.compile(r"[0-9a-f]{64}")


def is_valid_version_name(name: str) -> bool:
    """Whether ``name`` may name a version: ``[A-Za-z0-9._-]``, no leading ``.``/``_``/``-``."""
    return bool(_NAME.fullmatch(name)) and name.lower() not in _RESERVED_NAMES


# --- hashes -------------------------------------------------------------------------------
def sha256_file(path: Path) -> str:
    """The hex sha256 of a file's bytes, read in chunks."""
    return hash_file(path)[0]


def hash_file(path: Path) -> tuple[str, int]:
    """``(hex sha256, size in bytes)`` of a file, read in chunks."""
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def hash_folder(folder: Path) -> tuple[dict[str, str], dict[str, int]]:
    """``(files, sizes)`` of a version being committed: every file's sha256 and size.

    Raises
    ------
    RegistryError
        The folder holds a ``manifest.json`` (the registry writes it) or anything that
        is not a regular file (a symlink, a socket...).
    """
    files: dict[str, str] = {}
    sizes: dict[str, int] = {}
    for rel in folder_entries(folder):
        full = folder / rel
        if rel == MANIFEST:
            raise RegistryError(f"{MANIFEST} is written by the registry; do not create it")
        if full.is_symlink() or not full.is_file():
            raise RegistryError(f"{rel} is not a regular file; a version holds files only")
        files[rel], sizes[rel] = hash_file(full)
    return files, sizes


def folder_entries(folder: Path) -> list[str]:
    """Every non-directory entry below ``folder`` (symlinks included), as POSIX paths."""
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        base = Path(dirpath)
        linked = [d for d in dirnames if (base / d).is_symlink()]
        found += [(base / n).relative_to(folder).as_posix() for n in [*filenames, *linked]]
    return sorted(found)


def safe_relpath(rel: object) -> bool:
    """Whether a manifest path stays inside its folder (no ``..``, no absolute path)."""
    if not isinstance(rel, str) or not rel or "\\" in rel or rel.startswith("/"):
        return False
    return all(part not in {"", ".", ".."} for part in rel.split("/"))


# --- JSON and its signature -----------------------------------------------------------
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
    """The bytes the HMAC covers: every field but ``hmac``, sorted, compact."""
    body = {k: v for k, v in manifest.items() if k != "hmac"}
    return json.dumps(
        body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def sign(manifest: Mapping[str, Any], key: str) -> str:
    """HMAC-SHA256 of the canonical manifest under ``key``, as hex."""
    return hmac.new(key.encode("utf-8"), canonical_json(manifest), hashlib.sha256).hexdigest()


def manifest_text(manifest: Mapping[str, Any]) -> str:
    """``manifest.json`` as written: indented, sorted, UTF-8, no NaN."""
    return (
        json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n"
    )


# --- reading a manifest ---------------------------------------------------------------
def read_manifest(folder: Path, version: str, *, signing_key: str = "") -> dict[str, Any]:
    """Parse and check a version's manifest (structure, and HMAC with a key).

    No other file of the version is touched.

    Without a key only the structure is checked (:func:`~recommender.adapters.signing.
    trust_version` reads a foreign manifest so); a registry always passes its key.

    Raises
    ------
    ModelIntegrityError
        Missing, oversized, unreadable, unsigned or forged, naming another version, or
        listing a path outside the folder or a malformed digest.
    """
    path = folder / MANIFEST

    def bad(why: str) -> ModelIntegrityError:
        return ModelIntegrityError(
            f"model version {version!r}: {MANIFEST} {why}; nothing was loaded"
        )

    if path.is_symlink() or not path.is_file():
        raise bad("is missing")
    if path.stat().st_size > MAX_MANIFEST_BYTES:
        raise bad("is unreadable (larger than 16 MB)")
    try:
        manifest = json.loads(path.read_bytes().decode("utf-8"))
    except (ValueError, OSError) as exc:
        raise bad(f"is unreadable ({exc})") from None
    if not isinstance(manifest, dict):
        raise bad("is unreadable (not a JSON object)")
    if signing_key:
        given = manifest.get("hmac")
        if not isinstance(given, str):
            raise bad("is unsigned (no hmac): accept it with `recommender models trust`")
        try:
            expected = sign(manifest, signing_key)
        except ValueError:
            expected = ""
        if not hmac.compare_digest(given, expected):
            raise bad(
                "hmac does not match: the manifest was edited or signed with another key "
                "(accept a version from elsewhere with `recommender models trust`)"
            )
    if manifest.get("version") != version:
        raise bad(f"names version {manifest.get('version')!r}, not the folder's")
    files, sizes = manifest.get("files"), manifest.get("sizes", {})
    if not isinstance(files, dict) or not isinstance(sizes, dict):
        raise bad("is unreadable ('files' and 'sizes' must be objects)")
    for rel, digest in files.items():
        if not safe_relpath(rel) or rel == MANIFEST:
            raise bad(f"lists an unsafe path {rel!r}")
        if not isinstance(digest, str) or not _SHA256.fullmatch(digest):
            raise bad(f"has no valid sha256 for {rel}")
    return manifest


def file_problems(folder: Path, manifest: Mapping[str, Any]) -> list[str]:
    """What does not match between a folder and its checked manifest (empty: all match).

    Every listed file must exist as a regular file with the recorded size and sha256,
    and no unlisted file may exist.
    """
    listed: dict[str, str] = manifest["files"]
    sizes: dict[str, Any] = manifest.get("sizes", {})
    present = set(folder_entries(folder)) - {MANIFEST}
    problems = [
        f"{rel}: unexpected file, not listed in the manifest"
        for rel in sorted(present - set(listed))
    ]
    for rel, digest in sorted(listed.items()):
        full = folder / rel
        if rel not in present:
            problems.append(f"{rel}: missing")
        elif full.is_symlink() or not full.is_file():
            problems.append(f"{rel}: not a regular file")
        elif rel in sizes and full.stat().st_size != sizes[rel]:
            problems.append(
                f"{rel}: size mismatch ({full.stat().st_size} bytes, manifest says {sizes[rel]})"
            )
        elif not hmac.compare_digest(sha256_file(full), digest):
            problems.append(f"{rel}: sha256 mismatch (content differs from the manifest)")
    return problems
