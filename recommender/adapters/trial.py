"""Test-loading a model version in a child process before it may serve.

LightGBM's parser aborts or crashes the whole process on some malformed models (a
truncated ``model.txt`` gives SIGABRT or SIGSEGV), which no ``try`` can catch. So before
the champion pointer moves (:meth:`Registry.promote`, :meth:`Registry.rollback`) and
before a server swaps a new version in (:mod:`api.serving`), the version is verified,
loaded and self-checked (:func:`recommender.recommend.selfcheck.self_check`) in a
child process of the same interpreter, with a timeout. A crash, a timeout or an error
kills only the child and the version is refused with the reason.

A passed trial is remembered per version and manifest signature, so a promotion
through the API and the swap that follows it run one child, not two.

The child is ``python -m recommender.adapters.trial``; it reads its request (models
folder, version, signing key) as JSON on stdin, so the key never shows in ``ps``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Final

from recommender.adapters.manifest import read_manifest
from recommender.adapters.versions import VersionStore
from recommender.errors import ModelIntegrityError, RecommenderError

MODULE: Final[str] = "recommender.adapters.trial"
MAX_REASON: Final[int] = 300


class TrialLoader:
    """Callable ``(store, version)`` that test-loads a version in a child process.

    Parameters
    ----------
    timeout
        Seconds the child may take (interpreter start, imports, load, self-check).

    Raises
    ------
    ModelIntegrityError
        (when called) The child crashed, timed out or refused the version; naming why.
    """

    def __init__(self, *, timeout: float = 60.0) -> None:
        self.timeout = timeout
        self._passed: set[tuple[str, str, str]] = set()
        self._lock = threading.Lock()

    def __call__(self, store: VersionStore, version: str) -> None:
        folder = store.root / version
        signature = str(read_manifest(folder, version, signing_key=store.signing_key)["hmac"])
        key = (str(store.root.resolve()), version, signature)
        with self._lock:
            if key in self._passed:
                return
        run_trial(store, version, timeout=self.timeout)
        with self._lock:
            self._passed.add(key)


def run_trial(store: VersionStore, version: str, *, timeout: float) -> float:
    """Load and self-check ``version`` in a child process; returns its seconds.

    Raises
    ------
    ModelIntegrityError
        The child died of a signal, ran past ``timeout`` or reported an error.
    """
    request = json.dumps({"root": str(store.root), "version": version, "key": store.signing_key})
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"}
    started = time.perf_counter()

    def refused(why: str) -> ModelIntegrityError:
        return ModelIntegrityError(
            f"model version {version!r} failed its trial load in a child process ({why}); "
            "it was not made the champion and is not served"
        )

    try:
        done = subprocess.run(
            [sys.executable, "-m", MODULE],
            input=request.encode("utf-8"),
            capture_output=True,
            timeout=timeout,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise refused(f"no answer within {timeout:g} s; the child was killed") from None
    if done.returncode < 0:
        name = signal.Signals(-done.returncode).name
        said = _last_line(done.stderr, prefix="[LightGBM]")
        raise refused(
            f"the child died of {name} while loading or scoring the model"
            + (f"; its last words: {said}" if said else "")
        )
    try:
        lines = done.stdout.decode("utf-8", errors="replace").strip().splitlines()
        answer = json.loads(lines[-1])
    except (ValueError, IndexError):
        answer = None
    if done.returncode != 0 or not isinstance(answer, dict) or answer.get("ok") is not True:
        why = answer.get("error") if isinstance(answer, dict) else None
        raise refused(str(why or f"the child exited with status {done.returncode}")[:MAX_REASON])
    return time.perf_counter() - started


def _last_line(output: bytes, *, prefix: str) -> str:
    """The last line of ``output`` starting with ``prefix`` (LightGBM's own message)."""
    lines = output.decode("utf-8", errors="replace").splitlines()
    said = [line.strip() for line in lines if line.startswith(prefix)]
    return said[-1][:MAX_REASON] if said else ""


def _child(request: dict[str, Any]) -> dict[str, Any]:
    """In the child: verify, load and self-check the version (may crash the child)."""
    from recommender.adapters.artefact import load_pipeline, load_ranker
    from recommender.adapters.registry import Registry
    from recommender.recommend.selfcheck import self_check

    store = Registry(Path(request["root"]), signing_key=str(request["key"]))
    version = str(request["version"])
    ranker = load_ranker(store, version)
    pipeline = load_pipeline(store, version)
    self_check(ranker, pipeline, version=version)
    return {"ok": True}


def main() -> int:
    """Entry point of the child process: one JSON line on stdout, status 0 when ok."""
    try:
        answer = _child(json.loads(sys.stdin.read()))
    except RecommenderError as exc:
        answer = {"ok": False, "error": str(exc)}
    except Exception as exc:  # anything LightGBM or NumPy raises: report, do not trace
        answer = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    print(json.dumps(answer), flush=True)
    return 0 if answer["ok"] else 3


if __name__ == "__main__":
    sys.exit(main())
