"""Edits of a model that HiGHS already holds, made on the Highs object itself.

The handle states the edits of :mod:`siting.edits` over Pyomo variables
(:class:`ColumnEdits`); :class:`HighsEdits` writes them into the compiled model, in HiGHS's
(scaled) column space x' = scale·x, without compiling the Pyomo model again:

- a forced variable:      column bounds [v·scale, v·scale]                  (changeColsBounds)
- a row lo ≤ Σ a·x ≤ hi:  Σ (a/scale)·x' within [lo − k, hi − k]           (addRows)
- the objective limit:    c·x' + c₀ ≤ L (minimised case objective), ≥ L when maximised,
                          c and c₀ being the compiled objective as the parameters now make it
- a goal g = Σ a·x + k:   minimise Σ (a/scale)·x' + k                      (changeColsCost)

where k collects the terms of variables the model fixed before the hand-off (they are not
columns; their values are constants). Before other edits are written the previous ones are
undone: added rows deleted, column bounds, costs, offset and sense put back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np

Terms = tuple[tuple[Any, float], ...]


@dataclass(frozen=True, eq=False)
class ColumnEdits:
    """Edits over Pyomo variable data objects (see the module docstring). Equal only to
    itself: Pyomo variables do not compare as values."""

    fixed: Terms = ()
    rows: tuple[tuple[Terms, float, float], ...] = ()
    objective_limit: float | None = None
    goal: Terms | None = None

    @property
    def empty(self) -> bool:
        return not (self.fixed or self.rows or self.objective_limit is not None or self.goal)


@dataclass(frozen=True)
class Layout:
    """What the edits need to know of the compiled model."""

    column_of: Callable[[Any], int]  # −1 for a variable that is not a column
    scale: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    n_rows: int
    maximise: bool


class HighsEdits:
    """The edits written into one Highs object, and how to undo them."""

    def __init__(self) -> None:
        self.applied = ColumnEdits()
        self._cost_key: bytes | None = None
        self._fixed_cols = np.zeros(0, dtype=np.int32)
        self._rows = 0
        self._goal = False

    def forget(self) -> None:
        """The Highs object got a fresh model: nothing of ours is in it."""
        self.applied = ColumnEdits()
        self._cost_key = None
        self._fixed_cols = np.zeros(0, dtype=np.int32)
        self._rows = 0
        self._goal = False

    def needs_update(self, edits: ColumnEdits, cost_key: bytes) -> bool:
        """Whether ``edits`` differ from what is written, or the objective they use moved."""
        if edits.empty and self.applied.empty:
            return False
        if edits is not self.applied:
            return True
        uses_cost = edits.objective_limit is not None or edits.goal is not None
        return uses_cost and cost_key != self._cost_key

    def undo(self, h: highspy.Highs, layout: Layout, cost: np.ndarray, offset: float) -> None:
        """Put back the model as compiled (``cost``/``offset``: the current case objective)."""
        if self._rows:
            idx = np.arange(layout.n_rows, layout.n_rows + self._rows, dtype=np.int32)
            h.deleteRows(len(idx), idx)
        cols = self._fixed_cols
        if cols.size:
            h.changeColsBounds(cols.size, cols, layout.col_lower[cols], layout.col_upper[cols])
        if self._goal:
            h.changeColsCost(len(cost), np.arange(len(cost), dtype=np.int32), cost)
            h.changeObjectiveOffset(offset)
            h.changeObjectiveSense(
                highspy.ObjSense.kMaximize if layout.maximise else highspy.ObjSense.kMinimize
            )
        self.forget()

    def apply(
        self,
        h: highspy.Highs,
        layout: Layout,
        edits: ColumnEdits,
        cost: np.ndarray,
        offset: float,
        cost_key: bytes,
    ) -> None:
        """Write ``edits`` into a Highs object that holds none (call :meth:`undo` first)."""
        scale = layout.scale
        fixed_cols, fixed_values = [], []
        for var, value in edits.fixed:
            col = layout.column_of(var)
            if col < 0:
                if abs(float(var.value or 0.0) - value) > 1e-9:
                    raise ValueError(
                        f"{var.name} is fixed to {var.value} in the model and cannot be "
                        f"forced to {value}"
                    )
                continue
            fixed_cols.append(col)
            fixed_values.append(value * scale[col])
        cols = np.array(fixed_cols, dtype=np.int32)
        if cols.size:
            values = np.array(fixed_values, dtype=float)
            h.changeColsBounds(cols.size, cols, values, values)
        self._fixed_cols = cols

        rows = [self._row(layout, terms, lo, hi) for terms, lo, hi in edits.rows]
        if edits.objective_limit is not None:
            nz = np.flatnonzero(cost).astype(np.int32)
            bound = edits.objective_limit - offset
            lo, hi = (bound, highspy.kHighsInf) if layout.maximise else (-highspy.kHighsInf, bound)
            rows.append((nz, cost[nz], lo, hi))
        if rows:
            starts = np.cumsum([0] + [len(r[0]) for r in rows[:-1]]).astype(np.int32)
            index = np.concatenate([r[0] for r in rows]).astype(np.int32)
            coefs = np.concatenate([r[1] for r in rows]).astype(float)
            lower = np.array([r[2] for r in rows], dtype=float)
            upper = np.array([r[3] for r in rows], dtype=float)
            h.addRows(len(rows), lower, upper, len(index), starts, index, coefs)
        self._rows = len(rows)

        if edits.goal is not None:
            coef, constant = self._linear(layout, edits.goal, len(cost))
            h.changeColsCost(len(cost), np.arange(len(cost), dtype=np.int32), coef)
            h.changeObjectiveOffset(constant)
            h.changeObjectiveSense(highspy.ObjSense.kMinimize)
        self._goal = edits.goal is not None
        self.applied = edits
        self._cost_key = cost_key

    @staticmethod
    def _linear(
        layout: Layout, terms: Sequence[tuple[Any, float]], n: int
    ) -> tuple[np.ndarray, float]:
        """Column coefficients (scaled) and the constant of fixed variables."""
        coef = np.zeros(n)
        constant = 0.0
        for var, a in terms:
            col = layout.column_of(var)
            if col < 0:
                constant += a * float(var.value or 0.0)
            else:
                coef[col] += a / layout.scale[col]
        return coef, constant

    def _row(
        self, layout: Layout, terms: Terms, lo: float, hi: float
    ) -> tuple[np.ndarray, np.ndarray, float, float]:
        coef, constant = self._linear(layout, terms, len(layout.scale))
        nz = np.flatnonzero(coef).astype(np.int32)
        return nz, coef[nz], lo - constant, hi - constant
