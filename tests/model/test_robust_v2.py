"""One plan across scenarios with model v2: the units of each technology are decided once,
their dispatch per scenario and period. Derived by hand.

The toy (``scenario``): one site s on node S fed by a field of 1,000 MW, two periods of
weight ½ with the same data, a target of 20 MW of IT (two 10 MW modules, PUE 1), no grid.
Menu: E, efficient (10 MW units, η 0.5, 2.0 MUSD/y per MW), and C, cheap (10 MW units,
η 0.25, 1.0 MUSD/y per MW). Under the N+1 rule the site needs three units (20 MW firm after
losing a 10 MW unit); the operation runs the units that burn the least fuel (E first).
Gas costs g MUSD/y per MW of fuel: scenario ``lo`` g = 0.1, ``hi`` g = 1.0 (an operating
input). Cost of each plan (capex + fuel of the cheapest 20 MW):

    plan       capex   fuel MW     lo (0.1)   hi (1.0)
    3C         30      80          38         110
    1E + 2C    40      20 + 40     46         100
    2E + 1C    50      40          54          90
    3E         60      40          64         100

Own optima: lo → 3C (z = 38), hi → 2E + 1C (z = 90).

- Worst regret: 3C max(0, 20) = 20; 1E + 2C max(8, 10) = 10; 2E + 1C max(16, 0) = 16;
  3E 26 → **1E + 2C, 10**: a unit choice neither scenario makes alone.
- Expected cost, p = (½, ½): 74, 73, 72, 82 → **2E + 1C, 72**: hi's own units, not lo's.
"""

from __future__ import annotations

import pytest
from toy import toy

from siting.config import SolverConfig
from siting.errors import CaseError
from siting.robust import RobustOptions, robust_from_inputs
from siting.robust.plan import first_stage
from siting.solver.robust import build_extensive, operate_plan

EXACT = SolverConfig(mip_gap=0.0, time_limit_s=30)
HALF = {"winter": 0.5, "summer": 0.5}
E = {"unit": 10, "efficiency": 0.5, "cost": 2.0}
C = {"unit": 10, "efficiency": 0.25, "cost": 1.0}


def scenario(gas_cost: float, techs=None, periods=None, **params):
    return toy(
        {"F": {"supply": 1000}, "S": {}},
        {"F>S": ("F", "S", 1000)},
        {"s": {"node": "S"}},
        periods=periods or HALF,
        techs=techs or {"E": E, "C": C},
        reliability="n_plus_1",
        target_mw=20,
        gas_cost_musd_per_mw_y=gas_cost,
        **params,
    )


def robust(objective: str, **inputs):
    inputs = inputs or {"lo": scenario(0.1), "hi": scenario(1.0)}
    return robust_from_inputs(inputs, RobustOptions({"lo": 0.5, "hi": 0.5}, objective), EXACT)


def units(result, plan: str) -> dict[str, int]:
    row = result.plan_sites.set_index(["plan", "site_id"]).loc[(plan, "s")]
    return {t: int(row[f"units_{t}"]) for t in ("E", "C") if row[f"units_{t}"] > 0}


def cost(result, plan: str, scenario_name: str) -> float:
    return float(
        result.costs.set_index(["plan", "scenario"]).loc[(plan, scenario_name), "cost_musd_y"]
    )


def test_the_least_regret_units_are_neither_scenarios_own():
    result = robust("regret")
    assert result.summary["own_optima_musd_y"] == pytest.approx({"lo": 38.0, "hi": 90.0})
    assert units(result, "own:lo") == {"C": 3}
    assert units(result, "own:hi") == {"E": 2, "C": 1}
    assert units(result, "robust") == {"E": 1, "C": 2}
    # the same site with other units is not the same plan
    assert sorted(result.summary["robust_equals_own"]) == ["hi", "lo"]
    assert result.summary["robust_is_own"] == []
    assert cost(result, "robust", "lo") == pytest.approx(46.0)
    assert cost(result, "robust", "hi") == pytest.approx(100.0)
    assert cost(result, "own:lo", "hi") == pytest.approx(110.0)
    assert cost(result, "own:hi", "lo") == pytest.approx(54.0)
    assert result.summary["robust_objective_musd_y"] == pytest.approx(10.0)
    assert result.report.objective == pytest.approx(10.0)
    assert result.summary["robust_source"] == "robust model"
    plans = result.plans.set_index("plan")
    assert plans.loc["robust", "units_E"] == 1
    assert plans.loc["own:lo", "units_C"] == 3
    # the least fuel: the efficient unit runs, then one cheap unit; the third is the spare
    for operation in result.operations.values():
        assert operation.totals["power_E_mw"] == pytest.approx(10.0)
        assert operation.totals["power_C_mw"] == pytest.approx(10.0)
    assert all(check.ok for check in result.checks.values())


def test_the_least_expected_cost_takes_hi_s_units():
    result = robust("expected")
    assert units(result, "robust") == {"E": 2, "C": 1}
    assert result.summary["robust_is_own"] == ["hi"]
    assert result.summary["robust_objective_musd_y"] == pytest.approx(72.0)
    assert cost(result, "robust", "lo") == pytest.approx(54.0)
    plans = result.plans.set_index("plan")
    assert plans.loc["own:lo", "expected_cost_musd_y"] == pytest.approx(74.0)


def test_every_unit_variable_is_tied_and_fixed():
    """The extensive form ties units and the N+1 helpers across scenarios; a plan's
    operation holds its units (3C in hi costs 110) and refuses a plan without them."""
    lo, hi = scenario(0.1), scenario(1.0)
    top = build_extensive([lo, hi], [0.5, 0.5], "expected")
    tied = {
        c.body.args[0].parent_component().local_name
        for c in top.NONANTICIPATIVE.values()
        if hasattr(c.body, "args")
    }
    assert {"unit_count", "has", "largest_mw", "open", "modules"} <= tied
    own_lo = robust_from_inputs(
        {"lo": lo, "hi": hi}, RobustOptions({"lo": 0.5, "hi": 0.5}), EXACT
    ).own["lo"]
    plan = first_stage(own_lo)
    assert list(plan.columns[-2:]) == ["units_E", "units_C"]
    solution = operate_plan(hi, plan, EXACT)
    assert solution.totals["cost_musd_y"] == pytest.approx(110.0)
    assert int(solution.sites.loc["s", "units_C"]) == 3
    with pytest.raises(ValueError, match="lacks the units of technologies"):
        operate_plan(hi, plan.drop(columns="units_E"), EXACT)


@pytest.mark.parametrize(
    ("other", "message"),
    [
        (
            scenario(1.0, techs={"E": {**E, "cap": 20}, "C": C}),
            "scenario 'hi' changes the technology menu",
        ),
        (
            scenario(1.0, periods={"winter": 0.25, "summer": 0.75}),
            "scenario 'hi' changes the periods",
        ),
        (
            scenario(1.0).with_params(reliability="none"),
            r"scenario 'hi' changes reliability \('n_plus_1' → 'none'\)",
        ),
    ],
)
def test_a_scenario_changing_the_menu_rule_or_periods_is_refused(other, message):
    with pytest.raises(CaseError, match=message) as err:
        robust("expected", lo=scenario(0.1), hi=other)
    assert "\n" not in str(err.value)


def test_a_solver_leftover_of_grid_capacity_is_read_as_none():
    """A site on a grid node with capacity charges, grid energy too dear to use: the own
    plan at g = 0.1 is 3C (38). A solver's 1e-13 MW of contracted capacity without a link
    would break grid_cap_mw ≤ M·grid_link once fixed; the plan reads it as none and still
    costs 38."""
    inputs = toy(
        {"F": {"supply": 1000}, "S": {}},
        {"F>S": ("F", "S", 1000)},
        {"s": {"node": "S", "grid_id": "g"}},
        grid={"g": 100.0},
        grid_charges={"g": {"capacity": 0.5}},
        periods=HALF,
        techs={"E": E, "C": C},
        reliability="n_plus_1",
        target_mw=20,
        gas_cost_musd_per_mw_y=0.1,
        grid_energy_cost_musd_per_mw_y=100.0,
    )
    from siting.pipeline import solve_inputs

    own, _, _ = solve_inputs(inputs, EXACT)
    assert own.report.objective == pytest.approx(38.0)
    plan = first_stage(own).assign(grid_link=0, grid_cap_mw=1e-13)
    assert operate_plan(inputs, plan, EXACT).totals["cost_musd_y"] == pytest.approx(38.0)
