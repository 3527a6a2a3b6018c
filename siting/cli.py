"""``siting`` command line: a thin layer over the library API."""

from __future__ import annotations

import contextlib
import enum
import functools
import logging
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from siting.alternatives.cli import alternatives_cmd
from siting.errors import InfeasibleError, SitingError, SolveInterrupted
from siting.outcome import UNVERIFIED
from siting.robust.cli import robust_cmd
from siting.sweep.cli import sweep_cmd, sweep_report_cmd, tornado_cmd

if TYPE_CHECKING:
    from rich.console import Console

# Only typer is imported up front: each command imports what it needs, so ``siting --help``
# and a bad command line answer at once. Help and usage errors are plain text: typer's rich
# formatting imports rich's markdown, syntax and traceback modules, which would take most
# of the start-up time.
app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    help="Site data centres along a gas pipeline network (Pyomo + HiGHS MILP).",
)


class LogLevel(enum.StrEnum):
    warning = "warning"
    info = "info"
    debug = "debug"


@app.callback()
def _options(
    log_level: Annotated[
        LogLevel,
        typer.Option(
            "--log-level",
            help="Diagnostics to show on stderr: warning, info (what each step did) or debug.",
            case_sensitive=False,
        ),
    ] = LogLevel.warning,
) -> None:
    configure_logging(log_level.value)


class _LogHandler(logging.StreamHandler):
    """The command line's log handler: plain lines on the current stderr."""


def configure_logging(level: str) -> None:
    """Route the package's log records at ``level`` and above to stderr, beside (not
    inside) the console output."""
    logger = logging.getLogger("siting")
    logger.setLevel(level.upper())
    for old in [h for h in logger.handlers if isinstance(h, _LogHandler)]:
        logger.removeHandler(old)
    handler = _LogHandler()
    # the handler's own level too: a logger below (siting.notes) may lower its level to
    # print on the console, which must not reach stderr as well
    handler.setLevel(level.upper())
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s: %(message)s"))
    logger.addHandler(handler)


@functools.cache
def console() -> Console:
    """The console for results (stdout)."""
    from rich.console import Console

    return Console(highlight=False)


@functools.cache
def stderr() -> Console:
    """The console for errors and notes (stderr)."""
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


def escape(text: str) -> str:
    from rich.markup import escape as rich_escape

    return rich_escape(text)


def _fail(exc: SitingError) -> NoReturn:
    for line in str(exc).splitlines():
        stderr().print(f"[bold red]error:[/] {escape(line)}")
    raise typer.Exit(exc.exit_code)


def _step_printer(quiet: bool) -> Any:
    @contextlib.contextmanager
    def step(name: str) -> Iterator[None]:
        start = time.perf_counter()
        if quiet:
            yield
            return
        with console().status(f"{name} …", spinner="dots"):
            yield
        elapsed = time.perf_counter() - start
        console().print(f"  [green]✓[/] {name} [dim]({elapsed:.1f} s)[/]")

    return step


@contextlib.contextmanager
def _console_notes(quiet: bool) -> Iterator[None]:
    """Print the run's notes (what it did to the inputs) and its input warnings as they come:
    notes on stdout unless ``quiet``, warnings on stderr always."""
    import logging
    import warnings

    from siting.notes import InputWarning, logger

    class Printer(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            console().print(f"  [dim]·[/] {escape(record.getMessage())}", soft_wrap=True)

    def show(message: Any, category: type[Warning], *args: Any, **kwargs: Any) -> None:
        if issubclass(category, InputWarning):
            stderr().print(f"[bold yellow]warning:[/] {escape(str(message))}")
        else:
            shown(message, category, *args, **kwargs)

    handler, level = Printer(logging.INFO), logger.level
    if not quiet:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    with warnings.catch_warnings():
        warnings.simplefilter("always", InputWarning)
        shown = warnings.showwarning
        warnings.showwarning = show
        try:
            yield
        finally:
            logger.removeHandler(handler)
            logger.setLevel(level)


def _parse_sets(values: list[str] | None) -> dict[str, Any]:
    import yaml

    out: dict[str, Any] = {}
    for item in values or []:
        if "=" not in item:
            raise SitingError(
                f"--set {item!r}: write it as key.path=value, e.g. objective.target_it='10 GW'"
            )
        key, raw = item.split("=", 1)
        out[key.strip()] = yaml.safe_load(raw)
    return out


@app.command("run")
def run_cmd(
    case_file: Annotated[Path | None, typer.Argument(help="Case file (YAML) in models/.")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Output folder.")] = None,
    scenario: Annotated[
        str | None, typer.Option("--scenario", "-s", help="Named scenario.")
    ] = None,
    example: Annotated[
        bool, typer.Option("--example", help="Run the built-in tiny example.")
    ] = False,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="Override: key.path=value.")
    ] = None,
    layer: Annotated[
        list[str] | None,
        typer.Option("--layer", help="A layer's file: NAME=PATH (e.g. pipelines=routes.geojson)."),
    ] = None,
    time_limit: Annotated[float | None, typer.Option(help="Solver time limit in seconds.")] = None,
    max_candidates: Annotated[
        int | None,
        typer.Option(help="Refuse a case with more candidate sites (candidates.max_candidates)."),
    ] = None,
    overwrite: Annotated[
        bool,
        typer.Option(
            "--overwrite",
            help="Replace files in --out that no previous run's manifest lists "
            "(the files of a previous run are always replaced).",
        ),
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Stream the HiGHS log.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only the summary.")] = False,
) -> None:
    """Solve a case and write the siting plan (GeoPackage, tables, summary, manifest)."""
    with contextlib.ExitStack() as stack:
        try:
            overrides = {**_parse_sets(set_), **_layer_overrides(layer)}
            if time_limit is not None:
                overrides["solver.time_limit_s"] = time_limit
            if max_candidates is not None:
                overrides["candidates.max_candidates"] = max_candidates
            if example == (case_file is not None):
                raise SitingError("give either a case file or --example")
            if example:
                from siting.examples import example_case, example_geodata

                case = example_case(**_nested(overrides))
                data = example_geodata(case)
                if scenario:
                    raise SitingError("the example has no scenarios")
            else:
                assert case_file is not None
                # a bad case file fails here, before the solver and the data stack load
                from siting.io.case_file import read_case

                case = read_case(case_file, scenario=scenario, overrides=overrides)
                data = None
            out_dir = out or Path("results") / "-".join(filter(None, (case.name, case.scenario)))
            # a folder that cannot take the run fails now, before any layer is read
            from siting.output.run_folder import open_run_folder

            folder = stack.enter_context(open_run_folder(out_dir, overwrite))
            if not quiet:
                console().print(f"[bold]siting[/] {escape(case.label)}: {escape(goal(case))}")
                if folder.previous:
                    console().print(
                        f"[dim]replacing the previous run in {escape(str(out_dir))}/ "
                        f"({len(folder.previous)} files)[/]"
                    )
            import warnings

            from siting.api import solve_case
            from siting.output.render_process import RenderProcess

            # the maps are drawn in a second process that imports the plotting libraries
            # while this one reads and solves
            with RenderProcess() as renderer, warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # _maps_hint says it once, below
                with _console_notes(quiet):
                    result = solve_case(
                        case,
                        out=folder,
                        data=data,
                        step=_step_printer(quiet),
                        stream=verbose,
                        renderer=renderer,
                    )
        except InfeasibleError as exc:
            stderr().print(f"[bold red]infeasible:[/] {exc}")
            if exc.diagnosis is not None:
                for line in exc.diagnosis.lines():  # type: ignore[attr-defined]
                    stderr().print(f"  • {escape(line)}")
            if exc.written:
                stderr().print(
                    "the network tables (nodes, arcs, each piece's supply against its "
                    f"committed demand) are in {escape(str(folder.path / 'tables'))}, the "
                    f"diagnosis in {escape(str(folder.path / 'diagnosis.json'))}"
                )
            raise typer.Exit(exc.exit_code) from None
        except SitingError as exc:
            _fail(exc)
        except KeyboardInterrupt as exc:
            why = ""
            if isinstance(exc, SolveInterrupted):
                why = " (HiGHS had no plan that passes the check yet)"
            stderr().print(f"[bold red]interrupted[/]: no complete run folder was written{why}")
            _exit(130)
    print_summary(result.solution, out_dir)
    _maps_hint(renderer.missing)
    r = result.solution.report
    if r.interrupted:
        stderr().print(
            f"[bold yellow]interrupted[/]: HiGHS was stopped after {r.solve_s:.1f} s; the plan "
            f"it had is written to {escape(str(out_dir))}/, marked NOT OPTIMAL"
        )
        _exit(130)


def _exit(code: int) -> NoReturn:
    """Exit with ``code``. A HiGHS solve that Ctrl-C could not stop at once is still
    finishing on its own thread: leave without waiting for it (the run folder is complete,
    or not written)."""
    solver = sys.modules.get("siting.solver.interrupt")  # not loaded: no solve ran
    if solver is not None and solver.still_running():
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        os._exit(code)
    raise typer.Exit(code)


def goal(case: Any) -> str:
    """What the run optimises, from the resolved case (its objective, target and budget,
    after the scenario and every ``--set``), and the scenario's own description."""
    o = case.objective
    limits = []
    if o.target_it is not None:
        limits.append(f"at least {o.target_it} IT")
    if o.budget is not None:
        limits.append(f"capex at most {o.budget}")
    if o.max_sites is not None:
        limits.append(f"at most {o.max_sites} sites")
    if o.ceiling_usd_per_mwh is not None:
        limits.append(f"average cost at most {o.ceiling_usd_per_mwh:g} USD/MWh of IT energy")
    sense = {
        "min_cost": "least annualised cost",
        "max_profit": "most profit (value of compute minus annualised cost)",
        "max_gas_use": "most gas burnt",
    }[o.sense]
    text = sense + (f", {', '.join(limits)}" if limits else "")
    if case.scenario and case.scenarios.get(case.scenario, {}).get("description"):
        text += f" (scenario: {case.scenarios[case.scenario]['description']})"
    return text


def _maps_hint(missing: list[str] | None) -> None:
    """Say once what to install when the drawing process found the ``maps`` extra missing."""
    from siting.report._deps import INSTALL_HINT

    if missing:
        stderr().print(
            f"[yellow]note:[/] no map.png, map.html or report: {', '.join(missing)} not "
            f"installed ({escape(INSTALL_HINT)})"
        )


def _layer_overrides(values: list[str] | None) -> dict[str, Any]:
    """``--layer NAME=PATH`` → ``layers.NAME.path`` (PATH relative to the working folder)."""
    out: dict[str, Any] = {}
    for item in values or []:
        name, sep, path = item.partition("=")
        if not sep or not name.strip() or not path.strip():
            raise SitingError(
                f"--layer {item!r}: write it as NAME=PATH, e.g. --layer pipelines=gem/routes.geojson"
            )
        out[f"layers.{name.strip()}.path"] = str(Path(path.strip()).expanduser().resolve())
    return out


def _nested(flat: dict[str, Any]) -> dict[str, Any]:
    from siting.io.case_file import set_path

    tree: dict[str, Any] = {}
    for key, value in flat.items():
        tree = set_path(tree, tuple(key.split(".")), value)
    return tree


def print_summary(solution: Any, out_dir: Path | None = None) -> None:
    from rich import box
    from rich.table import Table

    t, r = solution.totals, solution.report
    table = Table(title="Chosen sites", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("site (nearest town)", no_wrap=True)
    # the other columns take about 56 characters with padding; the site name gets the rest
    site_width = max(16, console().width - 57)
    for col in ("MW IT", "power", "gas bcm/y", "grid MW", "PUE", "MUSD/y"):
        table.add_column(
            col,
            justify="left" if col == "power" else "right",
            no_wrap=True,
            min_width=6 if col == "power" else len(col),
        )
    chosen = solution.chosen.sort_values("it_mw", ascending=False)
    v2 = solution.is_v2
    for sid, row in chosen.iterrows():
        place = row.get("place") if isinstance(row.get("place"), str) else None
        name = f"{place} ({sid})" if place else str(sid)
        if len(name) > site_width:
            name = name[: site_width - 1] + "…"
        table.add_row(
            escape(name),
            f"{row['it_mw']:,.0f}",
            row["source"],
            f"{row['gas_bcm_y']:.2f}",
            f"{row['grid_mw']:,.0f}",
            f"{row['pue']:.2f}",
            f"{row['cost_total_musd_y']:,.0f}",
        )
    console().print(table)
    status_style = "green" if r.is_optimal else "bold yellow"
    console().print(f"[{status_style}]status:[/] {r.describe()}")
    console().print(
        f"sites: {t['sites_open']}   IT: {t['it_mw']:,.0f} MW   facility: {t['facility_mw']:,.0f} MW"
    )
    if v2:
        _print_energy_v2(solution)
    else:
        console().print(
            f"gas burnt: {t['gas_bcm_y']:.2f} bcm/y of {t['surplus_bcm_y']:.1f} bcm/y surplus "
            f"({(t['gas_bcm_y'] / t['surplus_bcm_y'] if t['surplus_bcm_y'] > 0 else 0):.1%})   "
            f"grid: {t['grid_mw']:,.0f} MW"
        )
    for line in surplus_lines(solution):
        console().print(line)
    console().print(
        f"cost: {t['cost_musd_y']:,.0f} MUSD/y ({t['cost_per_mw_it_musd_y']:.2f} MUSD per MW IT per year); "
        f"capex {t['capex_musd']:,.0f} MUSD ({t['capex_per_mw_it_musd']:.1f} MUSD/MW)"
    )
    console().print(
        f"binding: {t['arcs_full']} pipeline segments full, {t['fields_at_capacity']} fields at "
        f"capacity, {t['grid_nodes_exhausted']} grid nodes' spare capacity used up"
    )
    if len(solution.breakeven.columns):
        from siting.breakeven import breakeven_headline, breakeven_line

        head = breakeven_headline(solution.breakeven, solution.params)
        console().print(escape(breakeven_line(head)))
    console().print(solver_line(r))
    if r.verification:
        v = r.verification
        console().print(
            f"[bold yellow]HiGHS's report contradicted its plan[/] ({escape(v['problems'][0])})"
            + (f"; {v['action']}" if "action" in v else "")
            + f": {v['result']}"
        )
    if out_dir is not None:
        console().print(f"written to {out_dir}/")


def surplus_lines(solution: Any) -> list[str]:
    """The plan's pipeline gas (on site and behind the grid) against the surplus, period by
    period (gross spare field capacity, what the network can deliver to candidate sites and
    gas-fired grid nodes, what the plan uses), the headline against the period with the least
    deliverable surplus, and off-network gas beside it."""
    t, p = solution.totals, solution.periods.index
    key = "surplus_deliverable_{}_bcm_y"
    if not all(key.format(q) in t for q in p):
        return []
    least = min(p, key=lambda q: t[key.format(q)])
    deliverable, used = t[key.format(least)], t[f"gas_pipeline_{least}_bcm_y"]
    where = f"in {least} (the least of any period), " if len(p) > 1 else ""
    share = f" ({used / deliverable:.1%})" if deliverable > 0 else ""
    split = _split(t, least)
    lines = [
        f"pipeline gas against the deliverable surplus: {where}{used:.2f}{split} of "
        f"{deliverable:.1f} bcm/y{share}"
    ]
    lines.append(
        "surplus by period, bcm/y (gross / deliverable / this plan on site + behind the grid): "
        + ", ".join(
            f"{q} {t[f'surplus_gross_{q}_bcm_y']:.1f} / {t[key.format(q)]:.1f} / "
            f"{t.get(f'gas_pipeline_direct_{q}_bcm_y', float('nan')):.2f} + "
            f"{t.get(f'gas_pipeline_indirect_{q}_bcm_y', float('nan')):.2f}"
            for q in p
        )
    )
    if t.get("stranded_supply_bcm_y", 0.0) > 0:
        lines.append(
            f"off-network gas (not in the pipeline surplus): {t['gas_stranded_bcm_y']:.2f} of "
            f"{t['stranded_supply_bcm_y']:.1f} bcm/y used"
        )
    return lines


def _split(t: dict[str, float], q: str) -> str:
    direct, indirect = (
        t.get(f"gas_pipeline_direct_{q}_bcm_y"),
        t.get(f"gas_pipeline_indirect_{q}_bcm_y"),
    )
    if direct is None or indirect is None or indirect == 0:
        return ""
    return f" ({direct:.2f} on site + {indirect:.2f} behind the grid)"


def solver_line(r: Any) -> str:
    """Objective, bound, gap, nodes and time, as far as they could be verified."""
    if r.status == UNVERIFIED:
        return (
            f"objective {r.objective:,.3f} (recomputed from the plan); no bound or gap: HiGHS's "
            f"contradicted the plan; {r.nodes} nodes, HiGHS {r.solve_s:.1f} s"
        )
    gap = f"{r.gap:.4%}" if r.gap is not None else "n/a"
    bound = "n/a" if r.bound is None else f"{r.bound:,.3f}"
    return (
        f"objective {r.objective:,.3f}, bound {bound}, MIP gap {gap}, {r.nodes} nodes, "
        f"HiGHS {r.solve_s:.1f} s"
    )


def _print_energy_v2(solution: Any) -> None:
    """Direct and indirect gas, power by technology and the periods that bind."""
    t = solution.totals
    share = t["gas_total_bcm_y"] / t["surplus_bcm_y"] if t["surplus_bcm_y"] > 0 else 0.0
    console().print(
        f"gas used: {t['gas_direct_bcm_y']:.2f} bcm/y on site + {t['gas_indirect_bcm_y']:.2f} "
        f"bcm/y behind the grid = {t['gas_total_bcm_y']:.2f} bcm/y ({share:.1%} of the "
        f"{t['surplus_bcm_y']:.1f} bcm/y gross surplus, weighted)   grid: {t['grid_mw']:,.0f} "
        "MW (annual mean)"
    )
    techs = [x for x in solution.technologies.index if t.get(f"power_{x}_mw", 0.0) > 1e-6]
    if techs:
        mix = ", ".join(f"{x} {t[f'power_{x}_mw']:,.0f} MW" for x in techs)
        console().print(f"on site: {mix} (installed {t['installed_mw']:,.0f} MW)")
    import pandas as pd

    from siting.solution import at_limit

    ap = solution.arc_periods
    full = (
        pd.Series(at_limit(ap["flow_mw"], ap["capacity_mw"]), index=ap.index)
        .groupby(level="period")
        .sum()
    )
    if full.any():
        console().print(
            "pipeline segments full by period: "
            + ", ".join(f"{q} {int(full.get(q, 0))}" for q in solution.periods.index)
        )


@app.command("check")
def check_cmd(
    run_dir: Annotated[Path, typer.Argument(help="A run folder written by `siting run`.")],
) -> None:
    """Re-check a run folder from its files alone: each file against the hash the run
    recorded, every number against its recomputation."""
    from siting.output.verify import check_run

    try:
        result = check_run(run_dir)
    except SitingError as exc:
        _fail(exc)
        return
    report = result.numbers
    for line in result.changed:
        stderr().print(f"[bold red]changed:[/] {escape(line)}")
    if report.ok and not result.changed:
        console().print(
            f"[green]ok[/]: {report.summary()}; objective {report.objective_recomputed:,.6g} "
            f"= solver {report.objective_solver:,.6g}; {result.matched} files match their "
            "hashes in manifest.json"
        )
        return
    if not report.ok:
        stderr().print(f"[bold red]failed[/]: {escape(report.summary())}")
    else:
        stderr().print(
            f"[bold red]failed[/]: {len(result.changed)} file(s) changed after the run; "
            f"the numbers agree with each other ({report.summary()})"
        )
    raise typer.Exit(5)


@app.command("map")
def map_cmd(
    run_dir: Annotated[Path, typer.Argument(help="A run folder written by `siting run`.")],
    format_: Annotated[
        list[str] | None,
        typer.Option("--format", "-f", help="Static map format: png, svg, pdf (repeatable)."),
    ] = None,
    geojson: Annotated[
        bool, typer.Option("--geojson", help="Also write every layer as GeoJSON.")
    ] = False,
) -> None:
    """Re-render the maps and the report of a run folder, without solving again."""
    from siting.output.artefacts import render_run

    try:
        written = render_run(run_dir, formats=format_ or ["png"], geojson=geojson)
    except SitingError as exc:
        _fail(exc)
        return
    for path in written:
        console().print(f"  [green]✓[/] {path}")


@app.command("compare")
def compare_cmd(
    run_a: Annotated[Path, typer.Argument(help="The reference run folder.")],
    run_b: Annotated[Path, typer.Argument(help="The run folder to compare with it.")],
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write the diff map and tables into this folder."),
    ] = None,
    format_: Annotated[
        list[str] | None,
        typer.Option("--format", "-f", help="Diff map format: png, svg, pdf (repeatable)."),
    ] = None,
) -> None:
    """Compare two runs: sites added, removed and resized, in tables (and with --out, on a
    map and in files)."""
    from rich.table import Table

    from siting.output.artefacts import read_run, write_comparison
    from siting.report.run import run_names
    from siting.report.tables import compare_runs, compare_totals

    try:
        a, b = read_run(run_a), read_run(run_b)
        written = [] if out is None else write_comparison(out, a, b, formats=format_ or ["png"])
    except SitingError as exc:
        _fail(exc)
        return
    totals = compare_totals(a, b)
    name_a, name_b = run_names(a, b)
    table = Table(title=f"A = {name_a} → B = {name_b}", title_justify="left")
    for col in ("metric", "A", "B", "change"):
        table.add_column(col, justify="left" if col == "metric" else "right")
    for metric, r in totals.iterrows():
        table.add_row(str(metric), *(_cell(r[c]) for c in ("a", "b", "delta")))
    console().print(table)
    diff = compare_runs(a, b)
    sites = Table(title="Sites", title_justify="left")
    for col in ("site", "change", "MW IT in A", "MW IT in B", "Δ MW"):
        sites.add_column(col, justify="left" if col in ("site", "change") else "right")
    for sid, r in diff.iterrows():
        sites.add_row(
            str(sid),
            r["change"],
            f"{r['it_mw_a']:,.0f}",
            f"{r['it_mw_b']:,.0f}",
            f"{r['delta_mw']:+,.0f}",
        )
    console().print(sites)
    for path in written:
        console().print(f"  [green]✓[/] {path}")
    if out is None:
        console().print(
            "[dim]no files written; --out DIR writes diff_map.png, compare.csv, compare.md[/]"
        )


def _cell(value: Any) -> str:
    if isinstance(value, int | float):
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.3f}"
    return "" if value is None else str(value)


@app.command("scenarios")
def scenarios_cmd(
    case_file: Path,
    solve: Annotated[
        bool,
        typer.Option("--solve", help="Solve the base and the scenarios and say what each changes."),
    ] = False,
    only: Annotated[
        list[str] | None, typer.Option("--only", help="Solve only this scenario (repeatable).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Folder for scenarios.csv and .md.")
    ] = None,
) -> None:
    """List a case file's named scenarios; with --solve, solve each against the base plan."""
    from siting.io.case_file import list_scenarios

    try:
        listed = list_scenarios(case_file)
        if not solve:
            for name, desc in listed.items():
                console().print(f"[bold]{name}[/]: {desc}")
            return
        unknown = sorted(set(only or ()) - set(listed))
        if unknown:
            raise SitingError(
                f"--only {unknown[0]}: not a scenario of {case_file}; known: {', '.join(listed)}"
            )
        from siting.api import solve_scenarios
        from siting.scenario_report import scenario_table

        table = scenario_table(solve_scenarios(case_file, only, step=_step_printer(False)))
    except SitingError as exc:
        _fail(exc)
        return
    print_scenarios(table)
    if out is not None:
        from siting.scenario_report import scenarios_markdown

        out.mkdir(parents=True, exist_ok=True)
        table.to_csv(out / "scenarios.csv")
        (out / "scenarios.md").write_text(scenarios_markdown(table), encoding="utf-8")
        console().print(f"written to {out}/")


def print_scenarios(table: Any) -> None:
    """The scenario table, then what each scenario changes and whether it binds."""
    from rich import box
    from rich.table import Table

    view = Table(title="Scenarios", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    for col in (
        "scenario",
        "gap",
        "HiGHS s",
        "wall s",
        "sites",
        "MW IT",
        "on-site MW",
        "gas d/i bcm/y",
        "pipeline gas / deliverable",
        "on-site MW ≥60°N",
        "MUSD/y",
    ):
        view.add_column(col, justify="left" if col == "scenario" else "right", no_wrap=True)
    for name, r in table.iterrows():
        view.add_row(
            escape(str(name)),
            f"{r['gap']:.3%}" if r["gap"] == r["gap"] and r["gap"] is not None else "n/a",
            f"{r['highs_s']:.1f}",
            f"{r['wall_s']:.1f}",
            f"{r['sites']}",
            f"{r['it_mw']:,.0f}",
            f"{r['onsite_mw']:,.0f}",
            f"{r['gas_direct_bcm_y']:.2f}/{r['gas_indirect_bcm_y']:.2f}",
            f"{r['pipeline_gas_bcm_y']:.1f} / {r['deliverable_bcm_y']:.1f} ({r['least_period']})",
            f"{r['onsite_north_mw']:,.0f}",
            f"{r['cost_musd_y']:,.0f}",
        )
    console().print(view)
    for name, r in table.iterrows():
        if r["why"]:
            console().print(f"[bold]{escape(str(name))}[/]: {escape(r['status'])}")
            for line in str(r["why"]).split(" | "):
                console().print(f"  • {escape(line)}")


@app.command("validate")
def validate_cmd(
    case_file: Path,
    scenario: Annotated[str | None, typer.Option("--scenario", "-s")] = None,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="Override: key.path=value.")
    ] = None,
    layer: Annotated[
        list[str] | None, typer.Option("--layer", help="A layer's file: NAME=PATH.")
    ] = None,
    max_candidates: Annotated[
        int | None,
        typer.Option(help="Refuse a case with more candidate sites (candidates.max_candidates)."),
    ] = None,
    show_case: Annotated[
        bool, typer.Option("--json", help="Also print the resolved case as JSON.")
    ] = False,
) -> None:
    """Check a case file and read and check every layer it names, without solving.

    Reads each layer (CRS, columns and the case's mapping of them, units, geometry,
    duplicate ids), builds the network (topology summary, what was left out or imputed),
    the candidate sites and the model tables, and runs the graph checks that come before a
    solve. Warnings are printed; the exit code is 0 unless something is wrong."""
    import json

    from siting.api import load_case, validate_case

    try:
        overrides = {**_parse_sets(set_), **_layer_overrides(layer)}
        if max_candidates is not None:
            overrides["candidates.max_candidates"] = max_candidates
        case = load_case(case_file, scenario=scenario, overrides=overrides)
        console().print(f"[bold]siting validate[/] {escape(case.label)}")
        with _console_notes(quiet=False):
            prepared, findings = validate_case(case, step=_step_printer(False))
    except SitingError as exc:
        _fail(exc)
        return
    console().print("layers read:")
    for r in prepared.data.read.to_dict("records"):
        left = f", {r['left_out']} left out by the reader" if r["left_out"] else ""
        console().print(
            f"  {r['layer']}: {escape(str(r['path']))} ({r['format']}, {r['crs']}): "
            f"{r['features']:,} feature(s){left}",
            soft_wrap=True,
        )
    sites = prepared.candidates.sites
    console().print(
        f"  candidates: {len(sites):,} points, {int(sites['eligible'].sum()):,} eligible; model "
        f"tables: {len(prepared.inputs.nodes):,} nodes, {len(prepared.inputs.arcs):,} arcs"
    )
    if show_case:
        console().print(json.dumps(case.model_dump(mode="json", exclude={"scenarios"}), indent=2))
    blocking = [f for f in findings.findings if f.blocking]
    for f in findings.findings:
        label = "infeasible" if f.blocking else "note"
        text = str(f).removeprefix(f"{label}: ")
        stderr().print(f"[{'bold red' if f.blocking else 'yellow'}]{label}:[/] {escape(text)}")
    n_warn = len(prepared.warnings)
    if blocking:
        raise typer.Exit(3)
    console().print(
        f"[green]ok[/]: {escape(case.label)}"
        + (f" with {n_warn} warning(s) (above)" if n_warn else "")
    )


app.command("sweep")(sweep_cmd)
app.command("alternatives")(alternatives_cmd)
app.command("robust")(robust_cmd)
app.command("sweep-report")(sweep_report_cmd)
app.command("tornado")(tornado_cmd)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
