"""Read case files (YAML) into validated :class:`~siting.config.Case` objects.

Every problem becomes one line that names the file, the line, the key path and the fix.
"""

from __future__ import annotations

import copy
import difflib
import os
import re
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from siting.config import Case
from siting.errors import CaseError

SCENARIO_META_KEYS = ("description",)


def read_case(
    path: str | Path,
    scenario: str | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Case:
    """Load ``path``, merge the named scenario and ``overrides`` (``{"a.b": value}``), validate."""
    path = Path(path)
    raw, lines = _load_yaml(path)
    return case_from_dict(raw, source=path, scenario=scenario, overrides=overrides, lines=lines)


def case_from_dict(
    raw: Mapping[str, Any],
    *,
    source: Path | None = None,
    scenario: str | None = None,
    overrides: Mapping[str, Any] | None = None,
    lines: dict[tuple[str, ...], int] | None = None,
) -> Case:
    """Validate a case given as a dictionary (as read from YAML)."""
    where = str(source) if source is not None else "<case>"
    lines = lines or {}
    if not isinstance(raw, Mapping):
        raise CaseError(f"{where}: the file must hold a mapping of keys (name, layers, ...)")
    merged = {k: copy.deepcopy(v) for k, v in raw.items() if k != "scenarios"}
    scenarios = raw.get("scenarios") or {}
    if not isinstance(scenarios, Mapping):
        raise CaseError(f"{where}: scenarios: must map scenario names to partial cases")
    origin: dict[tuple[str, ...], tuple[str, ...]] = {}
    if scenario is not None:
        if scenario not in scenarios:
            known = ", ".join(sorted(scenarios)) or "none defined"
            raise CaseError(f"{where}: unknown scenario {scenario!r}; known scenarios: {known}")
        patch = scenarios[scenario] or {}
        if not isinstance(patch, Mapping):
            raise CaseError(f"{where}: scenarios.{scenario}: must be a mapping of overrides")
        desc = patch.get("description")
        body = {k: v for k, v in patch.items() if k not in SCENARIO_META_KEYS}
        merged = deep_merge(merged, body)
        for key_path in _leaf_paths(body):
            origin[key_path] = ("scenarios", scenario, *key_path)
        merged["scenario"] = scenario
        if desc:
            merged["description"] = f"{merged.get('description', '')} [{scenario}: {desc}]".strip()
    for dotted, value in (overrides or {}).items():
        key_path = tuple(dotted.split("."))
        merged = set_path(merged, key_path, value)
        origin[key_path] = ("--set", dotted)
    merged["scenarios"] = copy.deepcopy(dict(scenarios))
    if source is not None:
        try:
            merged = _resolve_layer_paths(merged, source.parent)
        except CaseError as exc:
            raise CaseError(f"{where}: {exc}") from None
    try:
        case = Case.model_validate(merged)
    except ValidationError as exc:
        raise CaseError(_format_validation(exc, where, lines, origin)) from None
    case._overrides = dict(overrides or {})
    if source is not None:
        _check_layers(case, where, lines)
    return case


def read_case_source(path: str | Path) -> tuple[dict[str, Any], dict[tuple[str, ...], int]]:
    """The raw mapping of a case file and the line of every key path, for callers that
    resolve many variants of one case (sweeps) without reading the file again."""
    return _load_yaml(Path(path))


def format_errors(
    exc: ValidationError, where: str, lines: dict[tuple[str, ...], int], root: type[BaseModel]
) -> str:
    """One line per validation error of ``root`` read from ``where``."""
    return _format_validation(exc, where, lines, {}, root)


def list_scenarios(path: str | Path) -> dict[str, str]:
    raw, _ = _load_yaml(Path(path))
    return {k: (v or {}).get("description", "") for k, v in (raw.get("scenarios") or {}).items()}


def deep_merge(base: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``patch`` over ``base``: mappings merge key by key, other values replace."""
    out = dict(copy.deepcopy(base))
    for key, value in patch.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def set_path(raw: Mapping[str, Any], key_path: tuple[str, ...], value: Any) -> dict[str, Any]:
    """A copy of ``raw`` with ``value`` at ``key_path`` (intermediate mappings created)."""
    patch: Any = value
    for key in reversed(key_path):
        patch = {key: patch}
    return deep_merge(raw, patch)


def _leaf_paths(tree: Mapping[str, Any], prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for key, value in tree.items():
        if isinstance(value, Mapping) and value:
            out.extend(_leaf_paths(value, (*prefix, str(key))))
        else:
            out.append((*prefix, str(key)))
    return out


def _load_yaml(path: Path) -> tuple[dict[str, Any], dict[tuple[str, ...], int]]:
    if not path.exists():
        raise CaseError(f"{path}: case file not found")
    try:
        text = path.read_text(encoding="utf-8")
        node = yaml.compose(text)
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise CaseError(f"{path}{at}: not valid YAML: {problem}") from None
    except UnicodeDecodeError:
        raise CaseError(f"{path}: not a UTF-8 text file") from None
    if raw is None:
        raise CaseError(f"{path}: the file is empty")
    if not isinstance(raw, dict):
        raise CaseError(f"{path}: the file must hold a mapping of keys (name, layers, ...)")
    lines: dict[tuple[str, ...], int] = {}
    if node is not None:
        _index_lines(node, (), lines)
    return raw, lines


def _index_lines(node: yaml.Node, prefix: tuple[str, ...], out: dict[tuple[str, ...], int]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = (*prefix, str(key_node.value))
            out[key] = key_node.start_mark.line + 1
            _index_lines(value_node, key, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            key = (*prefix, str(i))
            out[key] = item.start_mark.line + 1
            _index_lines(item, key, out)


def _resolve_layer_paths(raw: dict[str, Any], base: Path) -> dict[str, Any]:
    layers = raw.get("layers")
    if not isinstance(layers, Mapping):
        return raw

    def resolve(spec: Any, key: str) -> Any:
        if isinstance(spec, str):
            return str(_absolute(spec, base, f"layers.{key}"))
        if isinstance(spec, Mapping) and isinstance(spec.get("path"), str):
            out = {**spec, "path": str(_absolute(spec["path"], base, f"layers.{key}.path"))}
            options = spec.get("options")
            if isinstance(options, Mapping) and isinstance(options.get("nominations"), str):
                where = f"layers.{key}.options.nominations"
                out["options"] = {
                    **options,
                    "nominations": str(_absolute(options["nominations"], base, where)),
                }
            return out
        return spec

    resolved: dict[str, Any] = {}
    for key, spec in layers.items():
        resolved[key] = (
            [resolve(s, f"{key}.{i}") for i, s in enumerate(spec)]
            if isinstance(spec, list)
            else resolve(spec, key)
        )
    return {**raw, "layers": resolved}


_ENV_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _absolute(path: str, base: Path, key: str = "path") -> Path:
    """``path`` made absolute against ``base``; ``${VAR}`` is taken from the environment.

    A relative path in a variable that starts the path is the user's, typed in the shell:
    it is resolved from the working folder, not from the case file's."""

    def env(match: re.Match[str]) -> str:
        value = os.environ.get(match.group(1))
        if not value:
            raise CaseError(
                f"{key}: {path}: the environment variable {match.group(1)} is not set; set it, "
                f"or give the file on the command line (siting run CASE --layer "
                f"{key.split('.')[1]}=PATH)"
            )
        if match.start() == 0 and not Path(value).expanduser().is_absolute():
            return str(Path(value).expanduser().resolve())
        return value

    p = Path(_ENV_RE.sub(env, path)).expanduser()
    return p if p.is_absolute() else (base / p).resolve()


def _check_layers(case: Case, where: str, lines: dict[tuple[str, ...], int]) -> None:
    if case.layers is None:
        raise CaseError(
            f"{where}: layers: missing; a case file must name at least its "
            "pipelines and nodes layers"
        )
    for key, spec in case.layers.specs().items():
        key_path = ("layers", *key.replace("[", ".").rstrip("]").split("."))
        files = [(spec.path, ".path")]
        if isinstance(spec.options.get("nominations"), str):
            files.append((Path(spec.options["nominations"]), ".options.nominations"))
        for file, suffix in files:
            if not file.exists():
                line = _line(lines, key_path)
                raise CaseError(
                    f"{where}{line}: {'.'.join(key_path)}{suffix}: file not found: {file} "
                    "(relative paths are relative to the case file; give another with "
                    f"--layer {key_path[1]}=PATH)"
                )


def _line(lines: dict[tuple[str, ...], int], key_path: tuple[str, ...]) -> str:
    for n in range(len(key_path), 0, -1):
        if key_path[:n] in lines:
            return f":{lines[key_path[:n]]}"
    return ""


def _format_validation(
    exc: ValidationError,
    where: str,
    lines: dict[tuple[str, ...], int],
    origin: dict[tuple[str, ...], tuple[str, ...]],
    root: type[BaseModel] = Case,
) -> str:
    messages = []
    for err in exc.errors(include_url=False):
        loc = tuple(str(x) for x in err["loc"])
        source = next((origin[p] for p in _prefixes(loc) if p in origin), None)
        shown = source if source is not None and source[0] == "--set" else None
        file_loc = source if source is not None and source[0] == "scenarios" else loc
        if source is not None and source[0] == "scenarios":
            file_loc = (*source[:2], *loc)
        key = ".".join(loc) if loc else "(top level)"
        if shown is not None:
            prefix = f"--set {shown[1]}"
        elif file_loc and file_loc[0] == "scenarios":
            prefix = f"{where}{_line(lines, file_loc)}: scenario {file_loc[1]!r}: {key}"
        else:
            prefix = f"{where}{_line(lines, loc)}: {key}"
        messages.append(f"{prefix}: {_explain(err, loc, root)}")
    return "\n".join(messages)


def _prefixes(loc: tuple[str, ...]) -> list[tuple[str, ...]]:
    return [loc[:n] for n in range(len(loc), 0, -1)]


def _explain(err: Mapping[str, Any], loc: tuple[str, ...], root: type[BaseModel] = Case) -> str:
    kind = err["type"]
    msg = str(err["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if kind == "extra_forbidden":
        allowed = _allowed_keys(loc[:-1], root)
        close = difflib.get_close_matches(loc[-1], allowed, n=1) if loc else []
        guess = f" (did you mean {close[0]!r}?)" if close else ""
        hint = f"; allowed: {', '.join(allowed)}" if allowed else ""
        return f"unknown key{guess}{hint}"
    if kind == "missing":
        described = _description(loc, root)
        return "required key is missing" + (f": give the {described}" if described else "")
    if kind == "literal_error":
        return msg.replace("Input should be", "must be one of")
    if kind in {"float_parsing", "int_parsing", "float_type", "int_type", "bool_parsing"}:
        return f"{msg} (got {err.get('input')!r})"
    return msg


def _allowed_keys(loc: tuple[str, ...], root: type[BaseModel] = Case) -> list[str]:
    model: Any = root
    for key in loc:
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return []
        field = model.model_fields.get(key)
        if field is None:
            continue
        model = _model_in(field.annotation)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return list(model.model_fields)
    return []


def _description(loc: tuple[str, ...], root: type[BaseModel] = Case) -> str | None:
    """The description of the field at ``loc`` (what a missing key must hold)."""
    model: Any = root
    for key in loc[:-1]:
        if isinstance(model, type) and issubclass(model, BaseModel):
            field = model.model_fields.get(key)
            if field is not None:
                model = _model_in(field.annotation)
    if not (isinstance(model, type) and issubclass(model, BaseModel)) or not loc:
        return None
    field = model.model_fields.get(loc[-1])
    if field is not None and field.description:
        return field.description
    for meta in field.metadata if field is not None else ():
        if getattr(meta, "description", None):
            return str(meta.description)
    return None


def _model_in(annotation: Any) -> Any:
    """The pydantic model inside ``X | None``, ``Annotated[X, ...]`` or ``tuple[X, ...]``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType, typing.Annotated, tuple, list, dict):
        for arg in typing.get_args(annotation):
            found = _model_in(arg)
            if found is not None:
                return found
    return None
