"""GET /v1/firms/{firm_id}/recommendations: a stored firm's list, with its history."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from api.deps import ServiceDep, SessionDep, StaffDep
from api.schemas.common import PROBLEM_RESPONSES
from api.schemas.recommendations import MAX_K, ExplainMode, Language, RecommendationResponse
from api.service import ListOptions
from recommender.constants import DEFAULT_K

router = APIRouter(prefix="/v1/firms", tags=["firms"], responses=PROBLEM_RESPONSES)
ENDPOINT = "GET /v1/firms/{firm_id}/recommendations"


@router.get("/{firm_id}/recommendations", response_model=RecommendationResponse)
def firm_recommendations(
    principal: StaffDep,
    service: ServiceDep,
    session: SessionDep,
    response: Response,
    firm_id: Annotated[str, Path(min_length=1, max_length=128)],
    year: Annotated[
        int | None, Query(ge=1900, le=2100, description="profile year; default the latest")
    ] = None,
    k: Annotated[int, Query(ge=1, le=MAX_K)] = DEFAULT_K,
    include_ineligible: bool = False,
    explain: ExplainMode = "top",
    as_of: date | None = None,
    lang: Language = "en",
) -> RecommendationResponse:
    """Rank programmes for a stored firm profile, using its stored outcomes as history."""
    options = ListOptions(k=k, explain=explain, include_ineligible=include_ineligible, as_of=as_of)
    served = service.recommend_stored(
        session, principal, firm_id, options, year=year, endpoint=ENDPOINT
    )
    response.headers["X-Request-ID"] = served.request_id
    return RecommendationResponse.of(served, lang=lang)
