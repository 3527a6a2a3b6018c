"""Property-based tests of the geometry helpers: cutting lines keeps their length, snapping
moves no point farther than its tolerance, and geodesic distances are pyproj.Geod's."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pyproj import Geod
from shapely import LineString

from siting import geo
from siting.config import NetworkConfig
from siting.geodata import standardise_nodes, standardise_pipelines
from siting.network import build_network
from siting.units import Conversions

GEOD = Geod(ellps="WGS84")
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

lon = st.floats(-180.0, 180.0, allow_nan=False)
lat = st.floats(-80.0, 80.0, allow_nan=False)


@st.composite
def polylines(draw, n_min=2, n_max=8, span=3.0):
    """A polyline of up to n_max vertices within a few degrees, anywhere (antimeridian too)."""
    x0, y0 = draw(lon), draw(st.floats(-70.0, 70.0))
    n = draw(st.integers(n_min, n_max))
    dx = draw(st.lists(st.floats(-span, span), min_size=n, max_size=n))
    dy = draw(st.lists(st.floats(-span, span), min_size=n, max_size=n))
    x = (x0 + np.cumsum(dx) + 180.0) % 360.0 - 180.0
    y = np.clip(y0 + np.cumsum(dy), -80, 80)
    coords = np.column_stack([x, y])
    keep = np.append(True, np.any(np.abs(np.diff(coords, axis=0)) > 1e-6, axis=1))
    return coords[keep]


def geod_length_km(coords: np.ndarray) -> float:
    _, _, d = GEOD.inv(coords[:-1, 0], coords[:-1, 1], coords[1:, 0], coords[1:, 1])
    return float(np.sum(d)) / 1000.0


@SETTINGS
@given(polylines(), st.lists(st.floats(0.0, 1.0), min_size=1, max_size=6))
def test_cutting_a_line_keeps_its_length(coords, fractions):
    if len(coords) < 2:
        return
    total = geod_length_km(coords)
    cuts = np.sort(np.asarray(fractions)) * total
    pieces = geo.split_at_km(coords, cuts)
    assert len(pieces) == len(cuts) + 1
    lengths = np.array([geod_length_km(p) if len(p) > 1 else 0.0 for p in pieces])
    assert abs(lengths.sum() - total) <= 1e-6 * max(total, 1.0) + 1e-6
    np.testing.assert_allclose(lengths, np.diff(np.concatenate([[0.0], cuts, [total]])), atol=1e-5)


@SETTINGS
@given(polylines(), st.floats(0.5, 20.0))
def test_densifying_keeps_the_geodesic_length(coords, step_km):
    if len(coords) < 2:
        return
    dense, _owner = geo.densify_coords(coords, np.zeros(len(coords), int), step_km)
    np.testing.assert_allclose(geod_length_km(dense), geod_length_km(coords), rtol=1e-7, atol=1e-6)
    assert geo.segment_lengths_km(dense).max() <= step_km * (1 + 1e-6)


@SETTINGS
@given(
    st.lists(st.tuples(lon, lat), min_size=1, max_size=30),
    st.lists(st.tuples(lon, lat), min_size=1, max_size=30),
)
@example(queries=[(0.0, 0.0)], targets=[(1.0, 0.0), (0.0, 1.0)])
def test_nearest_distances_are_geodesic(queries, targets):
    """The nearest target on the ellipsoid, not on the sphere: from (0, 0), (0, 1) is
    110.6 km away and (1, 0) 111.3 km, though both are 111.2 km on the sphere."""
    q, t = np.asarray(queries), np.asarray(targets)
    idx, dist = geo.nearest(q[:, 0], q[:, 1], t[:, 0], t[:, 1])
    _, _, exact = GEOD.inv(q[:, 0], q[:, 1], t[idx, 0], t[idx, 1])
    np.testing.assert_allclose(dist, np.asarray(exact) / 1000.0, rtol=1e-12, atol=1e-9)
    all_q = np.repeat(q, len(t), axis=0)
    all_t = np.tile(t, (len(q), 1))
    _, _, d = GEOD.inv(all_q[:, 0], all_q[:, 1], all_t[:, 0], all_t[:, 1])
    best = np.asarray(d).reshape(len(q), len(t)).min(axis=1) / 1000.0
    assert np.all(dist <= best * (1 + 1e-12) + 1e-9)


@SETTINGS
@given(st.lists(st.tuples(lon, lat), min_size=2, max_size=40), st.floats(1.0, 500.0))
def test_pairs_within_radius_are_all_found(points, radius_km):
    p = np.asarray(points)
    found = geo.pairs_within_km(p[:, 0], p[:, 1], radius_km)
    got = {(int(i), int(j)) for i, j, _ in found}
    i, j = np.triu_indices(len(p), k=1)
    _, _, d = GEOD.inv(p[i, 0], p[i, 1], p[j, 0], p[j, 1])
    want = {
        (int(a), int(b))
        for a, b, km in zip(i, j, np.asarray(d) / 1000.0, strict=True)
        if km < radius_km
    }
    assert got == want


@SETTINGS
@given(polylines(n_max=5, span=2.0), st.tuples(lon, lat))
def test_distance_to_a_line_is_within_half_a_step_of_the_truth(coords, point):
    if len(coords) < 2:
        return
    step = 2.0
    dist, _ = geo.distance_to_lines_km(
        np.array([point[0]]), np.array([point[1]]), np.array([LineString(coords)]), step_km=step
    )
    fine, _ = geo.densify_coords(coords, np.zeros(len(coords), int), 0.05)
    _, _, d = GEOD.inv(
        np.full(len(fine), point[0]), np.full(len(fine), point[1]), fine[:, 0], fine[:, 1]
    )
    truth = float(np.min(d)) / 1000.0
    assert truth - 0.05 <= float(dist[0]) <= truth + step / 2 + 0.05


def _lines_frame(lines):
    frame = gpd.GeoDataFrame(
        {
            "pipeline_id": [f"p{i}" for i in range(len(lines))],
            "status": "operating",
            "capacity_bcm_y": 10.0,
        },
        geometry=[LineString(c) for c in lines],
        crs="EPSG:4326",
    )
    return standardise_pipelines(frame, NetworkConfig(), Conversions())


NO_NODES = standardise_nodes(
    gpd.GeoDataFrame(
        {"node_id": [], "kind": []}, geometry=gpd.GeoSeries([], crs="EPSG:4326"), crs="EPSG:4326"
    ),
    NetworkConfig(),
    Conversions(),
)


@st.composite
def line_sets(draw):
    """2–5 straight lines in a 2° box (they cross, touch and end near each other)."""
    x0, y0 = draw(st.floats(-179.0, 177.0)), draw(st.floats(-60.0, 60.0))
    n = draw(st.integers(2, 5))
    out = []
    for _ in range(n):
        a = (x0 + draw(st.floats(0, 2)), y0 + draw(st.floats(0, 2)))
        b = (x0 + draw(st.floats(0, 2)), y0 + draw(st.floats(0, 2)))
        if abs(a[0] - b[0]) + abs(a[1] - b[1]) > 0.05:
            out.append([a, b])
    return out


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(line_sets())
def test_cutting_at_crossings_keeps_the_route_length(lines):
    """With no snapping, merging or sliver removal, the network is the drawings cut where
    they cross: the route-km equals the drawn length."""
    if not lines:
        return
    cfg = NetworkConfig(snap_km=0.0, parallel_km=0.0, sliver_km=0.0)
    net = build_network(_lines_frame(lines), NO_NODES, cfg)
    drawn = sum(geod_length_km(np.asarray(c)) for c in lines)
    assert abs(net.report.route_km - drawn) <= 1e-6 * drawn + 1e-6


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(line_sets(), st.floats(0.5, 30.0))
def test_snapping_never_moves_an_end_farther_than_the_tolerance(lines, snap_km):
    if not lines:
        return
    cfg = NetworkConfig(snap_km=snap_km, parallel_km=0.0, sliver_km=0.0)
    net = build_network(_lines_frame(lines), NO_NODES, cfg)
    assert max(net.report.end_moves_km, default=0.0) <= snap_km + 1e-9


@SETTINGS
@given(
    st.lists(st.tuples(st.floats(60.0, 62.0), st.floats(55.0, 56.0)), min_size=2, max_size=60),
    st.floats(5.0, 80.0),
)
def test_spacing_cliques_cover_every_close_pair_and_only_close_pairs(points, radius_km):
    """Two sites closer than the minimum spacing share a clique; two sites of one clique are
    closer than it (so "at most one per clique" forbids exactly the close pairs)."""
    import pandas as pd

    from siting.inputs import spacing_cliques

    xy = np.asarray(points)
    sites = pd.DataFrame(
        {"lon": xy[:, 0], "lat": xy[:, 1]}, index=[f"s{k}" for k in range(len(xy))]
    )
    cliques = spacing_cliques(sites, radius_km)
    members = cliques.groupby("clique_id")["site_id"].apply(lambda s: {int(x[1:]) for x in s})
    together = {(a, b) for m in members for a in m for b in m if a < b}
    lon1, lon2 = np.meshgrid(xy[:, 0], xy[:, 0], indexing="ij")
    lat1, lat2 = np.meshgrid(xy[:, 1], xy[:, 1], indexing="ij")
    _, _, d = GEOD.inv(lon1, lat1, lon2, lat2)
    close = {
        (a, b) for a in range(len(xy)) for b in range(a + 1, len(xy)) if d[a, b] < radius_km * 1e3
    }
    assert together == close
