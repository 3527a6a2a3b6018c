"""The objective: annualised cost, profit or gas burnt.

Annualised cost (MUSD/y), every term attributable to a site or an arc:

    cost = Σ_s [ c_open[s]·open[s] + c_it[s]·IT[s] + c_gen[s]·gen_mw[s]
                 + gas_cost·k_gas[s]·gas_mw[s] + c_link[s]·grid_link[s]
                 + grid_cost·k_grid[g(s)]·grid_mw[s] + Σ_h c_serve[s,h]·serve_mw[s,h] ]
         + Σ_a c_arc[a]·flow_mw[a]

- ``min_cost``:    minimise cost
- ``max_profit``:  maximise Σ_s value·IT[s] − cost
- ``max_gas_use``: maximise Σ_s gas_mw[s] − w·cost, with a small w (MW per MUSD/y) that
  only breaks ties between plans that burn the same gas.
- ``pareto``:      minimise w₁·σ₁·f₁ + w₂·σ₂·f₂ over two of the metrics

      cost       = the annualised cost above (MUSD/y), σ = +1 (minimised)
      gas        = Σ_s gas_mw[s] (MW), σ = −1 (maximised)
      remoteness = Σ_s town_km[s]·IT[s] (MW·km), σ = +1 (minimised)

  with the weights w as mutable parameters; :mod:`siting.solver.model.pareto` bounds the metrics
  for the ε-constraint method.

Without an energy system (facility location) only the open, IT and serving terms exist.

In elastic mode the objective is instead to minimise Σ weight·slack over all families.
"""

from __future__ import annotations

import pyomo.environ as pyo

from siting.inputs import PARETO_METRICS
from siting.solver.model._data import Data
from siting.solver.model.variables import it_mw


def cost_expr(m: pyo.ConcreteModel, d: Data) -> object:
    it = it_mw(m, d)
    c_open, c_it = d.site("open_cost_musd_y"), d.site("it_cost_musd_per_mw_y")
    serve_terms = pyo.quicksum(
        c * var
        for var, c in zip(
            m.serve_mw.values(), d.inputs.serve["cost_musd_per_mw_y"].tolist(), strict=True
        )
        if c
    )
    if not d.params.energy_system:
        site_terms = pyo.quicksum(
            c_open[s] * m.open[s] + c_it[s] * it[s] if c_it[s] else c_open[s] * m.open[s]
            for s in m.SITES
        )
        return site_terms + serve_terms
    c_gen, k_gas = d.site("gen_cost_musd_per_mw_y"), d.site("gas_price_factor")
    c_link = d.site("grid_link_cost_musd_y")
    grid_of, k_grid = d.grid_of, d.grid_price_factor
    arc_cost = d.arc("cost_musd_per_mw_y")
    site_terms = pyo.quicksum(
        c_open[s] * m.open[s]
        + c_it[s] * it[s]
        + c_gen[s] * m.gen_mw[s]
        + m.gas_cost * k_gas[s] * m.gas_mw[s]
        + c_link[s] * m.grid_link[s]
        + (m.grid_energy_cost * k_grid[grid_of[s]] * m.grid_mw[s] if s in grid_of else 0)
        for s in m.SITES
    )
    arc_terms = pyo.quicksum(arc_cost[a] * m.flow_mw[a] for a in m.ARCS if arc_cost[a])
    return site_terms + arc_terms + serve_terms


def metric_exprs(m: pyo.ConcreteModel, d: Data, names: tuple[str, ...]) -> dict[str, object]:
    """The Pareto metrics ``names`` as linear expressions (see :data:`PARETO_METRICS`)."""
    out: dict[str, object] = {}
    for name in names:
        if name == "cost":
            out[name] = m.cost if hasattr(m, "cost") else cost_expr(m, d)
        elif name == "gas":
            out[name] = pyo.quicksum(m.gas_mw[s] for s in m.SITES)
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
    m.cost = pyo.Expression(expr=cost_expr(m, d))
    if p.objective == "min_cost":
        m.objective = pyo.Objective(expr=m.cost, sense=pyo.minimize)
    elif p.objective == "max_profit":
        value = pyo.quicksum(m.compute_value * e for e in it_mw(m, d).values())
        m.objective = pyo.Objective(expr=value - m.cost, sense=pyo.maximize)
    elif p.objective == "max_gas_use":
        burnt = pyo.quicksum(m.gas_mw[s] for s in m.SITES)
        m.objective = pyo.Objective(expr=burnt - p.gas_use_cost_weight * m.cost, sense=pyo.maximize)
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
