"""Between the core's dataclasses and the API's JSON: recommendations and audit items."""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable
from typing import Any

from fastapi.responses import Response
from pydantic_core import to_json

from recommender.explain import Contribution, Explanation
from recommender.recommend import Recommendation, RecommendedItem


def new_request_id() -> str:
    """A fresh, unguessable request id (32 hex characters)."""
    return uuid.uuid4().hex


def _num(value: float | None) -> float | None:
    if value is None:
        return None
    f = float(value)
    return f if math.isfinite(f) else None


def _contribution(c: Contribution) -> dict[str, Any]:
    return {"factor": c.factor, "value": _num(c.value) or 0.0, "text": c.text}


def _explanation(e: Explanation | None) -> dict[str, Any] | None:
    if e is None:
        return None
    return {"base_value": _num(e.base_value),
            "contributions": [_contribution(c) for c in e.contributions]}


def _item(item: RecommendedItem) -> dict[str, Any]:
    return {"rank": item.rank, "programme_id": item.programme_id, "name": item.name,
            "programme_type": item.programme_type, "agency": item.agency,
            "score": _num(item.score), "apply_start": item.apply_start,
            "apply_end": item.apply_end, "days_left": item.days_left, "url": item.url,
            "explanation": _explanation(item.explanation)}


def recommendation_json(rec: Recommendation, *, request_id: str) -> dict[str, Any]:
    """A :class:`Recommendation` as the ``RecommendationResponse`` document."""
    return {
        "model_version": rec.model_version,
        "request_id": request_id,
        "firm_id": rec.firm_id,
        "year": rec.year,
        "recommendations": [_item(i) for i in rec.items],
        "unscored": [_item(i) for i in rec.unscored],
        "ineligible": None if rec.ineligible is None else [
            {"programme_id": i.programme_id, "name": i.name, "reasons": list(i.reasons)}
            for i in rec.ineligible],
        "contrast": [_contribution(c) for c in rec.contrast],
        "capability_profile": [
            {"capability": g.capability, "own": _num(g.own), "peers": _num(g.peers),
             "gap": _num(g.gap)} for g in rec.profile],
    }


def audit_items(rec: Recommendation) -> list[dict[str, Any]]:
    """What the audit log keeps of a served list: programmes in served order, with ranks."""
    items: Iterable[RecommendedItem] = [*rec.items, *rec.unscored]
    return [{"programme_id": i.programme_id, "rank": i.rank} for i in items]


def audit_entry(rec: Recommendation, *, request_id: str, key_name: str, role: str,
                endpoint: str) -> dict[str, Any]:
    """One audit row (see :func:`api.queries.write_audit_many`)."""
    return {"key_name": key_name, "role": role, "request_id": request_id,
            "endpoint": endpoint, "model_version": rec.model_version,
            "firm_id": rec.firm_id, "year": rec.year, "items": audit_items(rec)}


def json_response(document: Any, *, headers: dict[str, str] | None = None) -> Response:
    """``document`` (already shaped as the route's response model) serialised directly.

    Skips FastAPI's re-validation of our own output, which cost more than ranking a
    small list; the tests check every document against its schema instead.
    """
    return Response(content=to_json(document), media_type="application/json", headers=headers)
