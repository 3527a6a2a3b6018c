"""Unit conversions against values worked out by hand."""

from __future__ import annotations

import pytest

from siting.units import (
    Conversions,
    bcm_per_year_to_mw,
    capital_recovery_factor,
    column_unit,
    mw_to_bcm_per_year,
    parse_quantity,
)

C = Conversions(gas_lhv_mj_per_m3=33.8, rub_per_usd=84.0)


def q(text: str, kind: str) -> float:
    return parse_quantity(text, kind).to_internal(C)


def test_bcm_per_year_is_1072_mw_of_fuel_heat():
    """1e9 m³ · 33.8 MJ/m³ / (8760 · 3600 s) = 1071.79 MW."""
    assert bcm_per_year_to_mw(1.0, C) == pytest.approx(1e9 * 33.8 / (8760 * 3600), rel=1e-12)
    assert bcm_per_year_to_mw(1.0, C) == pytest.approx(1071.79, abs=0.01)
    assert mw_to_bcm_per_year(bcm_per_year_to_mw(2.5, C), C) == pytest.approx(2.5)


@pytest.mark.parametrize(
    ("text", "expected_mw"),
    [
        ("1 bcm/y", 1071.79),
        ("1 mcm/d", 1e6 * 365 * 33.8 / (8760 * 3600)),  # 391.2 MW
        ("100 MMcf/d", 100e6 * 0.028316846592 * 365 * 33.8 / (8760 * 3600)),  # 1107.8 MW
        ("1000 1000m3/h", 1e6 * 33.8 / 3600),  # 9388.9 MW
        ("2 GW", 2000.0),
        ("750 MW", 750.0),
    ],
)
def test_gas_flow_units(text, expected_mw):
    assert q(text, "gas_flow") == pytest.approx(expected_mw, rel=1e-4)


def test_money_and_prices():
    assert q("84 RUB", "money") == pytest.approx(1e-6)  # 1 USD = 1e-6 MUSD
    assert q("1.5 bnRUB", "money") == pytest.approx(1.5e9 / 84 / 1e6)
    assert q("300 mlnRUB/MW", "money_per_power") == pytest.approx(300e6 / 84 / 1e6)  # 3.571 MUSD/MW
    assert q("1000 USD/kW", "money_per_power") == pytest.approx(1.0)
    assert q("0.5 MUSD/km", "money_per_length") == pytest.approx(0.5)
    # 3870 RUB per 1000 m³ = 46.07 USD per 9.389 MWh = 4.907 USD/MWh of fuel heat
    assert q("3870 RUB/1000m3", "gas_price") == pytest.approx(3870 / 84 / (1000 * 33.8 / 3600))
    # 1 MMBtu = 0.29307 MWh, so 3 USD/MMBtu = 10.236 USD/MWh
    assert q("3 USD/MMBtu", "gas_price") == pytest.approx(3 / 0.293071, rel=1e-5)
    assert q("2540 RUB/MWh", "energy_price") == pytest.approx(2540 / 84)


def test_capital_recovery_factor():
    """CRF = r(1+r)^n / ((1+r)^n − 1): 8 % over 20 years is 0.101852."""
    assert capital_recovery_factor(0.08, 20) == pytest.approx(0.1018522, rel=1e-6)
    assert capital_recovery_factor(0.0, 25) == pytest.approx(0.04)


@pytest.mark.parametrize(
    ("text", "kind", "message"),
    [
        ("5 GWh", "power", "not a power unit; allowed: GW, MW, W, kW"),
        (5, "power", "has no unit"),
        ("five MW", "power", "cannot read"),
        ("10 USD/MWh", "money_per_power", "not a money_per_power unit"),
    ],
)
def test_bad_units_name_the_allowed_ones(text, kind, message):
    with pytest.raises(ValueError, match=message):
        parse_quantity(text, kind)


def test_unit_spelling_is_forgiving_only_in_case():
    assert parse_quantity("5 gw", "power").unit == "GW"
    assert parse_quantity("5 BCM/Y", "gas_flow").unit == "bcm/y"


def test_column_suffixes():
    assert column_unit("capacity_bcm_y") == ("gas_flow", "bcm/y")
    assert column_unit("spare_mw") == ("power", "MW")
    assert column_unit("length_km") == ("length", "km")
    assert column_unit("name") is None


def test_a_gas_transport_tariff_per_100_km():
    """20 RUB per 1,000 m³ per 100 km = 200 RUB per 1,000 m³ per 1,000 km; 1,000 m³ hold
    33.8 GJ = 9.3889 MWh, and 200 RUB = 2.381 USD: 0.25359 USD per MWh per 1,000 km."""
    conv = Conversions()
    q = parse_quantity("20 RUB/1000m3/100km", "gas_tariff")
    assert q.to_internal(conv) == pytest.approx(200 / 84 / (1000 * 33.8 / 3600), rel=1e-12)
    assert parse_quantity("1 USD/MWh/1000km", "gas_tariff").to_internal(conv) == 1.0
    assert parse_quantity("0.001 USD/MWh/km", "gas_tariff").to_internal(conv) == pytest.approx(1)
