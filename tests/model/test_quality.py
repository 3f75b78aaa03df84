"""The chosen ranker beats every baseline on worlds it was not tuned on (seed 42 is the
tuning world; these use other seeds and sizes)."""

from __future__ import annotations

import pytest

from recommender.simulate import simulate_world
from training.evaluate import BASELINES, MODEL, evaluate


@pytest.mark.slow
@pytest.mark.parametrize(("seed", "n_firms"), [(7, 2500)])
def test_model_beats_every_baseline_on_oracle_ndcg_and_regret(seed: int, n_firms: int) -> None:
    world = simulate_world(n_firms=n_firms, years=(2021, 2023), seed=seed)
    result = evaluate(world.dataset, oracle=world.oracle, compare_objectives=False, seed=seed)
    for split in ("time", "firm"):
        table = result.metrics[result.metrics["split"] == split].set_index("method")
        model = table.loc[MODEL]
        for baseline in BASELINES:
            assert model["oracle_ndcg@3"] > table.loc[baseline, "oracle_ndcg@3"], (split, baseline)
            assert model["regret"] < table.loc[baseline, "regret"], (split, baseline)
    ceiling = result.ceiling.set_index("method")
    assert ceiling.loc["observable_ceiling", "oracle_ndcg@3"] >= ceiling.loc[MODEL, "oracle_ndcg@3"]
