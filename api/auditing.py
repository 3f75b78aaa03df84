"""Writing served recommendations to the audit log, before the response leaves."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from api.convert import audit_entry
from api.security import Principal
from recommender.recommend import Recommendation
from api.queries import write_audit_many


def audit_served(session: Session, served: Sequence[tuple[Recommendation, str]], *,
                 principal: Principal, endpoint: str) -> None:
    """Record each ``(recommendation, request_id)`` as served to ``principal`` and commit.

    A recommendation is only returned once its audit entry is stored: if the write
    fails, the request fails.
    """
    write_audit_many(session, [audit_entry(rec, request_id=request_id, key_name=principal.name,
                                           role=principal.role, endpoint=endpoint)
                               for rec, request_id in served])
    session.commit()
