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
from siting.solution import BINDING_TOL, Solution, limits_reached

#: per-MW cost terms of the site explanation: (label, Solution cost columns)
UNIT_TERMS = {
    "site and fibre": ("cost_open_musd_y",),
    "IT facility": ("cost_it_musd_y",),
    "generation": ("cost_gen_musd_y",),
    "gas": ("cost_gas_musd_y",),
    "grid connection": ("cost_grid_link_musd_y",),
    "grid energy": ("cost_grid_energy_musd_y",),
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


def grid_share(sites: pd.DataFrame) -> pd.Series:
    """The share of each site's facility load drawn from the grid (0 on gas alone, 1 on grid
    alone); NaN where nothing is built."""
    facility = sites["facility_mw"].where(sites["facility_mw"] > 0)
    return (sites["grid_mw"] / facility).clip(0.0, 1.0)


def powered_like(solution: Solution, it_mw: float, share: float) -> pd.DataFrame:
    """What every candidate would cost per MW IT and year built at ``it_mw`` and powered like
    a chosen site, ``share`` g of its facility load from its grid node and the rest from
    on-site gas, from its coefficients: fixed cost / IT; IT cost per MW; generation
    (1 + r)·PUE·(1 − g)·cost per MW; fuel PUE·(1 − g)/η·gas price; the grid link's cost / IT
    when g > 0; grid energy PUE·g·grid price."""
    s, p = solution.sites, solution.params
    grid_factor = s["grid_id"].map(solution.grid_nodes["price_factor"]).astype(float)
    on_gas = (1.0 - share) * s["pue"]
    on_grid = share * s["pue"]
    return pd.DataFrame(
        {
            "site and fibre": s["open_cost_musd_y"] / it_mw,
            "IT facility": s["it_cost_musd_per_mw_y"],
            "generation": s["gen_cost_musd_per_mw_y"] * (1.0 + p.reserve_margin) * on_gas,
            "gas": p.gas_cost_musd_per_mw_y
            * s["gas_price_factor"]
            * on_gas
            / p.generator_efficiency,
            "grid connection": s["grid_link_cost_musd_y"] / it_mw if share > 0 else 0.0,
            "grid energy": p.grid_energy_cost_musd_per_mw_y * grid_factor * on_grid,
        },
        index=s.index,
    )


def comparable(solution: Solution, it_mw: float, share: float) -> pd.Series:
    """The candidates that could be built like a chosen site: with a grid node that has
    ``share``·PUE·IT MW spare when the site uses the grid. All candidates where none could."""
    s = solution.sites
    if share <= 0:
        return pd.Series(True, index=s.index)
    spare = s["grid_id"].map(solution.grid_nodes["spare_mw"]).astype(float).fillna(0.0)
    ok = spare >= share * s["pue"] * it_mw * (1.0 - 1e-9)
    return ok if ok.any() else pd.Series(True, index=s.index)


#: a site compared with this few candidates is explained by their scarcity
FEW_PEERS = 5

#: smaller savings per MW IT and year than this are no reason to pick a site
SAVING_MUSD_PER_MW_Y = 0.005

#: the candidate attributes that drive each term, and how to print them
_DRIVERS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "site and fibre": (("fiber_km", "fibre", "{:.0f} km"),),
    "IT facility": (("capex_multiplier", "cost multiplier", "×{:.2f}"),),
    "generation": (("capex_multiplier", "cost multiplier", "×{:.2f}"), ("pue", "PUE", "{:.3f}")),
    "gas": (("pue", "PUE", "{:.3f}"), ("gas_price_factor", "regional gas price", "×{:.2f}")),
    "grid connection": (("grid_km", "grid node", "{:.0f} km"),),
    "grid energy": (("pue", "PUE", "{:.3f}"), ("grid_price_factor", "grid price", "×{:.2f}")),
}


def site_reasons(run: RunData) -> pd.DataFrame:
    """Why each chosen site was picked, like for like: its cost per MW IT by term against
    the average candidate that could be built at the same size and powered the same way
    (the same share of its load from the grid), the terms where it saves most, and what its
    power costs from the grid and from gas."""
    sol = run.solution
    chosen = run.chosen.sort_values("it_mw", ascending=False, kind="stable")
    columns = [
        "location",
        "it_mw",
        "source",
        "site_musd_per_mw_y",
        "average_musd_per_mw_y",
        "compared_with",
        *(f"{t} vs avg" for t in UNIT_TERMS),
        "power",
        "reason",
    ]
    if chosen.empty:
        return pd.DataFrame(columns=columns)
    context = _candidate_context(run)
    actual = unit_costs(sol)
    shares = grid_share(sol.sites)
    places = site_places(chosen)
    names = _grid_names(run)
    rows = []
    for key, row in chosen.iterrows():
        sid = str(key)
        it = float(row["it_mw"])
        share = float(shares.get(sid, 0.0))
        like = comparable(sol, it, share)
        average = powered_like(sol, it, share)[like].mean()
        mine = _row(actual, sid)
        delta = mine - average
        reasons = [
            _explain(term, sid, delta[term], context[like], context)
            for term in delta.sort_values().index
            if delta[term] < -SAVING_MUSD_PER_MW_Y
        ][:2]
        if not reasons and share > 0 and like.sum() <= FEW_PEERS:
            need = share * float(row["pue"]) * it
            reasons.append(
                f"one of {int(like.sum())} candidates whose grid node can supply {need:,.0f} MW"
            )
        if not reasons:
            reasons.append(
                "no cheaper per MW than comparable candidates: chosen for the gas or grid "
                "capacity it can reach, its size limits or spacing"
            )
        out = {
            "site_id": sid,
            "location": places[sid],
            "it_mw": it,
            "source": row["source"],
            "site_musd_per_mw_y": float(mine.sum()),
            "average_musd_per_mw_y": float(average.sum()),
            "compared_with": int(like.sum()),
        }
        for term in UNIT_TERMS:
            out[f"{term} vs avg"] = float(delta[term])
        out["power"] = _power_note(sol, str(sid), names)
        out["reason"] = "; ".join(reasons)
        rows.append(out)
    return pd.DataFrame(rows, columns=["site_id", *columns]).set_index("site_id")


def _grid_names(run: RunData) -> dict[str, str]:
    grid = run.layers.get("grid")
    if grid is None or "name" not in grid.columns:
        return {}
    return {str(k): str(v) for k, v in zip(grid["grid_id"], grid["name"], strict=True) if v}


def readable_names(run: RunData) -> dict[str, str]:
    """Readable names by id: grid nodes by name, chosen sites (and their network nodes) by
    place ("35 km from Surgut")."""
    names = _grid_names(run)
    chosen = run.chosen
    if len(chosen):
        places = {str(k): str(v) for k, v in site_places(chosen).items()}
        names.update(places)
        if "node_id" in chosen.columns:
            names.update({str(n): places[str(s)] for s, n in chosen["node_id"].items()})
    return names


def _row(table: pd.DataFrame, key: str) -> pd.Series:
    """The row of ``key`` in a table with unique ids."""
    row = table.loc[key]
    if isinstance(row, pd.DataFrame):
        raise KeyError(f"{key!r} names more than one row")
    return row


def _power_note(solution: Solution, sid: str, grid_names: dict[str, str]) -> str:
    """What a MW IT of this site costs per year on the grid and on gas, and what limited it."""
    s, p = _row(solution.sites, sid), solution.params
    it = float(s["it_mw"])
    gas = _row(powered_like(solution, it, 0.0), sid)[["generation", "gas"]].sum()
    grid = _row(powered_like(solution, it, 1.0), sid)[["grid connection", "grid energy"]].sum()
    node_id = str(s["grid_id"]) if isinstance(s.get("grid_id"), str) else ""
    node = grid_names.get(node_id, node_id)
    spare = 0.0
    if node_id in solution.grid_nodes.index:
        spare = float(solution.grid_nodes["spare_mw"][node_id])
    exhausted = bool(limits_reached(solution)["grid_nodes"].get(node_id, False))
    costs = f"grid {grid:.2f} vs on-site gas {gas:.2f} MUSD/y per MW"
    if s["source"] == "grid":
        return costs if p.allow_gas else "grid (on-site gas not allowed)"
    if s["source"] == "hybrid":
        limit = f"; {node} has no spare left, gas covers the rest" if exhausted else ""
        return costs + limit
    if not p.allow_grid:
        return "on-site gas (grid not allowed)"
    if node and exhausted:
        return f"on-site gas: {node} has no spare left"
    if not node or spare <= 0:
        return "on-site gas: no grid node with spare capacity"
    return f"on-site gas {gas:.2f} vs grid {grid:.2f} MUSD/y per MW"


def _candidate_context(run: RunData) -> pd.DataFrame:
    sol = run.solution
    sites = sol.sites.assign(
        grid_price_factor=sol.sites["grid_id"].map(sol.grid_nodes["price_factor"]).astype(float)
    )
    cand = run.layers.get("candidates")
    if cand is None:
        return sites
    extra = pd.DataFrame(cand.drop(columns="geometry")).set_index("site_id")
    cols = [c for c in extra.columns if c not in sites.columns]
    return sites.join(extra[cols], how="left")


def _explain(term: str, sid: str, saving: float, peers: pd.DataFrame, context: pd.DataFrame) -> str:
    """ "gas −0.144 MUSD/y per MW (PUE 1.142 vs 1.177 on average)": the saving and the
    attributes behind it that differ from the comparable candidates' average."""
    text = f"{term} {saving:+.3f} MUSD/y per MW"
    drivers = []
    for column, name, fmt in _DRIVERS[term]:
        if column not in context.columns:
            continue
        mine = float(pd.to_numeric(pd.Series([context.at[sid, column]]), errors="coerce")[0])
        values = pd.to_numeric(peers[column], errors="coerce").replace(np.inf, np.nan)
        avg = float(values.mean())
        if math.isfinite(mine) and math.isfinite(avg) and fmt.format(mine) != fmt.format(avg):
            drivers.append(f"{name} {fmt.format(mine)} vs {fmt.format(avg)}")
    if drivers:
        text += f" ({', '.join(drivers)} on average)"
    return text


def binding_constraints(solution: Solution, names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Constraints that hold with equality at the optimum: the target, budget and site cap,
    fields at capacity, exhausted grid nodes, sites at their largest size, and full
    pipelines — one row per corridor stretch at one capacity (``id`` lists its arcs).
    ``names`` gives readable names for grid node and site ids."""
    rows: list[dict[str, Any]] = []
    p, t = solution.params, solution.totals
    mw_per_bcm = p.mw_per_bcm_y
    names = names or {}

    def named(key: Any) -> str:
        name = names.get(str(key))
        return f"{name} ({key})" if name and name != str(key) else str(key)

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
    reached = limits_reached(solution)
    nodes = solution.nodes
    for nid, n in nodes[reached["nodes"].reindex(nodes.index, fill_value=False)].iterrows():
        rows.append(
            {
                "family": "field at capacity",
                "where": str(n.get("name", nid)),
                "detail": f"{n['supply_mw'] / mw_per_bcm:.2f} bcm/y produced",
                "id": nid,
            }
        )
    grid = solution.grid_nodes
    if len(grid):
        for gid, g in grid[reached["grid_nodes"].reindex(grid.index, fill_value=False)].iterrows():
            detail = f"{g['used_mw']:,.0f} of {g['spare_mw']:,.0f} MW spare used"
            if solution.is_v2:
                # the period in which it binds: the annual mean and the firm spare would mislead
                q = g["binding_period"]
                gp = solution.grid_periods
                used = float(gp["used_mw"][(str(gid), str(q))])
                spare = float(gp["spare_mw"][(str(gid), str(q))])
                detail = f"{used:,.0f} of {spare:,.0f} MW spare used in {q}"
            rows.append(
                {
                    "family": "grid node exhausted",
                    "where": named(gid),
                    "detail": detail,
                    "id": gid,
                }
            )
    chosen = solution.chosen
    at_max = chosen[chosen["modules"] >= chosen["max_modules"] - 1e-9]
    for sid, s in at_max.iterrows():
        rows.append(
            {
                "family": "site at its largest size",
                "where": named(sid),
                "detail": f"{s['it_mw']:,.0f} MW IT = {s['max_modules']:g} modules",
                "id": sid,
            }
        )
    arcs = solution.arcs
    full = arcs[reached["arcs"].reindex(arcs.index, fill_value=False)]
    if len(full):
        corridor = full["corridor"].fillna("").astype(str) if "corridor" in full else None
        keys = (
            corridor.where(corridor != "", full["from_node"] + " → " + full["to_node"])
            if corridor is not None
            else full["from_node"] + " → " + full["to_node"]
        )
        for (where, _), group in full.groupby([keys, full["capacity_mw"]], sort=False):
            parts = [f"{group['capacity_mw'].iloc[0] / mw_per_bcm:.2f} bcm/y"]
            starts = set(group["from_node"]) - set(group["to_node"])
            ends = set(group["to_node"]) - set(group["from_node"])
            if len(group) > 1 and len(starts) == len(ends) == 1:
                start, end = starts.pop(), ends.pop()
                parts.append(f"{_node_name(nodes, start, names)} → {_node_name(nodes, end, names)}")
            parts.append(f"{len(group)} segment{'s' if len(group) > 1 else ''}")
            if "length_km" in group:
                parts.append(f"{float(group['length_km'].sum()):,.0f} km")
            rows.append(
                {
                    "family": "pipeline full",
                    "where": str(where),
                    "detail": ", ".join(parts),
                    "id": ", ".join(map(str, group.index)),
                }
            )
    return pd.DataFrame(rows, columns=["family", "where", "detail", "id"])


def _node_name(nodes: pd.DataFrame, node_id: str, names: Mapping[str, str]) -> str:
    name = nodes["name"].get(node_id) if "name" in nodes.columns else None
    if isinstance(name, str) and name and name != node_id:
        return name
    return names.get(str(node_id), str(node_id))


def _flatten(obj: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(obj, Mapping):
        out: dict[str, Any] = {}
        for k, v in obj.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    return {prefix: obj}


def setting_text(value: Any) -> str:
    """A setting as a reader wants it: 10,000 not 10000.0, yes/no, lists joined, — for unset."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return f"{value:,g}"
    if isinstance(value, list | tuple):
        return ", ".join(setting_text(v) for v in value)
    return str(value)


#: the case's sections, in the order and with the titles the report uses
CASE_SECTIONS = {
    "objective": "Objective",
    "costs": "Costs",
    "technology": "Technology",
    "candidates": "Candidate sites",
    "network": "Gas network",
    "units": "Units",
    "solver": "Solver",
}


def assumptions(case: Mapping[str, Any]) -> pd.DataFrame:
    """Every setting of the resolved case (as written into ``manifest.json``), one row each,
    by section; ``scenario`` marks the settings the case's scenario changed. The geodata file
    list and the scenario definitions are left out."""
    skip = {"layers", "scenarios", "name", "description", "scenario"}
    flat = _flatten({k: v for k, v in case.items() if k not in skip})
    scenario = case.get("scenario")
    overrides = _flatten((case.get("scenarios") or {}).get(scenario) or {}) if scenario else {}
    changed = {k for k in overrides if k != "description"}
    order = {name: i for i, name in enumerate(CASE_SECTIONS)}
    rows = [
        {
            "section": key.split(".", 1)[0],
            "setting": key,
            "name": key.split(".", 1)[-1],
            "value": setting_text(v),
            "scenario": any(key == c or key.startswith(f"{c}.") for c in changed),
        }
        for key, v in flat.items()
    ]
    df = pd.DataFrame(rows, columns=["section", "setting", "name", "value", "scenario"])
    rank = df["section"].map(order).fillna(len(order))
    return df.iloc[np.argsort(rank.to_numpy(), kind="stable")].reset_index(drop=True)


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
