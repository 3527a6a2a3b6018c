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

from siting import geo
from siting.config import NODE_KINDS, PIPELINE_STATUSES, NetworkConfig
from siting.errors import DataError
from siting.units import COLUMN_SUFFIXES, UNITS, Conversions, column_unit, parse_quantity

STATUS_ALIASES = {
    "planned": "proposed",
    "in development": "proposed",
    "pre-construction": "proposed",
}


REMOVAL_COLUMNS = ["layer", "what", "id", "reason", "length_km"]
LAYER_SUMMARY_COLUMNS = ["layer", "path", "format", "features", "left_out", "crs"]
RESOLVED_COLUMNS = ["layer", "quantity", "column", "unit", "how", "not_used"]


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
    stranded: gpd.GeoDataFrame | None = None
    #: the column read for each quantity of each layer (see :func:`resolved_columns`)
    columns: pd.DataFrame = field(default_factory=lambda: columns_frame([]))
    #: each file read: layer, path, format, features, left_out (by the reader), crs
    read: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=LAYER_SUMMARY_COLUMNS))

    def __post_init__(self) -> None:
        if self.columns.empty:  # layers standardised in memory carry their choice with them
            rows = [
                row
                for frame in (self.pipelines, self.nodes, self.grid)
                if frame is not None
                for row in frame.attrs.get(RESOLVED_ATTR, [])
            ]
            object.__setattr__(self, "columns", columns_frame(rows))

    def column_lines(self) -> list[str]:
        """One line per layer: the column (and unit) read for each quantity, and how."""
        out = []
        for layer, rows in self.columns.groupby("layer", sort=False):
            parts = []
            for r in rows.to_dict("records"):
                text = f"{r['quantity']} ← {r['column']} [{r['unit']}]"
                if r["how"] != "by its name":
                    text += f" ({r['how']})"
                if r["not_used"]:
                    text += f", not {r['not_used']}"
                parts.append(text)
            out.append(str(layer) + ": " + "; ".join(parts))
        return out


def columns_frame(rows: list[dict[str, str]]) -> pd.DataFrame:
    """The column read for each quantity: layer, quantity, column, unit, how, not_used."""
    return pd.DataFrame(rows, columns=RESOLVED_COLUMNS)


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


#: frame attributes set by the layer reader (:mod:`siting.io.layers`): the column that the
#: case's ``columns:`` or ``units:`` chose for each quantity, the file's name of each renamed
#: column, and the unit declared by ``units:``
MAPPED_ATTR, FILE_COLUMNS_ATTR, DECLARED_ATTR = "mapped", "file_columns", "declared_units"
#: attribute of a standardised layer: the column resolved for each quantity (see
#: :func:`resolved_columns`)
RESOLVED_ATTR = "columns"


def find_quantity_column(df: pd.DataFrame, name: str, kind: str, where: str) -> str:
    """The column that holds quantity ``name``: the one the case chose with ``columns:`` or
    ``units:``, else the only column ``name`` or ``name_<unit suffix>`` with a ``kind`` unit.
    Anything else (none, several, one without a unit) is an error that says how to choose."""
    suffixes = ", ".join(s for s, (k, _) in COLUMN_SUFFIXES.items() if k == kind)
    chosen = df.attrs.get(MAPPED_ATTR, {}).get(name)
    if chosen is not None and chosen in df.columns:
        if (column_unit(str(chosen)) or ("", ""))[1] not in UNITS[kind]:
            raise DataError(
                f"{where}: column {_file_column(df, chosen)}: unknown unit for {name!r}; "
                f"declare it on the layer, e.g. units: {{{name}: {_example_unit(kind)}}}"
            )
        return str(chosen)
    candidates = _quantity_columns(df, name, kind)
    if not candidates:
        near = [str(c) for c in df.columns if c == name or str(c).startswith(f"{name}_")]
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
    if name in df.columns and name not in candidates:
        raise DataError(
            f"{where}: columns {name} (no unit) and {', '.join(candidates)} could both be "
            f"{name!r}; choose one with the layer's columns: {{{name}: <column>}} (and give "
            f"a column without a unit suffix its unit with units: {{{name}: <unit>}})"
        )
    if len(candidates) > 1:
        # the column that is the name itself, or the name and a unit suffix, is the one
        # meant; longer names (demand_2024_winter_bcm_y for demand_2024) are other columns
        exact = [c for c in candidates if c == name] or [
            c for c in candidates if _without_suffix(c) == name
        ]
        if len(exact) != 1:
            raise DataError(
                f"{where}: several columns match {name!r}: {', '.join(candidates)}; "
                f"choose one with the layer's columns: {{{name}: <column>}}"
            )
        candidates = exact
    return str(candidates[0])


def _file_column(df: pd.DataFrame, column: str) -> str:
    """A column's name in the file (before the case's ``columns:`` and ``units:``)."""
    return str(df.attrs.get(FILE_COLUMNS_ATTR, {}).get(column, column))


def resolved_columns(
    raw: pd.DataFrame, layer: str, chosen: dict[str, tuple[str, str]]
) -> list[dict[str, str]]:
    """One row per quantity read from a layer: the file's column, its unit, how it was
    chosen, and the other columns that could have been it (``chosen``: quantity → (column,
    kind))."""
    mapped = raw.attrs.get(MAPPED_ATTR, {})
    declared = raw.attrs.get(DECLARED_ATTR, {})
    rows = []
    for name, (column, kind) in chosen.items():
        file_column = _file_column(raw, column)
        unit = (column_unit(column) or ("", ""))[1]
        if name in declared:
            how = f"units: {{{name}: {declared[name]}}}"
            if file_column != name:
                how = f"columns: {{{name}: {file_column}}}, " + how
        elif name in mapped:
            how = f"columns: {{{name}: {file_column}}}"
        else:
            how = "by its name"
        # the same quantity in another unit (per-period and other variants are not rivals)
        others = [
            _file_column(raw, c)
            for c in _quantity_columns(raw, name, kind)
            if c != column and (c == name or _without_suffix(c) == name)
        ]
        rows.append(
            {
                "layer": layer,
                "quantity": name,
                "column": file_column,
                "unit": unit,
                "how": how,
                "not_used": ", ".join(others),
            }
        )
    return rows


def quantity_column(
    df: pd.DataFrame,
    name: str,
    kind: str,
    conv: Conversions,
    where: str,
    ids: pd.Series | None = None,
) -> tuple[str, np.ndarray]:
    """Find the column for quantity ``name`` (:func:`find_quantity_column`) and return its
    name and values in internal units (NaN where empty); with ``ids``, values must be ≥ 0."""
    column = find_quantity_column(df, name, kind, where)
    col_kind, unit = column_unit(column) or ("", "")
    factor = parse_quantity(f"1 {unit}", kind if col_kind != "power" else "power").to_internal(conv)
    values = pd.to_numeric(df[column], errors="coerce").to_numpy(dtype=float)
    bad = df[column].notna().to_numpy() & np.isnan(values)
    shown = _file_column(df, column)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        fid = ids.iloc[row] if ids is not None else f"#{row}"
        raise DataError(
            f"{where}: feature {fid}: column {shown}: not a number: {df[column].iloc[row]!r}"
        )
    if ids is not None:
        _non_negative(values, ids, shown, where)
    return column, values * factor


def _without_suffix(column: str) -> str:
    """A column name without its unit suffix (unchanged if it has none)."""
    for suffix in sorted(COLUMN_SUFFIXES, key=len, reverse=True):
        if column.endswith(suffix):
            return column[: -len(suffix)]
    return column


def _has_quantity(df: pd.DataFrame, name: str) -> bool:
    """Whether ``df`` has a column ``name`` or ``name`` with a unit suffix."""
    return any(str(c) == name or _without_suffix(str(c)) == name for c in df.columns)


def period_quantities(
    df: pd.DataFrame,
    name: str,
    kind: str,
    conv: Conversions,
    where: str,
    ids: pd.Series,
    periods: tuple[str, ...],
) -> dict[str, np.ndarray]:
    """Per-period values of quantity ``name`` from the columns ``<name>_<period>[_<unit>]``
    (internal units, NaN where a feature leaves one empty).

    Either every period has its column or none has (then the result is empty); a column
    for some periods only is an error naming the layer, the column and the period."""
    found = {p: _has_quantity(df, f"{name}_{p}") for p in periods}
    if not any(found.values()):
        return {}
    missing = [p for p, has in found.items() if not has]
    if missing:
        given = next(p for p, has in found.items() if has)
        column = next(str(c) for c in df.columns if _without_suffix(str(c)) in (f"{name}_{given}",))
        raise DataError(
            f"{where}: column {column} gives {name!r} for period {given} but there is no "
            f"{name}_{missing[0]} column for period {missing[0]}; give a per-period column for "
            f"every period ({', '.join(periods)}) or for none"
        )
    return {p: quantity_column(df, f"{name}_{p}", kind, conv, where, ids)[1] for p in periods}


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
    """Rule-of-thumb design capacity of one string of a high-pressure line from its diameter.

    ``32 bcm/y × (d / 1420 mm)^2.5``: flow at a fixed pressure drop per km grows with the
    diameter to the power 2.5–2.67 (Weymouth/Panhandle), anchored at the 1,420 mm, 7.5 MPa
    Soviet trunk line (Urengoy–Pomary–Uzhgorod, 32 bcm/y). It gives 1,220 mm → 22,
    1,020 mm → 14, 720 mm → 5.8, 530 mm → 2.7 bcm/y."""
    d = np.asarray(diameter_mm, dtype=float)
    return (
        DIAMETER_RULE_REFERENCE_BCM_Y * (d / DIAMETER_RULE_REFERENCE_MM) ** DIAMETER_RULE_EXPONENT
    )


def standardise_pipelines(
    raw: gpd.GeoDataFrame,
    cfg: NetworkConfig,
    conv: Conversions,
    source: str = "<memory>",
    periods: tuple[str, ...] = (),
) -> gpd.GeoDataFrame:
    """Pipelines in the common schema: one row per (Multi)LineString feature.

    A missing capacity is filled by the rules of ``cfg.fill_capacity`` in order; the rule
    used is kept in ``capacity_source`` (``data``, ``system``, ``diameter``, ``default``).
    With ``periods``, per-period capacity columns become ``capacity_<period>_mw``."""
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
    chosen = {cfg.capacity_column: (column, "gas_flow")}
    line_id = _text_column(raw, "line_id", ids)
    system = _text_column(raw, "system", line_id)
    diameter = np.full(len(raw), np.nan)
    if _optional_given(raw, "diameter", "length"):
        d_column, diameter_km = quantity_column(raw, "diameter", "length", conv, where, ids)
        diameter = diameter_km * 1e6
        chosen["diameter"] = (d_column, "length")
    strings = _strings(raw, ids, where)
    capacity, source_rule = _fill_capacity(capacity, system, diameter, strings, cfg, conv)
    # lines the case does not select (e.g. proposed ones) may lack a capacity
    missing = np.isnan(capacity) & status.isin(cfg.statuses).to_numpy()
    if missing.any():
        i = int(np.flatnonzero(missing)[0])
        raise DataError(
            f"{where}: feature {ids.iloc[i]}: column {_file_column(raw, column)}: capacity missing "
            f"({int(missing.sum())} feature(s) in all); fill it, give a diameter_mm, or set "
            "network.default_capacity in the case"
        )
    reverse = np.full(len(raw), np.nan)
    if _optional_given(raw, "reverse_capacity", "gas_flow"):
        r_column, reverse = quantity_column(raw, "reverse_capacity", "gas_flow", conv, where, ids)
        chosen["reverse_capacity"] = (r_column, "gas_flow")
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
    per_period = period_quantities(raw, cfg.capacity_column, "gas_flow", conv, where, ids, periods)
    chosen.update(_period_columns(raw, cfg.capacity_column, "gas_flow", where, per_period))
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
            "strings": strings,
            "from_node": ends["from_node"] if ends["from_node"] is not None else None,
            "to_node": ends["to_node"] if ends["to_node"] is not None else None,
            **{f"capacity_{p}_mw": v for p, v in per_period.items()},
        },
        geometry=raw.geometry.to_numpy(),
        crs="EPSG:4326",
    )
    out.attrs[RESOLVED_ATTR] = resolved_columns(raw, "pipelines", chosen)
    return out


def _period_columns(
    raw: pd.DataFrame, name: str, kind: str, where: str, per_period: dict[str, np.ndarray]
) -> dict[str, tuple[str, str]]:
    """The column read for each period of quantity ``name`` (for the columns report)."""
    return {
        f"{name}_{p}": (find_quantity_column(raw, f"{name}_{p}", kind, where), kind)
        for p in per_period
    }


def _optional_given(raw: pd.DataFrame, name: str, kind: str) -> bool:
    """Whether an optional quantity is given: chosen by the case, or found by its name."""
    return name in raw.attrs.get(MAPPED_ATTR, {}) or bool(_quantity_columns(raw, name, kind))


def _strings(raw: pd.DataFrame, ids: pd.Series, where: str) -> np.ndarray:
    """The number of parallel strings of each line (NaN where not given)."""
    if "strings" not in raw.columns:
        return np.full(len(raw), np.nan)
    values = pd.to_numeric(raw["strings"], errors="coerce").to_numpy(dtype=float)
    bad = (raw["strings"].notna().to_numpy() & np.isnan(values)) | (values < 1)
    bad |= np.isfinite(values) & (values != np.round(values))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataError(
            f"{where}: feature {ids.iloc[i]}: column {_file_column(raw, 'strings')}: "
            f"{raw['strings'].iloc[i]!r} is not a number of strings (a whole number ≥ 1, or "
            "empty for one)"
        )
    return values


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
    strings: np.ndarray,
    cfg: NetworkConfig,
    conv: Conversions,
) -> tuple[np.ndarray, np.ndarray]:
    """Fill missing capacities by the configured rules, in order; return values and rules.

    The diameter rule gives one string's capacity: a line of ``strings`` parallel strings
    (one where not given) gets that many times it."""
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
            n_strings = np.where(np.isnan(strings), 1.0, strings)
            fill = (
                n_strings
                * capacity_from_diameter_bcm_y(diameter_mm)
                * parse_quantity("1 bcm/y", "gas_flow").to_internal(conv)
            )
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


def status_removals(pipelines: gpd.GeoDataFrame, cfg: NetworkConfig) -> list[dict[str, object]]:
    """One removal per pipeline feature left out by ``network.statuses``."""
    out = pipelines[~pipelines["status"].isin(cfg.statuses)]
    return [
        {
            "layer": "pipelines",
            "what": "pipeline",
            "id": pid,
            "reason": f"status {st} is not in network.statuses",
            "length_km": geo.line_length_km(geom),
        }
        for pid, st, geom in zip(out["pipeline_id"], out["status"], out.geometry, strict=True)
    ]


def _names(raw: pd.DataFrame, ids: pd.Series) -> np.ndarray:
    if "name" not in raw.columns:
        return ids.to_numpy()
    return raw["name"].fillna(pd.Series(ids.to_numpy(), index=raw.index)).astype(str).to_numpy()


def _optional_quantity(
    raw: pd.DataFrame,
    name: str,
    kind: str,
    conv: Conversions,
    where: str,
    ids: pd.Series,
    chosen: dict[str, tuple[str, str]],
) -> np.ndarray:
    """Quantity ``name`` (0 where empty, and everywhere without a column); the column read
    is added to ``chosen``."""
    has = [c for c in raw.columns if c == name or str(c).startswith(f"{name}_")]
    if not has and name not in raw.attrs.get(MAPPED_ATTR, {}):
        return np.zeros(len(raw))
    column, values = quantity_column(raw, name, kind, conv, where, ids)
    chosen[name] = (column, kind)
    return np.nan_to_num(values, nan=0.0)


def standardise_nodes(
    raw: gpd.GeoDataFrame,
    cfg: NetworkConfig,
    conv: Conversions,
    source: str = "<memory>",
    periods: tuple[str, ...] = (),
) -> gpd.GeoDataFrame:
    """Nodes in the common schema with ``supply_mw`` and ``demand_mw``; with ``periods``,
    also ``supply_<period>_mw`` and ``demand_<period>_mw`` where the layer has per-period
    columns (NaN where a feature leaves one empty)."""
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
    chosen: dict[str, tuple[str, str]] = {}
    supply = _optional_quantity(raw, cfg.supply_column, "gas_flow", conv, where, ids, chosen)
    mix = dict(cfg.demand_mix or {cfg.demand_column: 1.0})
    demand = np.zeros(len(raw))
    for column, weight in mix.items():
        demand = demand + weight * _demand_column(raw, column, cfg, conv, where, ids, chosen)
    price = np.full(len(raw), np.nan)
    if cfg.gas_price_column is not None:
        p_col, price = quantity_column(raw, cfg.gas_price_column, "gas_price", conv, where, ids)
        chosen[cfg.gas_price_column] = (p_col, "gas_price")
    columns = {
        "node_id": ids.to_numpy(),
        "name": _names(raw, ids),
        "kind": kind.to_numpy(),
        "supply_mw": supply,
        "demand_mw": demand,
        "gas_price_usd_per_mwh": price,
    }
    supply_periods = period_quantities(
        raw, cfg.supply_column, "gas_flow", conv, where, ids, periods
    )
    columns.update({f"supply_{p}_mw": v for p, v in supply_periods.items()})
    chosen.update(_period_columns(raw, cfg.supply_column, "gas_flow", where, supply_periods))
    columns.update(_mixed_period_demand(raw, mix, conv, where, ids, periods, chosen))
    out = gpd.GeoDataFrame(columns, geometry=raw.geometry.to_numpy(), crs="EPSG:4326")
    out.attrs[RESOLVED_ATTR] = resolved_columns(raw, "nodes", chosen)
    return out


def _demand_column(
    raw: pd.DataFrame,
    column: str,
    cfg: NetworkConfig,
    conv: Conversions,
    where: str,
    ids: pd.Series,
    chosen: dict[str, tuple[str, str]],
) -> np.ndarray:
    """Committed demand from ``column``: optional (0 without it), except a column that
    ``network.demand_mix`` names, which must be there."""
    if not cfg.demand_mix:
        return _optional_quantity(raw, column, "gas_flow", conv, where, ids, chosen)
    found, values = quantity_column(raw, column, "gas_flow", conv, where, ids)
    chosen[column] = (found, "gas_flow")
    return np.nan_to_num(values, nan=0.0)


def _mixed_period_demand(
    raw: pd.DataFrame,
    mix: dict[str, float],
    conv: Conversions,
    where: str,
    ids: pd.Series,
    periods: tuple[str, ...],
    chosen: dict[str, tuple[str, str]],
) -> dict[str, np.ndarray]:
    """Per-period committed demand Σ_c w[c]·demand_c[p] over the columns of the mix (one
    column of weight 1 without ``network.demand_mix``); a column without per-period values
    counts with its annual value in every period. Empty when no column has any."""
    per_column = {c: period_quantities(raw, c, "gas_flow", conv, where, ids, periods) for c in mix}
    if not any(per_column.values()):
        return {}
    out: dict[str, np.ndarray] = {}
    for p in periods:
        total = np.zeros(len(raw))
        for column, weight in mix.items():
            values = per_column[column].get(p)
            if values is None:
                values = quantity_column(raw, column, "gas_flow", conv, where, ids)[1]
            total = total + weight * np.nan_to_num(values, nan=0.0)
        out[f"demand_{p}_mw"] = total
    for column, found in per_column.items():
        chosen.update(_period_columns(raw, column, "gas_flow", where, found))
    return out


def standardise_stranded(
    raw: gpd.GeoDataFrame,
    cfg: NetworkConfig,
    conv: Conversions,
    source: str = "<memory>",
    periods: tuple[str, ...] = (),
) -> gpd.GeoDataFrame:
    """Off-network supply (gas on no pipeline): ``node_id``, ``name``, ``kind`` (free text,
    kept as ``stranded_kind``), the supply of ``network.supply_column`` (``supply_mw`` and
    ``supply_<period>_mw``), its own ``gas_price`` and ``gathering_cost`` (USD/MWh of fuel
    heat; NaN and 0 where absent) and ``capacity_source`` (text, where given)."""
    where = _where(source, "stranded")
    raw = _require_crs(raw, where)
    ids = _ids(raw, "node_id", where)
    _check_geometry(raw, ids, {"Point"}, where)
    _column, supply = quantity_column(raw, cfg.supply_column, "gas_flow", conv, where, ids)
    if np.isnan(supply).any():
        i = int(np.flatnonzero(np.isnan(supply))[0])
        raise DataError(
            f"{where}: feature {ids.iloc[i]}: column {_column}: missing volume; off-network "
            "supply needs the gas it can give"
        )
    price = np.full(len(raw), np.nan)
    if _has_quantity(raw, "gas_price"):
        _col, price = quantity_column(raw, "gas_price", "gas_price", conv, where, ids)
    gathering = _optional_quantity(raw, "gathering_cost", "gas_price", conv, where, ids, {})
    kind = (
        raw["kind"].fillna("stranded").astype(str).to_numpy()
        if "kind" in raw.columns
        else np.full(len(raw), "stranded", dtype=object)
    )
    columns: dict[str, object] = {
        "node_id": ids.to_numpy(),
        "name": _names(raw, ids),
        "stranded_kind": kind,
        "supply_mw": supply,
        "gas_price_usd_per_mwh": price,
        "gathering_cost_usd_per_mwh": gathering,
        "capacity_source": (
            raw["capacity_source"].fillna("").astype(str).to_numpy()
            if "capacity_source" in raw.columns
            else np.full(len(raw), "", dtype=object)
        ),
    }
    values = period_quantities(raw, cfg.supply_column, "gas_flow", conv, where, ids, periods)
    columns.update({f"supply_{p}_mw": v for p, v in values.items()})
    return gpd.GeoDataFrame(columns, geometry=raw.geometry.to_numpy(), crs="EPSG:4326")


#: the fuels a grid node's power may come from (columns ``fuel_<name>``, shares 0–1)
GRID_FUELS = ("gas", "coal", "nuclear", "hydro", "other")


def standardise_grid(
    raw: gpd.GeoDataFrame,
    conv: Conversions,
    source: str = "<memory>",
    periods: tuple[str, ...] = (),
) -> gpd.GeoDataFrame:
    """Grid nodes with ``spare_mw`` and the energy price; with ``periods``,
    ``spare_<period>_mw`` where the layer has per-period columns. Optional fuel columns
    (``fuel_gas`` … ``fuel_other``, ``gas_heat_rate`` or ``gas_efficiency``, ``gas_node``)
    and a capacity price (``capacity_price_<unit>``) are kept when given."""
    where = _where(source, "grid")
    raw = _require_crs(raw, where)
    ids = _ids(raw, "grid_id", where)
    _check_geometry(raw, ids, {"Point"}, where)
    spare_col, spare = quantity_column(raw, "spare", "power", conv, where, ids)
    chosen = {"spare": (spare_col, "power")}
    if np.isnan(spare).any():
        i = int(np.flatnonzero(np.isnan(spare))[0])
        raise DataError(
            f"{where}: feature {ids.iloc[i]}: column {_file_column(raw, spare_col)}: missing "
            "spare capacity"
        )
    price = np.full(len(raw), np.nan)
    if any(str(c).startswith("energy_price_") for c in raw.columns) or "energy_price" in (
        raw.attrs.get(MAPPED_ATTR, {})
    ):
        e_col, price = quantity_column(raw, "energy_price", "energy_price", conv, where, ids)
        chosen["energy_price"] = (e_col, "energy_price")
    voltage = (
        pd.to_numeric(raw["voltage_kv"], errors="coerce").to_numpy(dtype=float)
        if "voltage_kv" in raw.columns
        else np.full(len(raw), np.nan)
    )
    columns: dict[str, object] = {
        "grid_id": ids.to_numpy(),
        "name": _names(raw, ids),
        "voltage_kv": voltage,
        "spare_mw": spare,
        "energy_price_usd_per_mwh": price,
    }
    if "zone" in raw.columns:  # the power-system zone: a region for siting alternatives
        columns["zone"] = raw["zone"].astype(object).to_numpy()
    spare_periods = period_quantities(raw, "spare", "power", conv, where, ids, periods)
    chosen.update(_period_columns(raw, "spare", "power", where, spare_periods))
    for p, values in spare_periods.items():
        if np.isnan(values).any():
            i = int(np.flatnonzero(np.isnan(values))[0])
            raise DataError(
                f"{where}: feature {ids.iloc[i]}: column spare_{p}: missing spare capacity for "
                f"period {p}"
            )
        columns[f"spare_{p}_mw"] = values
    if _optional_given(raw, "capacity_price", "money_per_power_year"):
        c_col, cap_price = quantity_column(
            raw, "capacity_price", "money_per_power_year", conv, where, ids
        )
        columns["capacity_price_musd_per_mw_y"] = cap_price
        chosen["capacity_price"] = (c_col, "money_per_power_year")
    columns.update(_grid_fuel(raw, ids, where))
    grid = gpd.GeoDataFrame(columns, geometry=raw.geometry.to_numpy(), crs="EPSG:4326")
    grid.attrs[RESOLVED_ATTR] = resolved_columns(raw, "grid", chosen)
    return grid


def _grid_fuel(raw: pd.DataFrame, ids: pd.Series, where: str) -> dict[str, np.ndarray]:
    """The fuel columns of a grid layer: shares in [0, 1] summing to at most 1, the heat
    rate of the gas share (MWh of fuel per MWh of power) and the node that feeds it."""
    given = [f for f in GRID_FUELS if f"fuel_{f}" in raw.columns]
    if not given:
        for column in ("gas_heat_rate", "gas_efficiency", "gas_node"):
            if column in raw.columns:
                raise DataError(
                    f"{where}: column {column} needs the fuel shares it belongs to: give "
                    f"fuel_gas (and fuel_{', fuel_'.join(GRID_FUELS[1:])}), each 0–1"
                )
        return {}
    out: dict[str, np.ndarray] = {}
    for fuel in GRID_FUELS:
        column = f"fuel_{fuel}"
        if column not in raw.columns:
            out[column] = np.zeros(len(raw))
            continue
        values = pd.to_numeric(raw[column], errors="coerce").to_numpy(dtype=float)
        bad = raw[column].notna().to_numpy() & np.isnan(values)
        bad |= (values < 0) | (values > 1)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise DataError(
                f"{where}: feature {ids.iloc[i]}: column {column}: {raw[column].iloc[i]!r} is "
                "not a share; a fuel share is a number from 0 to 1"
            )
        out[column] = np.nan_to_num(values, nan=0.0)
    total = np.sum([out[f"fuel_{f}"] for f in GRID_FUELS], axis=0)
    over = total > 1 + 1e-6
    if over.any():
        i = int(np.flatnonzero(over)[0])
        shares = ", ".join(f"{f} {out[f'fuel_{f}'][i]:g}" for f in GRID_FUELS)
        raise DataError(
            f"{where}: feature {ids.iloc[i]}: the fuel shares sum to {total[i]:.4g} ({shares}); "
            "they are shares of the power that serves new load and may sum to at most 1"
        )
    heat_rate = np.full(len(raw), np.nan)
    if "gas_heat_rate" in raw.columns:
        heat_rate = pd.to_numeric(raw["gas_heat_rate"], errors="coerce").to_numpy(dtype=float)
    if "gas_efficiency" in raw.columns:
        eff = pd.to_numeric(raw["gas_efficiency"], errors="coerce").to_numpy(dtype=float)
        bad_eff = (eff <= 0) | (eff > 1)
        if bad_eff.any():
            i = int(np.flatnonzero(bad_eff)[0])
            raise DataError(
                f"{where}: feature {ids.iloc[i]}: column gas_efficiency: {eff[i]:g}; an "
                "efficiency is a number in (0, 1]"
            )
        heat_rate = np.where(np.isnan(heat_rate), 1.0 / eff, heat_rate)
    gas = out["fuel_gas"] > 0
    missing = gas & ~(np.isfinite(heat_rate) & (heat_rate >= 1))
    if missing.any():
        i = int(np.flatnonzero(missing)[0])
        raise DataError(
            f"{where}: feature {ids.iloc[i]}: fuel_gas is {out['fuel_gas'][i]:g} but "
            "gas_efficiency (0–1) or gas_heat_rate (MWh of fuel per MWh, ≥ 1) is missing or "
            "impossible"
        )
    out["gas_heat_rate"] = np.where(gas, heat_rate, 0.0)
    node = (
        raw["gas_node"].astype(object).where(raw["gas_node"].notna(), None).to_numpy()
        if "gas_node" in raw.columns
        else np.full(len(raw), None, dtype=object)
    )
    out["gas_node"] = np.where(gas, node, np.array(None, dtype=object))
    return out


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


def standardise_climate(
    raw: pd.DataFrame, source: str = "<memory>", periods: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Climate stations with ``temp_mean_c``, and ``temp_mean_<period>_c`` for every period
    when the table gives one for any (a column for some periods only is an error)."""
    where = _where(source, "climate")
    given = [p for p in periods if f"temp_mean_{p}_c" in raw.columns]
    if given and len(given) < len(periods):
        absent = next(p for p in periods if p not in given)
        raise DataError(
            f"{where}: column temp_mean_{given[0]}_c gives the temperature of period "
            f"{given[0]} but there is no temp_mean_{absent}_c for period {absent}; give a "
            f"column for every period ({', '.join(periods)}) or for none"
        )
    return standardise_points_table(
        raw, "climate", ["temp_mean_c", *(f"temp_mean_{p}_c" for p in given)], source
    )


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
