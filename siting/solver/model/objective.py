"""The objective: annualised cost, profit or gas burnt.

Annualised cost (MUSD/y), every term attributable to a site or an arc, with w[p] the weight
of period p (Σ w = 1; one period of weight 1 without representative periods):

    cost = Σ_s [ c_open[s]·open[s] + c_it[s]·IT[s] + gen[s]
                 + Σ_p w[p]·gas_cost·k_gas[s]·fuel[s,p] + c_link[s]·grid_link[s]
                 + Σ_p w[p]·grid_cost·k_grid[g(s)]·grid_mw[s,p]
                 + (c_cap[g(s)] + c_conn[g(s)])·grid_cap_mw[s]
                 + Σ_h c_serve[s,h]·serve_mw[s,h] ]
         + Σ_p w[p]·(Σ_a c_arc[a]·flow_mw[a,p] − B[p])

    gen[s]  = c_gen[s]·gen_mw[s]                                  (no technology menu)
            = Σ_t c_t·m[s]·unit[t]·units[s,t] + Σ_p w[p]·Σ_t vom[t]·power_mw[s,t,p]   (menu)

B[p] is the least transport cost of the committed demand alone in period p (0 without a
tariff; :mod:`siting.solver.baseline`), so the plan pays for the gas it moves. fuel[s,p] is
the gas burnt on site (``gas_mw[s,p]``, or Σ_t power_mw[s,t,p]/η_t); c_t is the
annualised cost per MW of technology t (``siting.technologies``), m[s] the site's capex
multiplier, vom[t] its variable O&M per MW generated all year; c_cap and c_conn are the grid
capacity charge and the annualised connection charge per MW contracted. The operating part
of the cost (fuel, variable O&M, grid energy, transport) is also kept per scenario of the
periods as ``op_cost[k]`` = Σ_{p ∈ k} w[p]·(…), and the rest as ``investment``, so that
cost = investment + Σ_k op_cost[k].

- ``min_cost``:    minimise cost
- ``max_profit``:  maximise Σ_s value·IT[s] − cost
- ``max_gas_use``: maximise G + ε·Σ_s IT[s] − w·cost with the annual gas used
  G = Σ_p w[p]·(Σ_s fuel[s,p] + [count_indirect]·Σ_n indirect[n,p]), indirect gas as in
  ``gas_balance``. The small ε (MW of gas per MW of IT; 0 unless a cost ceiling is set) and
  w (MW per MUSD/y) only break ties: among plans that use the same gas, more IT first, then
  lower cost, so that a high PUE is never rewarded for burning more gas for the same compute.
  :mod:`siting.solver.model.ceiling` bounds the average cost per MWh of IT.
- ``pareto``:      minimise w₁·σ₁·f₁ + w₂·σ₂·f₂ over two of the metrics

      cost       = the annualised cost above (MUSD/y), σ = +1 (minimised)
      gas        = G above (MW), σ = −1 (maximised)
      remoteness = Σ_s town_km[s]·IT[s] (MW·km), σ = +1 (minimised)

  with the weights w as mutable parameters; :mod:`siting.solver.model.pareto` bounds the metrics
  for the ε-constraint method.

Without an energy system (facility location) only the open, IT and serving terms exist.
The covering objectives of facility location (:mod:`siting.solver.model.coverage`):

- ``max_cover``:   maximise Σ_h w[h]·covered[h], the weight of the hubs covered (MCLP)
- ``min_cover``:   minimise Σ_s open[s], the number of sites that cover every hub (LSCP)

In elastic mode the objective is instead to minimise Σ weight·slack over all families.
"""

from __future__ import annotations

import pyomo.environ as pyo

from siting.inputs import PARETO_METRICS
from siting.solver.model._data import Data
from siting.solver.model.variables import fuel_mw, indirect_mw, it_mw


def _site_terms(m: pyo.ConcreteModel, d: Data, s: object, invest: bool, periods: list) -> list:
    """The cost terms of site s in a fixed order: its investment terms (if ``invest``) and
    its operating terms in ``periods``."""
    c = getattr(m, "_cost_parts", None)
    if c is None:
        c = m._cost_parts = dict(
            c_open=d.site("open_cost_musd_y"),
            c_it=d.site("it_cost_musd_per_mw_y"),
            c_gen=d.site("gen_cost_musd_per_mw_y"),
            k_gas=d.site("gas_price_factor"),
            c_link=d.site("grid_link_cost_musd_y"),
            mult=d.site("capex_multiplier"),
            it=it_mw(m, d),
            fuel=fuel_mw(m, d),
            charge=(
                d.inputs.grid_column("capacity_charge_musd_per_mw_y")
                + d.inputs.grid_column("connection_cost_musd_per_mw_y")
            ).to_dict(),
        )
    grid_of, k_grid, w = d.grid_of, d.grid_price_factor, d.weight
    operate = bool(periods)
    terms: list = []
    if invest:
        terms += [c["c_open"][s] * m.open[s], c["c_it"][s] * c["it"][s]]
        if d.techs:
            unit, cost = d.tech("unit_mw"), d.tech("cost_musd_per_mw_y")
            terms += [cost[t] * c["mult"][s] * unit[t] * m.units[s, t] for t in d.techs]
        else:
            terms.append(c["c_gen"][s] * m.gen_mw[s])
    if operate:
        terms += [m.gas_cost * (c["k_gas"][s] * w[q]) * c["fuel"][s, q] for q in periods]
        if d.techs:
            vom = d.tech("variable_om_musd_per_mw_y")
            terms += [
                vom[t] * w[q] * m.power_mw[s, t, q] for t in d.techs if vom[t] for q in periods
            ]
    if invest:
        terms.append(c["c_link"][s] * m.grid_link[s])
    if operate and s in grid_of:
        k = k_grid[grid_of[s]]
        terms += [m.grid_energy_cost * (k * w[q]) * m.grid_mw[s, q] for q in periods]
    if invest and s in grid_of and hasattr(m, "grid_cap_mw") and c["charge"][grid_of[s]]:
        terms.append(c["charge"][grid_of[s]] * m.grid_cap_mw[s])
    return terms


def _serve_terms(m: pyo.ConcreteModel, d: Data) -> object:
    return pyo.quicksum(
        c * var
        for var, c in zip(
            m.serve_mw.values(), d.inputs.serve["cost_musd_per_mw_y"].tolist(), strict=True
        )
        if c
    )


def _arc_terms(m: pyo.ConcreteModel, d: Data, periods: list) -> object:
    """Transport in ``periods``: the flows' cost less the baseline B[p] (constants)."""
    arc_cost, w = d.arc("cost_musd_per_mw_y"), d.weight
    baseline = d.inputs.transport_baseline_musd_y
    flows = pyo.quicksum(
        arc_cost[a] * w[q] * m.flow_mw[a, q] for a in m.ARCS if arc_cost[a] for q in periods
    )
    paid = sum(w[q] * baseline[q] for q in periods)
    return flows - paid if paid else flows


def operating_cost_exprs(m: pyo.ConcreteModel, d: Data) -> dict[object, object]:
    """Per scenario k: Σ_{p ∈ k} w[p]·(fuel, variable O&M, grid energy and transport cost)."""
    out = {}
    for k in d.scenarios:
        periods = [q for q in d.periods if d.scenario_of[q] == k]
        sites = pyo.quicksum(t for s in m.SITES for t in _site_terms(m, d, s, False, periods))
        out[k] = sites + _arc_terms(m, d, periods)
    return out


def investment_expr(m: pyo.ConcreteModel, d: Data) -> object:
    """The annualised cost that does not depend on the periods' operation."""
    return pyo.quicksum(
        term for s in m.SITES for term in _site_terms(m, d, s, True, [])
    ) + _serve_terms(m, d)


def gas_used_expr(m: pyo.ConcreteModel, d: Data) -> object:
    """G: the annual gas used on site, and for grid power when the case counts it (MW)."""
    fuel, w = fuel_mw(m, d), d.weight
    direct = pyo.quicksum(w[q] * fuel[s, q] for s in m.SITES for q in m.PERIODS)
    if not d.params.count_indirect or not d.indirect_at:
        return direct
    return direct + pyo.quicksum(w[q] * e for (_n, q), e in indirect_mw(m, d).items())


def cost_expr(m: pyo.ConcreteModel, d: Data) -> object:
    serve_terms = _serve_terms(m, d)
    if d.params.energy_system and d.inputs.is_v2:
        periods = d.periods
        site_terms = pyo.quicksum(
            term for s in m.SITES for term in _site_terms(m, d, s, True, periods)
        )
        return site_terms + _arc_terms(m, d, periods) + serve_terms
    it = it_mw(m, d)
    c_open, c_it = d.site("open_cost_musd_y"), d.site("it_cost_musd_per_mw_y")
    if not d.params.energy_system:
        site_terms = pyo.quicksum(
            c_open[s] * m.open[s] + c_it[s] * it[s] if c_it[s] else c_open[s] * m.open[s]
            for s in m.SITES
        )
        return site_terms + serve_terms
    c_gen, k_gas = d.site("gen_cost_musd_per_mw_y"), d.site("gas_price_factor")
    c_link = d.site("grid_link_cost_musd_y")
    grid_of, k_grid = d.grid_of, d.grid_price_factor
    (year,) = d.periods
    site_terms = pyo.quicksum(
        c_open[s] * m.open[s]
        + c_it[s] * it[s]
        + c_gen[s] * m.gen_mw[s]
        + m.gas_cost * k_gas[s] * m.gas_mw[s, year]
        + c_link[s] * m.grid_link[s]
        + (m.grid_energy_cost * k_grid[grid_of[s]] * m.grid_mw[s, year] if s in grid_of else 0)
        for s in m.SITES
    )
    return site_terms + _arc_terms(m, d, [year]) + serve_terms


def metric_exprs(m: pyo.ConcreteModel, d: Data, names: tuple[str, ...]) -> dict[str, object]:
    """The Pareto metrics ``names`` as linear expressions (see :data:`PARETO_METRICS`)."""
    out: dict[str, object] = {}
    for name in names:
        if name == "cost":
            out[name] = m.cost if hasattr(m, "cost") else cost_expr(m, d)
        elif name == "gas":
            out[name] = gas_used_expr(m, d)
        elif name == "remoteness":
            if "town_km" not in d.inputs.sites.columns:
                raise ValueError("the remoteness metric needs a town_km column in the site table")
            town_km = d.site("town_km")
            it = it_mw(m, d)
            out[name] = pyo.quicksum(town_km[s] * it[s] for s in m.SITES if town_km[s])
        else:
            raise ValueError(f"unknown Pareto metric {name!r}; known: {', '.join(PARETO_METRICS)}")
    return out


def sign(metric: str) -> float:
    """σ: +1 for a metric to minimise, −1 for one to maximise."""
    return 1.0 if PARETO_METRICS[metric][0] == "min" else -1.0


def add(m: pyo.ConcreteModel, d: Data, elastic: bool) -> None:
    if elastic:
        m.objective = pyo.Objective(
            expr=pyo.quicksum(
                w * (pyo.quicksum(var.values()) if var.is_indexed() else var)
                for _fam, var, w in m.elastic_slacks
            ),
            sense=pyo.minimize,
        )
        return
    p = d.params
    if not hasattr(m, "cost"):
        m.cost = pyo.Expression(expr=cost_expr(m, d))
    if d.params.energy_system and d.inputs.is_v2:
        m.investment = pyo.Expression(expr=investment_expr(m, d))
        op = operating_cost_exprs(m, d)
        m.op_cost = pyo.Expression(m.SCENARIOS, rule=lambda _m, k: op[k])
    if p.objective == "min_cost":
        m.objective = pyo.Objective(expr=m.cost, sense=pyo.minimize)
    elif p.objective == "max_profit":
        value = pyo.quicksum(m.compute_value * e for e in it_mw(m, d).values())
        m.objective = pyo.Objective(expr=value - m.cost, sense=pyo.maximize)
    elif p.objective == "max_gas_use":
        used = gas_used_expr(m, d)
        if p.gas_use_it_weight:
            used = used + pyo.quicksum(p.gas_use_it_weight * e for e in it_mw(m, d).values())
        m.objective = pyo.Objective(expr=used - p.gas_use_cost_weight * m.cost, sense=pyo.maximize)
    elif p.objective == "max_cover":
        weight = d.inputs.hubs["cover_weight"].to_dict()
        m.objective = pyo.Objective(
            expr=pyo.quicksum(weight[h] * m.covered[h] for h in m.HUBS if weight[h]),
            sense=pyo.maximize,
        )
    elif p.objective == "min_cover":
        m.objective = pyo.Objective(expr=pyo.quicksum(m.open.values()), sense=pyo.minimize)
    elif p.objective == "pareto":
        if p.pareto_metrics is None:
            raise ValueError("the pareto objective needs pareto_metrics")
        metrics = metric_exprs(m, d, p.pareto_metrics)
        m.PARETO = pyo.Set(initialize=[1, 2], ordered=True)
        m.pareto_weight = pyo.Param(
            m.PARETO, initialize=dict(enumerate(p.pareto_weights, start=1)), mutable=True
        )
        m.pareto_metric = pyo.Expression(
            m.PARETO, rule=lambda _m, k: metrics[p.pareto_metrics[k - 1]]
        )
        m.objective = pyo.Objective(
            expr=pyo.quicksum(
                sign(name) * m.pareto_weight[k] * m.pareto_metric[k]
                for k, name in enumerate(p.pareto_metrics, start=1)
            ),
            sense=pyo.minimize,
        )
    else:
        raise ValueError(f"unknown objective {p.objective!r}")
