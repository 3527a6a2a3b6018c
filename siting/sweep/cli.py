"""``siting sweep`` and ``siting sweep-report``: thin over :mod:`siting.sweep`."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Annotated, Any

import typer

from siting.errors import SitingError


@functools.cache
def _console() -> Any:
    from rich.console import Console

    return Console(highlight=False)


@functools.cache
def _stderr() -> Any:
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


#: options both commands take
MinShare = Annotated[
    float, typer.Option(help="List the sites chosen in at least this share of plans.")
]
Plots = Annotated[
    bool | None,
    typer.Option("--plots/--no-plots", help="Write plots/*.png (default: if matplotlib)."),
]


def _fail(exc: SitingError) -> None:
    for line in str(exc).splitlines():
        _stderr().print(f"[bold red]error:[/] {line}")
    raise typer.Exit(exc.exit_code)


def sweep_cmd(
    spec: Annotated[Path, typer.Argument(help="Sweep file (YAML), e.g. models/sweeps/*.yaml.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Sweep folder (resumed if it exists).")],
    workers: Annotated[
        int | None, typer.Option("--workers", "-w", help="Local worker processes (default: CPUs).")
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Dask scheduler address, e.g. tcp://host:8786."),
    ] = None,
    no_reuse: Annotated[
        bool, typer.Option("--no-reuse", help="Rebuild the model for every run.")
    ] = False,
    retry_failed: Annotated[
        bool, typer.Option("--retry-failed", help="Run again the runs that ended in an error.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Validate and show the plan; run nothing.")
    ] = False,
    min_share: MinShare = 0.5,
    plots: Plots = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Run a parameter sweep: every run once, written as it finishes, resumable."""
    from siting.io.layers import file_digest
    from siting.sweep import describe_plan, load_sweep, make_plan, run_sweep

    try:
        sweep = load_sweep(spec)
        plan = make_plan(sweep, file_digest)
        for line in describe_plan(plan):
            _console().print(line)
        if dry_run:
            return
        if scheduler is not None and workers is not None:
            raise SitingError("give either --workers (local processes) or --scheduler (Dask)")
        result = run_sweep(
            sweep,
            out,
            workers=workers,
            scheduler=scheduler,
            reuse=not no_reuse,
            retry_failed=retry_failed,
            progress=not quiet,
        )
    except SitingError as exc:
        _fail(exc)
        return
    except KeyboardInterrupt:
        _stderr().print(
            f"[bold red]interrupted[/]: every finished run is saved in {out}/; "
            "run the same command again to resume"
        )
        raise typer.Exit(130) from None
    _console().print(
        f"this call computed {result.computed} run(s); {result.skipped} were already done"
    )
    _report(out, min_share, plots)


def sweep_report_cmd(
    out: Annotated[Path, typer.Argument(help="A sweep folder written by `siting sweep`.")],
    min_share: MinShare = 0.5,
    plots: Plots = None,
) -> None:
    """Summarise a sweep folder: statuses, robust sites, Pareto front, plots."""
    try:
        _report(out, min_share, plots)
    except SitingError as exc:
        _fail(exc)


def _report(out: Path, min_share: float, plots: bool | None) -> None:
    from siting.output.sweep_store import read_tables
    from siting.sweep import analysis

    tables = read_tables(out)
    runs = tables.runs
    if runs.empty:
        _console().print(f"{out}: no finished runs yet")
        return
    counts = runs["status"].value_counts()
    _console().print(
        f"{len(runs)} run(s): " + ", ".join(f"{n} {status}" for status, n in counts.items())
    )
    failed = runs[~runs["status"].isin(analysis.SOLVED)]
    for _, row in failed.head(5).iterrows():
        _console().print(f"  [yellow]{row['status']}[/] {row['label']}: {row['message'][:160]}")
    if len(failed) > 5:
        _console().print(f"  … {len(failed) - 5} more in runs.parquet (columns status, message)")
    if analysis.plans(runs).empty:
        return
    from rich.table import Table

    robust = analysis.robust_sites(runs, tables.sites, min_share)
    table = Table(
        title=f"Sites chosen in at least {min_share:.0%} of {len(analysis.plans(runs))} plans",
        title_justify="left",
    )
    for col in ("site", "share", "mean MW IT", "lat", "lon"):
        table.add_column(col, justify="left" if col == "site" else "right")
    for site_id, row in robust.iterrows():
        table.add_row(
            str(site_id),
            f"{row['share']:.0%}",
            f"{row['mean_it_mw']:,.0f}",
            f"{row['lat']:.2f}",
            f"{row['lon']:.2f}",
        )
    _console().print(table)
    if "pareto_metrics" in runs.columns:
        _print_front(analysis.pareto_front(runs))
    if plots is False:
        return
    try:
        written = write_plots(out, tables)
    except SitingError as exc:
        if plots:
            raise
        _console().print(f"[dim]no plots: {exc}[/]")
        return
    _console().print(f"plots: {', '.join(str(p) for p in written)}")


def _print_front(front: Any) -> None:
    from siting.sweep.analysis import PARETO_AXES

    if front.empty:
        return
    from rich.table import Table

    m1, m2 = str(front["pareto_metrics"].iloc[0]).split(",")
    table = Table(title=f"Pareto front ({m1} vs {m2})", title_justify="left")
    for col in ("point", PARETO_AXES[m1][1], PARETO_AXES[m2][1], "MW IT", "sites"):
        table.add_column(col, justify="left" if col in ("point", "sites") else "right")
    for _, row in front[front["efficient"]].iterrows():
        table.add_row(
            str(row["label"]),
            f"{row['first']:,.4g}",
            f"{row['second']:,.4g}",
            f"{row['it_mw']:,.0f}",
            str(row["sites"]).replace(";", ", "),
        )
    _console().print(table)


def write_plots(out: Path, tables: Any) -> list[Path]:
    """Stability map, trade-off curves and (if any) the Pareto front as PNG files."""
    from siting.output.sweep_store import save_figure
    from siting.sweep import analysis

    runs = tables.runs
    written = []
    freq = analysis.selection_frequency(runs, tables.sites, tables.candidates)
    written.append(save_figure(analysis.plot_stability(freq), out / "plots" / "stability.png"))
    if analysis.parameter_columns(runs) and not analysis.tradeoffs(runs).empty:
        fig = analysis.plot_tradeoffs(runs, units=tables.units)
        written.append(save_figure(fig, out / "plots" / "tradeoffs.png"))
    if "pareto_metrics" in runs.columns and not analysis.pareto_front(runs).empty:
        written.append(save_figure(analysis.plot_pareto(runs), out / "plots" / "pareto.png"))
    return written
