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
        "manifest": "bf098aa29a0dde50fa67b5d8261a0ebca3b5ca412e7e68356140c38fc4fec76e",
        "files": {
            "calibration.json": "73317d733ae8eac5736b35cee44fa883b30fadfdcb590cd2680b5686da57a883",
            "model.txt": "50d26fae3880ee665100642044f865764567474ba703144c5e4b80790d697a05",
            "pipeline.json": "d5e5d6bafbd70adb8a0f48a1f393c2b10ca82f9c7fc885d0912a20cf2bdb1ab7",
            "reliability.png": "0a4002a353bbee304402cad334f5effd2b70ba234d1af2e8655754b3870adb33",
            "report.html": "bc07760c8b52ce599095b035dfd209a7a600e274e149d436af7a351ca844a4e5",
            "report.md": "5dd27f8a0c3d0fd4290ed389c47365d7709219bef43ab438b52960e1270f8273",
            "shap_beeswarm.png": "3b05a074f14cbe6fc250cda1be0a8abd38e8d1ea4f253f1f37ec5a3e2eee55e3",
            "shap_importance.png": (
                "b3df78b7727a56c675335246b063d881dca87042af943588c8242a9bd6c23e55"
            ),
            "transparency.json": (
                "06c4a80f0f23c3fb25a37b56809425b4299423a69eb4372b730df7e2e9bd1ef8"
            ),
            "transparency.md": "5fb43683b2ccc241d17036eea0d50ad275519f6d0f1fd79deec37d0df5c3e7d9",
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
