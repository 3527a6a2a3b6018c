"""The run report, as Markdown (``report.md``) and as one self-contained HTML page
(``report.html``: styles inline, charts as inline SVG, no external file).

Both are rendered from the same blocks, so they say the same thing. Headline cells in the
HTML carry their full-precision value in ``data-value``, which the tests compare with the
Solution.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from siting.report.run import RunData, run_names
from siting.report.tables import (
    assumptions,
    binding_constraints,
    compare_runs,
    compare_totals,
    cost_breakdown,
    headline,
    site_reasons,
    site_table,
)


@dataclass(frozen=True)
class Cell:
    text: str
    key: str | None = None
    value: float | None = None


@dataclass
class Table:
    columns: list[str]
    rows: list[list[Cell]]
    align_right: set[int] = field(default_factory=set)


@dataclass
class Section:
    title: str
    blocks: list[str | Table | Figure] = field(default_factory=list)


@dataclass(frozen=True)
class Figure:
    """A chart: a file beside the Markdown, inline SVG in the HTML."""

    file: str
    alt: str
    svg: str | None = None


def _num(value: Any, fmt: str) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    return fmt.format(value)


def headline_cells(h: dict[str, Any]) -> list[tuple[str, Cell]]:
    """The headline rows: label and a cell that keeps the exact number it shows."""
    share = h["gas_share_of_surplus"]
    gap = _num(h["mip_gap"], "{:.4%}") if h["mip_gap"] is not None else "n/a"
    bound = _num(h["best_bound"], "{:,.3f}")
    return [
        ("status", Cell(h["status_text"], "status", None)),
        ("chosen sites", Cell(f"{h['sites_open']}", "sites_open", h["sites_open"])),
        ("IT capacity placed", Cell(f"{h['it_mw']:,.1f} MW", "it_mw", h["it_mw"])),
        ("facility load", Cell(f"{h['facility_mw']:,.1f} MW", "facility_mw", h["facility_mw"])),
        ("gas burnt", Cell(f"{h['gas_bcm_y']:.3f} bcm/y", "gas_bcm_y", h["gas_bcm_y"])),
        (
            "surplus gas available",
            Cell(f"{h['surplus_bcm_y']:.3f} bcm/y", "surplus_bcm_y", h["surplus_bcm_y"]),
        ),
        ("share of the surplus burnt", Cell(_num(share, "{:.1%}"), "gas_share_of_surplus", share)),
        ("grid import", Cell(f"{h['grid_mw']:,.1f} MW", "grid_mw", h["grid_mw"])),
        (
            "annualised cost",
            Cell(f"{h['cost_musd_y']:,.2f} MUSD/y", "cost_musd_y", h["cost_musd_y"]),
        ),
        (
            "cost per MW IT",
            Cell(
                _num(h["cost_per_mw_it_musd_y"], "{:,.3f} MUSD/y"),
                "cost_per_mw_it_musd_y",
                h["cost_per_mw_it_musd_y"],
            ),
        ),
        ("capex", Cell(f"{h['capex_musd']:,.0f} MUSD", "capex_musd", h["capex_musd"])),
        (
            "capex per MW IT",
            Cell(
                _num(h["capex_per_mw_it_musd"], "{:,.2f} MUSD"),
                "capex_per_mw_it_musd",
                h["capex_per_mw_it_musd"],
            ),
        ),
        (
            f"objective ({h['objective_sense']})",
            Cell(_num(h["objective"], "{:,.3f}"), "objective", h["objective"]),
        ),
        ("best bound", Cell(bound, "best_bound", h["best_bound"])),
        ("MIP gap", Cell(gap, "mip_gap", h["mip_gap"])),
        ("HiGHS time", Cell(f"{h['solve_s']:.1f} s", "solve_s", h["solve_s"])),
    ]


def _frame_table(
    df: pd.DataFrame, formats: dict[str, tuple[str, str]], index_label: str | None
) -> Table:
    """A table of ``df``'s columns ``{column: (header, format)}``, numbers right-aligned."""
    cols = [c for c in formats if c in df.columns]
    columns = ([index_label] if index_label else []) + [formats[c][0] for c in cols]
    rows = []
    numeric: set[int] = set()
    offset = 1 if index_label else 0
    for idx, r in df.iterrows():
        row = [Cell(str(idx))] if index_label else []
        for i, c in enumerate(cols):
            v = r[c]
            if isinstance(v, int | float) and not isinstance(v, bool):
                row.append(Cell(_num(float(v), formats[c][1]), c, float(v)))
                if math.isfinite(float(v)):
                    numeric.add(i + offset)
            else:
                row.append(Cell(str(v)))
        rows.append(row)
    return Table(columns, rows, numeric)


def _svg(fig: Any) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    text = buf.getvalue()
    return text[text.index("<svg") :]


def report_sections(run: RunData, charts: bool = True) -> list[Section]:
    """The report's content: headline, cost breakdown, chosen sites with reasons, binding
    constraints, assumptions. ``charts`` needs matplotlib (the ``maps`` extra)."""
    sol = run.solution
    h = headline(run)
    out: list[Section] = []

    head = Section("Headline numbers")
    if not h["optimal"]:
        head.blocks.append(
            f"**Not optimal.** {h['status_text']}: the plan below is feasible, not proven best."
        )
    head.blocks.append(
        Table(["", "value"], [[Cell(lab), c] for lab, c in headline_cells(h)], align_right={1})
    )
    out.append(head)

    costs = Section("Cost breakdown")
    if charts:
        from siting.report.static import cost_chart

        fig = cost_chart(run)
        costs.blocks.append(Figure("cost_breakdown.svg", "annualised cost by term", _svg(fig)))
    cb = cost_breakdown(sol)
    cb = cb[cb["cost_musd_y"].abs() > 0]
    costs.blocks.append(
        _frame_table(
            cb.set_index("label"),
            {"cost_musd_y": ("MUSD/y", "{:,.2f}"), "share": ("share", "{:.1%}")},
            "term",
        )
    )
    costs.blocks.append(
        f"Total: {sol.totals['cost_musd_y']:,.2f} MUSD/y, annualised with each asset's capital "
        "recovery factor; O&M included."
    )
    out.append(costs)

    sites = Section("Chosen sites")
    table = site_table(run)
    if table.empty:
        sites.blocks.append("No site was chosen.")
    else:
        formats = {
            "it_mw": ("MW IT", "{:,.0f}"),
            "source": ("power", "{}"),
            "gas_bcm_y": ("gas bcm/y", "{:.3f}"),
            "grid_mw": ("grid MW", "{:,.0f}"),
            "pue": ("PUE", "{:.3f}"),
            "town_km": ("town km", "{:,.0f}"),
            "fiber_km": ("fibre km", "{:,.0f}"),
            "grid_km": ("grid node km", "{:,.0f}"),
            "cost_total_musd_y": ("MUSD/y", "{:,.2f}"),
            "capex_musd": ("capex MUSD", "{:,.0f}"),
        }
        sites.blocks.append(_frame_table(table, formats, "site"))
        sites.blocks.append(
            "Why each was picked: its annualised cost per MW IT, term by term, against the "
            "average eligible candidate built at the same size on gas (negative = cheaper)."
        )
        reasons = site_reasons(run)
        sites.blocks.append(
            _frame_table(
                reasons,
                {
                    "site_musd_per_mw_y": ("site MUSD/y per MW", "{:,.3f}"),
                    "average_musd_per_mw_y": ("average candidate", "{:,.3f}"),
                    **{c: (c, "{:+,.3f}") for c in reasons.columns if c.endswith(" vs avg")},
                    "reason": ("main reasons", "{}"),
                },
                "site",
            )
        )
    out.append(sites)

    binding = Section("Binding constraints")
    bc = binding_constraints(sol)
    if bc.empty:
        binding.blocks.append(
            "No constraint is binding: every pipeline, grid node and field has room to spare."
        )
    else:
        binding.blocks.append(
            _frame_table(
                bc.set_index("family"),
                {"where": ("where", "{}"), "detail": ("detail", "{}")},
                "constraint",
            )
        )
    out.append(binding)

    assume = Section("Assumptions")
    table_a = assumptions(run.case)
    assume.blocks.append(
        "The resolved case (base case with its scenario and overrides), as recorded in "
        "`manifest.json`."
    )
    assume.blocks.append(
        _frame_table(table_a.set_index("setting"), {"value": ("value", "{}")}, "setting")
    )
    out.append(assume)

    files = Section("Maps and data")
    files.blocks.append(
        "`map.png` (static map), `map.html` (interactive, works offline), `sites.gpkg` (open "
        "in QGIS; styles embedded), `tables/*.csv`, `summary.json`, `manifest.json`."
    )
    out.append(files)
    return out


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _md_table(t: Table) -> str:
    head = "| " + " | ".join(_md_escape(c) for c in t.columns) + " |"
    rule = "|" + "|".join("---:" if i in t.align_right else "---" for i in range(len(t.columns)))
    body = ["| " + " | ".join(_md_escape(c.text) for c in row) + " |" for row in t.rows]
    return "\n".join([head, rule + "|", *body])


def _title(run: RunData) -> str:
    return f"Siting report: {run.label}"


def report_markdown(run: RunData, charts: bool = True) -> str:
    """The report as Markdown; charts are linked as files beside it (``cost_breakdown.svg``)."""
    lines = [f"# {_title(run)}", ""]
    if run.description:
        lines += [run.description, ""]
    lines += ["![Map of the chosen sites](map.png)", ""]
    for sec in report_sections(run, charts):
        lines += [f"## {sec.title}", ""]
        for block in sec.blocks:
            if isinstance(block, Table):
                lines.append(_md_table(block))
            elif isinstance(block, Figure):
                lines.append(f"![{block.alt}]({block.file})")
            else:
                lines.append(block)
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


_CSS = """
body { font: 14px/1.5 -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
  max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 1.6em;
  border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 13px; }
th, td { border-bottom: 1px solid #e4e4e4; padding: 3px 10px; text-align: left;
  vertical-align: top; }
th { background: #f6f6f6; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.warning { background: #fff3cd; padding: 0.5em 1em; border-left: 4px solid #d39e00; }
figure { margin: 0.6em 0; } figure svg { max-width: 100%; height: auto; }
footer { margin-top: 3em; color: #777; font-size: 12px; }
code { background: #f3f3f3; padding: 0 3px; }
"""


def _inline_md(text: str) -> str:
    """The little inline Markdown the blocks use: **bold** and `code`."""
    out, bold, code = [], False, False
    i = 0
    escaped = html.escape(text)
    while i < len(escaped):
        if escaped.startswith("**", i) and not code:
            out.append("</b>" if bold else "<b>")
            bold = not bold
            i += 2
        elif escaped[i] == "`":
            out.append("</code>" if code else "<code>")
            code = not code
            i += 1
        else:
            out.append(escaped[i])
            i += 1
    return "".join(out)


def _html_table(t: Table) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in t.columns)
    rows = []
    for row in t.rows:
        cells = []
        for i, c in enumerate(row):
            attrs = ' class="num"' if i in t.align_right else ""
            if c.key is not None:
                attrs += f' data-key="{html.escape(c.key)}"'
            if c.value is not None and math.isfinite(c.value):
                attrs += f' data-value="{c.value!r}"'
            cells.append(f"<td{attrs}>{html.escape(c.text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def report_html(run: RunData, charts: bool = True, map_png: bytes | None = None) -> str:
    """The report as one self-contained HTML page (inline CSS, inline SVG charts, and the
    static map inlined when ``map_png`` is given)."""
    import base64

    parts = [f"<h1>{html.escape(_title(run))}</h1>"]
    if run.description:
        parts.append(f"<p>{html.escape(run.description)}</p>")
    if map_png is not None:
        data = base64.b64encode(map_png).decode("ascii")
        parts.append(
            f'<figure><img alt="map of the chosen sites" style="max-width:100%" '
            f'src="data:image/png;base64,{data}"></figure>'
        )
    for sec in report_sections(run, charts):
        parts.append(f"<h2>{html.escape(sec.title)}</h2>")
        for block in sec.blocks:
            if isinstance(block, Table):
                parts.append(_html_table(block))
            elif isinstance(block, Figure):
                if block.svg:
                    parts.append(f"<figure>{block.svg}</figure>")
            elif block.startswith("**Not optimal"):
                parts.append(f'<p class="warning">{_inline_md(block)}</p>')
            else:
                parts.append(f"<p>{_inline_md(block)}</p>")
    created = run.meta.get("created") or dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    inputs = run.meta.get("inputs_hash", "")
    parts.append(
        f"<footer>siting · {html.escape(run.label)} · inputs {html.escape(inputs[:12])} · "
        f"{html.escape(str(created))}</footer>"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(_title(run))}</title><style>{_CSS}</style></head><body>"
        + "\n".join(parts)
        + "</body></html>\n"
    )


def compare_markdown(a: RunData, b: RunData) -> str:
    """What changed from run ``a`` to run ``b``: headline numbers and sites, as Markdown."""
    totals = compare_totals(a, b)
    diff = compare_runs(a, b)
    name_a, name_b = run_names(a, b)
    lines = [f"# Comparison: {name_a} → {name_b}", "", "## Headline numbers", ""]
    rows = []
    for metric, r in totals.iterrows():
        rows.append([Cell(str(metric))] + [Cell(_fmt_any(r[c])) for c in ("a", "b", "delta")])
    lines.append(_md_table(Table(["metric", name_a, name_b, "change"], rows, {1, 2, 3})))
    lines += ["", "## Sites", ""]
    changed = diff[diff["change"] != "unchanged"]
    if changed.empty:
        lines.append("The same sites at the same sizes.")
    else:
        lines.append(
            _md_table(
                _frame_table(
                    changed,
                    {
                        "change": ("change", "{}"),
                        "it_mw_a": (f"MW IT in {name_a}", "{:,.0f}"),
                        "it_mw_b": (f"MW IT in {name_b}", "{:,.0f}"),
                        "delta_mw": ("change MW", "{:+,.0f}"),
                        "source_a": (f"power in {name_a}", "{}"),
                        "source_b": (f"power in {name_b}", "{}"),
                    },
                    "site",
                )
            )
        )
    unchanged = int((diff["change"] == "unchanged").sum())
    lines += ["", f"{unchanged} site(s) unchanged.", ""]
    return "\n".join(lines)


def _fmt_any(v: Any) -> str:
    if isinstance(v, int | float):
        return _num(float(v), "{:,.3f}") if not float(v).is_integer() else f"{v:,.0f}"
    return "—" if v is None else str(v)
