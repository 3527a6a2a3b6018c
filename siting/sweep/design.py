"""Design points: which parameter values each run takes.

A point maps key paths to values written as in a case file. A parameter missing from a
point keeps the case's own value (one-at-a-time designs use this for the base run).
"""

from __future__ import annotations

import itertools
from typing import Any

from scipy.stats import qmc

from siting.sweep.parameters import Sweep

Point = dict[str, Any]


def design_points(sweep: Sweep) -> list[Point]:
    """The sweep's points in a stable order (duplicates are merged later, by run id)."""
    params = list(sweep.parameters.values())
    design = sweep.spec.design
    if not params:
        return [{}]
    if design.kind == "grid":
        lists = [p.values or () for p in params]
        return [
            {p.path: v for p, v in zip(params, combo, strict=True)}
            for combo in itertools.product(*lists)
        ]
    if design.kind == "one_at_a_time":
        points: list[Point] = [{}]
        for p in params:
            points.extend({p.path: v} for v in p.values or ())
        return points
    assert design.samples is not None
    unit_cube = qmc.LatinHypercube(d=len(params), seed=design.seed).random(design.samples)
    return [
        {p.path: p.sample(float(u)) for p, u in zip(params, row, strict=True)} for row in unit_cube
    ]
