"""A synthetic gas network of any size, in the file schema, for benchmarks.

Nodes are scattered over a Siberia-sized box and joined by a minimum spanning tree plus a
few loops; fields sit in the north, committed demand in the south-west. Capacities are
generous so every size is feasible; the candidate spacing is chosen to give about the
requested number of candidate sites.
"""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
from scipy.spatial import Delaunay
from shapely import LineString, Point

from siting import geo
from siting.config import Case
from siting.geodata import (
    GeoData,
    standardise_grid,
    standardise_lines,
    standardise_nodes,
    standardise_pipelines,
    standardise_points_table,
)
from siting.io.case_file import case_from_dict


def synthetic(n_candidates: int, seed: int = 7, n_nodes: int = 400) -> tuple[Case, GeoData]:
    rng = np.random.default_rng(seed)
    lon = rng.uniform(40, 100, n_nodes)
    lat = rng.uniform(50, 70, n_nodes)
    tri = Delaunay(np.column_stack([lon * np.cos(np.radians(60)), lat]))
    g = nx.Graph()
    for simplex in tri.simplices:
        for i in range(3):
            a, b = int(simplex[i]), int(simplex[(i + 1) % 3])
            g.add_edge(a, b, weight=float(geo.geodesic_km(lon[a], lat[a], lon[b], lat[b])))
    tree = nx.minimum_spanning_tree(g)
    extra = [e for e in g.edges if not tree.has_edge(*e)]
    rng.shuffle(extra)
    tree.add_edges_from(extra[: n_nodes // 10])
    north = np.argsort(-lat)[:12]
    south = np.argsort(lat + 0.3 * (lon - 40) / 60 * 20)[:25]
    kind = np.array(["junction"] * n_nodes, dtype=object)
    kind[::7] = "compressor"
    kind[north] = "field"
    kind[south] = "demand"
    supply = np.where(kind == "field", 60.0, np.nan)
    demand = np.where(kind == "demand", 10.0, np.nan)
    nodes = gpd.GeoDataFrame(
        {
            "node_id": [f"n{i}" for i in range(n_nodes)],
            "kind": kind,
            "production_capacity_bcm_y": supply,
            "demand_bcm_y": demand,
        },
        geometry=[Point(x, y) for x, y in zip(lon, lat, strict=True)],
        crs="EPSG:4326",
    )
    edges = list(tree.edges)
    pipes = gpd.GeoDataFrame(
        {
            "pipeline_id": [f"p{i}" for i in range(len(edges))],
            "status": "operating",
            "capacity_bcm_y": rng.uniform(150, 300, len(edges)),
            "direction": "both",
        },
        geometry=[LineString([(lon[a], lat[a]), (lon[b], lat[b])]) for a, b in edges],
        crs="EPSG:4326",
    )
    route_km = sum(g.edges[e]["weight"] for e in edges)
    # each corridor of length L yields about L/spacing − 1/2 interior points
    spacing_km = route_km / max(
        n_candidates - int((kind == "compressor").sum()) + len(edges) / 2, 1
    )
    grid = gpd.GeoDataFrame(
        {
            "grid_id": [f"g{i}" for i in range(120)],
            "voltage_kv": rng.choice([220, 500], 120),
            "spare_mw": rng.uniform(100, 1500, 120),
        },
        geometry=[
            Point(x, y)
            for x, y in zip(rng.uniform(40, 100, 120), rng.uniform(50, 70, 120), strict=True)
        ],
        crs="EPSG:4326",
    )
    fiber = gpd.GeoDataFrame(
        {"fiber_id": ["east_west", "north"]},
        geometry=[LineString([(40, 55), (70, 56), (100, 54)]), LineString([(60, 56), (75, 66)])],
        crs="EPSG:4326",
    )
    towns = pd.DataFrame(
        {
            "name": [f"t{i}" for i in range(400)],
            "lat": rng.uniform(50, 70, 400),
            "lon": rng.uniform(40, 100, 400),
            "population": rng.integers(5_000, 500_000, 400),
        }
    )
    climate = pd.DataFrame(
        {
            "station": [f"c{i}" for i in range(60)],
            "lat": rng.uniform(50, 70, 60),
            "lon": rng.uniform(40, 100, 60),
        }
    )
    climate["temp_mean_c"] = 12 - 0.8 * (climate["lat"] - 50) + rng.normal(0, 1, 60)
    case = case_from_dict(
        {
            "name": f"synthetic-{n_candidates}",
            "candidates": {
                "node_kinds": ["compressor"],
                "spacing_km": spacing_km,
                "remoteness": {"use_geonames": False},
                "max_candidates": 2 * n_candidates + 1000,
            },
            "technology": {"module_size": "50 MW", "max_modules": 10},
            "costs": {"gas_price": "4000 RUB/1000m3"},
            "objective": {"target_it": "20 GW", "min_spacing_km": 30},
            "solver": {"time_limit_s": 600, "mip_gap": 0.005, "threads": 1},
        }
    )
    conv, net = case.conversions, case.network
    data = GeoData(
        pipelines=standardise_pipelines(pipes, net, conv),
        nodes=standardise_nodes(nodes, net, conv),
        grid=standardise_grid(grid, conv),
        fiber=standardise_lines(fiber, "fiber", "fiber_id"),
        climate=standardise_points_table(climate, "climate", ["temp_mean_c"]),
        towns=standardise_points_table(towns, "towns", ["population"]),
    )
    return case, data
