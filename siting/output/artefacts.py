"""Read a run folder back as :class:`~siting.report.RunData`, and write its maps, report and
GeoJSON layers. Each file is written atomically; re-rendering a folder updates the file
list in its manifest.
"""

from __future__ import annotations

import functools
import io
import json
import logging
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyogrio

from siting.errors import DataError, MissingDependencyError
from siting.gis import LAYERS
from siting.output.files import Writer, atomic_path, file_sha256, write_json
from siting.output.lock import acquire
from siting.output.run_folder import read_solution
from siting.report._deps import INSTALL_HINT, missing_maps_dependencies
from siting.report.run import RunData

if TYPE_CHECKING:
    from siting.report.document import Section

logger = logging.getLogger(__name__)

FIGURE_FORMATS = ("png", "svg", "pdf")
MAP_DPI = 200


def read_run(run_dir: str | Path) -> RunData:
    """A complete run folder as RunData: Solution tables, GeoPackage layers, resolved case."""
    run = Path(run_dir)
    solution = read_solution(run)
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    gpkg = run / "sites.gpkg"
    if not gpkg.is_file():
        raise DataError(f"{gpkg}: missing; re-run the case to write the run folder again")
    present = {str(name) for name, _kind in pyogrio.list_layers(gpkg)}
    layers = {}
    for name in LAYERS:
        if name in present:
            frame = pyogrio.read_dataframe(gpkg, layer=name)
            for col in ("site_id", "node_id", "grid_id", "hub_id"):
                if col in frame.columns:
                    frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
                    frame[col] = frame[col].map(lambda v: v if v is None else str(v))
            layers[name] = frame
    if "candidates" not in layers:
        raise DataError(f"{gpkg}: no candidates layer; not a siting run folder")
    return RunData(
        solution=solution,
        layers=layers,
        case=manifest.get("case_resolved") or {},
        label=str(manifest.get("case", run.name)),
        meta={
            **{k: manifest.get(k) for k in ("inputs_hash", "created", "status")},
            "run_dir": str(run),
        },
    )


#: runs a function aside (in a forked process, say) and returns what waits for its result
Aside = Callable[[Callable[[], Any]], Callable[[], Any]]


def _later(fn: Callable[[], Any]) -> Callable[[], Any]:
    return fn


def render_artefacts(
    run: RunData, formats: Iterable[str] = ("png",), aside: Aside = _later
) -> dict[str, bytes]:
    """The contents of ``map.<fmt>``, ``map.html``, ``cost_breakdown.svg``, ``report.md`` and
    ``report.html``, keyed by file name in the run folder. Raises MissingDependencyError,
    with the install hint, without the ``maps`` extra.

    The interactive map and the report's content do not need the static map: ``aside`` may
    compute them elsewhere while the static map is drawn here (by default they are computed
    after it, here)."""
    missing = missing_maps_dependencies()
    if missing:
        raise MissingDependencyError(
            f"the maps and the report need {', '.join(missing)}, not installed: {INSTALL_HINT}"
        )
    from siting.report.document import report_html, report_markdown
    from siting.report.static import static_map

    formats = tuple(dict.fromkeys(formats))
    bad = [f for f in formats if f not in FIGURE_FORMATS]
    if bad:
        raise DataError(f"map format {bad[0]!r}: allowed {', '.join(FIGURE_FORMATS)}")
    start = time.perf_counter()
    pages = aside(functools.partial(_pages, run))
    fig = static_map(run)  # drawn once, saved in every format (and inlined in the report)
    contents: dict[str, bytes] = {f"map.{fmt}": _figure_bytes(fig, fmt) for fmt in formats}
    png = contents.get("map.png") or _figure_bytes(fig, "png")
    drawn = time.perf_counter()
    web_map, chart_svg, sections = pages()
    logger.debug(
        "static map drawn and saved in %.2f s; web map and report ready %.2f s later",
        drawn - start,
        time.perf_counter() - drawn,
    )
    contents["map.html"] = web_map
    contents["cost_breakdown.svg"] = chart_svg
    contents["report.md"] = report_markdown(run, sections=sections).encode()
    contents["report.html"] = report_html(run, map_png=png, sections=sections).encode()
    return contents


def _pages(run: RunData) -> tuple[bytes, bytes, list[Section]]:
    """The interactive map, the cost chart (SVG) and the report's sections, which share it."""
    from siting.report.document import report_sections
    from siting.report.static import cost_chart
    from siting.report.web import interactive_map, offline_html

    start = time.perf_counter()
    web_map = offline_html(interactive_map(run)).encode()
    chart = cost_chart(run)
    chart_svg = _figure_bytes(chart, "svg")
    sections = report_sections(run, cost_figure=chart)
    logger.debug("web map, cost chart and report sections in %.2f s", time.perf_counter() - start)
    return web_map, chart_svg, sections


def artefact_writers(
    run: RunData, formats: Iterable[str] = ("png",), geojson: bool = False
) -> dict[str, Writer]:
    """Writers for ``map.<fmt>``, ``map.html``, ``cost_breakdown.svg``, ``report.md``,
    ``report.html`` (and ``geojson/<layer>.geojson``), keyed by file name in the run folder.
    Raises MissingDependencyError, with the install hint, without the ``maps`` extra."""
    # everything is rendered here, before any file is touched, so a drawing error leaves
    # the run folder as it was
    writers = bytes_writers(render_artefacts(run, formats))
    if geojson:
        for name, frame in run.layers.items():
            writers[f"geojson/{name}.geojson"] = functools.partial(_write_geojson, frame)
    return writers


def bytes_writers(contents: dict[str, bytes]) -> dict[str, Writer]:
    """A writer for each file's contents, keyed by its name in the run folder."""
    return {name: functools.partial(_write_bytes, data) for name, data in contents.items()}


def _write_bytes(data: bytes, path: Path) -> None:
    path.write_bytes(data)


def _save_figure(fig: Any, fmt: str, path: Path) -> None:
    fig.savefig(path, format=fmt, dpi=MAP_DPI)


def _write_geojson(frame: Any, path: Path) -> None:
    """GeoJSON has no NaN or infinity: such numbers are written as null (GDAL would drop
    the property with a warning)."""
    plain = frame.copy()
    for col in plain.select_dtypes("number").columns:
        values = plain[col].to_numpy(float)
        bad = ~np.isfinite(values)
        if bad.any():
            plain[col] = pd.array(np.where(bad, 0.0, values), dtype="Float64")
            plain.loc[bad, col] = pd.NA
    plain.to_file(path, driver="GeoJSON", engine="pyogrio")


def _figure_bytes(fig: Any, fmt: str) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=MAP_DPI)
    return buf.getvalue()


def write_files(out_dir: str | Path, writers: dict[str, Writer]) -> list[Path]:
    out = Path(out_dir)
    written = []
    for name, writer in writers.items():
        with atomic_path(out / name) as tmp:
            writer(tmp)
        written.append(out / name)
    return written


def render_run(
    run_dir: str | Path, formats: Iterable[str] = ("png",), geojson: bool = False
) -> list[Path]:
    """Re-render a run folder's maps and report from the folder alone (no solve)."""
    with acquire(Path(run_dir), "siting map", hint="wait for it to finish"):
        run = read_run(run_dir)
        written = write_files(run_dir, artefact_writers(run, formats, geojson))
        _add_to_manifest(Path(run_dir), written)
    return written


def _add_to_manifest(run_dir: Path, files: list[Path]) -> None:
    """List ``files`` in the run's manifest, each with the SHA-256 of its content."""
    path = run_dir / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    listed = manifest.get("files", {})
    if isinstance(listed, list):  # a manifest written before files carried their hashes
        listed = {name: None for name in listed if name != "manifest.json"}
    for f in files:
        listed[f.relative_to(run_dir).as_posix()] = file_sha256(f)
    manifest["files"] = dict(sorted(listed.items()))
    write_json(path, manifest)


def write_comparison(
    out_dir: str | Path, a: RunData, b: RunData, formats: Iterable[str] = ("png",)
) -> list[Path]:
    """``diff_map.<fmt>``, ``compare.md`` and ``compare.csv`` for runs ``a`` → ``b``."""
    from siting.report.document import compare_markdown
    from siting.report.static import diff_map
    from siting.report.tables import compare_runs

    fig = diff_map(a, b)
    writers: dict[str, Writer] = {
        f"diff_map.{fmt}": functools.partial(_save_figure, fig, fmt) for fmt in formats
    }
    writers["compare.csv"] = lambda p: compare_runs(a, b).to_csv(p)
    writers["compare.md"] = lambda p: p.write_text(compare_markdown(a, b), encoding="utf-8")
    return write_files(out_dir, writers)
