"""Power balance at each site in every period.

For each site s ∈ S and period p ∈ P, with IT[s] = module_mw[s]·modules[s]:

    onsite[s,p] + grid_mw[s,p] = PUE[s,p] · IT[s]

with onsite[s,p] = η · gas_mw[s,p] for the one continuous technology, or Σ_t power_mw[s,t,p]
with a technology menu. The facility draws PUE·IT continuously (AI campuses run flat out);
it is met by on-site generation and by grid import. It is an equality, not ≥, so that
burning gas always serves load: under ``max_gas_use`` an inequality would let the model
burn gas for nothing.
"""

from __future__ import annotations

import pyomo.environ as pyo

from siting.solver.model._data import Data
from siting.solver.model._family import FamilySpec
from siting.solver.model.variables import it_mw, onsite_mw

FAMILY = FamilySpec("power_balance")


def add(m: pyo.ConcreteModel, d: Data, elastic: bool) -> None:
    pue = d.pue
    it = it_mw(m, d)
    onsite = onsite_mw(m, d)
    m.power_balance = pyo.Constraint(
        m.SITES,
        m.PERIODS,
        rule=lambda m, s, q: onsite[s, q] + m.grid_mw[s, q] == pue[s, q] * it[s],
    )
