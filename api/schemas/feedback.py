"""Feedback on a served list: what comes in, a correction, and what is stored.

The statuses and their meanings are the core's
(:data:`recommender.constants.FEEDBACK_MEANINGS`); the OpenAPI document lists them with
their meanings (``x-enum-descriptions``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import JsonDict

from api.schemas.common import FirmId, ProgrammeId, RequestModel
from recommender.adapters.store.tables import FEEDBACK_ACTIONS, LEGACY_FEEDBACK_ACTIONS
from recommender.constants import FEEDBACK_MEANINGS

Action = Literal[(*FEEDBACK_ACTIONS, *LEGACY_FEEDBACK_ACTIONS)]  # type: ignore[valid-type]
_MEANINGS = {
    **FEEDBACK_MEANINGS,
    **{old: f"deprecated: stored as `{new}`" for old, new in LEGACY_FEEDBACK_ACTIONS.items()},
}
ACTION_DOC = "what was done: " + "; ".join(f"`{k}`: {v}" for k, v in _MEANINGS.items())
_ACTION_SCHEMA: JsonDict = {"x-enum-descriptions": dict(_MEANINGS)}


class FeedbackIn(RequestModel):
    """Feedback to record on one programme of a served list (``request_id`` from the
    list's response). A firm's list names its firm; for an outreach list (one
    programme, many firms) ``firm_id`` says which firm of the list."""

    model_config = ConfigDict(
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

    request_id: str = Field(min_length=1, max_length=64)
    programme_id: ProgrammeId
    firm_id: FirmId | None = Field(
        default=None,
        description="required for an outreach list; for a firm's list, its firm (optional)",
    )
    action: Action = Field(description=ACTION_DOC, json_schema_extra=_ACTION_SCHEMA)
    note: str | None = Field(default=None, max_length=2000)


class FeedbackCorrection(RequestModel):
    """A correction of stored feedback: a new status, a new note, or both."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"action": "joined"}]})

    action: Action | None = Field(
        default=None, description=ACTION_DOC, json_schema_extra=_ACTION_SCHEMA
    )
    note: str | None = Field(default=None, max_length=2000)


class FeedbackOut(BaseModel):
    """The stored feedback, with the firm of the served list."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    request_id: str
    programme_id: str
    firm_id: str | None
    action: str = Field(description=ACTION_DOC, json_schema_extra=_ACTION_SCHEMA)
    note: str | None
    key_name: str
    created_at: datetime
    year: int | None = Field(default=None, description="the served list's year")
    updated_at: datetime | None = None
    updated_by: str | None = None
