"""Atomic writes: a reader sees the old content or the new one, and no debris is left."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest

from recommender.adapters import atomic
from recommender.adapters.atomic import (
    atomic_file,
    move_into_place,
    publish_dir,
    staged_dir,
    write_atomic,
)


def entries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_write_atomic_replaces_the_content_and_leaves_only_the_file(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "champion"
    write_atomic(target, "v1\n")
    write_atomic(target, b"v2\n")
    assert target.read_text() == "v2\n"
    assert entries(target.parent) == ["champion"]
    assert stat.S_IMODE(target.stat().st_mode) == atomic.FILE_MODE


def test_a_failed_rename_keeps_the_old_content_and_removes_the_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "history.json"
    write_atomic(target, "old")

    def crash(src: Any, dst: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(atomic.os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(target, "new")
    assert target.read_text() == "old"
    assert entries(tmp_path) == ["history.json"]


@pytest.mark.parametrize("error", [RuntimeError("writer failed"), KeyboardInterrupt()])
def test_an_interrupted_writer_leaves_the_target_untouched(
    tmp_path: Path, error: BaseException
) -> None:
    target = tmp_path / "scores.csv"
    target.write_text("old\n")
    with pytest.raises(type(error)), atomic_file(target) as temp:
        temp.write_text("half a fi")
        raise error
    assert target.read_text() == "old\n"
    assert entries(tmp_path) == ["scores.csv"]


def test_the_temp_file_is_a_hidden_sibling_of_the_target(tmp_path: Path) -> None:
    with atomic_file(tmp_path / "out.csv") as temp:
        assert temp.parent == tmp_path
        assert temp.name.startswith(".out.csv.") and temp.name.endswith(".tmp")
        assert not (tmp_path / "out.csv").exists(), "the target appears only at the end"
        temp.write_text("a,b\n")
    assert (tmp_path / "out.csv").read_text() == "a,b\n"


def test_a_staged_folder_replaces_the_old_one_whole(tmp_path: Path) -> None:
    target = tmp_path / "scores"
    target.mkdir()
    (target / "part-00000.parquet").write_text("old")
    (target / "stale.parquet").write_text("old")
    with staged_dir(target) as staging:
        assert staging.parent == tmp_path and staging.name.startswith(".scores.")
        assert stat.S_IMODE(staging.stat().st_mode) == atomic.DIR_MODE
        (staging / "part-00000.parquet").write_text("new")
        publish_dir(staging, target)
    assert entries(target) == ["part-00000.parquet"]
    assert (target / "part-00000.parquet").read_text() == "new"
    assert entries(tmp_path) == ["scores"]


def test_a_failed_staging_publishes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "data"
    with pytest.raises(RuntimeError), staged_dir(target) as staging:
        (staging / "firms.csv").write_text("half")
        raise RuntimeError("validation failed")
    assert entries(tmp_path) == []


def test_publishing_may_refuse_an_existing_target(tmp_path: Path) -> None:
    target = tmp_path / "v1"
    target.mkdir()
    with staged_dir(target) as staging:
        (staging / "model.txt").write_text("new")
        with pytest.raises(FileExistsError):
            publish_dir(staging, target, replace=False)
    assert entries(target) == []


def test_a_staged_file_moves_into_an_existing_folder(tmp_path: Path) -> None:
    target = tmp_path / "data"
    target.mkdir()
    (target / "firms.csv").write_text("old")
    (target / "keep.txt").write_text("mine")
    with staged_dir(target) as staging:
        (staging / "firms.csv").write_text("new")
        move_into_place(staging / "firms.csv", target / "firms.csv")
    assert (target / "firms.csv").read_text() == "new"
    assert (target / "keep.txt").read_text() == "mine"
    assert entries(tmp_path) == ["data"]
    assert not [p for p in os.listdir(target) if p.endswith(".tmp")]
