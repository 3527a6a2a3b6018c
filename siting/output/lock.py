"""One writer per output folder: an advisory lock that the operating system drops when its
holder dies.

The lock is ``.siting.lock`` in the folder, held with ``flock`` (``msvcrt.locking`` on
Windows) for as long as a run or a sweep writes there. A second writer fails at once with
the holder's process id and start time, read from the file. A lock file left by a process
that died (``kill -9``, a crash, a power cut) is not held by anyone any more: the next
writer takes it over without being asked to delete anything.

The file is removed on release. A writer that opened the file just before it was removed
would lock a file no one else can see, so :func:`acquire` checks, once locked, that the path
still names the file it holds, and starts again if not.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import socket
import sys
from pathlib import Path
from typing import IO

from siting.errors import OutputError

LOCK_NAME = ".siting.lock"


class FolderLock:
    """The lock on one folder, held until :meth:`release` (or the end of a ``with``)."""

    def __init__(self, path: Path, handle: IO[str]) -> None:
        self.path = path
        self._handle: IO[str] | None = handle

    @property
    def held(self) -> bool:
        return self._handle is not None

    def release(self) -> None:
        handle, self._handle = self._handle, None
        if handle is None:
            return
        try:
            # removed while still held (see the module docstring); Windows keeps it
            with contextlib.suppress(OSError):
                self.path.unlink(missing_ok=True)
        finally:
            _unlock(handle)
            handle.close()

    def __enter__(self) -> FolderLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def acquire(
    folder: Path,
    what: str = "run",
    hint: str = "wait for it to finish or choose another --out",
) -> FolderLock:
    """Lock ``folder`` for this process (``what`` names this writer to the next one); raise
    OutputError at once, naming the holder and ending with ``hint``, if another process
    holds it."""
    path = folder / LOCK_NAME
    for _ in range(20):
        handle = path.open("a+", encoding="utf-8")
        if not _try_lock(handle):
            handle.seek(0)
            holder = handle.read().strip()
            handle.close()
            raise OutputError(
                f"{folder}: another {holder or 'process'} is writing to this folder; {hint}"
            )
        try:
            same = os.path.samestat(os.fstat(handle.fileno()), path.stat())
        except FileNotFoundError:
            same = False
        if same:
            handle.seek(0)
            handle.truncate()
            started = dt.datetime.now().astimezone().isoformat(timespec="seconds")
            handle.write(f"{what} (pid {os.getpid()} on {socket.gethostname()}, started {started})")
            handle.flush()
            return FolderLock(path, handle)
        # the file was removed by the holder that released it: lock the new one
        _unlock(handle)
        handle.close()
    raise OutputError(f"{folder}: could not lock {LOCK_NAME}; the folder keeps changing")


def holder(folder: Path) -> str | None:
    """Who holds the lock on ``folder`` (None if no one does)."""
    path = folder / LOCK_NAME
    if not path.exists():
        return None
    with path.open("a+", encoding="utf-8") as handle:
        if _try_lock(handle):
            _unlock(handle)
            return None
        handle.seek(0)
        return handle.read().strip() or "another process"


if sys.platform == "win32":
    import msvcrt

    def _try_lock(handle: IO[str]) -> bool:
        handle.seek(0)
        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(handle: IO[str]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(handle: IO[str]) -> bool:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        return True

    def _unlock(handle: IO[str]) -> None:
        fcntl.flock(handle, fcntl.LOCK_UN)
