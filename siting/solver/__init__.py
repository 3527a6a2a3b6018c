"""The solver edge: the only package that touches Pyomo or HiGHS.

It builds the MILP (one constraint family per module in :mod:`siting.solver.model`), hands
it to HiGHS (:mod:`siting.solver.highs`, options checked in :mod:`siting.solver.options`),
runs the Lagrangian site fixing (:mod:`siting.solver.lagrangian`), the elastic re-solve of
an infeasible model (:mod:`siting.solver.elastic`) and the routing of gas flows
(:mod:`siting.solver.routing`), and reads the decisions back as plain tables
(:mod:`siting.solver.extract`). Callers use :class:`~siting.solver.handle.SolverHandle`;
everything it takes and returns is plain data.

Submodules load on first use, so importing this package (or its Pyomo-free
:mod:`siting.solver.parameters`) does not load Pyomo or HiGHS.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "HighsSolver": "siting.solver.highs",
    "SolverHandle": "siting.solver.handle",
}

__all__ = ["HighsSolver", "SolverHandle"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'siting.solver' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
