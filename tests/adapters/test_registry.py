"""The model registry: verified versions, an atomic champion, promotion and rollback."""

from __future__ import annotations

import hashlib
import io
import json
import pathlib
import pickle
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pytest

from recommender.adapters import atomic
from recommender.adapters import versions as versions_module
from recommender.adapters.manifest import sha256_file, sign
from recommender.adapters.registry import Registry
from recommender.errors import (
    ConflictError,
    ModelIntegrityError,
    ModelNotFoundError,
    PromotionRefusedError,
    RegistryError,
)
from tests.signing import TEST_SIGNING_KEY

MODEL_TEXT = "tree\nversion=v4\nnum_class=1\nleaf_value=0.125 -0.5 0.75\nend of trees\n"


def make_version(
    reg: Registry,
    version: str | None = None,
    *,
    metric: float | None = 0.5,
    extra: dict[str, Any] | None = None,
) -> str:
    """A version with a text model, a joblib pipeline, a report and a nested plot."""
    metadata: dict[str, Any] = {"features": ["gap_a", "gap_b"], "params": {"num_leaves": 15}}
    if metric is not None:
        metadata["metrics"] = {"oracle_ndcg@3": metric}
    metadata.update(extra or {})
    pending = reg.create_version(version, metadata=metadata)
    with pending as folder:
        (folder / "model.txt").write_text(MODEL_TEXT)
        joblib.dump({"scaler": [1.0, 2.0]}, folder / "pipeline.joblib")
        (folder / "report.md").write_text("# Report\n")
        (folder / "plots").mkdir()
        (folder / "plots" / "gain.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(64)))
    return pending.version


@pytest.fixture
def reg(tmp_path: Path) -> Registry:
    return Registry(tmp_path / "models", signing_key=TEST_SIGNING_KEY)


def rewrite_manifest(folder: Path, edit: Any, *, sign_with: str | None = None) -> None:
    """Edit a manifest as a forger would; ``sign_with`` re-signs it (a key holder's edit)."""
    manifest = json.loads((folder / "manifest.json").read_text())
    edit(manifest)
    if sign_with is not None:
        manifest["hmac"] = sign(manifest, sign_with)
    (folder / "manifest.json").write_text(json.dumps(manifest))


def resigned(edit: Any) -> Any:
    """A tampering that rewrites the manifest and signs it with the registry's key."""
    return lambda f: rewrite_manifest(f, edit, sign_with=TEST_SIGNING_KEY)


class Boom:
    """Unpickling this creates a marker file: stands for code run by joblib.load."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (pathlib.Path.touch, (self.marker,))


# --- create / verify ------------------------------------------------------------------
def test_round_trip_manifest_lists_every_file_with_its_sha256(reg: Registry) -> None:
    version = make_version(
        reg,
        "v1",
        extra={
            "data_fingerprint": "abc",
            "metrics": {"oracle_ndcg@3": np.float64(0.5), "auc": float("nan")},
        },
    )
    manifest = reg.verify("v1")
    folder = reg.path("v1")
    assert version == "v1" and folder == reg.root / "v1"
    assert set(manifest["files"]) == {"model.txt", "pipeline.joblib", "report.md", "plots/gain.png"}
    for rel, digest in manifest["files"].items():
        assert digest == hashlib.sha256((folder / rel).read_bytes()).hexdigest()
        assert digest == sha256_file(folder / rel)
    assert manifest["version"] == "v1"
    assert manifest["features"] == ["gap_a", "gap_b"]
    assert manifest["data_fingerprint"] == "abc"
    assert manifest["metrics"] == {"oracle_ndcg@3": 0.5, "auc": None}  # NaN is not JSON
    assert datetime.fromisoformat(manifest["created_at"]).utcoffset() == timedelta(0)
    assert re.fullmatch(r"[0-9a-f]{64}", manifest["hmac"])  # always signed
    assert joblib.load(io.BytesIO(reg.read_bytes("v1", "pipeline.joblib"))) == {
        "scaler": [1.0, 2.0]
    }
    assert reg.read_bytes("v1", "model.txt").decode() == MODEL_TEXT
    assert [p.name for p in reg.root.iterdir()] == ["v1"]  # the temporary folder became v1


def test_unknown_or_path_like_versions_are_not_found(reg: Registry) -> None:
    make_version(reg, "v1")
    for name in ("v2", "../models/v1", "/etc", "champion"):
        with pytest.raises(ModelNotFoundError):
            reg.verify(name)
    with pytest.raises(ModelNotFoundError, match="has no file"):
        reg.read_bytes("v1", "other.txt")


def truncate(folder: Path) -> None:
    path = folder / "model.txt"
    path.write_bytes(path.read_bytes()[:20])


def change_one_digit(folder: Path) -> None:
    path = folder / "model.txt"
    path.write_text(path.read_text().replace("0.125", "0.126"))  # same size


def change_one_byte_of_binary(folder: Path) -> None:
    path = folder / "plots" / "gain.png"
    data = bytearray(path.read_bytes())
    data[-1] ^= 1
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    ("tamper", "file", "why"),
    [
        (change_one_digit, "model.txt", "sha256 mismatch"),
        (change_one_byte_of_binary, "plots/gain.png", "sha256 mismatch"),
        (truncate, "model.txt", "size mismatch"),
        (lambda f: (f / "model.txt").unlink(), "model.txt", "missing"),
        (lambda f: (f / "extra.py").write_text("print('hi')"), "extra.py", "unexpected file"),
        (
            lambda f: (f / "plots" / "x.png").symlink_to(f / "report.md"),
            "plots/x.png",
            "unexpected file",
        ),
        (
            lambda f: rewrite_manifest(f, lambda m: m["files"].update({"report.md": "0" * 64})),
            "manifest.json",
            "hmac does not match",
        ),
        (
            resigned(lambda m: m["files"].update({"report.md": "0" * 64})),
            "report.md",
            "sha256 mismatch",
        ),
        (
            resigned(lambda m: m["files"].update({"../../etc/passwd": "0" * 64})),
            "manifest.json",
            "unsafe path",
        ),
        (resigned(lambda m: m.update(version="v2")), "manifest.json", "names version"),
        (lambda f: (f / "manifest.json").write_text("{not json"), "manifest.json", "unreadable"),
        (lambda f: (f / "manifest.json").unlink(), "manifest.json", "missing"),
    ],
)
def test_any_tampering_fails_verification_naming_version_and_file(
    reg: Registry, tamper: Any, file: str, why: str
) -> None:
    make_version(reg, "v1")
    tamper(reg.root / "v1")
    with pytest.raises(ModelIntegrityError) as caught:
        reg.verify("v1")
    message = str(caught.value)
    assert "'v1'" in message and file in message and why in message
    with pytest.raises(ModelIntegrityError):
        reg.read_bytes("v1", "pipeline.joblib")


def test_editing_metadata_is_refused_and_no_registry_goes_without_a_key(tmp_path: Path) -> None:
    reg = Registry(tmp_path / "b", signing_key="s3cret")
    make_version(reg, "v1", metric=0.5)
    rewrite_manifest(reg.root / "v1", lambda m: m["metrics"].update({"oracle_ndcg@3": 0.99}))
    with pytest.raises(ModelIntegrityError, match="hmac does not match"):
        reg.verify("v1")
    with pytest.raises(RegistryError, match="needs a signing key"):
        Registry(tmp_path / "a", signing_key="")


def test_a_manifest_rehashed_by_an_attacker_is_refused(tmp_path: Path) -> None:
    reg = Registry(tmp_path / "models", signing_key="s3cret")
    make_version(reg, "v1")
    manifest = reg.verify("v1")
    assert re.fullmatch(r"[0-9a-f]{64}", manifest["hmac"])

    folder = reg.root / "v1"
    change_one_digit(folder)  # the attacker edits the model and fixes the hash...
    forged = sha256_file(folder / "model.txt")
    rewrite_manifest(folder, lambda m: m["files"].update({"model.txt": forged}))
    with pytest.raises(ModelIntegrityError, match=r"'v1'.*manifest\.json.*hmac"):
        reg.verify("v1")
    # ...dropping the hmac does not help either, nor does a registry with another key
    rewrite_manifest(folder, lambda m: m.pop("hmac"))
    with pytest.raises(ModelIntegrityError, match="is unsigned"):
        reg.verify("v1")
    with pytest.raises(ModelIntegrityError):
        Registry(reg.root, signing_key="other").verify("v1")


def test_unsigned_versions_are_refused(tmp_path: Path) -> None:
    reg = Registry(tmp_path, signing_key="k")
    make_version(reg, "v1")
    rewrite_manifest(tmp_path / "v1", lambda m: m.pop("hmac"))
    with pytest.raises(ModelIntegrityError, match="is unsigned.*models trust"):
        reg.verify("v1")


def test_a_planted_pickle_is_never_unpickled(tmp_path: Path) -> None:
    reg = Registry(tmp_path / "models", signing_key=TEST_SIGNING_KEY)
    make_version(reg, "v1")
    marker = tmp_path / "pwned"
    joblib.dump(Boom(marker), reg.root / "v1" / "pipeline.joblib")

    with pytest.raises(ModelIntegrityError, match="pipeline.joblib"):
        reg.verify("v1")
    with pytest.raises(ModelIntegrityError, match="pipeline.joblib"):
        reg.read_bytes("v1", "pipeline.joblib")
    with pytest.raises(ModelIntegrityError):
        reg.path("v1")
    assert not marker.exists()

    # the payload is real: loading it directly does run code
    joblib.load(reg.root / "v1" / "pipeline.joblib")
    assert marker.exists()


def test_read_bytes_rechecks_the_bytes_it_returns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reg = Registry(tmp_path / "models", signing_key=TEST_SIGNING_KEY)
    make_version(reg, "v1")
    marker = tmp_path / "pwned"
    real_verify = Registry.verify

    def verify_then_swap(self: Registry, version: str) -> dict[str, Any]:
        manifest = real_verify(self, version)  # passes, then the file is swapped
        (self.root / "v1" / "pipeline.joblib").write_bytes(pickle.dumps(Boom(marker)))
        return manifest

    monkeypatch.setattr(Registry, "verify", verify_then_swap)
    with pytest.raises(ModelIntegrityError, match="changed while being read"):
        reg.read_bytes("v1", "pipeline.joblib")
    assert not marker.exists()


# --- failed writes --------------------------------------------------------------------
@pytest.mark.parametrize("error", [RuntimeError("training diverged"), KeyboardInterrupt()])
def test_a_failed_create_leaves_nothing_and_keeps_the_champion(
    reg: Registry, error: BaseException
) -> None:
    reg.promote(make_version(reg, "v1"))
    before = sorted(p.name for p in reg.root.iterdir())
    with pytest.raises(type(error)), reg.create_version("v2", metadata={}) as folder:
        (folder / "model.txt").write_text("half a mod")
        raise error
    assert sorted(p.name for p in reg.root.iterdir()) == before
    assert reg.champion() == "v1"
    assert [v["version"] for v in reg.versions()] == ["v1"]


def test_the_registry_refuses_to_commit_what_it_cannot_vouch_for(reg: Registry) -> None:
    with (
        pytest.raises(RegistryError, match="manifest.json"),
        reg.create_version("v1", metadata={}) as folder,
    ):
        (folder / "manifest.json").write_text("{}")
    with (
        pytest.raises(RegistryError, match="not a regular file"),
        reg.create_version("v1", metadata={}) as folder,
    ):
        (folder / "link").symlink_to(reg.root)
    assert list(reg.root.iterdir()) == []
    with pytest.raises(RegistryError, match="files"):
        reg.create_version("v1", metadata={"files": {}})
    with pytest.raises(RegistryError, match="metadata.params.when"):
        reg.create_version("v1", metadata={"params": {"when": object()}})


# --- version names --------------------------------------------------------------------
@pytest.mark.parametrize(
    "name",
    [
        "",
        "champion",
        "Champion",
        "_tmp-x",
        ".hidden",
        "-rf",
        "a/b",
        "..",
        "a b",
        "모델",
        "v1\n",
        "history.json",
        "x" * 200,
    ],
)
def test_unsafe_version_names_are_refused(reg: Registry, name: str) -> None:
    with pytest.raises(RegistryError, match="unsafe version name"):
        reg.create_version(name, metadata={})


def test_an_existing_version_name_is_refused(reg: Registry) -> None:
    make_version(reg, "v1.2_rc-1")
    with pytest.raises(ConflictError, match="already exists"):
        reg.create_version("v1.2_rc-1", metadata={})


def test_default_names_are_utc_timestamps_suffixed_when_taken(
    reg: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        versions_module, "_utcnow", lambda: datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    )
    names = [make_version(reg) for _ in range(3)]
    assert names == ["20240506-070809", "20240506-070809-2", "20240506-070809-3"]
    assert reg.verify(names[2])["created_at"] == "2024-05-06T07:08:09+00:00"


def test_a_name_taken_while_training_is_resolved_at_commit(
    reg: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        versions_module, "_utcnow", lambda: datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    )
    explicit = reg.create_version("v1", metadata={})
    default = reg.create_version(metadata={})
    make_version(reg, "v1")  # another training finished first under both names
    make_version(reg, "20240506-070809")
    with pytest.raises(ConflictError, match="'v1' already exists"), explicit as folder:
        (folder / "model.txt").write_text(MODEL_TEXT)
    with default as folder:
        (folder / "model.txt").write_text(MODEL_TEXT)
    assert default.version == "20240506-070809-2"
    assert default.manifest is not None and default.manifest["version"] == default.version
    assert reg.verify(default.version)["files"].keys() == {"model.txt"}
    assert not list(reg.root.glob("_tmp-*"))


# --- listing --------------------------------------------------------------------------
def test_versions_lists_valid_and_broken_folders_and_ignores_temp(reg: Registry) -> None:
    make_version(reg, "v1", metric=0.4)
    make_version(reg, "v2", metric=0.6)
    reg.promote("v2")
    (reg.root / "_tmp-deadbeef").mkdir()
    (reg.root / "broken").mkdir()
    change_one_digit(reg.root / "v1")

    rows = {r["version"]: r for r in reg.versions()}
    assert set(rows) == {"v1", "v2", "broken"}
    assert rows["v2"]["is_champion"] and not rows["v1"]["is_champion"]
    assert rows["v2"]["metrics"] == {"oracle_ndcg@3": 0.6}
    assert rows["v1"]["valid"]  # manifest readable: the cheap listing does not hash
    assert not rows["broken"]["valid"] and "missing" in rows["broken"]["error"]

    checked = {r["version"]: r for r in reg.versions(verify=True)}
    assert not checked["v1"]["valid"] and "model.txt" in checked["v1"]["error"]
    assert checked["v2"]["valid"]


def test_stale_temp_folders_can_be_swept(reg: Registry) -> None:
    make_version(reg, "v1")
    (reg.root / "_tmp-old").mkdir()
    assert reg.remove_stale_temp(older_than_seconds=3600) == []
    assert reg.remove_stale_temp(older_than_seconds=-1) == ["_tmp-old"]
    assert sorted(p.name for p in reg.root.iterdir()) == ["v1"]


# --- champion, promotion, rollback ----------------------------------------------------
def test_first_promotion_sets_the_champion_atomically(reg: Registry) -> None:
    assert reg.champion() is None and reg.champion_token() == (None, 0)
    with pytest.raises(ModelNotFoundError, match="no champion"):
        reg.resolve("champion")
    make_version(reg, "v1")
    assert reg.promote("v1") == "v1"
    assert (reg.root / "champion").read_text() == "v1\n"
    assert reg.resolve("champion") == "v1"
    assert reg.path("champion") == reg.root / "v1"
    assert reg.verify("champion")["version"] == "v1"
    assert not list(reg.root.glob("*.tmp"))


def test_promotion_refuses_a_worse_candidate_unless_forced(reg: Registry) -> None:
    reg.promote(make_version(reg, "good", metric=0.70))
    make_version(reg, "worse", metric=0.65)
    with pytest.raises(PromotionRefusedError) as caught:
        reg.promote("worse")
    assert "0.65" in str(caught.value) and "0.7" in str(caught.value)
    assert "oracle_ndcg@3" in str(caught.value)
    assert reg.champion() == "good"

    assert reg.promote("worse", force=True) == "worse"
    assert reg.champion() == "worse"
    assert reg.history()[-1]["forced"] is True

    make_version(reg, "equal", metric=0.65)
    assert reg.promote("equal") == "equal"  # not worse is good enough


def test_promotion_metric_is_configurable_and_falls_back_to_validation_score(reg: Registry) -> None:
    reg.promote(
        make_version(
            reg, "a", metric=None, extra={"metrics": {"validation_score": 0.5, "map": 0.9}}
        )
    )
    make_version(
        reg,
        "b",
        metric=0.99,
        extra={"metrics": {"oracle_ndcg@3": 0.99, "validation_score": 0.4, "map": 0.95}},
    )
    with pytest.raises(PromotionRefusedError, match="validation_score = 0.4"):
        reg.promote("b")  # 'a' has no oracle metric: compared on validation_score
    assert reg.promote("b", metric="map") == "b"

    make_version(reg, "c", metric=None, extra={"metrics": {}})
    with pytest.raises(PromotionRefusedError, match="cannot compare"):
        reg.promote("c")


def test_a_version_failing_verification_is_never_promoted(reg: Registry) -> None:
    reg.promote(make_version(reg, "v1", metric=0.5))
    make_version(reg, "v2", metric=0.9)
    truncate(reg.root / "v2")
    for force in (False, True):
        with pytest.raises(ModelIntegrityError, match="'v2'.*model.txt"):
            reg.promote("v2", force=force)
    assert reg.champion() == "v1"


def test_rollback_walks_back_through_verified_champions(reg: Registry) -> None:
    for i, name in enumerate(("v1", "v2", "v3")):
        reg.promote(make_version(reg, name, metric=0.5 + i / 10))
    token = reg.champion_token()
    assert reg.rollback() == "v2"
    assert reg.champion() == "v2" and reg.champion_token() != token
    assert reg.rollback() == "v1"
    with pytest.raises(ModelNotFoundError, match="no previous champion"):
        reg.rollback()
    assert reg.champion() == "v1"
    assert [e["action"] for e in reg.history()] == ["promote"] * 3 + ["rollback"] * 2


def test_rollback_refuses_a_tampered_previous_champion(reg: Registry) -> None:
    reg.promote(make_version(reg, "v1", metric=0.5))
    reg.promote(make_version(reg, "v2", metric=0.6))
    change_one_digit(reg.root / "v1")
    with pytest.raises(ModelIntegrityError, match="'v1'"):
        reg.rollback()
    assert reg.champion() == "v2"


def test_rollback_without_history_is_refused_clearly(reg: Registry) -> None:
    with pytest.raises(ModelNotFoundError, match="no previous champion"):
        reg.rollback()
    reg.promote(make_version(reg, "v1"))
    with pytest.raises(ModelNotFoundError, match="no previous champion"):
        reg.rollback()


def test_a_crash_while_switching_leaves_the_old_champion_and_no_temp_file(
    reg: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    reg.promote(make_version(reg, "v1", metric=0.5))
    make_version(reg, "v2", metric=0.6)

    def crash(src: Any, dst: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(atomic.os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        reg.promote("v2")
    monkeypatch.undo()
    assert (reg.root / "champion").read_text() == "v1\n"
    assert not list(reg.root.glob("*.tmp"))
    assert reg.verify(reg.champion() or "")["version"] == "v1"
    assert reg.promote("v2") == "v2"


def test_a_garbled_champion_file_is_reported_not_followed(reg: Registry) -> None:
    make_version(reg, "v1")
    (reg.root).joinpath("champion").write_text("../../etc\n")
    with pytest.raises(ModelIntegrityError, match="does not name a valid version"):
        reg.resolve("champion")
