"""``docs/contract.md`` lists every column of the field spec, in order, as the spec has it.

The doc's tables are the human face of ``recommender/contract/fields.py``: one row per
field, ``| name | type | meaning |``, the type written from the field's kind, bounds,
nullability and optionality, the meaning being the spec's (with the allowed values of an
enum). A column added to the spec without its row here, or a row that says something
else, fails.
"""

from __future__ import annotations

import re

import pytest

from recommender.contract.fields import CONTRACT, ID_PATTERN, ID_RULE
from recommender.contract.spec import Field, Table
from recommender.settings import PROJECT_ROOT

DOC = PROJECT_ROOT / "docs" / "contract.md"
_TYPE_NAMES = {
    "str": "string",
    "enum": "enum",
    "list": "list",
    "date": "date",
    "int": "int",
    "float": "float",
    "bool": "bool",
}


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def doc_type(field: Field) -> str:
    """The type cell: ``int >= 1``, ``float in [0, 1]``, ``int 1..5, nullable``..."""
    text = _TYPE_NAMES[field.kind]
    if field.ge is not None and field.le is not None:
        low, high = _number(field.ge), _number(field.le)
        text += f" {low}..{high}" if field.kind == "int" else f" in [{low}, {high}]"
    elif field.ge is not None:
        text += f" >= {_number(field.ge)}"
    elif field.le is not None:
        text += f" <= {_number(field.le)}"
    text += ", nullable" if field.nullable else ""
    return text + (", optional column" if field.optional else "")


def doc_row(field: Field) -> str:
    """The field's row in its table of ``docs/contract.md``."""
    meaning = field.meaning
    if field.kind == "enum":
        meaning += ": one of " + ", ".join(field.values)
    return f"| {field.name} | {doc_type(field)} | {meaning} |"


def doc_table(text: str, table: Table) -> list[str]:
    """The rows of the table under the heading ``## <name>`` (v2 tables: ``### <name>``)."""
    found = re.search(rf"^#+ {table.name}\b.*?\n(.*?)(?=^#+ |\Z)", text, re.M | re.S)
    assert found, f"no section for {table.name} in {DOC.name}"
    rows = [line for line in found.group(1).splitlines() if line.startswith("| ")]
    return rows[1:]  # the header row goes; the |---| line does not start with "| "


@pytest.mark.parametrize("table", CONTRACT.values(), ids=CONTRACT)
def test_the_doc_table_is_the_spec(table: Table) -> None:
    expected = [doc_row(f) for f in table.fields]
    assert doc_table(DOC.read_text(encoding="utf-8"), table) == expected, (
        "docs/contract.md should read:\n" + "\n".join(expected)
    )


def test_the_doc_states_the_identifier_rule() -> None:
    text = " ".join(DOC.read_text(encoding="utf-8").split())
    assert f"is {ID_RULE} (the regular expression `{ID_PATTERN}`, matched whole)" in text


def test_the_doc_names_the_version_of_each_table() -> None:
    text = DOC.read_text(encoding="utf-8")
    headings = [line for line in text.splitlines() if line.startswith("#")]
    v2 = [t.name for t in CONTRACT.values() if t.version == 2]
    assert v2 == ["applications", "feedback"]
    assert [h for h in headings if h.lstrip("#").strip().startswith(tuple(v2))] == [
        "### applications — v2 (optional)",
        "### feedback — v2 (optional)",
    ]
