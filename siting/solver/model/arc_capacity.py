"""Arc capacity.

For each directed arc a ∈ A:

    flow_mw[a] ≤ capacity_mw[a]

In normal mode this is the variable's upper bound (HiGHS presolve would make it one anyway).
Elastic mode states it as a constraint with ``overflow[a] ≥ 0`` on the right: the extra
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
    capacity = d.arc("capacity_mw")
    if not elastic:
        for a in m.ARCS:
            m.flow_mw[a].setub(capacity[a])
        return
    over = slack(m, d, FAMILY, m.ARCS)
    m.arc_capacity = pyo.Constraint(m.ARCS, rule=lambda m, a: m.flow_mw[a] <= capacity[a] + over[a])
