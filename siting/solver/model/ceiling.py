"""Ceiling on the average cost per MWh of IT energy (model v2).

With a ceiling c (USD per MWh of IT energy; ``objective.ceiling_usd_per_mwh``):

    cost_musd_y ≤ c · 8760 / 10⁶ · Σ_s IT[s]

where cost is the annualised cost of the objective (MUSD/y). It is what ``max_gas_use``
maximises gas under: the most gas data centres can absorb at an average cost of compute
energy, not under a capital budget, which rewards the campuses with the worst PUE. The
ceiling is a mutable parameter, so an absorption curve (a sweep of c) re-solves one model.
An empty plan meets any ceiling. Elastic mode adds ``over ≥ 0`` MUSD/y to the right.
"""

from __future__ import annotations

import pyomo.environ as pyo

from siting.inputs import MUSD_Y_PER_USD_PER_MWH
from siting.solver.model._data import Data
from siting.solver.model._elastic import slack
from siting.solver.model._family import FamilySpec
from siting.solver.model.objective import cost_expr
from siting.solver.model.variables import it_mw

FAMILY = FamilySpec(
    "cost_ceiling",
    unit="MUSD/y of cost above the ceiling",
    fix="raise objective.ceiling_usd_per_mwh, or lower costs",
    slack_weight=1.0,
)


def add(m: pyo.ConcreteModel, d: Data, elastic: bool) -> None:
    if d.params.ceiling_usd_per_mwh is None or not d.params.energy_system:
        return
    if not hasattr(m, "cost"):
        m.cost = pyo.Expression(expr=cost_expr(m, d))
    it = pyo.quicksum(it_mw(m, d).values())
    over = slack(m, d, FAMILY, None) if elastic else 0
    m.cost_ceiling_row = pyo.Constraint(
        expr=m.cost <= m.cost_ceiling * MUSD_Y_PER_USD_PER_MWH * it + over
    )
