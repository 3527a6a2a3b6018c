"""Known answers for the Pareto objective and its ε bounds, and for re-solving a built model
after its mutable parameters change.

The toy: one site s with one 10 MW module at least and two at most, target 20 MW, PUE 1,
η = 0.5, a free grid link to a node with 100 MW spare. Its 20 MW come from gas (2 MW of fuel
per MW, fuel at 0.1 → 0.2 per MW) or the grid (0.1 per MW), so with gas burnt g ∈ [0, 40] MW
the grid supplies 20 − g/2 and

    cost(g) = 0.1·g + 0.1·(20 − g/2) = 2 + 0.05·g.

Cheapest: g = 0, cost 2. Most gas: g = 40, cost 4. Bound g ≥ ε: cost 2 + 0.05·ε.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest
from toy import toy

from siting.check import check_solution
from siting.config import SolverConfig
from siting.pipeline import solve_inputs
from siting.solver.extract import extract_solution
from siting.solver.highs import HighsSolver
from siting.solver.model import build_model, set_params

EXACT = SolverConfig(mip_gap=0.0, time_limit_s=30)


def front_toy(weights=(1.0, 0.0), bounds=(None, None), metrics=("cost", "gas"), **params):
    return toy(
        {"F": {"supply": 1000}, "S": {}},
        {"F>S": ("F", "S", 1000)},
        {"s": {"node": "S", "max_modules": 2, "grid_id": "g", "town_km": 100.0}},
        grid={"g": 100.0},
        generator_efficiency=0.5,
        gas_cost_musd_per_mw_y=0.1,
        grid_energy_cost_musd_per_mw_y=0.1,
        target_mw=20,
        objective="pareto",
        pareto_metrics=metrics,
        pareto_weights=weights,
        pareto_bounds=bounds,
        **params,
    )


def solve(inputs):
    solution, report, _ = solve_inputs(inputs, EXACT)
    assert report.ok, report.summary()
    return solution


def test_cost_end_of_the_front():
    """Weights (1, 0): minimise cost → all grid, g = 0, cost 2."""
    sol = solve(front_toy())
    assert sol.report.objective == pytest.approx(2)
    assert sol.totals["gas_mw"] == pytest.approx(0, abs=1e-9)
    assert sol.totals["grid_mw"] == pytest.approx(20)


def test_gas_end_of_the_front():
    """Weights (0, 1): minimise −gas → g = 40 (no grid), objective −40, cost 4."""
    sol = solve(front_toy(weights=(0.0, 1.0)))
    assert sol.report.objective == pytest.approx(-40)
    assert sol.totals["gas_mw"] == pytest.approx(40)
    assert sol.totals["cost_musd_y"] == pytest.approx(4)


def test_epsilon_bound_on_gas():
    """Bound g ≥ 20: the cheapest plan burns exactly 20 MW, cost 2 + 0.05·20 = 3, grid 10."""
    sol = solve(front_toy(bounds=(None, 20.0)))
    assert sol.report.objective == pytest.approx(3)
    assert sol.totals["gas_mw"] == pytest.approx(20)
    assert sol.totals["grid_mw"] == pytest.approx(10)


def test_epsilon_bound_on_cost():
    """Pair (gas, cost): maximise gas with cost ≤ 3.5 → g = (3.5 − 2)/0.05 = 30, objective −30."""
    sol = solve(front_toy(metrics=("gas", "cost"), bounds=(None, 3.5)))
    assert sol.report.objective == pytest.approx(-30)
    assert sol.totals["cost_musd_y"] == pytest.approx(3.5)


def test_remoteness_metric():
    """Remoteness = town_km · IT = 100 km · 20 MW = 2000 MW·km; minimising it alone still
    builds the 20 MW target (weights (0, 1) on (cost, remoteness))."""
    sol = solve(front_toy(metrics=("cost", "remoteness"), weights=(0.0, 1.0)))
    assert sol.report.objective == pytest.approx(2000)
    assert sol.totals["remoteness_km"] == pytest.approx(100)


def test_checker_catches_a_violated_bound():
    sol = solve(front_toy(bounds=(None, 20.0)))
    tampered = replace(sol, params=replace(sol.params, pareto_bounds=(None, 25.0)))
    report = check_solution(tampered, raise_on_error=False)
    assert "pareto" in {v.family for v in report.violations}


def test_resolve_along_the_front_matches_fresh_builds():
    """One model, re-solved: anchors, then the bound on gas from 30 down to 10. Weights and
    bound switches recompile; the bound alone is pushed as an update. Each answer is the
    fresh build's and passes the checker."""
    points = [
        ((1.0, 0.0), (None, None), 2.0),
        ((0.0, 1.0), (None, None), -40.0),
        ((1.0, 0.0), (None, 30.0), 3.5),
        ((1.0, 0.0), (None, 20.0), 3.0),
        ((1.0, 0.0), (None, 10.0), 2.5),
    ]
    model = build_model(front_toy())
    solver = HighsSolver(EXACT)
    handoffs = []
    for weights, bounds, expected in points:
        inputs = front_toy(weights=weights, bounds=bounds)
        recompile = set_params(model, inputs)
        report = solver.solve(model, warmstart=True, recompile=recompile)
        handoffs.append(report.handoff)
        assert report.objective == pytest.approx(expected)
        fresh, _, _ = solve_inputs(inputs, EXACT)
        assert fresh.report.objective == pytest.approx(expected)
        check_solution(extract_solution(model, inputs, report))
    assert handoffs == ["full", "full", "full", "update", "update"]


@pytest.mark.parametrize(
    ("field", "values"),
    [
        ("gas_cost_musd_per_mw_y", [0.1, 0.3, 0.05, 0.2]),
        ("grid_energy_cost_musd_per_mw_y", [0.1, 0.5, 0.01]),
        ("target_mw", [20, 10, 20]),
        ("max_sites", [1, 0, 1]),
    ],
)
def test_parameter_updates_match_fresh_builds(field, values):
    """Costs and right-hand sides pushed to the same HiGHS object give the fresh answers
    (and an infeasible point in between, max_sites = 0 with a 20 MW target, does not
    disturb the next one)."""
    base = toy(
        {"F": {"supply": 1000}, "S": {}},
        {"F>S": ("F", "S", 1000)},
        {"s": {"node": "S", "max_modules": 2, "grid_id": "g", "open_cost_musd_y": 1.0}},
        grid={"g": 100.0},
        generator_efficiency=0.5,
        gas_cost_musd_per_mw_y=0.1,
        grid_energy_cost_musd_per_mw_y=0.1,
        target_mw=20,
        max_sites=1,
    )
    model = build_model(base)
    solver = HighsSolver(EXACT)
    for i, value in enumerate(values):
        inputs = base.with_params(**{field: value})
        assert set_params(model, inputs) is False
        report = solver.solve(model, warmstart=True)
        assert report.handoff == ("full" if i == 0 else "update")
        fresh = HighsSolver(EXACT).solve(build_model(inputs))
        assert report.outcome == fresh.outcome
        if fresh.has_solution:
            assert report.objective == pytest.approx(fresh.objective)
            check_solution(extract_solution(model, inputs, report))


def test_set_params_refuses_a_structural_change():
    model = build_model(front_toy())
    with pytest.raises(ValueError, match="rebuilt"):
        set_params(model, front_toy().with_params(generator_efficiency=0.4))
    with pytest.raises(ValueError, match="rebuild"):
        set_params(model, front_toy().with_params(budget_musd=10.0))


def test_values_read_from_the_solver_equal_loaded_values():
    """Reading a solution straight from HiGHS (no load into Pyomo) gives the loaded values,
    fixed variables (a grid link fixed at 0) included."""
    inputs = front_toy(bounds=(None, 20.0))
    model = build_model(inputs)
    solver = HighsSolver(EXACT)
    report = solver.solve(model, load=False)
    direct = extract_solution(model, inputs, report, values=solver.values)
    solver.solve(model)
    loaded = extract_solution(model, inputs, report)
    pd.testing.assert_frame_equal(direct.sites, loaded.sites)
    pd.testing.assert_frame_equal(direct.arcs, loaded.arcs)
