"""The demo world: a simulated SME population, programme catalogue and participation
history with a documented causal model of programme benefit (``docs/causal-model.md``),
and the oracle -- the exact expected outcome of every eligible pair of the last year.

Modules: ``firms`` (population and self-diagnosis), ``catalogue`` (programme offerings),
``participation`` (who takes part in what), ``outcomes`` (the causal model) and
``world`` (the year-by-year run and writing it out).
"""

from recommender.simulate.world import ORACLE_FILE, World, simulate_world, write_world

__all__ = ["ORACLE_FILE", "World", "simulate_world", "write_world"]
