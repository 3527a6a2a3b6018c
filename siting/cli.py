"""``siting`` command line: a thin layer over the library API."""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from siting.alternatives.cli import alternatives_cmd
from siting.errors import InfeasibleError, SitingError
from siting.robust.cli import robust_cmd
from siting.sweep.cli import sweep_cmd, sweep_report_cmd

if TYPE_CHECKING:
    from rich.console import Console

# Only typer is imported up front: each command imports what it needs, so ``siting --help``
# and a bad command line answer at once.
app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Site data centres along a gas pipeline network (Pyomo + HiGHS MILP).",
)


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
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Stream the HiGHS log.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only the summary.")] = False,
) -> None:
    """Solve a case and write the siting plan (GeoPackage, tables, summary, manifest)."""
    try:
        overrides = {**_parse_sets(set_), **_layer_overrides(layer)}
        if time_limit is not None:
            overrides["solver.time_limit_s"] = time_limit
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
        if not quiet:
            console().print(f"[bold]siting[/] {escape(case.label)}: {escape(case.description)}")
        import warnings

        from siting.api import solve_case
        from siting.output.render_process import RenderProcess

        # the maps are drawn in a second process that imports the plotting libraries while
        # this one reads and solves
        with RenderProcess() as renderer, warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # _maps_hint says it once, below
            result = solve_case(
                case,
                out=out_dir,
                data=data,
                step=_step_printer(quiet),
                stream=verbose,
                renderer=renderer,
            )
    except InfeasibleError as exc:
        stderr().print(f"[bold red]infeasible:[/] {exc}")
        if exc.diagnosis is not None:
            for line in exc.diagnosis.lines():  # type: ignore[attr-defined]
                stderr().print(f"  • {line}")
            if out is not None:
                from siting.output.files import write_json

                write_json(Path(out) / "diagnosis.json", exc.diagnosis.to_dict())  # type: ignore[attr-defined]
        raise typer.Exit(exc.exit_code) from None
    except SitingError as exc:
        _fail(exc)
    except KeyboardInterrupt:
        stderr().print("[bold red]interrupted[/]: no complete run folder was written")
        raise typer.Exit(130) from None
    print_summary(result.solution, out_dir)
    _maps_hint(renderer.missing)


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
    console().print(
        f"gas burnt: {t['gas_bcm_y']:.2f} bcm/y of {t['surplus_bcm_y']:.1f} bcm/y surplus "
        f"({(t['gas_bcm_y'] / t['surplus_bcm_y'] if t['surplus_bcm_y'] > 0 else 0):.1%})   "
        f"grid: {t['grid_mw']:,.0f} MW"
    )
    console().print(
        f"cost: {t['cost_musd_y']:,.0f} MUSD/y ({t['cost_per_mw_it_musd_y']:.2f} MUSD per MW IT per year); "
        f"capex {t['capex_musd']:,.0f} MUSD ({t['capex_per_mw_it_musd']:.1f} MUSD/MW)"
    )
    console().print(
        f"binding: {t['arcs_full']} pipeline segments full, {t['fields_at_capacity']} fields at "
        f"capacity, {t['grid_nodes_exhausted']} grid nodes' spare capacity used up"
    )
    gap = f"{r.gap:.4%}" if r.gap is not None else "n/a"
    console().print(
        f"objective {r.objective:,.3f}, bound {r.bound if r.bound is None else f'{r.bound:,.3f}'}, "
        f"MIP gap {gap}, {r.nodes} nodes, HiGHS {r.solve_s:.1f} s"
    )
    if out_dir is not None:
        console().print(f"written to {out_dir}/")


@app.command("check")
def check_cmd(
    run_dir: Annotated[Path, typer.Argument(help="A run folder written by `siting run`.")],
) -> None:
    """Re-check a run folder's solution from its tables alone."""
    from siting.check import check_solution
    from siting.output.run_folder import read_solution

    try:
        solution = read_solution(run_dir)
        report = check_solution(solution, raise_on_error=False)
    except SitingError as exc:
        _fail(exc)
        return
    if report.ok:
        console().print(
            f"[green]ok[/]: {report.summary()}; objective {report.objective_recomputed:,.6g} "
            f"= solver {report.objective_solver:,.6g}"
        )
    else:
        stderr().print(f"[bold red]failed[/]: {report.summary()}")
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
        Path | None, typer.Option("--out", "-o", help="Folder for the diff map and tables.")
    ] = None,
    format_: Annotated[
        list[str] | None,
        typer.Option("--format", "-f", help="Diff map format: png, svg, pdf (repeatable)."),
    ] = None,
) -> None:
    """Compare two runs: sites added, removed and resized, on a map and in a table."""
    from rich.table import Table

    from siting.output.artefacts import read_run, write_comparison
    from siting.report.run import run_names
    from siting.report.tables import compare_runs, compare_totals

    try:
        a, b = read_run(run_a), read_run(run_b)
        out_dir = out or Path(f"compare-{run_a.name}-{run_b.name}")
        written = write_comparison(out_dir, a, b, formats=format_ or ["png"])
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


def _cell(value: Any) -> str:
    if isinstance(value, int | float):
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.3f}"
    return "" if value is None else str(value)


@app.command("scenarios")
def scenarios_cmd(case_file: Path) -> None:
    """List a case file's named scenarios."""
    from siting.io.case_file import list_scenarios

    try:
        for name, desc in list_scenarios(case_file).items():
            console().print(f"[bold]{name}[/]: {desc}")
    except SitingError as exc:
        _fail(exc)


@app.command("validate")
def validate_cmd(
    case_file: Path,
    scenario: Annotated[str | None, typer.Option("--scenario", "-s")] = None,
    layer: Annotated[
        list[str] | None, typer.Option("--layer", help="A layer's file: NAME=PATH.")
    ] = None,
) -> None:
    """Validate a case file (and scenario) without solving."""
    import json

    from siting.api import load_case

    try:
        case = load_case(case_file, scenario=scenario, overrides=_layer_overrides(layer))
    except SitingError as exc:
        _fail(exc)
        return
    console().print(f"[green]ok[/]: {escape(case.label)}")
    console().print(json.dumps(case.model_dump(mode="json", exclude={"scenarios"}), indent=2))


app.command("sweep")(sweep_cmd)
app.command("alternatives")(alternatives_cmd)
app.command("robust")(robust_cmd)
app.command("sweep-report")(sweep_report_cmd)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
