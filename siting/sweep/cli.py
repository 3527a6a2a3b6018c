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
    if analysis.is_absorption(runs):
        _print_absorption(out, analysis.absorption_curve(runs))
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


def _print_absorption(out: Path, curve: Any) -> None:
    """The absorption curve as a table, and as ``absorption.csv`` in the sweep folder."""
    from rich.table import Table

    from siting.output.files import write_csv

    write_csv(out / "absorption.csv", curve, index=False)
    table = Table(title="Absorption curve (max_gas_use under a cost ceiling)", title_justify="left")
    for col in ("ceiling USD/MWh", "gas bcm/y", "on site bcm/y", "IT GW", "USD/MWh IT", "sites"):
        table.add_column(col, justify="right")
    for _, row in curve.iterrows():
        table.add_row(
            f"{row['ceiling_usd_per_mwh']:,.0f}",
            f"{row['gas_total_bcm_y']:.2f}",
            f"{row['gas_direct_bcm_y']:.2f}",
            f"{row['it_gw']:.2f}",
            f"{row['cost_usd_per_mwh_it']:,.1f}",
            str(row["sites_open"]),
        )
    _console().print(table)
    _console().print(f"written: {out / 'absorption.csv'}")


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
    if analysis.is_absorption(runs) and len(analysis.plans(runs)):
        fig = analysis.plot_absorption(analysis.absorption_curve(runs))
        written.append(save_figure(fig, out / "plots" / "absorption.png"))
    if "pareto_metrics" in runs.columns and not analysis.pareto_front(runs).empty:
        written.append(save_figure(analysis.plot_pareto(runs), out / "plots" / "pareto.png"))
    return written


def tornado_cmd(
    case: Annotated[Path, typer.Argument(help="Case file (YAML), e.g. models/russia-v2.yaml.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Sweep folder (resumed if it exists).")],
    scenario: Annotated[
        str | None, typer.Option("--scenario", "-s", help="A named scenario of the case.")
    ] = None,
    spread: Annotated[
        float, typer.Option(help="Low and high values at (1 ∓ spread) × the case's.")
    ] = 0.25,
    time_limit: Annotated[
        float | None, typer.Option("--time-limit", help="Seconds per run (solver.time_limit_s).")
    ] = None,
    mip_gap: Annotated[
        float | None, typer.Option("--mip-gap", help="Relative gap per run (solver.mip_gap).")
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", "-w", help="Local worker processes (default: CPUs).")
    ] = None,
    plots: Plots = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """One-at-a-time sensitivity: generation capex, reliability rule, grid price, gas price
    and discount rate each at a low and a high value; tornado charts of cost and gas used."""
    from siting.api import load_case
    from siting.io.sweep_file import sweep_from_dict
    from siting.sweep import run_sweep
    from siting.sweep.tornado import bars, tornado_spec, tornado_table, write_tornado

    try:
        base = load_case(case, scenario=scenario)
        fixed: dict[str, Any] = {}
        if time_limit is not None:
            fixed["solver.time_limit_s"] = time_limit
        if mip_gap is not None:
            fixed["solver.mip_gap"] = mip_gap
        spec = tornado_spec(base, spread, scenario, fixed)
        sweep = sweep_from_dict(spec, case=case.resolve())
        result = run_sweep(sweep, out, workers=workers, progress=not quiet)
        written = write_tornado(out, sweep, result.runs, plots=plots is not False)
    except SitingError as exc:
        _fail(exc)
        return
    table = tornado_table(sweep, result.runs)
    for metric, unit in (("cost", "MUSD/y"), ("gas", "bcm/y")):
        _console().print(f"tornado of {metric} ({unit}, change from the base run):")
        for _, row in bars(table, metric).iterrows():
            high = f", {row['high']}: {row['delta_high']:+,.3f}" if row["high"] else ""
            _console().print(f"  {row['parameter']}: {row['low']}: {row['delta_low']:+,.3f}{high}")
    _console().print(f"written: {', '.join(str(p) for p in written)}")
