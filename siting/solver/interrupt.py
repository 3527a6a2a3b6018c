"""Ctrl-C during a HiGHS solve: stop HiGHS, keep the best plan it had.

A HiGHS solve called from Python holds the main thread until HiGHS returns: Ctrl-C is
only seen then, at the time limit. So the solve runs on highspy's solver thread
(``Highs.startSolve``) while the main thread waits in short steps; on Ctrl-C it asks HiGHS
to stop (``Highs.cancelSolve``, which HiGHS reads at its interrupt callbacks).

HiGHS reads the request only at its interrupt checks, and some phases check rarely: a
root LP of 80,000 columns ran 60 s without one, and root cut rounds went 10 s (both
measured with HiGHS 1.16). So the main thread waits at most :data:`STOP_WAIT_S`; if HiGHS
has not stopped by then it takes the last plan HiGHS announced through its improving-
solution callback (in the original columns), with the bound known at that moment, and
leaves HiGHS to stop at its next check. The Highs object stays busy until it does: the
next use of it waits for that (:meth:`Solve.join`).

Either way the caller gets :class:`Stopped` and raises
:class:`~siting.errors.SolveInterrupted`; the plan is checked like any other before it is
used.
"""

from __future__ import annotations

import atexit
import functools
import math
import os
import sys
import threading
import time
import weakref
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np

#: seconds to wait, after Ctrl-C, for HiGHS to stop before taking its last plan
STOP_WAIT_S = 1.5
#: seconds between two looks at a running solve (the latency of Ctrl-C on top of HiGHS's)
POLL_S = 0.1


@dataclass
class Incumbent:
    """The last plan HiGHS announced while solving (from its improving-solution callback)."""

    values: np.ndarray | None = None
    objective: float | None = None
    bound: float | None = None
    nodes: int = 0
    found_s: float = 0.0


@dataclass(frozen=True)
class Stopped:
    """A solve that Ctrl-C ended: whether HiGHS itself stopped (then read it as usual), or
    was left running (then use ``incumbent``); and the seconds from start to here."""

    halted: bool
    incumbent: Incumbent
    seconds: float


_SOLVES: weakref.WeakSet[Solve] = weakref.WeakSet()


def still_running() -> bool:
    """Whether a solve that Ctrl-C ended is still running on its thread."""
    return any(solve.running for solve in list(_SOLVES))


@functools.cache
def _wait_at_exit() -> None:
    """At exit, wait for a solve left running to stop: HiGHS aborts the process if it is
    torn down while it runs. A second Ctrl-C leaves at once."""

    def wait() -> None:
        if not still_running():
            return
        sys.stderr.write("siting: waiting for HiGHS to stop (Ctrl-C to leave at once)\n")
        sys.stderr.flush()
        try:
            for solve in list(_SOLVES):
                solve.join()
        except KeyboardInterrupt:
            sys.stdout.flush()
            os._exit(130)

    atexit.register(wait)


class Solve:
    """Runs HiGHS on its own thread so that Ctrl-C can stop it (one Highs object)."""

    def __init__(self, highs: highspy.Highs) -> None:
        _SOLVES.add(self)
        self.highs = highs
        self._incumbent = Incumbent()
        self._started = 0.0
        self._lock = threading.Lock()
        highs.HandleUserInterrupt = True
        highs.cbMipImprovingSolution.subscribe(self._improved)
        highs.cbMipInterrupt.subscribe(self._checked)

    def _improved(self, event: Any) -> None:
        out = event.data_out
        incumbent = Incumbent(
            values=np.array(out.mip_solution, dtype=float, copy=True),
            objective=float(out.objective_function_value),
            bound=_finite(out.mip_dual_bound),
            nodes=int(out.mip_node_count),
            found_s=time.perf_counter() - self._started,
        )
        with self._lock:
            self._incumbent = incumbent

    def _checked(self, event: Any) -> None:
        """HiGHS's interrupt check: the latest bound and node count, for the plan in hand."""
        out = event.data_out
        bound = _finite(out.mip_dual_bound)
        with self._lock:
            if bound is not None:
                self._incumbent.bound = bound
            self._incumbent.nodes = max(self._incumbent.nodes, int(out.mip_node_count))

    @property
    def running(self) -> bool:
        return bool(self.highs.is_solver_running())

    def join(self) -> None:
        """Wait for a solve left running after Ctrl-C to end (Ctrl-C again gives up)."""
        while self.running:
            time.sleep(POLL_S)

    def run(self) -> Stopped | None:
        """Solve; None when HiGHS ended by itself, :class:`Stopped` after Ctrl-C."""
        self.join()
        with self._lock:
            self._incumbent = Incumbent()
        self._started = time.perf_counter()
        self.highs.startSolve()
        try:
            while not self.highs.wait(POLL_S)[0]:
                pass
        except KeyboardInterrupt:
            self.highs.cancelSolve()
            deadline = time.perf_counter() + STOP_WAIT_S
            halted = False
            while time.perf_counter() < deadline:
                if self.highs.wait(POLL_S)[0]:
                    halted = True
                    break
            with self._lock:
                incumbent = self._incumbent
            if not halted:
                _wait_at_exit()
            return Stopped(halted, incumbent, time.perf_counter() - self._started)
        return None


def _finite(value: float) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


def run_or_stop(highs: highspy.Highs) -> None:
    """Run ``highs`` (a helper solve whose plan is of no use half done); Ctrl-C stops it as
    above and raises KeyboardInterrupt."""
    if Solve(highs).run() is not None:
        raise KeyboardInterrupt
