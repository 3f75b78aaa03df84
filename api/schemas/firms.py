"""The firm profile a client sends: the contract's firm columns with their ranges."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from recommender.constants import CAP_MAX, CAP_MIN, REGIONS, SECTORS

Region = Literal[REGIONS]  # type: ignore[valid-type]
Sector = Literal[SECTORS]  # type: ignore[valid-type]
Capability = Annotated[int | None, Field(default=None, ge=CAP_MIN, le=CAP_MAX)]
Year = Annotated[int, Field(ge=1900, le=2100)]
MAX_AMOUNT = 1e12  # million KRW: far beyond any firm, small enough for every computation

EXAMPLE_PROFILE: dict[str, Any] = {
    "firm_id": "F-0001", "year": 2024, "region": "gyeonggi", "sector": "mfg_high_tech",
    "founded_year": 2012, "employees": 42, "revenue_krw_m": 8500.0, "revenue_growth": 0.07,
    "export_share": 0.25, "rnd_spend_krw_m": 640.0, "researchers": 6, "patents": 3,
    "has_rnd_lab": True, "cap_tech_planning": 2, "cap_rnd_execution": 3,
    "cap_commercialization": 2, "cap_marketing": 2, "cap_hr_skills": 3,
    "cap_funding_access": 2, "cap_internal_coordination": 3, "cap_nontech_innovation": 2,
    "cap_tech_acquisition": 3, "cap_feedback": 2, "cap_global_orientation": 3,
    "cap_global_partnerships": 1,
}


class FirmProfile(BaseModel):
    """One firm in one year (``docs/contract.md``, firms); ``cap_*`` may be omitted."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False,
                              json_schema_extra={"examples": [EXAMPLE_PROFILE]})

    firm_id: str = Field(min_length=1, max_length=128)
    year: Year
    region: Region
    sector: Sector
    founded_year: Year
    employees: int = Field(ge=1, le=10_000_000)
    revenue_krw_m: float = Field(ge=0, le=MAX_AMOUNT)
    revenue_growth: float | None = Field(default=None, ge=-1, le=1000, description="0.05 = 5 %")
    export_share: float = Field(ge=0, le=1)
    rnd_spend_krw_m: float = Field(ge=0, le=MAX_AMOUNT)
    researchers: int = Field(ge=0, le=10_000_000)
    patents: int = Field(ge=0, le=10_000_000)
    has_rnd_lab: bool
    cap_tech_planning: Capability
    cap_rnd_execution: Capability
    cap_commercialization: Capability
    cap_marketing: Capability
    cap_hr_skills: Capability
    cap_funding_access: Capability
    cap_internal_coordination: Capability
    cap_nontech_innovation: Capability
    cap_tech_acquisition: Capability
    cap_feedback: Capability
    cap_global_orientation: Capability
    cap_global_partnerships: Capability

    @field_validator("founded_year")
    @classmethod
    def _founded_by_year(cls, value: int, info: ValidationInfo) -> int:
        year = info.data.get("year")
        if year is not None and value > year:
            raise ValueError(f"founded_year {value} is later than the profile year {year}")
        return value
