"""Near-optimal alternatives and site regrets: known answers derived by hand, every plan
within the slack and checked, and the edits' own check able to fail.

The two-plan toy (``tied_toy``): a field F feeds nodes A, B, C, D, each with one site of
exactly one 10 MW module (min = max = 1). The target is 20 MW, so two sites open. Each
burns 20 MW of gas (PUE 1, η = 0.5) at 0.01 MUSD/y per MW: 0.2 MUSD/y. Open costs
a 1.00, b 1.01, c 2.00, d 0.50 MUSD/y:

    {a,d} 1.50 + 0.4 = 1.90   optimum
    {b,d} 1.51 + 0.4 = 1.91   +0.53 %
    {c,d} 2.50 + 0.4 = 2.90   +53 %
    {a,b} 2.01 + 0.4 = 2.41   +27 %       (three sites: ≥ 3.11)

With a 2 % slack (limit 1.938) exactly {a,d} and {b,d} lie in the region, so the ranked
enumeration finds both and stops; every metric plan is one of them. Classes: d in every
plan, a and b in some, c in none. With a 0.5 % slack (limit 1.9095) only {a,d} remains:
a and d in every plan, b and c in none.

The five-candidate regret toy (``regret_toy``): sites s1…s5, one 10 MW module each, target
20 MW, no fuel cost, open costs 1, 2, 3.5, 5, 8 MUSD/y; s1 and s3 lie closer than the
spacing (one clique). The optimum is {s1, s2} = 3. By hand:

    close s1 → {s2, s3} = 5.5   regret 2.5
    close s2 → {s1, s4} = 6.0   regret 3.0   ({s1, s3} breaks the spacing)
    open  s3 → {s2, s3} = 5.5   regret 2.5   (s3 excludes s1)
    open  s4 → {s1, s4} = 6.0   regret 3.0
    open  s5 → {s1, s5} = 9.0   regret 6.0
"""

from __future__ import annotations

import pytest
from toy import toy

from siting.alternatives import AlternativesOptions, check_options, parse_metric
from siting.alternatives.search import search_alternatives
from siting.check import check_solution
from siting.config import FormulationConfig, SolverConfig
from siting.edits import NO_EDITS, Goal, ModelEdits, check_edits, open_set
from siting.errors import CheckError, SitingError
from siting.solver.handle import SolverHandle

EXACT = SolverConfig(mip_gap=0.0, time_limit_s=30)
EVERY_PLAN = FormulationConfig(symmetry_breaking=False, lagrangian_fixing=False)


def tied_toy(b_cost: float = 1.01, **params):
    nodes = {"F": {"supply": 1000}, "A": {}, "B": {}, "C": {}, "D": {}}
    arcs = {f"F>{n}": ("F", n, 1000) for n in "ABCD"}
    costs = {"a": 1.0, "b": b_cost, "c": 2.0, "d": 0.5}
    sites = {
        s: {"node": s.upper(), "open_cost_musd_y": c, "min_modules": 1, "max_modules": 1}
        for s, c in costs.items()
    }
    return toy(
        nodes,
        arcs,
        sites,
        target_mw=20,
        generator_efficiency=0.5,
        gas_cost_musd_per_mw_y=0.01,
        **{"formulation": EVERY_PLAN, **params},
    )


def regret_toy():
    costs = {"s1": 1.0, "s2": 2.0, "s3": 3.5, "s4": 5.0, "s5": 8.0}
    nodes = {"F": {"supply": 1000}, **{s.upper(): {} for s in costs}}
    arcs = {f"F>{s}": ("F", s.upper(), 1000) for s in costs}
    sites = {
        s: {"node": s.upper(), "open_cost_musd_y": c, "min_modules": 1, "max_modules": 1}
        for s, c in costs.items()
    }
    return toy(nodes, arcs, sites, cliques=[["s1", "s3"]], target_mw=20, formulation=EVERY_PLAN)


def search(inputs, metrics=("sites", "gas"), **options):
    opts = AlternativesOptions(**{"workers": 0, "metrics": metrics, **options})
    parsed = tuple(parse_metric(m, inputs.sites, 66.56) for m in metrics)
    return search_alternatives(inputs, EXACT, opts, parsed)


def test_two_plans_within_the_slack_are_both_found_and_classified():
    result = search(tied_toy(), slack=0.02, regrets=False)
    alt = result.alternatives
    ranked = alt[alt["kind"].isin(("optimum", "ranked"))]
    assert [set(s.split(";")) for s in ranked["sites"]] == [{"a", "d"}, {"b", "d"}]
    assert ranked["objective"].tolist() == pytest.approx([1.9, 1.91])
    assert result.summary["objective_limit"] == pytest.approx(1.938)
    # every metric plan is one of the two (sites: 2 everywhere, gas: 40 MW everywhere)
    metric = alt[alt["kind"] == "metric"]
    assert len(metric) == 4
    assert {frozenset(s.split(";")) for s in metric["sites"]} <= {
        frozenset("ad"),
        frozenset("bd"),
    }
    assert (metric["sites_open"] == 2).all() and metric["gas_mw"].tolist() == pytest.approx(
        [40] * 4
    )
    classes = result.candidates["class"].astype(str).to_dict()
    assert classes == {"a": "some", "b": "some", "c": "none", "d": "every"}
    assert result.candidates["in_optimum"].to_dict() == {
        "a": True,
        "b": False,
        "c": False,
        "d": True,
    }
    sites = result.alternative_sites
    assert set(sites.columns) >= {"plan", "site_id", "it_mw"}
    assert (sites["it_mw"] == 10).all()
    # 0.53 % apart is no tie at 0.01 %
    assert result.summary["tied_count"] == 0
    assert result.summary["ties_sentence"].startswith("No plan found other than the optimum")


def test_a_narrow_slack_keeps_only_the_optimum():
    result = search(tied_toy(), slack=0.005, regrets=False)
    assert result.summary["ranked_plans"] == 1
    classes = result.candidates["class"].astype(str).to_dict()
    assert classes == {"a": "every", "b": "none", "c": "none", "d": "every"}


def test_an_exact_tie_is_named_in_a_plain_sentence():
    """b costs exactly what a costs: {a,d} and {b,d} tie, and a and b are the tied pair."""
    result = search(tied_toy(b_cost=1.0), slack=0.02, unchosen=1)
    s = result.summary
    assert s["tied_candidates"] == ["a", "b"]
    assert s["ties_sentence"] == (
        "2 candidates cost the same to within 0.01 %; the choice among them is arbitrary."
    )


def test_site_regrets_on_the_five_candidate_toy():
    result = search(regret_toy(), metrics=("sites",), plans=1, unchosen=3)
    assert result.summary["objective"] == pytest.approx(3.0)
    regrets = result.regrets.set_index(["change", "site_id"])
    expected = {
        ("close", "s1"): 2.5,
        ("close", "s2"): 3.0,
        ("open", "s3"): 2.5,
        ("open", "s4"): 3.0,
        ("open", "s5"): 6.0,
    }
    assert set(regrets.index) == set(expected)
    for key, regret in expected.items():
        assert regrets.loc[key, "status"] == "optimal"
        assert regrets.loc[key, "regret_musd_y"] == pytest.approx(regret)
        assert regrets.loc[key, "regret_low_musd_y"] == pytest.approx(regret, abs=1e-6)
    assert regrets.loc[("close", "s2"), "sites_added"] == "s4"
    assert regrets.loc[("open", "s3"), "sites_dropped"] == "s1"
    assert regrets["reused"].all()


def test_every_alternative_lies_within_the_slack_and_passes_the_checker():
    """Each plan's objective, recomputed by the checker from its tables, is within the
    slack of the optimum; the plans of the search were each checked as they were found."""
    inputs = tied_toy()
    result = search(inputs, slack=0.02, regrets=False)
    limit = result.summary["objective_limit"]
    for row in result.alternatives.itertuples():
        assert row.status == "optimal"
        assert row.objective <= limit + 1e-9
    # the same plans again, each checked here by the checker and against its edits
    handle = SolverHandle(inputs, EXACT)
    opened = []
    while True:
        edits = ModelEdits(objective_limit=limit, excluded=tuple(opened))
        handle.edit(edits)
        try:
            solution = handle.solve()
        except SitingError:
            break
        check = check_solution(solution)
        check_edits(solution, edits, check.objective_recomputed)
        assert check.objective_recomputed <= limit + 1e-9
        opened.append(open_set(solution.sites))
    assert len(opened) == 2


def test_the_edit_check_catches_a_broken_limit_cut_fixing_and_goal():
    handle = SolverHandle(tied_toy(), EXACT)
    solution = handle.solve()
    f = check_solution(solution).objective_recomputed
    assert f == pytest.approx(1.9)
    check_edits(solution, ModelEdits(objective_limit=1.9), f)
    for edits, words in [
        (ModelEdits(objective_limit=1.89), "beyond its limit"),
        (ModelEdits(excluded=(frozenset({"a", "d"}),)), "excluded set"),
        (ModelEdits(open_sites=frozenset({"c"})), "forced open"),
        (ModelEdits(closed_sites=frozenset({"a"})), "forced closed"),
    ]:
        with pytest.raises(CheckError, match=words):
            check_edits(solution, edits, f)
    goal = Goal("max sites", "max", (("open", "a", 1.0),))
    handle.edit(ModelEdits(goal=goal))
    with_goal = handle.solve()
    check_edits(with_goal, ModelEdits(goal=goal), check_solution(with_goal).objective_recomputed)
    wrong = Goal("max sites", "max", (("open", "a", 2.0),))
    with pytest.raises(CheckError, match="HiGHS objective"):
        check_edits(
            with_goal, ModelEdits(goal=wrong), check_solution(with_goal).objective_recomputed
        )


def test_edits_come_off_again_and_follow_parameter_updates():
    """After edits, NO_EDITS gives back the case's own optimum; a goal and a cost limit
    written before a price change hold for the new price (equal to a fresh handle)."""
    inputs = tied_toy()
    handle = SolverHandle(inputs, EXACT)
    base = handle.solve().totals["objective"]
    handle.edit(ModelEdits(closed_sites=frozenset({"a", "d"})))
    assert set(handle.solve().chosen.index) == {"b", "c"}
    handle.edit(NO_EDITS)
    assert handle.solve(warm=True).totals["objective"] == pytest.approx(base)

    sites_goal = Goal("max it", "max", (("it_mw", "a", 1.0), ("it_mw", "b", 1.0)))
    edits = ModelEdits(objective_limit=2.5, goal=sites_goal)
    handle.edit(edits)
    handle.solve()
    cheaper = inputs.with_params(gas_cost_musd_per_mw_y=0.001)
    handle.update(cheaper.params)
    moved = handle.solve(warm=True)
    fresh = SolverHandle(cheaper, EXACT)
    fresh.edit(edits)
    again = fresh.solve()
    assert moved.report.goal["objective"] == pytest.approx(again.report.goal["objective"])
    assert moved.report.objective == pytest.approx(again.report.objective)
    # {a,b} costs 2.01 + 0.04 = 2.05 ≤ 2.5 at the lower price: both open
    assert set(moved.chosen.index) >= {"a", "b"}


def test_edits_need_a_model_that_keeps_every_plan():
    handle = SolverHandle(tied_toy(formulation=FormulationConfig()), EXACT)
    with pytest.raises(ValueError, match="symmetry_breaking"):
        handle.edit(ModelEdits(closed_sites=frozenset({"a"})))
    with pytest.raises(ValueError, match="unknown site"):
        SolverHandle(tied_toy(), EXACT).edit(ModelEdits(open_sites=frozenset({"zz"})))


@pytest.mark.parametrize("slack", [0.0, -0.1, 1.5])
def test_a_slack_outside_zero_to_one_is_a_one_line_error(slack):
    with pytest.raises(SitingError, match=r"--slack .*must be > 0 and ≤ 1") as err:
        check_options(AlternativesOptions(slack=slack))
    assert "\n" not in str(err.value)


def test_an_unknown_metric_is_a_one_line_error():
    inputs = tied_toy()
    with pytest.raises(SitingError, match="unknown metric 'cheapness'; known metrics") as err:
        parse_metric("cheapness", inputs.sites, 66.56)
    assert "\n" not in str(err.value)
    with pytest.raises(SitingError, match="no candidate uses grid node 'g9'"):
        parse_metric("grid:g9", inputs.sites, 66.56)
    with pytest.raises(SitingError, match="north:60"):
        parse_metric("north:far", inputs.sites, 66.56)


def test_metrics_sum_the_terms_of_their_sites():
    """Three sites: n (lat 70, grid g1, 100 km from a town), m (lat 60, g1, 10 km),
    s (lat 50, g2, 0 km); zones g1 → east, g2 → west. In a plan with n and s open at 20 and
    30 MW, burning 40 and 0 MW of gas:

        sites 2 · gas 40 MW · remoteness 100·20 + 0·30 = 2,000 MW·km
        north:65 → 20 MW (n) · north:55 → 20 MW (n; m is closed) · grid:g2 → 30 MW
        region:east → 20 MW
    """
    import pandas as pd

    sites = pd.DataFrame(
        {
            "lat": [70.0, 60.0, 50.0],
            "grid_id": ["g1", "g1", "g2"],
            "town_km": [100.0, 10.0, 0.0],
        },
        index=pd.Index(["n", "m", "s"], name="site_id"),
    )
    plan = pd.DataFrame(
        {"open": [1, 0, 1], "it_mw": [20.0, 0.0, 30.0], "gas_mw": [40.0, 0.0, 0.0]},
        index=sites.index,
    )
    zones = {"g1": "east", "g2": "west"}
    expected = {
        "sites": 2,
        "gas": 40,
        "remoteness": 2000,
        "north:65": 20,
        "north:55": 20,
        "grid:g2": 30,
        "region:east": 20,
    }
    for spec, value in expected.items():
        assert parse_metric(spec, sites, 66.56, zones).value(plan) == pytest.approx(value), spec
    assert parse_metric("north", sites, 66.56).spec == "north:66.56"
    with pytest.raises(SitingError, match="grid layer has none"):
        parse_metric("region:east", sites, 66.56)
    with pytest.raises(SitingError, match="known: east, west"):
        parse_metric("region:north", sites, 66.56, zones)


def test_edits_are_written_again_after_a_full_hand_off():
    """A recompile passes the whole model to HiGHS again; the edits follow it."""
    from siting.solver.highs import HighsSolver
    from siting.solver.highs_edits import ColumnEdits
    from siting.solver.model import build_model

    model = build_model(tied_toy())
    solver = HighsSolver(EXACT)
    closed = ColumnEdits(fixed=((model.open["a"], 0.0),), objective_limit=1.95)
    first = solver.solve(model, edits=closed)
    again = solver.solve(model, edits=closed, recompile=True)
    assert again.handoff == "full"
    assert first.objective == pytest.approx(1.91) and again.objective == pytest.approx(1.91)
    assert model.open["a"].value == pytest.approx(0.0)
    # the limit row holds too: without a, nothing else fits under 1.90
    tight = ColumnEdits(fixed=((model.open["a"], 0.0),), objective_limit=1.9)
    assert solver.solve(model, edits=tight, recompile=True).outcome == "infeasible"
    assert solver.solve(model).objective == pytest.approx(1.9)


def test_the_gas_metric_of_a_model_v2_plan_is_its_annual_fuel():
    """With two periods and an engine menu, the gas goal is Σ_p w[p]·Σ_t power[s,t,p]/η_t.

    Each plan runs 20 MW IT (PUE 1) on engines of efficiency 0.5 in both periods, so it
    burns 20 / 0.5 = 40 MW of gas in each; weighted 0.3 and 0.7, 40 MW over the year. The
    two tied plans {a, d} and {b, d} are both found, and every metric plan burns 40 MW,
    recomputed from its tables by the edit check."""
    engine = {"unit": 10, "efficiency": 0.5, "cost": 0.1}
    inputs = tied_toy(periods={"winter": 0.3, "summer": 0.7}, techs={"engine": engine})
    result = search(inputs, slack=0.02, regrets=False)
    alt = result.alternatives
    ranked = alt[alt["kind"].isin(("optimum", "ranked"))]
    assert [set(s.split(";")) for s in ranked["sites"]] == [{"a", "d"}, {"b", "d"}]
    metric = alt[alt["kind"] == "metric"]
    assert len(metric) == 4 and (metric["status"] == "optimal").all()
    assert metric["gas_mw"].tolist() == pytest.approx([40] * 4)


def test_a_goal_solve_starts_from_the_last_plan():
    """A metric's goal replaces the objective within the cost limit: the last plan is
    feasible for it, and HiGHS is given it as a start even after a solve that closed at the
    root (where a plain re-solve skips the start)."""
    inputs = tied_toy()
    handle = SolverHandle(inputs, EXACT)
    first = handle.solve()
    assert not first.report.mip_start
    limit = 1.02 * check_solution(first).objective_recomputed
    handle.edit(
        ModelEdits(objective_limit=limit, goal=Goal("c open", "max", (("open", "c", 1.0),)))
    )
    again = handle.solve(warm=True)
    assert again.report.mip_start
