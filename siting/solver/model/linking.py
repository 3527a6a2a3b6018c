"""Strong (disaggregated) linking of serving to opening.

For every latency-feasible pair (s, h) ∈ P:

    serve_mw[s,h] ≤ U[s,h] · open[s]

where U[s,h] = min(max_IT[s], demand[h] + share[h]·Σ_s max_IT[s]) is the serve bound of
``variables`` (max_IT[s] when the formulation does not tighten bounds). The size and hub
families already imply the aggregate form Σ_h serve_mw[s,h] ≤ IT[s] ≤ max_IT[s]·open[s];
its LP relaxation lets a site open a sliver to serve many hubs fully. The disaggregated
rows forbid that: with them the LP bound of uncapacitated facility location is the strong
one (Cornuéjols, Nemhauser & Wolsey 1990), and they are the "plain strong formulation" of
capacitated facility location that the OR-Library benchmarks are usually solved with.

U[s,h] never cuts off an optimal plan: serving costs are validated to be ≥ 0, so serving a
hub beyond its requirement never pays. Sites proven closed (``fixing``) get no rows.
"""

from __future__ import annotations

import pyomo.environ as pyo

from siting.solver.model._data import Data
from siting.solver.model._family import FamilySpec

FAMILY = FamilySpec("linking")


def add(m: pyo.ConcreteModel, d: Data, elastic: bool) -> None:
    if not d.params.formulation.strong_linking or not d.serve_pairs:
        return
    bound = d.serve_bound_mw
    pairs = [k for k in d.serve_pairs if k[0] not in d.closed] if d.closed else d.serve_pairs
    serve, open_ = dict(m.serve_mw.items()), dict(m.open.items())
    m.serve_link = pyo.Constraint(pairs, rule=lambda m, s, h: serve[s, h] <= bound[s, h] * open_[s])
