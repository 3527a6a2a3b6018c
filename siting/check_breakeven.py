"""The independent check of the break-even table (:mod:`siting.breakeven`).

Recomputed site by site in plain Python from the Solution's other tables, as whole-campus
annual costs (MUSD/y) rather than per MW of load: with L the mean and L_peak the peak
facility load at the listed IT, K the capacity installed for L_peak, X the technology's
capex, a and f its yearly cost per unit of capex and its fixed O&M not proportional to
capex, m the site's capex multiplier:

    on site(X) = (a·X + f)·m·K + (gas_cost·k_gas/η + vom)·L
    grid(P)    = P·8760/10⁶·k_grid·L + charge·L_peak + link

X* solves on site(X*) = grid(P_case) and P* solves grid(P*) = on site(X_case). The rows
must be every chosen site and the cheapest unchosen ones per MW IT on their own, at their
minimum size.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from siting.solution import Solution

if TYPE_CHECKING:
    from siting.check import _Checker

FAMILY = "breakeven"
_NUMBERS = (
    "it_mw",
    "facility_mw",
    "peak_facility_mw",
    "installed_mw",
    "onsite_musd_per_mw_y",
    "grid_musd_per_mw_y",
    "standalone_musd_per_mw_it_y",
    "gen_capex_musd_per_mw",
    "breakeven_gen_capex_musd_per_mw",
    "breakeven_gen_capex_mln_local_per_mw",
    "breakeven_grid_price_usd_per_mwh",
    "breakeven_grid_price_local_per_mwh",
    "grid_spare_mw",
)


def _pue_by_site(solution: Solution) -> dict[str, list[tuple[float, float]]]:
    """(weight, PUE) of every period, per site."""
    if not solution.is_v2:
        return {str(s): [(1.0, float(v))] for s, v in solution.sites["pue"].items()}
    weight = {str(q): float(w) for q, w in solution.periods["weight"].items()}
    out: dict[str, list[tuple[float, float]]] = {}
    pue = solution.site_periods["pue"]
    for site, period, value in zip(
        pue.index.get_level_values(0),
        pue.index.get_level_values(1),
        pue.to_numpy(float),
        strict=True,
    ):
        out.setdefault(str(site), []).append((weight[str(period)], float(value)))
    return out


def _spare_by_node(solution: Solution) -> dict[str, float]:
    if solution.is_v2 and len(solution.grid_periods):
        out: dict[str, float] = {}
        spare = solution.grid_periods["spare_mw"]
        for node, value in zip(spare.index.get_level_values(0), spare.to_numpy(float), strict=True):
            out[str(node)] = min(out.get(str(node), math.inf), float(value))
        return out
    return {str(g): float(v) for g, v in solution.grid_nodes["spare_mw"].items()}


def _row(
    solution: Solution,
    sid: str,
    it: float,
    pue: list[tuple[float, float]],
    spare: dict[str, float],
) -> dict[str, Any]:
    """Every column of one site's break-even row, recomputed."""
    p = solution.params
    s: dict[Any, Any] = solution.sites.loc[sid].to_dict()
    mean = sum(w * v for w, v in pue) * it
    peak = max(v for _w, v in pue) * it
    m = float(s["capex_multiplier"])
    fuel = p.gas_cost_musd_per_mw_y * float(s["gas_price_factor"])
    tech = solution.technologies
    candidates = []  # (annual cost, name, installed, a, f, capex, running)
    if len(tech):
        rows: dict[Any, dict[Any, Any]] = tech.to_dict("index")
        for name, t in rows.items():
            if "available" in t and not bool(t["available"]):
                continue
            unit = float(t["unit_mw"])
            units = math.ceil(peak / unit - 1e-9) + (1 if p.reliability == "n_plus_1" else 0)
            k = units * unit
            a, x = float(t["annual_cost_per_capex"]), float(t["capex_musd_per_mw"])
            f = float(t["cost_musd_per_mw_y"]) - a * x
            running = fuel / float(t["efficiency"]) + float(t["variable_om_musd_per_mw_y"])
            total = (a * x + f) * m * k + running * mean
            candidates.append((total, str(name), k, a * m * k, f * m * k, x, running))
        total, name, k, slope, fixed, x, running = min(candidates, key=lambda c: c[0])
    else:
        k = (1.0 + p.reserve_margin) * peak
        per_mw = float(s["gen_cost_musd_per_mw_y"])
        x = float(s["gen_capex_musd_per_mw"]) / m if m > 0 else 0.0
        running = fuel / p.generator_efficiency
        total = per_mw * k + running * mean
        name, fixed = "generation", 0.0
        slope = per_mw * k / x if x > 0 else math.nan
    gid = s["grid_id"]
    linked = isinstance(gid, str) and bool(p.allow_grid)
    grid_total = price_star = spare_mw = x_star = math.nan
    if linked:
        g: dict[Any, Any] = solution.grid_nodes.loc[gid].to_dict()
        factor = float(g["price_factor"])
        charge = sum(
            float(g[c])
            for c in ("capacity_charge_musd_per_mw_y", "connection_cost_musd_per_mw_y")
            if c in g and g[c] == g[c]
        )
        standing = charge * peak + float(s["grid_link_cost_musd_y"])
        grid_total = p.grid_energy_cost_musd_per_mw_y * factor * mean + standing
        per_price = 8760.0 / 1e6 * factor * mean
        if per_price > 0:
            price_star = (total - standing) / per_price
        spare_mw = spare.get(gid, math.nan)
        if slope > 0:
            x_star = (grid_total - fixed - running * mean) / slope
    cheapest = min(total, grid_total) if linked else total
    return {
        "technology": name,
        "it_mw": it,
        "facility_mw": mean,
        "peak_facility_mw": peak,
        "installed_mw": k,
        "onsite_musd_per_mw_y": total / mean,
        "grid_musd_per_mw_y": grid_total / mean,
        "cheaper": "grid" if linked and grid_total < total else "on-site",
        "standalone_musd_per_mw_it_y": (
            float(s["open_cost_musd_y"]) + float(s["it_cost_musd_per_mw_y"]) * it + cheapest
        )
        / it,
        "gen_capex_musd_per_mw": x,
        "breakeven_gen_capex_musd_per_mw": x_star,
        "breakeven_gen_capex_mln_local_per_mw": x_star * p.capex_per_usd,
        "breakeven_grid_price_usd_per_mwh": price_star,
        "breakeven_grid_price_local_per_mwh": price_star * p.price_per_usd,
        "grid_spare_mw": spare_mw,
    }


def check_breakeven(c: _Checker, solution: Solution, near: int = 10) -> None:
    """Every row and column of the break-even table, and which sites it lists."""
    table = solution.breakeven
    if not solution.params.energy_system:
        if len(table.columns):
            c.note(FAMILY, "table", math.nan, "a plan without an energy system has no break-even")
        return
    if not len(table.columns):
        return
    c.report.checked.append(FAMILY)
    sites = solution.sites
    pue = _pue_by_site(solution)
    spare = _spare_by_node(solution)
    listed = [str(i) for i in table.index]
    unknown = [sid for sid in listed if sid not in sites.index]
    for sid in unknown:
        c.note(FAMILY, sid, math.nan, "listed but not a site of the plan")
    opened = {str(sid) for sid in sites.index[sites["open"].to_numpy(float) > 0.5]}
    for sid in sorted(opened - set(listed)):
        c.note(FAMILY, sid, math.nan, "a chosen site missing from the break-even table")
    rows: dict[str, dict[str, Any]] = {}
    records: dict[Any, dict[Any, Any]] = sites.to_dict("index")
    for key, s in records.items():
        sid = str(key)
        it = (
            float(s["it_mw"])
            if sid in opened
            else float(s["module_mw"]) * max(float(s["min_modules"]), 1.0)
        )
        rows[sid] = _row(solution, sid, it, pue[sid], spare)
    # the unchosen rows are the cheapest ones on their own
    shown_out = [sid for sid in listed if sid in rows and sid not in opened]
    others = sorted(
        (rows[sid]["standalone_musd_per_mw_it_y"], sid) for sid in rows if sid not in opened
    )
    want = min(near, len(others))
    if len(shown_out) != want:
        c.note(
            FAMILY,
            "unchosen",
            float(len(shown_out) - want),
            f"{len(shown_out)} listed, {want} expected",
        )
    elif want:
        worst = max(float(rows[sid]["standalone_musd_per_mw_it_y"]) for sid in shown_out)
        cut = float(others[want - 1][0])
        c.leq(
            FAMILY,
            pd.Index(["unchosen"]),
            np.array([worst]),
            np.array([cut]),
            "the cheapest unchosen sites are listed",
        )
    known = [sid for sid in listed if sid in rows]
    ids = pd.Index(known)
    chosen_flag = table.loc[known, "chosen"].astype(bool).to_numpy()
    c.eq(
        FAMILY,
        ids,
        chosen_flag.astype(float),
        np.array([sid in opened for sid in known], dtype=float),
        "chosen = open",
    )
    for col in _NUMBERS:
        written = table.loc[known, col].to_numpy(float)
        again = np.array([float(rows[sid][col]) for sid in known])
        c.eq(
            FAMILY,
            ids,
            np.isnan(written).astype(float),
            np.isnan(again).astype(float),
            f"{col} defined",
        )
        both = ~np.isnan(written) & ~np.isnan(again)
        c.eq(FAMILY, ids[both], written[both], again[both], col)
    for col in ("technology", "cheaper"):
        for sid in known:
            if str(table.at[sid, col]) != rows[sid][col]:
                c.note(
                    FAMILY,
                    sid,
                    math.nan,
                    f"{col} {table.at[sid, col]!r}, recomputed {rows[sid][col]!r}",
                )
