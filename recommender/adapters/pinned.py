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
        "manifest": "6470b00734c53da35069e849c504cab2b7d3bab4e9c397ab04bbc249c024ce67",
        "files": {
            "calibration.json": "14280693aa7252357bf175a8616b3d61a1967772cef18d0ebbf3e6c414d4313f",
            "model.txt": "d51503c073d71ff7528f68e133b9a40958487675241bedbf7cdd6255815c1dec",
            "pipeline.json": "d5e5d6bafbd70adb8a0f48a1f393c2b10ca82f9c7fc885d0912a20cf2bdb1ab7",
            "reliability.png": "0bb5a41c03c3779dfbfa5640bcd74c378f47401080d4586d139b323d0c2c4caa",
            "report.html": "95a5d9bd05ac14a4a4513fe555bf70a5e5d33a8e886ac12041005bd529a218da",
            "report.md": "06b12b695df423e3e1c1337e2befef88e07bcffadd2f8a5911a60f3e51f545e1",
            "shap_beeswarm.png": "47cf74429b68b414d1d91c2a86a5b57638562fa9c45d18c0e0182336b35813b1",
            "shap_importance.png": (
                "bf9951b91c3e29719ea1af41bfcc3115bb515c8dc2ba013bd48fac4390482a56"
            ),
            "transparency.json": (
                "2256a0b103920102ed1f30767402556e9763f1c1b7d4f725c4e7cd4bc403a35c"
            ),
            "transparency.md": "54621c5d671d1987a01cd0dbc0af25fe27d9206e353678faf8384ac144120d3b",
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
