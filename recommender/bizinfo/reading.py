"""What every field parser reads and returns: one announcement, and a value with evidence.

A :class:`Notice` is the part of a Bizinfo row a person reads to decide who may apply
and what is offered: title, the ministry or local government in charge (``author``),
the executing agency (``excInsttNm``), Bizinfo's category and target label, and the
summary split into overview, "who may apply" and "what is given". A :class:`Reading`
is what a parser makes of it: a value (``None`` when the announcement does not say)
and the words that decided it, or :data:`NOT_STATED`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Generic, NamedTuple, TypeVar

from recommender.bizinfo.text import Sections, html_to_text, split_sections

NOT_STATED: Final[str] = "not stated"
T = TypeVar("T")


class Reading(NamedTuple, Generic[T]):
    """A field's value and the words that decided it (or ``"not stated"``)."""

    value: T
    evidence: str


def _cell(row: Mapping[str, Any], column: str) -> str:
    value = row.get(column)
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip()


@dataclass(frozen=True)
class Notice:
    """One announcement as the field parsers see it (all text, blanks as ``""``)."""

    title: str
    author: str = ""
    agency: str = ""
    category: str = ""
    target_group: str = ""
    sections: Sections = Sections("", "", "")

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Notice:
        """A notice from a feed row (``title``, ``author``, ``excInsttNm``, ``lcategory``,
        ``trgetNm``, ``description`` as HTML); missing columns read as blank."""
        return cls(
            title=_cell(row, "title"),
            author=_cell(row, "author"),
            agency=_cell(row, "excInsttNm"),
            category=_cell(row, "lcategory"),
            target_group=_cell(row, "trgetNm"),
            sections=split_sections(html_to_text(_cell(row, "description"))),
        )

    @property
    def intro(self) -> str:
        """The overview paragraph(s) before the first ``☞``."""
        return self.sections.intro

    @property
    def target(self) -> str:
        """The "who may apply" part (empty when the summary has no ``☞``)."""
        return self.sections.target

    @property
    def support(self) -> str:
        """The "what is given" part (empty when the summary has fewer than two ``☞``)."""
        return self.sections.support

    @property
    def body(self) -> str:
        """The whole summary as plain text."""
        return "\n".join(p for p in self.sections if p)
