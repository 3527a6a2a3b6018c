"""One plan across scenarios: the extensive form of the two-stage model, and a fixed plan's
operation in one scenario.

**First stage** (decided once): ``open[s]``, ``modules[s]`` and, with an energy system,
``gen_mw[s]`` and ``grid_link[s]``. **Second stage** (per scenario k): every other variable
(gas flows, field supply, on-site fuel, grid import, serving).

The extensive form holds one copy of the siting model per scenario, each built from that
scenario's inputs (``build_model``), as a block of one Pyomo model, with its own objective
switched off. Non-anticipativity ties every copy's first-stage variables to the first
scenario's:

    x_k[s] = x_1[s]        for x ∈ {open, modules, gen_mw, grid_link}, k = 2 … K

and the objective is one of

    expected:  min Σ_k p_k · cost_k
    regret:    min r   s.t.   r ≥ cost_k − z_k   for every k

where ``cost_k`` is scenario k's annualised cost (``objective.cost_expr`` of its block:
the first-stage terms are the same in every block, so the expected cost counts them once)
and ``z_k`` its own optimum (a plan made for scenario k alone). Symmetry breaking among
identical sites stays on only when every scenario finds the same groups of them. At a min-max-regret optimum
only the worst scenario's operation need be optimal, so the plan's cost in each scenario is
read from :func:`operate_plan`, not from the blocks.

:func:`operate_plan` fixes the first-stage variables of one scenario's model to a plan and
solves the operation alone (a linear program): the plan's cost in that scenario, or
infeasible when its sites, generators and links cannot meet the scenario. It is built
without symmetry breaking, whose order among identical sites a given plan need not keep.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyomo.environ as pyo
from pyomo.common.errors import InfeasibleConstraintException

from siting.config import SolverConfig
from siting.errors import InfeasibleError, SolveError
from siting.inputs import ModelInputs
from siting.outcome import Outcome, SolveReport
from siting.solution import Solution
from siting.solver.extract import extract_solution
from siting.solver.highs import HighsSolver
from siting.solver.model import build_model
from siting.solver.model.symmetry import identical_site_groups
from siting.solver.routing import route_flows

#: the first-stage decisions, as the model names them (the last two with an energy system)
FIRST_STAGE = ("open", "modules", "gen_mw", "grid_link")
OBJECTIVES = ("expected", "regret")


@dataclass(frozen=True)
class ExtensiveResult:
    """The extensive form's outcome: its report and the first-stage plan (one row per site:
    open, modules, gen_mw, grid_link)."""

    report: SolveReport
    plan: pd.DataFrame


def _first_stage_vars(m: pyo.ConcreteModel) -> list[pyo.Var]:
    return [m.component(name) for name in FIRST_STAGE if m.component(name) is not None]


def build_extensive(
    scenarios: Sequence[ModelInputs],
    probabilities: Sequence[float],
    objective: str,
    own_optima: Sequence[float] | None = None,
) -> pyo.ConcreteModel:
    """The extensive form over ``scenarios`` (same candidate sites; see the module doc)."""
    if objective not in OBJECTIVES:
        raise ValueError(f"unknown robust objective {objective!r}; known: {', '.join(OBJECTIVES)}")
    if objective == "regret" and (own_optima is None or len(own_optima) != len(scenarios)):
        raise ValueError("the regret objective needs each scenario's own optimum")
    scenarios = _common_symmetry(scenarios)
    top = pyo.ConcreteModel(name="siting-robust")
    blocks = []
    for k, inputs in enumerate(scenarios):
        block = build_model(inputs)
        block.objective.deactivate()
        top.add_component(f"scenario_{k}", block)
        blocks.append(block)
    first = _first_stage_vars(blocks[0])
    top.NONANTICIPATIVE = pyo.ConstraintList()
    for block in blocks[1:]:
        for var0, var in zip(first, _first_stage_vars(block), strict=True):
            for index in var0:
                a, b = var0[index], var[index]
                if not (a.fixed and b.fixed and a.value == b.value):
                    top.NONANTICIPATIVE.add(b == a)
    if objective == "expected":
        top.objective = pyo.Objective(
            expr=pyo.quicksum(p * b.cost for p, b in zip(probabilities, blocks, strict=True)),
            sense=pyo.minimize,
        )
    else:
        assert own_optima is not None
        top.regret_musd_y = pyo.Var(domain=pyo.Reals)
        top.REGRET = pyo.ConstraintList()
        for b, z in zip(blocks, own_optima, strict=True):
            top.REGRET.add(top.regret_musd_y >= b.cost - float(z))
        top.objective = pyo.Objective(expr=top.regret_musd_y, sense=pyo.minimize)
    top.blocks = blocks
    return top


def _common_symmetry(scenarios: Sequence[ModelInputs]) -> list[ModelInputs]:
    """The scenarios, with symmetry breaking off unless every scenario orders the same
    groups of identical sites: an order that one scenario imposes on sites that another
    tells apart could cut off the robust optimum."""
    groups = [identical_site_groups(inputs) for inputs in scenarios]
    if all(g == groups[0] for g in groups):
        return list(scenarios)
    return [_without_symmetry(inputs) for inputs in scenarios]


def _without_symmetry(inputs: ModelInputs) -> ModelInputs:
    formulation = inputs.params.formulation.model_copy(update={"symmetry_breaking": False})
    return inputs.with_params(formulation=formulation)


def solve_extensive(
    scenarios: Sequence[ModelInputs],
    probabilities: Sequence[float],
    objective: str,
    settings: SolverConfig,
    own_optima: Sequence[float] | None = None,
) -> ExtensiveResult:
    """Solve the extensive form. Raises InfeasibleError when no plan serves every scenario,
    SolveError when HiGHS ends without one."""
    top = build_extensive(scenarios, probabilities, objective, own_optima)
    solver = HighsSolver(settings)
    report = solver.solve(top, load=False)
    if report.outcome in (Outcome.INFEASIBLE, Outcome.INFEASIBLE_OR_UNBOUNDED):
        raise InfeasibleError(
            "no single plan serves every scenario, although each is feasible alone: lower "
            "the target, or leave out the scenario whose own plan fails in the others",
            report=report,
        )
    if not report.has_solution:
        raise SolveError(
            f"HiGHS ended the robust model without a plan ({report.message}); raise "
            "solver.time_limit_s or the gap",
            report=report,
        )
    block = top.blocks[0]
    sites = list(block.SITES)
    plan = pd.DataFrame(
        {name: solver.values(block.component(name), sites) for name in _present(block)},
        index=pd.Index(sites, name="site_id"),
    )
    return ExtensiveResult(report, _rounded(plan))


def _present(m: pyo.ConcreteModel) -> list[str]:
    return [name for name in FIRST_STAGE if m.component(name) is not None]


def _rounded(plan: pd.DataFrame) -> pd.DataFrame:
    out = plan.copy()
    for name in ("open", "grid_link", "modules"):
        if name in out:
            out[name] = np.rint(out[name]).astype(int)
    if "gen_mw" in out:
        out["gen_mw"] = out["gen_mw"].clip(lower=0.0)
    return out


def _within(var: pyo.Var, value: float) -> float:
    """``value`` moved inside the variable's bounds when it lies a rounding off them (as a
    solver's value may); farther off is an error."""
    lb, ub = var.lb, var.ub
    slack = 1e-7 * (1.0 + abs(value))
    if (lb is not None and value < lb - slack) or (ub is not None and value > ub + slack):
        raise ValueError(f"{var.name} = {value!r} lies outside its bounds [{lb}, {ub}]")
    if lb is not None:
        value = max(value, lb)
    if ub is not None:
        value = min(value, ub)
    return value


def operate_plan(
    inputs: ModelInputs, plan: pd.DataFrame, settings: SolverConfig, label: str = ""
) -> Solution:
    """The plan's operation in the scenario of ``inputs``: its first-stage decisions fixed,
    the rest optimised. Raises InfeasibleError when the plan cannot serve the scenario."""
    # symmetry breaking orders identical sites, which a given plan need not respect
    inputs = _without_symmetry(inputs)
    m = build_model(inputs)
    missing = set(m.SITES) - set(plan.index)
    if missing:
        raise ValueError(f"the plan lacks sites of the model: {sorted(map(str, missing))[:5]}")
    for name in _present(m):
        var = m.component(name)
        column: Mapping = plan[name].to_dict() if name in plan else {}
        for s in m.SITES:
            var[s].fix(_within(var[s], float(column.get(s, 0.0))))
    solver = HighsSolver(settings)
    cannot = f"the plan cannot operate in {label or 'the scenario'}"
    try:
        report = solver.solve(m, load=False)
    except InfeasibleConstraintException:
        # a row of first-stage variables alone that the plan breaks
        raise InfeasibleError(cannot) from None
    if report.outcome in (Outcome.INFEASIBLE, Outcome.INFEASIBLE_OR_UNBOUNDED):
        raise InfeasibleError(cannot, report=report)
    if not report.has_solution:
        raise SolveError(
            f"HiGHS ended the operation of a plan without a solution ({report.message})",
            report=report,
        )
    solution = extract_solution(m, inputs, report, values=solver.values)
    if inputs.params.energy_system and not inputs.arcs["cost_musd_per_mw_y"].any():
        solution = route_flows(solution, inputs, settings)
    return solution
