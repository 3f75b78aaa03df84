"""The promotion gate: a candidate against the champion, on the same data, by paired DR.

Both stored versions rank the same firm profiles of the same year (the last year of
one dataset: a data directory, or the store's outcomes, or, when the store holds none,
the candidate's held-out year recorded at training, :mod:`training.held_out`) and the
paired doubly robust difference of the values of their top picks is estimated with a
bootstrap interval that resamples the same firms for both (:func:`training.policy_value.
policy_difference`). The candidate is refused when

- it is worse beyond the interval (the whole interval of candidate minus champion
  lies below 0), or
- it lowers the estimated value of any region or size band by more than
  ``margin`` (``Settings.gate_group_margin``) and beyond that group's paired interval
  (its whole interval below 0: a small group's estimate swings by more than a grade
  point between equally good versions, so the point estimate alone would refuse almost
  any candidate); a group none of whose profiles joined a pick of either version has
  no estimate, is listed as not judged and does not block.

The evaluated year must be one neither version was trained on (the manifest's
``years``): a version scored on outcomes it learned from looks far better than it is
(+0.67 grade points on a 3,000-firm world, ``docs/evaluation.md``), so such data gives
no estimate and nothing is promoted unless forced.

Figures computed on different data are never compared. The decision's
:meth:`GateDecision.evidence` is what the champion history records. The API runs this
module in a child process (``python -m training.gate``; ``api`` never imports
``training``) and reads the evidence it prints.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import pandas as pd

from recommender import (
    DataValidationError,
    Problem,
    PromotionRefusedError,
    Recommender,
    RecommenderError,
)
from recommender.constants import FIRM_ID
from training.held_out import held_out_dataset
from training.logged import last_year
from training.policy_value import N_BOOT, PolicyValue, policy_difference, policy_value
from training.version_value import GROUPS, LoggedData, logged_data, of_firms, rankings_of

DEFAULT_MARGIN: Final[float] = 0.10
GROUP_BOOT: Final[int] = 200  # a group's interval is information; its estimate decides


@dataclass(frozen=True)
class GateDecision:
    """The candidate's and the champion's values, their paired difference, and why."""

    candidate: str
    champion: str
    source: str
    candidate_value: PolicyValue
    champion_value: PolicyValue
    difference: PolicyValue
    margin: float
    group_drops: list[dict[str, Any]] = field(default_factory=list)
    groups_unjudged: list[str] = field(default_factory=list)

    @property
    def worse(self) -> bool:
        """The whole interval of candidate minus champion is below 0."""
        return self.difference.ci_high < 0

    @property
    def accepted(self) -> bool:
        return not self.worse and not self.group_drops

    def reason(self) -> str:
        """One sentence naming both estimates, the interval and the verdict."""
        c, b, d = self.candidate_value, self.champion_value, self.difference
        level = f"outcomes of {d.year}, {d.n_firms} firm profiles, {self.source}"
        text = (
            f"on the same data ({level}) the doubly robust value of the top pick is "
            f"{c.estimate:.3f} [{c.ci_low:.3f}, {c.ci_high:.3f}] for candidate "
            f"{self.candidate!r} and {b.estimate:.3f} [{b.ci_low:.3f}, {b.ci_high:.3f}] for "
            f"champion {self.champion!r}; the difference is {d.estimate:+.3f}, 95 % interval "
            f"[{d.ci_low:+.3f}, {d.ci_high:+.3f}]"
        )
        if self.worse:
            text += ", entirely below 0: the candidate is worse"
        elif d.ci_low > 0:
            text += ", entirely above 0: the candidate is better"
        else:
            text += ", which covers 0: not shown worse"
        for g in self.group_drops:
            text += (
                f"; for {g['group']} {g['level']} it lowers the estimated value by "
                f"{-g['change']:.3f} ({g['champion']:.3f} -> {g['candidate']:.3f}), more "
                f"than the margin {self.margin:.2f} (its interval "
                f"[{g['ci_low']:+.3f}, {g['ci_high']:+.3f}] below 0)"
            )
        return text

    def evidence(self) -> dict[str, Any]:
        """What the champion history records beside a promotion."""
        return {
            "method": "paired doubly robust difference of the top pick's value (k = 1)",
            "data": self.source,
            "year": self.difference.year,
            "n_firms": self.difference.n_firms,
            "candidate": {"version": self.candidate, **self.candidate_value.as_dict()},
            "champion": {"version": self.champion, **self.champion_value.as_dict()},
            "difference": self.difference.as_dict(),
            "group_margin": self.margin,
            "group_drops": self.group_drops,
            "groups_unjudged": self.groups_unjudged,
            "accepted": self.accepted,
            "reason": self.reason(),
        }


def _group_drops(
    data: LoggedData,
    candidate: pd.DataFrame,
    champion: pd.DataFrame,
    *,
    margin: float,
    n_boot: int,
    seed: int,
) -> tuple[list[dict[str, Any]], list[str]]:
    """The groups lowered by more than ``margin`` (and beyond the paired interval: the
    whole interval below 0), and those that cannot be judged (no profile of the group
    joined a pick of one of the policies: no overlap)."""
    drops, unjudged = [], []
    for group in GROUPS:
        for level, firms in data.profiles.groupby(group)[FIRM_ID]:
            subset = of_firms(data.logged, firms)
            if subset.empty:
                continue
            a, b = of_firms(candidate, firms), of_firms(champion, firms)
            try:
                diff = policy_difference(subset, a, b, n_boot=n_boot, seed=seed)
                ours = policy_value(subset, a, n_boot=1, seed=seed).estimate
                theirs = policy_value(subset, b, n_boot=1, seed=seed).estimate
            except DataValidationError:  # no profile of the group joined a pick
                unjudged.append(f"{group} {level}")
                continue
            if diff.estimate < -margin and diff.ci_high < 0:
                drops.append(
                    {
                        "group": group,
                        "level": str(level),
                        "candidate": ours,
                        "champion": theirs,
                        "change": diff.estimate,
                        "ci_low": diff.ci_low,
                        "ci_high": diff.ci_high,
                    }
                )
    return drops, unjudged


def judge(
    data: LoggedData,
    candidate: Recommender,
    champion: Recommender,
    *,
    source: str,
    margin: float = DEFAULT_MARGIN,
    n_boot: int = N_BOOT,
    seed: int = 42,
) -> GateDecision:
    """Evaluate both versions on ``data`` and decide.

    Raises
    ------
    DataValidationError
        No overlap: no firm profile joined a pick of one of the versions.
    """
    ranked = rankings_of({"candidate": candidate, "champion": champion}, data)
    a, b = ranked["candidate"], ranked["champion"]
    drops, unjudged = _group_drops(
        data, a, b, margin=margin, n_boot=min(n_boot, GROUP_BOOT), seed=seed
    )
    return GateDecision(
        candidate=str(candidate.version),
        champion=str(champion.version),
        source=source,
        candidate_value=policy_value(data.logged, a, n_boot=n_boot, seed=seed),
        champion_value=policy_value(data.logged, b, n_boot=n_boot, seed=seed),
        difference=policy_difference(data.logged, a, b, n_boot=n_boot, seed=seed),
        margin=margin,
        group_drops=drops,
        groups_unjudged=unjudged,
    )


def decide(
    candidate: str,
    champion: str,
    *,
    data: Path | None = None,
    force: bool = False,
    n_boot: int = N_BOOT,
) -> dict[str, Any]:
    """The evidence to record with the promotion of ``candidate`` over ``champion``.

    Raises
    ------
    PromotionRefusedError
        The gate refuses the candidate (worse beyond the interval, or a group lowered
        by more than the margin), or the data gives no estimate (no outcomes for its
        last year, no overlap: the message names the year and what is missing), and
        ``force`` is not given. Forced, the evidence says what was overridden.
    """
    where = f"data directory {data}" if data is not None else "the store's outcomes"
    unusable = champion_unusable(champion)
    if unusable is not None:  # nothing to compare with: replacing it is the way back
        return {
            "champion": {"version": champion, "unusable": unusable},
            "data": where,
            "accepted": True,
            "reason": f"the champion {champion!r} cannot be loaded ({unusable}); "
            f"{candidate!r} replaces it without a comparison",
        }
    try:
        decision = run_gate(candidate, champion, data=data, n_boot=n_boot)
    except DataValidationError as exc:
        message = f"{candidate!r} could not be evaluated against champion {champion!r} on {where}"
        if not force:
            raise PromotionRefusedError(
                f"{message}, so nothing is promoted: {exc}; pass force to promote anyway"
            ) from None
        return {
            "champion": {"version": champion},
            "data": where,
            "accepted": False,
            "error": f"{message}; promoted by force without an estimate: {exc}",
        }
    evidence = decision.evidence()
    if not decision.accepted and not force:
        raise PromotionRefusedError(
            f"promotion of {candidate!r} refused: {decision.reason()}; pass force to promote anyway"
        )
    return evidence


def _main(argv: list[str] | None = None) -> int:
    """``python -m training.gate``: :func:`decide` as one JSON object on stdout.

    Exit 0 with ``{"evidence": ...}``; 3 with ``{"refused": message}``; 2 with
    ``{"error": message}`` for any other product error. Settings (models directory,
    signing key, database) come from the environment.
    """
    parser = argparse.ArgumentParser(prog="python -m training.gate")
    parser.add_argument("--candidate", required=True)
    parser.add_argument("--champion", required=True)
    parser.add_argument("--data", type=Path, help="data directory (default: the store)")
    parser.add_argument("--force", action="store_true")
    parser.add_argument("--n-boot", type=int, default=N_BOOT)
    args = parser.parse_args(argv)
    try:
        evidence = decide(
            args.candidate, args.champion, data=args.data, force=args.force, n_boot=args.n_boot
        )
    except PromotionRefusedError as exc:
        print(json.dumps({"refused": str(exc)}))
        return 3
    except RecommenderError as exc:
        print(json.dumps({"error": str(exc)}))
        return 2
    print(json.dumps({"evidence": evidence}))
    return 0


def champion_unusable(champion: str) -> str | None:
    """Why the champion cannot be loaded and scored (its trial load in a child process
    fails: a tampered, unsigned or crashing version), or ``None`` when it can."""
    from recommender.adapters.signing import open_registry
    from recommender.adapters.trial import run_trial
    from recommender.errors import ModelIntegrityError
    from recommender.settings import get_settings

    settings = get_settings()
    registry = open_registry(settings, trial=False)
    try:
        run_trial(registry, champion, timeout=settings.model_trial_timeout_seconds)
    except ModelIntegrityError as exc:
        return str(exc)
    return None


def run_gate(
    candidate: str, champion: str, *, data: Path | None = None, n_boot: int = N_BOOT
) -> GateDecision:
    """Load both versions from the configured registry and judge them on ``data`` (a
    data directory) or, when ``None``, on everything the configured store holds, or,
    when it holds no outcomes, on the candidate's recorded held-out year
    (:func:`training.held_out.held_out_dataset`)."""
    from recommender.adapters.artefact import load_recommender
    from recommender.adapters.signing import open_registry
    from recommender.settings import get_settings

    settings = get_settings()
    registry = open_registry(settings, trial=False)  # this process is the isolation
    if data is not None:
        from recommender.adapters.files import read_data_dir

        dataset, source = read_data_dir(data, require_outcomes=True), f"data directory {data}"
    else:
        from recommender.adapters.store import export_dataset, get_engine

        dataset, source = export_dataset(get_engine(settings.db_url)), "the store's outcomes"
        if dataset.outcomes is None:  # the last resort: the candidate's held-out year
            dataset, source = held_out_dataset(candidate, registry.verify(candidate))
    year = last_year(dataset)
    for name in (candidate, champion):
        trained = registry.verify(name).get("years") or []
        if year in trained:
            raise DataValidationError(
                [
                    Problem(
                        "outcomes",
                        None,
                        "year",
                        year,
                        f"outcomes of a year that {name!r} was not trained on: it was trained "
                        f"on {sorted(trained)}, so its estimate on {year} would be "
                        f"in-sample (biased towards it); judge on a later year's outcomes",
                    )
                ]
            )
    logged = logged_data(dataset)
    threads = max(1, settings.num_threads)
    load = {
        name: load_recommender(registry, name, programmes=dataset.programmes, num_threads=threads)
        for name in (candidate, champion)
    }
    return judge(
        logged,
        load[candidate],
        load[champion],
        source=source,
        margin=settings.gate_group_margin,
        n_boot=n_boot,
    )


if __name__ == "__main__":
    sys.exit(_main())
