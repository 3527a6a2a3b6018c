"""At most k, at least k, or exactly p open sites.

    Σ_s open[s] ≤ max_sites                                        (if set)
    Σ_s open[s] ≥ min_sites                                        (if set)

With min_sites = max_sites = p this is the "exactly p" rule of the p-median problem.
Elastic mode adds ``excess ≥ 0`` sites to the first and ``shortfall ≥ 0`` to the second,
each weighted like one module of IT per site.
"""

from __future__ import annotations

import pyomo.environ as pyo

from siting.solver.model._data import Data
from siting.solver.model._elastic import slack
from siting.solver.model._family import FamilySpec

FAMILY = FamilySpec(
    "site_count",
    unit="extra sites needed",
    fix="raise objective.max_sites or the module limits",
    slack_weight=1.0,
    per_module=True,
)
FAMILY_MIN = FamilySpec(
    "site_count_min",
    unit="sites short of the minimum",
    fix="lower objective.min_sites or add candidate sites",
    slack_weight=1.0,
    per_module=True,
    checked_as="site_count",
)


def add(m: pyo.ConcreteModel, d: Data, elastic: bool) -> None:
    p = d.params
    if p.max_sites is not None:
        excess = slack(m, d, FAMILY, None) if elastic else 0
        m.site_count = pyo.Constraint(
            expr=pyo.quicksum(m.open[s] for s in m.SITES) <= m.max_sites + excess
        )
    if p.min_sites:
        short = slack(m, d, FAMILY_MIN, None) if elastic else 0
        m.site_count_min = pyo.Constraint(
            expr=pyo.quicksum(m.open[s] for s in m.SITES) + short >= p.min_sites
        )
