"""The GIS layers of a solved run: plain GeoDataFrames built from a Solution and the case's
geometry, one per entity, all in EPSG:4326.

These are what ``sites.gpkg`` holds and what the maps draw, so a run folder alone is enough
to re-render every map and report.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely import LineString, Point

from siting import geo
from siting.geodata import GeoData
from siting.solution import Solution

#: every layer a run may hold, in drawing order (bottom first)
LAYERS = (
    "country",
    "exclusions",
    "borders",
    "fiber",
    "pipelines",
    "grid",
    "fields",
    "nodes",
    "hubs",
    "candidates",
    "grid_links",
    "fiber_links",
    "sites",
)
GEOMETRY_TYPES = {
    "country": "MultiPolygon",
    "exclusions": "MultiPolygon",
    "borders": "MultiLineString",
    "fiber": "MultiLineString",
    "pipelines": "LineString",
    "grid_links": "LineString",
    "fiber_links": "LineString",
}
#: candidate attributes that explain a site (distances, climate), joined to the site rows
SITE_CONTEXT = (
    "name",
    "on",
    "corridor",
    "town",
    "town_km",
    "fiber_km",
    "grid_km",
    "grid_voltage_kv",
    "border_km",
    "temp_mean_c",
    "arctic",
    "permafrost",
    "remoteness_multiplier",
)


def site_geometries(solution: Solution) -> gpd.GeoDataFrame:
    # object columns of numbers (from empty group-bys) would be written as text
    s = solution.sites.reset_index().infer_objects()
    return gpd.GeoDataFrame(
        s, geometry=[Point(x, y) for x, y in zip(s["lon"], s["lat"], strict=True)], crs="EPSG:4326"
    )


def corridor_flows(edges: gpd.GeoDataFrame, solution: Solution) -> gpd.GeoDataFrame:
    """Corridors with their flows in each direction, net flow, utilisation and free capacity."""
    arcs = solution.arcs
    flow = arcs["flow_mw"].to_dict()
    out = edges[
        ["u", "v", "length_km", "capacity_uv_mw", "capacity_vu_mw", "names", "geometry"]
    ].copy()
    out["flow_uv_mw"] = [flow.get(f"{u}>{v}", 0.0) for u, v in zip(out["u"], out["v"], strict=True)]
    out["flow_vu_mw"] = [flow.get(f"{v}>{u}", 0.0) for u, v in zip(out["u"], out["v"], strict=True)]
    out["net_flow_mw"] = out["flow_uv_mw"] - out["flow_vu_mw"]
    cap = np.where(out["net_flow_mw"] >= 0, out["capacity_uv_mw"], out["capacity_vu_mw"])
    out["capacity_mw"] = cap
    out["utilisation"] = np.where(
        cap > 0, out["net_flow_mw"].abs() / np.where(cap > 0, cap, 1), 0.0
    )
    out["free_capacity_mw"] = np.maximum(cap - out["net_flow_mw"].abs(), 0.0)
    out["net_flow_bcm_y"] = out["net_flow_mw"] / solution.params.mw_per_bcm_y
    out["free_capacity_bcm_y"] = out["free_capacity_mw"] / solution.params.mw_per_bcm_y
    if solution.is_v2:
        # with periods: the flows above are annual means; the peak is each corridor's
        # highest utilisation in any period and direction, and the period it occurs in
        peak, when = arcs["utilisation"].to_dict(), arcs["binding_period"].to_dict()
        pairs = list(zip(out["u"], out["v"], strict=True))
        both = [(f"{u}>{v}", f"{v}>{u}") for u, v in pairs]
        top = [max(ab, key=lambda a: peak.get(a, 0.0)) for ab in both]
        out["peak_utilisation"] = [peak.get(a, 0.0) for a in top]
        out["binding_period"] = [when.get(a, "") or "" for a in top]
    return gpd.GeoDataFrame(out, geometry="geometry", crs="EPSG:4326")


def grid_links(solution: Solution, grid: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    """One straight line per grid connection built: chosen site → its grid node."""
    chosen = solution.chosen
    chosen = chosen[chosen["grid_link"] == 1]
    rows, geoms = [], []
    if grid is not None and len(chosen):
        where = grid.set_index("grid_id").geometry
        for sid, r in chosen.iterrows():
            g = where[r["grid_id"]]
            rows.append(
                {
                    "site_id": sid,
                    "grid_id": r["grid_id"],
                    "grid_mw": r["grid_mw"],
                    "length_km": float(geo.geodesic_km(r["lon"], r["lat"], g.x, g.y)),
                }
            )
            geoms.append(LineString([(r["lon"], r["lat"]), (g.x, g.y)]))
    return _frame(rows, geoms, ["site_id", "grid_id", "grid_mw", "length_km"])


def fiber_links(solution: Solution, fiber: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    """One line per chosen site to the nearest point of the fibre backbone (the connection
    whose cost is in the site's fixed cost)."""
    chosen = solution.chosen
    rows: list[dict[str, object]] = []
    geoms: list[LineString] = []
    if fiber is not None and len(fiber) and len(chosen):
        coords, owner = geo.densify(fiber.geometry.to_numpy(), 2.0)
        idx, dist = geo.nearest(
            chosen["lon"].to_numpy(float), chosen["lat"].to_numpy(float), coords[:, 0], coords[:, 1]
        )
        ids = fiber.iloc[:, 0].astype(str).to_numpy()
        for (sid, r), i, km in zip(chosen.iterrows(), idx, dist, strict=True):
            rows.append({"site_id": sid, "fiber_id": ids[owner[i]], "length_km": float(km)})
            geoms.append(LineString([(r["lon"], r["lat"]), tuple(coords[i])]))
    return _frame(rows, geoms, ["site_id", "fiber_id", "length_km"])


def _frame(rows: list[dict[str, object]], geoms: list, columns: list[str]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        pd.DataFrame(rows, columns=columns), geometry=gpd.GeoSeries(geoms), crs="EPSG:4326"
    )


def chosen_sites(solution: Solution, candidates: pd.DataFrame) -> gpd.GeoDataFrame:
    """The chosen sites: decisions and every cost term, plus their distances and climate."""
    sites = site_geometries(solution)
    sites = sites[sites["open"] == 1]
    context = [c for c in SITE_CONTEXT if c in candidates.columns and c not in sites.columns]
    if context:
        extra = pd.DataFrame(candidates).set_index("site_id")[context]
        sites = sites.merge(extra, left_on="site_id", right_index=True, how="left")
    return gpd.GeoDataFrame(sites, geometry="geometry", crs="EPSG:4326")


def run_layers(
    solution: Solution,
    candidates: gpd.GeoDataFrame,
    edges: gpd.GeoDataFrame,
    nodes_geo: gpd.GeoDataFrame | None = None,
    data: GeoData | None = None,
) -> dict[str, gpd.GeoDataFrame]:
    """Every layer of a run: decisions joined to geometry, plus the case's context layers."""
    cand = candidates.drop(columns=[c for c in ("edge_u", "edge_v") if c in candidates.columns])
    decided = solution.sites[
        ["open", "modules", "it_mw", "gas_mw", "grid_mw", "source", "cost_total_musd_y"]
    ]
    cand = cand.merge(decided, left_on="site_id", right_index=True, how="left")
    cand["open"] = cand["open"].fillna(0).astype(int)
    cand["source"] = cand["source"].fillna("")
    grid = data.grid if data is not None else None
    layers: dict[str, gpd.GeoDataFrame] = {
        "sites": chosen_sites(solution, cand),
        "candidates": cand,
        "pipelines": corridor_flows(edges, solution),
        "grid_links": grid_links(solution, grid),
    }
    if nodes_geo is not None:
        nodes = nodes_geo.drop(columns=[c for c in ("supply_mw",) if c in nodes_geo.columns])
        node_columns = ["supply_max_mw", "supply_mw", "burn_mw"]
        if solution.is_v2:
            node_columns += ["indirect_mw", "binding_period"]
        used = solution.nodes[node_columns]
        layers["nodes"] = nodes.merge(used, left_on="node_id", right_index=True, how="left")
        fields = layers["nodes"][layers["nodes"]["kind"] == "field"].copy()
        fields["supply_max_bcm_y"] = fields["supply_max_mw"] / solution.params.mw_per_bcm_y
        fields["supply_bcm_y"] = fields["supply_mw"] / solution.params.mw_per_bcm_y
        fields["utilisation"] = np.where(
            fields["supply_max_mw"] > 0,
            fields["supply_mw"] / fields["supply_max_mw"].where(fields["supply_max_mw"] > 0, 1),
            0.0,
        )
        layers["fields"] = gpd.GeoDataFrame(fields, geometry="geometry", crs="EPSG:4326")
    if data is None:
        return layers
    if data.grid is not None:
        grid_columns = ["used_mw", "utilisation"]
        if solution.is_v2:
            grid_columns += ["gas_indirect_mw", "binding_period"]
        use = solution.grid_nodes[grid_columns]
        layers["grid"] = data.grid.merge(use, left_on="grid_id", right_index=True, how="left")
    if data.fiber is not None:
        layers["fiber"] = data.fiber
        layers["fiber_links"] = fiber_links(solution, data.fiber)
    if data.hubs is not None and len(solution.hubs):
        served = solution.hubs[["served_mw", "required_mw"]]
        layers["hubs"] = data.hubs.merge(served, left_on="hub_id", right_index=True, how="left")
    for name in ("country", "borders", "exclusions"):
        frame = getattr(data, name)
        if frame is not None:
            layers[name] = frame
    return {name: layers[name] for name in LAYERS if name in layers}
