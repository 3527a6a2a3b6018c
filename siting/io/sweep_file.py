"""Read sweep files (YAML beside the case, e.g. ``models/sweeps/russia-gas-price.yaml``)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from siting.config import Case
from siting.errors import CaseError
from siting.io.case_file import _load_yaml, format_errors, read_case_source
from siting.sweep.parameters import Sweep, build_sweep
from siting.sweep.spec import SweepSpec


def read_sweep(path: str | Path) -> Sweep:
    """Load and validate a sweep file and the case it names (relative to the sweep file)."""
    path = Path(path)
    if not path.exists():
        raise CaseError(f"{path}: sweep file not found")
    raw, lines = _load_yaml(path)
    spec = _validate(raw, str(path), lines, path.parent)
    case_path = spec.case if spec.case.is_absolute() else (path.parent / spec.case).resolve()
    if not case_path.exists():
        line = f":{lines[('case',)]}" if ("case",) in lines else ""
        raise CaseError(
            f"{path}{line}: case: file not found: {case_path} (relative to the sweep file)"
        )
    case_raw, case_lines = read_case_source(case_path)
    return build_sweep(
        spec.model_copy(update={"case": case_path}),
        case_raw,
        where=str(path),
        case_source=case_path,
        case_lines=case_lines,
        lines=lines,
        name=path.stem,
    )


def sweep_from_dict(
    raw: Mapping[str, Any], case: Case | str | Path | None = None, base: Path | None = None
) -> Sweep:
    """A sweep given as a mapping (as from YAML). ``case`` may replace its ``case:`` key with
    a path or an in-memory :class:`Case`; relative paths are relative to ``base``."""
    where = "<sweep>"
    base = base or Path.cwd()
    raw = dict(raw)
    if isinstance(case, Case):
        raw.setdefault("case", f"<{case.name}>")
    elif case is not None:
        raw["case"] = str(case)
    spec = _validate(raw, where, {}, base)
    if isinstance(case, Case):
        case_raw = case.model_dump(mode="json")
        return build_sweep(spec, case_raw, where=where, name=case.name)
    case_path = spec.case if spec.case.is_absolute() else (base / spec.case).resolve()
    if not case_path.exists():
        raise CaseError(f"{where}: case: file not found: {case_path}")
    case_raw, case_lines = read_case_source(case_path)
    return build_sweep(
        spec.model_copy(update={"case": case_path}),
        case_raw,
        where=where,
        case_source=case_path,
        case_lines=case_lines,
        name=case_path.stem,
    )


def _validate(
    raw: Mapping[str, Any], where: str, lines: dict[tuple[str, ...], int], base: Path
) -> SweepSpec:
    if "case" not in raw:
        raise CaseError(f"{where}: case: required: the case file this sweep varies")
    try:
        return SweepSpec.model_validate(raw)
    except ValidationError as exc:
        message = format_errors(exc, where, lines, SweepSpec)
        raise CaseError(message.replace(": (top level): ", ": ")) from None
