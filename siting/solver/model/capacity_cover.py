"""Aggregate-capacity cover: enough capacity must open to meet all demand.

With max_IT[s] = module_mw[s]·max_modules[s] and D = Σ_h demand_mw[h] the absolute hub
demand:

    Σ_s max_IT[s]·open[s] ≥ D                                          (if D > 0)
    Σ_s open[s] ≥ k_min,   k_min = min{ k : the k largest max_IT sum to at least D }

Both are implied by the size and hub families (Σ_s IT[s] ≥ Σ_s Σ_h serve ≥ D and
IT[s] ≤ max_IT[s]·open[s]), so they never change the optimum. Stated explicitly they
give the solver a knapsack row to derive lifted cover and flow cover cuts from (Aardal,
"Reformulation of capacitated facility location problems: how redundant information can
help", Ann. Oper. Res. 1998), and the cardinality row is the rounding of the cover that the
LP relaxation misses: it opens ⌈D/capacity⌉ sites' worth instead of D/capacity.

The demand row is left out when the cardinality row implies it (any k_min sites hold the
demand, as with equal sizes): a redundant dense row only slows the solver down. For the
same reason there is no such row for an IT target: on the Russia case it made the
20-point gas-price sweep of ``benchmarks/sweep.py`` spend 25 % longer in HiGHS (11.1 s
against 8.9 s). k_min depends only on hub demand, which is data. Elastic mode leaves the
family out: its slacks may relax the rows these covers are implied by.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from siting.solver.model._data import Data
from siting.solver.model._family import FamilySpec

FAMILY = FamilySpec("capacity_cover")


def min_open_sites(max_it_mw: np.ndarray, demand_mw: float) -> int:
    """The fewest sites whose capacities can add up to ``demand_mw`` (0 without demand)."""
    if demand_mw <= 0:
        return 0
    largest_first = np.cumsum(np.sort(np.asarray(max_it_mw, dtype=float))[::-1])
    # if even all sites fall short, the cover row itself makes the model infeasible
    return min(int(np.searchsorted(largest_first, demand_mw * (1 - 1e-12))) + 1, len(largest_first))


def add(m: pyo.ConcreteModel, d: Data, elastic: bool) -> None:
    if elastic or not d.params.formulation.capacity_cover:
        return
    demand = d.total_demand_mw
    if demand > 0:
        max_it = d.max_it_mw
        capacity = pyo.quicksum(max_it[s] * m.open[s] for s in m.SITES if max_it[s])
        sizes = d.inputs.max_it_mw.to_numpy(float)
        k_min = min_open_sites(sizes, demand)
        if k_min > 1:
            m.cover_count = pyo.Constraint(expr=pyo.quicksum(m.open.values()) >= k_min)
        # any k_min sites covering the demand (equal sizes, say) make the first row redundant
        if np.sort(sizes)[:k_min].sum() < demand:
            m.cover_demand = pyo.Constraint(expr=capacity >= demand)
