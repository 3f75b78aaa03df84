"""The portal form's firm facts, derived from the contract's field specification.

Which facts the form asks, their kinds (a choice, a whole number, a number, a
checkbox), whether each is required and its limits all come from
:data:`recommender.contract.fields.FIRMS` (its entry bounds; percentages on the form are
the contract's fractions times 100). Only the order the form asks them in is the
portal's; labels and help texts are in ``i18n.json``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from recommender.constants import CAPABILITIES, DECLARED_FLAGS, FIRM_ID, NO_FLAGS, YEAR
from recommender.contract.fields import FIRMS
from recommender.contract.spec import Field

Kind = Literal["select", "int", "number", "checkbox", "text", "flags"]


@dataclass(frozen=True)
class FieldSpec:
    """One firm fact on the form: how to read it and which limits hold."""

    name: str
    kind: Kind
    required: bool = True
    minimum: float | None = None
    maximum: float | None = None
    inputmode: str = "numeric"
    options: tuple[str, ...] = ()  # a "flags" field's checkboxes


# form field -> contract column, where they differ (percentages on the form)
PERCENT_FIELDS: Final[dict[str, str]] = {
    "revenue_growth_pct": "revenue_growth",
    "export_share_pct": "export_share",
}
FIELD_OF_COLUMN: Final[dict[str, str]] = {v: k for k, v in PERCENT_FIELDS.items()}
_ASKED_FIRST: Final[tuple[str, ...]] = (YEAR, "sector", "region")  # then contract order
_FORM_KINDS: Final[dict[str, Kind]] = {
    "enum": "select",
    "int": "int",
    "float": "number",
    "bool": "checkbox",
    "str": "text",
    "list": "flags",
}
# The optional v2 columns the anonymous portal asks (none names the firm): they decide
# district, industry and group eligibility and the description's text match. Statuses
# are checkboxes of the declared ones (the derived ones follow from the facts) and
# "none of these"; with none ticked, programmes for a group stay conditions to check.
ASKED_OPTIONAL: Final[tuple[str, ...]] = (
    "district",
    "industry_code",
    "business_description",
    "firm_flags",
)
FLAG_OPTIONS: Final[tuple[str, ...]] = (*DECLARED_FLAGS, NO_FLAGS)


def _scaled(bound: float | None, scale: int) -> float | None:
    return None if bound is None else bound * scale


def form_field(field: Field) -> FieldSpec:
    """The form field asking for one contract firm column, with the contract's limits.

    The profile year is a choice among the catalogue's years; a checkbox is never
    required (unticked is ``false``); percentages are the contract's fractions x 100.
    """
    name = FIELD_OF_COLUMN.get(field.name, field.name)
    kind: Kind = "select" if field.name == YEAR else _FORM_KINDS[field.kind]
    scale = 100 if name in PERCENT_FIELDS else 1
    low, high = field.entry_bounds
    numeric = kind in ("int", "number")
    return FieldSpec(
        name,
        kind,
        required=not field.nullable and kind != "checkbox",
        minimum=_scaled(low, scale) if numeric else None,
        maximum=_scaled(high, scale) if numeric else None,
        inputmode=(
            "decimal"
            if kind == "number"
            else "text"
            if kind == "text" and field.name != "industry_code"
            else "numeric"
        ),
        options=FLAG_OPTIONS if kind == "flags" else (),
    )


# the portal is anonymous: of the optional v2 columns only ASKED_OPTIONAL are asked
_FACTS: Final = [
    f
    for f in FIRMS.fields
    if f.name != FIRM_ID
    and f.name not in CAPABILITIES
    and (not f.optional or f.name in ASKED_OPTIONAL)
]
FACT_FIELDS: Final[tuple[FieldSpec, ...]] = tuple(
    form_field(f)
    for f in sorted(
        _FACTS,
        key=lambda f: _ASKED_FIRST.index(f.name) if f.name in _ASKED_FIRST else len(_ASKED_FIRST),
    )
)
FIELDS_BY_NAME: Final[dict[str, FieldSpec]] = {f.name: f for f in FACT_FIELDS}
# fields posted once per ticked checkbox
MULTI_VALUED: Final[tuple[str, ...]] = tuple(f.name for f in FACT_FIELDS if f.kind == "flags")
FORM_FIELDS: Final[tuple[str, ...]] = (*FIELDS_BY_NAME, *CAPABILITIES, "consent")


def _ratings(cap: Field) -> tuple[str, ...]:
    if cap.ge is None or cap.le is None:
        raise TypeError(f"{cap.name}: a self-rating needs both bounds")
    return tuple(str(v) for v in range(int(cap.ge), int(cap.le) + 1))


# The self-ratings offered for every capability (the contract gives all twelve one scale).
RATINGS: Final[tuple[str, ...]] = _ratings(FIRMS.field(CAPABILITIES[0]))
