"""Known-answer tests: one toy case per constraint family, optimum derived by hand.

Unless a test says otherwise, every cost is zero, the generator efficiency is η = 0.5,
PUE = 1 and modules are 10 MW (so 1 MW of IT burns 2 MW of fuel).
"""

from __future__ import annotations

import pytest
from toy import toy

from siting.check import check_solution
from siting.config import SolverConfig
from siting.errors import InfeasibleError
from siting.pipeline import solve_inputs

EXACT = SolverConfig(mip_gap=0.0, time_limit_s=30)
BIG = 1e4


def solve(inputs):
    solution, report, _ = solve_inputs(inputs, EXACT)
    assert report.ok, report.summary()
    return solution


def opened(solution) -> dict[str, float]:
    return {s: float(r["it_mw"]) for s, r in solution.chosen.iterrows()}


def test_single_site_cost_terms():
    """One site, target 20 MW, module 10, PUE 1.2, η 0.5.

    IT = 20 (2 modules), facility = 1.2·20 = 24 MW, fuel = 24/0.5 = 48 MW, gen = 24 MW.
    cost = open 10 + IT 1.0·20 + gen 0.1·24 + gas 0.01·48 = 10 + 20 + 2.4 + 0.48 = 32.88.
    """
    inputs = toy(
        {"F": {"supply": 1000}, "S": {}},
        {"F>S": ("F", "S", 1000)},
        {
            "s": {
                "node": "S",
                "pue": 1.2,
                "open_cost_musd_y": 10,
                "it_cost_musd_per_mw_y": 1.0,
                "gen_cost_musd_per_mw_y": 0.1,
            }
        },
        generator_efficiency=0.5,
        gas_cost_musd_per_mw_y=0.01,
        target_mw=20,
    )
    sol = solve(inputs)
    site = sol.sites.loc["s"]
    assert sol.report.objective == pytest.approx(32.88, abs=1e-6)
    assert (site["modules"], site["it_mw"], site["facility_mw"]) == (2, 20, pytest.approx(24))
    assert site["gas_mw"] == pytest.approx(48)
    assert site["gen_mw"] == pytest.approx(24)
    assert site["cost_open_musd_y"] == pytest.approx(10)
    assert site["cost_it_musd_y"] == pytest.approx(20)
    assert site["cost_gen_musd_y"] == pytest.approx(2.4)
    assert site["cost_gas_musd_y"] == pytest.approx(0.48)
    assert sol.totals["cost_musd_y"] == pytest.approx(32.88)


def two_site_network(cap_ab: float):
    """F → A → B, committed demand 30 MW at B, sites a@A (open 5, IT 2/MW), b@B (open 5, IT 1/MW)."""
    return toy(
        {"F": {"supply": 200}, "A": {}, "B": {"demand": 30}},
        {"F>A": ("F", "A", 100), "A>B": ("A", "B", cap_ab)},
        {
            "a": {"node": "A", "open_cost_musd_y": 5, "it_cost_musd_per_mw_y": 2},
            "b": {"node": "B", "open_cost_musd_y": 5, "it_cost_musd_per_mw_y": 1},
        },
        generator_efficiency=0.5,
        target_mw=20,
    )


def test_gas_balance_with_committed_demand_and_arc_capacity():
    """Target 20 MW IT = 40 MW fuel. A→B carries 60 MW, 30 of it committed to B's demand.

    - b alone (2 modules) needs 40 + 30 = 70 MW on A→B > 60: infeasible;
    - a alone: 5 + 2·20 = 45;
    - a 10 MW + b 10 MW: 5 + 5 + 2·10 + 1·10 = 40, A→B carries 30 + 20 = 50.
    Optimum 40 with one module at each site; F→A carries 50 + 20 = 70.
    """
    sol = solve(two_site_network(cap_ab=60))
    assert sol.report.objective == pytest.approx(40)
    assert opened(sol) == {"a": 10, "b": 10}
    assert sol.arcs.loc["A>B", "flow_mw"] == pytest.approx(50)
    assert sol.arcs.loc["F>A", "flow_mw"] == pytest.approx(70)
    assert sol.nodes.loc["F", "supply_mw"] == pytest.approx(70)


def test_arc_capacity_not_binding_moves_everything_downstream():
    """With A→B at 1000 MW, b alone hosts 20 MW: 5 + 1·20 = 25."""
    sol = solve(two_site_network(cap_ab=1000))
    assert sol.report.objective == pytest.approx(25)
    assert opened(sol) == {"b": 20}


def test_field_capacity_limits_profit():
    """Field 50 MW, committed demand 20 MW: 30 MW fuel free → 15 MW IT (η 0.5, PUE 1).

    max_profit with value 10 and IT cost 1 per MW wants as much IT as possible; 5 MW modules
    give 3 modules = 15 MW, profit 15·(10 − 1) = 135, and the field produces all 50 MW.
    """
    inputs = toy(
        {"F": {"supply": 50}, "S": {"demand": 20}},
        {"F>S": ("F", "S", 1000)},
        {"s": {"node": "S", "module_mw": 5, "max_modules": 10, "it_cost_musd_per_mw_y": 1}},
        generator_efficiency=0.5,
        objective="max_profit",
        compute_value_musd_per_mw_y=10,
    )
    sol = solve(inputs)
    assert sol.report.objective == pytest.approx(135)
    assert opened(sol) == {"s": 15}
    assert sol.nodes.loc["F", "supply_mw"] == pytest.approx(50)


def test_power_balance_with_pue_and_efficiency_and_n_plus_one():
    """IT 10 MW at PUE 1.5 and η 0.4: fuel = 1.5·10/0.4 = 37.5 MW.

    N+1 with two running units (r = 1/2): gen = 1.5 · 15 = 22.5 MW; gen cost 1/MW → 22.5.
    """
    inputs = toy(
        {"F": {"supply": 100}, "S": {}},
        {"F>S": ("F", "S", 100)},
        {"s": {"node": "S", "pue": 1.5, "gen_cost_musd_per_mw_y": 1.0}},
        generator_efficiency=0.4,
        reserve_margin=0.5,
        target_mw=10,
    )
    sol = solve(inputs)
    site = sol.sites.loc["s"]
    assert site["gas_mw"] == pytest.approx(37.5)
    assert site["gen_mw"] == pytest.approx(22.5)
    assert sol.report.objective == pytest.approx(22.5)


@pytest.mark.parametrize(
    ("b_cost", "expected", "objective"), [(2.5, {"b": 10}, 25), (3.5, {"a": 30}, 30)]
)
def test_size_minimum_modules(b_cost, expected, objective):
    """Target 10 MW. Site a must build at least 3 modules (30 MW at 1/MW = 30); site b one
    module (10 MW at b_cost/MW). b wins at 2.5 (25 < 30); a wins, overshooting, at 3.5."""
    inputs = toy(
        {"F": {"supply": 1000}, "S": {}},
        {"F>S": ("F", "S", 1000)},
        {
            "a": {"node": "S", "min_modules": 3, "it_cost_musd_per_mw_y": 1},
            "b": {"node": "S", "it_cost_musd_per_mw_y": b_cost},
        },
        generator_efficiency=0.5,
        target_mw=10,
    )
    sol = solve(inputs)
    assert sol.report.objective == pytest.approx(objective)
    assert opened(sol) == expected


@pytest.mark.parametrize(("integer", "objective"), [(True, 30), (False, 25)])
def test_integer_or_continuous_modules(integer, objective):
    """Target 25 MW with 10 MW modules at 1/MW: 3 whole modules (30) or 2.5 modules (25)."""
    inputs = toy(
        {"F": {"supply": 1000}, "S": {}},
        {"F>S": ("F", "S", 1000)},
        {"s": {"node": "S", "it_cost_musd_per_mw_y": 1}},
        generator_efficiency=0.5,
        target_mw=25,
        integer_modules=integer,
    )
    assert solve(inputs).report.objective == pytest.approx(objective)


def grid_case(**params):
    return toy(
        {"F": {"supply": 1000}, "A": {}, "B": {}},
        {"F>A": ("F", "A", 1000), "F>B": ("F", "B", 1000)},
        {
            s: {"node": s.upper(), "max_modules": 2, "grid_id": "g", "grid_link_cost_musd_y": 1}
            for s in ("a", "b")
        },
        grid={"g": 30.0},
        generator_efficiency=0.5,
        gas_cost_musd_per_mw_y=1.0,
        grid_energy_cost_musd_per_mw_y=0.5,
        **params,
    )


def test_grid_spare_capacity_is_shared():
    """Two 20 MW sites (target 40) share a grid node with 30 MW spare.

    Grid power costs 0.5/MW; gas power costs 1/MW of fuel = 2/MW of electricity; a link 1.
    - both linked: 2 + 0.5·30 + 2·10 = 37 (grid capped at 30 in total);
    - one linked: 1 + 0.5·20 + 2·20 = 51;  no grid: 2·40 = 80.
    Optimum 37: both links built, 30 MW grid in total, 20 MW of fuel.
    """
    sol = solve(grid_case(target_mw=40))
    assert sol.report.objective == pytest.approx(37)
    assert sol.sites["grid_link"].sum() == 2
    assert sol.sites["grid_mw"].sum() == pytest.approx(30)
    assert sol.sites["gas_mw"].sum() == pytest.approx(20)
    assert sol.grid_nodes.loc["g", "used_mw"] == pytest.approx(30)


def test_grid_only_case():
    """No on-site gas: 30 MW IT needs 30 MW of grid, which only both links can bring
    (each site hosts ≤ 20 MW): 2 + 0.5·30 = 17, and no gas is burnt."""
    sol = solve(grid_case(target_mw=30, allow_gas=False))
    assert sol.report.objective == pytest.approx(17)
    assert sol.sites["gas_mw"].sum() == pytest.approx(0)
    assert sol.sites["it_mw"].sum() == pytest.approx(30)


def test_grid_only_beyond_spare_is_infeasible_and_diagnosed():
    """40 MW of IT cannot be met by 30 MW spare without gas: the elastic re-solve must
    name the grid node that lacks 10 MW of spare capacity."""
    with pytest.raises(InfeasibleError) as info:
        solve_inputs(grid_case(target_mw=40, allow_gas=False), EXACT)
    diag = info.value.diagnosis
    assert diag.families == ["grid"]
    assert diag.findings[0].amount == pytest.approx(10)
    assert diag.findings[0].where.startswith("g ")


def test_budget_caps_profitable_growth():
    """Value 10, cost 1 per MW·y, capex 5 MUSD/MW, budget 100 MUSD → 20 MW, profit 180."""
    inputs = toy(
        {"F": {"supply": 1000}, "S": {}},
        {"F>S": ("F", "S", 1000)},
        {"s": {"node": "S", "it_cost_musd_per_mw_y": 1, "it_capex_musd_per_mw": 5}},
        generator_efficiency=0.5,
        objective="max_profit",
        compute_value_musd_per_mw_y=10,
        budget_musd=100,
    )
    sol = solve(inputs)
    assert sol.report.objective == pytest.approx(180)
    assert sol.totals["capex_musd"] == pytest.approx(100)


def three_sites(**kw):
    return toy(
        {"F": {"supply": 1000}, "S": {}},
        {"F>S": ("F", "S", 1000)},
        {
            "a": {"node": "S", "open_cost_musd_y": 9, "it_cost_musd_per_mw_y": 1, "max_modules": 2},
            "b": {
                "node": "S",
                "open_cost_musd_y": 10,
                "it_cost_musd_per_mw_y": 1,
                "max_modules": 2,
            },
            "c": {"node": "S", "open_cost_musd_y": 0, "it_cost_musd_per_mw_y": 5, "max_modules": 5},
        },
        generator_efficiency=0.5,
        target_mw=40,
        **kw,
    )


def test_without_site_rules_two_cheap_sites_open():
    """Target 40: a+b (20 MW each) cost 9 + 10 + 40 = 59; c alone 200; a+c 9+20+100 = 129."""
    sol = solve(three_sites())
    assert sol.report.objective == pytest.approx(59)
    assert opened(sol) == {"a": 20, "b": 20}


def test_at_most_one_site():
    """With max_sites = 1 only c can host 40 MW: 5·40 = 200."""
    sol = solve(three_sites(max_sites=1))
    assert sol.report.objective == pytest.approx(200)
    assert opened(sol) == {"c": 40}


def test_at_least_three_sites():
    """With min_sites = 3 all three open (9 + 10 + 0) and each hosts at least one module:
    the cheapest 40 MW is 30 MW at a and b (1/MW) plus c's 10 MW (5/MW): 19 + 30 + 50 = 99."""
    sol = solve(three_sites(min_sites=3))
    assert sol.report.objective == pytest.approx(99)
    assert set(opened(sol)) == {"a", "b", "c"}
    assert opened(sol)["c"] == 10


def test_minimum_spacing_clique():
    """a and b are too close (one clique): best is a (cheaper open) + c: 9 + 20 + 5·20 = 129."""
    sol = solve(three_sites(cliques=[["a", "b"]]))
    assert sol.report.objective == pytest.approx(129)
    assert opened(sol) == {"a": 20, "c": 20}


@pytest.mark.parametrize(
    ("hub", "expected", "objective"),
    [({"share": 0.5}, {"a": 10, "b": 10}, 40), ({"demand": 20}, {"b": 20}, 60)],
)
def test_demand_hub_within_latency(hub, expected, objective):
    """Target 20. a is cheap (1/MW) but too far from the hub; only b (3/MW) is within the
    latency bound. Half of all IT for the hub → b ≥ 10: 10 + 30 = 40. An absolute 20 MW
    hub demand → b = 20: 60."""
    inputs = toy(
        {"F": {"supply": 1000}, "S": {}},
        {"F>S": ("F", "S", 1000)},
        {
            "a": {"node": "S", "it_cost_musd_per_mw_y": 1},
            "b": {"node": "S", "it_cost_musd_per_mw_y": 3},
        },
        hubs={"h": hub},
        serve=[("b", "h", 5.0)],
        generator_efficiency=0.5,
        target_mw=20,
        max_rtt_ms=10,
    )
    sol = solve(inputs)
    assert sol.report.objective == pytest.approx(objective)
    assert opened(sol) == expected
    assert sol.hubs.loc["h", "served_mw"] >= sol.hubs.loc["h", "required_mw"] - 1e-6


def test_max_gas_use_under_budget():
    """Budget 200 MUSD at 10 MUSD/MW buys 20 MW of IT. Site a (PUE 1.5) burns 1.5/0.5 = 3 MW
    of fuel per MW of IT, b (PUE 1.0) only 2: all 20 MW go to a, burning 60 MW."""
    inputs = toy(
        {"F": {"supply": 1000}, "S": {}},
        {"F>S": ("F", "S", 1000)},
        {
            "a": {"node": "S", "pue": 1.5, "it_capex_musd_per_mw": 10},
            "b": {"node": "S", "pue": 1.0, "it_capex_musd_per_mw": 10},
        },
        generator_efficiency=0.5,
        objective="max_gas_use",
        budget_musd=200,
    )
    sol = solve(inputs)
    assert sol.report.objective == pytest.approx(60)
    assert opened(sol) == {"a": 20}
    assert sol.totals["gas_mw"] == pytest.approx(60)


def test_transport_cost_on_arcs():
    """Fuel 20 MW (10 MW IT) flows on F→S at 0.1 per MW·y: transport cost 2."""
    inputs = toy(
        {"F": {"supply": 100}, "S": {}},
        {"F>S": ("F", "S", 100)},
        {"s": {"node": "S"}},
        arc_cost={"F>S": 0.1},
        generator_efficiency=0.5,
        target_mw=10,
    )
    sol = solve(inputs)
    assert sol.report.objective == pytest.approx(2.0)
    assert sol.totals["cost_transport_musd_y"] == pytest.approx(2.0)


def test_target_beyond_gas_is_diagnosed_as_missing_field_capacity():
    """Field 20 MW of fuel supports 10 MW of IT; a 20 MW target needs 40 MW of fuel, so the
    field lacks 20 MW (blaming the data is preferred to cutting the target)."""
    inputs = toy(
        {"F": {"supply": 20}, "S": {}},
        {"F>S": ("F", "S", 100)},
        {"s": {"node": "S"}},
        generator_efficiency=0.5,
        target_mw=20,
    )
    with pytest.raises(InfeasibleError) as info:
        solve_inputs(inputs, EXACT)
    diag = info.value.diagnosis
    assert diag.families == ["field_capacity"]
    assert diag.findings[0].amount == pytest.approx(20)


def test_budget_too_small_is_diagnosed_as_budget():
    """20 MW at 10 MUSD/MW needs 200 MUSD; the budget is 150: overrun 50 MUSD."""
    inputs = toy(
        {"F": {"supply": 1000}, "S": {}},
        {"F>S": ("F", "S", 1000)},
        {"s": {"node": "S", "it_capex_musd_per_mw": 10}},
        generator_efficiency=0.5,
        target_mw=20,
        budget_musd=150,
    )
    with pytest.raises(InfeasibleError) as info:
        solve_inputs(inputs, EXACT)
    assert info.value.diagnosis.families == ["budget"]
    assert info.value.diagnosis.findings[0].amount == pytest.approx(50)


def test_unreachable_demand_is_caught_before_solving():
    """Committed demand at a node no pipeline reaches: the graph check names it."""
    inputs = toy(
        {"F": {"supply": 100}, "S": {}, "X": {"demand": 10}},
        {"F>S": ("F", "S", 100)},
        {"s": {"node": "S"}},
        generator_efficiency=0.5,
        target_mw=10,
    )
    with pytest.raises(InfeasibleError) as info:
        solve_inputs(inputs, EXACT)
    assert info.value.diagnosis.families == ["gas_balance"]
    assert "X" in info.value.diagnosis.lines()[0]


def test_committed_demand_beyond_pipeline_is_caught_by_max_flow():
    """Demand 80 MW behind a 50 MW pipeline: max-flow says 30 MW cannot arrive."""
    inputs = toy(
        {"F": {"supply": 100}, "S": {"demand": 80}},
        {"F>S": ("F", "S", 50)},
        {"s": {"node": "S"}},
        generator_efficiency=0.5,
    )
    with pytest.raises(InfeasibleError) as info:
        solve_inputs(inputs, EXACT)
    finding = info.value.diagnosis.findings[0]
    assert finding.family == "arc_capacity"
    assert finding.amount == pytest.approx(30)
    assert "F>S" in finding.where


def test_checker_recomputes_independently_and_fails_loudly():
    """Corrupt a solved plan three ways; the checker must name each broken family."""
    sol = solve(two_site_network(cap_ab=60))
    assert check_solution(sol).ok
    from dataclasses import replace

    arcs = sol.arcs.copy()
    arcs.loc["A>B", "flow_mw"] += 15
    broken = check_solution(replace(sol, arcs=arcs), raise_on_error=False)
    assert {"arc_capacity", "gas_balance"} <= {v.family for v in broken.violations}

    sites = sol.sites.copy()
    sites.loc["a", "cost_it_musd_y"] = 0.0
    broken = check_solution(replace(sol, sites=sites), raise_on_error=False)
    assert "cost_terms" in {v.family for v in broken.violations}

    sites = sol.sites.copy()
    sites.loc["b", "open"] = 0
    broken = check_solution(replace(sol, sites=sites), raise_on_error=False)
    assert "size" in {v.family for v in broken.violations}

    totals = {**sol.totals, "objective": sol.totals["objective"] + 1}
    broken = check_solution(replace(sol, totals=totals), raise_on_error=False)
    assert "objective" in {v.family for v in broken.violations}


@pytest.mark.parametrize("interface", ["standard_form", "appsi"])
def test_both_hand_offs_agree(interface):
    """The standard-form hand-off and Pyomo's persistent appsi interface give the same plan."""
    settings = SolverConfig(mip_gap=0.0, time_limit_s=30, interface=interface)
    solution, report, _ = solve_inputs(two_site_network(cap_ab=60), settings)
    assert report.ok
    assert solution.report.objective == pytest.approx(40)
    assert opened(solution) == {"a": 10, "b": 10}
    solution, _, _ = solve_inputs(grid_case(target_mw=40), settings)
    assert solution.report.objective == pytest.approx(37)


@pytest.mark.parametrize("rins", [True, False])
@pytest.mark.parametrize("interface", ["standard_form", "appsi"])
def test_resolve_after_a_parameter_change_with_a_warm_start(interface, rins):
    """Re-solving the same model after lowering the target reuses the previous plan as a
    start (with RINS off even after a solve that closed at the root); the answer is the one
    a fresh build gives (target 10 → site b alone, 5 + 10)."""
    from siting.solver.highs import HighsSolver
    from siting.solver.model import build_model

    inputs = two_site_network(cap_ab=60)
    model = build_model(inputs)
    options = {} if rins else {"mip_heuristic_run_rins": False}
    solver = HighsSolver(SolverConfig(mip_gap=0.0, interface=interface, highs_options=options))
    assert solver.solve(model).objective == pytest.approx(40)
    model.target_mw = 10
    assert solver.solve(model, warmstart=True).objective == pytest.approx(15)


def test_highs_options_reach_highs_and_are_reset_when_dropped():
    """An option of ``solver.highs_options`` is set on the HiGHS object; a later
    configuration without it puts HiGHS's default back, and the plan is the same."""
    from siting.solver.highs import HighsSolver
    from siting.solver.model import build_model

    model = build_model(two_site_network(cap_ab=60))
    tuned = SolverConfig(mip_gap=0.0, highs_options={"mip_heuristic_run_rins": False})
    solver = HighsSolver(tuned)
    assert solver.solve(model).objective == pytest.approx(40)
    highs = solver._backend.highs
    assert highs.getOptionValue("mip_heuristic_run_rins")[1] is False
    solver.configure(SolverConfig(mip_gap=0.0))
    assert solver.solve(model).objective == pytest.approx(40)
    assert highs.getOptionValue("mip_heuristic_run_rins")[1] is True
