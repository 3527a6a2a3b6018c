"""Known-answer tests of how gas reaches a site: the transport tariff counted above the
committed demand's own transport, off-network supply (gas on no pipeline, with its own
price), and the surplus the network can deliver. Each optimum is derived by hand in the
docstring.

Unless a test says otherwise: PUE 1, modules of 10 MW (1 to 5 per site), η 0.5 (a MW of IT
burns 2 MW of gas), gas at 1 MUSD per MW of fuel and year, no grid, no other cost.
"""

from __future__ import annotations

import pytest
from toy import toy

from siting.config import SolverConfig
from siting.inputs import with_transport_baseline
from siting.pipeline import solve_inputs
from siting.solution import Solution
from siting.surplus import surplus_table

EXACT = SolverConfig(mip_gap=0.0, time_limit_s=30)


def solve(inputs) -> Solution:
    solution, report, _ = solve_inputs(inputs, EXACT)
    assert report.ok, report.summary()
    return solution


def detour(periods: dict[str, float] | None = None, demand: object = 30.0):
    """F (supply 100) feeds D (committed demand) directly through F>D (20 MW) and through the
    site node S (F>S and S>D, 100 MW each); every arc costs 1 per MW carried. One site at S
    with a target of 10 MW of IT (20 MW of gas) and gas free."""
    return toy(
        {"F": {"supply": 100}, "S": {}, "D": {"demand": demand}},
        {"F>D": ("F", "D", 20), "F>S": ("F", "S", 100), "S>D": ("S", "D", 100)},
        {"s": {"node": "S"}},
        arc_cost={"F>D": 1.0, "F>S": 1.0, "S>D": 1.0},
        periods=periods,
        generator_efficiency=0.5,
        allow_grid=False,
        target_mw=10,
    )


def test_the_plan_pays_transport_only_for_the_gas_it_moves():
    """Committed demand alone: 20 MW direct (cost 20) and 10 MW through S (cost 20), so the
    baseline is B = 40. The plan also brings 20 MW of gas to S along F>S: flows 20 + 30 +
    10 = 60, transport above the baseline 60 − 40 = 20, which is the optimum (all else is
    free). Without the baseline the objective would be 60, two thirds of it the transport
    of gas the plan never touches."""
    inputs = with_transport_baseline(detour())
    assert inputs.params.transport_baseline_musd_y == pytest.approx((40.0,))
    sol = solve(inputs)
    assert sol.report.objective == pytest.approx(20)
    assert sol.totals["cost_transport_musd_y"] == pytest.approx(20)
    assert sol.totals["cost_transport_baseline_musd_y"] == pytest.approx(40)
    assert sol.totals["cost_musd_y"] == pytest.approx(20)


def test_the_baseline_is_per_period():
    """Winter demand 30 (B = 40, as above), summer 10 (all direct, B = 10); weights ½.
    Winter: the plan's flows cost 60 − 40 = 20; summer: 10 direct + 20 to S = 30 − 10 = 20.
    Objective ½·20 + ½·20 = 20; the weighted baseline ½·40 + ½·10 = 25."""
    inputs = with_transport_baseline(
        detour({"winter": 0.5, "summer": 0.5}, demand={"winter": 30.0, "summer": 10.0})
    )
    assert inputs.params.transport_baseline_musd_y == pytest.approx((40.0, 10.0))
    sol = solve(inputs)
    assert sol.report.objective == pytest.approx(20)
    assert sol.totals["cost_transport_baseline_musd_y"] == pytest.approx(25)


def test_no_tariff_no_baseline():
    inputs = detour()
    free = type(inputs)(**{**inputs.__dict__, "arcs": inputs.arcs.assign(cost_musd_per_mw_y=0.0)})
    assert with_transport_baseline(free).params.transport_baseline_musd_y == ()


def stranded_case(**params):
    """F (supply 100) feeds S through a 100 MW pipe; X is off-network supply of 30 MW on
    no pipeline. Site s at S pays the case's gas price (factor 1), site x at X half of it
    (factor 0.5: cheap flare gas). Gas costs 1 per MW of fuel and year; target 20 MW of IT."""
    return toy(
        {"F": {"supply": 100}, "S": {}, "X": {"supply": 30, "kind": "stranded"}},
        {"F>S": ("F", "S", 100)},
        {"s": {"node": "S"}, "x": {"node": "X", "gas_price_factor": 0.5}},
        generator_efficiency=0.5,
        allow_grid=False,
        gas_cost_musd_per_mw_y=1.0,
        **params,
    )


def test_off_network_gas_serves_only_its_own_site():
    """x's gas is cheaper, but X holds 30 MW: one 10 MW module (20 MW of gas, cost 10);
    two would need 40. The other 10 MW of IT go to s (20 MW of pipeline gas, cost 20):
    30, against 40 with everything at s. No gas leaves X, none reaches it."""
    sol = solve(stranded_case(target_mw=20))
    assert sol.report.objective == pytest.approx(30)
    assert sol.sites.loc["x", "it_mw"] == pytest.approx(10)
    assert sol.sites.loc["s", "it_mw"] == pytest.approx(10)
    assert sol.nodes.loc["X", "supply_mw"] == pytest.approx(20)
    assert sol.nodes.loc["F", "supply_mw"] == pytest.approx(20)


def test_off_network_supply_is_reported_beside_the_pipeline_surplus():
    """The pipeline surplus is F's 100 MW (gross and deliverable: the pipe to S carries all
    of it); X's 30 MW are off-network supply, of which the plan burns 20. The plan's
    pipeline gas is s's 20 MW."""
    sol = solve(stranded_case(target_mw=20))
    table = surplus_table(sol)
    row = table.loc["year"]
    assert row["gross_mw"] == pytest.approx(100)
    assert row["deliverable_mw"] == pytest.approx(100)
    assert row["pipeline_gas_mw"] == pytest.approx(20)
    assert row["stranded_supply_mw"] == pytest.approx(30)
    assert row["stranded_gas_mw"] == pytest.approx(20)
    assert sol.totals["surplus_mw"] == pytest.approx(100)
    mw_per_bcm = sol.params.mw_per_bcm_y
    assert sol.totals["stranded_supply_bcm_y"] == pytest.approx(30 / mw_per_bcm)
    assert sol.totals["gas_stranded_bcm_y"] == pytest.approx(20 / mw_per_bcm)


def full_pipe_case(periods: dict[str, float] | None = None, cap: object = 40.0):
    """F1 (100 MW) reaches the site node S through a pipe of ``cap`` and the demand node D
    (30 MW committed) through 100; F2 (50 MW) reaches D only, through 10. Sites only at S;
    target 10 MW of IT (20 MW of gas)."""
    return toy(
        {"F1": {"supply": 100}, "F2": {"supply": 50}, "S": {}, "D": {"demand": 30}},
        {"F1>S": ("F1", "S", cap), "F1>D": ("F1", "D", 100), "F2>D": ("F2", "D", 10)},
        {"s": {"node": "S"}},
        periods=periods,
        generator_efficiency=0.5,
        allow_grid=False,
        target_mw=10,
    )


def test_the_deliverable_surplus_is_what_the_pipes_can_carry_to_sites():
    """Gross: 150 − 30 = 120. D takes 10 from F2 and 20 from F1, leaving F1 80, of which the
    40 MW pipe carries 40 to S: deliverable 40. F2's other 40 MW reach no site."""
    sol = solve(full_pipe_case())
    row = surplus_table(sol).loc["year"]
    assert row["gross_mw"] == pytest.approx(120)
    assert row["deliverable_mw"] == pytest.approx(40)
    assert sol.totals["surplus_deliverable_bcm_y"] == pytest.approx(40 / sol.params.mw_per_bcm_y)


def test_the_headline_is_the_period_with_least_deliverable_gas():
    """The pipe to S carries 25 in winter and 60 in summer: deliverable 25 and 60 (F1 has
    80 to spare in both); the headline is winter's 25, and the plan's 20 MW of gas fits in
    every period."""
    sol = solve(
        full_pipe_case({"winter": 0.5, "summer": 0.5}, cap={"winter": 25.0, "summer": 60.0})
    )
    table = surplus_table(sol)
    assert table["deliverable_mw"].to_dict() == pytest.approx({"winter": 25.0, "summer": 60.0})
    assert (table["pipeline_gas_mw"] <= table["deliverable_mw"] + 1e-6).all()
    t = sol.totals
    assert t["surplus_deliverable_bcm_y"] == pytest.approx(t["surplus_deliverable_winter_bcm_y"])
    assert t["surplus_gross_winter_bcm_y"] == pytest.approx(120 / sol.params.mw_per_bcm_y)
