"""Sites proven closed or open before the solve, and a starting plan.

:func:`siting.lagrangian.lagrangian_bound` proves that every optimal plan keeps the sites in
``closed`` closed and the sites in ``opened`` open (their forced Lagrangian bounds exceed
the cost of a known plan). The model states that as fixed values:

    open[s] = 0, modules[s] = 0, serve_mw[s,h] = 0      for s ∈ closed
    open[s] = 1                                         for s ∈ opened

so the solver only decides the other sites. The known plan is set as the variables'
values, for the solver to start from.
"""

from __future__ import annotations

from collections import defaultdict

import pyomo.environ as pyo

from siting.lagrangian import LagrangianResult
from siting.model._data import Data

FAMILY = "fixing"


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
    if result.has_plan:
        max_modules = d.site("max_modules")
        planned = set(result.plan_open)
        for s in m.SITES:
            is_open = s in planned
            m.open[s].set_value(int(is_open))
            m.modules[s].set_value(max_modules[s] if is_open else 0)
        for pair, value in zip(d.serve_pairs, result.plan_serve_mw.tolist(), strict=True):
            m.serve_mw[pair].set_value(value, skip_validation=True)
