"""Power balance at each site.

For each site s ∈ S, with IT[s] = module_mw[s]·modules[s]:

    η · gas_mw[s] + grid_mw[s] = PUE[s] · IT[s]

The facility draws PUE·IT continuously (AI campuses run flat out); it is met by on-site
generation from gas at efficiency η and by grid import. It is an equality, not ≥, so that
burning gas always serves load: under ``max_gas_use`` an inequality would let the model
burn gas for nothing.
"""

from __future__ import annotations

import pyomo.environ as pyo

from siting.solver.model._data import Data
from siting.solver.model._family import FamilySpec
from siting.solver.model.variables import it_mw

FAMILY = FamilySpec("power_balance")


def add(m: pyo.ConcreteModel, d: Data, elastic: bool) -> None:
    eta = d.params.generator_efficiency
    pue = d.site("pue")
    it = it_mw(m, d)
    m.power_balance = pyo.Constraint(
        m.SITES, rule=lambda m, s: eta * m.gas_mw[s] + m.grid_mw[s] == pue[s] * it[s]
    )
