"""What a run tells the user about its inputs: warnings, notes and progress.

- A **warning** (:class:`InputWarning`) says that an input looks wrong while the run goes on:
  a node far from the drawn ends of its pipelines, a field on no pipeline, a price far
  outside its plausible range. The functions that find them return them as text; the run
  order (:func:`siting.pipeline.prepare`) issues each as a Python warning, which a notebook
  shows and the command line prints, and the run folder keeps them in ``manifest.json`` and
  ``network_report.json``.
- A **note** says what the run did to the inputs: the column read for each quantity, a
  capacity imputed, features left out, how many candidate sites there are. Notes go to the
  ``siting.notes`` logger at INFO, which the command line prints.
- **Progress** of a long loop is a note at most every few seconds.
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Callable, Iterable

logger = logging.getLogger("siting.notes")

#: seconds between two progress notes of one loop
PROGRESS_EVERY_S = 3.0


class InputWarning(UserWarning):
    """An input looks wrong, and the run goes on: see the message for what to check."""


def warn(messages: Iterable[str]) -> None:
    """Issue each message as an :class:`InputWarning`."""
    for message in messages:
        warnings.warn(message, InputWarning, stacklevel=2)


def note(message: str) -> None:
    logger.info(message)


def progress(label: str, total: int, every_s: float = PROGRESS_EVERY_S) -> Callable[[int], None]:
    """A function ``advance(done)`` that notes ``label: 40 % (400 of 1,000)`` at most every
    ``every_s`` seconds; the first note comes after ``every_s`` (a short loop says nothing)."""
    last = [time.perf_counter()]

    def advance(done: int) -> None:
        now = time.perf_counter()
        if now - last[0] < every_s or total <= 0:
            return
        last[0] = now
        note(f"{label}: {done / total:.0%} ({done:,} of {total:,})")

    return advance
