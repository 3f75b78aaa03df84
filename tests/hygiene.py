"""A static scan of the test suite for checks that may never run (``ast``, no imports).

A test fails for a reason only if its assertions run. :func:`scan` reports:

* ``assert may not run``: an ``assert`` (or a call of an ``assert_*``/``_assert_*``
  helper) inside an ``if``, ``while`` or ``match`` body of a test function, or inside a
  ``for`` body whose iterable may be empty. A loop is fine when it runs over a non-empty
  literal (a module constant bound to one, also one imported from this repository;
  ``range`` of constants) or when an earlier statement of the same block asserts the
  iterable non-empty (``assert xs``, ``assert len(xs) > 0``, ``assert not df.empty``,
  ``assert [x.id for x in xs] == [1, 2]``), or an earlier statement of a block around it
  (:mod:`tests.hygiene_proofs` holds these rules);
* ``unreachable assert``: an ``assert`` after the first statement of a
  ``with pytest.raises(...)`` block;
* ``assert cannot fail``: a truthy constant, a tuple (``assert (x, "msg")``), constants
  compared with constants, an expression compared with itself;
* ``fixed sleep``: a ``sleep`` call outside :func:`tests.waiting.wait_until`, unless
  :data:`SLEEP_ALLOWED` names its function and why the sleep is what is under test.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, replace
from pathlib import Path

from tests.hygiene_proofs import (
    Env,
    bindings,
    cannot_fail,
    loop_needs,
    nonempty_literal,
    proven_nonempty,
)

TESTS = Path(__file__).resolve().parent

SLEEP_ALLOWED: dict[tuple[str, str], str] = {
    (
        "waiting.py",
        "wait_until",
    ): "the polling helper: sleeps between checks, never past its deadline",
    (
        "reliability/test_faults.py",
        "lock_the_database",
    ): "holds the database lock longer than the busy timeout: the fault under test",
    (
        "reliability/test_faults.py",
        "send",
    ): "staggers requests so half arrive after the lock's busy timeout, half before it",
}
"""(file relative to ``tests/``, innermost function) -> why a fixed sleep is right there."""


@dataclass(frozen=True)
class Finding:
    """One place where the suite can pass without checking."""

    path: str
    line: int
    rule: str
    detail: str

    def __str__(self) -> str:
        return f"tests/{self.path}:{self.line}: {self.rule}: {self.detail}"


def _is_sleep(node: ast.AST) -> bool:
    func = node.func if isinstance(node, ast.Call) else None
    return (isinstance(func, ast.Attribute) and func.attr == "sleep") or (
        isinstance(func, ast.Name) and func.id == "sleep"
    )


def _is_assertion(stmt: ast.stmt) -> bool:
    if isinstance(stmt, ast.Assert):
        return True
    call = stmt.value if isinstance(stmt, ast.Expr) else None
    func = call.func if isinstance(call, ast.Call) else None
    name = (
        func.id
        if isinstance(func, ast.Name)
        else func.attr
        if isinstance(func, ast.Attribute)
        else ""
    )
    return name.startswith(("assert_", "_assert_"))


def _is_raises(item: ast.withitem) -> bool:
    call = item.context_expr
    return (
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and call.func.attr == "raises"
    )


@dataclass(frozen=True)
class _Context:
    """Where a statement sits: bound names, what is proven non-empty, in a test or not,
    and the enclosing condition or loop that may not run (``None`` when none)."""

    env: Env
    proven: frozenset[str] = frozenset()
    in_test: bool = False
    guard: str | None = None


class _Scan:
    """Walks one module, keeping the enclosing blocks and what they bind and prove."""

    def __init__(self, path: str, tree: ast.Module) -> None:
        self.path = path
        self.findings: list[Finding] = []
        self._block(tree.body, _Context(bindings(tree.body, {}, module=True)))
        self._sleeps(tree, function="<module>")

    def _add(self, node: ast.AST, rule: str, detail: str) -> None:
        self.findings.append(Finding(self.path, getattr(node, "lineno", 0), rule, detail))

    def _block(self, body: list[ast.stmt], ctx: _Context) -> None:
        proven = set(ctx.proven)
        for i, stmt in enumerate(body):
            env = bindings(body[:i], ctx.env, module=False)
            self._stmt(stmt, replace(ctx, env=env, proven=frozenset(proven)))
            if isinstance(stmt, ast.Assert):
                proven |= proven_nonempty(stmt.test, env, proven)

    def _stmt(self, stmt: ast.stmt, ctx: _Context) -> None:
        def under(guard: str) -> _Context:
            return replace(ctx, guard=ctx.guard or guard)

        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            test = ctx.in_test or stmt.name.startswith("test")
            self._block(stmt.body, replace(ctx, in_test=test, guard=None))
        elif isinstance(stmt, ast.ClassDef):
            self._block(stmt.body, replace(ctx, guard=None))
        elif isinstance(stmt, ast.If | ast.While):
            inner = under(f"inside the {type(stmt).__name__.lower()} at line {stmt.lineno}")
            self._block(stmt.body, inner)
            self._block(stmt.orelse, inner)
        elif isinstance(stmt, ast.For | ast.AsyncFor):
            loop = self._loop_guard(stmt, ctx)
            self._block(stmt.body, replace(ctx, guard=ctx.guard or loop))
            self._block(stmt.orelse, under(f"in the for-else at line {stmt.lineno}"))
        elif isinstance(stmt, ast.With | ast.AsyncWith):
            self._block(stmt.body, ctx)
            if any(_is_raises(item) for item in stmt.items):
                for late in stmt.body[1:]:
                    if isinstance(late, ast.Assert):
                        self._add(
                            late,
                            "unreachable assert",
                            "after the statement expected to raise in pytest.raises",
                        )
        elif isinstance(stmt, ast.Try):
            for part in (stmt.body, *(h.body for h in stmt.handlers), stmt.orelse, stmt.finalbody):
                self._block(part, ctx)
        elif isinstance(stmt, ast.Match):
            for case in stmt.cases:
                self._block(case.body, under(f"inside the match at line {stmt.lineno}"))
        elif _is_assertion(stmt):
            if isinstance(stmt, ast.Assert) and cannot_fail(stmt.test):
                self._add(stmt, "assert cannot fail", ast.unparse(stmt.test)[:80])
            if ctx.in_test and ctx.guard is not None:
                self._add(stmt, "assert may not run", ctx.guard)

    @staticmethod
    def _loop_guard(loop: ast.For | ast.AsyncFor, ctx: _Context) -> str | None:
        """``None`` when the loop is known to run, else why it may not."""
        if nonempty_literal(loop.iter, ctx.env):
            return None
        if all(need & ctx.proven for need in loop_needs(loop.iter)):
            return None
        return (
            f"in the for over {ast.unparse(loop.iter)[:60]} (line {loop.lineno}), "
            "not asserted non-empty before it"
        )

    def _sleeps(self, node: ast.AST, *, function: str) -> None:
        allowed = {f for p, f in SLEEP_ALLOWED if p == self.path}
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                self._sleeps(child, function=child.name)
                continue
            if _is_sleep(child) and function not in allowed:
                self._add(
                    child, "fixed sleep", f"in {function}(): poll with tests.waiting.wait_until"
                )
            self._sleeps(child, function=function)


def scan_source(source: str, path: str = "example.py") -> list[Finding]:
    """The findings in one module's source (``path`` as seen from ``tests/``), by line."""
    return sorted(_Scan(path, ast.parse(source, path)).findings, key=lambda f: f.line)


def scan(root: Path = TESTS) -> list[Finding]:
    """Every finding in the Python files under ``root``, in file and line order."""
    findings: list[Finding] = []
    for file in sorted(root.rglob("*.py")):
        rel = file.relative_to(root).as_posix()
        findings += scan_source(file.read_text(encoding="utf-8"), rel)
    return findings


def sleeping_functions(root: Path = TESTS) -> set[tuple[str, str]]:
    """(file, function) of every function under ``root`` that calls ``sleep`` itself."""
    out: set[tuple[str, str]] = set()
    for file in sorted(root.rglob("*.py")):
        for fn in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef) and any(
                _is_sleep(n) for n in ast.walk(fn)
            ):
                out.add((file.relative_to(root).as_posix(), fn.name))
    return out
