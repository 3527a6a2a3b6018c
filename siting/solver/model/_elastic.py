"""Penalised slack variables for the elastic (diagnosis) mode."""

from __future__ import annotations

from collections.abc import Iterable

import pyomo.environ as pyo


def slack(
    m: pyo.ConcreteModel, family: str, index: Iterable[object] | None, weight: float = 1.0
) -> pyo.Var:
    """A non-negative slack on ``family``'s constraints, registered for the elastic objective."""
    var = (
        pyo.Var(list(index), domain=pyo.NonNegativeReals)
        if index is not None
        else pyo.Var(domain=pyo.NonNegativeReals)
    )
    m.add_component(f"slack_{family}", var)
    m.elastic_slacks.append((family, var, weight))
    return var
