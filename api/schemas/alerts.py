"""Alerts: new programmes that entered a subscriber's top k."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class AlertOut(BaseModel):
    """One new programme for one subscription, as a mailer would send it."""

    id: int
    subscription_id: int
    firm_id: str | None
    programme_id: str
    name: str | None
    programme_type: str | None
    url: str | None
    apply_start: str | None
    apply_end: str | None
    rank: int
    score: float
    created_at: datetime


class AlertList(BaseModel):
    """Alerts, newest first."""

    count: int
    items: list[AlertOut]
