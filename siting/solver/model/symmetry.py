"""Symmetry breaking among identical candidate sites.

Sites s₁ < s₂ < … < s_k (in table order) are identical when every column the model reads
(``SITE_COLUMNS``: node, size limits, PUE, costs, grid node, coordinates), their PUE in
every period, their serving pairs (hub, cost, latency) and their spacing cliques are equal. Any plan can then permute
them, so it costs nothing to ask that they open in order:

    open[s_i] ≥ open[s_{i+1}]        for consecutive identical sites

Without it the branch-and-bound tree explores every permutation of the same plan.
A predefined site (``predefined``) must stay open and so is no longer interchangeable: it
belongs to no group.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from siting.inputs import SITE_COLUMNS, ModelInputs
from siting.solver.model._data import Data
from siting.solver.model._family import FamilySpec

FAMILY = FamilySpec("symmetry")


def identical_site_groups(inputs: ModelInputs) -> list[list]:
    """Groups (of two or more, in table order) of sites that the model cannot tell apart."""
    sites = inputs.sites
    if len(sites) < 2:
        return []
    fixed = set(inputs.params.predefined_sites)
    # cheap screen: identical sites share their size, fixed cost and serving costs
    serve = inputs.serve
    pos = sites.index.get_indexer(pd.Index(serve["site_id"]))
    cost = serve["cost_musd_per_mw_y"].to_numpy(float)
    hub = inputs.hubs.index.get_indexer(pd.Index(serve["hub_id"])).astype(float)
    numbers = np.column_stack(
        [
            sites[["module_mw", "max_modules", "open_cost_musd_y"]].to_numpy(float),
            np.bincount(pos, minlength=len(sites)),
            np.bincount(pos, cost, minlength=len(sites)),
            np.bincount(pos, cost * (hub + 1.0), minlength=len(sites)),
        ]
    )
    if len(np.unique(numbers, axis=0)) == len(sites):
        return []
    columns = sites[SITE_COLUMNS]
    if inputs.has_periods:
        pue = inputs.per_period("sites", "pue")
        columns = columns.join(pue.add_prefix("pue@"))
    keys = np.column_stack(
        [
            pd.util.hash_pandas_object(columns, index=False).to_numpy(),
            _multiset_hash(inputs.serve, ["hub_id", "cost_musd_per_mw_y", "rtt_ms"], sites.index),
            _multiset_hash(inputs.cliques, ["clique_id"], sites.index),
        ]
    )
    _, first, inverse, counts = np.unique(
        keys, axis=0, return_index=True, return_inverse=True, return_counts=True
    )
    groups = []
    for g in np.argsort(first):
        if counts[g] < 2:
            continue
        members = sites.index[np.flatnonzero(inverse.ravel() == g)].tolist()
        # a 64-bit hash collision must never merge different sites
        reference = _signature(inputs, members[0])
        same = [s for s in members if _equal(_signature(inputs, s), reference)]
        same = [s for s in same if s not in fixed]
        if len(same) > 1:
            groups.append(same)
    return groups


def _multiset_hash(rows: pd.DataFrame, columns: list[str], sites: pd.Index) -> np.ndarray:
    """Per site, an order-free hash of its rows in ``rows`` (keyed by ``site_id``)."""
    out = np.zeros(len(sites), dtype=np.uint64)
    if len(rows):
        h = pd.util.hash_pandas_object(rows[columns], index=False).to_numpy()
        mixed = (h ^ (h >> np.uint64(31))) * np.uint64(0x9E3779B97F4A7C15)
        np.add.at(out, sites.get_indexer(pd.Index(rows["site_id"])), mixed)
    return out


def _signature(inputs: ModelInputs, site: object) -> tuple[pd.DataFrame, pd.DataFrame]:
    row = inputs.sites.loc[[site], SITE_COLUMNS]
    if inputs.has_periods:
        row = row.join(inputs.per_period("sites", "pue").loc[[site]].add_prefix("pue@"))
    row = row.reset_index(drop=True)
    serve = inputs.serve[inputs.serve["site_id"] == site]
    serve = serve[["hub_id", "cost_musd_per_mw_y", "rtt_ms"]].sort_values("hub_id")
    return row, serve.reset_index(drop=True)


def _equal(a: tuple[pd.DataFrame, pd.DataFrame], b: tuple[pd.DataFrame, pd.DataFrame]) -> bool:
    return a[0].equals(b[0]) and a[1].equals(b[1])


def add(m: pyo.ConcreteModel, d: Data, elastic: bool) -> None:
    if not d.params.formulation.symmetry_breaking:
        return
    pairs = [
        pair for group in identical_site_groups(d.inputs) for pair in itertools.pairwise(group)
    ]
    if pairs:
        m.SYMMETRY = pyo.Set(initialize=pairs, dimen=2, ordered=True)
        m.symmetry = pyo.Constraint(m.SYMMETRY, rule=lambda m, a, b: m.open[a] >= m.open[b])
