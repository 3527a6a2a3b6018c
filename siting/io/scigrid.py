"""SciGRID_gas CSV (the early ``02_NonOSM`` release): ``Gas_PipeSegments.csv`` and
``Gas_Nodes.csv``, separated by ``;``.

Each row holds Python-literal lists (``lat``, ``long``, ``node_id``, ``country_code``) and a
``param`` dictionary with ``diameter_mm``, ``max_cap_M_m3_per_d`` (mcm/d) and ``length``
(km). In the file schema a pipe segment becomes a line through its ``long``/``lat`` points
with ``capacity_mcm_d``, ``diameter_mm`` and status ``operating`` (the release carries no
status). The segments' ``node_id`` pairs are kept as ``start_node``/``end_node`` for
reference only: node ids in this release are not unique (the same id names places hundreds
of km apart), so the network is built from the coordinates, which coincide with the nodes'.

A node id used by several rows is renamed ``id/source_id`` for each of them, and the
renaming is listed with the layer's removals; ``options.countries`` keeps segments and
nodes in the listed countries (ISO codes, e.g. ``DE``).
"""

from __future__ import annotations

import ast
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely import LineString, Point

from siting.config import LayerSpec, ScigridOptions
from siting.errors import DataError
from siting.io.raw import RawLayer, first_line


def _literal(text: object, where: str, row: str, column: str) -> Any:
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return None
    try:
        return ast.literal_eval(str(text))
    except (ValueError, SyntaxError):
        raise DataError(
            f"{where}: feature {row}: column {column}: not a list or dictionary: {str(text)[:60]!r}"
        ) from None


def read_scigrid(spec: LayerSpec, role: str) -> RawLayer:
    where = f"{spec.path}: layer {role}"
    opts: ScigridOptions = spec.format_options("scigrid")
    try:
        df = pd.read_csv(spec.path, sep=";", dtype=str)
    except Exception as exc:
        raise DataError(f"{where}: cannot read the SciGRID_gas CSV: {first_line(exc)}") from None
    missing = [c for c in ("id", "lat", "long", "param") if c not in df.columns]
    if missing:
        raise DataError(f"{where}: not a SciGRID_gas table: missing column(s) {', '.join(missing)}")
    countries = {c.upper() for c in opts.countries} if opts.countries is not None else None
    if role == "pipelines":
        return _segments(df, where, role, countries)
    if role == "nodes":
        return _nodes(df, where, role, countries)
    raise DataError(
        f"{where}: a SciGRID_gas table gives pipelines or nodes, not {role}; give "
        f"layers.{role} from another file"
    )


def _segments(df: pd.DataFrame, where: str, role: str, countries: set[str] | None) -> RawLayer:
    rows, geoms, removed = [], [], []
    for rec in df.itertuples(index=False):
        sid = str(rec.id)
        lat = _literal(rec.lat, where, sid, "lat") or []
        lon = _literal(rec.long, where, sid, "long") or []
        if len(lat) != len(lon):
            raise DataError(
                f"{where}: feature {sid}: columns lat/long: {len(lat)} latitudes but "
                f"{len(lon)} longitudes"
            )
        codes = _literal(getattr(rec, "country_code", None), where, sid, "country_code") or []
        if countries is not None and not countries & {str(c).upper() for c in codes}:
            removed.append(
                _removal(
                    role, sid, f"countries {', '.join(map(str, codes))}: none of options.countries"
                )
            )
            continue
        param = _literal(rec.param, where, sid, "param") or {}
        ends = _literal(getattr(rec, "node_id", None), where, sid, "node_id") or [None, None]
        rows.append(
            {
                "pipeline_id": sid,
                "name": rec.name if isinstance(rec.name, str) else sid,
                "status": "operating",
                "capacity_mcm_d": _number(param.get("max_cap_M_m3_per_d")),
                "diameter_mm": _number(param.get("diameter_mm")),
                "declared_length_km": _number(param.get("length")),
                "start_node": ends[0],
                "end_node": ends[-1],
                "countries": ",".join(map(str, codes)),
            }
        )
        geoms.append(LineString(list(zip(lon, lat, strict=True))) if len(lat) >= 2 else None)
    # geopandas reads None as a missing geometry; its stub leaves None out
    frame = gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:4326")  # type: ignore[arg-type]
    if len(frame):
        ids = frame["pipeline_id"]
        dup = ids.duplicated(keep=False)
        renamed = ids.where(~dup, ids + "#" + (ids.groupby(ids).cumcount() + 1).astype(str))
        removed += [
            _removal(role, old, f"id used by several segments; renamed {new}", what="renamed")
            for old, new in zip(ids[dup], renamed[dup], strict=True)
        ]
        frame["pipeline_id"] = renamed
    return RawLayer(frame, removed)


def _nodes(df: pd.DataFrame, where: str, role: str, countries: set[str] | None) -> RawLayer:
    removed = []
    if countries is not None and "country_code" in df.columns:
        inside = df["country_code"].fillna("").str.upper().isin(countries)
        removed += [
            _removal(role, i, f"country {c}: not in options.countries")
            for i, c in zip(df["id"][~inside], df["country_code"][~inside], strict=True)
        ]
        df = df[inside]
    ids = df["id"].astype(str)
    dup = ids.duplicated(keep=False)
    source = df["source_id"].fillna("").astype(str).str.strip("[]' ") if "source_id" in df else ""
    renamed = ids.where(~dup, ids + "/" + source)
    for old, new in zip(ids[dup], renamed[dup], strict=True):
        removed.append(
            _removal(
                role,
                old,
                f"id used by several nodes at different places; renamed {new}",
                what="renamed",
            )
        )
    lat = pd.to_numeric(df["lat"], errors="coerce").to_numpy(float)
    lon = pd.to_numeric(df["long"], errors="coerce").to_numpy(float)
    frame = gpd.GeoDataFrame(
        {
            "node_id": renamed.to_numpy(),
            "name": df["name"].fillna(ids).astype(str).to_numpy(),
            "kind": "junction",
            "country_code": df.get("country_code", pd.Series("", index=df.index)).to_numpy(),
        },
        geometry=[  # type: ignore[arg-type]  # None is a missing geometry (not in the stub)
            Point(x, y) if np.isfinite(x) and np.isfinite(y) else None
            for x, y in zip(lon, lat, strict=True)
        ],
        crs="EPSG:4326",
    )
    return RawLayer(frame, removed)


def _number(value: object) -> float:
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return float("nan")
    return out if np.isfinite(out) and out >= 0 else float("nan")


def _removal(role: str, fid: object, reason: str, what: str = "feature") -> dict[str, object]:
    return {
        "layer": role,
        "what": what,
        "id": str(fid),
        "reason": reason,
        "length_km": float("nan"),
    }
