"""What each constraint family declares about itself, for the diagnosis and the checker.

Every family module states one :class:`FamilySpec` per family it adds (module attributes
named ``FAMILY…``). The elastic mode reads a family's slack weight from it, the diagnosis its
unit and fix hint, the independent checker's report names it; tests hold every family to
having one, so a new family cannot be left out of any of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from siting.inputs import Params


@dataclass(frozen=True)
class FamilySpec:
    """One constraint family: its name, and how the diagnosis speaks of its slack.

    - ``unit``: what one unit of the family's slack means ("MW of extra pipeline capacity
      needed");
    - ``fix``: what to change in the case or data when the slack is used (a text, or a
      function of the Params for advice that depends on them);
    - ``slack_weight``: the penalty per unit of slack in the elastic objective (None: the
      family gets no slack); ``per_module`` multiplies it by the largest module's MW, for
      slacks counted in sites;
    - ``checked_as``: the family's name in the checker's report, if not ``name``.
    """

    name: str
    unit: str = ""
    fix: str | Callable[[Params], str] = ""
    slack_weight: float | None = None
    per_module: bool = False
    checked_as: str | None = None

    def __post_init__(self) -> None:
        if self.slack_weight is not None and not (self.unit and self.fix):
            raise ValueError(f"family {self.name}: a family with a slack needs a unit and a fix")

    @property
    def check_name(self) -> str:
        return self.checked_as or self.name

    def hint(self, params: Params) -> str:
        """The fix hint for a case with ``params``."""
        return self.fix(params) if callable(self.fix) else self.fix
