"""Run the API under uvicorn (uvloop + httptools), with one or several worker processes."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import uvicorn

from recommender.settings import Settings, get_settings

APP_FACTORY = "api.app:create_app"


def prepare_metrics_dir(settings: Settings, workers: int) -> Path | None:
    """With several workers, a fresh shared directory for Prometheus' multi-process mode."""
    if workers <= 1:
        return None
    folder = settings.var_dir / "prometheus"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
    return folder


def proxy_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's forwarding-header options from ``Settings.trusted_proxies``.

    uvicorn on its own trusts ``X-Forwarded-For`` from 127.0.0.1 (or
    ``FORWARDED_ALLOW_IPS``), so any local process could claim another client address.
    Here the header is read only from the proxies the settings name, and not at all
    when they name none: the client address (every per-client limit's key) is then the
    connection's peer. ``Forwarded`` and ``X-Real-IP`` are never read.
    """
    trusted = list(settings.trusted_proxies)
    return {"proxy_headers": bool(trusted), "forwarded_allow_ips": trusted}


def run_server(
    *,
    host: str | None = None,
    port: int | None = None,
    workers: int | None = None,
    settings: Settings | None = None,
    access_log: bool = True,
) -> None:
    """Serve :func:`api.app.create_app` until interrupted.

    Workers are separate processes, each loading the champion and following it; the
    rate limit applies per worker. Settings come from ``RECOMMENDER_*`` variables, so
    every worker reads the same ones.
    """
    s = settings or get_settings()
    n = workers or s.workers
    prepare_metrics_dir(s, n)
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=host or s.host,
        port=port or s.port,
        workers=n,
        loop="auto",
        http="auto",
        ws="none",
        log_level=s.log_level.lower(),
        access_log=access_log,
        timeout_graceful_shutdown=10,
        **proxy_options(s),
    )
