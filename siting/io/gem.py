"""Global Energy Monitor's Global Gas Infrastructure Tracker (GGIT).

Two shapes of the same data are read: the route GeoJSON (``*_fullres.geojson``, one feature
per drawn piece of a pipeline unit) and the map CSV (``world_ggit_map_*.csv``, one row per
unit with a WKT ``geometry`` column in EPSG:4326, and LNG terminals besides).

In the file schema:

- ``pipeline_id``: GEM's unit ``id``, with ``#k`` appended when a unit is drawn in several
  features;
- ``line_id``: the unit ``id``. GEM lists every string (unit) of a pipeline separately with
  its own capacity, so pieces of one unit never add capacity where they overlap, and
  different units along one corridor do (``network.parallel_capacity``);
- ``system``: the pipeline's ``name`` (all its units), used to fill a missing capacity from
  the other strings of the same pipeline;
- ``capacity_bcm_y``: ``capacity`` converted from the row's ``original_units`` (``--`` is
  missing); a layer's ``units: {capacity: ...}`` overrides ``original_units`` for every row.

Rows left out and listed with their reason: LNG terminals (``tracker-acro`` other than
``GGIT``), units without a route geometry, and units outside ``options.countries`` (matched
against GEM's ``areas``, e.g. ``Russia``).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from siting.config import GemOptions, LayerSpec
from siting.errors import DataError
from siting.io.raw import RawLayer, first_line

#: GEM's ``original_units`` → bcm/y per unit of ``capacity``
GEM_UNITS_BCM_Y = {
    "bcm/y of gas": 1.0,
    "bcm/y": 1.0,
    "mcm/d": 0.365,
    "mcm/d of gas": 0.365,
    "mmcf/d": 1e6 * 0.028316846592 * 365 / 1e9,
    "mmcf/d of gas": 1e6 * 0.028316846592 * 365 / 1e9,
    "mmscf/d": 1e6 * 0.028316846592 * 365 / 1e9,
    "bcf/d": 1e9 * 0.028316846592 * 365 / 1e9,
}

KEEP_COLUMNS = ("url", "areas", "owner", "start_year", "region", "subnat", "unit_name")


def read_gem(spec: LayerSpec, role: str) -> RawLayer:
    where = f"{spec.path}: layer {role}"
    if role != "pipelines":
        raise DataError(
            f"{where}: a GEM GGIT file holds pipelines (and LNG terminals), not {role}; give "
            f"layers.{role} from another file"
        )
    opts: GemOptions = spec.format_options("gem")
    try:
        if spec.path.suffix.lower() in {".csv", ".tsv", ".txt"}:
            df = pd.read_csv(spec.path, dtype={"capacity": str, "unit_name": str})
            raw = _from_map_csv(df, spec, role)
        else:
            raw = RawLayer(gpd.read_file(spec.path, engine="pyogrio"))
    except DataError:
        raise
    except Exception as exc:
        raise DataError(f"{where}: cannot read the GEM file: {first_line(exc)}") from None
    frame = raw.frame
    missing = [c for c in ("id", "name", "status", "capacity") if c not in frame.columns]
    if missing:
        raise DataError(
            f"{where}: not a GEM GGIT pipeline file: missing column(s) {', '.join(missing)}; "
            "set format: to what the file is"
        )
    removed = raw.removed
    if "tracker-acro" in frame.columns:
        lng = frame["tracker-acro"].fillna("").astype(str) != "GGIT"
        removed += _removed(frame[lng], role, "not a pipeline: tracker-acro {acro}")
        frame = frame[~lng]
    if opts.countries is not None:
        wanted = {c.strip().lower() for c in opts.countries}
        areas = frame["areas"].fillna("").astype(str)
        inside = areas.map(lambda a: bool(wanted & {x.strip().lower() for x in a.split(",")}))
        removed += _removed(
            frame[~inside.to_numpy()], role, "areas {areas}: none of options.countries"
        )
        frame = frame[inside.to_numpy()]
    no_geom = (frame.geometry.isna() | frame.geometry.is_empty).to_numpy()
    removed += _removed(frame[no_geom], role, "no route geometry in the GEM file")
    frame = frame[~no_geom].reset_index(drop=True)
    return RawLayer(_schema(frame, spec, where), removed)


def _from_map_csv(df: pd.DataFrame, spec: LayerSpec, role: str) -> RawLayer:
    """The map CSV: WKT geometry in EPSG:4326 (GEM's documented CRS)."""
    text = df["geometry"].astype(object).where(df["geometry"].notna(), None)
    geom = shapely.from_wkt(text.to_numpy(), on_invalid="ignore")
    bad = text.notna().to_numpy() & pd.isna(geom)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataError(
            f"{spec.path}: layer {role}: feature {df['id'].iloc[i]}: column geometry: not "
            f"valid WKT: {str(text.iloc[i])[:60]!r}"
        )
    return RawLayer(gpd.GeoDataFrame(df.drop(columns=["geometry"]), geometry=geom, crs="EPSG:4326"))


def _removed(frame: pd.DataFrame, role: str, reason: str) -> list[dict[str, object]]:
    out = []
    for _, row in frame.iterrows():
        out.append(
            {
                "layer": role,
                "what": "feature",
                "id": str(row.get("id", "")),
                "reason": reason.format(
                    acro=row.get("tracker-acro", ""), areas=row.get("areas", "")
                ),
                "length_km": float("nan"),
            }
        )
    return out


def _schema(frame: gpd.GeoDataFrame, spec: LayerSpec, where: str) -> gpd.GeoDataFrame:
    ids = frame["id"].astype(str).str.strip()
    piece = ids.groupby(ids).cumcount() + 1
    several = ids.map(ids.value_counts()) > 1
    pipeline_id = ids.where(~several, ids + "#" + piece.astype(str))
    unit = (
        frame["unit_name"].fillna("").astype(str).str.strip()
        if "unit_name" in frame
        else pd.Series("", index=frame.index)
    )
    name = frame["name"].fillna(ids).astype(str)
    display = name.where(unit == "", name + " " + unit)
    text = frame["capacity"].astype(str).str.strip()
    value = pd.to_numeric(text.where(~text.isin(["--", "", "nan", "None"])), errors="coerce")
    not_number = value.isna() & ~text.isin(["--", "", "nan", "None"])
    if not_number.any():
        i = int(np.flatnonzero(not_number.to_numpy())[0])
        raise DataError(
            f"{where}: feature {pipeline_id.iloc[i]}: column capacity: not a number: "
            f"{frame['capacity'].iloc[i]!r}"
        )
    out = {
        "pipeline_id": pipeline_id.to_numpy(),
        "name": display.to_numpy(),
        "status": frame["status"].astype(str).to_numpy(),
        "line_id": ids.to_numpy(),
        "system": name.to_numpy(),
    }
    if "capacity" in spec.units:
        out["capacity"] = value.to_numpy()
    else:
        units = (
            frame["original_units"].fillna("").astype(str).str.strip().str.lower()
            if "original_units" in frame
            else pd.Series("bcm/y of gas", index=frame.index)
        )
        factor = units.map(GEM_UNITS_BCM_Y)
        unknown = factor.isna() & value.notna()
        if unknown.any():
            i = int(np.flatnonzero(unknown.to_numpy())[0])
            raise DataError(
                f"{where}: feature {pipeline_id.iloc[i]}: column original_units: unknown "
                f"capacity unit {frame['original_units'].iloc[i]!r}; known: "
                f"{', '.join(GEM_UNITS_BCM_Y)}; or declare one unit for every row with "
                "units: {capacity: ...}"
            )
        out["capacity_bcm_y"] = (value * factor).to_numpy()
    for col in KEEP_COLUMNS:
        if col in frame.columns and col not in out:
            out[col] = frame[col].astype(object).to_numpy()
    return gpd.GeoDataFrame(out, geometry=frame.geometry.to_numpy(), crs=frame.crs or "EPSG:4326")
