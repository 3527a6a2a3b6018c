"""The report's numbers: headline, cost breakdown, site reasons, binding constraints,
assumptions and run comparison, each checked against the Solution or a hand-made case."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from siting.report import (
    assumptions,
    binding_constraints,
    compare_runs,
    cost_breakdown,
    headline,
    site_reasons,
    site_table,
)
from siting.report.tables import compare_totals


def test_headline_is_the_solution_totals(example_rundata):
    sol = example_rundata.solution
    h = headline(example_rundata)
    for key in ("it_mw", "gas_bcm_y", "surplus_bcm_y", "grid_mw", "cost_musd_y", "capex_musd"):
        assert h[key] == sol.totals[key]
    assert h["sites_open"] == len(sol.chosen) == 2
    assert h["objective"] == sol.report.objective
    assert h["gas_share_of_surplus"] == sol.totals["gas_bcm_y"] / sol.totals["surplus_bcm_y"]
    assert h["optimal"] and h["status"] == "optimal"


def test_cost_breakdown_adds_up_to_the_objective(example_rundata):
    sol = example_rundata.solution
    cb = cost_breakdown(sol)
    assert cb["cost_musd_y"].sum() == pytest.approx(sol.totals["cost_musd_y"], rel=1e-12)
    assert cb["cost_musd_y"].sum() == pytest.approx(sol.report.objective, rel=1e-9)
    assert cb.loc["cost_it_musd_y", "cost_musd_y"] == sol.sites["cost_it_musd_y"].sum()
    assert cb["share"].sum() == pytest.approx(1.0)


def test_site_table_has_distances_and_every_cost_term(example_rundata):
    table = site_table(example_rundata)
    assert list(table.index) == ["hub", "junction"]  # largest first
    assert table.loc["hub", "it_mw"] == 300 and table.loc["junction", "it_mw"] == 200
    for col in ("fiber_km", "town_km", "grid_km", "pue", "cost_it_musd_y", "cost_gas_musd_y"):
        assert col in table.columns
    sol = example_rundata.solution
    assert table.loc["hub", "cost_total_musd_y"] == sol.sites.loc["hub", "cost_total_musd_y"]


def test_site_reasons_compare_with_the_average_candidate(example_rundata):
    """hub and junction lie within the 50 km free radius of a town (multiplier 1.0) while
    the fields are remote (multiplier > 1), so the IT facility term is their main saving.

    The average candidate at 300 MW on gas: IT cost per MW = mean(it_cost_musd_per_mw_y),
    generation (1 + r)·PUE·gen cost, fuel PUE/η·gas price·regional factor, fixed cost / 300.
    """
    sol = example_rundata.solution
    reasons = site_reasons(example_rundata)
    assert list(reasons.index) == ["hub", "junction"]
    hub = sol.sites.loc["hub"]
    assert reasons.loc["hub", "site_musd_per_mw_y"] == pytest.approx(
        hub["cost_total_musd_y"] / hub["it_mw"], rel=1e-12
    )
    s, p = sol.sites, sol.params
    average = (
        (s["open_cost_musd_y"] / 300.0).mean()
        + s["it_cost_musd_per_mw_y"].mean()
        + (s["gen_cost_musd_per_mw_y"] * s["pue"]).mean()
        + (
            p.gas_cost_musd_per_mw_y * s["gas_price_factor"] * s["pue"] / p.generator_efficiency
        ).mean()
    )
    assert reasons.loc["hub", "average_musd_per_mw_y"] == pytest.approx(average, rel=1e-12)
    assert reasons.loc["hub", "IT facility vs avg"] < 0
    assert reasons.loc["hub", "reason"].startswith("IT facility")
    assert "cost multiplier ×1.00" in reasons.loc["hub", "reason"]


def test_binding_constraints_on_hand_set_tables(example_rundata):
    """Set one arc to exactly its capacity, one grid node to exactly its spare MW, and one
    field to its production limit: each must be reported once, and nothing else of its kind."""
    sol = example_rundata.solution
    arcs = sol.arcs.copy()
    arcs["flow_mw"] = arcs["capacity_mw"] * 0.5
    full = arcs.index[0]
    arcs.loc[full, "flow_mw"] = arcs.loc[full, "capacity_mw"]
    grid = sol.grid_nodes.copy()
    grid["used_mw"] = [grid["spare_mw"].iloc[0], 0.0]
    nodes = sol.nodes.copy()
    nodes["supply_mw"] = nodes["supply_max_mw"] * 0.5
    nodes.loc["field_north", "supply_mw"] = nodes.loc["field_north", "supply_max_mw"]
    hand = replace(sol, arcs=arcs, grid_nodes=grid, nodes=nodes)
    bc = binding_constraints(hand)
    assert list(bc.loc[bc["family"] == "pipeline full", "id"]) == [full]
    assert list(bc.loc[bc["family"] == "grid node exhausted", "id"]) == [grid.index[0]]
    assert list(bc.loc[bc["family"] == "field at capacity", "id"]) == ["field_north"]
    # 500 MW placed against a 500 MW target; hub at 6 of 6 modules; 2 of at most 3 sites
    assert "target" in set(bc["id"]) and "hub" in set(bc["id"])
    assert "max_sites" not in set(bc["id"])


def test_binding_constraints_on_the_solve_match_the_tables(example_rundata):
    sol = example_rundata.solution
    bc = binding_constraints(sol)
    full = sol.arcs[sol.arcs["flow_mw"] >= sol.arcs["capacity_mw"] * (1 - 1e-6)]
    assert set(bc.loc[bc["family"] == "pipeline full", "id"]) == set(full.index)


def test_assumptions_are_the_resolved_case(example_rundata):
    table = assumptions(example_rundata.case).set_index("setting")["value"]
    assert table["costs.gas_price"] == "3870 RUB/1000m3"
    assert table["objective.target_it"] == "500 MW"
    assert table["technology.pue.pue"] == "1.1, 1.15, 1.2, 1.35"
    assert not any(k.startswith(("layers", "scenarios")) for k in table.index)


def _with_sites(run, sizes: dict[str, float]):
    """A copy of ``run`` whose chosen sites are exactly ``sizes`` (MW IT)."""
    cand = run.layers["candidates"].set_index("site_id")
    sites = run.layers["sites"].iloc[:0].copy()
    rows = []
    for sid, mw in sizes.items():
        row = run.layers["sites"].iloc[0].copy()
        row["site_id"], row["it_mw"] = sid, mw
        row["lon"], row["lat"] = cand.loc[sid, "lon"], cand.loc[sid, "lat"]
        row["geometry"] = cand.loc[sid, "geometry"]
        rows.append(row)
    sites = pd.concat([sites, pd.DataFrame(rows)], ignore_index=True)
    return replace(run, layers={**run.layers, "sites": sites})


def test_compare_runs_known_changes(example_rundata):
    """A: hub 300, junction 200, cs_north 50.  B: hub 300, junction 100, field_east 150.
    → field_east added (+150), cs_north removed (−50), junction resized (−100), hub unchanged."""
    a = _with_sites(example_rundata, {"hub": 300.0, "junction": 200.0, "cs_north": 50.0})
    b = _with_sites(example_rundata, {"hub": 300.0, "junction": 100.0, "field_east": 150.0})
    diff = compare_runs(a, b)
    assert diff.loc["field_east", "change"] == "added"
    assert diff.loc["cs_north", "change"] == "removed"
    assert diff.loc["junction", "change"] == "resized"
    assert diff.loc["hub", "change"] == "unchanged"
    assert diff["delta_mw"].to_dict() == {
        "field_east": 150.0,
        "cs_north": -50.0,
        "junction": -100.0,
        "hub": 0.0,
    }
    assert list(diff["change"]) == ["added", "removed", "resized", "unchanged"]
    assert np.isfinite(diff[["lon", "lat"]].to_numpy()).all()


def test_compare_totals_of_a_run_with_itself_is_zero(example_rundata):
    totals = compare_totals(example_rundata, example_rundata)
    assert (totals.drop(index="status")["delta"] == 0).all()
