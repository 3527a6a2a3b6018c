"""One plan across scenarios: sites, modules, generation and grid links decided once,
operation per scenario, for the least expected cost or the least worst-case regret.

::

    from siting.robust import RobustOptions, find_robust_plan
    result = find_robust_plan(
        "models/russia.yaml",
        RobustOptions({"flows-2025": 0.5, "exports-2019": 0.25, "exports-partial": 0.25}),
    )
    result.plans        # robust plan and each scenario's own plan: expected cost, worst
                        # regret, sites in common
    result.costs        # plan × scenario: cost, own optimum, regret
    result.operations   # the robust plan operated in each scenario (checked Solutions)

See :mod:`siting.robust.plan` for the run order, :mod:`siting.robust.spec` for what a
scenario may change, and :mod:`siting.solver.robust` for the model. Names load on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "RobustOptions": "siting.robust.plan",
    "RobustResult": "siting.robust.plan",
    "find_robust_plan": "siting.robust.plan",
    "robust_from_inputs": "siting.robust.plan",
    "parse_scenarios": "siting.robust.spec",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'siting.robust' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
