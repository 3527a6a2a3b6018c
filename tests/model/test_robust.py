"""One plan across scenarios: a two-scenario toy whose robust plan differs from both
scenarios' own plans, derived by hand, and the one-line errors of bad requests.

The toy (``scenario``): fields F1 and F2, hubs A, B, C; arcs F1→A, F2→B, F1→C, F2→C (100 MW
each). One site per hub, a at A, b at B, c at C, each exactly one 10 MW module (min = max =
1), PUE 1, η = 0.5, so a campus burns 20 MW of gas or draws 10 MW from its own grid node
(spare 10 MW). Target 10 MW: one site opens. Gas is free; grid energy costs 0.3 MUSD/y per
MW (3 MUSD/y for a campus); a grid link costs 0.01 MUSD/y; open costs a 1, b 1, c 2.

Scenario s1 has 20 MW of gas at F1 and none at F2; scenario s2 the reverse. So a burns gas
only in s1, b only in s2, and c in both (from either field). Cost of each plan (MUSD/y):

    plan           s1      s2
    a              1       infeasible (no gas, no link)
    a + link       1.01    1 + 0.01 + 3 = 4.01
    b              infeasible  1
    b + link       4.01    1.01
    c              2       2

Own optima: s1 → a (z₁ = 1), s2 → b (z₂ = 1); neither serves the other scenario.

- Expected cost, p = (0.5, 0.5): a + link 2.51, b + link 2.51, c 2 → **c, 2.0**.
- Worst regret: a + link max(0.01, 3.01) = 3.01, b + link 3.01, c max(1, 1) = 1 → **c, 1.0**,
  whatever the probabilities.
- Expected cost, p = (0.9, 0.1): a + link 0.9·1.01 + 0.1·4.01 = 1.31 < c 2 → **a + link,
  1.31**: the site of s1's own plan, with the link that s1 alone does not buy.
"""

from __future__ import annotations

import pytest
from toy import toy

from siting.config import SolverConfig
from siting.errors import CaseError
from siting.robust import RobustOptions, parse_scenarios, robust_from_inputs
from siting.robust.spec import check_first_stage_config, check_probabilities

EXACT = SolverConfig(mip_gap=0.0, time_limit_s=30)


def scenario(gas_at: str, **params):
    nodes = {
        "F1": {"supply": 20.0 if gas_at == "F1" else 0.0},
        "F2": {"supply": 20.0 if gas_at == "F2" else 0.0},
        "A": {},
        "B": {},
        "C": {},
    }
    arcs = {
        "F1>A": ("F1", "A", 100),
        "F2>B": ("F2", "B", 100),
        "F1>C": ("F1", "C", 100),
        "F2>C": ("F2", "C", 100),
    }
    sites = {
        s: {
            "node": s.upper(),
            "open_cost_musd_y": cost,
            "min_modules": 1,
            "max_modules": 1,
            "grid_id": f"G{s}",
            "grid_link_cost_musd_y": 0.01,
        }
        for s, cost in {"a": 1.0, "b": 1.0, "c": 2.0}.items()
    }
    return toy(
        nodes,
        arcs,
        sites,
        grid={"Ga": 10.0, "Gb": 10.0, "Gc": 10.0},
        target_mw=10,
        generator_efficiency=0.5,
        grid_energy_cost_musd_per_mw_y=0.3,
        **params,
    )


def robust(objective: str, p1: float = 0.5, **params):
    inputs = {"s1": scenario("F1", **params), "s2": scenario("F2", **params)}
    options = RobustOptions({"s1": p1, "s2": round(1 - p1, 12)}, objective)
    return robust_from_inputs(inputs, options, EXACT)


def plan_row(result, plan):
    return result.plans.set_index("plan").loc[plan]


def cost(result, plan, scenario_name):
    c = result.costs.set_index(["plan", "scenario"]).loc[(plan, scenario_name)]
    return c["cost_musd_y"] if c["feasible"] else None


@pytest.mark.parametrize("objective", ["expected", "regret"])
def test_the_robust_plan_differs_from_both_scenario_plans(objective):
    result = robust(objective)
    assert result.summary["own_optima_musd_y"] == pytest.approx({"s1": 1.0, "s2": 1.0})
    assert result.summary["robust_sites"] == ["c"]
    assert result.summary["robust_equals_own"] == []
    # each own plan fails in the other scenario; the robust plan costs 2 in both
    assert cost(result, "own:s1", "s1") == pytest.approx(1.0)
    assert cost(result, "own:s1", "s2") is None
    assert cost(result, "own:s2", "s1") is None
    assert cost(result, "robust", "s1") == pytest.approx(2.0)
    assert cost(result, "robust", "s2") == pytest.approx(2.0)
    robust_row = plan_row(result, "robust")
    assert robust_row["expected_cost_musd_y"] == pytest.approx(2.0)
    assert robust_row["max_regret_musd_y"] == pytest.approx(1.0)
    assert not plan_row(result, "own:s1")["feasible_everywhere"]
    assert plan_row(result, "own:s1")["sites_in_common"] == 0
    column = "expected_cost_musd_y" if objective == "expected" else "max_regret_musd_y"
    assert robust_row[column] <= result.plans[column].min() + 1e-9
    assert result.summary["robust_source"] == "robust model"
    expected = 2.0 if objective == "expected" else 1.0
    assert result.summary["robust_objective_musd_y"] == pytest.approx(expected)
    assert result.report.objective == pytest.approx(expected)
    assert all(check.ok for check in result.checks.values())


def test_likely_first_scenario_keeps_its_site_and_buys_the_link():
    result = robust("expected", p1=0.9)
    assert result.summary["robust_sites"] == ["a"]
    assert result.summary["robust_objective_musd_y"] == pytest.approx(1.31)
    assert cost(result, "robust", "s1") == pytest.approx(1.01)
    assert cost(result, "robust", "s2") == pytest.approx(4.01)
    sites = result.plan_sites.set_index(["plan", "site_id"])
    assert sites.loc[("robust", "a"), "grid_link"] == 1
    assert plan_row(result, "own:s1")["sites_in_common"] == 1
    # the worst regret ignores the probabilities: still c
    assert robust("regret", p1=0.9).summary["robust_sites"] == ["c"]


def test_probabilities_must_sum_to_one():
    with pytest.raises(CaseError, match=r"sum to 0\.9, not 1"):
        parse_scenarios("a=0.5,b=0.4")
    with pytest.raises(CaseError, match="at least two scenarios"):
        check_probabilities({"a": 1.0})
    with pytest.raises(CaseError, match="not NAME=PROBABILITY"):
        parse_scenarios("a=0.5,b")
    with pytest.raises(CaseError, match=r"sum to 1\.2"):
        robust_from_inputs(
            {"s1": scenario("F1"), "s2": scenario("F2")},
            RobustOptions({"s1": 0.6, "s2": 0.6}),
            EXACT,
        )


def test_a_scenario_with_other_sites_or_targets_is_refused():
    other = scenario("F2")
    other.sites.loc["c", "open_cost_musd_y"] = 5.0
    with pytest.raises(CaseError, match="open_cost_musd_y values than 's1', a first-stage input"):
        robust_from_inputs(
            {"s1": scenario("F1"), "s2": other}, RobustOptions({"s1": 0.5, "s2": 0.5}), EXACT
        )
    with pytest.raises(CaseError, match=r"changes target_mw \(10 → 20\.0\)"):
        robust_from_inputs(
            {"s1": scenario("F1"), "s2": scenario("F2").with_params(target_mw=20.0)},
            RobustOptions({"s1": 0.5, "s2": 0.5}),
            EXACT,
        )


def test_a_scenario_changing_candidate_spacing_is_refused():
    from siting.examples import example_case

    cases = {
        "base": example_case(),
        "cheap-gas": example_case(costs={"gas_price": "2000 RUB/1000m3"}),
        "wide": example_case(candidates={"spacing_km": 80}),
    }
    check_first_stage_config({k: cases[k] for k in ("base", "cheap-gas")})
    with pytest.raises(CaseError) as err:
        check_first_stage_config(cases)
    message = str(err.value)
    assert "\n" not in message
    assert "scenario 'wide' changes candidates.spacing_km (None → 80.0)" in message
    snap = {"base": cases["base"], "snap": example_case(network={"snap_km": 3.0})}
    with pytest.raises(CaseError, match=r"network\.snap_km \(1\.0 → 3\.0\), a first-stage"):
        check_first_stage_config(snap)


def test_sites_told_apart_by_one_scenario_are_not_ordered_by_symmetry():
    """Sites a1 and a2 share node A and every first-stage cost, so the model cannot tell
    them apart and orders them (open[a1] ≥ open[a2]) — unless a scenario gives them other
    gas prices. Here s2 makes a1's gas dear (price factor 100, 20 MW of gas at 0.01 → 20
    MUSD/y) while a2's stays free; s1 leaves both free. Expected cost, p = (0.5, 0.5):
    a1 costs 1 + 0.5·20 = 11, a2 costs 1 in both: **a2, 1.0**. Ordering a1 before a2 would
    force a1 and cost 11."""
    from siting.solver.robust import _common_symmetry

    def two_sites(a1_factor: float):
        sites = {
            s: {"node": "A", "open_cost_musd_y": 1.0, "min_modules": 1, "max_modules": 1}
            for s in ("a1", "a2")
        }
        inputs = toy(
            {"F": {"supply": 100.0}, "A": {}},
            {"F>A": ("F", "A", 100)},
            sites,
            target_mw=10,
            generator_efficiency=0.5,
            gas_cost_musd_per_mw_y=0.01,
        )
        inputs.sites.loc["a1", "gas_price_factor"] = a1_factor
        inputs.sites.loc["a2", "gas_price_factor"] = 0.0
        return inputs

    same, told_apart = two_sites(0.0), two_sites(100.0)
    assert _common_symmetry([same, same])[0].params.formulation.symmetry_breaking
    assert not _common_symmetry([same, told_apart])[1].params.formulation.symmetry_breaking
    result = robust_from_inputs(
        {"s1": same, "s2": told_apart}, RobustOptions({"s1": 0.5, "s2": 0.5}), EXACT
    )
    assert result.summary["robust_sites"] == ["a2"]
    assert result.summary["robust_objective_musd_y"] == pytest.approx(1.0)
