"""One router per resource; :data:`ROUTERS` is mounted by :func:`api.app.create_app`."""

from api.routes import (
    alerts,
    allocations,
    audit,
    feedback,
    firms,
    health,
    models,
    outcomes,
    programmes,
    recommendations,
)

ROUTERS = (
    health.router,
    recommendations.router,
    firms.router,
    programmes.router,
    feedback.router,
    outcomes.router,
    models.router,
    audit.router,
    alerts.router,
    allocations.router,
)
