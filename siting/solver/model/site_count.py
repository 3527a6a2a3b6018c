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

FAMILY = "site_count"
FAMILY_MIN = "site_count_min"


def add(m: pyo.ConcreteModel, d: Data, elastic: bool) -> None:
    p = d.params
    weight = float(d.inputs.sites["module_mw"].max()) if len(d.inputs.sites) else 1.0
    if p.max_sites is not None:
        excess = slack(m, FAMILY, None, weight=weight) if elastic else 0
        m.site_count = pyo.Constraint(
            expr=pyo.quicksum(m.open[s] for s in m.SITES) <= m.max_sites + excess
        )
    if p.min_sites:
        short = slack(m, FAMILY_MIN, None, weight=weight) if elastic else 0
        m.site_count_min = pyo.Constraint(
            expr=pyo.quicksum(m.open[s] for s in m.SITES) + short >= m.min_sites
        )
