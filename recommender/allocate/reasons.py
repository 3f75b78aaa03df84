"""Why each firm got the seat it got, in plain English.

Each firm's candidates are ranked by expected outcome. A firm given its top pick (one of
its top ``per_firm`` picks) is told so. A firm given something lower is told which
better pick it did not get and that it is full. Without floors it is also told what
giving it that seat would cost the other firms -- the best chain of moves that frees a
seat there and fills its own (:func:`.duals.chain_values`) -- against what it would
gain; an optimum guarantees the cost is at least the gain, which is why the seat went to
someone else. With floors (no exact chains) it is told the value of one more seat
there instead. A firm counted towards a floor that binds is told that too.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from recommender.allocate.floors import FloorOutcome
from recommender.allocate.problem import AllocationProblem

TIE: float = 5e-7  # below the solvers' resolution (micro-grades): a tie


def _best_missed(problem: AllocationProblem, chosen: np.ndarray, ranks: np.ndarray) -> np.ndarray:
    """Per firm, the pair index of its best pick it was not given (-1 if none)."""
    missed = np.flatnonzero(~chosen)
    best_rank = np.full(len(problem.firms), np.iinfo(np.int64).max)
    np.minimum.at(best_rank, problem.firm[missed], ranks[missed])
    best = np.full(len(problem.firms), -1, np.int64)
    first = missed[ranks[missed] == best_rank[problem.firm[missed]]]
    best[problem.firm[first]] = first
    return best


def _pick(rank: int) -> str:
    return "top pick" if rank == 0 else f"pick #{rank + 1}"


def _labels(problem: AllocationProblem) -> list[str]:
    """ "P0012 (Export Voucher)" per programme; the id alone when it has no name."""
    return [
        f"{pid} ({name})" if isinstance(name, str) and name else str(pid)
        for pid, name in zip(
            problem.programmes["programme_id"], problem.programmes["name"], strict=True
        )
    ]


def assignment_reasons(
    problem: AllocationProblem,
    chosen: np.ndarray,
    seat_value: np.ndarray,
    *,
    chains: np.ndarray | None = None,
    floors: Sequence[FloorOutcome] = (),
    members: Sequence[np.ndarray] = (),
) -> list[str]:
    """One sentence per chosen pair, in the order of ``np.flatnonzero(chosen)``.

    Parameters
    ----------
    problem, chosen
        The problem and its allocation.
    seat_value : numpy.ndarray, shape (m,)
        Value of one more seat per programme (:mod:`.duals`, :mod:`.mip`).
    chains : numpy.ndarray, shape (m + 1, m + 1), optional
        :func:`.duals.chain_values` of the allocation, when it was computed (no floors,
        a catalogue of at most :data:`.duals.CHAIN_LIMIT` programmes).
    floors, members
        The floors' outcomes and, aligned with them, their member masks over the firms.
        Without floors the allocation is an exact optimum, so a full better pick always
        adds at least as much for other firms; the sentence says so, with the figure
        when ``chains`` is given.
    """
    ranks = problem.value_ranks
    best_missed = _best_missed(problem, chosen, ranks)
    degree = problem.firm_degree()
    full = (
        np.bincount(problem.programme[chosen], minlength=len(problem.programmes)) >= problem.seats()
    )
    binding = [(str(f.floor), m) for f, m in zip(floors, members, strict=True) if f.binding]
    labels = _labels(problem)
    many = "programmes it applied for" if problem.applications else "candidate programmes"
    only = (
        "the only programme it applied for"
        if problem.applications
        else "its only candidate programme"
    )
    limit = problem.per_firm
    out = []
    for pair in np.flatnonzero(chosen):
        i, r, v = int(problem.firm[pair]), int(ranks[pair]), float(problem.value[pair])
        if r < limit:
            if limit == 1:
                n = int(degree[i])
                text = (
                    f"its top pick: expected outcome {v:.2f}, the best of its {n} {many}"
                    if n > 1
                    else f"{only}: expected outcome {v:.2f}"
                )
            else:
                text = f"one of its top {limit} picks (#{r + 1}): expected outcome {v:.2f}"
        else:
            missed = int(best_missed[i])
            j_star = int(problem.programme[missed])
            loss = float(problem.value[missed]) - v
            label = f"its {_pick(int(ranks[missed]))} {labels[j_star]}"
            price = float(seat_value[j_star])
            if loss <= TIE:
                text = (
                    f"{label} ties with this seat (expected outcome {v:.2f}); no expected "
                    "loss for this firm"
                )
            elif not full[j_star]:
                text = f"{label} was not given to it; expected loss for this firm {loss:.2f}"
            elif chains is not None:
                cost = -float(chains[j_star, int(problem.programme[pair])])
                more = "more" if cost >= loss + 0.005 else "as much"
                text = (
                    f"{label} is full; that seat adds {more} for other firms (moving this "
                    f"firm there would cost them {cost:.2f}); expected loss for this "
                    f"firm {loss:.2f}"
                )
            elif not floors:
                text = (
                    f"{label} is full; that seat adds more for other firms; expected "
                    f"loss for this firm {loss:.2f}"
                )
            else:
                text = (
                    f"{label} is full (one more seat there is worth {price:.2f}); "
                    f"expected loss for this firm {loss:.2f}"
                )
        for name, mask in binding:
            if mask[i]:
                text += f"; counts towards the floor {name}"
        out.append(text)
    return out
