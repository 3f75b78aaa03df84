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
        "manifest": "2597c925f0cff698b627fadad2646ae6f2b329f2d8eb93677e81d75469442aaf",
        "files": {
            "calibration.json": "a72917f5c272b8bac8efeeb560f0a8a3574ca72ca46bd4a261f38c58b4c2b2aa",
            "model.txt": "582d1b59b6d0f5b59f0f5e20632f81f72cad1a0d46b33f8a043310abd4ff6108",
            "pipeline.json": "483e8168342acc62bd210a41647a5a15e95aca8030316cee954230939ca61124",
            "reliability.png": "3500432424be7e4f6679fa5dfbe1f5ad36939523d9a2415948b8ea2c6199cc41",
            "report.html": "760be650bbae8fe83a8235d5df45aeab820fd487dba11bf952ab5c4a810b7751",
            "report.md": "88bc5bf2d8f3315d21a1943dc38a966d60d2aca2f4097ed9f036e6fc2f8bac41",
            "shap_beeswarm.png": "bb5a7493f5ed704e2e5957657879e29bf658c78ed6be44d4d3494c6f827506af",
            "shap_importance.png": (
                "7d22289bde552aac75ab2475e166aa9ae89d093b07ae2c7eae4b0073bc367351"
            ),
            "transparency.json": "f903caa5d41b77b0faa6aaca8ecbfbfb0d370e385b4147499f359466b64384f7",
            "transparency.md": "abf299fa06596ae7bccd565eeb1a4dd84a95c232cf53f9474e338145c1bb869e",
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
