"""Validated geodata in the common schema, in internal units.

The functions here take GeoDataFrames as read (or built in memory) and return them in the
schema of ``geodata/README.md`` with quantities converted to MW and km. A schema violation
raises :class:`~siting.errors.DataError` naming the layer, the feature and the column.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from siting.config import NODE_KINDS, PIPELINE_STATUSES, NetworkConfig
from siting.errors import DataError
from siting.units import COLUMN_SUFFIXES, UNITS, Conversions, column_unit, parse_quantity

STATUS_ALIASES = {
    "planned": "proposed",
    "in development": "proposed",
    "pre-construction": "proposed",
}


@dataclass(frozen=True)
class GeoData:
    """All layers of a case, validated, EPSG:4326, internal units."""

    pipelines: gpd.GeoDataFrame
    nodes: gpd.GeoDataFrame
    grid: gpd.GeoDataFrame | None = None
    fiber: gpd.GeoDataFrame | None = None
    climate: pd.DataFrame | None = None
    towns: pd.DataFrame | None = None
    hubs: gpd.GeoDataFrame | None = None
    country: gpd.GeoDataFrame | None = None
    borders: gpd.GeoDataFrame | None = None
    exclusions: gpd.GeoDataFrame | None = None
    sources: dict[str, str] = field(default_factory=dict)
    grid_lines: gpd.GeoDataFrame | None = None
    places: pd.DataFrame | None = None
    removed: pd.DataFrame = field(default_factory=lambda: removals_frame([]))


REMOVAL_COLUMNS = ["layer", "what", "id", "reason", "length_km"]


def removals_frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    """Features left out of the network, one row each: layer, what, id, reason, length_km."""
    return pd.DataFrame(rows, columns=REMOVAL_COLUMNS)


def _where(sources: dict[str, str] | str, layer: str) -> str:
    src = sources if isinstance(sources, str) else sources.get(layer, "<memory>")
    return f"{src}: layer {layer}"


def _require_columns(df: pd.DataFrame, columns: Iterable[str], where: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        cut = {
            c: str(f)
            for c in missing
            for f in df.columns
            if len(str(f)) == 10 and c.startswith(str(f))
        }
        hint = (
            "; Shapefiles cut names to 10 characters: map them with columns: {"
            + ", ".join(f"{c}: {f}" for c, f in cut.items())
            + "}"
            if cut
            else ""
        )
        raise DataError(
            f"{where}: missing column(s) {', '.join(missing)}; "
            f"columns present: {', '.join(map(str, df.columns))}{hint}"
        )


def _require_crs(gdf: gpd.GeoDataFrame, where: str) -> gpd.GeoDataFrame:
    if gdf.crs is None:
        raise DataError(f"{where}: no CRS; set one (EPSG:4326 for longitude/latitude)")
    if not gdf.crs.equals("EPSG:4326"):
        return gdf.to_crs("EPSG:4326")
    return gdf


def _ids(df: pd.DataFrame, column: str, where: str) -> pd.Series:
    _require_columns(df, [column], where)
    ids = df[column]
    if ids.isna().any():
        row = int(np.flatnonzero(ids.isna().to_numpy())[0])
        raise DataError(f"{where}: feature #{row}: column {column}: empty id")
    ids = ids.astype(str)
    dup = ids[ids.duplicated()]
    if len(dup):
        raise DataError(f"{where}: feature {dup.iloc[0]}: column {column}: duplicate id")
    return ids


def _check_geometry(gdf: gpd.GeoDataFrame, ids: pd.Series, kinds: set[str], where: str) -> None:
    geom = gdf.geometry
    empty = geom.isna() | geom.is_empty
    if empty.any():
        fid = ids[empty.to_numpy()].iloc[0]
        n = int(empty.sum())
        raise DataError(
            f"{where}: feature {fid}: empty, missing or unreadable geometry (a line needs at "
            f"least two points; {n} feature(s) in all); give it valid coordinates, or set "
            "drop_empty: true on the layer to leave such features out (they are listed in the "
            "network report)"
        )
    types = geom.geom_type
    bad = ~types.isin(list(kinds))
    if bad.any():
        fid = ids[bad.to_numpy()].iloc[0]
        found = sorted(set(types[bad]))
        raise DataError(
            f"{where}: feature {fid}: geometry is {types[bad].iloc[0]}, expected "
            f"{' or '.join(sorted(kinds))}; the layer mixes geometry types "
            f"({', '.join(found)} among them): split the file by geometry type"
            + (" (points may be nodes: give them as layers.nodes)" if "Point" in found else "")
        )
    if kinds & {"LineString", "MultiLineString"}:
        n_coords = shapely.get_num_coordinates(geom.to_numpy())
        short = n_coords < 2
        if short.any():
            fid = ids[short].iloc[0]
            raise DataError(f"{where}: feature {fid}: a line needs at least two points")
    bounds = geom.bounds
    out = (
        (bounds["miny"] < -90)
        | (bounds["maxy"] > 90)
        | (bounds["minx"] < -180)
        | (bounds["maxx"] > 180)
    )
    if out.any():
        fid = ids[out.to_numpy()].iloc[0]
        b = bounds[out.to_numpy()].iloc[0]
        swapped = abs(b["minx"]) <= 90 and abs(b["maxx"]) <= 90
        raise DataError(
            f"{where}: feature {fid}: coordinates outside the longitude/latitude range "
            f"(x {b['minx']:g}..{b['maxx']:g}, y {b['miny']:g}..{b['maxy']:g}); "
            + (
                "latitude and longitude look swapped: swap them"
                if swapped
                else "is the CRS right? set the layer's crs to the CRS of its coordinates"
            )
        )


def _quantity_columns(df: pd.DataFrame, name: str, kind: str) -> list[str]:
    """Columns ``name`` or ``name_<unit suffix>`` whose unit is of ``kind`` (gas flows may
    also be given as power, MW of fuel heat)."""
    found = [str(c) for c in df.columns if c == name or str(c).startswith(f"{name}_")]
    # a suffix fits when its unit is one of this kind's units: USD/MWh is a gas or an
    # electricity price depending on the column's role, MW a power or a gas flow
    return [c for c in found if (column_unit(c) or ("", ""))[1] in UNITS[kind]]


def quantity_column(
    df: pd.DataFrame,
    name: str,
    kind: str,
    conv: Conversions,
    where: str,
    ids: pd.Series | None = None,
) -> tuple[str, np.ndarray]:
    """Find the column for quantity ``name`` (exact, or ``name_<unit suffix>``) and return
    its name and values in internal units (NaN where empty); with ``ids``, values must be ≥ 0."""
    candidates = _quantity_columns(df, name, kind)
    if not candidates:
        near = [str(c) for c in df.columns if c == name or str(c).startswith(f"{name}_")]
        suffixes = ", ".join(s for s, (k, _) in COLUMN_SUFFIXES.items() if k == kind)
        if near:
            raise DataError(
                f"{where}: column {near[0]}: unknown unit for {name!r}; name the column with a "
                f"{kind} unit suffix ({suffixes}) or declare its unit on the layer, e.g. "
                f"units: {{{name}: {_example_unit(kind)}}}"
            )
        raise DataError(
            f"{where}: no column for {name!r} with a {kind} unit suffix ({suffixes}); "
            f"columns present: {', '.join(map(str, df.columns))}; map one with the layer's "
            f"columns: and units: keys"
        )
    if len(candidates) > 1:
        exact = [c for c in candidates if c == name]
        if not exact:
            raise DataError(
                f"{where}: several columns match {name!r}: {', '.join(candidates)}; "
                "name one of them in the case file"
            )
        candidates = exact
    column = str(candidates[0])
    col_kind, unit = column_unit(column) or ("", "")
    factor = parse_quantity(f"1 {unit}", kind if col_kind != "power" else "power").to_internal(conv)
    values = pd.to_numeric(df[column], errors="coerce").to_numpy(dtype=float)
    bad = df[column].notna().to_numpy() & np.isnan(values)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        fid = ids.iloc[row] if ids is not None else f"#{row}"
        raise DataError(
            f"{where}: feature {fid}: column {column}: not a number: {df[column].iloc[row]!r}"
        )
    if ids is not None:
        _non_negative(values, ids, column, where)
    return column, values * factor


def _example_unit(kind: str) -> str:
    return {"gas_flow": "bcm/y", "power": "MW", "length": "km"}.get(kind, "...")


def _non_negative(values: np.ndarray, ids: pd.Series, column: str, where: str) -> None:
    neg = values < 0
    if neg.any():
        i = int(np.flatnonzero(neg)[0])
        raise DataError(
            f"{where}: feature {ids.iloc[i]}: column {column}: negative value {values[i]:g}"
        )


#: the diameter rule: capacity ∝ diameter^2.5, anchored at a 1,420 mm trunk line of 32 bcm/y
DIAMETER_RULE_REFERENCE_MM = 1420.0
DIAMETER_RULE_REFERENCE_BCM_Y = 32.0
DIAMETER_RULE_EXPONENT = 2.5


def capacity_from_diameter_bcm_y(diameter_mm: np.ndarray) -> np.ndarray:
    """Rule-of-thumb design capacity of a high-pressure line from its diameter.

    ``32 bcm/y × (d / 1420 mm)^2.5``: flow at a fixed pressure drop per km grows with the
    diameter to the power 2.5–2.67 (Weymouth/Panhandle), anchored at the 1,420 mm, 7.5 MPa
    Soviet trunk line (Urengoy–Pomary–Uzhgorod, 32 bcm/y). It gives 1,220 mm → 22,
    1,020 mm → 14, 720 mm → 5.8, 530 mm → 2.7 bcm/y."""
    d = np.asarray(diameter_mm, dtype=float)
    return (
        DIAMETER_RULE_REFERENCE_BCM_Y * (d / DIAMETER_RULE_REFERENCE_MM) ** DIAMETER_RULE_EXPONENT
    )


def standardise_pipelines(
    raw: gpd.GeoDataFrame, cfg: NetworkConfig, conv: Conversions, source: str = "<memory>"
) -> gpd.GeoDataFrame:
    """Pipelines in the common schema: one row per (Multi)LineString feature.

    A missing capacity is filled by the rules of ``cfg.fill_capacity`` in order; the rule
    used is kept in ``capacity_source`` (``data``, ``system``, ``diameter``, ``default``)."""
    where = _where(source, "pipelines")
    raw = _require_crs(raw, where)
    ids = _ids(raw, "pipeline_id", where)
    _check_geometry(raw, ids, {"LineString", "MultiLineString"}, where)
    _require_columns(raw, ["status"], where)
    status = raw["status"].astype(str).str.strip().str.lower().replace(STATUS_ALIASES)
    unknown = ~status.isin(PIPELINE_STATUSES)
    if unknown.any():
        i = int(np.flatnonzero(unknown.to_numpy())[0])
        raise DataError(
            f"{where}: feature {ids.iloc[i]}: column status: unknown status "
            f"{raw['status'].iloc[i]!r}; allowed: {', '.join(PIPELINE_STATUSES)} (recode "
            "others with the layer's values: {status: {...}})"
        )
    column, capacity = quantity_column(raw, cfg.capacity_column, "gas_flow", conv, where, ids)
    line_id = _text_column(raw, "line_id", ids)
    system = _text_column(raw, "system", line_id)
    diameter = (
        quantity_column(raw, "diameter", "length", conv, where, ids)[1] * 1e6
        if _quantity_columns(raw, "diameter", "length")
        else np.full(len(raw), np.nan)
    )
    capacity, source_rule = _fill_capacity(capacity, system, diameter, cfg, conv)
    # lines the case does not select (e.g. proposed ones) may lack a capacity
    missing = np.isnan(capacity) & status.isin(cfg.statuses).to_numpy()
    if missing.any():
        i = int(np.flatnonzero(missing)[0])
        raise DataError(
            f"{where}: feature {ids.iloc[i]}: column {column}: capacity missing "
            f"({int(missing.sum())} feature(s) in all); fill it, give a diameter_mm, or set "
            "network.default_capacity in the case"
        )
    reverse = np.full(len(raw), np.nan)
    if _quantity_columns(raw, "reverse_capacity", "gas_flow"):
        reverse = quantity_column(raw, "reverse_capacity", "gas_flow", conv, where, ids)[1]
    if "direction" in raw.columns:
        direction = raw["direction"].fillna("").astype(str).str.strip().str.lower()
        bad = ~direction.isin(["", "forward", "both"])
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataError(
                f"{where}: feature {ids.iloc[i]}: column direction: {direction.iloc[i]!r}; "
                "allowed: forward, both (or empty for the case default)"
            )
    else:
        direction = pd.Series([""] * len(raw), index=raw.index)
    default_dir = "forward" if cfg.direction == "as_drawn" else "both"
    ends = {
        c: (raw[c].astype(object).where(raw[c].notna(), None).to_numpy() if c in raw else None)
        for c in ("from_node", "to_node")
    }
    out = gpd.GeoDataFrame(
        {
            "pipeline_id": ids.to_numpy(),
            "name": _names(raw, ids),
            "status": status.to_numpy(),
            "capacity_mw": capacity,
            "capacity_filled": source_rule != "data",  # "" where an unselected line has none
            "capacity_source": source_rule,
            "reverse_capacity_mw": reverse,
            "direction": direction.replace("", default_dir).to_numpy(),
            "line_id": line_id.to_numpy(),
            "system": system.to_numpy(),
            "diameter_mm": diameter,
            "from_node": ends["from_node"] if ends["from_node"] is not None else None,
            "to_node": ends["to_node"] if ends["to_node"] is not None else None,
        },
        geometry=raw.geometry.to_numpy(),
        crs="EPSG:4326",
    )
    return out


def _text_column(raw: pd.DataFrame, column: str, default: pd.Series) -> pd.Series:
    fallback = pd.Series(default.to_numpy(), index=raw.index).astype(str)
    if column not in raw.columns:
        return fallback
    values = raw[column].astype(object).where(raw[column].notna(), None)
    text = values.astype(str).str.strip()
    return text.where(values.notna() & (text != ""), fallback)


def _fill_capacity(
    capacity: np.ndarray,
    system: pd.Series,
    diameter_mm: np.ndarray,
    cfg: NetworkConfig,
    conv: Conversions,
) -> tuple[np.ndarray, np.ndarray]:
    """Fill missing capacities by the configured rules, in order; return values and rules."""
    capacity = capacity.copy()
    rule = np.where(np.isnan(capacity), "", "data").astype(object)
    for name in cfg.fill_capacity:
        missing = np.isnan(capacity)
        if not missing.any():
            break
        if name == "system":
            known = pd.Series(capacity).groupby(system.to_numpy()).median()
            fill = system.map(known).to_numpy(dtype=float)
        elif name == "diameter":
            fill = capacity_from_diameter_bcm_y(diameter_mm) * parse_quantity(
                "1 bcm/y", "gas_flow"
            ).to_internal(conv)
        else:
            if cfg.default_capacity is None:
                continue
            fill = np.full(len(capacity), cfg.default_capacity.to_internal(conv))
        use = missing & np.isfinite(fill)
        capacity[use] = fill[use]
        rule[use] = name
    return capacity, rule


def select_pipelines(pipelines: gpd.GeoDataFrame, cfg: NetworkConfig) -> gpd.GeoDataFrame:
    return pipelines[pipelines["status"].isin(cfg.statuses)].reset_index(drop=True)


def status_removals(pipelines: gpd.GeoDataFrame, cfg: NetworkConfig) -> pd.DataFrame:
    """One row per pipeline feature left out by ``network.statuses``."""
    out = pipelines[~pipelines["status"].isin(cfg.statuses)]
    return removals_frame(
        [
            {
                "layer": "pipelines",
                "what": "pipeline",
                "id": pid,
                "reason": f"status {st} is not in network.statuses",
                "length_km": float("nan"),
            }
            for pid, st in zip(out["pipeline_id"], out["status"], strict=True)
        ]
    )


def _names(raw: pd.DataFrame, ids: pd.Series) -> np.ndarray:
    if "name" not in raw.columns:
        return ids.to_numpy()
    return raw["name"].fillna(pd.Series(ids.to_numpy(), index=raw.index)).astype(str).to_numpy()


def _optional_quantity(
    raw: pd.DataFrame, name: str, kind: str, conv: Conversions, where: str, ids: pd.Series
) -> np.ndarray:
    has = [c for c in raw.columns if c == name or str(c).startswith(f"{name}_")]
    if not has:
        return np.zeros(len(raw))
    _column, values = quantity_column(raw, name, kind, conv, where, ids)
    return np.nan_to_num(values, nan=0.0)


def standardise_nodes(
    raw: gpd.GeoDataFrame, cfg: NetworkConfig, conv: Conversions, source: str = "<memory>"
) -> gpd.GeoDataFrame:
    """Nodes in the common schema with ``supply_mw`` and ``demand_mw``."""
    where = _where(source, "nodes")
    raw = _require_crs(raw, where)
    ids = _ids(raw, "node_id", where)
    _check_geometry(raw, ids, {"Point"}, where)
    _require_columns(raw, ["kind"], where)
    kind = raw["kind"].astype(str).str.strip().str.lower()
    unknown = ~kind.isin(NODE_KINDS)
    if unknown.any():
        i = int(np.flatnonzero(unknown.to_numpy())[0])
        raise DataError(
            f"{where}: feature {ids.iloc[i]}: column kind: unknown kind {raw['kind'].iloc[i]!r}; "
            f"allowed: {', '.join(NODE_KINDS)}"
        )
    supply = _optional_quantity(raw, cfg.supply_column, "gas_flow", conv, where, ids)
    if cfg.demand_mix:
        demand = np.zeros(len(raw))
        for column, weight in cfg.demand_mix.items():
            _col, values = quantity_column(raw, column, "gas_flow", conv, where, ids)
            demand = demand + weight * np.nan_to_num(values, nan=0.0)
    else:
        demand = _optional_quantity(raw, cfg.demand_column, "gas_flow", conv, where, ids)
    price = np.full(len(raw), np.nan)
    if cfg.gas_price_column is not None:
        _col, price = quantity_column(raw, cfg.gas_price_column, "gas_price", conv, where, ids)
    return gpd.GeoDataFrame(
        {
            "node_id": ids.to_numpy(),
            "name": _names(raw, ids),
            "kind": kind.to_numpy(),
            "supply_mw": supply,
            "demand_mw": demand,
            "gas_price_usd_per_mwh": price,
        },
        geometry=raw.geometry.to_numpy(),
        crs="EPSG:4326",
    )


def standardise_grid(
    raw: gpd.GeoDataFrame, conv: Conversions, source: str = "<memory>"
) -> gpd.GeoDataFrame:
    where = _where(source, "grid")
    raw = _require_crs(raw, where)
    ids = _ids(raw, "grid_id", where)
    _check_geometry(raw, ids, {"Point"}, where)
    spare_col, spare = quantity_column(raw, "spare", "power", conv, where, ids)
    if np.isnan(spare).any():
        i = int(np.flatnonzero(np.isnan(spare))[0])
        raise DataError(
            f"{where}: feature {ids.iloc[i]}: column {spare_col}: missing spare capacity"
        )
    price = np.full(len(raw), np.nan)
    if any(str(c).startswith("energy_price_") for c in raw.columns):
        _col, price = quantity_column(raw, "energy_price", "energy_price", conv, where, ids)
    voltage = (
        pd.to_numeric(raw["voltage_kv"], errors="coerce").to_numpy(dtype=float)
        if "voltage_kv" in raw.columns
        else np.full(len(raw), np.nan)
    )
    # the power-system zone, when the layer names one (a region for siting alternatives)
    zone = {"zone": raw["zone"].astype(object).to_numpy()} if "zone" in raw.columns else {}
    return gpd.GeoDataFrame(
        {
            "grid_id": ids.to_numpy(),
            "name": _names(raw, ids),
            "voltage_kv": voltage,
            "spare_mw": spare,
            "energy_price_usd_per_mwh": price,
            **zone,
        },
        geometry=raw.geometry.to_numpy(),
        crs="EPSG:4326",
    )


def standardise_lines(
    raw: gpd.GeoDataFrame, layer: str, id_column: str, source: str = "<memory>"
) -> gpd.GeoDataFrame:
    """A line layer (fiber, borders) with an id and its geometry."""
    where = _where(source, layer)
    raw = _require_crs(raw, where)
    if id_column not in raw.columns:
        raw = raw.assign(**{id_column: [f"{layer}_{i}" for i in range(len(raw))]})
    ids = _ids(raw, id_column, where)
    _check_geometry(raw, ids, {"LineString", "MultiLineString"}, where)
    columns = {id_column: ids.to_numpy(), "name": _names(raw, ids)}
    if "neighbour" in raw.columns:
        columns["neighbour"] = raw["neighbour"].fillna("").astype(str).to_numpy()
    return gpd.GeoDataFrame(columns, geometry=raw.geometry.to_numpy(), crs="EPSG:4326")


def standardise_polygons(
    raw: gpd.GeoDataFrame, layer: str, source: str = "<memory>", reason: str | None = None
) -> gpd.GeoDataFrame:
    where = _where(source, layer)
    raw = _require_crs(raw, where)
    ids = pd.Series([f"{layer}_{i}" for i in range(len(raw))])
    _check_geometry(raw, ids, {"Polygon", "MultiPolygon"}, where)
    reasons = (
        raw["reason"].fillna(layer).astype(str).to_numpy()
        if "reason" in raw.columns
        else np.full(len(raw), reason or layer, dtype=object)
    )
    return gpd.GeoDataFrame({"reason": reasons}, geometry=raw.geometry.to_numpy(), crs="EPSG:4326")


def standardise_points_table(
    raw: pd.DataFrame, layer: str, value_columns: Iterable[str], source: str = "<memory>"
) -> pd.DataFrame:
    """A CSV table of points with ``lat``/``lon`` (climate stations, towns)."""
    where = _where(source, layer)
    cols = ["lat", "lon", *value_columns]
    _require_columns(raw, cols, where)
    out = raw.copy()
    for c in cols:
        values = pd.to_numeric(out[c], errors="coerce")
        if values.isna().any():
            i = int(np.flatnonzero(values.isna().to_numpy())[0])
            raise DataError(f"{where}: row {i + 1}: column {c}: not a number: {raw[c].iloc[i]!r}")
        out[c] = values.astype(float)
    bad = (out["lat"].abs() > 90) | (out["lon"].abs() > 180)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(f"{where}: row {i + 1}: lat/lon out of range; are they swapped?")
    return out.reset_index(drop=True)


def standardise_hubs(raw: gpd.GeoDataFrame, source: str = "<memory>") -> gpd.GeoDataFrame:
    where = _where(source, "hubs")
    raw = _require_crs(raw, where)
    ids = _ids(raw, "hub_id", where)
    _check_geometry(raw, ids, {"Point"}, where)
    weight = (
        pd.to_numeric(raw["weight"], errors="coerce").fillna(1.0).to_numpy(dtype=float)
        if "weight" in raw.columns
        else np.ones(len(raw))
    )
    _non_negative(weight, ids, "weight", where)
    return gpd.GeoDataFrame(
        {"hub_id": ids.to_numpy(), "name": _names(raw, ids), "weight": weight},
        geometry=raw.geometry.to_numpy(),
        crs="EPSG:4326",
    )
