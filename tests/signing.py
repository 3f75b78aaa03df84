"""The signing key of the tests' registries, and the shipped models signed in a copy.

Every registry signs and checks its manifests; tests that build one by hand use
:data:`TEST_SIGNING_KEY`, and deployments get it through their settings. The shipped
``models/`` folder is never signed in place by a test: :func:`shipped_registry` signs a
copy (as the product does on first use, only if it matches the pin).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Final

from recommender.adapters.pinned import sign_pinned
from recommender.adapters.registry import Registry
from recommender.settings import PROJECT_ROOT

TEST_SIGNING_KEY: Final[str] = "tests-signing-key-0123456789abcdef"


def registry(root: Path) -> Registry:
    """A registry under ``root`` signed with the tests' key (no trial load)."""
    return Registry(root, signing_key=TEST_SIGNING_KEY)


def shipped_registry(tmp: Path) -> Registry:
    """A copy of the shipped ``models/`` under ``tmp``, its pinned demo model signed."""
    root = tmp / "models"
    shutil.copytree(PROJECT_ROOT / "models", root, ignore=shutil.ignore_patterns("_tmp*"))
    reg = registry(root)
    sign_pinned(reg)
    return reg
