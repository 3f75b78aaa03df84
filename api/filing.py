"""Under which firm a served list is audited, and so its feedback filed.

A stored firm's list is filed under its id. A profile in the request is filed under
its own id when a member of staff sent it, and as ``partner:<key name>:<firm_id>`` when
a partner did: a partner's firm is the partner's record, so a partner reusing a stored
firm's id (by chance or not) can never have its list, or feedback on it, filed under
that stored firm. A profile a firm consented to keep from the portal is filed as
``saved-profile:<ref>``.
"""

from __future__ import annotations

from typing import Any, Final

from api.security import Principal
from recommender import Recommendation

SAVED_PROFILE_PREFIX: Final[str] = "saved-profile:"  # a consented portal profile
PARTNER_PREFIX: Final[str] = "partner:"  # a partner's inline profile


def filed_under(caller: Principal, firm_id: str) -> str:
    """The firm id an inline profile's list is audited (and its feedback filed) under."""
    if caller.role == "partner":
        return f"{PARTNER_PREFIX}{caller.name}:{firm_id}"
    return firm_id


def audit_row(
    result: Recommendation,
    request_id: str,
    *,
    caller: Principal,
    endpoint: str,
    firm_id: str | None = None,
) -> dict[str, Any]:
    """The audit entry of one served list: who, which firm, which model, what order.

    ``firm_id`` replaces the list's own (see the module docstring). The time is added
    when the entry is written.
    """
    return {
        "key_name": caller.name,
        "role": caller.role,
        "request_id": request_id,
        "endpoint": endpoint,
        "model_version": result.model_version,
        "firm_id": result.firm_id if firm_id is None else firm_id,
        "year": result.year,
        "items": [
            {"programme_id": i.programme_id, "rank": i.rank}
            for i in (*result.items, *result.unscored)
        ],
    }
