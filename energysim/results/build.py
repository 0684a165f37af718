"""Turn a :class:`~energysim.kernel.DispatchResult` into the documented results Dataset.

All engines (kernel, reference, LP, plug-ins) go through :func:`to_dataset`, so they share one
schema and one accounting convention (:mod:`energysim.accounting`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import numpy as np
import xarray as xr

from energysim.accounting import (
    corridor_accounting,
    generator_dispatch,
    safe_share,
    system_figures,
)
from energysim.adequacy import MONTHS, adequacy_figures
from energysim.cache import config_yaml
from energysim.config.schema import Scenario
from energysim.constants import COAL_CARRIERS, NEW_ENERGY_CARRIERS, RENEWABLE_CARRIERS
from energysim.indicators import GRIDS, add_indicators
from energysim.kernel import DispatchResult, KernelInputs, PackIndex
from energysim.results.schema import VARIABLES

logger = logging.getLogger(__name__)

__all__ = ["to_dataset"]


def _var(name: str, data: np.ndarray | float, coords: Mapping[str, object]) -> xr.Variable:
    # a bare Variable: the Dataset gets the coordinates once (one alignment, not one per
    # variable: ~5x faster for plan-2030); every dim of the spec must be in ``coords``
    spec = VARIABLES[name]
    assert all(d in coords for d in spec.dims), (name, spec.dims)  # noqa: S101
    return xr.Variable(spec.dims, data, attrs={"units": spec.units, "long_name": spec.long_name})


def to_dataset(
    result: DispatchResult,
    inputs: KernelInputs,
    index: PackIndex,
    scenario: Scenario,
    engine: str,
    attrs: Mapping[str, object] | None = None,
) -> xr.Dataset:
    """Build the results Dataset (hourly variables and annual figures).

    Parameters
    ----------
    result : DispatchResult
        Hourly dispatch from any engine.
    inputs, index : KernelInputs, PackIndex
        The packed scenario the dispatch belongs to.
    scenario : Scenario
        The validated scenario (for capacities and corridor requirements).
    engine : str
        'kernel', 'reference' or 'lp'.
    attrs : mapping, optional
        Extra provenance attributes (str or number values).

    Returns
    -------
    xarray.Dataset
        Variables as documented in :data:`energysim.results.schema.VARIABLES`.
    """
    from energysim._version import __version__

    hours = len(index.snapshots)
    coords = {
        "snapshot": index.snapshots,
        "bus": list(index.buses),
        "generator": list(index.generators),
        "storage_unit": list(index.storage),
        "line": list(index.lines),
        "corridor": list(index.corridors),
        "flexible_load": list(index.flexible_loads),
        "month": MONTHS,
        "grid": list(GRIDS),
    }
    ne_carriers = NEW_ENERGY_CARRIERS
    gen_p = generator_dispatch(result, inputs, index)
    carriers = np.array([scenario.generators[g].carrier for g in index.generators])
    corridor_pos = {name: c for c, name in enumerate(index.corridors)}
    dedicated_ne = np.zeros_like(result.corr_flow)
    dedicated_all = np.zeros_like(result.corr_flow)
    for gi, name in enumerate(index.generators):
        g = scenario.generators[name]
        if g.dedicated_to in corridor_pos:
            dedicated_all[:, corridor_pos[g.dedicated_to]] += gen_p[:, gi]
            if g.carrier in ne_carriers:
                dedicated_ne[:, corridor_pos[g.dedicated_to]] += gen_p[:, gi]
    ne_curtail, corr_ne = corridor_accounting(result, inputs, dedicated_ne, dedicated_all)

    flex_p = np.zeros((hours, len(index.flexible_loads)))
    for f, (name, b) in enumerate(zip(index.flexible_loads, index.flexible_bus, strict=True)):
        load = scenario.flexible_loads[name]
        share = safe_share(np.full(hours, load.p_nom), np.full(hours, inputs.flex_max[b]))
        flex_p[:, f] = result.flex_use[:, b] * share

    twh = 1e-6
    gen_twh = gen_p.sum(axis=0) * twh
    corr_energy = result.corr_flow.sum(axis=0) * twh
    corr_cap = inputs.corr_cap
    corridors = [scenario.corridors[c] for c in index.corridors]
    figures = system_figures(
        result,
        inputs,
        scenario,
        ne_curtail,
        corr_ne,
        renewable_used_TWh=float(gen_twh[np.isin(carriers, RENEWABLE_CARRIERS)].sum()),
        coal_TWh=float(gen_twh[np.isin(carriers, COAL_CARRIERS)].sum()),
    )

    data = {
        "demand": inputs.demand,
        "generator_p": gen_p,
        "generator_p_available": index.gen_avail,
        "curtailment": result.curtail,
        "new_energy_curtailment": ne_curtail,
        "thermal_relief": result.thermal_relief,
        "storage_charge": result.st_charge,
        "storage_discharge": result.st_discharge,
        "state_of_charge": result.st_soc,
        "flexible_load_p": flex_p,
        "line_p0": result.line_p0,
        "line_p1": result.line_p1,
        "corridor_p": result.corr_flow,
        "corridor_schedule": inputs.schedule,
        "corridor_shortfall": result.corr_short,
        "corridor_p_new_energy": corr_ne,
        "corridor_p_other": result.corr_flow - corr_ne,
        "demand_response_shed": result.dr_shed,
        "demand_response_payback": result.dr_payback,
        "unserved": result.unserved,
        "reserve_shortfall": result.reserve_short,
        "corridor_energy_TWh": corr_energy,
        "corridor_new_energy_TWh": corr_ne.sum(axis=0) * twh,
        "corridor_utilisation_hours": safe_share(corr_energy / twh, corr_cap),
        "corridor_renewable_share": safe_share(corr_ne.sum(axis=0), result.corr_flow.sum(axis=0)),
        "corridor_min_renewable_share": np.array([c.min_renewable_share for c in corridors]),
        "corridor_p_nom": corr_cap,
        "generator_energy_TWh": gen_twh,
        **figures,
        **adequacy_figures(
            index.snapshots,
            result.unserved,
            result.corr_short,
            index.receiving_peak,
            result.reserve_short,
            corridor_grid=[scenario.buses[scenario.corridors[c].bus].grid for c in index.corridors],
            grids=GRIDS,
        ),
    }
    used = {d for name in data for d in VARIABLES[name].dims}
    ds = xr.Dataset(
        {name: _var(name, value, coords) for name, value in data.items()},
        coords={d: c for d, c in coords.items() if d in used},
    )
    ds["generator"].attrs["carrier"] = ",".join(carriers)
    ds = ds.assign_coords(
        carrier=("generator", carriers),
        generator_bus=("generator", [scenario.generators[g].bus for g in index.generators]),
        storage_bus=("storage_unit", [scenario.storage[s].bus for s in index.storage]),
        storage_kind=("storage_unit", [scenario.storage[s].kind for s in index.storage]),
        corridor_bus=("corridor", [scenario.corridors[c].bus for c in index.corridors]),
        receiving_grid=(
            "corridor",
            [scenario.corridors[c].receiving_grid for c in index.corridors],
        ),
        bus_grid=("bus", [scenario.buses[b].grid for b in index.buses]),
        bus_x=("bus", [scenario.buses[b].x for b in index.buses]),
        bus_y=("bus", [scenario.buses[b].y for b in index.buses]),
        flexible_load_kind=(
            "flexible_load",
            [scenario.flexible_loads[f].kind for f in index.flexible_loads],
        ),
        flexible_load_bus=(
            "flexible_load",
            [scenario.flexible_loads[f].bus for f in index.flexible_loads],
        ),
        line_bus0=("line", [scenario.lines[n].bus0 for n in index.lines]),
        line_bus1=("line", [scenario.lines[n].bus1 for n in index.lines]),
    )
    ds.attrs.update(
        {
            "energysim_version": __version__,
            "engine": engine,
            "scenario": scenario.name,
            "year": scenario.year,
            "seed": scenario.weather.seed,
            "weather": "synthetic"
            if not (scenario.weather.wind_profile or scenario.weather.solar_profile)
            else "real profiles",
            "time_zone": "Asia/Shanghai (Beijing time, tz-naive timestamps)",
            "corridors_out_of_service": ",".join(index.corridors_out_of_service),
            "config": config_yaml(scenario),  # cached per content (energysim.cache)
        }
    )
    ds = add_indicators(ds, result, inputs, scenario)
    if attrs:
        ds.attrs.update(dict(attrs))
    return ds
