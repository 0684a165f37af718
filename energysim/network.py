"""Map a scenario onto a PyPSA network (pure mapping, no solve).

Components (PyPSA 1.x conventions, power in MW, energy in MWh, costs in CNY/MWh):

* ``Carrier`` for every technology with ``color`` and ``nice_name`` from
  :data:`energysim.constants.CARRIERS`.
* ``Bus`` for each league/city (carrier ``AC``, ``x``/``y`` lon/lat) and one receiving bus per
  corridor (``"<corridor> receiving"``) at the receiving region's load centre.
* ``Load`` ``"<bus> demand"`` with the hourly inflexible demand.
* ``Generator`` for each fleet (wind/solar/CSP with hourly ``p_max_pu``; thermal with hourly
  ``p_max_pu`` after maintenance and outages and ``p_min_pu`` following the heating season), ``"<bus> demand response"`` (cost, ``e_sum_max`` =
  energy budget), ``"<bus> unserved"`` (value of lost load), ``"<bus> thermal relief"``
  (``sign=-1``: absorbs must-run output below the floor at the value of lost load), flexible loads
  (``sign=-1``: consumption between ``p_min_pu`` and ``p_nom``, negative cost = value),
  ``"<corridor> shortfall"`` (supplies the receiving schedule at a penalty) and
  ``"<corridor> surplus"`` (``sign=-1``: takes extra sending above schedule, within the
  surplus market's share of the headroom, its hours and its annual budget).
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
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pypsa
import xarray as xr

from energysim.config.schema import Scenario
from energysim.constants import CARRIERS, NEW_ENERGY_CARRIERS, RECEIVING_GRID_LOCATIONS, component
from energysim.exceptions import EnergysimError
from energysim.kernel.pack import KernelInputs, PackIndex

logger = logging.getLogger(__name__)

pypsa.options.api.legacy_string_dtype = True  # component names as object strings, as PyPSA 0.x

__all__ = [
    "UNLIMITED_MW",
    "GeneratorGroup",
    "build_network",
    "build_network_from_packed",
    "generator_groups",
    "to_pypsa",
    "write_results",
]

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


@dataclass(frozen=True)
class GeneratorGroup:
    """Generators of one bus that the LP can treat as one (same bus, cost and kind).

    Zero-cost fleets at a bus are all curtailed together by the accounting (pro rata, per bus),
    and thermal fleets at a bus in one merit-order tier are summed into ``thermal[:, k, b]``; so
    an LP over the group sums (availability, must-run floor, reserve headroom) has the same
    optimum as one over the members. A group of one keeps the generator's own name.
    """

    name: str
    bus: str
    bus_index: int
    carrier: str
    kind: str  # "new_energy", "zero_cost" (hydro), "thermal"
    marginal_cost: float  # CNY/MWh
    members: tuple[int, ...]  # columns of ``index.gen_avail`` (scenario order)
    p_nom: float  # MW, sum over the members


def generator_groups(
    scenario: Scenario, index: PackIndex, aggregate: bool = True
) -> list[GeneratorGroup]:
    """Group the scenario's generators for the network (one group per generator unless ``aggregate``).

    Parameters
    ----------
    scenario : Scenario
        Validated scenario.
    index : PackIndex
        Its packing.
    aggregate : bool, default True
        Merge the generators of a bus with the same kind (new energy; other zero-cost; thermal)
        and marginal cost.

    Returns
    -------
    list of GeneratorGroup
        In scenario order of each group's first member.
    """
    ne_carriers = set(NEW_ENERGY_CARRIERS)
    bidx = {b: i for i, b in enumerate(index.buses)}
    thermal = set(index.thermal)
    keys: dict[tuple, list[int]] = {}
    for gi, (name, g) in enumerate(scenario.generators.items()):
        if name in thermal:
            kind = "thermal"
        elif g.carrier in ne_carriers:
            kind = "new_energy"
        else:
            kind = "zero_cost"
        key = (g.bus, kind, round(g.marginal_cost, 6)) if aggregate else (name,)
        keys.setdefault(key, []).append(gi)
    groups = []
    names = list(scenario.generators)
    for members in keys.values():
        first = scenario.generators[names[members[0]]]
        carriers = {scenario.generators[names[i]].carrier for i in members}
        if names[members[0]] in thermal:
            kind = "thermal"
        elif first.carrier in ne_carriers:
            kind = "new_energy"
        else:
            kind = "zero_cost"
        if len(members) == 1:
            name = names[members[0]]
        else:
            name = f"{first.bus} {kind.replace('_', ' ')} at {first.marginal_cost:g}"
        groups.append(
            GeneratorGroup(
                name=name,
                bus=first.bus,
                bus_index=bidx[first.bus],
                carrier=first.carrier if len(carriers) == 1 else kind,
                kind=kind,
                marginal_cost=first.marginal_cost,
                members=tuple(members),
                p_nom=float(sum(scenario.generators[names[i]].p_nom for i in members)),
            )
        )
    return groups


def build_network_from_packed(
    scenario: Scenario, inputs: KernelInputs, index: PackIndex, aggregate: bool = False
) -> pypsa.Network:
    """Build the network from already packed inputs (shares demand and schedules with the kernel).

    With ``aggregate`` the generators of :func:`generator_groups` replace the scenario's
    generators (a smaller LP with the same optimum); components are added one class at a time.
    """
    n = pypsa.Network(name=scenario.name)
    snapshots = index.snapshots
    n.set_snapshots(snapshots)
    carriers = dict(CARRIERS)
    n.add(
        "Carrier",
        list(carriers),
        color=[c[0] for c in carriers.values()],
        nice_name=[c[1] for c in carriers.values()],
    )

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

    groups = generator_groups(scenario, index, aggregate)
    missing = sorted({g.carrier for g in groups} - set(carriers))
    if missing:
        n.add("Carrier", missing)
    names = [g.name for g in groups]
    avail = np.column_stack([index.gen_avail[:, list(g.members)].sum(axis=1) for g in groups])
    must = np.column_stack([index.gen_must[:, list(g.members)].sum(axis=1) for g in groups])
    p_nom = np.array([g.p_nom for g in groups])
    scale = np.where(p_nom > 0, 1.0 / np.where(p_nom > 0, p_nom, 1.0), 0.0)
    n.add(
        "Generator",
        names,
        bus=[g.bus for g in groups],
        carrier=[g.carrier for g in groups],
        p_nom=p_nom,
        p_max_pu=pd.DataFrame(avail * scale, index=snapshots, columns=names),
        p_min_pu=pd.DataFrame(must * scale, index=snapshots, columns=names),
        marginal_cost=[g.marginal_cost for g in groups],
    )

    dr = scenario.demand_response
    costs = scenario.costs
    dr_buses = [b for b in range(len(buses)) if inputs.dr_cap[b] > 0]
    if dr_buses:
        n.add(
            "Generator",
            [component("demand_response", buses[b]) for b in dr_buses],
            bus=[buses[b] for b in dr_buses],
            carrier="demand_response",
            p_nom=[inputs.dr_cap[b] for b in dr_buses],
            marginal_cost=dr.cost,
            e_sum_max=[inputs.dr_cap[b] * dr.max_hours_per_year for b in dr_buses],
        )
    n.add(
        "Generator",
        [component("unserved", bus) for bus in buses],
        bus=buses,
        carrier="unserved",
        p_nom=UNLIMITED_MW,
        marginal_cost=costs.value_of_lost_load,
    )
    n.add(
        "Generator",
        [component("thermal_relief", bus) for bus in buses],
        bus=buses,
        carrier="thermal_relief",
        p_nom=UNLIMITED_MW,
        sign=-1,
        marginal_cost=costs.value_of_lost_load,
    )

    flex = scenario.flexible_loads
    if flex:
        n.add(
            "Generator",
            list(flex),
            bus=[f.bus for f in flex.values()],
            carrier=[f.kind for f in flex.values()],
            sign=-1,
            p_nom=[f.p_nom for f in flex.values()],
            p_min_pu=[f.p_min_pu for f in flex.values()],
            p_max_pu=1.0,
            marginal_cost=-costs.electrolyser_value,
        )

    st = scenario.storage
    if st:
        n.add(
            "StorageUnit",
            list(st),
            bus=[s.bus for s in st.values()],
            carrier=[s.kind for s in st.values()],
            p_nom=inputs.st_p[: len(st)],  # packed: in-year average under fleet timing
            max_hours=[s.max_hours for s in st.values()],
            efficiency_store=[s.efficiency_store for s in st.values()],
            efficiency_dispatch=[s.efficiency_dispatch for s in st.values()],
            standing_loss=[s.standing_loss for s in st.values()],
            # PyPSA's first energy-balance row adds state_of_charge_initial without the standing
            # loss; the kernel (and the SOC guard) lose an hour's standing loss on it in hour 0
            state_of_charge_initial=inputs.st_soc0[: len(st)] * (1 - inputs.st_loss[: len(st)]),
            cyclic_state_of_charge=False,
        )

    link_rows = []
    for name, line in scenario.lines.items():
        carrier = "DC" if line.kind == "dc_internal" else "AC"
        for link, b0, b1 in (
            (name, line.bus0, line.bus1),
            (component("reverse", name), line.bus1, line.bus0),
        ):
            link_rows.append((link, b0, b1, carrier, line.p_nom, line.efficiency))
    if link_rows:
        n.add(
            "Link",
            [r[0] for r in link_rows],
            bus0=[r[1] for r in link_rows],
            bus1=[r[2] for r in link_rows],
            carrier=[r[3] for r in link_rows],
            p_nom=[r[4] for r in link_rows],
            efficiency=[r[5] for r in link_rows],
            p_min_pu=0.0,
            p_max_pu=1.0,
            marginal_cost=costs.wheeling_cost,
        )

    corridors = list(index.corridors)
    if corridors:
        specs = [scenario.corridors[c] for c in corridors]
        receiving = [component("receiving", c) for c in corridors]
        loc = [RECEIVING_GRID_LOCATIONS[s.receiving_grid] for s in specs]
        n.add("Bus", receiving, carrier="AC", x=[x for x, _ in loc], y=[y for _, y in loc])
        eff = np.array([s.efficiency for s in specs])
        cap = np.array([s.p_nom for s in specs])
        n.add(
            "Link",
            corridors,
            bus0=[s.bus for s in specs],
            bus1=receiving,
            carrier="export",
            p_nom=cap,
            efficiency=eff,
            p_min_pu=0.0,
            p_max_pu=1.0,
        )
        schedule = np.asarray(inputs.schedule[:, : len(corridors)])
        n.add(
            "Load",
            [component("schedule", c) for c in corridors],
            bus=receiving,
            carrier="export",
            p_set=pd.DataFrame(
                schedule * eff,
                index=snapshots,
                columns=[component("schedule", c) for c in corridors],
            ),
        )
        n.add(
            "Generator",
            [component("shortfall", c) for c in corridors],
            bus=receiving,
            carrier="export_shortfall",
            p_nom=np.maximum(cap, 1.0),
            marginal_cost=costs.export_shortfall_penalty / eff,
        )
        # the surplus market: a share of the headroom above the schedule, in the hours the
        # receiving grid accepts it, within an annual budget (all at the receiving end)
        flexible = [c for c, s in enumerate(specs) if s.flexible_export]
        if flexible:
            rating = np.maximum(cap[flexible], 1.0)
            head = np.maximum(cap[flexible] - inputs.schedule[:, flexible], 0.0)
            p_max = head * inputs.corr_surplus_pu[:, flexible] * eff[flexible] / rating
            budget = inputs.corr_surplus_budget[flexible]
            surplus = [component("surplus", corridors[c]) for c in flexible]
            n.add(
                "Generator",
                surplus,
                bus=[receiving[c] for c in flexible],
                carrier="export_surplus",
                sign=-1,
                p_nom=rating,
                p_max_pu=pd.DataFrame(np.minimum(p_max, 1.0), index=snapshots, columns=surplus),
                e_sum_max=np.where(np.isfinite(budget), budget * eff[flexible], np.inf),
                marginal_cost=-costs.surplus_export_value / eff[flexible],
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


def write_results(n: pypsa.Network, ds: xr.Dataset) -> pypsa.Network:
    """Write a dispatch (any engine) into the network's time series, so ``n.statistics`` works.

    Sets ``n.generators_t.p`` (fleets and the slack generators: demand response, unserved,
    thermal relief, flexible loads, corridor shortfall and surplus), ``n.storage_units_t``
    (``p``, ``p_dispatch``, ``p_store``, ``state_of_charge``), ``n.links_t.p0``/``p1`` (corridors and
    both directions of each line), ``n.loads_t.p``, and the optimal capacities (``p_nom_opt`` =
    ``p_nom``: the capacities are given, not optimised), so that ``n.statistics`` reports
    capacity, capacity factor and curtailment.

    Parameters
    ----------
    n : pypsa.Network
        The network of the same packed scenario (:func:`build_network_from_packed`).
    ds : xarray.Dataset
        The results Dataset of that scenario.

    Returns
    -------
    pypsa.Network
        ``n``, filled in place.
    """
    snapshots = n.snapshots
    gen = pd.DataFrame(0.0, index=snapshots, columns=n.generators.index)
    for name in ds.generator.values:
        gen[str(name)] = ds.generator_p.sel(generator=name).values
    for b, bus in enumerate(ds.bus.values):
        for kind, var in (
            ("unserved", "unserved"),
            ("thermal_relief", "thermal_relief"),
            ("demand_response", "demand_response_shed"),
        ):
            column = component(kind, str(bus))
            if column in gen:
                gen[column] = ds[var].isel(bus=b).values
    for name in ds.flexible_load.values:
        gen[str(name)] = ds.flexible_load_p.sel(flexible_load=name).values
    links_p0 = pd.DataFrame(0.0, index=snapshots, columns=n.links.index)
    links_p1 = pd.DataFrame(0.0, index=snapshots, columns=n.links.index)
    efficiency = n.links.efficiency
    for name in ds.corridor.values:
        c = str(name)
        eff = float(efficiency[c])
        flow = ds.corridor_p.sel(corridor=c).values
        links_p0[c] = flow
        links_p1[c] = -flow * eff
        gen[component("shortfall", c)] = ds.corridor_shortfall.sel(corridor=c).values * eff
        surplus = np.maximum(
            flow - (ds.corridor_schedule - ds.corridor_shortfall).sel(corridor=c).values, 0
        )
        if component("surplus", c) in gen:
            gen[component("surplus", c)] = surplus * eff
    for li, line in enumerate(ds.line.values):
        name = str(line)
        eff = float(efficiency[name])
        p0 = ds.line_p0.isel(line=li).values
        p1 = ds.line_p1.isel(line=li).values
        if eff < 1.0:  # p0 = f - r * eff, p1 = r - f * eff
            fwd = (p0 + eff * p1) / (1 - eff**2)
            rev = (p1 + eff * p0) / (1 - eff**2)
        else:
            fwd, rev = np.maximum(p0, 0.0), np.maximum(p1, 0.0)
        fwd, rev = np.maximum(fwd, 0.0), np.maximum(rev, 0.0)
        reverse = component("reverse", name)
        links_p0[name], links_p1[name] = fwd, -fwd * eff
        links_p0[reverse], links_p1[reverse] = rev, -rev * eff
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
    for table in (n.generators, n.storage_units, n.links):
        table["p_nom_opt"] = table["p_nom"]
    return n


def to_pypsa(results: xr.Dataset, profiles: xr.Dataset | None = None) -> pypsa.Network:
    """The PyPSA network of a results Dataset, with its dispatch written in.

    ``n.statistics()`` then agrees with the Dataset on supply, curtailment, capacity (optimal
    capacity = installed ``p_nom``), capacity factor and storage (``tests/test_network_results.py``
    checks it figure by figure).

    Parameters
    ----------
    results : xarray.Dataset
        A results Dataset of :func:`energysim.simulate` (any engine); its ``config`` attr holds
        the scenario. A Dataset of the first hours of a year (``fidelity --hours``) works too.
    profiles : xarray.Dataset, optional
        The profiles the results were computed with, when they were not the scenario's own
        (:func:`energysim.run.scenario_profiles`).

    Returns
    -------
    pypsa.Network
        Not solved; time series and ``p_nom_opt`` filled from ``results``.

    Raises
    ------
    EnergysimError
        If the results' demand or availability cannot be reproduced from their scenario and
        profiles (pass the ``profiles`` they were computed with).
    """
    from energysim._yaml import safe_load
    from energysim.config import load_scenario_dict
    from energysim.kernel.pack import head
    from energysim.run import packed

    config = results.attrs.get("config")
    if not isinstance(config, str) or not config.strip():
        msg = "results have no 'config' attr; expected a Dataset written by energysim.simulate"
        raise EnergysimError(msg)
    scenario = load_scenario_dict(safe_load(config), file="<results config>")
    scenario, inputs, index = packed(scenario, profiles)
    hours = results.sizes["snapshot"]
    if hours < len(index.snapshots):
        inputs, index = head(inputs, index, hours)
    same = (
        hours == len(index.snapshots)
        and np.array_equal(results["snapshot"].values, index.snapshots.values)
        and np.allclose(results["demand"].values, inputs.demand, rtol=1e-9, atol=1e-6)
        and np.allclose(
            results["generator_p_available"].values, index.gen_avail, rtol=1e-9, atol=1e-6
        )
    )
    if not same:
        msg = (
            f"the demand or availability of results {results.attrs.get('scenario')!r} differ from "
            "those of its scenario's profiles; pass the profiles they were computed with"
        )
        raise EnergysimError(msg)
    return write_results(build_network_from_packed(scenario, inputs, index), results)
