"""Physical routing of a solved plan's gas flows (post-processing, not part of the MILP).

When transport is free the siting objective does not care how gas is routed, so the MILP may
return any feasible routing — a detour that fills a pipe for no reason. For the report, the
burn at every site is fixed and this LP gives every MW the shortest route available:

    min  Σ_a length_km[a] · flow_mw[a]
    s.t. supply_mw[n]·[n ∈ F] + Σ_{a ∈ A⁻(n)} flow_mw[a] − Σ_{a ∈ A⁺(n)} flow_mw[a]
             = demand_mw[n] + burn_mw[n]                          for every node n
         0 ≤ flow_mw[a] ≤ capacity_mw[a],   0 ≤ supply_mw[f] ≤ supply_max_mw[f]

With representative periods the LP is solved for each period with its own demand, supply,
capacities and burn (on site and, for grid power from gas-fired nodes, at their gas nodes).

The siting decisions, the gas burnt and the cost of the plan do not change.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC

from siting.config import SolverConfig
from siting.inputs import ModelInputs
from siting.solution import Solution, with_flows
from siting.solver.highs import HighsSolver
from siting.solver.model._data import Data


def build_routing_model(inputs: ModelInputs, burn_mw: dict[object, float]) -> pyo.ConcreteModel:
    d = Data(inputs)
    demand, supply_max = d.node("demand_mw"), d.node("supply_max_mw")
    capacity, length = d.arc("capacity_mw"), d.arc("length_km")
    fields = set(d.fields)
    with PauseGC():
        m = pyo.ConcreteModel(name="siting-routing")
        m.NODES = pyo.Set(initialize=inputs.nodes.index.tolist(), ordered=True)
        m.ARCS = pyo.Set(initialize=inputs.arcs.index.tolist(), ordered=True)
        m.FIELDS = pyo.Set(initialize=d.fields, ordered=True)
        m.flow_mw = pyo.Var(m.ARCS, bounds=lambda _m, a: (0, capacity[a]))
        m.supply_mw = pyo.Var(m.FIELDS, bounds=lambda _m, f: (0, supply_max[f]))

        def balance(m: pyo.ConcreteModel, n: object) -> object:
            lhs = (
                (m.supply_mw[n] if n in fields else 0)
                + sum(m.flow_mw[a] for a in d.arcs_in.get(n, ()))
                - sum(m.flow_mw[a] for a in d.arcs_out.get(n, ()))
            )
            rhs = demand[n] + burn_mw.get(n, 0.0)
            if isinstance(lhs, int | float):
                return pyo.Constraint.Skip
            return lhs == rhs

        m.gas_balance = pyo.Constraint(m.NODES, rule=balance)
        m.objective = pyo.Objective(
            expr=pyo.quicksum(length[a] * m.flow_mw[a] for a in m.ARCS), sense=pyo.minimize
        )
    return m


def pyo_value(var: pyo.Var) -> float:
    return float(pyo.value(var, exception=False) or 0.0)


def route_flows(solution: Solution, inputs: ModelInputs, settings: SolverConfig) -> Solution:
    """Replace the plan's arbitrary routing by shortest routes (the LP above; in every
    period, with the gas burnt on site and for grid power there)."""
    if solution.is_v2:
        return _route_periods(solution, inputs, settings)
    burn = solution.sites.groupby("node_id")["gas_mw"].sum().to_dict()
    model = build_routing_model(inputs, burn)
    report = HighsSolver(settings).solve(model)
    if not report.is_optimal:
        return solution  # the plan's own routing is feasible; keep it
    flows = pd.Series(
        [pyo_value(model.flow_mw[a]) for a in inputs.arcs.index], index=inputs.arcs.index
    )
    supply = pd.Series(0.0, index=inputs.nodes.index)
    for f in model.FIELDS:
        supply[f] = pyo_value(model.supply_mw[f])
    return with_flows(solution, inputs, flows.clip(lower=0.0), supply.clip(lower=0.0))


def _route_periods(solution: Solution, inputs: ModelInputs, settings: SolverConfig) -> Solution:
    node_periods = solution.node_periods
    flows, supply = [], []
    for q in inputs.period_names:
        view = inputs.period_view(q)
        at = node_periods.xs(q, level="period")
        burn = (at["burn_mw"] + at["indirect_mw"]).to_dict()
        model = build_routing_model(view, burn)
        report = HighsSolver(settings).solve(model)
        if not report.is_optimal:
            return solution  # the plan's own routing is feasible; keep it
        flows += [max(pyo_value(model.flow_mw[a]), 0.0) for a in inputs.arcs.index]
        used = {f: max(pyo_value(model.supply_mw[f]), 0.0) for f in model.FIELDS}
        supply += [used.get(n, 0.0) for n in inputs.nodes.index]
    arc_index = pd.MultiIndex.from_product(
        [inputs.arcs.index, inputs.period_names], names=["arc_id", "period"]
    )
    node_index = pd.MultiIndex.from_product(
        [inputs.nodes.index, inputs.period_names], names=["node_id", "period"]
    )
    n_p = len(inputs.period_names)
    flow_values = np.array(flows).reshape(n_p, len(inputs.arcs)).T.ravel()
    supply_values = np.array(supply).reshape(n_p, len(inputs.nodes)).T.ravel()
    return with_flows(
        solution,
        inputs,
        pd.Series(flow_values, index=arc_index),
        pd.Series(supply_values, index=node_index),
    )
