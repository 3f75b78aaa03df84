"""POST /v1/recommendations and /v1/recommendations/batch: profiles in, ranked lists out."""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api.deps import AnyRoleDep, ServiceDep, SessionDep
from api.schemas.common import PROBLEM_RESPONSES
from api.schemas.recommendations import (
    BatchRequest,
    BatchResponse,
    RecommendationRequest,
    RecommendationResponse,
)
from api.security import Principal
from api.service import ServingService

router = APIRouter(
    prefix="/v1/recommendations", tags=["recommendations"], responses=PROBLEM_RESPONSES
)
SINGLE = "POST /v1/recommendations"
BATCH = "POST /v1/recommendations/batch"


@router.post("", response_model=RecommendationResponse)
async def recommend(
    principal: AnyRoleDep,
    body: RecommendationRequest,
    service: ServiceDep,
    session: SessionDep,
    response: Response,
) -> RecommendationResponse:
    """Rank the eligible programmes of a firm profile's year and explain the top ones."""
    # one worker-thread hop for the whole of the work (a sync route takes another one
    # for FastAPI's response check); the event loop only serialises the answer
    return await run_in_threadpool(_recommend_one, principal, body, service, session, response)


def _recommend_one(
    principal: Principal,
    body: RecommendationRequest,
    service: ServingService,
    session: Session,
    response: Response,
) -> RecommendationResponse:
    served = service.recommend_one(
        session, principal, body.profile.model_dump(), body.list_options(), endpoint=SINGLE
    )
    response.headers["X-Request-ID"] = served.request_id
    return RecommendationResponse.of(served, lang=body.lang)


@router.post("/batch", response_model=BatchResponse)
def recommend_batch(
    principal: AnyRoleDep, body: BatchRequest, service: ServiceDep, session: SessionDep
) -> BatchResponse:
    """Rank and explain programmes for many profiles at once (at most ``max_batch``)."""
    batch = service.recommend_many(
        session,
        principal,
        [p.model_dump() for p in body.profiles],
        body.list_options(),
        endpoint=BATCH,
    )
    return BatchResponse.of(batch, lang=body.lang)
