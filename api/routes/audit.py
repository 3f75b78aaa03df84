"""GET /v1/audit: served recommendations, newest first (analysts only)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import AnalystDep, SessionDep
from api.schemas.audit import AuditList
from api.schemas.common import PROBLEM_RESPONSES
from recommender.adapters.store import list_audit
from api.queries import find_audit

router = APIRouter(prefix="/v1/audit", tags=["audit"], responses=PROBLEM_RESPONSES)


@router.get("", response_model=AuditList)
def read_audit(principal: AnalystDep, session: SessionDep,
               since: datetime | None = None, until: datetime | None = None,
               key_name: Annotated[str | None, Query(max_length=128)] = None,
               firm_id: Annotated[str | None, Query(max_length=128)] = None,
               request_id: Annotated[str | None, Query(max_length=64)] = None,
               limit: Annotated[int, Query(ge=1, le=10_000)] = 100) -> dict[str, Any]:
    """Audit entries filtered by time window, key, firm or request."""
    if request_id is not None:
        found = find_audit(session, request_id)
        entries = [] if found is None else [found]
    else:
        entries = list_audit(session, since=since, until=until, key_name=key_name,
                             firm_id=firm_id, limit=limit)
    items = [vars(e) for e in entries]
    return {"count": len(items), "items": items}
