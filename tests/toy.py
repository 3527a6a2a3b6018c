"""Build tiny ModelInputs by hand for known-answer tests.

Defaults make every cost zero and every limit loose, so a test states only what matters.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from siting.inputs import (
    ARC_COLUMNS,
    CLIQUE_COLUMNS,
    GRID_COLUMNS,
    HUB_COLUMNS,
    SERVE_COLUMNS,
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
    **params: Any,
) -> ModelInputs:
    """nodes: {id: {supply, demand}}; arcs: {id: (from, to, capacity)}; sites: {id: {node, …}}."""
    node_df = pd.DataFrame(
        {
            "kind": ["field" if v.get("supply", 0) > 0 else "hub" for v in nodes.values()],
            "name": list(nodes),
            "lon": 0.0,
            "lat": 0.0,
            "supply_max_mw": [float(v.get("supply", 0.0)) for v in nodes.values()],
            "demand_mw": [float(v.get("demand", 0.0)) for v in nodes.values()],
        },
        index=pd.Index(list(nodes), name="node_id"),
    )
    arcs = arcs or {}
    arc_df = pd.DataFrame(
        [(a, f, t, float(c), 1.0, (arc_cost or {}).get(a, 0.0)) for a, (f, t, c) in arcs.items()],
        columns=["arc_id", *ARC_COLUMNS],
    ).set_index("arc_id")
    rows = []
    for sid, spec in (sites or {}).items():
        row = {**SITE_DEFAULTS, **{k: v for k, v in spec.items() if k != "node"}}
        row["node_id"] = spec["node"]
        row["site_id"] = sid
        rows.append(row)
    site_df = pd.DataFrame(rows).set_index("site_id")
    grid_df = pd.DataFrame(
        {"spare_mw": list((grid or {}).values()), "price_factor": 1.0},
        index=pd.Index(list(grid or {}), name="grid_id"),
        columns=GRID_COLUMNS,
    )
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
    return ModelInputs(
        node_df, arc_df, site_df, Params(**params), grid_df, hub_df, serve_df, clique_df
    ).validate()
