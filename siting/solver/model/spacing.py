"""Minimum spacing between open sites, as clique inequalities.

Sites closer than ``min_spacing_km`` conflict. The conflict pairs are covered by cliques C
(every pair of sites in C conflicts), and for each clique:

    Σ_{s ∈ C} open[s] ≤ 1

This is stronger than one inequality per pair and needs fewer rows. Elastic mode adds
``excess[C] ≥ 0``.
"""

from __future__ import annotations

import pyomo.environ as pyo

from siting.solver.model._data import Data
from siting.solver.model._elastic import slack
from siting.solver.model._family import FamilySpec

FAMILY = FamilySpec(
    "spacing",
    unit="sites too close together",
    fix="lower objective.min_spacing_km",
    slack_weight=1.0,
    per_module=True,
)


def add(m: pyo.ConcreteModel, d: Data, elastic: bool) -> None:
    cliques = d.inputs.cliques
    if cliques.empty:
        return
    members: dict[int, list[str]] = {}
    for clique, site in zip(
        cliques["clique_id"].tolist(), cliques["site_id"].tolist(), strict=True
    ):
        members.setdefault(clique, []).append(site)
    m.CLIQUES = pyo.Set(initialize=sorted(members), ordered=True)
    excess = slack(m, d, FAMILY, m.CLIQUES) if elastic else None
    m.spacing = pyo.Constraint(
        m.CLIQUES,
        rule=lambda m, c: (
            pyo.quicksum(m.open[s] for s in members[c])
            <= 1 + (excess[c] if excess is not None else 0)
        ),
    )
