"""The library entry points that notebooks and the CLI share."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from siting.config import Case
from siting.geodata import GeoData
from siting.io.case_file import read_case
from siting.io.layers import file_digest
from siting.io.outputs import _finite, digest_json, tables_digest, write_run
from siting.network import NetworkReport, edges_frame, nodes_frame
from siting.pipeline import RunResult, Step, _quiet, run


def load_case(
    path: str | Path, scenario: str | None = None, overrides: dict[str, Any] | None = None
) -> Case:
    """Read and validate a case file, with an optional scenario and ``{"a.b": value}`` overrides."""
    return read_case(path, scenario=scenario, overrides=overrides)


def inputs_hash(case: Case, result: RunResult | None = None) -> str:
    """Hash of the resolved case and the content of every layer file (or of the model tables
    for in-memory data): equal hashes mean equal inputs."""
    parts: dict[str, Any] = {"case": case.model_dump(mode="json", exclude={"scenarios"})}
    if case.layers is not None:
        parts["files"] = {k: file_digest(s.path) for k, s in case.layers.specs().items()}
    elif result is not None:
        inp = result.prepared.inputs
        parts["tables"] = tables_digest(
            {
                "nodes": inp.nodes,
                "arcs": inp.arcs,
                "sites": inp.sites,
                "grid": inp.grid_nodes,
                "hubs": inp.hubs,
                "serve": inp.serve,
                "cliques": inp.cliques,
            },
            inp.params,
        )
    return digest_json(parts)


def solve_case(
    case: Case,
    out: str | Path | None = None,
    data: GeoData | None = None,
    step: Step = _quiet,
    stream: bool = False,
) -> RunResult:
    """Solve ``case`` end to end; with ``out``, also write the run folder."""
    result = run(case, data, step=step, stream=stream)
    if out is not None:
        with step("writing outputs"):
            write_result(result, out)
    return result


def write_result(result: RunResult, out: str | Path) -> Path:
    case = result.prepared.case
    prepared = result.prepared
    return write_run(
        out,
        result.solution,
        label=case.label,
        case_json=case.model_dump(mode="json"),
        candidates=prepared.candidates.sites,
        edges=edges_frame(prepared.candidates.graph),
        nodes_geo=nodes_frame(prepared.candidates.graph),
        grid=prepared.data.grid,
        inputs_hash=inputs_hash(case, result),
        timings=result.timings,
        extra_files=network_report_files(prepared.network.report),
    )


def network_report_files(report: NetworkReport) -> dict[str, Callable[[Path], None]]:
    """The topology report as run-folder files: a JSON summary, the components and every
    feature or piece the builder left out, with its reason."""
    return {
        "network_report.json": lambda p: p.write_text(
            json.dumps(_finite(report.to_dict()), indent=2, default=str) + "\n", encoding="utf-8"
        ),
        "tables/network_components.csv": lambda p: report.components_frame().to_csv(p, index=False),
        "tables/network_removed.csv": lambda p: report.removed.to_csv(p, index=False),
    }
