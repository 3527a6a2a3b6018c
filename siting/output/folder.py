"""An output folder owned by one run: checked, locked and cleared of what this tool wrote
there before.

:func:`claim` runs before anything is read or solved, so that a folder that cannot take the
run fails in a second, not after the solve:

- the folder must be writable (a file is created and removed in it);
- it is locked (:mod:`siting.output.lock`): a second run into it fails at once;
- the files a previous run wrote there are the ones its ``manifest.json`` lists (or, for a
  run that was interrupted while writing, its ``.siting-writing.json``); they are removed
  when the new run starts writing (:meth:`RunFolder.clear_previous`), so no stale map or
  layer survives beside the new plan. Nothing else in the folder is touched;
- a file the run is about to write that no manifest lists (someone else's, or one left by
  a version of this tool that kept no record) is replaced only with ``overwrite``.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import Any

from siting.errors import OutputError
from siting.output.lock import FolderLock, acquire

MANIFEST = "manifest.json"
#: the names a run is writing, recorded before it writes them (removed once the manifest is)
WRITING = ".siting-writing.json"
#: files that mark a sweep folder (see siting.output.sweep_store)
SWEEP_MARKERS = ("sweep.json", "runs.parquet")


def check_writable(folder: Path, option: str = "--out") -> None:
    """Create ``folder`` (and its parents) and a file in it; OutputError naming the folder
    and the reason if either fails."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".siting-probe.", dir=folder)
        os.close(fd)
        Path(probe).unlink()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        if isinstance(exc, FileExistsError | NotADirectoryError):
            reason = (
                "a file of that name is in the way" if folder.exists() else "a parent is a file"
            )
        raise OutputError(
            f"{option} {folder}: cannot write there ({reason}); choose another folder"
        ) from None


def listed_files(folder: Path) -> list[str]:
    """The files a previous run recorded as its own in ``folder``: the manifest's list, and
    the names an interrupted run was writing."""
    names: list[str] = []
    for record in (folder / MANIFEST, folder / WRITING):
        data = _read_json(record)
        files = data.get("files") if isinstance(data, dict) else None
        if isinstance(files, dict | list):
            names.extend(str(name) for name in files)
    return sorted({n for n in names if _inside(n)} - {MANIFEST})


class RunFolder:
    """A folder claimed for one run: locked, with the previous run's files known."""

    def __init__(
        self, path: Path, lock: FolderLock, previous: list[str], created: bool = False
    ) -> None:
        self.path = path
        self.lock = lock
        #: the claim made the folder: a run that writes nothing leaves none behind
        self.created = created
        #: files a previous run wrote here, removed by :meth:`clear_previous`
        self.previous = previous

    def clear_previous(self) -> list[str]:
        """Remove the previous run's manifest, then its files and the traces of interrupted
        writes; return the names removed. Empty folders it leaves are removed too."""
        removed = []
        (self.path / MANIFEST).unlink(missing_ok=True)
        for name in self.previous:
            target = self.path / name
            if target.is_file() or target.is_symlink():
                target.unlink()
                removed.append(name)
        for partial in self.path.rglob(".*.partial*"):
            partial.unlink(missing_ok=True)
        for parent in sorted({(self.path / n).parent for n in self.previous}, reverse=True):
            if parent != self.path:
                with contextlib.suppress(OSError):
                    parent.rmdir()  # only when empty
        self.previous = []
        return removed

    def writing(self, names: Iterable[str]) -> None:
        """Record the names about to be written, so that an interrupted write can be
        cleared by the next run."""
        record = {"files": sorted(set(names))}
        (self.path / WRITING).write_text(json.dumps(record) + "\n", encoding="utf-8")

    def done_writing(self) -> None:
        (self.path / WRITING).unlink(missing_ok=True)

    def release(self) -> None:
        self.lock.release()
        if self.created:
            with contextlib.suppress(OSError):
                self.path.rmdir()  # only when empty

    def __enter__(self) -> RunFolder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def claim(
    folder: str | Path,
    expected: Iterable[str],
    *,
    overwrite: bool = False,
    option: str = "--out",
) -> RunFolder:
    """Check, lock and inspect ``folder`` for a run that will write ``expected`` (names
    relative to it). Raises OutputError, in one line with the fix, when the folder cannot
    be written, another run holds it, it is a sweep folder, or it holds files of those
    names that no manifest lists and ``overwrite`` is not given."""
    path = Path(folder)
    created = not path.exists()
    check_writable(path, option)
    lock = acquire(path)
    try:
        sweep = [m for m in SWEEP_MARKERS if (path / m).exists()]
        if sweep:
            raise OutputError(
                f"{option} {path}: a sweep folder ({sweep[0]}); write the run into another folder"
            )
        previous = listed_files(path)
        foreign = sorted(
            name for name in set(expected) - set(previous) - {MANIFEST} if (path / name).exists()
        )
        if foreign and not overwrite:
            more = f" and {len(foreign) - 1} other file(s)" if len(foreign) > 1 else ""
            raise OutputError(
                f"{option} {path}: holds {foreign[0]}{more} that no siting manifest lists; "
                "add --overwrite to replace them, or choose another folder"
            )
    except BaseException:
        lock.release()
        raise
    return RunFolder(path, lock, previous, created)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _inside(name: str) -> bool:
    """A relative path that stays inside the folder (a manifest is data, not trusted)."""
    p = PurePosixPath(name)
    return bool(name) and not p.is_absolute() and ".." not in p.parts and "\\" not in name
