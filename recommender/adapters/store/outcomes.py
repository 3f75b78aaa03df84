"""Participation outcomes in the store: imported history and outcomes posted via the API."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from recommender.adapters.store.frame_rows import OUTCOME_KINDS, outcomes_frame, row_params
from recommender.adapters.store.tables import OUTCOME_SOURCES, Outcome, table, utcnow
from recommender.adapters.store.upsert import describe_key, refuse_duplicate_keys, upsert_frame
from recommender.contract.fields import OUTCOME_COLUMNS
from recommender.errors import ConflictError, DataValidationError, NotFoundError, Problem

KEY = ("firm_id", "year", "programme_id")
_TABLE = table(Outcome)
_COLUMNS = [_TABLE.c[c] for c in OUTCOME_COLUMNS]


def _check_source(source: str) -> None:
    if source not in OUTCOME_SOURCES:
        raise DataValidationError(
            [Problem("outcomes", None, "source", source, f"one of {', '.join(OUTCOME_SOURCES)}")]
        )


def load_outcomes(
    session: Session,
    *,
    year: int | None = None,
    years: list[int] | None = None,
    source: str | None = None,
) -> pd.DataFrame:
    """Stored outcomes as the canonical outcomes frame, ordered by firm, year, programme.

    Parameters
    ----------
    session
        Open session.
    year, years
        Only outcomes of this year / these years.
    source
        Only outcomes that came from ``"import"`` or ``"api"``.
    """
    stmt = select(*_COLUMNS).order_by(*(_TABLE.c[k] for k in KEY))
    if year is not None or years is not None:
        wanted = ([] if year is None else [year]) + ([] if years is None else list(years))
        stmt = stmt.where(Outcome.year.in_(sorted(set(wanted))))
    if source is not None:
        stmt = stmt.where(Outcome.source == source)
    return outcomes_frame(session.connection().execute(stmt).all())


def _existing_keys(session: Session, rows: pd.DataFrame) -> list[tuple[Any, ...]]:
    years = sorted({int(y) for y in rows["year"]})
    stored = load_outcomes(session, years=years)
    hits = rows[list(KEY)].merge(stored[list(KEY)], on=list(KEY), how="inner")
    return list(hits.itertuples(index=False, name=None))


def add_outcomes(session: Session, rows: pd.DataFrame, *, source: str = "api") -> int:
    """Store new outcomes; refuse the whole batch if any is already stored.

    Parameters
    ----------
    session
        Open session; the caller owns the transaction.
    rows
        Canonical outcomes frame, already validated against the contract.
    source
        ``"api"`` (default) or ``"import"``.

    Returns
    -------
    int
        Number of outcomes written.

    Raises
    ------
    ConflictError
        A row repeats another row or a stored outcome; names the (firm, year,
        programme). Nothing is written (a clash only the database sees leaves the
        transaction to be rolled back, which :func:`session_scope` does).
    """
    _check_source(source)
    if rows.empty:
        return 0
    refuse_duplicate_keys(rows, KEY, what="outcomes")
    clashes = _existing_keys(session, rows)
    if clashes:
        listed = "; ".join(f"({describe_key(KEY, k)})" for k in clashes[:5])
        more = f" and {len(clashes) - 5} more" if len(clashes) > 5 else ""
        raise ConflictError(
            f"{len(clashes)} outcome(s) already recorded: {listed}{more}; nothing was written"
        )
    now = utcnow()
    params = [{**p, "created_at": now, "source": source} for p in row_params(rows, OUTCOME_KINDS)]
    try:
        session.execute(insert(_TABLE), params)
    except IntegrityError as exc:  # a concurrent writer got there first
        raise ConflictError(f"outcomes refused by the database: {exc.orig}") from exc
    return len(params)


def upsert_outcomes(
    session: Session, outcomes: pd.DataFrame, *, source: str = "import"
) -> dict[str, int]:
    """Insert new outcomes and update changed grades, keyed by (firm, year, programme).

    A stored outcome keeps its original ``source``; new ones get ``source``.
    """
    _check_source(source)
    years = sorted({int(y) for y in outcomes["year"]})
    existing = load_outcomes(session, years=years) if years else outcomes_frame([])
    return upsert_frame(
        session,
        _TABLE,
        outcomes,
        existing,
        key=KEY,
        kinds=OUTCOME_KINDS,
        what="outcomes",
        insert_extra={"created_at": utcnow(), "source": source},
    )


def correct_outcome(
    session: Session, firm_id: str, year: int, programme_id: str, outcome: int
) -> int:
    """Set the stored outcome of one participation to ``outcome``; returns the old value.

    Raises
    ------
    NotFoundError
        No outcome of ``firm_id`` in ``programme_id`` and ``year`` is stored.
    """
    row = session.execute(
        select(Outcome).where(
            Outcome.firm_id == firm_id, Outcome.year == year, Outcome.programme_id == programme_id
        )
    ).scalar_one_or_none()
    if row is None:
        raise NotFoundError(f"no outcome of {firm_id} in {programme_id} ({year}) is stored")
    before = int(row.outcome)
    row.outcome = int(outcome)
    session.flush()
    return before
