"""One plan across scenarios: the extensive form of the two-stage model, and a fixed plan's
operation in one scenario.

**First stage** (decided once): ``open[s]``, ``modules[s]`` and, with an energy system,
``gen_mw[s]`` (no technology menu), ``grid_link[s]`` and the contracted grid capacity
``grid_cap_mw[s]``; with a technology menu the units built ``units[s,t]`` (the integers
``unit_count`` and ``unit_blocks``) and, under the N+1 rule, which technologies are built
``has[s,t]`` and the largest unit ``largest_mw[s]``: these describe the plant, not its
operation. **Second stage** (per scenario k and period): every other variable (gas flows,
field supply, on-site fuel or output per technology, grid import, serving).

The extensive form holds one copy of the siting model per scenario, each built from that
scenario's inputs (``build_model``), as a block of one Pyomo model, with its own objective
switched off. Non-anticipativity ties every copy's first-stage variables to the first
scenario's:

    x_k[i] = x_1[i]        for every first-stage x and index i, k = 2 … K

(units are tied as ``units[s,t]`` when two scenarios split them into blocks differently)

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

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyomo.environ as pyo
from pyomo.common.errors import InfeasibleConstraintException
from pyomo.core.base.var import VarData

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

#: the first-stage decisions, as the model names them (those present in a model are used)
FIRST_STAGE = (
    "open",
    "modules",
    "gen_mw",
    "grid_link",
    "grid_cap_mw",
    "unit_count",
    "unit_blocks",
    "has",
    "largest_mw",
)
#: first-stage variables per site in a plan table (units per technology as ``units_<t>``)
PLAN_COLUMNS = ("open", "modules", "gen_mw", "grid_link", "grid_cap_mw")
#: the unit variables, tied as the ``units`` expression when the block sizes differ
UNIT_VARS = ("unit_count", "unit_blocks")
OBJECTIVES = ("expected", "regret")


@dataclass(frozen=True)
class ExtensiveResult:
    """The extensive form's outcome: its report and the first-stage plan (one row per site:
    open, modules, gen_mw, grid_link, grid_cap_mw and, with a technology menu, ``units_<t>``
    per technology t)."""

    report: SolveReport
    plan: pd.DataFrame


def _first_stage_vars(m: pyo.ConcreteModel, split_alike: bool = True) -> list[pyo.Component]:
    """The first-stage components; the ``units`` expression in place of its integers when
    the blocks of two scenarios differ."""
    out = []
    for name in FIRST_STAGE:
        if m.component(name) is None or (not split_alike and name in UNIT_VARS):
            continue
        out.append(m.component(name))
    if not split_alike and m.component("units") is not None:
        out.append(m.units)
    return out


def _tie(top: pyo.ConcreteModel, blocks: Sequence[pyo.ConcreteModel]) -> None:
    """Non-anticipativity: every scenario's first stage equals the first scenario's."""
    split_alike = all(
        getattr(b, "unit_block_size", None) == getattr(blocks[0], "unit_block_size", None)
        for b in blocks
    )
    first = _first_stage_vars(blocks[0], split_alike)
    top.NONANTICIPATIVE = pyo.ConstraintList()
    for block in blocks[1:]:
        for var0, var in zip(first, _first_stage_vars(block, split_alike), strict=True):
            for index in var0:
                a, b = var0[index], var[index]
                fixed_alike = isinstance(a, VarData) and a.fixed and b.fixed and a.value == b.value
                if not fixed_alike:
                    top.NONANTICIPATIVE.add(b == a)


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
    _tie(top, blocks)
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
    return ExtensiveResult(report, read_plan(top.blocks[0], solver.values))


def read_plan(m: pyo.ConcreteModel, values: Callable[[pyo.Var, list], np.ndarray]) -> pd.DataFrame:
    """The first stage of a solved model as a plan table: one row per site, the columns of
    ``PLAN_COLUMNS`` present in the model and ``units_<t>`` per technology t (rounded)."""
    sites = list(m.SITES)
    plan = pd.DataFrame(
        {
            name: values(m.component(name), sites)
            for name in PLAN_COLUMNS
            if m.component(name) is not None
        },
        index=pd.Index(sites, name="site_id"),
    )
    for t in m.TECHS if m.component("unit_count") is not None else ():
        keys = [(s, t) for s in sites]
        count = values(m.unit_count, keys)
        split = [k for k in keys if k in m.unit_block_size]
        if split:
            blocks = dict(zip(split, values(m.unit_blocks, split).tolist(), strict=True))
            count = count + np.array(
                [m.unit_block_size.get(k, 0) * blocks.get(k, 0.0) for k in keys]
            )
        plan[f"units_{t}"] = count
    return _rounded(plan)


def _rounded(plan: pd.DataFrame) -> pd.DataFrame:
    out = plan.copy()
    for name in out.columns:
        if name in ("open", "grid_link", "modules") or name.startswith("units_"):
            out[name] = np.rint(out[name]).astype(int)
    for name in ("gen_mw", "grid_cap_mw"):
        if name in out:
            out[name] = out[name].where(out[name].abs() >= SNAP_MW, 0.0).clip(lower=0.0)
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


#: MW below which a solver's value of a capacity is read as none (a fixed 1e-13 MW of grid
#: capacity at a site without a link breaks its row grid_cap_mw ≤ M·grid_link)
SNAP_MW = 1e-6


def _snapped(value: float) -> float:
    return 0.0 if abs(value) < SNAP_MW else value


def fix_plan(m: pyo.ConcreteModel, plan: pd.DataFrame, unit_mw: Mapping[str, float]) -> None:
    """Fix the model's first stage to the plan's: the per-site columns (a column the plan
    lacks is 0: e.g. no contracted capacity; below ``SNAP_MW`` is 0), the units of each technology (split into
    blocks as the model splits them) and, under the N+1 rule, which technologies are built
    and the largest unit, as the units imply (the least the rows allow)."""
    for name in PLAN_COLUMNS:
        var = m.component(name)
        if var is None:
            continue
        column: Mapping = plan[name].to_dict() if name in plan else {}
        for s in m.SITES:
            var[s].fix(_within(var[s], _snapped(float(column.get(s, 0.0)))))
    techs = list(m.TECHS) if m.component("unit_count") is not None else []
    columns = {c for c in plan.columns if c.startswith("units_")}
    unknown = sorted(columns - {f"units_{t}" for t in techs})
    if unknown:
        raise ValueError(f"the plan has units of technologies the model lacks: {unknown}")
    lacking = [t for t in techs if f"units_{t}" not in columns]
    if lacking:
        raise ValueError(f"the plan lacks the units of technologies {lacking}")
    counts = {(s, t): round(float(plan[f"units_{t}"][s])) for s in m.SITES for t in techs}
    for (s, t), n in counts.items():
        k = m.unit_block_size.get((s, t))
        if k is None:
            m.unit_count[s, t].fix(_within(m.unit_count[s, t], n))
        else:
            m.unit_blocks[s, t].fix(_within(m.unit_blocks[s, t], n // k))
            m.unit_count[s, t].fix(_within(m.unit_count[s, t], n % k))
    if m.component("has") is not None:
        for s in m.SITES:
            built = [t for t in techs if counts[s, t] > 0]
            for t in techs:
                m.has[s, t].fix(int(t in built))
            m.largest_mw[s].fix(max((float(unit_mw[t]) for t in built), default=0.0))


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
    unit_mw = {str(t): float(v) for t, v in inputs.technologies["unit_mw"].items()}
    fix_plan(m, plan, unit_mw)
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
