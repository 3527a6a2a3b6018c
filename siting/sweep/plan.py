"""The plan of a sweep: one run per distinct resolved case, its stable id, the model it can
share, and the order that keeps each previous solution a feasible warm start.

- **Run id**: the hash of the fully resolved inputs (the case without its name, the content
  of every layer file or of the in-memory data, and the Pareto weights and bounds). Equal
  ids mean equal inputs, so a resumed sweep skips them.
- **Chain**: runs whose cases differ only in :data:`REUSED` key paths share one built
  model: prices and compute value are objective coefficients, target, budget and site
  limit are right-hand sides, solver settings are options. Anything else (network,
  candidates, technology, other costs) changes the model's tables and needs a rebuild.
- **Order**: within a chain, the target falls and the budget, site limit and cost ceiling
  grow from run to run, so each solution stays feasible for the next one and HiGHS can
  start from it.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections import deque
from collections.abc import Callable, Generator, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from siting.config import Case
from siting.edits import ModelEdits
from siting.inputs import PARETO_METRICS
from siting.solver.parameters import MUTABLE
from siting.sweep.design import Point, design_points
from siting.sweep.parameters import Sweep, column_value

#: solver settings a sweep may change between re-solves of one model
SOLVER_OPTIONS: dict[str, str] = {
    "solver.time_limit_s": "a solver option",
    "solver.mip_gap": "a solver option",
    "solver.seed": "a solver option",
    "solver.threads": "a solver option",
    "solver.elastic_diagnosis": "a solver option",
    "solver.highs_options": "solver options",
    "solver.check_tolerance": "a checker option",
}
#: key path → how a change of it alone is re-solved (see the module docstring)
REUSED: dict[str, str] = {
    **{q.case_path: q.role for q in MUTABLE if q.case_path is not None},
    **SOLVER_OPTIONS,
}
#: right-hand sides whose presence (set or not) is part of the model's structure
_PRESENCE = tuple(q.case_path for q in MUTABLE if q.case_path is not None and q.optional)
#: relative slack of a lexicographic anchor's bound, and the weight of the second metric
#: in ε runs relative to the first (it only breaks ties between plans on the same bound)
ANCHOR_SLACK = 1e-6
TIE_BREAK = 1e-3
OK_STATUSES = ("optimal", "limit")
METRIC_COLUMNS = {"cost": "cost_musd_y", "gas": "gas_mw", "remoteness": "remoteness_mw_km"}


def reuse_of(path: str) -> str:
    """How a sweep over ``path`` runs: re-solving one built model, or rebuilding it."""
    return f"re-solves: {REUSED[path]}" if path in REUSED else "rebuilds the model per value"


@dataclass(frozen=True)
class ParetoSetting:
    """The ``pareto`` objective of one run: metrics, weights and ε bounds."""

    metrics: tuple[str, str]
    weights: tuple[float, float]
    bounds: tuple[float | None, float | None] = (None, None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "metrics": list(self.metrics),
            "weights": list(self.weights),
            "bounds": list(self.bounds),
        }


@dataclass(frozen=True)
class PlannedRun:
    """One run: its resolved case, identity, chain and the values shown in the results.
    ``edits`` change the chain's built model for this run only (sites forced open or
    closed: the site regrets of :mod:`siting.alternatives`)."""

    run_id: str
    point: int
    case: Case
    chain: str
    columns: dict[str, Any]
    label: str
    role: str = "point"
    step: int = 0
    pareto: ParetoSetting | None = None
    edits: ModelEdits | None = None

    @property
    def epsilon(self) -> float | None:
        return self.pareto.bounds[1] if self.pareto is not None else None


@dataclass
class Plan:
    """Every design point resolved; Pareto runs beyond the first are generated as anchors
    finish (their bounds depend on the anchors' results)."""

    sweep: Sweep
    runs: list[PlannedRun]
    units: dict[str, str | None]
    fronts: bool
    front_size: int = 0
    data_digest: str | None = None
    digests: dict[str, str] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return len(self.runs) * self.front_size if self.fronts else len(self.runs)


def digest(obj: Any) -> str:
    text = json.dumps(obj, sort_keys=True, default=str, allow_nan=True)
    return hashlib.sha256(text.encode()).hexdigest()


def case_identity(case: Case, file_digest: Callable[[Path], str]) -> dict[str, Any]:
    """The resolved case as plain data, its layer files replaced by their content hashes."""
    ident = case.model_dump(mode="json", exclude={"scenarios", "name", "description", "scenario"})
    if case.layers is not None:
        layers: dict[str, Any] = {}
        for key, spec in case.layers.specs().items():
            layers[key] = {
                "sha256": file_digest(spec.path),
                "layer": spec.layer,
                "columns": dict(spec.columns),
            }
        ident["layers"] = layers
    return ident


def _masked(ident: Mapping[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(dict(ident))
    for path in REUSED:
        *parents, last = path.split(".")
        node: Any = out
        for key in parents:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, dict) and last in node:
            if path in _PRESENCE:
                node[last] = node[last] is not None
            else:
                del node[last]
    return out


def run_id(ident: Mapping[str, Any], data_digest: str | None, pareto: ParetoSetting | None) -> str:
    payload = {
        "case": ident,
        "data": data_digest,
        "pareto": pareto.to_dict() if pareto else None,
    }
    return digest(payload)[:16]


def chain_of(
    ident: Mapping[str, Any], data_digest: str | None, pareto: ParetoSetting | None
) -> str:
    payload = {
        "case": _masked(ident),
        "data": data_digest,
        "pareto": list(pareto.metrics) if pareto else None,
    }
    return digest(payload)[:12]


def make_plan(
    sweep: Sweep,
    file_digest: Callable[[Path], str] | None = None,
    data_digest: str | None = None,
) -> Plan:
    """Resolve every design point (raising CaseError on a point the case rejects).
    ``file_digest`` hashes layer files (default: SHA-256 of the content)."""
    from siting.errors import CaseError

    if file_digest is None:
        from siting.io.layers import file_digest as content_digest

        file_digest = content_digest

    points = design_points(sweep)
    spec = sweep.spec
    runs: list[PlannedRun] = []
    seen: set[str] = set()
    units: dict[str, str | None] = {}
    first_pareto = (
        ParetoSetting(spec.pareto.objectives, (1.0, 0.0)) if spec.pareto is not None else None
    )
    for i, point in enumerate(points):
        try:
            case = sweep.case_for(point)
        except CaseError as exc:
            raise CaseError(
                f"{sweep.where}: design point {i} ({label(point)}): {exc}".replace("\n", "; ")
            ) from None
        ident = case_identity(case, file_digest)
        rid = run_id(ident, data_digest, first_pareto)
        if rid in seen:
            continue
        seen.add(rid)
        columns = {}
        for path in sweep.parameters:
            columns[path], units[path] = column_value(case, path)
        runs.append(
            PlannedRun(
                run_id=rid,
                point=len(runs),
                case=case,
                chain=chain_of(ident, data_digest, first_pareto),
                columns=columns,
                label=label(point) or "base case",
                role="anchor_stage" if first_pareto else "point",
                pareto=first_pareto,
            )
        )
    front_size = 4 + spec.pareto.points - 2 if spec.pareto is not None else 0
    return Plan(sweep, runs, units, spec.pareto is not None, front_size, data_digest)


def label(point: Point) -> str:
    def shown(key: str, value: Any) -> str:
        if value is None:
            return "base" if key == "scenario" else "unset"
        return str(value)

    return ", ".join(f"{k}={shown(k, v)}" for k, v in point.items())


def relaxing_order(runs: Iterable[PlannedRun]) -> list[PlannedRun]:
    """Target falling, budget, site limit and cost ceiling growing: each solution stays
    feasible next."""

    def key(run: PlannedRun) -> tuple[float, float, float, float, int]:
        conv = run.case.conversions
        obj = run.case.objective
        target = obj.target_it.to_internal(conv) if obj.target_it is not None else 0.0
        budget = obj.budget.to_internal(conv) if obj.budget is not None else 0.0
        sites = float(obj.max_sites) if obj.max_sites is not None else 0.0
        ceiling = obj.ceiling_usd_per_mwh if obj.ceiling_usd_per_mwh is not None else 0.0
        return (-target, budget, sites, ceiling, run.point)

    return sorted(runs, key=key)


# --- segments: what one worker slot runs in sequence on one model --------------------------


class Segment:
    """A sequence of runs that one slot executes in order on one built model.
    ``skipped`` counts runs found already done (a resumed sweep)."""

    chain: str

    @property
    def skipped(self) -> int:
        return 0

    def next(self, done: Mapping[str, Mapping[str, Any]]) -> PlannedRun | None:
        raise NotImplementedError

    def finished(self, run: PlannedRun, record: Mapping[str, Any]) -> None:
        raise NotImplementedError

    def split(self) -> Segment | None:
        return None

    @property
    def remaining(self) -> int:
        raise NotImplementedError

    def dropped(self) -> int:
        """Runs that will no longer happen (a front that ended early)."""
        return 0


class ListSegment(Segment):
    def __init__(self, runs: Iterable[PlannedRun], chain: str) -> None:
        self.queue: deque[PlannedRun] = deque(runs)
        self.chain = chain
        self.current: PlannedRun | None = None
        self._skipped = 0

    @property
    def skipped(self) -> int:
        return self._skipped

    def next(self, done: Mapping[str, Mapping[str, Any]]) -> PlannedRun | None:
        if self.current is not None:
            return self.current
        while self.queue:
            run = self.queue.popleft()
            if run.run_id not in done:
                self.current = run
                return run
            self._skipped += 1
        return None

    def finished(self, run: PlannedRun, record: Mapping[str, Any]) -> None:
        self.current = None

    def split(self) -> Segment | None:
        if len(self.queue) < 2:
            return None
        half = len(self.queue) // 2
        tail = [self.queue.pop() for _ in range(half)][::-1]
        return ListSegment(tail, self.chain)

    @property
    def remaining(self) -> int:
        return len(self.queue) + (self.current is not None)


class FrontSegment(Segment):
    """A Pareto front of one design point: lexicographic anchors, then ε runs (which can be
    split across slots once they are known)."""

    def __init__(
        self,
        base: PlannedRun,
        points: int,
        file_digest: Callable[[Path], str],
        data_digest: str | None,
    ) -> None:
        self.chain = base.chain
        self.size = 4 + points - 2
        self.issued = 0
        self._gen = front_runs(base, points, file_digest, data_digest)
        self._current: PlannedRun | None = None
        self._tail: ListSegment | None = None
        self._over = False
        self._own_skips = 0
        self._advance(None)

    @property
    def skipped(self) -> int:
        return self._own_skips + (self._tail.skipped if self._tail is not None else 0)

    def _advance(self, record: Mapping[str, Any] | None) -> None:
        try:
            item = self._gen.send(record) if record is not None else next(self._gen)
        except StopIteration:
            self._current, self._over = None, True
            return
        if isinstance(item, list):
            self._current = None
            self._tail = ListSegment(item, self.chain)
            self._over = True
        else:
            self._current = item
        self.issued += len(item) if isinstance(item, list) else 1

    def next(self, done: Mapping[str, Mapping[str, Any]]) -> PlannedRun | None:
        while self._current is not None and self._current.run_id in done:
            self._own_skips += 1
            self._advance(done[self._current.run_id])
        if self._current is not None:
            return self._current
        return self._tail.next(done) if self._tail is not None else None

    def finished(self, run: PlannedRun, record: Mapping[str, Any]) -> None:
        if self._tail is not None and run.role == "epsilon":
            self._tail.finished(run, record)
        else:
            self._advance(record)

    def split(self) -> Segment | None:
        return self._tail.split() if self._tail is not None else None

    @property
    def remaining(self) -> int:
        if self._tail is not None:
            return self._tail.remaining
        return self.size - self.issued + (self._current is not None)

    def dropped(self) -> int:
        return self.size - self.issued if self._over else 0


def front_runs(
    base: PlannedRun,
    points: int,
    file_digest: Callable[[Path], str],
    data_digest: str | None,
) -> Generator[PlannedRun | list[PlannedRun], Mapping[str, Any], None]:
    """The runs of one front. Anchors are lexicographic: optimise the first metric, then the
    second with the first held at its optimum (and the other way round), so neither end is
    dominated. The ε runs bound the second metric at ``points − 2`` values evenly between
    the ends, from the second metric's end towards the first's: each bound is looser than
    the previous one, so the previous plan stays a feasible start."""
    assert base.pareto is not None
    m1, m2 = base.pareto.metrics
    ident = case_identity(base.case, file_digest)

    def run(step: int, role: str, setting: ParetoSetting) -> PlannedRun:
        return PlannedRun(
            run_id=run_id(ident, data_digest, setting),
            point=base.point,
            case=base.case,
            chain=base.chain,
            columns=base.columns,
            label=base.label,
            role=role,
            step=step,
            pareto=setting,
        )

    a1 = yield run(0, "anchor_stage", ParetoSetting((m1, m2), (1.0, 0.0)))
    if not _ok(a1):
        return
    a2 = yield run(1, "anchor", ParetoSetting((m1, m2), (0.0, 1.0), (_held(a1, m1), None)))
    b1 = yield run(2, "anchor_stage", ParetoSetting((m1, m2), (0.0, 1.0)))
    if not _ok(b1):
        return
    b2 = yield run(3, "anchor", ParetoSetting((m1, m2), (1.0, 0.0), (None, _held(b1, m2))))
    if not (_ok(a2) and _ok(b2)):
        return
    end_a, end_b = _metric(a2, m2), _metric(b2, m2)
    span2 = abs(end_b - end_a)
    if span2 <= 1e-9 * max(1.0, abs(end_a), abs(end_b)):
        return
    span1 = abs(_metric(b2, m1) - _metric(a2, m1))
    weights = (1.0, TIE_BREAK * (span1 if span1 > 0 else 1.0) / span2)
    eps_runs = []
    for k in range(points - 2, 0, -1):
        bound = float(f"{end_a + (end_b - end_a) * k / (points - 1):.9g}")
        eps_runs.append(
            run(3 + points - 1 - k, "epsilon", ParetoSetting((m1, m2), weights, (None, bound)))
        )
    if eps_runs:
        yield eps_runs


def _ok(record: Mapping[str, Any]) -> bool:
    return record.get("status") in OK_STATUSES


def _metric(record: Mapping[str, Any], metric: str) -> float:
    return float(record[METRIC_COLUMNS[metric]])


def _held(record: Mapping[str, Any], metric: str) -> float:
    """A bound that keeps ``metric`` at the anchor's value (with a hair of slack, so that the
    anchor's own plan stays feasible)."""
    value = _metric(record, metric)
    slack = ANCHOR_SLACK * max(1.0, abs(value))
    return value + slack if PARETO_METRICS[metric][0] == "min" else value - slack


def segments(plan: Plan, slots: int, file_digest: Callable[[Path], str]) -> list[Segment]:
    """Group the runs by chain in relaxing order; split the longest until every slot has
    work (a split costs one more model build and a cold start)."""
    if plan.fronts:
        spec = plan.sweep.spec.pareto
        assert spec is not None
        return [
            FrontSegment(run, spec.points, file_digest, plan.data_digest)
            for run in relaxing_order(plan.runs)
        ]
    chains: dict[str, list[PlannedRun]] = {}
    for run in plan.runs:
        chains.setdefault(run.chain, []).append(run)
    out: list[Segment] = [ListSegment(relaxing_order(runs), c) for c, runs in chains.items()]
    while len(out) < slots:
        longest = max(out, key=lambda s: s.remaining)
        extra = longest.split()
        if extra is None:
            break
        out.append(extra)
    return out
