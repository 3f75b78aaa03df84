"""The audit log of served recommendations."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class AuditItem(BaseModel):
    """A programme as served, with its rank (null for unscored ones)."""

    programme_id: str
    rank: int | None


class AuditEntryOut(BaseModel):
    """One served recommendation list: who, when, which firm, which model, what order."""

    model_config = ConfigDict(protected_namespaces=(), from_attributes=True)

    id: int
    at: datetime
    key_name: str
    role: str
    request_id: str
    firm_id: str | None
    year: int | None
    model_version: str
    endpoint: str
    items: list[AuditItem]


class AuditList(BaseModel):
    """Audit entries, newest first."""

    count: int
    items: list[AuditEntryOut]
