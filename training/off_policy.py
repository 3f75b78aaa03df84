"""From a data directory's frames to the logged pairs the policy-value estimators read.

``recommender evaluate`` (and a promotion gate) need, for the evaluated year, every
eligible scored pair with who joined it, the outcome, a cross-fitted propensity and a
cross-fitted expected outcome. :func:`logged_values` is that, in one call::

    logged = logged_values(dataset)                       # the last year
    ranking = recommender.score(firms_of_the_year, outcomes=dataset.outcomes)
    value = policy_value(logged, ranking, method="dr")    # PolicyValue
"""

from __future__ import annotations

import pandas as pd

from recommender.contract.canonical import Dataset
from training.logged import LoggedYear, firm_folds, logged_year
from training.outcome_model import OutcomeModel, crossfit_outcomes
from training.policy_value import EXPECTED, PROPENSITY
from training.propensity import PropensityModel, crossfit_propensity


def with_nuisances(
    logged: LoggedYear,
    *,
    seed: int = 42,
    propensity_model: PropensityModel | None = None,
    outcome_model: OutcomeModel | None = None,
) -> pd.DataFrame:
    """``logged.pairs`` with ``propensity`` and ``expected`` columns, both cross-fitted over
    the same folds of firms (a firm's pairs are predicted by models that never saw its
    participations of the year)."""
    folds = firm_folds(logged.pairs["firm_id"], seed=seed)
    propensity = crossfit_propensity(logged, folds=folds, model=propensity_model)
    expected = crossfit_outcomes(logged, folds=folds, model=outcome_model)
    return logged.pairs.assign(**{PROPENSITY: propensity, EXPECTED: expected})


def logged_values(dataset: Dataset, *, year: int | None = None, seed: int = 42) -> pd.DataFrame:
    """The logged pairs of ``year`` (default: the last) with their nuisances.

    Raises
    ------
    DataValidationError
        The data holds no outcomes for the year, no eligible scored pair, or too few
        participations to fit who joins what; the problem names the year.
    """
    return with_nuisances(logged_year(dataset, year=year), seed=seed)
