"""Grid connection with shared spare capacity.

Each site s may connect to its nearest grid node g(s) with spare capacity spare_mw[g]:

    grid_mw[s] ≤ u[s] · grid_link[s]            u[s] = min(spare_mw[g(s)], PUE[s]·max_IT[s])
    grid_link[s] ≤ open[s]
    Σ_{s : g(s) = g} grid_mw[s] ≤ spare_mw[g]    for every grid node g

The link is a yes/no decision with a fixed cost (line and substation). Elastic mode adds
``over[g] ≥ 0`` to the shared limit: how much more spare capacity node g would need.
"""

from __future__ import annotations

import pyomo.environ as pyo

from siting.inputs import Params
from siting.solver.model._data import Data
from siting.solver.model._elastic import slack
from siting.solver.model._family import FamilySpec


def _fix(p: Params) -> str:
    """On-site gas is offered as a way out only to a case that does not allow it yet."""
    more = "raise the grid node's spare capacity"
    return more if p.allow_gas else f"{more} or allow on-site gas (technology.allow_gas)"


FAMILY = FamilySpec(
    "grid", unit="MW of extra grid spare capacity needed", fix=_fix, slack_weight=1.0
)


def add(m: pyo.ConcreteModel, d: Data, elastic: bool) -> None:
    grid_of, spare, facility = d.grid_of, d.grid_spare, d.max_facility_mw
    linked = [s for s in m.SITES if not m.grid_link[s].fixed]
    m.grid_link_limit = pyo.Constraint(
        linked,
        rule=lambda m, s: (
            m.grid_mw[s]
            <= (facility[s] if elastic else min(spare[grid_of[s]], facility[s])) * m.grid_link[s]
        ),
    )
    m.grid_link_open = pyo.Constraint(linked, rule=lambda m, s: m.grid_link[s] <= m.open[s])
    users = {g: [s for s in sites if not m.grid_link[s].fixed] for g, sites in d.grid_sites.items()}
    shared = [g for g, sites in users.items() if len(sites) > 1 or elastic]
    shared = [g for g in shared if users[g]]
    over = slack(m, d, FAMILY, shared) if elastic else None
    m.grid_spare = pyo.Constraint(
        shared,
        rule=lambda m, g: (
            sum(m.grid_mw[s] for s in users[g]) <= spare[g] + (over[g] if over is not None else 0)
        ),
    )
