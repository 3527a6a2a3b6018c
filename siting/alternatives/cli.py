"""``siting alternatives``: thin over :func:`siting.api.find_alternatives`."""

from __future__ import annotations

import time
import warnings
from pathlib import Path
from typing import Annotated, Any

import typer

from siting.errors import SitingError


def alternatives_cmd(
    case_file: Annotated[Path, typer.Argument(help="Case file (YAML) in models/.")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Output folder.")] = None,
    scenario: Annotated[
        str | None, typer.Option("--scenario", "-s", help="Named scenario.")
    ] = None,
    slack: Annotated[
        float,
        typer.Option(help="Keep the objective within this share of the optimum (0.02 = 2 %)."),
    ] = 0.02,
    metric: Annotated[
        list[str] | None,
        typer.Option(
            "--metric",
            "-m",
            help="A metric to push both ways (repeat): sites, gas, remoteness, north[:LAT], "
            "grid:ID, region:NAME. Default: sites, gas, remoteness, north.",
        ),
    ] = None,
    plans: Annotated[int, typer.Option(help="Plans in order of cost, the optimum included.")] = 20,
    unchosen: Annotated[
        int, typer.Option(help="Best unchosen sites to price by forcing each open.")
    ] = 10,
    regrets: Annotated[
        bool, typer.Option("--regrets/--no-regrets", help="Price the sites (re-solves).")
    ] = True,
    tie_tolerance: Annotated[
        float, typer.Option(help="Plans closer than this share of the optimum tie.")
    ] = 1e-4,
    mip_gap: Annotated[
        float | None, typer.Option(help="Gap of the cost solves (default: case, ≤ tie tolerance).")
    ] = None,
    metric_gap: Annotated[float, typer.Option(help="Gap of the metric solves.")] = 0.01,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers", "-w", help="Processes for the regrets (0: this one; default: CPUs − 1)."
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Dask scheduler address for the regrets."),
    ] = None,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="Override: key.path=value.")
    ] = None,
    maps: Annotated[bool, typer.Option("--maps/--no-maps", help="Draw maps and report.")] = True,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only the summary.")] = False,
) -> None:
    """Near-optimal alternatives and the price of each site: how sure is the plan?"""
    from siting.alternatives.metrics import DEFAULT_METRICS
    from siting.alternatives.search import AlternativesOptions, check_options
    from siting.cli import _fail, _parse_sets, _step_printer, console, escape, stderr

    started = time.perf_counter()
    try:
        options = AlternativesOptions(
            slack=slack,
            metrics=tuple(metric) if metric else DEFAULT_METRICS,
            plans=plans,
            regrets=regrets,
            unchosen=unchosen,
            tie_tolerance=tie_tolerance,
            mip_gap=mip_gap,
            metric_gap=metric_gap,
            workers=workers,
        )
        check_options(options)
        if scheduler is not None and workers is not None:
            raise SitingError("give either --workers (local processes) or --scheduler (Dask)")
        from siting.api import find_alternatives, load_case, write_alternatives

        case = load_case(case_file, scenario=scenario, overrides=_parse_sets(set_))
        out_dir = out or Path("results") / "-".join(
            filter(None, (case.name, case.scenario, "alternatives"))
        )
        if not quiet:
            console().print(f"[bold]siting alternatives[/] {escape(case.label)}, slack {slack:g}")
        step = _step_printer(quiet)

        def progress(text: str) -> None:
            if not quiet:
                console().print(f"  [dim]… {escape(text)}[/]")

        result = find_alternatives(case, options, step=step, scheduler=scheduler, progress=progress)
        with step("writing outputs"), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", UserWarning)
            write_alternatives(result, out_dir, maps=maps)
        for w in caught:
            stderr().print(f"[yellow]warning:[/] {escape(str(w.message))}")
    except SitingError as exc:
        _fail(exc)
        return
    except KeyboardInterrupt:
        stderr().print("[bold red]interrupted[/]: no complete folder was written")
        raise typer.Exit(130) from None
    print_alternatives(result.alternatives, result.regrets, result.summary)
    console().print(
        f"HiGHS {result.summary['highs_s']:.1f} s of {time.perf_counter() - started:.1f} s; "
        f"written to [bold]{escape(str(out_dir))}[/]"
    )


def print_alternatives(alternatives: Any, regrets: Any, summary: dict[str, Any]) -> None:
    """The plans and the sites' prices as two terminal tables, and the ties sentence."""
    from rich.table import Table

    from siting.cli import console, escape

    t = Table(title=f"Plans within {summary['slack'] * 100:g} % of the optimum", box=None)
    for col in (
        "plan",
        "kind",
        "metric",
        "objective",
        "vs optimum",
        "sites",
        "gas MW",
        "status",
        "gap",
    ):
        t.add_column(col, justify="right" if col not in ("kind", "metric", "status") else "left")
    for r in alternatives.itertuples():
        solved = r.status in ("optimal", "limit")
        t.add_row(
            str(r.plan),
            r.kind if r.kind != "ranked" else f"rank {r.rank}",
            f"{r.sense} {r.metric}".strip(),
            f"{r.objective:,.2f}" if solved else "–",
            f"{r.objective_vs_optimum_pct:+.3f} %" if solved else "–",
            f"{r.sites_open:.0f}" if solved else "–",
            f"{r.gas_mw:,.0f}" if solved and r.gas_mw == r.gas_mw else "–",
            str(r.status),
            f"{r.gap:.2%}" if solved and r.gap is not None and r.gap == r.gap else "–",
        )
    console().print(t)
    if len(regrets):
        t = Table(title="Price of each site (regret, MUSD/y)", box=None)
        for col in ("change", "site", "regret", "regret %", "status"):
            t.add_column(col, justify="right" if col.startswith("regret") else "left")
        for r in regrets.itertuples():
            ok = r.regret_musd_y is not None and r.regret_musd_y == r.regret_musd_y
            t.add_row(
                r.change,
                escape(str(r.site_id)),
                f"{r.regret_musd_y:,.2f}" if ok else "–",
                f"{r.regret_pct:.4f} %" if ok else "–",
                str(r.status),
            )
        console().print(t)
    console().print(f"[bold]{escape(summary['ties_sentence'])}[/]")
