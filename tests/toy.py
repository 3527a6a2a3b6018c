"""Build tiny ModelInputs by hand for known-answer tests.

Defaults make every cost zero and every limit loose, so a test states only what matters.

Model v2: ``periods`` gives period weights ({"winter": 0.5, "summer": 0.5}); then a node's
supply or demand, an arc's capacity, a grid node's spare and a site's PUE may each be a
{period: value} mapping (the annual value is their weighted mean). ``techs`` is a technology
menu ({name: {unit, efficiency, cost, capex, per_capex, vom, cap}}), ``grid_fuel`` the gas share, heat
rate and feeding node of grid nodes, ``grid_charges`` their capacity and connection charges
(MUSD per MW and year).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from siting.inputs import (
    ARC_COLUMNS,
    CLIQUE_COLUMNS,
    GRID_COLUMNS,
    HUB_COLUMNS,
    SERVE_COLUMNS,
    TECH_COLUMNS,
    ModelInputs,
    Params,
)

SITE_DEFAULTS: dict[str, Any] = {
    "lon": 0.0,
    "lat": 0.0,
    "module_mw": 10.0,
    "min_modules": 1,
    "max_modules": 5,
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


def toy(
    nodes: dict[str, dict[str, float]],
    arcs: dict[str, tuple[str, str, float]] | None = None,
    sites: dict[str, dict[str, Any]] | None = None,
    grid: dict[str, float] | None = None,
    hubs: dict[str, dict[str, float]] | None = None,
    serve: list[tuple[str, str, float]] | None = None,
    cliques: list[list[str]] | None = None,
    arc_cost: dict[str, float] | None = None,
    periods: dict[str, float] | None = None,
    techs: dict[str, dict[str, float]] | None = None,
    grid_fuel: dict[str, dict[str, Any]] | None = None,
    grid_charges: dict[str, dict[str, float]] | None = None,
    **params: Any,
) -> ModelInputs:
    """nodes: {id: {supply, demand, kind}}; arcs: {id: (from, to, capacity)}; sites: {id: {node, …}}."""
    weights = periods or {}

    def annual(value: Any) -> float:
        if isinstance(value, dict):
            return float(sum(weights[p] * v for p, v in value.items()))
        return float(value)

    def by_period(value: Any) -> dict[str, float]:
        if isinstance(value, dict):
            return {p: float(value[p]) for p in weights}
        return dict.fromkeys(weights, float(value))

    node_df = pd.DataFrame(
        {
            "kind": [
                v.get("kind", "field" if annual(v.get("supply", 0)) > 0 else "hub")
                for v in nodes.values()
            ],
            "name": list(nodes),
            "lon": 0.0,
            "lat": 0.0,
            "supply_max_mw": [annual(v.get("supply", 0.0)) for v in nodes.values()],
            "demand_mw": [annual(v.get("demand", 0.0)) for v in nodes.values()],
        },
        index=pd.Index(list(nodes), name="node_id"),
    )
    arcs = arcs or {}
    arc_df = pd.DataFrame(
        [(a, f, t, annual(c), 1.0, (arc_cost or {}).get(a, 0.0)) for a, (f, t, c) in arcs.items()],
        columns=["arc_id", *ARC_COLUMNS],
    ).set_index("arc_id")
    rows = []
    for sid, spec in (sites or {}).items():
        row = {**SITE_DEFAULTS, **{k: v for k, v in spec.items() if k != "node"}}
        row["pue"] = annual(row["pue"])
        row["node_id"] = spec["node"]
        row["site_id"] = sid
        rows.append(row)
    site_df = pd.DataFrame(rows).set_index("site_id")
    grid_df = pd.DataFrame(
        {"spare_mw": [annual(v) for v in (grid or {}).values()], "price_factor": 1.0},
        index=pd.Index(list(grid or {}), name="grid_id"),
        columns=GRID_COLUMNS,
    )
    if grid_fuel:
        fuel = [grid_fuel.get(g, {}) for g in grid_df.index]
        grid_df["gas_share"] = [float(f.get("gas_share", 0.0)) for f in fuel]
        grid_df["gas_heat_rate"] = [float(f.get("heat_rate", 0.0)) for f in fuel]
        grid_df["gas_node"] = [f.get("gas_node") for f in fuel]
    if grid_charges:
        charges = [grid_charges.get(g, {}) for g in grid_df.index]
        grid_df["capacity_charge_musd_per_mw_y"] = [c.get("capacity", 0.0) for c in charges]
        grid_df["connection_charge_musd_per_mw"] = [c.get("connection_capex", 0.0) for c in charges]
        grid_df["connection_cost_musd_per_mw_y"] = [c.get("connection", 0.0) for c in charges]
    hub_df = pd.DataFrame(
        [(h, v.get("demand", 0.0), v.get("share", 0.0)) for h, v in (hubs or {}).items()],
        columns=["hub_id", *HUB_COLUMNS],
    ).set_index("hub_id")
    serve_df = pd.DataFrame(
        [(s, h, rtt, 0.0) for s, h, rtt in (serve or [])], columns=SERVE_COLUMNS
    )
    clique_df = pd.DataFrame(
        [(i, s) for i, members in enumerate(cliques or []) for s in members], columns=CLIQUE_COLUMNS
    )
    v2: dict[str, pd.DataFrame] = {}
    if techs:
        v2["technologies"] = pd.DataFrame(
            [
                {
                    "tech_id": t,
                    "unit_mw": float(spec["unit"]),
                    "efficiency": float(spec["efficiency"]),
                    "cost_musd_per_mw_y": float(spec.get("cost", 0.0)),
                    "capex_musd_per_mw": float(spec.get("capex", 0.0)),
                    # all of the yearly cost moves with capex, where a capex is given
                    "annual_cost_per_capex": float(
                        spec.get(
                            "per_capex",
                            spec.get("cost", 0.0) / spec["capex"] if spec.get("capex") else 0.0,
                        )
                    ),
                    "variable_om_musd_per_mw_y": float(spec.get("vom", 0.0)),
                    "national_cap_mw": float(spec.get("cap", np.nan)),
                    "lifetime_years": 25.0,
                    "lead_time_years": 0.0,
                    "available": bool(spec.get("available", True)),
                }
                for t, spec in techs.items()
            ],
            columns=["tech_id", *TECH_COLUMNS],
        ).set_index("tech_id")
    if weights:
        v2["periods"] = pd.DataFrame(
            {"weight": list(weights.values()), "scenario": "base"},
            index=pd.Index(list(weights), name="period"),
        )

        def long(ids: list, values: list, id_name: str, column: str) -> pd.DataFrame:
            rows = [
                (i, p, by_period(v)[p]) for i, v in zip(ids, values, strict=True) for p in weights
            ]
            return pd.DataFrame(rows, columns=[id_name, "period", column]).set_index(
                [id_name, "period"]
            )

        node_ids = list(nodes)
        supply = long(
            node_ids, [v.get("supply", 0.0) for v in nodes.values()], "node_id", "supply_max_mw"
        )
        demand = long(
            node_ids, [v.get("demand", 0.0) for v in nodes.values()], "node_id", "demand_mw"
        )
        v2["node_periods"] = supply.join(demand)
        v2["arc_periods"] = long(
            list(arcs), [c for _f, _t, c in arcs.values()], "arc_id", "capacity_mw"
        )
        v2["grid_periods"] = long(
            list(grid or {}), list((grid or {}).values()), "grid_id", "spare_mw"
        )
        v2["site_periods"] = long(
            list(sites or {}),
            [spec.get("pue", 1.0) for spec in (sites or {}).values()],
            "site_id",
            "pue",
        )
    return ModelInputs(
        node_df, arc_df, site_df, Params(**params), grid_df, hub_df, serve_df, clique_df, **v2
    ).validate()
