"""Plausible ranges of prices and costs, to catch a value off by orders of magnitude.

A unit can be valid for its kind and still be the wrong one: ``gas_price: 3870 RUB/m3`` is
read as 4,907 USD/MWh of fuel heat, about a thousand times the Russian regulated price it
was meant to be (3,870 RUB per 1,000 m³). After the conversion to internal units, every price
and cost of the case, and every price in the layers, is compared with a range wide enough
for any market and technology the tool is meant for; a value outside it is a warning (the
run goes on: a scenario may be extreme on purpose). Zero is never warned about: free gas or
a cost left out is a choice.

============================  ============  ===============  ==========================================
quantity                      unit          plausible range  basis
============================  ============  ===============  ==========================================
gas price                     USD/MWh       0.5 – 500        Russian regulated domestic prices, 4,000–
                              (fuel, LHV)                    7,000 RUB per 1,000 m³, are 5–8 USD/MWh;
                                                             US Henry Hub's 2020 low of 1.6 USD/MMBtu
                                                             is 5.5; Dutch TTF's August 2022 peak was
                                                             about 340 EUR/MWh
electricity price             USD/MWh       5 – 1,000        Siberian wholesale, 2,900 RUB/MWh, is 35;
                                                             Nordic hydro lows about 10; monthly
                                                             averages in Europe peaked near 500 in 2022
facility capex                MUSD/MW IT    1 – 50           shell, power and cooling of a data centre,
                                                             without IT hardware: 7–15 in 2024 cost
                                                             surveys
generation capex              MUSD/MW       0.2 – 6          engines and gas turbines 0.5–1.5, CCGT
                                                             1–2, Russian CCGT in the 2025 capacity
                                                             auctions 300 mln RUB/MW (3.6)
site capex                    MUSD          0.5 – 2,000      land, preparation and roads of a campus
fibre capex                   MUSD/km       0.002 – 2        long-haul fibre 0.01–0.1, Arctic × 2.5
grid line capex               MUSD/km       0.05 – 20        110–750 kV overhead lines 0.2–3
grid connection capex         MUSD          0.1 – 1,000      a substation bay and transformers 5–100
compute value                 MUSD/MW/y     0.05 – 200       rent of AI capacity, 10–30 per MW of IT
grid capacity charge          MUSD/MW/y     0.005 – 2        Russian capacity payments, 915,000 RUB
                                                             per MW and month, are 0.13
grid connection charge        MUSD/MW       0.01 – 5         connection fees per MW of new load
menu technology capex         MUSD/MW       0.2 – 6          as generation capex, for each
                                                             ``technology.menu`` entry
menu variable O&M             USD/MWh       0.1 – 100        engines and turbines 2–15
============================  ============  ===============  ==========================================
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from siting.config import Case
from siting.geodata import GeoData
from siting.units import Quantity


@dataclass(frozen=True)
class Range:
    low: float
    high: float
    unit: str
    label: str

    def contains(self, value: float) -> bool:
        return value == 0 or self.low <= value <= self.high

    def text(self) -> str:
        return f"{self.low:,g}–{self.high:,g} {self.unit}"


GAS_PRICE = Range(0.5, 500.0, "USD/MWh", "of fuel heat")
ELECTRICITY_PRICE = Range(5.0, 1000.0, "USD/MWh", "")

#: key path in the case → plausible range of its value in internal units
COST_RANGES: dict[str, Range] = {
    "costs.gas_price": GAS_PRICE,
    "costs.grid_price": ELECTRICITY_PRICE,
    "costs.facility_capex": Range(1.0, 50.0, "MUSD/MW", "of IT"),
    "costs.generation_capex": Range(0.2, 6.0, "MUSD/MW", ""),
    "costs.site_capex": Range(0.5, 2000.0, "MUSD", "per campus"),
    "costs.fiber_capex": Range(0.002, 2.0, "MUSD/km", ""),
    "costs.grid_line_capex": Range(0.05, 20.0, "MUSD/km", ""),
    "costs.grid_connection_capex": Range(0.1, 1000.0, "MUSD", ""),
    "costs.compute_value": Range(0.05, 200.0, "MUSD/MW/y", ""),
    "costs.grid_capacity_charge": Range(0.005, 2.0, "MUSD/MW/y", ""),
    "costs.grid_connection_charge": Range(0.01, 5.0, "MUSD/MW", ""),
}
#: plausible ranges of the fields of each ``technology.menu`` entry
MENU_RANGES: dict[str, Range] = {
    "capex": Range(0.2, 6.0, "MUSD/MW", ""),
    "variable_om": Range(0.1, 100.0, "USD/MWh", ""),
}


def plausibility_warnings(case: Case, data: GeoData | None = None) -> list[str]:
    """A warning for every price or cost of the case (and of the layers' price columns)
    outside its plausible range, with the value in internal units and a likely fix."""
    conv = case.conversions
    checked: list[tuple[str, Quantity | None, Range]] = [
        (key, getattr(getattr(case, key.split(".")[0]), key.split(".")[1], None), rng)
        for key, rng in COST_RANGES.items()
    ]
    for tech, option in case.technology.menu.items():
        for name, rng in MENU_RANGES.items():
            checked.append((f"technology.menu.{tech}.{name}", getattr(option, name), rng))
    out = []
    for key, quantity, rng in checked:
        if quantity is None:
            continue
        value = quantity.to_internal(conv)
        if not rng.contains(value):
            out.append(_message(f"{key}: {quantity}", value, rng, quantity))
    if data is not None:
        out += _layer_warnings(
            data.nodes, "gas_price_usd_per_mwh", "node_id", "nodes", GAS_PRICE, data
        )
        if data.grid is not None:
            out += _layer_warnings(
                data.grid, "energy_price_usd_per_mwh", "grid_id", "grid", ELECTRICITY_PRICE, data
            )
    return out


def _message(what: str, value: float, rng: Range, quantity: Quantity | None = None) -> str:
    label = f" {rng.label}" if rng.label else ""
    text = (
        f"{what} is {value:,.4g} {rng.unit}{label}, far outside the plausible "
        f"{rng.text()} (siting/plausible.py gives the basis)"
    )
    hint = _hint(value, rng, quantity)
    return f"{text}; {hint}" if hint else text


def _hint(value: float, rng: Range, quantity: Quantity | None) -> str:
    """A likely fix: a unit per m³ meant per 1,000 m³, or a factor of 1,000 or 1,000,000."""
    if quantity is not None and quantity.unit.endswith("/m3") and rng.contains(value / 1e3):
        return f"did you mean {quantity.value:g} {quantity.unit[:-3]}/1000m3?"
    for factor, name in ((1e3, "1,000"), (1e6, "1,000,000")):
        if rng.contains(value / factor):
            return f"is it {name} times too high? check the unit"
        if rng.contains(value * factor):
            return f"is it {name} times too low? check the unit"
    return ""


def _layer_warnings(
    frame: pd.DataFrame, column: str, id_column: str, layer: str, rng: Range, data: GeoData
) -> list[str]:
    if column not in frame.columns:
        return []
    values = frame[column].to_numpy(float)
    inside = (values == 0) | ((values >= rng.low) & (values <= rng.high))
    bad = np.isfinite(values) & ~inside
    if not bad.any():
        return []
    ids = frame[id_column].astype(str).to_numpy()[bad]
    source = data.sources.get(layer, "<memory>")
    first = float(values[bad][0])
    more = f" (and {int(bad.sum()) - 1} more features)" if bad.sum() > 1 else ""
    return [_message(f"{source}: layer {layer}: feature {ids[0]}: price{more}", first, rng)]
