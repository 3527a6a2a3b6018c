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
from siting.report.tables import comparable, compare_totals, powered_like


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


def test_powered_like_splits_the_load_between_grid_and_gas(example_rundata):
    """At 300 MW with grid share g: generation (1 + r)·PUE·(1 − g)·cost, fuel
    PUE·(1 − g)/η·price·factor, grid energy PUE·g·price·factor, the grid link / 300 MW once
    any grid is used; g = 0 is the gas-only candidate, g = 1 has no gas terms."""
    sol = example_rundata.solution
    s, p = sol.sites, sol.params
    gas_only = powered_like(sol, 300.0, 0.0)
    grid_only = powered_like(sol, 300.0, 1.0)
    half = powered_like(sol, 300.0, 0.5)
    factor = s["grid_id"].map(sol.grid_nodes["price_factor"]).astype(float)
    assert (grid_only["generation"] == 0).all() and (grid_only["gas"] == 0).all()
    assert (gas_only["grid connection"] == 0).all() and (gas_only["grid energy"] == 0).all()
    np.testing.assert_allclose(
        grid_only["grid energy"], p.grid_energy_cost_musd_per_mw_y * factor * s["pue"]
    )
    np.testing.assert_allclose(grid_only["grid connection"], s["grid_link_cost_musd_y"] / 300.0)
    np.testing.assert_allclose(
        gas_only["generation"], s["gen_cost_musd_per_mw_y"] * (1 + p.reserve_margin) * s["pue"]
    )
    for term in ("generation", "gas"):
        np.testing.assert_allclose(half[term], gas_only[term] / 2)
    np.testing.assert_allclose(half["grid energy"], grid_only["grid energy"] / 2)
    np.testing.assert_allclose(half["grid connection"], grid_only["grid connection"])


def test_comparable_candidates_need_the_grid_spare_the_site_used(example_rundata):
    """A site drawing g·PUE·IT from the grid is compared only with candidates whose grid
    node has at least that much spare; on gas alone, with every candidate."""
    sol = example_rundata.solution
    grid = sol.grid_nodes.copy()
    grid["spare_mw"] = [1000.0, 10.0]
    hand = replace(sol, grid_nodes=grid)
    assert comparable(hand, 300.0, 0.0).all()
    ok = comparable(hand, 300.0, 1.0)
    expected = hand.sites["grid_id"].map(grid["spare_mw"]) >= hand.sites["pue"] * 300.0
    assert ok.tolist() == expected.tolist() and 0 < ok.sum() < len(ok)


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


def _full_arc_ids(bc: pd.DataFrame) -> list[str]:
    return [a for ids in bc.loc[bc["family"] == "pipeline full", "id"] for a in ids.split(", ")]


def test_binding_constraints_on_the_solve_match_the_tables(example_rundata):
    sol = example_rundata.solution
    bc = binding_constraints(sol)
    full = sol.arcs[sol.arcs["flow_mw"] >= sol.arcs["capacity_mw"] * (1 - 1e-6)]
    assert sorted(_full_arc_ids(bc)) == sorted(map(str, full.index))


def test_full_pipelines_are_grouped_by_corridor_and_grid_nodes_named(example_rundata):
    """Three arcs of one corridor at one capacity, all full, make one row that lists them,
    runs from the first node to the last and adds up their length; a fourth full arc at
    another capacity is a row of its own. A named grid node is shown by name."""
    sol = example_rundata.solution
    arcs = sol.arcs.iloc[:4].copy()
    arcs.index = ["a1", "a2", "a3", "b1"]
    arcs["from_node"] = ["x", "y", "z", "p"]
    arcs["to_node"] = ["y", "z", "w", "q"]
    arcs["corridor"] = ["Trunk: X – W"] * 3 + ["Trunk: X – W"]
    arcs["capacity_mw"] = [100.0, 100.0, 100.0, 50.0]
    arcs["flow_mw"] = arcs["capacity_mw"]
    arcs["length_km"] = [10.0, 20.0, 30.0, 5.0]
    nodes = sol.nodes.copy()
    nodes["supply_mw"] = 0.0
    grid = sol.grid_nodes.copy()
    grid["used_mw"] = [grid["spare_mw"].iloc[0], 0.0]
    hand = replace(sol, arcs=arcs, nodes=nodes, grid_nodes=grid)
    bc = binding_constraints(hand, {grid.index[0]: "Big Plant", "x": "Xville", "w": "Wtown"})
    pipes = bc[bc["family"] == "pipeline full"].set_index("id")
    assert list(pipes.index) == ["a1, a2, a3", "b1"]
    mw_per_bcm = sol.params.mw_per_bcm_y
    assert pipes.loc["a1, a2, a3", "detail"] == (
        f"{100.0 / mw_per_bcm:.2f} bcm/y, Xville → Wtown, 3 segments, 60 km"
    )
    assert pipes.loc["b1", "detail"] == f"{50.0 / mw_per_bcm:.2f} bcm/y, 1 segment, 5 km"
    exhausted = bc[bc["family"] == "grid node exhausted"]
    assert list(exhausted["where"]) == [f"Big Plant ({grid.index[0]})"]


def test_assumptions_are_the_resolved_case(example_rundata):
    table = assumptions(example_rundata.case).set_index("setting")["value"]
    assert table["costs.gas_price"] == "3870 RUB/1000m3"
    assert table["objective.target_it"] == "500 MW"
    assert table["technology.pue.pue"] == "1.1, 1.15, 1.2, 1.35"
    assert not any(k.startswith(("layers", "scenarios")) for k in table.index)


def test_assumptions_read_well_and_mark_the_scenario():
    case = {
        "name": "c",
        "scenario": "cold",
        "scenarios": {"cold": {"description": "d", "network": {"statuses": ["a", "b"]}}},
        "solver": {"threads": 1, "check_tolerance": 1e-05},
        "candidates": {"remoteness": {"town_min_population": 10000.0}, "exclude_arctic": True},
        "network": {"statuses": ["a", "b"], "snap_km": 5.0, "default_capacity": None},
    }
    table = assumptions(case).set_index("setting")
    assert list(table.index[:2]) == [
        "candidates.remoteness.town_min_population",
        "candidates.exclude_arctic",
    ]  # report order: objective, costs, technology, candidates, network, units, solver
    assert list(table.index[-2:]) == ["solver.threads", "solver.check_tolerance"]
    assert table["value"].to_dict() == {
        "candidates.remoteness.town_min_population": "10,000",
        "candidates.exclude_arctic": "yes",
        "network.statuses": "a, b",
        "network.snap_km": "5",
        "network.default_capacity": "—",
        "solver.threads": "1",
        "solver.check_tolerance": "1e-05",
    }
    assert table.loc["network.statuses", "scenario"]
    assert not table.loc["network.snap_km", "scenario"]
    assert table.loc["candidates.remoteness.town_min_population", "name"] == (
        "remoteness.town_min_population"
    )


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


@pytest.mark.slow
def test_russia_reasons_compare_like_with_like(russia_rundata):
    """Russia's plan mixes on-site gas and spare grid capacity. A grid-powered site is compared with
    candidates on the grid (no generation or gas terms on either side, and only those whose
    grid node could carry its load), so its reasons are grid distance, remoteness or PUE,
    never "generation"; each site's power note prices its MW on the grid and on gas."""
    reasons = site_reasons(russia_rundata)
    sol = russia_rundata.solution
    assert len(reasons) == len(sol.chosen) >= 5
    grid_sites = reasons[reasons["source"] == "grid"]
    assert len(grid_sites) >= 1
    for sid, r in grid_sites.iterrows():
        assert r["generation vs avg"] == pytest.approx(0, abs=1e-9)
        assert r["gas vs avg"] == pytest.approx(0, abs=1e-9)
        assert "generation" not in r["reason"] and not r["reason"].startswith("gas")
        assert r["power"].startswith("grid ") and "vs on-site gas" in r["power"]
        need = sol.sites["pue"] * sol.sites.at[sid, "it_mw"]  # each candidate's own PUE
        spare = sol.sites["grid_id"].map(sol.grid_nodes["spare_mw"])
        assert r["compared_with"] == int((spare >= need * (1 - 1e-9)).sum())
    assert (reasons["site_musd_per_mw_y"] > 0).all()
    assert not reasons["location"].str.contains("~").any()
