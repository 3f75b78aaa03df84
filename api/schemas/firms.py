"""The firm profile a client sends, built from the contract's field specification.

Every field of :data:`recommender.contract.fields.FIRMS` becomes one pydantic field with
the contract's type, allowed values, nullability and meaning (its OpenAPI description)
and its entry bounds (the contract's bounds, tightened by the sanity limits for values a
client types in). Nothing is spelled out here, so the API cannot drift from the files.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, create_model, field_validator

from api.schemas.common import RequestModel
from recommender.constants import LIST_SEP
from recommender.contract.fields import FIRMS
from recommender.contract.spec import Field as ContractField
from recommender.contract.spec import Order

EXAMPLE_PROFILE: dict[str, Any] = {
    "firm_id": "F-0001",
    "year": 2024,
    "region": "gyeonggi",
    "sector": "mfg_high_tech",
    "founded_year": 2012,
    "employees": 42,
    "revenue_krw_m": 8500.0,
    "revenue_growth": 0.07,
    "export_share": 0.25,
    "rnd_spend_krw_m": 640.0,
    "researchers": 6,
    "patents": 3,
    "has_rnd_lab": True,
    "cap_tech_planning": 2,
    "cap_rnd_execution": 3,
    "cap_commercialization": 2,
    "cap_marketing": 2,
    "cap_hr_skills": 3,
    "cap_funding_access": 2,
    "cap_internal_coordination": 3,
    "cap_nontech_innovation": 2,
    "cap_tech_acquisition": 3,
    "cap_feedback": 2,
    "cap_global_orientation": 3,
    "cap_global_partnerships": 1,
}
_TYPES: dict[str, Any] = {"str": str, "int": int, "float": float, "bool": bool}


def annotation(field: ContractField) -> Any:
    """The Python type of one contract field as the API accepts it."""
    if field.kind == "enum":
        base: Any = Literal[field.values]
    elif field.kind in _TYPES:
        base = _TYPES[field.kind]
    elif field.kind == "list":  # ';'-separated names, as in a file (checked by _list_validator)
        base = str
    else:  # dates are programme columns; a profile has none
        raise TypeError(f"{field.name}: no API type for a {field.kind} column")
    return base | None if field.nullable else base


def model_field(field: ContractField) -> tuple[Any, Any]:
    """``(type, pydantic Field)`` of one contract field: bounds, default and description."""
    low, high = field.entry_bounds
    limits: dict[str, Any] = {}
    if field.kind in ("int", "float"):
        limits = {k: v for k, v in (("ge", low), ("le", high)) if v is not None}
    elif field.kind == "str":
        limits = {"min_length": 1, "max_length": field.max_length}
        if field.pattern is not None:
            limits["pattern"] = f"^(?:{field.pattern})$"
    default = None if field.nullable else ...
    return annotation(field), Field(default, description=field.meaning, **limits)


def _order_validator(order: Order) -> Any:
    """A field validator of ``order.blame`` holding one order rule of the contract; the
    other column is validated first (it comes earlier in the contract)."""
    other = order.high if order.blame == order.low else order.low

    def check(cls: type[BaseModel], value: Any, info: ValidationInfo) -> Any:
        given = info.data.get(other)
        if value is None or given is None:
            return value
        low, high = (value, given) if order.blame == order.low else (given, value)
        if low > high:
            raise ValueError(
                f"{order.blame} {value}: expected " + order.expected.format(low=low, high=high)
            )
        return value

    return field_validator(order.blame)(check)


def _list_validator(field: ContractField) -> Any:
    """A field validator of a ``list`` column: ``;``-separated names of ``field.values``
    (any case, blanks dropped), kept in the file's form; empty is None."""
    allowed = set(field.values)

    def check(cls: type[BaseModel], value: Any) -> Any:
        if value is None:
            return None
        names = [part.strip().lower() for part in str(value).split(LIST_SEP)]
        names = [n for n in names if n]
        unknown = [n for n in names if n not in allowed]
        if unknown:
            raise ValueError(f"{field.name} {unknown[0]!r}: expected {field.expected}")
        return LIST_SEP.join(dict.fromkeys(names)) or None

    return field_validator(field.name)(check)


_FIELDS: dict[str, Any] = {f.name: model_field(f) for f in FIRMS.fields}
_VALIDATORS: dict[str, Any] = {
    **{f"check_{o.low}_le_{o.high}": _order_validator(o) for o in FIRMS.orders},
    **{f"check_{f.name}_names": _list_validator(f) for f in FIRMS.fields if f.kind == "list"},
}
LIST_VALIDATORS: dict[str, Any] = {k: v for k, v in _VALIDATORS.items() if k.endswith("_names")}


class _ProfileBase(RequestModel):
    """Strict like every request body (``"42"`` is no number, ``0`` no boolean)."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_PROFILE]})


FirmProfile = create_model(
    "FirmProfile",
    __doc__="One firm in one year (``docs/contract.md``, firms); ``cap_*`` and "
    "``revenue_growth`` may be omitted.",
    __base__=_ProfileBase,
    __validators__=_VALIDATORS,
    **_FIELDS,
)
