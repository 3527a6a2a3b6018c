"""The case schema: frozen, strict pydantic models for what to solve.

A case names its geodata layers, its cost and technology assumptions, its candidate rules,
its objective and its solver settings. Named scenarios are partial cases merged over the
base (dictionaries merge key by key, everything else is replaced). Quantities are written
with their unit (``"5 GW"``, ``"3870 RUB/1000m3"``) and converted to internal units by
:func:`siting.units.Quantity.to_internal`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PrivateAttr,
    ValidationError,
    model_validator,
)

from siting.units import Conversions, Quantity, capital_recovery_factor, parse_quantity


def _parser(kind: str) -> Callable[[object], Quantity]:
    return lambda v: parse_quantity(v, kind)


_AS_TEXT = PlainSerializer(str, return_type=str)
Power = Annotated[Quantity, BeforeValidator(_parser("power")), _AS_TEXT]
GasFlow = Annotated[Quantity, BeforeValidator(_parser("gas_flow")), _AS_TEXT]
Money = Annotated[Quantity, BeforeValidator(_parser("money")), _AS_TEXT]
MoneyPerPower = Annotated[Quantity, BeforeValidator(_parser("money_per_power")), _AS_TEXT]
MoneyPerLength = Annotated[Quantity, BeforeValidator(_parser("money_per_length")), _AS_TEXT]
MoneyPerPowerYear = Annotated[Quantity, BeforeValidator(_parser("money_per_power_year")), _AS_TEXT]
EnergyPrice = Annotated[Quantity, BeforeValidator(_parser("energy_price")), _AS_TEXT]
GasPrice = Annotated[Quantity, BeforeValidator(_parser("gas_price")), _AS_TEXT]
GasTariff = Annotated[Quantity, BeforeValidator(_parser("gas_tariff")), _AS_TEXT]


def _non_negative(v: Quantity) -> Quantity:
    if v.value < 0:
        raise ValueError(f"must not be negative, got {v}")
    return v


NonNegative = AfterValidator(_non_negative)
Fraction = Annotated[float, Field(ge=0.0, le=1.0)]
PositiveKm = Annotated[float, Field(gt=0.0)]
NonNegativeKm = Annotated[float, Field(ge=0.0)]

Status = Literal[
    "operating", "construction", "proposed", "idle", "mothballed", "shelved", "cancelled", "retired"
]
PIPELINE_STATUSES: tuple[str, ...] = get_args(Status)
NodeKind = Literal[
    "field",
    "hub",
    "compressor",
    "junction",
    "border",
    "landfall",
    "storage",
    "processing",
    "demand",
]
NODE_KINDS: tuple[str, ...] = get_args(NodeKind)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class UnitsConfig(Strict):
    """Conversion context for input units."""

    gas_lhv_mj_per_m3: Annotated[float, Field(gt=0)] = 33.8
    rub_per_usd: Annotated[float, Field(gt=0)] = 84.0
    eur_per_usd: Annotated[float, Field(gt=0)] = 0.92

    def conversions(self) -> Conversions:
        return Conversions(self.gas_lhv_mj_per_m3, self.rub_per_usd, self.eur_per_usd)


LayerFormat = Literal["auto", "vector", "geoparquet", "csv", "gem", "scigrid", "gaslib"]


class GemOptions(Strict):
    """Global Energy Monitor's gas infrastructure tracker (GGIT): route GeoJSON or map CSV."""

    countries: tuple[str, ...] | None = None


class ScigridOptions(Strict):
    """SciGRID_gas CSV (``Gas_PipeSegments.csv``, ``Gas_Nodes.csv``)."""

    countries: tuple[str, ...] | None = None


class GaslibOptions(Strict):
    """GasLib ``.net`` network XML, and ``.scn`` nominations for the nodes layer.

    ``supply`` is where field availability comes from: the sources' ``flowMax``, or their
    nominated entry flow. ``capacity`` is how arcs get their capacity: the arcs' own flow
    bounds, or the diameter rule of ``network.fill_capacity`` (``diameter``)."""

    nominations: Path | None = None
    scenario: str | None = None
    supply: Literal["flow_max", "nomination"] = "flow_max"
    capacity: Literal["flow_bounds", "diameter"] = "flow_bounds"


FORMAT_OPTIONS: dict[str, type[Strict]] = {
    "gem": GemOptions,
    "scigrid": ScigridOptions,
    "gaslib": GaslibOptions,
}


class LayerSpec(Strict):
    """One geodata file. ``columns`` renames file columns to the schema's names
    (``{schema_name: file_column}``); paths are relative to the case file.

    ``units`` declares the unit of a quantity whose column carries no unit suffix
    (``{capacity: "mcm/d"}``); ``values`` recodes values (``{status: {"in service":
    operating}}``). A CSV gives points as ``lon``/``lat`` columns or any geometry as a WKT
    column (``geometry``); ``crs`` names the CRS of coordinates that come without one.
    ``format`` is found from the file (suffix and columns) unless given; the public formats
    (``gem``, ``scigrid``, ``gaslib``) take their own ``options``."""

    path: Path
    layer: str | None = None
    format: LayerFormat = "auto"
    columns: dict[str, str] = Field(default_factory=dict)
    units: dict[str, str] = Field(default_factory=dict)
    values: dict[str, dict[str, str]] = Field(default_factory=dict)
    crs: str | None = None
    geometry: str | None = None
    lon: str | None = None
    lat: str | None = None
    drop_empty: bool = False
    reason: str | None = None
    options: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _from_path(cls, data: Any) -> Any:
        return {"path": data} if isinstance(data, str | Path) else data

    @model_validator(mode="after")
    def _options(self) -> LayerSpec:
        if (self.lon is None) != (self.lat is None):
            raise ValueError("give both lon and lat columns, or neither")
        if self.options:
            model = FORMAT_OPTIONS.get(self.format)
            if model is None:
                raise ValueError(
                    f"options are only read by the formats {', '.join(FORMAT_OPTIONS)}; "
                    f"set format: to one of them (now {self.format!r})"
                )
            try:
                model.model_validate(self.options)
            except ValidationError as exc:
                err = exc.errors(include_url=False)[0]
                key = ".".join(str(x) for x in err["loc"])
                if err["type"] == "extra_forbidden":
                    allowed = ", ".join(model.model_fields)
                    raise ValueError(
                        f"options.{key}: unknown option for format {self.format}; allowed: {allowed}"
                    ) from None
                raise ValueError(f"options.{key}: {err['msg']}") from None
        return self

    def format_options(self, fmt: str) -> Any:
        """The options validated for ``fmt`` (defaults where not given)."""
        return FORMAT_OPTIONS[fmt].model_validate(self.options)


class Layers(Strict):
    pipelines: LayerSpec
    nodes: LayerSpec
    grid: LayerSpec | None = None
    grid_lines: LayerSpec | None = None
    fiber: LayerSpec | None = None
    climate: LayerSpec | None = None
    towns: LayerSpec | None = None
    hubs: LayerSpec | None = None
    country: LayerSpec | None = None
    borders: LayerSpec | None = None
    exclusions: tuple[LayerSpec, ...] = ()
    #: off-network supply (isolated fields, flaring): points with their own gas, each a
    #: candidate site on no pipeline
    stranded: LayerSpec | None = None

    def specs(self) -> dict[str, LayerSpec]:
        out = {k: v for k, v in self if isinstance(v, LayerSpec)}
        out.update({f"exclusions[{i}]": s for i, s in enumerate(self.exclusions)})
        return out


class NetworkConfig(Strict):
    """How pipeline and node layers become the gas network (see :mod:`siting.network`).

    Distances are in km. ``snap_km``: line ends within it of another end, a node or a line
    are joined there. ``node_snap_km``: how far a node may lie from a line and still be put
    on it (default ``snap_km``). ``parallel_km``/``parallel_min_km``: drawings that run
    within ``parallel_km`` of each other, in the same direction, for at least
    ``parallel_min_km`` are one corridor; the capacities of different lines along it add up
    (``parallel_capacity: sum``) or the largest counts (``max``); pieces of the same
    ``line_id`` never add up. ``sliver_km``: dangling pieces shorter than this that end in
    no node are removed. ``fill_capacity``: the rules, in order, that give a line without a
    capacity one (see ``geodata/README.md``)."""

    statuses: tuple[Status, ...] = ("operating",)
    direction: Literal["as_drawn", "both"] = "both"
    capacity_column: str = "capacity"
    supply_column: str = "production_capacity"
    demand_column: str = "demand"
    demand_mix: dict[str, Annotated[float, Field(ge=0)]] | None = None
    gas_price_column: str | None = None
    snap_km: NonNegativeKm = 5.0
    node_snap_km: NonNegativeKm | None = None
    parallel_km: NonNegativeKm = 1.0
    parallel_min_km: NonNegativeKm = 10.0
    parallel_capacity: Literal["sum", "max"] = "sum"
    connect_crossings: bool = True
    sliver_km: NonNegativeKm = 1.0
    fill_capacity: tuple[Literal["system", "diameter", "default"], ...] = (
        "system",
        "diameter",
        "default",
    )
    default_capacity: GasFlow | None = None
    #: a grid node's gas share burns gas at its ``gas_node`` (or the nearest network node):
    #: farther than this from the grid node is an error
    grid_gas_snap_km: NonNegativeKm = 100.0

    @property
    def node_tolerance_km(self) -> float:
        return self.snap_km if self.node_snap_km is None else self.node_snap_km


class RemotenessConfig(Strict):
    """Distance to the nearest town of at least ``town_min_population`` people: an
    eligibility band and a capex multiplier
    ``min(max_multiplier, 1 + multiplier_per_100km · max(0, d − free_km) / 100)``."""

    town_min_population: Annotated[int, Field(ge=500)] = 15000
    town_countries: tuple[str, ...] | None = None
    use_geonames: bool = True
    min_km: NonNegativeKm = 0.0
    max_km: PositiveKm = 1e6
    free_km: NonNegativeKm = 50.0
    multiplier_per_100km: Annotated[float, Field(ge=0)] = 0.05
    max_multiplier: Annotated[float, Field(ge=1)] = 2.0

    @model_validator(mode="after")
    def _band(self) -> RemotenessConfig:
        if self.min_km > self.max_km:
            raise ValueError(f"min_km ({self.min_km}) is larger than max_km ({self.max_km})")
        return self


class CandidatesConfig(Strict):
    """Which points become candidate sites, and which of them are excluded.

    ``countries``: ISO codes of the countries sites may lie in; with a ``country`` layer
    that layer decides, without one a site belongs to the country of its nearest GeoNames
    place of at least 1,000 people (approximate within a few km of a border).
    ``exclusion_buffer_km``: sites this close to an exclusion polygon are excluded too.
    ``max_rtt_ms``: sites whose round trip to the nearest demand hub exceeds it are
    excluded; the round trip is geodesic km × ``route_factor`` × ``rtt_ms_per_km``.
    ``max_candidates``: a case with more candidate points is refused before they are built
    (``siting run --max-candidates`` raises it; :mod:`siting.sizing` estimates the cost)."""

    node_kinds: tuple[NodeKind, ...] = ("hub", "compressor", "junction", "processing")
    spacing_km: PositiveKm | None = 50.0
    remoteness: RemotenessConfig = RemotenessConfig()
    border_buffer_km: NonNegativeKm = 0.0
    border_buffer_km_by_neighbour: dict[str, NonNegativeKm] = Field(default_factory=dict)
    exclude_outside_country: bool = True
    arctic_latitude_deg: float = 66.5628
    exclude_arctic: bool = False
    permafrost_max_temp_c: float = -2.0
    max_latitude_deg: float = 90.0
    default_temperature_c: float | None = None
    countries: tuple[str, ...] | None = None
    exclusion_buffer_km: NonNegativeKm = 0.0
    max_rtt_ms: Annotated[float, Field(gt=0)] | None = None
    route_factor: Annotated[float, Field(ge=1)] = 1.3
    rtt_ms_per_km: Annotated[float, Field(gt=0)] = 0.01
    max_candidates: Annotated[int, Field(ge=1)] = 20_000


class PueCurve(Strict):
    """PUE as a piecewise-linear function of mean annual temperature (clamped at the ends)."""

    temperature_c: tuple[float, ...] = (-10.0, 0.0, 6.0, 15.0)
    pue: tuple[float, ...] = (1.10, 1.15, 1.20, 1.35)

    @model_validator(mode="after")
    def _shape(self) -> PueCurve:
        if len(self.temperature_c) != len(self.pue) or not self.pue:
            raise ValueError("temperature_c and pue need the same, non-zero number of points")
        if any(b <= a for a, b in zip(self.temperature_c, self.temperature_c[1:], strict=False)):
            raise ValueError("temperature_c must be strictly increasing")
        if any(p < 1.0 for p in self.pue):
            raise ValueError("a PUE below 1 is impossible")
        return self


def _fixed_om(value: Any) -> Any:
    """A fraction of capex per year (a plain number) or a money per power per year."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not 0 <= value <= 1:
            raise ValueError(
                f"a fraction of capex per year must lie in [0, 1], got {value!r}; or give it "
                "as money per power per year, e.g. '50 kUSD/MW/y'"
            )
        return float(value)
    return parse_quantity(value, "money_per_power_year")


class TechnologyOption(Strict):
    """One on-site power technology of ``technology.menu``: integer units of ``unit_size``.

    ``capex`` is overnight, per MW of electric capacity; the annualised cost per MW is
    (CRF(r, lifetime) · IDC + fixed O&M share) · capex · site capex multiplier, where IDC =
    ((1+r)^L − 1)/(r·L) is the interest during construction over the lead time L (1 for
    L = 0). ``fixed_om``: a fraction of capex per year, or money per power per year
    (default ``costs.om_fraction``). ``variable_om``: money per MWh generated.
    ``national_cap``: the most MW of this technology that can be installed in all sites
    together (equipment supply)."""

    unit_size: Annotated[
        Power, NonNegative, Field(description="unit size, a power such as '25 MW'")
    ]
    efficiency: Annotated[
        float, Field(gt=0, le=1, description="electric efficiency (LHV), a number in (0, 1]")
    ]
    capex: Annotated[
        MoneyPerPower,
        NonNegative,
        Field(description="overnight capex per MW, a money per power such as '1.3 MUSD/MW'"),
    ]
    fixed_om: (
        Annotated[
            float | Quantity,
            BeforeValidator(_fixed_om),
            PlainSerializer(lambda v: v if isinstance(v, float) else str(v)),
        ]
        | None
    ) = None
    variable_om: Annotated[EnergyPrice, NonNegative] = Field(
        default="0 USD/MWh", validate_default=True
    )
    lifetime_years: Annotated[float, Field(gt=0)] | None = None
    lead_time_years: Annotated[float, Field(ge=0)] = 0.0
    national_cap: Annotated[Power, NonNegative] | None = None

    @model_validator(mode="after")
    def _unit(self) -> TechnologyOption:
        if self.unit_size.value <= 0:
            raise ValueError("unit_size must be positive")
        return self


class ReliabilityConfig(Strict):
    """The reliability rule of on-site generation from ``technology.menu``.

    ``rule: n_plus_1``: a site's firm on-site capacity (its capacity minus its largest unit)
    plus ``grid_firm_share`` times the unused part of its contracted grid capacity covers its
    on-site output in every period. ``none``: capacity covers output."""

    rule: Literal["none", "n_plus_1"] = "none"
    grid_firm_share: Fraction = 0.0


class TechnologyConfig(Strict):
    """Campus modules, on-site generation and grid supply.

    Without a ``menu`` on-site generation is one continuous technology
    (``generator_efficiency``, ``costs.generation_capex``, the reserve of
    ``n_plus_one_units``); with one it is built in integer units of the listed technologies
    under the ``reliability`` rule."""

    module_size: Annotated[Power, NonNegative] = Field(default="50 MW", validate_default=True)
    min_modules: Annotated[int, Field(ge=0)] = 1
    max_modules: Annotated[int, Field(ge=1)] = 20
    integer_modules: bool = True
    generator_efficiency: Annotated[float, Field(gt=0, le=1)] = 0.55
    n_plus_one_units: Annotated[int, Field(ge=1)] | None = None
    allow_gas: bool = True
    allow_grid: bool = True
    pue: PueCurve = PueCurve()
    menu: dict[str, TechnologyOption] = Field(default_factory=dict)
    reliability: ReliabilityConfig | None = None

    @model_validator(mode="after")
    def _modules(self) -> TechnologyConfig:
        if self.min_modules > self.max_modules:
            raise ValueError(
                f"min_modules ({self.min_modules}) is larger than max_modules ({self.max_modules})"
            )
        if self.module_size.value <= 0:
            raise ValueError("module_size must be positive")
        if self.menu and self.n_plus_one_units is not None:
            raise ValueError(
                "n_plus_one_units is the reserve of generation without a menu; with "
                "technology.menu give the rule as reliability: {rule: n_plus_1}"
            )
        if self.reliability is not None and not self.menu:
            raise ValueError(
                "reliability applies to the units of technology.menu; without a menu use "
                "n_plus_one_units"
            )
        for name in self.menu:
            if not _IDENTIFIER.fullmatch(name):
                raise ValueError(
                    f"menu: {name!r}: a technology name is letters, digits and underscores, "
                    "starting with a letter"
                )
        return self


class LifetimesConfig(Strict):
    facility: Annotated[float, Field(gt=0)] = 20.0
    generation: Annotated[float, Field(gt=0)] = 25.0
    grid: Annotated[float, Field(gt=0)] = 40.0
    fiber: Annotated[float, Field(gt=0)] = 25.0
    site: Annotated[float, Field(gt=0)] = 30.0


_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


class CostsConfig(Strict):
    """Cost assumptions. Capex is overnight and annualised with a capital recovery factor
    per asset class; O&M is a yearly fraction of facility and generation capex. A site north
    of the Arctic Circle or on permafrost multiplies its building capex by the larger of the
    two multipliers, and its grid line and fibre by the ``*_cold_multiplier``s."""

    discount_rate: Annotated[float, Field(ge=0, le=1)] = 0.08
    lifetime_years: LifetimesConfig = LifetimesConfig()
    facility_capex: Annotated[MoneyPerPower, NonNegative] = Field(
        default="10 MUSD/MW", validate_default=True
    )
    generation_capex: Annotated[MoneyPerPower, NonNegative] = Field(
        default="1.5 MUSD/MW", validate_default=True
    )
    site_capex: Annotated[Money, NonNegative] = Field(default="30 MUSD", validate_default=True)
    fiber_capex: Annotated[MoneyPerLength, NonNegative] = Field(
        default="0.04 MUSD/km", validate_default=True
    )
    grid_line_capex: Annotated[MoneyPerLength, NonNegative] = Field(
        default="1.0 MUSD/km", validate_default=True
    )
    grid_connection_capex: Annotated[Money, NonNegative] = Field(
        default="20 MUSD", validate_default=True
    )
    om_fraction: Annotated[float, Field(ge=0, le=1)] = 0.03
    gas_price: Annotated[GasPrice, NonNegative] = Field(default="10 USD/MWh", validate_default=True)
    grid_price: Annotated[EnergyPrice, NonNegative] = Field(
        default="40 USD/MWh", validate_default=True
    )
    #: per MW of contracted grid capacity (a grid node's capacity_price column, where
    #: given, replaces it there)
    grid_capacity_charge: Annotated[MoneyPerPowerYear, NonNegative] | None = None
    #: per MW of contracted grid capacity, overnight (annualised over the grid lifetime)
    grid_connection_charge: Annotated[MoneyPerPower, NonNegative] | None = None
    transport_tariff_usd_per_mwh_per_1000km: Annotated[float, Field(ge=0)] = 0.0
    #: the same tariff with its unit, e.g. '20 RUB/1000m3/100km' (give one of the two). It is
    #: paid on the gas the plan moves: the flows' tariff less the least tariff of moving the
    #: committed demand alone. A delivered regional price (network.gas_price_column) already
    #: holds transport: pair the tariff with prices at the producing end
    gas_transport_tariff: Annotated[GasTariff, NonNegative] | None = None
    compute_value: Annotated[MoneyPerPowerYear, NonNegative] = Field(
        default="0 MUSD/MW/y", validate_default=True
    )
    arctic_multiplier: Annotated[float, Field(ge=1)] = 1.3
    permafrost_multiplier: Annotated[float, Field(ge=1)] = 1.15
    grid_line_cold_multiplier: Annotated[float, Field(ge=1)] = 1.0
    fiber_cold_multiplier: Annotated[float, Field(ge=1)] = 1.0

    @model_validator(mode="after")
    def _one_tariff(self) -> CostsConfig:
        if self.gas_transport_tariff is not None and self.transport_tariff_usd_per_mwh_per_1000km:
            raise ValueError(
                "give the transport tariff once: gas_transport_tariff (with its unit) or "
                "transport_tariff_usd_per_mwh_per_1000km, not both"
            )
        return self

    def crf(self, asset: str) -> float:
        return capital_recovery_factor(self.discount_rate, getattr(self.lifetime_years, asset))

    def transport_tariff(self, conv: Conversions) -> float:
        """The gas transport tariff in USD per MWh of fuel heat per 1,000 km."""
        if self.gas_transport_tariff is not None:
            return self.gas_transport_tariff.to_internal(conv)
        return self.transport_tariff_usd_per_mwh_per_1000km


class HubDemandConfig(Strict):
    """A share of the IT capacity must serve the hubs of the ``hubs`` layer within a
    round-trip latency bound (fibre route = geodesic × ``route_factor``)."""

    hub_ids: tuple[str, ...] | None = None
    share_of_it: Fraction = 0.0
    demand: Annotated[Power, NonNegative] | None = None
    max_rtt_ms: Annotated[float, Field(gt=0)] = 20.0
    route_factor: Annotated[float, Field(ge=1)] = 1.3
    rtt_ms_per_km: Annotated[float, Field(gt=0)] = 0.01


class ObjectiveConfig(Strict):
    """What to optimise and the system-wide limits."""

    sense: Literal["min_cost", "max_profit", "max_gas_use"] = "min_cost"
    target_it: Annotated[Power, NonNegative] | None = None
    budget: Annotated[Money, NonNegative] | None = None
    max_sites: Annotated[int, Field(ge=0)] | None = None
    min_sites: Annotated[int, Field(ge=0)] | None = None
    min_spacing_km: NonNegativeKm | None = None
    hubs: HubDemandConfig | None = None
    gas_use_cost_weight: Annotated[float, Field(ge=0)] = 1e-4
    #: max_gas_use: the highest average cost per MWh of IT energy (annualised cost / IT
    #: energy), USD/MWh
    ceiling_usd_per_mwh: Annotated[float, Field(ge=0)] | None = None
    #: max_gas_use: count the gas burnt for grid power drawn from gas-fired grid nodes
    count_indirect: bool = False
    #: max_gas_use: MW of gas a MW of IT is worth in the objective's tie-break (more IT
    #: before lower cost at equal gas); default 1e-3 with a ceiling, else 0
    gas_use_it_weight: Annotated[float, Field(ge=0)] | None = None
    #: leave out technologies of the menu whose lead time exceeds this many years
    online_within_years: Annotated[float, Field(ge=0)] | None = None

    @model_validator(mode="after")
    def _well_posed(self) -> ObjectiveConfig:
        if self.sense == "max_gas_use" and self.budget is None and self.ceiling_usd_per_mwh is None:
            raise ValueError(
                "max_gas_use needs a budget or a cost ceiling, e.g. budget: '20000 MUSD' or "
                "ceiling_usd_per_mwh: 280"
            )
        if (
            self.min_sites is not None
            and self.max_sites is not None
            and self.min_sites > self.max_sites
        ):
            raise ValueError(
                f"min_sites ({self.min_sites}) is larger than max_sites ({self.max_sites})"
            )
        return self


class FormulationConfig(Strict):
    """How the MILP is written. Every switch keeps the optimum; the defaults are the fastest
    measured (``benchmarks/orlib.py``). The inequalities are in
    ``siting/solver/model/linking.py``, ``capacity_cover.py``, ``symmetry.py`` and
    ``variables.py`` (bounds); the Lagrangian site fixing, for facility-location models with
    at least ``lagrangian_min_pairs`` serving pairs, in ``siting/solver/lagrangian.py``."""

    strong_linking: bool = True
    capacity_cover: bool = True
    symmetry_breaking: bool = True
    tight_bounds: bool = True
    lagrangian_fixing: bool = True
    lagrangian_min_pairs: Annotated[int, Field(ge=0)] = 0


class FacilityConfig(Strict):
    """What a facility-location model (:mod:`siting.facility_location`) optimises.

    - ``min_cost``: fixed plus serving cost (CFLP, UFLP; p-median with ``p``);
    - ``max_cover``: the maximal covering location problem (MCLP): open ``p`` sites and
      maximise the weight of the customers within ``radius`` of an open site;
    - ``min_cover``: the location set covering problem (LSCP): the fewest sites that put
      every customer within ``radius`` of an open site.

    ``radius`` is in the unit of the instance's costs (metres of road for spopt's San
    Francisco). ``predefined`` sites must stay open; with ``fill_predefined`` they also
    serve their whole capacity (spopt's ``fulfill_predefined_fac``).
    """

    objective: Literal["min_cost", "max_cover", "min_cover"] = "min_cost"
    p: Annotated[int, Field(ge=1)] | None = None
    exactly: bool = True
    radius: Annotated[float, Field(ge=0)] | None = None
    predefined: tuple[str, ...] = ()
    fill_predefined: bool = False

    @model_validator(mode="after")
    def _well_posed(self) -> FacilityConfig:
        covering = self.objective in ("max_cover", "min_cover")
        if covering and self.radius is None:
            raise ValueError(f"{self.objective} needs a radius, e.g. radius: 5000")
        if not covering and self.radius is not None:
            raise ValueError("radius applies only to the max_cover and min_cover objectives")
        if self.objective == "max_cover" and self.p is None:
            raise ValueError("max_cover needs p, the number of sites to open")
        if self.objective == "min_cover" and self.p is not None:
            raise ValueError("min_cover chooses the number of sites itself: leave p out")
        if self.fill_predefined and not self.predefined:
            raise ValueError("fill_predefined needs predefined sites")
        if self.fill_predefined and covering:
            raise ValueError("fill_predefined applies only to the min_cost objective")
        if len(set(self.predefined)) < len(self.predefined):
            dup = next(s for s in self.predefined if self.predefined.count(s) > 1)
            raise ValueError(f"predefined site {dup!r} is listed twice")
        if self.p is not None and len(self.predefined) > self.p:
            raise ValueError(
                f"{len(self.predefined)} predefined sites cannot stay open with p = {self.p}"
            )
        return self


def _checked_highs_options(options: dict[str, bool | int | float | str]) -> dict:
    """Check ``solver.highs_options`` against HiGHS itself (loaded only when options are set)."""
    if not options:
        return {}
    from siting.solver.options import check_highs_options

    return check_highs_options(options)


class SolverConfig(Strict):
    time_limit_s: Annotated[float, Field(gt=0)] = 300.0
    mip_gap: Annotated[float, Field(ge=0, lt=1)] = 1e-3
    threads: Annotated[int, Field(ge=1)] = 1
    seed: Annotated[int, Field(ge=0)] = 0
    interface: Literal["standard_form", "appsi"] = "standard_form"
    elastic_diagnosis: bool = True
    check_tolerance: Annotated[float, Field(gt=0)] = 1e-5
    #: start the MIP from the plan of the MIP restricted to the sites its LP relaxation
    #: opens (siting/solver/start.py); None: for models with a technology menu
    restricted_start: bool | None = None
    #: further HiGHS options by their HiGHS name (checked against HiGHS on load)
    highs_options: Annotated[
        dict[str, bool | int | float | str], AfterValidator(_checked_highs_options)
    ] = Field(default_factory=dict)


class PeriodFactors(Strict):
    """Per-period multipliers of annual values, used where a layer has no per-period column:
    committed ``demand`` and field ``supply`` (nodes), arc ``capacity`` (pipelines), grid
    ``spare`` capacity and site ``pue``."""

    demand: Annotated[float, Field(ge=0)] | None = None
    supply: Annotated[float, Field(ge=0)] | None = None
    capacity: Annotated[float, Field(ge=0)] | None = None
    spare: Annotated[float, Field(ge=0)] | None = None
    pue: Annotated[float, Field(gt=0)] | None = None


class PeriodConfig(Strict):
    """A representative period: its share of the year (``weight``), the scenario it belongs
    to (a later robust model stacks scenarios as periods) and factors on annual values."""

    weight: Annotated[float, Field(gt=0, le=1)]
    scenario: str = "base"
    factors: PeriodFactors = PeriodFactors()


#: the one period of a case without ``periods``
ANNUAL_PERIOD = "year"


class Case(Strict):
    """A fully resolved case: the base merged with at most one scenario."""

    name: str
    description: str = ""
    scenario: str | None = None
    units: UnitsConfig = UnitsConfig()
    layers: Layers | None = None
    network: NetworkConfig = NetworkConfig()
    candidates: CandidatesConfig = CandidatesConfig()
    technology: TechnologyConfig = TechnologyConfig()
    costs: CostsConfig = CostsConfig()
    objective: ObjectiveConfig = ObjectiveConfig()
    formulation: FormulationConfig = FormulationConfig()
    solver: SolverConfig = SolverConfig()
    #: representative periods (name → weight, scenario, factors); none: one annual period
    periods: dict[str, PeriodConfig] | None = None
    scenarios: dict[str, dict[str, Any]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _periods(self) -> Case:
        if not self.periods:
            return self
        for name in self.periods:
            if not _IDENTIFIER.fullmatch(name):
                raise ValueError(
                    f"periods: {name!r}: a period name is letters, digits and underscores, "
                    "starting with a letter (it names layer columns such as demand_<period>)"
                )
        total = sum(p.weight for p in self.periods.values())
        if abs(total - 1.0) > 1e-6:
            shown = " + ".join(f"{p.weight:g}" for p in self.periods.values())
            raise ValueError(
                f"periods: the weights sum to {total:.6g} ({shown}); they are shares of the "
                "year and must sum to 1"
            )
        return self

    @property
    def period_names(self) -> tuple[str, ...]:
        """The case's periods in order (the one annual period without ``periods``)."""
        return tuple(self.periods) if self.periods else (ANNUAL_PERIOD,)

    @property
    def conversions(self) -> Conversions:
        return self.units.conversions()

    _overrides: dict[str, Any] = PrivateAttr(default_factory=dict)

    @property
    def overrides(self) -> dict[str, Any]:
        """The ``key.path: value`` overrides applied on load (``--set``, sweep points)."""
        return dict(self._overrides)

    @property
    def label(self) -> str:
        base = f"{self.name}/{self.scenario}" if self.scenario else self.name
        if self._overrides:
            base += " [" + ", ".join(f"{k}={v}" for k, v in self._overrides.items()) + "]"
        return base
