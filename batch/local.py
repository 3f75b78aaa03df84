"""The single-machine scoring engine: one data directory in memory, one CSV file out.

:func:`score` takes the arguments of :func:`batch.dask.score`; it reads and checks the
whole directory first, scores every firm row against its year's programmes with the
model's :meth:`~recommender.recommend.Recommender.score`, and replaces the output file
atomically, so a failed run leaves the previous file as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Final

from batch.output import ScoreRun, scored_frame
from recommender.adapters.artefact import load_recommender
from recommender.adapters.atomic import atomic_file
from recommender.adapters.files import read_data_dir
from recommender.adapters.registry import Registry
from recommender.constants import CHAMPION

Progress = Callable[[str], None]
ENGINE: Final[str] = "local"


def score(
    data: Path,
    *,
    registry: Registry,
    out: Path,
    model: str = CHAMPION,
    year: int | None = None,
    explain_top: int = 0,
    progress: Progress | None = None,
    num_threads: int = 2,
) -> ScoreRun:
    """Score every firm row of ``data`` against its year's programmes into a CSV file.

    Parameters
    ----------
    data
        A contract data directory (outcomes optional, used as participation history).
    registry, model
        Where the model comes from: a version name or ``champion``.
    out
        The CSV file to write (replaced when it exists).
    year
        Only firm rows of this year.
    explain_top
        Also write a ``reasons`` column for the top ``explain_top`` programmes of each
        firm row (0 = scores only, the contract's columns).
    num_threads
        LightGBM threads.
    """
    say = progress or (lambda _m: None)
    ds = read_data_dir(data)
    firms = ds.firms if year is None else ds.firms[ds.firms["year"] == year]
    rec = load_recommender(registry, model, programmes=ds.programmes, num_threads=num_threads)
    say(f"scoring {len(firms)} firm rows with model {rec.version}")
    scored = scored_frame(rec, firms, ds.outcomes, explain_top=explain_top)
    with atomic_file(Path(out)) as temp:
        scored.to_csv(temp, index=False)
    return ScoreRun(rec.version, Path(out), len(firms), len(scored), 1, 1)
