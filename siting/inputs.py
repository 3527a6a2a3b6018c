"""``ModelInputs``: the plain tables (no geometry) that the MILP is built from.

Every coefficient is in internal units: MW, km, million USD (MUSD), MUSD per year for
annualised costs. Costs that depend on a site (remoteness, Arctic, connection distances)
are computed here once, so the model only multiplies coefficients by variables and the
checker can recompute every term from the same tables.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any, Literal

import networkx as nx
import numpy as np
import pandas as pd

from siting import geo
from siting.collector import paused
from siting.config import ANNUAL_PERIOD, Case, CostsConfig, FormulationConfig
from siting.errors import DataError
from siting.geodata import GeoData
from siting.notes import progress
from siting.prices import price_factor
from siting.technologies import TECH_COLUMNS, technology_table
from siting.units import (
    HOURS_PER_YEAR,
    Conversions,
    bcm_per_year_to_mw,
    currency_of,
)

if TYPE_CHECKING:
    from siting.candidates import Candidates

Objective = Literal["min_cost", "max_profit", "max_gas_use", "pareto", "max_cover", "min_cover"]

#: metrics a Pareto front can pair: (direction, unit). Remoteness is the IT-weighted distance
#: to the nearest town, Σ_s town_km[s]·IT[s].
PARETO_METRICS: dict[str, tuple[str, str]] = {
    "cost": ("min", "MUSD/y"),
    "gas": ("max", "MW"),
    "remoteness": ("min", "MW·km"),
}

#: USD/MWh of a constant 1 MW flow over a year → MUSD/y
MUSD_Y_PER_USD_PER_MWH = HOURS_PER_YEAR / 1e6
#: max_gas_use with a cost ceiling: MW of gas one MW of IT is worth in the tie-break (more
#: IT before lower cost among plans that burn the same gas)
GAS_USE_IT_WEIGHT = 1e-3


#: the covering objectives (maximal covering, location set covering)
COVER_OBJECTIVES = ("max_cover", "min_cover")


@dataclass(frozen=True)
class Params:
    """System-wide scalars.

    ``energy_system=False`` leaves out the gas network and on-site power (gas balance, arcs,
    fields, power balance, generation, grid): a site's IT capacity then needs no fuel, which
    is plain facility location (see :mod:`siting.facility_location`). ``formulation`` says
    how the MILP is written; it never changes the optimum.
    """

    objective: Objective = "min_cost"
    target_mw: float | None = None
    budget_musd: float | None = None
    max_sites: int | None = None
    min_sites: int | None = None
    generator_efficiency: float = 0.55
    reserve_margin: float = 0.0
    gas_cost_musd_per_mw_y: float = 0.0
    grid_energy_cost_musd_per_mw_y: float = 0.0
    compute_value_musd_per_mw_y: float = 0.0
    integer_modules: bool = True
    allow_gas: bool = True
    allow_grid: bool = True
    gas_use_cost_weight: float = 1e-4
    min_spacing_km: float | None = None
    max_rtt_ms: float | None = None
    mw_per_bcm_y: float = field(default_factory=lambda: bcm_per_year_to_mw(1.0))
    energy_system: bool = True
    formulation: FormulationConfig = field(default_factory=FormulationConfig)
    # objective "pareto": minimise Σ_k weight_k·σ_k·metric_k, σ = +1 to minimise, −1 to
    # maximise, with an optional bound on each metric (the ε-constraint method)
    pareto_metrics: tuple[str, str] | None = None
    pareto_weights: tuple[float, float] = (1.0, 0.0)
    pareto_bounds: tuple[float | None, float | None] = (None, None)
    # model v2: the reliability rule of the technology menu, the firm share credited to a
    # grid connection, and the max_gas_use objective's ceiling and counting
    reliability: Literal["none", "n_plus_1"] = "none"
    grid_firm_share: float = 0.0
    ceiling_usd_per_mwh: float | None = None
    count_indirect: bool = False
    gas_use_it_weight: float = 0.0
    # with a transport tariff: the least transport cost of the committed demand alone in
    # each period, in period order (MUSD/y; empty: none), see siting.solver.baseline
    transport_baseline_musd_y: tuple[float, ...] = ()
    #: the currencies the case writes generation capex and the grid price in, and their
    #: units per USD: break-even capex and grid prices are also stated in them
    capex_currency: str = "USD"
    capex_per_usd: float = 1.0
    price_currency: str = "USD"
    price_per_usd: float = 1.0
    # facility location: sites that must stay open, and whether they serve their whole
    # capacity; the covering objectives read each hub's ``cover_weight`` (see
    # siting.solver.model.coverage)
    predefined_sites: tuple[str, ...] = ()
    fill_predefined: bool = False

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {f.name: getattr(self, f.name) for f in fields(self)}
        out["formulation"] = self.formulation.model_dump()
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Params:
        """Inverse of :meth:`to_dict` (run folders written before a key existed get its default)."""
        values = dict(data)
        if "formulation" in values:
            values["formulation"] = FormulationConfig(**values["formulation"])
        for key in (
            "pareto_metrics",
            "pareto_weights",
            "pareto_bounds",
            "transport_baseline_musd_y",
            "predefined_sites",
        ):
            if values.get(key) is not None:
                values[key] = tuple(values[key])
        return cls(**values)


NODE_COLUMNS = ["kind", "name", "lon", "lat", "supply_max_mw", "demand_mw"]
ARC_COLUMNS = ["from_node", "to_node", "capacity_mw", "length_km", "cost_musd_per_mw_y"]
SITE_COLUMNS = [
    "node_id",
    "lon",
    "lat",
    "module_mw",
    "min_modules",
    "max_modules",
    "pue",
    "capex_multiplier",
    "open_cost_musd_y",
    "it_cost_musd_per_mw_y",
    "gen_cost_musd_per_mw_y",
    "gas_price_factor",
    "grid_id",
    "grid_link_cost_musd_y",
    "open_capex_musd",
    "it_capex_musd_per_mw",
    "gen_capex_musd_per_mw",
    "grid_link_capex_musd",
]
GRID_COLUMNS = ["spare_mw", "price_factor"]
HUB_COLUMNS = ["demand_mw", "share_of_it"]
#: grid node columns of model v2 (absent: no gas share, no capacity or connection charge)
GRID_V2_COLUMNS = [
    "gas_share",
    "gas_heat_rate",
    "gas_node",
    "capacity_charge_musd_per_mw_y",
    "connection_charge_musd_per_mw",
    "connection_cost_musd_per_mw_y",
]
PERIOD_TABLE_COLUMNS = ["weight", "scenario"]
#: per-period values: table → (long table attribute, its id column, the annual columns)
PERIOD_VALUES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "nodes": ("node_periods", "node_id", ("supply_max_mw", "demand_mw")),
    "arcs": ("arc_periods", "arc_id", ("capacity_mw",)),
    "grid_nodes": ("grid_periods", "grid_id", ("spare_mw",)),
    "sites": ("site_periods", "site_id", ("pue",)),
}
SERVE_COLUMNS = ["site_id", "hub_id", "rtt_ms", "cost_musd_per_mw_y"]
CLIQUE_COLUMNS = ["clique_id", "site_id"]


def annual_periods() -> pd.DataFrame:
    """The one period of a model without representative periods: the year, weight 1."""
    return pd.DataFrame(
        {"weight": [1.0], "scenario": ["base"]}, index=pd.Index([ANNUAL_PERIOD], name="period")
    )


def _empty_long(id_column: str, columns: tuple[str, ...]) -> pd.DataFrame:
    index = pd.MultiIndex.from_arrays([[], []], names=[id_column, "period"])
    return pd.DataFrame({c: pd.Series(dtype=float) for c in columns}, index=index)


def _long_default(table: str) -> pd.DataFrame:
    _attr, id_column, columns = PERIOD_VALUES[table]
    return _empty_long(id_column, columns)


@dataclass(frozen=True)
class ModelInputs:
    """The MILP's data. Indexed tables; ``validate()`` checks their consistency.

    Model v2 adds (each optional; without them the model is the annual one-technology model):

    - ``periods``: representative periods with their weight (Σ = 1) and scenario;
    - ``node_periods``, ``arc_periods``, ``grid_periods``, ``site_periods``: long tables keyed
      (id, period) with the per-period values of the annual columns named in
      :data:`PERIOD_VALUES` (empty: the annual value in every period);
    - ``technologies``: the on-site technology menu (empty: one continuous technology);
    - grid node columns :data:`GRID_V2_COLUMNS` (gas share and its heat rate and feeding
      node, capacity and connection charges).
    """

    nodes: pd.DataFrame
    arcs: pd.DataFrame
    sites: pd.DataFrame
    params: Params
    grid_nodes: pd.DataFrame = field(default_factory=lambda: _empty(GRID_COLUMNS, "grid_id"))
    hubs: pd.DataFrame = field(default_factory=lambda: _empty(HUB_COLUMNS, "hub_id"))
    serve: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=SERVE_COLUMNS))
    cliques: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=CLIQUE_COLUMNS))
    periods: pd.DataFrame = field(default_factory=annual_periods)
    technologies: pd.DataFrame = field(default_factory=lambda: _empty(TECH_COLUMNS, "tech_id"))
    node_periods: pd.DataFrame = field(default_factory=lambda: _long_default("nodes"))
    arc_periods: pd.DataFrame = field(default_factory=lambda: _long_default("arcs"))
    grid_periods: pd.DataFrame = field(default_factory=lambda: _long_default("grid_nodes"))
    site_periods: pd.DataFrame = field(default_factory=lambda: _long_default("sites"))

    def with_params(self, **changes: Any) -> ModelInputs:
        return replace(self, params=replace(self.params, **changes))

    @property
    def period_names(self) -> list:
        return self.periods.index.tolist()

    @property
    def has_periods(self) -> bool:
        """More than one period, or per-period values that differ from the annual ones."""
        return len(self.periods) > 1 or any(
            len(getattr(self, attr)) for attr, _i, _c in PERIOD_VALUES.values()
        )

    @property
    def transport_baseline_musd_y(self) -> dict:
        """Per period: the least transport cost of the committed demand alone (MUSD/y, 0
        without a tariff), which the plan's transport cost is counted above."""
        values = self.params.transport_baseline_musd_y or (0.0,) * len(self.periods)
        return dict(zip(self.period_names, values, strict=True))

    @property
    def has_menu(self) -> bool:
        return len(self.technologies) > 0

    @property
    def has_grid_fuel(self) -> bool:
        g = self.grid_nodes
        return "gas_share" in g.columns and bool((g["gas_share"] > 0).any())

    @property
    def has_grid_charges(self) -> bool:
        """Whether sites contract a grid capacity: a capacity or connection charge, or a
        firm share credited to the grid connection."""
        g = self.grid_nodes
        charged = any(
            c in g.columns and bool((g[c] > 0).any())
            for c in ("capacity_charge_musd_per_mw_y", "connection_cost_musd_per_mw_y")
        )
        return charged or (self.has_menu and self.params.grid_firm_share > 0)

    @property
    def is_v2(self) -> bool:
        """Whether any model v2 feature is in use (else the model is the v1 model)."""
        return (
            self.has_periods
            or self.has_menu
            or self.has_grid_fuel
            or self.has_grid_charges
            or self.params.ceiling_usd_per_mwh is not None
        )

    def grid_column(self, column: str) -> pd.Series:
        """A model v2 grid node column, zeros (or None for ``gas_node``) where absent."""
        g = self.grid_nodes
        if column in g.columns:
            return g[column]
        if column == "gas_node":
            return pd.Series([None] * len(g), index=g.index, dtype=object)
        return pd.Series(0.0, index=g.index)

    def per_period(self, table: str, column: str) -> pd.DataFrame:
        """The values of ``column`` of ``table`` (nodes, arcs, grid_nodes, sites) in every
        period: one row per id, one column per period."""
        attr, _id, _cols = PERIOD_VALUES[table]
        base = getattr(self, table)
        periods = self.period_names
        long = getattr(self, attr)
        if len(long) == 0:
            values = np.repeat(base[column].to_numpy(float)[:, None], len(periods), axis=1)
            return pd.DataFrame(values, index=base.index, columns=pd.Index(periods, name="period"))
        wide = long[column].unstack("period")
        return wide.reindex(index=base.index, columns=periods).astype(float)

    def period_view(self, period: object) -> ModelInputs:
        """The inputs of one period as an annual model (its values in the annual columns)."""
        # tables by field name; typed Any as replace() checks ** against every field's type
        changes: dict[str, Any] = {}
        for table, (attr, _id, columns) in PERIOD_VALUES.items():
            frame = getattr(self, table).copy()
            for column in columns:
                frame[column] = self.per_period(table, column)[period].to_numpy(float)
            changes[table] = frame
            changes[attr] = _long_default(table)
        return replace(self, **changes, periods=annual_periods())

    def validate(self) -> ModelInputs:
        """Raise DataError on dangling references or impossible values."""
        nodes = self.nodes.index
        for col in ("from_node", "to_node"):
            bad = ~_known(self.arcs[col], nodes)
            if bad.any():
                raise DataError(
                    f"arc {self.arcs.index[bad][0]}: {col} {self.arcs[col][bad].iloc[0]!r} is not a node"
                )
        bad = ~_known(self.sites["node_id"], nodes)
        if self.params.energy_system and bad.any():
            raise DataError(f"site {self.sites.index[bad][0]}: node_id is not a node")
        grid = self.sites["grid_id"].dropna()
        bad = ~_known(grid, self.grid_nodes.index)
        if bad.any():
            raise DataError(
                f"site {grid.index[bad][0]}: grid_id {grid[bad].iloc[0]!r} is not a grid node"
            )
        for name, frame, cols in (
            ("node", self.nodes, ["supply_max_mw", "demand_mw"]),
            ("arc", self.arcs, ["capacity_mw"]),
            ("site", self.sites, ["module_mw", "min_modules", "max_modules", "pue"]),
            ("grid node", self.grid_nodes, ["spare_mw"]),
        ):
            for col in cols:
                values = frame[col].to_numpy(dtype=float)
                bad_v = ~np.isfinite(values) | (values < 0)
                if bad_v.any():
                    raise DataError(f"{name} {frame.index[bad_v][0]}: {col} must be finite and ≥ 0")
        if (self.sites["min_modules"] > self.sites["max_modules"]).any():
            s = self.sites.index[self.sites["min_modules"] > self.sites["max_modules"]][0]
            raise DataError(f"site {s}: min_modules > max_modules")
        dup = self.serve.duplicated(["site_id", "hub_id"])
        if dup.any():
            row = self.serve[dup].iloc[0]
            raise DataError(f"serve: the pair {row['site_id']}→{row['hub_id']} appears twice")
        if not _known(self.serve["site_id"], self.sites.index).all():
            raise DataError("serve: a site_id is not a site")
        if not _known(self.serve["hub_id"], self.hubs.index).all():
            raise DataError("serve: a hub_id is not a hub")
        for col in ("demand_mw", "share_of_it"):
            values = self.hubs[col].to_numpy(dtype=float)
            bad_v = ~np.isfinite(values) | (values < 0)
            if bad_v.any():
                raise DataError(f"hub {self.hubs.index[bad_v][0]}: {col} must be finite and ≥ 0")
        # the tightened serve bounds rely on serving never paying: see model/linking.py
        cost = self.serve["cost_musd_per_mw_y"].to_numpy(dtype=float)
        bad_c = ~np.isfinite(cost) | (cost < 0)
        if bad_c.any():
            row = self.serve[bad_c].iloc[0]
            raise DataError(
                f"serve {row['site_id']}→{row['hub_id']}: cost_musd_per_mw_y must be finite and ≥ 0"
            )
        p = self.params
        if not p.energy_system and p.objective == "max_gas_use":
            raise DataError("max_gas_use needs the energy system: nothing burns gas without it")
        if p.min_sites is not None and p.max_sites is not None and p.min_sites > p.max_sites:
            raise DataError(f"min_sites ({p.min_sites}) is larger than max_sites ({p.max_sites})")
        if not _known(self.cliques["site_id"], self.sites.index).all():
            raise DataError("cliques: a site_id is not a site")
        unknown = [s for s in p.predefined_sites if s not in self.sites.index]
        if unknown:
            raise DataError(f"predefined site {unknown[0]!r} is not a candidate site")
        if p.objective in COVER_OBJECTIVES:
            if p.energy_system:
                raise DataError(f"{p.objective} is a facility-location objective: no energy system")
            weight = self.hubs.get("cover_weight")
            if weight is None:
                raise DataError(f"{p.objective} needs a cover_weight column in the hub table")
            bad_w = ~np.isfinite(weight.to_numpy(float)) | (weight.to_numpy(float) < 0)
            if bad_w.any():
                raise DataError(f"hub {self.hubs.index[bad_w][0]}: cover_weight must be ≥ 0")
        self._validate_v2()
        return self

    def _validate_v2(self) -> None:
        """The model v2 tables: periods, per-period values, technologies, grid fuel."""
        w = self.periods["weight"].to_numpy(float)
        if len(w) == 0 or not np.isfinite(w).all() or (w <= 0).any():
            raise DataError("periods: every period needs a weight > 0")
        if abs(w.sum() - 1.0) > 1e-6:
            raise DataError(f"periods: the weights sum to {w.sum():.6g}; they must sum to 1")
        periods = set(self.period_names)
        for table, (attr, id_column, columns) in PERIOD_VALUES.items():
            long = getattr(self, attr)
            if len(long) == 0:
                continue
            ids = getattr(self, table).index
            expected = pd.MultiIndex.from_product([ids, self.period_names])
            if len(long) != len(expected) or not long.index.isin(expected).all():
                raise DataError(
                    f"{attr}: needs one row per {id_column} and period "
                    f"({len(ids)} × {len(periods)}), has {len(long)}"
                )
            for column in columns:
                values = long[column].to_numpy(float)
                bad = ~np.isfinite(values) | (values < 0)
                if bad.any():
                    raise DataError(f"{attr} {long.index[bad][0]}: {column} must be finite and ≥ 0")
        tech = self.technologies
        for column, low in (("unit_mw", 0.0), ("efficiency", 0.0)):
            values = tech[column].to_numpy(float)
            bad = ~np.isfinite(values) | (values <= low)
            if bad.any():
                raise DataError(f"technology {tech.index[bad][0]}: {column} must be > 0")
        if (tech["efficiency"].to_numpy(float) > 1).any():
            raise DataError("technology: an efficiency above 1 is impossible")
        g = self.grid_nodes
        if "gas_share" in g.columns:
            share = g["gas_share"].to_numpy(float)
            rate = g["gas_heat_rate"].to_numpy(float)
            bad = (share < 0) | (share > 1) | ((share > 0) & ~(rate >= 1))
            if bad.any():
                raise DataError(
                    f"grid node {g.index[bad][0]}: gas_share must be in [0, 1] and its "
                    "gas_heat_rate ≥ 1"
                )
            fed = g.index[share > 0]
            unknown = [x for x in g.loc[fed, "gas_node"] if x not in set(self.nodes.index)]
            if unknown:
                raise DataError(f"grid: gas_node {unknown[0]!r} is not a network node")
        p = self.params
        if not 0 <= p.grid_firm_share <= 1:
            raise DataError("grid_firm_share must be in [0, 1]")
        if p.reliability != "none" and not self.has_menu:
            raise DataError("a reliability rule needs a technology menu")

    @property
    def max_it_mw(self) -> pd.Series:
        return self.sites["module_mw"] * self.sites["max_modules"]


def _known(values: pd.Series, index: pd.Index) -> np.ndarray:
    """Whether each value is in ``index`` (a lookup in the index's hash table)."""
    if index.is_unique:
        return np.asarray(index.get_indexer(pd.Index(values)) >= 0)
    return values.isin(index).to_numpy()


def _empty(columns: list[str], index: str) -> pd.DataFrame:
    df = pd.DataFrame(columns=columns)
    df.index.name = index
    return df


@paused()
def build_inputs(candidates: Candidates, data: GeoData, case: Case) -> ModelInputs:
    """Turn the network with sites, the layers and the case into model tables."""
    graph = candidates.graph
    nodes = _nodes_table(graph)
    arcs = _arcs_table(graph, case.costs.transport_tariff(case.conversions))
    eligible = candidates.eligible.copy()
    eligible["node_id"] = np.where(
        eligible["on"] == "node", eligible["node_id"], eligible["site_id"]
    )
    grid = data.grid
    grid_nodes = (
        pd.DataFrame(
            {
                "spare_mw": grid["spare_mw"].to_numpy(float),
                "price_factor": price_factor(
                    grid["energy_price_usd_per_mwh"].to_numpy(float),
                    grid["energy_price_usd_per_mwh"].to_numpy(float),
                ),
            },
            index=pd.Index(grid["grid_id"].to_numpy(), name="grid_id"),
        )
        if grid is not None
        else _empty(GRID_COLUMNS, "grid_id")
    )
    sites = site_table(eligible, case)
    params = params_from_case(case)
    hubs, serve = _hubs_tables(eligible, data, case)
    cliques = spacing_cliques(sites, case.objective.min_spacing_km)
    inputs = ModelInputs(nodes, arcs, sites, params, grid_nodes, hubs, serve, cliques)
    return with_transport_baseline(with_v2_tables(inputs, graph, data, case)).validate()


def with_transport_baseline(inputs: ModelInputs) -> ModelInputs:
    """``inputs`` with each period's least transport cost of the committed demand alone
    (``Params.transport_baseline_musd_y``, see :mod:`siting.solver.baseline`), when arcs
    carry a transport cost; unchanged otherwise."""
    if not inputs.params.energy_system or not inputs.arcs["cost_musd_per_mw_y"].any():
        return inputs
    from siting.solver.baseline import transport_baseline

    baseline = transport_baseline(inputs).reindex(inputs.periods.index)
    # a period whose committed demand cannot be met has no plan: the checks say why
    return inputs.with_params(
        transport_baseline_musd_y=tuple(baseline.fillna(0.0).to_numpy(float).tolist())
    )


def with_v2_tables(inputs: ModelInputs, graph: nx.Graph, data: GeoData, case: Case) -> ModelInputs:
    """``inputs`` with the model v2 tables the case asks for: periods and per-period values,
    the technology menu, and the grid nodes' fuel and charges (unchanged for a v1 case)."""
    from siting import periods as per
    from siting.grid_fuel import grid_v2_table

    # tables by field name; typed Any as replace() checks ** against every field's type
    changes: dict[str, Any] = {}
    extra = grid_v2_table(inputs.grid_nodes.index, data, graph, case)
    if len(extra.columns):
        changes["grid_nodes"] = inputs.grid_nodes.join(extra)
    if case.technology.menu:
        changes["technologies"] = technology_table(case)
    if case.periods:
        changes["periods"] = per.periods_table(case)
        changes["node_periods"] = per.node_periods(inputs.nodes, data, case)
        changes["arc_periods"] = per.arc_periods(inputs.arcs, graph, data, case)
        changes["grid_periods"] = per.grid_periods(inputs.grid_nodes, data, case)
        changes["site_periods"] = per.site_periods(inputs.sites, data, case)
    return replace(inputs, **changes) if changes else inputs


def params_from_case(case: Case) -> Params:
    """The system-wide scalars of a case, in internal units."""
    conv = case.conversions
    obj = case.objective
    tech = case.technology
    return Params(
        objective=obj.sense,
        target_mw=obj.target_it.to_internal(conv) if obj.target_it is not None else None,
        budget_musd=obj.budget.to_internal(conv) if obj.budget is not None else None,
        max_sites=obj.max_sites,
        min_sites=obj.min_sites,
        generator_efficiency=tech.generator_efficiency,
        reserve_margin=1.0 / tech.n_plus_one_units if tech.n_plus_one_units else 0.0,
        gas_cost_musd_per_mw_y=case.costs.gas_price.to_internal(conv) * MUSD_Y_PER_USD_PER_MWH,
        grid_energy_cost_musd_per_mw_y=case.costs.grid_price.to_internal(conv)
        * MUSD_Y_PER_USD_PER_MWH,
        compute_value_musd_per_mw_y=case.costs.compute_value.to_internal(conv),
        integer_modules=tech.integer_modules,
        allow_gas=tech.allow_gas,
        allow_grid=tech.allow_grid,
        gas_use_cost_weight=obj.gas_use_cost_weight,
        min_spacing_km=obj.min_spacing_km,
        max_rtt_ms=obj.hubs.max_rtt_ms if obj.hubs is not None else None,
        mw_per_bcm_y=bcm_per_year_to_mw(1.0, conv),
        formulation=case.formulation,
        reliability=tech.reliability.rule if tech.menu and tech.reliability else "none",
        grid_firm_share=tech.reliability.grid_firm_share if tech.menu and tech.reliability else 0.0,
        ceiling_usd_per_mwh=obj.ceiling_usd_per_mwh,
        count_indirect=obj.count_indirect,
        gas_use_it_weight=(
            obj.gas_use_it_weight
            if obj.gas_use_it_weight is not None
            else (GAS_USE_IT_WEIGHT if obj.ceiling_usd_per_mwh is not None else 0.0)
        ),
        capex_currency=(capex_cur := capex_currency(case)),
        capex_per_usd=currency_per_usd(capex_cur, conv),
        price_currency=(price_cur := currency_of(case.costs.grid_price.unit)),
        price_per_usd=currency_per_usd(price_cur, conv),
    )


def capex_currency(case: Case) -> str:
    """The currency the case writes on-site generation capex in: the most frequent one of
    the menu's capex (or ``costs.generation_capex`` without a menu); USD on a tie."""
    menu = case.technology.menu
    units = [t.capex.unit for t in menu.values()] if menu else [case.costs.generation_capex.unit]
    counts: dict[str, int] = {}
    for unit in units:
        cur = currency_of(unit)
        counts[cur] = counts.get(cur, 0) + 1
    best = max(counts.values())
    tied = sorted(c for c, n in counts.items() if n == best)
    return "USD" if "USD" in tied else tied[0]


def currency_per_usd(currency: str, conv: Conversions) -> float:
    """Units of ``currency`` per USD at the case's exchange rates."""
    return {"USD": 1.0, "RUB": conv.rub_per_usd, "EUR": conv.eur_per_usd}[currency]


def _nodes_table(graph: nx.Graph) -> pd.DataFrame:
    ids, attrs = zip(*graph.nodes(data=True), strict=True) if len(graph) else ((), ())
    return pd.DataFrame(
        {
            "kind": [d["kind"] for d in attrs],
            "name": [d["name"] for d in attrs],
            "lon": [d["lon"] for d in attrs],
            "lat": [d["lat"] for d in attrs],
            "supply_max_mw": np.array([d["supply_mw"] for d in attrs], float),
            "demand_mw": np.array([d["demand_mw"] for d in attrs], float),
        },
        index=pd.Index(list(ids), name="node_id"),
        columns=NODE_COLUMNS,
    )


def _arcs_table(graph: nx.Graph, tariff_usd_per_mwh_per_1000km: float) -> pd.DataFrame:
    """Each corridor as an arc u→v and an arc v→u, where it has capacity that way."""
    edges = [d for _, _, d in graph.edges(data=True)]
    if not edges:
        return pd.DataFrame(columns=["arc_id", *ARC_COLUMNS, "corridor"]).set_index("arc_id")
    u = np.array([d["u"] for d in edges], dtype=object)
    v = np.array([d["v"] for d in edges], dtype=object)
    # arcs in corridor order, u→v before v→u
    start = np.column_stack([u, v]).ravel()
    end = np.column_stack([v, u]).ravel()
    capacity = np.column_stack(
        [[float(d["capacity_uv_mw"]) for d in edges], [float(d["capacity_vu_mw"]) for d in edges]]
    ).ravel()
    length_km = np.repeat(np.array([float(d["length_km"]) for d in edges]), 2)
    corridor = np.repeat(np.array([d.get("names", "") for d in edges], dtype=object), 2)
    keep = capacity > 0
    start, end, length_km = start[keep], end[keep], length_km[keep]
    return pd.DataFrame(
        {
            "from_node": start,
            "to_node": end,
            "capacity_mw": capacity[keep],
            "length_km": length_km,
            "cost_musd_per_mw_y": tariff_usd_per_mwh_per_1000km
            * length_km
            / 1000.0
            * MUSD_Y_PER_USD_PER_MWH,
            "corridor": corridor[keep],
        },
        index=pd.Index([f"{a}>{b}" for a, b in zip(start, end, strict=True)], name="arc_id"),
        columns=[*ARC_COLUMNS, "corridor"],
    )


def capex_multiplier(sites: pd.DataFrame, costs: CostsConfig) -> np.ndarray:
    """Building capex multiplier of each site: its remoteness multiplier times the larger of
    the Arctic and permafrost multipliers where they apply (1 elsewhere)."""
    return sites["remoteness_multiplier"].to_numpy(float) * np.maximum(
        np.where(sites["arctic"], costs.arctic_multiplier, 1.0),
        np.where(sites["permafrost"], costs.permafrost_multiplier, 1.0),
    )


def site_table(candidates: pd.DataFrame, case: Case) -> pd.DataFrame:
    """Per-site sizes and cost coefficients from candidate attributes and the case."""
    conv = case.conversions
    costs, tech = case.costs, case.technology
    m = capex_multiplier(candidates, costs)
    cold = (candidates["arctic"] | candidates["permafrost"]).to_numpy(bool)
    fiber_km = candidates["fiber_km"].to_numpy(float)
    grid_km = candidates["grid_km"].to_numpy(float)
    has_grid = np.isfinite(grid_km) & candidates["grid_id"].notna().to_numpy()
    no_grid = np.array(None, dtype=object)
    site_capex = costs.site_capex.to_internal(conv)
    fiber_capex = costs.fiber_capex.to_internal(conv) * np.where(
        cold, costs.fiber_cold_multiplier, 1.0
    )
    facility = costs.facility_capex.to_internal(conv)
    generation = costs.generation_capex.to_internal(conv)
    line = costs.grid_line_capex.to_internal(conv) * np.where(
        cold, costs.grid_line_cold_multiplier, 1.0
    )
    connection = costs.grid_connection_capex.to_internal(conv)
    crf = {k: costs.crf(k) for k in ("site", "fiber", "facility", "generation", "grid")}
    grid_link_capex = np.where(has_grid, line * np.where(has_grid, grid_km, 0.0) + connection, 0.0)
    df = pd.DataFrame(
        {
            "node_id": candidates["node_id"].to_numpy(),
            "lon": candidates["lon"].to_numpy(float),
            "lat": candidates["lat"].to_numpy(float),
            "module_mw": tech.module_size.to_internal(conv),
            "min_modules": tech.min_modules,
            "max_modules": tech.max_modules,
            "pue": candidates["pue"].to_numpy(float),
            "capex_multiplier": m,
            "open_cost_musd_y": crf["site"] * site_capex * m
            + crf["fiber"] * fiber_capex * fiber_km,
            "it_cost_musd_per_mw_y": (crf["facility"] + costs.om_fraction) * facility * m,
            "gen_cost_musd_per_mw_y": (crf["generation"] + costs.om_fraction) * generation * m,
            "gas_price_factor": candidates["gas_price_factor"].to_numpy(float),
            "grid_id": np.where(has_grid, candidates["grid_id"].to_numpy(dtype=object), no_grid),
            "grid_link_cost_musd_y": crf["grid"] * grid_link_capex,
            "open_capex_musd": site_capex * m + fiber_capex * fiber_km,
            "it_capex_musd_per_mw": facility * m,
            "gen_capex_musd_per_mw": generation * m,
            "grid_link_capex_musd": grid_link_capex,
            "town_km": candidates["town_km"].to_numpy(float),
            "place": candidates["town"].astype(str).to_numpy()
            if "town" in candidates.columns
            else candidates["site_id"].astype(str).to_numpy(),
        },
        index=pd.Index(candidates["site_id"].to_numpy(), name="site_id"),
    )
    return df


def _hubs_tables(
    eligible: pd.DataFrame, data: GeoData, case: Case
) -> tuple[pd.DataFrame, pd.DataFrame]:
    cfg = case.objective.hubs
    if cfg is None:
        return _empty(HUB_COLUMNS, "hub_id"), pd.DataFrame(columns=SERVE_COLUMNS)
    if data.hubs is None or len(data.hubs) == 0:
        raise DataError("objective.hubs is set but the case has no hubs layer (layers.hubs)")
    chosen = data.hubs
    if cfg.hub_ids is not None:
        unknown = sorted(set(cfg.hub_ids) - set(chosen["hub_id"]))
        if unknown:
            raise DataError(
                f"objective.hubs.hub_ids: unknown hub(s) {', '.join(unknown)}; the hubs layer has "
                f"{', '.join(map(str, chosen['hub_id']))}"
            )
        chosen = chosen[chosen["hub_id"].isin(cfg.hub_ids)]
    weights = chosen["weight"].to_numpy(float)
    if weights.sum() <= 0:
        raise DataError("layer hubs: the weights sum to zero")
    w = weights / weights.sum()
    total = cfg.demand.to_internal(case.conversions) if cfg.demand is not None else 0.0
    hubs = pd.DataFrame(
        {"demand_mw": total * w, "share_of_it": cfg.share_of_it * w},
        index=pd.Index(chosen["hub_id"].to_numpy(), name="hub_id"),
    )
    hx, hy = chosen.geometry.x.to_numpy(), chosen.geometry.y.to_numpy()
    s_idx = np.repeat(np.arange(len(eligible)), len(hubs))
    h_idx = np.tile(np.arange(len(hubs)), len(eligible))
    km = geo.geodesic_km(
        eligible["lon"].to_numpy()[s_idx], eligible["lat"].to_numpy()[s_idx], hx[h_idx], hy[h_idx]
    )
    rtt = km * cfg.route_factor * cfg.rtt_ms_per_km
    ok = rtt <= cfg.max_rtt_ms
    serve = pd.DataFrame(
        {
            "site_id": eligible["site_id"].to_numpy()[s_idx[ok]],
            "hub_id": hubs.index.to_numpy()[h_idx[ok]],
            "rtt_ms": rtt[ok],
            "cost_musd_per_mw_y": 0.0,
        }
    )
    return hubs, serve


def spacing_cliques(sites: pd.DataFrame, min_spacing_km: float | None) -> pd.DataFrame:
    """Cliques of sites closer than ``min_spacing_km`` to each other, covering every such pair.

    At most one site of each clique may open. Cliques are grown greedily from each uncovered
    conflicting pair, which gives the stronger clique inequalities instead of one constraint
    per pair: the pairs are taken in order of their site numbers, and a clique started from
    a pair takes in, by decreasing number of conflicts, every common neighbour that conflicts
    with all its members. A pair is covered once both its sites are in one clique.
    """
    if not min_spacing_km or len(sites) < 2:
        return pd.DataFrame(columns=CLIQUE_COLUMNS)
    i, j = geo.close_pairs(sites["lon"].to_numpy(), sites["lat"].to_numpy(), min_spacing_km)
    if not len(i):
        return pd.DataFrame(columns=CLIQUE_COLUMNS)
    graph = _conflict_graph(i, j, len(sites))
    nbrs, fewer_first = graph.neighbours, graph.negative_degree.__getitem__
    member_of: list[set[int]] = [set() for _ in range(len(sites))]
    cliques: list[list[int]] = []
    advance = progress(f"spacing cliques of {len(sites):,} sites", len(graph.lead))
    for k, (a, b) in enumerate(zip(graph.lead, graph.follow, strict=True)):
        if k % 4096 == 0:
            advance(k)
        if not member_of[a].isdisjoint(member_of[b]):
            continue
        clique = [a, b]
        members = {a, b}
        for w in sorted(nbrs[a] & nbrs[b], key=fewer_first):
            if members <= nbrs[w]:
                clique.append(w)
                members.add(w)
        for c in clique:
            member_of[c].add(len(cliques))
        cliques.append(sorted(clique))
    sizes = [len(c) for c in cliques]
    ids = sites.index.to_numpy()
    return pd.DataFrame(
        {
            "clique_id": np.repeat(np.arange(len(cliques)), sizes),
            "site_id": ids[np.fromiter(itertools.chain.from_iterable(cliques), np.int64)],
        },
        columns=CLIQUE_COLUMNS,
    )


@dataclass(frozen=True)
class _ConflictGraph:
    neighbours: list[set[int]]  # of every site
    negative_degree: list[int]  # −(number of neighbours) of every site
    lead: list[int]  # every pair once, by (lower, higher) site number: the site seen first
    follow: list[int]  # … and the other


def _conflict_graph(i: np.ndarray, j: np.ndarray, n: int) -> _ConflictGraph:
    """The conflict graph of the close pairs ``i < j``.

    Each neighbour set is filled in the order the pairs were found, and each pair is led by
    the site that first appears in them, as a graph built pair by pair holds them: the greedy
    cliques, whose ties fall to the order of set intersections, come out the same."""
    node = np.column_stack([i, j]).ravel()
    other = np.column_stack([j, i]).ravel()
    order = np.argsort(node, kind="stable")
    start = np.searchsorted(node[order], np.arange(n + 1))
    flat = other[order].tolist()
    bounds = start.tolist()
    neighbours = [set(flat[bounds[k] : bounds[k + 1]]) for k in range(n)]
    # the stable sort keeps each site's first appearance first
    first_seen = np.full(n, len(node))
    seen = start[:-1] < start[1:]
    first_seen[seen] = order[start[:-1][seen]]
    lead_i = first_seen[i] < first_seen[j]
    o = np.lexsort((j, i))
    return _ConflictGraph(
        neighbours,
        (-np.diff(start)).tolist(),
        np.where(lead_i, i, j)[o].tolist(),
        np.where(lead_i, j, i)[o].tolist(),
    )
