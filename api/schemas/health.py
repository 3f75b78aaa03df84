"""Liveness and readiness."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Health(BaseModel):
    """The process is up."""

    status: str


class Readiness(BaseModel):
    """The model is loaded and the database answers; ``degraded`` says why not the champion."""

    model_config = ConfigDict(protected_namespaces=())

    status: str
    model_version: str
    programmes: int
    reason: str | None = None
