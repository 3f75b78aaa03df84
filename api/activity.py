"""What callers tell the API back and read about past lists: feedback on served lists,
participation outcomes, alerts and the audit log.

Each function takes the request's session; the writers commit before they return, or
raise :class:`~api.errors.ApiProblem` / :mod:`recommender.errors` errors having stored
nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from api.errors import ApiProblem, problems_as_errors
from api.queries import find_audit, stored_outcome_keys
from api.security import Principal
from recommender import DataValidationError
from recommender.adapters.store import (
    AlertRecord,
    AuditRecord,
    FeedbackRecord,
    add_outcomes,
    list_alerts,
    list_audit,
    list_feedback,
    list_subscriptions,
    load_firms,
    load_programmes,
    record_feedback,
)
from recommender.contract.datasets import validate_frames
from recommender.contract.fields import OUTCOME_COLUMNS


def give_feedback(
    session: Session,
    caller: Principal,
    *,
    request_id: str,
    programme_id: str,
    action: str,
    note: str | None,
) -> FeedbackRecord:
    """Record what was done with one programme of the list served as ``request_id``.

    Raises
    ------
    ApiProblem
        404 when no list was served under ``request_id``; 422 when the programme was
        not in it.
    """
    served = find_audit(session, request_id)
    if served is None:
        raise ApiProblem(
            404, f"no served recommendation has request_id {request_id!r}", kind="not-found"
        )
    if programme_id not in {str(i["programme_id"]) for i in served.items}:
        raise ApiProblem(
            422,
            f"programme {programme_id!r} was not in the list served as {request_id!r}",
            kind="validation-error",
            errors=[{"field": "programme_id", "message": "a programme of the served list"}],
        )
    fid = record_feedback(
        session,
        request_id=request_id,
        programme_id=programme_id,
        action=action,
        key_name=caller.name,
        firm_id=served.firm_id,
        note=note,
    )
    session.commit()
    return next(f for f in list_feedback(session, request_id=request_id) if f.id == fid)


def store_outcomes(session: Session, rows: Sequence[Mapping[str, Any]]) -> int:
    """Store outcome rows, all or none; returns how many were stored.

    Every row must name a stored firm profile and a programme that ran that year, once,
    and not be stored already.

    Raises
    ------
    ApiProblem
        422 naming each invalid row (``rows.<i>.<column>``); 409 naming each row already
        stored.
    """
    frame = pd.DataFrame(list(rows), columns=list(OUTCOME_COLUMNS))
    firms = load_firms(session, firm_ids=frame["firm_id"].unique().tolist())
    programmes = load_programmes(session, programme_ids=frame["programme_id"].unique().tolist())
    try:
        ds = validate_frames(
            firms,
            programmes,
            frame,
            names={"firms": "stored firms", "programmes": "stored programmes", "outcomes": "rows"},
            row_offset=0,
        )
    except DataValidationError as exc:
        n = len(exc.problems)
        raise ApiProblem(
            422,
            f"{n} problem{'s' if n != 1 else ''} in the rows; nothing was stored",
            kind="invalid-data",
            errors=problems_as_errors(exc.problems, prefix={}),
        ) from None
    if ds.outcomes is None:  # validate_frames returns the outcomes it was given
        raise TypeError("validated outcomes are missing")
    keys = list(ds.outcomes[["firm_id", "year", "programme_id"]].itertuples(index=False, name=None))
    clash = stored_outcome_keys(session, keys)
    if clash:
        errors = [
            {
                "field": f"rows.{i}",
                "message": f"an outcome of {k[0]} in {k[2]} ({k[1]}) is already stored",
            }
            for i, k in enumerate(keys)
            if (str(k[0]), int(k[1]), str(k[2])) in clash
        ]
        raise ApiProblem(
            409,
            f"{len(errors)} row(s) are already stored; nothing was stored",
            kind="conflict",
            errors=errors,
        )
    stored = add_outcomes(session, ds.outcomes, source="api")
    session.commit()
    return stored


@dataclass(frozen=True)
class Alert:
    """An alert with its subscriber's firm and the programme it announces (if stored)."""

    alert: AlertRecord
    firm_id: str | None
    programme: Mapping[str, Any]


def recent_alerts(
    session: Session, *, since: datetime | None, subscription_id: int | None, limit: int
) -> list[Alert]:
    """Alerts written by ``recommender alerts run``, newest first, at most ``limit``."""
    alerts = list_alerts(session, since=since, subscription_id=subscription_id)[::-1][:limit]
    firms = {s.id: s.firm_id for s in list_subscriptions(session, active_only=False)}
    programmes = load_programmes(session, programme_ids=[a.programme_id for a in alerts])
    by_id = {p["programme_id"]: p for p in programmes.to_dict("records")}
    return [Alert(a, firms.get(a.subscription_id), by_id.get(a.programme_id, {})) for a in alerts]


def audit_entries(
    session: Session,
    *,
    request_id: str | None,
    since: datetime | None,
    until: datetime | None,
    key_name: str | None,
    firm_id: str | None,
    limit: int,
) -> list[AuditRecord]:
    """The entry of one request id, or entries filtered by time, key and firm, newest
    first."""
    if request_id is not None:
        found = find_audit(session, request_id)
        return [] if found is None else [found]
    return list_audit(
        session, since=since, until=until, key_name=key_name, firm_id=firm_id, limit=limit
    )
