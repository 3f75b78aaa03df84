"""Typed dependencies: what a route needs, reached through ``Annotated`` aliases.

``SettingsDep``, ``SessionDep``, ``HolderDep``, ``RecommenderDep`` and the role guards
``AnyRoleDep`` (partner, caseworker, analyst), ``StaffDep`` (caseworker, analyst) and
``AnalystDep``. The shared objects live on ``app.state`` (set by the lifespan), so
several apps with different settings can run in one process.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from api.errors import ApiProblem
from api.metrics import Metrics
from api.security import ANALYST, ROLES, STAFF, Principal, require
from api.serving import ModelHolder
from recommender.recommend import Recommender
from recommender.adapters.registry import Registry
from recommender.settings import Settings
from recommender.adapters.store import session_scope


async def get_app_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


async def get_engine_dep(request: Request) -> Engine:
    """The store's engine."""
    engine: Engine = request.app.state.engine
    return engine


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the route returns, else rolled back."""
    with session_scope(request.app.state.engine) as session:
        yield session


async def get_holder(request: Request) -> ModelHolder:
    """The process's model holder."""
    holder: ModelHolder = request.app.state.holder
    return holder


async def get_recommender(request: Request) -> Recommender:
    """The model being served now; this request keeps it even if a swap happens."""
    rec = request.app.state.holder.current
    if rec is None:
        raise ApiProblem(503, "no model is being served: promote a champion "
                              "(`recommender models promote VERSION`)", kind="no-model")
    return rec  # type: ignore[no-any-return]


async def get_registry(request: Request) -> Registry:
    """The model registry."""
    registry: Registry = request.app.state.registry
    return registry


async def get_metrics(request: Request) -> Metrics:
    """The app's metrics."""
    metrics: Metrics = request.app.state.metrics
    return metrics


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
EngineDep = Annotated[Engine, Depends(get_engine_dep)]
SessionDep = Annotated[Session, Depends(get_session)]
HolderDep = Annotated[ModelHolder, Depends(get_holder)]
RecommenderDep = Annotated[Recommender, Depends(get_recommender)]
RegistryDep = Annotated[Registry, Depends(get_registry)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]

AnyRoleDep = Annotated[Principal, Depends(require(*ROLES))]
StaffDep = Annotated[Principal, Depends(require(*STAFF))]
AnalystDep = Annotated[Principal, Depends(require(*ANALYST))]
