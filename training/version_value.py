"""The off-policy value of stored versions on one data directory's last year.

``recommender evaluate --model VERSION`` and the promotion gate (:mod:`training.gate`)
score the **stored** versions (never retrained) over the firm profiles of the last
year of a dataset and estimate, from that year's outcomes alone, the mean expected
outcome of each version's top pick (``docs/evaluation.md``). The logged pairs and their
cross-fitted nuisances are computed once and shared by every version evaluated, so two
versions are always judged on the same data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd

from recommender import DataValidationError, Recommender
from recommender.constants import FIRM_ID, SIZE_BANDS, YEAR
from recommender.contract.canonical import Dataset
from recommender.features import size_band
from training.logged import KEYS
from training.off_policy import logged_values
from training.policies import RANK, oracle_value, picks, year_of
from training.policy_value import METHODS, N_BOOT, overlap, policy_value

GROUPS: Final[tuple[str, ...]] = ("region", "size_band")


@dataclass(frozen=True)
class LoggedData:
    """The evaluated year's logged pairs (with nuisances) and its firm profiles.

    ``profiles`` holds ``firm_id, region, size_band`` of every firm profile of the year,
    with or without an eligible scored programme.
    """

    year: int
    logged: pd.DataFrame
    profiles: pd.DataFrame
    dataset: Dataset


def logged_data(dataset: Dataset, *, seed: int = 42) -> LoggedData:
    """Logged pairs of the last year with their cross-fitted nuisances.

    Raises
    ------
    DataValidationError
        No outcomes for the last year, no eligible scored pair, or too few
        participations; the problem names the year and what is missing.
    """
    logged = logged_values(dataset, seed=seed)
    year = year_of(logged)
    firms = dataset.firms[dataset.firms[YEAR] == year]
    bands = np.asarray(SIZE_BANDS, dtype=object)[size_band(firms["employees"].to_numpy())]
    profiles = pd.DataFrame(
        {
            FIRM_ID: firms[FIRM_ID].to_numpy(),
            "region": firms["region"].astype(str).to_numpy(),
            "size_band": bands,
        }
    ).drop_duplicates(FIRM_ID)
    return LoggedData(year, logged, profiles, dataset)


def ranking_of(recommender: Recommender, data: LoggedData) -> pd.DataFrame:
    """``firm_id, year, programme_id, rank`` of the version over the year's eligible
    scored pairs (its own scores; the outcomes serve as participation history only)."""
    ds = data.dataset
    firms = ds.firms[ds.firms[YEAR] == data.year]
    scored = recommender.with_programmes(ds.programmes).score(firms, outcomes=ds.outcomes)
    ranked = scored[scored[RANK].notna()]
    return ranked[KEYS + [RANK]].reset_index(drop=True)


def of_firms(frame: pd.DataFrame, firms: pd.Series) -> pd.DataFrame:
    """The rows of ``frame`` (logged pairs or a ranking) of the given firms."""
    return frame[frame[FIRM_ID].isin(firms)]


def group_table(
    data: LoggedData,
    ranking: pd.DataFrame,
    *,
    k: int = 1,
    n_boot: int = N_BOOT,
    seed: int = 42,
) -> list[dict[str, Any]]:
    """Per region and per size band: profiles, exposure in the top ``k`` (the share of
    the group's profiles' possible top-``k`` slots that hold a programme) and the DR
    estimate of the value of the top pick(s) over the group's profiles, with interval.

    A group whose profiles joined none of the policy's picks has no estimate
    (``estimate`` is ``None`` and ``note`` says why).
    """
    from training.fairness import exposure_by_group

    exposure = exposure_by_group(picks(data.logged, ranking, k=k), data.profiles, k=k)
    rows: list[dict[str, Any]] = []
    for group in GROUPS:
        for level, share in exposure[group].items():
            firms = data.profiles.loc[data.profiles[group] == level, FIRM_ID]
            subset = of_firms(data.logged, firms)
            row: dict[str, Any] = {
                "group": group,
                "level": str(level),
                "profiles": len(firms),
                "exposure": float(share),
                "estimate": None,
                "ci_low": None,
                "ci_high": None,
                "n_matched": 0,
            }
            if not subset.empty:
                try:
                    value = policy_value(
                        subset, of_firms(ranking, firms), k=k, n_boot=n_boot, seed=seed
                    )
                except DataValidationError:
                    row["note"] = "no profile of the group joined a pick: no overlap"
                else:
                    row.update(
                        estimate=value.estimate,
                        ci_low=value.ci_low,
                        ci_high=value.ci_high,
                        n_matched=value.n_matched,
                    )
            else:
                row["note"] = "no profile of the group has an eligible scored programme"
            rows.append(row)
    return rows


def evaluate_version(
    data: LoggedData,
    recommender: Recommender,
    *,
    oracle: pd.DataFrame | None = None,
    trained_years: Sequence[int] = (),
    k: int = 1,
    n_boot: int = N_BOOT,
    seed: int = 42,
) -> dict[str, Any]:
    """Everything ``recommender evaluate --model VERSION --json`` prints.

    Keys: ``version``; ``policy_value`` (``estimate, ci_low, ci_high, year, k,
    method``: the doubly robust value of the top pick); ``clip_allowance`` (how far each
    end of its interval was moved out for the clip's estimated bias); ``true_value`` (the oracle's
    value of the same picks, only when ``oracle`` covers the year, else absent);
    ``in_sample`` (the year is one of ``trained_years``, the version's training years:
    the estimate is then biased towards the version);
    ``methods`` (every estimator's value and interval); ``overlap``; ``n_firms`` and
    ``n_matched``; ``groups`` (:func:`group_table`).

    Raises
    ------
    DataValidationError
        No overlap: no firm profile of the year joined one of the version's picks.
    """
    ranking = ranking_of(recommender, data)
    dr = policy_value(data.logged, ranking, method="dr", k=k, n_boot=n_boot, seed=seed)
    result: dict[str, Any] = {"version": recommender.version, "policy_value": dr.as_dict()}
    result["clip_allowance"] = dr.allowance
    result["in_sample"] = data.year in trained_years
    if oracle is not None and (oracle[YEAR] == data.year).any():
        result["true_value"] = oracle_value(ranking, oracle, year=data.year, k=k)
    result["methods"] = {}
    for m in METHODS:  # dr's value is the one above, not bootstrapped again
        value = (
            dr
            if m == "dr"
            else policy_value(data.logged, ranking, method=m, k=k, n_boot=n_boot, seed=seed)
        )
        result["methods"][m] = value.as_dict()
    result["overlap"] = {
        "pairs": overlap(data.logged),
        "picks": overlap(data.logged, ranking, k=k),
    }
    result["n_firms"], result["n_matched"] = dr.n_firms, dr.n_matched
    result["groups"] = group_table(data, ranking, k=k, n_boot=n_boot, seed=seed)
    return result


def rankings_of(
    recommenders: Mapping[str, Recommender], data: LoggedData
) -> dict[str, pd.DataFrame]:
    """:func:`ranking_of` for several versions over the same year."""
    return {name: ranking_of(rec, data) for name, rec in recommenders.items()}
