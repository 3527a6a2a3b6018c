"""A validated sweep: the base case, and each parameter's key path and values checked against
the case before any run starts.

Every value is applied to the case exactly as a ``--set key.path=value`` override would be,
so a wrong unit or type is the case schema's own one-line error, re-addressed to the sweep
file's parameter.
"""

from __future__ import annotations

import math
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel

from siting.config import Case
from siting.errors import CaseError
from siting.io.case_file import case_from_dict
from siting.sweep.spec import ParameterSpec, SweepSpec
from siting.units import INTERNAL_UNIT, Quantity

#: top-level case keys that name the case rather than describe it (``scenario`` is swept by
#: name: each value is one of the case's named scenarios, or null for the base case)
NOT_SWEEPABLE = ("name", "description", "scenarios")
SCENARIO = "scenario"
#: significant digits of generated values (ranges, factors, samples)
DIGITS = 6


@dataclass(frozen=True)
class Parameter:
    """One swept key path. ``values`` is the discrete list (from values, factors or range
    steps); a range without steps keeps ``low``/``high`` in ``unit`` for sampling."""

    path: str
    values: tuple[Any, ...] | None
    low: float | None = None
    high: float | None = None
    unit: str | None = None
    integer: bool = False
    log: bool = False

    def sample(self, u: float) -> Any:
        """The value at ``u`` ∈ [0, 1): a stratum of the list, or a point of the range."""
        if self.values is not None:
            return self.values[min(int(u * len(self.values)), len(self.values) - 1)]
        assert self.low is not None and self.high is not None
        if self.log:
            x = math.exp(math.log(self.low) + u * (math.log(self.high) - math.log(self.low)))
        else:
            x = self.low + u * (self.high - self.low)
        if self.integer:
            return int(min(math.floor(x), self.high))
        return _format(x, self.unit)


@dataclass(frozen=True)
class Sweep:
    """A sweep whose parameters and values are known to fit the case."""

    spec: SweepSpec
    name: str
    where: str
    case_raw: Mapping[str, Any]
    case_source: Path | None
    case_lines: dict[tuple[str, ...], int] = field(default_factory=dict)
    lines: dict[tuple[str, ...], int] = field(default_factory=dict)
    parameters: dict[str, Parameter] = field(default_factory=dict)
    base: Case | None = None

    def case_for(self, point: Mapping[str, Any]) -> Case:
        """The resolved case of one design point (scenario, fixed overrides, the point)."""
        overrides = dict(point)
        scenario = overrides.pop(SCENARIO, self.spec.scenario)
        return case_from_dict(
            self.case_raw,
            source=self.case_source,
            scenario=scenario,
            overrides={**self.spec.fixed, **overrides},
            lines=self.case_lines,
        )

    def line(self, *key: str) -> str:
        for n in range(len(key), 0, -1):
            if key[:n] in self.lines:
                return f":{self.lines[key[:n]]}"
        return ""


def build_sweep(
    spec: SweepSpec,
    case_raw: Mapping[str, Any],
    *,
    where: str,
    case_source: Path | None = None,
    case_lines: dict[tuple[str, ...], int] | None = None,
    lines: dict[tuple[str, ...], int] | None = None,
    name: str | None = None,
) -> Sweep:
    """Check every parameter path and value against the case; raise CaseError on the first
    problem, naming the sweep file, line, parameter and what is allowed."""
    sweep = Sweep(
        spec=spec,
        name=spec.name or name or "sweep",
        where=where,
        case_raw=case_raw,
        case_source=case_source,
        case_lines=case_lines or {},
        lines=lines or {},
    )
    for key in spec.fixed:
        problem = path_problem(key) or (
            "set the base scenario with scenario: at the top of the sweep file"
            if key == SCENARIO
            else None
        )
        if problem:
            raise CaseError(f"{where}{sweep.line('fixed', key)}: fixed.{key}: {problem}")
    try:
        base = sweep.case_for({})
    except CaseError as exc:
        raise CaseError(f"{where}: the base case does not validate: {exc}") from None
    sweep = _replace(sweep, base=base)
    parameters = {
        path: _parameter(sweep, base, path, pspec) for path, pspec in spec.parameters.items()
    }
    return _replace(sweep, parameters=parameters)


def _replace(sweep: Sweep, **changes: Any) -> Sweep:
    from dataclasses import replace

    return replace(sweep, **changes)


def path_problem(path: str) -> str | None:
    """Why ``path`` is not a key path of the case schema, with the keys allowed there."""
    keys = path.split(".")
    if keys[0] in NOT_SWEEPABLE:
        return f"{keys[0]} names the case and cannot be swept"
    if path == SCENARIO:
        return None
    model: Any = Case
    for i, key in enumerate(keys):
        here = ".".join(keys[:i])
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            if _is_mapping(model):
                return None
            return f"{here} is a value, not a section: it has no key {key!r}"
        fields = model.model_fields
        if key not in fields:
            allowed = ", ".join(k for k in fields if not (i == 0 and k in NOT_SWEEPABLE))
            return (
                f"no key {key!r} {'under ' + here if here else 'in the case'}; allowed: {allowed}"
            )
        annotation = fields[key].annotation
        sub = _model_in(annotation)
        model = sub if sub is not None else annotation
    return None


def _model_in(annotation: Any) -> Any:
    """The pydantic model inside ``X | None`` or ``Annotated[X, ...]`` (not in containers)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType, typing.Annotated):
        for arg in typing.get_args(annotation):
            found = _model_in(arg)
            if found is not None:
                return found
    return None


def _is_mapping(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin in (dict, Mapping):
        return True
    if origin in (typing.Union, types.UnionType, typing.Annotated):
        return any(_is_mapping(a) for a in typing.get_args(annotation))
    return False


def value_at(case: Case, path: str) -> Any:
    """The resolved value at ``path`` (None if a section on the way is unset)."""
    value: Any = case
    for key in path.split("."):
        if value is None:
            return None
        value = value.get(key) if isinstance(value, Mapping) else getattr(value, key, None)
    return value


def column_value(case: Case, path: str) -> tuple[Any, str | None]:
    """A parameter's resolved value for the results table, and its unit: quantities in the
    internal unit, numbers as floats, everything else as text."""
    value = value_at(case, path)
    if path == SCENARIO:
        return value or "base", None
    if isinstance(value, Quantity):
        return value.to_internal(case.conversions), INTERNAL_UNIT[value.kind]
    if isinstance(value, bool) or value is None:
        return value, None
    if isinstance(value, int | float):
        return float(value), None
    if isinstance(value, tuple | list):
        return ", ".join(map(str, value)), None
    if isinstance(value, BaseModel):
        source = getattr(value, "path", None)
        return (str(source) if source is not None else value.model_dump_json()), None
    return str(value), None


def _parameter(sweep: Sweep, base: Case, path: str, pspec: ParameterSpec) -> Parameter:
    where = f"{sweep.where}{sweep.line('parameters', path)}: parameters.{path}"
    problem = path_problem(path)
    if problem:
        raise CaseError(f"{where}: {problem}")
    if path in sweep.spec.fixed:
        raise CaseError(f"{where}: also set under fixed:; a parameter cannot be both")
    if path == SCENARIO and pspec.values is None:
        raise CaseError(f"{where}: scenarios are swept by name: values: [null, name, ...]")
    if pspec.values is not None:
        for i, value in enumerate(pspec.values):
            _check(sweep, path, value, f"{where}.values[{i}]")
        return Parameter(path, tuple(pspec.values))
    if pspec.factors is not None:
        values = tuple(dict.fromkeys(_scaled(base, path, f, where) for f in pspec.factors))
        for i, value in enumerate(values):
            _check(sweep, path, value, f"{where}.factors[{i}] ({value})")
        return Parameter(path, values)
    assert pspec.range is not None
    ends = [
        value_at(_check(sweep, path, v, f"{where}.range[{i}]"), path)
        for i, v in enumerate(pspec.range)
    ]
    low, high, unit, integer = _numeric_range(ends, where)
    if pspec.log and (low <= 0 or high <= 0):
        raise CaseError(f"{where}.range: a log range needs positive ends, got {low:g} and {high:g}")
    if pspec.steps is None:
        return Parameter(path, None, low, high, unit, integer, pspec.log)
    grid = (
        np.geomspace(low, high, pspec.steps) if pspec.log else np.linspace(low, high, pspec.steps)
    )
    raw = [int(np.rint(x)) for x in grid] if integer else [_format(float(x), unit) for x in grid]
    values = tuple(dict.fromkeys(raw))
    for i, value in enumerate(values):
        _check(sweep, path, value, f"{where}.range step {i} ({value})")
    return Parameter(path, values, low, high, unit, integer, pspec.log)


def _check(sweep: Sweep, path: str, value: Any, where: str) -> Case:
    try:
        return sweep.case_for({path: value})
    except CaseError as exc:
        reason = str(exc).splitlines()[0]
        for prefix in (f"--set {path}: ", f"--set {path}."):
            if reason.startswith(prefix):
                reason = reason[len("--set ") :]
                break
        raise CaseError(f"{where}: {value!r} is not valid here: {reason}") from None


def _scaled(base: Case, path: str, factor: float, where: str) -> Any:
    value = value_at(base, path)
    if isinstance(value, Quantity):
        return _format(value.value * factor, value.unit)
    if isinstance(value, bool) or value is None or not isinstance(value, int | float):
        shown = "not set" if value is None else f"{value!r}"
        raise CaseError(
            f"{where}.factors: factors multiply the case's own value, which is {shown}; "
            "use values: [...] or range: [low, high] instead"
        )
    if isinstance(value, int):
        return int(np.rint(value * factor))
    return float(f"{value * factor:.{DIGITS}g}")


def _numeric_range(ends: list[Any], where: str) -> tuple[float, float, str | None, bool]:
    a, b = ends
    if isinstance(a, Quantity) and isinstance(b, Quantity):
        if a.unit != b.unit:
            raise CaseError(
                f"{where}.range: both ends need the same unit, got {a.unit!r} and {b.unit!r}"
            )
        low, high, unit, integer = a.value, b.value, a.unit, False
    elif all(isinstance(x, int | float) and not isinstance(x, bool) for x in ends):
        low, high, unit = float(a), float(b), None
        integer = all(isinstance(x, int) for x in ends)
    else:
        raise CaseError(
            f"{where}.range: a range needs numbers or quantities at both ends; "
            "use values: [...] for other kinds of value"
        )
    if not low < high:
        raise CaseError(f"{where}.range: the low end must be below the high end")
    return low, high, unit, integer


def _format(x: float, unit: str | None) -> Any:
    number = float(f"{x:.{DIGITS}g}")
    return f"{number:.{DIGITS}g} {unit}" if unit else number
