"""The case schema: frozen, strict pydantic models for what to solve.

A case names its geodata layers, its cost and technology assumptions, its candidate rules,
its objective and its solver settings. Named scenarios are partial cases merged over the
base (dictionaries merge key by key, everything else is replaced). Quantities are written
with their unit (``"5 GW"``, ``"3870 RUB/1000m3"``) and converted to internal units by
:func:`siting.units.Quantity.to_internal`.
"""

from __future__ import annotations

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


def _quantity(kind: str) -> Any:
    return Annotated[
        Quantity,
        BeforeValidator(lambda v: parse_quantity(v, kind)),
        PlainSerializer(str, return_type=str),
    ]


Power = _quantity("power")
GasFlow = _quantity("gas_flow")
Money = _quantity("money")
MoneyPerPower = _quantity("money_per_power")
MoneyPerLength = _quantity("money_per_length")
MoneyPerPowerYear = _quantity("money_per_power_year")
EnergyPrice = _quantity("energy_price")
GasPrice = _quantity("gas_price")


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
    excluded; the round trip is geodesic km × ``route_factor`` × ``rtt_ms_per_km``."""

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


class TechnologyConfig(Strict):
    """Campus modules, on-site generation and grid supply."""

    module_size: Annotated[Power, NonNegative] = Field(default="50 MW", validate_default=True)
    min_modules: Annotated[int, Field(ge=0)] = 1
    max_modules: Annotated[int, Field(ge=1)] = 20
    integer_modules: bool = True
    generator_efficiency: Annotated[float, Field(gt=0, le=1)] = 0.55
    n_plus_one_units: Annotated[int, Field(ge=1)] | None = None
    allow_gas: bool = True
    allow_grid: bool = True
    pue: PueCurve = PueCurve()

    @model_validator(mode="after")
    def _modules(self) -> TechnologyConfig:
        if self.min_modules > self.max_modules:
            raise ValueError(
                f"min_modules ({self.min_modules}) is larger than max_modules ({self.max_modules})"
            )
        if self.module_size.value <= 0:
            raise ValueError("module_size must be positive")
        return self


class LifetimesConfig(Strict):
    facility: Annotated[float, Field(gt=0)] = 20.0
    generation: Annotated[float, Field(gt=0)] = 25.0
    grid: Annotated[float, Field(gt=0)] = 40.0
    fiber: Annotated[float, Field(gt=0)] = 25.0
    site: Annotated[float, Field(gt=0)] = 30.0


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
    transport_tariff_usd_per_mwh_per_1000km: Annotated[float, Field(ge=0)] = 0.0
    compute_value: Annotated[MoneyPerPowerYear, NonNegative] = Field(
        default="0 MUSD/MW/y", validate_default=True
    )
    arctic_multiplier: Annotated[float, Field(ge=1)] = 1.3
    permafrost_multiplier: Annotated[float, Field(ge=1)] = 1.15
    grid_line_cold_multiplier: Annotated[float, Field(ge=1)] = 1.0
    fiber_cold_multiplier: Annotated[float, Field(ge=1)] = 1.0

    def crf(self, asset: str) -> float:
        return capital_recovery_factor(self.discount_rate, getattr(self.lifetime_years, asset))


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

    @model_validator(mode="after")
    def _well_posed(self) -> ObjectiveConfig:
        if self.sense == "max_gas_use" and self.budget is None:
            raise ValueError("max_gas_use needs a budget, e.g. budget: '20000 MUSD'")
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
    #: further HiGHS options by their HiGHS name (checked against HiGHS on load)
    highs_options: Annotated[
        dict[str, bool | int | float | str], AfterValidator(_checked_highs_options)
    ] = Field(default_factory=dict)


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
    scenarios: dict[str, dict[str, Any]] = Field(default_factory=dict)

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
