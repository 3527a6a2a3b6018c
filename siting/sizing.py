"""How big a case's model will be, said before it is built.

The number of candidate sites is known as soon as the points along the corridors are placed
(:func:`siting.candidates.candidate_points`), before their attributes, the model tables or
the MILP are built. From it this module estimates the time and memory the rest of the data
path and the model build take, so that a case whose ``candidates.spacing_km`` is far too
fine is refused at once (past ``candidates.max_candidates``, which ``--max-candidates``
raises) instead of running for minutes without a word.

The estimate counts, for ``n`` candidate points placed ``s`` km apart with a minimum spacing
of ``m`` km between open sites, ``d = m / s`` neighbours along a line on either side:

- candidate attributes: ``1.5 s + 0.14 ms · n``;
- spacing cliques: ``n · d`` clique rows, ``0.13 µs · n · d²`` to grow them, and about
  550 bytes per row while they are grown;
- the graph checks before the solve: 1.7 ms per point;
- the MILP: ``30 · n + n · d`` nonzeros, 4 µs each to build and hand to HiGHS, and about
  750 bytes each.

The coefficients were measured with ``siting run models/russia.yaml --set
candidates.spacing_km=S`` for S from 40 to 0.5 km (minimum spacing 50 km) on a 2-core
machine: at 1 km, 27,773 points, 8.2 s of model inputs, 48 s of graph checks, 9.0 s to build
the model, 1.7 GB; at 0.5 km, 55,540 points, 71 s and 3.3 GB for the model inputs alone. The
estimate is good to a factor of about two, and says nothing about the time HiGHS takes.
"""

from __future__ import annotations

from dataclasses import dataclass

#: measured coefficients (see the module docstring)
ATTRIBUTES_BASE_S = 1.5
ATTRIBUTES_S_PER_POINT = 1.4e-4
CLIQUES_S_PER_POINT_NEIGHBOUR2 = 1.3e-7
CLIQUES_BYTES_PER_ROW = 550.0
CHECKS_S_PER_POINT = 1.7e-3
NONZEROS_PER_SITE = 30.0
BUILD_S_PER_NONZERO = 4e-6
BYTES_PER_NONZERO = 750.0
BASE_MEMORY_GB = 0.35

#: the default of ``candidates.max_candidates``
DEFAULT_MAX_CANDIDATES = 20_000


@dataclass(frozen=True)
class SizeEstimate:
    """The candidate count of a case and what building its model will take."""

    points: int
    clique_rows: float
    nonzeros: float
    seconds: float
    memory_gb: float

    def cost(self) -> str:
        """``about 2 min and 5.2 GB to prepare and build the model (…)``"""
        return (
            f"about {_duration(self.seconds)} and {self.memory_gb:,.1f} GB to prepare and "
            f"build the model ({_count(self.nonzeros)} nonzeros; the solve comes on top)"
        )

    def describe(self) -> str:
        return f"{self.points:,} candidate sites: {self.cost()}"


def estimate_size(
    points: int, spacing_km: float | None, min_spacing_km: float | None
) -> SizeEstimate:
    """The estimate for ``points`` candidate points (see the module docstring)."""
    n = float(points)
    d = 0.0
    if min_spacing_km and points > 1:
        d = min(min_spacing_km / spacing_km, n) if spacing_km else min(1.0, n)
    rows = n * d
    nonzeros = NONZEROS_PER_SITE * n + rows
    seconds = (
        ATTRIBUTES_BASE_S
        + ATTRIBUTES_S_PER_POINT * n
        + CLIQUES_S_PER_POINT_NEIGHBOUR2 * n * d * d
        + CHECKS_S_PER_POINT * n
        + BUILD_S_PER_NONZERO * nonzeros
    )
    memory_gb = (
        BASE_MEMORY_GB + max(CLIQUES_BYTES_PER_ROW * rows, BYTES_PER_NONZERO * nonzeros) / 1e9
    )
    return SizeEstimate(points, rows, nonzeros, seconds, memory_gb)


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(seconds, 1):.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _count(x: float) -> str:
    for size, suffix in ((1e9, " bn"), (1e6, " M"), (1e3, " k")):
        if x >= size:
            return f"{x / size:.1f}{suffix}"
    return f"{x:.0f}"
