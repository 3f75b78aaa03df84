"""The audit log of served recommendations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class AuditItem(BaseModel):
    """A programme as served, with its rank (null for unscored ones); in an outreach
    list, the firm it was listed with."""

    programme_id: str
    rank: int | None
    firm_id: str | None = None


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


class ChangeOut(BaseModel):
    """One edit a person made to stored data: who, when, of what, before and after."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    key_name: str
    role: str
    entity: str
    entity_key: str
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class SignInOut(BaseModel):
    """One sign-in to the staff pages: whose key, from where, when, until when, and how
    it ended (``signed_out``, ``expired``, ``revoked``; null while live or unseen since
    it lapsed)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    key_name: str
    role: str
    client: str | None
    created_at: datetime
    expires_at: datetime
    ended_at: datetime | None
    ended_why: str | None
