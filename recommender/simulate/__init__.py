"""The demo world: a simulated SME population, programme catalogue and participation
history with a documented causal model of programme benefit (``docs/causal-model.md``),
and the oracle -- the exact expected outcome of every eligible pair of the last year.

Modules: ``firms`` (population and self-diagnosis), ``catalogue`` (programme offerings),
``participation`` (who takes part in what), ``outcomes`` (the causal model),
``world`` (the year-by-year run), ``chunked`` (a large world, chunk by chunk) and
``today`` (the demo world placed around a date) and ``korean`` (its programme names and
agencies in Korean, the English beside).
Writing a world to disk is an adapter's job: ``recommender.adapters.worlds``.
"""

from recommender.simulate.korean import in_korean
from recommender.simulate.today import placed_around
from recommender.simulate.world import World, simulate_world

__all__ = ["World", "in_korean", "placed_around", "simulate_world"]
