"""Generation capacity of the one continuous technology, with an optional N+1 reserve.

Without a technology menu, for each site s ∈ S and period p ∈ P:

    gen_mw[s] ≥ (1 + r) · η · gas_mw[s,p]

where r = 1/n when the case asks for N+1 redundancy with n equal running units (one spare
unit of the same size), else r = 0. ``gen_mw`` is the capacity built and paid for, once for
all periods. With a menu, :mod:`siting.solver.model.technology` and
:mod:`siting.solver.model.reliability` take its place.
"""

from __future__ import annotations

import pyomo.environ as pyo

from siting.solver.model._data import Data
from siting.solver.model._family import FamilySpec

FAMILY = FamilySpec("generation")


def add(m: pyo.ConcreteModel, d: Data, elastic: bool) -> None:
    if d.techs:
        return
    factor = (1.0 + d.params.reserve_margin) * d.params.generator_efficiency
    m.generation = pyo.Constraint(
        m.SITES, m.PERIODS, rule=lambda m, s, q: m.gen_mw[s] >= factor * m.gas_mw[s, q]
    )
