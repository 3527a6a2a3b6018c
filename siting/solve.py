"""Solve a Pyomo model with HiGHS and report exactly how the solve ended.

This is the only module that knows HiGHS. Two hand-offs are offered:

- ``standard_form`` (default): Pyomo's linear standard-form compiler turns the model into
  sparse arrays once, and highspy receives the whole matrix in one call. On a 5,000-site
  model this takes 0.3 s against 1.3–1.5 s for the persistent interfaces' row-by-row set-up
  (see ``benchmarks/core_scale.py``).
- ``appsi``: Pyomo's persistent HiGHS interface, kept as a cross-check.

Both keep the HiGHS object, so a model can be re-solved with the previous solution as a
MIP start.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

import highspy
import numpy as np
import pyomo.environ as pyo
from pyomo.common.tee import capture_output
from pyomo.common.timing import HierarchicalTimer
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from siting.config import SolverConfig
from siting.errors import SolveError


class Outcome(StrEnum):
    OPTIMAL = "optimal"
    LIMIT = "limit"
    NO_SOLUTION = "no_solution"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    INFEASIBLE_OR_UNBOUNDED = "infeasible_or_unbounded"
    ERROR = "error"


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


@dataclass(frozen=True)
class SolveReport:
    """How a solve ended. ``objective`` and ``bound`` are in the model's own sense."""

    outcome: Outcome
    status: str
    message: str
    sense: str
    objective: float | None
    bound: float | None
    gap: float | None
    solve_s: float
    handoff_s: float
    wall_s: float
    nodes: int
    mip_gap_setting: float
    time_limit_s: float

    @property
    def has_solution(self) -> bool:
        return self.outcome in (Outcome.OPTIMAL, Outcome.LIMIT)

    @property
    def is_optimal(self) -> bool:
        return self.outcome is Outcome.OPTIMAL

    def to_dict(self) -> dict[str, object]:
        d = asdict(self)
        d["outcome"] = str(self.outcome)
        return d

    def describe(self) -> str:
        gap = f"{self.gap:.3%}" if self.gap is not None else "n/a"
        if self.outcome is Outcome.OPTIMAL:
            return f"optimal within the {self.mip_gap_setting:.2%} gap setting (gap {gap})"
        if self.outcome is Outcome.LIMIT:
            return f"NOT OPTIMAL: stopped at the {self.message} with a feasible plan, gap {gap}"
        return f"{self.outcome.value}: {self.message}"


def _options(settings: SolverConfig, stream: bool) -> dict[str, Any]:
    return {
        "time_limit": float(settings.time_limit_s),
        "mip_rel_gap": float(settings.mip_gap),
        "threads": int(settings.threads),
        "random_seed": int(settings.seed),
        "output_flag": bool(stream),
        "log_to_console": bool(stream),
    }


class HighsSolver:
    """HiGHS for one Pyomo model at a time; ``solve`` again to re-solve after changes."""

    def __init__(self, settings: SolverConfig, stream: bool = False) -> None:
        self.settings = settings
        self.stream = stream
        self._backend: _StandardForm | _Appsi = (
            _Appsi(settings, stream)
            if settings.interface == "appsi"
            else _StandardForm(settings, stream)
        )

    def solve(self, model: pyo.ConcreteModel, warmstart: bool = False) -> SolveReport:
        """Solve (or re-solve) ``model`` and load the solution into it if one exists."""
        started = time.perf_counter()
        try:
            highs, solve_s, handoff_s = self._backend.run(model, warmstart)
        except (RuntimeError, ValueError) as exc:
            raise SolveError(f"HiGHS failed: {exc}") from None
        report = _report(
            highs, model, self.settings, solve_s, handoff_s, time.perf_counter() - started
        )
        if report.has_solution:
            self._backend.load(model)
        return report


class _StandardForm:
    """Compile with Pyomo's standard-form compiler, pass the arrays to highspy in one call."""

    def __init__(self, settings: SolverConfig, stream: bool) -> None:
        self.highs = _quiet_highs()
        self.options = _options(settings, stream)
        self.columns: list[Any] = []
        self._model: pyo.ConcreteModel | None = None

    def run(self, model: pyo.ConcreteModel, warmstart: bool) -> tuple[highspy.Highs, float, float]:
        start = time.perf_counter()
        start_values = self._current_values() if warmstart and model is self._model else None
        lp, self.columns = compile_model(model)
        h = self.highs
        h.setOptionValue("output_flag", False)
        h.clearModel()
        for key, value in self.options.items():
            h.setOptionValue(key, value)
        h.passModel(lp)
        if start_values is not None:
            sol = highspy.HighsSolution()
            sol.col_value = start_values
            sol.value_valid = True
            h.setSolution(sol)
        handoff = time.perf_counter() - start
        start = time.perf_counter()
        h.run()
        self._model = model
        return h, time.perf_counter() - start, handoff

    def _current_values(self) -> list[float]:
        return [float(v.value) if v.value is not None else 0.0 for v in self.columns]

    def load(self, model: pyo.ConcreteModel) -> None:
        values = self.highs.getSolution().col_value
        for var, value in zip(self.columns, values, strict=True):
            var.set_value(value, skip_validation=True)


def _quiet_highs() -> highspy.Highs:
    """A Highs object without the banner its constructor prints to stdout."""
    with capture_output(capture_fd=True):
        return highspy.Highs()


def compile_model(model: pyo.ConcreteModel) -> tuple[highspy.HighsLp, list[Any]]:
    """The model as a HiGHS LP/MIP: columns in the compiler's order, rows split from ranges."""
    sf = LinearStandardFormCompiler().write(model, mixed_form=True, set_sense=None)
    n_rows, n_cols = sf.A.shape
    lp = highspy.HighsLp()
    lp.num_col_ = n_cols
    lp.num_row_ = n_rows
    cost = np.asarray(sf.c.toarray()).ravel() if sf.c.shape[0] else np.zeros(n_cols)
    lp.col_cost_ = cost
    lp.offset_ = float(sf.c_offset[0]) if len(sf.c_offset) else 0.0
    objective = sf.objectives[0] if sf.objectives else None
    if objective is not None and objective.sense == pyo.maximize:
        lp.sense_ = highspy.ObjSense.kMaximize
    lower = np.array([v.lb if v.lb is not None else -highspy.kHighsInf for v in sf.columns], float)
    upper = np.array([v.ub if v.ub is not None else highspy.kHighsInf for v in sf.columns], float)
    lp.col_lower_, lp.col_upper_ = lower, upper
    senses = np.array([sense for _con, sense in sf.rows], dtype=int)
    rhs = np.asarray(sf.rhs, dtype=float)
    lp.row_lower_ = np.where(senses <= 0, rhs, -highspy.kHighsInf)
    lp.row_upper_ = np.where(senses >= 0, rhs, highspy.kHighsInf)
    a = sf.A.tocsc()
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a.indptr.astype(np.int32)
    lp.a_matrix_.index_ = a.indices.astype(np.int32)
    lp.a_matrix_.value_ = a.data.astype(float)
    lp.a_matrix_.num_col_ = n_cols
    lp.a_matrix_.num_row_ = n_rows
    integer = [v.is_integer() or v.is_binary() for v in sf.columns]
    if any(integer):
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous
            for i in integer
        ]
    return lp, list(sf.columns)


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

    def run(self, model: pyo.ConcreteModel, warmstart: bool) -> tuple[highspy.Highs, float, float]:
        self._opt.config.warmstart = warmstart and model is self._model
        timer = HierarchicalTimer()
        self._opt.solve(model, timer=timer)
        self._model = model
        handoff = _timer_total(timer, "set_instance") + _timer_total(timer, "update")
        return self._opt._solver_model, _timer_total(timer, "optimize"), handoff

    def load(self, model: pyo.ConcreteModel) -> None:
        self._opt.load_vars()


def _timer_total(timer: HierarchicalTimer, name: str) -> float:
    try:
        return float(timer.get_total_time(name))
    except (KeyError, AttributeError):
        return 0.0


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
