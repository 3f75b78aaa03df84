"""Stored firms for caseworkers: find them, read them, write a year's profile or carry
last year's forward. Every write is validated as the contract says and logged in the
change log (who, when, before, after) in the same transaction, then committed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.errors import ApiProblem, field_path
from api.schemas.firms import FirmProfile
from api.security import Principal
from recommender.adapters.store import get_firm, load_firms, upsert_firms
from recommender.adapters.store.changes import record_change
from recommender.adapters.store.plain_values import frame_record
from recommender.adapters.store.tables import Firm
from recommender.contract.canonical import canonical_firms
from recommender.errors import NotFoundError

PROFILE = "firm_profile"


@dataclass(frozen=True)
class Written:
    """A profile as stored, whether it was new, and the year it was carried from."""

    profile: dict[str, Any]
    created: bool
    carried_from: int | None = None


def firm_profiles(session: Session, firm_id: str) -> list[dict[str, Any]]:
    """Every stored profile year of one firm, oldest first.

    Raises
    ------
    NotFoundError
        No profile of the firm is stored.
    """
    frame = load_firms(session, firm_ids=[firm_id])
    if frame.empty:
        raise NotFoundError(f"firm {firm_id!r} not found")
    return [frame_record(frame, i) for i in range(len(frame))]


def _valid(profile: Mapping[str, Any], *, strict: bool = True) -> dict[str, Any]:
    """The profile checked against the contract's entry rules (422 naming each field).

    ``strict=False`` for a stored profile carried forward: the store holds its values
    canonically (a 1-5 rating as the float 3.0), and the edits laid over it were
    already checked strictly as the request's body.
    """
    try:
        checked = FirmProfile.model_validate(dict(profile), strict=strict)
    except ValidationError as exc:
        errors = [
            {
                "field": field_path(e.get("loc", ())),
                "message": str(e.get("msg", "invalid")).removeprefix("Value error, "),
            }
            for e in exc.errors()
        ]
        raise ApiProblem(
            422,
            f"{len(errors)} field(s) of the profile are invalid; nothing was stored",
            kind="validation-error",
            errors=errors,
        ) from None
    return checked.model_dump()


def _exists(session: Session, firm_id: str, year: int) -> dict[str, Any] | None:
    found = session.execute(
        select(Firm.year).where(Firm.firm_id == firm_id, Firm.year == year)
    ).first()
    return None if found is None else get_firm(session, firm_id, year)


def _store(session: Session, caller: Principal, profile: dict[str, Any], *, action: str) -> Written:
    firm_id, year = str(profile["firm_id"]), int(profile["year"])
    before = _exists(session, firm_id, year)
    upsert_firms(session, canonical_firms(pd.DataFrame([profile])))
    after = get_firm(session, firm_id, year)
    if before != after:
        record_change(
            session,
            key_name=caller.name,
            role=caller.role,
            entity=PROFILE,
            entity_key=f"{firm_id}/{year}",
            action=action if before is None else "updated",
            before=before,
            after=after,
        )
    session.commit()
    return Written(after, created=before is None)


def write_profile(
    session: Session, caller: Principal, firm_id: str, year: int, values: Mapping[str, Any]
) -> Written:
    """Create or replace the firm's profile of ``year`` with ``values``."""
    profile = _valid({"firm_id": firm_id, "year": year, **values})
    return _store(session, caller, profile, action="created")


def carry_forward(
    session: Session, caller: Principal, firm_id: str, year: int, edits: Mapping[str, Any]
) -> Written:
    """The firm's latest profile before ``year``, moved to ``year`` with ``edits``.

    Raises
    ------
    NotFoundError
        The firm has no profile before ``year``.
    ApiProblem
        409 when a profile of ``year`` is stored already (write it with PUT).
    """
    earlier = [p for p in firm_profiles(session, firm_id) if int(p["year"]) < year]
    if not earlier:
        raise NotFoundError(f"firm {firm_id!r} has no profile before {year} to carry forward")
    if _exists(session, firm_id, year) is not None:
        raise ApiProblem(
            409,
            f"firm {firm_id!r} already has a profile for {year}; change it with PUT",
            kind="conflict",
            errors=[{"field": "year", "message": "a year without a stored profile"}],
        )
    source = earlier[-1]
    profile = _valid({**source, **edits, "firm_id": firm_id, "year": year}, strict=False)
    written = _store(session, caller, profile, action="carried")
    return Written(written.profile, created=True, carried_from=int(source["year"]))
