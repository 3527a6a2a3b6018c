"""What each named scenario changes against the base plan, and whether the change binds.

A scenario that gives the base plan under another name must say why. For each scenario this
module compares its plan with the base plan and states, for every key the scenario sets,
whether that constraint binds:

- a national cap (``technology.menu.<t>.national_cap``): it binds when the base plan installs
  more than the cap allows; the line says whether this plan is at the cap or how much is left;
- no on-site gas (``technology.allow_gas: false``): binds when the base plan burns gas on site;
- an exclusion of candidates (``candidates.exclude_arctic`` and other candidate rules): binds
  when the base plan opens one of the excluded candidates;
- latency-bound demand (``objective.hubs``): binds when the base plan has less IT within the
  round-trip bound of the hubs than they require;
- committed demand or the network (``network.*``): the deliverable surplus per period against
  the base plan's pipeline gas; binds when the base plan's gas would not fit;
- periods: how many the scenario solves.

The scenario's cost minus the base plan's cost is the price of its change (a finite-difference
shadow price); a change that does not bind costs nothing within the MIP gap, and a different
plan within the two gaps is called a near-tie. A scenario that solves other periods than the
base (one annual period) is also set beside the scenario that changes only the periods. Plain data in,
plain data out: the solving is the caller's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from siting.config import Case
from siting.solution import Solution

#: latitude north of which the report counts gas-fired capacity
NORTH_DEG = 60.0
#: relative cost difference under which two min-cost plans cost the same
SAME_COST = 1e-3


@dataclass(frozen=True)
class ScenarioRun:
    """One solved scenario (``name`` None for the base): its case, plan, the candidate sites
    its rules excluded (``site_id``, ``lat``, ``exclusion_reason``) and its wall time."""

    name: str | None
    case: Case
    solution: Solution
    excluded: pd.DataFrame
    wall_s: float

    @property
    def label(self) -> str:
        return self.name or "base"


def onsite_north_mw(solution: Solution, lat: float = NORTH_DEG) -> float:
    """On-site gas-fired MW installed at sites north of ``lat``."""
    chosen = solution.chosen
    column = "installed_mw" if "installed_mw" in chosen.columns else "gen_mw"
    return float(chosen.loc[chosen["lat"] >= lat, column].sum())


def least_period(solution: Solution) -> str:
    """The period with the least deliverable surplus (the honest headline)."""
    t = solution.totals
    periods = list(solution.periods.index)
    return str(min(periods, key=lambda q: t.get(f"surplus_deliverable_{q}_bcm_y", np.inf)))


def plan_row(run: ScenarioRun) -> dict[str, Any]:
    """The plan's summary: status, time, sites, IT, power, gas, surplus, cost."""
    s = run.solution
    t, r = s.totals, s.report
    q = least_period(s)
    installed = t.get("installed_mw", t.get("gen_mw", 0.0))
    return {
        "scenario": run.label,
        "status": r.describe(),
        "gap": r.gap,
        "highs_s": r.solve_s,
        "wall_s": run.wall_s,
        "periods": len(s.periods),
        "sites": int(t["sites_open"]),
        "it_mw": t["it_mw"],
        "onsite_mw": installed,
        "grid_mw": t["grid_mw"],
        "gas_direct_bcm_y": t.get("gas_direct_bcm_y", t["gas_bcm_y"]),
        "gas_indirect_bcm_y": t.get("gas_indirect_bcm_y", 0.0),
        "gas_stranded_bcm_y": t.get("gas_stranded_bcm_y", 0.0),
        "least_period": q,
        "pipeline_gas_bcm_y": t.get(f"gas_pipeline_{q}_bcm_y", np.nan),
        "deliverable_bcm_y": t.get(f"surplus_deliverable_{q}_bcm_y", np.nan),
        "onsite_north_mw": onsite_north_mw(s),
        "cost_musd_y": t["cost_musd_y"],
        "cost_usd_per_mwh_it": t.get("cost_usd_per_mwh_it", np.nan),
    }


def same_plan(a: Solution, b: Solution) -> bool:
    """The same sites at the same IT capacity."""
    ia = a.chosen["it_mw"].round(6).to_dict()
    ib = b.chosen["it_mw"].round(6).to_dict()
    return ia == ib


def _leaves(tree: Any, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    if isinstance(tree, dict) and tree:
        out: list[tuple[tuple[str, ...], Any]] = []
        for key, value in tree.items():
            out += _leaves(value, (*prefix, str(key)))
        return out
    return [(prefix, tree)]


def scenario_keys(case: Case) -> list[tuple[tuple[str, ...], Any]]:
    """The key paths and values the case's scenario sets (its description left out)."""
    if case.scenario is None:
        return []
    patch = {k: v for k, v in (case.scenarios.get(case.scenario) or {}).items()}
    patch.pop("description", None)
    return _leaves(patch)


#: an explanation line and whether the change it explains binds (None: not a constraint)
Why = tuple[str, bool | None]


def why_lines(run: ScenarioRun, base: ScenarioRun) -> list[str]:
    """For every key the scenario sets: what it does to the plan and whether it binds; then
    its cost against the base plan, and, when the plan is the base plan's, why."""
    s, b = run.solution, base.solution
    found: list[Why] = []
    seen: set[str] = set()
    for path, value in scenario_keys(run.case):
        group = _group(path)
        if group not in seen:
            seen.add(group)
            found += _explain(group, path, value, run, base)
    lines = [text for text, _binds in found]
    if s.params.objective == b.params.objective == "min_cost":
        delta = s.totals["cost_musd_y"] - b.totals["cost_musd_y"]
        lines.append(
            f"cost against the base plan: {delta:+,.1f} MUSD/y "
            f"({delta / b.totals['cost_musd_y']:+.2%}: the price of the scenario's change)"
        )
    binding = any(binds for _text, binds in found)
    if not same_plan(s, b) and s.params.objective == b.params.objective == "min_cost":
        tolerance = _gap_musd_y(s) + _gap_musd_y(b)
        delta = s.totals["cost_musd_y"] - b.totals["cost_musd_y"]
        if abs(delta) <= tolerance and not binding:
            lines.append(
                f"another plan of the same cost within the MIP gaps ({tolerance:,.1f} MUSD/y): "
                "nothing above binds, so the difference is the solver's choice among near-ties"
            )
    if same_plan(s, b):
        lines.append(
            "the base plan under another name: the same sites and sizes, "
            + (
                "although a change above binds (an equally cheap plan within the MIP gap)"
                if binding
                else "because no change above binds"
            )
        )
    return lines


def _gap_musd_y(s: Solution) -> float:
    """The MIP gap of a min-cost plan in MUSD/y (objective − bound)."""
    r = s.report
    if r.objective is None or r.bound is None:
        return float("inf")
    return abs(r.objective - r.bound)


def peer_lines(run: ScenarioRun, peers: list[ScenarioRun]) -> list[str]:
    """For a scenario that solves other periods than the base (e.g. one annual period), the
    comparison with the scenario that changes only the periods: the like-for-like base."""
    if run.name is None or not any(_group(p) != "periods" for p, _v in scenario_keys(run.case)):
        return []
    for peer in peers:
        if peer is run or peer.name is None:
            continue
        groups = {_group(p) for p, _v in scenario_keys(peer.case)}
        same_periods = list(peer.solution.periods.index) == list(run.solution.periods.index)
        if groups == {"periods"} and same_periods:
            s, q = run.solution, peer.solution
            delta = s.totals["cost_musd_y"] - q.totals["cost_musd_y"]
            plan = "the same plan" if same_plan(s, q) else "another plan"
            return [
                f"against {peer.label} (the base in the same periods): {plan}, cost "
                f"{delta:+,.1f} MUSD/y, gas-fired MW north of {NORTH_DEG:g}°N "
                f"{onsite_north_mw(s):,.0f} against {onsite_north_mw(q):,.0f}"
            ]
    return []


def _group(path: tuple[str, ...]) -> str:
    if path[:2] == ("technology", "menu") and len(path) >= 4:
        return f"cap:{path[2]}"
    if path[:2] == ("objective", "hubs"):
        return "hubs"
    if path[0] == "network":
        return "network"
    if path[0] == "candidates":
        return "candidates"
    return ".".join(path)


def _explain(
    group: str, path: tuple[str, ...], value: Any, run: ScenarioRun, base: ScenarioRun
) -> list[Why]:
    s, b = run.solution, base.solution
    if group.startswith("cap:"):
        return [_cap_line(group[4:], s, b)]
    if group == "technology.allow_gas":
        direct = b.totals.get("gas_direct_bcm_y", b.totals["gas_bcm_y"])
        binds = direct > 0
        return [
            (
                f"no on-site gas: {'binds' if binds else 'does not bind'}: the base plan burns "
                f"{direct:.2f} bcm/y on site; this plan draws {s.totals['grid_mw']:,.0f} MW "
                "from the grid",
                binds,
            )
        ]
    if group == "candidates":
        return [_exclusion_line(run, base)]
    if group == "hubs":
        return [_hubs_line(s, b)]
    if group == "network":
        return _network_lines(s, b)
    if group == "periods":
        n = len(s.periods)
        return [
            (
                f"periods: {n} instead of the base's {len(b.periods)}"
                + (" (one annual period: no winter)" if n == 1 else ""),
                None,
            )
        ]
    if path[0] == "solver":
        return []
    if path[0] == "objective":
        if s.params.objective == "max_gas_use" and b.params.objective != "max_gas_use":
            return [_absorb_line(s, b)] if path[-1] == "sense" else []
        return [(f"{'.'.join(path)}: {value} (another question: not costed like the base)", None)]
    return [(f"{'.'.join(path)}: {value}", None)]


def installed_mw(solution: Solution, tech: str) -> float:
    """MW of ``tech`` installed at all sites (0 when the plan has no such technology)."""
    techs = solution.technologies
    column = f"units_{tech}"
    if tech not in techs.index or column not in solution.sites.columns:
        return 0.0
    return float((solution.sites[column] * float(techs["unit_mw"][tech])).sum())


def _absorb_line(s: Solution, b: Solution) -> Why:
    """The most gas under the cost ceiling: the plan's gas, the solver's bound on it (the
    objective is gas plus a small tie-break on IT, so the bound bounds the gas too), IT and
    the average cost against the ceiling."""
    t, p = s.totals, s.params
    gas = t.get("gas_total_bcm_y" if p.count_indirect else "gas_direct_bcm_y", t["gas_bcm_y"])
    bound = s.report.bound
    upto = (
        f"; the bound allows at most {bound / p.mw_per_bcm_y:.1f}"
        if bound is not None and s.report.gap is not None and s.report.gap > p_gap(s)
        else ""
    )
    ceiling = p.ceiling_usd_per_mwh
    cost = t.get("cost_usd_per_mwh_it", float("nan"))
    limit = ""
    if ceiling is not None:
        binds = cost >= ceiling * (1 - 1e-4)
        limit = (
            f" (ceiling {ceiling:g}: binds)"
            if binds
            else f" (ceiling {ceiling:g}: does not bind; sites, caps, spare or pipelines "
            "stop the plan first)"
        )
    where = "on site and behind the grid" if p.count_indirect else "on site"
    return (
        f"the most gas: {gas:.1f} bcm/y{upto} ({where}; the base plan {b.totals.get('gas_total_bcm_y', b.totals['gas_bcm_y']):.1f}) on "
        f"{t['it_mw'] / 1000:,.1f} GW of IT at {cost:,.0f} USD per MWh of IT{limit}",
        None,
    )


def p_gap(s: Solution) -> float:
    """The MIP gap the solve was asked for."""
    return float(s.report.mip_gap_setting)


def _cap_line(tech: str, s: Solution, b: Solution) -> Why:
    """A national cap binds when the base plan installs more than it allows; the line also
    says whether this plan is at the cap (less than one unit left)."""
    techs = s.technologies
    cap = float(techs["national_cap_mw"][tech])
    unit = float(techs["unit_mw"][tech])
    built, before = installed_mw(s, tech), installed_mw(b, tech)
    binds = before > cap + 1e-6
    at_cap = cap - built < unit - 1e-6
    verdict = (
        f"binds: the base plan installs {before:,.0f} MW"
        if binds
        else f"does not bind: the base plan installs {before:,.0f} MW"
    )
    room = "at the cap" if at_cap else f"{cap - built:,.0f} MW to spare"
    return f"{tech}: cap {cap:,.0f} MW, {verdict}; this plan {built:,.0f} MW ({room})", binds


def _exclusion_line(run: ScenarioRun, base: ScenarioRun) -> Why:
    excluded = run.excluded
    base_ex = set(base.excluded["site_id"]) if len(base.excluded) else set()
    new = excluded[~excluded["site_id"].isin(base_ex)] if len(excluded) else excluded
    opened = base.solution.chosen
    hit = opened[opened.index.isin(set(new["site_id"]))] if len(new) else opened.iloc[:0]
    if len(hit):
        return (
            f"candidates: the scenario excludes {len(new)} more candidates; binds: the base "
            f"plan opens {len(hit)} of them ({hit['it_mw'].sum():,.0f} MW of IT)",
            True,
        )
    north = opened.sort_values("lat", ascending=False)
    where = ""
    if len(north):
        top = north.iloc[0]
        place = top.get("place") if isinstance(top.get("place"), str) else str(north.index[0])
        where = f"; its northernmost site is {place} at {float(top['lat']):.1f}°N"
    return (
        f"candidates: the scenario excludes {len(new)} more candidates; does not bind: the "
        f"base plan opens none of them{where}",
        False,
    )


def _hubs_line(s: Solution, b: Solution) -> Why:
    required = float(s.hubs["required_mw"].sum())
    reach = set(s.serve["site_id"])
    within = float(b.chosen.loc[b.chosen.index.isin(reach), "it_mw"].sum())
    binds = within < required - 1e-6
    verdict = (
        "binds: the base plan has only" if binds else "does not bind: the base plan already has"
    )
    return (
        f"latency-bound demand: {required:,.0f} MW of IT must serve the hubs; {verdict} "
        f"{within:,.0f} MW within reach",
        binds,
    )


def _network_lines(s: Solution, b: Solution) -> list[Why]:
    t, tb = s.totals, b.totals
    fits = True
    parts = []
    for q in s.periods.index:
        key = f"surplus_deliverable_{q}_bcm_y"
        if key not in t:
            continue
        # the base plan's gas in the same period (its largest when the base has no such period)
        used = tb.get(f"gas_pipeline_{q}_bcm_y")
        if used is None:
            used = max(tb.get(f"gas_pipeline_{p}_bcm_y", 0.0) for p in b.periods.index)
        fits &= used <= t[key] + 1e-9
        parts.append(f"{q} {t[key]:.1f} (base plan's gas {used:.1f})")
    verdict = (
        "does not bind the base plan's gas" if fits else "binds: the base plan's gas would not fit"
    )
    return [
        (f"network: deliverable surplus, bcm/y: {', '.join(parts)}: {verdict}", not fits),
        (
            f"pipeline segments full: {int(t['arcs_full'])} (base {int(tb['arcs_full'])}); "
            f"gas-fired MW north of {NORTH_DEG:g}°N: {onsite_north_mw(s):,.0f} (base "
            f"{onsite_north_mw(b):,.0f})",
            None,
        ),
    ]


def scenario_table(runs: list[ScenarioRun]) -> pd.DataFrame:
    """One row per run (base first): the plan summary and, for each scenario, why it differs
    from the base plan or why it does not."""
    base = next(r for r in runs if r.name is None)
    rows = []
    for run in runs:
        row = plan_row(run)
        row["same_plan_as_base"] = run.name is not None and same_plan(run.solution, base.solution)
        lines = why_lines(run, base) + peer_lines(run, runs) if run.name is not None else []
        row["why"] = " | ".join(lines)
        rows.append(row)
    return pd.DataFrame(rows).set_index("scenario")


def scenarios_markdown(table: pd.DataFrame) -> str:
    """The scenario table as Markdown, then each scenario's explanation."""
    head = (
        "| scenario | status | HiGHS s | wall s | sites | MW IT | on-site MW | gas on site / "
        "behind the grid, bcm/y | pipeline gas / deliverable surplus, bcm/y | on-site MW "
        f"north of {NORTH_DEG:g}°N | MUSD/y |\n|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    rows = "".join(
        f"| {name} | {r['status']} | {r['highs_s']:.1f} | {r['wall_s']:.1f} | {r['sites']} | "
        f"{r['it_mw']:,.0f} | {r['onsite_mw']:,.0f} | {r['gas_direct_bcm_y']:.2f} / "
        f"{r['gas_indirect_bcm_y']:.2f} | {r['pipeline_gas_bcm_y']:.1f} / "
        f"{r['deliverable_bcm_y']:.1f} ({r['least_period']}) | {r['onsite_north_mw']:,.0f} | "
        f"{r['cost_musd_y']:,.0f} |\n"
        for name, r in table.iterrows()
    )
    notes = "".join(
        f"\n**{name}**\n\n" + "".join(f"- {line}\n" for line in str(r["why"]).split(" | "))
        for name, r in table.iterrows()
        if r["why"]
    )
    return head + rows + notes
