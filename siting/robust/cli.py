"""``siting robust``: thin over :func:`siting.api.find_robust_plan`."""

from __future__ import annotations

import time
import warnings
from pathlib import Path
from typing import Annotated, Any

import typer

from siting.errors import SitingError


def robust_cmd(
    case_file: Annotated[Path, typer.Argument(help="Case file (YAML) in models/.")],
    scenarios: Annotated[
        str | None,
        typer.Option(
            "--scenarios",
            help="Scenarios and probabilities: NAME=P,NAME=P,… summing to 1 ('base' is the "
            "case without a scenario).",
        ),
    ] = None,
    spec: Annotated[
        Path | None,
        typer.Option(
            "--spec", help="A robust spec (YAML): scenarios with probabilities, defined or named."
        ),
    ] = None,
    objective: Annotated[
        str | None,
        typer.Option(
            help="expected (cost) or regret (worst case against each own optimum); default: "
            "the spec's, else expected."
        ),
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Output folder.")] = None,
    mip_gap: Annotated[
        float | None, typer.Option(help="Gap of every solve (default: the case's).")
    ] = None,
    time_limit: Annotated[
        float | None, typer.Option(help="Time limit of every solve, s (default: the case's).")
    ] = None,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="Override: key.path=value.")
    ] = None,
    maps: Annotated[bool, typer.Option("--maps/--no-maps", help="Draw maps and report.")] = True,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only the summary.")] = False,
) -> None:
    """One plan across scenarios: sites decided once, operation per scenario."""
    from siting.cli import _fail, _parse_sets, _step_printer, console, escape, stderr
    from siting.robust.plan import RobustOptions, check_options
    from siting.robust.spec import RobustSpec, parse_scenarios, read_spec

    started = time.perf_counter()
    try:
        if (scenarios is None) == (spec is None):
            raise SitingError("give the scenarios either as --scenarios NAME=P,… or --spec FILE")
        request = (
            read_spec(spec) if spec is not None else RobustSpec(parse_scenarios(scenarios or ""))
        )
        objective = objective or request.objective or "expected"
        options = RobustOptions(
            request.scenarios,
            objective,
            definitions=request.definitions,
            mip_gap=mip_gap,
            time_limit_s=time_limit,
        )
        check_options(options)
        described = scenarios or ",".join(f"{k}={v:g}" for k, v in request.scenarios.items())
        from siting.api import find_robust_plan, write_robust

        overrides = _parse_sets(set_)
        out_dir = out or Path("results") / f"{case_file.stem}-robust-{objective}"
        if not quiet:
            console().print(
                f"[bold]siting robust[/] {escape(str(case_file))}: {escape(described)}, {objective}"
            )
        step = _step_printer(quiet)
        result = find_robust_plan(case_file, options, overrides=overrides, step=step)
        with step("writing outputs"), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", UserWarning)
            write_robust(result, out_dir, maps=maps)
        for w in caught:
            stderr().print(f"[yellow]warning:[/] {escape(str(w.message))}")
    except SitingError as exc:
        _fail(exc)
        return
    except KeyboardInterrupt:
        stderr().print("[bold red]interrupted[/]: no complete folder was written")
        raise typer.Exit(130) from None
    print_plans(result.plans, list(options.scenarios), result.summary)
    console().print(
        f"robust model {result.summary['robust_solve_s']:.1f} s in HiGHS; "
        f"{time.perf_counter() - started:.1f} s in all; written to [bold]{escape(str(out_dir))}[/]"
    )


def print_plans(plans: Any, names: list[str], summary: dict[str, Any]) -> None:
    """The robust plan and each scenario's own plan: cost in each scenario, sites in common."""
    import math

    from rich.table import Table

    from siting.cli import console

    def money(v: float) -> str:
        return "infeasible" if not math.isfinite(v) else f"{v:,.1f}"

    table = Table(title=f"Robust plan ({summary['objective']}) against each scenario's own plan")
    for column in ("plan", *names, "expected", "worst regret", "sites", "in common"):
        table.add_column(column, justify="left" if column == "plan" else "right")
    for _, row in plans.iterrows():
        table.add_row(
            str(row["plan"]),
            *(money(float(row[f"cost_musd_y[{n}]"])) for n in names),
            money(float(row["expected_cost_musd_y"])),
            money(float(row["max_regret_musd_y"])),
            str(int(row["sites_open"])),
            str(int(row["sites_in_common"])),
        )
    console().print(table)
    console().print(f"robust model: {summary['robust_status']}; costs in MUSD/y")
