"""What callers tell the API back and read about past lists: feedback on served lists,
participation outcomes, alerts and the audit log.

Each function takes the request's session; the writers commit before they return, or
raise :class:`~api.errors.ApiProblem` / :mod:`recommender.errors` errors having stored
nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
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
)
from recommender.adapters.store.activity import correct_feedback, upsert_feedback
from recommender.adapters.store.changes import record_change
from recommender.adapters.store.outcomes import correct_outcome
from recommender.contract.datasets import validate_frames
from recommender.contract.fields import OUTCOME_COLUMNS


def _refused(field: str, message: str, detail: str) -> ApiProblem:
    return ApiProblem(
        422, detail, kind="validation-error", errors=[{"field": field, "message": message}]
    )


def _served_firm(served: AuditRecord, programme_id: str, firm_id: str | None) -> str:
    """The firm the feedback is about, checked against the list served.

    A firm's list names its firm (a ``firm_id`` given must be it) and the programme
    must be one of its items; an outreach list (no firm of its own) needs the
    ``firm_id``, and the pair must have been listed.
    """
    rid = served.request_id
    if served.firm_id is not None:
        if firm_id is not None and firm_id != served.firm_id:
            raise _refused(
                "firm_id",
                f"the list's firm, {served.firm_id}",
                f"{rid!r} was served for another firm",
            )
        if programme_id not in {str(i["programme_id"]) for i in served.items}:
            raise _refused(
                "programme_id",
                "a programme of the served list",
                f"programme {programme_id!r} was not in the list served as {rid!r}",
            )
        return served.firm_id
    if firm_id is None:
        raise _refused(
            "firm_id",
            "the firm of the outreach list the feedback is about",
            f"{rid!r} is a list of firms: say which firm",
        )
    pairs = {(str(i["programme_id"]), str(i.get("firm_id"))) for i in served.items}
    if (programme_id, firm_id) not in pairs:
        field = "programme_id" if programme_id not in {p for p, _ in pairs} else "firm_id"
        raise _refused(
            field,
            "a firm and programme of the served list",
            f"firm {firm_id!r} was not listed for {programme_id!r} in {rid!r}",
        )
    return firm_id


def give_feedback(
    session: Session,
    caller: Principal,
    *,
    request_id: str,
    programme_id: str,
    action: str,
    note: str | None,
    firm_id: str | None = None,
) -> tuple[FeedbackRecord, bool]:
    """Record what was done with one programme (and firm) of the list served as
    ``request_id``, once; returns the stored row and whether it is new.

    Raises
    ------
    ApiProblem
        404 when no list was served under ``request_id``; 422 naming ``programme_id``
        or ``firm_id`` when they were not in it.
    """
    served = find_audit(session, request_id)
    if served is None:
        raise ApiProblem(
            404, f"no served recommendation has request_id {request_id!r}", kind="not-found"
        )
    firm = _served_firm(served, programme_id, firm_id)
    fid, created = upsert_feedback(
        session,
        request_id=request_id,
        programme_id=programme_id,
        action=action,
        key_name=caller.name,
        firm_id=firm,
        note=note,
        year=served.year,
    )
    session.commit()
    return next(f for f in list_feedback(session, request_id=request_id) if f.id == fid), created


def _plain(record: FeedbackRecord) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in asdict(record).items()}


def change_feedback(
    session: Session,
    caller: Principal,
    feedback_id: int,
    *,
    action: str | None,
    note: str | None,
) -> FeedbackRecord:
    """Correct stored feedback; the change log keeps the row as it was.

    Raises
    ------
    NotFoundError, ConflictError
        As :func:`recommender.adapters.store.activity.correct_feedback`.
    """
    before, after = correct_feedback(
        session, feedback_id, key_name=caller.name, action=action, note=note
    )
    record_change(
        session,
        key_name=caller.name,
        role=caller.role,
        entity="feedback",
        entity_key=str(feedback_id),
        action="corrected",
        before=_plain(before),
        after=_plain(after),
    )
    session.commit()
    return after


def change_outcome(
    session: Session, caller: Principal, firm_id: str, year: int, programme_id: str, outcome: int
) -> int:
    """Correct a stored outcome; the change log keeps the value it had. Returns the
    value before.

    Raises
    ------
    NotFoundError
        No outcome of the firm in that programme and year is stored.
    """
    before = correct_outcome(session, firm_id, year, programme_id, outcome)
    record_change(
        session,
        key_name=caller.name,
        role=caller.role,
        entity="outcome",
        entity_key=f"{firm_id}/{year}/{programme_id}",
        action="corrected",
        before={"outcome": before},
        after={"outcome": outcome},
    )
    session.commit()
    return before


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
            f"{len(errors)} row(s) are already stored; nothing was stored (correct a stored "
            "outcome with PUT /v1/outcomes/{firm_id}/{year}/{programme_id})",
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
    session: Session,
    *,
    since: datetime | None,
    subscription_id: int | None,
    limit: int,
    before_id: int | None = None,
) -> list[Alert]:
    """Alerts written by ``recommender alerts run``, newest first, at most ``limit``,
    with ids below ``before_id``."""
    alerts = [
        a
        for a in sorted(
            list_alerts(session, since=since, subscription_id=subscription_id),
            key=lambda a: a.id,
            reverse=True,
        )
        if before_id is None or a.id < before_id
    ][:limit]
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
    after: tuple[datetime, int] | None = None,
) -> list[AuditRecord]:
    """The entry of one request id, or entries filtered by time, key and firm, newest
    first, starting after the entry ``after`` (its time and id)."""
    if request_id is not None:
        found = find_audit(session, request_id)
        return [] if found is None or after is not None else [found]
    return list_audit(
        session,
        since=since,
        until=until,
        key_name=key_name,
        firm_id=firm_id,
        limit=limit,
        after=after,
    )
