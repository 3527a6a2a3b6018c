"""What every layer reader returns: a frame in the file's own schema, and the features it
left out with their reason. The generic reader (:mod:`siting.io.layers`) and the readers of
public formats (:mod:`siting.io.gem`, :mod:`siting.io.scigrid`, :mod:`siting.io.gaslib`)
share it, so none of them imports another."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass
class RawLayer:
    """A layer as read, in the file schema, with the features the reader left out."""

    frame: pd.DataFrame
    removed: list[dict[str, object]] = field(default_factory=list)


def first_line(exc: Exception) -> str:
    """The first line of an exception's message (its type when it has none), for one-line
    errors that name the file."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
