"""The signing key of a deployment and the registry opened with it.

Every registry the product opens through its settings signs the manifests it writes and
refuses a version whose manifest carries no valid HMAC under this key, before any other
file of it is read. The key is, in order of precedence:

1. ``Settings.signing_key`` (``RECOMMENDER_SIGNING_KEY``);
2. the file ``Settings.signing_key_file`` (``RECOMMENDER_SIGNING_KEY_FILE``);
3. ``var_dir/signing.key``, created on first use: 32 random bytes as hex, mode 0600,
   written to a temporary file and hard-linked into place, so two processes starting
   at once agree on one key and an existing key is never overwritten.

A version brought from another deployment is accepted with :func:`trust_version`
(``recommender models trust``): its files are checked against its manifest, and the
manifest is re-signed under the local key with a note of who trusted it and when.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import stat
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from recommender.adapters.atomic import fsync_dir, write_atomic
from recommender.adapters.champion import registry_lock
from recommender.adapters.manifest import (
    MANIFEST,
    file_problems,
    manifest_text,
    read_manifest,
    sign,
)
from recommender.adapters.registry import Registry
from recommender.errors import ModelIntegrityError, RegistryError
from recommender.settings import Settings

log = logging.getLogger("recommender.registry")

KEY_FILE: Final[str] = "signing.key"
MIN_KEY_CHARS: Final[int] = 16


def key_path(settings: Settings) -> Path:
    """The key file in force: the configured one, else ``var_dir/signing.key``."""
    return settings.signing_key_file or settings.var_dir / KEY_FILE


def signing_key(settings: Settings) -> str:
    """The deployment's signing key (see the module docstring), created if need be.

    Raises
    ------
    RegistryError
        The key file is unreadable, too short, or (the default file) readable by
        others than its owner.
    """
    if settings.signing_key:
        return settings.signing_key
    path = key_path(settings)
    if settings.signing_key_file is None and not path.exists():
        _create_key_file(path)
    return _read_key_file(path, strict_mode=settings.signing_key_file is None)


def _create_key_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_hex(32) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        with contextlib.suppress(FileExistsError):  # another process won: keep its key
            os.link(tmp, path)
            log.warning("created the model signing key %s (keep it; back it up)", path.name)
    finally:
        tmp.unlink(missing_ok=True)
    fsync_dir(path.parent)


def _read_key_file(path: Path, *, strict_mode: bool) -> str:
    try:
        mode = path.stat().st_mode
        key = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise RegistryError(
            f"the signing key file {path.name} is unreadable ({type(exc).__name__})"
        ) from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        if strict_mode:
            raise RegistryError(
                f"the signing key file {path.name} is open to other users "
                f"(mode {stat.S_IMODE(mode):o}): chmod 600 it"
            )
        log.warning("the signing key file %s is readable by other users", path.name)
    if len(key) < MIN_KEY_CHARS:
        raise RegistryError(
            f"the signing key file {path.name} holds fewer than {MIN_KEY_CHARS} characters"
        )
    return key


def open_registry(settings: Settings, *, trial: bool = True) -> Registry:
    """The registry of ``settings.models_dir`` under the deployment's signing key.

    The shipped demo model is signed on first use when its files match the pin in
    :mod:`recommender.adapters.pinned`; with ``trial`` a candidate is test-loaded in a
    child process (:mod:`recommender.adapters.trial`) before the champion moves to it.
    """
    from recommender.adapters.pinned import sign_pinned
    from recommender.adapters.trial import TrialLoader

    registry = Registry(
        settings.models_dir,
        signing_key=signing_key(settings),
        trial=TrialLoader(timeout=settings.model_trial_timeout_seconds) if trial else None,
    )
    sign_pinned(registry)
    return registry


def resign(
    registry: Registry, version: str, manifest: dict[str, Any], note: dict[str, Any]
) -> None:
    """Replace a version's manifest by ``manifest`` plus ``note``, signed under the
    registry's key (atomically). Call it holding :func:`registry_lock`."""
    body = {k: v for k, v in manifest.items() if k != "hmac"}
    body["trusted"] = note
    body["hmac"] = sign(body, registry.signing_key)
    write_atomic(registry.root / version / MANIFEST, manifest_text(body))


def trust_version(registry: Registry, version: str, *, by: str) -> dict[str, Any]:
    """Accept a version signed elsewhere (or unsigned): check its files, re-sign it.

    Only the manifest is parsed; every listed file must match its size and sha256 and
    no other file may exist. Returns the note written into the manifest (``trusted``:
    by, at, and the HMAC it carried before, if any). Logged at WARNING.

    Raises
    ------
    ModelNotFoundError
        No such version.
    ModelIntegrityError
        The manifest is unreadable or a file does not match it; nothing was changed.
    """
    name = registry.resolve(version)
    folder = registry.root / name
    with registry_lock(registry.root):
        manifest = read_manifest(folder, name)  # structure only: the HMAC is ours to set
        problems = file_problems(folder, manifest)
        if problems:
            raise ModelIntegrityError(
                f"model version {name!r} does not match its own manifest, not trusted: "
                + "; ".join(problems)
            )
        previous = manifest.get("hmac")
        note = {
            "by": by,
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "previous_hmac": previous if isinstance(previous, str) else None,
        }
        resign(registry, name, manifest, note)
    log.warning("model version %s trusted and re-signed by %s", name, by)
    return note
