"""Quantities with units, and their conversion to the internal units.

Internal units: MW for every power or energy flow (gas as fuel heat on an LHV basis), km for
distance, million USD (MUSD) for money, USD/MWh for energy prices, hours for time.

A quantity in a case file is a string such as ``"5 GW"`` or ``"3870 RUB/1000m3"``. Each
field of the case schema accepts one *kind* of quantity, and the unit must be one that the
kind lists; conversion to internal units happens once, in :func:`to_internal`, with the
case's :class:`Conversions` (gas heating value and exchange rates).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

HOURS_PER_YEAR: Final = 8760.0
SECONDS_PER_YEAR: Final = HOURS_PER_YEAR * 3600.0
MJ_PER_MMBTU: Final = 1055.05585
M3_PER_CF: Final = 0.028316846592


@dataclass(frozen=True)
class Conversions:
    """Context that some conversions need: gas heating value and exchange rates."""

    gas_lhv_mj_per_m3: float = 33.8
    rub_per_usd: float = 84.0
    eur_per_usd: float = 0.92

    def mw_per_m3_per_s(self) -> float:
        """Fuel heat in MW of a gas flow of 1 m³/s."""
        return self.gas_lhv_mj_per_m3

    def mwh_per_m3(self) -> float:
        return self.gas_lhv_mj_per_m3 / 3600.0


Factor = Callable[[Conversions], float]


def _k(value: float) -> Factor:
    return lambda _c: value


def _gas(m3_per_year: float) -> Factor:
    return lambda c: m3_per_year / SECONDS_PER_YEAR * c.mw_per_m3_per_s()


def _money(usd: float, currency: str = "USD") -> Factor:
    def factor(c: Conversions) -> float:
        rate = {"USD": 1.0, "RUB": 1.0 / c.rub_per_usd, "EUR": 1.0 / c.eur_per_usd}[currency]
        return usd * rate / 1e6

    return factor


def _gas_price(per_m3: float, currency: str) -> Factor:
    """Price per ``per_m3`` cubic metres → USD per MWh of fuel heat."""

    def factor(c: Conversions) -> float:
        usd = _money(1e6, currency)(c)
        return usd / (per_m3 * c.mwh_per_m3())

    return factor


def _energy_price(per_mwh: float, currency: str) -> Factor:
    return lambda c: _money(1e6, currency)(c) / per_mwh


_CURRENCIES: Final = {"USD": "USD", "RUB": "RUB", "EUR": "EUR"}

_MONEY_SCALES: Final = {"": 1.0, "k": 1e3, "M": 1e6, "B": 1e9, "bn": 1e9, "mln": 1e6}


def _money_units() -> dict[str, Factor]:
    units: dict[str, Factor] = {}
    for cur in _CURRENCIES:
        for prefix, scale in _MONEY_SCALES.items():
            units[f"{prefix}{cur}"] = _money(scale, cur)
    return units


def _per(base: dict[str, Factor], denominators: dict[str, float]) -> dict[str, Factor]:
    """Units ``money/denominator`` where the denominator is in internal units × factor."""
    out: dict[str, Factor] = {}
    for num, f in base.items():
        for den, den_factor in denominators.items():
            out[f"{num}/{den}"] = (lambda f_, d_: lambda c: f_(c) / d_)(f, den_factor)
    return out


_MONEY = _money_units()

_GAS_PRICE: Final[dict[str, Factor]] = {
    **{f"{cur}/MWh": _energy_price(1.0, cur) for cur in _CURRENCIES},
    **{f"{cur}/1000m3": _gas_price(1e3, cur) for cur in _CURRENCIES},
    **{f"{cur}/m3": _gas_price(1.0, cur) for cur in _CURRENCIES},
    **{
        f"{cur}/MMBtu": (lambda cur_: lambda c: _money(1e6, cur_)(c) / (MJ_PER_MMBTU / 3600))(cur)
        for cur in _CURRENCIES
    },
}


def _gas_tariffs() -> dict[str, Factor]:
    """Gas transport tariffs, a gas price per distance (``RUB/1000m3/100km``) → USD per MWh
    of fuel heat per 1,000 km."""
    out: dict[str, Factor] = {}
    for cur in _CURRENCIES:
        for gas in ("1000m3", "MWh"):
            for per, km in (("km", 1.0), ("100km", 100.0), ("1000km", 1000.0)):
                price = _GAS_PRICE[f"{cur}/{gas}"]
                out[f"{cur}/{gas}/{per}"] = (lambda f, k: lambda c: f(c) * 1000.0 / k)(price, km)
    return out


#: kind → unit → factor to the internal unit (given the conversions)
UNITS: Final[dict[str, dict[str, Factor]]] = {
    "power": {"W": _k(1e-6), "kW": _k(1e-3), "MW": _k(1.0), "GW": _k(1e3)},
    "gas_flow": {
        "MW": _k(1.0),
        "GW": _k(1e3),
        "bcm/y": _gas(1e9),
        "mcm/y": _gas(1e6),
        "mcm/d": _gas(1e6 * 365.0),
        "MMcf/d": _gas(1e6 * M3_PER_CF * 365.0),
        "Bcf/d": _gas(1e9 * M3_PER_CF * 365.0),
        "1000m3/h": _gas(1e3 * HOURS_PER_YEAR),
    },
    "length": {"mm": _k(1e-6), "m": _k(1e-3), "km": _k(1.0), "mi": _k(1.609344)},
    "money": _MONEY,
    "money_per_power": _per(_MONEY, {"MW": 1.0, "kW": 1e-3, "GW": 1e3}),
    "money_per_length": _per(_MONEY, {"km": 1.0, "m": 1e-3, "mi": 1.609344}),
    "money_per_power_year": _per(
        _MONEY, {"MW/y": 1.0, "kW/y": 1e-3, "MW/month": 1.0 / 12.0, "kW/month": 1e-3 / 12.0}
    ),
    "energy_price": {
        **{f"{cur}/MWh": _energy_price(1.0, cur) for cur in _CURRENCIES},
        **{f"{cur}/kWh": _energy_price(1e-3, cur) for cur in _CURRENCIES},
    },
    "gas_price": _GAS_PRICE,
    "gas_tariff": _gas_tariffs(),
    "duration": {"s": _k(1.0), "min": _k(60.0), "h": _k(3600.0)},
    "latency": {"ms": _k(1.0), "s": _k(1e3)},
    "temperature": {"C": _k(1.0), "degC": _k(1.0)},
}

#: the internal unit of each kind, for messages and reports
INTERNAL_UNIT: Final = {
    "power": "MW",
    "gas_flow": "MW",
    "length": "km",
    "money": "MUSD",
    "money_per_power": "MUSD/MW",
    "money_per_length": "MUSD/km",
    "money_per_power_year": "MUSD/MW/y",
    "energy_price": "USD/MWh",
    "gas_price": "USD/MWh",
    "gas_tariff": "USD/MWh/1000km",
    "duration": "s",
    "latency": "ms",
    "temperature": "C",
}

_QUANTITY_RE: Final = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(\S.*?)\s*$")


def _normalise(unit: str) -> str:
    return unit.replace(" ", "").replace("³", "3").replace("per", "/")


@dataclass(frozen=True)
class Quantity:
    """A number with a unit of a known kind, as written in a case file."""

    value: float
    unit: str
    kind: str

    def __str__(self) -> str:
        return f"{self.value:g} {self.unit}"

    def to_internal(self, conv: Conversions) -> float:
        return self.value * UNITS[self.kind][self.unit](conv)


def currency_of(unit: str) -> str:
    """The currency a money unit is written in (``"mlnRUB/MW"`` → ``"RUB"``)."""
    head = unit.split("/", 1)[0]
    for cur in _CURRENCIES:
        if head.endswith(cur):
            return cur
    raise ValueError(f"unit {unit!r} names no currency ({', '.join(_CURRENCIES)})")


def allowed_units(kind: str) -> list[str]:
    return sorted(UNITS[kind])


def parse_quantity(text: object, kind: str) -> Quantity:
    """Parse ``"5 GW"`` as a quantity of ``kind``; raise ValueError with the allowed units."""
    if kind not in UNITS:
        raise KeyError(f"unknown quantity kind {kind!r}")
    if isinstance(text, Quantity):
        if text.kind != kind:
            raise ValueError(f"expected a {kind} quantity, got a {text.kind} quantity")
        return text
    if isinstance(text, bool) or not isinstance(text, str | int | float):
        raise ValueError(f"expected a {kind} quantity such as '{_example(kind)}'")
    if isinstance(text, int | float):
        raise ValueError(
            f"{text!r} has no unit; write it as '{text} <unit>', "
            f"with a unit from: {', '.join(allowed_units(kind))}"
        )
    match = _QUANTITY_RE.match(text)
    if match is None:
        raise ValueError(f"cannot read {text!r} as a number and a unit, e.g. '{_example(kind)}'")
    value, unit = float(match.group(1)), _normalise(match.group(2))
    table = UNITS[kind]
    if unit not in table:
        lower = {u.lower(): u for u in table}
        if unit.lower() not in lower:
            raise ValueError(
                f"unit {match.group(2)!r} is not a {kind} unit; allowed: {', '.join(sorted(table))}"
            )
        unit = lower[unit.lower()]
    return Quantity(value, unit, kind)


def _example(kind: str) -> str:
    return (
        f"1 {INTERNAL_UNIT[kind]}"
        if INTERNAL_UNIT[kind] in UNITS[kind]
        else f"1 {next(iter(UNITS[kind]))}"
    )


def convert(value: float, unit: str, kind: str, conv: Conversions) -> float:
    """Convert ``value`` in ``unit`` to the internal unit of ``kind``."""
    return parse_quantity(f"{value} {unit}", kind).to_internal(conv)


def bcm_per_year_to_mw(bcm_y: float, conv: Conversions | None = None) -> float:
    return bcm_y * _gas(1e9)(conv or Conversions())


def mw_to_bcm_per_year(mw: float, conv: Conversions | None = None) -> float:
    return mw / _gas(1e9)(conv or Conversions())


def capital_recovery_factor(rate: float, years: float) -> float:
    """Annuity factor: the yearly payment per unit of overnight capital."""
    if years <= 0:
        raise ValueError("lifetime must be positive")
    if rate == 0:
        return 1.0 / years
    growth = (1.0 + rate) ** years
    return rate * growth / (growth - 1.0)


#: column-name suffixes of layer files → (kind, unit)
COLUMN_SUFFIXES: Final = {
    "_bcm_y": ("gas_flow", "bcm/y"),
    "_mcm_d": ("gas_flow", "mcm/d"),
    "_mmcf_d": ("gas_flow", "MMcf/d"),
    "_km3_h": ("gas_flow", "1000m3/h"),
    "_mcm_y": ("gas_flow", "mcm/y"),
    "_bcf_d": ("gas_flow", "Bcf/d"),
    "_rub_1000m3": ("gas_price", "RUB/1000m3"),
    "_usd_1000m3": ("gas_price", "USD/1000m3"),
    "_usd_mwh": ("gas_price", "USD/MWh"),
    "_usd_mmbtu": ("gas_price", "USD/MMBtu"),
    "_rub_mwh": ("energy_price", "RUB/MWh"),
    "_rub_mw_month": ("money_per_power_year", "RUB/MW/month"),
    "_usd_mw_month": ("money_per_power_year", "USD/MW/month"),
    "_rub_mw_y": ("money_per_power_year", "RUB/MW/y"),
    "_usd_mw_y": ("money_per_power_year", "USD/MW/y"),
    "_mw": ("power", "MW"),
    "_gw": ("power", "GW"),
    "_km": ("length", "km"),
    "_mm": ("length", "mm"),
    "_m": ("length", "m"),
}


def unit_suffix(kind: str, unit: str) -> str:
    """The column-name suffix that declares ``unit`` (e.g. ``mcm/d`` → ``_mcm_d``); raises
    ValueError naming the allowed units when ``unit`` is not a ``kind`` unit with a suffix."""
    parsed = parse_quantity(f"1 {unit}", kind).unit
    for suffix, (k, u) in COLUMN_SUFFIXES.items():
        if u == parsed and (k == kind or (kind == "gas_flow" and k == "power")):
            return suffix
    allowed = sorted(u for k, u in COLUMN_SUFFIXES.values() if k == kind)
    raise ValueError(
        f"unit {unit!r} cannot be declared for a column; allowed: {', '.join(allowed)}"
    )


def column_unit(column: str) -> tuple[str, str] | None:
    """The (kind, unit) a column name declares by its suffix, or None."""
    for suffix, kind_unit in sorted(COLUMN_SUFFIXES.items(), key=lambda kv: -len(kv[0])):
        if column.endswith(suffix):
            return kind_unit
    return None
