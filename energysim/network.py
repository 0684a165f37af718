"""Map a scenario onto a PyPSA network (pure mapping, no solve).

Components (PyPSA 1.x conventions, power in MW, energy in MWh, costs in CNY/MWh):

* ``Carrier`` for every technology with ``color`` and ``nice_name`` from
  :data:`energysim.constants.CARRIERS`.
* ``Bus`` for each league/city (carrier ``AC``, ``x``/``y`` lon/lat) and one receiving bus per
  corridor (``"<corridor> receiving"``) at the receiving region's load centre.
* ``Load`` ``"<bus> demand"`` with the hourly inflexible demand.
* ``Generator`` for each fleet (wind/solar/CSP with hourly ``p_max_pu``; thermal with
  ``p_min_pu`` following the heating season), ``"<bus> demand response"`` (cost, ``e_sum_max`` =
  energy budget), ``"<bus> unserved"`` (value of lost load), ``"<bus> thermal relief"``
  (``sign=-1``: absorbs must-run output below the floor at the value of lost load), flexible loads
  (``sign=-1``: consumption between ``p_min_pu`` and ``p_nom``, negative cost = value),
  ``"<corridor> shortfall"`` (supplies the receiving schedule at a penalty) and
  ``"<corridor> surplus"`` (``sign=-1``: takes extra sending above schedule).
* ``StorageUnit`` for storage (non-cyclic, ``state_of_charge_initial`` in MWh).
* ``Link`` for each export corridor (efficiency = losses) and two ``Link``s per internal line
  (``"<line>"`` bus0 -> bus1 and ``"<line> reverse"``), so losses apply in both directions, with
  a small ``costs.wheeling_cost`` so that the LP does not burn surplus in line losses.
* ``Load`` ``"<corridor> schedule"`` at the receiving bus: the delivered schedule.

``n.optimize()`` on this network solves the dispatch LP with the same priorities as the kernel;
:mod:`energysim.lp` adds the constraints PyPSA has no attribute for (renewable share of corridors,
DR paybacks, storage SOC floors).
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pypsa
import xarray as xr

from energysim.config.schema import Scenario
from energysim.constants import CARRIERS, RECEIVING_GRID_LOCATIONS, component
from energysim.kernel.pack import KernelInputs, PackIndex

logger = logging.getLogger(__name__)

pypsa.options.api.legacy_string_dtype = True  # component names as object strings, as PyPSA 0.x

__all__ = ["UNLIMITED_MW", "build_network", "build_network_from_packed", "write_results"]

UNLIMITED_MW = 1e6
"""Rating of the slack generators (unserved energy, shortfall, relief), MW."""


def build_network(
    scenario: Scenario | str | Path, profiles: xr.Dataset | None = None
) -> pypsa.Network:
    """Build the PyPSA network of a scenario (not solved).

    Parameters
    ----------
    scenario : Scenario or path
        A validated scenario or the path of a scenario file.
    profiles : xarray.Dataset, optional
        Hourly profiles; by default those of :func:`energysim.run.scenario_profiles`.

    Returns
    -------
    pypsa.Network
        Network with snapshots, all components and time series.
    """
    from energysim.run import packed

    scenario, inputs, index = packed(scenario, profiles)
    return build_network_from_packed(scenario, inputs, index)


def build_network_from_packed(
    scenario: Scenario, inputs: KernelInputs, index: PackIndex
) -> pypsa.Network:
    """Build the network from already packed inputs (shares demand and schedules with the kernel)."""
    n = pypsa.Network(name=scenario.name)
    snapshots = index.snapshots
    n.set_snapshots(snapshots)
    for carrier, (color, nice, _zh) in CARRIERS.items():
        n.add("Carrier", carrier, color=color, nice_name=nice)

    buses = list(index.buses)
    n.add(
        "Bus",
        buses,
        carrier="AC",
        x=[scenario.buses[b].x for b in buses],
        y=[scenario.buses[b].y for b in buses],
    )
    n.add(
        "Load",
        [component("demand", b) for b in buses],
        bus=buses,
        carrier="load",
        p_set=pd.DataFrame(
            inputs.demand, index=snapshots, columns=[component("demand", b) for b in buses]
        ),
    )

    for gi, (name, g) in enumerate(scenario.generators.items()):
        avail = index.gen_avail[:, gi]
        must = index.gen_must[:, gi]
        p_nom = g.p_nom
        if p_nom <= 0:
            p_max = pd.Series(0.0, index=snapshots)
            p_min = pd.Series(0.0, index=snapshots)
        else:
            p_max = pd.Series(avail / p_nom, index=snapshots)
            p_min = pd.Series(must / p_nom, index=snapshots)
        n.add(
            "Generator",
            name,
            bus=g.bus,
            carrier=g.carrier,
            p_nom=p_nom,
            p_max_pu=p_max,
            p_min_pu=p_min,
            marginal_cost=g.marginal_cost,
        )

    dr = scenario.demand_response
    costs = scenario.costs
    for b, bus in enumerate(buses):
        if inputs.dr_cap[b] > 0:
            n.add(
                "Generator",
                component("demand_response", bus),
                bus=bus,
                carrier="demand_response",
                p_nom=inputs.dr_cap[b],
                marginal_cost=dr.cost,
                e_sum_max=inputs.dr_cap[b] * dr.max_hours_per_year,
            )
        n.add(
            "Generator",
            component("unserved", bus),
            bus=bus,
            carrier="unserved",
            p_nom=UNLIMITED_MW,
            marginal_cost=costs.value_of_lost_load,
        )
        n.add(
            "Generator",
            component("thermal_relief", bus),
            bus=bus,
            carrier="thermal_relief",
            p_nom=UNLIMITED_MW,
            sign=-1,
            marginal_cost=costs.value_of_lost_load,
        )

    for name, f in scenario.flexible_loads.items():
        n.add(
            "Generator",
            name,
            bus=f.bus,
            carrier=f.kind,
            sign=-1,
            p_nom=f.p_nom,
            p_min_pu=f.p_min_pu,
            p_max_pu=1.0,
            marginal_cost=-costs.electrolyser_value,
        )

    for si, (name, s) in enumerate(scenario.storage.items()):
        n.add(
            "StorageUnit",
            name,
            bus=s.bus,
            carrier=s.kind,
            p_nom=inputs.st_p[si],  # packed: in-year average under fleet timing
            max_hours=s.max_hours,
            efficiency_store=s.efficiency_store,
            efficiency_dispatch=s.efficiency_dispatch,
            standing_loss=s.standing_loss,
            state_of_charge_initial=inputs.st_soc0[si],
            cyclic_state_of_charge=False,
        )

    for name, line in scenario.lines.items():
        carrier = "DC" if line.kind == "dc_internal" else "AC"
        for suffix, b0, b1 in (("", line.bus0, line.bus1), (" reverse", line.bus1, line.bus0)):
            n.add(
                "Link",
                f"{name}{suffix}",
                bus0=b0,
                bus1=b1,
                carrier=carrier,
                p_nom=line.p_nom,
                efficiency=line.efficiency,
                p_min_pu=0.0,
                p_max_pu=1.0,
                marginal_cost=costs.wheeling_cost,
            )

    for c, name in enumerate(index.corridors):
        corridor = scenario.corridors[name]
        receiving = component("receiving", name)
        x, y = RECEIVING_GRID_LOCATIONS[corridor.receiving_grid]
        n.add("Bus", receiving, carrier="AC", x=x, y=y)
        n.add(
            "Link",
            name,
            bus0=corridor.bus,
            bus1=receiving,
            carrier="export",
            p_nom=corridor.p_nom,
            efficiency=corridor.efficiency,
            p_min_pu=0.0,
            p_max_pu=1.0,
        )
        delivered = inputs.schedule[:, c] * corridor.efficiency
        n.add(
            "Load",
            component("schedule", name),
            bus=receiving,
            carrier="export",
            p_set=pd.Series(delivered, index=snapshots),
        )
        n.add(
            "Generator",
            component("shortfall", name),
            bus=receiving,
            carrier="export_shortfall",
            p_nom=max(corridor.p_nom, 1.0),
            marginal_cost=costs.export_shortfall_penalty / corridor.efficiency,
        )
        if corridor.flexible_export and inputs.corr_surplus_pu[:, c].max() > 0:
            n.add(
                "Generator",
                component("surplus", name),
                bus=receiving,
                carrier="export_surplus",
                sign=-1,
                p_nom=max(corridor.p_nom, 1.0),
                marginal_cost=-costs.surplus_export_value / corridor.efficiency,
            )
    logger.debug(
        "network %s: %d buses, %d generators, %d storage units, %d links",
        scenario.name,
        len(n.buses),
        len(n.generators),
        len(n.storage_units),
        len(n.links),
    )
    return n


def write_results(
    n: pypsa.Network, ds: xr.Dataset, scenario: Scenario, index: PackIndex
) -> pypsa.Network:
    """Write a dispatch (any engine) into the network's time series, so ``n.statistics`` works.

    Sets ``n.generators_t.p`` (fleets and the slack generators: demand response, unserved,
    thermal relief, flexible loads, corridor shortfall and surplus), ``n.storage_units_t``
    (``p``, ``p_dispatch``, ``p_store``, ``state_of_charge``), ``n.links_t.p0``/``p1`` (corridors and
    both directions of each line) and ``n.loads_t.p``.

    Parameters
    ----------
    n : pypsa.Network
        The network from :func:`build_network_from_packed` for the same packed scenario.
    ds : xarray.Dataset
        The results Dataset of that scenario.
    """
    snapshots = n.snapshots
    gen = pd.DataFrame(0.0, index=snapshots, columns=n.generators.index)
    for name in ds.generator.values:
        gen[str(name)] = ds.generator_p.sel(generator=name).values
    for b, bus in enumerate(index.buses):
        for kind, var in (
            ("unserved", "unserved"),
            ("thermal_relief", "thermal_relief"),
            ("demand_response", "demand_response_shed"),
        ):
            column = component(kind, bus)
            if column in gen:
                gen[column] = ds[var].isel(bus=b).values
    for name in ds.flexible_load.values:
        gen[str(name)] = ds.flexible_load_p.sel(flexible_load=name).values
    links_p0 = pd.DataFrame(0.0, index=snapshots, columns=n.links.index)
    links_p1 = pd.DataFrame(0.0, index=snapshots, columns=n.links.index)
    for name in ds.corridor.values:
        c = str(name)
        eff = scenario.corridors[c].efficiency
        flow = ds.corridor_p.sel(corridor=c).values
        links_p0[c] = flow
        links_p1[c] = -flow * eff
        gen[component("shortfall", c)] = ds.corridor_shortfall.sel(corridor=c).values * eff
        surplus = np.maximum(
            flow - (ds.corridor_schedule - ds.corridor_shortfall).sel(corridor=c).values, 0
        )
        if component("surplus", c) in gen:
            gen[component("surplus", c)] = surplus * eff
    for li, name in enumerate(index.lines):
        eff = scenario.lines[name].efficiency
        p0 = ds.line_p0.isel(line=li).values
        p1 = ds.line_p1.isel(line=li).values
        if eff < 1.0:  # p0 = f - r * eff, p1 = r - f * eff
            fwd = (p0 + eff * p1) / (1 - eff**2)
            rev = (p1 + eff * p0) / (1 - eff**2)
        else:
            fwd, rev = np.maximum(p0, 0.0), np.maximum(p1, 0.0)
        fwd, rev = np.maximum(fwd, 0.0), np.maximum(rev, 0.0)
        links_p0[name], links_p1[name] = fwd, -fwd * eff
        links_p0[component("reverse", name)], links_p1[component("reverse", name)] = rev, -rev * eff
    n.generators_t.p = gen
    n.links_t.p0 = links_p0
    n.links_t.p1 = links_p1
    st = list(n.storage_units.index)
    dispatch = pd.DataFrame(
        ds.storage_discharge.sel(storage_unit=st).values, index=snapshots, columns=st
    )
    store = pd.DataFrame(ds.storage_charge.sel(storage_unit=st).values, index=snapshots, columns=st)
    n.storage_units_t.p_dispatch = dispatch
    n.storage_units_t.p_store = store
    n.storage_units_t.p = dispatch - store
    n.storage_units_t.state_of_charge = pd.DataFrame(
        ds.state_of_charge.sel(storage_unit=st).values, index=snapshots, columns=st
    )
    n.loads_t.p = n.loads_t.p_set.copy()
    return n
