"""Participation outcomes posted by analysts."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import FirmId, ProgrammeId, RequestModel
from recommender.constants import OUTCOME_MAX, OUTCOME_MIN


class OutcomeRow(RequestModel):
    """One firm's participation in one programme (``docs/contract.md``, outcomes)."""

    firm_id: FirmId
    year: int = Field(ge=1900, le=2100)
    programme_id: ProgrammeId
    outcome: int = Field(
        ge=OUTCOME_MIN, le=OUTCOME_MAX, description="0 no benefit .. 3 major result"
    )


class OutcomesIn(RequestModel):
    """Outcome rows, stored all together or not at all."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "rows": [
                        {
                            "firm_id": "F-0001",
                            "year": 2024,
                            "programme_id": "P2024-017",
                            "outcome": 2,
                        }
                    ]
                }
            ]
        },
    )

    rows: list[OutcomeRow] = Field(min_length=1)


class OutcomesStored(BaseModel):
    """How many outcomes were stored."""

    stored: int


class OutcomeCorrection(RequestModel):
    """The corrected outcome of one stored participation."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"outcome": 3}]})

    outcome: int = Field(
        ge=OUTCOME_MIN, le=OUTCOME_MAX, description="0 no benefit .. 3 major result"
    )


class OutcomeCorrected(BaseModel):
    """The outcome as stored now, and the value it replaced."""

    firm_id: str
    year: int
    programme_id: str
    outcome: int
    previous: int
