"""GET /v1/audit: served recommendations, newest first (analysts only)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from api.activity import audit_entries
from api.deps import AnalystDep, SessionDep
from api.schemas.audit import AuditEntryOut, AuditList
from api.schemas.common import PROBLEM_RESPONSES

router = APIRouter(prefix="/v1/audit", tags=["audit"], responses=PROBLEM_RESPONSES)


@router.get("", response_model=AuditList)
def read_audit(
    principal: AnalystDep,
    session: SessionDep,
    since: datetime | None = None,
    until: datetime | None = None,
    key_name: Annotated[str | None, Query(max_length=128)] = None,
    firm_id: Annotated[str | None, Query(max_length=128)] = None,
    request_id: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
) -> AuditList:
    """Audit entries filtered by time window, key, firm or request."""
    entries = audit_entries(
        session,
        request_id=request_id,
        since=since,
        until=until,
        key_name=key_name,
        firm_id=firm_id,
        limit=limit,
    )
    return AuditList(count=len(entries), items=[AuditEntryOut.model_validate(e) for e in entries])
