"""Programme offerings of the catalogue, and outreach lists of firms for one offering."""

from __future__ import annotations

from pydantic import BaseModel


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


class Candidate(BaseModel):
    """A stored firm profile eligible for the programme, ranked by fit."""

    rank: int
    firm_id: str
    year: int
    score: float


class CandidateList(BaseModel):
    """The outreach list of one offering: eligible stored firms, best fit first."""

    model_config = {"protected_namespaces": ()}

    programme_id: str
    year: int
    model_version: str
    candidates: list[Candidate]
