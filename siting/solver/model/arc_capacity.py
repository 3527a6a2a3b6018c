"""Arc capacity in every period.

For each directed arc a ∈ A and period p ∈ P:

    flow_mw[a,p] ≤ capacity_mw[a,p]

In normal mode this is the variable's upper bound (HiGHS presolve would make it one anyway).
Elastic mode states it as a constraint with ``overflow[a,p] ≥ 0`` on the right: the extra
pipeline capacity the data would need.
"""

from __future__ import annotations

import pyomo.environ as pyo

from siting.solver.model._data import Data
from siting.solver.model._elastic import slack
from siting.solver.model._family import FamilySpec

FAMILY = FamilySpec(
    "arc_capacity",
    unit="MW of extra pipeline capacity needed",
    fix="raise the pipeline capacity or lower the demand downstream",
    slack_weight=1.0,
)


def add(m: pyo.ConcreteModel, d: Data, elastic: bool) -> None:
    capacity = d.per_period("arcs", "capacity_mw")
    if not elastic:
        for key, var in m.flow_mw.items():
            var.setub(capacity[key])
        return
    index = [(a, q) for a in m.ARCS for q in m.PERIODS]
    over = slack(m, d, FAMILY, index)
    m.arc_capacity = pyo.Constraint(
        index, rule=lambda m, a, q: m.flow_mw[a, q] <= capacity[a, q] + over[a, q]
    )
