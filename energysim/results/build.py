"""Turn a :class:`~energysim.kernel.DispatchResult` into the documented results Dataset.

All engines (kernel, reference, LP) go through :func:`to_dataset`, so they share one schema and
one accounting convention.

Accounting convention (``docs/kernel.md``, shown by ``tests/test_accounting.py``):

* **New energy used** = available wind, solar and CSP minus their curtailment. Curtailment at a
  bus is shared between new energy and hydro in proportion to their availability.
* **New energy exported**: in every hour a corridor's sending is split into (1) sending above
  its schedule, which the kernel only does with surplus new energy (new energy); (2) the output of
  its dedicated plants (配套电源) up to the scheduled part (new energy in proportion to their
  new-energy output); (3) the rest,
  which carries the new-energy share of the sending bus's other generation (pro rata). Measured
  at the sending end, before corridor losses.
* **New energy consumed locally** = new energy used - new energy exported. It includes storage
  and line losses, which are local consumption in Chinese statistics.
* **Renewable consumption weight** = (renewable generation used - new energy exported) /
  consumption, where renewables are new energy, hydro and biomass and consumption is demand
  served + flexible loads + storage losses + line losses.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import numpy as np
import xarray as xr
import yaml

from energysim.config.checks import new_energy_carriers
from energysim.config.schema import Scenario
from energysim.kernel import DispatchResult, KernelInputs, PackIndex
from energysim.kernel._jit import jit, jit_inline
from energysim.kernel.pack import in_service_at_year_end
from energysim.results.schema import VARIABLES

logger = logging.getLogger(__name__)

__all__ = [
    "corridor_accounting",
    "corridor_new_energy",
    "generator_dispatch",
    "safe_share",
    "system_figures",
    "to_dataset",
]

RENEWABLE_CARRIERS = ("wind", "solar", "csp", "hydro", "biomass")
COAL_CARRIERS = ("coal", "coal_chp")


SHARE_EPS = 1e-12
"""Totals at or below this are empty: a share of them is 0 (:func:`safe_share`, :func:`share`)."""


def safe_share(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den`` where ``den`` > SHARE_EPS, else 0 (shares of possibly empty totals)."""
    return np.divide(num, den, out=np.zeros_like(num, dtype=float), where=den > SHARE_EPS)


@jit_inline
def share(num, den):
    """Scalar :func:`safe_share` for the compiled hour loops."""
    return num / den if den > SHARE_EPS else 0.0


def generator_dispatch(
    result: DispatchResult, inputs: KernelInputs, index: PackIndex
) -> np.ndarray:
    """Output of every generator (T, G), MW, from the bus- and tier-level dispatch.

    Zero-cost fleets at a bus share its curtailment in proportion to availability. Thermal fleets
    of one tier at one bus run at their must-run floor plus a share of the tier's output above
    its floor in proportion to their headroom (or, below the floor, in proportion to the floor).
    """
    names = {n: i for i, n in enumerate(index.generators)}
    out = np.zeros_like(index.gen_avail)
    _generator_dispatch_hours(
        np.array([names[n] for n in index.zero_cost], dtype=np.int64),
        np.array(index.zero_cost_bus, dtype=np.int64),
        np.array([names[n] for n in index.thermal], dtype=np.int64),
        np.array(index.thermal_tier, dtype=np.int64),
        np.array(index.thermal_bus, dtype=np.int64),
        np.ascontiguousarray(index.gen_avail),
        np.ascontiguousarray(index.gen_must),
        result.curtail,
        inputs.vre_avail,
        result.thermal,
        inputs.th_must,
        inputs.th_avail,
        out,
    )
    return out


@jit
def _generator_dispatch_hours(
    zc_col, zc_bus, th_col, th_tier, th_bus, gen_avail, gen_must, curtail, vre_avail, thermal,
    th_must, th_avail, out,
):  # fmt: skip
    """Hour loop of :func:`generator_dispatch`; fills ``out`` (T, G) in place.

    ``zc_col``/``zc_bus``: column and bus of each zero-cost generator; ``th_col``/``th_tier``/
    ``th_bus``: column, tier and bus of each thermal generator; the rest as in ``KernelInputs``
    and ``DispatchResult``.
    """
    for t in range(out.shape[0]):
        for i in range(zc_col.shape[0]):
            g = zc_col[i]
            b = zc_bus[i]
            v = vre_avail[t, b]
            keep = 1.0 - share(curtail[t, b], v)
            out[t, g] = gen_avail[t, g] * keep
        for i in range(th_col.shape[0]):
            g = th_col[i]
            k = th_tier[i]
            b = th_bus[i]
            must_kb = th_must[t, k, b]
            head_kb = th_avail[t, k, b] - must_kb
            p_kb = thermal[t, k, b]
            must = gen_must[t, g]
            if p_kb >= must_kb:
                head = gen_avail[t, g] - must
                out[t, g] = must + max(p_kb - must_kb, 0.0) * share(head, head_kb)
            else:
                out[t, g] = must * share(min(p_kb, must_kb), must_kb)


def corridor_new_energy(
    corridor_p: np.ndarray,
    corridor_scheduled: np.ndarray,
    corridor_bus: np.ndarray,
    dedicated_ne: np.ndarray,
    ne_used_bus: np.ndarray,
    supply_bus: np.ndarray,
    dedicated_all: np.ndarray | None = None,
) -> np.ndarray:
    """New-energy part of each corridor's sending (T, C), MW, by the documented convention.

    In every hour a corridor's sending is split into (1) sending above its schedule, which the
    kernel only does with surplus and which counts as new energy as far as the bus has new energy
    beyond the dedicated plants' share; (2) the output of
    its own dedicated plants (配套电源, ``dedicated_to``), up to the scheduled part, new energy in
    proportion to their new-energy output; (3) the rest, which takes the new-energy share of the
    sending bus's other supply (pro rata).

    Parameters
    ----------
    corridor_p : ndarray (T, C)
        Corridor sending, MW.
    corridor_scheduled : ndarray (T, C)
        Scheduled sending actually supplied (schedule minus shortfall), MW.
    corridor_bus : ndarray (C,) of int
        Sending bus of each corridor.
    dedicated_ne : ndarray (T, C)
        Output of each corridor's dedicated new-energy plants, MW.
    dedicated_all : ndarray (T, C), optional
        Output of all of each corridor's dedicated plants (new energy and thermal), MW; default:
        ``dedicated_ne``.
    ne_used_bus : ndarray (T, B)
        New energy generated (after curtailment) at each bus, dedicated plants included, MW.
    supply_bus : ndarray (T, B)
        All generation at each bus (zero-cost used, thermal, storage discharge), MW.
    """
    if dedicated_all is None:
        dedicated_all = dedicated_ne
    t, c = corridor_p.shape
    arrays = [
        np.ascontiguousarray(a, dtype=np.float64)
        for a in (
            corridor_p,
            corridor_scheduled,
            dedicated_ne,
            dedicated_all,
            ne_used_bus,
            supply_bus,
        )
    ]
    bus = np.ascontiguousarray(corridor_bus, dtype=np.int64)
    nb = ne_used_bus.shape[1]
    out = np.zeros((t, c))
    work = np.zeros((_ACC_ROWS, max(nb, c, 1)))
    _corridor_new_energy_hours(*arrays[:4], bus, *arrays[4:], out, work)
    return out


_ACC_ROWS = 8
"""Scratch rows of :func:`_corridor_new_energy_hours`."""


@jit
def _corridor_new_energy_hours(
    corridor_p, scheduled_in, dedicated_ne, dedicated_all, corridor_bus, ne_used_bus, supply_bus,
    out, work,
):  # fmt: skip
    """Hour loop of :func:`corridor_new_energy` (compiled; arrays as documented there).

    ``out`` (T, C) is filled in place; ``work`` (_ACC_ROWS, max(B, C)) is scratch.
    """
    nt, nc = corridor_p.shape
    nb = ne_used_bus.shape[1]
    extra = work[0]  # per corridor: sending above schedule
    own = work[1]  # per corridor: dedicated new energy within the scheduled part
    rest = work[2]  # per corridor: scheduled part not covered by dedicated plants
    own_bus = work[3]
    extra_bus = work[4]
    own_all_bus = work[5]
    green_frac = work[6]  # per bus: new-energy share of sending above schedule
    other_share = work[7]  # per bus: new-energy share of the other supply
    for t in range(nt):
        for b in range(nb):
            own_bus[b] = 0.0
            extra_bus[b] = 0.0
            own_all_bus[b] = 0.0
        for c in range(nc):
            p = corridor_p[t, c]
            x = max(p - scheduled_in[t, c], 0.0)
            sched = p - x
            own_all = min(sched, dedicated_all[t, c])
            d_all = dedicated_all[t, c]
            frac = share(dedicated_ne[t, c], d_all)
            frac = min(max(frac, 0.0), 1.0)
            extra[c] = x
            own[c] = own_all * frac
            rest[c] = sched - own_all
            b = corridor_bus[c]
            own_bus[b] += own[c]
            extra_bus[b] += x
            own_all_bus[b] += own_all
        for b in range(nb):
            # sending above schedule is new energy as far as the bus has new energy left after
            # the dedicated part (it may be must-run thermal surplus when all new energy is used)
            left = max(ne_used_bus[t, b] - own_bus[b], 0.0)
            g = share(left, extra_bus[b])
            green_frac[b] = min(max(g, 0.0), 1.0)
            other_share[b] = ne_used_bus[t, b] - own_bus[b]
        for c in range(nc):
            b = corridor_bus[c]
            green = extra[c] * green_frac[b]
            out[t, c] = green + own[c]
            other_share[b] -= green
        for b in range(nb):
            ne_other = max(other_share[b], 0.0)
            other = max(supply_bus[t, b] - own_all_bus[b] - extra_bus[b], 0.0)
            f = share(ne_other, other)
            other_share[b] = min(max(f, 0.0), 1.0)
        for c in range(nc):
            out[t, c] += rest[c] * other_share[corridor_bus[c]]


def corridor_accounting(
    result: DispatchResult,
    inputs: KernelInputs,
    dedicated_ne: np.ndarray,
    dedicated_all: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """New-energy curtailment per bus and new-energy sending per corridor, (T, B) and (T, C), MW.

    The one place where a dispatch becomes the accounting of the module docstring; used by
    :func:`to_dataset` and by the sweeps' annual figures.

    Parameters
    ----------
    result, inputs : DispatchResult, KernelInputs
        A dispatch and its packed inputs.
    dedicated_ne, dedicated_all : ndarray (T, C)
        Output of each corridor's dedicated new-energy plants and of all its dedicated plants, MW.
    """
    t, b = result.curtail.shape
    ne_curtail = np.empty((t, b))
    ne_used_bus = np.empty((t, b))
    supply_bus = np.empty((t, b))
    _bus_supply_hours(
        result.curtail,
        result.thermal,
        result.st_discharge,
        inputs.vre_avail,
        inputs.ne_avail,
        inputs.st_bus,
        ne_curtail,
        ne_used_bus,
        supply_bus,
    )
    corr_ne = corridor_new_energy(
        result.corr_flow,
        inputs.schedule - result.corr_short,
        inputs.corr_bus,
        dedicated_ne,
        ne_used_bus,
        supply_bus,
        dedicated_all,
    )
    return ne_curtail, corr_ne


@jit
def _bus_supply_hours(
    curtail, thermal, st_discharge, vre_avail, ne_avail, st_bus, ne_curtail, ne_used_bus, supply_bus
):
    """Per bus and hour (T, B), MW: new-energy curtailment (the bus's curtailment shared in
    proportion to availability), new energy used, and all generation (zero-cost used, thermal,
    storage discharge). Fills the last three arrays in place."""
    nt, nb = curtail.shape
    for t in range(nt):
        for b in range(nb):
            v = vre_avail[t, b]
            ne_curtail[t, b] = curtail[t, b] * share(ne_avail[t, b], v)
            ne_used_bus[t, b] = ne_avail[t, b] - ne_curtail[t, b]
            supply_bus[t, b] = 0.0
        for k in range(thermal.shape[1]):
            for b in range(nb):
                supply_bus[t, b] += thermal[t, k, b]
        for b in range(nb):
            supply_bus[t, b] = supply_bus[t, b] + vre_avail[t, b] - curtail[t, b]
        for s in range(st_bus.shape[0]):
            supply_bus[t, st_bus[s]] += st_discharge[t, s]


def system_figures(
    result: DispatchResult,
    inputs: KernelInputs,
    scenario: Scenario,
    ne_curtail: np.ndarray,
    corr_ne: np.ndarray,
    renewable_used_TWh: float,
    coal_TWh: float,
) -> dict[str, float]:
    """Every system-wide annual figure of :data:`~energysim.results.schema.VARIABLES`.

    Parameters
    ----------
    result, inputs : DispatchResult, KernelInputs
        A dispatch and its packed inputs.
    scenario : Scenario
        For the installed capacities.
    ne_curtail, corr_ne : ndarray
        From :func:`corridor_accounting`.
    renewable_used_TWh, coal_TWh : float
        Renewable (new energy, hydro, biomass) and coal generation, TWh.

    Returns
    -------
    dict of str to float
        Figure name -> value in the units of ``VARIABLES``.
    """
    twh = 1e-6
    ne_carriers = new_energy_carriers()
    ne_avail = float(inputs.ne_avail.sum()) * twh
    ne_curt = float(ne_curtail.sum()) * twh
    ne_used = ne_avail - ne_curt
    ne_export = float(corr_ne.sum()) * twh
    soc_change = (
        float(result.st_soc[-1].sum() - inputs.st_soc0.sum()) if result.st_soc.size else 0.0
    )
    storage_losses = float(result.st_charge.sum() - result.st_discharge.sum() - soc_change) * twh
    line_losses = float((result.line_p0 + result.line_p1).sum()) * twh
    demand_served = (
        float(
            inputs.demand.sum()
            - result.dr_shed.sum()
            + result.dr_payback.sum()
            - result.unserved.sum()
        )
        * twh
    )
    flex_twh = float(result.flex_use.sum()) * twh
    consumption = demand_served + flex_twh + storage_losses + line_losses
    return {
        "new_energy_capacity_GW": sum(  # year-end fleet (fleet timing, h13)
            g.p_nom
            for g in scenario.generators.values()
            if g.carrier in ne_carriers and in_service_at_year_end(g.in_service_date, scenario.year)
        )
        / 1e3,
        "new_type_storage_GW": sum(
            s.p_nom
            for s in scenario.storage.values()
            if s.kind == "new_type" and in_service_at_year_end(s.in_service_date, scenario.year)
        )
        / 1e3,
        "demand_response_share": scenario.demand_response.share_of_peak,
        "peak_load_MW": float(inputs.demand.sum(axis=1).max()),
        "demand_TWh": float(inputs.demand.sum()) * twh,
        "consumption_TWh": consumption,
        "new_energy_available_TWh": ne_avail,
        "new_energy_used_TWh": ne_used,
        "new_energy_curtailed_TWh": ne_curt,
        "new_energy_utilisation": ne_used / ne_avail if ne_avail > 0 else 1.0,
        "new_energy_local_TWh": ne_used - ne_export,
        "new_energy_export_TWh": ne_export,
        "export_TWh": float(result.corr_flow.sum()) * twh,
        "export_shortfall_TWh": float(result.corr_short.sum()) * twh,
        "renewable_weight": (renewable_used_TWh - ne_export) / consumption
        if consumption > 0
        else 0.0,
        "coal_TWh": coal_TWh,
        "thermal_TWh": float(result.thermal.sum()) * twh,
        "storage_losses_TWh": storage_losses,
        "line_losses_TWh": line_losses,
        "flexible_load_TWh": flex_twh,
        "demand_response_TWh": float(result.dr_shed.sum()) * twh,
        "unserved_MWh": float(result.unserved.sum()),
        "thermal_relief_TWh": float(result.thermal_relief.sum()) * twh,
    }


def _var(name: str, data: np.ndarray | float, coords: Mapping[str, object]) -> xr.DataArray:
    spec = VARIABLES[name]
    return xr.DataArray(
        data,
        dims=spec.dims,
        coords={d: coords[d] for d in spec.dims},
        attrs={"units": spec.units, "long_name": spec.long_name},
    )


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
    from energysim import __version__

    hours = len(index.snapshots)
    coords = {
        "snapshot": index.snapshots,
        "bus": list(index.buses),
        "generator": list(index.generators),
        "storage_unit": list(index.storage),
        "line": list(index.lines),
        "corridor": list(index.corridors),
        "flexible_load": list(index.flexible_loads),
    }
    ne_carriers = new_energy_carriers()
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
    }
    ds = xr.Dataset({name: _var(name, value, coords) for name, value in data.items()})
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
            "config": yaml.safe_dump(
                scenario.model_dump(mode="json"), allow_unicode=True, sort_keys=False
            ),
        }
    )
    if attrs:
        ds.attrs.update(dict(attrs))
    return ds
