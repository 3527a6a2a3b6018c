"""The Russia model v2 demonstration case end to end: three periods, a technology menu under
N+1, grid power with its fuel; the run folder's v2 tables, read back and re-checked."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyogrio
import pytest

from siting.api import load_case, solve_case
from siting.check import check_solution
from siting.output.run_folder import read_solution

ROOT = Path(__file__).resolve().parents[2]
RUSSIA_V2 = ROOT / "models" / "russia-v2.yaml"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("russia-v2")
    return solve_case(load_case(RUSSIA_V2), out=out), out


def test_the_plan_places_5_gw_within_the_gap(run):
    result, _ = run
    sol = result.solution
    assert sol.report.is_optimal and sol.report.gap <= 1e-3
    assert result.check.ok
    assert sol.totals["it_mw"] == pytest.approx(5000)
    assert sol.is_v2 and list(sol.periods.index) == ["winter", "shoulder", "summer"]


def test_every_period_meets_committed_demand_within_pipe_limits(run):
    sol = run[0].solution
    ap, np_ = sol.arc_periods, sol.node_periods
    assert (ap["flow_mw"] <= ap["capacity_mw"] * (1 + 1e-9) + 1e-6).all()
    assert (np_["supply_mw"] <= np_["supply_max_mw"] * (1 + 1e-9) + 1e-6).all()
    # winter, the period with the least surplus, binds more pipeline arcs than summer
    full = (ap["utilisation"] >= 0.999).groupby(level="period").sum()
    assert full["winter"] >= full["summer"]


def test_units_respect_n_plus_1_and_national_caps(run):
    sol = run[0].solution
    tech = sol.technologies
    for t in tech.index:
        built = float((sol.sites[f"units_{t}"] * tech.at[t, "unit_mw"]).sum())
        assert built <= tech.at[t, "national_cap_mw"] + 1e-6
    chosen = sol.chosen
    onsite = chosen[chosen["installed_mw"] > 0]
    assert len(onsite), "the base plan builds on-site generation"
    peak = sol.site_periods.groupby(level="site_id")["onsite_mw"].max()
    for s, row in onsite.iterrows():
        largest = max(tech.at[t, "unit_mw"] for t in tech.index if row[f"units_{t}"] > 0)
        assert row["installed_mw"] - largest >= peak[s] - 1e-6


def test_grid_power_from_gas_fired_nodes_is_counted_as_indirect_gas(run):
    sol = run[0].solution
    t = sol.totals
    assert t["gas_total_mw"] == pytest.approx(t["gas_direct_mw"] + t["gas_indirect_mw"])
    fired = sol.grid_nodes[sol.grid_nodes["gas_share"] > 0].index
    drawn = sol.sites[sol.sites["grid_id"].isin(fired)]["grid_mw"].sum()
    assert (drawn > 0) == (t["gas_indirect_mw"] > 0)


def test_the_run_folder_holds_the_v2_tables_and_rechecks(run):
    result, out = run
    for name in ("periods", "technologies", "site_units", "site_periods", "arc_periods"):
        assert (out / "tables" / f"{name}.csv").exists(), name
    layers = {name for name, _kind in pyogrio.list_layers(out / "sites.gpkg")}
    assert {"site_periods", "arc_periods", "grid_periods", "site_units"} <= layers
    summary = json.loads((out / "summary.json").read_text())
    gas = summary["gas_bcm_y"]
    assert gas["total"] == pytest.approx(gas["direct"] + gas["indirect"])
    assert set(summary["power_mw"]) == {"grid", *result.solution.technologies.index}
    assert set(summary["binding_periods"]) == {"winter", "shoulder", "summer"}
    loaded = read_solution(out)
    report = check_solution(loaded)
    assert report.ok, report.summary()
    assert report.objective_recomputed == pytest.approx(result.solution.report.objective, rel=1e-9)
    assert np.allclose(
        loaded.site_periods["grid_mw"].to_numpy(),
        result.solution.site_periods["grid_mw"].to_numpy(),
    )


def test_the_annual_scenario_keeps_the_menu_and_grid_fuel():
    sol = solve_case(load_case(RUSSIA_V2, scenario="annual")).solution
    assert list(sol.periods.index) == ["year"] and sol.is_v2
    assert sol.totals["it_mw"] == pytest.approx(5000)
