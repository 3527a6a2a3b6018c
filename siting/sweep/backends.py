"""Where runs execute, behind one small interface.

A backend offers ``slots``: places that run one run at a time and keep their built models
between runs (:mod:`siting.sweep.worker`). The driver submits the next run of a segment to
the slot that ran the previous one, so consecutive runs of a chain re-solve one model.

- :class:`InlineBackend`: in this process (tests, benchmarks, debugging);
- :class:`LocalBackend`: one worker process per slot (the default; ``--workers N``);
- :class:`DaskBackend`: the workers of a Dask distributed cluster (``--scheduler ADDRESS``
  or a ``distributed.Client``), one slot per worker. Start workers with one thread each
  (``dask worker ADDRESS --nthreads 1``): HiGHS's MIP search is sequential, so parallelism
  comes from processes.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
import signal
import uuid
from datetime import UTC, datetime
from typing import Any, Protocol

from siting.errors import SitingError
from siting.geodata import GeoData
from siting.sweep.plan import PlannedRun
from siting.sweep.worker import execute

Finished = tuple[int, dict[str, Any]]


class Backend(Protocol):
    name: str
    slots: int

    def submit(self, slot: int, run: PlannedRun) -> None: ...

    def poll(self, timeout: float) -> list[Finished]: ...

    def close(self, kill: bool = False) -> None: ...


def failed_record(run: PlannedRun, message: str) -> dict[str, Any]:
    """The row of a run whose worker died or could not be reached."""
    return {
        "run_id": run.run_id,
        "status": "error",
        "message": message[:2000],
        "reused": False,
        "warm_start": False,
        "finished_at": datetime.now(UTC).isoformat(timespec="milliseconds"),
    }


class InlineBackend:
    """Runs in the calling process, one at a time."""

    name = "inline"

    def __init__(self, data: GeoData | None = None, reuse: bool = True) -> None:
        self.slots = 1
        self.data, self.reuse = data, reuse
        self._waiting: list[tuple[int, PlannedRun]] = []

    def submit(self, slot: int, run: PlannedRun) -> None:
        self._waiting.append((slot, run))

    def poll(self, timeout: float) -> list[Finished]:
        waiting, self._waiting = self._waiting, []
        return [(slot, execute(run, self.data, self.reuse)) for slot, run in waiting]

    def close(self, kill: bool = False) -> None:
        self._waiting.clear()


def _slot_main(
    slot: int, inbox: Any, outbox: Any, data: GeoData | None, reuse: bool
) -> None:  # pragma: no cover - runs in a child process
    # the driver handles Ctrl-C and stops the workers; HiGHS prints a banner on stdout
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    outbox.put((slot, None))
    parent = mp.parent_process()
    while True:
        try:
            run = inbox.get(timeout=2.0)
        except queue.Empty:
            if parent is not None and not parent.is_alive():
                return  # the driver was killed: do not linger
            continue
        if run is None:
            return
        outbox.put((slot, execute(run, data, reuse)))


class LocalBackend:
    """One worker process per slot, started with ``spawn`` (safe beside threads)."""

    name = "local"

    def __init__(self, workers: int, data: GeoData | None = None, reuse: bool = True) -> None:
        if workers < 1:
            raise SitingError(f"--workers must be at least 1, got {workers}")
        self.slots = workers
        self._ctx = mp.get_context("spawn")
        self._data, self._reuse = data, reuse
        self._outbox = self._ctx.Queue()
        self._inboxes: list[Any] = []
        self._procs: list[Any] = []
        self._busy: dict[int, PlannedRun] = {}
        self._ready: set[int] = set()
        for slot in range(workers):
            self._inboxes.append(self._ctx.Queue())
            self._procs.append(None)
            self._start(slot)

    def _start(self, slot: int) -> None:
        proc = self._ctx.Process(
            target=_slot_main,
            args=(slot, self._inboxes[slot], self._outbox, self._data, self._reuse),
            daemon=True,
            name=f"siting-sweep-{slot}",
        )
        proc.start()
        self._procs[slot] = proc

    def submit(self, slot: int, run: PlannedRun) -> None:
        self._busy[slot] = run
        self._inboxes[slot].put(run)

    def poll(self, timeout: float) -> list[Finished]:
        messages: list[tuple[int, dict[str, Any] | None]] = []
        try:
            messages.append(self._outbox.get(timeout=timeout))
            while True:
                messages.append(self._outbox.get_nowait())
        except queue.Empty:
            pass
        out: list[Finished] = []
        for slot, record in messages:
            if record is None:
                self._ready.add(slot)
            else:
                self._busy.pop(slot, None)
                out.append((slot, record))
        for slot, run in list(self._busy.items()):
            proc = self._procs[slot]
            if not proc.is_alive():
                code = proc.exitcode
                if slot not in self._ready:
                    raise SitingError(
                        f"a sweep worker process could not start (exit code {code}). From a "
                        "script, call run_sweep under `if __name__ == '__main__':` (worker "
                        "processes import the main module), or pass workers=0"
                    )
                del self._busy[slot]
                out.append(
                    (slot, failed_record(run, f"the worker process died (exit code {code})"))
                )
                self._inboxes[slot] = self._ctx.Queue()
                self._ready.discard(slot)
                self._start(slot)
        return out

    def close(self, kill: bool = False) -> None:
        for slot, proc in enumerate(self._procs):
            if proc is None:
                continue
            if kill:
                proc.terminate()
            else:
                self._inboxes[slot].put(None)
        for proc in self._procs:
            if proc is not None:
                proc.join(timeout=10)
                if proc.is_alive():
                    proc.terminate()
                    proc.join(timeout=5)
        self._busy.clear()


def _dask_execute(run: PlannedRun, data: GeoData | None, reuse: bool) -> dict[str, Any]:
    return execute(run, data, reuse)  # pragma: no cover - runs on a Dask worker


class DaskBackend:
    """The workers of a Dask cluster; each keeps its built models between tasks."""

    name = "dask"

    def __init__(self, client: Any, data: GeoData | None = None, reuse: bool = True) -> None:
        self.client = client
        self.addresses = sorted(client.nthreads())
        if not self.addresses:
            raise SitingError(f"the Dask cluster at {client.scheduler.address} has no workers")
        self.slots = len(self.addresses)
        self._data = client.scatter(data, broadcast=True) if data is not None else None
        self._reuse = reuse
        self._futures: dict[Any, tuple[int, PlannedRun]] = {}

    def submit(self, slot: int, run: PlannedRun) -> None:
        future = self.client.submit(
            _dask_execute,
            run,
            self._data,
            self._reuse,
            workers=[self.addresses[slot]],
            allow_other_workers=True,
            pure=False,
            key=f"siting-run-{run.run_id}-{uuid.uuid4().hex[:8]}",
        )
        self._futures[future] = (slot, run)

    def poll(self, timeout: float) -> list[Finished]:
        from distributed import wait

        if not self._futures:
            return []
        try:
            done, _ = wait(list(self._futures), timeout=timeout, return_when="FIRST_COMPLETED")
        except TimeoutError:
            return []
        out: list[Finished] = []
        for future in done:
            slot, run = self._futures.pop(future)
            if future.status == "finished":
                out.append((slot, future.result()))
            else:
                exc = future.exception()
                out.append((slot, failed_record(run, f"the Dask task failed: {exc!r}")))
        return out

    def close(self, kill: bool = False) -> None:
        if self._futures:
            self.client.cancel(list(self._futures))
        self._futures.clear()


def connect_dask(scheduler: str) -> Any:
    """A ``distributed.Client`` for ``scheduler`` (``tcp://host:8786``), or a clear error."""
    try:
        from distributed import Client
    except ImportError:
        raise SitingError(
            "running on a Dask cluster needs dask.distributed: pip install 'siting[distributed]'"
        ) from None
    try:
        return Client(scheduler, timeout="20s")
    except (OSError, TimeoutError) as exc:
        raise SitingError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
