"""Grid connection with shared spare capacity in every period.

Each site s may connect to its nearest grid node g(s), whose spare capacity in period p is
spare_mw[g,p]; with F[s,p] = PUE[s,p]·max_IT[s]:

    grid_mw[s,p] ≤ u[s,p] · grid_link[s]        u[s,p] = min(spare_mw[g(s),p], F[s,p])
    grid_link[s] ≤ open[s]
    Σ_{s : g(s) = g} grid_mw[s,p] ≤ spare_mw[g,p]    for every grid node g and period p

When a grid capacity or connection charge is charged per MW, or a firm share is credited to
the connection, sites contract a grid capacity once for all periods:

    grid_mw[s,p] ≤ grid_cap_mw[s] ≤ max_p u[s,p] · grid_link[s]

The link is a yes/no decision with a fixed cost (line and substation). Elastic mode adds
``over[g,p] ≥ 0`` to the shared limit: how much more spare capacity node g would need.
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
    grid_of, spare, facility = d.grid_of, d.grid_spare_p, d.facility_mw
    linked = [s for s in m.SITES if not m.grid_link[s].fixed]

    def limit(s: object, q: object) -> float:
        return facility[s, q] if elastic else min(spare[grid_of[s], q], facility[s, q])

    contracted = hasattr(m, "grid_cap_mw")
    if contracted:
        m.grid_contract = pyo.Constraint(
            [(s, q) for s in linked for q in m.PERIODS],
            rule=lambda m, s, q: m.grid_mw[s, q] <= m.grid_cap_mw[s],
        )
        m.grid_link_limit = pyo.Constraint(
            linked,
            rule=lambda m, s: (
                m.grid_cap_mw[s] <= max(limit(s, q) for q in m.PERIODS) * m.grid_link[s]
            ),
        )
    else:
        m.grid_link_limit = pyo.Constraint(
            [(s, q) for s in linked for q in m.PERIODS],
            rule=lambda m, s, q: m.grid_mw[s, q] <= limit(s, q) * m.grid_link[s],
        )
    m.grid_link_open = pyo.Constraint(linked, rule=lambda m, s: m.grid_link[s] <= m.open[s])
    users = {g: [s for s in sites if not m.grid_link[s].fixed] for g, sites in d.grid_sites.items()}
    shared = [g for g, sites in users.items() if len(sites) > 1 or elastic]
    shared = [(g, q) for g in shared if users[g] for q in m.PERIODS]
    over = slack(m, d, FAMILY, shared) if elastic else None
    m.grid_spare = pyo.Constraint(
        shared,
        rule=lambda m, g, q: (
            sum(m.grid_mw[s, q] for s in users[g])
            <= spare[g, q] + (over[g, q] if over is not None else 0)
        ),
    )
