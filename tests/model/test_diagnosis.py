"""Diagnosis of a network in pieces: each piece's supply against its committed demand, the
short pieces named with the gap to the nearest other piece, pipelines blamed only for what
the pieces do not explain; and an elastic re-solve that stops at its time limit says so."""

from __future__ import annotations

from dataclasses import replace

import pytest
from toy import toy

from siting.config import SolverConfig
from siting.diagnose import component_balance
from siting.errors import InfeasibleError
from siting.outcome import Outcome
from siting.pipeline import solve_inputs

EXACT = SolverConfig(mip_gap=0.0, time_limit_s=30)

#: lon, lat of each node: the island {F2, D2} lies north of the main network
WHERE = {"F1": (0.0, 0.0), "D1": (1.0, 0.0), "S": (2.0, 0.0), "F2": (0.0, 1.0), "D2": (0.0, 1.5)}


def in_pieces(main_pipe_mw: float = 100.0):
    """Main network F1 (100 MW) → D1 (30 MW committed) → S (the site), 2 km of pipe; an
    island F2 (10 MW) → D2 (50 MW committed), 1 km. Together 110 MW of supply cover the
    80 MW of demand, so no system-wide check fires."""
    inputs = toy(
        {
            "F1": {"supply": 100},
            "D1": {"demand": 30},
            "S": {},
            "F2": {"supply": 10},
            "D2": {"demand": 50},
        },
        {
            "F1>D1": ("F1", "D1", main_pipe_mw),
            "D1>S": ("D1", "S", 100),
            "F2>D2": ("F2", "D2", 100),
        },
        {"s": {"node": "S"}},
        generator_efficiency=0.5,
    )
    nodes = inputs.nodes.copy()
    nodes["lon"] = [WHERE[n][0] for n in nodes.index]
    nodes["lat"] = [WHERE[n][1] for n in nodes.index]
    return replace(inputs, nodes=nodes)


def test_each_component_balances_its_supply_against_its_demand():
    """Component 1 (2 route-km): F1, D1, S with 100 MW against 30 MW. Component 2 (1 km):
    F2, D2 with 10 against 50, short 40. Its nearest node to the main network is F2 (lat 1)
    to F1 (lat 0): one degree of latitude at the equator, 110.574 km on the WGS84
    ellipsoid (D1 or S are farther: F2–D1 is about 157 km)."""
    table = component_balance(in_pieces()).set_index("component")
    assert table.loc[1, "nodes"] == "D1;F1;S"
    assert table.loc[2, "nodes"] == "D2;F2"
    assert table["supply_mw"].tolist() == [100, 10]
    assert table["demand_mw"].tolist() == [30, 50]
    assert table["shortfall_mw"].tolist() == [0, 40]
    assert table.loc[2, "nearest_component"] == 1
    assert table.loc[2, "gap_km"] == pytest.approx(110.574, abs=1e-3)
    assert (table.loc[2, "gap_from"], table.loc[2, "gap_to"]) == ("F2", "F1")
    assert table.loc[1, ["gap_from", "gap_to"]].isna().all()


def test_a_short_component_is_named_instead_of_the_pipelines():
    """The island lacks 40 MW. Max-flow delivers 30 + 10 = 40 of the 80 MW; all 40 missing
    are the island's, so no pipeline is blamed."""
    with pytest.raises(InfeasibleError) as info:
        solve_inputs(in_pieces(), EXACT)
    diag = info.value.diagnosis
    (finding,) = [f for f in diag.findings if f.blocking]
    assert finding.family == "gas_balance"
    assert finding.where == "component 2"
    assert finding.amount == pytest.approx(40)
    assert "component 2 (D2, F2) has 10 MW of field supply against 50 MW" in finding.message
    assert "the nearest other component is 1, 110.6 km away (F2 – F1)" in finding.message
    assert diag.components is not None and len(diag.components) == 2


def test_pipelines_are_blamed_only_for_what_the_components_do_not_explain():
    """With F1 → D1 cut to 20 MW, D1 also lacks 10 MW: max-flow delivers 20 + 10 = 30 of 80,
    50 short, of which the island explains 40; the pipe F1>D1 carries the other 10."""
    with pytest.raises(InfeasibleError) as info:
        solve_inputs(in_pieces(main_pipe_mw=20), EXACT)
    found = {f.family: f for f in info.value.diagnosis.findings if f.blocking}
    assert set(found) == {"gas_balance", "arc_capacity"}
    assert found["gas_balance"].amount == pytest.approx(40)
    assert found["arc_capacity"].amount == pytest.approx(10)
    assert found["arc_capacity"].where == "F1>D1"


def test_an_elastic_re_solve_stopped_by_its_time_limit_says_so(monkeypatch):
    """Whatever the elastic model, a re-solve that ends at the time limit is reported as such
    first, with and without a plan."""
    import siting.solver.elastic as elastic
    from siting.solver.highs import HighsSolver

    grid_short = toy(
        {"F": {"supply": 1000}, "S": {}},
        {},
        {"s": {"node": "S", "grid_id": "g"}},
        grid={"g": 30.0},
        target_mw=40,
    )
    for outcome, text in (
        (Outcome.LIMIT, "not the least change"),
        (Outcome.NO_SOLUTION, "before any plan: no cause found"),
    ):

        class Stopped(HighsSolver):
            def solve(self, model, *args, _outcome=outcome, **kwargs):
                report = super().solve(model, *args, **kwargs)
                if _outcome is Outcome.NO_SOLUTION:
                    return replace(report, outcome=_outcome, message="time limit", objective=None)
                return replace(report, outcome=_outcome, message="time limit")

        monkeypatch.setattr(elastic, "HighsSolver", Stopped)
        diag = elastic.elastic_diagnosis(grid_short, EXACT)
        first = diag.lines()[0]
        assert first.startswith("the elastic re-solve stopped at the time limit")
        assert text in first
        assert diag.to_dict()["elastic_note"] == first


def test_the_nearest_component_with_spare_supply_is_named_when_the_nearest_has_none():
    """Add D3 (5 MW committed, no pipeline) at lat 1.2, between the island and the main
    network. D3 is component 3 (0 km). The island's nearest piece is now D3: F2 (lat 1) to
    D3, 0.2° of latitude near the equator, 22.1 km; D3 has no spare supply, so the finding
    also names component 1 (100 − 30 = 70 MW spare), F2–F1 110.6 km as before."""
    inputs = in_pieces()
    nodes = inputs.nodes.copy()
    nodes.loc["D3"] = nodes.loc["D2"]
    nodes.loc["D3", ["name", "lat", "demand_mw"]] = ["D3", 1.2, 5.0]
    with pytest.raises(InfeasibleError) as info:
        solve_inputs(replace(inputs, nodes=nodes), EXACT)
    found = {f.where: f for f in info.value.diagnosis.findings if f.blocking}
    assert set(found) == {"component 2", "component 3"}
    assert found["component 3"].amount == pytest.approx(5)
    island = found["component 2"].message
    assert "the nearest other component is 3, 22.1 km away (F2 – D3)" in island
    assert "the nearest with spare supply is 1 (70 MW spare), 110.6 km away (F2 – F1)" in island
