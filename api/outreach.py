"""Actionable outreach lists: a page of a programme's best-fitting eligible stored firms,
each with its name and place, score, top reasons and the conditions still to check,
audited under a request id like every served list.

The ranking is the core's (:meth:`Recommender.rank_firms_for`); the reasons are the
TreeSHAP facts of each firm's pair with the programme, from the same model and the
same one-programme catalogue, so ``score`` and ``base_value + contributions`` agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from api.queries import write_audit_many
from api.security import Principal
from api.service import ServingService, new_request_id
from recommender import Explanation, RecommendedItem
from recommender.adapters.store import get_programme, load_firms, load_outcomes
from recommender.adapters.store.firm_search import size_band_of
from recommender.adapters.store.plain_values import frame_record
from recommender.calibration import Chance

TOP_REASONS = 3


@dataclass(frozen=True)
class OutreachFirm:
    """One firm of an outreach page."""

    rank: int
    profile: dict[str, Any]  # the stored profile of the programme's year
    size_band: str
    score: float
    explanation: Explanation | None
    chance: Chance | None = None  # None: the served version has no calibration


@dataclass(frozen=True)
class OutreachPage:
    """A page of a programme's outreach list, audited as ``request_id``."""

    request_id: str
    programme: dict[str, Any]
    model_version: str
    firms: list[OutreachFirm]
    more: bool


def _after(ranked: pd.DataFrame, after: tuple[float, str] | None) -> pd.DataFrame:
    """The ranked rows after the firm ``after`` (its score and id) in list order."""
    if after is None:
        return ranked
    score, firm = after
    s, f = ranked["score"].astype(float), ranked["firm_id"].astype(str)
    return ranked[(s < score) | ((s == score) & (f > firm))]


def outreach_page(
    service: ServingService,
    session: Session,
    caller: Principal,
    programme_id: str,
    *,
    limit: int,
    after: tuple[float, str] | None,
    endpoint: str,
) -> OutreachPage:
    """The next ``limit`` firms of the programme's outreach list, explained, audited.

    Raises
    ------
    NotFoundError
        No programme has this id.
    ModelUnavailableError
        No model is being served.
    """
    rec = service.model()
    programme = get_programme(session, programme_id)
    year = int(programme["year"])
    firms = load_firms(session, year=year)
    history = load_outcomes(session)
    ranked = rec.rank_firms_for(programme_id, firms, k=len(firms), outcomes=history)
    rest = _after(ranked, after)
    shown = rest.head(limit)
    chosen = firms.set_index("firm_id").loc[shown["firm_id"].tolist()].reset_index()
    explained = _explained(rec, programme_id, chosen, history)
    out = []
    for i, row in enumerate(shown.itertuples(index=False)):
        profile = frame_record(chosen, i)
        item = explained.get(str(row.firm_id))
        out.append(
            OutreachFirm(
                int(row.rank),
                profile,
                size_band_of(int(profile["employees"])),
                float(row.score),
                None if item is None else item.explanation,
                None if item is None else item.chance,
            )
        )
    request_id = new_request_id()
    write_audit_many(
        session,
        [
            {
                "key_name": caller.name,
                "role": caller.role,
                "request_id": request_id,
                "endpoint": endpoint,
                "model_version": rec.version,
                "firm_id": None,
                "year": year,
                "items": [
                    {"programme_id": programme_id, "rank": f.rank, "firm_id": f.profile["firm_id"]}
                    for f in out
                ],
            }
        ],
    )
    session.commit()
    service.metrics.served.labels(endpoint=endpoint).inc()
    return OutreachPage(request_id, programme, rec.version, out, len(rest) > limit)


def _explained(
    rec: Any, programme_id: str, firms: pd.DataFrame, history: pd.DataFrame
) -> dict[str, RecommendedItem]:
    """Each firm's explained item for the one programme (its explanation of the fit and
    its chance), by firm id."""
    if firms.empty:
        return {}
    one = rec.programmes[rec.programmes["programme_id"] == programme_id]
    lists = rec.with_programmes(one).recommend_batch(
        firms, k=1, explain="top", outcomes=history, as_of=None, today=None
    )
    return {r.firm_id: r.items[0] for r in lists if r.items}
