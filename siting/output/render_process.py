"""Draw a run's maps and report in a second process, started before the solve.

``siting run`` starts a :class:`RenderProcess` once it has read the case, before it reads
the layers. The new process imports matplotlib, folium and the report modules while this
one reads, builds and solves; when the plan is ready it is sent the run as
:class:`~siting.report.RunData` and draws it with
:func:`~siting.output.artefacts.render_artefacts` (the same function, so the same files as
drawing here) while this process writes the GeoPackage and the tables. It draws the static
map itself and the web map and the report in a fork of itself, so that both cores draw.

On Linux, when this process runs no other thread, the drawing process is a fork of it: it
starts with every module this one has imported (pandas, geopandas, siting) and imports only
the plotting libraries. Elsewhere it is a fresh interpreter (``python -m
siting.output.render_process``), which imports everything itself but shares nothing with
this process and never imports its main script. Either way the run and the files travel
pickled over two pipes; the process ignores Ctrl-C (this process stops it), and the
warnings raised while drawing are sent back and raised here, where the caller's warning
filters apply.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import pickle
import signal
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any, NoReturn

from siting import errors

if TYPE_CHECKING:
    from siting.report.run import RunData

logger = logging.getLogger(__name__)

#: imported by the drawing process as soon as it starts; it needs them all to draw a run
WARM_UP = (
    "siting.output.artefacts",
    "siting.report.static",
    "siting.report.web",
    "siting.report.document",
    "matplotlib.figure",
    "matplotlib.backends.backend_agg",
)

Contents = dict[str, bytes]


class RenderProcess:
    """A process that draws one run: start it early, :meth:`draw` when the run is solved,
    call what :meth:`draw` returned for the files' contents, :meth:`close` when done (or use
    it as a context manager)."""

    def __init__(self, fork: bool | None = None) -> None:
        """``fork``: a fork of this process (True), a fresh interpreter (False), or a fork
        where that is safe (None, see the module docstring)."""
        # the process logs what this one would: at siting's level, to stderr
        level = logging.getLogger("siting").getEffectiveLevel()
        if fork if fork is not None else _may_fork():
            self._child: _Child = _Forked(level)
        else:
            self._child = _Fresh(level)
        self._sender: threading.Thread | None = None
        self._answered = False
        #: the packages of the ``maps`` extra the process could not import (after a drawing)
        self.missing: list[str] | None = None

    def draw(self, run: RunData, formats: Iterable[str] = ("png",)) -> Callable[[], Contents]:
        """Send ``run`` to be drawn and return at once; the returned function waits for the
        contents of the files (see :func:`~siting.output.artefacts.render_artefacts`) and
        raises what drawing raised."""
        if self._sender is not None:
            raise RuntimeError("a RenderProcess draws one run")
        job = ("draw", run, tuple(formats))
        # the process reads the run only once its imports are done: send from a thread, so
        # that this process writes the tables meanwhile
        self._sender = threading.Thread(target=self._send, args=(job,), daemon=True)
        self._sender.start()
        return self._receive

    def _send(self, job: Any) -> None:
        with contextlib.suppress(OSError):  # a process that died is reported by _receive
            pickle.dump(job, self._child.jobs, protocol=pickle.HIGHEST_PROTOCOL)
            self._child.jobs.flush()

    def _receive(self) -> Contents:
        assert self._sender is not None
        self._sender.join()
        try:
            kind, payload, missing, caught = pickle.load(self._child.replies)
        except (EOFError, OSError, pickle.UnpicklingError):
            code = self._child.wait()
            raise RuntimeError(f"the drawing process stopped (exit code {code})") from None
        self._answered = True
        self.missing = missing
        for category, message in caught:
            warnings.warn(message, category, stacklevel=3)
        if kind != "ok":
            _raise(*payload)
        return payload

    def close(self) -> None:
        """Stop the process; at once unless it has sent its answer (a run that failed need
        not wait for its imports or its drawing)."""
        if not self._answered and self.running:
            self._child.terminate()
        for pipe in (self._child.jobs, self._child.replies):
            with contextlib.suppress(OSError):
                pipe.close()
        self._child.wait()

    @property
    def running(self) -> bool:
        return self._child.running()

    def __enter__(self) -> RenderProcess:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _may_fork() -> bool:
    """A fork is safe and cheap here: Linux (elsewhere system libraries may not survive a
    fork without exec), and no other Python thread that could hold a lock."""
    return sys.platform == "linux" and threading.active_count() == 1


class _Child:
    """The drawing process as the main process sees it: two pipes and a process id."""

    jobs: IO[bytes]
    replies: IO[bytes]

    def running(self) -> bool:
        raise NotImplementedError

    def terminate(self) -> None:
        raise NotImplementedError

    def wait(self) -> int | None:
        raise NotImplementedError


class _Forked(_Child):
    def __init__(self, log_level: int) -> None:
        jobs_read, jobs_write = os.pipe()
        replies_read, replies_write = os.pipe()
        for stream in (sys.stdout, sys.stderr):  # nothing buffered is written twice
            stream.flush()
        self._pid = os.fork()
        if self._pid == 0:
            code = 1
            try:
                os.close(jobs_write)
                os.close(replies_read)
                serve(log_level, os.fdopen(jobs_read, "rb"), os.fdopen(replies_write, "wb"))
                code = 0
            finally:
                os._exit(code)  # no exit handler of the main process runs here
        os.close(jobs_read)
        os.close(replies_write)
        self.jobs = os.fdopen(jobs_write, "wb")
        self.replies = os.fdopen(replies_read, "rb")
        self._code: int | None = None

    def running(self) -> bool:
        if self._code is None:
            pid, status = os.waitpid(self._pid, os.WNOHANG)
            if pid:
                self._code = os.waitstatus_to_exitcode(status)
        return self._code is None

    def terminate(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self._pid, signal.SIGTERM)

    def wait(self) -> int | None:
        if self._code is None:
            _pid, status = os.waitpid(self._pid, 0)
            self._code = os.waitstatus_to_exitcode(status)
        return self._code


class _Fresh(_Child):
    def __init__(self, log_level: int) -> None:
        package_root = str(Path(__file__).resolve().parents[2])
        path = os.pathsep.join(filter(None, (package_root, os.environ.get("PYTHONPATH"))))
        self._process = subprocess.Popen(
            [sys.executable, "-m", __name__, str(log_level)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": path},
        )
        assert self._process.stdin is not None and self._process.stdout is not None
        self.jobs, self.replies = self._process.stdin, self._process.stdout

    def running(self) -> bool:
        return self._process.poll() is None

    def terminate(self) -> None:
        self._process.terminate()

    def wait(self) -> int | None:
        return self._process.wait()


def serve(
    log_level: int = logging.WARNING,
    jobs: IO[bytes] | None = None,
    replies: IO[bytes] | None = None,
) -> None:
    """The drawing process: import, wait for one run, draw it, send the contents back.
    Without pipes it talks over the standard input and output it started with (anything
    else printed goes to standard error)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the main process, which stops us
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if jobs is None or replies is None:
        jobs = sys.stdin.buffer
        replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
        os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    if log_level < logging.WARNING:
        logging.basicConfig(format="siting-render %(name)s: %(message)s")
        logging.getLogger("siting").setLevel(log_level)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        reply = _draw_one(jobs)
    if reply is not None:
        pickle.dump(
            (*reply, [(w.category, str(w.message)) for w in caught]),
            replies,
            protocol=pickle.HIGHEST_PROTOCOL,
        )
    replies.close()


def _draw_one(jobs: IO[bytes]) -> tuple[str, Any, list[str]] | None:
    start = time.perf_counter()
    from siting.report._deps import missing_maps_dependencies

    missing = missing_maps_dependencies()
    if not missing:
        for module in WARM_UP:
            importlib.import_module(module)
    logger.debug("drawing process ready in %.2f s", time.perf_counter() - start)
    try:
        job = pickle.load(jobs)
    except EOFError:  # the main process closed the pipe: nothing to draw
        return None
    _kind, run, formats = job
    from siting.output.artefacts import render_artefacts

    try:
        return "ok", render_artefacts(run, formats, aside=_forked), missing
    except Exception as exc:
        return "error", _error(exc), missing


def _error(exc: BaseException) -> tuple[str, str]:
    """An exception as plain text that any process can unpickle."""
    if isinstance(exc, RemoteError):
        return exc.name, exc.message
    return type(exc).__name__, str(exc)


class RemoteError(RuntimeError):
    """An exception raised in another process: its class name and message."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.name, self.message = name, message


def _raise(name: str, message: str) -> NoReturn:
    """Raise here what another process raised: siting's own errors as themselves (their
    message is meant for the user), anything else by name and message."""
    cls = getattr(errors, name, None)
    if isinstance(cls, type) and issubclass(cls, errors.SitingError):
        raise cls(message)
    raise RemoteError(name, message)


def _forked(fn: Callable[[], Any]) -> Callable[[], Any]:
    """Run ``fn`` in a forked copy of this process (which has everything imported and the
    run in memory already), so that it draws on the second core; return what waits for its
    result. Where there is no ``fork``, ``fn`` runs here when its result is asked for."""
    if not hasattr(os, "fork"):
        return fn
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the copy: compute, send, leave without running any exit handler
        code = 0
        try:
            os.close(read_fd)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    reply: tuple[str, Any] = ("ok", fn())
                except Exception as exc:
                    reply = ("error", _error(exc))
            with os.fdopen(write_fd, "wb") as out:
                pickle.dump((*reply, [(w.category, str(w.message)) for w in caught]), out)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(write_fd)

    def result() -> Any:
        try:
            with os.fdopen(read_fd, "rb") as answer:
                kind, payload, caught = pickle.load(answer)
        except (EOFError, pickle.UnpicklingError):
            raise RuntimeError("the forked drawing process stopped without an answer") from None
        finally:
            os.waitpid(pid, 0)
        for category, message in caught:
            warnings.warn(message, category, stacklevel=2)
        if kind == "error":
            _raise(*payload)
        return payload

    return result


if __name__ == "__main__":
    # run as the package's module, not as __main__, so that its names (the logger, the
    # classes pickled back) are the ones the main process knows
    from siting.output import render_process

    render_process.serve(int(sys.argv[1]) if len(sys.argv) > 1 else logging.WARNING)
