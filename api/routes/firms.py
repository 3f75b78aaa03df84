"""GET /v1/firms/{firm_id}/recommendations: a stored firm's list, with its history."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from api.auditing import audit_served
from api.convert import json_response, new_request_id, recommendation_json
from api.deps import MetricsDep, RecommenderDep, SessionDep, StaffDep
from api.schemas.common import PROBLEM_RESPONSES
from api.schemas.recommendations import MAX_K, ExplainMode, RecommendationResponse
from recommender.constants import DEFAULT_K
from recommender.adapters.store import get_firm
from api.queries import firm_outcomes

router = APIRouter(prefix="/v1/firms", tags=["firms"], responses=PROBLEM_RESPONSES)
ENDPOINT = "GET /v1/firms/{firm_id}/recommendations"


@router.get("/{firm_id}/recommendations", response_model=RecommendationResponse)
def firm_recommendations(
    principal: StaffDep, rec: RecommenderDep, session: SessionDep, metrics: MetricsDep,
    firm_id: Annotated[str, Path(min_length=1, max_length=128)],
    year: Annotated[int | None, Query(ge=1900, le=2100,
                                      description="profile year; default the latest")] = None,
    k: Annotated[int, Query(ge=1, le=MAX_K)] = DEFAULT_K,
    include_ineligible: bool = False,
    explain: ExplainMode = "top",
    as_of: date | None = None,
) -> Response:
    """Rank programmes for a stored firm profile, using its stored outcomes as history."""
    profile = get_firm(session, firm_id, year)
    history = firm_outcomes(session, firm_id)
    result = rec.recommend(profile, k=k, explain=explain, include_ineligible=include_ineligible,
                           outcomes=history, as_of=as_of, today=date.today())
    request_id = new_request_id()
    audit_served(session, [(result, request_id)], principal=principal, endpoint=ENDPOINT)
    metrics.served.labels(endpoint=ENDPOINT).inc()
    return json_response(recommendation_json(result, request_id=request_id),
                         headers={"X-Request-ID": request_id})
