"""Lagrangian bound, heuristic plan and proven site fixings for facility-location models.

For a model without energy system (:mod:`siting.facility_location`) relax the hub
requirements Σ_s serve[s,h] ≥ d_h with multipliers μ_h ≥ 0 (cost per unit served):

    L(μ) = Σ_h μ_h·d_h + min { Σ_s v_s(μ)·y_s : k_lo ≤ Σ_s y_s ≤ k_hi, y ∈ {0,1}^S }
    v_s(μ) = f_s + min { Σ_h (c_sh − μ_h)·q_h : Σ_h q_h ≤ C_s, 0 ≤ q_h ≤ U_sh }

where f_s is the fixed cost, C_s the capacity, c_sh the unit serving cost, U_sh the serve
bound of the model and [k_lo, k_hi] the site-count bounds (k_lo also counts the fewest
sites whose capacities cover the demand). Each v_s is a continuous knapsack: fill the most
negative reduced costs first. By weak duality L(μ) ≤ OPT for every μ ≥ 0; subgradient
steps (Held, Wolfe & Crowder 1974) raise it to the strong LP bound. This is how Beasley
bounded the OR-Library instances (EJOR 33, 1988).

Two by-products make the MIP small and give it an incumbent:

- a plan: the sites the relaxation opens (plus the next best until their capacity covers
  the demand), with customers assigned by a transportation LP. Its cost is an upper
  bound UB;
- fixings: L_s^open(μ), the bound with y_s forced to 1, is computed exactly from the same
  v(μ). If L_s^open(μ) > UB, no plan that opens s can beat the one in hand, so s is
  closed in every optimal plan; likewise a site with L_s^closed(μ) > UB is open in every
  optimal plan. The MIP then only decides the remaining sites (Avella, Boccia, Sforza &
  Vasil'ev, J. Heuristics 2009, use the same bound to find the "core" sites of large
  instances; here the core is proven, not guessed).

All of it is plain numpy; the transportation LPs go to one reused HiGHS object as arrays.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import highspy
import numpy as np
import pandas as pd
import scipy.sparse as sp

from siting.inputs import ModelInputs
from siting.solver.options import quiet_highs

#: relative margin by which a forced bound must exceed UB before a site is fixed
FIX_MARGIN = 1e-7
#: serving pairs per subgradient step, and the least and most steps taken
PAIRS_PER_STEP = 50
STEP_BUDGET = (300, 1500)


@dataclass(frozen=True)
class LagrangianResult:
    """Bounds, a heuristic plan and the sites proven closed/open in every optimal plan."""

    lower_bound: float
    upper_bound: float
    closed: list
    opened: list
    plan_open: list
    plan_serve_mw: np.ndarray  # per row of ``inputs.serve``; zeros without a plan
    iterations: int
    seconds: float

    @property
    def has_plan(self) -> bool:
        return bool(self.plan_open)

    @property
    def gap(self) -> float:
        return (self.upper_bound - self.lower_bound) / max(abs(self.upper_bound), 1e-9)

    def to_dict(self) -> dict[str, float]:
        """The numbers a solve report keeps (no per-site lists)."""
        return {
            "lagrangian_lower_bound": self.lower_bound,
            "lagrangian_upper_bound": self.upper_bound,
            "sites_fixed_closed": len(self.closed),
            "sites_fixed_open": len(self.opened),
            "lagrangian_iterations": self.iterations,
            "lagrangian_s": self.seconds,
        }


def use_lagrangian(inputs: ModelInputs) -> bool:
    """Whether the formulation asks for the Lagrangian fixing and ``inputs`` allow it."""
    f = inputs.params.formulation
    return (
        f.lagrangian_fixing
        and len(inputs.serve) >= f.lagrangian_min_pairs
        and not_applicable(inputs) is None
    )


def not_applicable(inputs: ModelInputs) -> str | None:
    """Why the relaxation does not describe ``inputs`` (None if it does)."""
    p, sites, hubs = inputs.params, inputs.sites, inputs.hubs
    reasons = {
        "the model has an energy system": p.energy_system,
        "the objective is not min_cost": p.objective != "min_cost",
        "a target or budget is set": p.target_mw is not None or p.budget_musd is not None,
        "spacing cliques are set": len(inputs.cliques) > 0,
        "sites are predefined": bool(p.predefined_sites),
        "there are no hubs": len(hubs) == 0 or float(hubs["demand_mw"].sum()) <= 0,
        "a hub asks for a share of IT": bool((hubs["share_of_it"] > 0).any()),
        "IT has a cost per MW": bool((sites["it_cost_musd_per_mw_y"] != 0).any()),
        "sites have a minimum size": bool((sites["min_modules"] > 0).any()),
    }
    return next((why for why, applies in reasons.items() if applies), None)


@dataclass(frozen=True)
class _Instance:
    """Per-site padded arrays: row s lists site s's serving pairs (hub −1 = padding)."""

    fixed: np.ndarray  # (S,)
    capacity: np.ndarray  # (S,)
    demand: np.ndarray  # (H,)
    hub: np.ndarray  # (S, P) hub position, −1 for padding
    cost: np.ndarray  # (S, P) unit cost, +inf for padding
    bound: np.ndarray  # (S, P) serve bound U_sh, 0 for padding
    row: np.ndarray  # (S, P) row of inputs.serve, −1 for padding
    k_lo: int  # fewest open sites: min_sites, or the fewest that cover the demand
    k_hi: int
    k_required: int  # min_sites alone


def _instance(inputs: ModelInputs) -> _Instance:
    sites, hubs, serve, p = inputs.sites, inputs.hubs, inputs.serve, inputs.params
    n_sites = len(sites)
    capacity = inputs.max_it_mw.to_numpy(float)
    demand = hubs["demand_mw"].to_numpy(float)
    s_pos = sites.index.get_indexer(pd.Index(serve["site_id"]))
    h_pos = hubs.index.get_indexer(pd.Index(serve["hub_id"]))
    cost = serve["cost_musd_per_mw_y"].to_numpy(float)
    bound = np.minimum(capacity[s_pos], demand[h_pos])
    order = np.lexsort((h_pos, s_pos))
    counts = np.bincount(s_pos, minlength=n_sites)
    width = max(int(counts.max()) if len(counts) else 0, 1)
    slot = np.arange(len(order)) - np.repeat(np.cumsum(counts) - counts, counts)
    shape = (n_sites, width)
    hub, cost_m, bound_m, row = (
        np.full(shape, -1),
        np.full(shape, np.inf),
        np.zeros(shape),
        np.full(shape, -1),
    )
    so = s_pos[order]
    hub[so, slot], cost_m[so, slot], bound_m[so, slot], row[so, slot] = (
        h_pos[order],
        cost[order],
        bound[order],
        order,
    )
    covered = np.cumsum(np.sort(capacity)[::-1]) >= demand.sum() * (1 - 1e-12)
    k_cover = int(np.argmax(covered)) + 1 if covered.any() else n_sites
    k_lo = max(k_cover, p.min_sites or 0)
    k_hi = min(p.max_sites if p.max_sites is not None else n_sites, n_sites)
    return _Instance(
        sites["open_cost_musd_y"].to_numpy(float),
        capacity,
        demand,
        hub,
        cost_m,
        bound_m,
        row,
        k_lo,
        k_hi,
        p.min_sites or 0,
    )


def _site_values(inst: _Instance, mu: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """v_s(μ), and the knapsack's fills as (site, hub, amount) arrays.

    Only pairs with a negative reduced cost enter a knapsack. A site whose capacity holds
    all of them takes them all; only the others need their pairs sorted (by reduced
    cost), and near the optimum of μ those are few. That keeps an iteration cheap.
    """
    reduced = inst.cost - np.append(mu, 0.0)[inst.hub]
    idx = np.flatnonzero(reduced < 0)
    site = idx // reduced.shape[1]
    ub = inst.bound.ravel()[idx]
    wanted = np.bincount(site, ub, minlength=len(inst.fixed))
    full = (wanted > inst.capacity)[site]
    q = ub.copy()
    if full.any():
        f_idx, f_site, f_ub = idx[full], site[full], ub[full]
        order = np.lexsort((reduced.ravel()[f_idx], f_site))
        f_idx, f_site, f_ub = f_idx[order], f_site[order], f_ub[order]
        filled = np.cumsum(f_ub)
        starts = np.searchsorted(f_site, f_site, side="left")
        before = filled - f_ub - np.where(starts > 0, filled[starts - 1], 0.0)
        f_q = np.clip(inst.capacity[f_site] - before, 0.0, f_ub)
        idx = np.concatenate([idx[~full], f_idx])
        site = np.concatenate([site[~full], f_site])
        q = np.concatenate([ub[~full], f_q])
    red = reduced.ravel()[idx]
    value = inst.fixed + np.bincount(site, red * q, minlength=len(inst.fixed))
    return value, np.column_stack([site, inst.hub.ravel()[idx]]), q


def _best_selection(values_sorted: np.ndarray, lo: int, hi: int) -> tuple[float, int]:
    """min Σ of a subset of size in [lo, hi] from ascending values: (sum, size)."""
    if lo > hi or lo > len(values_sorted):
        return np.inf, 0
    k = int(np.clip(np.count_nonzero(values_sorted < 0), lo, min(hi, len(values_sorted))))
    return float(values_sorted[:k].sum()), k


def _forced_bounds(
    inst: _Instance, value: np.ndarray, base: float
) -> tuple[np.ndarray, np.ndarray]:
    """Per site: the Lagrangian bound with y_s = 1 forced, and with y_s = 0 forced."""
    n = len(value)
    order = np.argsort(value)
    forced_open, forced_closed = np.empty(n), np.empty(n)
    for s in range(n):
        others = value[order[order != s]]
        sel, _ = _best_selection(others, max(inst.k_lo - 1, 0), inst.k_hi - 1)
        forced_open[s] = base + value[s] + sel
        sel, _ = _best_selection(others, inst.k_lo, inst.k_hi)
        forced_closed[s] = base + sel
    return forced_open, forced_closed


@dataclass(frozen=True)
class _Plan:
    cost: float
    sites: np.ndarray  # positions of the open sites
    serve: np.ndarray  # S × P amounts


class _Planner:
    """Upper bounds: the cheapest assignment to a set of open sites (cached per set)."""

    def __init__(self, inst: _Instance) -> None:
        self.inst = inst
        self.cache: dict[frozenset, _Plan] = {}
        self.highs = _lp_solver()

    def plan(self, open_sites: np.ndarray, beat: float = np.inf) -> _Plan:
        """The best assignment to ``open_sites``; skipped (cost ∞) if it cannot beat ``beat``."""
        key = frozenset(open_sites.tolist())
        if key not in self.cache:
            if self._at_least(np.array(sorted(key))) >= beat:
                return _Plan(np.inf, np.zeros(0, int), np.zeros(0))
            self.cache[key] = self._transport(np.array(sorted(key)))
        return self.cache[key]

    def _at_least(self, open_sites: np.ndarray) -> float:
        """A lower bound on the plan's cost: every hub served at its cheapest open site."""
        inst = self.inst
        hub, cost = inst.hub[open_sites].ravel(), inst.cost[open_sites].ravel()
        cheapest = np.full(len(inst.demand) + 1, np.inf)
        np.minimum.at(cheapest, hub, cost)
        serving = np.where(inst.demand > 0, cheapest[:-1] * inst.demand, 0.0)
        return float(inst.fixed[open_sites].sum() + serving.sum())

    def _transport(self, open_sites: np.ndarray) -> _Plan:
        inst = self.inst
        none = _Plan(np.inf, np.zeros(0, int), np.zeros(0))
        if inst.capacity[open_sites].sum() < inst.demand.sum() * (1 - 1e-12):
            return none
        hub = inst.hub[open_sites]
        real = hub >= 0
        s_idx = np.repeat(np.arange(len(open_sites)), real.sum(axis=1))
        h_idx = hub[real]
        solved = _transportation(
            self.highs,
            inst.cost[open_sites][real],
            inst.bound[open_sites][real],
            h_idx,
            s_idx,
            inst.demand,
            inst.capacity[open_sites],
        )
        if solved is None:
            return none
        cost, x = solved
        serve = np.zeros(inst.hub.shape)
        serve[open_sites[s_idx], np.flatnonzero(real) % inst.hub.shape[1]] = x
        # a site the assignment leaves idle need not open (unless the count requires it)
        load = serve[open_sites].sum(axis=1)
        idle = np.argsort(load)[: max(len(open_sites) - inst.k_required, 0)]
        keep = np.ones(len(open_sites), bool)
        keep[idle[load[idle] <= 0]] = False
        return _Plan(float(cost + inst.fixed[open_sites[keep]].sum()), open_sites[keep], serve)


def _lp_solver() -> highspy.Highs:
    h = quiet_highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    return h


def _transportation(
    h: highspy.Highs,
    cost: np.ndarray,
    bound: np.ndarray,
    hub: np.ndarray,
    site: np.ndarray,
    demand: np.ndarray,
    capacity: np.ndarray,
) -> tuple[float, np.ndarray] | None:
    """min Σ cost·x  s.t. Σ_s x[s,h] ≥ demand[h], Σ_h x[s,h] ≤ capacity[s], 0 ≤ x ≤ bound,
    with one column per (site[k], hub[k]) pair: (objective, x), or None if infeasible."""
    n_var, n_hub = len(cost), len(demand)
    cols = np.arange(n_var)
    a = sp.csc_matrix(
        (np.ones(2 * n_var), (np.concatenate([hub, n_hub + site]), np.concatenate([cols, cols]))),
        shape=(n_hub + len(capacity), n_var),
    )
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n_var, a.shape[0]
    lp.col_cost_ = cost
    lp.col_lower_, lp.col_upper_ = np.zeros(n_var), bound
    lp.row_lower_ = np.concatenate([demand, np.full(len(capacity), -highspy.kHighsInf)])
    lp.row_upper_ = np.concatenate([np.full(n_hub, highspy.kHighsInf), capacity])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a.indptr.astype(np.int32)
    lp.a_matrix_.index_ = a.indices.astype(np.int32)
    lp.a_matrix_.value_ = a.data
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n_var, a.shape[0]
    h.clearModel()
    h.passModel(lp)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return float(h.getInfo().objective_function_value), np.asarray(h.getSolution().col_value)


def _plan_sites(inst: _Instance, value: np.ndarray) -> np.ndarray:
    """The relaxation's open sites, grown in order of v_s until capacity covers demand."""
    order = np.argsort(value)
    _, k = _best_selection(value[order], inst.k_lo, inst.k_hi)
    while k < inst.k_hi and inst.capacity[order[:k]].sum() < inst.demand.sum():
        k += 1
    return order[:k]


def _improve(planner: _Planner, plan: _Plan, value: np.ndarray, budget: int = 60) -> _Plan:
    """First-improvement local search on the open set: drop, add or swap one site.

    Candidates to add are the closed sites with the lowest v_s(μ), candidates to drop the
    open ones with the highest; ``budget`` caps the transportation LPs.
    """
    inst = planner.inst
    evaluations = 0
    while evaluations < budget:
        current = set(plan.sites.tolist())
        inside = sorted(current, key=lambda s: -value[s])
        outside = [int(s) for s in np.argsort(value) if int(s) not in current][:5]
        moves = [current - {i} for i in inside if len(current) > inst.k_lo]
        moves += [current | {j} for j in outside if len(current) < inst.k_hi]
        moves += [(current - {i}) | {j} for i in inside[:3] for j in outside]
        better = None
        for move in moves:
            if evaluations >= budget:
                break
            key = frozenset(move)
            evaluations += key not in planner.cache
            candidate = planner.plan(np.array(sorted(move)), beat=plan.cost)
            if candidate.cost < plan.cost * (1 - 1e-12):
                better = candidate
                break
        if better is None:
            break
        plan = better
    return plan


def lagrangian_bound(
    inputs: ModelInputs, max_iterations: int | None = None, plan_every: int = 25
) -> LagrangianResult:
    """Subgradient optimisation of L(μ), a heuristic plan, and the proven fixings.

    The step budget grows with the model, one step per 50 serving pairs within
    [300, 1500]: on OR-Library cap41…cap134 (800–2,500 pairs) steps beyond 300 cost more
    than they save the MIP, while capa/b/c (100,000 pairs) need about 1,500 to prove most
    sites closed (``benchmarks/orlib.py``).
    """
    started = time.perf_counter()
    inst = _instance(inputs)
    if max_iterations is None:
        max_iterations = int(np.clip(len(inputs.serve) / PAIRS_PER_STEP, *STEP_BUDGET))
    planner = _Planner(inst)
    real = inst.hub >= 0
    cheapest = np.full(len(inst.demand), np.inf)
    np.minimum.at(cheapest, inst.hub[real], inst.cost[real])
    mu = np.where(np.isfinite(cheapest), cheapest, 0.0)
    best_lb, best_mu = -np.inf, mu.copy()
    best = _Plan(np.inf, np.zeros(0, int), np.zeros(0))
    alpha, stall, iteration, improved = 2.0, 0, 0, False
    for iteration in range(1, max_iterations + 1):
        value, fills, q = _site_values(inst, mu)
        order = np.argsort(value)
        sel, k = _best_selection(value[order], inst.k_lo, inst.k_hi)
        if not np.isfinite(sel):
            break
        lb = float(mu @ inst.demand) + sel
        if lb > best_lb + 1e-12 * abs(lb):
            best_lb, best_mu, stall = lb, mu.copy(), 0
        else:
            stall += 1
            if stall >= 20:
                alpha, stall = alpha / 2, 0
        if iteration == 1 or iteration % plan_every == 0:
            candidate = planner.plan(_plan_sites(inst, value), beat=best.cost)
            best = candidate if candidate.cost < best.cost else best
        ub = best.cost
        if best_lb >= ub * (1 - 1e-9):
            break
        if alpha < 1e-4:
            if improved or not np.isfinite(ub):
                break
            # the relaxation has settled: polish the best plan, and if that beats it,
            # resume the steps towards the better target
            value_best, _, _ = _site_values(inst, best_mu)
            polished = _improve(planner, best, value_best)
            improved = True
            if polished.cost >= best.cost:
                break
            best, ub, mu, alpha, stall = polished, polished.cost, best_mu.copy(), 0.5, 0
            continue
        chosen = np.zeros(len(value), bool)
        chosen[order[:k]] = True
        used = chosen[fills[:, 0]]
        served = np.bincount(fills[used, 1], q[used], minlength=len(inst.demand)).astype(float)
        # steps in λ_h = μ_h·d_h (cost of serving all of h), where ∂L/∂λ_h = 1 − served_h/d_h:
        # this weighs hubs alike whatever their demand
        gradient = np.divide(
            inst.demand - served, inst.demand, out=np.zeros_like(served), where=inst.demand > 0
        )
        norm = float(gradient @ gradient)
        if norm <= 0:
            break
        target = ub if np.isfinite(ub) else best_lb + 0.05 * abs(best_lb) + 1.0
        lam = mu * inst.demand + alpha * (target - lb) / norm * gradient
        mu = np.divide(
            np.maximum(lam, 0.0), inst.demand, out=np.zeros_like(lam), where=inst.demand > 0
        )
    value, _, _ = _site_values(inst, best_mu)
    candidate = planner.plan(_plan_sites(inst, value))
    best = candidate if candidate.cost < best.cost else best
    ub = best.cost
    base = float(best_mu @ inst.demand)
    closed: list = []
    opened_ids: list = []
    plan_open: list = []
    plan_serve = np.zeros(len(inputs.serve))
    site_ids = inputs.sites.index
    if np.isfinite(ub):
        forced_open, forced_closed = _forced_bounds(inst, value, base)
        limit = ub + FIX_MARGIN * abs(ub)
        in_plan = np.zeros(len(site_ids), bool)
        in_plan[best.sites] = True
        closed = site_ids[(forced_open > limit) & ~in_plan].tolist()
        opened_ids = site_ids[(forced_closed > limit) & in_plan].tolist()
        plan_open = site_ids[in_plan].tolist()
        plan_serve[inst.row[real]] = best.serve[real]
    return LagrangianResult(
        lower_bound=best_lb,
        upper_bound=float(ub),
        closed=closed,
        opened=opened_ids,
        plan_open=plan_open,
        plan_serve_mw=plan_serve,
        iterations=iteration,
        seconds=time.perf_counter() - started,
    )
