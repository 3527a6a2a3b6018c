"""Candidate sites: attributes, cost multipliers and exclusion rules, checked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from siting.candidates import pue_at, remoteness_multiplier
from siting.config import PueCurve
from siting.examples import example_case, example_geodata
from siting.geo import geodesic_km
from siting.inputs import spacing_cliques
from siting.pipeline import prepare


def test_remoteness_multiplier_is_free_then_linear_then_capped():
    """free 50 km, +10 % per 100 km beyond, cap 1.3: 40 km → 1, 250 km → 1.2, 900 km → 1.3."""
    d = np.array([40.0, 250.0, 900.0])
    assert remoteness_multiplier(d, 50, 0.10, 1.3) == pytest.approx([1.0, 1.2, 1.3])


def test_pue_is_piecewise_linear_and_clamped():
    curve = PueCurve(temperature_c=(-10, 0, 6), pue=(1.10, 1.15, 1.20))
    assert pue_at(np.array([-30.0, -5.0, 3.0, 20.0]), curve) == pytest.approx(
        [1.10, 1.125, 1.175, 1.20]
    )


def example_sites(**overrides):
    case = example_case(**overrides)
    return prepare(case, example_geodata(case)).candidates.sites.set_index("site_id")


def test_example_attributes_by_hand():
    sites = example_sites()
    hub = sites.loc["hub"]
    # nearest town of ≥ 15,000 to the hub (63.0E 62.0N) is Hubtown (63.1E 62.1N)
    assert hub["town"] == "Hubtown"
    assert hub["town_km"] == pytest.approx(float(geodesic_km(63.0, 62.0, 63.1, 62.1)), rel=1e-9)
    assert hub["remoteness_multiplier"] == 1.0
    assert hub["grid_id"] == "grid_hub"
    assert hub["fiber_km"] < 1.0  # the backbone runs through the hub
    north = sites.loc["field_north"]  # 67.0N: north of the Arctic Circle, −9 °C station on site
    assert north["arctic"] and north["permafrost"]
    assert north["temp_mean_c"] == pytest.approx(-9.0, abs=0.05)
    # nearest town ≥ 15,000 is Eastfield (73.0E 63.0N): ≈ 510 km → 1 + 0.1 · (510 − 50)/100
    town_km = float(geodesic_km(68.0, 67.0, 73.0, 63.0))
    assert north["town_km"] == pytest.approx(town_km, rel=1e-9)
    expected = (1 + 0.1 * (town_km - 50) / 100) * 1.3  # remoteness × Arctic (1.3 > permafrost 1.15)
    assert north["capex_multiplier"] == pytest.approx(min(expected, 2.0 * 1.3))


def test_eligibility_band_and_arctic_exclusion_keep_their_reasons():
    sites = example_sites(
        candidates={"remoteness": {"max_km": 300}, "exclude_arctic": True},
    )
    north = sites.loc["field_north"]
    assert not north["eligible"]
    assert "farther than 300 km from a town" in north["exclusion_reason"]
    assert "north of the Arctic Circle" in north["exclusion_reason"]
    assert sites.loc["hub", "eligible"]


def test_border_buffer_per_neighbour():
    """The example's western border runs along 44°E; the junction (56E 60N) is ~670 km away."""
    sites = example_sites(candidates={"border_buffer_km": 100})
    assert sites["eligible"].all()
    sites = example_sites(candidates={"border_buffer_km": 700})
    assert not sites.loc["junction", "eligible"]
    assert "within 700 km of an international border" in sites.loc["junction", "exclusion_reason"]


def test_spacing_cliques_cover_every_close_pair():
    """Four sites 40 km apart on a meridian (≈ 0.36°), minimum spacing 100 km: pairs closer
    than 100 km are (0,1), (0,2), (1,2), (1,3), (2,3) → cliques {0,1,2} and {1,2,3}."""
    lat = 60 + np.arange(4) * 0.3597
    sites = pd.DataFrame({"lon": 60.0, "lat": lat}, index=[f"s{i}" for i in range(4)])
    cliques = spacing_cliques(sites, 100.0)
    groups = sorted(tuple(g) for g in cliques.groupby("clique_id")["site_id"].apply(sorted))
    assert groups == [("s0", "s1", "s2"), ("s1", "s2", "s3")]


def test_site_costs_take_the_capex_multiplier_from_the_attributes():
    """field_north is Arctic (×1.3) and on permafrost (×1.15): the larger, 1.3, applies. With
    the Arctic multiplier at 1.0 the permafrost one, 1.15, does: its IT capex per MW falls
    by 1.15 / 1.3 and the candidate table shows the same multiplier as the site table."""
    case = example_case()
    base = prepare(case, example_geodata(case))
    cheap = example_case(costs={"arctic_multiplier": 1.0})
    cheaper = prepare(cheap, example_geodata(cheap))
    north, north_cheap = (
        base.inputs.sites.loc["field_north"],
        cheaper.inputs.sites.loc["field_north"],
    )
    assert north_cheap["it_capex_musd_per_mw"] == pytest.approx(
        north["it_capex_musd_per_mw"] * 1.15 / 1.3, rel=1e-12
    )
    shown = cheaper.candidates.sites.set_index("site_id").loc["field_north", "capex_multiplier"]
    assert shown == north_cheap["capex_multiplier"]
    assert shown == pytest.approx(north["capex_multiplier"] * 1.15 / 1.3, rel=1e-12)


def test_each_attribute_adds_its_columns_and_reasons_in_table_order():
    """The table's attribute columns are those of the attribute functions, in their order."""
    from siting.candidates import ATTRIBUTES, Points, candidate_points

    case = example_case(candidates={"remoteness": {"max_km": 300}, "exclude_arctic": True})
    data = example_geodata(case)
    prepared = prepare(case, data)
    graph = prepared.network.graph
    cfg = case.candidates
    points = candidate_points(graph, cfg.node_kinds, cfg.spacing_km)
    at = Points.of(points)
    found = [attribute(at, data, case) for attribute in ATTRIBUTES]
    columns = [c for f in found for c in f.columns]
    sites = prepared.candidates.sites
    expected = [c for c in sites.columns if c not in points.columns]
    assert expected == [*columns, "capex_multiplier", "exclusion_reason", "eligible", "geometry"]
    north = sites.set_index("site_id").loc["field_north", "exclusion_reason"]
    assert north == "farther than 300 km from a town; north of the Arctic Circle"
