"""The plan's other indicators: coal, CO2, shares, curtailment split, storage, hydrogen, costs.

Every figure is computed from the variables of a results Dataset (hourly dispatch and annual
figures, any engine) and the scenario's ``economics`` section: :func:`indicator_data` computes
them all from numpy arrays (the one copy of each formula; ``to_dataset`` calls it before it
creates the Dataset, once), :func:`add_indicators` adds them to an existing Dataset (variables
declared in :data:`energysim.results.schema.VARIABLES`) and :func:`indicator_rows` lists the key
ones for ``energysim check``. The hour loops (fleet fuel, absorption room, congestion search)
are compiled and add in the order the numpy statements did, so the figures are the same bit for
bit (``tests/test_results_build.py``).

Definitions (also in ``docs/indicators.md``; the tests compute them by hand):

* **Fuel use.** For every thermal class (coal, coal_chp, gas, biomass) at every bus and hour, the
  load factor is lf = output / available capacity and the heat rate
  h(lf) = h_rated * (1 + k * (1 / max(lf, lf_min) - 1)), k = increase / (1 / lf_min - 1): the
  rated heat rate at full load, rising to h_rated * (1 + increase) at lf_min and staying there
  below (the fleet shuts units down rather than running all of them lower). Fuel (tce) =
  output (MWh) * h (gce/kWh) / 1000.
* **CCUS** on a share s of coal-unit generation raises the fuel of those units by the heat-rate
  penalty p: coal-unit fuel F = F0 * (1 + s * p); of the coal CO2, the fitted units' share
  s * (1 + p) / (1 + s * p) is captured at the capture rate.
* **Co-firing** replaces the shares b (biomass) and a (ammonia) of the coal units' fuel energy:
  standard coal = F * (1 - b - a). CO2 = coal tce * EF_coal + gas tce * EF_gas - captured.
  The co-fired share of coal-unit generation counts as non-fossil.
* **Curtailment split** (as the national monitoring centre reports 调峰 vs 网架 curtailment): an
  hour's new-energy curtailment at a bus is *congestion* (网架) if in the same hour another bus
  that curtails nothing had unused absorption capacity (thermal output above its must-run floor,
  storage charging headroom, flexible-load headroom, flexible corridor headroom) and every path
  to it crosses a line at its limit in the outward direction; otherwise it is *system-wide
  surplus* (调峰). The whole hour's curtailment at that bus goes to one class.
* **Costs.** Fuel cost = tce per fuel * its price; variable cost = fuel + variable O&M (technology
  table) + CCUS + demand response (``demand_response.cost``); energy served = demand served +
  flexible loads + energy sent over the corridors. Annualised investment = installed capacity *
  overnight cost * (CRF(r, lifetime) + FOM), a replacement-cost annuity of the whole fleet (not
  the sunk cost actually paid); levelised system cost = (variable cost + annualised investment) /
  energy served. Corridors and internal lines carry no investment here (lengths not modelled).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
import xarray as xr

from energysim.config.schema import TECHNOLOGY_KEYS, Economics, HeatRate, Scenario
from energysim.constants import IMPORT_CARRIERS, NEW_ENERGY_CARRIERS
from energysim.kernel import DispatchResult, KernelInputs
from energysim.kernel._jit import jit, jit_inline

logger = logging.getLogger(__name__)

__all__ = [
    "GRIDS",
    "INDICATOR_INPUTS",
    "THERMAL_CLASSES",
    "absorption_room",
    "add_indicators",
    "capacity_ratio",
    "congestion_mask",
    "crf",
    "emissions",
    "emissions_of",
    "fuel_use",
    "heat_rate",
    "heat_rate_at",
    "heat_rate_slope",
    "indicator_data",
    "indicator_rows",
    "month_rows",
    "structural_figures",
]

THERMAL_CLASSES = ("coal", "coal_chp", "gas", "biomass")
COAL_CLASSES = ("coal", "coal_chp")
GRIDS = ("mengxi", "mengdong")
MONTHS = tuple(range(1, 13))
ROOM_EPS_MW = 1e-3
"""Absorption room below this (MW) counts as none."""
LINE_LIMIT_TOL = 1e-6
"""A line is at its limit when it carries at least (1 - tol) of its capacity."""


# -- fuel, CO2 ----------------------------------------------------------------------------------


@jit_inline
def heat_rate_slope(min_load, increase):
    """k = low_load_increase / (1 / lf_min - 1) of a heat-rate curve (:func:`heat_rate_at`)."""
    return increase / (1.0 / min_load - 1.0)


@jit_inline
def heat_rate_at(load_factor, rated, min_load, slope):
    """Heat rate (gce/kWh) of one fleet-hour: the formula's one copy (compiled, inlined).

    h(lf) = h_rated * (1 + k * (1 / max(lf, lf_min) - 1)) with the slope
    k = :func:`heat_rate_slope` (lf_min, low_load_increase), computed once per curve; load
    factors above 1 count as 1.
    """
    lf = min(max(load_factor, min_load), 1.0)
    return rated * (1.0 + slope * (1.0 / lf - 1.0))


@jit
def _heat_rate_each(load_factor, rated, min_load, slope, out):
    """:func:`heat_rate_at` of every element of the flat array ``load_factor`` into ``out``."""
    for i in range(load_factor.shape[0]):
        out[i] = heat_rate_at(load_factor[i], rated, min_load, slope)


def heat_rate(load_factor: np.ndarray, spec: HeatRate) -> np.ndarray:
    """Heat rate (gce/kWh) at the given load factors (p.u.), rising at low load.

    h(lf) = h_rated * (1 + k * (1 / max(lf, lf_min) - 1)) with
    k = low_load_increase / (1 / lf_min - 1); load factors above 1 count as 1
    (:func:`heat_rate_at`, element by element).
    """
    lf = np.asarray(load_factor, dtype=float, order="C")
    out = np.empty_like(lf)
    min_load = float(spec.min_load_pu)
    _heat_rate_each(
        lf.reshape(-1),
        float(spec.rated_gce_per_kWh),
        min_load,
        heat_rate_slope(min_load, float(spec.low_load_increase)),
        out.reshape(-1),
    )
    return out


def fuel_use(
    output: np.ndarray, available: np.ndarray, spec: HeatRate
) -> tuple[np.ndarray, np.ndarray]:
    """Fuel (tce) and heat rate (gce/kWh) of one fleet, hour by hour.

    Parameters
    ----------
    output, available : ndarray (T, ...)
        Hourly output and available capacity of the fleet, MW (an hour: MWh).
    spec : HeatRate
        The class's heat-rate curve.

    Returns
    -------
    fuel : ndarray
        Standard coal equivalent burned, tce per hour (output MWh * h gce/kWh / 1000).
    rate : ndarray
        Heat rate, gce/kWh (the rated value where the fleet has no available capacity).
    """
    output = np.asarray(output, dtype=float)
    available = np.asarray(available, dtype=float)
    lf = np.divide(output, available, out=np.ones_like(output), where=available > 0)
    rate = heat_rate(lf, spec)
    return output * rate / 1e3, rate


def _class_fuel(
    carriers: np.ndarray,
    buses: np.ndarray,
    gen: np.ndarray,
    avail: np.ndarray,
    economics: Economics,
) -> dict[str, tuple[float, float]]:
    """(fuel tce, generation MWh) of each thermal class over the year, from the hourly dispatch.

    Parameters
    ----------
    carriers, buses : ndarray (G,) of str
        Carrier and bus of every generator.
    gen, avail : ndarray (T, G)
        Output and available capacity of every generator, MW.
    economics : Economics
        For the heat-rate curves.

    Notes
    -----
    The fuel of a class is that of its fleet at each bus (:func:`fuel_use` of the fleet's
    summed output on its summed capacity), added over the buses in sorted order. Every fleet's
    hourly fuel comes from one compiled pass over ``gen`` and ``avail``
    (:func:`_fleet_fuel_hours`), which sums a fleet's columns in numpy's order, so the figures
    equal those of ``fuel_use(gen[:, cols].sum(axis=1), avail[:, cols].sum(axis=1), spec)``
    bit for bit (``tests/test_results_build.py``).
    """
    out: dict[str, tuple[float, float]] = {}
    members: list[np.ndarray] = []  # generator columns of each (class, bus) fleet
    curves: list[tuple[float, float, float]] = []
    fleets_of: dict[str, range] = {}
    for cls in THERMAL_CLASSES:
        spec = economics.heat_rates.get(cls)
        cols = np.flatnonzero(carriers == cls)
        out[cls] = (0.0, float(gen[:, cols].sum()) if cols.size else 0.0)
        if spec is None or cols.size == 0:
            continue
        first = len(members)
        for bus in np.unique(buses[cols]):
            members.append(cols[buses[cols] == bus])
            curves.append(
                (
                    spec.rated_gce_per_kWh,
                    spec.min_load_pu,
                    heat_rate_slope(float(spec.min_load_pu), float(spec.low_load_increase)),
                )
            )
        fleets_of[cls] = range(first, len(members))
    if not members:
        return out
    fuel = np.empty((len(members), gen.shape[0]))
    _fleet_fuel_hours(
        np.ascontiguousarray(gen, dtype=float),
        np.ascontiguousarray(avail, dtype=float),
        np.concatenate(members).astype(np.int64),
        np.cumsum([0] + [m.size for m in members]).astype(np.int64),
        *(np.array(c, dtype=float) for c in zip(*curves, strict=True)),
        fuel,
    )
    # each row on its own: numpy may add a 2-D array's rows in another order than a 1-D sum
    per_fleet = [float(row.sum()) for row in fuel]
    for cls, fleets in fleets_of.items():
        total = 0.0
        for i in fleets:
            total += per_fleet[i]
        out[cls] = (total, out[cls][1])
    return out


@jit
def _fleet_fuel_hours(gen, avail, cols, starts, rated, min_load, slope, out):
    """Hourly fuel of every fleet, tce: ``out[f, t]`` for the fleet of the generator columns
    ``cols[starts[f]:starts[f + 1]]`` with heat-rate curve ``rated[f]``, ``min_load[f]``,
    ``slope[f]`` (:func:`heat_rate_slope`; the rule of :func:`fuel_use`, one pass over the
    (T, G) arrays).

    A fleet's columns are added one by one from 0 in column order: the order of numpy's
    ``values[:, cols].sum(axis=1)`` (the fancy-indexed copy is Fortran-ordered, so numpy adds
    it column by column), which the figures were computed with before.
    """
    for t in range(gen.shape[0]):
        for f in range(out.shape[0]):
            p = 0.0
            cap = 0.0
            for i in range(starts[f], starts[f + 1]):
                p += gen[t, cols[i]]
                cap += avail[t, cols[i]]
            lf = p / cap if cap > 0 else 1.0
            out[f, t] = p * heat_rate_at(lf, rated[f], min_load[f], slope[f]) / 1e3


def emissions(ds: xr.Dataset, economics: Economics) -> dict[str, float]:
    """Coal, CO2 and fuel cost of the year (see the module docstring for the rules).

    Returns
    -------
    dict
        ``coal_Mtce`` (standard coal burned in coal units after co-firing), ``co2_Mt`` (net of
        capture), ``co2_captured_Mt``, ``coal_heat_rate_gce_per_kWh`` (coal-unit fuel incl. the
        co-fired part / coal-unit generation), ``cofired_share`` (co-fired share of coal-unit
        fuel), ``fuel_cost_bnCNY``, ``ccus_cost_bnCNY``.
    """
    return emissions_of(
        ds["carrier"].values,
        ds["generator_bus"].values,
        ds["generator_p"].values,
        ds["generator_p_available"].values,
        economics,
    )


def emissions_of(
    carriers: np.ndarray,
    buses: np.ndarray,
    gen: np.ndarray,
    avail: np.ndarray,
    economics: Economics,
) -> dict[str, float]:
    """:func:`emissions` from the arrays: carrier and bus (G,), output and availability (T, G)
    of every generator, MW."""
    by_class = _class_fuel(carriers, buses, gen, avail, economics)
    fuels = economics.fuels
    cof, ccus = economics.cofiring, economics.ccus
    coal_fuel0 = sum(by_class[c][0] for c in COAL_CLASSES)
    coal_gen = sum(by_class[c][1] for c in COAL_CLASSES)
    coal_fuel = coal_fuel0 * (1.0 + ccus.share * ccus.heat_rate_penalty)
    cofired = cof.biomass_share + cof.ammonia_share
    coal_tce = coal_fuel * (1.0 - cofired)
    co2_coal = coal_tce * fuels["coal"].co2_t_per_tce if "coal" in fuels else 0.0
    fitted = (
        ccus.share * (1.0 + ccus.heat_rate_penalty) / (1.0 + ccus.share * ccus.heat_rate_penalty)
    )
    captured = co2_coal * fitted * ccus.capture_rate
    other_tce = {"gas": by_class["gas"][0], "biomass": by_class["biomass"][0]}
    co2_other = sum(
        tce * fuels[name].co2_t_per_tce for name, tce in other_tce.items() if name in fuels
    )

    def price(name: str) -> float:
        return fuels[name].price_CNY_per_tce if name in fuels else 0.0

    fuel_cost = (
        coal_tce * price("coal")
        + coal_fuel * cof.biomass_share * price("biomass")
        + coal_fuel * cof.ammonia_share * price("ammonia")
        + other_tce["gas"] * price("gas")
        + other_tce["biomass"] * price("biomass")
    )
    return {
        "coal_Mtce": coal_tce * 1e-6,
        "co2_Mt": (co2_coal - captured + co2_other) * 1e-6,
        "co2_captured_Mt": captured * 1e-6,
        "coal_heat_rate_gce_per_kWh": coal_fuel / coal_gen * 1e3 if coal_gen > 0 else math.nan,
        "cofired_share": cofired,
        "fuel_cost_bnCNY": fuel_cost * 1e-9,
        "ccus_cost_bnCNY": captured * ccus.cost_CNY_per_tCO2 * 1e-9,
    }


# -- curtailment split ---------------------------------------------------------------------------


def absorption_room(result: DispatchResult, inputs: KernelInputs) -> np.ndarray:
    """Unused absorption capacity per bus and hour (T, B), MW.

    Thermal output above its must-run floor, storage charging headroom (rating minus charging
    plus discharging, where the store is not full), flexible-load headroom, and the corridors'
    headroom open to surplus (the hour's share of p_nom - schedule, less what is already sent
    above the schedule; an annual surplus cap is not counted).
    """
    room = np.empty_like(result.curtail, dtype=np.float64)
    # the share of each hour's headroom open to surplus: corr_surplus_pu (T, C) where the kernel
    # has surplus-market limits, else 1 for corridors that may carry surplus (corr_flex)
    open_pu = getattr(inputs, "corr_surplus_pu", None)
    if open_pu is None:
        open_pu = np.broadcast_to(np.asarray(inputs.corr_flex, dtype=float), result.corr_flow.shape)
    _absorption_room_hours(
        result.thermal,
        inputs.th_must,
        inputs.flex_max,
        result.flex_use,
        result.st_soc,
        inputs.st_soc_max,
        inputs.st_p,
        result.st_charge,
        result.st_discharge,
        np.ascontiguousarray(inputs.st_bus, dtype=np.int64),
        np.ascontiguousarray(open_pu, dtype=np.float64),
        result.corr_flow,
        inputs.schedule,
        inputs.corr_cap,
        np.ascontiguousarray(inputs.corr_bus, dtype=np.int64),
        room,
    )
    return room


@jit
def _absorption_room_hours(
    thermal, th_must, flex_max, flex_use, st_soc, st_soc_max, st_p, st_charge, st_discharge,
    st_bus, open_pu, corr_flow, schedule, corr_cap, corr_bus, out,
):  # fmt: skip
    """Hour loop of :func:`absorption_room` (arrays as in ``KernelInputs``/``DispatchResult``);
    fills ``out`` (T, B). The terms are added in the order of the rule's statement: thermal
    tiers, flexible load, stores, corridors (one pass instead of a dozen (T, B) temporaries)."""
    nt, nk, nb = thermal.shape
    for t in range(nt):
        for b in range(nb):
            acc = 0.0
            for k in range(nk):
                acc += max(thermal[t, k, b] - th_must[t, k, b], 0.0)
            out[t, b] = acc + max(flex_max[b] - flex_use[t, b], 0.0)
        for s in range(st_p.shape[0]):
            if st_soc[t, s] < st_soc_max[s] * (1 - 1e-9) - 1e-6:  # not full
                head = st_p[s] - st_charge[t, s] + st_discharge[t, s]
            else:
                head = st_discharge[t, s]
            out[t, st_bus[s]] += max(head, 0.0)
        for c in range(corr_cap.shape[0]):
            sched = schedule[t, c]
            above = max(corr_flow[t, c] - sched, 0.0)
            head = open_pu[t, c] * max(corr_cap[c] - sched, 0.0) - above
            out[t, corr_bus[c]] += max(head, 0.0)


def congestion_mask(
    curtail: np.ndarray,
    room: np.ndarray,
    line_bus0: np.ndarray,
    line_bus1: np.ndarray,
    line_p0: np.ndarray,
    line_p1: np.ndarray,
    line_cap: np.ndarray,
) -> np.ndarray:
    """Which bus-hours' curtailment is network congestion (网架) rather than system surplus.

    Parameters
    ----------
    curtail : ndarray (T, B)
        New-energy curtailment, MW.
    room : ndarray (T, B)
        Unused absorption capacity (:func:`absorption_room`), MW.
    line_bus0, line_bus1 : ndarray (L,) of int
        End buses of each line.
    line_p0, line_p1 : ndarray (T, L)
        Power withdrawn at bus0 / bus1, MW (positive at the sending end).
    line_cap : ndarray (L,)
        Line capacity each direction, MW.

    Returns
    -------
    ndarray (T, B) of bool
        True where the bus curtails and some other bus that curtails nothing has room
        (> ROOM_EPS_MW) it cannot reach without crossing a line at its limit outward.
    """
    nt, nb = curtail.shape
    out = np.zeros((nt, nb), dtype=np.bool_)
    seen = np.zeros(nb, dtype=np.int64)
    queue = np.zeros(nb, dtype=np.int64)
    _congestion_hours(
        np.ascontiguousarray(curtail, dtype=np.float64),
        np.ascontiguousarray(room, dtype=np.float64),
        np.ascontiguousarray(line_bus0, dtype=np.int64),
        np.ascontiguousarray(line_bus1, dtype=np.int64),
        np.ascontiguousarray(line_p0, dtype=np.float64).reshape(nt, -1),
        np.ascontiguousarray(line_p1, dtype=np.float64).reshape(nt, -1),
        np.ascontiguousarray(line_cap, dtype=np.float64),
        ROOM_EPS_MW,
        LINE_LIMIT_TOL,
        out,
        seen,
        queue,
    )
    return out


@jit
def _congestion_hours(
    curtail, room, bus0, bus1, p0, p1, cap, eps, tol, out, seen, queue
):  # fmt: skip
    """Hour loop of :func:`congestion_mask`: a search over unsaturated lines from each curtailing
    bus; fills ``out`` in place (``seen``, ``queue``: (B,) scratch)."""
    nt, nb = curtail.shape
    nl = cap.shape[0]
    for t in range(nt):
        for b in range(nb):
            if curtail[t, b] <= eps:
                continue
            for j in range(nb):
                seen[j] = 0
            seen[b] = 1
            queue[0] = b
            head = 0
            tail = 1
            while head < tail:
                u = queue[head]
                head += 1
                for li in range(nl):
                    limit = cap[li] * (1.0 - tol)
                    v = -1
                    if bus0[li] == u and p0[t, li] < limit:
                        v = bus1[li]
                    elif bus1[li] == u and p1[t, li] < limit:
                        v = bus0[li]
                    if v >= 0 and seen[v] == 0:
                        seen[v] = 1
                        queue[tail] = v
                        tail += 1
            for j in range(nb):
                if seen[j] == 0 and curtail[t, j] <= eps and room[t, j] > eps:
                    out[t, b] = True
                    break


# -- the plan's structural aims (两个超过) ------------------------------------------------------


def in_fleet(entry: object, year: int) -> bool:
    """Whether a generator or storage entry belongs to the model year's year-end fleet: no
    ``in_service_date``, or one within or before the year (fleet timing, where the schema has it)."""
    when = getattr(entry, "in_service_date", None)
    return when is None or when.year <= year


def capacity_ratio(scenario: Scenario) -> float:
    """New-energy capacity / thermal capacity (coal, CHP, gas, biomass) of the year-end fleet,
    p.u. (inf: no thermal)."""
    fleet = [g for g in scenario.generators.values() if in_fleet(g, scenario.year)]
    ne = sum(g.p_nom for g in fleet if g.carrier in NEW_ENERGY_CARRIERS)
    th = sum(g.p_nom for g in fleet if g.carrier in THERMAL_CLASSES)
    return ne / th if th > 0 else math.inf


def structural_figures(scenario: Scenario, figures: Mapping[str, float]) -> dict[str, float]:
    """The 两个超过 ratios from the annual figures (``new_energy_used_TWh``, ``thermal_TWh``):
    what the sweeps' fast path adds to its figures so that every target has its variable."""
    th = figures["thermal_TWh"]
    return {
        "new_energy_over_thermal_generation": figures["new_energy_used_TWh"] / th
        if th > 0
        else math.inf,
        "new_energy_over_thermal_capacity": capacity_ratio(scenario),
    }


# -- costs ---------------------------------------------------------------------------------------


def crf(rate: float, years: float) -> float:
    """Capital recovery factor r (1 + r)^n / ((1 + r)^n - 1), 1/yr (1/n when r = 0)."""
    if rate == 0:
        return 1.0 / years
    g = (1.0 + rate) ** years
    return rate * g / (g - 1.0)


def installed(scenario: Scenario) -> dict[str, dict]:
    """Installed year-end capacity per technology: ``{"MW": ..., "MWh": ...}`` (MWh: storage)."""
    out = {k: {"MW": 0.0, "MWh": 0.0} for k in TECHNOLOGY_KEYS}
    for g in scenario.generators.values():
        if in_fleet(g, scenario.year) and g.carrier not in IMPORT_CARRIERS:  # no plant of ours
            out[g.carrier]["MW"] += g.p_nom
    for s in scenario.storage.values():
        if not in_fleet(s, scenario.year):
            continue
        key = "new_type_storage" if s.kind == "new_type" else "pumped_hydro"
        out[key]["MW"] += s.p_nom
        out[key]["MWh"] += s.p_nom * s.max_hours
    for f in scenario.flexible_loads.values():
        if f.kind == "electrolyser":
            out["electrolyser"]["MW"] += f.p_nom
    return out


def annualised_investment(scenario: Scenario) -> np.ndarray:
    """Annualised investment plus fixed O&M per technology (TECHNOLOGY_KEYS order), bn CNY/yr.

    NaN for technologies the table does not name but the scenario has; 0 where none is installed.
    """
    econ = scenario.economics
    cap = installed(scenario)
    out = np.zeros(len(TECHNOLOGY_KEYS))
    for i, key in enumerate(TECHNOLOGY_KEYS):
        mw, mwh = cap[key]["MW"], cap[key]["MWh"]
        tech = econ.technologies.get(key)
        if tech is None:
            out[i] = math.nan if (mw > 0 or mwh > 0) else 0.0
            continue
        overnight = mw * 1e3 * tech.investment_CNY_per_kW + mwh * 1e3 * tech.investment_CNY_per_kWh
        out[i] = overnight * (crf(econ.discount_rate, tech.lifetime_years) + tech.fom_pct / 100)
    return out * 1e-9


# -- the indicators ------------------------------------------------------------------------------


def _group_sum(values: np.ndarray, keys: np.ndarray, labels: tuple) -> np.ndarray:
    """Sum the last axis of ``values`` by ``keys`` into ``labels`` order."""
    return np.stack([values[..., keys == k].sum(axis=-1) for k in labels], axis=-1)


def _util(avail: np.ndarray, curt: np.ndarray) -> np.ndarray:
    return np.where(
        avail > 0, 1.0 - np.divide(curt, avail, out=np.zeros_like(curt), where=avail > 0), np.nan
    )


def month_rows(snapshots: np.ndarray | pd.DatetimeIndex) -> list[slice | np.ndarray]:
    """The hours of each calendar month (MONTHS order) as row selectors of a (T, ...) array.

    A month whose hours are one run (any chronological window) is a slice, so a sum over
    ``a[rows]`` reads a view in place; otherwise a boolean mask. Either selects the same rows in
    the same order, so the sums are the same as ``a[month == m].sum()``.
    """
    month = np.asarray(snapshots, dtype="datetime64[M]").astype(np.int64) % 12 + 1
    rows: list[slice | np.ndarray] = []
    for m in MONTHS:
        hit = np.flatnonzero(month == m)
        if hit.size == 0:
            rows.append(slice(0, 0))
        elif hit[-1] - hit[0] + 1 == hit.size:
            rows.append(slice(int(hit[0]), int(hit[-1]) + 1))
        else:
            rows.append(month == m)
    return rows


INDICATOR_INPUTS = (
    "carrier", "generator", "generator_bus", "generator_p", "generator_p_available",
    "generator_energy_TWh", "new_energy_curtailment", "bus", "bus_grid", "line_bus0",
    "line_bus1", "snapshot", "storage_discharge", "storage_kind", "flexible_load_p",
    "flexible_load", "flexible_load_kind", "corridor", "corridor_new_energy_TWh",
    "receiving_grid", "demand_TWh", "demand_response_TWh", "unserved_MWh", "flexible_load_TWh",
    "export_TWh",
)  # fmt: skip
"""The results variables and coordinates :func:`indicator_data` reads."""


def indicator_data(
    values: Mapping[str, np.ndarray],
    result: DispatchResult,
    inputs: KernelInputs,
    scenario: Scenario,
) -> tuple[dict[str, np.ndarray | float], dict[str, list]]:
    """The indicator variables of a results Dataset, as arrays (the formulas' one copy).

    Parameters
    ----------
    values : mapping of str to ndarray
        The results variables and coordinates of :data:`INDICATOR_INPUTS` as numpy arrays
        (``snapshot``: datetime64 or a DatetimeIndex), e.g. what
        :func:`energysim.results.build.to_dataset` has built before the indicators.
    result, inputs : DispatchResult, KernelInputs
        The dispatch and its packed inputs (for must-run floors, storage and line limits).
    scenario : Scenario
        For the economics section and the installed capacities.

    Returns
    -------
    data : dict
        Indicator name -> value (float or ndarray on the dims of ``VARIABLES[name]``).
    new_coords : dict
        The dims the indicators add: ``region`` (receiving grids, sorted) and ``technology``.
    """
    econ = scenario.economics
    twh = 1e-6
    carriers = values["carrier"]
    gen_twh = values["generator_energy_TWh"]  # generator_p summed over the hours, TWh
    ne = np.isin(carriers, NEW_ENERGY_CARRIERS)
    thermal = np.isin(carriers, THERMAL_CLASSES)
    coal = np.isin(carriers, COAL_CLASSES)
    renewable = np.isin(carriers, ("hydro", "biomass")) | ne
    domestic = ~np.isin(carriers, IMPORT_CARRIERS)  # imports are not Inner Mongolian plant
    p_nom = np.array(
        [
            scenario.generators[g].p_nom
            if in_fleet(scenario.generators[g], scenario.year) and ok
            else 0.0
            for g, ok in zip(values["generator"], domestic, strict=True)
        ]
    )

    em = emissions_of(
        carriers,
        values["generator_bus"],
        values["generator_p"],
        values["generator_p_available"],
        econ,
    )
    total_gen = float(gen_twh[domestic].sum())
    ne_gen = float(gen_twh[ne].sum())
    th_gen = float(gen_twh[thermal].sum())
    non_fossil = float(gen_twh[renewable].sum()) + float(gen_twh[coal].sum()) * em["cofired_share"]
    ne_cap, all_cap = p_nom[ne].sum(), p_nom.sum()

    # curtailment: by bus, grid, month; split into system surplus and congestion
    ne_avail = inputs.ne_avail
    ne_curt = values["new_energy_curtailment"]
    room = absorption_room(result, inputs)
    bus_index = {b: i for i, b in enumerate(values["bus"])}
    l0 = np.array([bus_index[b] for b in values["line_bus0"]], dtype=np.int64)
    l1 = np.array([bus_index[b] for b in values["line_bus1"]], dtype=np.int64)
    mask = congestion_mask(ne_curt, room, l0, l1, result.line_p0, result.line_p1, inputs.line_cap)
    congested = np.where(mask, ne_curt, 0.0)
    surplus = ne_curt - congested
    grid_of = values["bus_grid"]
    months = month_rows(values["snapshot"])
    month_avail = np.array([ne_avail[rows].sum() for rows in months])
    month_curt = np.array([ne_curt[rows].sum() for rows in months])
    bus_avail, bus_curt = ne_avail.sum(axis=0), ne_curt.sum(axis=0)
    bus_surplus, bus_congested = surplus.sum(axis=0), congested.sum(axis=0)

    # storage, flexible loads, corridors
    st_e = inputs.st_e
    discharged = values["storage_discharge"].sum(axis=0)
    cycles = np.divide(discharged, st_e, out=np.zeros_like(discharged), where=st_e > 0)
    new_type = values["storage_kind"] == "new_type"
    nt_e = float(st_e[new_type].sum())
    flex_e = values["flexible_load_p"].sum(axis=0)
    flex_nom = np.array(
        [scenario.flexible_loads[f].p_nom for f in values["flexible_load"]], dtype=float
    )
    electrolyser = values["flexible_load_kind"] == "electrolyser"
    hydrogen_t = np.where(electrolyser, flex_e * 1e3 / econ.electrolyser_kWh_per_kg / 1e3, 0.0)
    eff = np.array([scenario.corridors[c].efficiency for c in values["corridor"]], dtype=float)
    delivered_ne = values["corridor_new_energy_TWh"] * eff
    regions = tuple(sorted({str(r) for r in values["receiving_grid"]}))
    region_of = values["receiving_grid"]

    # costs
    tech_vom = {k: t.vom_CNY_per_MWh for k, t in econ.technologies.items()}
    vom = sum(float(gen_twh[carriers == k].sum()) * 1e6 * v for k, v in tech_vom.items()) * 1e-9
    dr_cost = float(values["demand_response_TWh"]) * 1e6 * scenario.demand_response.cost * 1e-9
    variable = em["fuel_cost_bnCNY"] + em["ccus_cost_bnCNY"] + vom + dr_cost
    served = (
        float(values["demand_TWh"])
        - float(values["demand_response_TWh"])
        - float(values["unserved_MWh"]) * twh
        + float(values["flexible_load_TWh"])
        + float(values["export_TWh"])
    )
    invest = annualised_investment(scenario)
    invest_total = float(invest.sum()) if econ.technologies else math.nan

    def per_mwh(bn: float) -> float:
        return bn * 1e9 / (served * 1e6) if served > 0 else math.nan

    data = {
        "coal_Mtce": em["coal_Mtce"],
        "co2_Mt": em["co2_Mt"],
        "co2_captured_Mt": em["co2_captured_Mt"],
        "coal_heat_rate_gce_per_kWh": em["coal_heat_rate_gce_per_kWh"],
        "generation_TWh": total_gen,
        "new_energy_generation_share": ne_gen / total_gen if total_gen > 0 else 0.0,
        "new_energy_over_thermal_generation": ne_gen / th_gen if th_gen > 0 else math.inf,
        "non_fossil_share": non_fossil / total_gen if total_gen > 0 else 0.0,
        "new_energy_capacity_share": ne_cap / all_cap if all_cap > 0 else 0.0,
        "new_energy_over_thermal_capacity": capacity_ratio(scenario),
        "curtailed_system_TWh": float(surplus.sum()) * twh,
        "curtailed_congestion_TWh": float(congested.sum()) * twh,
        "bus_new_energy_utilisation": _util(bus_avail, bus_curt),
        "bus_curtailed_system_TWh": bus_surplus * twh,
        "bus_curtailed_congestion_TWh": bus_congested * twh,
        "grid_new_energy_utilisation": _util(
            _group_sum(bus_avail, grid_of, GRIDS), _group_sum(bus_curt, grid_of, GRIDS)
        ),
        "grid_curtailed_system_TWh": _group_sum(bus_surplus, grid_of, GRIDS) * twh,
        "grid_curtailed_congestion_TWh": _group_sum(bus_congested, grid_of, GRIDS) * twh,
        "monthly_new_energy_utilisation": _util(month_avail, month_curt),
        "monthly_curtailed_system_TWh": np.array([surplus[rows].sum() for rows in months]) * twh,
        "monthly_curtailed_congestion_TWh": np.array([congested[rows].sum() for rows in months])
        * twh,
        "storage_cycles": cycles,
        "storage_shifted_TWh": float(discharged.sum()) * twh,
        "new_type_storage_cycles": float(discharged[new_type].sum()) / nt_e if nt_e > 0 else 0.0,
        "flexible_load_full_load_hours": np.divide(
            flex_e, flex_nom, out=np.zeros_like(flex_e), where=flex_nom > 0
        ),
        "hydrogen_t": hydrogen_t,
        "hydrogen_kt": float(hydrogen_t.sum()) * 1e-3,
        "corridor_new_energy_delivered_TWh": delivered_ne,
        "region_new_energy_delivered_TWh": np.array(
            [delivered_ne[region_of == r].sum() for r in regions]
        ),
        "fuel_cost_bnCNY": em["fuel_cost_bnCNY"],
        "variable_cost_bnCNY": variable,
        "energy_served_TWh": served,
        "variable_cost_CNY_per_MWh": per_mwh(variable),
        "annualised_investment_bnCNY": invest,
        "levelised_system_cost_CNY_per_MWh": per_mwh(variable + invest_total),
    }
    return data, {"region": list(regions), "technology": list(TECHNOLOGY_KEYS)}


def add_indicators(
    ds: xr.Dataset, result: DispatchResult, inputs: KernelInputs, scenario: Scenario
) -> xr.Dataset:
    """The results Dataset with the indicator variables added (schema: ``VARIABLES``).

    Parameters
    ----------
    ds : xarray.Dataset
        A results Dataset without the indicators (variables and coords of
        :data:`INDICATOR_INPUTS`).
    result, inputs : DispatchResult, KernelInputs
        The dispatch and its packed inputs (for must-run floors, storage and line limits).
    scenario : Scenario
        For the economics section and the installed capacities.

    Notes
    -----
    :func:`energysim.results.build.to_dataset` calls :func:`indicator_data` directly and builds
    the Dataset once; this adds the same variables to an existing Dataset.
    """
    from energysim.results.build import _var  # (dims, data, attrs) from the schema

    values = {name: ds[name].values for name in INDICATOR_INPUTS}
    data, new_coords = indicator_data(values, result, inputs, scenario)
    return ds.assign_coords(new_coords).assign({name: _var(name, v) for name, v in data.items()})


INDICATOR_ROWS: tuple[tuple[str, str, str], ...] = (
    ("coal_Mtce", "standard coal (coal units)", "Mtce"),
    ("co2_Mt", "CO2 (net of capture)", "Mt"),
    ("coal_heat_rate_gce_per_kWh", "coal heat rate (average)", "gce/kWh"),
    ("new_energy_generation_share", "new-energy share of generation", "1"),
    ("non_fossil_share", "non-fossil share of generation", "1"),
    ("new_energy_capacity_share", "new-energy share of capacity", "1"),
    ("curtailed_system_TWh", "curtailment: system surplus (调峰)", "TWh"),
    ("curtailed_congestion_TWh", "curtailment: congestion (网架)", "TWh"),
    ("new_type_storage_cycles", "new-type storage full cycles", "cycles"),
    ("hydrogen_kt", "hydrogen from electrolysers", "kt"),
    ("fuel_cost_bnCNY", "fuel cost", "bn CNY"),
    ("variable_cost_CNY_per_MWh", "variable cost per MWh served", "CNY/MWh"),
    ("levelised_system_cost_CNY_per_MWh", "levelised system cost", "CNY/MWh"),
)
"""The key indicators ``energysim check`` prints under each scenario's targets."""


def indicator_rows(ds: xr.Dataset) -> list[dict]:
    """Key indicators of a results Dataset: ``variable``, ``label``, ``unit``, ``value``, plus
    utilisation by grid (蒙西/蒙东) as two more rows."""
    rows = [
        {"variable": v, "label": label, "unit": unit, "value": float(ds[v])}
        for v, label, unit in INDICATOR_ROWS
        if v in ds
    ]
    if "grid_new_energy_utilisation" in ds:
        for g, zh in zip(GRIDS, ("蒙西", "蒙东"), strict=True):
            rows.append(
                {
                    "variable": f"grid_new_energy_utilisation:{g}",
                    "label": f"new-energy utilisation {zh}",
                    "unit": "1",
                    "value": float(ds["grid_new_energy_utilisation"].sel(grid=g)),
                }
            )
    return rows
