"""Site regrets as sweep runs: one run per site forced closed or open, on the sweep backends.

Each regret is a run of the alternatives' case whose only difference is an edit
(:attr:`siting.sweep.plan.PlannedRun.edits`), so all of them belong to one chain: a
worker builds the model once and re-solves it for each site
(:mod:`siting.sweep.worker`). Run in this process (``workers=0``), the chain is the
caller's own built model, handed to the worker state with
:func:`siting.sweep.worker.keep_handle`. The regret of a change is

    regret = σ_f · (f*_change − f*)

with f* the case objective of the optimum, f*_change that of the best plan with the site
closed (a chosen site) or open (an unchosen one), and σ_f = +1 for a minimised objective,
−1 for a maximised one: what the change costs. Its bound gives a lower limit,
σ_f·(bound_change − f*), that no gap can undercut.
"""

from __future__ import annotations

import time
from collections.abc import Hashable, Iterable
from typing import TYPE_CHECKING, Any

from siting.config import Case
from siting.edits import ModelEdits
from siting.geodata import GeoData
from siting.inputs import ModelInputs
from siting.sweep.backends import Backend, DaskBackend, InlineBackend, LocalBackend, connect_dask
from siting.sweep.plan import PlannedRun, case_identity, chain_of, digest

if TYPE_CHECKING:
    from siting.solver.handle import SolverHandle

CLOSE, OPEN = "close", "open"


def regret_runs(
    case: Case,
    changes: Iterable[tuple[str, Hashable]],
    data_digest: str | None = None,
) -> list[PlannedRun]:
    """One run per (change, site): ``close`` forces a site closed, ``open`` forces it open."""
    ident = _identity(case)
    chain = chain_of(ident, data_digest, None)
    runs = []
    for i, (change, site) in enumerate(changes):
        edits = (
            ModelEdits(closed_sites=frozenset({site}))
            if change == CLOSE
            else ModelEdits(open_sites=frozenset({site}))
        )
        rid = digest({"case": ident, "data": data_digest, "edits": edits.to_dict()})[:16]
        runs.append(
            PlannedRun(
                run_id=rid,
                point=i,
                case=case,
                chain=chain,
                columns={"change": change, "site_id": site},
                label=f"{change} {site}",
                role="regret",
                edits=edits,
            )
        )
    return runs


def _identity(case: Case) -> dict[str, Any]:
    from siting.io.layers import file_digest

    return case_identity(case, file_digest)


def regret_chain(case: Case, data_digest: str | None = None) -> str:
    """The chain every regret run of ``case`` belongs to."""
    return chain_of(_identity(case), data_digest, None)


class RegretRuns:
    """Regret runs handed to a sweep backend as slots free up, their records collected.

    ``workers=0`` runs them in this process on ``handle`` (after the caller's own solves:
    :meth:`pump` leaves them queued); otherwise ``workers`` local processes, or the Dask
    cluster of ``client``/``scheduler``, run them while the caller goes on.
    """

    def __init__(
        self,
        case: Case,
        inputs: ModelInputs,
        handle: SolverHandle,
        data: GeoData | None,
        workers: int,
        client: Any = None,
        scheduler: str | None = None,
        data_digest: str | None = None,
    ) -> None:
        self.case, self.data_digest = case, data_digest
        self.chain = regret_chain(case, data_digest)
        self._own_client = None
        if scheduler is not None and client is None:
            client = self._own_client = connect_dask(scheduler)
        self.inline = client is None and workers == 0
        self.backend: Backend
        if client is not None:
            self.backend = DaskBackend(client, data)
        elif self.inline:
            from siting.sweep.worker import keep_handle

            self.backend = InlineBackend(data)
            keep_handle(self.chain, inputs, handle)
        else:
            self.backend = LocalBackend(workers, data)
        self._queue: list[PlannedRun] = []
        self._busy: dict[int, PlannedRun] = {}
        self.records: dict[str, dict[str, Any]] = {}
        self.runs: dict[str, PlannedRun] = {}
        self.started = time.perf_counter()

    def changes(self, changes: Iterable[tuple[str, Hashable]]) -> None:
        """Queue the regret runs of ``changes`` ((change, site) pairs)."""
        self.submit(regret_runs(self.case, changes, self.data_digest))

    def submit(self, runs: Iterable[PlannedRun]) -> None:
        for run in runs:
            if run.run_id not in self.runs:
                self.runs[run.run_id] = run
                self._queue.append(run)
        if not self.inline:
            self.pump()

    def pump(self, timeout: float = 0.0) -> None:
        """Collect finished runs and hand queued ones to free slots (never blocks on an
        inline backend: its runs wait for :meth:`wait`)."""
        if self.inline:
            return
        self._step(timeout)

    def _step(self, timeout: float) -> None:
        for slot in range(self.backend.slots):
            if slot not in self._busy and self._queue:
                run = self._queue.pop(0)
                self._busy[slot] = run
                self.backend.submit(slot, run)
        if self._busy:
            for slot, record in self.backend.poll(timeout):
                run = self._busy.pop(slot)
                self.records[run.run_id] = record

    def wait(self) -> list[dict[str, Any]]:
        """Run what is left and return every record, in submission order."""
        while self._queue or self._busy:
            self._step(0.2)
        return [{**run.columns, **self.records[rid]} for rid, run in self.runs.items()]

    def close(self, kill: bool = False) -> None:
        self.backend.close(kill=kill)
        if self.inline:
            from siting.sweep.worker import drop

            drop(self.chain)
        if self._own_client is not None:
            self._own_client.close()
