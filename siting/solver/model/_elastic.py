"""Penalised slack variables for the elastic (diagnosis) mode."""

from __future__ import annotations

from collections.abc import Iterable

import pyomo.environ as pyo

from siting.solver.model._data import Data
from siting.solver.model._family import FamilySpec


def slack(
    m: pyo.ConcreteModel, d: Data, family: FamilySpec, index: Iterable[object] | None
) -> pyo.Var:
    """A non-negative slack on ``family``'s constraints, registered for the elastic objective
    with the family's weight."""
    if family.slack_weight is None:
        raise ValueError(f"family {family.name} declares no slack")
    weight = family.slack_weight * (d.largest_module_mw if family.per_module else 1.0)
    var = (
        pyo.Var(list(index), domain=pyo.NonNegativeReals)
        if index is not None
        else pyo.Var(domain=pyo.NonNegativeReals)
    )
    m.add_component(f"slack_{family.name}", var)
    m.elastic_slacks.append((family, var, weight))
    return var
