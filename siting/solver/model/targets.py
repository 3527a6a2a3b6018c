"""Capacity target and capital budget.

With IT[s] = module_mw[s]·modules[s]:

    Σ_s IT[s] ≥ target_mw                                         (if a target is set)
    Σ_s ( open_capex[s]·open[s] + it_capex[s]·IT[s]
          + gen_capex[s] + link_capex[s]·grid_link[s]
          + conn_charge[g(s)]·grid_cap_mw[s] ) ≤ budget_musd       (if a budget is set)

with gen_capex[s] = gen_capex[s]·gen_mw[s] for the one continuous technology, or
Σ_t X_t·m[s]·unit[t]·units[s,t] with a technology menu (X_t its capex per MW, m[s] the
site's capex multiplier). Capex here is overnight (MUSD), not annualised. Elastic mode adds ``shortfall ≥ 0`` to the
target and ``overrun ≥ 0`` to the budget. The target shortfall is weighted ten times a MW
of missing capacity, so the diagnosis blames the data (fields, pipes, grid) before the
user's target.
"""

from __future__ import annotations

import pyomo.environ as pyo

from siting.solver.model._data import Data
from siting.solver.model._elastic import slack
from siting.solver.model._family import FamilySpec
from siting.solver.model.variables import it_mw

FAMILY_TARGET = FamilySpec(
    "target",
    unit="MW of IT the sites cannot host",
    fix="lower objective.target_it, or allow more/larger sites",
    slack_weight=10.0,
)
FAMILY_BUDGET = FamilySpec(
    "budget",
    unit="MUSD over budget",
    fix="raise objective.budget or lower the target",
    slack_weight=0.01,
)


def capex_expr(m: pyo.ConcreteModel, d: Data) -> object:
    it = it_mw(m, d)
    c_open, c_it = d.site("open_capex_musd"), d.site("it_capex_musd_per_mw")
    c_gen, c_link = d.site("gen_capex_musd_per_mw"), d.site("grid_link_capex_musd")
    if not d.params.energy_system:
        return pyo.quicksum(c_open[s] * m.open[s] + c_it[s] * it[s] for s in m.SITES)
    if d.inputs.is_v2:
        mult, grid_of = d.site("capex_multiplier"), d.grid_of
        conn = d.inputs.grid_column("connection_charge_musd_per_mw").to_dict()
        unit, capex = d.tech("unit_mw"), d.tech("capex_musd_per_mw")
        terms = []
        for s in m.SITES:
            terms += [c_open[s] * m.open[s], c_it[s] * it[s]]
            if d.techs:
                terms += [capex[t] * mult[s] * unit[t] * m.units[s, t] for t in d.techs]
            else:
                terms.append(c_gen[s] * m.gen_mw[s])
            terms.append(c_link[s] * m.grid_link[s])
            if hasattr(m, "grid_cap_mw") and s in grid_of and conn[grid_of[s]]:
                terms.append(conn[grid_of[s]] * m.grid_cap_mw[s])
        return pyo.quicksum(terms)
    return pyo.quicksum(
        c_open[s] * m.open[s]
        + c_it[s] * it[s]
        + c_gen[s] * m.gen_mw[s]
        + c_link[s] * m.grid_link[s]
        for s in m.SITES
    )


def add(m: pyo.ConcreteModel, d: Data, elastic: bool) -> None:
    p = d.params
    if p.target_mw is not None:
        it = it_mw(m, d)
        short = slack(m, d, FAMILY_TARGET, None) if elastic else 0
        m.target = pyo.Constraint(expr=pyo.quicksum(it.values()) + short >= m.target_mw)
    if p.budget_musd is not None:
        over = slack(m, d, FAMILY_BUDGET, None) if elastic else 0
        m.budget = pyo.Constraint(expr=capex_expr(m, d) <= m.budget_musd + over)
