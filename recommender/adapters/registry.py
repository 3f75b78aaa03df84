"""Model versions on disk: hashed manifests, an optional HMAC, an atomic champion pointer.

Layout under ``root``::

    <version>/          one trained model; never changed after it is created
        manifest.json   version, created_at, files {path: sha256}, sizes {path: bytes},
                        the caller's metadata, and ``hmac`` when a signing key is set
    champion            one line: the served version
    history.json        the champion stack (for rollback) and a log of every switch
    _tmp-<hex>/         a version being written; renamed into place only when complete

Nothing in a version besides ``manifest.json`` is read, parsed or unpickled before
:meth:`Registry.verify` has checked it: a truncated LightGBM text model aborts the
process, one changed digit predicts silently differently, and ``joblib.load`` runs
arbitrary code. With a signing key, a writer of the folder cannot forge the manifest.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import io
import json
import math
import os
import re
import shutil
import time
import uuid
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Literal

import joblib

from recommender.constants import CHAMPION
from recommender.errors import (
    ConflictError,
    ModelIntegrityError,
    ModelNotFoundError,
    PromotionRefusedError,
    RegistryError,
)
from recommender.adapters.manifest import (
    CHUNK,
    folder_entries,
    fsync_dir,
    jsonable,
    safe_relpath,
    sha256_file,
    sign,
    write_atomic,
)

try:  # POSIX advisory lock serialising champion switches; absent on Windows
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

MANIFEST: Final[str] = "manifest.json"
HISTORY: Final[str] = "history.json"
TMP_PREFIX: Final[str] = "_tmp-"
DEFAULT_METRIC: Final[str] = "oracle_ndcg@3"
FALLBACK_METRIC: Final[str] = "validation_score"
RESERVED_KEYS: Final[frozenset[str]] = frozenset({"version", "created_at", "files", "sizes",
                                                  "hmac"})
_RESERVED_NAMES: Final[frozenset[str]] = frozenset({CHAMPION, f"{CHAMPION}.tmp", HISTORY,
                                                    f"{HISTORY}.tmp", MANIFEST})
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_MAX_MANIFEST_BYTES: Final[int] = 16 * 1024 * 1024


def is_valid_version_name(name: str) -> bool:
    """Whether ``name`` may name a version: ``[A-Za-z0-9._-]``, no leading ``.``/``_``/``-``."""
    return bool(_NAME.fullmatch(name)) and name.lower() not in _RESERVED_NAMES


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _number(value: object) -> float | None:
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    return float(value) if ok and math.isfinite(value) else None  # type: ignore[arg-type]


class PendingVersion(contextlib.AbstractContextManager[Path]):
    """A version being written: ``with`` yields a temporary folder, exit commits it.

    On a clean exit every file is hashed and synced, ``manifest.json`` written and the
    folder renamed to ``root/<version>`` in one step; on any exception (including
    ``KeyboardInterrupt``) the folder is removed and the exception propagates.
    ``version`` holds the final name (known before the block runs), ``manifest`` the
    written manifest once committed.
    """

    def __init__(self, registry: Registry, version: str, metadata: dict[str, Any], *,
                 base: str | None) -> None:
        self.version = version
        self.manifest: dict[str, Any] | None = None
        self._registry = registry
        self._metadata = metadata
        self._base = base  # default names: the timestamp to suffix if taken meanwhile
        self._tmp: Path | None = None

    @property
    def path(self) -> Path:
        """Where the version lives once committed."""
        return self._registry.root / self.version

    def __enter__(self) -> Path:
        self._registry.root.mkdir(parents=True, exist_ok=True)
        self._tmp = self._registry.root / f"{TMP_PREFIX}{uuid.uuid4().hex}"
        self._tmp.mkdir()
        return self._tmp

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> Literal[False]:
        assert self._tmp is not None, "PendingVersion used outside a with-block"
        try:
            if exc_type is None:
                self.version, self.manifest = self._registry._commit(
                    self._tmp, self.version, self._metadata, base=self._base)
        finally:
            shutil.rmtree(self._tmp, ignore_errors=True)  # gone already after a commit
        return False


class Registry:
    """Versioned model folders under ``root`` with verified loading and a champion.

    Parameters
    ----------
    root
        The models directory; created on first write.
    signing_key
        When non-empty, manifests are signed with HMAC-SHA256 under this key and a
        manifest without a matching ``hmac`` is refused.
    """

    def __init__(self, root: Path, *, signing_key: str = "") -> None:
        self.root = Path(root)
        self.signing_key = signing_key

    # --- writing versions ---------------------------------------------------------
    def create_version(self, version: str | None = None, *,
                       metadata: Mapping[str, Any]) -> PendingVersion:
        """Start a new version; use as ``with registry.create_version(...) as folder:``.

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
            raise RegistryError(f"manifest metadata may not set {sorted(clash)}: "
                                "the registry writes those fields")
        clean = jsonable(metadata, "metadata")
        if version is None:
            base = _utcnow().strftime("%Y%m%d-%H%M%S")
            return PendingVersion(self, self._free_name(base), clean, base=base)
        if not is_valid_version_name(version):
            raise RegistryError(f"unsafe version name {version!r}: use letters, digits, "
                                "'.', '_' and '-', not starting with '.', '_' or '-', "
                                f"and not {CHAMPION!r}")
        if (self.root / version).exists():
            raise ConflictError(f"model version {version!r} already exists in {self.root}")
        return PendingVersion(self, version, clean, base=None)

    def _free_name(self, base: str) -> str:
        name, n = base, 1
        while (self.root / name).exists():
            n += 1
            name = f"{base}-{n}"
        return name

    def _commit(self, tmp: Path, version: str, metadata: dict[str, Any], *,
                base: str | None) -> tuple[str, dict[str, Any]]:
        files: dict[str, str] = {}
        sizes: dict[str, int] = {}
        for rel in folder_entries(tmp):
            full = tmp / rel
            if rel == MANIFEST:
                raise RegistryError(f"{MANIFEST} is written by the registry; do not create it")
            if full.is_symlink() or not full.is_file():
                raise RegistryError(f"{rel} is not a regular file; a version holds files only")
            digest, size = hashlib.sha256(), 0
            with open(full, "rb") as fh:
                while chunk := fh.read(CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                os.fsync(fh.fileno())
            files[rel], sizes[rel] = digest.hexdigest(), size
        for dirpath, _, _ in os.walk(tmp):
            fsync_dir(Path(dirpath))
        with self._lock():
            if (self.root / version).exists():
                if base is None:
                    raise ConflictError(f"model version {version!r} already exists in {self.root}")
                version = self._free_name(base)
            manifest = {**metadata, "version": version,
                        "created_at": _utcnow().isoformat(timespec="seconds"),
                        "files": files, "sizes": sizes}
            if self.signing_key:
                manifest["hmac"] = sign(manifest, self.signing_key)
            text = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False,
                              allow_nan=False)
            with open(tmp / MANIFEST, "w", encoding="utf-8") as fh:
                fh.write(text + "\n")
                fh.flush()
                os.fsync(fh.fileno())
            fsync_dir(tmp)
            os.rename(tmp, self.root / version)
            fsync_dir(self.root)
        return version, manifest

    def remove_stale_temp(self, *, older_than_seconds: float = 86_400.0) -> list[str]:
        """Delete ``_tmp-*`` folders left by killed trainings; returns their names."""
        if not self.root.is_dir():
            return []
        cutoff = time.time() - older_than_seconds
        stale = [p for p in self.root.glob(f"{TMP_PREFIX}*")
                 if p.is_dir() and p.stat().st_mtime < cutoff]
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
            current = self.champion()
            if current is None:
                raise ModelNotFoundError(f"no champion has been promoted in {self.root}")
            name = current
        if not is_valid_version_name(name) or not (self.root / name).is_dir():
            raise ModelNotFoundError(f"no model version {name!r} in {self.root}")
        return name

    def _read_manifest(self, version: str) -> dict[str, Any]:
        """Parse and check a manifest's structure (and HMAC); no model file is touched."""
        path = self.root / version / MANIFEST

        def bad(why: str) -> ModelIntegrityError:
            return ModelIntegrityError(f"model version {version!r}: {MANIFEST} {why}; "
                                       "nothing was loaded")

        if path.is_symlink() or not path.is_file():
            raise bad("is missing")
        if path.stat().st_size > _MAX_MANIFEST_BYTES:
            raise bad("is unreadable (larger than 16 MB)")
        try:
            manifest = json.loads(path.read_bytes().decode("utf-8"))
        except (ValueError, OSError) as exc:
            raise bad(f"is unreadable ({exc})") from None
        if not isinstance(manifest, dict):
            raise bad("is unreadable (not a JSON object)")
        if self.signing_key:
            given = manifest.get("hmac")
            if not isinstance(given, str):
                raise bad("carries no hmac but a signing key is configured")
            try:
                expected = sign(manifest, self.signing_key)
            except ValueError:
                expected = ""
            if not hmac.compare_digest(given, expected):
                raise bad("hmac does not match: the manifest was edited or signed with "
                          "another key")
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

    def verify(self, version: str) -> dict[str, Any]:
        """Check a version against its manifest; return the manifest if it all matches.

        Every listed file must exist with the recorded size and sha256, no unlisted file
        may exist, and with a signing key the manifest's HMAC must match. Only
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
        manifest = self._read_manifest(name)
        listed: dict[str, str] = manifest["files"]
        sizes: dict[str, Any] = manifest.get("sizes", {})
        present = set(folder_entries(folder)) - {MANIFEST}
        problems = [f"{rel}: unexpected file, not listed in the manifest"
                    for rel in sorted(present - set(listed))]
        for rel, digest in sorted(listed.items()):
            full = folder / rel
            if rel not in present:
                problems.append(f"{rel}: missing")
            elif full.is_symlink() or not full.is_file():
                problems.append(f"{rel}: not a regular file")
            elif rel in sizes and full.stat().st_size != sizes[rel]:
                problems.append(f"{rel}: size mismatch ({full.stat().st_size} bytes, "
                                f"manifest says {sizes[rel]})")
            elif not hmac.compare_digest(sha256_file(full), digest):
                problems.append(f"{rel}: sha256 mismatch (content differs from the manifest)")
        if problems:
            raise ModelIntegrityError(f"model version {name!r} failed verification, nothing "
                                      "was loaded: " + "; ".join(problems))
        return manifest

    def path(self, version: str) -> Path:
        """The folder of a version (or ``champion``), after verifying it."""
        return self.root / self.verify(version)["version"]

    def read_bytes(self, version: str, name: str) -> bytes:
        """The bytes of one file of a verified version, re-hashed as read (no TOCTOU)."""
        manifest = self.verify(version)
        digest = manifest["files"].get(name)
        if digest is None:
            raise ModelNotFoundError(f"model version {manifest['version']!r} has no file "
                                     f"{name!r}")
        data = (self.root / manifest["version"] / name).read_bytes()
        if not hmac.compare_digest(hashlib.sha256(data).hexdigest(), digest):
            raise ModelIntegrityError(f"model version {manifest['version']!r}: {name}: "
                                      "changed while being read; nothing was loaded")
        return data

    def load_joblib(self, version: str, name: str = "pipeline.joblib") -> Any:
        """Unpickle a joblib file of a version, only after the whole version verified."""
        return joblib.load(io.BytesIO(self.read_bytes(version, name)))

    def versions(self, *, verify: bool = False) -> list[dict[str, Any]]:
        """Every version folder, oldest first: version, created_at, metrics, is_champion,
        valid (manifest readable, or fully verified when ``verify``) and error.
        ``_tmp-*`` folders are ignored."""
        if not self.root.is_dir():
            return []
        try:
            current = self.champion()
        except ModelIntegrityError:
            current = None
        rows: list[dict[str, Any]] = []
        for entry in self.root.iterdir():
            if not entry.is_dir() or entry.name.startswith(("_", ".")):
                continue
            row: dict[str, Any] = {"version": entry.name, "created_at": None, "metrics": {},
                                   "is_champion": entry.name == current, "valid": False,
                                   "error": None}
            try:
                if not is_valid_version_name(entry.name):
                    raise ModelNotFoundError(f"{entry.name!r} is not a valid version name")
                m = self.verify(entry.name) if verify else self._read_manifest(entry.name)
            except (ModelIntegrityError, ModelNotFoundError) as exc:
                row["error"] = str(exc)
            else:
                metrics = m.get("metrics")
                row.update(created_at=m.get("created_at"), valid=True,
                           metrics=metrics if isinstance(metrics, dict) else {})
            rows.append(row)
        return sorted(rows, key=lambda r: (str(r["created_at"] or ""), r["version"]))

    # --- the champion -------------------------------------------------------------
    def champion(self) -> str | None:
        """The served version, or ``None`` before the first promotion."""
        path = self.root / CHAMPION
        try:
            text = path.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            raise ModelIntegrityError(f"{path} is unreadable ({exc})") from None
        if not is_valid_version_name(text):
            raise ModelIntegrityError(f"{path} does not name a valid version: {text[:80]!r}")
        return text

    def champion_token(self) -> tuple[str | None, int]:
        """A cheap change detector for servers: ``(champion, mtime_ns of its file)``."""
        try:
            mtime = (self.root / CHAMPION).stat().st_mtime_ns
        except FileNotFoundError:
            return None, 0
        return self.champion(), mtime

    def promote(self, version: str, *, force: bool = False,
                metric: str = DEFAULT_METRIC) -> str:
        """Make a verified version the champion; returns its name.

        The candidate must verify (even with ``force``) and must not score worse than
        the champion on ``metrics[metric]`` (higher is better), falling back to
        ``metrics['validation_score']`` when either lacks ``metric``.

        Raises
        ------
        ModelIntegrityError
            The candidate fails verification.
        PromotionRefusedError
            Worse than the champion, or not comparable, and ``force`` not given.
        """
        name = self.resolve(version)
        candidate = self.verify(name)
        with self._lock():
            current = self.champion()
            if current == name:
                return name
            if current is not None and not force:
                self._refuse_if_worse(name, candidate, current, metric)
            self._switch(name, previous=current, action="promote", forced=force)
        return name

    def _refuse_if_worse(self, name: str, candidate: Mapping[str, Any], current: str,
                         metric: str) -> None:
        try:
            incumbent = self.verify(current)
        except (ModelIntegrityError, ModelNotFoundError) as exc:
            raise PromotionRefusedError(f"cannot compare {name!r} with the champion "
                                        f"{current!r} ({exc}); pass force to promote "
                                        "anyway") from None
        ours, theirs = candidate.get("metrics") or {}, incumbent.get("metrics") or {}
        for key in dict.fromkeys((metric, FALLBACK_METRIC)):
            a, b = _number(ours.get(key)), _number(theirs.get(key))
            if a is not None and b is not None:
                if a < b:
                    raise PromotionRefusedError(
                        f"candidate {name!r} has {key} = {a:.6g}, worse than champion "
                        f"{current!r} at {b:.6g} (higher is better); pass force to promote "
                        "anyway")
                return
        raise PromotionRefusedError(
            f"cannot compare {name!r} with champion {current!r}: both need metrics[{metric!r}]"
            f" or metrics[{FALLBACK_METRIC!r}]; pass force to promote anyway")

    def rollback(self) -> str:
        """Return to the previous champion (verified first); returns its name.

        Raises
        ------
        ModelNotFoundError
            There is no previous champion.
        ModelIntegrityError
            The previous champion fails verification; the champion is unchanged.
        """
        with self._lock():
            current = self.champion()
            stack = self._history()["stack"]
            while stack and stack[-1] == current:
                stack.pop()
            if not stack:
                raise ModelNotFoundError(f"no previous champion to roll back to in {self.root}")
            target = stack[-1]
            self.verify(target)
            self._switch(target, previous=current, action="rollback", forced=False,
                         stack=stack)
        return target

    def history(self) -> list[dict[str, Any]]:
        """Every champion switch, oldest first (at, action, version, previous, forced)."""
        return list(self._history()["events"])

    def _history(self) -> dict[str, Any]:
        path = self.root / HISTORY
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"stack": [], "events": []}
        except (OSError, ValueError) as exc:
            raise ModelIntegrityError(f"{path} is unreadable ({exc})") from None
        if not (isinstance(data, dict) and isinstance(data.get("stack"), list)
                and isinstance(data.get("events"), list)):
            raise ModelIntegrityError(f"{path} is unreadable (expected 'stack' and 'events')")
        return data

    def _switch(self, name: str, *, previous: str | None, action: str, forced: bool,
                stack: list[str] | None = None) -> None:
        """Point the champion at ``name`` (atomically), then record it in the history."""
        history = self._history()
        if stack is None:
            stack = history["stack"]
            if previous is not None and (not stack or stack[-1] != previous):
                stack.append(previous)
            stack.append(name)
        write_atomic(self.root / CHAMPION, f"{name}\n".encode())
        history["stack"] = stack
        history["events"].append({"at": _utcnow().isoformat(timespec="seconds"),
                                  "action": action, "version": name, "previous": previous,
                                  "forced": forced})
        write_atomic(self.root / HISTORY, json.dumps(history, indent=2).encode("utf-8"))

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        """Serialise writers of the champion and of new version names (flock on root)."""
        self.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.root, os.O_RDONLY)
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)  # released when fd closes
            yield
        finally:
            os.close(fd)
