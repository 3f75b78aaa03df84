"""The contract is written once (``recommender/contract/fields.py``); every consumer agrees.

For every field: the pandera schema that checks files, the API's ``FirmProfile``, the
portal form, the store's column kinds and the core's profile coercion hold the spec's
bounds, nullability and allowed values, and nothing outside the contract package states
a bound of a contract column (a second, hand-written copy fails the last test).
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from api.portal.fields import ASKED_OPTIONAL, FACT_FIELDS, FIELD_OF_COLUMN, RATINGS
from api.portal.form import parse_answers
from api.schemas.firms import EXAMPLE_PROFILE, FirmProfile
from recommender.adapters.store.frame_rows import (
    FIRM_KINDS,
    OUTCOME_KINDS,
    PROGRAMME_KINDS,
    TYPE_EVIDENCE_KINDS,
    frame_from_rows,
    row_params,
)
from recommender.constants import CAPABILITIES, FIRM_ID
from recommender.contract.columns import SCHEMAS, described
from recommender.contract.datasets import validate_frames
from recommender.contract.fields import CONTRACT, FIRMS, OUTCOMES, PROGRAMMES
from recommender.contract.spec import Field
from recommender.errors import DataValidationError
from recommender.recommend.profiles import profile_frame
from recommender.settings import PROJECT_ROOT
from tests.data.factories import text_tables, valid_dataset

ALL_FIELDS = [(t.name, f) for t in CONTRACT.values() for f in t.fields]
# the facts the anonymous portal asks: not the id, the ratings or the optional v2 columns
# (firm_name, district) that identify a firm
FIRM_FACTS = [
    f for f in FIRMS.fields if f.name != FIRM_ID and f.name not in CAPABILITIES and not f.optional
]
NUMERIC_FIRM_FIELDS = [f for f in FIRMS.fields if f.kind in ("int", "float")]


@pytest.mark.parametrize("table", CONTRACT.values(), ids=CONTRACT)
def test_every_table_names_each_column_once(table: Any) -> None:
    assert len(set(table.columns)) == len(table.columns)
    assert set(table.key) <= set(table.columns)
    assert {o.blame for o in table.orders} <= set(table.columns)


# --- files: the pandera schemas ------------------------------------------------------------
@pytest.mark.parametrize(
    ("table", "field"), ALL_FIELDS, ids=[f"{t}.{f.name}" for t, f in ALL_FIELDS]
)
def test_the_pandera_column_is_the_spec(table: str, field: Field) -> None:
    column = SCHEMAS[table].columns[field.name]
    assert column.nullable == field.nullable
    assert column.description == described(field)
    assert column.metadata == {"kind": field.kind}
    stats = {k: v for check in column.checks for k, v in (check.statistics or {}).items()}
    assert stats.get("min_value") == field.ge
    assert stats.get("max_value") == field.le
    assert tuple(stats.get("allowed_values", ())) == (field.values if field.kind == "enum" else ())


BOUNDED = [
    (t, f, side)
    for t, f in ALL_FIELDS
    if f.kind in ("int", "float")
    for side in ("ge", "le")
    if getattr(f, side) is not None
]


@pytest.mark.parametrize(
    ("table", "field", "side"), BOUNDED, ids=[f"{t}.{f.name}.{s}" for t, f, s in BOUNDED]
)
def test_a_file_value_one_beyond_a_bound_is_refused(table: str, field: Field, side: str) -> None:
    raw = text_tables()
    bound = getattr(field, side)
    raw[table].loc[0, field.name] = str(bound - 1 if side == "ge" else bound + 1)
    with pytest.raises(DataValidationError) as caught:
        validate_frames(raw["firms"], raw["programmes"], raw["outcomes"])
    assert (table, 2, field.name) in [(p.file, p.row, p.column) for p in caught.value.problems]


# --- the API's FirmProfile -----------------------------------------------------------------
def test_the_api_profile_has_exactly_the_firm_columns() -> None:
    assert tuple(FirmProfile.model_fields) == FIRMS.columns


def _api_value(field: Field) -> dict[str, Any]:
    """The JSON schema of a field's value (of its non-null branch when it is nullable)."""
    prop = FirmProfile.model_json_schema()["properties"][field.name]
    return next(a for a in prop["anyOf"] if a != {"type": "null"}) if field.nullable else prop


@pytest.mark.parametrize("field", FIRMS.fields, ids=FIRMS.columns)
def test_the_api_field_is_required_unless_nullable_and_says_its_meaning(field: Field) -> None:
    schema = FirmProfile.model_json_schema()
    assert (field.name in schema["required"]) == (not field.nullable)
    assert schema["properties"][field.name]["description"] == field.meaning


@pytest.mark.parametrize("field", NUMERIC_FIRM_FIELDS, ids=[f.name for f in NUMERIC_FIRM_FIELDS])
def test_the_api_number_has_the_entry_bounds(field: Field) -> None:
    low, high = field.entry_bounds
    assert low is not None or high is not None, "a typed-in number needs a limit"
    assert {k: _api_value(field).get(k) for k in ("type", "minimum", "maximum")} == {
        "type": "integer" if field.kind == "int" else "number",
        "minimum": low,
        "maximum": high,
    }


def test_the_api_enums_and_ids_are_the_spec() -> None:
    enums = {f.name: f.values for f in FIRMS.fields if f.kind == "enum"}
    assert set(enums) == {"region", "sector"}
    assert {n: tuple(_api_value(FIRMS.field(n))["enum"]) for n in enums} == enums
    firm_id = FIRMS.field("firm_id")
    assert (_api_value(firm_id)["minLength"], _api_value(firm_id)["maxLength"]) == (
        1,
        firm_id.max_length,
    )


_TOGETHER = {"year": "founded_year", "founded_year": "year"}  # so their order rule holds


def _profile(column: str, value: Any) -> tuple[dict[str, Any], set[str]]:
    """The example profile with ``column`` set to ``value``, and the columns changed (the
    profile and founding year move together)."""
    changed = {column, *([_TOGETHER[column]] if column in _TOGETHER else [])}
    return {**EXAMPLE_PROFILE, **dict.fromkeys(changed, value)}, changed


ENTRY_BOUNDS = [
    (f, i) for f in NUMERIC_FIRM_FIELDS for i in (0, 1) if f.entry_bounds[i] is not None
]


@pytest.mark.parametrize(
    ("field", "side"), ENTRY_BOUNDS, ids=[f"{f.name}.{('min', 'max')[i]}" for f, i in ENTRY_BOUNDS]
)
def test_the_api_takes_an_entry_bound_and_refuses_one_beyond(field: Field, side: int) -> None:
    bound = field.entry_bounds[side]
    assert bound is not None
    FirmProfile.model_validate(_profile(field.name, bound)[0])
    profile, changed = _profile(field.name, bound + (1 if side else -1))
    with pytest.raises(ValidationError) as caught:
        FirmProfile.model_validate(profile)
    assert {e["loc"] for e in caught.value.errors()} == {(c,) for c in changed}


def test_the_api_holds_the_order_rule_of_the_spec() -> None:
    with pytest.raises(ValidationError) as caught:
        FirmProfile.model_validate({**EXAMPLE_PROFILE, "founded_year": 2025})
    assert [e["loc"] for e in caught.value.errors()] == [("founded_year",)]


# --- the portal form -----------------------------------------------------------------------
def test_the_form_asks_every_firm_fact_once() -> None:
    """Every required fact, and of the optional v2 ones only those an anonymous firm is
    asked (its place, industry, description and declared statuses; never its name)."""
    wanted = [*FIRM_FACTS, *(FIRMS.field(name) for name in ASKED_OPTIONAL)]
    asked = [FIELD_OF_COLUMN.get(f.name, f.name) for f in wanted]
    assert "firm_name" not in ASKED_OPTIONAL and "firm_flags" in ASKED_OPTIONAL
    assert sorted(s.name for s in FACT_FIELDS) == sorted(asked)


def _form_field(field: Field) -> Any:
    return {s.name: s for s in FACT_FIELDS}[FIELD_OF_COLUMN.get(field.name, field.name)]


@pytest.mark.parametrize("field", FIRM_FACTS, ids=[f.name for f in FIRM_FACTS])
def test_the_form_field_has_the_kind_and_requirement_of_the_spec(field: Field) -> None:
    kinds = {"enum": "select", "int": "int", "float": "number", "bool": "checkbox"}
    assert _form_field(field).kind == ("select" if field.name == "year" else kinds[field.kind])
    assert _form_field(field).required == (not field.nullable and field.kind != "bool")


TYPED_FACTS = [f for f in FIRM_FACTS if f.kind in ("int", "float") and f.name != "year"]


@pytest.mark.parametrize("field", TYPED_FACTS, ids=[f.name for f in TYPED_FACTS])
def test_the_form_number_has_the_entry_bounds(field: Field) -> None:
    scale = 100 if field.name in FIELD_OF_COLUMN else 1  # percentages on the form
    low, high = field.entry_bounds
    assert (_form_field(field).minimum, _form_field(field).maximum) == (
        None if low is None else low * scale,
        None if high is None else high * scale,
    )


@pytest.mark.parametrize("cap", CAPABILITIES)
def test_the_form_offers_each_capabilitys_scale(cap: str) -> None:
    field = FIRMS.field(cap)
    assert field.ge is not None and field.le is not None
    assert tuple(str(v) for v in range(int(field.ge), int(field.le) + 1)) == RATINGS


GOOD_ANSWERS = {
    "year": "2024",
    "sector": "mfg_high_tech",
    "region": "gyeonggi",
    "founded_year": "2012",
    "employees": "42",
    "revenue_krw_m": "8500",
    "revenue_growth_pct": "7",
    "export_share_pct": "25",
    "rnd_spend_krw_m": "640",
    "researchers": "6",
    "patents": "3",
}
TYPED = [s for s in FACT_FIELDS if s.maximum is not None and s.name != "founded_year"]


@pytest.mark.parametrize("spec", TYPED, ids=[s.name for s in TYPED])
def test_the_form_takes_its_maximum_and_refuses_one_more(spec: Any) -> None:
    assert spec.maximum is not None
    answers = {**GOOD_ANSWERS, "employees": "10000000"}  # room for every count below it
    at = parse_answers({**answers, spec.name: f"{spec.maximum:.0f}"}, years=[2024])
    assert at.errors == {} and at.profile is not None
    beyond = parse_answers({**answers, spec.name: f"{spec.maximum + 1:.0f}"}, years=[2024])
    assert {k: e.code for k, e in beyond.errors.items()} == {spec.name: "max"}


def test_the_patents_limit_is_the_apis() -> None:  # the copies had drifted: 1M vs 10M
    limit = FIRMS.field("patents").entry_bounds[1]
    assert {s.name: s.maximum for s in FACT_FIELDS}["patents"] == limit
    assert FirmProfile.model_json_schema()["properties"]["patents"]["maximum"] == limit


# --- the store and the core ----------------------------------------------------------------
@pytest.mark.parametrize(("kinds", "table"), [(FIRM_KINDS, FIRMS), (OUTCOME_KINDS, OUTCOMES)])
def test_the_store_kinds_cover_each_table(kinds: dict[str, str], table: Any) -> None:
    assert tuple(kinds) == table.columns


def test_the_store_kinds_of_programmes_are_the_spec_plus_type_evidence() -> None:
    assert tuple(PROGRAMME_KINDS) == (*PROGRAMMES.columns, *TYPE_EVIDENCE_KINDS)


@pytest.mark.parametrize("name", ["firms", "programmes", "outcomes"])
def test_canonical_frames_survive_the_store_kinds(name: str) -> None:
    frame = getattr(valid_dataset(), name)
    kinds = {"firms": FIRM_KINDS, "programmes": PROGRAMME_KINDS, "outcomes": OUTCOME_KINDS}[name]
    params = row_params(frame, kinds)
    assert params and all(type(v) is not np.float64 for row in params for v in row.values())
    rows = [tuple(p[c] for c in frame.columns) for p in params]
    back = frame_from_rows(rows, list(frame.columns), kinds)
    pd.testing.assert_frame_equal(back, frame)


def test_profile_coercion_gives_the_canonical_firm_frame() -> None:
    firms = valid_dataset().firms
    records = [
        {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in r.items()}
        for r in firms.to_dict("records")
    ]
    coerced = profile_frame(records)
    assert list(coerced.columns) == list(firms.columns)
    typed = [f.name for f in FIRMS.fields if f.kind in ("int", "float", "bool")]
    assert len(typed) == 22
    assert coerced[typed].dtypes.to_dict() == firms[typed].dtypes.to_dict()
    pd.testing.assert_frame_equal(coerced.astype(object), firms.astype(object))


def test_profile_coercion_asks_for_exactly_the_non_nullable_columns() -> None:
    with pytest.raises(DataValidationError) as caught:
        profile_frame({"firm_id": "x"})
    assert [p.column for p in caught.value.problems] == [
        f.name for f in FIRMS.fields if not f.nullable and f.name != "firm_id"
    ]


# --- no second copy ------------------------------------------------------------------------
_BOUND_KEYWORDS = {"ge", "le", "gt", "lt", "minimum", "maximum", "min_length", "max_length"}
_COLUMNS = {c for t in CONTRACT.values() for c in t.columns}
_PACKAGES = ("recommender", "api", "cli", "training", "batch", "bench")
# API request schemas of other resources that still spell an id length or an outcome's
# bounds by hand (not the firm contract); to be derived like FirmProfile.
_NOT_YET_DERIVED = {
    "api/schemas/outcomes.py",
    "api/schemas/feedback.py",
    "api/schemas/allocations.py",
}


def _bounded(node: ast.AST) -> bool:
    return any(
        isinstance(sub, ast.Call) and {k.arg for k in sub.keywords} & _BOUND_KEYWORDS
        for sub in ast.walk(node)
    )


def _stated_bounds(path: Path) -> list[tuple[int, str]]:
    """Places that give a contract column a bound: ``patents: int = Field(le=...)``,
    ``patents = Field(le=...)`` or ``FieldSpec("patents", ..., maximum=...)``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names, value = [node.target.id], node
        elif isinstance(node, ast.Assign):
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
            value = node.value
        elif (
            isinstance(node, ast.Call)
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and {k.arg for k in node.keywords} & _BOUND_KEYWORDS
        ):
            names, value = [node.args[0].value.removesuffix("_pct")], node
        else:
            continue
        found += [(node.lineno, n) for n in names if n in _COLUMNS and _bounded(value)]
    return found


def test_no_module_outside_the_contract_states_a_bound_of_a_contract_column() -> None:
    files = [
        p
        for package in _PACKAGES
        for p in sorted((PROJECT_ROOT / package).rglob("*.py"))
        if "contract" not in p.relative_to(PROJECT_ROOT).parts
    ]
    assert len(files) > 100
    copies = [
        f"{p.relative_to(PROJECT_ROOT)}:{line} {name}"
        for p in files
        for line, name in _stated_bounds(p)
        if str(p.relative_to(PROJECT_ROOT)) not in _NOT_YET_DERIVED
    ]
    assert copies == [], "bounds belong in recommender/contract/fields.py"


def test_the_guard_finds_a_hand_written_copy(tmp_path: Path) -> None:
    copy = tmp_path / "copy.py"
    copy.write_text(
        "from pydantic import BaseModel, Field\n\n"
        "class Profile(BaseModel):\n    patents: int = Field(ge=0, le=10)\n\n"
        "FIELDS = (FieldSpec('export_share_pct', 'number', maximum=100),)\n"
    )
    assert _stated_bounds(copy) == [(4, "patents"), (6, "export_share")]
