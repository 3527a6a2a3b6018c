"""Run a sweep: plan, skip what is done, hand segments to the backend's slots, write each
run as it finishes, show progress.

The run order is fixed and visible: validate → plan → open the folder (recover, find what
is done) → run segments → compact. Interrupting at any point loses at most the runs in
flight; the same call resumes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from siting.errors import CaseError, SitingError
from siting.geodata import GeoData
from siting.io.layers import file_digest
from siting.io.sweep_file import read_sweep
from siting.output.sweep_store import SweepStore
from siting.sweep.backends import (
    Backend,
    DaskBackend,
    InlineBackend,
    LocalBackend,
    connect_dask,
)
from siting.sweep.parameters import Sweep
from siting.sweep.plan import Plan, PlannedRun, Segment, digest, make_plan, reuse_of, segments

#: statuses that ``retry_failed`` runs again (a run that ended cleanly is never repeated)
FAILED = ("error", "check_failed")
#: case sections that in-memory data already fixes
_DATA_SECTIONS = ("layers", "network", "units")


@dataclass(frozen=True)
class SweepResult:
    """The sweep folder's tables after the run, and what this call computed."""

    out: Path
    runs: pd.DataFrame
    sites: pd.DataFrame
    candidates: pd.DataFrame
    computed: int
    skipped: int
    plan: Plan


def default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def run_sweep(
    sweep: Sweep | str | Path,
    out: str | Path,
    *,
    workers: int | None = None,
    client: Any = None,
    scheduler: str | None = None,
    data: GeoData | None = None,
    reuse: bool = True,
    retry_failed: bool = False,
    progress: bool = True,
    backend: Backend | None = None,
) -> SweepResult:
    """Run every planned run that ``out`` does not hold yet and return the tables.

    Backends: ``client`` (a ``distributed.Client``) or ``scheduler`` (its address) run on a
    Dask cluster; otherwise ``workers`` local processes (default: one per CPU; ``0`` runs in
    this process). ``reuse=False`` rebuilds the model for every run (for comparison).
    """
    if not isinstance(sweep, Sweep):
        sweep = read_sweep(sweep)
    if data is not None:
        _check_data_parameters(sweep)
    plan = make_plan(sweep, _digests(), geodata_digest(data) if data is not None else None)
    with SweepStore(out) as store:
        _same_sweep(store, plan)
        done = store.done()
        if retry_failed:
            done = {k: v for k, v in done.items() if v.get("status") not in FAILED}
        store.write_meta(sweep_meta(plan))
        own_client = None
        todo = sum(seg.remaining for seg in segments(plan, 1, _digests()) if seg.next(done))
        if backend is None:
            if workers is not None and (client is not None or scheduler is not None):
                raise SitingError("give either workers (local processes) or a Dask cluster")
            if scheduler is not None and client is None:
                client = own_client = connect_dask(scheduler)
            if client is not None:
                backend = DaskBackend(client, data, reuse)
            elif workers == 0 or todo == 0:
                backend = InlineBackend(data, reuse)
            else:
                backend = LocalBackend(min(workers or default_workers(), todo), data, reuse)
        try:
            computed, skipped = _drive(plan, backend, store, done, progress)
        except BaseException:
            backend.close(kill=True)
            raise
        else:
            backend.close()
        finally:
            if own_client is not None:
                own_client.close()
        store.compact()
        tables = store.tables()
    return SweepResult(
        Path(out), tables.runs, tables.sites, tables.candidates, computed, skipped, plan
    )


def _check_data_parameters(sweep: Sweep) -> None:
    for path in [*sweep.parameters, *sweep.spec.fixed]:
        if path.split(".")[0] in _DATA_SECTIONS:
            raise CaseError(
                f"{sweep.where}: parameters.{path}: in-memory data is already read and "
                f"standardised, so {path.split('.')[0]}.* cannot vary; sweep a case file instead"
            )


def _digests() -> Any:
    cache: dict[tuple[str, int, int], str] = {}

    def file_hash(path: Path) -> str:
        stat = path.stat()
        key = (str(path), stat.st_size, stat.st_mtime_ns)
        if key not in cache:
            cache[key] = file_digest(path)
        return cache[key]

    return file_hash


def geodata_digest(data: GeoData) -> str:
    """A content hash of in-memory layers (stands in for file hashes in run ids)."""
    parts: dict[str, str] = {}
    for name in (
        "pipelines",
        "nodes",
        "grid",
        "fiber",
        "climate",
        "towns",
        "hubs",
        "country",
        "borders",
        "exclusions",
    ):
        frame = getattr(data, name)
        if frame is None:
            continue
        plain = pd.DataFrame(frame).copy()
        if "geometry" in plain.columns:
            plain["geometry"] = [g.wkb_hex if g is not None else "" for g in plain["geometry"]]
        hashed = pd.util.hash_pandas_object(plain.astype(str), index=True)
        parts[name] = digest([list(map(str, plain.columns)), hashed.to_numpy().tolist()])
    return digest(parts)


def spec_hash(plan: Plan) -> str:
    """What makes two sweeps the same one: the sweep's name, its spec (without the
    description) and the identity of every planned run (so the case and its layers too)."""
    spec = plan.sweep.spec.model_dump(mode="json", exclude={"description"})
    return digest(
        {
            "sweep": plan.sweep.name,
            "spec": spec,
            "runs": sorted(run.run_id for run in plan.runs),
            "data": plan.data_digest,
        }
    )


def _same_sweep(store: SweepStore, plan: Plan) -> None:
    """Refuse to add this sweep's runs to a folder that holds runs this sweep does not plan.

    The folder's ``sweep.json`` records the spec hash of the sweep that wrote it. The same
    hash resumes; another spec is accepted only as an extension, one that plans every run
    the folder holds (more values of a parameter, say), so the rows never mix two sweeps.
    """
    tables = store.tables()
    if tables.runs.empty:
        return
    ours = spec_hash(plan)
    meta = tables.meta
    if meta.get("spec_hash") == ours:
        return
    runs = tables.runs
    first = runs[runs["step"] == 0] if "step" in runs.columns else runs
    foreign = set(first["run_id"]) - {run.run_id for run in plan.runs}
    if foreign:
        recorded = str(meta.get("spec_hash") or "unrecorded")
        raise SitingError(
            f"--out {store.out}: holds {len(foreign)} run(s) of the sweep {meta.get('sweep')!r} "
            f"(spec {recorded[:12]}) that {plan.sweep.where} (spec {ours[:12]}) does not plan; "
            "a sweep folder takes one sweep (resumed or extended): choose another --out"
        )


def _spec(plan: Plan) -> dict[str, Any]:
    return plan.sweep.spec.model_dump(mode="json")


def sweep_meta(plan: Plan) -> dict[str, Any]:
    sweep = plan.sweep
    return {
        "sweep": sweep.name,
        "spec_hash": spec_hash(plan),
        "description": sweep.spec.description,
        "case": str(sweep.case_source) if sweep.case_source else None,
        "scenario": sweep.spec.scenario,
        "spec": _spec(plan),
        "parameters": {
            path: {
                "unit": plan.units.get(path),
                "reuse": reuse_of(path),
                "values": list(p.values) if p.values is not None else None,
                "range": [p.low, p.high] if p.values is None else None,
            }
            for path, p in sweep.parameters.items()
        },
        "runs_planned": plan.total,
        "design_points": len(plan.runs),
        "updated": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def run_row(plan: Plan, run: PlannedRun, record: dict[str, Any]) -> dict[str, Any]:
    """One row of runs.parquet: the plan's view of the run, then the worker's result."""
    row: dict[str, Any] = {
        "run_id": run.run_id,
        "sweep": plan.sweep.name,
        "point": run.point,
        "step": run.step,
        "role": run.role,
        "chain": run.chain,
        "label": run.label,
        "design": plan.sweep.spec.design.kind,
        **run.columns,
    }
    if run.pareto is not None:
        row["pareto_metrics"] = ",".join(run.pareto.metrics)
        row["epsilon"] = run.epsilon
    row.update({k: v for k, v in record.items() if not k.startswith("_")})
    return row


def _drive(
    plan: Plan, backend: Backend, store: SweepStore, done: dict[str, Any], show: bool
) -> tuple[int, int]:
    queue: list[Segment] = segments(plan, backend.slots, _digests())
    every: list[Segment] = list(queue)
    owned: dict[int, Segment] = {}
    active: dict[int, tuple[Segment, PlannedRun]] = {}
    last_chain: dict[int, str] = {}
    computed = failed = 0

    def take(slot: int) -> tuple[Segment, PlannedRun] | None:
        """The next run for ``slot``: its own segment first, then one of the chain it last
        built, then any; with nothing queued, split a busy slot's segment."""
        mine = [owned[slot]] if slot in owned else []
        for seg in mine + sorted(queue, key=lambda s: s.chain != last_chain.get(slot)):
            run = seg.next(done)
            if seg in queue:
                queue.remove(seg)
            if run is not None:
                owned[slot] = seg
                return seg, run
            if owned.get(slot) is seg:
                del owned[slot]
        for seg in sorted(set(owned.values()), key=lambda s: -s.remaining):
            extra = seg.split()
            if extra is not None:
                queue.append(extra)
                every.append(extra)
                return take(slot)
        return None

    def left() -> int:
        return plan.total - sum(s.skipped + s.dropped() for s in every)

    with _progress(show, plan.total) as bar:
        while True:
            for slot in range(backend.slots):
                if slot not in active and (picked := take(slot)) is not None:
                    active[slot] = picked
                    last_chain[slot] = picked[0].chain
                    backend.submit(slot, picked[1])
            bar(computed, left(), failed)
            if not active:
                break
            for slot, record in backend.poll(0.2):
                seg, run = active.pop(slot)
                row = run_row(plan, run, record)
                store.add(row, record.get("_sites"), record.get("_candidates"))
                done[run.run_id] = row
                seg.finished(run, row)
                computed += 1
                failed += row.get("status") in FAILED
    return computed, sum(s.skipped for s in every)


@contextlib.contextmanager
def _progress(show: bool, total: int) -> Iterator[Any]:
    if not show:
        yield lambda *_: None
        return
    from rich.console import Console

    if Console().is_jupyter:
        yield from _text_progress()
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("[bold]sweep[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("runs"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        TextColumn("{task.fields[failed]}"),
    )
    with Progress(*columns, console=Console(stderr=True)) as progress:
        task = progress.add_task("sweep", total=total, failed="")

        def update(completed: int, todo: int, failed: int) -> None:
            progress.update(
                task,
                completed=completed,
                total=max(todo, completed),
                failed=f"[red]{failed} failed[/]" if failed else "",
            )

        yield update


def _text_progress() -> Iterator[Any]:
    """One line rewritten in place (notebooks: no widget libraries needed)."""
    import sys
    import time

    start = time.monotonic()
    shown_at, shown_line = 0.0, ""

    def update(completed: int, todo: int, failed: int) -> None:
        nonlocal shown_at, shown_line
        now = time.monotonic()
        if now - shown_at < 0.5 and completed < todo:
            return
        elapsed = now - start
        eta = elapsed / completed * (todo - completed) if completed else None
        line = (
            f"sweep: {completed}/{todo} runs, {dt.timedelta(seconds=round(elapsed))} elapsed, "
            f"ETA {dt.timedelta(seconds=round(eta)) if eta is not None else '?'}"
            + (f", {failed} failed" if failed else "")
        )
        if line != shown_line:
            sys.stderr.write("\r" + line)
            sys.stderr.flush()
            shown_at, shown_line = now, line

    yield update
    sys.stderr.write("\n")


def describe_plan(plan: Plan) -> list[str]:
    """Lines that say what a sweep will do (for ``--dry-run`` and the start of a sweep)."""
    sweep = plan.sweep
    lines = [f"{sweep.name}: {len(plan.runs)} design point(s), {plan.total} run(s)"]
    for path, p in sweep.parameters.items():
        shown = (
            ", ".join(map(str, p.values))
            if p.values is not None
            else f"{p.low:g}…{p.high:g} {p.unit or ''}"
        )
        lines.append(f"  {path}: {shown} — {reuse_of(path)}")
    chains = len({r.chain for r in plan.runs})
    lines.append(
        f"  {chains} model(s) to build (one per chain of runs that differ only in reused keys)"
    )
    if plan.fronts:
        spec = sweep.spec.pareto
        assert spec is not None
        lines.append(
            f"  Pareto front {spec.objectives[0]} vs {spec.objectives[1]} per point: "
            f"{spec.points} points (4 anchor solves + {spec.points - 2} ε runs)"
        )
    return lines
