"""What a sweep says: how often each site is chosen, how the plan moves with each parameter,
and the Pareto front. Plain pandas on the sweep tables; the plots import matplotlib (the
``maps`` extra) only when called.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from siting.errors import SitingError

SOLVED = ("optimal", "limit")
#: result columns plotted against each parameter: column → axis label
TRADE_OFF_METRICS = {
    "it_mw": "IT built (MW)",
    "cost_musd_y": "annualised cost (MUSD/y)",
    "gas_bcm_y": "gas burnt (bcm/y)",
}
#: Pareto metric → (column shown, axis label)
PARETO_AXES = {
    "cost": ("cost_musd_y", "annualised cost (MUSD/y)"),
    "gas": ("gas_bcm_y", "gas burnt (bcm/y)"),
    "remoteness": ("remoteness_km", "IT-weighted distance to a town (km)"),
}
_RUN_COLUMNS = {
    "run_id",
    "sweep",
    "point",
    "step",
    "role",
    "chain",
    "label",
    "design",
    "pareto_metrics",
    "epsilon",
}


def plans(runs: pd.DataFrame) -> pd.DataFrame:
    """Runs that produced a plan worth counting: solved, and not the first stage of a
    lexicographic Pareto anchor (whose second metric is arbitrary)."""
    if runs.empty:
        return runs
    keep = runs["status"].isin(SOLVED)
    if "role" in runs.columns:
        keep &= runs["role"] != "anchor_stage"
    return runs[keep]


def parameter_columns(runs: pd.DataFrame) -> list[str]:
    """The swept key paths (columns named like ``costs.gas_price``, and ``scenario``)."""
    return [c for c in runs.columns if ("." in c or c == "scenario") and c not in _RUN_COLUMNS]


def selection_frequency(
    runs: pd.DataFrame, sites: pd.DataFrame, candidates: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Per site: in how many plans it is chosen, the share of plans, and its mean IT when
    chosen. With ``candidates``, sites never chosen are listed with share 0."""
    solved = plans(runs)
    n = len(solved)
    if n == 0:
        raise SitingError("no run of this sweep produced a plan: nothing to count")
    chosen = sites[sites["run_id"].isin(set(solved["run_id"]))]
    freq = chosen.groupby("site_id").agg(
        runs_chosen=("run_id", "nunique"),
        mean_it_mw=("it_mw", "mean"),
        max_it_mw=("it_mw", "max"),
        node_id=("node_id", "first"),
        lon=("lon", "first"),
        lat=("lat", "first"),
    )
    if candidates is not None and len(candidates):
        cand = candidates.drop_duplicates("site_id").set_index("site_id")
        missing = cand.index.difference(freq.index)
        extra = pd.DataFrame(
            {
                "runs_chosen": 0,
                "mean_it_mw": 0.0,
                "max_it_mw": 0.0,
                "node_id": cand.loc[missing, "node_id"],
                "lon": cand.loc[missing, "lon"],
                "lat": cand.loc[missing, "lat"],
            },
            index=missing,
        )
        freq = pd.concat([freq, extra]) if len(extra) else freq
    freq["share"] = freq["runs_chosen"] / n
    freq.index.name = "site_id"
    return freq.sort_values(["share", "mean_it_mw"], ascending=False)


def robust_sites(runs: pd.DataFrame, sites: pd.DataFrame, min_share: float = 0.5) -> pd.DataFrame:
    """Sites chosen in at least ``min_share`` of the plans, most robust first."""
    if not 0 < min_share <= 1:
        raise SitingError(f"min_share must be in (0, 1], got {min_share}")
    freq = selection_frequency(runs, sites)
    return freq[freq["share"] >= min_share - 1e-12]


def tradeoffs(
    runs: pd.DataFrame,
    parameters: list[str] | None = None,
    metrics: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Long table: for each parameter value, the mean, min and max of each metric over the
    plans with that value. In a one-at-a-time design only the runs that vary that parameter
    (and the base run) count; in a Pareto sweep, the plan that optimises the first metric."""
    solved = plans(runs)
    if "role" in solved.columns:
        first_end = (solved["role"] == "anchor") & (solved["step"] == 1)
        solved = solved[(solved["role"] == "point") | first_end]
    parameters = parameters or parameter_columns(runs)
    metrics = metrics or TRADE_OFF_METRICS
    one_at_a_time = "design" in solved.columns and (solved["design"] == "one_at_a_time").any()
    base = solved[solved["label"] == "base case"] if one_at_a_time else None
    rows = []
    for param in parameters:
        subset = solved
        if base is not None and len(base):
            others = [p for p in parameters if p != param]
            same = np.ones(len(solved), dtype=bool)
            for other in others:
                same &= (solved[other] == base[other].iloc[0]).to_numpy()
            subset = solved[same]
        for value, group in subset.groupby(param, sort=True):
            for metric, label in metrics.items():
                if metric not in group.columns:
                    continue
                values = group[metric].astype(float)
                rows.append(
                    {
                        "parameter": param,
                        "value": value,
                        "metric": metric,
                        "label": label,
                        "mean": values.mean(),
                        "min": values.min(),
                        "max": values.max(),
                        "runs": len(values),
                    }
                )
    return pd.DataFrame(
        rows, columns=["parameter", "value", "metric", "label", "mean", "min", "max", "runs"]
    )


def pareto_front(runs: pd.DataFrame) -> pd.DataFrame:
    """The efficient plans of each front (anchors and ε runs that no other plan of the same
    point dominates), with the two metrics as ``first`` and ``second``."""
    if "pareto_metrics" not in runs.columns:
        raise SitingError("this sweep has no Pareto front (no pareto: section)")
    solved = plans(runs)
    solved = solved[solved["role"].isin(["anchor", "epsilon"])]
    if solved.empty:
        return solved.assign(first=[], second=[], efficient=[])
    m1, m2 = str(solved["pareto_metrics"].iloc[0]).split(",")
    col1, col2 = PARETO_AXES[m1][0], PARETO_AXES[m2][0]
    out = solved.assign(first=solved[col1].astype(float), second=solved[col2].astype(float))
    sign1 = 1.0 if m1 != "gas" else -1.0
    sign2 = 1.0 if m2 != "gas" else -1.0
    efficient = []
    for _, group in out.groupby("point"):
        a = group["first"].to_numpy() * sign1
        b = group["second"].to_numpy() * sign2
        tol = 1e-6 * np.maximum(1.0, np.maximum(np.abs(a), np.abs(b)))
        for i in range(len(group)):
            dominated = (
                (a <= a[i] + tol[i])
                & (b <= b[i] + tol[i])
                & ((a < a[i] - tol[i]) | (b < b[i] - tol[i]))
            )
            efficient.append((group.index[i], not dominated.any()))
    flags = pd.Series(dict(efficient))
    out = out.assign(efficient=flags.reindex(out.index).fillna(False).astype(bool))
    return out.sort_values(["point", "first"])


# --- plots (matplotlib, imported lazily) ---------------------------------------------------


def _figure(**kwargs: Any) -> Any:
    """A matplotlib Figure outside pyplot's state (no GUI, nothing left open)."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise SitingError("plots need matplotlib: pip install 'siting[maps]'") from None
    return Figure(**kwargs)


def plot_stability(freq: pd.DataFrame, title: str = "How often each site is chosen") -> Any:
    """A map (lon/lat) of the candidates, coloured by the share of plans that choose them and
    sized by their mean IT when chosen; sites never chosen are grey dots."""
    fig = _figure(figsize=(9, 5.5))
    ax = fig.subplots()
    never = freq[freq["share"] <= 0]
    some = freq[freq["share"] > 0].sort_values("share")
    ax.scatter(never["lon"], never["lat"], s=6, c="0.75", label="never chosen", zorder=1)
    size = 20 + 180 * some["mean_it_mw"] / max(float(some["mean_it_mw"].max()), 1.0)
    points = ax.scatter(
        some["lon"],
        some["lat"],
        s=size,
        c=some["share"],
        cmap="viridis",
        vmin=0,
        vmax=1,
        edgecolor="k",
        linewidth=0.4,
        zorder=2,
    )
    for site_id, row in some.sort_values("share", ascending=False).head(8).iterrows():
        ax.annotate(
            str(site_id),
            (row["lon"], row["lat"]),
            fontsize=7,
            xytext=(4, 4),
            textcoords="offset points",
        )
    fig.colorbar(points, ax=ax, label="share of plans choosing the site")
    ax.set_xlabel("longitude (°E)")
    ax.set_ylabel("latitude (°N)")
    ax.set_title(title)
    if len(never):
        ax.legend(loc="best", fontsize=8)
    fig.tight_layout()
    return fig


def plot_tradeoffs(
    runs: pd.DataFrame,
    parameters: list[str] | None = None,
    units: dict[str, str | None] | None = None,
) -> Any:
    """One column per swept parameter, one row per metric: mean over plans, with the range
    of the other parameters' effect shaded."""
    table = tradeoffs(runs, parameters)
    params = list(dict.fromkeys(table["parameter"]))
    metrics = list(dict.fromkeys(table["metric"]))
    if not params:
        raise SitingError("no swept parameter has a solved run to plot")
    fig = _figure(figsize=(3.6 * len(params) + 0.8, 2.6 * len(metrics)))
    axes = fig.subplots(len(metrics), len(params), squeeze=False, sharex="col")
    for j, param in enumerate(params):
        for i, metric in enumerate(metrics):
            ax = axes[i][j]
            rows = table[(table["parameter"] == param) & (table["metric"] == metric)]
            x = rows["value"]
            numeric = pd.api.types.is_numeric_dtype(x)
            xs = x.astype(float) if numeric else np.arange(len(x))
            ax.plot(xs, rows["mean"], marker="o", lw=1.5)
            if (rows["max"] > rows["min"]).any():
                ax.fill_between(xs, rows["min"], rows["max"], alpha=0.2)
            if not numeric:
                ax.set_xticks(xs, [str(v) for v in x], rotation=30, ha="right")
            if j == 0:
                ax.set_ylabel(rows["label"].iloc[0] if len(rows) else metric)
            if i == len(metrics) - 1:
                unit = (units or {}).get(param)
                ax.set_xlabel(f"{param} ({unit})" if unit else param)
            ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def plot_pareto(runs: pd.DataFrame) -> Any:
    """The Pareto front of each design point (efficient plans joined, dominated ones hollow)."""
    front = pareto_front(runs)
    if front.empty:
        raise SitingError("no Pareto run produced a plan to plot")
    m1, m2 = str(front["pareto_metrics"].iloc[0]).split(",")
    fig = _figure(figsize=(6.5, 4.5))
    ax = fig.subplots()
    for _, group in front.groupby("point"):
        eff = group[group["efficient"]].sort_values("first")
        label = str(group["label"].iloc[0])
        line = ax.plot(eff["first"], eff["second"], marker="o", label=label)[0]
        dom = group[~group["efficient"]]
        if len(dom):
            ax.scatter(dom["first"], dom["second"], facecolors="none", edgecolors=line.get_color())
    ax.set_xlabel(PARETO_AXES[m1][1])
    ax.set_ylabel(PARETO_AXES[m2][1])
    ax.set_title(f"Pareto front: {m1} vs {m2}")
    ax.grid(alpha=0.3)
    if front["point"].nunique() > 1:
        ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


# --- the absorption curve ---------------------------------------------------------------

#: the swept key of an absorption curve (``max_gas_use`` under an average cost ceiling)
CEILING = "objective.ceiling_usd_per_mwh"
ABSORPTION_COLUMNS = [
    "ceiling_usd_per_mwh",
    "status",
    "gap",
    "gas_direct_bcm_y",
    "gas_total_bcm_y",
    "it_gw",
    "cost_usd_per_mwh_it",
    "cost_musd_y",
    "sites_open",
]


def is_absorption(runs: pd.DataFrame) -> bool:
    """A sweep of the cost ceiling alone: its runs draw an absorption curve."""
    return parameter_columns(runs) == [CEILING]


def absorption_curve(runs: pd.DataFrame) -> pd.DataFrame:
    """Per cost ceiling (USD per MWh of IT energy): the gas burnt on site (direct) and in
    total (direct plus the gas behind the grid), the IT built (GW) and the plan's average
    cost per MWh of IT; solved runs only, lowest ceiling first."""
    solved = plans(runs)
    total = solved.get("gas_total_bcm_y", solved["gas_bcm_y"])
    curve = pd.DataFrame(
        {
            "ceiling_usd_per_mwh": solved[CEILING].astype(float),
            "status": solved["status"],
            "gap": solved["gap"],
            "gas_direct_bcm_y": solved["gas_bcm_y"].astype(float),
            "gas_total_bcm_y": pd.Series(total, index=solved.index).fillna(solved["gas_bcm_y"]),
            "it_gw": solved["it_mw"].astype(float) / 1e3,
            "cost_usd_per_mwh_it": solved.get("cost_usd_per_mwh_it", np.nan),
            "cost_musd_y": solved["cost_musd_y"],
            "sites_open": solved["sites_open"],
        }
    )
    return curve.sort_values("ceiling_usd_per_mwh", kind="stable").reset_index(drop=True)[
        ABSORPTION_COLUMNS
    ]


def plot_absorption(curve: pd.DataFrame, title: str = "Absorption curve") -> Any:
    """Gas absorbed (bcm/y, direct and total) and IT built (GW, right axis) against the
    average cost ceiling (USD per MWh of IT energy)."""
    fig = _figure(figsize=(7, 4.5))
    ax = fig.add_subplot()
    x = curve["ceiling_usd_per_mwh"]
    ax.plot(x, curve["gas_total_bcm_y"], "o-", color="#b15928", label="gas, direct + indirect")
    ax.plot(x, curve["gas_direct_bcm_y"], "s--", color="#fdbf6f", label="gas on site (direct)")
    ax.set_xlabel("cost ceiling (USD per MWh of IT energy)")
    ax.set_ylabel("gas absorbed (bcm/y)")
    right = ax.twinx()
    right.plot(x, curve["it_gw"], "^-", color="#1f78b4", label="IT built")
    right.set_ylabel("IT built (GW)")
    ax.set_ylim(bottom=0)
    right.set_ylim(bottom=0)
    stopped = curve["status"] != "optimal"
    if stopped.any():
        ax.plot(
            x[stopped],
            curve.loc[stopped, "gas_total_bcm_y"],
            "o",
            markersize=11,
            markerfacecolor="none",
            color="black",
            label="stopped at a limit (not proven best)",
        )
    lines = ax.get_legend_handles_labels()
    more = right.get_legend_handles_labels()
    ax.legend(lines[0] + more[0], lines[1] + more[1], loc="upper left", fontsize=8)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    return fig
