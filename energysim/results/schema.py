"""The results Dataset: one documented schema for every engine.

``VARIABLES`` is the single table of every data variable: its dims, units and long name. Both
engines return exactly these variables (:func:`validate_results` checks it in the tests).

Dims: ``snapshot`` (hour, Beijing local time), ``bus``, ``generator``, ``storage_unit``, ``line``,
``corridor``, ``flexible_load``; the indicators add ``grid`` (mengxi, mengdong), ``month``
(1..12), ``region`` (receiving grids) and ``technology``. Annual figures have no ``snapshot`` dim.
"""

from __future__ import annotations

import logging
from typing import NamedTuple

import xarray as xr

from energysim.exceptions import EnergysimError

logger = logging.getLogger(__name__)

__all__ = ["ANNUAL_FIGURES", "VARIABLES", "VarSpec", "validate_results"]


class VarSpec(NamedTuple):
    """Dims, unit and description of one result variable."""

    dims: tuple[str, ...]
    units: str
    long_name: str


T = "snapshot"
VARIABLES: dict[str, VarSpec] = {
    # hourly
    "demand": VarSpec((T, "bus"), "MW", "inflexible demand before demand response"),
    "generator_p": VarSpec((T, "generator"), "MW", "generator output"),
    "generator_p_available": VarSpec((T, "generator"), "MW", "generator available power"),
    "curtailment": VarSpec(
        (T, "bus"), "MW", "curtailed zero-cost supply (wind, solar, CSP, hydro)"
    ),
    "new_energy_curtailment": VarSpec((T, "bus"), "MW", "curtailed new energy (wind, solar, CSP)"),
    "thermal_relief": VarSpec((T, "bus"), "MW", "must-run thermal reduced below its floor"),
    "storage_charge": VarSpec(
        (T, "storage_unit"), "MW", "storage charging power drawn from the bus"
    ),
    "storage_discharge": VarSpec(
        (T, "storage_unit"), "MW", "storage discharging power delivered to the bus"
    ),
    "state_of_charge": VarSpec(
        (T, "storage_unit"), "MWh", "storage state of charge at the end of the hour"
    ),
    "flexible_load_p": VarSpec((T, "flexible_load"), "MW", "flexible load consumption"),
    "line_p0": VarSpec(
        (T, "line"), "MW", "power withdrawn from bus0 (negative: delivered to bus0)"
    ),
    "line_p1": VarSpec(
        (T, "line"), "MW", "power withdrawn from bus1 (negative: delivered to bus1)"
    ),
    "corridor_p": VarSpec((T, "corridor"), "MW", "corridor sending at the sending bus"),
    "corridor_schedule": VarSpec(
        (T, "corridor"), "MW", "scheduled corridor sending (delivery curve)"
    ),
    "corridor_shortfall": VarSpec(
        (T, "corridor"), "MW", "scheduled sending that could not be supplied"
    ),
    "corridor_p_new_energy": VarSpec((T, "corridor"), "MW", "new-energy part of corridor sending"),
    "corridor_p_other": VarSpec(
        (T, "corridor"), "MW", "thermal and other part of corridor sending"
    ),
    "demand_response_shed": VarSpec((T, "bus"), "MW", "load shed by demand response"),
    "demand_response_payback": VarSpec((T, "bus"), "MW", "shifted load served later"),
    "unserved": VarSpec((T, "bus"), "MW", "unserved demand"),
    "reserve_shortfall": VarSpec(
        (T,), "MW", "upward reserve requirement not held (thermal and storage headroom)"
    ),
    # annual, per component
    "corridor_energy_TWh": VarSpec(("corridor",), "TWh", "energy sent over the year"),
    "corridor_new_energy_TWh": VarSpec(("corridor",), "TWh", "new energy sent over the year"),
    "corridor_utilisation_hours": VarSpec(("corridor",), "h", "energy sent / rated capacity"),
    "corridor_renewable_share": VarSpec(("corridor",), "1", "new-energy share of energy sent"),
    "corridor_min_renewable_share": VarSpec(("corridor",), "1", "required new-energy share"),
    "corridor_p_nom": VarSpec(("corridor",), "MW", "rated sending capacity"),
    "generator_energy_TWh": VarSpec(("generator",), "TWh", "generation over the year"),
    # annual, system
    "new_energy_capacity_GW": VarSpec((), "GW", "installed wind + solar + CSP"),
    "new_type_storage_GW": VarSpec((), "GW", "installed new-type storage power"),
    "demand_response_share": VarSpec((), "1", "demand response capacity / peak load"),
    "peak_load_MW": VarSpec((), "MW", "peak of inflexible demand"),
    "demand_TWh": VarSpec((), "TWh", "inflexible demand"),
    "consumption_TWh": VarSpec((), "TWh", "electricity consumed in Inner Mongolia (whole-society)"),
    "new_energy_available_TWh": VarSpec((), "TWh", "new energy the weather allowed"),
    "new_energy_used_TWh": VarSpec((), "TWh", "new energy generated (available minus curtailed)"),
    "new_energy_curtailed_TWh": VarSpec((), "TWh", "new energy curtailed"),
    "new_energy_utilisation": VarSpec((), "1", "new energy used / available"),
    "new_energy_local_TWh": VarSpec((), "TWh", "new energy consumed in Inner Mongolia"),
    "new_energy_export_TWh": VarSpec((), "TWh", "new energy sent over the export corridors"),
    "export_TWh": VarSpec((), "TWh", "all energy sent over the export corridors"),
    "export_shortfall_TWh": VarSpec((), "TWh", "scheduled export that could not be supplied"),
    "renewable_weight": VarSpec((), "1", "renewable consumption weight (消纳权重)"),
    "coal_TWh": VarSpec((), "TWh", "coal generation (condensing and CHP)"),
    "thermal_TWh": VarSpec(
        (), "TWh", "thermal generation (coal, CHP, gas, biomass; imports excluded)"
    ),
    "import_TWh": VarSpec(
        (), "TWh", "imports from neighbouring grids (e.g. the Northeast grid at 蒙东's ties)"
    ),
    "import_hours": VarSpec((), "h", "hours with imports from neighbouring grids"),
    "import_max_MW": VarSpec((), "MW", "largest hourly import from neighbouring grids"),
    "storage_losses_TWh": VarSpec(
        (), "TWh", "storage charging minus discharging minus stored-energy gain"
    ),
    "line_losses_TWh": VarSpec((), "TWh", "internal transmission losses"),
    "flexible_load_TWh": VarSpec((), "TWh", "flexible load consumption"),
    "demand_response_TWh": VarSpec((), "TWh", "load shed by demand response"),
    "unserved_MWh": VarSpec((), "MWh", "unserved energy"),
    "thermal_relief_TWh": VarSpec((), "TWh", "must-run thermal reduced below its floor"),
    # indicators (energysim.indicators)
    "coal_Mtce": VarSpec((), "Mtce", "standard coal burned in coal units (after co-firing)"),
    "co2_Mt": VarSpec((), "Mt", "CO2 from coal and gas, net of capture"),
    "co2_captured_Mt": VarSpec((), "Mt", "CO2 captured (CCUS)"),
    "coal_heat_rate_gce_per_kWh": VarSpec(
        (), "gce/kWh", "average heat rate of coal units (all fuel / coal-unit generation)"
    ),
    "generation_TWh": VarSpec(
        (), "TWh", "generation of all Inner Mongolian generators (imports excluded)"
    ),
    "new_energy_generation_share": VarSpec((), "1", "new-energy share of generation"),
    "new_energy_over_thermal_generation": VarSpec(
        (), "1", "new-energy generation / thermal generation (两个超过)"
    ),
    "non_fossil_share": VarSpec(
        (), "1", "non-fossil share of generation (renewables and co-fired biomass/ammonia)"
    ),
    "new_energy_capacity_share": VarSpec((), "1", "new-energy share of generating capacity"),
    "new_energy_over_thermal_capacity": VarSpec(
        (), "1", "new-energy capacity / thermal capacity (两个超过)"
    ),
    "curtailed_system_TWh": VarSpec((), "TWh", "new energy curtailed for system surplus (调峰)"),
    "curtailed_congestion_TWh": VarSpec(
        (), "TWh", "new energy curtailed for network congestion (网架)"
    ),
    "bus_new_energy_utilisation": VarSpec(("bus",), "1", "new energy used / available per bus"),
    "bus_curtailed_system_TWh": VarSpec(("bus",), "TWh", "system-surplus curtailment per bus"),
    "bus_curtailed_congestion_TWh": VarSpec(("bus",), "TWh", "congestion curtailment per bus"),
    "grid_new_energy_utilisation": VarSpec(
        ("grid",), "1", "new energy used / available per grid (蒙西, 蒙东)"
    ),
    "grid_curtailed_system_TWh": VarSpec(("grid",), "TWh", "system-surplus curtailment per grid"),
    "grid_curtailed_congestion_TWh": VarSpec(("grid",), "TWh", "congestion curtailment per grid"),
    "monthly_new_energy_utilisation": VarSpec(
        ("month",), "1", "new energy used / available per month"
    ),
    "monthly_curtailed_system_TWh": VarSpec(
        ("month",), "TWh", "system-surplus curtailment per month"
    ),
    "monthly_curtailed_congestion_TWh": VarSpec(
        ("month",), "TWh", "congestion curtailment per month"
    ),
    "storage_cycles": VarSpec(
        ("storage_unit",), "1", "equivalent full cycles (discharged / energy capacity)"
    ),
    "storage_shifted_TWh": VarSpec((), "TWh", "energy discharged by all storage"),
    "new_type_storage_cycles": VarSpec((), "1", "equivalent full cycles of new-type storage"),
    "flexible_load_full_load_hours": VarSpec(
        ("flexible_load",), "h", "flexible load energy / rated input"
    ),
    "hydrogen_t": VarSpec(("flexible_load",), "t", "hydrogen produced (electrolysers)"),
    "hydrogen_kt": VarSpec((), "kt", "hydrogen produced by all electrolysers"),
    "corridor_new_energy_delivered_TWh": VarSpec(
        ("corridor",), "TWh", "new energy delivered at the receiving end (after losses)"
    ),
    "region_new_energy_delivered_TWh": VarSpec(
        ("region",), "TWh", "new energy delivered to each receiving grid (after losses)"
    ),
    "fuel_cost_bnCNY": VarSpec((), "1e9 CNY", "fuel cost (coal, co-fired fuels, gas, biomass)"),
    "variable_cost_bnCNY": VarSpec(
        (), "1e9 CNY", "variable system cost (fuel, variable O&M, CCUS, demand response)"
    ),
    "energy_served_TWh": VarSpec(
        (), "TWh", "demand served + flexible loads + energy sent over the corridors"
    ),
    "variable_cost_CNY_per_MWh": VarSpec((), "CNY/MWh", "variable system cost per MWh served"),
    "annualised_investment_bnCNY": VarSpec(
        ("technology",), "1e9 CNY", "annualised investment and fixed O&M of the installed fleet"
    ),
    "levelised_system_cost_CNY_per_MWh": VarSpec(
        (), "CNY/MWh", "(variable cost + annualised investment) per MWh served"
    ),
    # adequacy (energysim.adequacy; definitions in its module docstring)
    "loss_of_load_hours": VarSpec((), "h", "hours with unserved demand (LOLH)"),
    "export_cut_hours": VarSpec((), "h", "hours with scheduled corridor sending cut"),
    "export_cut_max_MW": VarSpec((), "MW", "largest cut of scheduled sending in one hour"),
    "export_cut_max_hour": VarSpec(
        (), "h", "hour of the year (0-based) of the largest cut; -1 if none"
    ),
    "export_cut_peak_hours": VarSpec(
        (), "h", "hours with a cut in the receiving grid's peak hours (top 10 % of its load)"
    ),
    "export_cut_peak_TWh": VarSpec(
        (), "TWh", "scheduled sending cut in the receiving grids' peak hours"
    ),
    "reserve_shortfall_hours": VarSpec((), "h", "hours with upward reserve not held"),
    "reserve_shortfall_MWh": VarSpec((), "MWh", "upward reserve not held, summed over hours"),
    "corridor_cut_hours": VarSpec(("corridor",), "h", "hours with scheduled sending cut"),
    "grid_export_cut_hours": VarSpec(
        ("grid",), "h", "hours with scheduled sending cut on the corridors leaving the grid"
    ),
    "grid_export_shortfall_TWh": VarSpec(
        ("grid",), "TWh", "scheduled sending cut on the corridors leaving the grid"
    ),
    "grid_export_cut_max_MW": VarSpec(
        ("grid",), "MW", "largest hourly cut on the corridors leaving the grid"
    ),
    "loss_of_load_hours_monthly": VarSpec(("month",), "h", "hours with unserved demand"),
    "unserved_MWh_monthly": VarSpec(("month",), "MWh", "unserved energy"),
    "export_cut_hours_monthly": VarSpec(
        ("month",), "h", "hours with scheduled corridor sending cut"
    ),
    "export_shortfall_TWh_monthly": VarSpec(
        ("month",), "TWh", "scheduled export that could not be supplied"
    ),
    "export_cut_max_MW_monthly": VarSpec(
        ("month",), "MW", "largest cut of scheduled sending in one hour"
    ),
    "export_cut_peak_hours_monthly": VarSpec(
        ("month",), "h", "hours with a cut in the receiving grid's peak hours"
    ),
    "export_cut_peak_TWh_monthly": VarSpec(
        ("month",), "TWh", "scheduled sending cut in the receiving grids' peak hours"
    ),
    "reserve_shortfall_hours_monthly": VarSpec(
        ("month",), "h", "hours with upward reserve not held"
    ),
    "reserve_shortfall_MWh_monthly": VarSpec(
        ("month",), "MWh", "upward reserve not held, summed over hours"
    ),
}

ANNUAL_FIGURES = (
    "new_energy_capacity_GW",
    "new_type_storage_GW",
    "demand_response_share",
    "new_energy_local_TWh",
    "new_energy_export_TWh",
    "renewable_weight",
    "new_energy_utilisation",
    "unserved_MWh",
    "loss_of_load_hours",
    "export_cut_hours",
    "reserve_shortfall_hours",
    "new_energy_used_TWh",
    "new_energy_curtailed_TWh",
    "export_TWh",
    "coal_TWh",
    "consumption_TWh",
)
"""Key annual figures, the defaults of sweeps and the checks."""


def validate_results(ds: xr.Dataset) -> None:
    """Raise if ``ds`` does not follow :data:`VARIABLES` (names, dims, units, long names)."""
    missing = set(VARIABLES) - set(ds.data_vars)
    extra = set(ds.data_vars) - set(VARIABLES)
    if missing or extra:
        msg = f"results schema mismatch: missing {sorted(missing)}, unexpected {sorted(extra)}"
        raise EnergysimError(msg)
    for name, spec in VARIABLES.items():
        var = ds[name]
        if var.dims != spec.dims:
            msg = f"results variable {name!r} has dims {var.dims}; expected {spec.dims}"
            raise EnergysimError(msg)
        if var.attrs.get("units") != spec.units or var.attrs.get("long_name") != spec.long_name:
            msg = f"results variable {name!r} lacks the documented units/long_name attrs"
            raise EnergysimError(msg)
    for key in ("energysim_version", "engine", "scenario", "seed"):
        if key not in ds.attrs:
            msg = f"results lack the provenance attribute {key!r}"
            raise EnergysimError(msg)
