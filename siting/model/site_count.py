"""At most k open sites.

    Σ_s open[s] ≤ max_sites                                        (if set)

Elastic mode adds ``excess ≥ 0`` sites, weighted like one module of IT per site.
"""

from __future__ import annotations

import pyomo.environ as pyo

from siting.model._data import Data
from siting.model._elastic import slack

FAMILY = "site_count"


def add(m: pyo.ConcreteModel, d: Data, elastic: bool) -> None:
    if d.params.max_sites is None:
        return
    weight = float(d.inputs.sites["module_mw"].max()) if len(d.inputs.sites) else 1.0
    excess = slack(m, FAMILY, None, weight=weight) if elastic else 0
    m.site_count = pyo.Constraint(
        expr=pyo.quicksum(m.open[s] for s in m.SITES) <= m.max_sites + excess
    )
