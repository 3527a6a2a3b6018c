"""Solve a Pyomo model with HiGHS and report exactly how the solve ended.

This is the only module that knows HiGHS. It uses Pyomo's persistent HiGHS interface
(``appsi``), so a model can be re-solved after its mutable parameters change, optionally
starting from the previous solution.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass
from enum import StrEnum

import pyomo.environ as pyo
from pyomo.common.timing import HierarchicalTimer
from pyomo.contrib.appsi.solvers import Highs

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


class HighsSolver:
    """A persistent HiGHS solver for one Pyomo model at a time."""

    def __init__(self, settings: SolverConfig, stream: bool = False) -> None:
        self.settings = settings
        self._opt = Highs()
        self._opt.config.load_solution = False
        self._opt.config.stream_solver = stream
        self._opt.config.time_limit = settings.time_limit_s
        self._opt.config.mip_gap = settings.mip_gap
        self._opt.highs_options = {
            "threads": settings.threads,
            "random_seed": settings.seed,
            "mip_rel_gap": settings.mip_gap,
        }
        self._model: pyo.ConcreteModel | None = None
        if not self._opt.available():
            raise SolveError("HiGHS (highspy) is not installed; run: pip install highspy")

    def solve(self, model: pyo.ConcreteModel, warmstart: bool = False) -> SolveReport:
        """Solve (or re-solve after parameter changes) and load the solution if one exists."""
        self._opt.config.warmstart = warmstart and model is self._model
        timer = HierarchicalTimer()
        started = time.perf_counter()
        try:
            self._opt.solve(model, timer=timer)
        except RuntimeError as exc:
            raise SolveError(f"HiGHS failed: {exc}") from None
        total = time.perf_counter() - started
        self._model = model
        highs = self._opt._solver_model  # the highspy object; its info is not exposed otherwise
        solve_s = _timer_total(timer, "optimize")
        report = _report(highs, model, self.settings, solve_s, max(0.0, total - solve_s))
        if report.has_solution:
            self._opt.load_vars()
        return report


def _timer_total(timer: HierarchicalTimer, name: str) -> float:
    try:
        return float(timer.get_total_time(name))
    except (KeyError, AttributeError):
        return 0.0


def _report(
    highs: object,
    model: pyo.ConcreteModel,
    settings: SolverConfig,
    solve_s: float,
    handoff_s: float,
) -> SolveReport:
    status = highs.getModelStatus()  # type: ignore[attr-defined]
    name = status.name
    info = highs.getInfo()  # type: ignore[attr-defined]
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
        nodes=nodes,
        mip_gap_setting=settings.mip_gap,
        time_limit_s=settings.time_limit_s,
    )
