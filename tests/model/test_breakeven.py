"""Break-even capex and grid price (``siting.breakeven``), derived by hand, and their check.

Common to the solved cases: one field of 1,000 MW feeds node S; sites at S on grid node g
(spare 100 MW, price factor 1); gas at 0.0876 MUSD per MW of fuel and year (10 USD/MWh);
grid energy at 0.3504 MUSD per MW and year (40 USD/MWh); the grid line costs 1.1 MUSD/y;
the case writes capex and prices in RUB at 84 per USD.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from toy import toy

from siting.breakeven import breakeven_headline, breakeven_line, breakeven_table, floor_significant
from siting.check import check_solution
from siting.config import SolverConfig
from siting.inputs import Params
from siting.pipeline import solve_inputs

EXACT = SolverConfig(mip_gap=0.0, time_limit_s=30)
FIELD = {"F": {"supply": 1000}, "S": {}}
PIPE = {"F>S": ("F", "S", 1000)}
RUB = {
    "capex_currency": "RUB",
    "capex_per_usd": 84.0,
    "price_currency": "RUB",
    "price_per_usd": 84.0,
}
PRICES = {"gas_cost_musd_per_mw_y": 0.0876, "grid_energy_cost_musd_per_mw_y": 0.3504}
#: E: 5 MW units, η 0.4, capex 1.0 MUSD/MW of which 0.1 per year, plus 0.05 per MW and year
#: not tied to capex, variable O&M 0.0876 per MW and year; G: 30 MW units, η 0.5, capex 2.0
E = {"unit": 5, "efficiency": 0.4, "capex": 1.0, "per_capex": 0.1, "cost": 0.15, "vom": 0.0876}
G = {"unit": 30, "efficiency": 0.5, "capex": 2.0, "per_capex": 0.1, "cost": 0.25}


def solve(inputs):
    solution, report, _ = solve_inputs(inputs, EXACT)
    assert report.ok, report.summary()
    return solution


def menu_sites():
    """s (free to open) is chosen for the 20 MW target; t and u cost 10 and 20 MUSD/y to
    open and stay unchosen."""
    base = {
        "node": "S",
        "grid_id": "g",
        "grid_link_cost_musd_y": 1.1,
        "pue": {"winter": 1.2, "summer": 1.0},
    }
    return {
        "s": base,
        "t": {**base, "open_cost_musd_y": 10.0},
        "u": {**base, "open_cost_musd_y": 20.0},
    }


def test_menu_breakeven_by_hand():
    """Two periods of weight ½ with PUE 1.2 and 1.0: 20 MW of IT is a mean load L = 22 MW
    and a peak of 24 MW. N+1: E needs ⌈24/5⌉ + 1 = 6 units (30 MW), G ⌈24/30⌉ + 1 = 2
    (60 MW). Per MW of mean load and year:

    - E: 0.15·30/22 + 0.0876/0.4 + 0.0876 = 0.204545 + 0.219 + 0.0876 = 0.511145;
    - G: 0.25·60/22 + 0.0876/0.5 = 0.681818 + 0.1752 = 0.857018, so E is the technology;
    - grid: 0.3504 + 0.05·24/22 (capacity charge on the peak) + 1.1/22 = 0.454945.

    X*: 0.1·X·30/22 + 0.05·30/22 + 0.3066 = 0.3504 + 2.3/22 → X* = (0.0438·22 + 0.8)/3 =
    0.587867 MUSD/MW = 49.3808 mln RUB/MW (E's capex is 1.0: the grid is cheaper).
    P*: P·0.00876 + 2.3/22 = 4.5/22 + 0.3066 → P* = 0.4066/0.00876 = 46.4155 USD/MWh =
    3898.9 RUB/MWh.
    """
    inputs = toy(
        FIELD,
        PIPE,
        menu_sites(),
        grid={"g": 100.0},
        grid_charges={"g": {"capacity": 0.05}},
        periods={"winter": 0.5, "summer": 0.5},
        techs={"E": E, "G": G},
        reliability="n_plus_1",
        target_mw=20,
        **PRICES,
        **RUB,
    )
    sol = solve(inputs)
    table = sol.breakeven
    row = table.loc["s"]
    assert bool(row["chosen"])
    assert row["technology"] == "E"
    assert row["it_mw"] == pytest.approx(20)
    assert row["facility_mw"] == pytest.approx(22)
    assert row["peak_facility_mw"] == pytest.approx(24)
    assert row["installed_mw"] == pytest.approx(30)
    assert row["onsite_musd_per_mw_y"] == pytest.approx(4.5 / 22 + 0.3066)
    assert row["grid_musd_per_mw_y"] == pytest.approx(0.3504 + 2.3 / 22)
    assert row["cheaper"] == "grid"
    assert row["gen_capex_musd_per_mw"] == pytest.approx(1.0)
    assert row["breakeven_gen_capex_musd_per_mw"] == pytest.approx((0.0438 * 22 + 0.8) / 3)
    assert row["breakeven_gen_capex_mln_local_per_mw"] == pytest.approx(84 * 1.7636 / 3)
    assert row["breakeven_grid_price_usd_per_mwh"] == pytest.approx(0.4066 / 0.00876)
    assert row["breakeven_grid_price_local_per_mwh"] == pytest.approx(84 * 0.4066 / 0.00876)
    assert row["grid_spare_mw"] == pytest.approx(100)
    # the unchosen sites at their minimum size (10 MW IT: L = 11, peak 12), cheapest first:
    # t on the grid costs (10 + (0.3504·11 + 0.05·12 + 1.1))/10 = 1.55544 per MW IT
    assert list(table.index) == ["s", "t", "u"]
    assert table.loc["t", "standalone_musd_per_mw_it_y"] == pytest.approx(
        (10 + 0.3504 * 11 + 0.05 * 12 + 1.1) / 10
    )
    assert list(breakeven_table(sol, near=1).index) == ["s", "t"]


def test_v1_breakeven_by_hand():
    """Without a menu: one continuous technology, η 0.5, 0.15 MUSD per MW and year (capex
    1.0 MUSD/MW), a 25 % reserve. 20 MW IT at PUE 1.1: L = 22 MW, 27.5 MW installed.

    - on site: 0.15·1.25 + 0.0876/0.5 = 0.1875 + 0.1752 = 0.3627 per MW of load;
    - grid: 0.3504 + 1.1/22 = 0.4004 (on-site gas is cheaper).

    X* = (0.4004 − 0.1752)/(0.15·1.25/1.0) = 1.201067 MUSD/MW;
    P* = (0.3627 − 0.05)/0.00876 = 35.6963 USD/MWh."""
    site = {"node": "S", "grid_id": "g", "grid_link_cost_musd_y": 1.1, "pue": 1.1}
    site |= {"gen_cost_musd_per_mw_y": 0.15, "gen_capex_musd_per_mw": 1.0}
    inputs = toy(
        FIELD,
        PIPE,
        {"s": site},
        grid={"g": 100.0},
        generator_efficiency=0.5,
        reserve_margin=0.25,
        target_mw=20,
        **PRICES,
    )
    sol = solve(inputs)
    row = sol.breakeven.loc["s"]
    assert row["technology"] == "generation"
    assert row["installed_mw"] == pytest.approx(27.5)
    assert row["onsite_musd_per_mw_y"] == pytest.approx(0.3627)
    assert row["grid_musd_per_mw_y"] == pytest.approx(0.4004)
    assert row["cheaper"] == "on-site"
    assert row["breakeven_gen_capex_musd_per_mw"] == pytest.approx(0.2252 / 0.1875)
    assert row["breakeven_gen_capex_mln_local_per_mw"] == pytest.approx(0.2252 / 0.1875)
    assert row["breakeven_grid_price_usd_per_mwh"] == pytest.approx(0.3127 / 0.00876)
    assert sol.sites.loc["s", "source"] == "gas"


def test_a_site_without_a_grid_node_has_no_breakeven():
    """No grid node: nothing to tie with; the on-site cost stands alone."""
    site = {"node": "S", "pue": 1.0, "gen_cost_musd_per_mw_y": 0.15, "gen_capex_musd_per_mw": 1.0}
    sol = solve(toy(FIELD, PIPE, {"s": site}, generator_efficiency=0.5, target_mw=20, **PRICES))
    row = sol.breakeven.loc["s"]
    assert np.isnan(row["grid_musd_per_mw_y"])
    assert np.isnan(row["breakeven_gen_capex_musd_per_mw"])
    assert np.isnan(row["breakeven_grid_price_usd_per_mwh"])
    assert row["cheaper"] == "on-site"


def _table(values: list[float], chosen: list[bool]) -> pd.DataFrame:
    n = len(values)
    return pd.DataFrame(
        {
            "chosen": chosen,
            "technology": ["E"] * n,
            "cheaper": ["grid"] * n,
            "gen_capex_musd_per_mw": [1.5] * n,
            "breakeven_gen_capex_mln_local_per_mw": values,
        },
        index=pd.Index([f"s{i}" for i in range(n)], name="site_id"),
    )


def test_the_headline_is_the_capex_a_majority_of_chosen_sites_reaches():
    """Chosen sites break even at 250, 191.7, 190.4, 120 and 80 mln RUB/MW (an unchosen one
    at 400 does not count): more than half is 3 of 5, the third largest is 190.4, shown
    rounded down to 190; 250, 191.7 and 190.4 reach it."""
    params = Params(**RUB)
    values = [120.0, 250.0, 400.0, 191.7, 80.0, 190.4]
    head = breakeven_headline(_table(values, [True, True, False, True, True, True]), params)
    assert head is not None
    assert head["capex_mln_per_mw"] == pytest.approx(190)
    assert (head["sites_gas_wins"], head["sites"]) == (3, 5)
    assert head["technologies"] == {"E": pytest.approx(126.0)}
    line = breakeven_line(head)
    assert "below 190 mln RUB/MW" in line and "at 3 of 5 chosen sites" in line
    assert "case capex E 126 mln RUB/MW" in line


def test_the_headline_says_when_the_grid_wins_even_with_free_equipment():
    head = breakeven_headline(_table([-5.0, -1.0, 20.0], [True] * 3), Params(**RUB))
    assert head is not None and head["sites_grid_always"] == 2
    assert "even with free generating equipment at 2 of 3" in breakeven_line(head)
    assert breakeven_headline(_table([np.nan], [True]), Params(**RUB)) is None
    assert "no chosen site has a grid connection" in breakeven_line(None)


def test_floor_significant():
    assert floor_significant(190.46) == pytest.approx(190)
    assert floor_significant(0.58786) == pytest.approx(0.587)
    assert floor_significant(-12.34) == pytest.approx(-12.4)


@pytest.mark.parametrize(
    ("column", "row"),
    [
        ("breakeven_gen_capex_musd_per_mw", "s"),
        ("breakeven_grid_price_local_per_mwh", "s"),
        ("installed_mw", "s"),
        ("standalone_musd_per_mw_it_y", "t"),
        ("grid_spare_mw", "u"),
    ],
)
def test_the_checker_recomputes_the_table(column, row):
    """A changed number, a changed technology or a missing chosen site is a violation."""
    inputs = toy(
        FIELD,
        PIPE,
        menu_sites(),
        grid={"g": 100.0},
        grid_charges={"g": {"capacity": 0.05}},
        periods={"winter": 0.5, "summer": 0.5},
        techs={"E": E, "G": G},
        reliability="n_plus_1",
        target_mw=20,
        **PRICES,
        **RUB,
    )
    sol = solve(inputs)
    assert check_solution(sol).ok
    bumped = sol.breakeven.copy()
    bumped.loc[row, column] *= 1.001
    report = check_solution(dataclasses.replace(sol, breakeven=bumped), raise_on_error=False)
    assert not report.ok and any(v.family == "breakeven" for v in report.violations)
    wrong = sol.breakeven.copy()
    wrong.loc["s", "technology"] = "G"
    assert not check_solution(dataclasses.replace(sol, breakeven=wrong), raise_on_error=False).ok
    missing = sol.breakeven.drop(index="s")
    assert not check_solution(dataclasses.replace(sol, breakeven=missing), raise_on_error=False).ok
