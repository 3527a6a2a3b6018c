"""The library entry points that notebooks and the CLI share."""

from __future__ import annotations

import contextlib
import functools
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from siting.config import Case
from siting.diagnose import Diagnosis, component_tables, graph_checks
from siting.errors import InfeasibleError, MissingDependencyError
from siting.geodata import GeoData
from siting.io.case_file import read_case
from siting.io.layers import file_digest
from siting.outcome import UNVERIFIED, SolveReport
from siting.output.artefacts import bytes_writers, render_artefacts
from siting.output.files import Writer, digest_json, write_json
from siting.output.folder import RunFolder
from siting.output.run_folder import (
    network_report_files,
    open_run_folder,
    tables_digest,
    write_failed_run,
    write_run,
)
from siting.pipeline import Prepared, RunResult, Step, _quiet, prepare, run
from siting.report._deps import INSTALL_HINT, missing_maps_dependencies
from siting.report.run import from_result

if TYPE_CHECKING:
    from siting.alternatives.search import AlternativesOptions, AlternativesResult
    from siting.output.render_process import RenderProcess
    from siting.robust.plan import RobustOptions, RobustResult
    from siting.scenario_report import ScenarioRun


def load_case(
    path: str | Path, scenario: str | None = None, overrides: dict[str, Any] | None = None
) -> Case:
    """Read and validate a case file, with an optional scenario and ``{"a.b": value}`` overrides."""
    return read_case(path, scenario=scenario, overrides=overrides)


def validate_case(case: Case, step: Step = _quiet) -> tuple[Prepared, Diagnosis]:
    """Read and check every layer of ``case`` and build everything up to the model, without
    solving: the prepared data (with its warnings) and the graph checks that come before a
    solve (blocking findings are returned, not raised)."""
    prepared = prepare(case, step=step)
    with step("pre-solve network checks"):
        findings = graph_checks(prepared.inputs)
    return prepared, findings


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
    out: str | Path | RunFolder | None = None,
    data: GeoData | None = None,
    step: Step = _quiet,
    stream: bool = False,
    renderer: RenderProcess | None = None,
    overwrite: bool = False,
) -> RunResult:
    """Solve ``case`` end to end; with ``out``, also write the run folder (the maps and the
    report drawn by ``renderer`` when given, see :func:`write_result`).

    ``out`` is claimed before anything is read (see
    :func:`~siting.output.run_folder.open_run_folder`): a folder that cannot be written,
    that another run is writing, or that holds files of a run's names that no previous
    run's manifest lists (unless ``overwrite``) fails at once."""
    with contextlib.ExitStack() as stack:
        if out is not None and not isinstance(out, RunFolder):
            out = stack.enter_context(open_run_folder(out, overwrite, option="out"))
        try:
            result = run(case, data, step=step, stream=stream)
        except InfeasibleError as exc:
            if isinstance(out, RunFolder) and isinstance(exc.prepared, Prepared):
                exc.written = _write_failed(out, exc.prepared, exc.diagnosis)
            raise
        if out is not None:
            with step("writing outputs"):
                write_result(result, out, renderer=renderer)
    return result


def solve_scenarios(
    path: str | Path,
    names: list[str] | None = None,
    step: Step = _quiet,
    overrides: dict[str, Any] | None = None,
) -> list[ScenarioRun]:
    """Solve a case file's base and its named scenarios (``names``: all of them), timing
    each, for :func:`siting.scenario_report.scenario_table`."""
    import time

    from siting.io.case_file import list_scenarios
    from siting.scenario_report import ScenarioRun

    wanted = list(list_scenarios(path)) if names is None else names
    runs = []
    for name in [None, *wanted]:
        with step(f"solving {name or 'the base case'}"):
            start = time.perf_counter()
            result = solve_case(load_case(path, scenario=name, overrides=overrides))
            wall = time.perf_counter() - start
        sites = result.prepared.candidates.sites
        excluded = pd.DataFrame(
            sites.loc[~sites["eligible"], ["site_id", "lat", "exclusion_reason"]]
        ).reset_index(drop=True)
        runs.append(ScenarioRun(name, result.prepared.case, result.solution, excluded, wall))
    return runs


def _write_failed(folder: RunFolder, prepared: Prepared, diagnosis: object) -> list[Path]:
    """The diagnosis and network tables of a run that found no plan (see
    :func:`write_failed_run`). The folder then holds this run: the previous run's files go,
    and the files written are recorded for the next run to clear."""
    inputs = prepared.inputs
    report = prepared.network.report
    components = diagnosis.components if isinstance(diagnosis, Diagnosis) else None
    if components is None:
        components = component_tables(inputs)
    folder.clear_previous()
    folder.writing(
        [
            *network_report_files(report),
            *(f"tables/{n}.csv" for n in ("network_balance", "nodes", "arcs")),
            "diagnosis.json",
        ]
    )
    written = write_failed_run(folder.path, report, inputs.nodes, inputs.arcs, components)
    if isinstance(diagnosis, Diagnosis):
        write_json(folder.path / "diagnosis.json", diagnosis.to_dict())
        written.append(folder.path / "diagnosis.json")
    return written


def write_result(
    result: RunResult,
    out: str | Path | RunFolder,
    maps: bool = True,
    renderer: RenderProcess | None = None,
    overwrite: bool = False,
) -> Path:
    """Write the run folder; with ``maps`` (and the ``maps`` extra installed) also the static
    and interactive maps and the report. Without the extra it warns with the install hint.
    The files of a previous run in ``out`` are replaced; files of a run's names that no
    manifest lists only with ``overwrite``.

    ``renderer``, a :class:`~siting.output.render_process.RenderProcess` started earlier,
    draws the maps and the report in its own process while this one writes the GeoPackage
    and the tables; without it they are drawn here. The files are the same either way."""
    if not isinstance(out, RunFolder):
        with open_run_folder(out, overwrite, option="out") as folder:
            return write_result(result, folder, maps, renderer)
    case = result.prepared.case
    run = from_result(result)
    drawn: Callable[[], dict[str, bytes]] | None = None
    if maps and renderer is not None:
        drawn = renderer.draw(run)
    elif maps:
        missing = missing_maps_dependencies()
        if missing:
            _warn_missing(missing)
        else:
            drawn = functools.partial(render_artefacts, run)

    def extra_files() -> dict[str, Writer]:
        files = network_report_files(result.prepared.network.report)
        if drawn is None:
            return files
        try:
            contents = drawn()
        except MissingDependencyError:
            _warn_missing((renderer.missing if renderer is not None else None) or [])
            return files
        except Exception as exc:  # a drawing failure must not lose a finished solve
            warnings.warn(
                f"map.png, map.html and the report were not written ({exc}); the run "
                "folder is complete without them: retry with `siting map`",
                stacklevel=3,
            )
            return files
        return {**bytes_writers(contents), **files}

    return write_run(
        out,
        result.solution,
        label=case.label,
        case_json=run.case,
        layers=run.layers,
        inputs_hash=inputs_hash(case, result),
        timings=result.timings,
        extra_files=extra_files,
        inputs={
            "columns": result.prepared.data.columns.to_dict("records"),
            "warnings": result.prepared.warnings,
        },
        notes={"solver_report": solver_notes(result.solution.report)},
    )


def solver_notes(report: SolveReport) -> dict[str, Any]:
    """For the manifest: whether HiGHS started from a plan, and whether what it reported
    held against the plan recomputed (and what was done when it did not)."""
    return {
        "mip_start": report.mip_start,
        "verified": report.status != UNVERIFIED,
        **({"verification": report.verification} if report.verification else {}),
    }


def _warn_missing(missing: list[str]) -> None:
    warnings.warn(
        f"map.png, map.html and the report were not written: {', '.join(missing)} "
        f"not installed ({INSTALL_HINT})",
        stacklevel=4,
    )


def find_alternatives(
    case: Case,
    options: AlternativesOptions | None = None,
    out: str | Path | None = None,
    data: GeoData | None = None,
    step: Step = _quiet,
    client: Any = None,
    scheduler: str | None = None,
    progress: Any = None,
) -> AlternativesResult:
    """Near-optimal alternatives and site regrets of ``case`` (see
    :mod:`siting.alternatives`); with ``out``, also write the folder."""
    from siting.alternatives.search import find_alternatives as search

    result = search(
        case, options, data, step=step, client=client, scheduler=scheduler, progress=progress
    )
    if out is not None:
        with step("writing outputs"):
            write_alternatives(result, out)
    return result


def write_alternatives(result: AlternativesResult, out: str | Path, maps: bool = True) -> Path:
    """Write the alternatives folder (:mod:`siting.output.alternatives`): the optimum's run
    folder, the tables, and (with the ``maps`` extra) the maps with the candidates' classes
    and the report with "How sure is this plan?"."""
    import geopandas as gpd

    from siting.check import check_solution
    from siting.diagnose import Diagnosis
    from siting.output.alternatives import artefact_writers as alternative_artefacts
    from siting.output.alternatives import table_writers

    if result.prepared is None or result.case is None:
        raise ValueError("write_alternatives needs the result of a case (find_alternatives)")
    prepared, optimum = result.prepared, result.optimum
    run_result = RunResult(prepared, optimum, check_solution(optimum), Diagnosis(), result.timings)
    run = from_result(run_result)
    extra = table_writers(result)
    if maps:
        missing = missing_maps_dependencies()
        if missing:
            warnings.warn(
                f"map.png, map.html and the report were not written: {', '.join(missing)} "
                f"not installed ({INSTALL_HINT})",
                stacklevel=2,
            )
        else:
            try:
                extra.update(alternative_artefacts(result, run))
            except Exception as exc:  # a drawing failure must not lose the finished search
                warnings.warn(
                    f"map.png, map.html and the report were not written ({exc}); the tables "
                    "are complete without them",
                    stacklevel=2,
                )
    classes = result.candidates.reset_index()
    layers = {
        **run.layers,
        "site_classes": gpd.GeoDataFrame(
            classes.assign(**{"class": classes["class"].astype(str)}),
            geometry=gpd.points_from_xy(classes["lon"], classes["lat"]),
            crs="EPSG:4326",
        ),
    }
    return write_run(
        out,
        optimum,
        label=result.case.label,
        case_json=run.case,
        layers=layers,
        inputs_hash=inputs_hash(result.case, run_result),
        timings=result.timings,
        extra_files={**extra, **network_report_files(prepared.network.report)},
    )


def find_robust_plan(
    case_path: str | Path,
    options: RobustOptions,
    overrides: dict[str, Any] | None = None,
    step: Step = _quiet,
) -> RobustResult:
    """One plan across the case file's scenarios (see :mod:`siting.robust.plan`)."""
    from siting.robust.plan import find_robust_plan as _find

    return _find(case_path, options, overrides=overrides, step=step)


def write_robust(result: RobustResult, out: str | Path, maps: bool = True) -> Path:
    """Write the robust folder (:mod:`siting.output.robust`): one run folder per scenario
    with the robust plan operated there (its report with the comparison), and the
    comparison tables."""
    from siting.diagnose import Diagnosis
    from siting.output.robust import artefact_writers, write_tables

    if not result.prepared:
        raise ValueError("write_robust needs the result of a case (find_robust_plan)")
    out = Path(out)
    missing = missing_maps_dependencies() if maps else []
    if missing:
        _warn_missing(missing)
    for name, solution in result.operations.items():
        prepared = result.prepared[name]
        run_result = RunResult(prepared, solution, result.checks[name], Diagnosis(), result.timings)
        run = from_result(run_result)
        extra = network_report_files(prepared.network.report)
        if maps and not missing:
            try:
                extra.update(artefact_writers(result, run, name))
            except Exception as exc:  # a drawing failure must not lose the finished solves
                warnings.warn(
                    f"map.png, map.html and the report of {name} were not written ({exc}); "
                    "the tables are complete without them",
                    stacklevel=2,
                )
        write_run(
            out / name,
            solution,
            label=prepared.case.label,
            case_json=run.case,
            layers=run.layers,
            inputs_hash=inputs_hash(prepared.case, run_result),
            timings=result.timings,
            extra_files=extra,
        )
    write_tables(result, out)
    return out
