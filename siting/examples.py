"""A tiny in-memory case: two fields, a hub, a junction, a city, a border, five candidates.

It serves the tests, the docs, the notebooks and ``siting run --example``. The layers are
built as raw GeoDataFrames in the file schema (``geodata/README.md``) and go through the
same validation as files do; :func:`write_example` writes them out with a case file.

::

    field_north (25 bcm/y) ─ cs_north ─┐
                                       hub ── junction ──── city (demand 18 bcm/y)
    field_east  (15 bcm/y) ────────────┘          └───────── border (export 12 bcm/y)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypedDict

import geopandas as gpd
import pandas as pd
import yaml
from shapely import LineString, Point, box

from siting.config import Case
from siting.geodata import (
    GeoData,
    standardise_grid,
    standardise_hubs,
    standardise_lines,
    standardise_nodes,
    standardise_pipelines,
    standardise_points_table,
    standardise_polygons,
)
from siting.io.case_file import case_from_dict, deep_merge

NODES = {
    # node_id: (lon, lat, kind, production capacity bcm/y, committed demand bcm/y,
    #           regional gas price RUB/1000 m³)
    "field_north": (68.0, 67.0, "field", 25.0, 0.0, 3870.0),
    "cs_north": (66.0, 64.5, "compressor", None, 0.0, None),
    "field_east": (74.0, 63.5, "field", 15.0, 0.0, 3870.0),
    "hub": (63.0, 62.0, "hub", None, 0.0, 4500.0),
    "junction": (56.0, 60.0, "junction", None, 0.0, 5500.0),
    "city": (50.0, 57.0, "demand", None, 18.0, 7060.0),
    "border": (46.0, 60.5, "border", None, 12.0, None),
}

PIPELINES = {
    # pipeline_id: (node path, capacity bcm/y)
    "north_line": (["field_north", "cs_north", "hub"], 30.0),
    "east_line": (["field_east", "hub"], 15.0),
    "trunk": (["hub", "junction"], 35.0),
    "city_line": (["junction", "city"], 20.0),
    "export_line": (["junction", "border"], 15.0),
}

EXAMPLE_CASE: dict[str, Any] = {
    "name": "example",
    "description": "A tiny synthetic network: where to place 500 MW of IT",
    "network": {"direction": "as_drawn", "snap_km": 1.0, "gas_price_column": "gas_price"},
    "candidates": {
        "node_kinds": ["field", "compressor", "hub", "junction"],
        "spacing_km": None,
        "remoteness": {
            "town_min_population": 15000,
            "use_geonames": False,
            "free_km": 50,
            "multiplier_per_100km": 0.1,
        },
    },
    "technology": {"module_size": "50 MW", "min_modules": 1, "max_modules": 6},
    "costs": {"gas_price": "3870 RUB/1000m3", "grid_price": "35 USD/MWh"},
    "objective": {
        "sense": "min_cost",
        "target_it": "500 MW",
        "max_sites": 3,
        "min_spacing_km": 100,
    },
    "solver": {"time_limit_s": 60, "mip_gap": 1e-6},
}


class RawLayers(TypedDict):
    """The example's layers by name; climate and towns are plain tables of points."""

    nodes: gpd.GeoDataFrame
    pipelines: gpd.GeoDataFrame
    grid: gpd.GeoDataFrame
    fiber: gpd.GeoDataFrame
    climate: pd.DataFrame
    towns: pd.DataFrame
    hubs: gpd.GeoDataFrame
    country: gpd.GeoDataFrame
    borders: gpd.GeoDataFrame


def raw_layers() -> RawLayers:
    """The example's layers in the file schema (what a user's files would hold)."""
    nodes = gpd.GeoDataFrame(
        {
            "node_id": list(NODES),
            "name": [n.replace("_", " ") for n in NODES],
            "kind": [v[2] for v in NODES.values()],
            "production_capacity_bcm_y": [v[3] for v in NODES.values()],
            "demand_bcm_y": [v[4] for v in NODES.values()],
            "gas_price_rub_1000m3": [v[5] for v in NODES.values()],
        },
        geometry=[Point(v[0], v[1]) for v in NODES.values()],
        crs="EPSG:4326",
    )
    pipelines = gpd.GeoDataFrame(
        {
            "pipeline_id": list(PIPELINES),
            "name": [p.replace("_", " ") for p in PIPELINES],
            "status": "operating",
            "capacity_bcm_y": [c for _, c in PIPELINES.values()],
        },
        geometry=[LineString([NODES[n][:2] for n in path]) for path, _ in PIPELINES.values()],
        crs="EPSG:4326",
    )
    grid = gpd.GeoDataFrame(
        {
            "grid_id": ["grid_hub", "grid_city"],
            "name": ["hub substation", "city power plant"],
            "kind": ["substation", "power_plant"],
            "voltage_kv": [220, 500],
            "spare_mw": [150.0, 800.0],
        },
        geometry=[Point(63.3, 62.1), Point(50.5, 57.2)],
        crs="EPSG:4326",
    )
    fiber = gpd.GeoDataFrame(
        {"fiber_id": ["backbone"], "name": ["rail backbone"]},
        geometry=[LineString([(50.0, 57.0), (56.0, 60.0), (63.0, 62.0), (74.0, 63.5)])],
        crs="EPSG:4326",
    )
    climate = pd.DataFrame(
        {
            "station": ["north", "east", "hub", "south"],
            "lat": [67.0, 63.5, 62.0, 57.0],
            "lon": [68.0, 74.0, 63.0, 50.0],
            "temp_mean_c": [-9.0, -4.0, -1.5, 4.0],
        }
    )
    towns = pd.DataFrame(
        {
            "name": ["Hubtown", "Capital", "Junction City", "Eastfield"],
            "lat": [62.1, 57.0, 60.2, 63.0],
            "lon": [63.1, 50.1, 56.2, 73.0],
            "population": [60000, 1_000_000, 25000, 20000],
        }
    )
    hubs = gpd.GeoDataFrame(
        {"hub_id": ["capital"], "name": ["Capital"], "weight": [1.0]},
        geometry=[Point(50.1, 57.0)],
        crs="EPSG:4326",
    )
    country = gpd.GeoDataFrame(
        {"name": ["Exampleland"]}, geometry=[box(44.0, 55.0, 78.0, 70.0)], crs="EPSG:4326"
    )
    borders = gpd.GeoDataFrame(
        {"border_id": ["west"], "name": ["western border"]},
        geometry=[LineString([(44.0, 55.0), (44.0, 70.0)])],
        crs="EPSG:4326",
    )
    return {
        "nodes": nodes,
        "pipelines": pipelines,
        "grid": grid,
        "fiber": fiber,
        "climate": climate,
        "towns": towns,
        "hubs": hubs,
        "country": country,
        "borders": borders,
    }


def example_case(**overrides: Any) -> Case:
    """The example case; ``overrides`` are merged over it (e.g. ``objective={"max_sites": 1}``)."""
    return case_from_dict(deep_merge(EXAMPLE_CASE, overrides))


def example_geodata(case: Case | None = None) -> GeoData:
    """The example layers, validated exactly as files would be."""
    case = case or example_case()
    raw = raw_layers()
    conv, net = case.conversions, case.network
    return GeoData(
        pipelines=standardise_pipelines(raw["pipelines"], net, conv),
        nodes=standardise_nodes(raw["nodes"], net, conv),
        grid=standardise_grid(raw["grid"], conv),
        fiber=standardise_lines(raw["fiber"], "fiber", "fiber_id"),
        climate=standardise_points_table(raw["climate"], "climate", ["temp_mean_c"]),
        towns=standardise_points_table(raw["towns"], "towns", ["population"]),
        hubs=standardise_hubs(raw["hubs"]),
        country=standardise_polygons(raw["country"], "country"),
        borders=standardise_lines(raw["borders"], "borders", "border_id"),
    )


def write_example(directory: str | Path) -> Path:
    """Write the example's layers and a case file to ``directory``; return the case path."""
    directory = Path(directory)
    data_dir = directory / "geodata"
    data_dir.mkdir(parents=True, exist_ok=True)
    layers: dict[str, str] = {}
    for name, frame in raw_layers().items():
        assert isinstance(frame, pd.DataFrame)
        if isinstance(frame, gpd.GeoDataFrame):
            path = data_dir / f"{name}.geojson"
            frame.to_file(path, driver="GeoJSON", engine="pyogrio")
        else:
            path = data_dir / f"{name}.csv"
            frame.to_csv(path, index=False)
        layers[name] = f"geodata/{path.name}"
    case = {**EXAMPLE_CASE, "layers": layers}
    path = directory / "example.yaml"
    path.write_text(yaml.safe_dump(case, sort_keys=False), encoding="utf-8")
    return path
