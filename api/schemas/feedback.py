"""Feedback on a served recommendation."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Action = Literal["accepted", "declined", "applied", "joined"]


class FeedbackIn(BaseModel):
    """What was done with one programme of a served list (``request_id`` from the response)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"request_id": "4f1c2b8e9d7a4c3b8a1e2f3d4c5b6a79", "programme_id": "P2024-017",
         "action": "applied", "note": "applied after the consultation"}]})

    request_id: str = Field(min_length=1, max_length=64)
    programme_id: str = Field(min_length=1, max_length=128)
    action: Action
    note: str | None = Field(default=None, max_length=2000)


class FeedbackOut(BaseModel):
    """The stored feedback."""

    id: int
    request_id: str
    programme_id: str
    firm_id: str | None
    action: str
    note: str | None
    created_at: datetime
