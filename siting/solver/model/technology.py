"""On-site technology units (model v2, with ``technology.menu``).

For each site s ∈ S, technology t ∈ T and period p ∈ P, with unit[t] the unit size and
U[s,t] the unit bound of ``variables``:

    power_mw[s,t,p] ≤ unit[t] · units[s,t]                  (technology capacity)
    units[s,t] ≤ U[s,t] · open[s]                           (units only at open sites)
    Σ_s unit[t] · units[s,t] ≤ cap_mw[t]                    (national cap, where given)

The national cap is the most MW of a technology that equipment supply can deliver (for
example turbines under sanctions). Elastic mode adds ``excess[t] ≥ 0`` MW to it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyomo.environ as pyo

from siting.solver.model._data import Data
from siting.solver.model._elastic import slack
from siting.solver.model._family import FamilySpec

FAMILY = FamilySpec("technology")
FAMILY_CAP = FamilySpec(
    "national_cap",
    unit="MW of a technology beyond its national cap",
    fix="raise the technology's national_cap in technology.menu, or add other technologies",
    slack_weight=1.0,
)


def on_off(m: pyo.ConcreteModel, name: str, switch: Callable[[Any, Any], Any]) -> None:
    """Block-split units (see ``variables``) get the switch row once more per part,
    unit_count ≤ (K−1)·switch and unit_blocks ≤ ⌊U/K⌋·switch: the two parts then never
    appear in proportional rows, which HiGHS's presolve would merge back into one integer of
    the whole domain."""
    split = m.unit_block_size
    if not split:
        return
    index = list(split)
    m.add_component(
        name + "_count",
        pyo.Constraint(
            index, rule=lambda m, s, t: m.unit_count[s, t] <= m.unit_count[s, t].ub * switch(s, t)
        ),
    )
    m.add_component(
        name + "_blocks",
        pyo.Constraint(
            index,
            rule=lambda m, s, t: m.unit_blocks[s, t] <= m.unit_blocks[s, t].ub * switch(s, t),
        ),
    )


def add(m: pyo.ConcreteModel, d: Data, elastic: bool) -> None:
    if not d.techs:
        return
    unit, cap, bound = d.tech("unit_mw"), d.tech("national_cap_mw"), d.unit_bound
    m.tech_capacity = pyo.Constraint(
        m.SITES,
        m.TECHS,
        m.PERIODS,
        rule=lambda m, s, t, q: m.power_mw[s, t, q] <= unit[t] * m.units[s, t],
    )
    m.tech_open = pyo.Constraint(
        m.SITES,
        m.TECHS,
        rule=lambda m, s, t: (
            m.units[s, t] <= bound[s, t] * m.open[s] if bound[s, t] > 0 else pyo.Constraint.Skip
        ),
    )
    on_off(m, "tech_open_split", lambda s, t: m.open[s])
    capped = [t for t in m.TECHS if cap[t] == cap[t]]
    excess = slack(m, d, FAMILY_CAP, capped) if elastic else None
    m.national_cap = pyo.Constraint(
        capped,
        rule=lambda m, t: (
            pyo.quicksum(unit[t] * m.units[s, t] for s in m.SITES)
            <= cap[t] + (excess[t] if excess is not None else 0)
        ),
    )
