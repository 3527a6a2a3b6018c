"""The ``stranded`` layer (off-network supply): read from a file, its points become network
nodes on no pipeline with their own supply, a candidate site each with its own gas price,
and they never feed a gas-fired grid node nor count as pipeline surplus. Bad input is one
line naming the file, the feature and the fix."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import yaml
from shapely import Point

from siting.errors import DataError
from siting.examples import write_example
from siting.io.case_file import read_case
from siting.io.layers import load_geodata
from siting.pipeline import prepare
from siting.units import Conversions, bcm_per_year_to_mw, convert

CONV = Conversions()


def stranded_frame(**columns) -> gpd.GeoDataFrame:
    """One flaring point of 2 bcm/y east of field_east, its gas free but for a gathering cost
    of 1,935 RUB/1000 m³ (half the example's cheapest regional price, 3,870)."""
    base = {
        "node_id": ["flare"],
        "name": ["a flare"],
        "kind": ["flaring"],
        "production_capacity_bcm_y": [2.0],
        "gas_price_rub_1000m3": [0.0],
        "gathering_cost_rub_1000m3": [1935.0],
        "capacity_source": ["ASSUMPTION: a test"],
    }
    base.update(columns)
    return gpd.GeoDataFrame(base, geometry=[Point(74.6, 63.8)], crs="EPSG:4326")


def case_with_stranded(tmp_path: Path, frame: gpd.GeoDataFrame, **sections) -> Path:
    path = write_example(tmp_path)
    frame.to_file(tmp_path / "geodata" / "stranded.geojson", driver="GeoJSON")
    raw = yaml.safe_load(path.read_text())
    raw["layers"]["stranded"] = "geodata/stranded.geojson"
    for key, value in sections.items():
        raw[key] = {**raw.get(key, {}), **value} if isinstance(value, dict) else value
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return path


def test_a_stranded_point_is_a_node_with_supply_and_a_candidate_with_its_own_price(tmp_path):
    """2 bcm/y = 2,143.6 MW of supply at a node of kind stranded with no arc; its candidate
    site is eligible and pays (0 + 1,935) / 3,870 = 0.5 of the case's gas price."""
    case = read_case(case_with_stranded(tmp_path, stranded_frame()))
    prepared = prepare(case)
    nodes, arcs, sites = prepared.inputs.nodes, prepared.inputs.arcs, prepared.inputs.sites
    assert nodes.loc["flare", "kind"] == "stranded"
    assert nodes.loc["flare", "supply_max_mw"] == pytest.approx(bcm_per_year_to_mw(2.0, CONV))
    assert "flare" not in set(arcs["from_node"]) | set(arcs["to_node"])
    assert sites.loc["flare", "node_id"] == "flare"
    assert sites.loc["flare", "gas_price_factor"] == pytest.approx(0.5)
    candidates = prepared.candidates.sites.set_index("site_id")
    assert bool(candidates.loc["flare", "stranded"])
    assert candidates.loc["flare", "gas_price_usd_per_mwh"] == pytest.approx(
        convert(1935.0, "RUB/1000m3", "gas_price", CONV)
    )


def test_a_point_without_its_own_price_pays_the_case_price_plus_gathering(tmp_path):
    """No gas_price column: the case's (the cheapest node's) 3,870 + 1,935 → factor 1.5."""
    frame = stranded_frame().drop(columns=["gas_price_rub_1000m3"])
    prepared = prepare(read_case(case_with_stranded(tmp_path, frame)))
    assert prepared.inputs.sites.loc["flare", "gas_price_factor"] == pytest.approx(1.5)


def test_per_period_volumes_are_read(tmp_path):
    """An LNG plant that takes less feed gas in winter leaves more: 3 in winter, 1 in summer."""
    frame = stranded_frame(
        production_capacity_winter_bcm_y=[3.0], production_capacity_summer_bcm_y=[1.0]
    )
    periods = {"winter": {"weight": 0.5}, "summer": {"weight": 0.5}}
    prepared = prepare(read_case(case_with_stranded(tmp_path, frame, periods=periods)))
    supply = prepared.inputs.per_period("nodes", "supply_max_mw").loc["flare"]
    assert supply.to_dict() == pytest.approx(
        {"winter": bcm_per_year_to_mw(3.0, CONV), "summer": bcm_per_year_to_mw(1.0, CONV)}
    )


def test_a_stranded_point_never_feeds_a_gas_fired_grid_node_by_snapping(tmp_path):
    """A gas-fired grid node on top of the flare takes its gas from the nearest node of the
    pipelines (field_east), not from the flare."""
    path = case_with_stranded(tmp_path, stranded_frame())
    grid_path = tmp_path / "geodata" / "grid.geojson"
    grid = gpd.read_file(grid_path)
    grid.loc[0, "geometry"] = Point(74.6, 63.8)
    grid["fuel_gas"] = [1.0, 1.0]
    grid["gas_efficiency"] = [0.4, 0.4]
    grid.to_file(grid_path, driver="GeoJSON")
    case = read_case(path)
    case = case.model_copy(
        update={"network": case.network.model_copy(update={"grid_gas_snap_km": 1000.0})}
    )
    feeds = prepare(case).inputs.grid_nodes["gas_node"]
    assert feeds.loc["grid_hub"] == "field_east"


def test_a_stranded_id_that_is_a_network_node_is_one_line(tmp_path):
    frame = stranded_frame(node_id=["hub"])
    case = read_case(case_with_stranded(tmp_path, frame))
    with pytest.raises(DataError) as info:
        prepare(case)
    message = str(info.value)
    assert "stranded.geojson: layer stranded: feature hub" in message
    assert "own id" in message and "\n" not in message


def test_a_stranded_point_without_a_volume_is_one_line(tmp_path):
    frame = stranded_frame(production_capacity_bcm_y=[np.nan])
    case = read_case(case_with_stranded(tmp_path, frame))
    with pytest.raises(DataError) as info:
        load_geodata(case)
    message = str(info.value)
    assert "layer stranded: feature flare: column production_capacity_bcm_y" in message
    assert "\n" not in message
