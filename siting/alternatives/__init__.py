"""How sure is a plan: near-optimal alternatives, the price of each site, and ties.

::

    from siting.alternatives import AlternativesOptions, find_alternatives
    result = find_alternatives(case, AlternativesOptions(slack=0.02))
    result.alternatives        # one row per plan
    result.alternative_sites   # plan × site × MW
    result.candidates          # every candidate: in every / some / none of the plans
    result.regrets             # cost of the best plan without each chosen site, and with
                               # each of the best unchosen sites
    result.summary["ties_sentence"]

See :mod:`siting.alternatives.search` for the run order, :mod:`~siting.alternatives.metrics`
for the metrics, :mod:`~siting.alternatives.regrets` for the regrets on the sweep backends.
Names load on first use, so the command line can import the package cheaply.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "DEFAULT_METRICS": "siting.alternatives.metrics",
    "Metric": "siting.alternatives.metrics",
    "parse_metric": "siting.alternatives.metrics",
    "parse_metrics": "siting.alternatives.metrics",
    "AlternativesOptions": "siting.alternatives.search",
    "AlternativesResult": "siting.alternatives.search",
    "check_options": "siting.alternatives.search",
    "find_alternatives": "siting.alternatives.search",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'siting.alternatives' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
