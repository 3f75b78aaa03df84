"""What the source of a test proves about an expression, read with ``ast`` alone.

Used by :mod:`tests.hygiene`: which iterables are non-empty literals (also module
constants and constants imported from this repository's own modules, read from their
source, never imported), which expressions an ``assert`` proves non-empty, and which
assertions cannot fail.
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

UNWRAP_CALLS = frozenset(
    {"enumerate", "sorted", "reversed", "list", "tuple", "set", "frozenset", "iter", "dict"}
)
UNWRAP_METHODS = frozenset({"items", "keys", "values", "iterrows", "itertuples"})
GROUPING_METHODS = frozenset({"groupby"})  # a non-empty frame has at least one group
Env = dict[str, ast.expr]
FRAME = "frame:"  # marks a proof that a pandas object (not any mapping) is non-empty


class ModuleRef:
    """What an ``import`` binds a name to: a module, looked up by its dotted name."""

    def __init__(self, name: str) -> None:
        self.name = name


def _module(name: str) -> ast.expr:
    return ast.Constant(value=ModuleRef(name))


def bindings(body: list[ast.stmt], env: Env, *, module: bool) -> Env:
    """``env`` plus the names ``body`` binds to an expression (``a, b = 1, 2`` too), and
    at module level the names it imports from this repository's own modules."""
    out = dict(env)
    for node in body:
        if isinstance(node, ast.ImportFrom) and module and node.module and node.level == 0:
            imported = _module_env(node.module)
            out.update(
                {
                    (a.asname or a.name): imported.get(a.name, _module(f"{node.module}.{a.name}"))
                    for a in node.names
                }
            )
        if isinstance(node, ast.Import) and module:
            out.update({a.asname: _module(a.name) for a in node.names if a.asname})
            out.update(
                {
                    a.name.split(".")[0]: _module(a.name.split(".")[0])
                    for a in node.names
                    if not a.asname
                }
            )
        pairs: list[tuple[ast.expr, ast.expr]] = []
        if isinstance(node, ast.Assign):
            pairs = [(t, node.value) for t in node.targets]
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            pairs = [(node.target, node.value)]
        for target, value in pairs:
            if (
                isinstance(target, ast.Tuple)
                and isinstance(value, ast.Tuple)
                and len(target.elts) == len(value.elts)
            ):
                pairs += list(zip(target.elts, value.elts, strict=True))
            elif isinstance(target, ast.Name):
                out[target.id] = value
    return out


_MODULES: dict[str, Env] = {}


def _module_env(name: str) -> Env:
    """Module-level bindings of a module of this repository, read from its source."""
    if name not in _MODULES:
        _MODULES[name] = {}
        base = REPO.joinpath(*name.split("."))
        for file in (base.with_suffix(".py"), base / "__init__.py"):
            if file.is_file():
                tree = ast.parse(file.read_text(encoding="utf-8"))
                _MODULES[name] = bindings(tree.body, {}, module=True)
                break
    return _MODULES[name]


def _int(node: ast.expr, env: Env, depth: int = 0) -> int | None:
    """The value of an integer expression of constants and bound names, else ``None``."""
    if depth > 10:
        return None
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, ast.Name) and node.id in env:
        return _int(env[node.id], env, depth + 1)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        value = _int(node.operand, env, depth + 1)
        return None if value is None else -value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub | ast.Mult):
        left, right = _int(node.left, env, depth + 1), _int(node.right, env, depth + 1)
        if left is None or right is None:
            return None
        ops = {ast.Add: int.__add__, ast.Sub: int.__sub__, ast.Mult: int.__mul__}
        return ops[type(node.op)](left, right)
    return None


def nonempty_literal(node: ast.expr, env: Env, depth: int = 0) -> bool:
    """Whether ``node`` is, by its source alone, a non-empty iterable."""
    if depth > 10:
        return False
    deeper = depth + 1
    if isinstance(node, ast.Name):
        return node.id in env and nonempty_literal(env[node.id], env, deeper)
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return any(
            not isinstance(e, ast.Starred) or nonempty_literal(e.value, env, deeper)
            for e in node.elts
        )
    if isinstance(node, ast.Dict):
        return any(key is not None for key in node.keys)  # None: a ``**`` unpacking
    if isinstance(node, ast.Attribute):  # a constant of an imported module: mod.NAME
        owner = _module_name(node.value, env)
        found = _module_env(owner).get(node.attr) if owner else None
        return found is not None and nonempty_literal(found, _module_env(owner), deeper)
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str | bytes) and bool(node.value)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        if node.func.id == "range" and 1 <= len(node.args) <= 3:
            bounds = [_int(a, env) for a in node.args]
            return None not in bounds and len(range(*bounds)) > 0  # type: ignore[arg-type]
        if node.func.id in UNWRAP_CALLS | {"zip"} and node.args:
            return all(nonempty_literal(a, env, deeper) for a in node.args)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr in UNWRAP_METHODS and nonempty_literal(node.func.value, env, deeper)
    return False


def loop_needs(node: ast.expr) -> list[set[str]]:
    """What must be proven non-empty for a loop over ``node`` to run: one set per
    requirement, any one source of a set is proof enough."""
    here = ast.unparse(node)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args:
        if node.func.id == "zip":
            strict = any(
                k.arg == "strict" and isinstance(k.value, ast.Constant) and k.value.value is True
                for k in node.keywords
            )
            needs = [set().union(*loop_needs(a)) | {here} for a in node.args]
            return [set().union(*needs)] if strict else needs
        if node.func.id in UNWRAP_CALLS:
            return [set().union(*loop_needs(node.args[0])) | {here}]
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and (
            (node.func.attr in UNWRAP_METHODS and not node.args)
            or node.func.attr in GROUPING_METHODS
        )
    ):
        return [set().union(*loop_needs(node.func.value)) | {here}]
    if isinstance(node, ast.List | ast.Tuple | ast.Set) and node.elts:  # [*a, *b]: a or b
        return [
            set().union(
                *(
                    set().union(*loop_needs(e.value))
                    for e in node.elts
                    if isinstance(e, ast.Starred)
                )
            )
            | {here}
        ]
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant | ast.List):
        return [{here, FRAME + ast.unparse(node.value)}]  # a column of a non-empty frame
    return [{here}]


def _module_name(node: ast.expr, env: Env) -> str | None:
    """The dotted name of the module ``node`` refers to (``a``, ``a.b``), if it does."""
    if isinstance(node, ast.Name):
        bound = env.get(node.id)
        if isinstance(bound, ast.Constant) and isinstance(bound.value, ModuleRef):
            return bound.value.name
        return None
    if isinstance(node, ast.Attribute):
        owner = _module_name(node.value, env)
        return f"{owner}.{node.attr}" if owner else None
    return None


def _len_arg(node: ast.expr) -> str | None:
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "len"
        and len(node.args) == 1
    ):
        return ast.unparse(node.args[0])
    return None


def _comprehended(node: ast.expr) -> set[str]:
    """Sources that are non-empty when ``node`` (a comprehension, or a call on one) is."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in UNWRAP_CALLS
        and len(node.args) == 1
    ):
        return {ast.unparse(node.args[0])} | _comprehended(node.args[0])
    if isinstance(node, ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp):
        return set().union(*loop_needs(node.generators[0].iter))
    return set()


def proven_nonempty(
    test: ast.expr, env: Env, known: set[str] | frozenset[str] = frozenset()
) -> set[str]:
    """Source of every expression that ``assert test`` proves non-empty, given what is
    ``known`` to be non-empty already (``len(a) == len(b)`` with ``b`` known proves ``a``)."""
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        return set().union(*(proven_nonempty(v, env, known) for v in test.values))
    out = {ast.unparse(test)} | _comprehended(test)
    if (
        isinstance(test, ast.UnaryOp)
        and isinstance(test.op, ast.Not)
        and isinstance(test.operand, ast.Attribute)
        and test.operand.attr == "empty"
    ):
        frame = ast.unparse(test.operand.value)  # ``.empty``: a pandas object, so its
        out |= {frame, FRAME + frame}  # columns are as long as it is
    if not isinstance(test, ast.Compare):
        return out
    sides = [test.left, *test.comparators]
    equal: list[set[str]] = []
    for left, op, right in zip(sides, test.ops, sides[1:], strict=False):
        if isinstance(op, ast.Eq) and (nonempty_literal(right, env) or nonempty_literal(left, env)):
            other = left if nonempty_literal(right, env) else right
            out |= {ast.unparse(other)} | _comprehended(other)
        if isinstance(op, ast.In):  # something is in it: it is not empty
            out |= {ast.unparse(right)} | _comprehended(right)
        lens = (_len_arg(left), _len_arg(right))
        low = {ast.Gt: 0, ast.GtE: 1, ast.Eq: 1}
        high = {ast.Lt: 0, ast.LtE: 1, ast.Eq: 1}
        bound_right, bound_left = _int(right, env), _int(left, env)
        if lens[0] and bound_right is not None and type(op) in low and bound_right >= low[type(op)]:
            out.add(lens[0])
        if lens[1] and bound_left is not None and type(op) in high and bound_left >= high[type(op)]:
            out.add(lens[1])
        if lens[0] and lens[1] and isinstance(op, ast.Eq):
            equal.append({lens[0], lens[1]})
    for pair in equal * 2:  # len(a) == len(b) > 0: both are non-empty
        if pair & (out | known):
            out |= pair
    return out


def cannot_fail(test: ast.expr) -> bool:
    """Whether ``assert test`` holds whatever the code under test does."""
    if isinstance(test, ast.Constant):
        return bool(test.value)
    if isinstance(test, ast.Tuple | ast.List | ast.Dict | ast.Set | ast.JoinedStr):
        return isinstance(test, ast.Tuple | ast.JoinedStr) or nonempty_literal(test, {})
    if isinstance(test, ast.Compare):
        sides = [test.left, *test.comparators]
        if all(isinstance(s, ast.Constant) for s in sides):
            return True
        return (
            len(sides) == 2
            and isinstance(test.ops[0], ast.Eq | ast.Is | ast.GtE | ast.LtE)
            and ast.unparse(sides[0]) == ast.unparse(sides[1])
        )
    return False
