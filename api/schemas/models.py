"""Model versions in the registry and the one being served."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class ModelVersionOut(BaseModel):
    """One version folder of the registry."""

    model_config = ConfigDict(protected_namespaces=())

    version: str
    created_at: str | None
    metrics: dict[str, Any]
    is_champion: bool
    valid: bool
    error: str | None
    serving: bool


class ModelList(BaseModel):
    """Every version, oldest first, with the champion and the version this process serves."""

    champion: str | None
    serving: str | None
    versions: list[ModelVersionOut]


class ChampionOut(BaseModel):
    """The champion after a promotion or rollback, and what this process now serves."""

    champion: str
    serving: str | None
