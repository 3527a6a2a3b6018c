"""The topology builder on small drawings whose clean network is known by construction."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from shapely import LineString, MultiLineString, Point

from siting import geo
from siting.config import NetworkConfig
from siting.errors import DataError
from siting.geodata import standardise_nodes, standardise_pipelines
from siting.network import build_network, edges_frame
from siting.units import Conversions

CONV = Conversions()
BCM = 1e9 / (8760 * 3600) * 33.8  # MW per bcm/y


def pipes(rows, **cfg):
    """rows: (pipeline_id, geometry, capacity bcm/y[, line_id[, status]])"""
    net = NetworkConfig(**cfg)
    frame = gpd.GeoDataFrame(
        {
            "pipeline_id": [r[0] for r in rows],
            "status": [r[4] if len(r) > 4 else "operating" for r in rows],
            "capacity_bcm_y": [r[2] for r in rows],
            "line_id": [r[3] if len(r) > 3 else r[0] for r in rows],
        },
        geometry=[r[1] for r in rows],
        crs="EPSG:4326",
    )
    return standardise_pipelines(frame, net, CONV), net


def nodes(rows=()):
    """rows: (node_id, lon, lat, kind, supply bcm/y, demand bcm/y)"""
    frame = gpd.GeoDataFrame(
        {
            "node_id": [r[0] for r in rows],
            "kind": [r[3] for r in rows],
            "production_capacity_bcm_y": [r[4] for r in rows],
            "demand_bcm_y": [r[5] for r in rows],
        },
        geometry=[Point(r[1], r[2]) for r in rows],
        crs="EPSG:4326",
    )
    return standardise_nodes(frame, NetworkConfig(), CONV)


def build(rows, node_rows=(), **cfg):
    p, net = pipes(rows, **cfg)
    return build_network(p, nodes(node_rows), net)


def km(coords):
    return float(geo.segment_lengths_km(np.asarray(coords, float)).sum())


def offset_line(lat0, dlat, lon0=60.0, lon1=61.0, n=11):
    lon = np.linspace(lon0, lon1, n)
    return LineString(np.column_stack([lon, np.full(n, lat0 + dlat)]))


def test_two_drawings_of_one_corridor_become_one_with_summed_capacity():
    """Strings A (10 bcm/y) and B (20 bcm/y) drawn 300 m apart along 55 km: one corridor
    of 30 bcm/y, as long as the longer drawing (A here: 0.1° more in the east)."""
    a = LineString([(60.0, 60.0), (61.1, 60.0)])
    b = LineString([(60.0, 60.0027), (61.0, 60.0027)])
    net = build([("A", a, 10.0), ("B", b, 20.0)], parallel_km=1.0)
    e = edges_frame(net.graph)
    shared = e[e["capacity_uv_mw"] > 25 * BCM]
    assert shared["capacity_uv_mw"].iloc[0] == pytest.approx(30 * BCM, rel=1e-9)
    assert net.report.route_km == pytest.approx(km(a.coords), rel=2e-3)
    assert net.report.merged_km == pytest.approx(km(b.coords), rel=0.05)
    assert len(net.report.components) == 1


def test_pieces_of_one_line_never_add_up():
    """The same string (line_id L) drawn twice: its capacity counts once."""
    a = LineString([(60.0, 60.0), (61.0, 60.0)])
    b = LineString([(60.0, 60.002), (61.0, 60.002)])
    net = build([("L#1", a, 10.0, "L"), ("L#2", b, 10.0, "L")], parallel_km=1.0)
    e = edges_frame(net.graph)
    assert e["capacity_uv_mw"].max() == pytest.approx(10 * BCM, rel=1e-9)
    assert net.report.route_km == pytest.approx(km(a.coords), rel=2e-3)


def test_parallel_max_takes_the_largest():
    a = LineString([(60.0, 60.0), (61.0, 60.0)])
    b = LineString([(60.0, 60.002), (61.0, 60.002)])
    net = build([("A", a, 10.0), ("B", b, 20.0)], parallel_km=1.0, parallel_capacity="max")
    assert edges_frame(net.graph)["capacity_uv_mw"].max() == pytest.approx(20 * BCM)


def test_a_string_that_leaves_the_corridor_splits_it_at_a_junction():
    """A and B share 0.6° of longitude (~33 km) 200 m apart, then B turns north for 0.3°
    of latitude. Expect: shared stretch 30 bcm/y, A's own rest 10, B's branch 20, joined at
    one junction of degree 3."""
    a = LineString([(60.0, 60.0), (61.0, 60.0)])
    b = LineString([(60.0, 60.0018), (60.6, 60.0018), (60.6, 60.3)])
    net = build([("A", a, 10.0), ("B", b, 20.0)], parallel_km=1.0, parallel_min_km=10.0)
    e = edges_frame(net.graph)
    caps = sorted(round(c / BCM, 6) for c in e["capacity_uv_mw"])
    assert caps == [10.0, 20.0, 30.0]
    degree3 = [n for n in net.graph.nodes if net.graph.degree(n) == 3]
    assert len(degree3) == 1
    j = net.graph.nodes[degree3[0]]
    assert j["lon"] == pytest.approx(60.6, abs=0.02)
    assert j["lat"] == pytest.approx(60.0, abs=0.01)


def test_lines_that_merely_cross_are_not_parallel():
    """An X: two 1° lines crossing at right angles at (60.5, 60.5). Four corridors meet at
    one junction; the route-km equals the drawn length (cutting preserves length)."""
    a = LineString([(60.0, 60.5), (61.0, 60.5)])
    b = LineString([(60.5, 60.0), (60.5, 61.0)])
    net = build([("A", a, 10.0), ("B", b, 20.0)])
    assert net.graph.number_of_edges() == 4
    assert net.report.crossings == 1
    centre = [n for n in net.graph.nodes if net.graph.degree(n) == 4]
    assert len(centre) == 1
    drawn = geo.line_length_km(a) + geo.line_length_km(b)
    assert net.report.route_km == pytest.approx(drawn, rel=1e-6)


def test_crossings_can_be_left_unconnected():
    a = LineString([(60.0, 60.5), (61.0, 60.5)])
    b = LineString([(60.5, 60.0), (60.5, 61.0)])
    net = build([("A", a, 10.0), ("B", b, 20.0)], connect_crossings=False)
    assert net.graph.number_of_edges() == 2
    assert len(net.report.components) == 2


def test_an_end_near_a_line_joins_it_and_moves_at_most_snap_km():
    """A runs along the meridian 60.5°E; B comes from the east and ends 2 km short of it:
    a T-junction on A at B's latitude, B's end moved by the 2 km."""
    a = LineString([(60.5, 59.5), (60.5, 60.5)])
    b_end = (60.5 + 2.0 / 55.8, 60.0)
    b = LineString([(61.5, 60.0), b_end])
    net = build([("A", a, 10.0), ("B", b, 20.0)], snap_km=5.0)
    assert net.report.t_junctions == 1
    assert len(net.report.components) == 1
    t = next(n for n in net.graph.nodes if net.graph.degree(n) == 3)
    moved = geo.geodesic_km(net.graph.nodes[t]["lon"], net.graph.nodes[t]["lat"], *b_end)
    assert float(moved) == pytest.approx(2.0, abs=0.02)


def test_ends_farther_than_snap_km_stay_apart():
    a = LineString([(60.0, 60.0), (61.0, 60.0)])
    b = LineString([(60.5, 59.5), (60.5, 60.0 - 8.0 / 111.2)])
    net = build([("A", a, 10.0), ("B", b, 20.0)], snap_km=5.0)
    assert len(net.report.components) == 2


def test_two_ends_meet_at_the_first_one():
    """A ends at (61, 60); B starts 3 km east. They are joined at A's end (B moves 3 km)."""
    a = LineString([(60.0, 60.0), (61.0, 60.0)])
    start_b = (61.0 + 3.0 / 55.8, 60.0)
    b = LineString([start_b, (62.0, 60.0)])
    net = build([("A", a, 10.0), ("B", b, 20.0)], snap_km=5.0)
    assert net.report.end_joins == 1
    assert net.graph.number_of_edges() == 2
    assert len(net.report.components) == 1


def test_a_short_dangling_overshoot_is_a_sliver_and_is_listed():
    """B crosses A (the meridian 60.5°E) and overshoots it by 0.5 km: the stub is removed
    and reported with its length."""
    a = LineString([(60.5, 59.5), (60.5, 60.5)])
    b = LineString([(60.0, 60.0), (60.5 + 0.5 / 55.8, 60.0)])
    net = build([("A", a, 10.0), ("B", b, 20.0)], snap_km=0.1, sliver_km=1.0)
    removed = net.report.removed
    slivers = removed[removed["what"] == "sliver"]
    assert len(slivers) == 1
    assert slivers["length_km"].iloc[0] == pytest.approx(0.5, abs=0.05)
    assert net.graph.number_of_edges() == 3


def test_statuses_not_selected_are_listed_not_dropped_silently():
    a = LineString([(60.0, 60.0), (61.0, 60.0)])
    b = LineString([(60.0, 61.0), (61.0, 61.0)])
    net = build([("A", a, 10.0), ("B", b, 20.0, "B", "proposed")])
    removed = net.report.removed
    assert removed.loc[removed["id"] == "B", "reason"].iloc[0] == (
        "status proposed is not in network.statuses"
    )
    assert net.graph.number_of_edges() == 1


def test_multilinestrings_are_taken_part_by_part():
    m = MultiLineString([[(60.0, 60.0), (60.5, 60.0)], [(60.5, 60.0), (61.0, 60.0)]])
    net = build([("M", m, 10.0)])
    assert len(net.report.components) == 1
    assert net.report.route_km == pytest.approx(geo.line_length_km(m), rel=1e-6)


def test_nodes_go_on_the_nearest_line_and_far_nodes_stay_isolated():
    a = LineString([(60.0, 60.0), (61.0, 60.0)])
    node_rows = [
        ("field", 60.2, 60.0 + 3.0 / 111.2, "field", 5.0, 0.0),
        ("city", 60.8, 60.0, "demand", 0.0, 2.0),
        ("far", 60.5, 61.0, "demand", 0.0, 1.0),
    ]
    net = build([("A", a, 10.0)], node_rows, node_snap_km=5.0)
    g = net.graph
    assert g.degree("field") == 2 and g.degree("city") == 2
    assert net.report.isolated_nodes == ["far"]
    reach = {r["supply_node"]: r["reaches"] for r in net.report.reach}
    assert reach == {"field": ["city"]}


def test_a_node_with_latitude_and_longitude_swapped_is_named():
    a = LineString([(40.0, 60.0), (41.0, 60.0)])
    with pytest.raises(DataError, match=r"node city: .*swap"):
        build([("A", a, 10.0)], [("city", 60.0, 40.5, "demand", 0.0, 2.0)], node_snap_km=5.0)


def test_a_line_across_the_antimeridian_is_one_corridor():
    """Drawn as two features that meet at ±180°: one component, geodesic length."""
    east = LineString([(179.0, 65.0), (180.0, 65.0)])
    west = LineString([(-180.0, 65.0), (-179.0, 65.0)])
    net = build([("E", east, 10.0), ("W", west, 10.0)], snap_km=1.0)
    assert len(net.report.components) == 1
    expected = float(geo.geodesic_km(179.0, 65.0, -179.0, 65.0))
    # the two drawings follow the parallel of latitude; the geodesic is a little shorter
    assert net.report.route_km == pytest.approx(expected, rel=2e-3)


def test_the_network_hands_on_its_corridors_as_measured():
    """The segment lengths the builder measured (along merged, crossed, ringed and explicit
    corridors) are those of the graph's drawings measured afresh, to the last bit."""
    from siting.network import Drawings

    a = LineString([(60.0, 60.0), (61.0, 60.0), (61.0, 60.6), (60.0, 60.6), (60.0, 60.0)])
    b = LineString([(60.0, 60.0018), (60.6, 60.0018), (60.6, 60.9)])
    c = LineString([(59.5, 60.3), (61.5, 60.3)])
    net = build([("A", a, 10.0), ("B", b, 20.0), ("C", c, 5.0)], parallel_km=1.0)
    assert net.report.crossings >= 2 and net.report.merged_km > 0
    fresh = Drawings.of(net.graph)
    assert net.drawings is not None
    np.testing.assert_array_equal(net.drawings.coords, fresh.coords)
    np.testing.assert_array_equal(net.drawings.segment_km, fresh.segment_km)
