"""Sets, decision variables and mutable parameters.

Every variable gets a finite bound implied by the data (so presolve can work):

- ``open[s]`` ∈ {0,1}, ``grid_link[s]`` ∈ {0,1} (fixed to 0 without a grid node or when grid
  supply is off);
- ``modules[s]`` ∈ ℤ (or ℝ) in [0, max_modules[s]];
- ``gas_mw[s]`` ∈ [0, PUE[s]·max_IT[s]/η] (0 when on-site gas is off);
- ``gen_mw[s]`` ∈ [0, (1+r)·PUE[s]·max_IT[s]];
- ``grid_mw[s]`` ∈ [0, min(spare[g(s)], PUE[s]·max_IT[s])];
- ``flow_mw[a]`` ∈ [0, Σ_f supply_max[f]] (the arc capacity family tightens it);
- ``supply_mw[f]`` ∈ [0, Σ_f supply_max[f]] (the field capacity family tightens it);
- ``serve_mw[s,h]`` ∈ [0, U[s,h]] with U[s,h] = min(max_IT[s], demand[h] + share[h]·Σ_s max_IT[s])
  when the formulation tightens bounds (else U[s,h] = max_IT[s]). No optimal plan needs more:
  serving costs are ≥ 0, so serving a hub beyond its requirement never pays.

Without an energy system (``Params.energy_system=False``, plain facility location) only
``open``, ``modules`` and ``serve_mw`` exist.

``serve_mw`` carries a ``scaling_factor`` of 1/U[s,h], which the hand-off to the solver
applies (see ``siting.solver.highs.compile_arrays``).

In elastic mode the bounds that the slacks relax (supply, flow, grid spare) are dropped.

Scalars that sweeps change (prices, target, budget, site count) are mutable parameters, so
a persistent solver can update them without a rebuild; :mod:`siting.solver.parameters`
declares them.
"""

from __future__ import annotations

import pyomo.environ as pyo

from siting.solver.model._data import Data
from siting.solver.parameters import SCALARS


def add(m: pyo.ConcreteModel, d: Data, elastic: bool = False) -> None:
    p = d.params
    sites = d.inputs.sites
    m.NODES = pyo.Set(initialize=d.inputs.nodes.index.tolist(), ordered=True)
    m.ARCS = pyo.Set(initialize=d.inputs.arcs.index.tolist(), ordered=True)
    m.SITES = pyo.Set(initialize=sites.index.tolist(), ordered=True)
    m.FIELDS = pyo.Set(initialize=d.fields, ordered=True)
    m.GRID = pyo.Set(initialize=d.inputs.grid_nodes.index.tolist(), ordered=True)
    m.HUBS = pyo.Set(initialize=d.inputs.hubs.index.tolist(), ordered=True)
    m.SERVE = pyo.Set(initialize=d.serve_pairs, dimen=2, ordered=True)

    for q in SCALARS:
        value = getattr(p, q.field)
        # an unset optional value has no constraint to enter: 0 stands in for it
        m.add_component(q.component, pyo.Param(initialize=value or 0.0, mutable=True))

    max_mod = d.site("max_modules")
    m.open = pyo.Var(m.SITES, domain=pyo.Binary)
    m.modules = pyo.Var(
        m.SITES,
        domain=pyo.NonNegativeIntegers if p.integer_modules else pyo.NonNegativeReals,
        bounds=lambda _m, s: (0, max_mod[s]),
    )
    if p.energy_system:
        _add_energy(m, d, elastic)
    bounds = d.serve_bound_array
    m.serve_mw = pyo.Var(
        m.SERVE,
        domain=pyo.NonNegativeReals,
        bounds=dict(zip(d.serve_pairs, ((0.0, ub) for ub in bounds.tolist()), strict=True)),
    )
    # the solver sees serve_mw as a fraction of its bound (as the textbook x[s,h] ∈ [0,1]):
    # hubs of very different size then give equally scaled columns
    m.scaling_factor = pyo.Suffix(direction=pyo.Suffix.LOCAL)
    m.scaling_factor.update(
        (var, 1.0 / ub)
        for var, ub in zip(m.serve_mw.values(), bounds.tolist(), strict=True)
        if ub > 0
    )


def _add_energy(m: pyo.ConcreteModel, d: Data, elastic: bool) -> None:
    """Fuel, generation, grid, pipeline flow and field supply."""
    p = d.params
    facility = d.max_facility_mw
    eta = p.generator_efficiency
    spare = d.grid_spare
    grid_of = d.grid_of
    total_supply = d.total_supply_mw
    m.gas_mw = pyo.Var(
        m.SITES,
        domain=pyo.NonNegativeReals,
        bounds=lambda _m, s: (0, facility[s] / eta if p.allow_gas else 0.0),
    )
    m.gen_mw = pyo.Var(
        m.SITES,
        domain=pyo.NonNegativeReals,
        bounds=lambda _m, s: (0, (1 + p.reserve_margin) * facility[s] if p.allow_gas else 0.0),
    )

    def grid_ub(_m: pyo.ConcreteModel, s: object) -> tuple[float, float]:
        g = grid_of.get(s)
        if g is None or not p.allow_grid:
            return (0.0, 0.0)
        return (0.0, facility[s] if elastic else min(spare[g], facility[s]))

    m.grid_mw = pyo.Var(m.SITES, domain=pyo.NonNegativeReals, bounds=grid_ub)
    m.grid_link = pyo.Var(m.SITES, domain=pyo.Binary)
    for s in m.SITES:
        if grid_of.get(s) is None or not p.allow_grid:
            m.grid_link[s].fix(0)
    # elastic mode may need more gas than the fields hold: no supply-derived bound there
    flow_ub = None if elastic else total_supply
    m.flow_mw = pyo.Var(m.ARCS, domain=pyo.NonNegativeReals, bounds=(0, flow_ub))
    m.supply_mw = pyo.Var(m.FIELDS, domain=pyo.NonNegativeReals, bounds=(0, flow_ub))


def it_mw(m: pyo.ConcreteModel, d: Data) -> dict:
    """IT load per site as linear expressions: module_mw[s] · modules[s]."""
    module = d.site("module_mw")
    return {s: module[s] * m.modules[s] for s in m.SITES}
