"""The siting MILP in Pyomo: one module per constraint family, math in each docstring.

Run order: sets and variables → constraint families → objective. ``build_model(inputs,
elastic=True)`` builds the diagnosis variant with penalised slacks instead of the objective.
"""

from __future__ import annotations

import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC

from siting.inputs import ModelInputs
from siting.model import (
    arc_capacity,
    demand_hubs,
    field_capacity,
    gas_balance,
    generation,
    grid,
    objective,
    power_balance,
    site_count,
    size,
    spacing,
    targets,
    variables,
)
from siting.model._data import Data

FAMILIES = (
    gas_balance,
    arc_capacity,
    field_capacity,
    power_balance,
    generation,
    size,
    grid,
    targets,
    site_count,
    spacing,
    demand_hubs,
)

__all__ = ["FAMILIES", "build_model"]


def build_model(inputs: ModelInputs, elastic: bool = False) -> pyo.ConcreteModel:
    """The Pyomo model of ``inputs`` (with slacks and a phase-one objective if ``elastic``)."""
    d = Data(inputs)
    with PauseGC():
        m = pyo.ConcreteModel(name="siting-elastic" if elastic else "siting")
        m.elastic_slacks = []
        variables.add(m, d, elastic)
        for family in FAMILIES:
            family.add(m, d, elastic)
        objective.add(m, d, elastic)
    return m
