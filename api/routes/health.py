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
    responses={
        200: {"description": "serving: `ready`, or `degraded` (an older version, `reason`)"},
        503: {"description": "no model serves, its probe prediction fails, or no database"},
    },
)
def readyz(holder: HolderDep, session: SessionDep) -> Readiness:
    """Ready (200) when a model serves, its probe prediction works and the database answers;
    ``degraded`` (still 200) when it is not the champion, which was refused; 503 otherwise."""
    rec = holder.current
    if rec is None:
        champion = holder.champion
        why = holder.refused.get(champion) if champion else None
        raise ApiProblem(503, f"no model is loaded{f': {why}' if why else ''}", kind="not-ready")
    failure = holder.probe()
    if failure is not None:
        raise ApiProblem(
            503, f"the served model fails its probe prediction: {failure}", kind="not-ready"
        )
    try:
        ping(session)
    except SQLAlchemyError:
        raise ApiProblem(503, "the database does not answer", kind="not-ready") from None
    degraded = holder.degraded
    return Readiness(
        status="ready" if degraded is None else "degraded",
        model_version=rec.version,
        programmes=len(rec.programmes),
        reason=degraded,
    )


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text exposition"}},
)
def metrics(metrics: MetricsDep) -> Response:
    """Prometheus metrics (no key: expose the port to the scraper only)."""
    body, content_type = metrics.exposition()
    return Response(content=body, media_type=content_type)
