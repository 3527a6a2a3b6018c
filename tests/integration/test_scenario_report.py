"""The scenario report on the bundled example: what each scenario changes against the base
plan, whether that change binds, and never a base plan under another name without saying so.

Known answers (the example's base plan, derived from its data in ``siting/examples.py``):
the plan opens ``hub`` (62.0°N, 300 MW IT) and ``junction`` (60.0°N, 200 MW IT), both on
on-site gas, and draws no grid power. Hence

- ``no-arctic`` excludes the one candidate north of 66.56°N, ``field_north`` (67.0°N), which
  the base plan does not open: the exclusion does not bind, the plan and its cost are the
  base's, and the report names the plan's northernmost site, the hub at 62.0°N;
- ``dear-grid`` raises the grid price, which a plan drawing no grid power does not pay: the
  same plan at the same cost, reported as the base plan under another name because no
  change binds;
- ``most-gas`` burns the most gas under a ceiling of 2,000 USD per MWh of IT, ten times what
  a campus costs: the ceiling does not bind, and the plan stops at the example's largest
  size, 3 sites (``max_sites``) × 6 modules × 50 MW = 900 MW of IT.
"""

from __future__ import annotations

import pytest

from siting.api import solve_scenarios
from siting.examples import write_example
from siting.scenario_report import scenario_table, scenarios_markdown

SCENARIOS = """
scenarios:
  no-arctic:
    description: no campus north of the Arctic Circle
    candidates: {exclude_arctic: true}
  dear-grid:
    description: grid power at 200 USD/MWh
    costs: {grid_price: 200 USD/MWh}
  most-gas:
    description: the most gas under a ceiling no plan reaches
    objective: {sense: max_gas_use, target_it: null, ceiling_usd_per_mwh: 2000}
"""


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    path = write_example(tmp_path_factory.mktemp("example"))
    path.write_text(path.read_text() + SCENARIOS)
    return scenario_table(solve_scenarios(path))


def test_the_base_comes_first_and_every_scenario_is_timed(table):
    assert list(table.index) == ["base", "no-arctic", "dear-grid", "most-gas"]
    assert (table["wall_s"] > 0).all() and (table["highs_s"] >= 0).all()
    assert table["it_mw"].tolist() == pytest.approx([500.0] * 3 + [900.0])
    assert table.at["base", "why"] == ""


def test_an_exclusion_the_base_plan_does_not_use_does_not_bind(table):
    why = table.at["no-arctic", "why"]
    assert "excludes 1 more candidates; does not bind" in why
    assert "62.0°N" in why
    assert "cost against the base plan: +0.0 MUSD/y" in why
    assert table.at["no-arctic", "same_plan_as_base"]
    assert "because no change above binds" in why


def test_a_price_the_plan_does_not_pay_is_the_base_plan_under_another_name(table):
    why = table.at["dear-grid", "why"]
    assert "costs.grid_price: 200 USD/MWh" in why
    assert table.at["dear-grid", "grid_mw"] == 0
    assert table.at["dear-grid", "cost_musd_y"] == pytest.approx(table.at["base", "cost_musd_y"])
    assert "the base plan under another name" in why


def test_the_markdown_holds_one_row_and_one_note_per_scenario(table):
    text = scenarios_markdown(table)
    assert text.startswith("| scenario |") and text.count("\n| ") == len(table)
    assert "**no-arctic**" in text and "**dear-grid**" in text and "**base**" not in text


def test_a_ceiling_no_plan_reaches_does_not_bind(table):
    row = table.loc["most-gas"]
    why = row["why"]
    assert f"the most gas: {row['gas_direct_bcm_y']:.1f} bcm/y (on site;" in why
    assert "on 0.9 GW of IT" in why
    assert "(ceiling 2000: does not bind;" in why
    assert row["cost_usd_per_mwh_it"] < 2000
    assert "not costed like the base" not in why
