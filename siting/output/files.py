"""Files written atomically, and the JSON conventions of every file ``siting`` writes.

Every file is written to a temporary name beside its target and renamed into place, so a
reader never sees half a file. JSON has no NaN or infinity: they are written as ``null``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

#: writes one file at the path it is given (its return value is ignored)
Writer = Callable[[Path], object]


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; on success rename it over the target."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{target.stem}.", suffix=f".partial{target.suffix}", dir=target.parent
    )
    os.close(fd)
    tmp_path = Path(tmp)
    tmp_path.unlink()
    try:
        yield tmp_path
        if tmp_path.exists():
            with tmp_path.open("rb+") as fh:
                os.fsync(fh.fileno())
        tmp_path.replace(target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_text(target: Path, text: str) -> None:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_json(target: Path, obj: Any) -> None:
    write_text(target, json.dumps(obj, indent=2, default=json_default, allow_nan=False) + "\n")


def write_csv(target: Path, frame: pd.DataFrame, index: bool = True) -> None:
    with atomic_path(target) as tmp:
        frame.to_csv(tmp, index=index)


def json_default(obj: Any) -> Any:
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return float(obj)
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, set | tuple):
        return list(obj)
    raise TypeError(f"cannot write {type(obj).__name__} as JSON")


def finite(obj: Any) -> Any:
    """JSON has no NaN/inf: write them as null."""
    if isinstance(obj, dict):
        return {k: finite(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [finite(v) for v in obj]
    if isinstance(obj, float | np.floating) and not np.isfinite(obj):
        return None
    return obj


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's content, as hex."""
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def digest_json(obj: Any) -> str:
    text = json.dumps(finite(obj), sort_keys=True, default=json_default)
    return hashlib.sha256(text.encode()).hexdigest()
