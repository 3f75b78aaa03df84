"""The champion pointer of a models directory: which version is served, the stack of
earlier champions (for rollback), the log of every switch, and the lock writers share.

Files under the models directory ``root``::

    champion        one line: the served version
    history.json    {"stack": [versions, oldest first], "events": [every switch]}

Both are replaced atomically (:func:`recommender.adapters.atomic.write_atomic`): a reader sees the
old pointer or the new one. Which version may become champion is decided by
:class:`recommender.adapters.registry.Registry`; this module only records it.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from recommender.adapters.atomic import write_atomic
from recommender.adapters.manifest import HISTORY, is_valid_version_name
from recommender.constants import CHAMPION
from recommender.errors import ModelIntegrityError, PromotionRefusedError

try:  # POSIX advisory lock serialising champion switches; absent on Windows
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

DEFAULT_METRIC: Final[str] = "oracle_ndcg@3"
FALLBACK_METRIC: Final[str] = "validation_score"


@contextlib.contextmanager
def registry_lock(root: Path) -> Iterator[None]:
    """Serialise writers of the champion and of new version names (flock on ``root``)."""
    root.mkdir(parents=True, exist_ok=True)
    fd = os.open(root, os.O_RDONLY)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)  # released when fd closes
        yield
    finally:
        os.close(fd)


def read_champion(root: Path) -> str | None:
    """The served version, or ``None`` before the first promotion.

    Raises
    ------
    ModelIntegrityError
        The pointer is unreadable or names no valid version.
    """
    path = root / CHAMPION
    try:
        text = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelIntegrityError(
            f"the {CHAMPION} pointer is unreadable ({type(exc).__name__})"
        ) from None
    if not is_valid_version_name(text):
        raise ModelIntegrityError(
            f"the {CHAMPION} pointer does not name a valid version: {text[:80]!r}"
        )
    return text


def champion_token(root: Path) -> tuple[str | None, int]:
    """A cheap change detector for servers: ``(champion, mtime_ns of its file)``."""
    try:
        mtime = (root / CHAMPION).stat().st_mtime_ns
    except FileNotFoundError:
        return None, 0
    return read_champion(root), mtime


def read_history(root: Path) -> dict[str, Any]:
    """``{"stack": [...], "events": [...]}``; empty before the first switch."""
    path = root / HISTORY
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"stack": [], "events": []}
    except (OSError, ValueError) as exc:
        raise ModelIntegrityError(f"{HISTORY} is unreadable ({type(exc).__name__})") from None
    if not (
        isinstance(data, dict)
        and isinstance(data.get("stack"), list)
        and isinstance(data.get("events"), list)
    ):
        raise ModelIntegrityError(f"{HISTORY} is unreadable (expected 'stack' and 'events')")
    return data


def switch_champion(
    root: Path,
    name: str,
    *,
    previous: str | None,
    action: str,
    forced: bool,
    stack: list[str] | None = None,
    evidence: Mapping[str, Any] | None = None,
) -> None:
    """Point the champion at ``name`` (atomically), then record it in the history.

    Call it holding :func:`registry_lock`. ``stack`` replaces the champion stack (a
    rollback pops it); by default ``previous`` and ``name`` are pushed. ``evidence``
    (the promotion gate's estimates, JSON) is recorded with the event.
    """
    history = read_history(root)
    if stack is None:
        stack = history["stack"]
        if previous is not None and (not stack or stack[-1] != previous):
            stack.append(previous)
        stack.append(name)
    write_atomic(root / CHAMPION, f"{name}\n")
    history["stack"] = stack
    history["events"].append(
        {
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "action": action,
            "version": name,
            "previous": previous,
            "forced": forced,
            **({"evidence": dict(evidence)} if evidence is not None else {}),
        }
    )
    write_atomic(root / HISTORY, json.dumps(history, indent=2))


def _number(value: object) -> float | None:
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    return float(value) if ok and math.isfinite(value) else None  # type: ignore[arg-type]


def check_not_worse(
    name: str,
    candidate: Mapping[str, Any],
    current: str,
    incumbent: Mapping[str, Any],
    *,
    metric: str = DEFAULT_METRIC,
) -> None:
    """Refuse a candidate whose ``metrics[metric]`` is below the champion's.

    Higher is better. When either lacks ``metric``, ``metrics['validation_score']``
    decides; when neither can be compared the promotion is refused too.

    Raises
    ------
    PromotionRefusedError
        Worse than the champion, or not comparable.
    """
    ours, theirs = candidate.get("metrics") or {}, incumbent.get("metrics") or {}
    for key in dict.fromkeys((metric, FALLBACK_METRIC)):
        a, b = _number(ours.get(key)), _number(theirs.get(key))
        if a is not None and b is not None:
            if a < b:
                raise PromotionRefusedError(
                    f"candidate {name!r} has {key} = {a:.6g}, worse than champion "
                    f"{current!r} at {b:.6g} (higher is better); pass force to promote "
                    "anyway"
                )
            return
    raise PromotionRefusedError(
        f"cannot compare {name!r} with champion {current!r}: both need metrics[{metric!r}]"
        f" or metrics[{FALLBACK_METRIC!r}]; pass force to promote anyway"
    )
