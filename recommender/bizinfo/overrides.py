"""Caseworkers' programme-type corrections: what makes one valid.

An override maps a programme id to the type a caseworker set; it wins over the rules on
every re-import. Where overrides are kept is an adapter's business (``overrides.csv``
beside a catalogue directory: :mod:`recommender.adapters.bizinfo.overrides`; the
store's ``type_overrides`` table).
"""

from __future__ import annotations

from recommender.constants import PROGRAMME_TYPES
from recommender.errors import Problem


def check_override(
    programme_id: str, programme_type: str, *, file: str = "overrides", row: int | None = None
) -> list[Problem]:
    """Problems with one override: a blank id or a type outside the contract's enum.

    Parameters
    ----------
    programme_id, programme_type
        The override.
    file, row
        Where it came from, for the problems' messages.
    """
    problems = []
    if not str(programme_id).strip():
        problems.append(Problem(file, row, "id", programme_id, "a programme id"))
    if programme_type not in PROGRAMME_TYPES:
        problems.append(
            Problem(file, row, "type", programme_type, f"one of {', '.join(PROGRAMME_TYPES)}")
        )
    return problems
