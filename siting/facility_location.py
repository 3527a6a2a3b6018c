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

from siting.config import FormulationConfig
from siting.errors import DataError
from siting.inputs import (
    ARC_COLUMNS,
    CLIQUE_COLUMNS,
    NODE_COLUMNS,
    SITE_COLUMNS,
    ModelInputs,
    Params,
)

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


def facility_inputs(
    problem: FacilityProblem,
    *,
    p: int | None = None,
    exactly: bool = True,
    formulation: FormulationConfig | None = None,
) -> ModelInputs:
    """The siting model's inputs for ``problem``; ``p`` sites exactly (or at most p)."""
    where = f"{problem.source} ({problem.name})"
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
    if p is not None and not 0 < p <= len(sites):
        raise DataError(f"{where}: p = {p} must be between 1 and the {len(sites)} sites")

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

    site_table = pd.DataFrame(
        {
            "node_id": None,
            "lon": _optional(problem.site_lon, sites),
            "lat": _optional(problem.site_lat, sites),
            "module_mw": capacity,
            "min_modules": 0,
            "max_modules": 1,
            "pue": 1.0,
            "capex_multiplier": 1.0,
            "open_cost_musd_y": fixed,
            "it_cost_musd_per_mw_y": 0.0,
            "gen_cost_musd_per_mw_y": 0.0,
            "gas_price_factor": 1.0,
            "grid_id": None,
            "grid_link_cost_musd_y": 0.0,
            "open_capex_musd": 0.0,
            "it_capex_musd_per_mw": 0.0,
            "gen_capex_musd_per_mw": 0.0,
            "grid_link_capex_musd": 0.0,
        },
        index=pd.Index(sites.astype(str), name="site_id"),
        columns=SITE_COLUMNS,
    )
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
    )
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
