"""Field capacity in every period.

For each field f ∈ F and period p ∈ P:

    supply_mw[f,p] ≤ supply_max_mw[f,p]

Normal mode sets it as the variable's upper bound. Elastic mode adds ``extra[f,p] ≥ 0``:
the production the data would need beyond what the field can deliver.
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
    supply_max = d.per_period("nodes", "supply_max_mw")
    if not elastic:
        for key, var in m.supply_mw.items():
            var.setub(supply_max[key])
        return
    index = [(f, q) for f in m.FIELDS for q in m.PERIODS]
    extra = slack(m, d, FAMILY, index)
    m.field_capacity = pyo.Constraint(
        index, rule=lambda m, f, q: m.supply_mw[f, q] <= supply_max[f, q] + extra[f, q]
    )
