"""Alerts: new programmes that entered a subscriber's top k."""

from __future__ import annotations

from datetime import datetime
from typing import Self

from pydantic import BaseModel

from api.activity import Alert


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

    @classmethod
    def of(cls, found: Alert) -> Self:
        """An alert with its subscriber's firm and what is stored of its programme."""
        a, p = found.alert, found.programme
        return cls(
            id=a.id,
            subscription_id=a.subscription_id,
            firm_id=found.firm_id,
            programme_id=a.programme_id,
            name=p.get("name"),
            programme_type=p.get("programme_type"),
            url=p.get("url"),
            apply_start=p.get("apply_start"),
            apply_end=p.get("apply_end"),
            rank=a.rank,
            score=a.score,
            created_at=a.created_at,
        )
