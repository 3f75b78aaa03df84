"""The model registry: verified versions (:mod:`~recommender.adapters.versions`) and
the champion that serves (:mod:`~recommender.adapters.champion`).

A version becomes champion only after it verifies, and not if it scores worse than
the current one unless forced; a rollback returns to the previous champion, verified
first. Every switch is logged in ``history.json``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from recommender.adapters.champion import (
    DEFAULT_METRIC,
    champion_token,
    check_not_worse,
    read_champion,
    read_history,
    registry_lock,
    switch_champion,
)
from recommender.adapters.versions import VersionStore
from recommender.errors import (
    ModelIntegrityError,
    ModelNotFoundError,
    PromotionRefusedError,
)


class Registry(VersionStore):
    """Versioned model folders under ``root`` with verified loading and a champion.

    Parameters
    ----------
    root
        The models directory; created on first write.
    signing_key
        Manifests are signed with HMAC-SHA256 under this key and a manifest without a
        matching ``hmac`` is refused (see :class:`VersionStore`).
    trial
        Called with the registry and a verified version before the champion pointer
        moves to it; raises to refuse it. The product passes
        :class:`recommender.adapters.trial.TrialLoader` (a load in a child process).
    """

    def __init__(
        self,
        root: Path,
        *,
        signing_key: str,
        trial: Callable[[VersionStore, str], None] | None = None,
    ) -> None:
        super().__init__(root, signing_key=signing_key)
        self.trial = trial

    def try_load(self, version: str) -> None:
        """Run the trial load of a verified version, if this registry has one."""
        if self.trial is not None:
            self.trial(self, version)

    def champion(self) -> str | None:
        """The served version, or ``None`` before the first promotion."""
        return read_champion(self.root)

    def champion_token(self) -> tuple[str | None, int]:
        """A cheap change detector for servers: ``(champion, mtime_ns of its file)``."""
        return champion_token(self.root)

    def promote(
        self,
        version: str,
        *,
        force: bool = False,
        metric: str = DEFAULT_METRIC,
        evidence: Mapping[str, Any] | None = None,
    ) -> str:
        """Make a verified version the champion; returns its name.

        The candidate must verify (even with ``force``). With ``evidence`` (the
        promotion gate's judgement on shared data, ``training.gate``) that judgement
        stands in for the metric check, is recorded in the history, and must be about
        the champion in place (``evidence["champion"]["version"]``). Without it the
        candidate must not score worse than the champion on ``metrics[metric]``
        (higher is better), falling back to ``metrics['validation_score']``: a library
        check only, the CLI and the API always go through the gate.

        Raises
        ------
        ModelIntegrityError
            The candidate fails verification or its trial load (even with ``force``).
        PromotionRefusedError
            Worse than the champion, or not comparable, and ``force`` not given.
        """
        name = self.resolve(version)
        tried = self._needs_switch(
            name, self.verify(name), force=force, metric=metric, evidence=evidence
        )
        if tried:
            self.try_load(name)  # outside the lock: a child process takes seconds
        with registry_lock(self.root):
            candidate = self.verify(name)  # unchanged since the trial (same signed hashes)
            if self._needs_switch(name, candidate, force=force, metric=metric, evidence=evidence):
                if not tried:
                    raise PromotionRefusedError(
                        f"the champion moved away from {name!r} meanwhile; promote it again"
                    )
                switch_champion(
                    self.root,
                    name,
                    previous=self.champion(),
                    action="promote",
                    forced=force,
                    evidence=evidence,
                )
        return name

    def _needs_switch(
        self,
        name: str,
        candidate: dict[str, Any],
        *,
        force: bool,
        metric: str,
        evidence: Mapping[str, Any] | None = None,
    ) -> bool:
        """False when ``name`` is the champion already; raises when it may not become it."""
        current = self.champion()
        if current == name:
            return False
        if evidence is not None:  # the gate judged it against the champion named there
            judged = (evidence.get("champion") or {}).get("version")
            if judged != current:
                raise PromotionRefusedError(
                    f"the evaluation compared {name!r} with {judged!r}, but the champion is "
                    f"now {current!r}; promote it again"
                )
            return True
        if current is not None and not force:
            try:
                incumbent = self.verify(current)
            except (ModelIntegrityError, ModelNotFoundError) as exc:
                raise PromotionRefusedError(
                    f"cannot compare {name!r} with the champion {current!r} ({exc}); "
                    "pass force to promote anyway"
                ) from None
            check_not_worse(name, candidate, current, incumbent, metric=metric)
        return True

    def rollback(self) -> str:
        """Return to the previous champion (verified first); returns its name.

        Raises
        ------
        ModelNotFoundError
            There is no previous champion.
        ModelIntegrityError
            The previous champion fails verification or its trial load; the champion
            is unchanged.
        """
        with registry_lock(self.root):
            current = self.champion()
            stack = read_history(self.root)["stack"]
            while stack and stack[-1] == current:
                stack.pop()
            if not stack:
                raise ModelNotFoundError("no previous champion to roll back to")
            target = stack[-1]
            self.verify(target)
            self.try_load(target)
            switch_champion(
                self.root, target, previous=current, action="rollback", forced=False, stack=stack
            )
        return target

    def fallback_candidates(self) -> list[str]:
        """What to serve when the champion cannot be: the earlier champions, latest
        first, then every other version whose signed manifest reads, newest first."""
        current = self.champion()
        try:
            stack = list(reversed(read_history(self.root)["stack"]))
        except ModelIntegrityError:
            stack = []
        rows = reversed(self.versions())
        ordered = [*stack, *(r["version"] for r in rows if r["valid"])]
        return [v for v in dict.fromkeys(ordered) if v != current]

    def history(self) -> list[dict[str, Any]]:
        """Every champion switch, oldest first (at, action, version, previous, forced)."""
        return list(read_history(self.root)["events"])
