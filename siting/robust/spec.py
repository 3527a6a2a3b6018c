"""What a robust plan is asked for: scenarios with probabilities, an objective, and the
check that the scenarios share their first stage.

The first stage (sites, modules, generation or units per technology, grid links and
contracted grid capacity) is decided once, so every input that shapes it must be the same
in every scenario: the candidate rules, the technology (its menu and reliability rule
included), the representative periods, the capital costs, the targets and siting rules, the
layers and the way the network is built from them. A scenario may change only what operation sees:

- ``network``: which line statuses carry gas, and the capacity, supply, demand and gas-price
  columns (``SECOND_STAGE``);
- ``costs``: the gas and grid energy prices and the transport tariff;
- ``solver``: ignored; the robust model is solved with the first scenario's settings.

A request is ``--scenarios a=0.5,b=0.5`` over the case's named scenarios, or a spec file
that may also define scenarios of its own, as partial cases merged over the case file::

    objective: regret                # optional: expected (default) or regret
    scenarios:
      flows-2025: 0.5                # a named scenario of the case (or base)
      exports-2019: 0.25
      exports-third:                 # defined here
        probability: 0.25
        description: a third of the lost exports back
        network:
          demand_mix: {demand_2024: 0.667, demand_2019: 0.333}
          statuses: [operating, idle]

Pyomo-free: the command line parses and checks a request before loading the solver.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from siting.config import Case
from siting.errors import CaseError

OBJECTIVES = ("expected", "regret")
#: the case's own model, without a named scenario
BASE = "base"
#: keys a scenario may change: they reach the second stage only
SECOND_STAGE: dict[str, frozenset[str]] = {
    "network": frozenset(
        {
            "statuses",
            "capacity_column",
            "supply_column",
            "demand_column",
            "demand_mix",
            "gas_price_column",
            "fill_capacity",
            "default_capacity",
        }
    ),
    "costs": frozenset({"gas_price", "grid_price", "transport_tariff_usd_per_mwh_per_1000km"}),
}
#: top-level keys that do not enter the model
IGNORED = frozenset({"name", "description", "scenario", "scenarios", "solver"})
#: site columns that only operation reads (the regional gas price)
SECOND_STAGE_SITE_COLUMNS = frozenset({"gas_price_factor"})
TOLERANCE = 1e-6


SPEC_KEYS = ("objective", "scenarios", "description")


@dataclass(frozen=True)
class RobustSpec:
    """A spec file read: probabilities, the scenarios it defines, and its objective."""

    scenarios: dict[str, float]
    definitions: dict[str, dict[str, Any]] = field(default_factory=dict)
    objective: str | None = None


def read_spec(path: str | Path) -> RobustSpec:
    """Read and check a robust spec file (see the module doc)."""
    import yaml

    path = Path(path)
    if not path.exists():
        raise CaseError(f"{path}: robust spec not found")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CaseError(f"{path}: not valid YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(raw, Mapping):
        raise CaseError(f"{path}: the spec must be a mapping with scenarios: (and objective:)")
    unknown = [k for k in raw if k not in SPEC_KEYS]
    if unknown:
        raise CaseError(f"{path}: unknown key {unknown[0]!r}; allowed: {', '.join(SPEC_KEYS)}")
    entries = raw.get("scenarios")
    if not isinstance(entries, Mapping) or not entries:
        raise CaseError(f"{path}: scenarios: must map scenario names to probabilities")
    probabilities: dict[str, float] = {}
    definitions: dict[str, dict[str, Any]] = {}
    for name, entry in entries.items():
        where = f"{path}: scenarios.{name}"
        if isinstance(entry, Mapping):
            if "probability" not in entry:
                raise CaseError(f"{where}: a scenario defined here needs a probability: key")
            definitions[str(name)] = {k: v for k, v in entry.items() if k != "probability"}
            entry = entry["probability"]
        if isinstance(entry, bool) or not isinstance(entry, int | float):
            raise CaseError(f"{where}: the probability must be a number, not {entry!r}")
        probabilities[str(name)] = float(entry)
    objective = raw.get("objective")
    if objective is not None:
        check_objective(str(objective))
    check_probabilities(probabilities)
    return RobustSpec(probabilities, definitions, None if objective is None else str(objective))


def parse_scenarios(text: str) -> dict[str, float]:
    """``"a=0.5,b=0.3,c=0.2"`` → ``{"a": 0.5, "b": 0.3, "c": 0.2}`` (checked)."""
    out: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, value = part.partition("=")
        name = name.strip()
        if not sep or not name:
            raise CaseError(
                f"--scenarios: {part!r} is not NAME=PROBABILITY; e.g. --scenarios a=0.5,b=0.5"
            )
        try:
            out_value = float(value)
        except ValueError:
            raise CaseError(
                f"--scenarios: the probability of {name!r} is {value.strip()!r}, not a number"
            ) from None
        if name in out:
            raise CaseError(f"--scenarios: scenario {name!r} is given twice")
        out[name] = out_value
    check_probabilities(out)
    return out


def check_probabilities(probabilities: Mapping[str, float]) -> None:
    """At least two scenarios, each with a probability in (0, 1], summing to 1."""
    if len(probabilities) < 2:
        raise CaseError(
            "a robust plan needs at least two scenarios, e.g. --scenarios base=0.5,other=0.5"
        )
    for name, p in probabilities.items():
        if not (math.isfinite(p) and 0 < p <= 1):
            raise CaseError(f"scenario {name!r}: probability {p:g} is not in (0, 1]")
    total = math.fsum(probabilities.values())
    if abs(total - 1.0) > TOLERANCE:
        raise CaseError(
            f"the scenario probabilities sum to {total:g}, not 1: "
            + ", ".join(f"{k}={v:g}" for k, v in probabilities.items())
        )


def check_objective(objective: str) -> None:
    if objective not in OBJECTIVES:
        raise CaseError(
            f"unknown robust objective {objective!r}; choose one of {', '.join(OBJECTIVES)}"
        )


def check_known(names: Sequence[str], known: Mapping[str, str], where: str) -> None:
    """Every name is a scenario of the case (or ``base``, the case itself)."""
    for name in names:
        if name != BASE and name not in known:
            listed = ", ".join([BASE, *sorted(known)])
            raise CaseError(f"{where}: unknown scenario {name!r}; known scenarios: {listed}")


def _leaves(tree: Any, prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    if isinstance(tree, Mapping) and tree:
        out: dict[tuple[str, ...], Any] = {}
        for k, v in tree.items():
            out.update(_leaves(v, (*prefix, str(k))))
        return out
    return {prefix: tree}


def first_stage_changes(first: Case, other: Case) -> list[str]:
    """``key.path (a → b)`` for every first-stage input in which ``other`` differs."""
    a = _leaves(first.model_dump(mode="json"))
    b = _leaves(other.model_dump(mode="json"))
    out = []
    for path in sorted(set(a) | set(b)):
        if path[0] in IGNORED or (len(path) > 1 and path[1] in SECOND_STAGE.get(path[0], ())):
            continue
        if a.get(path) != b.get(path):
            out.append(f"{'.'.join(path)} ({a.get(path)!r} → {b.get(path)!r})")
    return out


def check_first_stage_config(cases: Mapping[str, Case]) -> None:
    """Raise CaseError naming the first scenario that changes a first-stage input."""
    names = list(cases)
    first = cases[names[0]]
    for name in names[1:]:
        changes = first_stage_changes(first, cases[name])
        if changes:
            raise CaseError(
                f"scenario {name!r} changes {changes[0]}, a first-stage input (sites, modules, "
                "generating units and grid links are decided once for every scenario): give it "
                f"the value of {names[0]!r} or leave the scenario out"
            )


def check_first_stage_sites(sites: Mapping[str, pd.DataFrame]) -> None:
    """Every scenario has the same candidate sites with the same first-stage data."""
    names = list(sites)
    first = sites[names[0]]
    for name in names[1:]:
        other = sites[name]
        if not first.index.equals(other.index):
            extra = sorted(map(str, other.index.difference(first.index)))
            lacking = sorted(map(str, first.index.difference(other.index)))
            detail = "; ".join(
                filter(
                    None,
                    (
                        f"{len(extra)} more (e.g. {extra[0]})" if extra else "",
                        f"{len(lacking)} fewer (e.g. {lacking[0]})" if lacking else "",
                        "" if extra or lacking else "in another order",
                    ),
                )
            )
            raise CaseError(
                f"scenario {name!r} has other candidate sites than {names[0]!r} ({detail}): "
                "its network keys (e.g. statuses) change the candidates, a first-stage input; "
                "give every scenario the same network lines"
            )
        columns = [c for c in first.columns if c not in SECOND_STAGE_SITE_COLUMNS]
        for column in columns:
            if not same_values(first[column], other[column]):
                raise CaseError(
                    f"scenario {name!r} gives the candidate sites other {column} values than "
                    f"{names[0]!r}, a first-stage input: give every scenario the same value"
                )


def same_values(a: pd.Series, b: pd.Series) -> bool:
    if pd.api.types.is_numeric_dtype(a) and pd.api.types.is_numeric_dtype(b):
        x, y = a.to_numpy(float), b.to_numpy(float)
        both_nan = pd.isna(x) & pd.isna(y)
        close = abs(x - y) <= TOLERANCE * (1 + abs(x))
        return bool((both_nan | close).all())
    return a.fillna("").astype(str).equals(b.fillna("").astype(str))
