"""Site regrets as sweep runs: one run per site forced closed or open, on the sweep backends.

Each regret is a run of the alternatives' case whose only difference is an edit
(:attr:`siting.sweep.plan.PlannedRun.edits`), so all of them belong to one chain: a
worker builds the model once and re-solves it for each site
(:mod:`siting.sweep.worker`). Run in this process (``workers=0``), they re-solve the
caller's own built model through the worker's :func:`~siting.sweep.worker.execute_on`.
The regret of a change is

    regret = σ_f · (f*_change − f*)

with f* the case objective of the optimum, f*_change that of the best plan with the site
closed (a chosen site) or open (an unchosen one), and σ_f = +1 for a minimised objective,
−1 for a maximised one: what the change costs. Its bound gives a lower limit,
σ_f·(bound_change − f*), that no gap can undercut.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import TYPE_CHECKING, Any

from siting.config import Case
from siting.edits import ModelEdits
from siting.errors import SitingError
from siting.geodata import GeoData
from siting.sweep.backends import Backend, DaskBackend, LocalBackend, connect_dask
from siting.sweep.plan import PlannedRun, case_identity, chain_of, digest

if TYPE_CHECKING:
    from siting.solver.handle import SolverHandle

CLOSE, OPEN = "close", "open"


def change_edits(change: str, site: Hashable) -> ModelEdits:
    """``close`` forces ``site`` closed, ``open`` forces it open."""
    if change == CLOSE:
        return ModelEdits(closed_sites=frozenset({site}))
    return ModelEdits(open_sites=frozenset({site}))


def regret_runs(
    case: Case,
    changes: Iterable[tuple[str, Hashable]],
    data_digest: str | None = None,
) -> list[PlannedRun]:
    """One run per (change, site) (see :func:`change_edits`)."""
    ident = _identity(case)
    chain = chain_of(ident, data_digest, None)
    runs = []
    for i, (change, site) in enumerate(changes):
        edits = change_edits(change, site)
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


class RegretRuns:
    """Regret runs handed to a sweep backend as slots free up, their records collected.

    ``workers=0`` (and no Dask cluster) runs them in this process on ``handle``, after the
    caller's own solves (:meth:`pump` leaves them queued); otherwise ``workers`` local
    processes, or the Dask cluster of ``client``/``scheduler``, build the ``case`` once
    each and run them while the caller goes on.
    """

    def __init__(
        self,
        handle: SolverHandle,
        workers: int,
        case: Case | None = None,
        data: GeoData | None = None,
        client: Any = None,
        scheduler: str | None = None,
        data_digest: str | None = None,
    ) -> None:
        self.inline = client is None and scheduler is None and workers == 0
        if not self.inline and case is None:
            raise SitingError(
                "site regrets in worker processes build the model from its case: give the "
                "case, or workers=0 to re-solve this process's model"
            )
        self.case, self.data_digest, self.handle = case, data_digest, handle
        self._own_client = None
        self.backend: Backend | None = None
        if client is None and scheduler is not None:
            client = self._own_client = connect_dask(scheduler)
        if client is not None:
            self.backend = DaskBackend(client, data)
        elif not self.inline:
            self.backend = LocalBackend(workers, data)
        self._queue: list[tuple[int, str, Hashable, PlannedRun | None]] = []
        self._busy: dict[int, tuple[int, str, Hashable, PlannedRun | None]] = {}
        self._records: dict[int, dict[str, Any]] = {}

    def changes(self, changes: Iterable[tuple[str, Hashable]]) -> None:
        """Queue the regret runs of ``changes`` ((change, site) pairs)."""
        pairs = list(changes)
        first = self.count
        runs: list[PlannedRun | None] = [None] * len(pairs)
        if not self.inline:
            assert self.case is not None
            runs = list(regret_runs(self.case, pairs, self.data_digest))
        self._queue.extend(
            (first + i, c, s, r) for i, ((c, s), r) in enumerate(zip(pairs, runs, strict=True))
        )
        self.pump()

    @property
    def count(self) -> int:
        return len(self._records) + len(self._queue) + len(self._busy)

    def pump(self, timeout: float = 0.0) -> None:
        """Collect finished runs and hand queued ones to free slots (runs in this process
        wait for :meth:`wait`)."""
        if self.backend is None:
            return
        for slot in range(self.backend.slots):
            if slot not in self._busy and self._queue:
                item = self._queue.pop(0)
                assert item[3] is not None
                self._busy[slot] = item
                self.backend.submit(slot, item[3])
        if self._busy:
            for slot, record in self.backend.poll(timeout):
                i, change, site, _run = self._busy.pop(slot)
                self._records[i] = {"change": change, "site_id": site, **record}

    def wait(self) -> list[dict[str, Any]]:
        """Run what is left; every record, with its change and site, in the order given."""
        if self.backend is None:
            from siting.sweep.worker import execute_on

            while self._queue:
                i, change, site, _run = self._queue.pop(0)
                record = execute_on(self.handle, f"{change}:{site}", change_edits(change, site))
                self._records[i] = {"change": change, "site_id": site, **record}
        while self._queue or self._busy:
            self.pump(0.2)
        return [self._records[i] for i in sorted(self._records)]

    def close(self, kill: bool = False) -> None:
        if self.backend is not None:
            self.backend.close(kill=kill)
        if self._own_client is not None:
            self._own_client.close()
