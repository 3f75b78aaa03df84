"""GET /v1/alerts: new programmes that entered subscribers' top k (caseworkers, analysts)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import SessionDep, StaffDep
from api.schemas.alerts import AlertList
from api.schemas.common import PROBLEM_RESPONSES
from recommender.adapters.store import list_alerts, list_subscriptions, load_programmes

router = APIRouter(prefix="/v1/alerts", tags=["alerts"], responses=PROBLEM_RESPONSES)


@router.get("", response_model=AlertList)
def read_alerts(principal: StaffDep, session: SessionDep, since: datetime | None = None,
                subscription_id: Annotated[int | None, Query(ge=1)] = None,
                limit: Annotated[int, Query(ge=1, le=10_000)] = 100) -> dict[str, Any]:
    """Alerts written by `recommender alerts run`, newest first, with their programmes."""
    alerts = list_alerts(session, since=since, subscription_id=subscription_id)[::-1][:limit]
    firms = {s.id: s.firm_id for s in list_subscriptions(session, active_only=False)}
    programmes = load_programmes(session, programme_ids=[a.programme_id for a in alerts])
    by_id = {p["programme_id"]: p for p in programmes.to_dict("records")}
    items = []
    for a in alerts:
        p = by_id.get(a.programme_id, {})
        items.append({**vars(a), "firm_id": firms.get(a.subscription_id),
                      "name": p.get("name"), "programme_type": p.get("programme_type"),
                      "url": p.get("url"), "apply_start": p.get("apply_start"),
                      "apply_end": p.get("apply_end")})
    return {"count": len(items), "items": items}
