"""A real deployment for the API tests: a tiny simulated world in a store, a small model
in a temporary registry, keys of every role, and uvicorn on 127.0.0.1.

Tests talk to it over HTTP with httpx, exactly as a client would. The store is a SQLite
file always and, when ``RECOMMENDER_TEST_POSTGRES_URL`` names a PostgreSQL database whose
role may create databases (``scripts/start_test_postgres.sh`` starts one), also a fresh
PostgreSQL database made for this run and dropped after it: every test that uses the
deployment runs once per database (ids ``[sqlite]`` and ``[postgresql]``).
"""

from __future__ import annotations

import math
import os
import shutil
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.engine import make_url

import training.version
from api.app import create_app
from api.server import proxy_options
from recommender.adapters.artefact import MODEL_FILE, PIPELINE_FILE
from recommender.adapters.registry import Registry
from recommender.adapters.store import (
    ROLES,
    create_key,
    dispose_engines,
    get_engine,
    import_dataset,
    make_engine,
    revoke_key,
    session_scope,
    upgrade_database,
)
from recommender.settings import Settings
from recommender.simulate import World, simulate_world
from tests.signing import TEST_SIGNING_KEY
from tests.waiting import wait_until
from training.local import train_version

MODEL_FILES = (MODEL_FILE, PIPELINE_FILE)
POSTGRES_ENV = "RECOMMENDER_TEST_POSTGRES_URL"


def backends() -> list[str]:
    """The databases the API tests run against."""
    return ["sqlite", "postgresql"] if os.environ.get(POSTGRES_ENV) else ["sqlite"]


def _on_server(sql: str) -> None:
    """Run one statement outside a transaction on the test PostgreSQL server."""
    admin = make_engine(os.environ[POSTGRES_ENV], isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(sql))
    finally:
        admin.dispose()


@contextmanager
def scratch_database(backend: str, directory: Path) -> Iterator[str]:
    """URL of a new, empty database of ``backend``, deleted afterwards.

    SQLite: a file in ``directory``. PostgreSQL: a database with a unique name on the
    server of ``RECOMMENDER_TEST_POSTGRES_URL``, so concurrent runs never share tables.
    """
    if backend == "sqlite":
        yield f"sqlite:///{directory / 'api.db'}"
        return
    name = f"api_test_{uuid.uuid4().hex[:12]}"
    _on_server(f'CREATE DATABASE "{name}"')
    try:
        yield (
            make_url(os.environ[POSTGRES_ENV])
            .set(database=name)
            .render_as_string(hide_password=False)
        )
    finally:
        dispose_engines()
        _on_server(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class LiveServer:
    """uvicorn serving ``app`` on a free port of 127.0.0.1, in a thread."""

    def __init__(self, app: FastAPI) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.app = app
        self.server = uvicorn.Server(
            uvicorn.Config(
                app,
                host="127.0.0.1",
                port=self.port,
                log_level="warning",
                ws="none",
                **proxy_options(app.state.settings),  # as `recommender serve` starts it
            )
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        wait_until(self._started, timeout=60, interval=0.02, what="the test server start")
        return self

    def _started(self) -> bool:
        if not self.server.started and not self.thread.is_alive():
            raise RuntimeError("the test server did not start")
        return bool(self.server.started)

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)

    def client(self, key: str | None = None) -> httpx.Client:
        headers = {"X-API-Key": key} if key else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)

    def refusal(self, name: str, *, timeout: float = 10) -> str:
        """Wait until this server's champion poller has looked at version ``name`` (or
        at an unreadable pointer, ``CHAMPION``) and refused it; the reason it gave."""
        refused = self.app.state.holder.refused
        return str(
            wait_until(
                lambda: refused.get(name),
                timeout=timeout,
                interval=0.02,
                what=f"the champion poller refusing {name}",
            )
        )


@dataclass
class Deployment:
    """Everything the tests need to reach: server, store, registry and keys."""

    root: Path
    settings: Settings
    world: World
    registry: Registry
    keys: dict[str, str]
    server: LiveServer

    @property
    def engine(self) -> Any:
        """The engine the server itself uses (another test's scratch database may have
        reset the shared cache, so asking ``get_engine`` again could give a new one)."""
        return self.server.app.state.engine

    def client(self, role: str | None = None) -> httpx.Client:
        return self.server.client(self.keys[role] if role else None)


def copy_version(registry: Registry, source: str, name: str, *, score: float) -> str:
    """A new version with the same model files but its own validation score."""
    with registry.create_version(name, metadata={"metrics": {"validation_score": score}}) as d:
        for file in MODEL_FILES:
            shutil.copy(registry.root / source / file, d / file)
    return name


def make_settings(root: Path, **overrides: Any) -> Settings:
    base: dict[str, Any] = dict(
        var_dir=root,
        models_dir=root / "models",
        signing_key=TEST_SIGNING_KEY,
        database_url=f"sqlite:///{root / 'api.db'}",
        champion_poll_seconds=0.2,
        max_batch=50,
        max_body_bytes=200_000,
        rate_limit_per_minute=1_000_000,
        auth_failures_per_minute=1_000_000,  # the auth tests send many unknown keys
        cost_budget_per_minute=1_000_000_000,
        num_threads=1,
    )
    return Settings(**{**base, **overrides})


def as_profile(row: pd.Series | dict[str, Any]) -> dict[str, Any]:
    """A canonical firm row as the JSON profile a client would send."""
    out: dict[str, Any] = {}
    for key, value in dict(row).items():
        if hasattr(value, "item"):
            value = value.item()
        if isinstance(value, float) and math.isnan(value):
            value = None
        if key.startswith("cap_") and value is not None:
            value = int(value)
        out[key] = value
    return out


@pytest.fixture(scope="session")
def world() -> World:
    return simulate_world(n_firms=300, seed=1)


@pytest.fixture(scope="session", params=backends())
def backend(request: pytest.FixtureRequest) -> str:
    """The database under test: ``sqlite`` always, ``postgresql`` when configured."""
    return str(request.param)


@pytest.fixture
def scratch_db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A new, empty database of the backend under test, for one test."""
    with scratch_database(backend, tmp_path) as url:
        yield url


@pytest.fixture(scope="session")
def trained_models(tmp_path_factory: pytest.TempPathFactory, world: World) -> Path:
    """A registry with ``v1`` trained on the world and two copies scored above and below
    it; trained once, copied into each deployment."""
    registry = Registry(tmp_path_factory.mktemp("trained") / "models", signing_key=TEST_SIGNING_KEY)
    with pytest.MonkeyPatch.context() as mp:  # the report's SHAP plots are not under test
        mp.setattr(training.version, "shap_plots", lambda *a, **k: [])
        train_version(
            world.dataset,
            registry=registry,
            version="v1",
            run_evaluation=False,
            objective="regression",
            num_threads=2,
        )
    score = registry.verify("v1")["metrics"]["validation_score"]
    copy_version(registry, "v1", "v2-better", score=score + 1.0)
    copy_version(registry, "v1", "v3-worse", score=score - 1.0)
    return registry.root


@pytest.fixture(scope="session")
def deployment(
    tmp_path_factory: pytest.TempPathFactory, world: World, backend: str, trained_models: Path
) -> Iterator[Deployment]:
    root = tmp_path_factory.mktemp(f"api-{backend}")
    with scratch_database(backend, root) as url:
        settings = make_settings(root, database_url=url)
        shutil.copytree(trained_models, settings.models_dir)
        yield from _deploy(settings, world)


def _deploy(settings: Settings, world: World) -> Iterator[Deployment]:
    registry = Registry(settings.models_dir, signing_key=settings.signing_key)
    upgrade_database(settings.db_url)
    engine = get_engine(settings.db_url)
    import_dataset(engine, world.dataset)
    keys = {}
    with session_scope(engine) as session:
        for role in ROLES:
            keys[role] = create_key(session, name=f"test-{role}", role=role)
        keys["revoked"] = create_key(session, name="test-revoked", role="analyst")
        revoke_key(session, "test-revoked")
    with LiveServer(create_app(settings)) as server:
        yield Deployment(settings.var_dir, settings, world, registry, keys, server)


@pytest.fixture(scope="session")
def profiles(world: World) -> list[dict[str, Any]]:
    """JSON profiles of the last year's firms (as a partner would send them)."""
    firms = world.dataset.firms
    last = firms[firms["year"] == firms["year"].max()]
    return [as_profile(row) for _, row in last.iterrows()]


def every_page(
    client: httpx.Client, path: str, params: dict[str, Any], *, most: int = 100
) -> list[dict[str, Any]]:
    """Every item of a paged list, following ``next_cursor`` (each page at most
    ``params["limit"]`` items, every page but the last full)."""
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(most):
        response = client.get(path, params={**params, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page["items"]) <= params["limit"]
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items
        assert len(page["items"]) == params["limit"]
    raise AssertionError(f"{path} had more than {most} pages")
