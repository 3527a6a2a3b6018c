"""Named steps of a run: a step is a context manager that a caller may time or show.

``Step`` is how the run order reports progress (the CLI shows it, ``Timings`` adds it up);
``quiet`` does nothing.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field

Step = Callable[[str], AbstractContextManager[None]]

#: the steps of a solve, by what they do (the sweep worker times them as such)
BUILD_STEPS = (
    "Lagrangian bound and site fixing",
    "building the model",
    "a starting plan from the LP relaxation",
)
SOLVE_STEP = "solving with HiGHS"
READ_STEPS = ("reading the solution", "routing gas flows")
DIAGNOSE_STEP = "diagnosing infeasibility (elastic re-solve)"
CHECK_STEP = "checking the solution"
RESOLVE_STEP = "solving again without the MIP start (HiGHS's report contradicted its plan)"


@contextlib.contextmanager
def quiet(_name: str) -> Iterator[None]:
    yield


@dataclass
class Timings:
    steps: dict[str, float] = field(default_factory=dict)

    def wrap(self, step: Step) -> Step:
        @contextlib.contextmanager
        def timed(name: str) -> Iterator[None]:
            start = time.perf_counter()
            with step(name):
                yield
            self.steps[name] = self.steps.get(name, 0.0) + time.perf_counter() - start

        return timed

    def total(self, names: tuple[str, ...]) -> float:
        """Seconds spent in the steps ``names``."""
        return sum(self.steps.get(name, 0.0) for name in names)
