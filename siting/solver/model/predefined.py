"""Predefined sites: sites that must stay open, optionally serving their whole capacity.

For every predefined site s ∈ F (``Params.predefined_sites``):

    open[s] ≥ 1
    Σ_h serve_mw[s,h] ≥ max_IT[s]                  (with ``fill_predefined``)

max_IT[s] = module_mw[s]·max_modules[s] is the site's capacity; the second row is spopt's
``fulfill_predefined_fac``: an existing facility is used to the full. Elastic mode adds
``unfilled[s] ≥ 0`` to the second row; the first needs no slack (a site can always open,
and ``site_count`` carries its own).
"""

from __future__ import annotations

from collections import defaultdict

import pyomo.environ as pyo

from siting.solver.model._data import Data
from siting.solver.model._elastic import slack
from siting.solver.model._family import FamilySpec

FAMILY = FamilySpec("predefined")
FAMILY_FILL = FamilySpec(
    "predefined_fill",
    unit="MW of a predefined site's capacity that no hub within reach can take",
    fix="drop fill_predefined, or give the predefined site reachable demand",
    slack_weight=1.0,
    checked_as="predefined",
)


def add(m: pyo.ConcreteModel, d: Data, elastic: bool) -> None:
    p = d.params
    if not p.predefined_sites:
        return
    sites = list(p.predefined_sites)
    m.predefined_open = pyo.Constraint(sites, rule=lambda m, s: m.open[s] >= 1)
    if not p.fill_predefined:
        return
    by_site: dict[object, list] = defaultdict(list)
    for (s, _h), var in m.serve_mw.items():
        by_site[s].append(var)
    max_it = d.max_it_mw
    short = slack(m, d, FAMILY_FILL, sites) if elastic else None
    m.predefined_fill = pyo.Constraint(
        sites,
        rule=lambda m, s: (
            pyo.quicksum(by_site[s]) + (short[s] if short is not None else 0) >= max_it[s]
        ),
    )
