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
    CASE_SECTIONS,
    assumptions,
    binding_constraints,
    compare_runs,
    compare_totals,
    cost_breakdown,
    headline,
    readable_names,
    site_reasons,
    site_table,
)
from siting.units import HOURS_PER_YEAR


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


@dataclass(frozen=True)
class Subheading:
    text: str


@dataclass
class Section:
    title: str
    blocks: list[str | Table | Figure | Subheading] = field(default_factory=list)


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


def report_sections(run: RunData, charts: bool = True, cost_figure: Any = None) -> list[Section]:
    """The report's content: headline, cost breakdown, chosen sites with reasons, binding
    constraints, assumptions. ``charts`` needs matplotlib (the ``maps`` extra);
    ``cost_figure`` is the cost chart when it is drawn already."""
    sol = run.solution
    h = headline(run)
    out: list[Section] = []

    head = Section("Headline numbers")
    if not h["optimal"]:
        head.blocks.append(f"**{h['status_text']}.** The plan below is feasible, not proven best.")
    head.blocks.append(
        Table(["", "value"], [[Cell(lab), c] for lab, c in headline_cells(h)], align_right={1})
    )
    out.append(head)

    costs = Section("Cost breakdown")
    if charts:
        from siting.report.static import cost_chart

        fig = cost_figure if cost_figure is not None else cost_chart(run)
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
            "location": ("location", "{}"),
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
        sites.blocks.append(Subheading("Why each site was picked"))
        sites.blocks.append(
            "Each site's annualised cost per MW IT against the average candidate that could "
            "be built at the same size and powered the same way (the same share of its load "
            "from the grid, at candidates whose grid node has that much spare capacity); the "
            "main reasons are the terms where it is cheapest against that average. The power "
            "column compares what a MW IT costs at the site on the grid and on on-site gas."
        )
        reasons = site_reasons(run)
        sites.blocks.append(
            _frame_table(
                reasons.assign(
                    difference=reasons["site_musd_per_mw_y"] - reasons["average_musd_per_mw_y"]
                ),
                {
                    "location": ("location", "{}"),
                    "site_musd_per_mw_y": ("MUSD/y per MW", "{:,.3f}"),
                    "average_musd_per_mw_y": ("comparable average", "{:,.3f}"),
                    "difference": ("difference", "{:+,.3f}"),
                    "compared_with": ("candidates compared", "{:,.0f}"),
                    "power": ("power", "{}"),
                    "reason": ("main reasons", "{}"),
                },
                "site",
            )
        )
    out.append(sites)
    if len(sol.breakeven.columns):
        out.append(_breakeven_section(run))

    binding = Section("Binding constraints")
    bc = binding_constraints(sol, readable_names(run))
    if bc.empty:
        binding.blocks.append(
            "No constraint is binding: every pipeline, grid node and field has room to spare."
        )
    else:
        binding.blocks.append(_binding_summary(sol, bc))
        binding.blocks.append(
            _frame_table(
                bc.set_index("family"),
                {"where": ("where", "{}"), "detail": ("detail", "{}")},
                "constraint",
            )
        )
    out.append(binding)

    out.append(_assumptions_section(run))

    files = Section("Maps and data")
    files.blocks.append(
        "`map.png` (static map), `map.html` (interactive, works offline), `sites.gpkg` (open "
        "in QGIS; styles embedded), `tables/*.csv`, `summary.json`, `manifest.json`."
    )
    out.append(files)
    return out


def _breakeven_section(run: RunData) -> Section:
    """The break-even table (:mod:`siting.breakeven`): chosen sites, then the best
    unchosen ones, with the generation capex and the grid price at which the other power
    option would cost the same."""
    from siting.breakeven import breakeven_headline, breakeven_line

    sol = run.solution
    p = sol.params
    table = sol.breakeven
    names = readable_names(run)
    section = Section("Break-even")
    section.blocks.append(breakeven_line(breakeven_headline(table, p)))
    section.blocks.append(
        "Per site, the whole campus powered by its cheapest on-site technology or by its grid "
        "node, at the case's prices, per MW of mean facility load and year. *Break-even capex* "
        f"is the technology's generation capex (mln {p.capex_currency}/MW, before the site's "
        "capex multiplier) at which on-site gas would cost the same as the grid; *break-even "
        f"grid price* is the reference grid energy price ({p.price_currency}/MWh, before the "
        "node's price factor) at which the grid would cost the same as on-site gas. Pipeline, "
        "grid spare and national caps are not part of the comparison; blank: no grid option."
    )
    shown = table.assign(
        location=[names.get(str(s), str(s)) for s in table.index],
        status=["chosen" if c else "not chosen" for c in table["chosen"].astype(bool)],
        capex_local=table["gen_capex_musd_per_mw"] * p.capex_per_usd,
    )
    section.blocks.append(
        _frame_table(
            shown,
            {
                "location": ("location", "{}"),
                "status": ("plan", "{}"),
                "it_mw": ("MW IT", "{:,.0f}"),
                "technology": ("technology", "{}"),
                "onsite_musd_per_mw_y": ("on site MUSD/y per MW", "{:,.3f}"),
                "grid_musd_per_mw_y": ("grid MUSD/y per MW", "{:,.3f}"),
                "cheaper": ("cheaper", "{}"),
                "capex_local": (f"capex mln {p.capex_currency}/MW", "{:,.1f}"),
                "breakeven_gen_capex_mln_local_per_mw": (
                    f"break-even capex mln {p.capex_currency}/MW",
                    "{:,.1f}",
                ),
                "breakeven_grid_price_local_per_mwh": (
                    f"break-even grid price {p.price_currency}/MWh",
                    "{:,.0f}",
                ),
            },
            "site",
        )
    )
    return section


def _binding_summary(sol: Any, bc: pd.DataFrame) -> str:
    """One sentence over the binding-constraint table: how many of each kind."""
    counts = bc["family"].value_counts()
    parts = []
    pipes = bc[bc["family"] == "pipeline full"]
    if len(pipes):
        segments = sum(len(str(ids).split(", ")) for ids in pipes["id"])
        parts.append(f"{segments} pipeline segments on {len(pipes)} stretches are full")
    for family, word in (
        ("field at capacity", "fields produce at capacity"),
        ("grid node exhausted", "grid nodes have no spare capacity left"),
        ("site at its largest size", "sites are at their largest size"),
    ):
        if counts.get(family, 0):
            parts.append(f"{counts[family]} {word}")
    system = [f for f in ("IT target", "budget", "site count") if counts.get(f, 0)]
    if system:
        verb = "binds" if len(system) == 1 else "bind"
        parts.append(f"the {' and the '.join(system)} {verb}")
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] + "."


def _assumptions_section(run: RunData) -> Section:
    """The resolved case by section; settings the scenario changed are marked."""
    section = Section("Assumptions")
    table = assumptions(run.case)
    scenario = run.case.get("scenario")
    intro = (
        f"The resolved case `{run.case.get('name', run.label)}`, as recorded in "
        "`manifest.json`; each setting can be changed with `--set SECTION.SETTING=VALUE`."
    )
    if scenario:
        described = (run.case.get("scenarios") or {}).get(scenario, {}).get("description")
        intro += f" Scenario **{scenario}**" + (f" ({described})" if described else "")
        intro += " changes the settings marked ◆."
    section.blocks.append(intro)
    p = run.solution.params
    usd_per_mwh = 1e6 / HOURS_PER_YEAR
    derived = [
        ("gas price", f"{p.gas_cost_musd_per_mw_y * usd_per_mwh:,.2f} USD/MWh of fuel (LHV)"),
        (
            "gas cost per MWh of electricity",
            f"{p.gas_cost_musd_per_mw_y * usd_per_mwh / p.generator_efficiency:,.2f} USD/MWh",
        ),
        ("grid price", f"{p.grid_energy_cost_musd_per_mw_y * usd_per_mwh:,.2f} USD/MWh"),
        ("generation reserve", f"{p.reserve_margin:.0%} over the gas-fired load"),
        ("1 bcm/y of gas", f"{p.mw_per_bcm_y:,.0f} MW of fuel"),
    ]
    section.blocks.append(Subheading("In the model's units"))
    section.blocks.append(
        "Reference prices before regional factors; the model works in MW, km and MUSD."
    )
    section.blocks.append(
        Table(["quantity", "value"], [[Cell(k), Cell(v)] for k, v in derived], {1})
    )
    for key, group in table.groupby("section", sort=False):
        section.blocks.append(Subheading(CASE_SECTIONS.get(str(key), str(key).capitalize())))
        rows = [
            [Cell(("◆ " if r["scenario"] else "") + str(r["name"])), Cell(str(r["value"]))]
            for _, r in group.iterrows()
        ]
        section.blocks.append(Table(["setting", "value"], rows))
    return section


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _md_table(t: Table) -> str:
    head = "| " + " | ".join(_md_escape(c) for c in t.columns) + " |"
    rule = "|" + "|".join("---:" if i in t.align_right else "---" for i in range(len(t.columns)))
    body = ["| " + " | ".join(_md_escape(c.text) for c in row) + " |" for row in t.rows]
    return "\n".join([head, rule + "|", *body])


def _title(run: RunData) -> str:
    return f"Siting report: {run.label}"


def report_markdown(
    run: RunData, charts: bool = True, sections: list[Section] | None = None
) -> str:
    """The report as Markdown; charts are linked as files beside it (``cost_breakdown.svg``).
    ``sections`` are those of :func:`report_sections`, when the HTML report shares them."""
    lines = [f"# {_title(run)}", ""]
    if run.description:
        lines += [run.description, ""]
    lines += ["![Map of the chosen sites](map.png)", ""]
    for sec in sections if sections is not None else report_sections(run, charts):
        lines += [f"## {sec.title}", ""]
        for block in sec.blocks:
            if isinstance(block, Table):
                lines.append(_md_table(block))
            elif isinstance(block, Subheading):
                lines.append(f"### {block.text}")
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
  border-bottom: 1px solid #ddd; } h3 { font-size: 1.05em; margin: 1.2em 0 0.3em; }
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


def report_html(
    run: RunData,
    charts: bool = True,
    map_png: bytes | None = None,
    sections: list[Section] | None = None,
) -> str:
    """The report as one self-contained HTML page (inline CSS, inline SVG charts, and the
    static map inlined when ``map_png`` is given). ``sections`` are those of
    :func:`report_sections`, when the Markdown report shares them."""
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
    for sec in sections if sections is not None else report_sections(run, charts):
        parts.append(f"<h2>{html.escape(sec.title)}</h2>")
        for block in sec.blocks:
            if isinstance(block, Table):
                parts.append(_html_table(block))
            elif isinstance(block, Subheading):
                parts.append(f"<h3>{html.escape(block.text)}</h3>")
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
