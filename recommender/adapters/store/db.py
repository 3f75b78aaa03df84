"""Engines and transactions: SQLite or PostgreSQL, by the URL the caller passes.

The URL always comes from the caller (the composition root reads it from
``Settings.db_url``); nothing here reads the settings.

SQLite connections are set up for a web server with several workers: WAL journal (so
readers never block the writer), a busy timeout (a second writer waits instead of
failing) and enforced foreign keys.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

BUSY_TIMEOUT_MS: Final[int] = 5_000

_engines: dict[str, Engine] = {}
_lock = threading.Lock()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create a new engine for ``url``.

    For a SQLite file the parent directory is created and every connection gets WAL
    mode, a busy timeout of :data:`BUSY_TIMEOUT_MS` and foreign keys on. PostgreSQL
    URLs without a driver (``postgresql://``) use psycopg 3, the installed driver.

    Parameters
    ----------
    url
        SQLAlchemy URL, e.g. ``Settings.db_url``.
    **kwargs
        Passed to :func:`sqlalchemy.create_engine`.
    """
    resolved = make_url(url)
    if resolved.get_backend_name() == "sqlite":
        database = resolved.database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        connect_args = {"timeout": BUSY_TIMEOUT_MS / 1000, **kwargs.pop("connect_args", {})}
        engine = create_engine(resolved, connect_args=connect_args, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if resolved.drivername in ("postgresql", "postgres"):  # psycopg 3 is the installed driver
        resolved = resolved.set(drivername="postgresql+psycopg")
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(resolved, **kwargs)


def get_engine(url: str) -> Engine:
    """The shared engine for ``url``, made once per process."""
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _engines[url] = make_engine(url)
        return engine


def dispose_engines() -> None:
    """Close and forget every shared engine (tests, and after a fork)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: commit when the block ends, roll back everything if it raises.

    Examples
    --------
    >>> with session_scope(engine) as session:  # doctest: +SKIP
    ...     add_outcomes(session, rows)
    """
    session = Session(bind=engine, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
