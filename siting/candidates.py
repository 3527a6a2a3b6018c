"""Candidate sites: chosen network nodes plus points along the pipelines, with their
geodesic attributes (remoteness, fibre, grid, border, climate) and exclusion reasons.

Eligible candidates are inserted into the network graph: a point along a corridor splits it
into two corridors with the same capacities, so gas burnt there must arrive by pipe.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from shapely import LineString

from siting import geo
from siting.collector import paused
from siting.config import Case, PueCurve
from siting.errors import DataError
from siting.geodata import GeoData
from siting.inputs import capex_multiplier
from siting.network import Drawings, Network
from siting.notes import note, progress
from siting.prices import price_factor
from siting.sizing import SizeEstimate, estimate_size


@dataclass
class Candidates:
    """All candidate points (eligible or not) and the graph with eligible sites inserted."""

    sites: gpd.GeoDataFrame
    graph: nx.Graph

    @property
    def eligible(self) -> gpd.GeoDataFrame:
        return self.sites[self.sites["eligible"]]


@paused()
def build_candidates(network: Network, data: GeoData, case: Case) -> Candidates:
    cfg = case.candidates
    drawings = None
    if cfg.spacing_km:
        drawings = network.drawings if network.drawings is not None else Drawings.of(network.graph)
    points = candidate_points(network.graph, cfg.node_kinds, cfg.spacing_km, drawings)
    graph = network.graph
    if data.stranded is not None:
        graph = with_stranded_nodes(graph, data.stranded, data.sources.get("stranded", "<memory>"))
        points = with_stranded_points(points, data.stranded)
    check_candidate_count(len(points), case)
    attrs = site_attributes(points, data, case)
    if data.stranded is not None:
        attrs = stranded_gas_prices(attrs, data, case)
    graph = insert_sites(graph, attrs[attrs["eligible"]], drawings)
    return Candidates(attrs, graph)


#: the graph node kind of off-network supply (a layer ``stranded`` point)
STRANDED = "stranded"


def with_stranded_nodes(graph: nx.Graph, stranded: pd.DataFrame, source: str) -> nx.Graph:
    """A copy of ``graph`` with every off-network supply point as a node on no pipeline:
    kind ``stranded``, its volume as supply, no committed demand. Its gas reaches only the
    candidate site at the point."""
    clash = [n for n in stranded["node_id"] if n in graph]
    if clash:
        raise DataError(
            f"{source}: layer stranded: feature {clash[0]}: node_id is also a node of the gas "
            "network; give off-network supply its own id"
        )
    g = graph.copy()
    g.add_nodes_from(
        (
            n,
            {
                "name": name,
                "kind": STRANDED,
                "lon": float(x),
                "lat": float(y),
                "supply_mw": float(supply),
                "demand_mw": 0.0,
            },
        )
        for n, name, x, y, supply in zip(
            stranded["node_id"],
            stranded["name"],
            stranded.geometry.x,
            stranded.geometry.y,
            stranded["supply_mw"],
            strict=True,
        )
    )
    return g


def with_stranded_points(points: pd.DataFrame, stranded: pd.DataFrame) -> pd.DataFrame:
    """The candidate points plus one at every off-network supply point (column ``stranded``
    marks them)."""
    rows = pd.DataFrame(
        {
            "site_id": stranded["node_id"].to_numpy(),
            "node_id": stranded["node_id"].to_numpy(),
            "lon": stranded.geometry.x.to_numpy(float),
            "lat": stranded.geometry.y.to_numpy(float),
            "on": "node",
            "edge_u": None,
            "edge_v": None,
            "along_km": 0.0,
            "corridor": stranded["name"].to_numpy(),
        },
        columns=POINT_COLUMNS,
    )
    out = pd.concat([points.assign(stranded=False), rows.assign(stranded=True)], ignore_index=True)
    return out


def stranded_gas_prices(attrs: gpd.GeoDataFrame, data: GeoData, case: Case) -> gpd.GeoDataFrame:
    """The gas price of off-network sites: their own price (``costs.gas_price`` where the
    layer gives none) plus local gathering, as a factor on the case's price like the
    regional prices (relative to the cheapest priced node, else to ``costs.gas_price``)."""
    assert data.stranded is not None
    own = data.stranded.set_index("node_id")
    base = case.costs.gas_price.to_internal(case.conversions)
    node_prices = (
        data.nodes["gas_price_usd_per_mwh"].to_numpy(float)
        if "gas_price_usd_per_mwh" in data.nodes.columns
        else np.full(0, np.nan)
    )
    priced = node_prices[np.isfinite(node_prices) & (node_prices > 0)]
    reference = float(priced.min()) if len(priced) else base
    at = attrs["stranded"].to_numpy(bool)
    ids = attrs.loc[at, "node_id"]
    price = own["gas_price_usd_per_mwh"].reindex(ids).to_numpy(float)
    price = np.where(np.isfinite(price), price, reference)
    delivered = price + own["gathering_cost_usd_per_mwh"].reindex(ids).to_numpy(float)
    out = attrs.copy()
    out.loc[at, "gas_price_usd_per_mwh"] = delivered
    out.loc[at, "gas_price_factor"] = delivered / reference if reference > 0 else 1.0
    return out


def check_candidate_count(points: int, case: Case) -> SizeEstimate:
    """Note the candidate count and what the model will take; refuse a count past
    ``candidates.max_candidates`` before anything is built for it."""
    cfg = case.candidates
    size = estimate_size(points, cfg.spacing_km, case.objective.min_spacing_km)
    note(size.describe())
    if points > cfg.max_candidates:
        spacing = f"candidates.spacing_km: {cfg.spacing_km:g} gives " if cfg.spacing_km else ""
        raise DataError(
            f"case {case.name}: {spacing}{points:,} candidate sites, more than "
            f"candidates.max_candidates ({cfg.max_candidates:,}), would take "
            f"{size.cost()}; raise candidates.spacing_km, or "
            f"raise the limit with --max-candidates {points} (or candidates.max_candidates)"
        )
    return size


def candidate_points(
    graph: nx.Graph,
    node_kinds: tuple[str, ...],
    spacing_km: float | None,
    drawings: Drawings | None = None,
) -> pd.DataFrame:
    """Network nodes of the chosen kinds plus points every ``spacing_km`` along corridors.

    A corridor of length L gets ``ceil(L / spacing) − 1`` interior points, evenly spaced
    (so no two neighbours are farther apart than ``spacing_km``), placed at geodesic
    distances along its drawing."""
    node_rows = [
        {
            "site_id": n,
            "node_id": n,
            "lon": d["lon"],
            "lat": d["lat"],
            "on": "node",
            "edge_u": None,
            "edge_v": None,
            "along_km": 0.0,
            "corridor": d["name"],
        }
        for n, d in graph.nodes(data=True)
        if d["kind"] in node_kinds and graph.degree(n) > 0
    ]
    frames = [pd.DataFrame(node_rows, columns=POINT_COLUMNS)]
    if spacing_km:
        frames.append(_points_along_corridors(drawings or Drawings.of(graph), spacing_km))
    df = (
        pd.concat([f for f in frames if len(f)], ignore_index=True)
        if any(len(f) for f in frames)
        else frames[0]
    )
    if df.empty:
        return df
    dup = df["site_id"].duplicated()
    if dup.any():
        df.loc[dup, "site_id"] = (
            df.loc[dup, "site_id"] + "#" + df[dup].groupby("site_id").cumcount().add(2).astype(str)
        )
    return df.reset_index(drop=True)


POINT_COLUMNS = [
    "site_id",
    "node_id",
    "lon",
    "lat",
    "on",
    "edge_u",
    "edge_v",
    "along_km",
    "corridor",
]


def _points_along_corridors(drawings: Drawings, spacing_km: float) -> pd.DataFrame:
    edges = drawings.edges
    if not edges:
        return pd.DataFrame(columns=POINT_COLUMNS)
    length = np.array([float(d["length_km"]) for d in edges])
    n_seg = np.ceil(length / spacing_km - 1e-9).astype(int)
    n_pts = np.maximum(n_seg - 1, 0)
    if n_pts.sum() == 0:
        return pd.DataFrame(columns=POINT_COLUMNS)
    line = np.repeat(np.arange(len(edges)), n_pts)
    k = np.arange(n_pts.sum()) - np.repeat(np.cumsum(n_pts) - n_pts, n_pts) + 1
    along = length[line] * k / n_seg[line]
    pts = geo.points_along(
        drawings.coords, drawings.owner, line, along, segment_km=drawings.segment_km
    )
    u = np.array([d["u"] for d in edges], dtype=object)[line]
    v = np.array([d["v"] for d in edges], dtype=object)[line]
    names = np.array([d.get("names", "") for d in edges], dtype=object)[line]
    return pd.DataFrame(
        {
            "site_id": [f"{a}~{b}@{km:.0f}km" for a, b, km in zip(u, v, along, strict=True)],
            "node_id": None,
            "lon": pts[:, 0],
            "lat": pts[:, 1],
            "on": "pipeline",
            "edge_u": u,
            "edge_v": v,
            "along_km": along,
            "corridor": names,
        }
    )


def pue_at(temperature_c: np.ndarray, curve: PueCurve) -> np.ndarray:
    return np.interp(temperature_c, curve.temperature_c, curve.pue)


def remoteness_multiplier(
    dist_km: np.ndarray, free_km: float, per_100km: float, cap: float
) -> np.ndarray:
    return np.minimum(cap, 1.0 + per_100km * np.maximum(0.0, dist_km - free_km) / 100.0)


def idw_temperature(
    lon: np.ndarray, lat: np.ndarray, climate: pd.DataFrame, k: int = 4
) -> np.ndarray:
    """Inverse-distance-squared mean of the ``k`` nearest stations' mean annual temperature."""
    k = min(k, len(climate))
    tree = geo.kdtree(geo.unit_xyz(climate["lon"].to_numpy(), climate["lat"].to_numpy()))
    chord, idx = tree.query(geo.unit_xyz(lon, lat), k=k)
    chord, idx = np.reshape(chord, (len(lon), k)), np.reshape(idx, (len(lon), k))
    dist_km = np.maximum(chord * geo.EARTH_RADIUS_KM, 1.0)
    w = 1.0 / dist_km**2
    temps = climate["temp_mean_c"].to_numpy()[idx]
    return (w * temps).sum(axis=1) / w.sum(axis=1)


@dataclass(frozen=True)
class Points:
    """Where the candidate points are: lon/lat arrays and shapely points."""

    lon: np.ndarray
    lat: np.ndarray
    geoms: np.ndarray

    @classmethod
    def of(cls, points: pd.DataFrame) -> Points:
        lon, lat = points["lon"].to_numpy(float), points["lat"].to_numpy(float)
        return cls(lon, lat, np.asarray(shapely.points(lon, lat)))

    def __len__(self) -> int:
        return len(self.lon)


#: sites a rule excludes, and why (one text for all, or one per site)
Reason = tuple[np.ndarray, str | np.ndarray]


@dataclass(frozen=True)
class Attribute:
    """Columns of one attribute for every point, and the exclusion rules it applies."""

    columns: dict[str, object]
    reasons: tuple[Reason, ...] = ()


def town_attribute(at: Points, data: GeoData, case: Case) -> Attribute:
    """Nearest town above the population threshold: remoteness multiplier and band."""
    cfg = case.candidates
    rem = cfg.remoteness
    towns = data.towns
    if towns is not None and len(towns):
        towns = towns[towns["population"] >= rem.town_min_population]
        if rem.town_countries is not None and "countrycode" in towns.columns:
            towns = towns[towns["countrycode"].isin(rem.town_countries)]
    if towns is None or len(towns) == 0:
        raise DataError(
            f"no towns with at least {rem.town_min_population} inhabitants to measure remoteness; "
            "check candidates.remoteness"
        )
    idx, dist = geo.nearest(at.lon, at.lat, towns["lon"].to_numpy(), towns["lat"].to_numpy())
    return Attribute(
        {
            "town": towns["name"].to_numpy()[idx],
            "town_km": dist,
            "remoteness_multiplier": remoteness_multiplier(
                dist, rem.free_km, rem.multiplier_per_100km, rem.max_multiplier
            ),
        },
        (
            (dist < rem.min_km, f"closer than {rem.min_km:g} km to a town"),
            (dist > rem.max_km, f"farther than {rem.max_km:g} km from a town"),
        ),
    )


def fiber_attribute(at: Points, data: GeoData, case: Case) -> Attribute:
    """Distance to the fibre backbone (0 without a fibre layer)."""
    if data.fiber is None or not len(data.fiber):
        return Attribute({"fiber_km": 0.0})
    km, _ = geo.distance_to_lines_km(at.lon, at.lat, data.fiber.geometry.to_numpy())
    return Attribute({"fiber_km": km})


def grid_node_attribute(at: Points, data: GeoData, case: Case) -> Attribute:
    """Nearest grid node: its id, distance and voltage."""
    grid = data.grid
    if grid is None or not len(grid):
        return Attribute({"grid_id": None, "grid_km": np.inf, "grid_voltage_kv": np.nan})
    idx, km = geo.nearest(at.lon, at.lat, grid.geometry.x.to_numpy(), grid.geometry.y.to_numpy())
    return Attribute(
        {
            "grid_id": grid["grid_id"].to_numpy()[idx],
            "grid_km": km,
            "grid_voltage_kv": grid["voltage_kv"].to_numpy()[idx],
        }
    )


def grid_line_attribute(at: Points, data: GeoData, case: Case) -> Attribute:
    """Distance to the nearest grid line."""
    if data.grid_lines is None or not len(data.grid_lines):
        return Attribute({"grid_line_km": np.inf})
    km, _ = geo.distance_to_lines_km(at.lon, at.lat, data.grid_lines.geometry.to_numpy())
    return Attribute({"grid_line_km": km})


def border_attribute(at: Points, data: GeoData, case: Case) -> Attribute:
    """Distance to the nearest international border and its neighbour; the border buffer
    (per neighbour where given)."""
    cfg = case.candidates
    borders = data.borders
    if borders is None or not len(borders):
        return Attribute({"border_km": np.inf})
    km, which = geo.distance_to_lines_km(at.lon, at.lat, borders.geometry.to_numpy())
    neighbour = (
        borders["neighbour"].astype(str).to_numpy()[which]
        if "neighbour" in borders.columns
        else np.full(len(at), "", dtype=object)
    )
    buffer = np.array(
        [cfg.border_buffer_km_by_neighbour.get(x, cfg.border_buffer_km) for x in neighbour]
    )
    why = np.array(
        [
            f"within {b:g} km of an international border" + (f" ({x})" if x else "")
            for b, x in zip(buffer, neighbour, strict=True)
        ],
        dtype=object,
    )
    return Attribute({"border_km": km, "border_neighbour": neighbour}, ((km < buffer, why),))


def country_attribute(at: Points, data: GeoData, case: Case) -> Attribute:
    """Inside the country outline, or in one of ``candidates.countries`` by the nearest
    GeoNames place."""
    cfg = case.candidates
    if data.country is not None and len(data.country) and cfg.exclude_outside_country:
        inside = shapely.intersects(shapely.union_all(data.country.geometry.to_numpy()), at.geoms)
        return Attribute({}, ((~inside, "outside the country"),))
    if cfg.countries is None:
        return Attribute({})
    places = data.places if data.places is not None else data.towns
    if places is None or "countrycode" not in places.columns or not len(places):
        raise DataError(
            "candidates.countries needs a country layer (layers.country) or GeoNames places"
        )
    idx, _ = geo.nearest(at.lon, at.lat, places["lon"].to_numpy(), places["lat"].to_numpy())
    code = places["countrycode"].astype(str).to_numpy()[idx]
    place = places["name"].astype(str).to_numpy()[idx]
    why = np.array(
        [
            f"in {c} (nearest place {p}), not in candidates.countries"
            for c, p in zip(code, place, strict=True)
        ],
        dtype=object,
    )
    return Attribute({"country": code}, ((~np.isin(code, list(cfg.countries)), why),))


def exclusion_attribute(at: Points, data: GeoData, case: Case) -> Attribute:
    """Distance to the nearest exclusion polygon (0 inside): inside one, or within
    ``exclusion_buffer_km`` of one, excludes the site."""
    cfg = case.candidates
    exclusions = data.exclusions
    if exclusions is None or not len(exclusions):
        return Attribute({"exclusion_km": np.inf})
    polys = exclusions.geometry.to_numpy()
    km, owner = geo.distance_to_polygons_km(at.lon, at.lat, polys)
    reasons: list[Reason] = []
    p_idx, x_idx = shapely.STRtree(polys).query(at.geoms, predicate="intersects")
    if len(p_idx):
        why = (
            pd.DataFrame({"p": p_idx, "why": exclusions["reason"].to_numpy()[x_idx]})
            .drop_duplicates()
            .groupby("p")["why"]
            .agg(lambda w: "; ".join(f"excluded area: {x}" for x in w))
        )
        text = np.full(len(at), "", dtype=object)
        text[why.index.to_numpy()] = why.to_numpy()
        reasons.append((text != "", text))
    if cfg.exclusion_buffer_km > 0:
        near = (km > 0) & (km < cfg.exclusion_buffer_km)
        near_reason = exclusions["reason"].astype(str).to_numpy()[np.maximum(owner, 0)]
        why_near = np.array(
            [
                f"within {cfg.exclusion_buffer_km:g} km of an excluded area ({r})"
                for r in near_reason
            ],
            dtype=object,
        )
        reasons.append((near, why_near))
    return Attribute({"exclusion_km": km}, tuple(reasons))


def hub_attribute(at: Points, data: GeoData, case: Case) -> Attribute:
    """Nearest demand hub and the round trip to it (geodesic km × route factor × ms/km)."""
    cfg = case.candidates
    hubs = data.hubs
    if hubs is None or not len(hubs):
        if cfg.max_rtt_ms is not None:
            raise DataError(
                "candidates.max_rtt_ms is set but the case has no demand hubs (layers.hubs)"
            )
        return Attribute({"hub_id": None, "hub_km": np.inf, "hub_rtt_ms": np.inf})
    idx, km = geo.nearest(at.lon, at.lat, hubs.geometry.x.to_numpy(), hubs.geometry.y.to_numpy())
    rtt = km * cfg.route_factor * cfg.rtt_ms_per_km
    reasons: tuple[Reason, ...] = ()
    if cfg.max_rtt_ms is not None:
        reasons = (
            (
                rtt > cfg.max_rtt_ms,
                f"round trip to the nearest demand hub above {cfg.max_rtt_ms:g} ms",
            ),
        )
    return Attribute(
        {"hub_id": hubs["hub_id"].to_numpy()[idx], "hub_km": km, "hub_rtt_ms": rtt}, reasons
    )


def gas_price_attribute(at: Points, data: GeoData, case: Case) -> Attribute:
    """The gas price of the nearest priced node, and its factor on the case's price."""
    node_prices = (
        data.nodes["gas_price_usd_per_mwh"].to_numpy(float)
        if "gas_price_usd_per_mwh" in data.nodes.columns
        else np.full(len(data.nodes), np.nan)
    )
    priced = np.isfinite(node_prices)
    price: np.ndarray | float = np.nan
    if priced.any():
        xy = data.nodes.geometry[priced]
        idx, _ = geo.nearest(at.lon, at.lat, xy.x.to_numpy(), xy.y.to_numpy())
        price = node_prices[priced][idx]
    return Attribute(
        {
            "gas_price_usd_per_mwh": price,
            "gas_price_factor": price_factor(np.broadcast_to(price, len(at)), node_prices),
        }
    )


def climate_attribute(at: Points, data: GeoData, case: Case) -> Attribute:
    """Mean annual temperature (inverse-distance mean of the nearest stations, or the
    case's default), the PUE it gives, Arctic and permafrost flags, and the latitude rules."""
    cfg = case.candidates
    if data.climate is not None and len(data.climate):
        temp = idw_temperature(at.lon, at.lat, data.climate)
    elif cfg.default_temperature_c is not None:
        temp = np.full(len(at), cfg.default_temperature_c)
    else:
        raise DataError(
            "no climate layer: add layers.climate (stations with temp_mean_c) or set "
            "candidates.default_temperature_c"
        )
    arctic = at.lat >= cfg.arctic_latitude_deg
    reasons: list[Reason] = []
    if cfg.exclude_arctic:
        reasons.append((arctic, "north of the Arctic Circle"))
    reasons.append((at.lat > cfg.max_latitude_deg, f"north of {cfg.max_latitude_deg:g}°N"))
    return Attribute(
        {
            "temp_mean_c": temp,
            "pue": pue_at(temp, case.technology.pue),
            "arctic": arctic,
            "permafrost": temp <= cfg.permafrost_max_temp_c,
        },
        tuple(reasons),
    )


#: every attribute, in the order of the table's columns and of the exclusion reasons
ATTRIBUTES = (
    town_attribute,
    fiber_attribute,
    grid_node_attribute,
    grid_line_attribute,
    border_attribute,
    country_attribute,
    exclusion_attribute,
    hub_attribute,
    gas_price_attribute,
    climate_attribute,
)


def exclusion_reasons(n: int, reasons: list[Reason]) -> np.ndarray:
    """Every reason that applies to each site, joined by "; " in rule order ("" if none)."""
    text = np.full(n, "", dtype=object)
    for mask, why in reasons:
        mask = np.asarray(mask, bool)
        if not mask.any():
            continue
        why_m = why[mask] if isinstance(why, np.ndarray) else why
        cur = text[mask]
        text[mask] = np.where(cur == "", why_m, cur + "; " + why_m)
    return text


def site_attributes(points: pd.DataFrame, data: GeoData, case: Case) -> gpd.GeoDataFrame:
    """Geodesic attributes, PUE, cost multiplier and exclusion reasons for every point.

    Every distance is geodesic (WGS84): nearest town above the population threshold, grid
    node and grid line, fibre, international border, exclusion polygon (0 inside) and the
    nearest demand hub (with its round-trip latency). A site that breaks a rule stays in the
    table with ``eligible = False`` and every reason in ``exclusion_reason``. The capex
    multiplier is the cost rule of :func:`siting.inputs.capex_multiplier`, shown here."""
    if len(points) == 0:
        raise DataError("no candidate sites: check candidates.node_kinds and candidates.spacing_km")
    at = Points.of(points)
    columns: dict[str, object] = {}
    reasons: list[Reason] = []
    advance = progress(f"attributes of {len(points):,} candidate sites", len(ATTRIBUTES))
    for k, attribute in enumerate(ATTRIBUTES):
        advance(k)
        found = attribute(at, data, case)
        columns.update(found.columns)
        reasons.extend(found.reasons)
    out = pd.concat([points, pd.DataFrame(columns, index=points.index)], axis=1)
    out["capex_multiplier"] = capex_multiplier(out, case.costs)
    text = exclusion_reasons(len(out), reasons)
    out["exclusion_reason"] = text.astype(str)
    out["eligible"] = text == ""
    return gpd.GeoDataFrame(out, geometry=at.geoms, crs="EPSG:4326")


def insert_sites(
    graph: nx.Graph, sites: pd.DataFrame, drawings: Drawings | None = None
) -> nx.Graph:
    """A copy of ``graph`` with the eligible pipeline points as nodes splitting their corridors.

    A corridor u–v with points s1 … sk (by distance along it) becomes u–s1, …, sk–v, each
    with the corridor's attributes, its share of the length and its part of the drawing.
    ``drawings`` are the graph's (measured once when the points were placed)."""
    g = graph.copy()
    along = sites[sites["on"] == "pipeline"]
    if len(along):
        cut = _corridor_cuts(g, along, drawings or Drawings.of(graph))
        for k, (u, v) in enumerate(cut.edges):
            data = g.edges[u, v]
            lo, hi = cut.first[k], cut.first[k + 1]
            g.add_nodes_from(
                (
                    site,
                    {
                        "name": site,
                        "kind": "site",
                        "lon": lon,
                        "lat": lat,
                        "supply_mw": 0.0,
                        "demand_mw": 0.0,
                    },
                )
                for site, lon, lat in zip(
                    cut.site_id[lo:hi], cut.lon[lo:hi], cut.lat[lo:hi], strict=True
                )
            )
            g.remove_edge(u, v)
            chain = [u, *cut.site_id[lo:hi], v]
            g.add_edges_from(
                (
                    a,
                    b,
                    {**data, "u": a, "v": b, "length_km": km, "geometry": geom},
                )
                for a, b, km, geom in zip(
                    chain[:-1],
                    chain[1:],
                    cut.length_km[lo + k : hi + k + 1],
                    cut.geometry[lo + k : hi + k + 1],
                    strict=True,
                )
            )
    at_nodes = sites[sites["on"] == "node"]
    for node, site in zip(at_nodes["node_id"], at_nodes["site_id"], strict=True):
        g.nodes[node]["site_id"] = site
    return g


@dataclass(frozen=True)
class _Cuts:
    """Corridors cut at the sites along them: the sites corridor by corridor (by distance
    along it), and the pieces (one more per corridor than it has sites)."""

    edges: list[tuple[str, str]]  # the corridors (u, v) with sites, in order of first site
    first: list[int]  # where each corridor's sites start (one entry more than corridors)
    site_id: list[str]
    lon: list[float]
    lat: list[float]
    length_km: list[float]  # of each piece
    geometry: list[LineString]  # of each piece, from its start node to its end node


def _corridor_cuts(g: nx.Graph, along: pd.DataFrame, drawings: Drawings) -> _Cuts:
    """The pieces of every corridor between consecutive sites along it: lengths from the
    distances along, geometry from the corridor's drawing with the ends pinned to the
    nodes and sites."""
    key = pd.MultiIndex.from_arrays([along["edge_u"], along["edge_v"]])
    corridor, edges = pd.factorize(key)
    km = along["along_km"].to_numpy(float)
    order = np.lexsort((km, corridor))
    corridor, km = corridor[order], km[order]
    site_id = along["site_id"].to_numpy()[order].tolist()
    lon = along["lon"].to_numpy(float)[order]
    lat = along["lat"].to_numpy(float)[order]
    n_edge = len(edges)
    first = np.searchsorted(corridor, np.arange(n_edge + 1))
    at = np.array([drawings.position[(u, v)] for u, v in edges], dtype=np.int64)
    total_km = np.array([float(drawings.edges[k]["length_km"]) for k in at])
    # each piece from cut d0 to cut d1; corridor k has pieces first[k] + k … first[k+1] + k
    n_piece = len(km) + n_edge
    piece_edge = np.repeat(np.arange(n_edge), np.diff(first) + 1)
    start_km = np.zeros(n_piece)
    end_km = np.empty(n_piece)
    is_site_start = np.ones(n_piece, bool)
    is_site_start[first[:-1] + np.arange(n_edge)] = False
    start_km[is_site_start] = km
    is_site_end = np.ones(n_piece, bool)
    is_site_end[first[1:] + np.arange(n_edge)] = False
    end_km[is_site_end] = km
    end_km[~is_site_end] = total_km
    # ends: the corridor's nodes or the sites
    node_ll = np.array(
        [[[g.nodes[n]["lon"], g.nodes[n]["lat"]] for n in (u, v)] for u, v in edges], float
    ).reshape(n_edge, 2, 2)
    start_ll = np.empty((n_piece, 2))
    start_ll[is_site_start] = np.column_stack([lon, lat])
    start_ll[~is_site_start] = node_ll[:, 0]
    end_ll = np.empty((n_piece, 2))
    end_ll[is_site_end] = np.column_stack([lon, lat])
    end_ll[~is_site_end] = node_ll[:, 1]
    vertex0 = drawings.first_vertex()
    inner = _inner_vertices(
        drawings.segment_km, vertex0[at], vertex0[at + 1], piece_edge, start_km, end_km
    )
    coords = drawings.coords
    # every piece: its start, the drawing's vertices strictly between, its end
    count = inner[1] - inner[0]
    size = count + 2
    offset = np.cumsum(size) - size
    out = np.empty((int(size.sum()), 2))
    out[offset] = start_ll
    out[offset + size - 1] = end_ll
    piece_of = np.repeat(np.arange(n_piece), count)
    pos = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    out[offset[piece_of] + 1 + pos] = coords[inner[0][piece_of] + pos]
    geometry = np.asarray(shapely.linestrings(out, indices=np.repeat(np.arange(n_piece), size)))
    return _Cuts(
        edges=[(u, v) for u, v in edges],
        first=first.tolist(),
        site_id=site_id,
        lon=lon.tolist(),
        lat=lat.tolist(),
        length_km=(end_km - start_km).tolist(),
        geometry=list(geometry),
    )


def _inner_vertices(
    segment_km: np.ndarray,
    first: np.ndarray,
    stop: np.ndarray,
    piece_edge: np.ndarray,
    start_km: np.ndarray,
    end_km: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """For each piece, the range [lo, hi) of its corridor's vertices (corridor k has the
    vertices first[k] … stop[k] − 1 of the drawings) whose geodesic distance along the
    drawing lies strictly between the piece's ends."""
    lo = np.empty(len(piece_edge), int)
    hi = np.empty(len(piece_edge), int)
    piece0 = np.searchsorted(piece_edge, np.arange(len(first) + 1))
    for k in range(len(first)):
        a, b = first[k], stop[k]
        # distance along the drawing to each vertex, summed vertex by vertex
        cum = np.concatenate([[0.0], np.cumsum(segment_km[a : b - 1])])
        p = slice(piece0[k], piece0[k + 1])
        lo[p] = a + np.searchsorted(cum, start_km[p], side="right")
        hi[p] = a + np.searchsorted(cum, end_km[p], side="left")
    return lo, np.maximum(hi, lo)
