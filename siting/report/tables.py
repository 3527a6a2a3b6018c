"""The numbers behind the maps and the report, as plain pandas tables.

Every figure comes from the Solution's own tables and totals (nothing is re-solved or
re-estimated), so the report says exactly what the solver and the checker saw.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from siting.report.run import RunData
from siting.report.style import COST_TERMS
from siting.solution import Solution

#: relative tolerance for calling a constraint binding
BINDING_TOL = 1e-6

#: per-MW cost terms of the site explanation: (label, Solution cost columns)
UNIT_TERMS = {
    "site and fibre": ("cost_open_musd_y",),
    "IT facility": ("cost_it_musd_y",),
    "generation": ("cost_gen_musd_y",),
    "gas": ("cost_gas_musd_y",),
    "grid": ("cost_grid_link_musd_y", "cost_grid_energy_musd_y"),
}


def headline(run: RunData) -> dict[str, Any]:
    """The headline numbers, straight from the Solution's totals and solve report."""
    t, r = run.solution.totals, run.solution.report
    surplus = t["surplus_bcm_y"]
    return {
        "case": run.label,
        "status": str(r.outcome),
        "status_text": r.describe(),
        "optimal": r.is_optimal,
        "objective_sense": run.solution.params.objective,
        "objective": r.objective,
        "best_bound": r.bound,
        "mip_gap": r.gap,
        "solve_s": r.solve_s,
        "sites_open": int(t["sites_open"]),
        "it_mw": t["it_mw"],
        "facility_mw": t["facility_mw"],
        "gas_bcm_y": t["gas_bcm_y"],
        "surplus_bcm_y": surplus,
        "gas_share_of_surplus": t["gas_bcm_y"] / surplus if surplus > 0 else float("nan"),
        "grid_mw": t["grid_mw"],
        "gen_mw": t["gen_mw"],
        "cost_musd_y": t["cost_musd_y"],
        "cost_per_mw_it_musd_y": t["cost_per_mw_it_musd_y"],
        "capex_musd": t["capex_musd"],
        "capex_per_mw_it_musd": t["capex_per_mw_it_musd"],
        "value_musd_y": t["value_musd_y"],
    }


def cost_breakdown(solution: Solution) -> pd.DataFrame:
    """Annualised cost by term (MUSD/y and share); the rows add up to ``cost_musd_y``."""
    t = solution.totals
    rows = [
        {"term": term, "label": label, "cost_musd_y": float(t.get(term, 0.0))}
        for term, (label, _colour) in COST_TERMS.items()
    ]
    df = pd.DataFrame(rows).set_index("term")
    total = float(df["cost_musd_y"].sum())
    df["share"] = df["cost_musd_y"] / total if total > 0 else 0.0
    return df


def site_places(sites: pd.DataFrame, near_km: float = 5.0) -> pd.Series:
    """Where each site is, in words: its nearest town when within ``near_km``, else "35 km
    from Surgut"; the site id where no town is known. ``sites`` is indexed by site id."""
    town = sites["town"] if "town" in sites.columns else pd.Series(None, index=sites.index)
    km = pd.to_numeric(
        sites["town_km"] if "town_km" in sites.columns else pd.Series(np.nan, index=sites.index),
        errors="coerce",
    )
    out = pd.Series(sites.index.astype(str), index=sites.index, dtype=object)
    known = town.notna() & (town.astype(str).str.len() > 0) & km.notna()
    near = known & (km <= near_km)
    far = known & ~near
    out[near] = town[near].astype(str)
    out[far] = [f"{d:,.0f} km from {t}" for d, t in zip(km[far], town[far], strict=True)]
    return out


def site_table(run: RunData) -> pd.DataFrame:
    """One row per chosen site, largest first: size, power, gas, PUE, distances, cost terms."""
    chosen = run.chosen.sort_values("it_mw", ascending=False)
    chosen = chosen.assign(location=site_places(chosen))
    columns = [
        "location",
        "it_mw",
        "modules",
        "source",
        "gas_mw",
        "gas_bcm_y",
        "grid_mw",
        "gen_mw",
        "pue",
        "temp_mean_c",
        "town",
        "town_km",
        "fiber_km",
        "grid_id",
        "grid_km",
        "border_km",
        "capex_multiplier",
        *[c for c in COST_TERMS if c in chosen.columns],
        "cost_total_musd_y",
        "capex_musd",
        "lon",
        "lat",
    ]
    return chosen[[c for c in columns if c in chosen.columns]]


def unit_costs(solution: Solution) -> pd.DataFrame:
    """Actual cost per MW IT and year by term for every site (NaN where nothing is built)."""
    s = solution.sites
    per_mw = pd.DataFrame(index=s.index)
    it = s["it_mw"].where(s["it_mw"] > 0)
    for label, cols in UNIT_TERMS.items():
        per_mw[label] = s[list(cols)].sum(axis=1) / it
    return per_mw


def _gas_only_per_mw(solution: Solution, it_mw: float) -> pd.DataFrame:
    """What each candidate would cost per MW IT and year built at ``it_mw`` on gas alone,
    from its coefficients: fixed cost / IT, IT cost per MW, generation capacity
    ``(1 + r)·PUE`` and fuel ``PUE / η`` per MW IT."""
    s, p = solution.sites, solution.params
    return pd.DataFrame(
        {
            "site and fibre": s["open_cost_musd_y"] / it_mw,
            "IT facility": s["it_cost_musd_per_mw_y"],
            "generation": s["gen_cost_musd_per_mw_y"] * (1.0 + p.reserve_margin) * s["pue"],
            "gas": p.gas_cost_musd_per_mw_y
            * s["gas_price_factor"]
            * s["pue"]
            / p.generator_efficiency,
            "grid": 0.0,
        },
        index=s.index,
    )


#: the candidate attribute that drives each term, and how to print it
_DRIVERS = {
    "site and fibre": ("fiber_km", "fibre", "{:.0f} km"),
    "IT facility": ("capex_multiplier", "cost multiplier", "×{:.2f}"),
    "generation": ("capex_multiplier", "cost multiplier", "×{:.2f}"),
    "gas": ("pue", "PUE", "{:.3f}"),
    "grid": ("grid_km", "grid", "{:.0f} km"),
}


def site_reasons(run: RunData) -> pd.DataFrame:
    """Why each chosen site was picked: its cost per MW IT by term against the average
    eligible candidate built at the same size on gas, and the terms where it saves most."""
    sol = run.solution
    chosen = run.chosen.sort_values("it_mw", ascending=False)
    if chosen.empty:
        return pd.DataFrame(
            columns=["it_mw", "source", "site_musd_per_mw_y", "average_musd_per_mw_y", "reason"]
        )
    context = _candidate_context(run)
    actual = unit_costs(sol)
    rows = []
    for sid, row in chosen.iterrows():
        it = float(row["it_mw"])
        average = _gas_only_per_mw(sol, it).mean()
        mine = actual.loc[sid]
        delta = mine - average
        reasons = []
        for term in delta.sort_values().index:
            if delta[term] >= -1e-9:
                break
            reasons.append(_explain(term, sid, delta[term], context))
            if len(reasons) == 2:
                break
        if not reasons:
            reasons.append(
                "no cheaper per MW than the average candidate: chosen for the gas it can "
                "receive, its size limits or spacing"
            )
        out = {
            "site_id": sid,
            "it_mw": it,
            "source": row["source"],
            "site_musd_per_mw_y": float(mine.sum()),
            "average_musd_per_mw_y": float(average.sum()),
        }
        for term in UNIT_TERMS:
            out[f"{term} vs avg"] = float(delta[term])
        out["reason"] = "; ".join(reasons)
        rows.append(out)
    return pd.DataFrame(rows).set_index("site_id")


def _candidate_context(run: RunData) -> pd.DataFrame:
    sites = run.solution.sites
    cand = run.layers.get("candidates")
    if cand is None:
        return sites
    extra = pd.DataFrame(cand.drop(columns="geometry")).set_index("site_id")
    cols = [c for c in extra.columns if c not in sites.columns]
    return sites.join(extra[cols], how="left")


def _explain(term: str, sid: str, saving: float, context: pd.DataFrame) -> str:
    column, name, fmt = _DRIVERS[term]
    text = f"{term} {saving:+.3f} MUSD/y per MW"
    if column in context.columns:
        mine = float(context.at[sid, column])
        avg = float(pd.to_numeric(context[column], errors="coerce").replace(np.inf, np.nan).mean())
        if math.isfinite(mine) and math.isfinite(avg):
            text += f" ({name} {fmt.format(mine)} vs {fmt.format(avg)} on average)"
    return text


def binding_constraints(solution: Solution) -> pd.DataFrame:
    """Constraints that hold with equality at the optimum: full pipelines, exhausted grid
    nodes, fields at capacity, sites at their largest size, the target, budget and site cap."""
    rows: list[dict[str, Any]] = []
    p, t = solution.params, solution.totals
    mw_per_bcm = p.mw_per_bcm_y

    def at_limit(value: pd.Series, limit: pd.Series) -> pd.Series:
        return (limit > 0) & (value >= limit - BINDING_TOL * np.maximum(1.0, limit.abs()))

    arcs = solution.arcs
    full = arcs[at_limit(arcs["flow_mw"], arcs["capacity_mw"])]
    for aid, a in full.iterrows():
        corridor = str(a.get("corridor", "") or "")
        rows.append(
            {
                "family": "pipeline full",
                "where": f"{a['from_node']} → {a['to_node']}"
                + (f" ({corridor})" if corridor else ""),
                "detail": f"{a['flow_mw'] / mw_per_bcm:.2f} of {a['capacity_mw'] / mw_per_bcm:.2f} "
                "bcm/y",
                "id": aid,
            }
        )
    grid = solution.grid_nodes
    if len(grid):
        for gid, g in grid[at_limit(grid["used_mw"], grid["spare_mw"])].iterrows():
            rows.append(
                {
                    "family": "grid node exhausted",
                    "where": str(gid),
                    "detail": f"{g['used_mw']:,.0f} of {g['spare_mw']:,.0f} MW spare used",
                    "id": gid,
                }
            )
    nodes = solution.nodes
    for nid, n in nodes[at_limit(nodes["supply_mw"], nodes["supply_max_mw"])].iterrows():
        rows.append(
            {
                "family": "field at capacity",
                "where": str(n.get("name", nid)),
                "detail": f"{n['supply_mw'] / mw_per_bcm:.2f} bcm/y produced",
                "id": nid,
            }
        )
    chosen = solution.chosen
    at_max = chosen[chosen["modules"] >= chosen["max_modules"] - 1e-9]
    for sid, s in at_max.iterrows():
        rows.append(
            {
                "family": "site at its largest size",
                "where": str(sid),
                "detail": f"{s['it_mw']:,.0f} MW IT = {s['max_modules']:g} modules",
                "id": sid,
            }
        )
    if p.target_mw is not None and t["it_mw"] <= p.target_mw * (1 + BINDING_TOL) + 1e-9:
        rows.append(
            {
                "family": "IT target",
                "where": "system",
                "detail": f"{t['it_mw']:,.0f} MW placed = target {p.target_mw:,.0f} MW",
                "id": "target",
            }
        )
    if p.budget_musd is not None and t["capex_musd"] >= p.budget_musd * (1 - BINDING_TOL):
        rows.append(
            {
                "family": "budget",
                "where": "system",
                "detail": f"capex {t['capex_musd']:,.0f} of {p.budget_musd:,.0f} MUSD",
                "id": "budget",
            }
        )
    if p.max_sites is not None and t["sites_open"] >= p.max_sites:
        rows.append(
            {
                "family": "site count",
                "where": "system",
                "detail": f"{t['sites_open']} of at most {p.max_sites} sites open",
                "id": "max_sites",
            }
        )
    return pd.DataFrame(rows, columns=["family", "where", "detail", "id"])


def _flatten(obj: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(obj, Mapping):
        out: dict[str, Any] = {}
        for k, v in obj.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    if isinstance(obj, list | tuple):
        return {prefix: ", ".join(map(str, obj))}
    return {prefix: obj}


def assumptions(case: Mapping[str, Any]) -> pd.DataFrame:
    """Every setting of the resolved case (as written into ``manifest.json``), one row each;
    the geodata file list and the scenario definitions are left out."""
    skip = {"layers", "scenarios", "name", "description", "scenario"}
    flat = _flatten({k: v for k, v in case.items() if k not in skip})
    rows = [
        {"section": key.split(".", 1)[0], "setting": key, "value": "—" if v is None else v}
        for key, v in flat.items()
    ]
    return pd.DataFrame(rows, columns=["section", "setting", "value"])


def compare_runs(a: RunData, b: RunData, tol_mw: float = 1e-6) -> pd.DataFrame:
    """Site by site, what changed from run ``a`` to run ``b``: ``added``, ``removed``,
    ``resized`` or ``unchanged`` (sizes within ``tol_mw``), with MW IT and source in both."""
    cols = ["it_mw", "source", "lon", "lat"]
    left = a.chosen[cols].add_suffix("_a")
    right = b.chosen[cols].add_suffix("_b")
    df = left.join(right, how="outer")
    df["it_mw_a"] = df["it_mw_a"].fillna(0.0)
    df["it_mw_b"] = df["it_mw_b"].fillna(0.0)
    df["lon"] = df["lon_b"].fillna(df["lon_a"])
    df["lat"] = df["lat_b"].fillna(df["lat_a"])
    df["delta_mw"] = df["it_mw_b"] - df["it_mw_a"]
    in_a, in_b = df["it_mw_a"] > tol_mw, df["it_mw_b"] > tol_mw
    df["change"] = np.select(
        [in_b & ~in_a, in_a & ~in_b, df["delta_mw"].abs() > tol_mw],
        ["added", "removed", "resized"],
        default="unchanged",
    )
    df.index.name = "site_id"
    order = {"added": 0, "removed": 1, "resized": 2, "unchanged": 3}
    df = df.sort_values(
        ["change", "delta_mw"], key=lambda c: c.map(order) if c.name == "change" else -c.abs()
    )
    return df[["change", "it_mw_a", "it_mw_b", "delta_mw", "source_a", "source_b", "lon", "lat"]]


def compare_totals(a: RunData, b: RunData) -> pd.DataFrame:
    """Headline numbers of both runs side by side, with the difference."""
    ha, hb = headline(a), headline(b)
    keys = [
        "sites_open",
        "it_mw",
        "gas_bcm_y",
        "grid_mw",
        "cost_musd_y",
        "cost_per_mw_it_musd_y",
        "capex_musd",
        "objective",
    ]
    rows = []
    for k in keys:
        va, vb = ha[k], hb[k]
        delta = vb - va if va is not None and vb is not None else None
        rows.append({"metric": k, "a": va, "b": vb, "delta": delta})
    rows.append({"metric": "status", "a": ha["status"], "b": hb["status"], "delta": ""})
    return pd.DataFrame(rows, dtype=object).set_index("metric")
