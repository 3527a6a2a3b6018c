"""A starting plan for the MIP from its LP relaxation: the MIP restricted to the sites the
LP opens and the closest runners-up.

HiGHS proves a gap of 0.1 % on the Russia model v2 case after its first round of root cuts,
but finds a plan that good only after many more rounds (RENS at the end of the root). A
start within the gap lets it stop after that first round. The start comes from

1. the LP relaxation of the whole model (integrality dropped);
2. the MIP with every site closed except those the LP opens (open > 0) and the
   ``extra`` closed ones whose ``open`` has the smallest reduced cost;

and is set on the model's variables, as the Lagrangian plan is, for the first solve to
start from. The full model is then solved as always: the start changes the search path,
never the optimum or the proof. If the restricted MIP finds no plan there is no start.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import highspy
import numpy as np
import pyomo.environ as pyo

from siting.config import SolverConfig
from siting.inputs import ModelInputs
from siting.solver.highs import _lp, compile_arrays
from siting.solver.interrupt import run_or_stop
from siting.solver.options import quiet_highs


@dataclass(frozen=True)
class RestrictedStart:
    """What the starting plan step did, for the solve report: the LP bound, the sites the
    restricted MIP kept, its plan's objective (None: no plan), and the seconds spent
    compiling the model, in the LP and in the restricted MIP (HiGHS)."""

    lp_bound: float
    sites_kept: int
    objective: float | None
    compile_s: float = 0.0
    lp_s: float = 0.0
    mip_s: float = 0.0

    @property
    def seconds(self) -> float:
        return self.compile_s + self.lp_s + self.mip_s

    def to_dict(self) -> dict[str, float]:
        return {
            "start_lp_bound": self.lp_bound,
            "start_sites_kept": self.sites_kept,
            "start_objective": float("nan") if self.objective is None else self.objective,
            "start_compile_s": self.compile_s,
            "start_lp_s": self.lp_s,
            "start_mip_s": self.mip_s,
        }


def use_restricted_start(inputs: ModelInputs, settings: SolverConfig) -> bool:
    """Whether to compute a start: as the settings say, by default for models with a
    technology menu (whose plans HiGHS finds late)."""
    if settings.restricted_start is not None:
        return settings.restricted_start
    return inputs.params.energy_system and inputs.has_menu


def _highs(settings: SolverConfig) -> highspy.Highs:
    h = quiet_highs()
    h.setOptionValue("threads", int(settings.threads))
    h.setOptionValue("random_seed", int(settings.seed))
    return h


def restricted_start(
    model: pyo.ConcreteModel, settings: SolverConfig, extra: int = 10
) -> RestrictedStart:
    """Solve the LP relaxation and the restricted MIP; set the plan on ``model``'s variables."""
    started = time.perf_counter()
    arrays = compile_arrays(model)
    compiled = time.perf_counter()
    position = {id(v): i for i, v in enumerate(arrays.columns)}
    site_cols = np.array([position[id(v)] for v in model.open.values() if id(v) in position])
    lp = _highs(settings)
    relaxed = _lp(arrays)
    relaxed.integrality_ = []
    lp.passModel(relaxed)
    run_or_stop(lp)
    relaxed_at = time.perf_counter()
    times = {"compile_s": compiled - started, "lp_s": relaxed_at - compiled}
    if lp.getModelStatus() != highspy.HighsModelStatus.kOptimal or len(site_cols) == 0:
        return RestrictedStart(float("nan"), 0, None, **times)
    solution = lp.getSolution()
    x, reduced = np.asarray(solution.col_value), np.asarray(solution.col_dual)
    sign = -1.0 if arrays.maximise else 1.0
    opened = x[site_cols] > 1e-6
    rank = np.where(opened, -np.inf, sign * reduced[site_cols])
    keep = np.argsort(rank, kind="stable")[: int(opened.sum()) + extra]
    upper = arrays.col_upper.copy()
    closed = np.setdiff1d(site_cols, site_cols[keep])
    upper[closed] = 0.0
    mip = _highs(settings)
    mip.passModel(_lp(arrays))
    mip.changeColsBounds(len(upper), np.arange(len(upper), dtype=np.int32), arrays.col_lower, upper)
    mip.setOptionValue("mip_rel_gap", float(settings.mip_gap) / 5)
    mip.setOptionValue("time_limit", float(settings.time_limit_s) / 4)
    run_or_stop(mip)
    times["mip_s"] = time.perf_counter() - relaxed_at
    lp_bound = float(lp.getInfo().objective_function_value)
    if mip.getInfo().primal_solution_status != 2:
        return RestrictedStart(lp_bound, len(keep), None, **times)
    values = np.asarray(mip.getSolution().col_value) / arrays.scale
    for var, value in zip(arrays.columns, values.tolist(), strict=True):
        var.set_value(value, skip_validation=True)
    objective = float(mip.getInfo().objective_function_value)
    return RestrictedStart(lp_bound, len(keep), objective, **times)
