"""Small allocation problems written as a grid: firms x programmes, None = not a candidate."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from recommender.allocate import AllocationProblem, build_problem

YEAR = 2024


def frames(
    grid: Sequence[Sequence[float | None]],
    capacity: Sequence[float | None],
    *,
    regions: Sequence[str] | None = None,
    employees: Sequence[int] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """``scored, firms, programmes`` frames of a grid of expected outcomes."""
    n, m = len(grid), len(capacity)
    firms = pd.DataFrame(
        {
            "firm_id": [f"F{i}" for i in range(n)],
            "year": YEAR,
            "region": list(regions) if regions is not None else ["busan"] * n,
            "sector": "kbs_ict",
            "employees": list(employees) if employees is not None else [20] * n,
        }
    )
    programmes = pd.DataFrame(
        {
            "programme_id": [f"P{j}" for j in range(m)],
            "name": [f"Programme {j}" for j in range(m)],
            "programme_type": "consulting",
            "year": YEAR,
            "capacity": [np.nan if c is None else float(c) for c in capacity],
            "apply_start": None,
            "apply_end": None,
        }
    )
    rows = [
        {
            "firm_id": f"F{i}",
            "year": YEAR,
            "programme_id": f"P{j}",
            "eligible": value is not None,
            "score": np.nan if value is None else value,
        }
        for i, line in enumerate(grid)
        for j, value in enumerate(line)
    ]
    return pd.DataFrame(rows), firms, programmes


def grid_problem(
    grid: Sequence[Sequence[float | None]],
    capacity: Sequence[float | None],
    *,
    per_firm: int = 1,
    regions: Sequence[str] | None = None,
    employees: Sequence[int] | None = None,
) -> AllocationProblem:
    """The allocation problem of a grid (firm i = ``F{i}``, programme j = ``P{j}``)."""
    scored, firms, programmes = frames(grid, capacity, regions=regions, employees=employees)
    return build_problem(scored, firms, programmes, year=YEAR, per_firm=per_firm)


def random_problem(
    rng: np.random.Generator, *, n: int, m: int, per_firm: int = 1, density: float = 0.6
) -> AllocationProblem:
    """A random grid: values 0-3 rounded to 0.01 (ties happen), some capacities unlimited."""
    grid = [
        [round(float(rng.uniform(0, 3)), 2) if rng.random() < density else None for _ in range(m)]
        for _ in range(n)
    ]
    capacity = [None if rng.random() < 0.2 else int(rng.integers(0, 4)) for _ in range(m)]
    regions = [str(rng.choice(["seoul", "busan", "jeju"])) for _ in range(n)]
    return grid_problem(grid, capacity, per_firm=per_firm, regions=regions)


def assigned(problem: AllocationProblem, chosen: np.ndarray) -> set[tuple[str, str]]:
    """The chosen pairs as ``(firm_id, programme_id)``."""
    fi = problem.firms["firm_id"].to_numpy()[problem.firm[chosen]]
    pj = problem.programmes["programme_id"].to_numpy()[problem.programme[chosen]]
    return set(zip(fi.tolist(), pj.tolist(), strict=True))
