"""Gas balance at every network node.

For each node n ∈ N, with F the fields, S(n) the sites at n and A⁻(n), A⁺(n) the arcs into
and out of n:

    supply_mw[n]·[n ∈ F] + Σ_{a ∈ A⁻(n)} flow_mw[a] − Σ_{a ∈ A⁺(n)} flow_mw[a]
        = demand_mw[n] + Σ_{s ∈ S(n)} gas_mw[s]

``demand_mw`` is the committed offtake (domestic use, exports still flowing) and must be met
exactly. Elastic mode adds ``shortfall[n] ≥ 0`` on the left at nodes with demand: committed
demand that the network cannot deliver. It is weighted twice a capacity slack, so the
diagnosis names missing capacity before it drops committed demand.
"""

from __future__ import annotations

import pyomo.environ as pyo

from siting.errors import InfeasibleError
from siting.solver.model._data import Data
from siting.solver.model._elastic import slack
from siting.solver.model._family import FamilySpec

FAMILY = FamilySpec(
    "gas_balance",
    unit="MW of committed demand that cannot be delivered",
    fix="lower the committed demand there, or connect it to a field",
    slack_weight=2.0,
)


def add(m: pyo.ConcreteModel, d: Data, elastic: bool) -> None:
    demand = d.node("demand_mw")
    fields = set(d.fields)
    arcs_in, arcs_out, sites_at = d.arcs_in, d.arcs_out, d.sites_at
    short = slack(m, d, FAMILY, [n for n in m.NODES if demand[n] > 0]) if elastic else None

    def rule(m: pyo.ConcreteModel, n: object) -> object:
        lhs = (
            (m.supply_mw[n] if n in fields else 0)
            + sum(m.flow_mw[a] for a in arcs_in.get(n, ()))
            - sum(m.flow_mw[a] for a in arcs_out.get(n, ()))
        )
        if short is not None and demand[n] > 0:
            lhs += short[n]
        burn = sum(m.gas_mw[s] for s in sites_at.get(n, ()))
        if isinstance(lhs, int | float) and isinstance(burn, int | float):
            if lhs == demand[n] + burn:
                return pyo.Constraint.Skip
            raise InfeasibleError(
                f"node {n} has committed demand {demand[n]:,.0f} MW but no pipeline reaches it"
            )
        return lhs == demand[n] + burn

    m.gas_balance = pyo.Constraint(m.NODES, rule=rule)
