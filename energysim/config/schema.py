"""Pydantic models of the scenario file format.

A scenario describes a whole power system for one model year: the buses (leagues and cities),
demand, generation, storage, demand response, flexible loads, internal transmission, export
corridors, the plan's targets and the weather year. Field names follow PyPSA where PyPSA has the
concept (``p_nom``, ``p_min_pu``, ``max_hours``, ``efficiency_store``, ``efficiency_dispatch``,
``standing_loss``, ``marginal_cost``); units are given in each field's description and, for
quantities PyPSA does not have, in the field name (``annual_TWh``).

Every model forbids unknown keys (``extra="forbid"``), so a typo is an error, not a silent default.
The JSON schema published in ``scenarios/schema.json`` is generated from these models
(:func:`energysim.config.load.scenario_json_schema`).
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)

logger = logging.getLogger(__name__)

__all__ = [
    "Bus",
    "Corridor",
    "Costs",
    "Demand",
    "DemandResponse",
    "Economics",
    "FlexibleLoad",
    "Generator",
    "HeatingSeason",
    "Line",
    "Reserve",
    "Scenario",
    "Storage",
    "Targets",
    "ThermalAvailability",
    "Weather",
]

# -- vocabularies -------------------------------------------------------------------------------

Grid = Literal["mengxi", "mengdong"]
"""The two provincial grids: 蒙西 (Inner Mongolia Power Group) and 蒙东 (State Grid Mengdong)."""

GeneratorCarrier = Literal[
    "wind", "solar", "csp", "biomass", "hydro", "coal", "coal_chp", "gas", "import"
]
StorageKind = Literal["new_type", "pumped_hydro"]
FlexibleLoadKind = Literal["electrolyser", "data_centre"]
LineKind = Literal["ac_500kv", "ac_1000kv", "dc_internal"]
DeliveryCurve = Literal["flat", "receiving_load", "solar_shaped", "peak_shaving"]
DemandResponseMode = Literal["curtail", "shift"]

NonNegative = Annotated[float, Field(ge=0)]
PerUnit = Annotated[float, Field(ge=0, le=1)]
Efficiency = Annotated[float, Field(gt=0, le=1)]
Name = Annotated[str, Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9_\-]*$")]


class _Model(BaseModel):
    """Base model: unknown keys are errors, assignment is validated."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class _Sourced(_Model):
    source: str = Field(
        "",
        description="Where the figures of this entry come from (URL, data file, or "
        "'assumption: <reasoning>'). Shipped scenarios fill it for every entry.",
    )


IN_SERVICE_DATE_DESCRIPTION = (
    "First day in service, 'YYYY-MM-DD'. Empty: in service all year. In a model year it enters "
    "during, the component runs from that day on (generators hour by hour; storage and thermal "
    "capacity at their in-year average, docs/data.md); after the model year's end it is absent. "
    "Capacity targets count the year-end fleet."
)


# -- components ---------------------------------------------------------------------------------


class HeatingSeason(_Model):
    """The period in which CHP must run (供暖季), as month-day strings."""

    start: str = Field("10-15", pattern=r"^\d{2}-\d{2}$", description="First day, 'MM-DD'.")
    end: str = Field("04-15", pattern=r"^\d{2}-\d{2}$", description="Last day, 'MM-DD'.")


class Bus(_Sourced):
    """A league or city (盟市) of Inner Mongolia, the node of the internal network."""

    name_zh: str = Field("", description="Chinese name, e.g. 鄂尔多斯.")
    grid: Grid = Field(description="Provincial grid the bus belongs to: 'mengxi' or 'mengdong'.")
    x: float = Field(ge=90, le=130, description="Longitude of the bus, degrees east.")
    y: float = Field(ge=30, le=55, description="Latitude of the bus, degrees north.")
    demand_share: PerUnit = Field(
        description="Share of the province's annual demand located at this bus (p.u.; shares "
        "over all buses sum to 1)."
    )
    wind_x: float | None = Field(
        None,
        ge=90,
        le=130,
        description="Longitude of the bus's wind fleet, degrees east: where its synthetic wind "
        "is generated. Empty (with wind_y): the bus's x.",
    )
    wind_y: float | None = Field(
        None,
        ge=30,
        le=55,
        description="Latitude of the bus's wind fleet, degrees north. Empty (with wind_x): the "
        "bus's y.",
    )
    heating_season: HeatingSeason | None = Field(
        None,
        description="This league's heating season (CHP must-run floor), overriding the "
        "scenario's heating_season. Empty: the scenario's. In a CSV table: 'MM-DD/MM-DD' "
        "(start/end).",
    )

    @field_validator("heating_season", mode="before")
    @classmethod
    def _season_from_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            parts = value.split("/")
            if len(parts) != 2:
                msg = f"got {value!r}; expected 'MM-DD/MM-DD' (start/end of the heating season)"
                raise ValueError(msg)
            return {"start": parts[0].strip(), "end": parts[1].strip()}
        return value

    @model_validator(mode="after")
    def _check_wind_site(self) -> Bus:
        if (self.wind_x is None) != (self.wind_y is None):
            msg = (
                f"got wind_x={self.wind_x}, wind_y={self.wind_y}; expected both (longitude and "
                "latitude of the wind site) or neither (the bus's x, y)"
            )
            raise ValueError(msg)
        return self


class Generator(_Sourced):
    """An aggregated fleet of one carrier at one bus."""

    bus: str = Field(description="Bus the fleet is connected to.")
    carrier: GeneratorCarrier = Field(
        description="Technology of the fleet. 'import': a neighbouring grid's support over a tie "
        "(e.g. the Northeast grid at 蒙东), dispatched as the last merit-order tier and not "
        "counted as Inner Mongolian generation; it must cost more than every thermal fleet and "
        "have no must-run floor."
    )
    p_nom: NonNegative = Field(description="Installed capacity, MW.")
    p_max_pu: PerUnit | None = Field(
        None,
        description="Constant availability, p.u. of p_nom. Wind, solar and CSP take their hourly "
        "capacity factors from the profiles and must leave this empty; other carriers default "
        "to 1 (coal, gas), 0.9 (biomass) or 0.4 (hydro) when empty.",
    )
    p_min_pu: PerUnit = Field(
        0.0,
        description="Must-run floor, p.u. of p_nom, outside the heating season (minimum stable "
        "load of the online fleet).",
    )
    p_min_pu_heating: PerUnit | None = Field(
        None,
        description="Must-run floor in the heating season, p.u. of p_nom (CHP heat demand). "
        "Empty: same as p_min_pu.",
    )
    marginal_cost: float = Field(
        0.0, ge=0, description="Short-run marginal cost, CNY/MWh (fuel and variable O&M)."
    )
    dedicated_to: str | None = Field(
        None,
        description="Name of the export corridor this fleet is a dedicated supporting plant "
        "(配套电源) of; its output serves that corridor first.",
    )
    capacity_factor_scale: Annotated[float, Field(gt=0, le=2)] = Field(
        1.0,
        description="Multiplier on the profile capacity factor (site quality relative to the bus "
        "profile), p.u.; results are clipped to [0, 1].",
    )
    in_service_date: date | None = Field(None, description=IN_SERVICE_DATE_DESCRIPTION)

    @model_validator(mode="after")
    def _check_pu(self) -> Generator:
        if self.p_max_pu is not None and self.p_min_pu > self.p_max_pu:
            msg = f"p_min_pu ({self.p_min_pu}) must not exceed p_max_pu ({self.p_max_pu})"
            raise ValueError(msg)
        return self


class Storage(_Sourced):
    """Electricity storage at a bus: new-type storage (batteries etc.) or pumped hydro."""

    bus: str = Field(description="Bus the storage is connected to.")
    kind: StorageKind = Field(description="'new_type' (新型储能) or 'pumped_hydro' (抽水蓄能).")
    p_nom: NonNegative = Field(description="Power rating (charge and discharge), MW.")
    max_hours: Annotated[float, Field(gt=0, le=1000)] = Field(
        description="Energy-to-power ratio (duration), h; energy capacity = p_nom * max_hours MWh."
    )
    efficiency_store: Efficiency = Field(0.92, description="Charging efficiency, p.u.")
    efficiency_dispatch: Efficiency = Field(0.92, description="Discharging efficiency, p.u.")
    standing_loss: Annotated[float, Field(ge=0, lt=1)] = Field(
        0.0, description="Self-discharge, p.u. of state of charge per hour."
    )
    state_of_charge_initial: PerUnit = Field(
        0.5, description="State of charge at the first hour, p.u. of energy capacity."
    )
    soc_min: PerUnit = Field(0.0, description="Lowest allowed state of charge, p.u.")
    soc_max: PerUnit = Field(1.0, description="Highest allowed state of charge, p.u.")
    in_service_date: date | None = Field(None, description=IN_SERVICE_DATE_DESCRIPTION)

    @model_validator(mode="after")
    def _check_soc(self) -> Storage:
        if self.soc_min >= self.soc_max:
            msg = f"soc_min ({self.soc_min}) must be below soc_max ({self.soc_max})"
            raise ValueError(msg)
        return self


class FlexibleLoad(_Sourced):
    """A load that can absorb surplus: electrolysers for green hydrogen, or data centres."""

    bus: str = Field(description="Bus the load is connected to.")
    kind: FlexibleLoadKind = Field(description="'electrolyser' or 'data_centre'.")
    p_nom: NonNegative = Field(description="Rated electrical input, MW.")
    p_min_pu: PerUnit = Field(
        0.0,
        description="Minimum consumption in every hour, p.u. of p_nom (minimum utilisation); "
        "served by any source. Above it the load takes only surplus new energy.",
    )


class Line(_Sourced):
    """Internal transmission between two buses (500 kV backbone, internal UHV or flexible DC)."""

    bus0: str = Field(description="First bus.")
    bus1: str = Field(description="Second bus.")
    kind: LineKind = Field("ac_500kv", description="Line type.")
    p_nom: NonNegative = Field(description="Transfer capacity in each direction, MW.")
    efficiency: Efficiency = Field(0.98, description="Share of the sent power that arrives, p.u.")

    @model_validator(mode="after")
    def _check_ends(self) -> Line:
        if self.bus0 == self.bus1:
            msg = f"bus0 and bus1 must differ, both are {self.bus0!r}"
            raise ValueError(msg)
        return self


class Corridor(_Sourced):
    """An export corridor (外送通道) from a sending bus to a receiving grid."""

    name_zh: str = Field("", description="Chinese name, e.g. 锡盟—泰州.")
    bus: str = Field(description="Sending bus in Inner Mongolia.")
    receiving_grid: str = Field(
        description="Receiving region (shandong, jiangsu, jjj, shanxi, shanghai, anhui, jiangxi, "
        "liaoning, zhejiang, northeast); selects the load shape used for the delivery curve."
    )
    kind: Literal["uhvdc", "uhvac", "hvdc"] = Field("uhvdc", description="Technology.")
    p_nom: NonNegative = Field(description="Rated sending capacity, MW.")
    efficiency: Efficiency = Field(0.93, description="Delivered / sent energy, p.u. (line losses).")
    in_service_year: Annotated[int, Field(ge=1990, le=2100)] | None = Field(
        None,
        description="First model year in which the corridor operates. Empty: the year of "
        "in_service_date (give at least one; if both, they must agree).",
    )
    in_service_date: date | None = Field(
        None,
        description="First day in service, 'YYYY-MM-DD'. In its model year the corridor runs its "
        "schedule and sells surplus from that day on (scheduled annual energy pro rata to the "
        "hours in service). Empty: 1 January of in_service_year.",
    )
    support_floor_pu: NonNegative = Field(
        0.0,
        le=2.0,
        description="Sending-end support floor: thermal output at the sending bus of at least "
        "this many MW per MW scheduled, every hour (stability/short-circuit support of a UHV DC "
        "line; dedicated plants first, then the cheapest thermal at the bus). 0: none.",
    )
    delivery_curve: DeliveryCurve = Field(
        "receiving_load",
        description="Shape of the agreed delivery curve (送电曲线): 'flat', 'receiving_load' "
        "(follows the receiving grid's load), 'solar_shaped' (midday block) or 'peak_shaving' "
        "(receiving load above its median).",
    )
    annual_TWh: NonNegative | None = Field(
        None, description="Scheduled annual energy sent, TWh. Give this or utilisation_hours."
    )
    utilisation_hours: Annotated[float, Field(ge=0, le=8784)] | None = Field(
        None, description="Scheduled annual energy as full-load hours of p_nom, h."
    )
    min_renewable_share: PerUnit = Field(
        0.0, description="Required share of new energy in the energy sent over the year, p.u."
    )
    flexible_export: bool = Field(
        True,
        description="May the corridor carry surplus new energy above its schedule, up to p_nom?",
    )
    surplus_share: PerUnit = Field(
        1.0,
        description="Share of the hour's headroom (p_nom - schedule) the receiving grid takes as "
        "surplus above the schedule, p.u. 1 = all of it (no market limit).",
    )
    surplus_annual_TWh: NonNegative | None = Field(
        None,
        description="Annual cap on the energy sent above the schedule, TWh (at the sending "
        "end). Empty: no cap.",
    )
    surplus_hours: list[Annotated[int, Field(ge=0, le=23)]] | None = Field(
        None,
        description="Hours of the day (0-23, Beijing time) in which the receiving grid accepts "
        "surplus above the schedule. Empty: every hour.",
    )

    @field_validator("surplus_hours", mode="before")
    @classmethod
    def _hours_from_text(cls, value: Any) -> Any:
        """A CSV cell gives the hours as text: '0-9,16-23' (ranges inclusive)."""
        if not isinstance(value, str):
            return value
        hours: list[int] = []
        try:
            for part in value.replace(" ", "").split(","):
                lo, _, hi = part.partition("-")
                hours.extend(range(int(lo), int(hi or lo) + 1))
        except ValueError:
            msg = f"got {value!r}; expected hours of the day as '0-9,16-23' or a list of integers"
            raise ValueError(msg) from None
        return hours

    @model_validator(mode="before")
    @classmethod
    def _year_from_date(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("in_service_date") not in (None, ""):
            raw = data["in_service_date"]
            try:
                year = raw.year if isinstance(raw, date) else date.fromisoformat(str(raw)).year
            except ValueError:
                return data  # the field validator reports the bad date
            given = data.get("in_service_year")
            if given in (None, ""):
                data = {**data, "in_service_year": year}
            elif int(given) != year:
                msg = (
                    f"in_service_year ({given}) disagrees with in_service_date ({raw}); "
                    "expected the year of the date, or give only one of them"
                )
                raise ValueError(msg)
        return data

    @model_serializer(mode="wrap")
    def _drop_derived_year(self, handler: SerializerFunctionWrapHandler) -> Any:
        """A dump of a dated corridor carries the date only: its year is derived from it, so an
        override of the date alone (variants, sweeps, attribution) stays consistent."""
        data = handler(self)
        if self.in_service_date is not None and isinstance(data, dict):
            data.pop("in_service_year", None)
        return data

    @model_validator(mode="after")
    def _check_energy(self) -> Corridor:
        if self.in_service_year is None:
            msg = "give the first year in service as in_service_year or in_service_date"
            raise ValueError(msg)
        if self.annual_TWh is None and self.utilisation_hours is None:
            msg = "give the scheduled energy as annual_TWh or utilisation_hours"
            raise ValueError(msg)
        if self.annual_TWh is not None and self.utilisation_hours is not None:
            msg = "give annual_TWh or utilisation_hours, not both"
            raise ValueError(msg)
        return self

    def scheduled_MWh(self, hours: int) -> float:
        """Scheduled annual energy sent, MWh, capped at p_nom * hours."""
        if self.annual_TWh is not None:
            energy = self.annual_TWh * 1e6
        else:
            energy = float(self.utilisation_hours or 0.0) * self.p_nom
        return min(energy, self.p_nom * hours)


# -- system-wide sections -----------------------------------------------------------------------


class Demand(_Sourced):
    """Whole-society electricity demand of the province (excluding flexible loads)."""

    annual_TWh: Annotated[float, Field(gt=0)] = Field(description="Annual demand, TWh.")
    peak_MW: Annotated[float, Field(gt=0)] | None = Field(
        None,
        description="Annual peak, MW. Empty: follows from the hourly shape. Given: the shape is "
        "stretched so that both annual energy and peak are met.",
    )


class DemandResponse(_Sourced):
    """Demand response (需求侧响应) as a share of peak load."""

    share_of_peak: PerUnit = Field(0.0, description="DR capacity as share of annual peak, p.u.")
    mode: DemandResponseMode = Field(
        "curtail",
        description="'curtail': load is shed and not recovered; 'shift': shed load must be "
        "served again within window_h hours.",
    )
    max_hours_per_year: Annotated[float, Field(ge=0, le=8784)] = Field(
        100.0, description="Energy budget as full-load hours of the DR capacity per year, h."
    )
    window_h: Annotated[int, Field(ge=1, le=168)] = Field(
        24, description="For mode 'shift': hours within which shed load is recovered."
    )
    cost: float = Field(
        2000.0, ge=0, description="Cost of one MWh of demand response, CNY/MWh (LP only)."
    )


ThermalClass = Literal["coal", "coal_chp", "gas", "biomass"]
"""The thermal generator carriers that thermal availability applies to."""


class Reserve(_Sourced):
    """Upward operating reserve (旋转备用) the dispatch holds in every hour.

    The hourly requirement is the larger of the largest single contingency and a share of the
    hour's inflexible demand. It is held on thermal headroom (available capacity above output)
    and on storage discharge headroom (limited by the state of charge).
    """

    load_share: PerUnit = Field(
        0.05, description="Reserve as a share of the hour's inflexible demand, p.u."
    )
    contingency_MW: NonNegative | None = Field(
        None,
        description="Largest single contingency, MW. Empty: derived as the larger of the "
        "largest thermal unit (thermal_availability.unit_size_MW of the classes present) and "
        "the largest single corridor pole (half the rating of the largest in-service DC "
        "corridor).",
    )


class ThermalAvailability(_Sourced):
    """Thermal availability: planned maintenance and forced outages per class.

    A single run uses the expected available capacity, p_nom x (1 - maintenance share of the
    month) x (1 - forced-outage rate); an outage draw replaces the forced-outage factor with
    seeded random outages of unit-sized blocks (:mod:`energysim.kernel.availability`).
    """

    maintenance: dict[ThermalClass, list[PerUnit]] = Field(
        default_factory=dict,
        description="Share of each class's capacity out for planned maintenance in each month "
        "(12 values, January first), p.u. A class not listed has no planned maintenance.",
    )
    forced_outage_rate: dict[ThermalClass, PerUnit] = Field(
        default_factory=dict,
        description="Forced-outage rate per class, p.u. (share of time a unit is out "
        "unplanned). A class not listed has none.",
    )
    unit_size_MW: dict[ThermalClass, Annotated[float, Field(gt=0)]] = Field(
        default_factory=dict,
        description="Typical unit size per class, MW: outage draws remove blocks of this size, "
        "and the largest is a candidate for the reserve's largest contingency.",
    )
    mean_time_to_repair_h: dict[ThermalClass, Annotated[float, Field(ge=1)]] = Field(
        default_factory=dict,
        description="Mean duration of a forced outage per class, h (outage draws). Default 50 h.",
    )

    @model_validator(mode="after")
    def _check_months(self) -> ThermalAvailability:
        for carrier, shares in self.maintenance.items():
            if len(shares) != 12:
                msg = (
                    f"maintenance.{carrier}: {len(shares)} values given; expected 12 monthly "
                    "shares (January first)"
                )
                raise ValueError(msg)
        return self


class Weather(_Model):
    """Which weather year the hourly profiles represent.

    By default all profiles come from the seeded synthetic generator in
    :mod:`energysim.profiles`. Real profiles (CSV, or netCDF with a ``profile`` variable as atlite
    and the PyPSA workflows write them) replace the synthetic ones kind by kind.
    """

    seed: int = Field(0, ge=0, description="Seed of the synthetic weather year.")
    wind_profile: str | None = Field(
        None,
        description="File with real wind capacity factors per bus (path relative to the "
        "scenario file).",
    )
    solar_profile: str | None = Field(
        None, description="File with real solar capacity factors per bus (relative path)."
    )
    load_profile: str | None = Field(
        None,
        description="File with a real load shape per bus (relative path); scaled to "
        "demand.annual_TWh.",
    )
    wind_cf_scale: Annotated[float, Field(gt=0, le=2)] = Field(
        1.0, description="Multiplier on all wind capacity factors (e.g. a low-wind year), p.u."
    )
    solar_cf_scale: Annotated[float, Field(gt=0, le=2)] = Field(
        1.0, description="Multiplier on all solar capacity factors, p.u."
    )


class Targets(_Model):
    """The plan's targets for the model year; each can be changed per scenario."""

    new_energy_GW: NonNegative | None = Field(
        325.0, description="Installed wind + solar (incl. CSP) capacity, GW (plan: 325)."
    )
    new_type_storage_GW: NonNegative | None = Field(
        60.0, description="Installed new-type storage power, GW (plan: 60)."
    )
    demand_response_share: PerUnit | None = Field(
        0.05, description="DR capacity as share of peak load, p.u. (plan: >= 5 %)."
    )
    new_energy_local_TWh: NonNegative | None = Field(
        320.0, description="New energy consumed in Inner Mongolia, TWh (plan: 320)."
    )
    new_energy_export_TWh: NonNegative | None = Field(
        200.0, description="New energy sent over the export corridors, TWh (plan: 200)."
    )
    renewable_weight: PerUnit | None = Field(
        0.40, description="Renewable consumption weight (消纳权重), p.u. (plan: >= 40 %)."
    )
    new_energy_utilisation: PerUnit | None = Field(
        0.90, description="New energy used / available, p.u. (national guideline: >= 90 %)."
    )
    max_unserved_MWh: NonNegative | None = Field(
        0.0, description="Largest acceptable unserved energy over the year, MWh."
    )
    new_energy_over_thermal_generation: NonNegative | None = Field(
        1.0,
        description="New-energy generation / thermal generation, p.u. (两个超过: new-energy "
        "generation above thermal by 2030; 国新办 press conference 2024-06-07, "
        "../shared/plan/facts.md §0).",
    )
    new_energy_over_thermal_capacity: NonNegative | None = Field(
        1.0,
        description="New-energy capacity / thermal capacity, p.u. (两个超过: new-energy capacity "
        "above thermal by 2025; same source).",
    )
    max_loss_of_load_hours: NonNegative | None = Field(
        3.0,
        description="Largest acceptable hours with unserved demand (LOLH) in a year, h. "
        "Default 3 h: assumption, the loss-of-load expectation standard of Great Britain and "
        "France (3 h/yr; US practice 'one day in ten years' is ~2.4 h/yr). It is an expectation: "
        "read it against the P50 and P(meet) of --weather-years/--outage-draws. China's 保供 "
        "practice (no orderly rationing, 有序用电) is the stricter max_unserved_MWh = 0.",
    )
    max_export_cut_hours: NonNegative | None = Field(
        0.0,
        description="Largest acceptable hours in which a corridor's scheduled sending is cut, h. "
        "Default 0 h: assumption, the delivery curves (送电曲线) are contracted and the receiving "
        "grids count on them in their own peak balance; the plan asks to strengthen 蒙电外送 "
        "保障能力 (第三十四章第二节), so any cut is a 保供 failure.",
    )
    max_reserve_shortfall_hours: NonNegative | None = Field(
        0.0,
        description="Largest acceptable hours in which the upward reserve (scenario.reserve) is "
        "not held, h. Default 0 h: assumption, grid dispatch holds its operating reserve in "
        "every hour and gives it up only in an emergency, which is what this counts.",
    )


class Costs(_Model):
    """Costs that make the LP reproduce the kernel's priorities (assumptions, CNY/MWh)."""

    value_of_lost_load: float = Field(
        20000.0, gt=0, description="Cost of unserved energy, CNY/MWh."
    )
    curtailment_penalty: float = Field(
        0.0, ge=0, description="Extra cost on curtailed new energy, CNY/MWh."
    )
    export_shortfall_penalty: float = Field(
        10000.0, gt=0, description="Cost of corridor energy below its schedule, CNY/MWh (LP)."
    )
    reserve_shortfall_penalty: float = Field(
        1000.0,
        ge=0,
        description="Cost of one MWh of upward reserve not held (LP). Above thermal costs, so "
        "the LP holds reserve when it can; below demand response and export-schedule cuts, "
        "which the kernel avoids by giving up reserve first. CNY/MWh.",
    )
    surplus_export_value: float = Field(
        1.0, ge=0, description="Value of surplus new energy sent above schedule, CNY/MWh."
    )
    electrolyser_value: float = Field(
        5.0, ge=0, description="Value of surplus power taken by flexible loads, CNY/MWh."
    )
    wheeling_cost: float = Field(
        0.1,
        ge=0,
        description="Cost of sending one MWh over an internal line, CNY/MWh. A tie-breaker: "
        "without it the LP is indifferent between curtailing and burning surplus in line losses.",
    )


# -- economics and emissions (indicators, energysim.indicators) -------------------------------

ThermalClass = Literal["coal", "coal_chp", "gas", "biomass"]
FuelName = Literal["coal", "gas", "biomass", "ammonia"]


class HeatRate(_Sourced):
    """Fuel use of a thermal class, rising at low load.

    Heat rate h(lf) = h_rated * (1 + k * (1 / max(lf, min_load_pu) - 1)) with
    k = low_load_increase / (1 / min_load_pu - 1), so that h equals h_rated at full load and
    h_rated * (1 + low_load_increase) at ``min_load_pu`` and below (below it the fleet is taken to
    shut units down, keeping the rest at minimum load). ``lf`` = hourly output / available
    capacity of the class at the bus.
    """

    fuel: FuelName = Field(description="Fuel burned: 'coal', 'gas' or 'biomass'.")
    rated_gce_per_kWh: Annotated[float, Field(gt=0, le=2000)] = Field(
        description="Heat rate at full load, grams of standard coal equivalent per kWh sent out "
        "(供电煤耗, gce/kWh)."
    )
    min_load_pu: Annotated[float, Field(gt=0, lt=1)] = Field(
        0.3, description="Load factor at which the low-load increase is reached, p.u."
    )
    low_load_increase: Annotated[float, Field(ge=0, le=2)] = Field(
        0.0, description="Relative heat-rate increase at min_load_pu, p.u. of the rated value."
    )


class Fuel(_Sourced):
    """Price and CO2 emission factor of a fuel, per tonne of standard coal equivalent (tce)."""

    price_CNY_per_tce: NonNegative = Field(description="Delivered price, CNY/tce.")
    co2_t_per_tce: NonNegative = Field(
        description="Combustion CO2, tCO2/tce (0 for biogenic biomass and for ammonia)."
    )


class Cofiring(_Sourced):
    """Co-firing in the coal fleet (煤电低碳化改造): share of coal-unit fuel energy replaced."""

    biomass_share: PerUnit = Field(0.0, description="Biomass share of coal-unit fuel energy, p.u.")
    ammonia_share: PerUnit = Field(0.0, description="Green-ammonia share of coal-unit fuel, p.u.")

    @model_validator(mode="after")
    def _check_total(self) -> Cofiring:
        if self.biomass_share + self.ammonia_share > 1:
            msg = (
                f"biomass_share ({self.biomass_share}) + ammonia_share ({self.ammonia_share}) "
                "must not exceed 1"
            )
            raise ValueError(msg)
        return self


class Ccus(_Sourced):
    """Carbon capture on part of the coal fleet (碳捕集利用与封存)."""

    share: PerUnit = Field(0.0, description="Share of coal-unit generation fitted with capture.")
    capture_rate: PerUnit = Field(0.9, description="Share of the CO2 of fitted units captured.")
    heat_rate_penalty: Annotated[float, Field(ge=0, le=1)] = Field(
        0.25, description="Extra fuel per kWh sent out of fitted units (capture energy), p.u."
    )
    cost_CNY_per_tCO2: NonNegative = Field(
        0.0, description="Capture, transport and storage cost beyond the fuel, CNY/tCO2."
    )


class Technology(_Sourced):
    """Investment economics of one technology (annualised with the capital recovery factor)."""

    investment_CNY_per_kW: NonNegative = Field(0.0, description="Overnight cost, CNY/kW.")
    investment_CNY_per_kWh: NonNegative = Field(
        0.0, description="Overnight cost of storage energy capacity, CNY/kWh (storage only)."
    )
    lifetime_years: Annotated[float, Field(gt=0, le=100)] = Field(description="Lifetime, years.")
    fom_pct: Annotated[float, Field(ge=0, le=100)] = Field(
        0.0, description="Fixed O&M, % of the overnight cost per year."
    )
    vom_CNY_per_MWh: NonNegative = Field(0.0, description="Variable O&M (no fuel), CNY/MWh.")


TECHNOLOGY_KEYS = (
    "wind",
    "solar",
    "csp",
    "hydro",
    "biomass",
    "coal",
    "coal_chp",
    "gas",
    "new_type_storage",
    "pumped_hydro",
    "electrolyser",
)
"""Technologies the investment table may name: generator carriers, storage kinds, electrolysers."""


def _default_heat_rates() -> dict[str, HeatRate]:
    nat = (
        "national 2020 average supply coal consumption 305.5 gce/kWh and the 2025 goal of 300 "
        "(NDRC 2021-11, via https://tothetick.com/ndrc-china-to-improve-coal-fired-power-plants/ "
        "and Reuters via marketscreener.com 2021-11-02)"
    )
    low = (
        "low-load increase 25 % at 30 % load: the cap on the low-load coal-rate rise of the "
        "新一代煤电升级专项行动 (发改能源〔2025〕363号, ../shared/plan/facts.md §9) at the "
        "scenarios' minimum load 0.3"
    )
    return {
        "coal": HeatRate(
            fuel="coal",
            rated_gce_per_kWh=290.0,
            min_load_pu=0.3,
            low_load_increase=0.25,
            source=f"assumption: 290 at full load; with the part-load rise the fleet averages "
            f"302 gce/kWh on baseline-2025 and on plan-2030 (central case, kernel, seed 0), "
            f"against the "
            f"{nat}; {low}",
        ),
        "coal_chp": HeatRate(
            fuel="coal",
            rated_gce_per_kWh=290.0,
            min_load_pu=0.3,
            low_load_increase=0.25,
            source=f"assumption: as condensing coal (the heat output is not modelled, so no fuel "
            f"is allocated to heat); {nat}; {low}",
        ),
        "gas": HeatRate(
            fuel="gas",
            rated_gce_per_kWh=243.0,
            min_load_pu=0.3,
            low_load_increase=0.15,
            source="assumption: 0.2 m3/kWh (as the scenarios' gas marginal cost) x 1.2143 kgce/m3 "
            "(GB/T 2589 natural gas reference coefficient); low-load rise 15 %: assumption",
        ),
        "biomass": HeatRate(
            fuel="biomass",
            rated_gce_per_kWh=600.0,
            min_load_pu=0.3,
            low_load_increase=0.1,
            source="assumption: 1.2 kg straw/kWh (as the scenarios' biomass marginal cost) x "
            "0.5 kgce/kg (GB/T 2589 straw reference coefficient); low-load rise 10 %: assumption",
        ),
    }


def _default_fuels() -> dict[str, Fuel]:
    ipcc = (
        "IPCC 2006 Guidelines vol. 2 ch. 1 table 1.4 defaults x 29.3076 GJ/tce: other bituminous "
        "coal 94.6 tCO2/TJ -> 2.77, natural gas 56.1 tCO2/TJ -> 1.64"
    )
    return {
        "coal": Fuel(
            price_CNY_per_tce=800.0,
            co2_t_per_tce=2.66,
            source=f"price: assumption as the scenarios' coal marginal cost (800 CNY/t standard "
            f"coal, docs/data.md); CO2 2.66 tCO2/tce: the factor of China's NDRC Energy Research "
            f"Institute (0.726 tC/tce x 44/12), the common Chinese convention ({ipcc})",
        ),
        "gas": Fuel(
            price_CNY_per_tce=2059.0,
            co2_t_per_tce=1.64,
            source=f"price: assumption 2.5 CNY/m3 (as the scenarios' gas marginal cost) / "
            f"1.2143 kgce/m3; CO2: {ipcc}",
        ),
        "biomass": Fuel(
            price_CNY_per_tce=600.0,
            co2_t_per_tce=0.0,
            source="price: assumption 300 CNY/t straw (as the scenarios' biomass marginal cost) "
            "/ 0.5 tce/t; CO2 0: biogenic, reported outside energy CO2 (IPCC 2006 vol. 2 ch. 2)",
        ),
        "ammonia": Fuel(
            price_CNY_per_tce=6300.0,
            co2_t_per_tce=0.0,
            source="assumption: green ammonia ~4 000 CNY/t at 18.6 GJ/t LHV = 0.635 tce/t; "
            "no carbon in NH3",
        ),
    }


class Economics(_Model):
    """Fuel use, emissions and costs for the indicators (energysim.indicators).

    Heat rates and fuels have built-in, sourced defaults; investment costs come from a
    technology table (``technologies: data/technology.csv``); without one, the annualised
    investment and the levelised system cost are not computed (NaN).
    """

    heat_rates: dict[ThermalClass, HeatRate] = Field(
        default_factory=_default_heat_rates,
        description="Heat rate per thermal class (coal, coal_chp, gas, biomass).",
    )
    fuels: dict[FuelName, Fuel] = Field(
        default_factory=_default_fuels, description="Price and CO2 factor per fuel."
    )
    cofiring: Cofiring = Field(default_factory=Cofiring)
    ccus: Ccus = Field(default_factory=Ccus)
    technologies: dict[str, Technology] = Field(
        default_factory=dict,
        description="Investment economics per technology (keys: "
        + ", ".join(TECHNOLOGY_KEYS)
        + "); a CSV table path is read like the component tables.",
    )
    discount_rate: Annotated[float, Field(gt=0, le=0.5)] = Field(
        0.08,
        description="Real discount rate for annualising investment, p.u. Default 8 %: the "
        "social discount rate of 建设项目经济评价方法与参数 (3rd ed., NDRC/MOHURD 2006).",
    )
    electrolyser_kWh_per_kg: Annotated[float, Field(gt=30, le=100)] = Field(
        55.0,
        description="Electricity per kg of hydrogen, kWh/kg. Default 55: the scenarios' "
        "assumption (alkaline stack + balance of plant; 39.4 kWh/kg is the HHV minimum).",
    )

    @model_validator(mode="after")
    def _check_keys(self) -> Economics:
        for key in self.technologies:
            if key not in TECHNOLOGY_KEYS:
                msg = (
                    f"technologies: unknown technology {key!r}; expected one of "
                    f"{', '.join(TECHNOLOGY_KEYS)}"
                )
                raise ValueError(msg)
        return self


class Scenario(_Model):
    """A whole system for one model year. See the module docstring for conventions."""

    name: Name = Field(description="Short identifier, e.g. 'plan-2030'.")
    description: str = Field("", description="What the scenario represents.")
    extends: str | None = Field(
        None, description="Base scenario file this one modifies (path relative to this file)."
    )
    year: int = Field(ge=2000, le=2100, description="Model year; sets the calendar (leap years).")
    weather: Weather = Field(default_factory=Weather)
    heating_season: HeatingSeason = Field(default_factory=HeatingSeason)
    buses: dict[Name, Bus] = Field(min_length=1, description="Buses by name.")
    demand: Demand
    generators: dict[Name, Generator] = Field(default_factory=dict)
    storage: dict[Name, Storage] = Field(default_factory=dict)
    demand_response: DemandResponse = Field(default_factory=DemandResponse)
    flexible_loads: dict[Name, FlexibleLoad] = Field(default_factory=dict)
    lines: dict[Name, Line] = Field(default_factory=dict)
    corridors: dict[Name, Corridor] = Field(default_factory=dict)
    reserve: Reserve | None = Field(
        None, description="Upward operating reserve. Empty: no reserve is held (or recorded)."
    )
    thermal_availability: ThermalAvailability | None = Field(
        None,
        description="Planned maintenance and forced outages of thermal classes. Empty: every "
        "thermal fleet is available at p_nom x p_max_pu in every hour.",
    )
    targets: Targets = Field(default_factory=Targets)
    costs: Costs = Field(default_factory=Costs)
    economics: Economics = Field(default_factory=Economics)
    capacity_totals_GW: dict[str, NonNegative] = Field(
        default_factory=dict,
        description="Rescale a class of capacity to a new total, keeping its split across "
        "buses: keys are generator carriers ('wind', 'solar', ...), 'new_energy' (wind + solar "
        "+ CSP together), 'new_type_storage', 'pumped_hydro', 'electrolyser', 'corridors'. GW.",
    )
