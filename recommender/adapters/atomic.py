"""Atomic, durable writes: a reader sees the old content or the new one, never a part.

A file is written to a temporary file in the same folder, flushed and fsynced, renamed
over its target, and the folder is fsynced so the rename itself survives a crash
(:func:`atomic_file`, :func:`write_atomic`). A folder is staged the same way: built
beside its target (:func:`staged_dir`), every file and folder in it synced, then renamed
into place, an older target swapped out and removed (:func:`publish_dir`). Single staged
files can be moved into an existing folder with :func:`move_into_place`.

Temporary names start with ``.`` and end with ``.tmp``, in the target's own folder: a
rename never crosses file systems, and debris of a killed writer is easy to recognise.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Final

FILE_MODE: Final[int] = 0o644
DIR_MODE: Final[int] = 0o755
TMP_SUFFIX: Final[str] = ".tmp"


def fsync_dir(path: Path) -> None:
    """Flush a folder's entries (a rename in it) to disk; a no-op where unsupported."""
    with contextlib.suppress(OSError):  # directories cannot be opened for fsync everywhere
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def fsync_file(path: Path) -> None:
    """Flush one file's content to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_tree(folder: Path) -> None:
    """Flush every regular file below ``folder``, then every folder, deepest first."""
    for dirpath, _, filenames in os.walk(folder, topdown=False, followlinks=False):
        base = Path(dirpath)
        for name in filenames:
            path = base / name
            if path.is_file() and not path.is_symlink():
                fsync_file(path)
        fsync_dir(base)


def _temp_name(target: Path) -> Path:
    return target.with_name(f".{target.name}.{uuid.uuid4().hex}{TMP_SUFFIX}")


@contextlib.contextmanager
def atomic_file(target: Path | str, *, mode: int = FILE_MODE) -> Iterator[Path]:
    """A temporary path beside ``target`` to write; on a clean exit it becomes ``target``.

    Parameters
    ----------
    target
        The file to create or replace; its folder is created when missing.
    mode
        Permission bits of the finished file.

    Yields
    ------
    Path
        Where to write (by any writer: ``open``, ``DataFrame.to_csv``, ...). On a clean
        exit it is fsynced, renamed over ``target`` and the folder fsynced; on any
        exception (``KeyboardInterrupt`` included) it is deleted and ``target`` is left
        as it was.
    """
    final = Path(target)
    final.parent.mkdir(parents=True, exist_ok=True)
    temp = _temp_name(final)
    try:
        yield temp
        os.chmod(temp, mode)
        fsync_file(temp)
        os.replace(temp, final)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    fsync_dir(final.parent)


def write_atomic(target: Path | str, data: bytes | str, *, mode: int = FILE_MODE) -> None:
    """Replace ``target`` by ``data`` (text is written as UTF-8) in one atomic step."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_file(target, mode=mode) as temp:
        temp.write_bytes(payload)


@contextlib.contextmanager
def staged_dir(target: Path | str) -> Iterator[Path]:
    """An empty folder beside ``target`` to build a new version of it in.

    The folder (mode ``0o755``) is removed when the block ends, whatever happened; what
    was published from it with :func:`publish_dir` or :func:`move_into_place` before
    then stays where it went.
    """
    final = Path(target)
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=TMP_SUFFIX, dir=final.parent))
    try:
        staging.chmod(DIR_MODE)
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def publish_dir(staging: Path, target: Path, *, replace: bool = True) -> None:
    """Move a complete folder to ``target`` in one rename, after syncing all of it.

    Parameters
    ----------
    staging
        The finished folder, on the same file system as ``target``.
    target
        Where it goes. An existing folder there is renamed aside first, then removed
        once ``staging`` is in place, so readers see the old folder or the new one.
    replace
        With ``False`` an existing ``target`` is an error instead (the caller holds a
        lock that makes the check and the rename one step).

    Raises
    ------
    FileExistsError
        ``target`` exists and ``replace`` is false.
    """
    fsync_tree(staging)
    if not target.exists():
        os.rename(staging, target)
    elif not replace:
        raise FileExistsError(f"{target} exists")
    else:
        old = _temp_name(target.with_name(f"{target.name}.old"))
        os.rename(target, old)
        os.rename(staging, target)
        shutil.rmtree(old, ignore_errors=True)
    fsync_dir(target.parent)


def move_into_place(source: Path, target: Path) -> None:
    """Move one staged file over ``target`` (same file system) and sync the folder."""
    fsync_file(source)
    os.replace(source, target)
    fsync_dir(target.parent)
