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
"""

from siting.alternatives.metrics import DEFAULT_METRICS, Metric, parse_metric, parse_metrics
from siting.alternatives.search import (
    AlternativesOptions,
    AlternativesResult,
    check_options,
    find_alternatives,
)

__all__ = [
    "DEFAULT_METRICS",
    "AlternativesOptions",
    "AlternativesResult",
    "Metric",
    "check_options",
    "find_alternatives",
    "parse_metric",
    "parse_metrics",
]
