"""Bring a database to the current schema with Alembic, without an ``alembic.ini``."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from recommender.adapters.store.db import get_engine

MIGRATIONS_DIR: Final[Path] = Path(__file__).resolve().parent / "migrations"
_PG_LOCK_ID: Final[int] = 72_430_001  # advisory lock id: "recommender schema upgrade"


def alembic_config(url: str) -> Config:
    """An Alembic configuration pointing at the packaged migrations and ``url``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision() -> str:
    """The newest migration's revision id."""
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    if head is None:  # pragma: no cover - the package always ships migrations
        raise RuntimeError(f"no migrations found under {MIGRATIONS_DIR}")
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or ``None`` if it was never migrated."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _lock_schema(conn: Connection) -> None:
    """Hold the database's write lock for the rest of the transaction, so server workers
    starting together migrate one after the other instead of racing."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")  # waits up to the busy timeout
    elif conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_LOCK_ID})")


def upgrade_database(url: str) -> None:
    """Run ``alembic upgrade head`` on ``url``.

    Idempotent: a database already at head is left as it is. Creates the SQLite file
    (and its directory) when missing. Safe when several processes call it at once:
    they take turns, and the later ones find the schema at head.

    Parameters
    ----------
    url
        SQLAlchemy URL, e.g. ``Settings.db_url``.
    """
    engine = get_engine(url)
    config = alembic_config(url)
    with engine.begin() as conn:
        _lock_schema(conn)
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
