"""The test suite checks what it says it checks (the scan is :mod:`tests.hygiene`).

No assertion of a test sits where it may not run, none can never fail, and nothing
waits a fixed time for something it could poll for.
"""

from __future__ import annotations

import os

import pytest

from tests.conftest import COLOUR_FORCING
from tests.hygiene import SLEEP_ALLOWED, scan, scan_source, sleeping_functions


def test_no_test_under_tests_can_pass_without_checking() -> None:
    findings = scan()
    assert not findings, "\n" + "\n".join(map(str, findings))


def test_no_colour_is_forced_on_the_run_or_the_commands_it_starts() -> None:
    assert [name for name in COLOUR_FORCING if name in os.environ] == []


def test_every_allowed_sleep_is_still_there_and_says_why() -> None:
    """An exemption whose sleep was removed goes too: no stale allowances."""
    assert set(SLEEP_ALLOWED) <= sleeping_functions()
    assert all(len(why) > 20 for why in SLEEP_ALLOWED.values())


VACUOUS = {
    "an assert under an if": "def test_a(x):\n    if x:\n        assert x == 1\n",
    "an assert under a while": "def test_a(f):\n    while f():\n        assert f\n",
    "an assert under else": "def test_a(x):\n    if x:\n        pass\n    else:\n"
    "        assert x\n",
    "a helper assertion under an if": "def test_a(x):\n    if x:\n        assert_ok(x)\n",
    "a loop over a parameter": "def test_a(xs):\n    for x in xs:\n        assert x\n",
    "a loop asserted empty": "def test_a(xs):\n    assert len(xs) == 0\n    for x in xs:\n"
    "        assert x\n",
    "zip with one side unproven": "def test_a(a, b):\n    assert a\n"
    "    for x, y in zip(a, b):\n        assert x == y\n",
    "a nested function": "def test_a(xs):\n    def check():\n        for x in xs:\n"
    "            assert x\n",
    "a key of a non-empty mapping": "def test_a(d):\n    assert d\n    for x in d['k']:\n"
    "        assert x\n",
    "parts none proven": "def test_a(a, b):\n    for x in [*a, *b]:\n        assert x\n",
    "an unpacked mapping": "def test_a(d):\n    for k in {**d}:\n        assert k\n",
    "an empty range": "def test_a():\n    for i in range(0):\n        assert i\n",
}

SOUND = {
    "an assert in a helper": "def helper(x):\n    if x:\n        assert x\n",
    "a loop asserted non-empty": "def test_a(xs):\n    assert xs\n    y = 1\n"
    "    for x in xs:\n        assert x\n",
    "len > 0 and enumerate": "def test_a(xs):\n    assert len(xs) > 0\n"
    "    for i, x in enumerate(xs):\n        assert x\n",
    "a chained length": "def test_a(a, b):\n    assert len(a) == len(b) > 0\n"
    "    for x in b:\n        assert x\n",
    "a non-empty frame": "def test_a(df):\n    assert not df.empty\n"
    "    for _, r in df.iterrows():\n        assert r.a\n",
    "a listed comprehension": "def test_a(xs):\n    assert [x.id for x in xs] == [1, 2]\n"
    "    for x in xs:\n        assert x\n",
    "strict zip, one side proven": "def test_a(a, b):\n    assert len(a) == 5\n"
    "    for x, y in zip(a, b, strict=True):\n"
    "        assert x == y\n",
    "a module constant": "R = frozenset({'x', 'y'})\ndef test_a():\n    for r in R:\n"
    "        assert r\n",
    "an imported constant": "from recommender.constants import CAPABILITIES\n"
    "def test_a():\n    for c in CAPABILITIES:\n        assert c\n",
    "an imported module's constant": "import recommender.constants as rc\n"
    "def test_a():\n    for c in rc.CAPABILITIES:\n"
    "        assert c\n",
    "the groups of a non-empty frame": "def test_a(df):\n    assert not df.empty\n"
    "    for _, g in df.groupby('year'):\n"
    "        assert len(g)\n",
    "the columns of a non-empty frame": "def test_a(df):\n    assert not df.empty\n"
    "    for a, b in zip(df['a'], df['b'], strict=True):\n"
    "        assert a == b\n",
    "a member of it": "def test_a(xs, y):\n    assert y in {x.id for x in xs}\n"
    "    for x in xs:\n        assert x\n",
    "a length equal to a proven one": "def test_a(a, b):\n    assert len(b) > 0\n"
    "    assert len(a) == len(b)\n"
    "    for x in a:\n        assert x\n",
    "one of its parts": "def test_a(a, b):\n    assert a\n    for x in [*a, *b]:\n"
    "        assert x\n",
    "a local literal": "def test_a():\n    cases = [1, 2]\n    for c in cases:\n        assert c\n",
    "proven in an enclosing block": "def test_a(xs):\n    assert xs\n"
    "    for lang in ('en', 'ko'):\n        for x in xs:\n"
    "            assert x\n",
    "a range of bound names": "def test_a():\n    n, m = 30, 6\n"
    "    for i in range(0, n, 7):\n        for j in range(m):\n"
    "            assert i >= j\n",
}


@pytest.mark.parametrize("source", VACUOUS.values(), ids=VACUOUS.keys())
def test_the_scan_finds_an_assertion_that_may_not_run(source: str) -> None:
    assert [f.rule for f in scan_source(source)] == ["assert may not run"]


@pytest.mark.parametrize("source", SOUND.values(), ids=SOUND.keys())
def test_the_scan_accepts_an_assertion_that_always_runs(source: str) -> None:
    assert scan_source(source) == []


@pytest.mark.parametrize(
    "source",
    [
        "def test_a():\n    assert True\n",
        "def test_a(x):\n    assert (x, 'message')\n",
        "def test_a():\n    assert 3 == 3\n",
        "def test_a(x):\n    assert x.y == x.y\n",
        "def test_a():\n    assert 'text'\n",
    ],
)
def test_the_scan_finds_an_assertion_that_cannot_fail(source: str) -> None:
    assert [f.rule for f in scan_source(source)] == ["assert cannot fail"]


def test_the_scan_finds_an_assertion_after_the_raise() -> None:
    source = "def test_a(f):\n    with pytest.raises(E):\n        f()\n        assert f\n"
    assert [f.rule for f in scan_source(source)] == ["unreachable assert"]


def test_the_scan_finds_fixed_sleeps_unless_allowed() -> None:
    source = (
        "import time\ndef test_a():\n    time.sleep(1)\n"
        "def test_b():\n    def inner():\n        sleep(1)\n"
    )
    assert [(f.rule, f.line) for f in scan_source(source)] == [
        ("fixed sleep", 3),
        ("fixed sleep", 6),
    ]
    allowed = "def wait_until(p):\n    time.sleep(0.1)\n"
    assert scan_source(allowed, "waiting.py") == []
    assert [f.rule for f in scan_source(allowed, "other.py")] == ["fixed sleep"]
