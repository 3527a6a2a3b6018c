"""Re-check a run folder from its files alone: every file against the hash the run recorded,
every number against its recomputation.

- **Files.** ``manifest.json`` holds the SHA-256 of each file the run wrote; a file whose
  content differs, or that is missing, is named.
- **Numbers.** The plan is read back from ``tables/*.csv`` and ``solution.json`` and checked
  by :func:`siting.check.check_solution` (constraints, objective, every derived column and
  total, the solver's bound and gap). Then the other files must say the same:
  ``summary.json`` (status, objective, bound, gap, totals, each chosen site),
  ``tables/candidates.csv`` (the plan's columns and the site data shared with
  ``tables/sites.csv``) and ``tables/network_components.csv`` (supply and demand against
  the nodes, route shares).

The numbers no recomputation can reproduce are the model's data (protected by the hashes)
and the measurements in :data:`MEASURED`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from siting.check import CheckReport, _Checker, check_solution
from siting.check_derived import compare
from siting.errors import DataError
from siting.output.files import file_sha256
from siting.output.folder import MANIFEST
from siting.output.run_folder import TABLES, solution_from_files
from siting.solution import BINDING_TOL, Solution

#: keys of a solve report that are measurements or settings, not results: how long each
#: step took, how many nodes, iterations and sites kept, the limits it ran with, and the
#: restricted start's own objective and LP bound (a plan and a relaxation the run does not
#: write; report_problems checks that neither contradicts the recomputed plan)
MEASURED = (
    "solve_s",
    "handoff_s",
    "wall_s",
    "nodes",
    "mip_gap_setting",
    "time_limit_s",
    "lagrangian_iterations",
    "lagrangian_s",
    "sites_fixed_closed",
    "sites_fixed_open",
    "start_sites_kept",
    "start_compile_s",
    "start_lp_s",
    "start_mip_s",
    "start_objective",
    "start_lp_bound",
)
#: the plan's columns joined onto the candidates table, and site data both tables hold
CANDIDATE_PLAN_COLUMNS = ("open", "modules", "it_mw", "gas_mw", "grid_mw", "cost_total_musd_y")
CANDIDATE_SITE_COLUMNS = ("lon", "lat", "pue", "gas_price_factor", "capex_multiplier")
#: the per-site numbers summary.json repeats, by their name there and in tables/sites.csv
SUMMARY_SITE_COLUMNS = {
    "it_mw": "it_mw",
    "modules": "modules",
    "gas_bcm_y": "gas_bcm_y",
    "grid_mw": "grid_mw",
    "pue": "pue",
    "cost_musd_y": "cost_total_musd_y",
    "lon": "lon",
    "lat": "lat",
}


@dataclass
class RunFiles:
    """What a run folder holds, as read: every table of ``tables/`` (raw CSV) and the JSON
    files."""

    tables: dict[str, pd.DataFrame]
    solution: dict[str, Any]
    summary: dict[str, Any]
    #: the check tolerance the run was solved with
    tol: float = 1e-5


@dataclass
class RunCheck:
    """The files that changed since the run, and the numbers' check."""

    changed: list[str] = field(default_factory=list)
    matched: int = 0
    numbers: CheckReport = field(default_factory=CheckReport)

    @property
    def ok(self) -> bool:
        return not self.changed and self.numbers.ok


def changed_files(run_dir: str | Path) -> tuple[list[str], int]:
    """One line per file the manifest lists whose content differs from the hash it
    recorded, or that is missing; and how many files matched."""
    run = Path(run_dir)
    manifest = _json(run / MANIFEST)
    listed = manifest.get("files") or {}
    if isinstance(listed, list):  # written before files carried their hashes
        return [], 0
    problems, matched = [], 0
    for name, digest in sorted(listed.items()):
        path = run / name
        if not path.is_file():
            problems.append(f"{name}: listed in manifest.json but missing")
        elif digest is not None and file_sha256(path) != digest:
            problems.append(
                f"{name}: changed after the run (its content no longer matches the SHA-256 "
                "in manifest.json)"
            )
        else:
            matched += 1
    return problems, matched


def read_run_files(run_dir: str | Path) -> RunFiles:
    run = Path(run_dir)
    if not (run / MANIFEST).exists():
        raise DataError(f"{run}: no manifest.json: not a run folder, or the run did not finish")
    tables = {path.stem: pd.read_csv(path) for path in sorted((run / "tables").glob("*.csv"))}
    missing = [name for name in TABLES if name not in tables]
    if missing:
        raise DataError(f"{run}: tables/{missing[0]}.csv is missing; re-run the case")
    solver = (_json(run / MANIFEST).get("case_resolved") or {}).get("solver") or {}
    return RunFiles(
        tables,
        _json(run / "solution.json"),
        _json(run / "summary.json"),
        float(solver.get("check_tolerance") or 1e-5),
    )


def check_run(run_dir: str | Path, tol: float | None = None) -> RunCheck:
    """Check a run folder: its files against their hashes, its numbers against their
    recomputation (``tol``: the case's check tolerance by default)."""
    changed, matched = changed_files(run_dir)
    files = read_run_files(run_dir)
    return RunCheck(changed, matched, check_files(files, tol))


def check_files(files: RunFiles, tol: float | None = None) -> CheckReport:
    """Every number of a run folder (as read) against its recomputation."""
    solution = solution_from_files(files.tables, files.solution)
    tol = files.tol if tol is None else tol
    report = check_solution(solution, tol=tol, raise_on_error=False)
    c = _Checker(tol)
    c.report = report
    _summary(c, solution, files.summary)
    if "candidates" in files.tables:
        _candidates(c, solution, files.tables["candidates"])
    if "network_components" in files.tables:
        _components(c, solution, files.tables["network_components"])
    return report


def _summary(c: _Checker, solution: Solution, summary: dict[str, Any]) -> None:
    """summary.json says what solution.json and the tables say."""
    r = solution.report
    c.report.checked.append("summary")
    texts = {"status": str(r.outcome), "status_text": r.describe()}
    for key, text in texts.items():
        if summary.get(key) != text:
            c.note("summary", key, math.nan, f"{summary.get(key)!r}, the run says {text!r}")
    numbers = {
        "objective": r.objective,
        "best_bound": r.bound,
        "mip_gap": r.gap,
        "solve_s": r.solve_s,
        "nodes": r.nodes,
    }
    for key, number in numbers.items():
        compare(c, "summary", key, summary.get(key, "missing"), number)
    totals = summary.get("totals") or {}
    for key in sorted(set(totals) | set(solution.totals)):
        compare(c, "summary", f"totals.{key}", totals.get(key, "missing"), solution.totals.get(key))
    _summary_energy(c, solution, summary)
    _summary_breakeven(c, solution, summary)
    sites = {str(row.get("site_id")): row for row in summary.get("sites") or []}
    chosen = solution.chosen
    for sid in sorted(set(sites) ^ {str(i) for i in chosen.index}):
        c.note("summary", f"sites.{sid}", math.nan, "listed in one of summary.json and sites.csv")
    for sid, row in sites.items():
        if sid not in chosen.index:
            continue
        for key, column in SUMMARY_SITE_COLUMNS.items():
            compare(
                c, "summary", f"sites.{sid}.{key}", row.get(key, "missing"), chosen.at[sid, column]
            )
        if row.get("source") != chosen.at[sid, "source"]:
            c.note("summary", f"sites.{sid}.source", math.nan, f"{row.get('source')!r}")
        if solution.is_v2:
            compare(
                c,
                "summary",
                f"sites.{sid}.installed_mw",
                row.get("installed_mw", "missing"),
                chosen.at[sid, "installed_mw"],
            )
            compare(
                c,
                "summary",
                f"sites.{sid}.gas_indirect_bcm_y",
                row.get("gas_indirect_bcm_y", "missing"),
                float(chosen["gas_indirect_mw"][sid]) / solution.params.mw_per_bcm_y,
            )
            if row.get("technology") != chosen.at[sid, "technology"]:
                c.note("summary", f"sites.{sid}.technology", math.nan, f"{row.get('technology')!r}")


def _summary_breakeven(c: _Checker, solution: Solution, summary: dict[str, Any]) -> None:
    """The break-even statement and each chosen site's break-even figures of summary.json,
    against the break-even table (itself recomputed by :mod:`siting.check_breakeven`)."""
    table = solution.breakeven
    if not len(table.columns):
        if "breakeven" in summary:
            c.note(
                "summary", "breakeven", math.nan, "written for a plan without a break-even table"
            )
        return
    from siting.breakeven import breakeven_headline

    head = breakeven_headline(table, solution.params) or {}
    written = summary.get("breakeven") or {}
    for key, value in head.items():
        if key == "technologies":
            techs = written.get(key) or {}
            for t in sorted(set(techs) | set(value)):
                compare(c, "summary", f"breakeven.{key}.{t}", techs.get(t, "missing"), value.get(t))
        elif key != "currency":
            compare(c, "summary", f"breakeven.{key}", written.get(key, "missing"), value)
    for row in summary.get("sites") or []:
        sid = str(row.get("site_id"))
        if sid not in table.index:
            continue
        for key, column in (
            ("breakeven_gen_capex_mln_per_mw", "breakeven_gen_capex_mln_local_per_mw"),
            ("breakeven_grid_price_per_mwh", "breakeven_grid_price_local_per_mwh"),
        ):
            if key in row:
                compare(c, "summary", f"sites.{sid}.{key}", row[key], float(table[column][sid]))


def _summary_energy(c: _Checker, solution: Solution, summary: dict[str, Any]) -> None:
    """The gas (direct, indirect, total), power by source and per-period binding counts of
    summary.json, recomputed from the tables."""
    s, per_bcm = solution.sites, solution.params.mw_per_bcm_y
    direct = float(s["gas_mw"].sum())
    indirect = float(s["gas_indirect_mw"].sum()) if solution.is_v2 else 0.0
    gas = summary.get("gas_bcm_y") or {}
    for key, value in (
        ("direct", direct),
        ("indirect", indirect),
        ("total", direct + indirect),
    ):
        compare(c, "summary", f"gas_bcm_y.{key}", gas.get(key, "missing"), value / per_bcm)
    power = summary.get("power_mw") or {}
    expected = {"grid": float(s["grid_mw"].sum())}
    techs = [t for t in solution.technologies.index if f"power_{t}_mw" in s.columns]
    if solution.is_v2 and techs:
        expected.update({t: float(s[f"power_{t}_mw"].sum()) for t in techs})
    else:
        expected["generation"] = float((s["facility_mw"] - s["grid_mw"]).sum())
    for key in sorted(set(power) | set(expected)):
        compare(c, "summary", f"power_mw.{key}", power.get(key, "missing"), expected.get(key))
    if not solution.is_v2:
        return
    written = summary.get("binding_periods") or {}
    for q in solution.periods.index:
        counts = written.get(str(q)) or {}
        for key, frame, use, limit in (
            ("arcs_full", solution.arc_periods, "flow_mw", "capacity_mw"),
            ("fields_at_capacity", solution.node_periods, "supply_mw", "supply_max_mw"),
            ("grid_nodes_exhausted", solution.grid_periods, "used_mw", "spare_mw"),
        ):
            part = frame.xs(q, level="period") if len(frame) else frame
            used = part[use].to_numpy(float) if len(part) else np.zeros(0)
            cap = part[limit].to_numpy(float) if len(part) else np.zeros(0)
            hit = (cap > 0) & (used >= cap - BINDING_TOL * np.maximum(1.0, cap))
            compare(
                c,
                "summary",
                f"binding_periods.{q}.{key}",
                counts.get(key, "missing"),
                float(hit.sum()),
            )


def _candidates(c: _Checker, solution: Solution, candidates: pd.DataFrame) -> None:
    """The candidates table repeats the plan and the site data of the sites table."""
    sites = solution.sites
    cand = candidates.assign(site_id=candidates["site_id"].astype(str)).set_index("site_id")
    modelled = cand.index.isin(sites.index)
    ids = cand.index[modelled]
    for col in (*CANDIDATE_PLAN_COLUMNS, *CANDIDATE_SITE_COLUMNS):
        if col not in cand.columns or col not in sites.columns:
            continue
        c.eq(
            "candidates",
            ids,
            cand.loc[ids, col].to_numpy(float),
            sites.loc[ids, col].to_numpy(float),
            f"{col} as in sites.csv",
        )
    for col in CANDIDATE_PLAN_COLUMNS:
        if col in cand.columns:
            stray = cand.loc[~modelled, col].to_numpy(float)
            c.eq(
                "candidates",
                cand.index[~modelled],
                np.nan_to_num(stray),
                np.zeros(len(stray)),
                f"{col}: nothing at a candidate left out of the model",
            )
    if "source" in cand.columns:
        written = cand.loc[ids, "source"].fillna("").astype(str)
        for sid in written.index[written != sites.loc[ids, "source"].fillna("").astype(str)]:
            c.note("candidates", str(sid), math.nan, "source differs from sites.csv")


def _components(c: _Checker, solution: Solution, components: pd.DataFrame) -> None:
    """The network's components hold every node's supply and demand (off-network supply is
    on no component); shares add up."""
    nodes = solution.nodes
    if "kind" in nodes.columns:
        nodes = nodes[nodes["kind"].astype(str) != "stranded"]
    one = pd.Index(["network"])
    for col, node_col in (("supply_mw", "supply_max_mw"), ("demand_mw", "demand_mw")):
        if col in components.columns:
            c.eq(
                "network_components",
                one,
                np.array([components[col].to_numpy(float).sum()]),
                np.array([nodes[node_col].to_numpy(float).sum()]),
                f"Σ {col} = Σ nodes' {node_col}",
            )
    if {"route_km", "share"} <= set(components.columns):
        km = components["route_km"].to_numpy(float)
        c.eq(
            "network_components",
            pd.Index(components["component"].astype(str)),
            components["share"].to_numpy(float),
            km / km.sum() if km.sum() > 0 else np.zeros(len(km)),
            "share = route_km / Σ route_km",
        )


def _json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(f"{path}: missing; re-run the case to write the run folder again") from None
    except ValueError as exc:
        raise DataError(f"{path}: not valid JSON ({exc}); it was changed after the run") from None
    if not isinstance(data, dict):
        raise DataError(f"{path}: not a JSON object; it was changed after the run")
    return data
