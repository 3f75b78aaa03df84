"""Bulk writes on PostgreSQL (psycopg 3) through ``COPY``, inside the open transaction.

psycopg's ``executemany`` sends one statement per row (about 10 s per 100k firm rows
measured); ``COPY`` streams them (about 1 s). Updates go the same way: the changed rows
are copied into a temporary table and applied with one ``UPDATE ... FROM``. Every
other database uses the portable executemany path in :mod:`recommender.adapters.store.upsert`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Table
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session


def supports_copy(session: Session) -> bool:
    """Whether the session's connection is PostgreSQL through psycopg 3."""
    dialect = session.get_bind().dialect
    return dialect.name == "postgresql" and dialect.driver == "psycopg"


@contextmanager
def _cursor(session: Session, what: str) -> Iterator[Any]:
    """A psycopg cursor on the session's connection; driver errors become SQLAlchemy's
    (``IntegrityError`` and the rest), as on the portable path."""
    import psycopg

    driver: Any = session.connection().connection.driver_connection
    try:
        with driver.cursor() as cursor:
            yield cursor
    except psycopg.Error as exc:
        raise DBAPIError.instance(what, None, exc, psycopg.Error) from exc


def _copy(cursor: Any, table: str, columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> None:
    from psycopg import sql

    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    with cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([row[c] for c in columns])


def copy_insert(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys) into ``table`` with ``COPY``."""
    if not rows:
        return
    with _cursor(session, f"COPY {table.name}") as cursor:
        _copy(cursor, table.name, list(rows[0]), rows)


def copy_update(
    session: Session, table: Table, rows: Sequence[dict[str, Any]], *, key: Sequence[str]
) -> None:
    """Set the non-key columns of ``rows`` on the stored rows with the same ``key``."""
    if not rows:
        return
    from psycopg import sql

    columns = list(rows[0])
    values = [c for c in columns if c not in key]
    stage = sql.Identifier(f"_stage_{table.name}")
    target = sql.Identifier(table.name)
    with _cursor(session, f"UPDATE {table.name} FROM COPY") as cursor:
        cursor.execute(
            sql.SQL("CREATE TEMP TABLE {} ON COMMIT DROP AS SELECT {} FROM {} WITH NO DATA").format(
                stage, sql.SQL(", ").join(map(sql.Identifier, columns)), target
            )
        )
        _copy(cursor, f"_stage_{table.name}", columns, rows)
        cursor.execute(
            sql.SQL("UPDATE {t} SET {sets} FROM {s} WHERE {match}").format(
                t=target,
                s=stage,
                sets=sql.SQL(", ").join(
                    sql.SQL("{c} = {s}.{c}").format(c=sql.Identifier(c), s=stage) for c in values
                ),
                match=sql.SQL(" AND ").join(
                    sql.SQL("{t}.{c} = {s}.{c}").format(t=target, s=stage, c=sql.Identifier(c))
                    for c in key
                ),
            )
        )
        cursor.execute(sql.SQL("DROP TABLE {}").format(stage))
