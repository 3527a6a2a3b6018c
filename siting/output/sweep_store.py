"""The results of a sweep on disk: written as runs finish, atomically, resumable.

A sweep folder holds

- ``runs.parquet``: one row per run (parameters, status, objective, bound, gap, MW, sites,
  gas burnt, times);
- ``sites.parquet``: one row per run × chosen site;
- ``candidates.parquet``: the candidate sites of each model (for stability maps);
- ``sweep.json``: the sweep as planned;
- ``pending/``: runs finished since the last compaction.

Each finished run is written as its own pair of files in ``pending/``: its sites first, then
its run row, each to a temporary name renamed into place. The run row is the commit: a
sites file without one is the trace of an interrupted write and is removed on the next
start. Compaction merges ``pending/`` into the three tables (sites first, runs last) and
only then deletes the merged files; merging is keyed by run id (and site id), so repeating
an interrupted compaction neither loses nor duplicates a row. A resumed sweep skips every
run id that ``runs.parquet`` and ``pending/`` hold.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from siting.errors import SitingError
from siting.output.files import atomic_path, write_json
from siting.output.folder import MANIFEST, check_writable
from siting.output.lock import FolderLock, acquire

RUNS = "runs.parquet"
SITES = "sites.parquet"
CANDIDATES = "candidates.parquet"
PENDING = "pending"
META = "sweep.json"

#: seconds each step of a run took (they differ between two runs of the same inputs)
TIMING_COLUMNS = ("solve_s", "handoff_s", "prepare_s", "build_s", "extract_s", "check_s", "run_s")
#: columns of runs.parquet that are numbers even when the first rows are empty
FLOAT_COLUMNS = (
    "objective",
    "bound",
    "gap",
    "it_mw",
    "gas_mw",
    "gas_bcm_y",
    "gas_total_bcm_y",
    "cost_usd_per_mwh_it",
    "grid_mw",
    "cost_musd_y",
    "capex_musd",
    "value_musd_y",
    "cost_per_mw_it_musd_y",
    "remoteness_mw_km",
    "remoteness_km",
    "epsilon",
    *TIMING_COLUMNS,
)
INT_COLUMNS = ("point", "step", "nodes", "sites_open")
BOOL_COLUMNS = ("reused", "warm_start")
TEXT_COLUMNS = (
    "run_id",
    "sweep",
    "chain",
    "design",
    "pareto_metrics",
    "label",
    "role",
    "status",
    "message",
    "sites",
    "handoff",
    "worker",
    "finished_at",
)


@dataclass(frozen=True)
class SweepTables:
    """The three tables of a sweep folder, merged and deduplicated, and ``sweep.json``."""

    runs: pd.DataFrame
    sites: pd.DataFrame
    candidates: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def units(self) -> dict[str, str | None]:
        """The unit of each swept parameter's column (None for plain numbers and text)."""
        return {k: v.get("unit") for k, v in self.meta.get("parameters", {}).items()}


class SweepStore:
    """Exclusive writer of one sweep folder (a lock keeps a second sweep or run out, see
    :mod:`siting.output.lock`)."""

    def __init__(self, out: str | Path, compact_every: int = 200) -> None:
        self.out = Path(out)
        check_writable(self.out)
        self._lock: FolderLock | None = acquire(
            self.out, "sweep", hint="wait for it to finish or choose another --out"
        )
        if (self.out / MANIFEST).exists():
            self._lock.release()
            raise SitingError(
                f"--out {self.out}: holds a run (manifest.json), not a sweep; write the "
                "sweep into another folder"
            )
        (self.out / PENDING).mkdir(exist_ok=True)
        self.compact_every = compact_every
        self._pending = 0
        self._chains: set[str] = set()
        # frames this store wrote to pending/ and has not compacted yet (spares reading them)
        self._written: dict[Path, pd.DataFrame] = {}
        self.recover()

    def recover(self) -> None:
        """Remove traces of interrupted writes, then merge what finished."""
        pending = self.out / PENDING
        for tmp in [*self.out.glob(".*.partial*"), *pending.glob(".*.partial*")]:
            tmp.unlink(missing_ok=True)
        committed = {p.name.removesuffix(".run.parquet") for p in pending.glob("*.run.parquet")}
        for part in pending.glob("*.sites.parquet"):
            if part.name.removesuffix(".sites.parquet") not in committed:
                part.unlink()
        self.compact()
        tables = self.tables()
        self._chains = set(tables.candidates["chain"]) if len(tables.candidates) else set()

    def tables(self) -> SweepTables:
        return read_tables(self.out)

    def done(self) -> dict[str, dict[str, Any]]:
        """The rows of finished runs, by run id."""
        runs = self.tables().runs
        return {str(r["run_id"]): cast(dict[str, Any], r) for r in runs.to_dict("records")}

    def add(
        self,
        row: Mapping[str, Any],
        sites: pd.DataFrame | None = None,
        candidates: pd.DataFrame | None = None,
    ) -> None:
        """Write one finished run (its run row last: the commit)."""
        name = f"{row['run_id']}-{uuid.uuid4().hex[:8]}"
        pending = self.out / PENDING
        chain = str(row.get("chain", ""))
        if candidates is not None and chain not in self._chains:
            self._write_part(pending / f"cand-{chain}.parquet", candidates.assign(chain=chain))
            self._chains.add(chain)
        if sites is not None and len(sites):
            self._write_part(pending / f"{name}.sites.parquet", sites.assign(run_id=row["run_id"]))
        self._write_part(pending / f"{name}.run.parquet", runs_frame([dict(row)]))
        self._pending += 1
        if self._pending >= self.compact_every:
            self.compact()

    def compact(self) -> None:
        """Merge ``pending/`` into the tables; safe to interrupt and repeat."""
        pending = self.out / PENDING
        parts = sorted(p for p in pending.glob("*.parquet") if not p.name.startswith("."))
        if not parts:
            self._pending = 0
            return
        tables = read_tables(self.out, self._written)
        _write(self.out / SITES, tables.sites)
        _write(self.out / CANDIDATES, tables.candidates)
        _write(self.out / RUNS, tables.runs)
        for part in sorted(parts, key=lambda p: p.name.endswith(".run.parquet")):
            part.unlink(missing_ok=True)
        self._pending = 0
        self._written.clear()

    def _write_part(self, target: Path, frame: pd.DataFrame) -> None:
        _write(target, frame)
        self._written[target] = frame

    def write_meta(self, meta: Mapping[str, Any]) -> None:
        write_json(self.out / META, dict(meta))

    def close(self) -> None:
        self.compact()
        self._release()

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> SweepStore:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.close()
        else:
            self._release()


def read_tables(out: str | Path, written: Mapping[Path, pd.DataFrame] | None = None) -> SweepTables:
    """Runs, sites and candidates of a sweep folder, including runs not yet compacted;
    ``written`` holds frames known to equal the files at those paths."""
    out = Path(out)
    if not out.is_dir():
        raise SitingError(f"{out}: no such sweep folder")
    pending = out / PENDING
    run_parts = sorted(pending.glob("*.run.parquet"), key=_mtime) if pending.is_dir() else []
    committed = {p.name.removesuffix(".run.parquet") for p in run_parts}
    site_parts = [
        p
        for p in (pending.glob("*.sites.parquet") if pending.is_dir() else [])
        if p.name.removesuffix(".sites.parquet") in committed
    ]
    cand_parts = sorted(pending.glob("cand-*.parquet")) if pending.is_dir() else []
    runs = _concat([out / RUNS, *run_parts], written)
    if len(runs):
        runs = runs.drop_duplicates("run_id", keep="last")
        runs = runs.sort_values(["point", "step"], kind="stable").reset_index(drop=True)
    sites = _concat([out / SITES, *sorted(site_parts, key=_mtime)], written)
    if len(sites):
        sites = sites[sites["run_id"].isin(set(runs["run_id"]) if len(runs) else set())]
        sites = sites.drop_duplicates(["run_id", "site_id"], keep="last")
        order = {run_id: i for i, run_id in enumerate(runs["run_id"])}
        sites = sites.assign(_order=sites["run_id"].map(order))
        sites = sites.sort_values(["_order", "site_id"], kind="stable").drop(columns="_order")
        sites = sites.reset_index(drop=True)
    candidates = _concat([out / CANDIDATES, *cand_parts], written)
    if len(candidates):
        candidates = candidates.drop_duplicates(["chain", "site_id"]).reset_index(drop=True)
    meta_path = out / META
    meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
    runs = runs_frame(cast(list[dict[str, Any]], runs.to_dict("records"))) if len(runs) else runs
    return SweepTables(runs, sites, candidates, meta)


def runs_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Run rows with stable column types (numbers stay numbers in empty runs)."""
    columns = list(dict.fromkeys(key for row in rows for key in row))
    data: dict[str, Any] = {}
    for col in columns:
        values = [row.get(col) for row in rows]
        if col in FLOAT_COLUMNS:
            data[col] = np.array([_number(v) for v in values], dtype=float)
        elif col in INT_COLUMNS:
            data[col] = pd.array(
                [None if (x := _number(v)) != x else round(x) for v in values], dtype="Int64"
            )
        elif col in TEXT_COLUMNS:
            data[col] = [_text(v) for v in values]
        elif col in BOOL_COLUMNS:
            data[col] = np.array([bool(v) for v in values], dtype=bool)
        else:
            data[col] = values
    return pd.DataFrame(data, columns=columns)


def _number(value: Any) -> float:
    """The value as a float; NaN for anything that is not a number (as pd.to_numeric)."""
    if value is None or isinstance(value, bool | np.bool_):
        return float("nan") if value is None else float(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def _text(value: Any) -> str:
    return "" if value is None or value != value else str(value)


def _concat(paths: list[Path], written: Mapping[Path, pd.DataFrame] | None) -> pd.DataFrame:
    known = written or {}
    frames = [known[p] if p in known else pd.read_parquet(p) for p in paths if p.exists()]
    frames = [f for f in frames if len(f.columns)]
    if not frames:
        return pd.DataFrame()
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        return 0.0


def _write(target: Path, frame: pd.DataFrame) -> None:
    with atomic_path(target) as tmp:
        frame.to_parquet(tmp, index=False)


def save_figure(fig: Any, target: str | Path) -> Path:
    """Write a matplotlib figure atomically (PNG, or the format of the suffix)."""
    target = Path(target)
    with atomic_path(target) as tmp:
        fig.savefig(tmp, format=target.suffix.lstrip(".") or "png", dpi=150, bbox_inches="tight")
    return target
