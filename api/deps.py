"""Typed dependencies: what a route needs, reached through ``Annotated`` aliases that
build on each other.

``SessionDep`` is the request's one database session; ``PrincipalDep`` authenticates
the key *in that session*; the role guards ``AnyRoleDep`` (partner, caseworker,
analyst), ``StaffDep`` (caseworker, analyst) and ``AnalystDep`` build on the principal
and take a token of the rate limiter. ``ServiceDep`` is the serving service every front
end goes through. The shared objects live on ``app.state`` (set by
:func:`api.app.create_app` and its lifespan), so several apps with different settings
can run in one process.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request, Security
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api.errors import ApiProblem
from api.metrics import Metrics
from api.security import (
    ANALYST,
    ANY_ROLE,
    API_KEY_HEADER,
    STAFF,
    AuthFailures,
    Principal,
    RateLimiter,
    api_key_scheme,
    client_address,
)
from api.service import ServingService
from api.serving import ModelHolder
from recommender.adapters.registry import Registry
from recommender.adapters.store import ROLES, authenticate
from recommender.settings import Settings


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's one session. Writers commit what they write (the service does);
    whatever is left open when the request ends is rolled back.

    The session connects on first use, in the thread that uses it; closing it after a
    commit does no I/O, so it stays on the event loop.
    """
    session = Session(bind=request.app.state.engine, expire_on_commit=False)
    try:
        yield session
    finally:
        if session.in_transaction():
            await run_in_threadpool(session.close)  # rolls back, returns the connection
        else:
            session.close()


SessionDep = Annotated[Session, Depends(get_session)]


async def get_principal(
    request: Request,
    session: SessionDep,
    api_key: str | None = Security(api_key_scheme),  # noqa: B008
) -> Principal:
    """The caller behind the ``X-API-Key`` header; 401 when missing, unknown or revoked.

    Unknown or revoked keys are counted per client address: past
    ``Settings.auth_failures_per_minute`` of them, every key from that client is refused
    with 429 (without being looked up) until the bucket refills.

    SQLite is a library in this process: its lookup of one key by hash (~0.1 ms) costs
    less than the worker-thread hop it would take, so it runs here; a database over the
    network is asked from a worker thread, so the event loop never waits on it.
    """
    challenge = {"WWW-Authenticate": API_KEY_HEADER}
    if not api_key:
        raise ApiProblem(
            401,
            f"send an API key in the {API_KEY_HEADER} header",
            kind="unauthorized",
            headers=challenge,
        )
    failures = AuthFailures(request.app.state.rate_limiter, request.app.state.settings)
    peer = client_address(request)
    failures.check(peer)
    if request.app.state.engine.dialect.name == "sqlite":
        info = authenticate(session, api_key)
    else:
        info = await run_in_threadpool(authenticate, session, api_key)
    if info is None:
        failures.count(peer)
        raise ApiProblem(
            401, "the API key is unknown or revoked", kind="unauthorized", headers=challenge
        )
    return Principal(info.name, info.role)


PrincipalDep = Annotated[Principal, Depends(get_principal)]


async def get_rate_limiter(request: Request) -> RateLimiter:
    """The process's one rate limiter (API keys and portal clients alike)."""
    limiter: RateLimiter = request.app.state.rate_limiter
    return limiter


RateLimiterDep = Annotated[RateLimiter, Depends(get_rate_limiter)]


class RoleGuard:
    """A dependency admitting keys of the given roles (403 otherwise), one rate-limit
    token per request; its ``roles`` document the route (``tests/api/test_auth.py``)."""

    def __init__(self, *roles: str) -> None:
        unknown = set(roles) - set(ROLES)
        if unknown or not roles:
            raise ValueError(f"roles must be some of {ROLES}, not {roles}")
        self.roles = tuple(roles)

    def __repr__(self) -> str:
        return f"RoleGuard{self.roles}"

    async def __call__(self, principal: PrincipalDep, limiter: RateLimiterDep) -> Principal:
        if principal.role not in self.roles:
            raise ApiProblem(
                403,
                f"role {principal.role!r} may not use this endpoint "
                f"(allowed: {', '.join(self.roles)})",
                kind="forbidden",
            )
        limiter.take(principal.name)
        return principal


AnyRoleDep = Annotated[Principal, Depends(RoleGuard(*ANY_ROLE))]
StaffDep = Annotated[Principal, Depends(RoleGuard(*STAFF))]
AnalystDep = Annotated[Principal, Depends(RoleGuard(*ANALYST))]


async def get_app_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


async def get_service(request: Request) -> ServingService:
    """The serving service (the data plane of the API and the portal)."""
    service: ServingService = request.app.state.service
    return service


async def get_holder(request: Request) -> ModelHolder:
    """The process's model holder."""
    holder: ModelHolder = request.app.state.holder
    return holder


async def get_registry(request: Request) -> Registry:
    """The model registry."""
    registry: Registry = request.app.state.registry
    return registry


async def get_metrics(request: Request) -> Metrics:
    """The app's metrics."""
    metrics: Metrics = request.app.state.metrics
    return metrics


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
ServiceDep = Annotated[ServingService, Depends(get_service)]
HolderDep = Annotated[ModelHolder, Depends(get_holder)]
RegistryDep = Annotated[Registry, Depends(get_registry)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]
