"""Shared fixtures of the unit tests.

Store: every test gets a fresh, migrated database. SQLite (a file in ``tmp_path``) always;
PostgreSQL too when ``RECOMMENDER_TEST_POSTGRES_URL`` names a scratch database
(``postgresql+psycopg://user:pass@host/db``) — its tables are dropped before and after.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text

from recommender.adapters.store import dispose_engines, get_engine, make_engine, upgrade_database
from recommender.adapters.store.tables import Base

POSTGRES_ENV = "RECOMMENDER_TEST_POSTGRES_URL"


def _backends() -> list[str]:
    return ["sqlite", "postgresql"] if os.environ.get(POSTGRES_ENV) else ["sqlite"]


def _drop_everything(url: str) -> None:
    engine = make_engine(url)
    try:
        Base.metadata.drop_all(engine)
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    finally:
        engine.dispose()


@pytest.fixture(params=_backends())
def db_url(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    """URL of an empty database (not yet migrated), one per test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('store') / 'var' / 'recommender.db'}"
        dispose_engines()
        return
    url = os.environ[POSTGRES_ENV]
    _drop_everything(url)
    yield url
    dispose_engines()
    _drop_everything(url)


@pytest.fixture
def engine(db_url: str) -> Engine:
    """A migrated database's shared engine."""
    upgrade_database(db_url)
    return get_engine(db_url)
