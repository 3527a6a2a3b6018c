"""The siting MILP in Pyomo: one module per constraint family, math in each docstring.

Run order: sets and variables → constraint families → strengthening families → objective.
``build_model(inputs, elastic=True)`` builds the diagnosis variant with penalised slacks
instead of the objective. Without an energy system (``Params.energy_system=False``) the
gas and power families are left out, which leaves plain facility location. The
strengthening families (``linking``, ``capacity_cover``, ``symmetry``) only add inequalities
that keep an optimal plan; ``Params.formulation`` switches each of them.
"""

from __future__ import annotations

import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC

from siting.inputs import ModelInputs
from siting.lagrangian import LagrangianResult
from siting.model import (
    arc_capacity,
    capacity_cover,
    demand_hubs,
    field_capacity,
    fixing,
    gas_balance,
    generation,
    grid,
    linking,
    objective,
    power_balance,
    site_count,
    size,
    spacing,
    symmetry,
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
    linking,
    capacity_cover,
    symmetry,
)

ENERGY_FAMILIES = (gas_balance, arc_capacity, field_capacity, power_balance, generation, grid)

__all__ = ["ENERGY_FAMILIES", "FAMILIES", "build_model", "families"]


def families(inputs: ModelInputs) -> tuple:
    """The constraint family modules that apply to ``inputs``, in build order."""
    if inputs.params.energy_system:
        return FAMILIES
    return tuple(f for f in FAMILIES if f not in ENERGY_FAMILIES)


def build_model(
    inputs: ModelInputs, elastic: bool = False, fixings: LagrangianResult | None = None
) -> pyo.ConcreteModel:
    """The Pyomo model of ``inputs`` (with slacks and a phase-one objective if ``elastic``).

    ``fixings`` fixes the sites a Lagrangian bound proved closed or open, and sets its plan
    as the variables' starting values (see ``fixing``).
    """
    d = Data(
        inputs, frozenset(fixings.closed) if fixings is not None and not elastic else frozenset()
    )
    with PauseGC():
        m = pyo.ConcreteModel(name="siting-elastic" if elastic else "siting")
        m.elastic_slacks = []
        variables.add(m, d, elastic)
        for family in families(inputs):
            family.add(m, d, elastic)
        objective.add(m, d, elastic)
        if not elastic:
            fixing.add(m, d, fixings)
    return m
