"""Bad layer data gets an error naming the layer, the feature and the column."""

from __future__ import annotations

import pytest
from shapely import LineString, Point

from siting.config import NetworkConfig
from siting.errors import DataError
from siting.examples import raw_layers
from siting.geodata import standardise_nodes, standardise_pipelines
from siting.units import Conversions

NET, CONV = NetworkConfig(), Conversions()


def pipelines():
    return raw_layers()["pipelines"].copy()


def nodes():
    return raw_layers()["nodes"].copy()


def error(func, frame) -> str:
    with pytest.raises(DataError) as info:
        func(frame, NET, CONV, "pipes.geojson")
    return str(info.value)


def test_negative_capacity():
    df = pipelines()
    df.loc[1, "capacity_bcm_y"] = -3
    assert error(standardise_pipelines, df) == (
        "pipes.geojson: layer pipelines: feature east_line: column capacity_bcm_y: negative value -3"
    )


def test_unknown_status():
    df = pipelines()
    df.loc[2, "status"] = "dreaming"
    msg = error(standardise_pipelines, df)
    assert "feature trunk: column status: unknown status 'dreaming'; allowed: operating" in msg


def test_line_with_one_point_and_empty_geometry():
    df = pipelines()
    df.loc[0, "geometry"] = LineString()
    assert "feature north_line: empty, missing or unreadable geometry" in error(
        standardise_pipelines, df
    )


def test_missing_capacity_needs_a_default():
    df = pipelines()
    df.loc[3, "capacity_bcm_y"] = None
    assert "feature city_line: column capacity_bcm_y: capacity missing" in error(
        standardise_pipelines, df
    )
    filled = standardise_pipelines(df, NetworkConfig(default_capacity="10 bcm/y"), CONV)
    assert filled.loc[3, "capacity_filled"]
    assert filled.loc[3, "capacity_mw"] == pytest.approx(10 * 1071.79, rel=1e-4)


def test_node_without_coordinates_and_swapped_latlon():
    df = nodes()
    df.loc[2, "geometry"] = None
    assert "feature field_east: empty, missing or unreadable geometry" in error(
        standardise_nodes, df
    )
    df = nodes()
    df.loc[0, "geometry"] = Point(67.0, 168.0)
    msg = error(standardise_nodes, df)
    assert "feature field_north: coordinates outside the longitude/latitude range" in msg
    assert "latitude and longitude look swapped: swap them" in msg


def test_no_crs_and_unknown_kind():
    df = nodes().set_crs(None, allow_override=True)
    assert "no CRS" in error(standardise_nodes, df)
    df = nodes()
    df.loc[1, "kind"] = "volcano"
    assert "feature cs_north: column kind: unknown kind 'volcano'" in error(standardise_nodes, df)


def test_duplicate_ids():
    df = nodes()
    df.loc[1, "node_id"] = "field_north"
    assert "feature field_north: column node_id: duplicate id" in error(standardise_nodes, df)
