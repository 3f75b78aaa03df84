"""GET /v1/alerts: new programmes that entered subscribers' top k (caseworkers, analysts)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from api.activity import recent_alerts
from api.deps import SessionDep, StaffDep
from api.paging import DEFAULT_LIMIT, Cursor, Limit, Page, decode_cursor, page_of
from api.schemas.alerts import AlertOut
from api.schemas.common import MAX_ROW_ID, PROBLEM_RESPONSES

router = APIRouter(prefix="/v1/alerts", tags=["alerts"], responses=PROBLEM_RESPONSES)


@router.get("", response_model=Page[AlertOut])
def read_alerts(
    principal: StaffDep,
    session: SessionDep,
    since: datetime | None = None,
    subscription_id: Annotated[int | None, Query(ge=1, le=MAX_ROW_ID)] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[AlertOut]:
    """Alerts written by `recommender alerts run`, newest first, with their programmes."""
    last = decode_cursor("alerts", cursor, types=(int,))
    found = recent_alerts(
        session,
        since=since,
        subscription_id=subscription_id,
        limit=limit + 1,
        before_id=None if last is None else last[0],
    )
    items = [AlertOut.of(a) for a in found]
    return page_of(items, limit=limit, kind="alerts", key=lambda a: [a.id])
