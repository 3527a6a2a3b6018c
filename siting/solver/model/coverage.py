"""Covering: the maximal covering (MCLP) and location set covering (LSCP) objectives.

A covering model lists, in the serve table, the pairs P = {(s, h) : distance(s, h) ≤ r}
within the covering radius r; hub h weighs w[h] (its ``cover_weight``) and asks for no IT.

- ``max_cover`` (MCLP, Church & ReVelle 1974): with ``covered[h]`` ∈ [0, 1],

      covered[h] ≤ Σ_{s : (s,h) ∈ P} open[s]                          for every hub h
      covered[h] ≥ open[s]                                           for (s, h) ∈ P
      maximise Σ_h w[h]·covered[h]        (with Σ_s open[s] = p from ``site_count``)

  ``covered`` needs no integrality: for integral ``open`` the two rows make covered[h] =
  min(1, Σ open) ∈ {0, 1}. The second row never binds at an optimum (w ≥ 0); it makes
  every plan the solver reports, optimal or stopped at a limit, count exactly the hubs
  its open sites cover, so its objective is the one the checker recomputes.
- ``min_cover`` (LSCP, Toregas et al. 1971):

      Σ_{s : (s,h) ∈ P} open[s] ≥ 1                                    for every hub h
      minimise Σ_s open[s]

  Elastic mode adds ``uncovered[h] ≥ 0`` to the left-hand side.
"""

from __future__ import annotations

from collections import defaultdict

import pyomo.environ as pyo

from siting.inputs import COVER_OBJECTIVES
from siting.solver.model._data import Data
from siting.solver.model._elastic import slack
from siting.solver.model._family import FamilySpec

FAMILY = FamilySpec(
    "coverage",
    unit="demand points no open site covers",
    fix="raise the covering radius or add candidate sites within it of the uncovered points",
    slack_weight=1.0,
)


def covering_sites(d: Data) -> dict[object, list]:
    """Hub → the sites within its radius (the pairs of the serve table)."""
    sites_of: dict[object, list] = defaultdict(list)
    for s, h in d.serve_pairs:
        sites_of[h].append(s)
    return sites_of


def add(m: pyo.ConcreteModel, d: Data, elastic: bool) -> None:
    objective = d.params.objective
    if objective not in COVER_OBJECTIVES:
        return
    sites_of = covering_sites(d)
    if objective == "max_cover":
        m.covered = pyo.Var(m.HUBS, domain=pyo.NonNegativeReals, bounds=(0, 1))
        m.cover_link = pyo.Constraint(
            m.HUBS,
            rule=lambda m, h: m.covered[h] <= pyo.quicksum(m.open[s] for s in sites_of[h]),
        )
        m.cover_floor = pyo.Constraint(
            list(d.serve_pairs), rule=lambda m, s, h: m.covered[h] >= m.open[s]
        )
        return
    short = slack(m, d, FAMILY, m.HUBS) if elastic else None

    def cover(m: pyo.ConcreteModel, h: object) -> object:
        reach = pyo.quicksum(m.open[s] for s in sites_of[h])
        return reach + (short[h] if short is not None else 0) >= 1

    m.cover_all = pyo.Constraint(m.HUBS, rule=cover)
