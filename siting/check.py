"""Independent checker: recompute every constraint and the objective from Solution tables,
and every number derived from the plan (:mod:`siting.check_derived`).

It uses only the tables (no Pyomo, no model code) and its own arithmetic, and compares the
recomputed objective with the value HiGHS reported. A violation beyond tolerance is a bug in
the model, the extraction or the solver hand-off, and is reported loudly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from siting import geo
from siting.check_breakeven import check_breakeven
from siting.check_derived import check_derived, check_report, committed_transport
from siting.check_energy import capex_v2, check_energy, check_v2_system, cost_terms_v2, gas_counted
from siting.errors import CheckError
from siting.inputs import COVER_OBJECTIVES, SITE_COLUMNS
from siting.solution import Solution


@dataclass(frozen=True)
class Violation:
    family: str
    where: str
    amount: float
    detail: str

    def __str__(self) -> str:
        return f"{self.family} at {self.where}: {self.detail} (off by {self.amount:.3g})"


@dataclass
class CheckReport:
    violations: list[Violation] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    objective_recomputed: float | None = None
    objective_solver: float | None = None

    @property
    def ok(self) -> bool:
        return not self.violations

    def summary(self) -> str:
        if self.ok:
            return f"all {len(self.checked)} checks passed"
        shown = "; ".join(map(str, self.violations[:5]))
        more = f" (+{len(self.violations) - 5} more)" if len(self.violations) > 5 else ""
        return f"{len(self.violations)} violation(s): {shown}{more}"


class _Checker:
    def __init__(self, tol: float) -> None:
        self.tol = tol
        self.report = CheckReport()

    def leq(self, family: str, ids: pd.Index, lhs: ArrayLike, rhs: ArrayLike, what: str) -> None:
        """Record rows where lhs > rhs beyond a tolerance scaled by the magnitudes."""
        self.report.checked.append(family)
        left, right = np.asarray(lhs, float), np.asarray(rhs, float)
        excess = left - right
        scale = np.maximum(1.0, np.maximum(np.abs(left), np.abs(right)))
        bad = excess > self.tol * scale
        for i in np.flatnonzero(bad)[:20]:
            self.report.violations.append(
                Violation(
                    family, str(ids[i]), float(excess[i]), f"{what}: {left[i]:.6g} > {right[i]:.6g}"
                )
            )

    def eq(self, family: str, ids: pd.Index, lhs: ArrayLike, rhs: ArrayLike, what: str) -> None:
        self.leq(family, ids, lhs, rhs, what)
        self.leq(family, ids, rhs, lhs, what)

    def note(self, family: str, where: str, amount: float, detail: str) -> None:
        """Record one violation found by a test that is not a comparison."""
        self.report.checked.append(family)
        self.report.violations.append(Violation(family, where, amount, detail))


def check_solution(
    solution: Solution, tol: float = 1e-6, raise_on_error: bool = True
) -> CheckReport:
    """Recompute every constraint family and the objective; raise CheckError on a violation."""
    c = _Checker(tol)
    s, p = solution.sites, solution.params
    ids = s.index
    zero = np.zeros(len(s))

    # domains
    open_ = s["open"].to_numpy(float)
    link = s["grid_link"].to_numpy(float)
    modules = s["modules"].to_numpy(float)
    c.eq("binary", ids, open_ * (1 - open_), zero, "open must be 0 or 1")
    c.eq("binary", ids, link * (1 - link), zero, "grid_link must be 0 or 1")
    if p.integer_modules:
        c.eq("integer", ids, modules, np.rint(modules), "modules must be integer")
    for col in ("modules", "gas_mw", "gen_mw", "grid_mw"):
        c.leq("non-negative", ids, -s[col].to_numpy(float), zero, f"{col} ≥ 0")

    # size
    it = s["module_mw"].to_numpy(float) * modules
    c.eq("size", ids, s["it_mw"].to_numpy(float), it, "IT = module_mw · modules")
    c.leq("size", ids, s["min_modules"].to_numpy(float) * open_, modules, "modules ≥ min · open")
    c.leq("size", ids, modules, s["max_modules"].to_numpy(float) * open_, "modules ≤ max · open")

    if solution.is_v2:
        check_energy(c, solution, it)
    else:
        _check_energy(c, solution, it)
    _check_system(c, solution, it)
    _check_predefined(c, solution)
    _check_strengthening(c, solution)
    _check_objective(c, solution, it)
    check_breakeven(c, solution)
    check_derived(c, solution)
    check_report(c, solution, c.report.objective_recomputed, tol)
    if raise_on_error and not c.report.ok:
        raise CheckError(
            f"the solution fails the independent check: {c.report.summary()}",
            report=solution.report,
        )
    return c.report


def _check_energy(c: _Checker, solution: Solution, it: np.ndarray) -> None:
    """Power balance, generation, grid and gas network of an annual (v1) plan."""
    s, p = solution.sites, solution.params
    ids = s.index
    zero = np.zeros(len(s))
    open_ = s["open"].to_numpy(float)
    link = s["grid_link"].to_numpy(float)
    eta = p.generator_efficiency
    gas, grid, gen = (s[k].to_numpy(float) for k in ("gas_mw", "grid_mw", "gen_mw"))
    if p.energy_system:
        c.eq(
            "power_balance",
            ids,
            eta * gas + grid,
            s["pue"].to_numpy(float) * it,
            "η·gas + grid = PUE·IT",
        )
        c.leq("generation", ids, (1 + p.reserve_margin) * eta * gas, gen, "(1+r)·η·gas ≤ gen")
    else:
        for col in ("gas_mw", "gen_mw", "grid_mw", "grid_link"):
            c.eq("technology", ids, s[col].to_numpy(float), zero, f"no {col} without energy system")
    if not p.allow_gas:
        c.eq("technology", ids, gas, zero, "no on-site gas allowed")

    # grid
    has_grid = s["grid_id"].notna().to_numpy()
    spare = s["grid_id"].map(solution.grid_nodes["spare_mw"]).fillna(0.0).to_numpy(float)
    allowed = has_grid & p.allow_grid
    c.leq("grid", ids, grid, np.where(allowed, spare, 0.0) * link, "grid ≤ spare · link")
    c.leq("grid", ids, link, np.where(allowed, open_, 0.0), "link ≤ open")
    used = s.groupby("grid_id")["grid_mw"].sum()
    g = solution.grid_nodes
    c.leq(
        "grid",
        g.index,
        used.reindex(g.index).fillna(0.0).to_numpy(float),
        g["spare_mw"].to_numpy(float),
        "Σ grid at node ≤ spare",
    )

    _check_network(c, solution)


def _check_network(c: _Checker, solution: Solution) -> None:
    arcs, nodes, s = solution.arcs, solution.nodes, solution.sites
    flow = arcs["flow_mw"].to_numpy(float)
    c.leq("arc_capacity", arcs.index, flow, arcs["capacity_mw"].to_numpy(float), "flow ≤ capacity")
    c.leq("arc_capacity", arcs.index, -flow, np.zeros(len(arcs)), "flow ≥ 0")
    supply = nodes["supply_mw"].to_numpy(float)
    c.leq(
        "field_capacity",
        nodes.index,
        supply,
        nodes["supply_max_mw"].to_numpy(float),
        "supply ≤ available",
    )
    c.leq("field_capacity", nodes.index, -supply, np.zeros(len(nodes)), "supply ≥ 0")
    inflow = pd.Series(flow, index=arcs.index).groupby(arcs["to_node"]).sum()
    outflow = pd.Series(flow, index=arcs.index).groupby(arcs["from_node"]).sum()
    burn = s.groupby("node_id")["gas_mw"].sum()
    lhs = (
        supply
        + inflow.reindex(nodes.index).fillna(0).to_numpy()
        - outflow.reindex(nodes.index).fillna(0).to_numpy()
    )
    rhs = nodes["demand_mw"].to_numpy(float) + burn.reindex(nodes.index).fillna(0).to_numpy()
    c.eq("gas_balance", nodes.index, lhs, rhs, "supply + in − out = demand + burn")


def _check_system(c: _Checker, solution: Solution, it: np.ndarray) -> None:
    s, p = solution.sites, solution.params
    one = pd.Index(["system"])
    if p.target_mw is not None:
        c.leq("target", one, [p.target_mw], [it.sum()], "Σ IT ≥ target")
    if p.budget_musd is not None and not solution.is_v2:
        capex = (
            s["open_capex_musd"] * s["open"]
            + s["it_capex_musd_per_mw"] * it
            + s["gen_capex_musd_per_mw"] * s["gen_mw"]
            + s["grid_link_capex_musd"] * s["grid_link"]
        ).sum()
        c.leq("budget", one, [capex], [p.budget_musd], "Σ capex ≤ budget")
    if p.max_sites is not None:
        c.leq("site_count", one, [s["open"].sum()], [p.max_sites], "Σ open ≤ max_sites")
    if p.min_sites is not None:
        c.leq("site_count", one, [p.min_sites], [s["open"].sum()], "Σ open ≥ min_sites")
    if p.min_spacing_km:
        chosen = s[s["open"] == 1]
        pairs = geo.pairs_within_km(
            chosen["lon"].to_numpy(), chosen["lat"].to_numpy(), p.min_spacing_km * (1 - 1e-9)
        )
        c.report.checked.append("spacing")
        for i, j, km in pairs:
            c.report.violations.append(
                Violation(
                    "spacing",
                    f"{chosen.index[int(i)]}–{chosen.index[int(j)]}",
                    p.min_spacing_km - km,
                    f"open sites {km:.1f} km apart",
                )
            )
    serve, hubs = solution.serve, solution.hubs
    if len(hubs):
        if p.max_rtt_ms is not None:
            c.leq(
                "demand_hubs",
                pd.Index(serve.index),
                serve["rtt_ms"].to_numpy(float) * (serve["serve_mw"] > 0),
                np.full(len(serve), p.max_rtt_ms),
                "served within the latency bound",
            )
        served = (
            serve.groupby("hub_id")["serve_mw"].sum().reindex(hubs.index).fillna(0.0).to_numpy()
        )
        required = (
            hubs["demand_mw"].to_numpy(float) + hubs["share_of_it"].to_numpy(float) * it.sum()
        )
        c.leq("demand_hubs", hubs.index, required, served, "served ≥ required")
        by_site = serve.groupby("site_id")["serve_mw"].sum().reindex(s.index).fillna(0.0).to_numpy()
        c.leq("demand_hubs", s.index, by_site, it, "Σ served ≤ IT")


def _check_predefined(c: _Checker, solution: Solution) -> None:
    """Predefined sites are open and, when they must be filled, serve their capacity."""
    p, s = solution.params, solution.sites
    if not p.predefined_sites:
        return
    fixed = s.loc[list(p.predefined_sites)]
    ones = np.ones(len(fixed))
    c.leq("predefined", fixed.index, ones, fixed["open"].to_numpy(float), "predefined open")
    if p.fill_predefined:
        serve = solution.serve
        served = serve.groupby("site_id")["serve_mw"].sum().reindex(fixed.index).fillna(0.0)
        c.leq(
            "predefined",
            fixed.index,
            (fixed["module_mw"] * fixed["max_modules"]).to_numpy(float),
            served.to_numpy(float),
            "a filled predefined site serves its capacity",
        )


def covered_hubs(solution: Solution) -> np.ndarray:
    """1 for each hub with an open site among its covering pairs (serve rows), else 0."""
    serve, hubs, s = solution.serve, solution.hubs, solution.sites
    is_open = s["open"].to_numpy(float) > 0.5
    pair_open = is_open[s.index.get_indexer(pd.Index(serve["site_id"]))]
    hub_of_pair = hubs.index.get_indexer(pd.Index(serve["hub_id"]))
    covered = np.zeros(len(hubs), dtype=bool)
    covered[hub_of_pair[pair_open]] = True
    return covered.astype(float)


def _check_cover(c: _Checker, solution: Solution) -> float:
    """Coverage recomputed from the open sites: the table's ``covered`` column, every hub
    covered under ``min_cover``; returns the objective (covered weight or open sites)."""
    p, hubs = solution.params, solution.hubs
    covered = covered_hubs(solution)
    c.eq("coverage", hubs.index, hubs["covered"].to_numpy(float), covered, "covered as reported")
    if p.objective == "min_cover":
        c.leq("coverage", hubs.index, np.ones(len(hubs)), covered, "every hub covered")
        return float(solution.sites["open"].sum())
    return float(hubs["cover_weight"].to_numpy(float) @ covered)


def _check_strengthening(c: _Checker, solution: Solution) -> None:
    """The inequalities the formulation adds: each must hold for the plan it returned.

    Serve bounds and capacity covers follow from the other families (so they are checked
    always); the symmetry order among identical sites only when the formulation imposed it.
    """
    s, serve, hubs, p = solution.sites, solution.serve, solution.hubs, solution.params
    max_it = s["module_mw"].to_numpy(float) * s["max_modules"].to_numpy(float)
    open_ = s["open"].to_numpy(float)
    if len(serve):
        site_pos = pd.Series(np.arange(len(s)), index=s.index)[serve["site_id"]].to_numpy()
        bound = max_it[site_pos]
        if p.formulation.tight_bounds:
            need = hubs["demand_mw"] + hubs["share_of_it"] * max_it.sum()
            bound = np.minimum(bound, need.reindex(serve["hub_id"]).to_numpy(float))
        served = serve["serve_mw"].to_numpy(float)
        c.leq("linking", pd.Index(serve.index), -served, np.zeros(len(serve)), "serve ≥ 0")
        c.leq(
            "linking",
            pd.Index(serve.index),
            served,
            bound * open_[site_pos],
            "serve[s,h] ≤ U[s,h]·open[s]",
        )
    one = pd.Index(["system"])
    demand = float(hubs["demand_mw"].sum()) if len(hubs) else 0.0
    need_mw = max(demand, p.target_mw or 0.0)
    c.leq("capacity_cover", one, [need_mw], [float(max_it @ open_)], "Σ max_IT·open ≥ need")
    if demand > 0:
        covered = np.cumsum(np.sort(max_it)[::-1]) >= demand * (1 - 1e-12)
        fewest = int(np.argmax(covered)) + 1 if covered.any() else len(max_it)
        c.leq("capacity_cover", one, [fewest], [open_.sum()], "Σ open ≥ fewest sites")
    if p.formulation.symmetry_breaking and len(s) > 1:
        _check_symmetry(c, solution)


def _check_symmetry(c: _Checker, solution: Solution) -> None:
    s = solution.sites
    # only sites whose table row has a twin can be identical: a hash screen keeps the
    # exact comparison below to those few
    twins = pd.util.hash_pandas_object(s[list(SITE_COLUMNS)], index=False).duplicated(keep=False)
    # a predefined site must stay open: it is no longer interchangeable with its twins
    s = s[twins.to_numpy() & ~s.index.isin(list(solution.params.predefined_sites))]
    if len(s) < 2:
        return
    serve = solution.serve[solution.serve["site_id"].isin(s.index)]
    cliques = solution.cliques[solution.cliques["site_id"].isin(s.index)]
    key = s[list(SITE_COLUMNS)].map(repr).agg("|".join, axis=1)
    if len(serve):
        rows = serve.sort_values(["site_id", "hub_id"])
        text = (
            rows["hub_id"].map(repr)
            + ":"
            + rows["cost_musd_per_mw_y"].map(repr)
            + ":"
            + rows["rtt_ms"].map(repr)
        )
        key = key + "#" + text.groupby(rows["site_id"]).agg(",".join).reindex(s.index).fillna("")
    if len(cliques):
        members = cliques.groupby("site_id")["clique_id"].agg(
            lambda v: ",".join(map(str, sorted(v)))
        )
        key = key + "#" + members.reindex(s.index).fillna("")
    if solution.is_v2:
        pue = solution.site_periods["pue"].unstack("period").reindex(s.index)
        key = key + "#" + pue.map(repr).agg("|".join, axis=1)
    for _, group in s.groupby(key, sort=False):
        if len(group) < 2:
            continue
        opened = group["open"].to_numpy(float)
        ids = pd.Index([f"{a}≥{b}" for a, b in zip(group.index[:-1], group.index[1:], strict=True)])
        c.leq("symmetry", ids, opened[1:], opened[:-1], "identical sites open in table order")


def _check_objective(c: _Checker, solution: Solution, it: np.ndarray) -> None:
    s, p = solution.sites, solution.params
    if solution.is_v2:
        terms = cost_terms_v2(solution, it)
        for name, values in terms.items():
            c.eq("cost_terms", s.index, s[name].to_numpy(float), values, f"{name} as reported")
        c.eq(
            "cost_terms",
            s.index,
            s["capex_musd"].to_numpy(float),
            capex_v2(solution),
            "capex as reported",
        )
        ap = solution.arc_periods
        w = solution.periods["weight"].reindex(ap.index.get_level_values("period")).to_numpy()
        unit_cost = solution.arcs["cost_musd_per_mw_y"].reindex(ap.index.get_level_values("arc_id"))
        transport = float((unit_cost.to_numpy(float) * w * ap["flow_mw"].to_numpy(float)).sum())
        cost = (
            float(sum(v.sum() for v in terms.values())) + transport - committed_transport(solution)
        )
        check_v2_system(c, solution, it, cost)
        _objective_row(c, solution, it, cost, gas_counted(solution))
        return
    grid_factor = s["grid_id"].map(solution.grid_nodes["price_factor"]).fillna(0.0).to_numpy(float)
    serve_cost = (
        (solution.serve["serve_mw"] * solution.serve["cost_musd_per_mw_y"])
        .groupby(solution.serve["site_id"])
        .sum()
        .reindex(s.index)
        .fillna(0.0)
        .to_numpy()
    )
    terms = {
        "cost_open_musd_y": s["open_cost_musd_y"].to_numpy(float) * s["open"].to_numpy(float),
        "cost_it_musd_y": s["it_cost_musd_per_mw_y"].to_numpy(float) * it,
        "cost_gen_musd_y": s["gen_cost_musd_per_mw_y"].to_numpy(float)
        * s["gen_mw"].to_numpy(float),
        "cost_gas_musd_y": p.gas_cost_musd_per_mw_y
        * s["gas_price_factor"].to_numpy(float)
        * s["gas_mw"].to_numpy(float),
        "cost_grid_link_musd_y": s["grid_link_cost_musd_y"].to_numpy(float)
        * s["grid_link"].to_numpy(float),
        "cost_grid_energy_musd_y": p.grid_energy_cost_musd_per_mw_y
        * grid_factor
        * s["grid_mw"].to_numpy(float),
        "cost_serve_musd_y": serve_cost,
    }
    for name, values in terms.items():
        c.eq("cost_terms", s.index, s[name].to_numpy(float), values, f"{name} as reported")
    transport = float((solution.arcs["cost_musd_per_mw_y"] * solution.arcs["flow_mw"]).sum())
    cost = float(sum(v.sum() for v in terms.values())) + transport - committed_transport(solution)
    _objective_row(c, solution, it, cost, float(s["gas_mw"].sum()))


def _objective_row(
    c: _Checker, solution: Solution, it: np.ndarray, cost: float, gas: float
) -> None:
    """The objective recomputed from the cost and the gas it counts, against the totals and
    against HiGHS."""
    p = solution.params
    value = p.compute_value_musd_per_mw_y * float(it.sum())
    if p.objective == "pareto":
        recomputed = _pareto(c, solution, it, cost, gas)
    elif p.objective in COVER_OBJECTIVES:
        recomputed = _check_cover(c, solution)
    else:
        gas_term = gas + p.gas_use_it_weight * float(it.sum()) if p.gas_use_it_weight else gas
        recomputed = {
            "min_cost": cost,
            "max_profit": value - cost,
            "max_gas_use": gas_term - p.gas_use_cost_weight * cost,
        }[p.objective]
    c.report.objective_recomputed = recomputed
    c.report.objective_solver = solution.report.objective
    one = pd.Index(["objective"])
    c.eq(
        "objective",
        one,
        [recomputed],
        [solution.totals["objective"]],
        "recomputed = Solution totals",
    )
    if solution.report.objective is not None:
        c.eq(
            "objective",
            one,
            [recomputed],
            [solution.report.objective],
            "recomputed = HiGHS objective",
        )


def _pareto(c: _Checker, solution: Solution, it: np.ndarray, cost: float, gas: float) -> float:
    """The weighted two-metric objective, and each metric's ε bound."""
    s, p = solution.sites, solution.params
    metrics = {"cost": cost, "gas": gas}
    if "town_km" in s.columns:
        metrics["remoteness"] = float((s["town_km"].to_numpy(float) * it).sum())
    assert p.pareto_metrics is not None
    direction = {"cost": 1.0, "gas": -1.0, "remoteness": 1.0}
    one = pd.Index(["pareto"])
    for name, bound in zip(p.pareto_metrics, p.pareto_bounds, strict=True):
        if bound is not None:
            sign = direction[name]
            c.leq("pareto", one, [sign * metrics[name]], [sign * bound], f"{name} within its bound")
    return sum(
        w * direction[name] * metrics[name]
        for name, w in zip(p.pareto_metrics, p.pareto_weights, strict=True)
    )
