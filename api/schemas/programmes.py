"""Programme offerings of the catalogue, and outreach lists of firms for one offering."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self

import pandas as pd
from pydantic import BaseModel, ConfigDict

from api.service import Outreach
from recommender.adapters.store.plain_values import frame_record
from recommender.constants import LIST_SEP


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


class ProgrammeList(BaseModel):
    """Programmes matching the filters, ordered by year and id."""

    count: int
    items: list[ProgrammeOut]

    @classmethod
    def of(cls, frame: pd.DataFrame) -> Self:
        """The programmes of a canonical programme frame, in its order."""
        items = [ProgrammeOut.of(frame_record(frame, i)) for i in range(len(frame))]
        return cls(count=len(items), items=items)


class Candidate(BaseModel):
    """A stored firm profile eligible for the programme, ranked by fit."""

    rank: int
    firm_id: str
    year: int
    score: float


class CandidateList(BaseModel):
    """The outreach list of one offering: eligible stored firms, best fit first."""

    model_config = ConfigDict(protected_namespaces=())

    programme_id: str
    year: int
    model_version: str
    candidates: list[Candidate]

    @classmethod
    def of(cls, outreach: Outreach) -> Self:
        """The response for an outreach list of the serving service."""
        return cls(
            programme_id=outreach.programme_id,
            year=outreach.year,
            model_version=outreach.model_version,
            candidates=[
                Candidate(
                    rank=int(r.rank), firm_id=str(r.firm_id), year=int(r.year), score=float(r.score)
                )
                for r in outreach.candidates.itertuples(index=False)
            ],
        )
