"""GasLib networks: ``.net`` XML (nodes and arcs) and ``.scn`` nominations.

Every GasLib value is an element ``<tag value=".." unit=".."/>`` and the unit varies between
files (diameters in mm or m, lengths in km or m, flows in 1000 m³/h, m³/h or m³/s); each value
is converted from its own ``unit``, with the defaults of the GasLib schemas where ``unit`` is
absent (m for lengths, m³/s for flows).

In the file schema:

- **nodes**: ``source`` → kind ``field``, ``sink`` → ``demand``, ``innode`` → ``junction``, at
  ``geoWGS84Long``/``geoWGS84Lat``. Supply (``<supply column>_km3_h``) is the source's
  ``flowMax`` (``options.supply: flow_max``) or its nominated entry flow (``nomination``).
  Committed demand (``<demand column>_km3_h``) is the exit nomination of ``options.nominations``
  for the chosen ``options.scenario``: a fixed flow (``bound="both"``) or, for a range, its
  lower bound (what must be delivered). Without nominations there is no committed demand.
- **pipelines**: every arc (``pipe``, ``shortPipe``, ``resistor``, ``valve``,
  ``controlValve``, ``compressorStation``) as a straight line between its nodes, with
  ``from_node``/``to_node`` (the builder joins them by id, not by snapping), ``diameter_mm``,
  ``declared_length_km`` and status ``operating``. Capacity (``options.capacity``): the arc's
  flow bounds (``flowMax`` forward, ``−flowMin`` backward), or, for pipes, the diameter rule
  (other arcs keep their flow bounds).

Networks with only schematic ``x``/``y`` (GasLib-11, -24, -134) need the layer's ``crs`` if
their x/y are real coordinates; otherwise they have no place on a map and are refused.
"""

from __future__ import annotations

import functools
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer
from shapely import LineString, Point

from siting.config import GaslibOptions, LayerSpec, NetworkConfig
from siting.errors import DataError
from siting.io.raw import RawLayer, first_line

GAS_NS = "http://gaslib.zib.de/Gas"
FRAMEWORK_NS = "http://gaslib.zib.de/Framework"
NODE_KINDS = {"source": "field", "sink": "demand", "innode": "junction"}
ARC_TAGS = ("pipe", "shortPipe", "resistor", "valve", "controlValve", "compressorStation")
#: unit → factor to 1000 m³/h
FLOW_UNITS = {"1000m_cube_per_hour": 1.0, "m_cube_per_hour": 1e-3, "m_cube_per_s": 3.6}
#: unit → factor to km
LENGTH_UNITS = {"mm": 1e-6, "cm": 1e-5, "m": 1e-3, "meter": 1e-3, "km": 1.0}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


@functools.lru_cache(maxsize=8)
def _parse(path: Path, mtime: float) -> ET.Element:
    try:
        return ET.parse(path).getroot()
    except (ET.ParseError, OSError) as exc:
        raise DataError(f"{path}: cannot read the GasLib XML: {first_line(exc)}") from None


def parse_xml(path: Path) -> ET.Element:
    return _parse(path, path.stat().st_mtime if path.exists() else 0.0)


def _value(
    elem: ET.Element, tag: str, units: dict[str, float], default_unit: str, where: str
) -> float:
    """The value of child ``tag`` converted with ``units`` (NaN when absent)."""
    child = elem.find(f"{{{GAS_NS}}}{tag}")
    if child is None:
        return float("nan")
    unit = child.get("unit", default_unit)
    if unit not in units:
        raise DataError(f"{where}: {tag} unit {unit!r} is not one of {', '.join(units)}")
    try:
        return float(child.get("value", "nan")) * units[unit]
    except ValueError:
        raise DataError(f"{where}: {tag}: not a number: {child.get('value')!r}") from None


def read_gaslib(spec: LayerSpec, role: str, net: NetworkConfig) -> RawLayer:
    where = f"{spec.path}: layer {role}"
    opts: GaslibOptions = spec.format_options("gaslib")
    root = parse_xml(spec.path)
    if _local(root.tag) != "network":
        raise DataError(
            f"{where}: not a GasLib network file (root element {_local(root.tag)!r}, expected "
            "network); nominations (.scn) go in the nodes layer's options.nominations"
        )
    nodes = _nodes(root, spec, where)
    if role == "nodes":
        return RawLayer(_node_layer(nodes, spec, opts, net, where))
    if role == "pipelines":
        return RawLayer(_arc_layer(root, nodes, spec, opts, where))
    raise DataError(
        f"{where}: a GasLib network gives pipelines and nodes, not {role}; give layers.{role} "
        "from another file"
    )


def _nodes(root: ET.Element, spec: LayerSpec, where: str) -> pd.DataFrame:
    rows = []
    container = root.find(f"{{{FRAMEWORK_NS}}}nodes")
    for elem in container if container is not None else []:
        kind = NODE_KINDS.get(_local(elem.tag))
        if kind is None:
            continue
        nid = elem.get("id", "")
        at = f"{where}: node {nid}"
        lon, lat = elem.get("geoWGS84Long"), elem.get("geoWGS84Lat")
        rows.append(
            {
                "node_id": nid,
                "name": elem.get("alias") or nid,
                "kind": kind,
                "lon": float(lon) if lon is not None else np.nan,
                "lat": float(lat) if lat is not None else np.nan,
                "x": float(elem.get("x", "nan")),
                "y": float(elem.get("y", "nan")),
                "flow_min_km3_h": _value(elem, "flowMin", FLOW_UNITS, "m_cube_per_s", at),
                "flow_max_km3_h": _value(elem, "flowMax", FLOW_UNITS, "m_cube_per_s", at),
            }
        )
    df = pd.DataFrame(rows)
    if df.empty:
        raise DataError(f"{where}: the network has no nodes")
    no_geo = df["lon"].isna() | df["lat"].isna()
    if no_geo.any():
        if spec.crs is None:
            nid = df["node_id"][no_geo].iloc[0]
            raise DataError(
                f"{where}: node {nid}: no geoWGS84Long/geoWGS84Lat, only schematic x/y; if x/y "
                "are real coordinates set the layer's crs to their CRS, otherwise this network "
                "cannot be placed on a map"
            )
        to_wgs = Transformer.from_crs(spec.crs, "EPSG:4326", always_xy=True)
        lon, lat = to_wgs.transform(df.loc[no_geo, "x"].to_numpy(), df.loc[no_geo, "y"].to_numpy())
        df.loc[no_geo, "lon"] = lon
        df.loc[no_geo, "lat"] = lat
    return df.set_index("node_id", drop=False)


def _node_layer(
    nodes: pd.DataFrame, spec: LayerSpec, opts: GaslibOptions, net: NetworkConfig, where: str
) -> gpd.GeoDataFrame:
    entry, exit_ = _nominations(opts, nodes, where) if opts.nominations else ({}, {})
    is_source = nodes["kind"] == "field"
    if opts.supply == "nomination":
        if not opts.nominations:
            raise DataError(
                f"{where}: options.supply is nomination but no options.nominations file is given"
            )
        supply = nodes["node_id"].map(entry).fillna(0.0)
    else:
        supply = nodes["flow_max_km3_h"].clip(lower=0.0).fillna(0.0)
    supply = supply.where(is_source, 0.0)
    demand = nodes["node_id"].map(exit_).fillna(0.0)
    return gpd.GeoDataFrame(
        {
            "node_id": nodes["node_id"].to_numpy(),
            "name": nodes["name"].to_numpy(),
            "kind": nodes["kind"].to_numpy(),
            f"{net.supply_column}_km3_h": supply.to_numpy(float),
            f"{net.demand_column}_km3_h": demand.to_numpy(float),
            "flow_min_km3_h": nodes["flow_min_km3_h"].to_numpy(),
            "flow_max_km3_h": nodes["flow_max_km3_h"].to_numpy(),
        },
        geometry=[Point(x, y) for x, y in zip(nodes["lon"], nodes["lat"], strict=True)],
        crs="EPSG:4326",
    )


def _nominations(
    opts: GaslibOptions, nodes: pd.DataFrame, where: str
) -> tuple[dict[str, float], dict[str, float]]:
    """Entry and exit flows (1000 m³/h) of the chosen scenario."""
    path = Path(opts.nominations)  # type: ignore[arg-type]
    root = parse_xml(path)
    scenarios = [s for s in root if _local(s.tag) == "scenario"]
    if not scenarios:
        raise DataError(f"{path}: no <scenario> in the nominations file")
    ids = [s.get("id", "") for s in scenarios]
    if opts.scenario is not None:
        chosen = [s for s in scenarios if s.get("id") == opts.scenario]
        if not chosen:
            raise DataError(f"{path}: no scenario {opts.scenario!r}; scenarios: {', '.join(ids)}")
        scenario = chosen[0]
    elif len(scenarios) > 1:
        raise DataError(
            f"{path}: {len(scenarios)} scenarios ({', '.join(ids)}); choose one with the nodes "
            "layer's options.scenario"
        )
    else:
        scenario = scenarios[0]
    entry: dict[str, float] = {}
    exit_: dict[str, float] = {}
    for node in scenario:
        if _local(node.tag) != "node":
            continue
        nid = node.get("id", "")
        if nid not in nodes.index:
            raise DataError(
                f"{path}: scenario {scenario.get('id')}: node {nid} is not in the network {where.split(':')[0]}"
            )
        bounds: dict[str, float] = {}
        for flow in node:
            if _local(flow.tag) != "flow":
                continue
            unit = flow.get("unit", "m_cube_per_s")
            if unit not in FLOW_UNITS:
                raise DataError(
                    f"{path}: node {nid}: flow unit {unit!r} is not one of {', '.join(FLOW_UNITS)}"
                )
            bounds[flow.get("bound", "both")] = float(flow.get("value", "nan")) * FLOW_UNITS[unit]
        if not bounds:
            continue
        kind = node.get("type", "exit")
        if kind == "entry":
            entry[nid] = bounds.get("both", bounds.get("upper", bounds.get("lower", 0.0)))
        else:
            exit_[nid] = bounds.get("both", bounds.get("lower", 0.0))
    return entry, exit_


def _arc_layer(
    root: ET.Element, nodes: pd.DataFrame, spec: LayerSpec, opts: GaslibOptions, where: str
) -> gpd.GeoDataFrame:
    rows, geoms = [], []
    lon, lat = nodes["lon"], nodes["lat"]
    container = root.find(f"{{{FRAMEWORK_NS}}}connections")
    for elem in container if container is not None else []:
        tag = _local(elem.tag)
        if tag not in ARC_TAGS:
            continue
        aid = elem.get("id", "")
        at = f"{where}: {tag} {aid}"
        a, b = elem.get("from", ""), elem.get("to", "")
        for end in (a, b):
            if end not in nodes.index:
                raise DataError(f"{at}: node {end!r} is not in the network")
        fmin = _value(elem, "flowMin", FLOW_UNITS, "m_cube_per_s", at)
        fmax = _value(elem, "flowMax", FLOW_UNITS, "m_cube_per_s", at)
        diameter = _value(elem, "diameter", LENGTH_UNITS, "m", at)
        if np.isnan(diameter):
            diameter = _value(elem, "diameterIn", LENGTH_UNITS, "m", at)
        by_diameter = opts.capacity == "diameter" and tag == "pipe"
        rows.append(
            {
                "pipeline_id": aid,
                "name": f"{tag} {aid}",
                "element": tag,
                "status": "operating",
                "from_node": a,
                "to_node": b,
                "capacity_km3_h": np.nan if by_diameter else max(fmax, 0.0),
                "reverse_capacity_km3_h": np.nan if by_diameter else max(-fmin, 0.0),
                "direction": "both" if by_diameter else "forward",
                "diameter_mm": diameter * 1e6,
                "declared_length_km": _value(elem, "length", LENGTH_UNITS, "m", at),
            }
        )
        geoms.append(LineString([(float(lon[a]), float(lat[a])), (float(lon[b]), float(lat[b]))]))
    if not rows:
        raise DataError(f"{where}: the network has no arcs")
    return gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:4326")
