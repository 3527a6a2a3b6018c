"""Facility location through the siting model: known answers derived by hand, and every
formulation switch against brute force on random instances.

Unit costs are per unit of demand served unless a test says otherwise.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from siting.check import check_solution
from siting.config import FormulationConfig, SolverConfig
from siting.errors import CheckError, DataError, InfeasibleError
from siting.facility_location import FacilityProblem, facility_inputs
from siting.pipeline import solve_inputs
from siting.solver.lagrangian import lagrangian_bound, not_applicable
from siting.solver.model import build_model
from siting.solver.model.capacity_cover import min_open_sites
from siting.solver.model.symmetry import identical_site_groups

EXACT = SolverConfig(mip_gap=0.0, time_limit_s=60)


def problem(
    cost: dict[str, dict[str, float]],
    demand: dict[str, float],
    fixed: dict[str, float],
    capacity: dict[str, float] | None = None,
    cost_per: str = "unit",
) -> FacilityProblem:
    frame = pd.DataFrame(cost).T.astype(float)  # sites × customers
    return FacilityProblem(
        name="toy",
        cost=frame,
        demand=pd.Series(demand, dtype=float)[frame.columns],
        fixed_cost=pd.Series(fixed, dtype=float)[frame.index],
        capacity=None if capacity is None else pd.Series(capacity, dtype=float)[frame.index],
        cost_per=cost_per,  # type: ignore[arg-type]
    )


def solve(prob: FacilityProblem, **kw):
    solution, report, _ = solve_inputs(facility_inputs(prob, **kw), EXACT)
    assert report.ok, report.summary()
    assert solution.report.is_optimal
    return solution


def opened(solution) -> set[str]:
    return set(solution.chosen.index)


def served(solution) -> dict[tuple[str, str], float]:
    sv = solution.serve[solution.serve["serve_mw"] > 1e-9]
    return {(r.site_id, r.hub_id): round(r.serve_mw, 9) for r in sv.itertuples()}


UFL = {
    "cost": {"A": {"x": 1, "y": 1, "z": 5}, "B": {"x": 5, "y": 3, "z": 1}},
    "demand": {"x": 1, "y": 2, "z": 1},
    "fixed": {"A": 10, "B": 4},
}


def test_uncapacitated_facility_location():
    """A costs 10 to open, B 4; demands x 1, y 2, z 1.

    - A alone: 10 + 1·1 + 1·2 + 5·1 = 18;
    - B alone: 4 + 5·1 + 3·2 + 1·1 = 16;
    - both: 14 + 1 + 2 + 1 = 18.
    Optimum 16: B alone serves everything.
    """
    sol = solve(problem(**UFL))
    assert sol.report.objective == pytest.approx(16)
    assert opened(sol) == {"B"}
    assert served(sol) == {("B", "x"): 1, ("B", "y"): 2, ("B", "z"): 1}
    assert sol.totals["cost_serve_musd_y"] == pytest.approx(12)
    assert sol.totals["cost_open_musd_y"] == pytest.approx(4)
    # without an energy system no fuel, generation or grid appears anywhere
    assert sol.sites[["gas_mw", "gen_mw", "grid_mw", "grid_link"]].to_numpy().sum() == 0
    assert (sol.chosen["source"] == "").all()


def test_per_customer_costs_are_divided_by_demand():
    """The same instance with OR-Library costs (serving all of a customer): y costs 2 from A
    and 6 from B for its 2 units, the rest as before. The optimum is again B alone, 16."""
    per_customer = {
        "A": {"x": 1, "y": 2, "z": 5},
        "B": {"x": 5, "y": 6, "z": 1},
    }
    sol = solve(problem(per_customer, UFL["demand"], UFL["fixed"], cost_per="customer"))
    assert sol.report.objective == pytest.approx(16)
    assert sol.serve.set_index(["site_id", "hub_id"]).loc[("B", "y"), "cost_musd_per_mw_y"] == 3


def test_capacity_splits_a_customer():
    """S1 (open 5, capacity 2), S2 (open 5, capacity 3); h1 needs 3, h2 needs 1.
    Unit costs: S1→h1 1, S1→h2 2, S2→h1 3, S2→h2 1.

    Neither site holds all 4 units, so both open (10). Best assignment: h2 from S2 (1),
    h1 takes S1's 2 units (2) and 1 unit from S2 (3): 10 + 1 + 2 + 3 = 16. (Sending h2 to
    S1 instead leaves S1 one unit for h1: 10 + 2 + 1 + 2·3 = 19.)
    """
    sol = solve(
        problem(
            {"S1": {"h1": 1, "h2": 2}, "S2": {"h1": 3, "h2": 1}},
            {"h1": 3, "h2": 1},
            {"S1": 5, "S2": 5},
            capacity={"S1": 2, "S2": 3},
        )
    )
    assert sol.report.objective == pytest.approx(16)
    assert served(sol) == {("S1", "h1"): 2, ("S2", "h1"): 1, ("S2", "h2"): 1}
    # a free-IT site is built at full size when it opens
    assert sol.sites["it_mw"].to_dict() == {"S1": 2, "S2": 3}


PMEDIAN = {
    "cost": {
        "a": {"A": 0, "B": 4, "C": 4},
        "b": {"A": 4, "B": 0, "C": 1},
        "c": {"A": 4, "B": 1, "C": 0},
    },
    "demand": {"A": 1, "B": 2, "C": 3},
}


@pytest.mark.parametrize(
    ("p", "expected", "objective"), [(1, {"c"}, 6), (2, {"a", "c"}, 2), (3, {"a", "b", "c"}, 0)]
)
def test_p_median(p, expected, objective):
    """Weights A 1, B 2, C 3; each site sits on its customer; b–C and c–B are 1 apart, the
    rest 4. With no fixed costs:

    - p = 1: a 2·4 + 3·4 = 20, b 4 + 3·1 = 7, c 4 + 2·1 = 6 → c, 6;
    - p = 2: {a,b} 3·1 = 3, {a,c} 2·1 = 2, {b,c} 1·4 = 4 → {a,c}, 2;
    - p = 3: everyone at distance 0.
    """
    sol = solve(problem(PMEDIAN["cost"], PMEDIAN["demand"], dict.fromkeys("abc", 0.0)), p=p)
    assert sol.report.objective == pytest.approx(objective)
    assert opened(sol) == expected
    assert sol.totals["sites_open"] == p


def test_exactly_p_against_at_most_p():
    """The p-median instance with fixed cost 10 per site and p = 2: at most 2 opens c alone
    (10 + 6 = 16 < {a,c} 20 + 2 = 22); exactly 2 must open {a,c}, 22."""
    prob = problem(PMEDIAN["cost"], PMEDIAN["demand"], dict.fromkeys("abc", 10.0))
    at_most = solve(prob, p=2, exactly=False)
    exactly = solve(prob, p=2)
    assert (at_most.report.objective, opened(at_most)) == (pytest.approx(16), {"c"})
    assert (exactly.report.objective, opened(exactly)) == (pytest.approx(22), {"a", "c"})


def test_pairs_that_cannot_serve_are_left_out():
    """B cannot serve x (NaN), so B alone is infeasible and A must open. A alone: 10 + 1 + 2 +
    5 = 18; A and B: 14 + 1 + 2 + 1 = 18 (B saves 4 on z and costs 4). Optimum 18, A open."""
    cost = {"A": {"x": 1, "y": 1, "z": 5}, "B": {"x": np.nan, "y": 3, "z": 1}}
    sol = solve(problem(cost, UFL["demand"], UFL["fixed"]))
    assert sol.report.objective == pytest.approx(18)
    assert "A" in opened(sol)
    assert ("B", "x") not in set(zip(sol.serve["site_id"], sol.serve["hub_id"], strict=True))


def test_insufficient_capacity_is_diagnosed_before_solving():
    """Capacities 2 + 3 = 5 cannot hold a demand of 6: the pre-solve check says by how much."""
    prob = problem(
        {"S1": {"h1": 1}, "S2": {"h1": 1}}, {"h1": 6}, {"S1": 0, "S2": 0}, {"S1": 2, "S2": 3}
    )
    with pytest.raises(InfeasibleError) as info:
        solve_inputs(facility_inputs(prob), EXACT)
    diag = info.value.diagnosis
    assert diag.families == ["demand_hubs"]
    assert diag.findings[0].amount == pytest.approx(1)


def test_exactly_p_too_small_for_demand_is_diagnosed_before_solving():
    """Exactly one of two sites (capacity 3 each) for a demand of 4: the largest single site
    falls short by 1, which the pre-solve check names."""
    prob = problem(
        {"S1": {"h1": 1}, "S2": {"h1": 1}}, {"h1": 4}, {"S1": 0, "S2": 0}, {"S1": 3, "S2": 3}
    )
    with pytest.raises(InfeasibleError) as info:
        solve_inputs(facility_inputs(prob, p=1), EXACT)
    assert info.value.diagnosis.families == ["demand_hubs"]
    assert info.value.diagnosis.findings[0].amount == pytest.approx(1)


def test_a_hub_short_of_reachable_capacity_is_diagnosed_by_the_elastic_model():
    """S1 (capacity 10) alone can serve h1 (demand 15); S2 (capacity 10) serves h2 (1). In
    total 20 ≥ 16 passes the pre-solve check, but h1 lacks 5: the elastic re-solve says so."""
    prob = problem(
        {"S1": {"h1": 1, "h2": np.nan}, "S2": {"h1": np.nan, "h2": 1}},
        {"h1": 15, "h2": 1},
        {"S1": 0, "S2": 0},
        {"S1": 10, "S2": 10},
    )
    with pytest.raises(InfeasibleError) as info:
        solve_inputs(facility_inputs(prob), EXACT)
    diag = info.value.diagnosis
    assert diag.families == ["demand_hubs"]
    assert diag.findings[0].amount == pytest.approx(5)
    assert diag.findings[0].where.startswith("h1")


def test_bad_facility_data_is_a_clear_error():
    with pytest.raises(DataError, match="p = 4 must be between 1 and the 2 sites"):
        facility_inputs(problem(**UFL), p=4)
    with pytest.raises(DataError, match="zero demand, but its costs are per customer"):
        facility_inputs(
            problem(UFL["cost"], {"x": 0, "y": 2, "z": 1}, UFL["fixed"], None, "customer")
        )
    with pytest.raises(DataError, match="no site can serve customer x"):
        facility_inputs(problem({"A": {"x": np.nan, "y": 1}}, {"x": 1, "y": 1}, {"A": 1}))
    with pytest.raises(DataError, match="must be finite and ≥ 0"):
        facility_inputs(problem({"A": {"x": -1.0}}, {"x": 1}, {"A": 1}))


def test_identical_sites_open_in_table_order():
    """s1 and s2 are identical (open 5, capacity 10, unit cost 1); s3 costs 20 to open. One
    customer of 5: open one of the twins for 5 + 5 = 10. Symmetry breaking makes it s1."""
    prob = problem(
        {"s1": {"h": 1}, "s2": {"h": 1}, "s3": {"h": 0}},
        {"h": 5},
        {"s1": 5, "s2": 5, "s3": 20},
        {"s1": 10, "s2": 10, "s3": 10},
    )
    inputs = facility_inputs(prob)
    assert identical_site_groups(inputs) == [["s1", "s2"]]
    model = build_model(inputs)
    assert len(model.symmetry) == 1
    sol = solve(prob)
    assert sol.report.objective == pytest.approx(10)
    assert opened(sol) == {"s1"}
    # a plan that opens the second twin is swapped into order before it becomes the start
    from siting.solver.lagrangian import LagrangianResult

    plan = LagrangianResult(10, 10, [], [], ["s2"], np.array([0.0, 5.0, 0.0]), 1, 0.0)
    model = build_model(inputs, fixings=plan)
    assert (model.open["s1"].value, model.open["s2"].value) == (1, 0)
    assert (model.serve_mw["s1", "h"].value, model.serve_mw["s2", "h"].value) == (5, 0)


def test_minimum_open_sites():
    """Capacities 5, 4, 3 against demand 8: the two largest (9) suffice → 2; demand 12 → 3;
    no demand → 0."""
    assert min_open_sites(np.array([3.0, 5.0, 4.0]), 8) == 2
    assert min_open_sites(np.array([3.0, 5.0, 4.0]), 9) == 2
    assert min_open_sites(np.array([3.0, 5.0, 4.0]), 12) == 3
    assert min_open_sites(np.array([3.0, 5.0, 4.0]), 0) == 0


def test_uncapacitated_sites_carry_no_capacity_row():
    """With capacity ≥ total demand no site's capacity can bind: no capacity rows, and each
    site is built at full size when it opens."""
    inputs = facility_inputs(problem(**UFL))
    model = build_model(inputs)
    assert len(model.hub_serve) == 0
    assert all(c.equality for c in model.size_max.values())


# --- every switch against brute force -------------------------------------------------


def random_problem(seed: int, m: int = 6, n: int = 12, capacitated: bool = True):
    rng = np.random.default_rng(seed)
    xy_sites, xy_customers = rng.uniform(0, 10, (m, 2)), rng.uniform(0, 10, (n, 2))
    distance = np.linalg.norm(xy_sites[:, None, :] - xy_customers[None, :, :], axis=2)
    demand = rng.integers(1, 10, n).astype(float)
    sites = [f"s{i}" for i in range(m)]
    customers = [f"c{j}" for j in range(n)]
    capacity = rng.uniform(0.25, 0.6, m) * demand.sum() if capacitated else None
    return FacilityProblem(
        name=f"random{seed}",
        cost=pd.DataFrame(distance, index=sites, columns=customers),
        demand=pd.Series(demand, index=customers),
        fixed_cost=pd.Series(rng.uniform(5, 40, m), index=sites),
        capacity=None if capacity is None else pd.Series(capacity, index=sites),
    )


def brute_force(prob: FacilityProblem, p: int | None = None) -> tuple[float, set[str]]:
    """Every set of open sites, each with its transportation LP: the optimum by enumeration."""
    cost = prob.cost.to_numpy(float)
    m, n = cost.shape
    demand = prob.demand.to_numpy(float)
    capacity = (
        prob.capacity.to_numpy(float) if prob.capacity is not None else np.full(m, demand.sum())
    )
    best = (np.inf, set())
    sizes = [p] if p is not None else range(1, m + 1)
    for k in sizes:
        for subset in itertools.combinations(range(m), k):
            sub = list(subset)
            if capacity[sub].sum() < demand.sum():
                continue
            i, j = np.divmod(np.arange(k * n), n)
            a_eq = np.zeros((n, k * n))
            a_eq[j, np.arange(k * n)] = 1
            a_ub = np.zeros((k, k * n))
            a_ub[i, np.arange(k * n)] = 1
            res = linprog(cost[sub].ravel(), A_ub=a_ub, b_ub=capacity[sub], A_eq=a_eq, b_eq=demand)
            total = res.fun + prob.fixed_cost.to_numpy(float)[sub].sum()
            if total < best[0] - 1e-9:
                best = (total, {prob.sites[s] for s in sub})
    return best


SWITCHES = ["strong_linking", "capacity_cover", "tight_bounds", "symmetry_breaking"]


@pytest.fixture(scope="module")
def instances():
    out = []
    for seed, capacitated in ((1, True), (2, True), (3, False)):
        prob = random_problem(seed, capacitated=capacitated)
        out.append((prob, brute_force(prob)))
    return out


@pytest.mark.parametrize("off", [[], *([s] for s in SWITCHES), SWITCHES])
@pytest.mark.parametrize("lagrangian", [False, True])
def test_every_formulation_reaches_the_brute_force_optimum(instances, off, lagrangian):
    """Each switch only changes how the model is written, never the optimum."""
    form = FormulationConfig(
        **dict.fromkeys(off, False), lagrangian_fixing=lagrangian, lagrangian_min_pairs=0
    )
    for prob, (optimum, _sites) in instances:
        sol = solve(prob, formulation=form)
        assert sol.report.objective == pytest.approx(optimum, rel=1e-9, abs=1e-7)
        assert bool(sol.report.presolve) == lagrangian


def test_p_median_against_brute_force():
    prob = random_problem(4, m=7, n=15, capacitated=False)
    prob = FacilityProblem(
        name=prob.name, cost=prob.cost, demand=prob.demand, fixed_cost=prob.fixed_cost * 0
    )
    for p in (1, 2, 3):
        optimum, _ = brute_force(prob, p=p)
        assert solve(prob, p=p).report.objective == pytest.approx(optimum, rel=1e-9)


@pytest.mark.parametrize("seed", [1, 2, 3, 5, 6])
def test_lagrangian_bounds_and_fixings_are_sound(seed):
    """L(μ) ≤ optimum ≤ the plan's cost, the plan is feasible, and every site the bound
    fixes is fixed to its value in the (brute-force) optimum."""
    prob = random_problem(seed, capacitated=seed != 3)
    optimum, best_sites = brute_force(prob)
    result = lagrangian_bound(facility_inputs(prob))
    assert result.lower_bound <= optimum * (1 + 1e-9)
    assert result.upper_bound >= optimum * (1 - 1e-9)
    assert not set(result.closed) & best_sites
    assert set(result.opened) <= best_sites
    plan = pd.Series(result.plan_serve_mw)
    inputs = facility_inputs(prob)
    by_hub = plan.groupby(inputs.serve["hub_id"].to_numpy()).sum()
    assert np.allclose(by_hub[inputs.hubs.index], inputs.hubs["demand_mw"], atol=1e-6)


@pytest.mark.parametrize(
    ("capacity", "expected"),
    [
        ([6.0, 6.0], 10.0),  # each hub from its cheap site: 5·1 + 5·1
        ([6.0, 4.0], 12.0),  # site 1 holds 4, hub 1 takes 1 from site 0 at 3: 5 + 4 + 3
        ([4.0, 4.0], None),  # 8 < 10 of demand
    ],
)
def test_transportation_lp_known_answers(capacity, expected):
    """Two sites, two hubs of 5, unit costs [[1, 3], [2, 1]]; x ≤ min(capacity, demand)."""
    from siting.solver.lagrangian import _lp_solver, _transportation

    site, hub = np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1])
    cap = np.array(capacity)
    bound = np.minimum(cap[site], 5.0)
    solved = _transportation(
        _lp_solver(), np.array([1.0, 3.0, 2.0, 1.0]), bound, hub, site, np.full(2, 5.0), cap
    )
    if expected is None:
        assert solved is None
        return
    cost, x = solved
    assert cost == pytest.approx(expected)
    assert np.bincount(hub, x) == pytest.approx([5.0, 5.0])
    assert (np.bincount(site, x) <= cap + 1e-9).all()


def test_lagrangian_only_describes_plain_facility_location(toy_gas_inputs):
    assert not_applicable(toy_gas_inputs) == "the model has an energy system"


@pytest.fixture
def toy_gas_inputs():
    from toy import toy

    return toy({"F": {"supply": 10}, "S": {}}, {"F>S": ("F", "S", 10)}, {"s": {"node": "S"}})


# --- the checker on the new families ----------------------------------------------------


@pytest.fixture(scope="module")
def solved():
    return solve(problem(**UFL))


def violations(solution) -> set[str]:
    return {v.family for v in check_solution(solution, raise_on_error=False).violations}


def test_checker_flags_serving_from_a_closed_site(solved):
    serve = solved.serve.copy()
    serve.loc[serve["site_id"] == "A", "serve_mw"] = 0.5
    tampered = type(solved)(**{**solved.__dict__, "serve": serve})
    assert "linking" in violations(tampered)


def test_checker_flags_fuel_without_an_energy_system(solved):
    sites = solved.sites.copy()
    sites.loc["B", "gas_mw"] = 1.0
    assert "technology" in violations(type(solved)(**{**solved.__dict__, "sites": sites}))


def test_checker_flags_symmetry_and_site_count(solved):
    from dataclasses import replace

    params = replace(solved.params, min_sites=2)
    assert "site_count" in violations(replace(solved, params=params))
    twins = solved.sites.copy()
    twins.loc["A"] = twins.loc["B"]
    twins.loc["A", "open"], twins.loc["B", "open"] = 0, 1
    serve = solved.serve.copy()
    serve.loc[serve["site_id"] == "A", "cost_musd_per_mw_y"] = serve.loc[
        serve["site_id"] == "B", "cost_musd_per_mw_y"
    ].to_numpy()
    tampered = replace(solved, sites=twins, serve=serve)
    assert "symmetry" in violations(tampered)
    with pytest.raises(CheckError, match="symmetry"):
        check_solution(tampered)


# --- covering, and sites that must stay open ----------------------------------------------

#: distances of sites A, B, C to points u, v, x, y, z; radius 10 (a point at exactly 10 is
#: covered): A covers {u, v}, B covers {v, x, y}, C covers {u, z}
COVER = {
    "A": {"u": 2, "v": 8, "x": 15, "y": 30, "z": 40},
    "B": {"u": 20, "v": 5, "x": 9, "y": 10, "z": 25},
    "C": {"u": 10, "v": 30, "x": 20, "y": 12, "z": 3},
}
WEIGHT = {"u": 5, "v": 3, "x": 4, "y": 2, "z": 1}


def cover_problem() -> FacilityProblem:
    return problem(COVER, WEIGHT, dict.fromkeys("ABC", 0.0))


@pytest.mark.parametrize(
    ("p", "predefined", "sites", "weight"),
    [
        (1, (), {"B"}, 9),
        (2, (), {"B", "C"}, 15),
        (1, ("A",), {"A"}, 8),
        (2, ("A",), {"A", "B"}, 14),
    ],
)
def test_maximal_covering(p, predefined, sites, weight):
    """Weights u 5, v 3, x 4, y 2, z 1 (15 in all); coverage as in ``COVER``.

    - p = 1: A covers 5 + 3 = 8, B 3 + 4 + 2 = 9, C 5 + 1 = 6 → B, 9;
    - p = 2: AB {u,v,x,y} 14, AC {u,v,z} 9, BC every point 15 → BC, 15;
    - A predefined, p = 1: A, 8; A predefined, p = 2: AB 14 beats AC 9.
    """
    sol = solve(cover_problem(), objective="max_cover", radius=10, p=p, predefined=predefined)
    assert opened(sol) == sites
    assert sol.report.objective == pytest.approx(weight)
    assert sol.totals["covered_weight"] == pytest.approx(weight)
    covered = {h for h, v in sol.hubs["covered"].items() if v}
    expected = {h for s in sites for h, km in COVER[s].items() if km <= 10}
    assert covered == expected
    assert sol.totals["hubs_uncovered"] == 5 - len(expected)


@pytest.mark.parametrize(("predefined", "sites"), [((), {"B", "C"}), (("A",), {"A", "B", "C"})])
def test_location_set_covering(predefined, sites):
    """No single site covers all five points; B and C together do (B: v, x, y; C: u, z), so
    the fewest sites are {B, C}. With A kept open, A+B misses z and A+C misses x and y:
    all three must open."""
    sol = solve(cover_problem(), objective="min_cover", radius=10, predefined=predefined)
    assert opened(sol) == sites
    assert sol.report.objective == len(sites)
    assert sol.hubs["covered"].all()


def test_a_predefined_site_stays_open_in_a_p_median():
    """The p-median instance with p = 2 opens {a, c} (2); with b predefined the choice is
    {a, b} (C 1 from b: 3·1 = 3) against {b, c} (A 4 from b or c: 4): {a, b}, 3."""
    prob = problem(PMEDIAN["cost"], PMEDIAN["demand"], dict.fromkeys("abc", 0.0))
    sol = solve(prob, p=2, predefined=["b"])
    assert (opened(sol), sol.report.objective) == ({"a", "b"}, pytest.approx(3))


def test_a_filled_predefined_site_serves_its_whole_capacity():
    """S1 (capacity 3) and S2 (capacity 4), both open; h1 and h2 need 2 each. Unit costs
    S1→h1 1, S1→h2 5, S2→h1 2, S2→h2 1.

    Free: each hub from its cheap site, 2 + 2 = 4. With S1 predefined and filled it must
    serve 3: moving h1 to S1 saves 1 a unit, moving h2 costs 4 a unit, so S1 takes h1's 2
    and 1 of h2: 2·1 + 1·5 + 1·1 = 8.
    """
    prob = problem(
        {"S1": {"h1": 1, "h2": 5}, "S2": {"h1": 2, "h2": 1}},
        {"h1": 2, "h2": 2},
        {"S1": 0, "S2": 0},
        capacity={"S1": 3, "S2": 4},
    )
    assert solve(prob, p=2).report.objective == pytest.approx(4)
    sol = solve(prob, p=2, predefined=["S1"], fill_predefined=True)
    assert sol.report.objective == pytest.approx(8)
    assert served(sol) == {("S1", "h1"): 2, ("S1", "h2"): 1, ("S2", "h2"): 1}


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"objective": "max_cover", "radius": 10, "p": 4}, "p = 4 must be between 1 and the 3"),
        ({"objective": "max_cover", "radius": -1, "p": 2}, "radius: .*greater than or equal to 0"),
        ({"objective": "max_cover", "radius": 10}, "max_cover needs p"),
        ({"objective": "min_cover", "radius": 10, "p": 2}, "min_cover chooses the number"),
        ({"objective": "min_cover"}, "min_cover needs a radius"),
        ({"radius": 10}, "radius applies only to the max_cover and min_cover"),
        (
            {"objective": "min_cover", "radius": 10, "predefined": ["Q"]},
            "predefined site 'Q' is not a candidate site",
        ),
        ({"p": 1, "predefined": ["A", "B"]}, "2 predefined sites cannot stay open with p = 1"),
        (
            {"objective": "min_cover", "radius": 4},
            r"no candidate site lies within radius 4 of v \(nearest 5; 3 such points\)",
        ),
        ({"fill_predefined": True}, "fill_predefined needs predefined sites"),
    ],
)
def test_bad_covering_settings_are_one_line_errors(settings, message):
    with pytest.raises(DataError, match=message) as info:
        facility_inputs(cover_problem(), **settings)
    assert "\n" not in str(info.value)


def test_unknown_facility_keys_and_impossible_fills_are_clear_errors():
    from siting.facility_location import facility_config

    with pytest.raises(DataError, match=r"radios: .*did you mean 'radius'"):
        facility_config("here", objective="max_cover", radios=5)
    prob = problem(
        {"S1": {"h": 1}, "S2": {"h": 1}}, {"h": 4}, {"S1": 0, "S2": 0}, {"S1": 3, "S2": 4}
    )
    with pytest.raises(DataError, match="predefined sites hold 7 but the demand is only 4"):
        facility_inputs(prob, predefined=["S1", "S2"], fill_predefined=True)
    with pytest.raises(DataError, match="max_cover ignores capacities"):
        facility_inputs(prob, objective="max_cover", radius=1, p=1)


@pytest.fixture(scope="module")
def covering():
    return solve(cover_problem(), objective="max_cover", radius=10, p=1, predefined=["A"])


def test_checker_recomputes_coverage(covering):
    """A plan that claims z covered (no open site within reach), or that closes the
    predefined A, fails the check."""
    from dataclasses import replace

    hubs = covering.hubs.copy()
    hubs.loc["z", "covered"] = 1
    assert "coverage" in violations(replace(covering, hubs=hubs))
    sites = covering.sites.copy()
    sites.loc["A", "open"] = 0
    assert {"predefined", "objective"} <= violations(replace(covering, sites=sites))
    totals = {**covering.totals, "objective": 9.0}
    assert "objective" in violations(replace(covering, totals=totals))


def test_a_predefined_site_that_cannot_be_filled_is_diagnosed():
    """S1 (capacity 3) must be filled but reaches only h1 (2); h2 (2) is S2's alone. The
    demand 4 ≥ 3 passes the pre-solve check; the elastic re-solve finds S1 1 short."""
    prob = problem(
        {"S1": {"h1": 1, "h2": np.nan}, "S2": {"h1": 1, "h2": 1}},
        {"h1": 2, "h2": 2},
        {"S1": 0, "S2": 0},
        capacity={"S1": 3, "S2": 4},
    )
    with pytest.raises(InfeasibleError) as info:
        solve_inputs(facility_inputs(prob, predefined=["S1"], fill_predefined=True), EXACT)
    diag = info.value.diagnosis
    assert diag.families == ["predefined_fill"]
    assert diag.findings[0].amount == pytest.approx(1)
    assert diag.findings[0].where.startswith("S1")


def test_a_predefined_twin_is_not_ordered_behind_its_twin():
    """A2 is a copy of A (same distances), and A2 must stay open; with p = 1 the plan is A2
    alone, covering u and v (8). Ordering identical sites would force A open before A2
    and leave no plan: a predefined site is no longer interchangeable."""
    cost = {**COVER, "A2": COVER["A"]}
    prob = problem(cost, WEIGHT, dict.fromkeys(cost, 0.0))
    inputs = facility_inputs(prob, objective="max_cover", radius=10, p=1, predefined=["A2"])
    assert identical_site_groups(inputs) == []
    sol = solve(prob, objective="max_cover", radius=10, p=1, predefined=["A2"])
    assert (opened(sol), sol.report.objective) == ({"A2"}, pytest.approx(8))
    without = facility_inputs(prob, objective="max_cover", radius=10, p=1)
    assert identical_site_groups(without) == [["A", "A2"]]
