"""Model v2 inputs: the technology table, per-period values, grid fuel feeds, and one-line
errors for bad input (a technology without efficiency or capex, period weights that do not
sum to 1, a per-period column missing for one period, fuel shares above 1, a gas-fired grid
node too far from the network)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml
from shapely import Point

from siting.candidates import build_candidates
from siting.config import NetworkConfig
from siting.errors import CaseError, DataError
from siting.examples import example_case, raw_layers, write_example
from siting.geodata import (
    GeoData,
    standardise_climate,
    standardise_grid,
    standardise_hubs,
    standardise_lines,
    standardise_nodes,
    standardise_pipelines,
    standardise_points_table,
    standardise_polygons,
)
from siting.inputs import build_inputs
from siting.io.case_file import read_case
from siting.network import build_network
from siting.pipeline import solve_inputs
from siting.technologies import interest_during_construction, technology_table
from siting.units import Conversions

CONV = Conversions()
WINTER_SUMMER = ("winter", "summer")
ENGINE = {"unit_size": "1.5 MW", "efficiency": 0.4, "capex": "1.3 MUSD/MW"}


# --- bad input: one line naming the file, the key or feature, and what is allowed -----


def case_file(tmp_path: Path, **sections) -> Path:
    """The example case file with ``sections`` merged over its top-level keys."""
    path = write_example(tmp_path)
    raw = yaml.safe_load(path.read_text())
    for key, value in sections.items():
        raw[key] = {**raw.get(key, {}), **value} if isinstance(value, dict) else value
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return path


@pytest.mark.parametrize("missing", ["efficiency", "capex"])
def test_a_technology_without_efficiency_or_capex_is_one_line(tmp_path, missing):
    engine = {k: v for k, v in ENGINE.items() if k != missing}
    path = case_file(tmp_path, technology={"menu": {"gas_engine": engine}})
    with pytest.raises(CaseError) as info:
        read_case(path)
    msg = str(info.value)
    assert len(msg.splitlines()) == 1
    assert msg.startswith(str(path))
    assert f"technology.menu.gas_engine.{missing}: required key is missing: give the" in msg
    assert ("a number in (0, 1]" if missing == "efficiency" else "money per power") in msg


def test_period_weights_must_sum_to_one(tmp_path):
    path = case_file(tmp_path, periods={"winter": {"weight": 0.3}, "summer": {"weight": 0.6}})
    with pytest.raises(CaseError) as info:
        read_case(path)
    msg = str(info.value)
    assert len(msg.splitlines()) == 1 and str(path) in msg
    assert "periods: the weights sum to 0.9 (0.3 + 0.6)" in msg and "must sum to 1" in msg


def test_a_per_period_column_missing_for_one_period_names_layer_column_and_period():
    nodes = raw_layers()["nodes"].assign(demand_winter_bcm_y=1.0)
    net = NetworkConfig(demand_column="demand")
    with pytest.raises(DataError) as info:
        standardise_nodes(nodes, net, CONV, "nodes.geojson", WINTER_SUMMER)
    assert str(info.value) == (
        "nodes.geojson: layer nodes: column demand_winter_bcm_y gives 'demand' for period winter "
        "but there is no demand_summer column for period summer; give a per-period column for "
        "every period (winter, summer) or for none"
    )


def test_fuel_shares_above_one_name_the_grid_node():
    grid = raw_layers()["grid"].assign(fuel_gas=[0.8, 1.0], fuel_coal=[0.5, 0.0])
    grid["gas_efficiency"] = 0.4
    with pytest.raises(DataError) as info:
        standardise_grid(grid, CONV, "grid.geojson")
    msg = str(info.value)
    assert msg.startswith("grid.geojson: layer grid: feature grid_hub: the fuel shares sum to 1.3")
    assert "may sum to at most 1" in msg


def test_a_gas_share_needs_its_efficiency():
    grid = raw_layers()["grid"].assign(fuel_gas=[1.0, 0.0])
    with pytest.raises(DataError, match="feature grid_hub: fuel_gas is 1 but gas_efficiency"):
        standardise_grid(grid, CONV, "grid.geojson")


def v2_data(case, grid=None):
    """The example layers read for ``case``'s periods, with an optional other grid layer."""
    raw = raw_layers()
    periods = tuple(case.periods or ())
    net = case.network
    return GeoData(
        pipelines=standardise_pipelines(raw["pipelines"], net, CONV, periods=periods),
        nodes=standardise_nodes(raw["nodes"], net, CONV, periods=periods),
        grid=standardise_grid(grid if grid is not None else raw["grid"], CONV, "grid.geojson"),
        fiber=standardise_lines(raw["fiber"], "fiber", "fiber_id"),
        climate=standardise_climate(raw["climate"], periods=periods),
        towns=standardise_points_table(raw["towns"], "towns", ["population"]),
        hubs=standardise_hubs(raw["hubs"]),
        country=standardise_polygons(raw["country"], "country"),
        borders=standardise_lines(raw["borders"], "borders", "border_id"),
        sources={"grid": "grid.geojson"},
    )


def example_inputs(case, data):
    network = build_network(data.pipelines, data.nodes, case.network)
    return build_inputs(build_candidates(network, data, case), data, case)


def fired(grid_city_fuel: float = 1.0, **columns):
    grid = raw_layers()["grid"].assign(
        fuel_gas=[1.0, grid_city_fuel], gas_efficiency=0.4, **columns
    )
    return grid


def test_a_gas_fired_grid_node_beyond_the_snap_limit_is_an_error():
    """A gas-fired grid_city moved to 50.5 E, 66 N lies over 600 km from every network node."""
    case = example_case()
    grid = fired()
    grid.loc[grid["grid_id"] == "grid_city", "geometry"] = Point(50.5, 66.0)
    with pytest.raises(DataError) as info:
        example_inputs(case, v2_data(case, grid))
    msg = str(info.value)
    assert msg.startswith("grid.geojson: layer grid: grid node grid_city: its gas share (1)")
    assert "beyond network.grid_gas_snap_km (100 km)" in msg


def test_a_gas_node_is_snapped_to_the_nearest_network_node_and_reported():
    """grid_hub (63.3 E, 62.1 N) is fed from the hub node at (63 E, 62 N), about 20 km away;
    grid_city has no gas share."""
    case = example_case()
    inputs = example_inputs(case, v2_data(case, fired(grid_city_fuel=0.0)))
    g = inputs.grid_nodes
    assert g.loc["grid_hub", "gas_node_source"] == "nearest"
    assert g.loc["grid_hub", "gas_node_km"] == pytest.approx(20, abs=5)
    assert g.loc["grid_hub", "gas_heat_rate"] == pytest.approx(2.5)
    assert g.loc["grid_city", "gas_share"] == 0
    assert inputs.has_grid_fuel and inputs.is_v2


# --- the technology table ---------------------------------------------------------------


def test_technology_cost_has_crf_interest_during_construction_and_om():
    """r = 10 %, 10 years, lead time 2 years, capex 1 MUSD/MW, fixed O&M 2 %, variable O&M
    10 USD/MWh: IDC = (1.1² − 1)/(0.1·2) = 1.05, CRF = 0.1·1.1¹⁰/(1.1¹⁰ − 1) = 0.162745,
    cost = 0.162745·1.05 + 0.02 = 0.190883 MUSD/MW/y; variable O&M 10·8760/10⁶ = 0.0876."""
    case = example_case(
        costs={"discount_rate": 0.1},
        technology={
            "menu": {
                "t": {
                    "unit_size": "10 MW",
                    "efficiency": 0.5,
                    "capex": "1 MUSD/MW",
                    "fixed_om": 0.02,
                    "variable_om": "10 USD/MWh",
                    "lifetime_years": 10,
                    "lead_time_years": 2,
                },
                "u": {**ENGINE, "fixed_om": "50 kUSD/MW/y", "lead_time_years": 4},
            }
        },
        objective={"online_within_years": 3},
    )
    assert interest_during_construction(0.1, 2) == pytest.approx(1.05)
    table = technology_table(case)
    assert table.at["t", "cost_musd_per_mw_y"] == pytest.approx(0.162745 * 1.05 + 0.02, rel=1e-5)
    assert table.at["t", "variable_om_musd_per_mw_y"] == pytest.approx(0.0876)
    assert table.at["t", "available"] and not table.at["u", "available"]
    assert "online_within_years" in table.at["u", "reason"]
    crf = 0.1 * 1.1**25 / (1.1**25 - 1)  # the generation lifetime by default
    idc = (1.1**4 - 1) / (0.1 * 4)
    assert table.at["u", "cost_musd_per_mw_y"] == pytest.approx(crf * idc * 1.3 + 0.05)


# --- per-period values ------------------------------------------------------------------


def test_the_column_that_is_the_name_and_its_unit_wins():
    nodes = raw_layers()["nodes"].assign(demand_2025_bcm_y=2.0, demand_2025_winter_bcm_y=3.0)
    nodes = nodes.drop(columns="demand_bcm_y")
    out = standardise_nodes(nodes, NetworkConfig(demand_column="demand_2025"), CONV)
    assert out["demand_mw"].iloc[0] == pytest.approx(2.0 * CONV.gas_lhv_mj_per_m3 * 1e9 / 31.536e6)


def periods_case(**factors):
    return example_case(
        periods={
            "winter": {"weight": 0.25, "factors": factors},
            "summer": {"weight": 0.75},
        }
    )


def test_per_period_values_come_from_columns_then_factors_then_the_annual_value():
    """Winter demand from the layer column (4 bcm/y at cs_north), summer demand annual (0);
    winter spare from the factor 0.5 (150 → 75 MW at grid_hub); winter pipe capacity from
    the factor 0.8; winter PUE from the climate's winter temperature through the curve."""
    case = periods_case(spare=0.5, capacity=0.8)
    raw = raw_layers()
    nodes = raw["nodes"].assign(demand_winter_bcm_y=0.0, demand_summer_bcm_y=np.nan)
    nodes.loc[nodes["node_id"] == "cs_north", "demand_winter_bcm_y"] = 4.0
    climate = raw["climate"].assign(temp_mean_winter_c=-20.0, temp_mean_summer_c=12.0)
    net, periods = case.network, ("winter", "summer")
    data = GeoData(
        **{
            **v2_data(case).__dict__,
            "nodes": standardise_nodes(nodes, net, CONV, periods=periods),
            "climate": standardise_climate(climate, periods=periods),
        }
    )
    inputs = example_inputs(case, data)
    demand = inputs.per_period("nodes", "demand_mw")
    mw_per_bcm = CONV.gas_lhv_mj_per_m3 * 1e9 / 31.536e6
    assert demand.loc["cs_north", "winter"] == pytest.approx(4.0 * mw_per_bcm)
    assert demand.loc["cs_north", "summer"] == 0
    spare = inputs.per_period("grid_nodes", "spare_mw")
    assert spare.loc["grid_hub"].tolist() == pytest.approx([75.0, 150.0])
    cap = inputs.per_period("arcs", "capacity_mw")
    assert cap["winter"].to_numpy() == pytest.approx(0.8 * inputs.arcs["capacity_mw"].to_numpy())
    pue = inputs.per_period("sites", "pue")
    curve = case.technology.pue
    assert pue["winter"].to_numpy() == pytest.approx(curve.pue[0])  # below the coldest point
    assert (pue["summer"] > pue["winter"]).all()


def test_a_pipeline_column_per_period_scales_its_corridors():
    """The east line gives 10 bcm/y in winter of its 15: its corridors carry 2/3 in winter."""
    case = periods_case()
    raw = raw_layers()
    pipes = raw["pipelines"].assign(
        capacity_winter_bcm_y=raw["pipelines"]["capacity_bcm_y"],
        capacity_summer_bcm_y=raw["pipelines"]["capacity_bcm_y"],
    )
    pipes.loc[pipes["pipeline_id"] == "east_line", "capacity_winter_bcm_y"] = 10.0
    data = v2_data(case)
    data = GeoData(
        **{
            **data.__dict__,
            "pipelines": standardise_pipelines(
                pipes, case.network, CONV, periods=("winter", "summer")
            ),
        }
    )
    inputs = example_inputs(case, data)
    cap = inputs.per_period("arcs", "capacity_mw")
    ratio = cap["winter"] / inputs.arcs["capacity_mw"]
    east = inputs.arcs["corridor"].str.contains("east line")
    assert ratio[east].to_numpy() == pytest.approx(2 / 3)
    assert ratio[~east].to_numpy() == pytest.approx(1.0)
    assert (cap["summer"] == inputs.arcs["capacity_mw"]).all()


def test_the_example_with_periods_and_a_menu_solves_and_checks():
    """Through the whole data path: two periods, an engine menu under N+1, gas-fired grid."""
    case = example_case(
        periods={"winter": {"weight": 0.3, "factors": {"spare": 0.5}}, "summer": {"weight": 0.7}},
        technology={"menu": {"gas_engine": ENGINE}, "reliability": {"rule": "n_plus_1"}},
        costs={"grid_capacity_charge": "50 kUSD/MW/month"},
    )
    inputs = example_inputs(case, v2_data(case, fired(grid_city_fuel=0.0)))
    solution, check, _ = solve_inputs(inputs, case.solver)
    assert check.ok and solution.is_v2
    assert solution.totals["it_mw"] >= 500 - 1e-6
