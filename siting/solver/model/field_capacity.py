"""Field capacity.

For each field f ∈ F:

    supply_mw[f] ≤ supply_max_mw[f]

Normal mode sets it as the variable's upper bound. Elastic mode adds ``extra[f] ≥ 0``: the
production the data would need beyond what the field can deliver.
"""

from __future__ import annotations

import pyomo.environ as pyo

from siting.solver.model._data import Data
from siting.solver.model._elastic import slack
from siting.solver.model._family import FamilySpec

FAMILY = FamilySpec(
    "field_capacity",
    unit="MW of extra production needed",
    fix="raise field availability or lower committed demand",
    slack_weight=1.0,
)


def add(m: pyo.ConcreteModel, d: Data, elastic: bool) -> None:
    supply_max = d.node("supply_max_mw")
    if not elastic:
        for f in m.FIELDS:
            m.supply_mw[f].setub(supply_max[f])
        return
    extra = slack(m, d, FAMILY, m.FIELDS)
    m.field_capacity = pyo.Constraint(
        m.FIELDS, rule=lambda m, f: m.supply_mw[f] <= supply_max[f] + extra[f]
    )
