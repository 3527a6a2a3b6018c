"""Demand hubs served within a latency bound.

Only latency-feasible pairs P = {(s, h) : RTT(s, h) ≤ max_rtt_ms} get a variable. For each
hub h and each site s:

    Σ_{s : (s,h) ∈ P} serve_mw[s,h] ≥ demand_mw[h] + share_of_it[h] · Σ_s IT[s]
    Σ_{h : (s,h) ∈ P} serve_mw[s,h] ≤ IT[s]

A hub's requirement is an absolute IT load, a share of all IT placed, or both. When the
formulation tightens bounds the first row is an equality: serving costs are ≥ 0, so some
optimal plan never serves a hub beyond its requirement, and the equality gives the solver
a set-partitioning row instead of a covering one (measurably faster on facility location).
Elastic mode adds ``shortfall[h] ≥ 0`` to the hub's requirement. Sites whose capacity can
never bind (``Data.never_full``) get no second row: the strong links imply it.
"""

from __future__ import annotations

from collections import defaultdict

import pyomo.environ as pyo

from siting.errors import InfeasibleError
from siting.solver.model._data import Data
from siting.solver.model._elastic import slack
from siting.solver.model._family import FamilySpec
from siting.solver.model.variables import it_mw

FAMILY = FamilySpec(
    "demand_hubs",
    unit="MW of hub demand that no site within reach can serve",
    fix="give the hub more reachable capacity (in a siting case: raise "
    "objective.hubs.max_rtt_ms or lower the hub share)",
    slack_weight=1.0,
)


def add(m: pyo.ConcreteModel, d: Data, elastic: bool) -> None:
    hubs = d.inputs.hubs
    if hubs.empty:
        return
    demand = dict(zip(hubs.index, hubs["demand_mw"], strict=True))
    share = dict(zip(hubs.index, hubs["share_of_it"], strict=True))
    by_hub: dict[object, list] = defaultdict(list)
    by_site: dict[object, list] = defaultdict(list)
    for (s, h), var in m.serve_mw.items():
        by_hub[h].append(var)
        by_site[s].append(var)
    it = it_mw(m, d)
    total_it = pyo.quicksum(it.values())
    short = slack(m, d, FAMILY, m.HUBS) if elastic else None
    exact = d.params.formulation.tight_bounds

    def requirement(m: pyo.ConcreteModel, h: object) -> object:
        if not by_hub[h] and short is None:
            if demand[h] > 0 or share[h] > 0:
                raise InfeasibleError(f"hub {h} needs IT but no site is within its latency bound")
            return pyo.Constraint.Skip
        served = pyo.quicksum(by_hub[h]) + (short[h] if short is not None else 0)
        need = demand[h] + share[h] * total_it
        return served == need if exact else served >= need

    m.hub_demand = pyo.Constraint(m.HUBS, rule=requirement)
    m.hub_serve = pyo.Constraint(
        [s for s in by_site if s not in d.never_full],
        rule=lambda m, s: pyo.quicksum(by_site[s]) <= it[s],
    )
