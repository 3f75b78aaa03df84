"""``recommender serve`` as a real separate process (uvicorn, one or more workers) on
127.0.0.1, with its log captured to a file: for ``make verify``'s load test and the
reliability tests' log and access checks (which import it from here)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, Any

import httpx

from recommender.settings import Settings

RECOMMENDER = Path(sys.executable).with_name("recommender")
READY_TIMEOUT_S = 90.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def settings_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment under which ``recommender serve`` uses ``settings``' store and models
    (and its signing key, when the settings name one rather than the file under var_dir)."""
    keys = {"RECOMMENDER_SIGNING_KEY": settings.signing_key} if settings.signing_key else {}
    if settings.signing_key_file is not None:
        keys["RECOMMENDER_SIGNING_KEY_FILE"] = str(settings.signing_key_file)
    return {
        **os.environ,
        "RECOMMENDER_VAR_DIR": str(settings.var_dir),
        "RECOMMENDER_MODELS_DIR": str(settings.models_dir),
        "RECOMMENDER_DATABASE_URL": settings.db_url,
        "RECOMMENDER_CHAMPION_POLL_SECONDS": str(settings.champion_poll_seconds),
        "RECOMMENDER_RATE_LIMIT_PER_MINUTE": str(settings.rate_limit_per_minute),
        "RECOMMENDER_NUM_THREADS": "1",
        **keys,
        **extra,
    }


class ServerProcess:
    """Start ``recommender serve`` and wait until ``/readyz`` answers 200."""

    def __init__(
        self,
        settings: Settings,
        log_path: Path,
        *,
        workers: int = 1,
        env: dict[str, str] | None = None,
        args: tuple[str, ...] = (),
    ) -> None:
        self.port = free_port()
        self.log_path = log_path
        self.workers = workers
        self.env = settings_env(settings, **(env or {}))
        self.args = args
        self.proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> ServerProcess:
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [
                str(RECOMMENDER),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                str(self.workers),
                *self.args,
            ],
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            self._wait_ready()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _wait_ready(self) -> None:
        """Poll ``/readyz`` until it answers 200, for at most :data:`READY_TIMEOUT_S`."""
        deadline = time.monotonic() + READY_TIMEOUT_S
        while not self._ready():
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not become ready in {READY_TIMEOUT_S:g} s")
            time.sleep(0.2)

    def _ready(self) -> bool:
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise RuntimeError(f"the server exited: {self.log_path.read_text()[-2000:]}")
        try:
            return httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    def __exit__(self, *exc: Any) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        if self._log is not None:
            self._log.close()

    def worker_pids(self) -> list[int]:
        """The uvicorn worker processes (children of the supervisor with several
        workers; the server process itself with one)."""
        assert self.proc is not None
        if self.workers == 1:
            return [self.proc.pid]
        pids: list[int] = []
        for task in Path(f"/proc/{self.proc.pid}/task").iterdir():
            text = (task / "children").read_text().split()
            pids.extend(int(p) for p in text)
        workers = []
        for pid in pids:  # skip uvicorn's multiprocessing helper (resource tracker)
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            if b"resource_tracker" not in cmdline:
                workers.append(pid)
        return workers


def rss_bytes(pid: int) -> int:
    """Resident set size of ``pid`` (from /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for {pid}")
