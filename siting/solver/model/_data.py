"""Column lookups shared by the constraint families (plain dicts, fast to index)."""

from __future__ import annotations

from collections import defaultdict
from functools import cached_property

import numpy as np
import pandas as pd

from siting.inputs import ModelInputs


class Data:
    """Read-only views of ``ModelInputs`` as dictionaries keyed by id."""

    def __init__(self, inputs: ModelInputs, closed: frozenset = frozenset()) -> None:
        self.inputs = inputs
        self.params = inputs.params
        #: sites proven closed in every optimal plan (see ``fixing``): rows that only
        #: concern them are left out
        self.closed = closed

    @staticmethod
    def _col(frame: pd.DataFrame, column: str) -> dict:
        return dict(zip(frame.index.tolist(), frame[column].tolist(), strict=True))

    def site(self, column: str) -> dict:
        return self._col(self.inputs.sites, column)

    def node(self, column: str) -> dict:
        return self._col(self.inputs.nodes, column)

    def arc(self, column: str) -> dict:
        return self._col(self.inputs.arcs, column)

    @cached_property
    def max_it_mw(self) -> dict:
        return self._col(self.inputs.sites.assign(max_it=self.inputs.max_it_mw), "max_it")

    @cached_property
    def max_facility_mw(self) -> dict:
        s = self.inputs.sites
        return dict(zip(s.index.tolist(), (s["pue"] * self.inputs.max_it_mw).tolist(), strict=True))

    @cached_property
    def largest_module_mw(self) -> float:
        """The largest module's MW (1 without sites): the weight of a slack counted in sites."""
        sites = self.inputs.sites
        return float(sites["module_mw"].max()) if len(sites) else 1.0

    @cached_property
    def fields(self) -> list:
        n = self.inputs.nodes
        return n.index[n["supply_max_mw"] > 0].tolist()

    @cached_property
    def total_supply_mw(self) -> float:
        return float(self.inputs.nodes["supply_max_mw"].sum())

    @cached_property
    def arcs_in(self) -> dict[object, list]:
        out: dict[object, list] = defaultdict(list)
        for a, n in zip(
            self.inputs.arcs.index.tolist(), self.inputs.arcs["to_node"].tolist(), strict=True
        ):
            out[n].append(a)
        return out

    @cached_property
    def arcs_out(self) -> dict[object, list]:
        out: dict[object, list] = defaultdict(list)
        for a, n in zip(
            self.inputs.arcs.index.tolist(), self.inputs.arcs["from_node"].tolist(), strict=True
        ):
            out[n].append(a)
        return out

    @cached_property
    def sites_at(self) -> dict[object, list]:
        out: dict[object, list] = defaultdict(list)
        for s, n in zip(
            self.inputs.sites.index.tolist(), self.inputs.sites["node_id"].tolist(), strict=True
        ):
            out[n].append(s)
        return out

    @cached_property
    def grid_sites(self) -> dict[object, list]:
        """Sites that may connect to each grid node."""
        out: dict[object, list] = defaultdict(list)
        for s, g in zip(
            self.inputs.sites.index.tolist(), self.inputs.sites["grid_id"].tolist(), strict=True
        ):
            if g is not None and g == g:
                out[g].append(s)
        return out

    @cached_property
    def grid_of(self) -> dict:
        return {s: g for g, sites in self.grid_sites.items() for s in sites}

    @cached_property
    def grid_spare(self) -> dict:
        return self._col(self.inputs.grid_nodes, "spare_mw")

    @cached_property
    def grid_price_factor(self) -> dict:
        return self._col(self.inputs.grid_nodes, "price_factor")

    @cached_property
    def serve_pairs(self) -> list[tuple]:
        sv = self.inputs.serve
        return list(zip(sv["site_id"].tolist(), sv["hub_id"].tolist(), strict=True))

    @cached_property
    def serve_bound_mw(self) -> dict[tuple, float]:
        """U[s,h]: the most IT that site s ever needs to put towards hub h (see variables)."""
        return dict(zip(self.serve_pairs, self.serve_bound_array.tolist(), strict=True))

    @cached_property
    def serve_site_pos(self) -> np.ndarray:
        """Position in the site table of each serve row's site."""
        return self.inputs.sites.index.get_indexer(pd.Index(self.inputs.serve["site_id"]))

    @cached_property
    def serve_bound_array(self) -> np.ndarray:
        sv, hubs = self.inputs.serve, self.inputs.hubs
        max_it = self.inputs.max_it_mw.to_numpy(float)
        bound = max_it[self.serve_site_pos]
        if self.params.formulation.tight_bounds:
            required = hubs["demand_mw"].to_numpy(float) + hubs["share_of_it"].to_numpy(
                float
            ) * float(max_it.sum())
            bound = np.minimum(bound, required[hubs.index.get_indexer(pd.Index(sv["hub_id"]))])
        return bound

    @cached_property
    def full_size(self) -> frozenset:
        """Sites that may as well be built at full size when they open.

        Without an energy system, with IT costing nothing (no cost, no capex) and no hub
        asking for a share of IT, a bigger site costs the same and serves at least as much:
        some optimal plan builds every open site at full size.
        """
        p, sites, hubs = self.params, self.inputs.sites, self.inputs.hubs
        if p.energy_system or sites.empty or bool((hubs["share_of_it"] > 0).any()):
            return frozenset()
        free = (sites["it_cost_musd_per_mw_y"] == 0) & (sites["it_capex_musd_per_mw"] == 0)
        return frozenset(sites.index[free.to_numpy()].tolist())

    @cached_property
    def never_full(self) -> frozenset:
        """Full-size sites whose capacity can never bind: max_IT[s] ≥ Σ_h U[s,h].

        The strong links serve[s,h] ≤ U[s,h]·open[s] then imply Σ_h serve[s,h] ≤
        max_IT[s]·open[s], so the site's capacity row is redundant. Redundant dense capacity
        rows slow the solver badly on uncapacitated instances (15× on OR-Library capa), so
        they are left out.
        """
        f = self.params.formulation
        if not self.full_size or not (f.strong_linking and f.tight_bounds):
            return frozenset()
        sites = self.inputs.sites
        reach = np.bincount(self.serve_site_pos, self.serve_bound_array, minlength=len(sites))
        never = self.inputs.max_it_mw.to_numpy(float) >= reach * (1 - 1e-12)
        return frozenset(s for s in sites.index[never].tolist() if s in self.full_size)

    @cached_property
    def total_demand_mw(self) -> float:
        return float(self.inputs.hubs["demand_mw"].sum())
