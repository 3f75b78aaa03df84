"""The model registry: verified versions (:mod:`~recommender.adapters.versions`) and
the champion that serves (:mod:`~recommender.adapters.champion`).

A version becomes champion only after it verifies, and not if it scores worse than
the current one unless forced; a rollback returns to the previous champion, verified
first. Every switch is logged in ``history.json``.
"""

from __future__ import annotations

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
        When non-empty, manifests are signed with HMAC-SHA256 under this key and a
        manifest without a matching ``hmac`` is refused.
    """

    def champion(self) -> str | None:
        """The served version, or ``None`` before the first promotion."""
        return read_champion(self.root)

    def champion_token(self) -> tuple[str | None, int]:
        """A cheap change detector for servers: ``(champion, mtime_ns of its file)``."""
        return champion_token(self.root)

    def promote(self, version: str, *, force: bool = False, metric: str = DEFAULT_METRIC) -> str:
        """Make a verified version the champion; returns its name.

        The candidate must verify (even with ``force``) and must not score worse than
        the champion on ``metrics[metric]`` (higher is better), falling back to
        ``metrics['validation_score']`` when either lacks ``metric``.

        Raises
        ------
        ModelIntegrityError
            The candidate fails verification.
        PromotionRefusedError
            Worse than the champion, or not comparable, and ``force`` not given.
        """
        name = self.resolve(version)
        candidate = self.verify(name)
        with registry_lock(self.root):
            current = self.champion()
            if current == name:
                return name
            if current is not None and not force:
                try:
                    incumbent = self.verify(current)
                except (ModelIntegrityError, ModelNotFoundError) as exc:
                    raise PromotionRefusedError(
                        f"cannot compare {name!r} with the champion {current!r} ({exc}); "
                        "pass force to promote anyway"
                    ) from None
                check_not_worse(name, candidate, current, incumbent, metric=metric)
            switch_champion(self.root, name, previous=current, action="promote", forced=force)
        return name

    def rollback(self) -> str:
        """Return to the previous champion (verified first); returns its name.

        Raises
        ------
        ModelNotFoundError
            There is no previous champion.
        ModelIntegrityError
            The previous champion fails verification; the champion is unchanged.
        """
        with registry_lock(self.root):
            current = self.champion()
            stack = read_history(self.root)["stack"]
            while stack and stack[-1] == current:
                stack.pop()
            if not stack:
                raise ModelNotFoundError(f"no previous champion to roll back to in {self.root}")
            target = stack[-1]
            self.verify(target)
            switch_champion(
                self.root, target, previous=current, action="rollback", forced=False, stack=stack
            )
        return target

    def history(self) -> list[dict[str, Any]]:
        """Every champion switch, oldest first (at, action, version, previous, forced)."""
        return list(read_history(self.root)["events"])
