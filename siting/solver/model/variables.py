"""Sets, decision variables and mutable parameters.

Every variable gets a finite bound implied by the data (so presolve can work):

- ``open[s]`` ∈ {0,1}, ``grid_link[s]`` ∈ {0,1} (fixed to 0 without a grid node or when grid
  supply is off);
- ``modules[s]`` ∈ ℤ (or ℝ) in [0, max_modules[s]];
- ``gas_mw[s,p]`` ∈ [0, PUE[s,p]·max_IT[s]/η] (0 when on-site gas is off), without a
  technology menu;
- ``gen_mw[s]`` ∈ [0, (1+r)·max_p PUE[s,p]·max_IT[s]], without a technology menu;
- with a menu T: ``units[s,t]`` ∈ ℤ in [0, U[s,t]] (see ``Data.unit_bound``),
  ``power_mw[s,t,p]`` ∈ [0, min(PUE[s,p]·max_IT[s], unit[t]·U[s,t])] (0 when on-site gas is
  off) and, under the N+1 rule, ``has[s,t]`` ∈ {0,1} and ``largest_mw[s]`` ∈ [0, max_t
  unit[t]];
- ``grid_mw[s,p]`` ∈ [0, min(spare[g(s),p], PUE[s,p]·max_IT[s])];
- ``grid_cap_mw[s]`` ∈ [0, min(max_p spare[g(s),p], max_p PUE[s,p]·max_IT[s])], the
  contracted grid capacity, only when a capacity or connection charge or a grid firm share
  is set;
- ``flow_mw[a,p]`` ∈ [0, Σ_f supply_max[f,p]] (the arc capacity family tightens it);
- ``supply_mw[f,p]`` ∈ [0, Σ_f supply_max[f,p]] (the field capacity family tightens it);
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

import math
from typing import Any

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
    m.PERIODS = pyo.Set(initialize=d.periods, ordered=True)
    m.SCENARIOS = pyo.Set(initialize=d.scenarios, ordered=True)
    m.TECHS = pyo.Set(initialize=d.techs, ordered=True)

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
    """Fuel or technology units, generation, grid, pipeline flow and field supply."""
    p = d.params
    facility = d.facility_mw
    max_facility = d.max_facility_mw
    spare = d.grid_spare_p
    grid_of = d.grid_of
    if d.techs:
        _add_units(m, d)
    else:
        eta = p.generator_efficiency
        m.gas_mw = pyo.Var(
            m.SITES,
            m.PERIODS,
            domain=pyo.NonNegativeReals,
            bounds=lambda _m, s, q: (0, facility[s, q] / eta if p.allow_gas else 0.0),
        )
        m.gen_mw = pyo.Var(
            m.SITES,
            domain=pyo.NonNegativeReals,
            bounds=lambda _m, s: (
                0,
                (1 + p.reserve_margin) * max_facility[s] if p.allow_gas else 0.0,
            ),
        )

    def grid_ub(_m: pyo.ConcreteModel, s: object, q: object) -> tuple[float, float]:
        g = grid_of.get(s)
        if g is None or not p.allow_grid:
            return (0.0, 0.0)
        return (0.0, facility[s, q] if elastic else min(spare[g, q], facility[s, q]))

    m.grid_mw = pyo.Var(m.SITES, m.PERIODS, domain=pyo.NonNegativeReals, bounds=grid_ub)
    m.grid_link = pyo.Var(m.SITES, domain=pyo.Binary)
    for s in m.SITES:
        if grid_of.get(s) is None or not p.allow_grid:
            m.grid_link[s].fix(0)
    if d.inputs.has_grid_charges:

        def cap_ub(_m: pyo.ConcreteModel, s: object) -> tuple[float, float]:
            g = grid_of.get(s)
            if g is None or not p.allow_grid:
                return (0.0, 0.0)
            most = max(spare[g, q] for q in d.periods)
            return (0.0, max_facility[s] if elastic else min(most, max_facility[s]))

        m.grid_cap_mw = pyo.Var(m.SITES, domain=pyo.NonNegativeReals, bounds=cap_ub)
    # elastic mode may need more gas than the fields hold: no supply-derived bound there
    total = d.total_supply_p
    m.flow_mw = pyo.Var(
        m.ARCS,
        m.PERIODS,
        domain=pyo.NonNegativeReals,
        bounds=lambda _m, a, q: (0, None if elastic else total[q]),
    )
    m.supply_mw = pyo.Var(
        m.FIELDS,
        m.PERIODS,
        domain=pyo.NonNegativeReals,
        bounds=lambda _m, f, q: (0, None if elastic else total[q]),
    )


#: a units variable with a larger bound is written as blocks of K units plus a count below K
SPLIT_UNITS_ABOVE = 64


def _add_units(m: pyo.ConcreteModel, d: Data) -> None:
    """Integer units of each technology, their output per period and (N+1) which are built.

    ``units[s,t]`` is an expression: the integer ``unit_count[s,t]``, plus K·``unit_blocks[s,t]``
    when U[s,t] > 64 (K = ⌈√(U+1)⌉, count < K). The plans are the same; no integer then has
    a domain of hundreds of values (1.5 MW engines on a 1 GW campus), over which HiGHS's root
    reduced-cost fixing works in time quadratic in the domain's size (measured: a third of
    the solve of the Russia v2 case)."""
    p = d.params
    bound, unit = d.unit_bound, d.tech("unit_mw")
    facility = d.facility_mw
    split = {k: math.ceil(math.sqrt(u + 1)) for k, u in bound.items() if u > SPLIT_UNITS_ABOVE}
    m.unit_count = pyo.Var(
        m.SITES,
        m.TECHS,
        domain=pyo.NonNegativeIntegers,
        bounds=lambda _m, s, t: (
            0,
            (split[s, t] - 1 if (s, t) in split else bound[s, t]) if p.allow_gas else 0,
        ),
    )
    m.UNIT_BLOCKS = pyo.Set(initialize=list(split), dimen=2, ordered=True)
    m.unit_blocks = pyo.Var(
        m.UNIT_BLOCKS,
        domain=pyo.NonNegativeIntegers,
        bounds=lambda _m, s, t: (0, bound[s, t] // split[s, t] if p.allow_gas else 0),
    )
    m.unit_block_size = split
    m.units = pyo.Expression(
        m.SITES,
        m.TECHS,
        rule=lambda m, s, t: (
            m.unit_count[s, t] + split[s, t] * m.unit_blocks[s, t]
            if (s, t) in split
            else m.unit_count[s, t]
        ),
    )
    m.power_mw = pyo.Var(
        m.SITES,
        m.TECHS,
        m.PERIODS,
        domain=pyo.NonNegativeReals,
        bounds=lambda _m, s, t, q: (
            0,
            min(facility[s, q], unit[t] * bound[s, t]) if p.allow_gas else 0.0,
        ),
    )
    if p.reliability == "n_plus_1":
        m.has = pyo.Var(m.SITES, m.TECHS, domain=pyo.Binary)
        largest = max(unit[t] for t in m.TECHS)
        m.largest_mw = pyo.Var(m.SITES, domain=pyo.NonNegativeReals, bounds=(0, largest))


def it_mw(m: pyo.ConcreteModel, d: Data) -> dict:
    """IT load per site as linear expressions: module_mw[s] · modules[s]."""
    module = d.site("module_mw")
    return {s: module[s] * m.modules[s] for s in m.SITES}


def onsite_mw(m: pyo.ConcreteModel, d: Data) -> dict[tuple, object]:
    """On-site electricity per (site, period): η·gas_mw[s,p], or Σ_t power_mw[s,t,p]."""
    if d.techs:
        return {
            (s, q): pyo.quicksum(m.power_mw[s, t, q] for t in m.TECHS)
            for s in m.SITES
            for q in m.PERIODS
        }
    eta = d.params.generator_efficiency
    return {(s, q): eta * m.gas_mw[s, q] for s in m.SITES for q in m.PERIODS}


def fuel_mw(m: pyo.ConcreteModel, d: Data) -> dict[tuple, Any]:
    """Gas burnt on site per (site, period): gas_mw[s,p], or Σ_t power_mw[s,t,p]/η_t."""
    if d.techs:
        eta = d.tech("efficiency")
        return {
            (s, q): pyo.quicksum(m.power_mw[s, t, q] / eta[t] for t in m.TECHS)
            for s in m.SITES
            for q in m.PERIODS
        }
    return {(s, q): m.gas_mw[s, q] for s in m.SITES for q in m.PERIODS}


def indirect_mw(m: pyo.ConcreteModel, d: Data) -> dict[tuple, Any]:
    """Gas burnt for grid power per (network node, period): Σ σ_gas[g]·HR[g]·grid_mw[s,p]
    over the sites s whose grid node g is fed from the node."""
    return {
        (n, q): pyo.quicksum(f * m.grid_mw[s, q] for s, f in pairs)
        for n, pairs in d.indirect_at.items()
        for q in m.PERIODS
    }
