"""GET /v1/alerts: new programmes that entered subscribers' top k (caseworkers, analysts)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from api.activity import recent_alerts
from api.deps import SessionDep, StaffDep
from api.schemas.alerts import AlertList, AlertOut
from api.schemas.common import MAX_ROW_ID, PROBLEM_RESPONSES

router = APIRouter(prefix="/v1/alerts", tags=["alerts"], responses=PROBLEM_RESPONSES)


@router.get("", response_model=AlertList)
def read_alerts(
    principal: StaffDep,
    session: SessionDep,
    since: datetime | None = None,
    subscription_id: Annotated[int | None, Query(ge=1, le=MAX_ROW_ID)] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
) -> AlertList:
    """Alerts written by `recommender alerts run`, newest first, with their programmes."""
    items = [
        AlertOut.of(a)
        for a in recent_alerts(session, since=since, subscription_id=subscription_id, limit=limit)
    ]
    return AlertList(count=len(items), items=items)
