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

import numpy as np
import pandas as pd
import pypsa
import xarray as xr

from energysim.config.checks import new_energy_carriers
from energysim.config.schema import Scenario
from energysim.constants import CARRIERS, RECEIVING_GRID_LOCATIONS
from energysim.kernel.pack import KernelInputs, PackIndex, pack

logger = logging.getLogger(__name__)

__all__ = [
    "UNLIMITED_MW",
    "GeneratorGroup",
    "build_network",
    "build_network_from_packed",
    "generator_groups",
    "write_results",
]

UNLIMITED_MW = 1e6
"""Rating of the slack generators (unserved energy, shortfall, relief), MW."""


def build_network(scenario: Scenario, profiles: xr.Dataset) -> pypsa.Network:
    """Build the PyPSA network of a scenario.

    Parameters
    ----------
    scenario : Scenario
        Validated scenario.
    profiles : xarray.Dataset
        Hourly profiles (see :func:`energysim.profiles.scenario_profiles`).

    Returns
    -------
    pypsa.Network
        Network with snapshots, all components and time series; not solved.
    """
    inputs, index = pack(scenario, profiles)
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
    ne_carriers = set(new_energy_carriers())
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
        [f"{b} demand" for b in buses],
        bus=buses,
        carrier="load",
        p_set=pd.DataFrame(inputs.demand, index=snapshots, columns=[f"{b} demand" for b in buses]),
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
            [f"{buses[b]} demand response" for b in dr_buses],
            bus=[buses[b] for b in dr_buses],
            carrier="demand_response",
            p_nom=[inputs.dr_cap[b] for b in dr_buses],
            marginal_cost=dr.cost,
            e_sum_max=[inputs.dr_cap[b] * dr.max_hours_per_year for b in dr_buses],
        )
    n.add(
        "Generator",
        [f"{bus} unserved" for bus in buses],
        bus=buses,
        carrier="unserved",
        p_nom=UNLIMITED_MW,
        marginal_cost=costs.value_of_lost_load,
    )
    n.add(
        "Generator",
        [f"{bus} thermal relief" for bus in buses],
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
            p_nom=[s.p_nom for s in st.values()],
            max_hours=[s.max_hours for s in st.values()],
            efficiency_store=[s.efficiency_store for s in st.values()],
            efficiency_dispatch=[s.efficiency_dispatch for s in st.values()],
            standing_loss=[s.standing_loss for s in st.values()],
            state_of_charge_initial=[
                s.state_of_charge_initial * s.p_nom * s.max_hours for s in st.values()
            ],
            cyclic_state_of_charge=False,
        )

    link_rows = []
    for name, line in scenario.lines.items():
        carrier = "DC" if line.kind == "dc_internal" else "AC"
        for suffix, b0, b1 in (("", line.bus0, line.bus1), (" reverse", line.bus1, line.bus0)):
            link_rows.append((f"{name}{suffix}", b0, b1, carrier, line.p_nom, line.efficiency))
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
        receiving = [f"{c} receiving" for c in corridors]
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
            [f"{c} schedule" for c in corridors],
            bus=receiving,
            carrier="export",
            p_set=pd.DataFrame(
                schedule * eff, index=snapshots, columns=[f"{c} schedule" for c in corridors]
            ),
        )
        n.add(
            "Generator",
            [f"{c} shortfall" for c in corridors],
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
            surplus = [f"{corridors[c]} surplus" for c in flexible]
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
        for suffix, var in (
            ("unserved", "unserved"),
            ("thermal relief", "thermal_relief"),
            ("demand response", "demand_response_shed"),
        ):
            column = f"{bus} {suffix}"
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
        gen[f"{c} shortfall"] = ds.corridor_shortfall.sel(corridor=c).values * eff
        surplus = np.maximum(
            flow - (ds.corridor_schedule - ds.corridor_shortfall).sel(corridor=c).values, 0
        )
        if f"{c} surplus" in gen:
            gen[f"{c} surplus"] = surplus * eff
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
        links_p0[f"{name} reverse"], links_p1[f"{name} reverse"] = rev, -rev * eff
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
