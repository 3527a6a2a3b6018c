"""HiGHS options a case may set beyond the ones ``solver:`` names, checked against HiGHS itself
so that a misspelt name or a value of the wrong type is an error at load time, not a warning
HiGHS prints mid-solve."""

from __future__ import annotations

import difflib
import functools
import re
import tempfile
import threading
from pathlib import Path

import highspy
from pyomo.common.tee import capture_output

HighsValue = bool | int | float | str

#: options the case sets through named ``solver:`` keys, or that the tool itself owns
MANAGED = {
    "time_limit": "solver.time_limit_s",
    "mip_rel_gap": "solver.mip_gap",
    "threads": "solver.threads",
    "random_seed": "solver.seed",
    "output_flag": "the --verbose flag of siting run",
    "log_to_console": "the --verbose flag of siting run",
    "log_file": "the --verbose flag of siting run",
    "solver": "the tool (MIPs are solved by the HiGHS MIP solver)",
    "objective_bound": "the tool",
    "objective_target": "the tool",
}
_LOCK = threading.Lock()
DOCS = "https://ergo-code.github.io/HiGHS/stable/options/definitions/"


def quiet_highs() -> highspy.Highs:
    """A Highs object without the banner its constructor prints to stdout, logging off."""
    with capture_output(capture_fd=True):
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    return h


@functools.cache
def option_names() -> tuple[str, ...]:
    """Every option name this HiGHS knows."""
    h = quiet_highs()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "options.txt"
        h.writeOptions(str(path))
        text = path.read_text()
    return tuple(sorted(set(re.findall(r"^(\w+)\s*=", text, flags=re.M))))


def check_highs_options(options: dict[str, HighsValue]) -> dict[str, HighsValue]:
    """The options with doubles given as integers made floats; ValueError naming the first
    unknown, tool-managed, mistyped or out-of-range option."""
    if not options:
        return {}
    with _LOCK:
        return _checked(_scratch(), options)


@functools.cache
def _scratch() -> highspy.Highs:
    """One Highs object to try option values on (never solves)."""
    return quiet_highs()


def _checked(h: highspy.Highs, options: dict[str, HighsValue]) -> dict[str, HighsValue]:
    out: dict[str, HighsValue] = {}
    for name, value in options.items():
        if name in MANAGED:
            raise ValueError(f"{name}: set it through {MANAGED[name]}, not highs_options")
        if name not in option_names():
            near = difflib.get_close_matches(name, option_names(), n=3)
            hint = f"did you mean {' or '.join(near)}? " if near else ""
            raise ValueError(f"{name}: not a HiGHS option; {hint}the options are listed at {DOCS}")
        _, kind = h.getOptionType(name)
        value = _typed(name, value, kind)
        if h.setOptionValue(name, value) != highspy.HighsStatus.kOk:
            raise ValueError(
                f"{name}: HiGHS rejects the value {value!r} (out of range or not an allowed value); see {DOCS}"
            )
        out[name] = value
    return out


def _typed(name: str, value: HighsValue, kind: highspy.HighsOptionType) -> HighsValue:
    want = {
        highspy.HighsOptionType.kBool: "true or false",
        highspy.HighsOptionType.kInt: "an integer",
        highspy.HighsOptionType.kDouble: "a number",
        highspy.HighsOptionType.kString: "a string",
    }[kind]
    ok = {
        highspy.HighsOptionType.kBool: isinstance(value, bool),
        highspy.HighsOptionType.kInt: isinstance(value, int) and not isinstance(value, bool),
        highspy.HighsOptionType.kDouble: isinstance(value, int | float)
        and not isinstance(value, bool),
        highspy.HighsOptionType.kString: isinstance(value, str),
    }[kind]
    if not ok:
        raise ValueError(f"{name}: HiGHS expects {want}, got {value!r}")
    return float(value) if kind == highspy.HighsOptionType.kDouble else value
