"""The alternatives folder: the optimum's run folder, the alternatives' tables, and maps and
report that show how sure the plan is.

::

    DIR/
      (the run folder of the optimum: sites.gpkg, tables/*.csv, solution.json, …)
      alternatives.parquet        one row per plan: kind, objective, cost, metrics, status, gap
      alternative_sites.parquet   plan × open site × MW
      site_classes.parquet        every candidate: in every / some / none of the plans
      site_regrets.parquet        each chosen site closed, each best unchosen site opened
      spread.parquet              each metric's range over the plans
      alternatives.json           the search's options and summary (ties, times)
      map.png, map.html           the optimum with the candidates' classes
      report.md, report.html      the run report and "How sure is this plan?"
"""

from __future__ import annotations

import dataclasses
import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from siting.errors import DataError
from siting.output.files import Writer, write_json

if TYPE_CHECKING:
    from siting.alternatives import AlternativesResult
    from siting.report.run import RunData

TABLE_FILES = {
    "alternatives": "alternatives.parquet",
    "alternative_sites": "alternative_sites.parquet",
    "candidates": "site_classes.parquet",
    "regrets": "site_regrets.parquet",
    "spread": "spread.parquet",
}
SUMMARY_FILE = "alternatives.json"


@dataclass(frozen=True)
class AlternativesTables:
    """The tables and summary of an alternatives folder, read back."""

    alternatives: pd.DataFrame
    alternative_sites: pd.DataFrame
    candidates: pd.DataFrame
    regrets: pd.DataFrame
    spread: pd.DataFrame
    summary: dict[str, Any]
    options: dict[str, Any]


def _parquet(frame: pd.DataFrame, index: bool) -> Writer:
    def write(path: Path) -> None:
        out = frame.copy()
        for column in out.columns:
            if out[column].dtype == object:
                values = out[column].dropna()
                if len(values) and all(isinstance(v, int | float) for v in values):
                    out[column] = pd.to_numeric(out[column])
        out.to_parquet(path, index=index)

    return write


def table_writers(result: AlternativesResult) -> dict[str, Writer]:
    """Writers of the tables and the summary, keyed by file name."""
    frames = {
        "alternatives": (result.alternatives, False),
        "alternative_sites": (result.alternative_sites, False),
        "candidates": (result.candidates, True),
        "regrets": (result.regrets, False),
        "spread": (result.spread, False),
    }
    writers = {TABLE_FILES[k]: _parquet(f, index) for k, (f, index) in frames.items()}
    meta = {
        "summary": result.summary,
        "options": dataclasses.asdict(result.options),
        "spread": result.spread.to_dict("records"),
    }
    writers[SUMMARY_FILE] = functools.partial(_write_json, meta)
    return writers


def _write_json(meta: dict[str, Any], path: Path) -> None:
    write_json(path, meta)


def artefact_writers(result: AlternativesResult, run: RunData) -> dict[str, Writer]:
    """Maps (with the candidates' classes), the cost chart and the report (with "How sure
    is this plan?"); rendered before any file is touched."""
    from siting.output.artefacts import _figure_bytes, bytes_writers
    from siting.report.document import report_html, report_markdown, report_sections
    from siting.report.howsure import certainty_layer, certainty_overlay, howsure_section
    from siting.report.static import cost_chart, static_map
    from siting.report.web import interactive_map, offline_html

    fig = static_map(run)
    certainty_overlay(fig, run, result.candidates)
    png = _figure_bytes(fig, "png")
    web = interactive_map(run)
    certainty_layer(web, result.candidates, result.regrets)
    chart = cost_chart(run)
    places = result.candidates["place"].to_dict() if "place" in result.candidates else {}
    sections = [
        *report_sections(run, cost_figure=chart),
        howsure_section(
            result.alternatives,
            result.candidates,
            result.regrets,
            result.spread,
            result.summary,
            places,
        ),
    ]
    return bytes_writers(
        {
            "map.png": png,
            "map.html": offline_html(web).encode(),
            "cost_breakdown.svg": _figure_bytes(chart, "svg"),
            "report.md": report_markdown(run, sections=sections).encode(),
            "report.html": report_html(run, map_png=png, sections=sections).encode(),
        }
    )


def read_alternatives(out_dir: str | Path) -> AlternativesTables:
    """The tables of an alternatives folder."""
    out = Path(out_dir)
    meta_path = out / SUMMARY_FILE
    if not meta_path.is_file():
        raise DataError(
            f"{meta_path}: missing; not an alternatives folder (run siting alternatives)"
        )
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    frames = {k: pd.read_parquet(out / name) for k, name in TABLE_FILES.items()}
    return AlternativesTables(**frames, summary=meta["summary"], options=meta["options"])
