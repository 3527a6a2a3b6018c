"""Sites proven closed or open before the solve, and a starting plan.

:func:`siting.solver.lagrangian.lagrangian_bound` proves that every optimal plan keeps the sites in
``closed`` closed and the sites in ``opened`` open (their forced Lagrangian bounds exceed
the cost of a known plan). The model states that as fixed values:

    open[s] = 0, modules[s] = 0, serve_mw[s,h] = 0      for s ∈ closed
    open[s] = 1                                         for s ∈ opened

so the solver only decides the other sites. The known plan is set as the variables'
values, for the solver to start from; when symmetry breaking orders identical sites, the
plan's identical sites are swapped into that order first so that the start is feasible.
"""

from __future__ import annotations

from collections import defaultdict

import pyomo.environ as pyo

from siting.solver.lagrangian import LagrangianResult
from siting.solver.model._data import Data
from siting.solver.model.symmetry import identical_site_groups


def add(m: pyo.ConcreteModel, d: Data, result: LagrangianResult | None) -> None:
    if result is None:
        return
    pairs_of: dict[object, list] = defaultdict(list)
    for pair in d.serve_pairs:
        pairs_of[pair[0]].append(pair)
    for s in result.closed:
        m.open[s].fix(0)
        m.modules[s].fix(0)
        for pair in pairs_of[s]:
            m.serve_mw[pair].fix(0)
    for s in result.opened:
        m.open[s].fix(1)
    if not result.has_plan:
        return
    planned = set(result.plan_open)
    serve = dict(zip(d.serve_pairs, result.plan_serve_mw.tolist(), strict=True))
    if d.params.formulation.symmetry_breaking:
        for group in identical_site_groups(d.inputs):
            ordered = [s for s in group if s in planned] + [s for s in group if s not in planned]
            moved = {new: old for new, old in zip(group, ordered, strict=True) if new != old}
            if moved:
                before = {s: sorted(pairs_of[s], key=lambda k: str(k[1])) for s in group}
                values = {pair: serve[pair] for s in group for pair in before[s]}
                for new, old in moved.items():
                    for pair_new, pair_old in zip(before[new], before[old], strict=True):
                        serve[pair_new] = values[pair_old]
                planned = (planned - set(group)) | set(group[: len(planned & set(group))])
    max_modules = d.site("max_modules")
    for s in m.SITES:
        is_open = s in planned
        m.open[s].set_value(int(is_open))
        m.modules[s].set_value(max_modules[s] if is_open else 0)
    for pair, var in m.serve_mw.items():
        var.set_value(serve[pair], skip_validation=True)
