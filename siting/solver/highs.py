"""Solve a Pyomo model with HiGHS and report exactly how the solve ended.

Two hand-offs are offered:

- ``standard_form`` (default): Pyomo's linear standard-form compiler turns the model into
  sparse arrays once, and highspy receives the whole matrix in one call. On a 5,000-site
  model this takes 0.3 s against 1.3–1.5 s for the persistent interfaces' row-by-row set-up
  (see ``benchmarks/core_scale.py``).
- ``appsi``: Pyomo's persistent HiGHS interface, kept as a cross-check.

Both keep the HiGHS object, so a model can be re-solved with the previous solution as a
MIP start. A re-solve after changing only mutable Params pushes just the costs and row
bounds that moved to the same Highs object (``handoff == "update"`` in the report); anything
else compiles and passes the model again. Edits beyond parameters (forced columns, added
rows, a replaced objective: :mod:`siting.solver.highs_edits`) are written into the same
Highs object too, and written again after a full hand-off.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import highspy
import numpy as np
import pyomo.environ as pyo
import scipy.sparse as sp
from pyomo.common.timing import HierarchicalTimer
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from siting.check_derived import reported_gap
from siting.config import SolverConfig
from siting.errors import SolveError, SolveInterrupted
from siting.outcome import INTERRUPTED, Outcome, SolveReport
from siting.solver.highs_edits import ColumnEdits, HighsEdits, Layout
from siting.solver.interrupt import Solve, Stopped
from siting.solver.options import quiet_highs

logger = logging.getLogger(__name__)

_LIMITS = {
    "kTimeLimit": "time limit",
    "kIterationLimit": "iteration limit",
    "kSolutionLimit": "node or solution limit",
    "kObjectiveBound": "objective bound",
    "kObjectiveTarget": "objective target",
    "kInterrupt": "interrupted",
    "kHighsInterrupt": "interrupted",
    "kMemoryLimit": "memory limit",
}


def _options(settings: SolverConfig, stream: bool) -> dict[str, Any]:
    return {
        "time_limit": float(settings.time_limit_s),
        "mip_rel_gap": float(settings.mip_gap),
        "threads": int(settings.threads),
        "random_seed": int(settings.seed),
        "output_flag": bool(stream),
        "log_to_console": bool(stream),
        **settings.highs_options,
    }


class HighsSolver:
    """HiGHS for one Pyomo model at a time; ``solve`` again to re-solve after changes.

    Between re-solves of the same model only the values of mutable Params may change (and
    the solver settings, through :meth:`configure`); pass ``recompile=True`` after any other
    change, such as activating a constraint.
    """

    def __init__(self, settings: SolverConfig, stream: bool = False) -> None:
        self.settings = settings
        self.stream = stream
        self._backend: _StandardForm | _Appsi = (
            _Appsi(settings, stream)
            if settings.interface == "appsi"
            else _StandardForm(settings, stream)
        )

    def configure(self, settings: SolverConfig) -> None:
        """New time limit, gap, seed or threads for the next solve (same interface)."""
        if settings.interface != self.settings.interface:
            raise ValueError("the HiGHS interface cannot change between re-solves")
        self.settings = settings
        self._backend.configure(settings, self.stream)

    def solve(
        self,
        model: pyo.ConcreteModel,
        warmstart: bool = False,
        recompile: bool = False,
        load: bool = True,
        mip_start: bool = False,
        edits: ColumnEdits | None = None,
    ) -> SolveReport:
        """Solve (or re-solve) ``model``; with ``load``, put the solution into its variables
        (otherwise read it with :meth:`values`). Ctrl-C stops HiGHS (see
        :mod:`siting.solver.interrupt`) and raises SolveInterrupted with the report; the plan
        HiGHS had, if any, is then read with :meth:`values` as usual.

        ``warmstart`` passes the previous solution of the same model as a MIP start; HiGHS
        uses it only if it is feasible for the changed model. ``mip_start`` starts from the
        values currently set on the model's variables instead. ``edits`` are written into
        the HiGHS model for this solve and the next ones until other edits are given; with
        a goal, the report is that of a replaced objective (see ``SolveReport``).
        """
        edits = edits if edits is not None else ColumnEdits()
        if not edits.empty and not isinstance(self._backend, _StandardForm):
            raise SolveError(
                "edits of a built model (alternatives, site regrets) need "
                "solver.interface: standard_form"
            )
        started = time.perf_counter()
        try:
            if isinstance(self._backend, _StandardForm):
                highs, solve_s, handoff_s = self._backend.run(
                    model, warmstart, recompile, mip_start, edits
                )
            else:
                highs, solve_s, handoff_s = self._backend.run(
                    model, warmstart, recompile, mip_start
                )
        except (RuntimeError, ValueError) as exc:
            raise SolveError(f"HiGHS failed: {exc}") from None
        wall_s = time.perf_counter() - started
        stopped = self._backend.stopped
        if stopped is not None and not stopped.halted:
            report = _incumbent_report(stopped, model, self.settings, handoff_s, wall_s)
        else:
            report = _report(highs, model, self.settings, solve_s, handoff_s, wall_s)
        report = replace(
            report, handoff=self._backend.last_handoff, mip_start=self._backend.last_started
        )
        if edits.goal is not None and isinstance(self._backend, _StandardForm):
            report = replace(
                report,
                sense="max" if self._backend.maximise else "min",
                objective=self._backend.case_objective() if report.has_solution else None,
                bound=None,
                goal={
                    k: v
                    for k, v in (("objective", report.objective), ("bound", report.bound))
                    if v is not None
                },
            )
        if stopped is not None:
            raise SolveInterrupted(report)
        if report.has_solution and load:
            self._backend.load(model)
        return report

    def values(self, var: pyo.Var, keys: Sequence[Any]) -> np.ndarray:
        """The last solution's values of ``var[k]`` for each of ``keys`` (fixed variables at
        their fixed value), without loading the solution into the model."""
        return self._backend.values(var, keys)


@dataclass(frozen=True)
class _Arrays:
    """A compiled model as numpy arrays, in the compiler's column and row order."""

    columns: list[Any]
    cost: np.ndarray
    offset: float
    maximise: bool
    col_lower: np.ndarray
    col_upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    a_start: np.ndarray
    a_index: np.ndarray
    a_value: np.ndarray
    integer: np.ndarray
    scale: np.ndarray

    def same_structure(self, other: _Arrays) -> bool:
        """Equal columns, matrix, column bounds and row shape: only costs and finite row
        bounds may differ."""
        return (
            len(self.columns) == len(other.columns)
            and all(a is b for a, b in zip(self.columns, other.columns, strict=True))
            and self.maximise == other.maximise
            and np.array_equal(self.a_start, other.a_start)
            and np.array_equal(self.a_index, other.a_index)
            and np.array_equal(self.a_value, other.a_value)
            and np.array_equal(self.col_lower, other.col_lower)
            and np.array_equal(self.col_upper, other.col_upper)
            and np.array_equal(self.integer, other.integer)
            and np.array_equal(self.scale, other.scale)
            and np.array_equal(np.isinf(self.row_lower), np.isinf(other.row_lower))
            and np.array_equal(np.isinf(self.row_upper), np.isinf(other.row_upper))
        )


def compile_arrays(model: pyo.ConcreteModel) -> _Arrays:
    """Compile with Pyomo's linear standard-form compiler (mutable Params at their values).

    A ``scaling_factor`` suffix on the model (Pyomo's convention) scales columns: HiGHS
    sees x' = factor·x; ``scale`` (1 for unscaled columns) maps solutions back.
    """
    sf = LinearStandardFormCompiler().write(model, mixed_form=True, set_sense=None)
    n_cols = sf.A.shape[1]
    columns = list(sf.columns)
    cost = np.asarray(sf.c.toarray(), float).ravel() if sf.c.shape[0] else np.zeros(n_cols)
    objective = sf.objectives[0] if sf.objectives else None
    senses = np.array([sense for _con, sense in sf.rows], dtype=int)
    rhs = np.asarray(sf.rhs, dtype=float)
    lower = np.array([v.lb if v.lb is not None else -highspy.kHighsInf for v in columns], float)
    upper = np.array([v.ub if v.ub is not None else highspy.kHighsInf for v in columns], float)
    integer = np.array([v.is_integer() for v in columns], dtype=bool)  # binaries included
    a = sf.A.tocsc()
    scale = _column_scale(model, columns, integer)
    if (scale != 1.0).any():
        a = (a @ sp.diags(1.0 / scale)).tocsc()
        cost, lower, upper = cost / scale, lower * scale, upper * scale
    return _Arrays(
        columns=columns,
        cost=cost,
        offset=float(sf.c_offset[0]) if len(sf.c_offset) else 0.0,
        maximise=objective is not None and objective.sense == pyo.maximize,
        col_lower=lower,
        col_upper=upper,
        row_lower=np.where(senses <= 0, rhs, -highspy.kHighsInf),
        row_upper=np.where(senses >= 0, rhs, highspy.kHighsInf),
        a_start=a.indptr.astype(np.int32),
        a_index=a.indices.astype(np.int32),
        a_value=a.data.astype(float),
        integer=integer,
        scale=scale,
    )


def _column_scale(model: pyo.ConcreteModel, columns: list[Any], integer: np.ndarray) -> np.ndarray:
    suffix = model.component("scaling_factor")
    if not isinstance(suffix, pyo.Suffix) or len(suffix) == 0:
        return np.ones(len(columns))
    factor = np.array([suffix.get(v, 1.0) for v in columns], dtype=float)
    if (integer & (factor != 1.0)).any() or not (np.isfinite(factor) & (factor > 0)).all():
        raise ValueError("scaling_factor must be finite, positive and 1 for integer variables")
    return factor


def _lp(arr: _Arrays) -> highspy.HighsLp:
    lp = highspy.HighsLp()
    n_cols, n_rows = len(arr.columns), len(arr.row_lower)
    lp.num_col_ = n_cols
    lp.num_row_ = n_rows
    lp.col_cost_ = arr.cost
    lp.offset_ = arr.offset
    if arr.maximise:
        lp.sense_ = highspy.ObjSense.kMaximize
    lp.col_lower_, lp.col_upper_ = arr.col_lower, arr.col_upper
    lp.row_lower_, lp.row_upper_ = arr.row_lower, arr.row_upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = arr.a_start
    lp.a_matrix_.index_ = arr.a_index
    lp.a_matrix_.value_ = arr.a_value
    lp.a_matrix_.num_col_ = n_cols
    lp.a_matrix_.num_row_ = n_rows
    if arr.integer.any():
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous
            for i in arr.integer
        ]
    return lp


@dataclass(frozen=True)
class _Slope:
    """Change of the compiled costs and row bounds per unit change of one parameter."""

    cost: np.ndarray
    offset: float
    row_lower: np.ndarray
    row_upper: np.ndarray


def _finite_slope(new: np.ndarray, old: np.ndarray, step: float) -> np.ndarray:
    finite = np.isfinite(old)
    out = np.zeros_like(old)
    out[finite] = (new[finite] - old[finite]) / step
    return out


class _ParamUpdates:
    """How a compiled model moves with its mutable Params, learnt one parameter at a time.

    The first time a parameter changes, the model is compiled once more with only that
    parameter moved; the difference to the base compile is its slope. The siting model's
    parameters enter linearly and never multiply each other, so any later point is the base
    plus the sum of slope × change, and only the entries that move are pushed to HiGHS. A
    parameter that changes the matrix, a column bound or the row structure is marked
    structural, and changing it falls back to a full hand-off. The independent checker
    recomputes every constraint and the objective from the parameters, so a model that broke
    this contract would fail loudly, not silently.
    """

    def __init__(self, model: pyo.ConcreteModel, base: _Arrays) -> None:
        self.base = base
        self.params = [
            p
            for p in model.component_data_objects(pyo.Param, descend_into=True)
            if p.parent_component().mutable
        ]
        self.base_values = self._values()
        self.pushed_values = self.base_values.copy()
        self.slopes: dict[int, _Slope | None] = {}
        self.cost = base.cost.copy()
        self.offset = base.offset
        self.row_lower = base.row_lower.copy()
        self.row_upper = base.row_upper.copy()

    def _values(self) -> np.ndarray:
        return np.array([np.nan if p.value is None else float(p.value) for p in self.params], float)

    def key(self) -> bytes:
        """The parameter values now (edits that read the objective depend on them)."""
        return self._values().tobytes()

    def _learn(self, model: pyo.ConcreteModel, i: int, value: float) -> _Slope | None:
        step = value - self.base_values[i]
        current = self._values()
        try:
            for p, v in zip(self.params, self.base_values, strict=True):
                p.set_value(float(v))
            self.params[i].set_value(value)
            moved = compile_arrays(model)
        finally:
            for p, v in zip(self.params, current, strict=True):
                p.set_value(float(v))
        if not self.base.same_structure(moved):
            return None
        return _Slope(
            cost=(moved.cost - self.base.cost) / step,
            offset=(moved.offset - self.base.offset) / step,
            row_lower=_finite_slope(moved.row_lower, self.base.row_lower, step),
            row_upper=_finite_slope(moved.row_upper, self.base.row_upper, step),
        )

    def push(self, model: pyo.ConcreteModel, highs: highspy.Highs) -> bool:
        """Push the current parameter values to ``highs``; False if a full hand-off is needed."""
        values = self._values()
        if np.isnan(values).any():
            return False
        changed = np.flatnonzero(values != self.pushed_values)
        if changed.size == 0:
            return True
        for i in changed.tolist():
            if i not in self.slopes and values[i] != self.base_values[i]:
                self.slopes[i] = self._learn(model, i, float(values[i]))
        delta = values - self.base_values
        moved = np.flatnonzero(delta)
        if any(self.slopes.get(int(i)) is None for i in moved):
            return False
        cost = self.base.cost.copy()
        offset = self.base.offset
        row_lower = self.base.row_lower.copy()
        row_upper = self.base.row_upper.copy()
        for i in moved.tolist():
            slope = self.slopes[i]
            assert slope is not None
            cost += delta[i] * slope.cost
            offset += delta[i] * slope.offset
            row_lower += delta[i] * slope.row_lower
            row_upper += delta[i] * slope.row_upper
        cols = np.flatnonzero(cost != self.cost)
        if cols.size:
            highs.changeColsCost(cols.size, cols.astype(np.int32), cost[cols])
        rows = np.flatnonzero((row_lower != self.row_lower) | (row_upper != self.row_upper))
        if rows.size:
            highs.changeRowsBounds(  # type: ignore[attr-defined]  # in highspy, not in its stub
                rows.size, rows.astype(np.int32), row_lower[rows], row_upper[rows]
            )
        if offset != self.offset:
            highs.changeObjectiveOffset(offset)
        self.cost, self.offset, self.row_lower, self.row_upper = cost, offset, row_lower, row_upper
        self.pushed_values = values
        return True


class _StandardForm:
    """Compile with Pyomo's standard-form compiler, pass the arrays to highspy in one call.

    A re-solve of the same model pushes only the costs and row bounds that its mutable
    Params moved (see :class:`_ParamUpdates`) to the same Highs object, instead of compiling
    and passing the whole model again.
    """

    def __init__(self, settings: SolverConfig, stream: bool) -> None:
        self.highs = quiet_highs()
        self._solve = Solve(self.highs)
        #: how the last solve was stopped by Ctrl-C (None: it was not)
        self.stopped: Stopped | None = None
        self.options = _options(settings, stream)
        self.columns: list[Any] = []
        self.scale = np.ones(0)
        self.last_handoff = "full"
        self.last_started = False
        self._model: pyo.ConcreteModel | None = None
        self._updates: _ParamUpdates | None = None
        self._start: np.ndarray | None = None
        self._start_columns: list[Any] = []
        self._branched = True
        self._positions: dict[int, int] = {}
        self._index_cache: dict[tuple[int, tuple[Any, ...]], tuple[np.ndarray, ...]] = {}
        self._edits = HighsEdits()

    @property
    def maximise(self) -> bool:
        return self._updates is not None and self._updates.base.maximise

    def case_objective(self) -> float:
        """The case objective (as the parameters now make it) at the last solution."""
        assert self._updates is not None
        x = np.asarray(self.highs.getSolution().col_value, dtype=float)
        return float(self._updates.cost @ x + self._updates.offset)

    def _layout(self) -> Layout:
        assert self._updates is not None
        if not self._positions:
            self._positions = {id(v): i for i, v in enumerate(self.columns)}
        positions, base = self._positions, self._updates.base
        return Layout(
            column_of=lambda var: positions.get(id(var), -1),
            scale=self.scale,
            col_lower=base.col_lower,
            col_upper=base.col_upper,
            n_rows=len(base.row_lower),
            maximise=base.maximise,
        )

    def configure(self, settings: SolverConfig, stream: bool) -> None:
        options = _options(settings, stream)
        if options.keys() != self.options.keys():
            # an option the last run set and this one does not must go back to its default
            self.highs.resetOptions()
        self.options = options

    def run(
        self,
        model: pyo.ConcreteModel,
        warmstart: bool,
        recompile: bool = False,
        mip_start: bool = False,
        edits: ColumnEdits | None = None,
    ) -> tuple[highspy.Highs, float, float]:
        """Hand ``model`` to HiGHS (or push its changed parameters), write ``edits`` and
        solve; the highs values live in HiGHS's column space, x' = scale·x."""
        self._solve.join()  # a solve left running after Ctrl-C must end before the next
        start = time.perf_counter()
        h = self.highs
        same = model is self._model
        edits = edits if edits is not None else ColumnEdits()
        start_values: Any = None
        updated = False
        if same and not recompile and self._updates is not None:
            if not self._edits.applied.empty and self._edits.needs_update(
                edits, self._updates.key()
            ):
                # the parameter push expects the model as compiled: take ours out first
                self._edits.undo(h, self._layout(), self._updates.cost, self._updates.offset)
            updated = self._updates.push(model, h)
        if updated:
            self.last_handoff = "update"
            logger.debug("changed parameters pushed to the HiGHS model in place")
            if warmstart and self._start is not None:
                start_values = self._start
        else:
            arrays = compile_arrays(model)
            h.setOptionValue("output_flag", False)
            h.clearModel()
            h.passModel(_lp(arrays))
            self.columns, self.scale = arrays.columns, arrays.scale
            self._positions = {}
            self._index_cache = {}
            self._updates = _ParamUpdates(model, arrays)
            self._edits.forget()
            self.last_handoff = "full"
            logger.debug(
                "model compiled and handed to HiGHS: %d columns, %d rows, %d nonzeros (%.2f s)",
                len(arrays.columns),
                h.getNumRow(),
                h.getNumNz(),
                time.perf_counter() - start,
            )
            if warmstart and same and self._start is not None:
                start_values = self._reordered_start()
        assert self._updates is not None
        params = self._updates.key()
        if self._edits.needs_update(edits, params):
            layout = self._layout()
            if not self._edits.applied.empty:
                self._edits.undo(h, layout, self._updates.cost, self._updates.offset)
            if not edits.empty:
                u = self._updates
                self._edits.apply(h, layout, edits, u.cost, u.offset, params)
        for key, value in self.options.items():
            h.setOptionValue(key, value)
        if mip_start:
            start_values = self._scaled_values()
        # a MIP start saves branching, but HiGHS then runs its RINS sub-MIPs around it from
        # the root: after a solve that closed at the root that cost more than it saved (2.6x
        # the HiGHS time of a Russia price sweep), so it is skipped then unless RINS is off
        # a replaced objective (a goal within a cost limit) is a new problem for which the
        # last plan is feasible but HiGHS's own heuristics often find none in time: start there
        rins = self.options.get("mip_heuristic_run_rins", True)
        self.last_started = start_values is not None and (
            self._branched or mip_start or not rins or edits.goal is not None
        )
        if self.last_started:
            sol = highspy.HighsSolution()
            sol.col_value = start_values
            sol.value_valid = True
            h.setSolution(sol)
        handoff = time.perf_counter() - start
        start = time.perf_counter()
        self.stopped = self._solve.run()
        self._model = model
        if self.stopped is not None and not self.stopped.halted:
            # HiGHS is still stopping: its last announced plan is the one to read
            self._branched = True
            values = self.stopped.incumbent.values
            self._start = None if values is None else values
            self._start_columns = self.columns
            return h, self.stopped.seconds, handoff
        info = h.getInfo()
        self._branched = info.mip_node_count > 1
        if info.primal_solution_status == 2:
            self._start = np.asarray(h.getSolution().col_value, dtype=float)
            self._start_columns = self.columns
        return h, time.perf_counter() - start, handoff

    def _reordered_start(self) -> np.ndarray:
        """The last solution in the order of the current columns (a recompile may reorder
        them); a column the last solution did not have starts at its current value."""
        assert self._start is not None
        old = self._start_columns
        if len(old) == len(self.columns) and all(
            a is b for a, b in zip(old, self.columns, strict=True)
        ):
            return self._start
        where = {id(v): i for i, v in enumerate(old)}
        pos = np.array([where.get(id(v), -1) for v in self.columns], dtype=np.int64)
        return np.where(pos >= 0, self._start[np.maximum(pos, 0)], self._scaled_values())

    def _scaled_values(self) -> np.ndarray:
        """The values set on the model's variables, in HiGHS's (scaled) column space."""
        values = [float(v.value) if v.value is not None else 0.0 for v in self.columns]
        return np.array(values) * self.scale

    def values(self, var: pyo.Var, keys: Sequence[Any]) -> np.ndarray:
        key = (id(var), tuple(keys))
        cached = self._index_cache.get(key)
        if cached is None:
            if not self._positions:
                self._positions = {id(v): i for i, v in enumerate(self.columns)}
            data = [var[k] for k in keys]
            cols = np.array([self._positions.get(id(v), -1) for v in data], dtype=np.int64)
            scale = np.where(cols >= 0, self.scale[np.maximum(cols, 0)], 1.0)
            fixed = np.array(
                [float(v.value) if v.value is not None else 0.0 for v in data], dtype=float
            )
            cached = self._index_cache[key] = (cols, fixed, scale)
        cols, fixed, scale = cached
        if self._start is None:
            return np.zeros(len(cols))
        return np.where(cols >= 0, self._start[np.maximum(cols, 0)] / scale, fixed)

    def load(self, model: pyo.ConcreteModel) -> None:
        self._solve.join()
        values = np.asarray(self.highs.getSolution().col_value) / self.scale
        for var, value in zip(self.columns, values.tolist(), strict=True):
            var.set_value(value, skip_validation=True)


class _Appsi:
    """Pyomo's persistent HiGHS interface (appsi)."""

    def __init__(self, settings: SolverConfig, stream: bool) -> None:
        from pyomo.contrib.appsi.solvers import Highs

        self._opt = Highs()
        if not self._opt.available():
            raise SolveError("HiGHS (highspy) is not installed; run: pip install highspy")
        self._opt.config.load_solution = False
        self._opt.config.stream_solver = stream
        self._opt.config.time_limit = settings.time_limit_s
        self._opt.config.mip_gap = settings.mip_gap
        self._opt.highs_options = {
            k: v
            for k, v in _options(settings, stream).items()
            if k not in ("output_flag", "log_to_console")
        }
        self._model: pyo.ConcreteModel | None = None
        self.last_handoff = "full"
        self.last_started = False
        #: Ctrl-C is seen only when Pyomo's interface returns (no early stop here)
        self.stopped: Stopped | None = None

    def configure(self, settings: SolverConfig, stream: bool) -> None:
        self._opt.config.time_limit = settings.time_limit_s
        self._opt.config.mip_gap = settings.mip_gap
        self._opt.highs_options = {
            k: v
            for k, v in _options(settings, stream).items()
            if k not in ("output_flag", "log_to_console")
        }

    def run(
        self,
        model: pyo.ConcreteModel,
        warmstart: bool,
        recompile: bool = False,
        mip_start: bool = False,
    ) -> tuple[highspy.Highs, float, float]:
        self.last_handoff = "update" if model is self._model else "full"
        self._opt.config.warmstart = mip_start or (warmstart and model is self._model)
        self.last_started = bool(self._opt.config.warmstart)
        timer = HierarchicalTimer()
        self._opt.solve(model, timer=timer)
        self._model = model
        handoff = _timer_total(timer, "set_instance") + _timer_total(timer, "update")
        return self._opt._solver_model, _timer_total(timer, "optimize"), handoff

    def load(self, model: pyo.ConcreteModel) -> None:
        self._opt.load_vars()

    def values(self, var: pyo.Var, keys: Sequence[Any]) -> np.ndarray:
        self._opt.load_vars()
        return np.array([float(var[k].value or 0.0) for k in keys])


def _timer_total(timer: HierarchicalTimer, name: str) -> float:
    try:
        return float(timer.get_total_time(name))
    except (KeyError, AttributeError):
        return 0.0


def _incumbent_report(
    stopped: Stopped,
    model: pyo.ConcreteModel,
    settings: SolverConfig,
    handoff_s: float,
    wall_s: float,
) -> SolveReport:
    """The report of a solve that Ctrl-C ended while HiGHS kept running: its last plan, and
    the bound known when it found it."""
    inc = stopped.incumbent
    objective_obj = next(model.component_data_objects(pyo.Objective, active=True))
    has_plan = inc.values is not None and inc.objective is not None
    objective = inc.objective if has_plan else None
    gap = (
        reported_gap(objective, inc.bound)
        if objective is not None and inc.bound is not None
        else None
    )
    return SolveReport(
        outcome=Outcome.LIMIT if has_plan else Outcome.NO_SOLUTION,
        status=INTERRUPTED,
        message="interrupted",
        sense="min" if objective_obj.sense == pyo.minimize else "max",
        objective=objective,
        bound=inc.bound,
        gap=gap,
        solve_s=stopped.seconds,
        handoff_s=handoff_s,
        wall_s=wall_s,
        nodes=inc.nodes,
        mip_gap_setting=settings.mip_gap,
        time_limit_s=settings.time_limit_s,
    )


def _report(
    highs: highspy.Highs,
    model: pyo.ConcreteModel,
    settings: SolverConfig,
    solve_s: float,
    handoff_s: float,
    wall_s: float,
) -> SolveReport:
    name = highs.getModelStatus().name
    info = highs.getInfo()
    has_solution = info.primal_solution_status == 2
    objective_obj = next(model.component_data_objects(pyo.Objective, active=True))
    sense = "min" if objective_obj.sense == pyo.minimize else "max"
    is_mip = info.mip_node_count >= 0
    objective = float(info.objective_function_value) if has_solution else None
    if is_mip:
        bound = float(info.mip_dual_bound) if math.isfinite(info.mip_dual_bound) else None
        gap = float(info.mip_gap) if has_solution and math.isfinite(info.mip_gap) else None
        nodes = int(info.mip_node_count)
    else:
        bound = objective if name == "kOptimal" else None
        gap = 0.0 if name == "kOptimal" else None
        nodes = 0
    if name == "kOptimal":
        outcome, message = Outcome.OPTIMAL, "optimal"
        gap = 0.0 if gap is None else gap
    elif name in _LIMITS:
        outcome = Outcome.LIMIT if has_solution else Outcome.NO_SOLUTION
        message = _LIMITS[name]
    elif name == "kInfeasible":
        outcome, message = Outcome.INFEASIBLE, "the model has no feasible solution"
    elif name == "kUnbounded":
        outcome, message = Outcome.UNBOUNDED, "the objective is unbounded"
    elif name == "kUnboundedOrInfeasible":
        outcome, message = Outcome.INFEASIBLE_OR_UNBOUNDED, "infeasible or unbounded"
    elif name == "kModelEmpty":
        outcome, message = Outcome.ERROR, "the model is empty: no candidate sites or network"
    else:
        outcome, message = Outcome.ERROR, f"HiGHS ended with status {name}"
    return SolveReport(
        outcome=outcome,
        status=name,
        message=message,
        sense=sense,
        objective=objective,
        bound=bound,
        gap=gap,
        solve_s=solve_s,
        handoff_s=handoff_s,
        wall_s=wall_s,
        nodes=nodes,
        mip_gap_setting=settings.mip_gap,
        time_limit_s=settings.time_limit_s,
    )
