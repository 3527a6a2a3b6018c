"""Modular campus size.

For each site s ∈ S:

    min_modules[s] · open[s] ≤ modules[s] ≤ max_modules[s] · open[s]

so IT[s] = module_mw[s]·modules[s] is zero at closed sites and between the minimum and
maximum campus size at open ones. ``modules`` is integer unless the case makes it
continuous. The big-M values are the data's own module limits.

A site whose IT costs nothing and serves no share-of-IT hub (``Data.full_size``, only
without an energy system) is built at full size when open, as some optimal plan does:

    modules[s] = max_modules[s] · open[s]
"""

from __future__ import annotations

import pyomo.environ as pyo

from siting.solver.model._data import Data
from siting.solver.model._family import FamilySpec

FAMILY = FamilySpec("size")


def add(m: pyo.ConcreteModel, d: Data, elastic: bool) -> None:
    lo, hi = d.site("min_modules"), d.site("max_modules")
    m.size_min = pyo.Constraint(
        [s for s in m.SITES if lo[s] > 0], rule=lambda m, s: m.modules[s] >= lo[s] * m.open[s]
    )
    full = d.full_size
    m.size_max = pyo.Constraint(
        m.SITES,
        rule=lambda m, s: (
            m.modules[s] == hi[s] * m.open[s] if s in full else m.modules[s] <= hi[s] * m.open[s]
        ),
    )
