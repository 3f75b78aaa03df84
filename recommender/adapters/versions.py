"""Model versions on disk: written whole or not at all, verified before anything is read.

Layout under the models directory ``root``::

    <version>/          one trained model; never changed after it is created
        manifest.json   version, created_at, files {path: sha256}, sizes {path: bytes},
                        the caller's metadata, ``hmac`` (HMAC-SHA256 under the
                        deployment's key) and ``trusted`` when re-signed
    _tmp-<hex>/         a version being written; renamed into place only when complete

Nothing in a version but ``manifest.json`` is read before :meth:`VersionStore.verify`
checked it: a truncated LightGBM model aborts the process, one changed digit predicts
silently differently. The manifest's HMAC is checked first, so a writer of the folder
who rewrote files and hashes alike is refused before anything else is read.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import shutil
import time
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Literal

from recommender.adapters.atomic import publish_dir
from recommender.adapters.champion import read_champion, registry_lock
from recommender.adapters.manifest import (
    MANIFEST,
    RESERVED_KEYS,
    file_problems,
    hash_folder,
    is_valid_version_name,
    jsonable,
    manifest_text,
    read_manifest,
    sign,
)
from recommender.constants import CHAMPION
from recommender.errors import ConflictError, ModelIntegrityError, ModelNotFoundError, RegistryError

TMP_PREFIX: Final[str] = "_tmp-"


def _utcnow() -> datetime:
    return datetime.now(UTC)


class PendingVersion(contextlib.AbstractContextManager[Path]):
    """A version being written: ``with`` yields a temporary folder, exit commits it.

    On a clean exit every file is hashed, ``manifest.json`` written, everything synced
    and the folder renamed to ``root/<version>`` in one step; on any exception
    (including ``KeyboardInterrupt``) the folder is removed and the exception
    propagates. ``version`` holds the final name (known before the block runs),
    ``manifest`` the written manifest once committed.
    """

    def __init__(
        self, store: VersionStore, version: str, metadata: dict[str, Any], *, base: str | None
    ) -> None:
        self.version = version
        self.manifest: dict[str, Any] | None = None
        self._store = store
        self._metadata = metadata
        self._base = base  # default names: the timestamp to suffix if taken meanwhile
        self._tmp: Path | None = None

    @property
    def path(self) -> Path:
        """Where the version lives once committed."""
        return self._store.root / self.version

    def __enter__(self) -> Path:
        self._store.root.mkdir(parents=True, exist_ok=True)
        self._tmp = self._store.root / f"{TMP_PREFIX}{uuid.uuid4().hex}"
        self._tmp.mkdir()
        return self._tmp

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> Literal[False]:
        assert self._tmp is not None, "PendingVersion used outside a with-block"
        try:
            if exc_type is None:
                self.version, self.manifest = self._store._commit(
                    self._tmp, self.version, self._metadata, base=self._base
                )
        finally:
            shutil.rmtree(self._tmp, ignore_errors=True)  # gone already after a commit
        return False


class VersionStore:
    """Versioned model folders under ``root``: create, commit, verify, read and list.

    Parameters
    ----------
    root
        The models directory; created on first write.
    signing_key
        Manifests are signed with HMAC-SHA256 under this key, and a manifest without a
        matching ``hmac`` is refused before any file of its version is read. Required:
        the product takes it from :func:`recommender.adapters.signing.signing_key`.

    Raises
    ------
    RegistryError
        An empty signing key.
    """

    def __init__(self, root: Path, *, signing_key: str) -> None:
        if not signing_key:
            raise RegistryError("a model registry needs a signing key: versions are always signed")
        self.root = Path(root)
        self.signing_key = signing_key

    # --- writing ------------------------------------------------------------------
    def create_version(
        self, version: str | None = None, *, metadata: Mapping[str, Any]
    ) -> PendingVersion:
        """Start a new version; use as ``with store.create_version(...) as folder:``.

        Parameters
        ----------
        version
            Name of the version; default ``YYYYMMDD-HHMMSS`` (UTC now), suffixed
            ``-2``, ``-3``... when taken.
        metadata
            Extra manifest fields (features, data_fingerprint, params, metrics,
            library_versions, ...); must be JSON data and avoid the reserved keys.

        Raises
        ------
        RegistryError
            Unsafe version name or unusable metadata.
        ConflictError
            The version exists already.
        """
        clash = RESERVED_KEYS.intersection(metadata)
        if clash:
            raise RegistryError(
                f"manifest metadata may not set {sorted(clash)}: the registry writes those fields"
            )
        clean = jsonable(metadata, "metadata")
        if version is None:
            base = _utcnow().strftime("%Y%m%d-%H%M%S")
            return PendingVersion(self, self._free_name(base), clean, base=base)
        if not is_valid_version_name(version):
            raise RegistryError(
                f"unsafe version name {version!r}: use letters, digits, "
                "'.', '_' and '-', not starting with '.', '_' or '-', "
                f"and not {CHAMPION!r}"
            )
        if (self.root / version).exists():
            raise ConflictError(f"model version {version!r} already exists")
        return PendingVersion(self, version, clean, base=None)

    def _free_name(self, base: str) -> str:
        name, n = base, 1
        while (self.root / name).exists():
            n += 1
            name = f"{base}-{n}"
        return name

    def _commit(
        self, tmp: Path, version: str, metadata: dict[str, Any], *, base: str | None
    ) -> tuple[str, dict[str, Any]]:
        files, sizes = hash_folder(tmp)
        with registry_lock(self.root):
            if (self.root / version).exists():
                if base is None:
                    raise ConflictError(f"model version {version!r} already exists")
                version = self._free_name(base)
            manifest = {
                **metadata,
                "version": version,
                "created_at": _utcnow().isoformat(timespec="seconds"),
                "files": files,
                "sizes": sizes,
            }
            manifest["hmac"] = sign(manifest, self.signing_key)
            (tmp / MANIFEST).write_text(manifest_text(manifest), encoding="utf-8")
            publish_dir(tmp, self.root / version, replace=False)  # syncs every file first
        return version, manifest

    def remove_stale_temp(self, *, older_than_seconds: float = 86_400.0) -> list[str]:
        """Delete ``_tmp-*`` folders left by killed trainings; returns their names."""
        if not self.root.is_dir():
            return []
        cutoff = time.time() - older_than_seconds
        stale = [
            p for p in self.root.glob(f"{TMP_PREFIX}*") if p.is_dir() and p.stat().st_mtime < cutoff
        ]
        for p in stale:
            shutil.rmtree(p, ignore_errors=True)
        return sorted(p.name for p in stale)

    # --- reading and verifying ----------------------------------------------------
    def resolve(self, name: str) -> str:
        """The version a name stands for (``champion`` -> the served version).

        Raises
        ------
        ModelNotFoundError
            No such version, or ``champion`` asked for before any promotion.
        """
        if name == CHAMPION:
            current = read_champion(self.root)
            if current is None:
                raise ModelNotFoundError("no champion has been promoted yet")
            name = current
        if not is_valid_version_name(name) or not (self.root / name).is_dir():
            raise ModelNotFoundError(f"no model version {name!r}")
        return name

    def verify(self, version: str) -> dict[str, Any]:
        """Check a version against its manifest; return the manifest if it all matches.

        Every listed file must exist with the recorded size and sha256, no unlisted file
        may exist, and the manifest's HMAC must match the key (checked first). Only
        ``manifest.json`` is parsed; model files are only hashed.

        Raises
        ------
        ModelNotFoundError
            Unknown version (or no champion when ``version`` is ``champion``).
        ModelIntegrityError
            Naming the version and every file that does not match.
        """
        name = self.resolve(version)
        folder = self.root / name
        manifest = read_manifest(folder, name, signing_key=self.signing_key)
        problems = file_problems(folder, manifest)
        if problems:
            raise ModelIntegrityError(
                f"model version {name!r} failed verification, nothing "
                "was loaded: " + "; ".join(problems)
            )
        return manifest

    def path(self, version: str) -> Path:
        """The folder of a version (or ``champion``), after verifying it."""
        return self.root / self.verify(version)["version"]

    def read_bytes(self, version: str, name: str) -> bytes:
        """The bytes of one file of a verified version, re-hashed as read (no TOCTOU)."""
        manifest = self.verify(version)
        digest = manifest["files"].get(name)
        if digest is None:
            raise ModelNotFoundError(f"model version {manifest['version']!r} has no file {name!r}")
        data = (self.root / manifest["version"] / name).read_bytes()
        if not hmac.compare_digest(hashlib.sha256(data).hexdigest(), digest):
            raise ModelIntegrityError(
                f"model version {manifest['version']!r}: {name}: "
                "changed while being read; nothing was loaded"
            )
        return data

    def versions(self, *, verify: bool = False) -> list[dict[str, Any]]:
        """Every version folder, oldest first: version, created_at, metrics, is_champion,
        valid (manifest readable, or fully verified when ``verify``) and error.
        ``_tmp-*`` folders are ignored."""
        if not self.root.is_dir():
            return []
        try:
            current = read_champion(self.root)
        except ModelIntegrityError:
            current = None
        rows: list[dict[str, Any]] = []
        for entry in self.root.iterdir():
            if not entry.is_dir() or entry.name.startswith(("_", ".")):
                continue
            row: dict[str, Any] = {
                "version": entry.name,
                "created_at": None,
                "metrics": {},
                "is_champion": entry.name == current,
                "valid": False,
                "error": None,
            }
            try:
                if not is_valid_version_name(entry.name):
                    raise ModelNotFoundError(f"{entry.name!r} is not a valid version name")
                m = (
                    self.verify(entry.name)
                    if verify
                    else read_manifest(entry, entry.name, signing_key=self.signing_key)
                )
            except (ModelIntegrityError, ModelNotFoundError) as exc:
                row["error"] = str(exc)
            else:
                metrics = m.get("metrics")
                row.update(
                    created_at=m.get("created_at"),
                    valid=True,
                    metrics=metrics if isinstance(metrics, dict) else {},
                )
            rows.append(row)
        return sorted(rows, key=lambda r: (str(r["created_at"] or ""), r["version"]))
