"""Gas balance at every network node in every period.

For each node n ∈ N and period p ∈ P, with F the fields, S(n) the sites at n, A⁻(n), A⁺(n)
the arcs into and out of n, and G(n) the grid nodes whose gas share is fed from n:

    supply_mw[n,p]·[n ∈ F] + Σ_{a ∈ A⁻(n)} flow_mw[a,p] − Σ_{a ∈ A⁺(n)} flow_mw[a,p]
        = demand_mw[n,p] + Σ_{s ∈ S(n)} fuel[s,p]
          + Σ_{g ∈ G(n)} σ_gas[g]·HR[g] · Σ_{s : g(s) = g} grid_mw[s,p]

``demand_mw`` is the committed offtake (domestic use, exports still flowing) and must be met
exactly. fuel[s,p] is the gas burnt on site (``gas_mw[s,p]``, or Σ_t power_mw[s,t,p]/η_t with
a technology menu). The last term is the indirect gas: grid power drawn from the gas share
σ_gas of a grid node burns gas at heat rate HR in the plant that its pipeline node feeds.
Elastic mode adds ``shortfall[n,p] ≥ 0`` on the left at nodes with demand: committed demand
that the network cannot deliver. It is weighted twice a capacity slack, so the diagnosis
names missing capacity before it drops committed demand.
"""

from __future__ import annotations

import pyomo.environ as pyo

from siting.errors import InfeasibleError
from siting.solver.model._data import Data
from siting.solver.model._elastic import slack
from siting.solver.model._family import FamilySpec
from siting.solver.model.variables import fuel_mw, indirect_mw

FAMILY = FamilySpec(
    "gas_balance",
    unit="MW of committed demand that cannot be delivered",
    fix="lower the committed demand there, or connect it to a field",
    slack_weight=2.0,
)


def add(m: pyo.ConcreteModel, d: Data, elastic: bool) -> None:
    demand = d.per_period("nodes", "demand_mw")
    fields = set(d.fields)
    arcs_in, arcs_out, sites_at = d.arcs_in, d.arcs_out, d.sites_at
    fuel, indirect = fuel_mw(m, d), indirect_mw(m, d)
    short = (
        slack(m, d, FAMILY, [(n, q) for n in m.NODES for q in m.PERIODS if demand[n, q] > 0])
        if elastic
        else None
    )

    def rule(m: pyo.ConcreteModel, n: object, q: object) -> object:
        lhs = (
            (m.supply_mw[n, q] if n in fields else 0)
            + sum(m.flow_mw[a, q] for a in arcs_in.get(n, ()))
            - sum(m.flow_mw[a, q] for a in arcs_out.get(n, ()))
        )
        if short is not None and demand[n, q] > 0:
            lhs += short[n, q]
        burn = sum(fuel[s, q] for s in sites_at.get(n, ()))
        if (n, q) in indirect:
            burn = burn + indirect[n, q]
        if isinstance(lhs, int | float) and isinstance(burn, int | float):
            if lhs == demand[n, q] + burn:
                return pyo.Constraint.Skip
            raise InfeasibleError(
                f"node {n} has committed demand {demand[n, q]:,.0f} MW"
                + (f" in period {q}" if len(d.periods) > 1 else "")
                + " but no pipeline reaches it"
            )
        return lhs == demand[n, q] + burn

    m.gas_balance = pyo.Constraint(m.NODES, m.PERIODS, rule=rule)
