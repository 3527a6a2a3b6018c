"""Column lookups shared by the constraint families (plain dicts, fast to index)."""

from __future__ import annotations

import math
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

    # -- periods ------------------------------------------------------------------------
    @cached_property
    def periods(self) -> list:
        return self.inputs.period_names

    @cached_property
    def weight(self) -> dict:
        return self._col(self.inputs.periods, "weight")

    @cached_property
    def scenarios(self) -> list:
        return list(dict.fromkeys(self.inputs.periods["scenario"].tolist()))

    @cached_property
    def scenario_of(self) -> dict:
        return self._col(self.inputs.periods, "scenario")

    def per_period(self, table: str, column: str) -> dict[tuple, float]:
        """{(id, period): value} of a per-period column (see ``ModelInputs.per_period``)."""
        wide = self.inputs.per_period(table, column)
        ids = wide.index.tolist()
        values = wide.to_numpy(float)
        return {
            (i, p): float(values[r, c])
            for r, i in enumerate(ids)
            for c, p in enumerate(self.periods)
        }

    @cached_property
    def pue(self) -> dict[tuple, float]:
        return self.per_period("sites", "pue")

    @cached_property
    def facility_mw(self) -> dict[tuple, float]:
        """PUE[s,p]·max_IT[s]: the most power site s ever draws in period p."""
        max_it = self.max_it_mw
        return {(s, p): v * max_it[s] for (s, p), v in self.pue.items()}

    @cached_property
    def max_facility_mw(self) -> dict:
        if not self.inputs.has_periods:
            s = self.inputs.sites
            return dict(
                zip(s.index.tolist(), (s["pue"] * self.inputs.max_it_mw).tolist(), strict=True)
            )
        out: dict = {}
        for (s, _p), v in self.facility_mw.items():
            out[s] = max(out.get(s, 0.0), v)
        return out

    # -- technologies ---------------------------------------------------------------------
    @cached_property
    def techs(self) -> list:
        """The menu's technologies that may be built (available), in table order."""
        t = self.inputs.technologies
        return t.index[t["available"].astype(bool).to_numpy()].tolist() if len(t) else []

    def tech(self, column: str) -> dict:
        return self._col(self.inputs.technologies, column)

    @cached_property
    def unit_bound(self) -> dict[tuple, int]:
        """U[s,t] = ⌈max facility MW / unit_t⌉ + 1 units, and no more than the national cap
        allows (⌊cap_t / unit_t⌋): no plan needs more."""
        unit, cap = self.tech("unit_mw"), self.tech("national_cap_mw")
        out = {}
        for s, fac in self.max_facility_mw.items():
            for t in self.techs:
                bound = math.ceil(fac / unit[t] - 1e-9) + 1
                if cap[t] == cap[t]:
                    bound = min(bound, math.floor(cap[t] / unit[t] + 1e-9))
                out[s, t] = max(int(bound), 0)
        return out

    # -- grid -------------------------------------------------------------------------------
    @cached_property
    def grid_spare_p(self) -> dict[tuple, float]:
        return self.per_period("grid_nodes", "spare_mw")

    @cached_property
    def indirect_factor(self) -> dict:
        """σ_gas[g]·HR[g]: MW of gas burnt at g's gas node per MW drawn from grid node g."""
        g = self.inputs.grid_nodes
        if not self.inputs.has_grid_fuel:
            return {}
        factor = g["gas_share"].to_numpy(float) * g["gas_heat_rate"].to_numpy(float)
        return {gid: f for gid, f in zip(g.index.tolist(), factor.tolist(), strict=True) if f > 0}

    @cached_property
    def indirect_at(self) -> dict[object, list[tuple]]:
        """Per network node: (site, σ·HR of its grid node) of every site whose grid power
        burns gas there."""
        out: dict[object, list[tuple]] = defaultdict(list)
        if not self.indirect_factor:
            return out
        feed = self.inputs.grid_column("gas_node")
        for g, f in self.indirect_factor.items():
            for s in self.grid_sites.get(g, ()):
                out[feed[g]].append((s, f))
        return out

    @cached_property
    def largest_module_mw(self) -> float:
        """The largest module's MW (1 without sites): the weight of a slack counted in sites."""
        sites = self.inputs.sites
        return float(sites["module_mw"].max()) if len(sites) else 1.0

    @cached_property
    def fields(self) -> list:
        """Nodes with supply (in some period)."""
        if self.inputs.has_periods:
            wide = self.inputs.per_period("nodes", "supply_max_mw")
            return wide.index[(wide > 0).any(axis=1).to_numpy()].tolist()
        n = self.inputs.nodes
        return n.index[n["supply_max_mw"] > 0].tolist()

    @cached_property
    def total_supply_mw(self) -> float:
        return float(self.inputs.nodes["supply_max_mw"].sum())

    @cached_property
    def total_supply_p(self) -> dict:
        """Σ_f supply_max[f,p] per period."""
        wide = self.inputs.per_period("nodes", "supply_max_mw")
        return {q: float(wide[q].sum()) for q in self.periods}

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
