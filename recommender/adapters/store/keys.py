"""API keys: made once, shown once, stored only as a SHA-256 hash.

Keys are 256-bit random tokens, so a plain SHA-256 is a sound verifier (no dictionary
to attack; a slow password hash would only cost every request). Lookup is by hash and
the final comparison is constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from recommender.adapters.store.tables import ROLES, ApiKey, utcnow
from recommender.errors import ConflictError, DataValidationError, NotFoundError, Problem

KEY_PREFIX: Final[str] = "rk_"
KEY_BYTES: Final[int] = 32


@dataclass(frozen=True)
class KeyInfo:
    """Who a valid key belongs to."""

    name: str
    role: str


@dataclass(frozen=True)
class KeyRecord:
    """A stored key as listed to an administrator (never the key itself)."""

    name: str
    role: str
    created_at: datetime
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        """``True`` while the key has not been revoked."""
        return self.revoked_at is None


def hash_key(key: str) -> str:
    """The stored verifier of ``key``: hex SHA-256."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise DataValidationError(
            [Problem("api key", None, "role", role, f"one of {', '.join(ROLES)}")]
        )


def create_key(session: Session, *, name: str, role: str) -> str:
    """Create a key for ``name`` with ``role`` and return it; it is never shown again.

    Raises
    ------
    DataValidationError
        ``role`` is not caseworker, partner or analyst, or ``name`` is empty.
    ConflictError
        A key with this name exists (revoked keys keep their names).
    """
    _check_role(role)
    if not name.strip():
        raise DataValidationError([Problem("api key", None, "name", name, "a non-empty name")])
    if session.execute(select(ApiKey.id).where(ApiKey.name == name)).first() is not None:
        raise ConflictError(f"an API key named {name!r} already exists")
    key = KEY_PREFIX + secrets.token_urlsafe(KEY_BYTES)
    try:
        session.add(ApiKey(name=name, role=role, key_hash=hash_key(key), created_at=utcnow()))
        session.flush()
    except IntegrityError as exc:  # a concurrent create with the same name
        raise ConflictError(f"an API key named {name!r} already exists") from exc
    return key


def revoke_key(session: Session, name: str) -> None:
    """Revoke the key called ``name``; it stops authenticating at once.

    Raises
    ------
    NotFoundError
        No key has this name.
    """
    row = session.execute(select(ApiKey).where(ApiKey.name == name)).scalar_one_or_none()
    if row is None:
        raise NotFoundError(f"no API key named {name!r}")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.flush()


_KEYS = ApiKey.__table__.c
# built once: every request runs it, and making a statement costs more than running it
_BY_HASH: Final = select(_KEYS.name, _KEYS.role, _KEYS.key_hash, _KEYS.revoked_at).where(
    _KEYS.key_hash == bindparam("digest")
)


def authenticate(session: Session, key: str) -> KeyInfo | None:
    """Who ``key`` belongs to, or ``None`` if it is unknown or revoked (a plain Core
    query on the session's connection: it runs on every request)."""
    if not key:
        return None
    digest = hash_key(key)
    row = session.connection().execute(_BY_HASH, {"digest": digest}).first()
    if row is None or not hmac.compare_digest(row.key_hash, digest) or row.revoked_at:
        return None
    return KeyInfo(name=row.name, role=row.role)


def list_keys(session: Session) -> list[KeyRecord]:
    """Every key (active and revoked) by name, without hashes or keys."""
    rows = session.execute(
        select(ApiKey.name, ApiKey.role, ApiKey.created_at, ApiKey.revoked_at).order_by(ApiKey.name)
    )
    return [
        KeyRecord(name=r.name, role=r.role, created_at=r.created_at, revoked_at=r.revoked_at)
        for r in rows
    ]
