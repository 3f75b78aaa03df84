"""GET /v1/audit: served lists, newest first; GET /v1/audit/changes: people's edits of
stored data; GET /v1/audit/sign-ins: sign-ins to the staff pages (analysts only)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from api.activity import audit_entries
from api.deps import AnalystDep, SessionDep
from api.paging import DEFAULT_LIMIT, Cursor, Limit, Page, bad_cursor, decode_cursor, page_of
from api.schemas.audit import AuditEntryOut, ChangeOut, SignInOut
from api.schemas.common import PROBLEM_RESPONSES
from recommender.adapters.store.changes import list_changes
from recommender.adapters.store.staff_sessions import list_sign_ins
from recommender.adapters.store.tables import CHANGE_ENTITIES

router = APIRouter(prefix="/v1/audit", tags=["audit"], responses=PROBLEM_RESPONSES)


@router.get("", response_model=Page[AuditEntryOut])
def read_audit(
    principal: AnalystDep,
    session: SessionDep,
    since: datetime | None = None,
    until: datetime | None = None,
    key_name: Annotated[str | None, Query(max_length=128)] = None,
    firm_id: Annotated[str | None, Query(max_length=128)] = None,
    request_id: Annotated[str | None, Query(max_length=64)] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[AuditEntryOut]:
    """Audit entries filtered by time window, key, firm or request, newest first."""
    last = decode_cursor("audit", cursor, types=(str, int))
    after = None
    if last is not None:
        try:
            after = (datetime.fromisoformat(last[0]), int(last[1]))
        except ValueError:
            raise bad_cursor() from None
    entries = audit_entries(
        session,
        request_id=request_id,
        since=since,
        until=until,
        key_name=key_name,
        firm_id=firm_id,
        limit=limit + 1,
        after=after,
    )
    items = [AuditEntryOut.model_validate(e) for e in entries]
    return page_of(items, limit=limit, kind="audit", key=lambda e: [e.at.isoformat(), e.id])


Entity = Literal[CHANGE_ENTITIES]  # type: ignore[valid-type]


@router.get("/changes", response_model=Page[ChangeOut])
def read_changes(
    principal: AnalystDep,
    session: SessionDep,
    entity: Entity | None = None,
    entity_key: Annotated[
        str | None,
        Query(
            max_length=300,
            description="firm_profile: FIRM/YEAR; feedback: its id; outcome: FIRM/YEAR/PROGRAMME",
        ),
    ] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[ChangeOut]:
    """Edits of profiles, feedback and outcomes, newest first, with the values before."""
    last = decode_cursor("changes", cursor, types=(int,))
    found = list_changes(
        session,
        entity=entity,
        entity_key=entity_key,
        before_id=None if last is None else last[0],
        limit=limit + 1,
    )
    items = [ChangeOut.model_validate(c) for c in found]
    return page_of(items, limit=limit, kind="changes", key=lambda c: [c.id])


@router.get("/sign-ins", response_model=Page[SignInOut])
def read_sign_ins(
    principal: AnalystDep,
    session: SessionDep,
    key_name: Annotated[str | None, Query(max_length=128)] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[SignInOut]:
    """Sign-ins to the staff pages (/staff), newest first, with how each session ended."""
    last = decode_cursor("sign-ins", cursor, types=(int,))
    found = list_sign_ins(
        session, key_name=key_name, before_id=None if last is None else last[0], limit=limit + 1
    )
    items = [SignInOut.model_validate(r) for r in found]
    return page_of(items, limit=limit, kind="sign-ins", key=lambda r: [r.id])
