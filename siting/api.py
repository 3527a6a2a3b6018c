"""The library entry points that notebooks and the CLI share."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from siting.config import Case
from siting.errors import MissingDependencyError
from siting.geodata import GeoData
from siting.io.case_file import read_case
from siting.io.layers import file_digest
from siting.output.artefacts import bytes_writers, render_artefacts
from siting.output.files import Writer, digest_json
from siting.output.run_folder import network_report_files, tables_digest, write_run
from siting.pipeline import RunResult, Step, _quiet, run
from siting.report._deps import INSTALL_HINT, missing_maps_dependencies
from siting.report.run import from_result

if TYPE_CHECKING:
    from siting.alternatives.search import AlternativesOptions, AlternativesResult
    from siting.output.render_process import RenderProcess
    from siting.robust.plan import RobustOptions, RobustResult


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
    renderer: RenderProcess | None = None,
) -> RunResult:
    """Solve ``case`` end to end; with ``out``, also write the run folder (the maps and the
    report drawn by ``renderer`` when given, see :func:`write_result`)."""
    result = run(case, data, step=step, stream=stream)
    if out is not None:
        with step("writing outputs"):
            write_result(result, out, renderer=renderer)
    return result


def write_result(
    result: RunResult, out: str | Path, maps: bool = True, renderer: RenderProcess | None = None
) -> Path:
    """Write the run folder; with ``maps`` (and the ``maps`` extra installed) also the static
    and interactive maps and the report. Without the extra it warns with the install hint.

    ``renderer``, a :class:`~siting.output.render_process.RenderProcess` started earlier,
    draws the maps and the report in its own process while this one writes the GeoPackage
    and the tables; without it they are drawn here. The files are the same either way."""
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
    )


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
