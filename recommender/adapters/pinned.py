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
        "manifest": "536583e2e2165d69a571beb602a72cc8703ebdeff726f7d49c8be12c2581186b",
        "files": {
            "calibration.json": "0a4f6cf1340a371165a33ee2a0d46035c4b1618466078deca3592623e52b0d4a",
            "model.txt": "3541da904dbf12a01b37d636fdb93c0cf5a61246323d86ed9f81f4e4dcaf6823",
            "pipeline.json": "d5e5d6bafbd70adb8a0f48a1f393c2b10ca82f9c7fc885d0912a20cf2bdb1ab7",
            "reliability.png": "dc0db4c2a5842a0cb2c42d4a9ce5143335ceef1db61cf9b1da0d381b0e9a1905",
            "report.html": "7f2b61cdf91951f9e78c2b60f56397ae06fb46cb5830627ee78cb0d3ac9abdc2",
            "report.md": "6fc5acdb3e6129e30870839c8b5913c32baf80d329377a11047797193675e6a5",
            "shap_beeswarm.png": "b556e3bfafb2b86e864a6632f24e6eb78d9442d5ca92ae3969249750c6ace464",
            "shap_importance.png": (
                "c772d0cb2639de19b006100e4363e0faa7c9043431217ce77c9ed263abf3cb5e"
            ),
            "transparency.json": (
                "cfe53b6aa0622e0769574468277d4476cb542d49cfc14b5bdfff7cd9ff00d8aa"
            ),
            "transparency.md": "e13e0a185da2a58a05e21d9c6685ff9985f7c66dbbc5af0cb79978274847a66d",
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
