"""The FastAPI application: :func:`create_app` wires settings, store, model and routes.

Start-up (lifespan) migrates the database, loads and verifies the champion over the
store's catalogue, starts following the champion and opens the serving service that
the API routes and the portal share; a missing or unverifiable champion leaves the app
up but not ready (``/readyz`` 503, recommendation routes 503).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Final

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from api.cost import CostGuard
from api.docs import router as docs_router
from api.errors import install_error_handlers
from api.logconfig import install_log_filters
from api.metrics import Metrics, MetricsMiddleware
from api.portal import router as portal_router
from api.routes import ROUTERS
from api.security import BodyLimitMiddleware, NoSniffMiddleware, RateLimiter, install_cors
from api.service import ServingService
from api.serving import ModelHolder
from api.staff import router as staff_router
from recommender.adapters.signing import open_registry
from recommender.adapters.store import get_engine, upgrade_database
from recommender.settings import Settings, get_settings

log = logging.getLogger("api")

DESCRIPTION: Final[str] = """
Matches SMEs to the support programmes that fit their capability gaps, with an
explanation of every ranked programme.

**Keys and roles.** Send an API key in `X-API-Key` (`recommender keys create`).
*partner* keys may only post profiles (`/v1/recommendations`, `/batch`) and read the
catalogue; *caseworker* keys also read stored firms' lists and candidates and post
feedback; *analyst* keys do everything, including outcomes, models and the audit log.

**Errors** are `application/problem+json` (RFC 9457); validation errors list each
bad field by its path in `errors`. Each key may make `rate_limit_per_minute` requests
a minute (429 with `Retry-After` beyond).

**Cost limits.** A recommendation request costs the rows it makes the server build:
for each profile, the programmes of its year scored, the rows explained and (with
`include_ineligible`) the ineligible rows listed. A request costing more than
`max_request_cost` is refused before scoring (413, naming the limit and the cost);
each key has `cost_budget_per_minute` (429 with `Retry-After` when spent). Failed
authentications are limited per client address (`auth_failures_per_minute`, then 429).

`/healthz`, `/readyz` and `/metrics` (Prometheus) need no key: expose them to your load
balancer and scraper only.
"""


def _startup(app: FastAPI, settings: Settings, metrics: Metrics) -> ModelHolder:
    upgrade_database(settings.db_url)
    engine = get_engine(settings.db_url)
    registry = open_registry(settings)  # signing key created on first start
    holder = ModelHolder(
        registry,
        engine,
        num_threads=settings.num_threads,
        on_swap=metrics.set_model,
        probe_seconds=settings.readiness_probe_seconds,
    )
    holder.refresh()
    holder.settle()  # nothing older to free: the model loaded, then frozen
    if holder.current is None:
        log.warning(
            "no model is being served yet (champion: %s); /readyz answers 503",
            registry.champion_token()[0],
        )
    app.state.engine = engine
    app.state.registry = registry
    app.state.holder = holder
    costs = CostGuard(
        app.state.rate_limiter,
        max_cost=settings.max_request_cost,
        per_minute=settings.cost_budget_per_minute,
    )
    app.state.service = ServingService(holder, metrics, max_batch=settings.max_batch, costs=costs)
    return holder


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application for ``settings`` (default: :func:`get_settings`)."""
    settings = settings or get_settings()
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        holder = await run_in_threadpool(_startup, app, settings, metrics)
        holder.start(settings.champion_poll_seconds)
        try:
            yield
        finally:
            holder.stop()

    app = FastAPI(
        title="SME programme recommender",
        version="1",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # FastAPI's pages load scripts from a CDN: api/docs.py serves ours
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,  # API keys only: no OAuth2 redirect page
    )
    app.state.settings = settings
    app.state.metrics = metrics
    app.state.rate_limiter = RateLimiter(settings.rate_limit_per_minute)
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    app.include_router(portal_router)
    app.include_router(staff_router)
    app.include_router(docs_router)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    install_cors(app, settings)
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    app.add_middleware(NoSniffMiddleware)  # outermost: every response, errors included
    install_log_filters()
    return app
