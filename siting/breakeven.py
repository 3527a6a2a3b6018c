"""Break-even: at which generation capex, and at which grid price, a site's other power
option would cost the same as the one it has.

A pure function of a Solution's tables (no model, no solver). For every chosen site and the
``near`` best unchosen ones (the cheapest per MW IT on their own, at their minimum size),
both ways of powering the whole campus are costed per MW of its mean facility load
L = Σ_p w[p]·PUE[s,p]·IT[s] and per year (MUSD/y per MW), with L_peak = max_p PUE[s,p]·IT[s]:

- **on site**, with the site's cheapest technology t (of the menu; the one continuous
  technology without a menu):

      onsite[s,t] = c_t(X_t)·m[s]·K[s,t]/L + gas_cost·k_gas[s]/η_t + vom_t
      c_t(X) = a_t·X + f_t        (a_t = ``annual_cost_per_capex``, f_t the fixed O&M not
                                    proportional to capex)

  where K[s,t] is the capacity installed for L_peak: ⌈L_peak/unit_t⌉ units, one more
  under the N+1 rule (without a menu, (1 + reserve)·L_peak). The facility capex already
  holds UPS and diesel; nothing else is counted for backup.
- **from the grid** (its node g(s), where the site has one and grid supply is allowed):

      grid[s] = grid_cost·k_grid[g] + charge[g]·L_peak/L + link[s]/L

  with charge the capacity charge plus the annualised connection charge per MW contracted
  (L_peak is contracted) and link the line and substation's annual cost.

The break-even generation capex X* (MUSD per MW of electric capacity, before the site's
capex multiplier; the case's number for t is ``gen_capex_musd_per_mw``) sets
onsite[s,t](X*) = grid[s]:

    X* = (grid[s] − gas_cost·k_gas/η_t − vom_t − f_t·m·K/L) / (a_t·m·K/L)

Below X* on-site gas is the cheaper way to power the site (negative: the grid is cheaper
even with free generating equipment). The break-even grid price P* (USD/MWh, the case's
reference price before the node's price factor, as ``costs.grid_price``) sets
grid[s](P*) = onsite[s,t]:

    P* = (onsite[s,t] − charge·L_peak/L − link/L) / (k_grid·8760/10⁶)

Both are also given in the case's currencies (``Params.capex_currency`` for capex, in
millions per MW; ``Params.price_currency`` for the price). The comparison is of whole
campuses on one option or the other at the case's prices: spare grid capacity, pipeline
capacity, national caps and the pipeline transport tariff are not part of it (the plan
weighs those); ``grid_spare_mw`` shows the node's smallest spare over the periods.

:func:`breakeven_headline` condenses the chosen sites' X* into one statement, "on-site gas
beats the grid below X at N of M sites", with X the break-even that more than half of the
chosen sites reach (rounded down to three significant figures): with generation capex
below X, on-site gas is the cheaper way to power N of the M chosen sites with a grid
option.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from siting.inputs import MUSD_Y_PER_USD_PER_MWH, Params

if TYPE_CHECKING:
    from siting.solution import Solution

#: unchosen sites listed beside the chosen ones
NEAR_MISSES = 10
#: the one on-site technology of a plan without a technology menu
CONTINUOUS = "generation"
BREAKEVEN_COLUMNS = [
    "chosen",
    "technology",
    "it_mw",
    "facility_mw",
    "peak_facility_mw",
    "installed_mw",
    "onsite_musd_per_mw_y",
    "grid_musd_per_mw_y",
    "cheaper",
    "standalone_musd_per_mw_it_y",
    "gen_capex_musd_per_mw",
    "breakeven_gen_capex_musd_per_mw",
    "breakeven_gen_capex_mln_local_per_mw",
    "breakeven_grid_price_usd_per_mwh",
    "breakeven_grid_price_local_per_mwh",
    "grid_spare_mw",
]


@dataclass(frozen=True)
class _Option:
    """One on-site technology: unit size (None: continuous), efficiency, the yearly cost per
    MW installed as a·X + f at capex X, variable O&M per MW generated all year."""

    name: str
    unit_mw: float | None
    efficiency: float
    per_capex: float
    fixed: float
    capex: float
    vom: float


def _options(solution: Solution) -> list[_Option]:
    tech = solution.technologies
    if len(tech):
        usable = tech[tech["available"].astype(bool)] if "available" in tech else tech
        return [
            _Option(
                str(t),
                float(r["unit_mw"]),
                float(r["efficiency"]),
                float(r["annual_cost_per_capex"]),
                float(r["cost_musd_per_mw_y"])
                - float(r["annual_cost_per_capex"]) * float(r["capex_musd_per_mw"]),
                float(r["capex_musd_per_mw"]),
                float(r["variable_om_musd_per_mw_y"]),
            )
            for t, r in usable.iterrows()
        ]
    return []


def _loads(solution: Solution, it: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Mean and peak facility load (MW) of each site at IT ``it``."""
    if solution.is_v2:
        pue = solution.site_periods["pue"].unstack("period").reindex(it.index)
        w = solution.periods["weight"].reindex(pue.columns).to_numpy(float)
        mean = pd.Series(pue.to_numpy(float) @ w, index=it.index)
        peak = pue.max(axis=1)
    else:
        mean = peak = solution.sites["pue"].reindex(it.index).astype(float)
    return mean * it, peak * it


def _grid_spare(solution: Solution, grid_id: pd.Series) -> pd.Series:
    """The smallest spare capacity over the periods of each site's grid node (NaN: none)."""
    g = solution.grid_nodes
    if solution.is_v2 and len(solution.grid_periods):
        spare = solution.grid_periods["spare_mw"].groupby(level="grid_id").min()
    else:
        spare = g["spare_mw"]
    return grid_id.map(spare).astype(float)


def breakeven_table(solution: Solution, near: int = NEAR_MISSES) -> pd.DataFrame:
    """The break-even table of the chosen sites and the ``near`` best unchosen ones (no
    columns for a model without an energy system)."""
    p = solution.params
    sites = solution.sites
    if not p.energy_system:
        return pd.DataFrame()
    chosen = sites["open"].to_numpy(float) > 0.5
    smallest = sites["module_mw"] * sites["min_modules"].clip(lower=1)
    it = pd.Series(np.where(chosen, sites["it_mw"], smallest), index=sites.index, dtype=float)
    load, peak = _loads(solution, it)
    mult = sites["capex_multiplier"].to_numpy(float)
    fuel_price = p.gas_cost_musd_per_mw_y * sites["gas_price_factor"].to_numpy(float)

    # on site: the cheapest option at each site
    options = _options(solution)
    lo, pk = load.to_numpy(float), peak.to_numpy(float)
    if options:
        spare = 1.0 if p.reliability == "n_plus_1" else 0.0
        costs, installed = [], []
        for o in options:
            assert o.unit_mw is not None
            k = o.unit_mw * (np.ceil(pk / o.unit_mw - 1e-9) + spare)
            installed.append(k)
            costs.append(
                (o.per_capex * o.capex + o.fixed) * mult * k / lo
                + fuel_price / o.efficiency
                + o.vom
            )
        cost = np.column_stack(costs)
        best = np.argmin(cost, axis=1)
        rows = np.arange(len(sites))
        onsite = cost[rows, best]
        k_mw = np.column_stack(installed)[rows, best]
        name = np.array([o.name for o in options], dtype=object)[best]
        slope = np.array([o.per_capex for o in options])[best] * mult * k_mw / lo
        fixed = np.array([o.fixed for o in options])[best] * mult * k_mw / lo
        running = (
            fuel_price / np.array([o.efficiency for o in options])[best]
            + np.array([o.vom for o in options])[best]
        )
        capex = np.array([o.capex for o in options])[best]
    else:
        k_mw = (1.0 + p.reserve_margin) * pk
        per_mw = sites["gen_cost_musd_per_mw_y"].to_numpy(float)
        capex = np.divide(
            sites["gen_capex_musd_per_mw"].to_numpy(float),
            mult,
            out=np.zeros(len(sites)),
            where=mult > 0,
        )
        running = fuel_price / p.generator_efficiency
        onsite = per_mw * k_mw / lo + running
        slope = np.divide(
            per_mw * k_mw / lo, capex, out=np.full(len(sites), np.nan), where=capex > 0
        )
        fixed = np.zeros(len(sites))
        name = np.full(len(sites), CONTINUOUS, dtype=object)

    # from the grid
    grid_id = sites["grid_id"]
    has_grid = grid_id.notna().to_numpy() & bool(p.allow_grid)
    g = solution.grid_nodes
    factor = grid_id.map(g["price_factor"]).astype(float).to_numpy()
    charge = np.zeros(len(sites))
    for column in ("capacity_charge_musd_per_mw_y", "connection_cost_musd_per_mw_y"):
        if column in g.columns:
            charge += np.nan_to_num(grid_id.map(g[column]).astype(float).to_numpy())
    fixed_grid = charge * pk / lo + sites["grid_link_cost_musd_y"].to_numpy(float) / lo
    grid = np.where(has_grid, p.grid_energy_cost_musd_per_mw_y * factor + fixed_grid, np.nan)

    x_star = np.divide(
        grid - running - fixed, slope, out=np.full(len(sites), np.nan), where=slope > 0
    )
    per_usd_mwh = factor * MUSD_Y_PER_USD_PER_MWH
    p_star = np.divide(
        onsite - fixed_grid,
        per_usd_mwh,
        out=np.full(len(sites), np.nan),
        where=has_grid & (per_usd_mwh > 0),
    )
    cheapest = np.fmin(onsite, grid)
    open_cost = sites["open_cost_musd_y"].to_numpy(float)
    it_cost = sites["it_cost_musd_per_mw_y"].to_numpy(float)
    itv = it.to_numpy(float)
    table = pd.DataFrame(
        {
            "chosen": chosen,
            "technology": name,
            "it_mw": itv,
            "facility_mw": lo,
            "peak_facility_mw": pk,
            "installed_mw": k_mw,
            "onsite_musd_per_mw_y": onsite,
            "grid_musd_per_mw_y": grid,
            "cheaper": np.where(has_grid & (grid < onsite), "grid", "on-site"),
            "standalone_musd_per_mw_it_y": open_cost / itv + it_cost + cheapest * lo / itv,
            "gen_capex_musd_per_mw": capex,
            "breakeven_gen_capex_musd_per_mw": x_star,
            "breakeven_gen_capex_mln_local_per_mw": x_star * p.capex_per_usd,
            "breakeven_grid_price_usd_per_mwh": p_star,
            "breakeven_grid_price_local_per_mwh": p_star * p.price_per_usd,
            "grid_spare_mw": np.where(has_grid, _grid_spare(solution, grid_id), np.nan),
        },
        index=sites.index,
    )
    first = table[chosen].sort_values("it_mw", ascending=False, kind="stable")
    rest = table[~chosen].sort_values("standalone_musd_per_mw_it_y", kind="stable").head(near)
    out = pd.concat([first, rest])
    out.index.name = "site_id"
    return out[BREAKEVEN_COLUMNS]


def floor_significant(x: float, digits: int = 3) -> float:
    """``x`` rounded down to ``digits`` significant figures (so a count of values ≥ it
    stays true)."""
    if not math.isfinite(x) or x == 0:
        return x
    scale = 10.0 ** (math.floor(math.log10(abs(x))) - digits + 1)
    return math.floor(x / scale + 1e-9) * scale


def breakeven_headline(table: pd.DataFrame, params: Params) -> dict[str, Any] | None:
    """One statement over the chosen sites with a grid option: the generation capex below
    which on-site gas is cheaper than the grid at more than half of them (``capex_mln_per_mw``,
    in millions of the case's capex currency per MW, rounded down to three significant
    figures), how many of them reach it (``sites_gas_wins``) of how many (``sites``), how
    many are cheaper on site at the case's capex (``sites_gas_cheaper_now``) or on the grid
    even with free equipment (``sites_grid_always``), and the case's capex of the
    technologies they were costed with. None when no chosen site has a grid option."""
    rows = table[table["chosen"].astype(bool)]
    rows = rows[np.isfinite(rows["breakeven_gen_capex_mln_local_per_mw"].to_numpy(float))]
    if rows.empty:
        return None
    values = np.sort(rows["breakeven_gen_capex_mln_local_per_mw"].to_numpy(float))[::-1]
    majority = len(values) // 2 + 1
    threshold = floor_significant(float(values[majority - 1]))
    techs = rows.groupby("technology", sort=True)["gen_capex_musd_per_mw"].first()
    return {
        "capex_mln_per_mw": threshold,
        "currency": params.capex_currency,
        "sites_gas_wins": int((values >= threshold).sum()),
        "sites": len(values),
        "sites_gas_cheaper_now": int((rows["cheaper"] == "on-site").sum()),
        "sites_grid_always": int((values <= 0).sum()),
        "technologies": {str(t): float(x) * params.capex_per_usd for t, x in techs.items()},
    }


def _shown(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


def breakeven_line(headline: dict[str, Any] | None) -> str:
    """The headline as one sentence that says what the number means."""
    if headline is None:
        return "break-even: no chosen site has a grid connection to compare on-site gas with"
    cur = headline["currency"]
    techs = ", ".join(f"{t} {_shown(x)}" for t, x in headline["technologies"].items())
    x = headline["capex_mln_per_mw"]
    n, m = headline["sites_gas_wins"], headline["sites"]
    what = (
        f"(each site's cheapest on-site technology, case capex {techs} mln {cur}/MW; the "
        "whole campus on one option or the other, per MW of load, reliability spare included)"
    )
    if x <= 0:
        return (
            f"break-even: the grid is cheaper than on-site gas even with free generating "
            f"equipment at {headline['sites_grid_always']} of {m} chosen sites {what}"
        )
    return (
        f"break-even: on-site gas beats the grid below {_shown(x)} mln {cur}/MW of generation "
        f"capex at {n} of {m} chosen sites {what}"
    )
