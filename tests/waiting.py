"""Waiting for something to happen: poll it with a deadline, never sleep a fixed time."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class WaitTimeout(AssertionError):
    """What was waited for did not happen before the deadline."""


def wait_until(
    predicate: Callable[[], T],
    *,
    timeout: float,
    interval: float = 0.05,
    what: str = "the condition",
) -> T:
    """Call ``predicate`` until it returns something truthy, and return that.

    It is called at once, then every ``interval`` seconds, and once more at the
    deadline. An exception from ``predicate`` propagates (a server that died is a
    failure now, not at the deadline).

    Raises
    ------
    WaitTimeout
        When ``predicate`` is still falsy ``timeout`` seconds after the first call; the
        message names ``what`` and the last value seen.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        left = deadline - time.monotonic()
        if left <= 0:
            raise WaitTimeout(f"{what} did not happen within {timeout:g} s (last: {value!r})")
        time.sleep(min(interval, left))
