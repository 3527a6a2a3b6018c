"""Bring-your-own-network at national scale: GEM's Russian pipelines, read, cleaned into a
network and covered with candidate sites every 10 km, each with all its attributes.

Prints, measured in one run: time to read and validate the file, time to build the network
(operating lines), the route-km before and after merging parallel drawings, the connected
components and the largest one's share, the number of candidates and the time to give them
every attribute (town, grid node and line, fibre, border, exclusion polygons, demand hub
latency, climate → PUE, Arctic/permafrost, country), total time and peak memory. Layers the
GEM file lacks (grid, fibre, border, exclusions, hubs) are synthetic but national in size.

    python benchmarks/byo_scale.py [PATH/russia_pipelines_fullres.geojson] [--spacing 10]

Targets: builder < 30 s; largest component ≥ 85 % of the operating route-km; about 10,000
candidates with all attributes in < 60 s in total and < 4 GB.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely import LineString, Point

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's siting, not another installed copy


def default_path() -> Path:
    shared = Path(os.environ.get("SITING_SHARED_DATA") or ROOT.parent / "shared" / "data")
    return shared / "gem-ggit" / "russia_pipelines_fullres.geojson"


def synthetic_layers(bounds: np.ndarray, seed: int = 11) -> dict[str, gpd.GeoDataFrame]:
    """Grid nodes and lines, fibre, a border, exclusion polygons and hubs over the network's
    extent, about as many as a national dataset has."""
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = bounds

    def walks(n: int, steps: int, step_deg: float) -> list[LineString]:
        start = np.column_stack([rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)])
        moves = rng.normal(0, step_deg, (n, steps, 2)).cumsum(axis=1)
        pts = start[:, None, :] + moves
        pts[..., 1] = np.clip(pts[..., 1], -85, 85)
        return [LineString(p) for p in pts]

    crs = "EPSG:4326"
    grid = gpd.GeoDataFrame(
        {
            "grid_id": [f"g{i}" for i in range(2000)],
            "voltage_kv": rng.choice([220, 330, 500, 750], 2000),
            "spare_mw": rng.uniform(50, 1500, 2000),
        },
        geometry=[
            Point(x, y)
            for x, y in zip(rng.uniform(x0, x1, 2000), rng.uniform(y0, y1, 2000), strict=True)
        ],
        crs=crs,
    )
    grid_lines = gpd.GeoDataFrame(
        {"line_id": [f"l{i}" for i in range(600)]}, geometry=walks(600, 60, 0.1), crs=crs
    )
    fiber = gpd.GeoDataFrame(
        {"fiber_id": [f"f{i}" for i in range(300)]}, geometry=walks(300, 80, 0.15), crs=crs
    )
    borders = gpd.GeoDataFrame({"border_id": ["b"]}, geometry=walks(1, 4000, 0.08), crs=crs)
    centres = shapely.points(rng.uniform(x0, x1, 300), rng.uniform(y0, y1, 300))
    exclusions = gpd.GeoDataFrame(
        {"reason": [f"protected area {i}" for i in range(300)]},
        geometry=shapely.buffer(centres, rng.uniform(0.05, 0.4, 300)),
        crs=crs,
    )
    hubs = gpd.GeoDataFrame(
        {
            "hub_id": [
                "moscow",
                "spb",
                "ekb",
                "nsk",
                "kazan",
                "krasnoyarsk",
                "vladivostok",
                "khabarovsk",
            ]
        },
        geometry=[
            Point(37.62, 55.75),
            Point(30.3, 59.94),
            Point(60.6, 56.84),
            Point(82.93, 55.02),
            Point(49.12, 55.79),
            Point(92.93, 56.04),
            Point(131.87, 43.11),
            Point(135.1, 48.46),
        ],
        crs=crs,
    )
    return {
        "grid": grid,
        "grid_lines": grid_lines,
        "fiber": fiber,
        "borders": borders,
        "exclusions": exclusions,
        "hubs": hubs,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=None)
    parser.add_argument("--spacing", type=float, default=10.0)
    args = parser.parse_args()
    path = args.path or default_path()

    from siting.api import load_case
    from siting.candidates import build_candidates
    from siting.geodata import (
        GeoData,
        standardise_grid,
        standardise_hubs,
        standardise_lines,
        standardise_polygons,
    )
    from siting.io.layers import load_geodata
    from siting.network import build_network

    case = load_case(
        ROOT / "models" / "gem-russia.yaml",
        overrides={
            "layers.pipelines.path": str(path),
            "candidates.spacing_km": args.spacing,
            "candidates.node_kinds": ["field", "junction"],
            "candidates.border_buffer_km": 30,
            "candidates.exclusion_buffer_km": 10,
            "candidates.max_rtt_ms": 60,
        },
    )
    t0 = time.perf_counter()
    data = load_geodata(case)
    t1 = time.perf_counter()
    network = build_network(data.pipelines, data.nodes, case.network)
    t2 = time.perf_counter()
    extra = synthetic_layers(network_bounds(network))
    conv = case.conversions
    data = GeoData(
        **{
            **data.__dict__,
            "grid": standardise_grid(extra["grid"], conv),
            "grid_lines": standardise_lines(extra["grid_lines"], "grid_lines", "line_id"),
            "fiber": standardise_lines(extra["fiber"], "fiber", "fiber_id"),
            "borders": standardise_lines(extra["borders"], "borders", "border_id"),
            "exclusions": standardise_polygons(extra["exclusions"], "exclusions"),
            "hubs": standardise_hubs(extra["hubs"]),
        }
    )
    t3 = time.perf_counter()
    candidates = build_candidates(network, data, case)
    t4 = time.perf_counter()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    r = network.report
    sites = candidates.sites
    attrs = [
        "town_km",
        "grid_km",
        "grid_line_km",
        "fiber_km",
        "border_km",
        "exclusion_km",
        "hub_rtt_ms",
        "temp_mean_c",
        "pue",
        "arctic",
        "permafrost",
        "country",
    ]
    missing = [a for a in attrs if a not in sites.columns or sites[a].isna().any()]
    reasons = sites.loc[~sites["eligible"], "exclusion_reason"].str.split("; ").explode()
    reasons = reasons.str.replace(r"\(nearest place .*\)", "(…)", regex=True)
    reasons = reasons.str.replace(r"excluded area: .*", "excluded area", regex=True)
    reasons = reasons.str.replace(r"excluded area \(.*\)", "excluded area (…)", regex=True)
    print(f"GEM file: {path}")
    print(f"read and validate            {t1 - t0:7.1f} s   ({len(data.pipelines)} features)")
    print(f"build network (operating)    {t2 - t1:7.1f} s   target < 30 s")
    print(f"  drawn route-km             {r.input_km:9,.0f}")
    print(f"  merged parallel drawings   {r.merged_km:9,.0f} km")
    print(
        f"  network route-km           {r.route_km:9,.0f}   ({r.n_nodes} nodes, {r.n_edges} corridors)"
    )
    print(
        f"  components                 {len(r.components):9d}   largest {r.largest_component_share:.1%} "
        "of route-km (target ≥ 85 %)"
    )
    print(
        f"  junctions added            {r.junctions_added:9d}   ({r.end_joins} end joins, "
        f"{r.t_junctions} T, {r.crossings} crossings); slivers removed {r.slivers_km:.1f} km"
    )
    print(
        f"candidates at {args.spacing:g} km         {t4 - t3:7.1f} s   {len(sites):,} sites, {int(sites['eligible'].sum()):,} eligible"
    )
    print(f"  attributes                 {', '.join(a for a in attrs if a not in missing)}")
    if missing:
        print(f"  MISSING attributes         {', '.join(missing)}")
    for why, n in reasons.value_counts().head(6).items():
        print(f"  excluded: {n:6,d} × {why}")
    total = (t2 - t0) + (t4 - t3)
    print(f"total (read + network + candidates) {total:6.1f} s   target < 60 s")
    print(f"peak memory                  {peak_mb:7,.0f} MB  target < 4,096 MB")


def network_bounds(network: object) -> np.ndarray:
    g = network.graph  # type: ignore[attr-defined]
    lon = np.array([d["lon"] for _, d in g.nodes(data=True)])
    lat = np.array([d["lat"] for _, d in g.nodes(data=True)])
    return np.array([lon.min(), lat.min(), lon.max(), lat.max()])


if __name__ == "__main__":
    pd.set_option("display.width", 120)
    main()
