"""Server-side sessions of the staff pages: begun by exchanging an API key, found by
the hash of their token, ended by signing out, by expiry, or by revoking the key.

A session token is 256 random bits handed to the browser once (in a cookie); the store
keeps only its SHA-256 hash, so a copy of the database cannot be replayed as a session.
A session lives only while its key does: the lookup joins the key and refuses a revoked
one, so revoking a key ends its sessions at once. Ended sessions stay as the record of
who signed in, when, from where, and how it ended.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, Literal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from recommender.adapters.store.keys import hash_key
from recommender.adapters.store.tables import ApiKey, StaffSession, utcnow

TOKEN_BYTES: Final[int] = 32
EndReason = Literal["signed_out", "expired", "revoked"]


@dataclass(frozen=True)
class StaffSessionInfo:
    """A live session: whose key, which role, its CSRF token and when it expires."""

    id: int
    key_name: str
    role: str
    csrf_token: str
    expires_at: datetime


@dataclass(frozen=True)
class SignInRecord:
    """A sign-in as the audit shows it (never its token or CSRF token)."""

    id: int
    key_name: str
    role: str
    client: str | None
    created_at: datetime
    expires_at: datetime
    ended_at: datetime | None
    ended_why: str | None


@dataclass(frozen=True)
class NewSession:
    """A session just begun: the token for the cookie (shown once) and its record."""

    token: str
    info: StaffSessionInfo


def begin_session(
    session: Session,
    *,
    key_name: str,
    role: str,
    lifetime: timedelta,
    client: str | None,
    now: datetime | None = None,
) -> NewSession:
    """Store a new session of ``key_name`` expiring after ``lifetime`` (not committed)."""
    start = now or utcnow()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    row = StaffSession(
        token_hash=hash_key(token),
        key_name=key_name,
        role=role,
        csrf_token=secrets.token_urlsafe(TOKEN_BYTES),
        client=client,
        created_at=start,
        expires_at=start + lifetime,
    )
    session.add(row)
    session.flush()
    return NewSession(token, _info(row))


def _info(row: StaffSession) -> StaffSessionInfo:
    return StaffSessionInfo(row.id, row.key_name, row.role, row.csrf_token, row.expires_at)


def find_session(
    session: Session, token: str, *, now: datetime | None = None
) -> StaffSessionInfo | None:
    """The live session of ``token``, or ``None`` when unknown, ended, expired or its key
    revoked (an expired or revoked one is marked ended; the caller commits)."""
    if not token:
        return None
    digest = hash_key(token)
    found = session.execute(
        select(StaffSession, ApiKey.revoked_at)
        .join(ApiKey, ApiKey.name == StaffSession.key_name)
        .where(StaffSession.token_hash == digest)
    ).first()
    if found is None:
        return None
    row, revoked_at = found
    if not hmac.compare_digest(row.token_hash, digest) or row.ended_at is not None:
        return None
    moment = now or utcnow()
    if revoked_at is not None or row.expires_at <= moment:
        row.ended_at = moment
        row.ended_why = "revoked" if revoked_at is not None else "expired"
        session.flush()
        return None
    return _info(row)


def end_session(session: Session, session_id: int, *, why: EndReason = "signed_out") -> None:
    """Mark a session ended (not committed); ending an ended one changes nothing."""
    session.execute(
        update(StaffSession)
        .where(StaffSession.id == session_id, StaffSession.ended_at.is_(None))
        .values(ended_at=utcnow(), ended_why=why)
    )


def list_sign_ins(
    session: Session, *, key_name: str | None = None, before_id: int | None = None, limit: int
) -> list[SignInRecord]:
    """Sign-ins to the staff pages, newest first, of one key if given, below ``before_id``."""
    stmt = select(StaffSession).order_by(StaffSession.id.desc()).limit(limit)
    if key_name is not None:
        stmt = stmt.where(StaffSession.key_name == key_name)
    if before_id is not None:
        stmt = stmt.where(StaffSession.id < before_id)
    return [
        SignInRecord(
            r.id, r.key_name, r.role, r.client, r.created_at, r.expires_at, r.ended_at, r.ended_why
        )
        for r in session.scalars(stmt)
    ]
