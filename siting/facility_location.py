"""Facility location through the siting model: CFLP, UFLP and p-median as ``ModelInputs``.

A facility-location instance is the siting model without its energy system: candidate
sites with a fixed cost and a capacity, customers (demand hubs) with a demand, and a cost
for serving a customer from a site. :func:`facility_inputs` writes it as ``ModelInputs``:

- site s: ``open_cost_musd_y`` = fixed cost f_s; IT capacity = ``module_mw`` · modules with
  one continuous module of ``module_mw`` = capacity c_s (the total demand when
  uncapacitated);
- customer h: a hub with ``demand_mw`` = d_h;
- pair (s, h): a serve row whose cost per unit served is k[s,h] (``cost_per="unit"``) or
  k[s,h]/d_h when k is the cost of serving *all* of h's demand (``cost_per="customer"``,
  the OR-Library convention); pairs with a missing (NaN) cost cannot serve;
- ``p``: at most p sites, or exactly p (p-median).

Then the model is the textbook one with serve_mw[s,h] = d_h·x[s,h]:

    min Σ_s f_s·open[s] + Σ_{s,h} k[s,h]/d_h·serve_mw[s,h]
    s.t. Σ_s serve_mw[s,h] ≥ d_h,  Σ_h serve_mw[s,h] ≤ c_s·open[s],  (Σ_s open[s] = p)

Units are whatever the instance uses; the ``_mw`` and ``_musd`` column names only say
where the numbers go.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import ValidationError

from siting.config import FacilityConfig, FormulationConfig
from siting.errors import DataError
from siting.inputs import (
    ARC_COLUMNS,
    CLIQUE_COLUMNS,
    NODE_COLUMNS,
    SITE_COLUMNS,
    ModelInputs,
    Params,
)
from siting.io.case_file import format_errors

CostPer = Literal["unit", "customer"]


@dataclass(frozen=True)
class FacilityProblem:
    """A facility-location instance as plain tables.

    ``cost`` is sites × customers (NaN: the pair cannot serve). ``capacity`` is None for an
    uncapacitated instance. ``source`` names where it came from, for error messages.
    """

    name: str
    cost: pd.DataFrame
    demand: pd.Series
    fixed_cost: pd.Series
    capacity: pd.Series | None = None
    cost_per: CostPer = "unit"
    site_lon: pd.Series | None = None
    site_lat: pd.Series | None = None
    source: str = "<memory>"

    @property
    def sites(self) -> pd.Index:
        return self.cost.index

    @property
    def customers(self) -> pd.Index:
        return self.cost.columns

    def uncapacitated(self) -> FacilityProblem:
        return replace(self, capacity=None)


def facility_config(where: str, **settings: object) -> FacilityConfig:
    """The facility-location settings, checked strictly (one line per bad key)."""
    try:
        return FacilityConfig.model_validate(settings)
    except ValidationError as exc:
        raise DataError(format_errors(exc, where, {}, FacilityConfig)) from None


def facility_inputs(
    problem: FacilityProblem,
    *,
    p: int | None = None,
    exactly: bool = True,
    formulation: FormulationConfig | None = None,
    objective: str = "min_cost",
    radius: float | None = None,
    predefined: tuple[str, ...] | list[str] = (),
    fill_predefined: bool = False,
) -> ModelInputs:
    """The siting model's inputs for ``problem``; ``p`` sites exactly (or at most p).

    ``objective``, ``radius``, ``predefined`` and ``fill_predefined`` are those of
    :class:`~siting.config.FacilityConfig` (maximal covering, set covering, sites that
    must stay open).
    """
    where = f"{problem.source} ({problem.name})"
    config = facility_config(
        where,
        objective=objective,
        p=p,
        exactly=exactly,
        radius=radius,
        predefined=tuple(predefined),
        fill_predefined=fill_predefined,
    )
    if config.objective != "min_cost":
        return _cover_inputs(problem, config, where, formulation)
    cost = problem.cost.to_numpy(dtype=float)
    sites, customers = problem.sites, problem.customers
    demand = _aligned(problem.demand, customers, "demand", where)
    fixed = _aligned(problem.fixed_cost, sites, "fixed cost", where)
    for label, values, ids in (("demand", demand, customers), ("fixed cost", fixed, sites)):
        bad = ~np.isfinite(values) | (values < 0)
        if bad.any():
            raise DataError(f"{where}: {label} of {ids[bad][0]} must be finite and ≥ 0")
    if np.isinf(cost).any() or (cost < 0).any():
        i, j = np.argwhere(np.isinf(cost) | (cost < 0))[0]
        raise DataError(
            f"{where}: cost of serving {customers[j]} from {sites[i]} is {cost[i, j]}; costs "
            "must be finite and ≥ 0 (leave a pair empty, NaN, if it cannot serve)"
        )
    total = float(demand.sum())
    if problem.capacity is None:
        capacity = np.full(len(sites), total)
    else:
        capacity = _aligned(problem.capacity, sites, "capacity", where)
        bad = ~np.isfinite(capacity) | (capacity < 0)
        if bad.any():
            raise DataError(f"{where}: capacity of {sites[bad][0]} must be finite and ≥ 0")
    _check_count(config, sites, where)
    if config.fill_predefined:
        if problem.capacity is None:
            raise DataError(
                f"{where}: fill_predefined needs site capacities (the instance is uncapacitated)"
            )
        filled = capacity[sites.get_indexer(pd.Index(config.predefined))].sum()
        if filled > total * (1 + 1e-12):
            raise DataError(
                f"{where}: the predefined sites hold {filled:g} but the demand is only "
                f"{total:g}: they cannot all be filled; drop fill_predefined or some of them"
            )

    site_i, cust_j = np.nonzero(np.isfinite(cost))
    unit_cost = cost[site_i, cust_j]
    if problem.cost_per == "customer":
        zero = demand[cust_j] <= 0
        if zero.any():
            raise DataError(
                f"{where}: customer {customers[cust_j[zero][0]]} has zero demand, but its costs "
                "are per customer (cost of serving all its demand): give it a positive demand"
            )
        unit_cost = unit_cost / demand[cust_j]
    unserved = np.setdiff1d(np.flatnonzero(demand > 0), cust_j)
    if len(unserved):
        raise DataError(f"{where}: no site can serve customer {customers[unserved[0]]}")

    site_table = _site_table(sites, problem, module_mw=capacity, open_cost_musd_y=fixed)
    hubs = pd.DataFrame(
        {"demand_mw": demand, "share_of_it": 0.0},
        index=pd.Index(customers.astype(str), name="hub_id"),
    )
    serve = pd.DataFrame(
        {
            "site_id": site_table.index.to_numpy()[site_i],
            "hub_id": hubs.index.to_numpy()[cust_j],
            "rtt_ms": np.nan,
            "cost_musd_per_mw_y": unit_cost,
        }
    )
    params = Params(
        objective="min_cost",
        max_sites=p,
        min_sites=p if p is not None and exactly else None,
        integer_modules=False,
        allow_gas=False,
        allow_grid=False,
        energy_system=False,
        formulation=formulation or FormulationConfig(),
        predefined_sites=tuple(config.predefined),
        fill_predefined=config.fill_predefined,
    )
    return _inputs(site_table, hubs, serve, params)


def _inputs(
    site_table: pd.DataFrame, hubs: pd.DataFrame, serve: pd.DataFrame, params: Params
) -> ModelInputs:
    nodes = pd.DataFrame(columns=NODE_COLUMNS, index=pd.Index([], name="node_id"))
    arcs = pd.DataFrame(columns=ARC_COLUMNS, index=pd.Index([], name="arc_id"))
    return ModelInputs(
        nodes,
        arcs,
        site_table,
        params,
        hubs=hubs,
        serve=serve,
        cliques=pd.DataFrame(columns=CLIQUE_COLUMNS),
    ).validate()


def _check_count(config: FacilityConfig, sites: pd.Index, where: str) -> None:
    """p within the candidates; predefined sites among them."""
    p = config.p
    if p is not None and not 0 < p <= len(sites):
        raise DataError(f"{where}: p = {p} must be between 1 and the {len(sites)} sites")
    known = set(sites.astype(str))
    unknown = [s for s in config.predefined if s not in known]
    if unknown:
        raise DataError(
            f"{where}: predefined site {unknown[0]!r} is not a candidate site "
            f"(candidates: {', '.join(map(str, sites[:5]))}{', …' if len(sites) > 5 else ''})"
        )


def _site_table(sites: pd.Index, problem: FacilityProblem, **columns: object) -> pd.DataFrame:
    base: dict[str, object] = {
        "node_id": None,
        "lon": _optional(problem.site_lon, sites),
        "lat": _optional(problem.site_lat, sites),
        "module_mw": 0.0,
        "min_modules": 0,
        "max_modules": 1,
        "pue": 1.0,
        "capex_multiplier": 1.0,
        "open_cost_musd_y": 0.0,
        "it_cost_musd_per_mw_y": 0.0,
        "gen_cost_musd_per_mw_y": 0.0,
        "gas_price_factor": 1.0,
        "grid_id": None,
        "grid_link_cost_musd_y": 0.0,
        "open_capex_musd": 0.0,
        "it_capex_musd_per_mw": 0.0,
        "gen_capex_musd_per_mw": 0.0,
        "grid_link_capex_musd": 0.0,
    }
    return pd.DataFrame(
        {**base, **columns},
        index=pd.Index(sites.astype(str), name="site_id"),
        columns=SITE_COLUMNS,
    )


def _cover_inputs(
    problem: FacilityProblem,
    config: FacilityConfig,
    where: str,
    formulation: FormulationConfig | None,
) -> ModelInputs:
    """A covering model: hubs weighted by their demand, asking for no IT; serve rows are
    the pairs within the radius (see :mod:`siting.solver.model.coverage`)."""
    sites, customers = problem.sites, problem.customers
    cost = problem.cost.to_numpy(dtype=float)
    weight = _aligned(problem.demand, customers, "demand", where)
    bad = ~np.isfinite(weight) | (weight < 0)
    if bad.any():
        raise DataError(f"{where}: the weight of {customers[bad][0]} must be finite and ≥ 0")
    if problem.capacity is not None:
        raise DataError(
            f"{where}: {config.objective} ignores capacities: use the uncapacitated instance"
        )
    fixed = _aligned(problem.fixed_cost, sites, "fixed cost", where)
    if (fixed != 0).any():
        raise DataError(
            f"{where}: {config.objective} counts sites, not their fixed costs: set every "
            "fixed cost to 0 (or use the min_cost objective)"
        )
    _check_count(config, sites, where)
    radius = float(config.radius) if config.radius is not None else 0.0
    within = np.isfinite(cost) & (cost <= radius)
    if config.objective == "min_cover":
        alone = ~within.any(axis=0)
        if alone.any():
            nearest = np.nanmin(np.where(np.isfinite(cost), cost, np.nan)[:, alone], axis=0)
            raise DataError(
                f"{where}: no candidate site lies within radius {radius:g} of "
                f"{customers[alone][0]} (nearest {nearest[0]:g}; {int(alone.sum())} such "
                "points): min_cover cannot cover it; raise radius"
            )
    site_i, cust_j = np.nonzero(within)
    site_table = _site_table(sites, problem)
    hubs = pd.DataFrame(
        {"demand_mw": 0.0, "share_of_it": 0.0, "cover_weight": weight},
        index=pd.Index(customers.astype(str), name="hub_id"),
    )
    serve = pd.DataFrame(
        {
            "site_id": site_table.index.to_numpy()[site_i],
            "hub_id": hubs.index.to_numpy()[cust_j],
            "rtt_ms": np.nan,
            "cost_musd_per_mw_y": 0.0,
        }
    )
    p = config.p
    params = Params(
        objective=config.objective,
        max_sites=p,
        min_sites=p if p is not None and config.exactly else None,
        integer_modules=False,
        allow_gas=False,
        allow_grid=False,
        energy_system=False,
        formulation=formulation or FormulationConfig(),
        predefined_sites=tuple(config.predefined),
    )
    return _inputs(site_table, hubs, serve, params)


def _aligned(values: pd.Series, ids: pd.Index, label: str, where: str) -> np.ndarray:
    if not values.index.equals(ids):
        missing = ids.difference(values.index)
        if len(missing):
            raise DataError(f"{where}: no {label} for {missing[0]}")
        values = values.reindex(ids)
    return values.to_numpy(dtype=float)


def _optional(values: pd.Series | None, ids: pd.Index) -> np.ndarray:
    if values is None:
        return np.full(len(ids), np.nan)
    return values.reindex(ids).to_numpy(dtype=float)
