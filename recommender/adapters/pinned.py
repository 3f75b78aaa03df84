"""The shipped demo model, pinned by hashes in the package and signed on first use.

``models/demo-v1`` ships in the repository without a signature (no key exists before
the first start). Its manifest's content and every file's sha256 are pinned here; when
a registry is opened through the settings (:func:`~recommender.adapters.signing.
open_registry`) and that version does not verify under the local key, it is signed
with the key -- only if its manifest and files match the pin exactly. Anything else
under that name stays unsigned and is refused like any other unsigned version.

Rebuilding the demo model (``make model``) signs it as it is written; update the pin
(``tests/adapters/test_signing.py`` prints the new values) before committing it.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final

from recommender.adapters.champion import registry_lock
from recommender.adapters.manifest import canonical_json, file_problems, read_manifest
from recommender.adapters.registry import Registry
from recommender.constants import DEMO_MODEL_VERSION
from recommender.errors import ModelIntegrityError

log = logging.getLogger("recommender.registry")

PINNED: Final[dict[str, dict[str, Any]]] = {
    DEMO_MODEL_VERSION: {
        "manifest": "a22c5967105b0b6ed9cfcfce96c660b2dff6835e1812e638b6c9cd656c4f54cc",
        "files": {
            "model.txt": "6dceff126d876605117c8f6214f814a019548a84ddd3008c245f6f3142e18e92",
            "pipeline.json": "9eb9c4cca90b7fb8d732b137c856109d8d797f2e35092dc9881e7663efb91a18",
            "report.html": "4b0b76e6d1e2958659fe09f4710867ff399ca877db7a7b0fd379f437b3d81dbb",
            "report.md": "f67851283f02496adff713913c0fb2ea89690ceab08c878cd439f8821b952305",
            "shap_beeswarm.png": "e8777cab51261d14a0a58a4322cdee8edc58837eb71581c16d53278af92f2aa7",
            "shap_importance.png": (
                "b3df78b7727a56c675335246b063d881dca87042af943588c8242a9bd6c23e55"
            ),
        },
    }
}
"""Version -> sha256 of its manifest's content (without ``hmac`` and ``trusted``) and
of every file."""


def manifest_digest(manifest: Mapping[str, Any]) -> str:
    """sha256 of what a manifest says, whoever signed it (``hmac``, ``trusted`` left out)."""
    body = {k: v for k, v in manifest.items() if k != "trusted"}
    return hashlib.sha256(canonical_json(body)).hexdigest()


def matches_pin(registry: Registry, version: str) -> bool:
    """Whether a version's manifest and files are exactly the pinned ones."""
    pin = PINNED.get(version)
    folder = registry.root / version
    if pin is None or not folder.is_dir():
        return False
    try:
        manifest = read_manifest(folder, version)
    except ModelIntegrityError:
        return False
    return (
        manifest_digest(manifest) == pin["manifest"]
        and manifest["files"] == pin["files"]
        and not file_problems(folder, manifest)
    )


def sign_pinned(registry: Registry) -> list[str]:
    """Sign every pinned version present that the key does not verify yet and that
    matches its pin; returns the versions signed."""
    from recommender.adapters.signing import resign

    signed: list[str] = []
    for version in PINNED:
        folder = registry.root / version
        if not folder.is_dir():
            continue
        try:
            read_manifest(folder, version, signing_key=registry.signing_key)
            continue  # signed already
        except ModelIntegrityError:
            pass
        with registry_lock(registry.root):
            if not matches_pin(registry, version):
                log.warning("%s is unsigned and does not match its pin: not signed", version)
                continue
            note = {"by": "pin", "at": datetime.now(UTC).isoformat(timespec="seconds")}
            try:
                resign(registry, version, read_manifest(folder, version), note)
            except OSError as exc:  # a read-only models folder: refused later, as unsigned
                log.warning("cannot sign the pinned %s (%s)", version, type(exc).__name__)
                continue
        log.info("signed the shipped %s with the local key (it matches its pin)", version)
        signed.append(version)
    return signed
