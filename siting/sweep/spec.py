"""The sweep schema: a base case, parameters addressed by key path, a design, and an
optional Pareto front. Frozen and strict like the case schema; values are checked against
the case itself when the file is read (:func:`siting.io.sweep_file.read_sweep_spec`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from siting.config import Strict

Metric = Literal["cost", "gas", "remoteness"]


class ParameterSpec(Strict):
    """The values one parameter takes: exactly one of

    - ``values``: a list, written as in the case file (``"5 USD/MWh"``, ``3``, ``true``);
    - ``factors``: multiples of the case's own value (``[0.5, 1, 2]``);
    - ``range``: two ends of the same unit, with ``steps`` evenly spaced values for grid
      and one-at-a-time designs (``log: true`` spaces them geometrically); a Latin
      hypercube samples the range continuously.
    """

    values: tuple[Any, ...] | None = None
    factors: tuple[Annotated[float, Field(gt=0)], ...] | None = None
    range: tuple[Any, Any] | None = None
    steps: Annotated[int, Field(ge=2)] | None = None
    log: bool = False

    @model_validator(mode="after")
    def _one_form(self) -> ParameterSpec:
        given = [k for k in ("values", "factors", "range") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of values: [...], factors: [...] or range: [low, high]"
                + (f" (got {', '.join(given)})" if given else "")
            )
        if self.values is not None and not self.values:
            raise ValueError("values: the list is empty; give at least one value")
        if self.factors is not None and not self.factors:
            raise ValueError("factors: the list is empty; give at least one factor")
        if self.steps is not None and self.range is None:
            raise ValueError("steps: only applies to a range")
        if self.log and self.range is None:
            raise ValueError("log: only applies to a range")
        return self


class DesignSpec(Strict):
    """How parameter values combine into runs.

    - ``grid``: every combination;
    - ``one_at_a_time``: the case as it is, then each parameter through its values with the
      others at the case's values;
    - ``latin_hypercube``: ``samples`` points, stratified in every parameter (``seed``).
    """

    kind: Literal["grid", "one_at_a_time", "latin_hypercube"] = "grid"
    samples: Annotated[int, Field(ge=1)] | None = None
    seed: Annotated[int, Field(ge=0)] = 0

    @model_validator(mode="after")
    def _samples(self) -> DesignSpec:
        if self.kind == "latin_hypercube" and self.samples is None:
            raise ValueError("a latin_hypercube design needs samples: N")
        if self.kind != "latin_hypercube" and self.samples is not None:
            raise ValueError(f"samples: only applies to latin_hypercube, not to {self.kind}")
        return self


class ParetoSpec(Strict):
    """A front between two metrics for every design point, by the ε-constraint method: the
    first metric is optimised while a bound on the second moves between the two ends.
    Metrics: ``cost`` (annualised, minimised), ``gas`` (burnt, maximised), ``remoteness``
    (IT-weighted distance to the nearest town, minimised)."""

    objectives: tuple[Metric, Metric]
    points: Annotated[int, Field(ge=2, le=200)] = 7

    @model_validator(mode="after")
    def _distinct(self) -> ParetoSpec:
        if self.objectives[0] == self.objectives[1]:
            raise ValueError("objectives: give two different metrics, e.g. [cost, gas]")
        return self


class SweepSpec(Strict):
    """A sweep over one case. ``case`` is relative to the sweep file; ``fixed`` holds
    overrides applied to every run (``{"solver.mip_gap": 0.01}``)."""

    name: str | None = None
    description: str = ""
    case: Path
    scenario: str | None = None
    fixed: dict[str, Any] = Field(default_factory=dict)
    parameters: dict[str, ParameterSpec] = Field(default_factory=dict)
    design: DesignSpec = DesignSpec()
    pareto: ParetoSpec | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> SweepSpec:
        if not self.parameters and self.pareto is None:
            raise ValueError(
                "the design is empty: list parameters to sweep (e.g. parameters: "
                "{costs.gas_price: {values: ['5 USD/MWh', '10 USD/MWh']}}) or a pareto: front"
            )
        if self.parameters and self.design.kind == "grid":
            missing = [p for p, s in self.parameters.items() if s.range is not None and not s.steps]
            if missing:
                raise ValueError(
                    f"a grid design needs steps: N for each range ({', '.join(missing)})"
                )
        if self.design.kind == "one_at_a_time":
            missing = [p for p, s in self.parameters.items() if s.range is not None and not s.steps]
            if missing:
                raise ValueError(
                    f"a one_at_a_time design needs steps: N for each range ({', '.join(missing)})"
                )
        return self
