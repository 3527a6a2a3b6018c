"""Python's cyclic garbage collector, paused while the data path builds.

Building the network, the candidates and the model inputs creates hundreds of thousands of
small objects (geometries, dicts, sets) that hold no reference cycles. Each allocation
burst triggers collections that walk every object alive, the case's layers included:
about a fifth of the data path's time at 5,000 synthetic candidates. Pausing the collector
while a step runs defers that work; anything cyclic left behind is collected as usual once
the step is done.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """Pause the cyclic collector in this block (nested blocks leave it to the outermost)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
