"""The figures-only path: every annual figure of one scenario-year in one compiled pass, with no
hourly Dataset (issue 17).

:func:`energysim.results.build.to_dataset` builds every hourly variable and then sums them; a
sweep, a weather or outage ensemble and a what-it-takes search only need the figures.
:func:`annual_figures` reads the kernel's output arrays once, hour by hour, in one numba loop
(:func:`_figures_pass`) that applies the accounting rules hour by hour -- the same compiled
helpers ``to_dataset`` uses (:func:`energysim.accounting.bus_supply_hour`,
:func:`~energysim.accounting.corridor_new_energy_hour`, :func:`~energysim.accounting.zero_cost_output`,
:func:`~energysim.accounting.fleet_output`, :func:`energysim.adequacy.adequacy_hour`), and
the same formulas from the sums (:func:`energysim.accounting.figures_from_sums`,
:func:`energysim.adequacy.adequacy_from_sums`): one copy of each rule. It equals the full path to
1e-9 relative on every shipped scenario (``tests/test_figures_only.py``).

:func:`figures` is the public entry (``energysim.figures``): scenario -> figures, with the
packed arrays cached (:mod:`energysim.cache`), their fleet table prepared once, and the kernel
writing into an output block reused per process (:func:`result_block`), so a loop of calls
keeps its memory flat.
"""

from __future__ import annotations

import logging
import math
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from energysim.accounting import (
    _ACC_ROWS,
    IMPORT_EPS_MW,
    SYSTEM_SUMS,
    bus_supply_hour,
    corridor_new_energy_hour,
    figures_from_sums,
    fleet_output,
    safe_share,
    share,
    zero_cost_output,
)
from energysim.adequacy import adequacy_accumulators, adequacy_from_sums, adequacy_hour
from energysim.config.schema import Scenario
from energysim.constants import COAL_CARRIERS, NEW_ENERGY_CARRIERS, RENEWABLE_CARRIERS
from energysim.indicators import GRIDS, structural_figures
from energysim.kernel import DispatchResult, KernelInputs, PackIndex, allocate_result
from energysim.kernel._jit import jit, jit_inline
from energysim.kernel.pack import FleetSums

if TYPE_CHECKING:
    import xarray as xr

logger = logging.getLogger(__name__)

__all__ = [
    "FigurePrep",
    "annual_figures",
    "draw_fleets",
    "figures",
    "fleet_hours",
    "prepare_figures",
    "result_block",
    "target_verdicts",
]

# generator kinds in the pass's generator table
_ZERO_COST, _THERMAL = 0, 1
# rows of the pass's output vector after the SYSTEM_SUMS
_N_SUMS = len(SYSTEM_SUMS)
_RENEWABLE, _COAL = _N_SUMS, _N_SUMS + 1
# positions of the sums in the output vector (compile-time constants for numba)
_S_NE_AVAIL = SYSTEM_SUMS.index("ne_avail")
_S_NE_CURTAIL = SYSTEM_SUMS.index("ne_curtail")
_S_NE_EXPORT = SYSTEM_SUMS.index("ne_export")
_S_STORAGE_CHARGE = SYSTEM_SUMS.index("storage_charge")
_S_STORAGE_DISCHARGE = SYSTEM_SUMS.index("storage_discharge")
_S_LINE_P0_PLUS_P1 = SYSTEM_SUMS.index("line_p0_plus_p1")
_S_DEMAND = SYSTEM_SUMS.index("demand")
_S_DR_SHED = SYSTEM_SUMS.index("dr_shed")
_S_DR_PAYBACK = SYSTEM_SUMS.index("dr_payback")
_S_UNSERVED = SYSTEM_SUMS.index("unserved")
_S_FLEX_USE = SYSTEM_SUMS.index("flex_use")
_S_PEAK_DEMAND = SYSTEM_SUMS.index("peak_demand")
_S_CORR_FLOW = SYSTEM_SUMS.index("corr_flow")
_S_CORR_SHORT = SYSTEM_SUMS.index("corr_short")
_S_THERMAL = SYSTEM_SUMS.index("thermal")
_S_THERMAL_RELIEF = SYSTEM_SUMS.index("thermal_relief")
_S_IMPORT = SYSTEM_SUMS.index("import")
_S_IMPORT_HOURS = SYSTEM_SUMS.index("import_hours")
_S_IMPORT_MAX = SYSTEM_SUMS.index("import_max")


@dataclass(frozen=True)
class FigurePrep:
    """What the figures-only pass needs beyond the kernel's arrays, for one packed scenario.

    Depends only on the scenario's structure (generators, corridors, buses, the hours), not on
    the hourly values: one prep serves every outage draw of a weather year and every storage
    variant of a sweep.

    The generators the pass counts one by one (renewable and coal generation, dedicated plants
    of a corridor; G' of them) are summed into *fleets* (F of them): generators of the same
    kind, tier and bus, class, corridor and new-energy flag. The split rules are linear in a
    generator's floor and headroom (thermal, :func:`energysim.accounting.fleet_output`) or in
    its available power (zero-cost, :func:`energysim.accounting.zero_cost_output`), so a fleet's
    output is the rule applied to its members' summed floor and headroom: the same figures to
    rounding, with fewer reads and divisions per hour.

    The counted generators' columns in ``PackIndex.gen_avail`` (G',), ``member_col``, are
    grouped by fleet, in column order within a fleet: fleet f's members are
    ``member_col[fleet_ptr[f]:fleet_ptr[f + 1]]`` (``fleet_ptr`` (F + 1,)). Per fleet (F,):
    ``fleet_bus``, ``fleet_tier`` (-1 zero-cost), ``fleet_class`` (0 none,
    1 renewable, counted in the renewable weight, 2 coal), ``fleet_corridor`` (the corridor its
    dedicated plants (配套电源) serve or -1), ``fleet_is_ne`` (new energy). Thermal fleets come
    first, ordered by (tier, bus): ``pair_start`` (P + 1,) cuts them into the P (tier, bus)
    pairs (fleets ``pair_start[j]`` to ``pair_start[j + 1]`` share one), and fleets from
    ``pair_start[P]`` on are zero-cost.
    """

    member_col: np.ndarray
    fleet_ptr: np.ndarray
    fleet_bus: np.ndarray
    fleet_tier: np.ndarray
    fleet_class: np.ndarray
    fleet_corridor: np.ndarray
    fleet_is_ne: np.ndarray
    pair_start: np.ndarray
    zero_cost_renewable: bool  # every zero-cost carrier is renewable: count them per bus
    months: np.ndarray  # (T,) int64 calendar month of each hour
    corridor_grid: np.ndarray  # (C,) int64 position in GRIDS of each corridor's sending grid
    corridor_p_nom: np.ndarray  # (C,) MW
    import_tier: np.ndarray  # (K,) bool: the tier is imports (not Inner Mongolian generation)

    @property
    def fleets(self) -> int:
        """Number of fleets (F)."""
        return int(self.fleet_bus.shape[0])


def _contiguous(values: list, dtype: type) -> np.ndarray:
    return np.ascontiguousarray(np.array(values, dtype=dtype).reshape(-1))


def prepare_figures(inputs: KernelInputs, index: PackIndex, scenario: Scenario) -> FigurePrep:
    """The fleet table and calendar of :func:`annual_figures` for one packed scenario."""
    corridor_pos = {name: c for c, name in enumerate(index.corridors)}
    gens = scenario.generators
    zero_ok = all(gens[n].carrier in RENEWABLE_CARRIERS for n in index.zero_cost)
    tier_of = dict(zip(index.thermal, index.thermal_tier, strict=True))
    bus_of = dict(zip(index.zero_cost, index.zero_cost_bus, strict=True))
    bus_of.update(zip(index.thermal, index.thermal_bus, strict=True))
    counted = []  # (column, fleet key)
    for col, name in enumerate(index.generators):
        g = gens[name]
        thermal = name in tier_of
        cls = 1 if g.carrier in RENEWABLE_CARRIERS else 2 if g.carrier in COAL_CARRIERS else 0
        if not thermal and zero_ok:
            cls = 0  # counted per bus (below), not per generator
        corridor = corridor_pos.get(g.dedicated_to, -1) if g.dedicated_to else -1
        if cls == 0 and corridor < 0:
            continue  # nothing of it is counted generator by generator
        # thermal fleets first, by (tier, bus); then zero-cost fleets
        key = (
            0 if thermal else 1,
            int(tier_of.get(name, -1)),
            int(bus_of[name]),
            cls,
            corridor,
            g.carrier in NEW_ENERGY_CARRIERS,
        )
        counted.append((col, key))
    keys = sorted({key for _, key in counted})
    fleet_of = {key: f for f, key in enumerate(keys)}
    pair_start = [
        f for f, key in enumerate(keys) if key[0] == 0 and (f == 0 or key[1:3] != keys[f - 1][1:3])
    ]
    pair_start.append(sum(1 for key in keys if key[0] == 0))
    grid_pos = {g: i for i, g in enumerate(GRIDS)}
    # members grouped by fleet, in column order within each (a stable sort)
    members = sorted(counted, key=lambda item: fleet_of[item[1]])
    of_member = np.array([fleet_of[key] for _, key in counted], dtype=np.int64)
    sizes = np.bincount(of_member, minlength=len(keys))
    return FigurePrep(
        member_col=_contiguous([col for col, _ in members], np.int64),
        fleet_ptr=_contiguous([0, *np.cumsum(sizes).tolist()], np.int64),
        fleet_bus=_contiguous([key[2] for key in keys], np.int64),
        fleet_tier=_contiguous([key[1] for key in keys], np.int64),
        fleet_class=_contiguous([key[3] for key in keys], np.int64),
        fleet_corridor=_contiguous([key[4] for key in keys], np.int64),
        fleet_is_ne=_contiguous([key[5] for key in keys], np.bool_),
        pair_start=_contiguous(pair_start, np.int64),
        zero_cost_renewable=zero_ok,
        months=np.ascontiguousarray(index.snapshots.month, dtype=np.int64),
        corridor_grid=np.array(
            [
                grid_pos.get(scenario.buses[scenario.corridors[c].bus].grid, -1)
                for c in index.corridors
            ],
            dtype=np.int64,
        ),
        corridor_p_nom=np.asarray(inputs.corr_cap, dtype=float).copy(),
        import_tier=_import_tiers(scenario, inputs.th_max.shape[0]),
    )


def _import_tiers(scenario: Scenario, tiers: int) -> np.ndarray:
    """:func:`energysim.accounting.import_tiers`, checked against the packed tiers."""
    from energysim.accounting import import_tiers

    mask = np.ascontiguousarray(import_tiers(scenario), dtype=np.bool_)
    if mask.size != tiers:
        msg = (
            f"prepare_figures: {mask.size} thermal tiers in scenario {scenario.name!r}, "
            f"{tiers} in the packed inputs; expected the same packing"
        )
        raise ValueError(msg)
    return mask


@jit_inline
def fleet_hour(gen_must, gen_avail, member_col, fleet_ptr, first_zero, must, head):
    """One hour of :func:`fleet_hours`: rows (G,) of that hour in, rows (F,) filled.

    Fleets before ``first_zero`` are thermal (floor and headroom above it), the others
    zero-cost (available power in ``head``, ``must`` 0): :func:`_fleet_sums` of each.
    """
    for f in range(must.shape[0]):
        must[f], head[f] = _fleet_sums(
            f, gen_must, gen_avail, member_col, fleet_ptr, f < first_zero
        )


@jit
def _fleet_hours(gen_must, gen_avail, member_col, fleet_ptr, first_zero, must, head):
    """Hour loop of :func:`fleet_hours`: fills ``must`` and ``head`` (T, F) in place."""
    for t in range(must.shape[0]):
        fleet_hour(gen_must[t], gen_avail[t], member_col, fleet_ptr, first_zero, must[t], head[t])


def fleet_hours(index: PackIndex, prep: FigurePrep) -> tuple[np.ndarray, np.ndarray]:
    """Each fleet's hourly floor and headroom, for :func:`annual_figures`.

    Depends on the packed generator availability (``index.gen_avail``, ``index.gen_must``):
    computed once per packed scenario, it serves every dispatch of those arrays (a sweep's
    storage variants), and saves each one the read of the (T, G) generator arrays.

    Returns
    -------
    must, head : ndarray (T, F)
        Summed must-run floor and headroom above it (available power for zero-cost fleets) of
        each fleet of ``prep``, MW.
    """
    nt = index.gen_avail.shape[0]
    must = np.empty((nt, prep.fleets))
    head = np.empty((nt, prep.fleets))
    _fleet_hours(
        index.gen_must, index.gen_avail, prep.member_col, prep.fleet_ptr,
        int(prep.pair_start[-1]), must, head,
    )  # fmt: skip
    return must, head


def draw_fleets(index: PackIndex, prep: FigurePrep) -> FleetSums:
    """The :class:`~energysim.kernel.pack.FleetSums` of ``prep``'s fleets on the packed
    generator arrays of ``index`` (:func:`fleet_hours`): for
    :meth:`energysim.kernel.pack.RedrawWork.in_place`, whose draws then rewrite the thermal
    fleets' columns; ``(fleets.must, fleets.head)`` is :func:`annual_figures`' ``fleets``."""
    must, head = fleet_hours(index, prep)
    return FleetSums(prep.member_col, prep.fleet_ptr, int(prep.pair_start[-1]), must, head)


@jit_inline
def _fleet_sums(f, gen_must, gen_avail, member_col, fleet_ptr, thermal):
    """Fleet ``f``'s floor and headroom (zero-cost: available power) in one hour, MW, from that
    hour's generator rows (G,): its members' sums, in column order (:func:`fleet_hour`)."""
    must = 0.0
    head = 0.0
    for i in range(fleet_ptr[f], fleet_ptr[f + 1]):
        g = member_col[i]
        if thermal:
            must += gen_must[g]
            head += gen_avail[g] - gen_must[g]
        else:
            head += gen_avail[g]
    return must, head


@jit
def _figures_pass(
    # kernel outputs
    curtail, thermal, thermal_relief, st_charge, st_discharge, flex_use, corr_flow, corr_short,
    dr_shed, dr_payback, line_p0, line_p1, unserved, reserve_short,
    # packed inputs
    demand, zero_cost_avail, ne_avail, th_must, th_avail, schedule, st_bus, corr_bus, gen_avail,
    gen_must, receiving_peak,
    # the fleet table and calendar (FigurePrep)
    member_col, fleet_ptr, fleet_bus, fleet_tier, fleet_class, fleet_corridor, fleet_is_ne,
    pair_start, zero_cost_per_bus, months, corridor_grid, import_tier,
    # the fleets' hourly floor and headroom (fleet_hours), or (0, F) when not given
    fleet_must, fleet_head, fleets_given,
    # outputs (zeroed / initialised by the caller)
    sums, corr_sent, corr_green, adq_scalars, adq_monthly, adq_corridor, adq_grid, adq_grid_work,
    # scratch
    bus_rows, corr_rows, work,
):  # fmt: skip
    """Every annual sum of one scenario-year, hour by hour, in one pass over the arrays.

    ``sums`` gets the :data:`~energysim.accounting.SYSTEM_SUMS` (MWh; ``peak_demand`` MW;
    ``soc_change`` is left to the caller) and renewable and coal generation (MWh); ``corr_sent``
    and ``corr_green`` (C,) the energy and new energy each corridor sends (MWh); the ``adq_*``
    the adequacy accumulators (:func:`energysim.adequacy.adequacy_hour`). ``fleet_must`` and
    ``fleet_head`` are (T, F) from :func:`fleet_hours` when ``fleets_given``; otherwise each
    fleet's floor and headroom are summed from ``gen_must`` and ``gen_avail`` where the fleet is
    counted (:func:`_fleet_sums`, the same sums in the same order as :func:`fleet_hour`).
    ``bus_rows`` (3, B), ``corr_rows`` (4, C) and ``work`` (8, max(B, C)) are scratch.

    The annual sums are kept in local variables (registers) through the year and written to
    ``sums`` at the end: the same additions in the same order as adding into ``sums`` hour by
    hour, so the same numbers bit for bit.
    """
    nt, nb = demand.shape
    nc = corr_flow.shape[1]
    nk = thermal.shape[1]
    n_fleets = fleet_bus.shape[0]
    n_pairs = pair_start.shape[0] - 1
    first_zero = pair_start[n_pairs]
    ne_curt = bus_rows[0]
    ne_used = bus_rows[1]
    supply = bus_rows[2]
    ded_ne = corr_rows[0]
    ded_all = corr_rows[1]
    scheduled = corr_rows[2]
    green = corr_rows[3]
    s_ne_avail = 0.0
    s_ne_curtail = 0.0
    s_ne_export = 0.0
    s_st_charge = 0.0
    s_st_discharge = 0.0
    s_lines = 0.0
    s_demand = 0.0
    s_dr_shed = 0.0
    s_dr_payback = 0.0
    s_unserved = 0.0
    s_flex = 0.0
    s_corr_flow = 0.0
    s_corr_short = 0.0
    s_thermal = 0.0
    s_relief = 0.0
    s_import = 0.0
    s_import_hours = 0.0
    s_import_max = 0.0
    s_renewable = 0.0
    s_coal = 0.0
    peak = -np.inf
    for t in range(nt):
        # the bus accounting of the hour (new-energy curtailment, new energy used, supply)
        bus_supply_hour(
            curtail[t], thermal[t], st_discharge[t], zero_cost_avail[t], ne_avail[t], st_bus,
            ne_curt, ne_used, supply,
        )  # fmt: skip
        d_t = 0.0
        for b in range(nb):
            d = demand[t, b]
            d_t += d
            s_ne_avail += ne_avail[t, b]
            s_ne_curtail += ne_curt[b]
            s_demand += d
            s_dr_shed += dr_shed[t, b]
            s_dr_payback += dr_payback[t, b]
            s_unserved += unserved[t, b]
            s_flex += flex_use[t, b]
            s_relief += thermal_relief[t, b]
            if zero_cost_per_bus:
                zc = zero_cost_avail[t, b]
                s_renewable += zero_cost_output(zc, curtail[t, b], zc)
        peak = max(peak, d_t)
        imp = 0.0
        for k in range(nk):
            for b in range(nb):
                s_thermal += thermal[t, k, b]
                if import_tier[k]:
                    imp += thermal[t, k, b]
        s_import += imp
        if imp > IMPORT_EPS_MW:
            s_import_hours += 1.0
        s_import_max = max(s_import_max, imp)
        for s in range(st_charge.shape[1]):
            s_st_charge += st_charge[t, s]
            s_st_discharge += st_discharge[t, s]
        for li in range(line_p0.shape[1]):
            s_lines += line_p0[t, li] + line_p1[t, li]
        # fleets counted one by one: renewable and coal generation, dedicated plants
        for c in range(nc):
            ded_ne[c] = 0.0
            ded_all[c] = 0.0
        j = 0
        inv_head = 0.0
        inv_must = 0.0
        p_kb = 0.0
        must_kb = 0.0
        for f in range(n_fleets):
            if fleets_given:
                f_must = fleet_must[t, f]
                f_head = fleet_head[t, f]
            else:
                f_must, f_head = _fleet_sums(
                    f, gen_must[t], gen_avail[t], member_col, fleet_ptr, f < first_zero
                )
            if f < first_zero:
                if f == pair_start[j]:
                    # the first thermal fleet of a (tier, bus): its output, floor and availability
                    k = fleet_tier[f]
                    b = fleet_bus[f]
                    p_kb = thermal[t, k, b]
                    must_kb = th_must[t, k, b]
                    inv_head = share(1.0, th_avail[t, k, b] - must_kb)
                    inv_must = share(1.0, must_kb)
                    j += 1
                p = fleet_output(p_kb, must_kb, inv_head, inv_must, f_must, f_head)
            else:
                b = fleet_bus[f]
                p = zero_cost_output(f_head, curtail[t, b], zero_cost_avail[t, b])
            cls = fleet_class[f]
            if cls == 1:
                s_renewable += p
            elif cls == 2:
                s_coal += p
            c = fleet_corridor[f]
            if c >= 0:
                ded_all[c] += p
                if fleet_is_ne[f]:
                    ded_ne[c] += p
        # the corridor accounting of the hour (new energy in each corridor's sending)
        for c in range(nc):
            scheduled[c] = schedule[t, c] - corr_short[t, c]
        corridor_new_energy_hour(
            corr_flow[t], scheduled, ded_ne, ded_all, corr_bus, ne_used, supply, green, work,
        )  # fmt: skip
        for c in range(nc):
            s_ne_export += green[c]
            s_corr_flow += corr_flow[t, c]
            s_corr_short += corr_short[t, c]
            corr_sent[c] += corr_flow[t, c]
            corr_green[c] += green[c]
        adequacy_hour(
            t, months[t], unserved[t], corr_short[t], receiving_peak[t], reserve_short[t],
            corridor_grid, adq_scalars, adq_monthly, adq_corridor, adq_grid, adq_grid_work,
        )  # fmt: skip
    sums[_S_NE_AVAIL] = s_ne_avail
    sums[_S_NE_CURTAIL] = s_ne_curtail
    sums[_S_NE_EXPORT] = s_ne_export
    sums[_S_STORAGE_CHARGE] = s_st_charge
    sums[_S_STORAGE_DISCHARGE] = s_st_discharge
    sums[_S_LINE_P0_PLUS_P1] = s_lines
    sums[_S_DEMAND] = s_demand
    sums[_S_DR_SHED] = s_dr_shed
    sums[_S_DR_PAYBACK] = s_dr_payback
    sums[_S_UNSERVED] = s_unserved
    sums[_S_FLEX_USE] = s_flex
    sums[_S_CORR_FLOW] = s_corr_flow
    sums[_S_CORR_SHORT] = s_corr_short
    sums[_S_THERMAL] = s_thermal
    sums[_S_THERMAL_RELIEF] = s_relief
    sums[_S_IMPORT] = s_import
    sums[_S_IMPORT_HOURS] = s_import_hours
    sums[_S_IMPORT_MAX] = s_import_max
    sums[_RENEWABLE] = s_renewable
    sums[_COAL] = s_coal
    sums[_S_PEAK_DEMAND] = peak if nt > 0 else 0.0


_blocks = threading.local()


def result_block(inputs: KernelInputs) -> DispatchResult:
    """The kernel's output arrays for ``inputs``' shape, reused within a thread (and process).

    The figures-only path does not keep the hourly outputs, so each call can dispatch into the
    same block (the kernel rewrites every element): no fresh allocation per call,
    flat memory over many calls. One block per shape is kept (the last one used).
    """
    shape = tuple(sorted(inputs.shape.items()))
    held = getattr(_blocks, "held", None)
    if held is None or held[0] != shape:
        held = (shape, allocate_result(inputs))
        _blocks.held = held
    return held[1]


def annual_figures(
    result: DispatchResult,
    inputs: KernelInputs,
    index: PackIndex,
    scenario: Scenario,
    prep: FigurePrep,
    fleets: tuple[np.ndarray, np.ndarray] | None = None,
) -> dict[str, float | np.ndarray]:
    """Every annual figure of one run from the kernel's arrays, without a results Dataset.

    Parameters
    ----------
    result : DispatchResult
        The dispatch (any engine).
    inputs, index : KernelInputs, PackIndex
        The packed scenario.
    scenario : Scenario
        The validated scenario (capacities).
    prep : FigurePrep
        From :func:`prepare_figures` for the same packed structure.
    fleets : (ndarray, ndarray), optional
        :func:`fleet_hours` of the same packed arrays (``index``); without it the pass sums
        the fleets hour by hour from ``index.gen_must`` and ``index.gen_avail``.

    Returns
    -------
    dict of str to float or ndarray
        Every scalar of :mod:`energysim.accounting` (:func:`~energysim.accounting.system_figures`)
        and of :func:`energysim.adequacy.adequacy_figures`, the 两个超过 ratios, and the arrays
        ``corridor_energy_TWh``, ``corridor_new_energy_TWh``, ``corridor_renewable_share``,
        ``corridor_utilisation_hours`` (C,), ``corridor_cut_hours`` (C,), ``grid_*`` (G,) and the
        adequacy ``*_monthly`` (12,), named and in the units of
        :data:`energysim.results.schema.VARIABLES`.
    """
    n = inputs.shape
    nb, nc = n["B"], n["C"]
    sums = np.zeros(_N_SUMS + 2)
    corr_sent = np.zeros(nc)
    corr_green = np.zeros(nc)
    adq = adequacy_accumulators(nc, len(GRIDS))
    if (len(prep.months), prep.import_tier.size, prep.corridor_grid.size) != (n["T"], n["K"], nc):
        msg = (
            f"annual_figures: a FigurePrep for {len(prep.months)} hours, "
            f"{prep.import_tier.size} tiers and {prep.corridor_grid.size} corridors; the packed "
            f"scenario has {n['T']}, {n['K']} and {nc}: expected prepare_figures of the same pack"
        )
        raise ValueError(msg)
    if fleets is None:
        if index.gen_avail.shape[0] != n["T"] or index.gen_must.shape[0] != n["T"]:
            msg = (
                f"annual_figures: generator arrays of {index.gen_avail.shape[0]} hours and no "
                f"fleets; expected {n['T']} hours (a redraw into FleetSums returns none: pass "
                "its fleets)"
            )
            raise ValueError(msg)
        fleet_must, fleet_head = np.empty((0, prep.fleets)), np.empty((0, prep.fleets))
    else:
        fleet_must, fleet_head = fleets
        want = (n["T"], prep.fleets)
        if fleet_must.shape != want or fleet_head.shape != want:
            msg = (
                f"annual_figures: fleets of shape {fleet_must.shape} and {fleet_head.shape}; "
                f"expected {want} (hours, fleets) from fleet_hours of the same packed scenario"
            )
            raise ValueError(msg)
    _figures_pass(
        result.curtail, result.thermal, result.thermal_relief, result.st_charge,
        result.st_discharge, result.flex_use, result.corr_flow, result.corr_short, result.dr_shed,
        result.dr_payback, result.line_p0, result.line_p1, result.unserved, result.reserve_short,
        inputs.demand, inputs.zero_cost_avail, inputs.ne_avail, inputs.th_must, inputs.th_avail,
        inputs.schedule, inputs.st_bus, inputs.corr_bus, index.gen_avail, index.gen_must,
        index.receiving_peak,
        prep.member_col, prep.fleet_ptr, prep.fleet_bus, prep.fleet_tier,
        prep.fleet_class, prep.fleet_corridor, prep.fleet_is_ne, prep.pair_start,
        prep.zero_cost_renewable, prep.months, prep.corridor_grid, prep.import_tier,
        fleet_must, fleet_head, fleets is not None,
        sums, corr_sent, corr_green, *adq,
        np.zeros((3, nb)), np.zeros((4, nc)), np.zeros((_ACC_ROWS, max(nb, nc, 1))),
    )  # fmt: skip
    named = dict(zip(SYSTEM_SUMS, sums[:_N_SUMS].tolist(), strict=True))
    named["soc_change"] = (
        float(result.st_soc[-1].sum() - inputs.st_soc0.sum()) if result.st_soc.size else 0.0
    )
    twh = 1e-6
    out: dict[str, float | np.ndarray] = figures_from_sums(
        named, scenario, renewable_used_TWh=sums[_RENEWABLE] * twh, coal_TWh=sums[_COAL] * twh
    )
    scalars, monthly, corridor_hours, grid, _ = adq
    out.update(adequacy_from_sums(len(prep.months), scalars, monthly, corridor_hours, grid))
    out["corridor_energy_TWh"] = corr_sent * twh
    out["corridor_new_energy_TWh"] = corr_green * twh
    out["corridor_renewable_share"] = safe_share(corr_green, corr_sent)
    out["corridor_utilisation_hours"] = safe_share(corr_sent, prep.corridor_p_nom)
    return out | structural_figures(scenario, out)


def figures(
    scenario: Scenario,
    profiles: xr.Dataset | None = None,
    engine: str = "kernel",
    outage_seed: int | None = None,
) -> dict[str, float | np.ndarray]:
    """Simulate one scenario-year and return its annual figures, without the hourly Dataset.

    The figures-only counterpart of :func:`energysim.simulate` (``energysim.figures``): the
    same numbers as the Dataset's annual variables (to 1e-9 relative), several times faster, in
    flat memory over repeated calls.

    Parameters
    ----------
    scenario : Scenario or path
        A validated scenario or a scenario file.
    profiles : xarray.Dataset, optional
        Hourly profiles (default: the scenario's own, :func:`energysim.run.scenario_profiles`).
    engine : str, default "kernel"
        Any engine of :mod:`energysim.engines`; the kernel writes into :func:`result_block`.
    outage_seed : int, optional
        A random thermal outage draw (:func:`energysim.kernel.pack.redraw`) instead of the
        expected derate.

    Returns
    -------
    dict of str to float or ndarray
        As :func:`annual_figures`.
    """
    from energysim.cache import packed_cached
    from energysim.engines import dispatch, get_engine
    from energysim.kernel import pack
    from energysim.kernel.pack import redraw
    from energysim.run import _as_scenario, scenario_profiles

    get_engine(engine)
    scenario = _as_scenario(scenario)
    inputs, index = packed_cached(scenario, profiles, scenario_profiles, pack)
    # the fleet table depends on the structure only: the packed scenario's serves its draws
    prep, fleets = _prepared(inputs, index, scenario)
    if outage_seed is not None:
        inputs, index = redraw(scenario, inputs, index, outage_seed)
        # a draw changes the generators' availability: the pass sums the fleets itself
        fleets = None
    options = {"out": result_block(inputs)} if engine == "kernel" else {}
    result = dispatch(scenario, inputs, index, engine, **options)
    return annual_figures(result, inputs, index, scenario, prep, fleets)


def _prepared(
    inputs: KernelInputs, index: PackIndex, scenario: Scenario
) -> tuple[FigurePrep, tuple[np.ndarray, np.ndarray]]:
    """:func:`prepare_figures` and :func:`fleet_hours` of the packed arrays, kept for the last
    ones seen in this thread: a loop of :func:`figures` calls on an unchanged scenario gets the
    same cached arrays (:func:`energysim.cache.packed_cached`) and prepares them once."""
    held = getattr(_blocks, "prepared", None)
    if held is not None and held[0] is index and held[1] is inputs:
        return held[2], held[3]
    prep = prepare_figures(inputs, index, scenario)
    fleets = fleet_hours(index, prep)
    _blocks.prepared = (index, inputs, prep, fleets)
    return prep, fleets


def target_verdicts(figures: dict[str, float], scenario: Scenario) -> dict[str, float]:
    """``meets_<target>`` (1.0 met, 0.0 missed, NaN no target) and ``meets_all_targets``.

    Uses the tolerance of ``energysim check`` (:mod:`energysim.feasibility`).
    """
    from energysim.targets import TARGETS, meets

    out: dict[str, float] = {}
    for spec in TARGETS:
        goal = getattr(scenario.targets, spec.field)
        if goal is None:
            out[f"meets_{spec.field}"] = math.nan
        else:
            out[f"meets_{spec.field}"] = float(meets(figures[spec.variable], goal, spec.sense))
    given = [v for v in out.values() if not math.isnan(v)]
    out["meets_all_targets"] = float(all(v == 1.0 for v in given)) if given else math.nan
    return out
