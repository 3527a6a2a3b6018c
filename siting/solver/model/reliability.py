"""Reliability of on-site generation: the N+1 rule (model v2, with ``technology.menu``).

Under ``technology.reliability.rule: n_plus_1``, with has[s,t] ∈ {0,1} marking the
technologies built at s, largest_mw[s] the size of the largest unit built there, φ the firm
share credited to the grid connection and grid_cap_mw[s] the contracted grid capacity
(φ > 0 only), for each site s, technology t and period p:

    units[s,t] ≤ U[s,t] · has[s,t]
    largest_mw[s] ≥ unit[t] · has[s,t]
    Σ_t unit[t]·units[s,t] − largest_mw[s] + φ·(grid_cap_mw[s] − grid_mw[s,p])
        ≥ Σ_t power_mw[s,t,p]

The firm on-site capacity (capacity minus the largest unit built) plus the unused part of
the contracted grid capacity credited at φ covers what the site generates in every period.
This is the rule "capacity − unit[t'] · has[s,t'] + … ≥ output for every t'" with the
largest unit as a variable: the same plans and the same LP bound in a third of the rows
and nonzeros. φ = 0: grid draws are backed by the grid, on-site output by a spare unit. The
facility capex already includes UPS and diesel: nothing else is charged for backup. Enough
units can always be built (U[s,t] has one spare), so the family needs no slack; a national
cap that the spare units exceed shows as the cap's slack.
"""

from __future__ import annotations

import pyomo.environ as pyo

from siting.solver.model._data import Data
from siting.solver.model._family import FamilySpec
from siting.solver.model.technology import on_off

FAMILY = FamilySpec("reliability")


def add(m: pyo.ConcreteModel, d: Data, elastic: bool) -> None:
    if not d.techs or d.params.reliability != "n_plus_1":
        return
    unit, bound = d.tech("unit_mw"), d.unit_bound
    phi = d.params.grid_firm_share
    credit = phi > 0 and hasattr(m, "grid_cap_mw")
    m.has_units = pyo.Constraint(
        m.SITES,
        m.TECHS,
        rule=lambda m, s, t: m.units[s, t] <= bound[s, t] * m.has[s, t],
    )
    on_off(m, "has_units_split", lambda s, t: m.has[s, t])
    m.largest_unit = pyo.Constraint(
        m.SITES,
        m.TECHS,
        rule=lambda m, s, t: m.largest_mw[s] >= unit[t] * m.has[s, t],
    )

    def firm(m: pyo.ConcreteModel, s: object, q: object) -> object:
        capacity = pyo.quicksum(unit[t] * m.units[s, t] for t in m.TECHS)
        grid = phi * (m.grid_cap_mw[s] - m.grid_mw[s, q]) if credit else 0
        output = pyo.quicksum(m.power_mw[s, t, q] for t in m.TECHS)
        return capacity - m.largest_mw[s] + grid >= output

    m.n_plus_1 = pyo.Constraint(m.SITES, m.PERIODS, rule=firm)
