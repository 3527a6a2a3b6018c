"""Known-answer tests of model v2: technology menu, reliability, periods, grid fuel and the
gas-use objective. Each optimum is derived by hand in the docstring.

Unless a test says otherwise: PUE 1, modules of 10 MW (1 to 5 per site), gas free, no grid,
no site or IT cost, and one field of 1,000 MW feeding the site's node.
"""

from __future__ import annotations

import pyomo.environ as pyo
import pytest
from toy import toy

from siting.check import check_solution
from siting.config import SolverConfig
from siting.errors import InfeasibleError
from siting.pipeline import solve_inputs
from siting.solver.handle import SolverHandle
from siting.solver.highs import HighsSolver
from siting.solver.model import build_model

EXACT = SolverConfig(mip_gap=0.0, time_limit_s=30)
FIELD = {"F": {"supply": 1000}, "S": {}}
PIPE = {"F>S": ("F", "S", 1000)}


def solve(inputs):
    solution, report, _ = solve_inputs(inputs, EXACT)
    assert report.ok, report.summary()
    assert solution.is_v2
    return solution


def units(solution, site: str = "s") -> dict[str, int]:
    row = solution.sites.loc[site]
    return {t: int(row[f"units_{t}"]) for t in solution.technologies.index if row[f"units_{t}"] > 0}


def menu_case(techs, **params):
    """One site, a target of 20 MW of IT (20 MW of load at PUE 1), gas free."""
    return toy(FIELD, PIPE, {"s": {"node": "S"}}, techs=techs, target_mw=20, **params)


A = {"unit": 10, "efficiency": 0.5, "cost": 1.0}
B = {"unit": 10, "efficiency": 0.5, "cost": 2.0}


def test_the_cheapest_technology_wins():
    """A costs 1.0 and B 2.0 MUSD per MW and year, both in 10 MW units, no reliability
    rule. 20 MW of load: 2×A = 20 beats A+B = 30 and 2×B = 40. Optimum 20; the fuel is
    20/0.5 = 40 MW, all from the field."""
    sol = solve(menu_case({"A": A, "B": B}))
    assert sol.report.objective == pytest.approx(20)
    assert units(sol) == {"A": 2}
    site = sol.sites.loc["s"]
    assert site["installed_mw"] == pytest.approx(20)
    assert site["gas_direct_mw"] == pytest.approx(40)
    assert site["technology"] == "A"
    assert sol.nodes.loc["F", "supply_mw"] == pytest.approx(40)
    assert sol.totals["power_A_mw"] == pytest.approx(20)


def test_variable_om_counts_per_mwh_generated():
    """A's variable O&M of 1.5 MUSD per MW generated all year (≈171 USD/MWh) makes it
    2.5 per MW against B's 2.0: 2×B = 40 beats 2×A = 20 + 30 = 50."""
    sol = solve(menu_case({"A": {**A, "vom": 1.5}, "B": B}))
    assert sol.report.objective == pytest.approx(40)
    assert units(sol) == {"B": 2}
    assert sol.sites.loc["s", "cost_vom_musd_y"] == pytest.approx(0)


def test_a_national_cap_forces_the_second_technology():
    """A is capped at 10 MW in all sites together: 1×A + 1×B = 10 + 20 = 30."""
    sol = solve(menu_case({"A": {**A, "cap": 10}, "B": B}))
    assert sol.report.objective == pytest.approx(30)
    assert units(sol) == {"A": 1, "B": 1}


L = {"unit": 20, "efficiency": 0.5, "cost": 1.0}
S = {"unit": 5, "efficiency": 0.5, "cost": 1.5}


def test_without_a_reliability_rule_one_large_unit_wins():
    """20 MW of load, L (20 MW units, 1.0/MW) and S (5 MW units, 1.5/MW): 1×L = 20 beats
    4×S = 30."""
    sol = solve(menu_case({"L": L, "S": S}))
    assert sol.report.objective == pytest.approx(20)
    assert units(sol) == {"L": 1}


def test_n_plus_1_prefers_several_small_units():
    """N+1: the capacity left after losing the largest unit must carry the 20 MW.

    - 2×L: 40 MW, firm 20, cost 40;
    - 5×S: 25 MW, firm 20, cost 37.5;
    - 1×L + k×S: firm 5k ≥ 20 needs k = 4, cost 20 + 30 = 50.
    Optimum 37.5 with five small units."""
    sol = solve(menu_case({"L": L, "S": S}, reliability="n_plus_1"))
    assert sol.report.objective == pytest.approx(37.5)
    assert units(sol) == {"S": 5}


def firm_share_case(phi: float):
    return toy(
        FIELD,
        PIPE,
        {"s": {"node": "S", "grid_id": "g"}},
        grid={"g": 100.0},
        grid_charges={"g": {"capacity": 0.5}},
        techs={"S": S},
        reliability="n_plus_1",
        grid_firm_share=phi,
        grid_energy_cost_musd_per_mw_y=5.0,
        target_mw=20,
    )


@pytest.mark.parametrize(
    ("phi", "objective", "n", "contracted"), [(0.0, 37.5, 5, 0), (1.0, 32.5, 4, 5)]
)
def test_a_grid_firm_share_backs_up_a_unit(phi, objective, n, contracted):
    """Only S (5 MW units, 1.5/MW); grid energy costs 5/MW and contracted capacity 0.5/MW.

    φ = 0: the grid does not count as firm: 5×S = 37.5 (4×S with 5 MW drawn from the grid
    costs 30 + 5·5 + 0.5·5 = 57.5).
    φ = 1: 4×S (20 MW) with 5 MW of contracted but unused grid capacity: firm
    20 − 5 + 1·(5 − 0) = 20, cost 30 + 0.5·5 = 32.5 (3×S would draw 5 MW: 52.5)."""
    sol = solve(firm_share_case(phi))
    assert sol.report.objective == pytest.approx(objective)
    assert units(sol) == {"S": n}
    site = sol.sites.loc["s"]
    assert site["grid_cap_mw"] == pytest.approx(contracted)
    assert site["grid_mw"] == pytest.approx(0)
    assert site["cost_grid_capacity_musd_y"] == pytest.approx(0.5 * contracted)


HALF = {"winter": 0.5, "summer": 0.5}


def corridor(periods: bool, winter_spare: float, **params):
    """F (100 MW) → S → D with committed demand at D of 100 in winter and 40 in summer
    (70 on average); one site at S on a grid node; gas free, generation 1.0/MW, grid energy
    3.0/MW per year, η 0.5."""
    demand = {"winter": 100.0, "summer": 40.0}
    return toy(
        {"F": {"supply": 100}, "S": {}, "D": {"demand": demand if periods else 70.0}},
        {"F>S": ("F", "S", 1000), "S>D": ("S", "D", 1000)},
        {"s": {"node": "S", "grid_id": "g", "gen_cost_musd_per_mw_y": 1.0}},
        grid={"g": {"winter": winter_spare, "summer": 30.0} if periods else winter_spare},
        periods=HALF if periods else None,
        generator_efficiency=0.5,
        grid_energy_cost_musd_per_mw_y=3.0,
        **params,
    )


def test_a_winter_deficit_is_met_from_the_grid():
    """20 MW of IT needs 40 MW of fuel on site. Summer leaves 100 − 40 = 60 MW of gas;
    winter none. So: gas in summer (20 MW of generation, cost 20) and 20 MW from the grid
    in winter (½·20·3 = 30): 50. Grid all year costs 60; gas in winter is impossible."""
    sol = solve(corridor(True, 30.0, target_mw=20))
    assert sol.report.objective == pytest.approx(50)
    per = sol.site_periods.loc["s"]
    assert per.loc["summer", "gas_mw"] == pytest.approx(40)
    assert per.loc["winter", "gas_mw"] == pytest.approx(0)
    assert per.loc["winter", "grid_mw"] == pytest.approx(20)
    assert sol.sites.loc["s", "gas_mw"] == pytest.approx(20)  # ½·40 + ½·0
    assert sol.grid_nodes.loc["g", "binding_period"] == "winter"
    assert sol.arcs.loc["S>D", "binding_period"] == "winter"


def test_the_annual_model_sees_a_surplus_that_winter_does_not_have():
    """The same corridor with the average demand of 70: 30 MW of fuel seem free all year,
    15 MW of power on gas (15) and 5 from the grid (15): 30, a plan that fails in winter."""
    sol, report, _ = solve_inputs(corridor(False, 30.0, target_mw=20), EXACT)
    assert report.ok
    assert sol.report.objective == pytest.approx(30)
    assert sol.sites.loc["s", "gas_mw"] == pytest.approx(30)


def test_a_winter_grid_limit_makes_a_smaller_campus():
    """Winter spare 10, IT worth 10 per MW: in winter the campus runs on the grid alone, so
    it holds at most 10 MW. 10 MW: gas in summer (10) and 10 MW of grid in winter (15),
    profit 100 − 25 = 75; 20 MW is infeasible in winter."""
    sol = solve(corridor(True, 10.0, objective="max_profit", compute_value_musd_per_mw_y=10.0))
    assert sol.report.objective == pytest.approx(75)
    assert sol.sites.loc["s", "it_mw"] == pytest.approx(10)


def grid_fuel_case(with_hydro: bool):
    """F → P (50 MW), P committed to 50 MW: the pipe into P is full. Grid-only sites
    (no on-site gas): a (open 1) on a gas-fired grid node fed from P (σ 1, heat rate 2), and
    b (open 5) on a hydro node. Target 10 MW."""
    sites = {"a": {"node": "A", "grid_id": "gas_fired", "open_cost_musd_y": 1.0}}
    grid = {"gas_fired": 100.0}
    if with_hydro:
        sites["b"] = {"node": "B", "grid_id": "hydro", "open_cost_musd_y": 5.0}
        grid["hydro"] = 100.0
    return toy(
        {"F": {"supply": 1000}, "P": {"demand": 50}, "A": {}, "B": {}},
        {"F>P": ("F", "P", 50)},
        sites,
        grid=grid,
        grid_fuel={"gas_fired": {"gas_share": 1.0, "heat_rate": 2.0, "gas_node": "P"}},
        allow_gas=False,
        target_mw=10,
    )


def test_a_gas_fired_grid_node_behind_a_full_pipe_cannot_serve_a_campus():
    """a's 10 MW from the gas-fired node burn 2·10 = 20 MW of gas at P, which the full pipe
    cannot bring; b on the hydro node burns none: b is built, cost 5 (not a at 1)."""
    sol = solve(grid_fuel_case(with_hydro=True))
    assert sol.report.objective == pytest.approx(5)
    assert sol.chosen.index.tolist() == ["b"]
    assert sol.totals["gas_indirect_mw"] == pytest.approx(0)


def test_only_the_gas_fired_node_is_infeasible_and_names_the_pipe():
    """Without the hydro node the case is infeasible: the elastic re-solve asks for 20 MW
    more on the pipe into P (cheaper than dropping committed demand or the target)."""
    with pytest.raises(InfeasibleError) as info:
        solve_inputs(grid_fuel_case(with_hydro=False), EXACT)
    diag = info.value.diagnosis
    assert diag.families == ["arc_capacity"]
    assert diag.findings[0].amount == pytest.approx(20)
    assert diag.findings[0].where.startswith("F>P")


def test_indirect_gas_is_burnt_at_the_feeding_node():
    """With 100 MW in the pipe, a is built (cost 1): 10 MW of grid power burn 20 MW of gas
    at P, reported as indirect gas beside no direct gas; the pipe carries 50 + 20."""
    inputs = grid_fuel_case(with_hydro=False)
    arcs = inputs.arcs.assign(capacity_mw=100.0)
    sol = solve(type(inputs)(**{**inputs.__dict__, "arcs": arcs}))
    assert sol.report.objective == pytest.approx(1)
    assert sol.sites.loc["a", "gas_indirect_mw"] == pytest.approx(20)
    assert sol.totals["gas_direct_mw"] == pytest.approx(0)
    assert sol.totals["gas_total_mw"] == pytest.approx(20)
    assert sol.nodes.loc["P", "indirect_mw"] == pytest.approx(20)
    assert sol.arcs.loc["F>P", "flow_mw"] == pytest.approx(70)
    assert sol.grid_nodes.loc["gas_fired", "gas_indirect_mw"] == pytest.approx(20)


def pue_pair(**params):
    """Two sites at N fed by 56 MW of gas, identical but for PUE 1.1 (lo) and 1.4 (hi);
    continuous modules, IT costs 1 per MW and year (114 USD/MWh), η 0.5."""
    return toy(
        {"F": {"supply": 56}, "N": {}},
        {"F>N": ("F", "N", 1000)},
        {
            "lo": {"node": "N", "pue": 1.1, "it_cost_musd_per_mw_y": 1.0},
            "hi": {"node": "N", "pue": 1.4, "it_cost_musd_per_mw_y": 1.0},
        },
        generator_efficiency=0.5,
        integer_modules=False,
        allow_grid=False,
        objective="max_gas_use",
        **params,
    )


def test_max_gas_use_picks_the_low_pue_site():
    """All 56 MW of gas are burnt whichever site opens: lo gives 56·0.5/1.1 = 25.45 MW of
    IT, hi 56·0.5/1.4 = 20 MW (both opening leaves less IT: each needs at least 10 MW). At
    equal gas the tie-break asks for more IT: lo. Both cost 114 USD/MWh, under the ceiling
    of 200. Objective 56 + 10⁻³·25.45 − 10⁻⁴·25.45."""
    sol = solve(pue_pair(ceiling_usd_per_mwh=200.0, gas_use_it_weight=1e-3))
    it = 56 * 0.5 / 1.1
    assert sol.chosen.index.tolist() == ["lo"]
    assert sol.sites.loc["lo", "it_mw"] == pytest.approx(it)
    assert sol.report.objective == pytest.approx(56 + 1e-3 * it - 1e-4 * it)


def test_a_capital_budget_alone_rewards_the_high_pue_site():
    """The contrast: under a budget with the v1 tie-break (lower cost at equal gas), hi
    burns the same 56 MW for less IT and so less cost: hi is chosen."""
    sol, report, _ = solve_inputs(pue_pair(budget_musd=1e6), EXACT)
    assert report.ok
    assert sol.chosen.index.tolist() == ["hi"]


def test_nothing_is_built_below_every_sites_cost():
    """Both sites cost 1 MUSD per MW and year = 10⁶/8760 = 114.2 USD/MWh of IT energy: a
    ceiling of 100 leaves only the empty plan, objective 0."""
    sol = solve(pue_pair(ceiling_usd_per_mwh=100.0))
    assert sol.totals["sites_open"] == 0
    assert sol.report.objective == pytest.approx(0)


def absorption_case(ceiling: float):
    """Two sites on plenty of gas, 10 MW modules (≤ 5), η 0.5 (2 MW of gas per MW of IT):
    one at 100 USD/MWh of IT energy (0.876 MUSD/MW/y), one at 200 (1.752)."""
    return toy(
        {"F": {"supply": 1000}, "N": {}},
        {"F>N": ("F", "N", 1000)},
        {
            "cheap": {"node": "N", "it_cost_musd_per_mw_y": 0.876},
            "dear": {"node": "N", "it_cost_musd_per_mw_y": 1.752},
        },
        generator_efficiency=0.5,
        allow_grid=False,
        objective="max_gas_use",
        ceiling_usd_per_mwh=ceiling,
        gas_use_it_weight=1e-3,
    )


def test_the_absorption_curve_rises_with_the_ceiling():
    """k₁, k₂ modules at the two sites meet an average cost ceiling c when
    100·k₁ + 200·k₂ ≤ c·(k₁ + k₂):

    - c = 90: nothing (G = 0);
    - c = 120: 80·k₂ ≤ 20·k₁ → k₁ = 5, k₂ = 1: 60 MW of IT, G = 120 MW;
    - c = 150: 50·k₂ ≤ 50·k₁ → k₁ = k₂ = 5: 100 MW, G = 200 MW.

    One built model is re-solved as the ceiling (a mutable parameter) moves."""
    base = absorption_case(90.0)
    handle = SolverHandle(base, EXACT)
    gas, it = [], []
    for c in (90.0, 120.0, 150.0):
        handle.update(base.with_params(ceiling_usd_per_mwh=c).params)
        sol = handle.solve(warm=True)
        assert check_solution(sol).ok
        gas.append(sol.totals["gas_direct_mw"])
        it.append(sol.totals["it_mw"])
    assert gas == pytest.approx([0, 120, 200])
    assert it == pytest.approx([0, 60, 100])


def test_count_indirect_adds_grid_gas_to_the_objective():
    """A grid-only site on a gas-fired node (heat rate 2.5, fed from N), IT at 0.876 per
    MW (100 USD/MWh), ceiling 150: the whole 50 MW campus is built either way, and the
    objective counts 2.5·50 = 125 MW of indirect gas only when asked to."""
    common = dict(
        nodes={"F": {"supply": 1000}, "N": {}},
        arcs={"F>N": ("F", "N", 1000)},
        sites={"s": {"node": "N", "grid_id": "g", "it_cost_musd_per_mw_y": 0.876}},
        grid={"g": 100.0},
        grid_fuel={"g": {"gas_share": 1.0, "heat_rate": 2.5, "gas_node": "N"}},
        allow_gas=False,
        objective="max_gas_use",
        ceiling_usd_per_mwh=150.0,
        gas_use_it_weight=1e-3,
    )
    cost = 50 * 0.876
    for count, gas in ((False, 0.0), (True, 125.0)):
        sol = solve(toy(**common, count_indirect=count))
        assert sol.totals["gas_indirect_mw"] == pytest.approx(125)
        assert sol.report.objective == pytest.approx(gas + 1e-3 * 50 - 1e-4 * cost)


def test_the_cost_splits_into_investment_and_operating_cost_per_scenario():
    """cost = investment + Σ_k op_cost[k], evaluated at the solved plan of the corridor."""
    inputs = corridor(True, 30.0, target_mw=20)
    model = build_model(inputs)
    HighsSolver(EXACT).solve(model)
    total = pyo.value(model.investment) + sum(pyo.value(e) for e in model.op_cost.values())
    assert pyo.value(model.cost) == pytest.approx(total)
    assert pyo.value(model.cost) == pytest.approx(50)
    assert list(model.op_cost) == ["base"]


def test_the_checker_catches_a_broken_period_balance():
    """Moving winter gas into the site-period table breaks the power and gas balances."""
    from dataclasses import replace

    sol = solve(corridor(True, 30.0, target_mw=20))
    sp = sol.site_periods.copy()
    sp.loc[("s", "winter"), "gas_mw"] = 40.0
    broken = check_solution(replace(sol, site_periods=sp), raise_on_error=False)
    assert {"power_balance", "gas_balance"} <= {v.family for v in broken.violations}


def test_a_winter_shortage_is_named_before_solving():
    """Winter deliverability 80 MW against 100 MW of committed winter demand: the graph
    checks of the winter period find it before any solve (summer is fine)."""
    inputs = toy(
        {"F": {"supply": {"winter": 80.0, "summer": 200.0}}, "D": {"demand": 100.0}},
        {"F>D": ("F", "D", 1000)},
        {"s": {"node": "D"}},
        periods=HALF,
        target_mw=10,
    )
    with pytest.raises(InfeasibleError) as info:
        solve_inputs(inputs, EXACT)
    (finding,) = [f for f in info.value.diagnosis.findings if f.blocking]
    assert finding.family == "field_capacity"
    assert finding.where == "system in winter"
    assert finding.message.startswith("winter: field_capacity:")
    assert finding.amount == pytest.approx(20)


def test_the_elastic_diagnosis_names_the_period():
    """Winter spare 10 MW, no gas anywhere, target 20 MW: 10 MW more winter spare at g."""
    inputs = toy(
        {"F": {"supply": 100}, "S": {}},
        {"F>S": ("F", "S", 1000)},
        {"s": {"node": "S", "grid_id": "g"}},
        grid={"g": {"winter": 10.0, "summer": 30.0}},
        periods=HALF,
        allow_gas=False,
        target_mw=20,
    )
    with pytest.raises(InfeasibleError) as info:
        solve_inputs(inputs, EXACT)
    diag = info.value.diagnosis
    assert diag.families == ["grid"]
    assert diag.findings[0].where == "g in winter (10.0)"
    assert diag.findings[0].amount == pytest.approx(10)
