"""Generic readers (GeoJSON, GeoPackage, Shapefile, GeoParquet, CSV with WKT or lon/lat) and
the messages for bad input: each names the file, the feature and the fix."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely import LineString, Point

from siting.config import LayerSpec, NetworkConfig
from siting.errors import CaseError, DataError
from siting.examples import raw_layers
from siting.geodata import standardise_nodes, standardise_pipelines
from siting.io.case_file import case_from_dict
from siting.io.layers import detect_format, read_layer
from siting.units import Conversions

NET, CONV = NetworkConfig(), Conversions()


def example_pipes() -> gpd.GeoDataFrame:
    return raw_layers()["pipelines"]


def read_pipes(spec: LayerSpec) -> gpd.GeoDataFrame:
    return standardise_pipelines(read_layer(spec, "pipelines").frame, NET, CONV, str(spec.path))


@pytest.mark.parametrize(
    ("suffix", "writer"),
    [
        (".geojson", lambda f, p: f.to_file(p, driver="GeoJSON", engine="pyogrio")),
        (".gpkg", lambda f, p: f.to_file(p, driver="GPKG", engine="pyogrio")),
        (".shp", lambda f, p: f.to_file(p, driver="ESRI Shapefile", engine="pyogrio")),
        (".parquet", lambda f, p: f.to_parquet(p)),
    ],
)
def test_vector_formats_give_the_same_pipelines(tmp_path, suffix, writer):
    frame = example_pipes().rename(columns={"capacity_bcm_y": "cap"})
    path = tmp_path / f"pipes{suffix}"
    writer(frame, path)
    columns = {"capacity": "cap"}
    if suffix == ".shp":
        with pytest.raises(
            DataError,
            match=r"cut names to 10 characters: map them with columns: \{pipeline_id: pipeline_i\}",
        ):
            read_pipes(LayerSpec(path=path, columns=columns, units={"capacity": "bcm/y"}))
        columns["pipeline_id"] = "pipeline_i"
    got = read_pipes(LayerSpec(path=path, columns=columns, units={"capacity": "bcm/y"}))
    want = standardise_pipelines(example_pipes(), NET, CONV)
    assert got["pipeline_id"].tolist() == want["pipeline_id"].tolist()
    np.testing.assert_allclose(got["capacity_mw"], want["capacity_mw"])
    assert got.geometry.geom_equals_exact(want.geometry, 1e-9).all()


def test_csv_with_wkt_and_declared_units(tmp_path):
    frame = example_pipes()
    df = pd.DataFrame(frame.drop(columns="geometry"))
    df["wkt"] = frame.geometry.to_wkt()
    df["capacity"] = df.pop("capacity_bcm_y") * 96.6  # mcm/d from bcm/y, roughly
    path = tmp_path / "pipes.csv"
    df.to_csv(path, index=False)
    got = read_pipes(LayerSpec(path=path, crs="EPSG:4326", units={"capacity": "mcm/d"}))
    want = standardise_pipelines(example_pipes(), NET, CONV)
    np.testing.assert_allclose(got["capacity_mw"], want["capacity_mw"] * 96.6 * 0.365, rtol=1e-9)


def test_csv_with_lon_lat_columns_for_nodes(tmp_path):
    nodes = raw_layers()["nodes"]
    df = pd.DataFrame(nodes.drop(columns="geometry"))
    df["x"], df["y"] = nodes.geometry.x, nodes.geometry.y
    path = tmp_path / "nodes.csv"
    df.to_csv(path, index=False)
    raw = read_layer(LayerSpec(path=path, lon="x", lat="y"), "nodes").frame
    got = standardise_nodes(raw, NET, CONV)
    assert got.geometry.x.tolist() == pytest.approx(nodes.geometry.x.tolist())


def test_value_recoding(tmp_path):
    frame = example_pipes().assign(status="In service")
    path = tmp_path / "pipes.geojson"
    frame.to_file(path, driver="GeoJSON", engine="pyogrio")
    with pytest.raises(DataError, match=r"unknown status 'In service'.*values"):
        read_pipes(LayerSpec(path=path))
    got = read_pipes(LayerSpec(path=path, values={"status": {"in service": "operating"}}))
    assert set(got["status"]) == {"operating"}


def test_no_crs(tmp_path):
    """A shapefile without its .prj, and a WKT CSV with no crs: say which file and what to set."""
    path = tmp_path / "pipes.shp"
    example_pipes().to_file(path, driver="ESRI Shapefile", engine="pyogrio")
    path.with_suffix(".prj").unlink()
    with pytest.raises(DataError) as info:
        read_pipes(LayerSpec(path=path))
    assert str(info.value).startswith(f"{path}: layer pipelines: no CRS; set one")
    df = pd.DataFrame(
        {"pipeline_id": ["a"], "status": ["operating"], "wkt": ["LINESTRING (0 0, 1 1)"]}
    )
    df.to_csv(tmp_path / "p.csv", index=False)
    with pytest.raises(
        DataError, match=r"p\.csv: layer pipelines: WKT geometry without a CRS; set the layer's crs"
    ):
        read_layer(LayerSpec(path=tmp_path / "p.csv"), "pipelines")


def test_lat_lon_swapped_in_a_csv(tmp_path):
    df = pd.DataFrame(
        {"node_id": ["a", "b"], "kind": "hub", "lat": [55.0, 160.0], "lon": [37.0, 65.0]}
    )
    df.to_csv(tmp_path / "n.csv", index=False)
    with pytest.raises(DataError) as info:
        read_layer(LayerSpec(path=tmp_path / "n.csv"), "nodes")
    assert "n.csv: layer nodes: feature b: lat = 160 is not a latitude" in str(info.value)
    assert "map them with lon: lat and lat: lon" in str(info.value)


def test_lat_lon_swapped_in_a_vector_file():
    nodes = raw_layers()["nodes"]
    nodes.loc[2, "geometry"] = Point(63.5, 174.0)
    with pytest.raises(
        DataError, match=r"feature field_east: .*latitude and longitude look swapped"
    ):
        standardise_nodes(nodes, NET, CONV, "nodes.geojson")


def test_mixed_geometry_types(tmp_path):
    frame = example_pipes()
    frame.loc[2, "geometry"] = Point(60, 60)
    with pytest.raises(DataError) as info:
        standardise_pipelines(frame, NET, CONV, "mixed.gpkg")
    msg = str(info.value)
    assert msg.startswith("mixed.gpkg: layer pipelines: feature trunk: geometry is Point")
    assert "split the file by geometry type" in msg and "give them as layers.nodes" in msg


def test_empty_geometries_are_an_error_or_listed(tmp_path):
    frame = example_pipes()
    frame.loc[1, "geometry"] = LineString()
    path = tmp_path / "pipes.gpkg"
    frame.to_file(path, driver="GPKG", engine="pyogrio")
    with pytest.raises(
        DataError, match=r"feature east_line: empty, missing or unreadable geometry.*drop_empty"
    ):
        read_pipes(LayerSpec(path=path))
    raw = read_layer(LayerSpec(path=path, drop_empty=True), "pipelines")
    assert len(raw.frame) == len(frame) - 1
    assert raw.removed[0]["id"] == "east_line"
    assert "empty, missing or unreadable geometry" in raw.removed[0]["reason"]


def test_capacity_in_an_unknown_unit(tmp_path):
    frame = example_pipes().rename(columns={"capacity_bcm_y": "capacity_tcf_y"})
    path = tmp_path / "pipes.geojson"
    frame.to_file(path, driver="GeoJSON", engine="pyogrio")
    with pytest.raises(DataError) as info:
        read_pipes(LayerSpec(path=path))
    msg = str(info.value)
    assert f"{path}: layer pipelines: column capacity_tcf_y: unknown unit for 'capacity'" in msg
    assert "_bcm_y" in msg and "units: {capacity: bcm/y}" in msg
    with pytest.raises(
        DataError, match=r"units: capacity: unit 'tcf/y' is not a gas_flow unit; allowed: .*bcm/y"
    ):
        read_pipes(
            LayerSpec(
                path=path, columns={"capacity": "capacity_tcf_y"}, units={"capacity": "tcf/y"}
            )
        )


def test_unreadable_files(tmp_path):
    bad = tmp_path / "broken.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    with pytest.raises(
        DataError,
        match=r"broken\.geojson: layer pipelines: cannot read the file: .*is it a GeoJSON",
    ):
        read_layer(LayerSpec(path=bad), "pipelines")
    garbage = tmp_path / "noise.gpkg"
    garbage.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(DataError, match=r"noise\.gpkg: layer pipelines: cannot read the file"):
        read_layer(LayerSpec(path=garbage), "pipelines")
    xml = tmp_path / "net.net"
    xml.write_text("<network><unclosed>", encoding="utf-8")
    with pytest.raises(DataError, match=r"net\.net: cannot read the GasLib XML"):
        read_layer(LayerSpec(path=xml), "pipelines")


def test_missing_capacity_fill_rules():
    """Missing capacities: from the other strings of the same system, then the diameter rule
    (32 bcm/y × (d/1420)^2.5), then the case default; each rule is recorded."""
    frame = example_pipes()
    frame["system"] = ["north", "east", "trunk", "north", "export"]
    frame["diameter_mm"] = [1420, 1420, 1020, np.nan, np.nan]
    frame.loc[3, "capacity_bcm_y"] = None  # city_line: same system as north_line (30)
    frame.loc[2, "capacity_bcm_y"] = None  # trunk: 1,020 mm
    frame.loc[4, "capacity_bcm_y"] = None  # export_line: only the default applies
    cfg = NetworkConfig(default_capacity="7 bcm/y")
    got = standardise_pipelines(frame, cfg, CONV).set_index("pipeline_id")
    bcm = 1e9 / (8760 * 3600) * 33.8
    assert got.loc["city_line", "capacity_source"] == "system"
    assert got.loc["city_line", "capacity_mw"] == pytest.approx(30 * bcm)
    assert got.loc["trunk", "capacity_source"] == "diameter"
    assert got.loc["trunk", "capacity_mw"] == pytest.approx(32 * (1020 / 1420) ** 2.5 * bcm)
    assert got.loc["export_line", "capacity_source"] == "default"
    assert got.loc["export_line", "capacity_mw"] == pytest.approx(7 * bcm)
    assert got.loc["north_line", "capacity_source"] == "data"


def test_format_detection(tmp_path):
    assert detect_format(Path("x.net")) == "gaslib"
    assert detect_format(Path("x.parquet")) == "geoparquet"
    gem = tmp_path / "g.csv"
    gem.write_text(
        "id,name,status,capacity,original_units,geometry,tracker-acro\n", encoding="utf-8"
    )
    assert detect_format(gem) == "gem"
    sci = tmp_path / "s.csv"
    sci.write_text(
        "id;name;source_id;node_id;lat;long;country_code;comment;param\n", encoding="utf-8"
    )
    assert detect_format(sci) == "scigrid"
    plain = tmp_path / "p.csv"
    plain.write_text("pipeline_id,wkt\n", encoding="utf-8")
    assert detect_format(plain) == "csv"


def test_format_options_are_validated_in_the_case(tmp_path):
    net = tmp_path / "n.net"
    net.write_text("<network/>", encoding="utf-8")
    raw = {
        "name": "x",
        "layers": {
            "pipelines": {"path": str(net), "format": "gaslib", "options": {"suply": "flow_max"}},
            "nodes": str(net),
        },
    }
    with pytest.raises(
        CaseError, match=r"options.suply: unknown option for format gaslib; allowed: nominations"
    ):
        case_from_dict(raw, source=tmp_path / "case.yaml")


def test_unset_environment_variable_in_a_path(tmp_path, monkeypatch):
    monkeypatch.delenv("SITING_NOWHERE", raising=False)
    raw = {
        "name": "x",
        "layers": {"pipelines": "${SITING_NOWHERE}/p.geojson", "nodes": "n.geojson"},
    }
    with pytest.raises(CaseError) as info:
        case_from_dict(raw, source=tmp_path / "case.yaml")
    msg = str(info.value)
    assert "layers.pipelines" in msg and "SITING_NOWHERE is not set" in msg
    assert "--layer pipelines=PATH" in msg
