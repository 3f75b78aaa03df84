"""Cohort allocations: the request, the stored allocation and its assignments."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Self

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import FirmId, ProgrammeId, RequestModel
from recommender.adapters.store.allocations import AllocationRecord
from recommender.allocate import FLOOR_SYNTAX

MAX_APPLICATIONS = 200_000


class ApplicationIn(RequestModel):
    """A firm applied for a programme of the allocated year."""

    firm_id: FirmId
    programme_id: ProgrammeId


class AllocationRequest(RequestModel):
    """Allocate a year's seats among the stored firms of that year, with the served model."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"year": 2024, "per_firm": 1, "min_shares": ["region:not:seoul,gyeonggi=0.30"]}
            ]
        },
    )

    year: int = Field(ge=1900, le=2100, description="the year whose seats are allocated")
    per_firm: int = Field(1, ge=1, le=100, description="most programmes one firm may get")
    as_of: date | None = Field(None, strict=False, description="only programmes open that day")
    min_shares: list[str] = Field(
        default_factory=list,
        max_length=20,
        description=f"minimum shares of the seats on offer: {FLOOR_SYNTAX}",
    )
    applications: list[ApplicationIn] | None = Field(
        None,
        max_length=MAX_APPLICATIONS,
        description="each firm only gets programmes it applied for: these applications, "
        "or when none are given the year's stored applications (`recommender import` of an "
        "applications file); a year with neither is allocated without that restriction",
    )


class FloorOut(BaseModel):
    """How the allocation stands against one minimum share."""

    floor: str
    required: int
    assigned: int


class SummaryOut(BaseModel):
    """Headline figures of an allocation."""

    firms: int
    candidate_firms: int
    candidate_pairs: int
    programmes: int
    seats_on_offer: int
    assignments: int
    firms_assigned: int
    total_expected_outcome: float
    total_score: float
    solver: str


class ProgrammeSeatsOut(BaseModel):
    """One programme's seats, demand and the value of one more seat."""

    programme_id: str
    name: str | None = None
    capacity: int | None = Field(None, description="null = unlimited")
    seats: int
    candidates: int
    top_pick_firms: int
    assigned: int
    mean_expected_outcome: float | None = None
    seat_value: float = Field(
        description="how much the total expected outcome would rise with one more seat here"
    )


class AssignmentOut(BaseModel):
    """One seat: which firm, which programme, and why."""

    firm_id: str
    programme_id: str
    expected_outcome: float
    score: float
    reason: str


class AllocationOut(BaseModel):
    """A stored allocation: its options, headline, floors and programme table."""

    id: int
    request_id: str
    created_at: datetime
    year: int
    model_version: str
    per_firm: int
    as_of: date | None = None
    min_shares: list[str]
    summary: SummaryOut
    floors: list[FloorOut]
    programmes: list[ProgrammeSeatsOut]
    csv: str = Field(description="path of the assignments as CSV")

    @classmethod
    def of(cls, record: AllocationRecord) -> Self:
        """The API view of a stored allocation's header."""
        summary: dict[str, Any] = record.summary
        return cls(
            id=record.id,
            request_id=record.request_id,
            created_at=record.created_at,
            year=record.year,
            model_version=record.model_version,
            per_firm=record.per_firm,
            as_of=record.as_of,
            min_shares=record.floors,
            summary=SummaryOut.model_validate(summary),
            floors=[FloorOut.model_validate(f) for f in summary.get("floors", [])],
            programmes=[ProgrammeSeatsOut.model_validate(p) for p in record.programmes],
            csv=f"/v1/allocations/{record.id}/assignments.csv",
        )


class AllocationDetail(AllocationOut):
    """A stored allocation with a page of its assignments (by firm, then programme)."""

    offset: int
    total_assignments: int
    assignments: list[AssignmentOut]

    @classmethod
    def with_rows(
        cls, record: AllocationRecord, rows: pd.DataFrame, *, offset: int, limit: int
    ) -> Self:
        """The header and the assignments ``offset .. offset + limit``."""
        items = assignments_of(rows.iloc[offset : offset + limit])
        return cls(
            **AllocationOut.of(record).model_dump(),
            offset=offset,
            total_assignments=len(rows),
            assignments=items,
        )


def assignments_of(rows: pd.DataFrame) -> list[AssignmentOut]:
    """Assignment rows of a stored allocation, in their order."""
    return [
        AssignmentOut(
            firm_id=str(r.firm_id),
            programme_id=str(r.programme_id),
            expected_outcome=float(r.expected_outcome),
            score=float(r.score),
            reason=str(r.reason),
        )
        for r in rows.itertuples(index=False)
    ]
