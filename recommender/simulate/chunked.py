"""Large demo worlds, simulated chunk by chunk so the whole world is never held at once.

:func:`simulate_in_chunks` splits the firms into ``partitions`` independent chunks, each
drawn and run through the causal model (:func:`~recommender.simulate.world.run_years`)
with its own seed derived from the world's, and hands them out one at a time; the
adapter ``recommender.adapters.worlds`` appends each to the Parquet tables of a data
directory as one row group. Every chunk shares one catalogue, drawn once for the whole
population; each chunk competes for its share of each programme's places (capacity
scaled by the chunk's share of the firms), so oversubscription is as strong as in a
world simulated in one piece. Peer references of the causal model are taken within a
chunk, which for chunks of thousands of firms is the same population statistic.

A chunked world is a world of the same causal model but not identical to
``simulate_world`` with the same seed (the random streams are split differently).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from recommender.contract.canonical import canonical_programmes
from recommender.errors import RecommenderError
from recommender.simulate.catalogue import HIDDEN, catalogue
from recommender.simulate.firms import new_population
from recommender.simulate.world import World, _check, run_years

Progress = Callable[[str], None]


@dataclass(frozen=True)
class ChunkedWorld:
    """A world simulated chunk by chunk.

    Attributes
    ----------
    programmes : pandas.DataFrame
        The canonical catalogue of every year, shared by all chunks.
    sizes : tuple of int
        Firms per chunk.
    chunks : iterator of World
        One world per chunk (its firms, outcomes and oracle; the whole catalogue),
        simulated only when it is drawn.
    """

    programmes: pd.DataFrame
    sizes: tuple[int, ...]
    chunks: Iterator[World]


def chunk_sizes(n_firms: int, partitions: int) -> list[int]:
    """Firms per chunk: ``partitions`` chunks differing by at most one firm."""
    if (
        isinstance(partitions, bool)
        or not isinstance(partitions, int | np.integer)
        or not 1 <= partitions <= n_firms
    ):
        raise RecommenderError(
            f"partitions must be a whole number from 1 to the number of "
            f"firms ({n_firms}), not {partitions!r}"
        )
    base, extra = divmod(n_firms, partitions)
    return [base + (i < extra) for i in range(partitions)]


def scaled_capacity(offers: pd.DataFrame, share: float) -> pd.DataFrame:
    """The catalogue with each offering's true places scaled to a chunk's share of firms
    (at least one place); the published columns are unchanged."""
    places = np.maximum(1, np.rint(offers["true_capacity"].to_numpy(float) * share))
    return offers.assign(true_capacity=places.astype(np.int64))


def simulate_in_chunks(
    *,
    n_firms: int,
    partitions: int,
    years: tuple[int, int] = (2022, 2024),
    seed: int = 42,
    progress: Progress | None = None,
) -> ChunkedWorld:
    """Check the sizes, draw the shared catalogue and set up the chunks.

    Parameters
    ----------
    n_firms : int
        Distinct firms over all years.
    partitions : int
        Chunks of firms, simulated one after the other as :attr:`ChunkedWorld.chunks`
        is iterated. Peak memory follows the chunk size.
    years, seed
        As for :func:`~recommender.simulate.world.simulate_world`; same seed and
        partitions, same chunks.
    progress : callable, optional
        Called with a short message as each chunk is simulated.

    Raises
    ------
    RecommenderError
        When the sizes or years make no sense.
    """
    first, last = _check(n_firms, years)
    sizes = chunk_sizes(n_firms, partitions)
    span = range(first, last + 1)
    cat_seed, chunk_root = np.random.SeedSequence(seed).spawn(2)
    offers = catalogue(np.random.default_rng(cat_seed), years=span, n_firms=n_firms)
    programmes = canonical_programmes(offers.drop(columns=list(HIDDEN)))
    return ChunkedWorld(
        programmes,
        tuple(sizes),
        _chunks(
            offers,
            sizes,
            chunk_root,
            span=span,
            n_firms=n_firms,
            say=progress or (lambda _message: None),
        ),
    )


def _chunks(
    offers: pd.DataFrame,
    sizes: list[int],
    root: np.random.SeedSequence,
    *,
    span: range,
    n_firms: int,
    say: Progress,
) -> Iterator[World]:
    width = max(6, len(str(n_firms)))
    start = 0
    for i, (size, chunk_seed) in enumerate(zip(sizes, root.spawn(len(sizes)), strict=True)):
        say(f"simulating chunk {i + 1} of {len(sizes)} ({size} firms)")
        pop_seed, year_seed = chunk_seed.spawn(2)
        pop = new_population(
            np.random.default_rng(pop_seed), n_firms=size, first_year=span[0], last_year=span[-1]
        )
        ids = np.array(
            [f"F{j:0{width}d}" for j in range(start + 1, start + size + 1)], dtype=object
        )
        yield run_years(
            replace(pop, firm_id=ids),
            scaled_capacity(offers, size / n_firms),
            span=span,
            year_seed=year_seed,
        )
        start += size
