"""Read Beasley's OR-Library capacitated warehouse location files (``cap41`` … ``capc``).

The format is whitespace-separated tokens; line breaks carry no meaning::

    m n
    capacity_i fixed_cost_i          (m times)
    demand_j  c_1j c_2j ... c_mj     (n times)

``c_ij`` is the cost of serving *all* of customer j's demand from site i. In ``capa``,
``capb`` and ``capc`` every capacity is the word ``capacity``: the caller substitutes one
value (J.E. Beasley, JORS 41 (1990) 1069–1072).

A truncated or malformed file is a :class:`~siting.errors.DataError` that names the file,
the token position (1-based) and its line.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from siting.errors import DataError
from siting.facility_location import FacilityProblem

PLACEHOLDER = "capacity"
_TOKEN = re.compile(rb"\S+")


class _Tokens:
    """Tokens of one file, read in order, with positions for error messages."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.text = path.read_bytes()
        except OSError as exc:
            raise DataError(f"{path}: cannot read the file: {exc.strerror}") from None
        self.spans = [(m.start(), m.group()) for m in _TOKEN.finditer(self.text)]
        self.next = 0

    def where(self, k: int) -> str:
        if k < len(self.spans):
            line = self.text.count(b"\n", 0, self.spans[k][0]) + 1
            return f"token {k + 1} (line {line})"
        last_line = self.text.count(b"\n") + 1
        return f"token {k + 1} (end of file, line {last_line})"

    def take(self, n: int, what: str, expected_total: int | None = None) -> list[bytes]:
        if self.next + n > len(self.spans):
            total = f" of the {expected_total} the header implies" if expected_total else ""
            raise DataError(
                f"{self.path}: {self.where(len(self.spans))}: the file ends after "
                f"{len(self.spans)} tokens{total} while reading {what}: the file is truncated"
            )
        out = [tok for _, tok in self.spans[self.next : self.next + n]]
        self.next += n
        return out

    def fail(self, offset: int, what: str, token: bytes) -> DataError:
        return DataError(
            f"{self.path}: {self.where(offset)}: expected {what}, got {token.decode(errors='replace')!r}"
        )


def _number(tokens: _Tokens, k: int, token: bytes, what: str) -> float:
    try:
        value = float(token)
    except ValueError:
        raise tokens.fail(k, what, token) from None
    if not np.isfinite(value) or value < 0:
        raise tokens.fail(k, f"{what} (a finite number ≥ 0)", token)
    return value


def _count(tokens: _Tokens, k: int, token: bytes, what: str) -> int:
    if not token.isdigit() or int(token) == 0:
        raise tokens.fail(k, f"{what} (a positive whole number)", token)
    return int(token)


def read_orlib_cap(
    path: str | Path, capacity: float | None = None, uncapacitated: bool = False
) -> FacilityProblem:
    """An OR-Library ``cap*`` instance; ``capacity`` replaces the word ``capacity`` (capa/b/c).

    ``uncapacitated=True`` reads it as the uncapacitated problem (UFLP): capacities, numbers
    or words, are ignored.
    """
    path = Path(path)
    tokens = _Tokens(path)
    m_tok, n_tok = tokens.take(2, "the header 'm n'")
    m = _count(tokens, 0, m_tok, "the number of sites m")
    n = _count(tokens, 1, n_tok, "the number of customers n")
    expected = 2 + 2 * m + n * (1 + m)
    read_capacity = np.empty(m)
    fixed = np.empty(m)
    placeholders = 0
    for i in range(m):
        k = tokens.next
        cap_tok, fixed_tok = tokens.take(2, f"capacity and fixed cost of site {i + 1}", expected)
        if cap_tok.lower() == PLACEHOLDER.encode():
            placeholders += 1
            read_capacity[i] = np.nan
        else:
            read_capacity[i] = _number(tokens, k, cap_tok, f"the capacity of site {i + 1}")
        fixed[i] = _number(tokens, k + 1, fixed_tok, f"the fixed cost of site {i + 1}")
    demand = np.empty(n)
    site_capacity: np.ndarray | None = read_capacity
    cost = np.empty((m, n))
    for j in range(n):
        k = tokens.next
        row = tokens.take(1 + m, f"demand and {m} costs of customer {j + 1}", expected)
        demand[j] = _number(tokens, k, row[0], f"the demand of customer {j + 1}")
        try:
            cost[:, j] = np.array(row[1:], dtype=float)
        except ValueError:
            bad = next(i for i, tok in enumerate(row[1:]) if not _is_float(tok))
            raise tokens.fail(
                k + 1 + bad,
                f"the cost of serving customer {j + 1} from site {bad + 1}",
                row[1 + bad],
            ) from None
        bad_cost = ~np.isfinite(cost[:, j]) | (cost[:, j] < 0)
        if bad_cost.any():
            i = int(np.flatnonzero(bad_cost)[0])
            raise tokens.fail(
                k + 1 + i,
                f"the cost of serving customer {j + 1} from site {i + 1} (≥ 0)",
                row[1 + i],
            )
    if tokens.next < len(tokens.spans):
        k = tokens.next
        raise DataError(
            f"{path}: {tokens.where(k)}: unexpected token {tokens.spans[k][1].decode(errors='replace')!r} "
            f"after the last customer: the header says {m} sites and {n} customers "
            f"({expected} tokens), the file has {len(tokens.spans)}"
        )
    if uncapacitated:
        if capacity is not None:
            raise DataError(f"{path}: capacity= and uncapacitated=True contradict each other")
        placeholders, site_capacity = 0, None
    elif placeholders and placeholders < m:
        raise DataError(
            f"{path}: {placeholders} of {m} capacities are the word 'capacity': either all or none"
        )
    if placeholders and site_capacity is not None:
        if capacity is None:
            raise DataError(
                f"{path}: the capacities are the word 'capacity' (as in capa/capb/capc): "
                "pass capacity=..., e.g. 8000 for capa (see orlib_optima.csv)"
            )
        if not np.isfinite(capacity) or capacity < 0:
            raise DataError(f"{path}: capacity={capacity} must be finite and ≥ 0")
        site_capacity[:] = capacity
    elif capacity is not None and site_capacity is not None:
        raise DataError(
            f"{path}: the file gives every site's capacity; capacity= only substitutes the "
            "word 'capacity' in capa/capb/capc"
        )
    site_ids = pd.Index([f"s{i + 1}" for i in range(m)], name="site_id")
    customer_ids = pd.Index([f"c{j + 1}" for j in range(n)], name="hub_id")
    name = path.stem if capacity is None else f"{path.stem}-{capacity:g}"
    if uncapacitated:
        name += "-uncapacitated"
    return FacilityProblem(
        name=name,
        cost=pd.DataFrame(cost, index=site_ids, columns=customer_ids),
        demand=pd.Series(demand, index=customer_ids),
        fixed_cost=pd.Series(fixed, index=site_ids),
        capacity=None if site_capacity is None else pd.Series(site_capacity, index=site_ids),
        cost_per="customer",
        source=str(path),
    )


def _is_float(token: bytes) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return True


def read_orlib_optima(path: str | Path) -> pd.DataFrame:
    """``orlib_optima.csv``: one row per instance, problem (CFLP/UFLP) and capacity."""
    path = Path(path)
    try:
        table = pd.read_csv(path)
    except (OSError, ValueError) as exc:
        raise DataError(f"{path}: cannot read the optima table: {exc}") from None
    need = {"instance", "problem", "capacity_substituted", "optimal_value"}
    if not need.issubset(table.columns):
        raise DataError(f"{path}: missing columns {sorted(need - set(table.columns))}")
    return table
