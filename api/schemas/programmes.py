"""Programme offerings of the catalogue, and outreach lists of firms for one offering."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any, Self

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from api.outreach import TOP_REASONS, OutreachFirm, OutreachPage
from api.schemas.recommendations import ChanceOut, ContributionOut, chance_out
from recommender.adapters.store.plain_values import frame_record
from recommender.constants import LIST_SEP
from recommender.explain import Renderer, renderer


class ProgrammeOut(BaseModel):
    """One programme offering (``docs/contract.md``, programmes)."""

    programme_id: str
    name: str
    programme_type: str
    agency: str | None = None
    targets: list[str]
    year: int
    min_employees: int | None = None
    max_employees: int | None = None
    min_firm_age: int | None = None
    max_firm_age: int | None = None
    sectors: str
    regions: str
    requires_rnd_lab: bool | None = None
    max_revenue_krw_m: float | None = None
    support_krw_m: float | None = None
    support_kind: str | None = None
    duration_months: int | None = None
    capacity: int | None = None
    apply_start: str | None = None
    apply_end: str | None = None
    url: str | None = None
    description: str | None = None
    source: str | None = None

    @classmethod
    def of(cls, record: Mapping[str, Any]) -> Self:
        """A stored programme record (``targets`` as the contract's ``;``-joined text)."""
        targets = record.get("targets")
        split = [t for t in targets.split(LIST_SEP) if t] if isinstance(targets, str) else []
        return cls.model_validate({**record, "targets": split})


class ProgrammeDetail(ProgrammeOut):
    """A programme with how its type was determined."""

    type_method: str | None = None
    type_confidence: float | None = None
    type_evidence: str | None = None
    type_overridden: bool = False


def programmes_of(frame: pd.DataFrame) -> list[ProgrammeOut]:
    """The programmes of a canonical programme frame, in its order."""
    return [ProgrammeOut.of(frame_record(frame, i)) for i in range(len(frame))]


class Candidate(BaseModel):
    """A stored firm profile eligible for the programme, ranked by fit, with what a
    caseworker needs to call it: who and where it is, why it fits, what to check."""

    rank: int
    firm_id: str
    firm_name: str | None
    year: int
    region: str
    district: str | None
    sector: str
    employees: int
    size_band: str
    score: float = Field(description="the model's raw fit score (expected outcome, 0 to 3)")
    chance_measurable: ChanceOut | None = Field(
        default=None,
        description="calibrated chance of a measurable result (outcome 2 or more), 0 to 1, "
        "with its 95 % interval; null when the served version has no calibration",
    )
    typical_for_similar: float | None = Field(
        default=None,
        description="share of measurable results among participations of firms of the "
        "same sector and size band (held-out data); null without a calibration",
    )
    chance_text: str | None = Field(default=None, description="both in words")
    reasons: list[ContributionOut] = Field(description="the top reasons of the fit")
    to_check: list[str] = Field(
        description="conditions the stored data does not decide: the application "
        "window, the places, the announcement's own conditions"
    )


class CandidateList(BaseModel):
    """A page of the outreach list of one offering: eligible stored firms, best fit
    first, served (and audited) as ``request_id``."""

    model_config = ConfigDict(protected_namespaces=())

    request_id: str
    programme_id: str
    programme_name: str
    year: int
    model_version: str
    support_krw_m: float | None = Field(
        default=None, description="per-firm support the programme states, million KRW"
    )
    support_kind: str | None = Field(default=None, description="its kind, where stated")
    support: str = Field(
        default="", description="the support in words, in lang ('support not stated' if unknown)"
    )
    items: list[Candidate]
    next_cursor: str | None = None

    @classmethod
    def of(cls, page: OutreachPage, *, lang: str, next_cursor: str | None) -> Self:
        """The response for an outreach page, its sentences in ``lang``."""
        say = renderer(lang)
        checks = to_check(page.programme, say)
        amount, kind = _support(page.programme)
        return cls(
            request_id=page.request_id,
            programme_id=str(page.programme["programme_id"]),
            programme_name=str(page.programme["name"]),
            year=int(page.programme["year"]),
            model_version=page.model_version,
            support_krw_m=amount,
            support_kind=kind,
            support=say.support(amount, kind),
            items=[_candidate(f, say, checks) for f in page.firms],
            next_cursor=next_cursor,
        )


def _support(programme: Mapping[str, Any]) -> tuple[float | None, str | None]:
    """A stored programme's stated per-firm support and its kind (None: not stated)."""
    amount, kind = programme.get("support_krw_m"), programme.get("support_kind")
    known = isinstance(amount, int | float) and amount == amount
    return (float(amount) if known else None), (kind if isinstance(kind, str) and kind else None)


def to_check(programme: Mapping[str, Any], say: Renderer) -> list[str]:
    """What a caseworker checks with every firm of this programme's list."""
    start, end, url = (programme.get(k) for k in ("apply_start", "apply_end", "url"))
    places = programme.get("capacity")
    out = []
    if isinstance(start, str) and start:
        out.append(say.check("apply_from", day=start))
    if isinstance(end, str) and end:
        out.append(say.check("apply_by", day=end))
    if isinstance(places, int | float) and places == places and places > 0:
        out.append(say.check("capacity", n=int(places)))
    if isinstance(url, str) and url:
        out.append(say.check("announcement", url=url))
    return out


def _candidate(f: OutreachFirm, say: Renderer, checks: list[str]) -> Candidate:
    p = f.profile
    contributions = [] if f.explanation is None else f.explanation.contributions
    top = sorted(contributions, key=lambda c: -abs(c.value))[:TOP_REASONS]
    return Candidate(
        rank=f.rank,
        firm_id=str(p["firm_id"]),
        firm_name=p.get("firm_name"),
        year=int(p["year"]),
        region=str(p["region"]),
        district=p.get("district"),
        sector=str(p["sector"]),
        employees=int(p["employees"]),
        size_band=f.size_band,
        score=f.score,
        chance_measurable=chance_out(f.chance),
        typical_for_similar=None if f.chance is None else f.chance.typical,
        chance_text=None if f.chance is None else say.chance(f.chance),
        reasons=[
            {"factor": c.factor, "value": float(c.value), "text": say.sentence(c)} for c in top
        ],
        to_check=checks,
    )


CSV_COLUMNS = (
    "rank",
    "firm_id",
    "firm_name",
    "year",
    "region",
    "district",
    "sector",
    "employees",
    "size_band",
    "score",
    "chance_measurable",
    "chance_low",
    "chance_high",
    "typical_for_similar",
    "reasons",
    "to_check",
)


def _chance_columns(chance: ChanceOut | None) -> dict[str, float | None]:
    """The chance as three CSV columns (empty without a calibration)."""
    if chance is None:
        return {"chance_measurable": None, "chance_low": None, "chance_high": None}
    return {
        "chance_measurable": chance["estimate"],
        "chance_low": chance["low"],
        "chance_high": chance["high"],
    }


def candidates_csv(page: CandidateList) -> str:
    """The page as CSV (one row per firm; reasons and checks joined by `` | ``)."""
    rows = [
        {
            **c.model_dump(exclude={"reasons", "to_check", "chance_measurable", "chance_text"}),
            **_chance_columns(c.chance_measurable),
            "reasons": " | ".join(r["text"] for r in c.reasons),
            "to_check": " | ".join(c.to_check),
        }
        for c in page.items
    ]
    text = io.StringIO()
    pd.DataFrame(rows, columns=list(CSV_COLUMNS)).to_csv(
        text, index=False, float_format="%.6f", lineterminator="\n"
    )
    return text.getvalue()
