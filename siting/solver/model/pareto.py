"""Bounds on the two Pareto metrics: the ε-constraint method.

With the metrics f₁, f₂ of the ``pareto`` objective (see
:mod:`siting.solver.model.objective`) and σ_k = +1 for a metric to minimise, −1 for one to
maximise, each metric k with a bound ε_k gets

    σ_k · f_k(x) ≤ σ_k · ε_k          (cost ≤ ε, gas ≥ ε, remoteness ≤ ε)

A front is traced by minimising the first metric while the bound on the second moves
between the two ends of the front. The bounds are mutable parameters; a metric without a
bound has its constraint deactivated. Elastic mode adds ``excess[k] ≥ 0`` to each bound.
"""

from __future__ import annotations

import pyomo.environ as pyo

from siting.solver.model._data import Data
from siting.solver.model._elastic import slack
from siting.solver.model._family import FamilySpec
from siting.solver.model.objective import metric_exprs, sign

FAMILY = FamilySpec(
    "pareto",
    unit="units of the Pareto metric beyond its bound",
    fix="the bound lies beyond the end of the front: widen it",
    slack_weight=1.0,
)


def add(m: pyo.ConcreteModel, d: Data, elastic: bool) -> None:
    p = d.params
    if p.objective != "pareto" or p.pareto_metrics is None:
        return
    names = p.pareto_metrics
    if hasattr(m, "pareto_metric"):
        metric = m.pareto_metric
    else:
        exprs = metric_exprs(m, d, names)
        metric = {k: exprs[name] for k, name in enumerate(names, start=1)}
    bounds = {k: (b if b is not None else 0.0) for k, b in enumerate(p.pareto_bounds, start=1)}
    m.PARETO_BOUNDS = pyo.Set(initialize=[1, 2], ordered=True)
    m.pareto_bound = pyo.Param(m.PARETO_BOUNDS, initialize=bounds, mutable=True)
    excess = slack(m, d, FAMILY, m.PARETO_BOUNDS) if elastic else None
    m.pareto_limit = pyo.Constraint(
        m.PARETO_BOUNDS,
        rule=lambda m, k: (
            sign(names[k - 1]) * metric[k]
            <= sign(names[k - 1]) * m.pareto_bound[k] + (excess[k] if excess is not None else 0)
        ),
    )
    for k, b in enumerate(p.pareto_bounds, start=1):
        if b is None:
            m.pareto_limit[k].deactivate()
