"""Contract-v2 eligibility: districts, target groups, industries, notices offering nothing.

Each rule gives, for firms x programmes, where the firm passes and where it passes only
because the firm has not said what the rule needs (its district, its statuses, its
KSIC code): such a programme stays eligible, but with a *condition to check*, listed
after the surely eligible ones. The rules:

========== ================================================================================
district   a programme restricted to 시군구 admits firms registered in one of them
group      a programme for target groups admits firms holding one of them; small_merchant
           also follows from size and sector (< 10 staff in manufacturing, < 5 otherwise),
           preliminary_founder is never held by a founded firm (every profile is one)
industry   a programme restricted to KSIC prefixes admits firms whose code starts with one
patent     a programme for patent holders admits firms that state at least one patent
nothing    a notice that offers nothing is never eligible
========== ================================================================================

Reasons are :class:`~recommender.eligibility.Reason` facts: ``limit`` the programme's
districts, groups or prefixes, ``value`` the firm's (``None`` in a condition to check;
the patent rule's value is the firm's patent count).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Final

import numpy as np

from recommender.constants import ALL, DERIVED_FLAGS, FIRM_FLAGS, LIST_SEP

DISTRICT_RULE, GROUP_RULE, INDUSTRY_RULE = "district", "group", "industry"
PATENT_RULE, NOTHING_RULE = "patent", "nothing"
V2_RULES: Final[tuple[str, ...]] = (
    DISTRICT_RULE,
    GROUP_RULE,
    INDUSTRY_RULE,
    PATENT_RULE,
    NOTHING_RULE,
)
V2_LISTED: Final[tuple[str, ...]] = (
    DISTRICT_RULE,
    GROUP_RULE,
    INDUSTRY_RULE,
)  # reasons name a list
SMALL_MERCHANT, PRELIMINARY = "small_merchant", "preliminary_founder"
# Statuses decided from the profile's facts, never left to check.
DERIVED: Final[frozenset[str]] = frozenset(DERIVED_FLAGS)
MANUFACTURING: Final[frozenset[str]] = frozenset({"mfg_high_tech", "mfg_mid_tech", "mfg_low_tech"})
SMALL_MERCHANT_BELOW: Final[dict[bool, int]] = {True: 10, False: 5}  # manufacturing or not
_FLAG_INDEX: Final[dict[str, int]] = {f: i for i, f in enumerate(FIRM_FLAGS)}
# Per-value rows kept (districts, KSIC codes): a client's values cannot grow them unbounded.
_KEPT_VALUES: Final[int] = 2048


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip()
    return text or None


def names(value: Any) -> tuple[str, ...]:
    """The names of a ``;``-separated cell (``*`` or empty: none, i.e. no restriction)."""
    text = _text(value)
    if text is None or text == ALL:
        return ()
    return tuple(dict.fromkeys(p.strip() for p in text.split(LIST_SEP) if p.strip()))


def is_small_merchant(employees: float, sector: str) -> bool:
    """소상공인 by size and sector: fewer than 10 staff in manufacturing, 5 otherwise."""
    return bool(employees < SMALL_MERCHANT_BELOW[sector in MANUFACTURING])


def _column(frame: Any, column: str, n: int) -> list[Any]:
    try:
        return list(frame[column])
    except KeyError:
        return [None] * n


def _flags(frame: Any, column: str, n: int) -> np.ndarray:
    """A boolean column as an array (empty: false)."""
    return np.array([v is True or v == 1 for v in _column(frame, column, n)], dtype=bool)


class V2Rules:
    """A catalogue's v2 rules as arrays, computed once (see the module docstring)."""

    def __init__(self, programmes: Any, n: int) -> None:
        self.districts = [names(v) for v in _column(programmes, "districts", n)]
        self.groups = [
            tuple(g for g in names(v) if g in _FLAG_INDEX)
            for v in _column(programmes, "target_groups", n)
        ]
        self.industries = [names(v) for v in _column(programmes, "industries", n)]
        self.nothing = _flags(programmes, "offers_nothing", n)
        self.patent = _flags(programmes, "requires_patent", n)
        self._district_restricted = np.array([bool(d) for d in self.districts], dtype=bool)
        self._group_matrix = np.zeros((n, len(FIRM_FLAGS)), dtype=bool)
        for j, groups in enumerate(self.groups):
            for g in groups:
                self._group_matrix[j, _FLAG_INDEX[g]] = True
        self._group_restricted: np.ndarray = np.asarray(self._group_matrix.any(axis=1))
        # a condition is possible only where a group the profile cannot decide is named
        declared = [_FLAG_INDEX[f] for f in FIRM_FLAGS if f not in DERIVED]
        self._group_checkable: np.ndarray = np.asarray(self._group_matrix[:, declared].any(axis=1))
        self._industry_restricted = np.array([bool(i) for i in self.industries], dtype=bool)
        self._by_district: dict[str, np.ndarray] = {}
        self._by_code: dict[str, np.ndarray] = {}
        self.limits: dict[str, list[Any]] = {
            DISTRICT_RULE: self.districts,
            GROUP_RULE: self.groups,
            INDUSTRY_RULE: self.industries,
            PATENT_RULE: [None] * n,
            NOTHING_RULE: [None] * n,
        }

    def _district_ok(self, district: str) -> np.ndarray:
        ok = self._by_district.get(district)
        if ok is None:
            ok = np.array([district in d for d in self.districts], dtype=bool)
            if len(self._by_district) >= _KEPT_VALUES:
                self._by_district.clear()
            self._by_district[district] = ok
        return ok | ~self._district_restricted

    def _industry_ok(self, code: str) -> np.ndarray:
        ok = self._by_code.get(code)
        if ok is None:
            ok = np.array([any(code.startswith(p) for p in i) for i in self.industries], bool)
            if len(self._by_code) >= _KEPT_VALUES:
                self._by_code.clear()
            self._by_code[code] = ok
        return ok | ~self._industry_restricted

    def checks(
        self, firms: Any, n_firms: int
    ) -> Iterator[tuple[str, np.ndarray, np.ndarray, list[Any]]]:
        """Every v2 rule: its name, ``(n, m)`` passes, ``(n, m)`` passes only because the
        firm did not say, and the firms' values (for reasons)."""
        m = len(self.nothing)
        districts = [_text(v) for v in _column(firms, "district", n_firms)]
        passes = np.ones((n_firms, m), dtype=bool)
        for i, d in enumerate(districts):
            if d is not None:
                passes[i] = self._district_ok(d)
        unknown = np.array([d is None for d in districts], dtype=bool)[:, None]
        yield DISTRICT_RULE, passes, unknown & self._district_restricted[None, :], districts

        held, known = self._held(firms, n_firms)
        holds_one = np.asarray((held.astype(np.int8) @ self._group_matrix.T.astype(np.int8)) > 0)
        undecided = ~known[:, None] & self._group_checkable[None, :] & ~holds_one
        group_pass = ~self._group_restricted[None, :] | holds_one | undecided
        shown = [tuple(f for f, h in zip(FIRM_FLAGS, row, strict=True) if h) for row in held]
        yield GROUP_RULE, group_pass, undecided & self._group_restricted[None, :], shown

        codes = [_text(v) for v in _column(firms, "industry_code", n_firms)]
        passes = np.ones((n_firms, m), dtype=bool)
        for i, code in enumerate(codes):
            if code is not None:
                passes[i] = self._industry_ok(code)
        unknown = np.array([c is None for c in codes], dtype=bool)[:, None]
        yield INDUSTRY_RULE, passes, unknown & self._industry_restricted[None, :], codes

        patents = np.asarray(
            [np.nan if _text(v) is None else float(v) for v in _column(firms, "patents", n_firms)]
        )
        unknown = np.isnan(patents)[:, None] & self.patent[None, :]
        passes = ~self.patent[None, :] | (patents > 0)[:, None] | unknown
        counts = [None if np.isnan(c) else int(c) for c in patents.tolist()]
        yield PATENT_RULE, passes, unknown, counts

        nothing = np.broadcast_to(~self.nothing[None, :], (n_firms, m))
        yield NOTHING_RULE, nothing, np.zeros((n_firms, m), dtype=bool), [None] * n_firms

    @staticmethod
    def _held(firms: Any, n_firms: int) -> tuple[np.ndarray, np.ndarray]:
        """``(n, flags)`` statuses each firm holds, and whether it declared its statuses."""
        held = np.zeros((n_firms, len(FIRM_FLAGS)), dtype=bool)
        flags = _column(firms, "firm_flags", n_firms)
        employees = np.asarray(firms["employees"], dtype=float)
        sectors = [str(s) for s in firms["sector"]]
        # declared: any status, or NO_FLAGS ("none": holds none of them)
        known = np.array([_text(f) is not None for f in flags], dtype=bool)
        for i, cell in enumerate(flags):
            for flag in names(cell):
                if flag in _FLAG_INDEX and flag != PRELIMINARY:  # a profile is a founded firm
                    held[i, _FLAG_INDEX[flag]] = True
            if is_small_merchant(employees[i], sectors[i]):
                held[i, _FLAG_INDEX[SMALL_MERCHANT]] = True
        return held, known


def listed(values: Sequence[str]) -> str:
    """Names joined as a file writes them."""
    return LIST_SEP.join(values)
