"""Turn a :class:`~energysim.kernel.DispatchResult` into the documented results Dataset.

All engines (kernel, reference, LP, plug-ins) go through :func:`to_dataset`, so they share one
schema and one accounting convention (:mod:`energysim.accounting`).

Speed (issue 17): every variable, the indicators included (:func:`energysim.indicators.
indicator_data`), is computed as a numpy array first and the Dataset is created once from
``(dims, data, attrs)`` tuples and one :class:`xarray.Coordinates`, whose dimension indexes are
cached on their labels (:func:`_dim_index`); no variable is added by ``assign`` afterwards.
``tests/test_results_build.py`` holds the result identical to the Dataset built the slow way.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import xarray as xr
from xarray.indexes import PandasIndex

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
from energysim.indicators import GRIDS, indicator_data
from energysim.kernel import DispatchResult, KernelInputs, PackIndex
from energysim.kernel._jit import jit
from energysim.results.schema import VARIABLES

logger = logging.getLogger(__name__)

__all__ = ["to_dataset"]

_LABEL_DIMS = {
    "carrier": "generator",
    "generator_bus": "generator",
    "storage_bus": "storage_unit",
    "storage_kind": "storage_unit",
    "corridor_bus": "corridor",
    "receiving_grid": "corridor",
    "bus_grid": "bus",
    "bus_x": "bus",
    "bus_y": "bus",
    "flexible_load_kind": "flexible_load",
    "flexible_load_bus": "flexible_load",
    "line_bus0": "line",
    "line_bus1": "line",
}
"""The non-index coordinates of a results Dataset and their dimension."""


def _var(name: str, data: np.ndarray | float) -> tuple[tuple[str, ...], object, dict]:
    # (dims, data, attrs): the Dataset is built once from these and the coordinates (one
    # merge, no alignment per variable; a tuple is turned into a Variable once, where a
    # Variable given would be copied again)
    spec = VARIABLES[name]
    return spec.dims, data, {"units": spec.units, "long_name": spec.long_name}


_INDEX_CACHE_SIZE = 64
_indexes: OrderedDict[tuple, PandasIndex] = OrderedDict()
_indexes_lock = threading.Lock()


def _dim_index(dim: str, labels: Sequence | pd.DatetimeIndex) -> PandasIndex:
    """The xarray index of one dimension coordinate, cached on its labels (issue 17).

    Building a pandas index from strings infers its dtype (~0.3 ms a dimension); a scenario
    simulated again has the same labels, so the index is reused. pandas indexes are immutable,
    so sharing one between Datasets is safe. The key is the labels' content (for hours, their
    int64 nanoseconds), never an object's identity.
    """
    if isinstance(labels, pd.DatetimeIndex):
        key = (dim, "datetime", labels.asi8.tobytes())
    else:
        key = (dim, tuple(labels))
    with _indexes_lock:
        hit = _indexes.get(key)
        if hit is not None:
            _indexes.move_to_end(key)
            return hit
    # the same path xarray takes for a coordinate given as an array (default index)
    index = PandasIndex.from_variables({dim: xr.Variable(dim, np.asarray(labels))}, options={})
    with _indexes_lock:
        _indexes[key] = index
        while len(_indexes) > _INDEX_CACHE_SIZE:
            _indexes.popitem(last=False)
    return index


def _coordinates(
    dims: Mapping[str, Sequence | pd.DatetimeIndex],
    extra: Mapping[str, tuple[str, Sequence]],
    dim_attrs: Mapping[str, Mapping[str, str]],
) -> xr.Coordinates:
    """Dimension coordinates (indexed, cached by :func:`_dim_index`) and ``extra`` non-index
    coordinates ``name: (dim, values)``, with attrs ``dim_attrs[dim]`` on the dimensions."""
    variables: dict[str, xr.Variable] = {}
    indexes: dict[str, PandasIndex] = {}
    for dim, labels in dims.items():
        index = _dim_index(dim, labels)
        indexes[dim] = index
        variables.update(index.create_variables())  # fresh Variables around the shared index
        if dim in dim_attrs:
            variables[dim].attrs.update(dim_attrs[dim])
    for name, (dim, values) in extra.items():
        variables[name] = xr.Variable(dim, np.asarray(values))
    return xr.Coordinates(variables, indexes=indexes)


@jit
def _dedicated_hours(gen_p, cols, corr, is_ne, dedicated_ne, dedicated_all):
    """Add each dedicated plant's output (column ``cols[i]`` of ``gen_p`` (T, G), MW) to its
    corridor ``corr[i]`` in ``dedicated_all`` (T, C) and, if ``is_ne[i]``, ``dedicated_ne``:
    in plant order, so every sum is the one of adding the columns one by one."""
    for t in range(gen_p.shape[0]):
        for i in range(cols.shape[0]):
            p = gen_p[t, cols[i]]
            dedicated_all[t, corr[i]] += p
            if is_ne[i]:
                dedicated_ne[t, corr[i]] += p


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

    ne_carriers = NEW_ENERGY_CARRIERS
    gen_p = generator_dispatch(result, inputs, index)
    carriers = np.array([scenario.generators[g].carrier for g in index.generators])
    corridor_pos = {name: c for c, name in enumerate(index.corridors)}
    dedicated = [  # (generator column, corridor, new energy?) of every dedicated plant (配套电源)
        (gi, corridor_pos[g.dedicated_to], g.carrier in ne_carriers)
        for gi, g in enumerate(scenario.generators[name] for name in index.generators)
        if g.dedicated_to in corridor_pos
    ]
    dedicated_ne = np.zeros_like(result.corr_flow)
    dedicated_all = np.zeros_like(result.corr_flow)
    if dedicated:
        cols, corr, is_ne = (np.array(v) for v in zip(*dedicated, strict=True))
        _dedicated_hours(
            gen_p, cols.astype(np.int64), corr.astype(np.int64), is_ne, dedicated_ne, dedicated_all
        )
    ne_curtail, corr_ne = corridor_accounting(result, inputs, dedicated_ne, dedicated_all)

    # each flexible load takes its share p_nom / (its bus's flexible p_nom) of the bus's use
    flex_bus = np.asarray(index.flexible_bus, dtype=np.int64)
    flex_share = safe_share(
        np.array([scenario.flexible_loads[f].p_nom for f in index.flexible_loads], dtype=float),
        inputs.flex_max[flex_bus],
    )
    # C order, as every hourly variable (a fancy-indexed selection comes out in Fortran order)
    flex_p = np.ascontiguousarray(result.flex_use[:, flex_bus] * flex_share)

    twh = 1e-6
    gen_twh = gen_p.sum(axis=0) * twh
    corr_sent, corr_ne_sent = result.corr_flow.sum(axis=0), corr_ne.sum(axis=0)  # MWh
    corr_energy = corr_sent * twh
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
        "corridor_new_energy_TWh": corr_ne_sent * twh,
        "corridor_utilisation_hours": safe_share(corr_energy / twh, corr_cap),
        "corridor_renewable_share": safe_share(corr_ne_sent, corr_sent),
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
    labels = {
        "carrier": carriers,
        "generator_bus": [scenario.generators[g].bus for g in index.generators],
        "storage_bus": [scenario.storage[s].bus for s in index.storage],
        "storage_kind": [scenario.storage[s].kind for s in index.storage],
        "corridor_bus": [scenario.corridors[c].bus for c in index.corridors],
        "receiving_grid": [scenario.corridors[c].receiving_grid for c in index.corridors],
        "bus_grid": [scenario.buses[b].grid for b in index.buses],
        "bus_x": [scenario.buses[b].x for b in index.buses],
        "bus_y": [scenario.buses[b].y for b in index.buses],
        "flexible_load_kind": [scenario.flexible_loads[f].kind for f in index.flexible_loads],
        "flexible_load_bus": [scenario.flexible_loads[f].bus for f in index.flexible_loads],
        "line_bus0": [scenario.lines[n].bus0 for n in index.lines],
        "line_bus1": [scenario.lines[n].bus1 for n in index.lines],
    }
    labels = {name: np.asarray(value) for name, value in labels.items()}
    dims = {
        "snapshot": index.snapshots,
        "bus": index.buses,
        "generator": index.generators,
        "storage_unit": index.storage,
        "line": index.lines,
        "corridor": index.corridors,
        "flexible_load": index.flexible_loads,
        "month": MONTHS,
        "grid": GRIDS,
    }
    indicators, new_dims = indicator_data({**data, **labels, **dims}, result, inputs, scenario)
    data.update(indicators)
    dims.update(new_dims)
    coords = _coordinates(
        dims,
        {name: (_LABEL_DIMS[name], value) for name, value in labels.items()},
        {"generator": {"carrier": ",".join(carriers)}},
    )
    provenance = {
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
    if attrs:
        provenance.update(dict(attrs))
    return _assemble(data, coords, provenance)


def _assemble(
    data: Mapping[str, np.ndarray | float], coords: xr.Coordinates, attrs: dict
) -> xr.Dataset:
    """The Dataset of the variables ``data`` (schema names), created once."""
    return xr.Dataset(
        {name: _var(name, value) for name, value in data.items()}, coords=coords, attrs=attrs
    )
