"""Exact TreeSHAP of a LightGBM model, vectorised over the rows of a whole catalogue.

LightGBM's ``pred_contrib`` walks every tree once per row (O(trees x leaves x depth^2)
per row, in C++, one row at a time); explaining several hundred programmes of a firm
that way costs tens of milliseconds. The same numbers come out of a table look-up:

* In the *tree-path-dependent* game that TreeSHAP solves, a tree's value for a feature
  coalition ``S`` is a sum over its root-to-leaf paths of
  ``leaf_value * prod_j (o_j if j in S else z_j)`` over the path's distinct features
  ``j``, where ``o_j`` (0 or 1) says whether the row satisfies every split on ``j``
  along the path and ``z_j`` is the product of those splits' cover fractions. Shapley
  values are linear in the game, so a row's SHAP values are the sum over paths of the
  Shapley values of these small product games.
* A path's game depends on the row only through the bit pattern ``o`` (at most
  ``2**d`` patterns for ``d`` distinct features), so its Shapley values are computed
  once per model for every pattern (:func:`path_tables`).

Serving then evaluates every split for all rows at once, packs each path's pattern into
an integer, gathers the table entries and sums them per feature: a few NumPy passes,
whatever the number of rows. :class:`PathShap` reproduces ``pred_contrib`` (tests hold
it to 1e-9 of LightGBM and ``shap.TreeExplainer``); models it does not cover (several
outputs per iteration, linear trees, averaged outputs, paths of more than
:data:`MAX_PATH_FEATURES` distinct features, tables over :data:`MAX_TABLE` entries) make
:meth:`PathShap.from_booster` return ``None`` and the caller keeps ``pred_contrib``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from math import factorial
from typing import Any, Final

import numpy as np

MAX_PATH_FEATURES: Final[int] = 12  # 2**12 patterns x 12 values per path at most
MAX_TABLE: Final[int] = 2**24  # table entries (128 MB) beyond which pred_contrib is used
ZERO_THRESHOLD: Final[float] = float(np.float32(1e-35))  # LightGBM's kZeroThreshold (1e-35f)


def shapley_weights(d: int) -> np.ndarray:
    """``s! (d - s - 1)! / d!`` for ``s = 0 .. d - 1``: the weight of a coalition of size
    ``s`` not holding the feature, in a game of ``d`` players."""
    return np.array([factorial(s) * factorial(d - s - 1) / factorial(d) for s in range(d)])


def path_tables(zero_fractions: np.ndarray, leaf_values: np.ndarray) -> np.ndarray:
    """Shapley values of paths' product games, for every satisfaction pattern.

    Parameters
    ----------
    zero_fractions
        Shape ``(m, d)``: ``z_j`` of the ``d`` distinct features of each of ``m`` paths.
    leaf_values
        Shape ``(m,)``: each path's leaf output.

    Returns
    -------
    numpy.ndarray
        Shape ``(m, 2**d, d)``: entry ``[p, code, k]`` is feature ``k``'s value in path
        ``p``'s game when the features satisfied are exactly the bits set in ``code``.
    """
    z = np.asarray(zero_fractions, float)
    m, d = z.shape
    o = ((np.arange(2**d)[:, None] >> np.arange(d)) & 1).astype(float)  # (2**d, d)
    weights = shapley_weights(d)
    out = np.empty((m, 2**d, d))
    for k in range(d):
        # coefficients of x^s in prod_{j != k} (z_j + o_j x): the summed weights of the
        # coalitions of size s drawn from the satisfied features other than k
        poly = np.zeros((m, 2**d, d))
        poly[:, :, 0] = 1.0
        for j in range(d):
            if j != k:
                zj = z[:, j, None, None]
                poly[:, :, 1:] = zj * poly[:, :, 1:] + o[None, :, j, None] * poly[:, :, :-1]
                poly[:, :, 0] *= zj[:, :, 0]
        out[:, :, k] = (
            np.asarray(leaf_values, float)[:, None]
            * (o[None, :, k] - z[:, k, None])
            * (poly @ weights)
        )
    return out


def _tables(paths: list[_Path]) -> list[np.ndarray]:
    """:func:`path_tables` of every path, computed together for paths of equal size."""
    out: list[np.ndarray] = [np.empty(0)] * len(paths)
    sizes = np.array([len(p.features) for p in paths])
    for d in np.unique(sizes):
        which = np.flatnonzero(sizes == d)
        tables = path_tables(
            np.array([paths[i].zero_fractions for i in which]),
            np.array([paths[i].value for i in which]),
        )
        for i, table in zip(which, tables, strict=True):
            out[i] = table
    return out


@dataclass(frozen=True)
class _Split:
    feature: int
    threshold: float
    categories: frozenset[int] | None  # set for a categorical split
    default_left: bool
    missing: str  # "None", "Zero" or "NaN"


@dataclass(frozen=True)
class _Path:
    value: float
    features: tuple[int, ...]  # distinct, in order of first appearance
    zero_fractions: tuple[float, ...]
    literals: tuple[tuple[int, ...], ...]  # per feature: split literals it must satisfy


class _Walker:
    """Collects a dumped model's splits and root-to-leaf paths."""

    def __init__(self) -> None:
        self.splits: list[_Split] = []
        self.paths: list[_Path] = []
        self.base = 0.0
        self.linear = False  # a leaf with a linear model: not a constant-leaf tree

    def tree(self, root: dict[str, Any]) -> None:
        if "leaf_value" in root:  # a single-leaf tree only shifts the base value
            self.linear |= "leaf_coeff" in root
            self.base += float(root["leaf_value"])
            return
        total = float(root["internal_count"])
        for value, count, steps in self._leaves(root, []):
            self.base += value * count / total
            self._add_path(value, steps)

    def _leaves(
        self,
        node: dict[str, Any],
        steps: list[tuple[int, bool, float]],
    ) -> Iterator[tuple[float, float, list[tuple[int, bool, float]]]]:
        if "leaf_value" in node:
            self.linear |= "leaf_coeff" in node
            yield float(node["leaf_value"]), float(node["leaf_count"]), steps
            return
        split = len(self.splits)
        categorical = node["decision_type"] == "=="
        self.splits.append(
            _Split(
                int(node["split_feature"]),
                0.0 if categorical else float(node["threshold"]),
                frozenset(int(c) for c in str(node["threshold"]).split("||"))
                if categorical
                else None,
                bool(node["default_left"]),
                str(node["missing_type"]),
            )
        )
        count = float(node["internal_count"])
        for child, left in ((node["left_child"], True), (node["right_child"], False)):
            child_count = float(child.get("internal_count", child.get("leaf_count", 0)))
            yield from self._leaves(child, [*steps, (split, left, child_count / count)])

    def _add_path(self, value: float, steps: list[tuple[int, bool, float]]) -> None:
        order: list[int] = []
        fraction: dict[int, float] = {}
        literals: dict[int, list[int]] = {}
        for split, left, share in steps:
            feature = self.splits[split].feature
            if feature not in fraction:
                order.append(feature)
                fraction[feature], literals[feature] = 1.0, []
            fraction[feature] *= share
            literals[feature].append(2 * split + (0 if left else 1))
        self.paths.append(
            _Path(
                value,
                tuple(order),
                tuple(fraction[f] for f in order),
                tuple(tuple(literals[f]) for f in order),
            )
        )


class PathShap:
    """Exact TreeSHAP values of a LightGBM booster for many rows at once.

    Build it with :meth:`from_booster`; :meth:`contributions` returns what LightGBM's
    ``predict(X, pred_contrib=True, raw_score=True)`` returns.
    """

    def __init__(self, walker: _Walker, n_features: int) -> None:
        splits, paths = walker.splits, walker.paths
        self.n_features = n_features
        self.base_value = walker.base
        self.split_feature = np.array([s.feature for s in splits], dtype=np.intp)
        self.threshold = np.array([s.threshold for s in splits])
        self.default_left = np.array([s.default_left for s in splits])
        # where a missing value goes: the default way, unless the split does not treat
        # missing values specially ("None"): then it is read as 0
        self.nan_left = np.array(
            [
                s.default_left if s.missing in ("NaN", "Zero") else s.threshold >= 0.0
                for s in splits
            ],
            dtype=bool,
        )
        self.zero_splits = np.flatnonzero([s.missing == "Zero" for s in splits])
        self.categorical = np.flatnonzero([s.categories is not None for s in splits])
        width = max(
            [max(s.categories, default=0) + 1 for s in splits if s.categories is not None],
            default=1,
        )
        self.category_left = np.zeros((len(self.categorical), width), dtype=bool)
        for row, split in enumerate(self.categorical):
            self.category_left[row, sorted(splits[split].categories or ())] = True
        # one slot per (path, distinct feature), ordered by feature so that the
        # per-feature sums are contiguous; a slot holds the split literals (2s: left of
        # split s, 2s + 1: right of it) a row must satisfy on its feature
        sizes = np.array([len(p.features) for p in paths], dtype=np.intp)
        in_path = [
            (f, lits, i, k)
            for i, p in enumerate(paths)
            for k, (f, lits) in enumerate(zip(p.features, p.literals, strict=True))
        ]
        slots = sorted(in_path, key=lambda slot: slot[0])
        self.first_literal = np.array([lits[0] for _f, lits, _i, _k in slots], np.intp)
        self.more_literals = [  # round r: the slots' (r + 1)-th literals, slots unique
            (
                np.array([n for n, s in enumerate(slots) if len(s[1]) > r], np.intp),
                np.array([s[1][r] for s in slots if len(s[1]) > r], np.intp),
            )
            for r in range(1, max((len(s[1]) for s in slots), default=1))
        ]
        n_slots = len(slots)
        slot_path = np.array([i for _f, _l, i, _k in slots], np.intp)
        position = np.array([k for _f, _l, _i, k in slots], np.int32)
        # (d_max, paths): the slot holding a path's k-th feature, or the always-zero slot
        self.path_slots = np.full((int(sizes.max(initial=0)), len(paths)), n_slots, np.intp)
        self.path_slots[position, slot_path] = np.arange(n_slots)
        self.path_size = sizes.astype(np.int32)[:, None]
        self.slot_path = slot_path
        tables = _tables(paths)
        offsets = np.concatenate([[0], np.cumsum([t.size for t in tables])[:-1]])
        self.table = np.concatenate([t.ravel() for t in tables]) if tables else np.zeros(0)
        self.slot_base = (offsets.astype(np.int32)[slot_path] + position)[:, None]
        features, first = np.unique([f for f, _l, _i, _k in slots], return_index=True)
        self.used_features = features.astype(np.intp)
        self.feature_starts = first.astype(np.intp)

    @classmethod
    def from_booster(cls, booster: Any) -> PathShap | None:
        """The table explainer of a ``lightgbm.Booster``; None when the model is one it
        does not cover (then use ``pred_contrib``)."""
        model = booster.dump_model()
        if (
            model.get("num_tree_per_iteration", 1) != 1
            or model.get("average_output")
            or model.get("linear_tree")
        ):
            return None
        walker = _Walker()
        for tree in model["tree_info"]:
            walker.tree(tree["tree_structure"])
        sizes = [len(p.features) for p in walker.paths]
        if (
            walker.linear
            or max(sizes, default=0) > MAX_PATH_FEATURES
            or sum(2**d * d for d in sizes) > MAX_TABLE
        ):
            return None
        return cls(walker, int(model["max_feature_idx"]) + 1)

    def goes_left(self, XT: np.ndarray) -> np.ndarray:
        """``(n_splits, n)`` for rows given as columns (``XT = X.T``): whether each row
        takes each split's left branch, decided as LightGBM decides (missing values,
        zero-as-missing, categorical sets)."""
        values = XT[self.split_feature]
        # LightGBM reads a value within its zero threshold (1e-35) as 0 before any split
        values = np.where(np.abs(values) <= ZERO_THRESHOLD, 0.0, values)
        with np.errstate(invalid="ignore"):
            left = values <= self.threshold[:, None]  # NaN: False, fixed below
        splits, rows = np.nonzero(np.isnan(values))
        left[splits, rows] = self.nan_left[splits]
        if len(self.zero_splits):  # zero-as-missing: an exact zero takes the default way
            zero = np.abs(values[self.zero_splits]) <= ZERO_THRESHOLD
            left[self.zero_splits] = np.where(
                zero, self.default_left[self.zero_splits, None], left[self.zero_splits]
            )
        if len(self.categorical):
            raw = values[self.categorical]
            with np.errstate(invalid="ignore"):
                code = np.where(np.isnan(raw), -1.0, np.trunc(raw))
            inside = (code >= 0) & (code < self.category_left.shape[1])
            index = np.where(inside, code, 0).astype(np.intp)
            rows = np.arange(len(self.categorical))[:, None]
            left[self.categorical] = inside & self.category_left[rows, index]
        return left

    def contributions(self, X: np.ndarray) -> np.ndarray:
        """SHAP values ``(n, n_features + 1)``, the base value last; rows sum to the raw
        score, as LightGBM's ``pred_contrib`` returns them."""
        values, inverse = self.distinct(X)
        return values[inverse]

    def distinct(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """SHAP values of the distinct rows of ``X``, and each row's distinct index.

        A row's values depend on it only through the branches it takes, and the
        programmes of one firm take few distinct sets of branches (on the Bizinfo
        catalogue, a handful for several hundred rows), so each set is computed once:
        ``values[inverse]`` is :meth:`contributions`.
        """
        XT = np.ascontiguousarray(np.asarray(X, float).T)
        n = XT.shape[1]
        if n == 0 or len(self.table) == 0:
            out = np.zeros((min(n, 1), self.n_features + 1))
            out[:, -1] = self.base_value
            return out, np.zeros(n, dtype=np.intp)
        left = self.goes_left(XT)
        first, inverse = _distinct_columns(left)
        return self._unique_contributions(left[:, first]), inverse

    def _unique_contributions(self, left: np.ndarray) -> np.ndarray:
        n = left.shape[1]
        out = np.zeros((self.n_features + 1, n))
        out[-1] = self.base_value
        # rows are columns throughout: every gather below copies whole contiguous rows
        both = np.empty((2 * len(left), n), dtype=bool)
        both[0::2], both[1::2] = left, ~left
        satisfied = np.zeros((len(self.slot_path) + 1, n), dtype=np.int32)
        satisfied[:-1] = both[self.first_literal]
        for slots, literals in self.more_literals:
            satisfied[slots] &= both[literals]
        code = np.zeros((len(self.path_size), n), dtype=np.int32)
        for k, slots in enumerate(self.path_slots):
            code |= satisfied[slots] << k
        code *= self.path_size  # a path's table rows are d entries apart
        index = code[self.slot_path]
        index += self.slot_base
        values = self.table.take(index)
        out[self.used_features] = np.add.reduceat(values, self.feature_starts, axis=0)
        return out.T


def _distinct_columns(left: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The first of each distinct column of a boolean matrix, and each column's distinct
    index (``left[:, first][:, inverse] == left``)."""
    packed = np.ascontiguousarray(np.packbits(left, axis=0).T)
    width = packed.shape[1]
    raw = packed.tobytes()
    seen: dict[bytes, int] = {}
    first: list[int] = []
    inverse: list[int] = []
    for i in range(len(packed)):
        key = raw[i * width : (i + 1) * width]
        found = seen.get(key)
        if found is None:
            found = seen[key] = len(first)
            first.append(i)
        inverse.append(found)
    return np.array(first, dtype=np.intp), np.array(inverse, dtype=np.intp)
