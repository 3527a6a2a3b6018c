"""Errors that `siting` reports to the user as one clear line, never as a traceback."""

from __future__ import annotations

from pathlib import Path


class SitingError(Exception):
    """Base class: an error whose message is complete and meant for the user."""

    exit_code = 2


class CaseError(SitingError):
    """A case or sweep file is invalid: names the file, the key path and the fix."""


class DataError(SitingError):
    """A geodata layer is invalid: names the layer, the feature and the column."""


class SolveError(SitingError):
    """The solver failed or returned no usable solution; carries the solve report, if any."""

    exit_code = 4

    def __init__(self, message: str, report: object | None = None) -> None:
        super().__init__(message)
        self.report = report


class InfeasibleError(SitingError):
    """The model has no feasible solution; carries the diagnosis and the solve report (None
    when the case failed before the solve)."""

    exit_code = 3

    def __init__(
        self, message: str, diagnosis: object | None = None, report: object | None = None
    ) -> None:
        super().__init__(message)
        self.diagnosis = diagnosis
        self.report = report
        #: what was built before the solve failed (``siting.pipeline.Prepared``), if any
        self.prepared: object | None = None
        #: the files written for the failed run (set by the caller that wrote them)
        self.written: list[Path] = []


class CheckError(SitingError):
    """The independent checker found a violated constraint or a wrong objective; carries the
    report of the solve whose plan failed."""

    exit_code = 5

    def __init__(self, message: str, report: object | None = None) -> None:
        super().__init__(message)
        self.report = report


class MissingDependencyError(SitingError):
    """An optional dependency is not installed: the message says what to install."""

    exit_code = 6


class OutputError(SitingError):
    """An output folder cannot be used (not writable, locked by another run, holding files
    that are not this tool's): names the folder and the fix."""


class SolveInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped a HiGHS solve: carries its report and, when HiGHS had a plan, the
    plan as a Solution (not yet checked). A KeyboardInterrupt, so that whatever does not
    handle it stops as Ctrl-C always did."""

    def __init__(self, report: object, solution: object | None = None) -> None:
        super().__init__("interrupted")
        self.report = report
        self.solution = solution
