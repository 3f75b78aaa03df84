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
        "manifest": "224199cb7db760e41620fe193253ec7e128cd7e343f0d3c53c3186ba61d103ae",
        "files": {
            "calibration.json": "a78ff484d85aec7cc788d408802def80d1d87e4803a3d806a40fe0ac88b784cf",
            "model.txt": "4f169f0bb73b2bbf39f841c3e6b76674f216fd995fe4d3b0a0e0ed4f8349697e",
            "pipeline.json": "54623bdff32068bf9c4afb93a8daf6c1e59fad6c716b9cd791227130f707e1b6",
            "reliability.png": "9f1f8bd52fb528db1aedb212ab9aa829461b05f3cc235c186db23b0eceba398b",
            "report.html": "40cf7daa5c861bf6c45641398bd674cb541172272b81b83f4e49c5f87eaaba85",
            "report.md": "a0db4690571f499ea02b1888786f201e41b85b521edb5f831bcc813a949764f7",
            "shap_beeswarm.png": "58c9aa5a76add507476df93bf490169dc84181d08f1ee12dd319e9f0528072d4",
            "shap_importance.png": (
                "0853862fbd1eda2515aecdb12e7bad9d7461aa7996cc20bec550f157de2eec8c"
            ),
            "transparency.json": (
                "46cfc002ee83c7b1c6280b4e91d51f1fda802e817f1cb24b26328ef314047bba"
            ),
            "transparency.md": "e325cfa052ec037eab019f4ee362f8cb6b4ad43311abba7ca6379e323e3fef17",
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
