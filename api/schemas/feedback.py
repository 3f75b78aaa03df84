"""Feedback on a served recommendation: what comes in and what is stored share one base."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Action = Literal["accepted", "declined", "applied", "joined"]


class FeedbackBase(BaseModel):
    """What was done with one programme of a served list, and its limits."""

    request_id: str = Field(min_length=1, max_length=64)
    programme_id: str = Field(min_length=1, max_length=128)
    action: Action
    note: str | None = Field(default=None, max_length=2000)


class FeedbackIn(FeedbackBase):
    """Feedback to record (``request_id`` from the recommendation's response)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "request_id": "4f1c2b8e9d7a4c3b8a1e2f3d4c5b6a79",
                    "programme_id": "P2024-017",
                    "action": "applied",
                    "note": "applied after the consultation",
                }
            ]
        },
    )


class FeedbackOut(FeedbackBase):
    """The stored feedback, with the firm of the served list."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    firm_id: str | None
    created_at: datetime
