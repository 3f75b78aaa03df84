"""Polling with a deadline (:func:`tests.waiting.wait_until`), the suite's only way to wait."""

from __future__ import annotations

import time

import pytest

from tests.waiting import WaitTimeout, wait_until


def test_it_returns_the_first_truthy_value_as_soon_as_it_comes() -> None:
    answers = iter([None, 0, [], "ready", "later"])
    started = time.monotonic()
    assert wait_until(lambda: next(answers), timeout=10, interval=0.001) == "ready"
    assert time.monotonic() - started < 5


def test_it_gives_up_at_the_deadline_naming_what_and_the_last_value() -> None:
    calls: list[float] = []

    def never() -> list[int]:
        calls.append(time.monotonic())
        return []

    started = time.monotonic()
    with pytest.raises(WaitTimeout, match=r"the switch did not happen within 0.2 s \(last: \[\]\)"):
        wait_until(never, timeout=0.2, interval=0.05, what="the switch")
    assert len(calls) >= 2
    assert calls[-1] - started >= 0.2  # the last look is at the deadline, not before it


def test_a_failing_predicate_fails_at_once() -> None:
    def broken() -> bool:
        raise RuntimeError("the server died")

    started = time.monotonic()
    with pytest.raises(RuntimeError, match="died"):
        wait_until(broken, timeout=30)
    assert time.monotonic() - started < 5


def test_a_timeout_is_an_assertion_failure() -> None:
    assert issubclass(WaitTimeout, AssertionError)
