"""The bundled Russia case: the main job, its scenarios and plausibility checks."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import networkx as nx
import pytest

from siting.api import load_case, solve_case
from siting.errors import DataError
from siting.io.layers import load_geodata
from siting.solution import Solution

ROOT = Path(__file__).resolve().parents[2]
RUSSIA = ROOT / "models" / "russia.yaml"
ARCTIC_CIRCLE = 66.5628


def solve(scenario: str | None = None, **overrides):
    return solve_case(load_case(RUSSIA, scenario=scenario, overrides=overrides or None)).solution


@pytest.fixture(scope="module")
def baseline() -> Solution:
    return solve()


@pytest.fixture(scope="module")
def counterfactual() -> Solution:
    return solve("exports-2019")


def deliverable_mw(solution: Solution) -> float:
    """Max-flow bound: the most gas the network can bring to the sites on top of committed
    demand (fields → pipelines → demand nodes and sites)."""
    g = nx.DiGraph()
    for a in solution.arcs.itertuples():
        cap = g.get_edge_data(a.from_node, a.to_node, {"capacity": 0.0})["capacity"]
        g.add_edge(a.from_node, a.to_node, capacity=cap + a.capacity_mw)
    for n in solution.nodes.itertuples():
        if n.supply_max_mw > 0:
            g.add_edge("source", n.Index, capacity=n.supply_max_mw)
        if n.demand_mw > 0:
            g.add_edge(n.Index, "sink", capacity=n.demand_mw)
    for node in set(solution.sites["node_id"]):
        g.add_edge(node, "sink")  # unbounded
    return nx.maximum_flow_value(g, "source", "sink") - float(solution.nodes["demand_mw"].sum())


def north_mw(solution: Solution, lat: float = 60.0) -> float:
    chosen = solution.chosen
    return float(chosen.loc[chosen["lat"] >= lat, "it_mw"].sum())


def test_main_job_places_5_gw_and_verifies(baseline):
    assert baseline.report.is_optimal
    assert baseline.report.gap <= 1e-3
    assert baseline.totals["it_mw"] >= 5000 - 1e-6
    assert baseline.totals["surplus_bcm_y"] == pytest.approx(167.3, abs=0.1)


def test_gas_burnt_never_exceeds_what_the_network_can_deliver(baseline, counterfactual):
    for solution in (baseline, counterfactual):
        assert solution.totals["gas_mw"] <= deliverable_mw(solution) + 1e-6
        assert solution.totals["gas_mw"] <= solution.totals["surplus_mw"] + 1e-6


def test_pipelines_never_exceed_capacity(baseline, counterfactual):
    for solution in (baseline, counterfactual):
        arcs = solution.arcs
        assert (arcs["flow_mw"] <= arcs["capacity_mw"] * (1 + 1e-9) + 1e-6).all()
        assert arcs["utilisation"].max() <= 1 + 1e-9


def test_committed_exports_are_still_delivered(baseline, counterfactual):
    """Exports at border and landfall nodes (SOURCES.md §3.3): 2024 = Belarus 22 + TurkStream
    26.7 + Blue Stream 11 + Power of Siberia 38 + Uzbekistan 3 + Transcaucasia 2.5 + Baltic
    LNG 2 = 105.2 bcm/y; 2019 = Belarus 22.5 + Yamal-Europe 30 + Nord Stream 58.5 + Ukraine
    89.6 + Blue Stream 13 + Transcaucasia 2.5 = 216.1 bcm/y. Every one is delivered exactly."""
    for solution, expected_bcm in ((baseline, 105.2), (counterfactual, 216.1)):
        nodes = solution.nodes
        exports = nodes[nodes["kind"].isin(["border", "landfall"]) & (nodes["demand_mw"] > 0)]
        arcs = solution.arcs
        inflow = arcs.groupby("to_node")["flow_mw"].sum().reindex(exports.index).fillna(0)
        outflow = arcs.groupby("from_node")["flow_mw"].sum().reindex(exports.index).fillna(0)
        delivered = inflow - outflow + exports["supply_mw"] - exports["burn_mw"]
        assert delivered.to_numpy() == pytest.approx(exports["demand_mw"].to_numpy(), rel=1e-7)
        assert exports["demand_bcm_y"].sum() == pytest.approx(expected_bcm, abs=0.5)


def test_counterfactual_has_far_less_free_gas(baseline, counterfactual):
    assert counterfactual.totals["surplus_bcm_y"] == pytest.approx(59.4, abs=0.1)
    assert counterfactual.totals["surplus_bcm_y"] < baseline.totals["surplus_bcm_y"] / 2


def test_counterfactual_places_no_more_capacity_in_the_north_or_says_why(baseline, counterfactual):
    """With the default costs the plan leans on grid spare capacity, so the surplus hardly
    matters: the 2019 plan may not move south. If it does not, gas must be shown not to bind
    (a small share of the surplus burnt, as the run summary prints)."""
    if north_mw(counterfactual) > north_mw(baseline):
        burnt = counterfactual.totals["gas_bcm_y"] / counterfactual.totals["surplus_bcm_y"]
        assert burnt < 0.05, "more capacity in the north in 2019 although gas binds"


@pytest.mark.slow
def test_when_gas_binds_2019_moves_capacity_out_of_the_north():
    """Gas-only campuses for 12 GW of IT: in 2024 the free western gas keeps every campus in
    West Siberia and Komi; with 2019 exports the western system is nearly full and part of
    the plan moves to the Power of Siberia fields, whose gas had no outlet before 2020."""
    gas_only = {"technology.allow_grid": False, "objective.target_it": "12 GW"}
    today = solve(**gas_only)
    before = solve("exports-2019", **gas_only)
    assert north_mw(before) < north_mw(today) - 1000


def test_grid_only_burns_no_gas():
    solution = solve("grid-only")
    assert solution.totals["gas_mw"] == 0
    assert solution.totals["it_mw"] >= 5000 - 1e-6


def test_no_arctic_keeps_every_campus_south_of_the_circle():
    solution = solve("no-arctic")
    assert (solution.chosen["lat"] < ARCTIC_CIRCLE).all()


def test_inference_serves_moscow_and_st_petersburg_within_15_ms():
    solution = solve("inference")
    hubs = solution.hubs
    assert set(hubs.index) == {"moscow", "st_petersburg"}
    assert hubs["served_mw"].sum() >= 0.30 * solution.totals["it_mw"] - 1e-6
    served = solution.serve[solution.serve["serve_mw"] > 1e-6]
    assert (served["rtt_ms"] <= 15 + 1e-9).all()


@pytest.mark.slow
def test_max_gas_use_burns_more_within_its_budget(baseline):
    solution = solve("max-gas-use")
    assert solution.report.has_solution
    assert solution.totals["capex_musd"] <= 60000 * (1 + 1e-9)
    assert solution.totals["gas_bcm_y"] > 10 * baseline.totals["gas_bcm_y"]


def test_sites_respect_the_country_border_buffer_and_remoteness_band(baseline):
    chosen = baseline.chosen
    case = load_case(RUSSIA)
    prepared_sites = solve_case(case).prepared.candidates.sites.set_index("site_id")
    attrs = prepared_sites.loc[chosen.index]
    assert (attrs["eligible"]).all()
    assert (attrs["border_km"] >= 50).all()
    assert (attrs["town_km"] <= 500).all()
    excluded = prepared_sites[~prepared_sites["eligible"]]
    assert excluded["exclusion_reason"].str.len().gt(0).all()
    assert excluded["exclusion_reason"].str.contains("Ukraine").any()


def test_a_line_with_one_point_names_its_feature(tmp_path):
    source = json.loads((ROOT / "geodata" / "russia" / "pipelines.geojson").read_text())
    feature = source["features"][3]
    feature["geometry"]["coordinates"] = feature["geometry"]["coordinates"][:1]
    path = tmp_path / "pipelines.geojson"
    path.write_text(json.dumps(source))
    case = load_case(RUSSIA, overrides={"layers.pipelines": str(path)})
    with pytest.raises(DataError) as info:
        load_geodata(case)
    fid = feature["properties"]["pipeline_id"]
    assert f"layer pipelines: feature {fid}: empty, missing or unreadable geometry" in str(
        info.value
    )


@pytest.mark.parametrize(
    ("layer", "edit", "message"),
    [
        (
            "pipelines",
            lambda g: g.assign(status=g["status"].where(g.index != 3, "dreamt")),
            "layer pipelines: feature {id}: column status: unknown status 'dreamt'",
        ),
        (
            "pipelines",
            lambda g: g.assign(capacity_bcm_y=g["capacity_bcm_y"].where(g.index != 3, -5.0)),
            "layer pipelines: feature {id}: column capacity_bcm_y: negative value -5",
        ),
        (
            "pipelines",
            lambda g: g.set_geometry(g.geometry.where(g.index != 3, None)),
            "layer pipelines: feature {id}: empty, missing or unreadable geometry",
        ),
        (
            "nodes",
            lambda g: g.set_geometry(g.geometry.where(g.index != 3, None)),
            "layer nodes: feature {id}: empty, missing or unreadable geometry",
        ),
    ],
)
def test_broken_dataset_edits_name_layer_feature_and_column(tmp_path, layer, edit, message):
    source = ROOT / "geodata" / "russia" / f"{layer}.geojson"
    frame = gpd.read_file(source)
    edited = edit(frame)
    path = tmp_path / f"{layer}.geojson"
    edited.to_file(path, driver="GeoJSON")
    fid = frame.iloc[3]["pipeline_id" if layer == "pipelines" else "node_id"]
    case = load_case(RUSSIA, overrides={f"layers.{layer}": str(path)})
    with pytest.raises(DataError) as info:
        load_geodata(case)
    assert message.format(id=fid) in str(info.value)
    assert str(path) in str(info.value)


def test_main_command_writes_the_run_folder(tmp_path):
    from siting.api import solve_case as run_and_write

    run_and_write(load_case(RUSSIA), out=tmp_path)
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["status"] == "optimal"
    assert summary["totals"]["it_mw"] >= 5000 - 1e-6
    assert (tmp_path / "manifest.json").exists()
