"""Exceptions raised by the core. Messages name the file, row, field or version at fault.

The API maps them to problem+json responses, the CLI to a one-line message and a
non-zero exit; the core never knows which.
"""

from __future__ import annotations

from dataclasses import dataclass


class RecommenderError(Exception):
    """Base of every error the product raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a data file, located as a person would look for it."""

    file: str
    row: int | None  # line number as counted in the file (header is line 1); None = whole file
    column: str | None
    value: object
    expected: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column {self.column}"
        shown = "" if self.value is None else f": got {self.value!r}"
        return f"{where}{shown}; expected {self.expected}"


class DataValidationError(RecommenderError):
    """A data directory or upload breaks the contract; lists every problem found."""

    def __init__(self, problems: list[Problem], *, limit: int = 200) -> None:
        self.problems = problems
        shown = [f"  - {p}" for p in problems[:limit]]
        if len(problems) > limit:
            shown.append(f"  ... and {len(problems) - limit} more")
        noun = "problem" if len(problems) == 1 else "problems"
        super().__init__(f"{len(problems)} {noun} in the data:\n" + "\n".join(shown))


class NotFittedError(RecommenderError, ValueError):
    """A fitted object (profiler, ranker) was used before ``fit``."""


class ModelNotFoundError(RecommenderError):
    """No model version of that name exists in the registry."""


class ModelIntegrityError(RecommenderError):
    """A model version's files do not match its manifest; nothing was loaded."""


class RegistryError(RecommenderError, ValueError):
    """The registry was asked for something it will not do (unsafe name, bad metadata)."""


class PromotionRefusedError(RecommenderError):
    """A candidate model is worse than the champion and the promotion was not forced."""


class NotFoundError(RecommenderError):
    """A firm, programme or record asked for does not exist."""


class ConflictError(RecommenderError):
    """A write would duplicate or contradict what is stored."""


class AllocationError(RecommenderError, ValueError):
    """An allocation was asked for with options that make no sense (names the option)."""


class InfeasibleAllocationError(AllocationError):
    """No allocation meets the floors asked for; names each floor and how far off it is."""
