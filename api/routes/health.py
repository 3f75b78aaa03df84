"""Liveness, readiness and metrics: no API key (for load balancers and Prometheus)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from sqlalchemy.exc import SQLAlchemyError

from api.deps import EngineDep, HolderDep, MetricsDep
from api.errors import ApiProblem
from api.schemas.health import Health, Readiness
from recommender.adapters.store import session_scope
from api.queries import ping

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health)
async def healthz() -> dict[str, str]:
    """The process is up (no dependencies checked)."""
    return {"status": "ok"}


@router.get("/readyz", response_model=Readiness,
            responses={503: {"description": "model or database not ready"}})
def readyz(holder: HolderDep, engine: EngineDep) -> dict[str, Any]:
    """Ready when a model is loaded and the database answers; 503 otherwise."""
    rec = holder.current
    if rec is None:
        raise ApiProblem(503, "no model is loaded", kind="not-ready")
    try:
        with session_scope(engine) as session:
            ping(session)
    except SQLAlchemyError:
        raise ApiProblem(503, "the database does not answer", kind="not-ready") from None
    return {"status": "ready", "model_version": rec.version, "programmes": len(rec.programmes)}


@router.get("/metrics", response_class=Response,
            responses={200: {"content": {"text/plain": {}},
                             "description": "Prometheus text exposition"}})
def metrics(metrics: MetricsDep) -> Response:
    """Prometheus metrics (no key: expose the port to the scraper only)."""
    body, content_type = metrics.exposition()
    return Response(content=body, media_type=content_type)
