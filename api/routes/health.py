"""Liveness, readiness and metrics: no API key (for load balancers and Prometheus)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlalchemy.exc import SQLAlchemyError

from api.deps import HolderDep, MetricsDep, SessionDep
from api.errors import ApiProblem
from api.queries import ping
from api.schemas.health import Health, Readiness

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health)
async def healthz() -> Health:
    """The process is up (no dependencies checked)."""
    return Health(status="ok")


@router.get(
    "/readyz",
    response_model=Readiness,
    responses={503: {"description": "model or database not ready"}},
)
def readyz(holder: HolderDep, session: SessionDep) -> Readiness:
    """Ready when a model is loaded and the database answers; 503 otherwise."""
    rec = holder.current
    if rec is None:
        raise ApiProblem(503, "no model is loaded", kind="not-ready")
    try:
        ping(session)
    except SQLAlchemyError:
        raise ApiProblem(503, "the database does not answer", kind="not-ready") from None
    return Readiness(status="ready", model_version=rec.version, programmes=len(rec.programmes))


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text exposition"}},
)
def metrics(metrics: MetricsDep) -> Response:
    """Prometheus metrics (no key: expose the port to the scraper only)."""
    body, content_type = metrics.exposition()
    return Response(content=body, media_type=content_type)
