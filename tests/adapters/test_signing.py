"""Signed by default: the key made on first use, forged versions refused before anything
is parsed, the shipped demo model pinned and signed on first use, ``models trust``."""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import joblib
import pytest

from recommender.adapters.artefact import MODEL_FILE, PIPELINE_FILE, load_recommender
from recommender.adapters.manifest import MANIFEST, hash_file
from recommender.adapters.pinned import PINNED, manifest_digest, sign_pinned
from recommender.adapters.registry import Registry
from recommender.adapters.signing import KEY_FILE, open_registry, signing_key, trust_version
from recommender.constants import DEMO_MODEL_VERSION, DEMO_WORLD
from recommender.errors import ModelIntegrityError, RegistryError
from recommender.settings import PROJECT_ROOT, Settings
from recommender.simulate import simulate_world
from tests.signing import TEST_SIGNING_KEY, shipped_registry


class Boom:
    """Unpickling this creates a marker file: stands for code run by joblib.load."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (pathlib.Path.touch, (self.marker,))


def default_settings(root: Path) -> Settings:
    """The product's defaults, under ``root``: no key configured anywhere."""
    return Settings(var_dir=root / "var", models_dir=root / "models")


def forge(registry: Registry, source: str, name: str, edit: Any) -> Path:
    """A version written by hand beside the registry: ``source``'s model files, edited
    by ``edit(folder)``, and a manifest whose hashes and sizes match the edited files."""
    folder = registry.root / name
    folder.mkdir()
    for file in (MODEL_FILE, PIPELINE_FILE):
        shutil.copy(registry.root / source / file, folder / file)
    edit(folder)
    manifest = json.loads((registry.root / source / MANIFEST).read_text())
    manifest.pop("hmac", None)
    hashed = {f: hash_file(folder / f) for f in (MODEL_FILE, PIPELINE_FILE)}
    manifest.update(
        version=name,
        files={f: h for f, (h, _) in hashed.items()},
        sizes={f: n for f, (_, n) in hashed.items()},
        metrics={"oracle_ndcg@3": 1.0, "validation_score": 1e9},  # "better than anything"
    )
    (folder / MANIFEST).write_text(json.dumps(manifest))
    return folder


def change_one_digit(folder: Path) -> None:
    path = folder / MODEL_FILE
    text = path.read_text()
    i = text.index("leaf_value=") + len("leaf_value=")
    while not text[i].isdigit():
        i += 1
    path.write_text(text[:i] + str((int(text[i]) + 1) % 10) + text[i + 1 :])


@pytest.fixture
def deployed(tmp_path: Path) -> tuple[Settings, Registry]:
    """The shipped models under default settings, opened as the product opens them."""
    settings = default_settings(tmp_path)
    shutil.copytree(PROJECT_ROOT / "models", settings.models_dir)
    return settings, open_registry(settings, trial=False)


# --- the key ------------------------------------------------------------------------------
def test_first_use_creates_an_owner_only_key_that_is_never_replaced(tmp_path: Path) -> None:
    settings = default_settings(tmp_path)
    path = settings.var_dir / KEY_FILE
    assert not path.exists()
    key = signing_key(settings)
    assert path.is_file() and len(key) == 64
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert signing_key(settings) == key  # read back, not replaced
    assert [p.name for p in settings.var_dir.iterdir()] == [KEY_FILE]  # no temp debris
    assert open_registry(settings, trial=False).signing_key == key


def test_a_key_file_open_to_others_is_refused(tmp_path: Path) -> None:
    settings = default_settings(tmp_path)
    signing_key(settings)
    os.chmod(settings.var_dir / KEY_FILE, 0o644)
    with pytest.raises(RegistryError, match="chmod 600"):
        signing_key(settings)


def test_a_configured_key_or_key_file_wins_and_nothing_is_created(tmp_path: Path) -> None:
    given = tmp_path / "secret"
    given.write_text("a-key-from-the-secret-store\n")
    os.chmod(given, 0o600)
    from_file = Settings(var_dir=tmp_path / "var", signing_key_file=given)
    assert signing_key(from_file) == "a-key-from-the-secret-store"
    inline = Settings(var_dir=tmp_path / "var", signing_key=TEST_SIGNING_KEY)
    assert signing_key(inline) == TEST_SIGNING_KEY
    assert not (tmp_path / "var").exists()
    with pytest.raises(ValueError, match="at least 16"):
        Settings(signing_key="short")


# --- forged versions ------------------------------------------------------------------------
@pytest.mark.parametrize("payload", ["one changed digit", "planted pickle"])
def test_a_forged_version_with_rewritten_hashes_is_refused_and_never_parsed(
    deployed: tuple[Settings, Registry], tmp_path: Path, payload: str
) -> None:
    _, registry = deployed
    marker = tmp_path / "pwned"

    def edit(folder: Path) -> None:
        if payload == "planted pickle":
            joblib.dump(Boom(marker), folder / PIPELINE_FILE)
        else:
            change_one_digit(folder)

    forge(registry, DEMO_MODEL_VERSION, "forged", edit)
    world = simulate_world(**DEMO_WORLD)  # type: ignore[arg-type]
    for attempt in (
        lambda: registry.verify("forged"),
        lambda: registry.promote("forged", force=True),
        lambda: load_recommender(registry, "forged", programmes=world.dataset.programmes),
    ):
        with pytest.raises(ModelIntegrityError, match=r"'forged'.*unsigned.*models trust"):
            attempt()
    assert registry.champion() == DEMO_MODEL_VERSION
    assert not marker.exists()
    listed = {v["version"]: v for v in registry.versions(verify=True)}
    assert listed["forged"]["valid"] is False
    assert "unsigned" in listed["forged"]["error"]
    assert str(tmp_path) not in listed["forged"]["error"]  # no absolute path in the reason


def test_a_changed_digit_in_a_signed_version_is_refused(
    deployed: tuple[Settings, Registry],
) -> None:
    _, registry = deployed
    change_one_digit(registry.root / DEMO_MODEL_VERSION)
    with pytest.raises(ModelIntegrityError, match="model.txt: sha256 mismatch"):
        registry.verify(DEMO_MODEL_VERSION)


# --- the shipped demo model ------------------------------------------------------------------
def test_the_pin_matches_the_shipped_demo_model() -> None:
    folder = PROJECT_ROOT / "models" / DEMO_MODEL_VERSION
    manifest = json.loads((folder / MANIFEST).read_text())
    actual = {
        "manifest": manifest_digest(manifest),
        "files": {f: hash_file(folder / f)[0] for f in sorted(manifest["files"])},
    }
    assert actual == PINNED[DEMO_MODEL_VERSION], (
        "models/demo-v1 changed: update PINNED in recommender/adapters/pinned.py to\n"
        + json.dumps(actual, indent=4)
    )


def test_the_shipped_demo_model_is_signed_on_first_use_only_if_it_matches_its_pin(
    deployed: tuple[Settings, Registry], tmp_path: Path
) -> None:
    settings, registry = deployed
    manifest = registry.verify(DEMO_MODEL_VERSION)  # signed when the registry was opened
    assert manifest["trusted"]["by"] == "pin"
    assert sign_pinned(registry) == []  # once

    other = tmp_path / "other"
    altered = shipped_registry(other)
    change_one_digit(altered.root / DEMO_MODEL_VERSION)
    manifest_path = altered.root / DEMO_MODEL_VERSION / MANIFEST
    unsigned = json.loads(manifest_path.read_text())
    unsigned.pop("hmac")
    unsigned.pop("trusted")
    manifest_path.write_text(json.dumps(unsigned))
    assert sign_pinned(altered) == []  # no longer the pinned files: not signed
    with pytest.raises(ModelIntegrityError, match="unsigned"):
        altered.verify(DEMO_MODEL_VERSION)


# --- models trust -------------------------------------------------------------------------
def cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "RECOMMENDER_VAR_DIR": str(settings.var_dir),
        "RECOMMENDER_MODELS_DIR": str(settings.models_dir),
    }
    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_models_trust_accepts_a_version_from_elsewhere_and_records_who(
    deployed: tuple[Settings, Registry], tmp_path: Path
) -> None:
    settings, registry = deployed
    elsewhere = Registry(tmp_path / "elsewhere", signing_key="another-deployment-key")
    with elsewhere.create_version("v-foreign", metadata={"metrics": {}}) as folder:
        for file in (MODEL_FILE, PIPELINE_FILE):
            shutil.copy(registry.root / DEMO_MODEL_VERSION / file, folder / file)
    shutil.copytree(elsewhere.root / "v-foreign", registry.root / "v-foreign")
    with pytest.raises(ModelIntegrityError, match="hmac does not match"):
        registry.verify("v-foreign")
    listed = cli(settings, "models", "list")
    assert listed.returncode == 0, listed.stderr
    assert "v-foreign" in listed.stdout and "INVALID" in listed.stdout

    done = cli(settings, "models", "trust", "v-foreign", "--by", "analyst-kim")
    assert done.returncode == 0, done.stderr
    assert "trusted v-foreign" in done.stdout
    assert "v-foreign trusted and re-signed by analyst-kim" in done.stderr  # the log record
    manifest = registry.verify("v-foreign")
    assert manifest["trusted"]["by"] == "analyst-kim"
    assert manifest["trusted"]["previous_hmac"] == elsewhere.verify("v-foreign")["hmac"]


def test_trust_refuses_a_version_whose_files_do_not_match_its_manifest(
    deployed: tuple[Settings, Registry],
) -> None:
    _, registry = deployed
    forge(registry, DEMO_MODEL_VERSION, "edited-after", lambda f: None)
    change_one_digit(registry.root / "edited-after")  # after the hashes were taken
    before = (registry.root / "edited-after" / MANIFEST).read_bytes()
    with pytest.raises(ModelIntegrityError, match="not trusted.*model.txt: sha256 mismatch"):
        trust_version(registry, "edited-after", by="analyst-kim")
    assert (registry.root / "edited-after" / MANIFEST).read_bytes() == before
