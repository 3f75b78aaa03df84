"""POST /v1/recommendations and /v1/recommendations/batch: profiles in, ranked lists out."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Response

from api.auditing import audit_served
from api.convert import json_response, new_request_id, recommendation_json
from api.deps import AnyRoleDep, EngineDep, MetricsDep, RecommenderDep, SettingsDep
from api.errors import ApiProblem
from api.schemas.common import PROBLEM_RESPONSES
from api.schemas.recommendations import (
    BatchRequest,
    BatchResponse,
    RecommendationOptions,
    RecommendationRequest,
    RecommendationResponse,
)
from recommender.recommend import profile_frame
from recommender.adapters.store import session_scope

router = APIRouter(prefix="/v1/recommendations", tags=["recommendations"],
                   responses=PROBLEM_RESPONSES)
SINGLE = "POST /v1/recommendations"
BATCH = "POST /v1/recommendations/batch"


def options(body: RecommendationOptions) -> dict[str, Any]:
    """The keyword arguments of ``Recommender.recommend`` from the request options."""
    return {"k": body.k, "explain": body.explain, "include_ineligible": body.include_ineligible,
            "programme_types": body.programme_types, "as_of": body.as_of,
            "today": date.today()}


@router.post("", response_model=RecommendationResponse)
def recommend(principal: AnyRoleDep, body: RecommendationRequest, rec: RecommenderDep,
              engine: EngineDep, metrics: MetricsDep) -> Response:
    """Rank the eligible programmes of a firm profile's year and explain the top ones."""
    request_id = new_request_id()
    result = rec.recommend(body.profile.model_dump(), **options(body))
    with session_scope(engine) as session:  # in this thread: no extra threadpool hop
        audit_served(session, [(result, request_id)], principal=principal, endpoint=SINGLE)
    metrics.served.labels(endpoint=SINGLE).inc()
    return json_response(recommendation_json(result, request_id=request_id),
                         headers={"X-Request-ID": request_id})


@router.post("/batch", response_model=BatchResponse)
def recommend_batch(principal: AnyRoleDep, body: BatchRequest, rec: RecommenderDep,
                    engine: EngineDep, settings: SettingsDep,
                    metrics: MetricsDep) -> Response:
    """Rank and explain programmes for many profiles at once (at most ``max_batch``)."""
    if len(body.profiles) > settings.max_batch:
        raise ApiProblem(413, f"batch of {len(body.profiles)} profiles exceeds the limit of "
                              f"{settings.max_batch}; split it into smaller batches",
                         kind="batch-too-large")
    frame = profile_frame([p.model_dump() for p in body.profiles])
    results = rec.recommend_batch(frame, **options(body))
    ids = [new_request_id() for _ in results]
    with session_scope(engine) as session:
        audit_served(session, list(zip(results, ids, strict=True)), principal=principal,
                     endpoint=BATCH)
    metrics.served.labels(endpoint=BATCH).inc(len(results))
    return json_response({"model_version": rec.version, "count": len(results),
                          "results": [recommendation_json(r, request_id=i)
                                      for r, i in zip(results, ids, strict=True)]})
