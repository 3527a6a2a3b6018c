"""The bundled Russia case (v2: 2025 flows, three periods, technology menu, grid fuel): the
main job, its scenarios and plausibility checks on the real data. Every solve keeps the case's
time limit (``solver.time_limit_s``); the slowest scenarios are marked slow."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import networkx as nx
import pytest

from siting.api import load_case, solve_case, solve_scenarios
from siting.errors import DataError
from siting.io.layers import load_geodata
from siting.pipeline import prepare
from siting.scenario_report import NORTH_DEG, ScenarioRun, onsite_north_mw, scenario_table
from siting.solution import Solution

ROOT = Path(__file__).resolve().parents[2]
RUSSIA = ROOT / "models" / "russia.yaml"
GRID_V2 = ROOT / "geodata" / "russia" / "grid_v2.geojson"
ARCTIC_CIRCLE = 66.5628
#: what no test may wait longer for (the case's own limit is 90 s)
TIME_LIMIT_S = 120


def solve(scenario: str | None = None, **overrides) -> Solution:
    overrides = {"solver.time_limit_s": TIME_LIMIT_S, **overrides}
    return solve_case(load_case(RUSSIA, scenario=scenario, overrides=overrides)).solution


@pytest.fixture(scope="module")
def runs() -> dict[str, ScenarioRun]:
    """The base (2025) and exports-2019, solved and timed as ``siting scenarios`` does."""
    solved = solve_scenarios(
        RUSSIA, ["exports-2019"], overrides={"solver.time_limit_s": TIME_LIMIT_S}
    )
    return {run.label: run for run in solved}


@pytest.fixture(scope="module")
def baseline(runs) -> Solution:
    return runs["base"].solution


@pytest.fixture(scope="module")
def counterfactual(runs) -> Solution:
    return runs["exports-2019"].solution


def deliverable_by_period_mw(solution: Solution) -> dict[str, float]:
    """Max flow per period, by networkx (independent of siting.surplus): the most gas the
    pipelines can bring from the fields to the candidate sites' nodes and the feeds of the
    gas-fired grid nodes, on top of committed demand. Off-network nodes have no arc and
    carry nothing to the pipelines."""
    grid = solution.grid_nodes
    feeds = set(grid.loc[grid["gas_share"] > 0, "gas_node"].dropna())
    sinks = set(solution.sites["node_id"]) | feeds
    out = {}
    for q in solution.periods.index:
        arcs = solution.arc_periods.xs(q, level="period")
        nodes = solution.node_periods.xs(q, level="period")
        on_network = set(solution.arcs["from_node"]) | set(solution.arcs["to_node"])
        g = nx.DiGraph()
        for arc_id, a in solution.arcs.iterrows():
            cap = g.get_edge_data(a.from_node, a.to_node, {"capacity": 0.0})["capacity"]
            g.add_edge(a.from_node, a.to_node, capacity=cap + arcs.at[arc_id, "capacity_mw"])
        demand = 0.0
        for node_id, n in nodes.iterrows():
            if node_id not in on_network:
                continue
            if n.supply_max_mw > 0:
                g.add_edge("source", node_id, capacity=n.supply_max_mw)
            if n.demand_mw > 0:
                g.add_edge(node_id, "sink", capacity=n.demand_mw)
                demand += n.demand_mw
        for node_id in sinks & on_network:
            g.add_edge(node_id, "sink")
            g[node_id]["sink"].pop("capacity", None)  # unbounded
        out[q] = nx.maximum_flow_value(g, "source", "sink") - demand
    return out


def pipeline_gas_by_period_mw(solution: Solution) -> dict[str, float]:
    """Gas burnt on site and behind the grid at nodes on the pipelines, per period."""
    on_network = set(solution.arcs["from_node"]) | set(solution.arcs["to_node"])
    np_ = solution.node_periods
    on = np_[np_.index.get_level_values("node_id").isin(on_network)]
    used = (on["burn_mw"] + on["indirect_mw"]).groupby(level="period").sum()
    return used.to_dict()


def test_main_job_places_5_gw_in_three_periods_and_verifies(baseline):
    assert baseline.report.is_optimal and baseline.report.gap <= 1e-3
    assert baseline.totals["it_mw"] == pytest.approx(5000)
    assert baseline.is_v2 and list(baseline.periods.index) == ["winter", "shoulder", "summer"]
    # 2025 is "now": no Ukraine transit (SOURCES.md §12.3)
    assert baseline.totals["gas_total_bcm_y"] == pytest.approx(
        baseline.totals["gas_direct_bcm_y"] + baseline.totals["gas_indirect_bcm_y"]
    )


def test_gas_used_never_exceeds_the_deliverable_surplus_in_any_period(baseline, counterfactual):
    for solution in (baseline, counterfactual):
        deliverable = deliverable_by_period_mw(solution)
        used = pipeline_gas_by_period_mw(solution)
        t = solution.totals
        for q, cap in deliverable.items():
            assert used[q] <= cap + 1e-6, q
            # the headline's table agrees with the independent max flow
            mw_per_bcm = t["gas_total_mw"] / t["gas_total_bcm_y"]
            assert t[f"surplus_deliverable_{q}_bcm_y"] * mw_per_bcm == pytest.approx(cap, rel=1e-6)
            assert t[f"gas_pipeline_{q}_bcm_y"] * mw_per_bcm == pytest.approx(used[q], rel=1e-6)
            assert cap <= t[f"surplus_gross_{q}_bcm_y"] * mw_per_bcm * (1 + 1e-9) + 1e-6
            split = t[f"gas_pipeline_direct_{q}_bcm_y"] + t[f"gas_pipeline_indirect_{q}_bcm_y"]
            assert split == pytest.approx(t[f"gas_pipeline_{q}_bcm_y"], rel=1e-9)


def test_in_winter_no_grid_node_serves_more_than_its_winter_spare(baseline):
    """The winter spare of each grid node as bundled (grid_v2, SOURCES.md §12.8): Moscow's four
    nodes and the Irkutsk nodes 0 (no new connections), nuclear plants 0."""
    source = gpd.read_file(GRID_V2).set_index("grid_id")
    winter = baseline.grid_periods.xs("winter", level="period")
    assert (winter["spare_mw"] == source["spare_winter_mw"].reindex(winter.index)).all()
    assert (winter["used_mw"] <= winter["spare_mw"] + 1e-6).all()
    closed = source.index[source["connection_limit"].fillna("").str.len().gt(0)]
    nuclear = source.index[source["fuel_nuclear"] >= 1]
    assert len(closed) >= 4 and len(nuclear) >= 1
    used = baseline.grid_periods["used_mw"].groupby(level="grid_id").max()
    assert (used.reindex(closed.union(nuclear)).fillna(0) <= 1e-6).all()


def test_pipelines_never_exceed_capacity_in_any_period(baseline, counterfactual):
    for solution in (baseline, counterfactual):
        ap = solution.arc_periods
        assert (ap["flow_mw"] <= ap["capacity_mw"] * (1 + 1e-9) + 1e-6).all()


def test_exports_2019_places_less_gas_fired_capacity_in_the_north_or_says_why(runs):
    """2019 exports take far more of the western gas (SOURCES.md §12.7), so gas-fired
    capacity north of 60°N should shrink; if it does not, the 2025 plan's gas must still fit
    the 2019 network's deliverable surplus (the report says the network does not bind)."""
    base, before = runs["base"].solution, runs["exports-2019"].solution
    assert before.report.gap <= 2e-3
    if onsite_north_mw(before) >= onsite_north_mw(base):
        why = scenario_table(list(runs.values())).at["exports-2019", "why"]
        assert "does not bind the base plan's gas" in why
        assert f"north of {NORTH_DEG:g}°N" in why


def test_sanctions_keep_installed_mw_within_each_cap():
    solution = solve("sanctions")
    assert solution.report.gap <= 1e-3 and solution.totals["it_mw"] == pytest.approx(5000)
    tech = solution.technologies
    caps = {"ccgt": 0, "gas_turbine": 0, "gas_turbine_small": 800, "gas_engine": 1000}
    for t, cap in caps.items():
        assert tech.at[t, "national_cap_mw"] == cap
        installed = float((solution.sites[f"units_{t}"] * tech.at[t, "unit_mw"]).sum())
        assert installed <= cap + 1e-6, t


def test_grid_only_burns_no_gas_on_site_but_counts_gas_behind_the_grid():
    solution = solve("grid-only")
    t = solution.totals
    assert t["gas_direct_mw"] == 0 and t["it_mw"] == pytest.approx(5000)
    assert t["gas_indirect_mw"] > 0


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
def test_absorb_burns_more_gas_within_its_cost_ceiling(baseline):
    solution = solve("absorb")
    assert solution.report.has_solution
    t = solution.totals
    assert t["cost_usd_per_mwh_it"] <= 280 * (1 + 1e-6)
    assert t["gas_total_bcm_y"] > baseline.totals["gas_total_bcm_y"]


def test_sites_respect_the_country_border_buffer_and_remoteness_band(runs):
    chosen = runs["base"].solution.chosen
    sites = prepare(load_case(RUSSIA)).candidates.sites.set_index("site_id")
    attrs = sites.loc[chosen.index]
    assert attrs["eligible"].all()
    assert (attrs["border_km"] >= 50).all()
    assert (attrs["town_km"] <= 500).all()
    excluded = sites[~sites["eligible"]]
    assert excluded["exclusion_reason"].str.len().gt(0).all()
    assert excluded["exclusion_reason"].str.contains("Ukraine").any()


def test_a_line_with_one_point_names_its_feature(tmp_path):
    source = json.loads((ROOT / "geodata" / "russia" / "pipelines_v2.geojson").read_text())
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
    source = ROOT / "geodata" / "russia" / f"{layer}_v2.geojson"
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
    solve_case(load_case(RUSSIA), out=tmp_path)
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["status"] == "optimal"
    assert summary["totals"]["it_mw"] >= 5000 - 1e-6
    assert (tmp_path / "manifest.json").exists()
