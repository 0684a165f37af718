"""Packing: scenario + profiles -> contiguous arrays for the dispatch kernel.

Everything that needs pandas, validation or allocation happens here, once per scenario-year; the
kernel (:mod:`energysim.kernel.dispatch`) only loops over the arrays in :class:`KernelInputs`.

Layout conventions (documented for plug-in kernels, see ``benchmarks/README.md``):

* time series are C-contiguous ``float64`` arrays with the hour first: ``(T, B)``, ``(T, K, B)``,
  ``(T, C)``;
* buses are indexed ``0..B-1`` in scenario order; the backbone is a forest given by ``order``
  (buses leaves-first), ``parent`` (-1 for a root), ``parent_line`` and ``child_is_bus0`` (1 if
  the bus is bus0 of the line to its parent), and, for the kernel's transport, by ``tree``, the
  same forest in CSR form (:func:`backbone_tree`);
* thermal fleets are grouped in merit-order tiers ``k = 0..K-1`` of equal marginal cost; their
  hourly available capacity ``th_avail`` carries maintenance and outages
  (:mod:`energysim.kernel.availability`);
* the pre-pass arrays ``net_short``, ``storage_reserve``, ``st_room``, ``dr_threshold`` and
  ``dr_keep`` are computed here from the whole year (the kernel only looks them up);
* storage units ``s``, corridors ``c`` and lines ``l`` keep scenario order.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import xarray as xr

from energysim.adequacy import receiving_peak_mask
from energysim.config.checks import hours_in_year
from energysim.config.schema import Scenario
from energysim.constants import (
    IMPORT_CARRIERS,
    NEW_ENERGY_CARRIERS,
    THERMAL_CARRIERS,
    ZERO_COST_CARRIERS,
)
from energysim.exceptions import KernelError
from energysim.kernel._jit import jit, jit_inline
from energysim.kernel.availability import (
    OutagePlan,
    draw_outages,
    expected_availability,
    outage_draw_array,
    outage_plan,
    reserve_requirement,
)
from energysim.kernel.dispatch import (
    CAP_DN,
    CAP_UP,
    EFF,
    N_WORK,
    NET,
    SENT_DN,
    SENT_UP,
    SUP,
    WANT,
)
from energysim.kernel.dispatch import transport as _transport

logger = logging.getLogger(__name__)

__all__ = [
    "BalanceParts",
    "KernelInputs",
    "PackIndex",
    "PackStatic",
    "RedrawWork",
    "ThermalBlock",
    "FleetSums",
    "FloorPlan",
    "apply_floor_plan",
    "apply_support_floor",
    "backbone_tree",
    "balance_parts",
    "balance_with",
    "corridor_schedules",
    "dr_keep",
    "domestic_th_avail",
    "prepass_shortfall",
    "dr_threshold",
    "lay_thermal",
    "head",
    "heating_mask",
    "import_tier_mask",
    "inputs_balance_parts",
    "in_service_at_year_end",
    "in_service_mask",
    "in_year_share",
    "pack",
    "pack_static",
    "clear_shared_statics",
    "shared_static",
    "pack_with_block",
    "need_before_thermal",
    "redraw",
    "reserve_and_room",
    "shortfall_from",
    "static_key",
    "StorageBuses",
    "storage_buses",
    "storage_fields",
    "support_floor_plan",
    "thermal_block",
]

DEFAULT_P_MAX_PU = {
    "coal": 1.0,
    "coal_chp": 1.0,
    "gas": 1.0,
    "biomass": 0.9,
    "hydro": 0.4,
    "import": 1.0,
}
RESERVE_HORIZON_H = 24
"""Hours ahead over which the storage reserve for expected shortfalls is computed."""
TREE_ORDER, TREE_PARENT, TREE_CHILD_PTR, TREE_CHILDREN = 0, 1, 2, 3
"""Rows of :attr:`KernelInputs.tree`."""


@dataclass
class KernelInputs:
    """Contiguous arrays the dispatch kernel reads. Units: MW, MWh, p.u.

    Dims: T hours, B buses, K thermal tiers, S storage units, C corridors, L lines.
    """

    # time series
    demand: np.ndarray  # (T, B) inflexible demand, MW
    zero_cost_avail: np.ndarray  # (T, B) zero-cost available power (wind, solar, CSP, hydro), MW
    ne_avail: np.ndarray  # (T, B) of which new energy (wind, solar, CSP), MW
    th_must: np.ndarray  # (T, K, B) must-run thermal output, MW
    th_avail: np.ndarray  # (T, K, B) available thermal capacity (maintenance, outages), MW
    schedule: np.ndarray  # (T, C) scheduled corridor sending, MW
    storage_reserve: (
        np.ndarray
    )  # (T,) share of storage energy held back for expected shortfalls, p.u.
    st_room: (
        np.ndarray
    )  # (T, B) share of each bus's storage energy kept free for surplus ahead, p.u.
    reserve_req: np.ndarray  # (T,) upward reserve requirement, MW
    net_short: np.ndarray  # (T,) pre-pass expected system shortfall (incl. reserve), MW
    dr_keep: np.ndarray  # (T,) DR energy kept for the tight hours after t, MWh
    corr_surplus_pu: np.ndarray  # (T, C) share of the headroom open to surplus sending, p.u.
    # thermal
    th_max: np.ndarray  # (K, B) installed thermal capacity x p_max_pu, MW
    # buses and backbone
    order: np.ndarray  # (B,) int64, buses leaves first
    parent: np.ndarray  # (B,) int64, parent bus or -1
    parent_line: np.ndarray  # (B,) int64, line to the parent or -1
    child_is_bus0: np.ndarray  # (B,) bool as int64: 1 if the bus is bus0 of its parent line
    tree: np.ndarray  # (4, B + 1) int64: order, parent, children in CSR form (TREE_* rows)
    line_cap: np.ndarray  # (L,) MW each direction
    line_eff: np.ndarray  # (L,) p.u.
    # storage
    st_bus: np.ndarray  # (S,) int64
    st_p: np.ndarray  # (S,) MW
    st_e: np.ndarray  # (S,) MWh
    st_eff_in: np.ndarray  # (S,)
    st_eff_out: np.ndarray  # (S,)
    st_loss: np.ndarray  # (S,) p.u. per hour
    st_soc0: np.ndarray  # (S,) MWh
    st_soc_min: np.ndarray  # (S,) MWh
    st_soc_max: np.ndarray  # (S,) MWh
    # flexible loads (aggregated per bus)
    flex_min: np.ndarray  # (B,) MW always consumed
    flex_max: np.ndarray  # (B,) MW rated
    # corridors
    corr_bus: np.ndarray  # (C,) int64
    corr_cap: np.ndarray  # (C,) MW
    corr_surplus_budget: np.ndarray  # (C,) MWh that may be sent above schedule (inf: no cap)
    # demand response
    dr_cap: np.ndarray  # (B,) MW
    dr_energy: float  # MWh per year, whole system
    dr_threshold: float  # MW: hours with net_short >= this may use all the DR budget left
    dr_shift: int  # 1 = shift mode, 0 = curtail
    dr_window: int  # hours

    @property
    def shape(self) -> dict[str, int]:
        """Sizes of the dims: T, B, K, S, C, L."""
        return {
            "T": self.demand.shape[0],
            "B": self.demand.shape[1],
            "K": self.th_max.shape[0],
            "S": self.st_p.shape[0],
            "C": self.corr_cap.shape[0],
            "L": self.line_cap.shape[0],
        }

    def arrays(self) -> tuple:
        """All fields in declaration order, as passed to the kernel."""
        return tuple(getattr(self, f.name) for f in dataclasses.fields(self))

    def nbytes(self) -> int:
        """Memory held by the arrays, bytes."""
        return sum(a.nbytes for a in self.arrays() if isinstance(a, np.ndarray))


@dataclass(frozen=True)
class PackIndex:
    """Names behind the kernel's integer indices, for unpacking results."""

    snapshots: pd.DatetimeIndex
    buses: tuple[str, ...]
    tiers: tuple[float, ...]  # marginal cost of each tier, CNY/MWh
    thermal: tuple[str, ...]  # thermal generator names
    thermal_tier: tuple[int, ...]
    thermal_bus: tuple[int, ...]
    zero_cost: tuple[str, ...]  # zero-cost generator names (NE + hydro)
    zero_cost_bus: tuple[int, ...]
    storage: tuple[str, ...]
    corridors: tuple[str, ...]
    corridors_out_of_service: tuple[str, ...]
    lines: tuple[str, ...]
    flexible_loads: tuple[str, ...]
    flexible_bus: tuple[int, ...]
    generators: tuple[str, ...]  # all generators, scenario order
    gen_avail: np.ndarray  # (T, G) available power of every generator, MW
    gen_must: np.ndarray  # (T, G) must-run floor of every generator, MW
    receiving_peak: np.ndarray  # (T, C) bool, receiving grid's peak hours (energysim.adequacy)


def heating_mask(
    scenario: Scenario, snapshots: pd.DatetimeIndex, bus: str | None = None
) -> np.ndarray:
    """Hours inside the heating season (wraps over the new year), as a boolean array (T,).

    With ``bus``, the season of that bus (its ``heating_season`` if given, else the scenario's).
    """
    season = scenario.heating_season
    if bus is not None and scenario.buses[bus].heating_season is not None:
        season = scenario.buses[bus].heating_season
    start = tuple(int(p) for p in season.start.split("-"))
    end = tuple(int(p) for p in season.end.split("-"))
    md = snapshots.month * 100 + snapshots.day
    s, e = start[0] * 100 + start[1], end[0] * 100 + end[1]
    inside = (md >= s) | (md <= e) if s > e else (md >= s) & (md <= e)
    return np.asarray(inside, dtype=bool)


# -- fleet timing (in_service_date) --------------------------------------------------------------


def in_service_mask(first_day: date | None, snapshots: pd.DatetimeIndex) -> np.ndarray:
    """Hours at or after the first day in service, as a boolean array (T,).

    ``None`` means in service throughout.
    """
    if first_day is None:
        return np.ones(len(snapshots), dtype=bool)
    return np.asarray(snapshots >= pd.Timestamp(first_day), dtype=bool)


def in_year_share(first_day: date | None, year: int) -> float:
    """Share of model year ``year`` in which a component entering on ``first_day`` is in
    service, p.u. (1 before the year, 0 after it; hours from the first day to the year's end
    over the hours of the year otherwise)."""
    if first_day is None or first_day <= date(year, 1, 1):
        return 1.0
    if first_day > date(year, 12, 31):
        return 0.0
    hours = (date(year + 1, 1, 1) - first_day).days * 24
    return hours / hours_in_year(year)


def in_service_at_year_end(first_day: date | None, year: int) -> bool:
    """Whether a component is in the year-end fleet of model year ``year`` (capacity targets)."""
    return first_day is None or first_day <= date(year, 12, 31)


def _thermal_order(scenario: Scenario, corridor: str, bus: str) -> list[str]:
    """Thermal generators at ``bus`` in the order a support floor loads them: those dedicated to
    ``corridor`` first, then by marginal cost (name as tie-breaker)."""
    names = [
        n
        for n, g in scenario.generators.items()
        if g.bus == bus and g.carrier in THERMAL_CARRIERS and g.carrier not in IMPORT_CARRIERS
    ]
    return sorted(
        names,
        key=lambda n: (
            scenario.generators[n].dedicated_to != corridor,
            scenario.generators[n].marginal_cost,
            n,
        ),
    )


def apply_support_floor(
    scenario: Scenario,
    schedule: pd.DataFrame,
    gen_avail: np.ndarray,
    gen_must: np.ndarray,
) -> np.ndarray:
    """Raise thermal must-run at each UHV line's sending bus to its support floor, in place.

    For a corridor with ``support_floor_pu = k``, thermal output at its sending bus must be at
    least ``k * schedule(t)`` MW every hour (the converter's short-circuit and stability support
    that UHV DC operation rules ask of the sending end). The extra must-run is laid on the thermal
    generators at that bus, those dedicated to the corridor first, then the cheapest, up to their
    availability. Floors of several corridors at one bus add up. The kernel and the LP both read
    the result through the packed must-run arrays (``th_must``, ``gen_must``).

    Parameters
    ----------
    scenario : Scenario
    schedule : pandas.DataFrame
        Scheduled sending (T x in-service corridor), MW.
    gen_avail, gen_must : numpy.ndarray
        (T, G) available power and must-run floor of every generator (scenario order), MW;
        ``gen_must`` is raised in place.

    Returns
    -------
    numpy.ndarray
        (T, C) support floor not covered by thermal capacity at the sending bus, MW (zero when
        the bus has enough thermal capacity).
    """
    plan = support_floor_plan(scenario, list(schedule.columns))
    return apply_floor_plan(
        plan, np.ascontiguousarray(schedule.to_numpy(dtype=float)), gen_avail, gen_must
    )


@dataclass(frozen=True)
class FloorPlan:
    """What :func:`apply_support_floor` needs of a scenario besides the hours: the corridors
    with a floor (``floors``: (schedule column, name, corridor), in schedule order), their
    floors ``pu`` (F,), columns ``corr_col`` (F,) and the generators each loads, in order, as
    CSR (``ptr`` (F + 1,), ``gens`` columns of the (T, G) arrays); ``width`` is the number of
    schedule columns. The same for every weather year and outage draw of a scenario."""

    floors: tuple
    pu: np.ndarray
    corr_col: np.ndarray
    ptr: np.ndarray
    gens: np.ndarray
    width: int


def support_floor_plan(scenario: Scenario, columns: list[str]) -> FloorPlan:
    """The :class:`FloorPlan` of ``scenario`` for the in-service corridors ``columns``."""
    gidx = {n: i for i, n in enumerate(scenario.generators)}
    # corridors with a floor, in schedule order, and the generators each loads, in order (CSR)
    floors = [
        (c, name, scenario.corridors[name])
        for c, name in enumerate(columns)
        if scenario.corridors[name].support_floor_pu > 0
    ]
    gens: list[int] = []
    ptr = [0]
    for _, name, corridor in floors:
        gens.extend(gidx[g] for g in _thermal_order(scenario, name, corridor.bus))
        ptr.append(len(gens))
    return FloorPlan(
        tuple(floors),
        np.array([corridor.support_floor_pu for _, _, corridor in floors], dtype=float),
        np.array([c for c, _, _ in floors], dtype=np.int64),
        np.array(ptr, dtype=np.int64),
        np.array(gens, dtype=np.int64),
        len(columns),
    )


def apply_floor_plan(
    plan: FloorPlan, schedule: np.ndarray, gen_avail: np.ndarray, gen_must: np.ndarray
) -> np.ndarray:
    """:func:`apply_support_floor` with its plan made already; ``schedule`` (T, C) C-contiguous
    MW. Returns the uncovered floor (T, C), MW."""
    missing = np.zeros((schedule.shape[0], plan.width))
    floors = plan.floors
    if not floors:
        return missing
    _support_floor_hours(
        schedule, plan.pu, plan.corr_col, plan.ptr, plan.gens, gen_avail, gen_must, missing
    )
    if len(missing):
        _log_floor_shortfall(plan, missing.max(axis=0))  # one pass, not one per corridor
    return missing


def _log_floor_shortfall(plan: FloorPlan, peak: np.ndarray) -> None:
    """Log each floored corridor whose floor the sending bus's thermal could not cover (by up
    to ``peak`` (C,) MW, its largest uncovered floor in an hour)."""
    if not plan.floors:
        return
    for c, name, corridor in plan.floors:
        short = float(peak[c])
        if short > 1e-6:
            logger.info(
                "corridors.%s: support floor %.2f p.u. short by up to %.0f MW at %s (not enough "
                "thermal capacity at the sending bus)",
                name,
                corridor.support_floor_pu,
                short,
                corridor.bus,
            )


@jit
def _support_floor_hours(schedule, pu, corr_col, ptr, gens, gen_avail, gen_must, missing):
    """Hour loop of :func:`apply_support_floor` (compiled): :func:`support_floor_row` in
    every hour."""
    for t in range(schedule.shape[0]):
        support_floor_row(
            schedule[t], pu, corr_col, ptr, gens, gen_avail[t], gen_must[t], missing[t]
        )


@jit_inline
def support_floor_row(schedule, pu, corr_col, ptr, gens, avail, must, missing):
    """One hour of :func:`apply_support_floor`, on that hour's rows: each floored corridor
    ``j`` (column ``corr_col[j]`` of the hour's ``schedule`` (C,), MW) needs ``pu[j] x`` its
    schedule from the generators ``gens[ptr[j]:ptr[j + 1]]`` (columns of ``avail`` and ``must``
    (G,), MW) in that order, each raising its floor in ``must`` by what its headroom allows;
    what is left goes to ``missing[corr_col[j]]`` ((C,), MW)."""
    for j in range(pu.shape[0]):
        c = corr_col[j]
        need = pu[j] * schedule[c]
        for q in range(ptr[j], ptr[j + 1]):
            g = gens[q]
            add = min(max(avail[g] - must[g], 0.0), need)
            must[g] += add
            need = need - add
        missing[c] = need


def _scale_to_energy(shape: np.ndarray, cap: float, energy: float) -> np.ndarray:
    """Scale a non-negative shape so that sum(min(cap, a * shape)) == energy (bisection)."""
    if energy <= 0 or cap <= 0:
        return np.zeros_like(shape)
    if energy >= cap * len(shape) * (1 - 1e-12):
        return np.full_like(shape, cap)
    shape = np.maximum(shape, 0.0)
    if shape.sum() <= 0:
        shape = np.ones_like(shape)
    lo, hi = 0.0, cap / shape[shape > 0].min()
    shape = np.ascontiguousarray(shape, dtype=float)
    scaled = np.empty_like(shape)  # one scratch array for every step
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        # the step's test is numpy's sum of min(cap, mid * shape) < energy; a compiled sum
        # decides it unless it lies within SCHEDULE_SUM_GUARD of ``energy`` (far wider than
        # either sum's rounding), where numpy's own sum decides: the same steps as always
        total = _capped_sum(shape, mid, cap, scaled)
        if abs(total - energy) <= SCHEDULE_SUM_GUARD * total:
            total = scaled.sum()
        if total < energy:
            if mid == lo:  # lo and hi are adjacent floats: no later step changes either
                break
            lo = mid
        else:
            if mid == hi:
                break
            hi = mid
    return np.minimum(cap, hi * shape)


SCHEDULE_SUM_GUARD = 1e-10
"""Relative band around a corridor's energy inside which :func:`_scale_to_energy` decides a
step with numpy's (pairwise) sum rather than the compiled one (:func:`_capped_sum`). Any sum of
a year's non-negative terms, in any order (``ENERGYSIM_FASTMATH`` included), is within
8784 x 1.1e-16 = 1e-12 of the exact total, numpy's pairwise one within ~25 x 1.1e-16, so
outside the band the two agree on the test."""


@jit
def _capped_sum(shape, mid, cap, out):
    """``out = min(cap, mid * shape)`` element by element (as numpy computes it) and its sum in
    four running partial sums (independent additions: ~4x faster than one chain). Any order of
    summing n non-negative terms is within (n - 1) x 1.1e-16 of the exact total."""
    n = shape.shape[0]
    s0 = s1 = s2 = s3 = 0.0
    m = n - n % 4
    for i in range(0, m, 4):
        x0 = min(cap, mid * shape[i])
        x1 = min(cap, mid * shape[i + 1])
        x2 = min(cap, mid * shape[i + 2])
        x3 = min(cap, mid * shape[i + 3])
        out[i], out[i + 1], out[i + 2], out[i + 3] = x0, x1, x2, x3
        s0 += x0
        s1 += x1
        s2 += x2
        s3 += x3
    for i in range(m, n):
        x = min(cap, mid * shape[i])
        out[i] = x
        s0 += x
    return (s0 + s1) + (s2 + s3)


def corridor_schedules(scenario: Scenario, profiles: xr.Dataset) -> pd.DataFrame:
    """Hourly scheduled sending power of every in-service corridor, MW (T x C).

    Profiles shorter than a year (tests, slices) get the same share of the annual energy.
    The delivery curve's shape comes from the receiving grid's load (``receiving_load``), a flat
    block (``flat``), a midday block 10:00-16:00 at full rate and 55 % otherwise
    (``solar_shaped``), or the receiving load above its median plus a 50 % base
    (``peak_shaving``). It is scaled so that the year's energy equals the corridor's scheduled
    annual energy, capped at ``p_nom`` in every hour.
    """
    snapshots = pd.DatetimeIndex(profiles["snapshot"].values)
    hours = len(snapshots)
    year_hours = hours_in_year(scenario.year)
    regions = {str(r): i for i, r in enumerate(profiles["region"].values)}
    receiving = profiles["receiving_load"].transpose("snapshot", "region").values
    out = {}
    for name, c in scenario.corridors.items():
        if c.in_service_year > scenario.year:
            continue
        if c.delivery_curve == "flat":
            shape = np.ones(hours)
        elif c.delivery_curve == "solar_shaped":
            shape = np.where((snapshots.hour >= 10) & (snapshots.hour < 16), 1.0, 0.55)
        else:
            if c.receiving_grid not in regions:  # the error .sel gives for a missing region
                profiles["receiving_load"].sel(region=c.receiving_grid)
            load = receiving[:, regions[c.receiving_grid]].astype(float)
            if c.delivery_curve == "peak_shaving":
                shape = 0.5 + np.maximum(load - np.median(load), 0.0) / max(
                    load.max() - np.median(load), 1e-9
                )
            else:
                shape = load
        mask = in_service_mask(c.in_service_date, snapshots)
        energy = c.scheduled_MWh(year_hours) * mask.sum() / year_hours
        sched = np.zeros(hours)
        if mask.any():
            sched[mask] = _scale_to_energy(np.asarray(shape, dtype=float)[mask], c.p_nom, energy)
        out[name] = sched
    return pd.DataFrame(out, index=snapshots, columns=list(out))


def _backbone_forest(scenario: Scenario, buses: list[str]) -> tuple[np.ndarray, ...]:
    """Orient the lines as a forest; raise KernelError if they form a loop."""
    index = {b: i for i, b in enumerate(buses)}
    nb = len(buses)
    adjacency: list[list[tuple[int, int, bool]]] = [[] for _ in range(nb)]
    root_of = list(range(nb))

    def find(i: int) -> int:
        while root_of[i] != i:
            root_of[i] = root_of[root_of[i]]
            i = root_of[i]
        return i

    for li, (name, line) in enumerate(scenario.lines.items()):
        a, b = index[line.bus0], index[line.bus1]
        ra, rb = find(a), find(b)
        if ra == rb:
            msg = (
                f"lines.{name}: the backbone has a loop through {line.bus0!r} and {line.bus1!r}; "
                "the dispatch kernel needs a radial (tree) backbone. Merge parallel lines into one "
                "entry, or use engine='lp'."
            )
            raise KernelError(msg)
        root_of[ra] = rb
        adjacency[a].append((b, li, True))
        adjacency[b].append((a, li, False))
    parent = np.full(nb, -1, dtype=np.int64)
    parent_line = np.full(nb, -1, dtype=np.int64)
    child_is_bus0 = np.zeros(nb, dtype=np.int64)
    seen = np.zeros(nb, dtype=bool)
    bfs: list[int] = []
    # roots: the bus with the largest demand share in each component, for stable results
    for start in sorted(range(nb), key=lambda i: -scenario.buses[buses[i]].demand_share):
        if seen[start]:
            continue
        seen[start] = True
        queue = [start]
        while queue:
            u = queue.pop(0)
            bfs.append(u)
            for v, li, u_is_bus0 in adjacency[u]:
                if not seen[v]:
                    seen[v] = True
                    parent[v] = u
                    parent_line[v] = li
                    child_is_bus0[v] = 0 if u_is_bus0 else 1
                    queue.append(v)
    order = np.array(bfs[::-1], dtype=np.int64)
    return order, parent, parent_line, child_is_bus0


def import_tier_mask(scenario: Scenario) -> np.ndarray:
    """Which merit-order tiers are imports (carrier ``import``), (K,) bool.

    Tiers are numbered by the sorted distinct marginal costs of the thermal fleets, imports
    included (as :func:`pack` does); the config checks make every import dearer than every Inner
    Mongolian fleet, so a tier is either all imports or none, and the import tiers come last.
    """
    costs = sorted(
        {
            round(g.marginal_cost, 6)
            for g in scenario.generators.values()
            if g.carrier in THERMAL_CARRIERS
        }
    )
    imported = {
        round(g.marginal_cost, 6)
        for g in scenario.generators.values()
        if g.carrier in IMPORT_CARRIERS
    }
    return np.array([c in imported for c in costs], dtype=bool)


def domestic_th_avail(scenario: Scenario, th_avail: np.ndarray) -> np.ndarray:
    """``th_avail`` (T, K, B) without the import tiers (a copy; ``th_avail`` itself if none).

    The pre-pass (:func:`prepass_shortfall`: storage look-ahead, pre-charge share, DR rationing)
    plans for Inner Mongolia's own shortfalls: it ignores the network, so counting 蒙东's imports
    there would let storage in 蒙西 hold back less for shortfalls the ties cannot reach. Imports
    are the dispatch's last thermal tier, not something the look-ahead relies on.
    """
    return _without_tiers(import_tier_mask(scenario), th_avail)


def _without_tiers(mask: np.ndarray, th_avail: np.ndarray) -> np.ndarray:
    """:func:`domestic_th_avail` with the import tiers ``mask`` (K,) bool made already."""
    if not mask.any() or mask.size != th_avail.shape[-2]:
        return th_avail
    out = np.array(th_avail, dtype=float, copy=True)
    out[..., mask, :] = 0.0
    return out


def need_before_thermal(
    demand: np.ndarray, zero_cost: np.ndarray, schedule: np.ndarray
) -> np.ndarray:
    """Demand plus the corridor schedules less zero-cost supply in every hour (T,), MW: the part
    of the pre-pass shortfall (:func:`shortfall_from`) that no thermal availability changes (an ensemble's outage
    draws of one weather year share it)."""
    return demand.sum(axis=1) + schedule.sum(axis=1) - zero_cost.sum(axis=1)


def shortfall_from(
    need: np.ndarray,
    th_avail: np.ndarray,
    reserve_req: np.ndarray | None = None,
    import_tiers: np.ndarray | None = None,
) -> np.ndarray:
    """Pre-pass system shortfall in every hour (T,), MW, ignoring the network and storage:
    ``need`` (:func:`need_before_thermal`, (T,)) plus the reserve requirement less all available
    thermal capacity ``th_avail`` ((T, K, B) or a constant (K, B)), where positive. With
    ``import_tiers`` (K,) bool (:func:`import_tier_mask`), those tiers of ``th_avail`` are left
    out, as :func:`domestic_th_avail` leaves them (a mask of another length: none).

    (T, K, B): one compiled pass, each hour's total summed as numpy sums a row
    (:func:`pairwise_sum`), so equal bit for bit to ``need - th.reshape(T, -1).sum(axis=1) +
    reserve_req`` floored at 0 (tested) without the copy and numpy's slow short-row reduction.
    """
    th = np.asarray(th_avail, dtype=float)
    k = th.shape[-2] if th.ndim >= 2 else 0
    mask = np.zeros(k, dtype=bool)
    if import_tiers is not None and import_tiers.size == k:
        mask = np.asarray(import_tiers, dtype=bool)
    if th.ndim != 3 or th.shape[1] * th.shape[2] > PAIRWISE_MAX:  # numpy's own sums
        th = _without_tiers(mask, th)
        total = need - (th.reshape(th.shape[0], -1).sum(axis=1) if th.ndim == 3 else th.sum())
        if reserve_req is not None:
            total = total + reserve_req
        return np.maximum(total, 0.0)
    hours, _, b = th.shape
    reserve = np.zeros(0) if reserve_req is None else np.ascontiguousarray(reserve_req, dtype=float)
    out = np.empty(hours)
    _shortfall_hours(
        np.ascontiguousarray(need, dtype=float), np.ascontiguousarray(th), mask, reserve,
        np.empty(k * b), out,
    )  # fmt: skip
    return out


PAIRWISE_MAX = 128
"""Longest row :func:`pairwise_sum` sums (numpy's block size; longer rows are split in halves
recursively there, which is left to numpy: a recursive compiled function does not load from
numba's disk cache)."""


@jit
def pairwise_sum(a, lo, n):
    """Sum of ``a[lo:lo + n]`` (contiguous float64, ``n`` <= :data:`PAIRWISE_MAX`) in numpy's
    order, bit for bit: numpy's pairwise summation (``pairwise_sum`` in numpy's
    ``loops_utils.h.src``, what ``ndarray.sum`` runs along a contiguous row): under 8 elements
    one by one from 0; else eight running sums combined as a tree, then the rest one by one.
    Tested against numpy (``tests/test_ensemble_speed.py``)."""
    if n < 8:
        res = 0.0
        for i in range(lo, lo + n):
            res += a[i]
        return res
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    i = 8
    while i < n - (n % 8):
        j = lo + i
        r0 += a[j]
        r1 += a[j + 1]
        r2 += a[j + 2]
        r3 += a[j + 3]
        r4 += a[j + 4]
        r5 += a[j + 5]
        r6 += a[j + 6]
        r7 += a[j + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += a[lo + i]
        i += 1
    return res


@jit
def _shortfall_hours(need, th, mask, reserve, row, out):
    """Hour loop of :func:`shortfall_from` (compiled): the hour's (K, B) thermal copied into
    ``row`` (K x B,) with the ``mask`` tiers as 0, summed as numpy would, then ``need - total
    (+ reserve)`` floored at 0 as ``np.maximum(x, 0.0)`` does (x kept when x >= 0)."""
    k, b = th.shape[1], th.shape[2]
    for t in range(th.shape[0]):
        for q in range(k):
            for c in range(b):
                row[q * b + c] = 0.0 if mask[q] else th[t, q, c]
        x = need[t] - pairwise_sum(row, 0, k * b)
        if reserve.shape[0]:
            x = x + reserve[t]
        out[t] = x if x >= 0.0 else 0.0


def prepass_shortfall(
    scenario: Scenario,
    demand: np.ndarray,
    zero_cost: np.ndarray,
    th_avail: np.ndarray,
    schedule: np.ndarray,
    reserve_req: np.ndarray | None = None,
) -> np.ndarray:
    """:func:`shortfall_from` of ``scenario``'s own fleet: the import tiers left out
    (:func:`domestic_th_avail`). The shortfall the storage look-ahead, pre-charge share and DR
    rationing plan for, (T,) MW."""
    return shortfall_from(
        need_before_thermal(demand, zero_cost, schedule),
        th_avail,
        reserve_req,
        import_tier_mask(scenario),
    )


def _storage_reserve(short: np.ndarray, energy_total: float, eff_out: float) -> np.ndarray:
    """Share of storage energy to hold back for shortfalls expected within the next day.

    ``short`` is :func:`prepass_shortfall`. The reserve at hour t is the energy of the
    shortfalls in hours t+1..t+24, divided by the discharge efficiency and by the total storage
    energy, capped at 1. Storage does not spend this reserve to displace thermal output; it
    spends it only to avoid DR, export cuts or unserved energy, and it may charge from thermal
    headroom up to it (pre-charge).
    """
    hours = short.shape[0]
    if energy_total <= 1e-6:  # less than a watt-hour of storage holds no meaningful reserve
        return np.zeros(hours)
    csum = np.concatenate([[0.0], np.cumsum(short)])
    idx = np.arange(hours)
    upper = np.minimum(idx + 1 + RESERVE_HORIZON_H, hours)
    ahead = csum[upper] - csum[np.minimum(idx + 1, hours)]
    return np.minimum(ahead / eff_out / energy_total, 1.0)


def bus_balance(
    demand: np.ndarray,
    zero_cost_avail: np.ndarray,
    th_must: np.ndarray,
    schedule: np.ndarray,
    corr_bus: np.ndarray,
    corr_cap: np.ndarray,
    corr_surplus_pu: np.ndarray,
    flex_max: np.ndarray,
    tree: np.ndarray,
    parent_line: np.ndarray,
    line_cap: np.ndarray,
    line_eff: np.ndarray,
) -> np.ndarray:
    """Pre-pass balance at each bus without storage (T, B), MW: > 0 surplus left, < 0 unmet.

    In every hour, zero-cost supply plus must-run thermal (``th_must`` (T, K, B) summed over
    the tiers) is matched over the backbone, as the kernel's base match does
    (:func:`energysim.kernel.dispatch.transport`, lines at their full rating), against
    inflexible demand, the flexible loads at their rating, the corridor schedules and the
    corridors' surplus-market headroom (``(p_nom - schedule) x corr_surplus_pu``; the annual
    surplus budgets are not counted). A positive balance at a bus is the surplus that storage
    there would have to take or see curtailed; a negative one, demand that thermal above its
    floor or storage must meet. The storage room look-ahead (:func:`storage_room`) reads it.
    It ignores storage, DR paybacks and the thermal reserve.
    """
    parts = balance_parts(
        demand, zero_cost_avail, schedule, corr_bus, corr_cap, corr_surplus_pu, flex_max, tree,
        parent_line, line_cap, line_eff,
    )  # fmt: skip
    return balance_with(parts, th_must)


@dataclass(frozen=True)
class BalanceParts:
    """What :func:`bus_balance` needs besides the must-run thermal: zero-cost supply and what
    is wanted at each bus (T, B), MW, the backbone ``tree`` and each bus's line to its parent
    (rating ``cap0``, MW, and efficiency ``eff0``, (B,)). No thermal availability changes them:
    an ensemble's outage draws of one weather year share them (:class:`RedrawWork`)."""

    zero_cost: np.ndarray
    want: np.ndarray
    tree: np.ndarray
    cap0: np.ndarray
    eff0: np.ndarray


def balance_parts(
    demand: np.ndarray,
    zero_cost_avail: np.ndarray,
    schedule: np.ndarray,
    corr_bus: np.ndarray,
    corr_cap: np.ndarray,
    corr_surplus_pu: np.ndarray,
    flex_max: np.ndarray,
    tree: np.ndarray,
    parent_line: np.ndarray,
    line_cap: np.ndarray,
    line_eff: np.ndarray,
) -> BalanceParts:
    """The :class:`BalanceParts` of :func:`bus_balance`'s arguments."""
    nb = demand.shape[1]
    want = np.ascontiguousarray(demand + flex_max[None, :])
    if schedule.shape[1]:
        head = np.maximum(corr_cap[None, :] - schedule, 0.0) * corr_surplus_pu + schedule
        for c in range(schedule.shape[1]):
            want[:, corr_bus[c]] += head[:, c]
    cap0 = np.zeros(nb)
    eff0 = np.ones(nb)
    parent = tree[TREE_PARENT, :nb]
    for b in range(nb):
        if parent[b] >= 0:
            cap0[b] = line_cap[parent_line[b]]
            eff0[b] = line_eff[parent_line[b]]
    return BalanceParts(np.ascontiguousarray(zero_cost_avail, dtype=float), want, tree, cap0, eff0)


def balance_with(
    parts: BalanceParts, th_must: np.ndarray, out: np.ndarray | None = None
) -> np.ndarray:
    """:func:`bus_balance` from its :class:`BalanceParts` and ``th_must`` (T, K, B), MW (into
    ``out`` (T, B) when given: any contents). The must-run is summed over the tiers inside the
    compiled hour loop, in tier order as ``th_must.sum(axis=1)`` sums (bit for bit, tested)."""
    hours, nb = parts.want.shape
    if th_must.ndim != 3:
        th_must = np.zeros((hours, 1, nb))
    if out is None:
        out = np.empty((hours, nb))  # every element written
    work = np.zeros((N_WORK, nb + 1))
    _balance_hours(
        parts.zero_cost, np.ascontiguousarray(th_must, dtype=float), parts.want, parts.tree,
        parts.cap0, parts.eff0, work, out,
    )  # fmt: skip
    return out


@jit
def _balance_hours(zero_cost, th_must, want, tree, cap0, eff0, w, out):
    """Hour loop of :func:`bus_balance` (compiled): one base-match transport per hour, the
    must-run (T, K, B) summed over the tiers in order."""
    nb = want.shape[1]
    for b in range(nb):
        w[EFF, b] = eff0[b]
    for t in range(want.shape[0]):
        for b in range(nb):
            w[CAP_UP, b] = cap0[b]
            w[CAP_DN, b] = cap0[b]
            w[SENT_UP, b] = 0.0
            w[SENT_DN, b] = 0.0
            must = th_must[t, 0, b]
            for k in range(1, th_must.shape[1]):
                must += th_must[t, k, b]
            w[SUP, b] = zero_cost[t, b] + must
            w[WANT, b] = want[t, b]
        _transport(w, tree, nb, SUP, WANT)
        for b in range(nb):
            out[t, b] = w[NET, b]


def inputs_balance(inputs: KernelInputs, th_must: np.ndarray | None = None) -> np.ndarray:
    """:func:`bus_balance` of packed inputs (``th_must`` instead of theirs when given: an outage
    draw's), (T, B) MW."""
    return balance_with(
        inputs_balance_parts(inputs), inputs.th_must if th_must is None else th_must
    )


def inputs_balance_parts(inputs: KernelInputs) -> BalanceParts:
    """:func:`balance_parts` of packed inputs."""
    return balance_parts(
        inputs.demand, inputs.zero_cost_avail, inputs.schedule, inputs.corr_bus, inputs.corr_cap,
        inputs.corr_surplus_pu, inputs.flex_max, inputs.tree, inputs.parent_line,
        inputs.line_cap, inputs.line_eff,
    )  # fmt: skip


@dataclass(frozen=True)
class StorageBuses:
    """The storage units summed per bus, as :func:`storage_room` and :func:`reserve_and_room`
    read them: energy ``e`` (MWh) and power ``p`` (MW) per bus (B,), 0 at a bus with under
    1e-6 MWh or no power; the power-weighted charging and discharging efficiencies ``eff_in``
    and ``eff_out`` (B,), 1 there; all units' power ``p_all`` (MW) and energy ``e_total``
    (MWh), and their mean discharging efficiency ``eff_out_mean`` (1 without units). No
    thermal availability changes them: an ensemble's outage draws share them
    (:class:`RedrawWork`)."""

    e: np.ndarray
    p: np.ndarray
    eff_in: np.ndarray
    eff_out: np.ndarray
    p_all: float
    e_total: float
    eff_out_mean: float


def storage_buses(
    nb: int, st_bus: np.ndarray, st_p: np.ndarray, st_e: np.ndarray,
    st_eff_in: np.ndarray, st_eff_out: np.ndarray,
) -> StorageBuses:  # fmt: skip
    """The :class:`StorageBuses` of the storage arrays of :class:`KernelInputs` on ``nb``
    buses."""
    bus_e, bus_p, bus_in, bus_out = np.zeros(nb), np.zeros(nb), np.ones(nb), np.ones(nb)
    for b in range(nb):
        units = st_bus == b
        e = float(st_e[units].sum())
        p = float(st_p[units].sum())
        if e <= 1e-6 or p <= 0.0:
            continue  # no room kept (e 0: skipped in the loop)
        bus_e[b], bus_p[b] = e, p
        bus_in[b] = float((st_p[units] * st_eff_in[units]).sum() / p)
        bus_out[b] = float((st_p[units] * st_eff_out[units]).sum() / p)
    return StorageBuses(
        bus_e, bus_p, bus_in, bus_out, float(st_p.sum()), float(st_e.sum()),
        float(np.mean(st_eff_out)) if st_eff_out.size else 1.0,
    )  # fmt: skip


def storage_room(
    net: np.ndarray, st_bus: np.ndarray, st_p: np.ndarray, st_e: np.ndarray,
    st_eff_in: np.ndarray, st_eff_out: np.ndarray, buses: StorageBuses | None = None,
) -> np.ndarray:  # fmt: skip
    """Share of each bus's storage energy to keep free for the surplus expected ahead (T, B).

    ``net`` is the pre-pass balance at each bus (:func:`bus_balance`: > 0 surplus left, < 0
    demand left unmet), MW. For a bus with storage of power P and energy E, the expected net
    inflow of hour h is, where the bus has surplus, what the storage could take from it
    (min(surplus, P) x charging efficiency); elsewhere minus what it could give to the system's
    unmet demand D(h) (all buses), shared among all storage in proportion to power
    (min(P, D(h) x P / P_all) / discharging efficiency), MWh. The room needed at the end of
    hour t is the largest net inflow the coming hours add up to before the storage can empty:
    R(t) = min(E, max(0, inflow(t + 1) + R(t + 1))), R(T - 1) = 0, computed backwards over
    the year in O(T). ``st_room`` = R / E (0 at buses without storage). Efficiencies are the
    power-weighted means of the bus's units. ``buses``: :func:`storage_buses` of the units,
    when the caller has it.
    """
    hours, nb = net.shape
    if buses is None:
        buses = storage_buses(nb, st_bus, st_p, st_e, st_eff_in, st_eff_out)
    room = np.zeros((hours, nb))
    if buses.p_all <= 0.0:
        return room
    net = np.ascontiguousarray(net, dtype=float)
    if nb > PAIRWISE_MAX:
        unmet = np.maximum(-net, 0.0).sum(axis=1)
    else:
        unmet = np.empty(hours)
        _unmet_hours(net, np.empty(nb), unmet)
    _room_hours(net, unmet, buses.e, buses.p, buses.eff_in, buses.eff_out, buses.p_all, room)
    return room


@jit
def _unmet_hours(net, row, out):
    """The system's unmet demand in each hour (compiled): ``np.maximum(-net, 0.0).sum(axis=1)``
    bit for bit (each hour's row summed by :func:`pairwise_sum`)."""
    nb = net.shape[1]
    for t in range(net.shape[0]):
        for b in range(nb):
            x = -net[t, b]
            row[b] = x if x >= 0.0 else 0.0
        out[t] = pairwise_sum(row, 0, nb)


@jit
def _room_hours(net, unmet, bus_e, bus_p, eff_in, eff_out, p_all, room):
    """Backward recursion of :func:`storage_room` (compiled), bus by bus with storage (``bus_e``
    > 0): the net inflow of each hour, then ``room[t, b] = R(t) / e``."""
    for b in range(net.shape[1]):
        e = bus_e[b]
        if e <= 0.0:
            continue
        p = bus_p[b]
        share = p / p_all
        r = 0.0
        for t in range(net.shape[0] - 1, -1, -1):
            room[t, b] = min(r / e, 1.0)
            x = net[t, b]
            if x > 0.0:
                inflow = min(x, p) * eff_in[b]
            else:
                inflow = -min(p, unmet[t] * share) / eff_out[b]
            r = min(max(0.0, inflow + r), e)


def dr_threshold(short: np.ndarray, dr_total: float, dr_energy: float) -> float:
    """Demand-response rationing threshold, MW (0: DR whenever it is needed).

    Each hour with a pre-pass shortfall ``short`` (:func:`prepass_shortfall`) could use up to
    min(shortfall, DR capacity ``dr_total``) of the annual budget ``dr_energy``. The threshold
    is the lowest shortfall level such that the hours at or above it together fit in the
    budget; the kernel allows DR only in hours whose pre-pass shortfall reaches it, so the
    budget is kept for the year's tightest hours instead of being spent on the first small
    deficits. If every hour with a shortfall fits, the threshold is 0 (DR whenever needed). If
    not even the tightest hours fit, it is their shortfall (DR in those hours until the budget
    is spent). Hours below the threshold never use DR, so part of the budget may stay unused.
    """
    if dr_total <= 0.0 or dr_energy <= 0.0:
        return 0.0
    ranked = np.sort(short[short > 0.0])[::-1]
    if ranked.size == 0:
        return 0.0
    used = np.cumsum(np.minimum(ranked, dr_total))
    if used[-1] <= dr_energy:
        return 0.0
    group_end = np.r_[ranked[1:] != ranked[:-1], True]  # last hour of each equal-shortfall group
    fits = np.flatnonzero(group_end & (used <= dr_energy))
    return float(ranked[fits[-1]] if fits.size else ranked[0])


def dr_keep(short: np.ndarray, dr_total: float, dr_energy: float, threshold: float) -> np.ndarray:
    """DR energy to keep after each hour for the tight hours still ahead (T,), MWh.

    The sum, over the later hours whose pre-pass shortfall reaches ``threshold``, of
    min(shortfall, ``dr_total``), capped at the budget ``dr_energy``; zero when the threshold
    is 0 (no rationing). An hour below the threshold may use only the budget above this.
    """
    if threshold <= 0.0:
        return np.zeros(short.shape[0])
    tight = np.where(short >= threshold, np.minimum(short, dr_total), 0.0)
    after = np.cumsum(tight[::-1])[::-1] - tight  # strictly later hours
    return np.ascontiguousarray(np.minimum(after, dr_energy))


def storage_fields(
    scenario: Scenario,
    demand: np.ndarray,
    zero_cost_avail: np.ndarray,
    th_avail: np.ndarray,
    schedule: np.ndarray,
    reserve_req: np.ndarray | None = None,
    short: np.ndarray | None = None,
    *,
    balance: np.ndarray,
) -> dict[str, np.ndarray]:
    """The storage fields of :class:`KernelInputs` (``st_*``, ``storage_reserve``, ``st_room``).

    Separate from :func:`pack` so that a sweep that changes only storage can refresh these on
    already packed arrays; ``demand``, ``zero_cost_avail``, ``th_avail`` (T, K, B) and ``schedule``
    are the packed arrays the reserve depends on, ``reserve_req`` the upward reserve (T,).
    Storage with an ``in_service_date`` inside the model year enters at its in-year average
    power and energy (:func:`in_year_share`). ``short`` (T,), MW, is the pre-pass shortfall
    computed here (:func:`prepass_shortfall`) when the caller has it
    already (pack's ``net_short``); it is computed when not given. ``balance`` (T, B), MW, is the
    pre-pass balance at each bus without storage (:func:`bus_balance`, :func:`inputs_balance`),
    from which the storage room kept free (``st_room``, :func:`storage_room`) follows.
    """
    bidx = {b: i for i, b in enumerate(scenario.buses)}
    st = list(scenario.storage.values())
    # fleet timing: storage entering during the model year counts at its in-year average
    share = np.array([in_year_share(s.in_service_date, scenario.year) for s in st], dtype=float)
    st_e = np.array([s.p_nom * s.max_hours for s in st], dtype=float) * share
    if short is None:
        short = prepass_shortfall(
            scenario, demand, zero_cost_avail, th_avail, schedule, reserve_req
        )
    st_bus = np.array([bidx[s.bus] for s in st], dtype=np.int64)
    st_p = np.array([s.p_nom for s in st], dtype=float) * share
    st_eff_in = np.array([s.efficiency_store for s in st], dtype=float)
    st_eff_out = np.array([s.efficiency_dispatch for s in st], dtype=float)
    reserve, room = reserve_and_room(short, balance, st_bus, st_p, st_e, st_eff_in, st_eff_out)
    return {
        "storage_reserve": reserve,
        "st_room": room,
        "st_bus": st_bus,
        "st_p": st_p,
        "st_e": st_e,
        "st_eff_in": np.array([s.efficiency_store for s in st], dtype=float),
        "st_eff_out": st_eff_out,
        "st_loss": np.array([s.standing_loss for s in st], dtype=float),
        "st_soc0": np.array([s.state_of_charge_initial for s in st], dtype=float) * st_e,
        "st_soc_min": np.array([s.soc_min for s in st], dtype=float) * st_e,
        "st_soc_max": np.array([s.soc_max for s in st], dtype=float) * st_e,
    }


def reserve_and_room(
    short: np.ndarray, balance: np.ndarray, st_bus: np.ndarray, st_p: np.ndarray,
    st_e: np.ndarray, st_eff_in: np.ndarray, st_eff_out: np.ndarray,
    buses: StorageBuses | None = None,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """The storage fields that follow from thermal availability: ``storage_reserve`` (T,) from
    the pre-pass shortfall ``short`` (:func:`_storage_reserve`, at the units' mean discharging
    efficiency) and ``st_room`` (T, B) from the pre-pass balance (:func:`storage_room`); the
    storage arrays as :func:`storage_fields` packs them (``buses``: their :func:`storage_buses`,
    when the caller has it). :func:`storage_fields` and :func:`redraw` both use it."""
    if buses is None:
        buses = storage_buses(balance.shape[1], st_bus, st_p, st_e, st_eff_in, st_eff_out)
    reserve = _storage_reserve(short, buses.e_total, buses.eff_out_mean)
    room = storage_room(balance, st_bus, st_p, st_e, st_eff_in, st_eff_out, buses)
    return np.ascontiguousarray(reserve), room


def backbone_tree(order: np.ndarray, parent: np.ndarray) -> np.ndarray:
    """The forest as one int64 array (4, B + 1) for the kernel's transport.

    Rows (:data:`TREE_ORDER`, :data:`TREE_PARENT`, :data:`TREE_CHILD_PTR`,
    :data:`TREE_CHILDREN`): buses leaves-first, parent (-1 for a root), and the children of bus
    b in ``tree[TREE_CHILDREN, tree[TREE_CHILD_PTR, b]:tree[TREE_CHILD_PTR, b + 1]]`` (CSR).
    Unused cells are -1.
    """
    nb = order.shape[0]
    tree = np.full((4, nb + 1), -1, dtype=np.int64)
    tree[TREE_ORDER, :nb] = order
    tree[TREE_PARENT, :nb] = parent
    counts = np.zeros(nb + 1, dtype=np.int64)
    for b in range(nb):
        if parent[b] >= 0:
            counts[parent[b] + 1] += 1
    tree[TREE_CHILD_PTR] = np.cumsum(counts)
    fill = np.zeros(nb, dtype=np.int64)
    for b in range(nb):
        p = parent[b]
        if p >= 0:
            tree[TREE_CHILDREN, tree[TREE_CHILD_PTR, p] + fill[p]] = b
            fill[p] += 1
    return tree


def _surplus_limits(
    scenario: Scenario, corridors: list[str], snapshots: pd.DatetimeIndex
) -> tuple[np.ndarray, np.ndarray]:
    """Surplus-market limits of the corridors: (T, C) share of headroom, (C,) MWh budget."""
    hours = len(snapshots)
    pu = np.zeros((hours, len(corridors)))
    budget = np.full(len(corridors), np.inf)
    hour_of_day = np.asarray(snapshots.hour)
    for c, name in enumerate(corridors):
        spec = scenario.corridors[name]
        if not spec.flexible_export:
            continue
        # fleet timing (h13): no surplus sales before the corridor's first day in service
        pu[:, c] = spec.surplus_share * in_service_mask(spec.in_service_date, snapshots)
        if spec.surplus_hours is not None:
            pu[:, c] *= np.isin(hour_of_day, spec.surplus_hours)
        if spec.surplus_annual_TWh is not None:
            budget[c] = spec.surplus_annual_TWh * 1e6 * hours / hours_in_year(scenario.year)
    return np.ascontiguousarray(pu), budget


# -- the thermal block: the one place thermal availability becomes packed arrays ----------------


@dataclass(frozen=True)
class ThermalBlock:
    """What packing thermal availability needs that no outage draw changes, for one scenario
    and its hours: per thermal generator (G', scenario order) its name, column ``col`` in the
    (T, G) generator arrays, ``tier`` and ``bus``; ``live`` (G', T) bool, in service
    (``in_service_date``); ``heat`` (G', T) bool, the hour in its bus's heating season;
    ``must_heat`` and ``must_cold`` (G') ``p_nom`` x the must-run share in and out of the
    heating season (capped at ``p_max_pu``), MW per p.u. of availability; ``cap`` (G')
    ``p_nom x p_max_pu``, MW; ``th_max`` (K, B) installed ``p_nom x p_max_pu`` of the fleets in
    service at some hour, MW. Masks of one byte per hour, not hourly floats: each outage draw
    reads them, and 8x less memory is read; generator-major, as the draws' shares, so that
    :func:`_lay_pass` reads one generator's hours contiguously.

    Derived (not given): the generators grouped by (tier, bus), in generator order within a
    group, as CSR: ``group_ptr`` (Q + 1,), ``group_col`` (G',) their columns, and
    ``group_k``, ``group_b`` (Q,) each group's tier and bus; a group's sums are its members'
    values added in that order from 0.
    """

    names: tuple[str, ...]
    col: np.ndarray
    tier: np.ndarray
    bus: np.ndarray
    live: np.ndarray
    heat: np.ndarray
    must_heat: np.ndarray
    must_cold: np.ndarray
    cap: np.ndarray
    th_max: np.ndarray
    group_ptr: np.ndarray = dataclasses.field(init=False, repr=False)
    group_col: np.ndarray = dataclasses.field(init=False, repr=False)
    group_k: np.ndarray = dataclasses.field(init=False, repr=False)
    group_b: np.ndarray = dataclasses.field(init=False, repr=False)

    def __post_init__(self) -> None:
        pairs = sorted({(int(k), int(b)) for k, b in zip(self.tier, self.bus, strict=True)})
        members = [
            [int(self.col[i]) for i in range(len(self.col)) if (self.tier[i], self.bus[i]) == kb]
            for kb in pairs
        ]
        ptr = np.cumsum([0] + [len(m) for m in members]).astype(np.int64)
        flat = np.array([g for m in members for g in m], dtype=np.int64)
        object.__setattr__(self, "group_ptr", ptr)
        object.__setattr__(self, "group_col", flat)
        object.__setattr__(self, "group_k", np.array([k for k, _ in pairs], dtype=np.int64))
        object.__setattr__(self, "group_b", np.array([b for _, b in pairs], dtype=np.int64))

    def shape_kb(self) -> tuple[int, int]:
        """(K, B) of the packed thermal arrays."""
        return self.th_max.shape


def thermal_block(
    scenario: Scenario,
    snapshots: pd.DatetimeIndex,
    names: list[str] | tuple[str, ...],
    cols: list[int] | tuple[int, ...],
    tiers: list[int] | tuple[int, ...],
    buses: list[int] | tuple[int, ...],
    shape_kb: tuple[int, int],
) -> ThermalBlock:
    """The :class:`ThermalBlock` of ``scenario``'s thermal generators ``names`` (their columns,
    tiers and buses in the packed arrays) on ``snapshots``; ``shape_kb`` is (K, B)."""
    hours = len(snapshots)
    gens = [scenario.generators[n] for n in names]
    seasons = {b: heating_mask(scenario, snapshots, b) for b in {g.bus for g in gens}}
    live = np.empty((len(gens), hours), dtype=bool)  # generator-major
    heat_season = np.empty((len(gens), hours), dtype=bool)
    must_heat = np.empty(len(gens))
    must_cold = np.empty(len(gens))
    cap = np.empty(len(gens))
    th_max = np.zeros(shape_kb)
    for i, g in enumerate(gens):
        pmax = g.p_max_pu if g.p_max_pu is not None else DEFAULT_P_MAX_PU[g.carrier]
        # fleet timing: thermal runs from its first day, hour by hour; units out (not yet in
        # service, maintenance, outages) neither produce nor hold a must-run floor
        on = in_service_mask(g.in_service_date, snapshots)
        live[i] = on
        heat = g.p_min_pu_heating if g.p_min_pu_heating is not None else g.p_min_pu
        heat_season[i] = seasons[g.bus]
        must_heat[i] = g.p_nom * min(heat, pmax)
        must_cold[i] = g.p_nom * min(g.p_min_pu, pmax)
        cap[i] = g.p_nom * pmax
        th_max[tiers[i], buses[i]] += g.p_nom * pmax * float(on.any())
    return ThermalBlock(
        tuple(names),
        np.asarray(cols, dtype=np.int64),
        np.asarray(tiers, dtype=np.int64),
        np.asarray(buses, dtype=np.int64),
        live,
        heat_season,
        must_heat,
        must_cold,
        cap,
        np.ascontiguousarray(th_max),
    )


def lay_thermal(
    block: ThermalBlock,
    avail_pu: np.ndarray,
    schedule: np.ndarray,
    plan: FloorPlan,
    gen_avail: np.ndarray,
    gen_must: np.ndarray,
    th_avail: np.ndarray | None = None,
    th_must: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Lay a thermal availability and the support floors on the packed arrays.

    ``avail_pu`` (T, G') is the available share of each thermal generator of ``block``
    (expected derate or an outage draw, :mod:`energysim.kernel.availability`). Fills the
    thermal columns of ``gen_avail`` (``p_nom x p_max_pu x`` the share, in service only) and
    ``gen_must`` (the must-run floor on the available part, then raised to the support floors of
    ``plan`` against ``schedule`` (T, C) MW, as :func:`apply_support_floor`), in place, and
    returns ``th_avail`` and ``th_must`` (T, K, B), MW, the sums per (tier, bus) (into the arrays
    given). One compiled pass over the hours (:func:`_lay_pass`); :func:`pack` and
    :func:`redraw` both use it.
    """
    k, b = block.shape_kb()
    hours = avail_pu.shape[0]
    if th_avail is None:
        th_avail = np.empty((hours, k, b))  # zeroed hour by hour in the compiled loop
    if th_must is None:
        th_must = np.empty((hours, k, b))
    peak = np.zeros(plan.width)
    _lay_pass(
        # generator-major (G', T), as outage draws and the expected availability come (no copy)
        np.ascontiguousarray(np.asarray(avail_pu, dtype=float).T), block.live, block.heat,
        block.must_heat, block.must_cold, block.cap, block.col, block.group_ptr, block.group_col,
        block.group_k, block.group_b, np.ascontiguousarray(schedule, dtype=float), plan.pu,
        plan.corr_col, plan.ptr, plan.gens, *_tile_scratch(gen_avail.shape[1]), gen_avail,
        gen_must, th_avail, th_must, np.empty(plan.width), peak, *_NO_FLEETS,
    )  # fmt: skip
    _log_floor_shortfall(plan, peak)
    return th_avail, th_must


_NO_FLEETS = (np.zeros(0, np.int64), np.zeros(1, np.int64), 0, np.empty((0, 0)), np.empty((0, 0)))
"""The fleet arguments of :func:`_lay_pass` when no fleet sums are wanted."""


@jit
def _lay_pass(
    shares, live, heat, must_heat, must_cold, cap, col, group_ptr, group_col, group_k, group_b,
    schedule, pu, corr_col, ptr, gens, tile_avail, tile_must, acc, gen_avail, gen_must,
    th_avail, th_must, missing, peak, member_col, fleet_ptr, n_fleets, fleet_must, fleet_head,
):  # fmt: skip
    """The pass of :func:`lay_thermal` and :func:`redraw` (compiled), tile of
    :data:`LAY_TILE_H` hours by tile.

    In a tile: each generator's share ``a`` in service (the share times 1.0 or 0.0;
    ``shares``, ``live`` and ``heat`` (G', T)), available ``cap * a`` and floor ``must * a``
    (``must`` the heating or the other value) into the tile's rows ``tile_avail`` and
    ``tile_must`` ((G, TILE), the generator's column), its hours contiguous; the available power
    summed per (tier, bus) group (:class:`ThermalBlock`'s ``group_*``) in generator order from
    0 into ``th_avail``; hour by hour the support floors (:func:`support_floor_row`, on the
    hour's column of the tile) with each corridor's largest uncovered floor kept in ``peak``
    (C,), MW (0 where never short; ``missing`` (C,) scratch); the floors summed per group into
    ``th_must``; with ``fleet_must`` not empty, the first ``n_fleets`` fleets' floor and
    headroom (their members ``member_col[fleet_ptr[f]:fleet_ptr[f + 1]]`` in that order from 0,
    as :func:`energysim.sweep.figures.fleet_hours` sums them) into ``fleet_must`` and
    ``fleet_head`` (T, F); unless ``gen_avail`` and ``gen_must`` are empty ((0, G): a redraw
    into fleet sums), the tile's rows into their thermal columns (T, G). Every sum
    adds the same values in the same order as hour by hour over (T, G) arrays (the same numbers
    bit for bit), in loops over contiguous hours that the compiler vectorises. ``acc``
    (2, TILE) is scratch for the sums.
    """
    hours = shares.shape[1]
    n = col.shape[0]
    fleets = fleet_must.shape[0] > 0
    per_hour = gen_avail.shape[0] > 0
    sums = acc[0]
    heads = acc[1]
    for c in range(peak.shape[0]):
        peak[c] = 0.0
    for t0 in range(0, hours, LAY_TILE_H):
        nt = min(hours, t0 + LAY_TILE_H) - t0
        for i in range(n):
            g = col[i]
            c_i = cap[i]
            m_heat = must_heat[i]
            m_cold = must_cold[i]
            row_avail = tile_avail[g]
            row_must = tile_must[g]
            for tt in range(nt):
                t = t0 + tt
                a = shares[i, t] * (1.0 if live[i, t] else 0.0)
                row_avail[tt] = c_i * a
                row_must[tt] = (m_heat if heat[i, t] else m_cold) * a
        for tt in range(nt):
            th_avail[t0 + tt] = 0.0
        _group_sums(t0, nt, group_ptr, group_col, group_k, group_b, tile_avail, sums, th_avail)
        for tt in range(nt):
            t = t0 + tt
            support_floor_row(
                schedule[t], pu, corr_col, ptr, gens, tile_avail[:, tt], tile_must[:, tt], missing
            )
            for j in range(corr_col.shape[0]):
                c = corr_col[j]
                peak[c] = max(peak[c], missing[c])
            th_must[t] = 0.0
        _group_sums(t0, nt, group_ptr, group_col, group_k, group_b, tile_must, sums, th_must)
        if fleets:
            for f in range(n_fleets):
                for tt in range(nt):
                    sums[tt] = 0.0
                    heads[tt] = 0.0
                for q in range(fleet_ptr[f], fleet_ptr[f + 1]):
                    row_avail = tile_avail[member_col[q]]
                    row_must = tile_must[member_col[q]]
                    for tt in range(nt):
                        sums[tt] += row_must[tt]
                        heads[tt] += row_avail[tt] - row_must[tt]
                for tt in range(nt):
                    fleet_must[t0 + tt, f] = sums[tt]
                    fleet_head[t0 + tt, f] = heads[tt]
        if per_hour:
            for tt in range(nt):
                for i in range(n):
                    g = col[i]
                    gen_avail[t0 + tt, g] = tile_avail[g, tt]
                    gen_must[t0 + tt, g] = tile_must[g, tt]


@jit_inline
def _group_sums(t0, nt, group_ptr, group_col, group_k, group_b, rows, acc, out):
    """Each (tier, bus) group's sum of its members' ``rows`` (G, TILE) in member order from 0,
    for the tile's ``nt`` hours from ``t0``, into ``out[t, k, b]`` (``acc`` (TILE,) scratch)."""
    for q in range(group_k.shape[0]):
        for tt in range(nt):
            acc[tt] = 0.0
        for m in range(group_ptr[q], group_ptr[q + 1]):
            row = rows[group_col[m]]
            for tt in range(nt):
                acc[tt] += row[tt]
        k, b = group_k[q], group_b[q]
        for tt in range(nt):
            out[t0 + tt, k, b] = acc[tt]


LAY_TILE_H = 64
"""Hours per tile of :func:`_lay_pass`: a tile of the generators' shares (G' x 64 h x 8 B, 29 kB
for plan-2030) is read generator by generator, 64 consecutive hours each (prefetched: an
hour-by-hour read touches G' far-apart lines per hour and was up to 3x slower after the kernel
had run), and the tile's generator rows stay in cache for the sums."""


def _tile_scratch(width: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The scratch of :func:`_lay_pass` for generator arrays of ``width`` columns: the tile's
    available power and floors (G, TILE) and the sums' (2, TILE)."""
    return (
        np.zeros((width, LAY_TILE_H)),
        np.zeros((width, LAY_TILE_H)),
        np.zeros((2, LAY_TILE_H)),
    )


@dataclass(frozen=True)
class FleetSums:
    """Hourly floor and headroom of generator fleets, filled by :func:`redraw` instead of the
    (T, G) generator arrays (:meth:`RedrawWork.in_place` with ``fleets``).

    Fleet f's members are the columns ``member_col[fleet_ptr[f]:fleet_ptr[f + 1]]`` of the
    generator arrays; the first ``thermal`` fleets are thermal (the ones a draw changes; their
    columns of ``must`` and ``head`` are rewritten by each redraw), the others zero-cost (their
    columns are left as given). ``must`` and ``head`` (T, F), MW, as
    :func:`energysim.sweep.figures.fleet_hours` makes them.
    """

    member_col: np.ndarray
    fleet_ptr: np.ndarray
    thermal: int
    must: np.ndarray
    head: np.ndarray


@dataclass
class RedrawWork:
    """What one :func:`redraw` after another of the same packed weather year reuses (an
    ensemble's draws of one year): the arrays a draw's inputs live in until the next draw with
    the same work, and what no outage draw changes, made by the first draw.

    Arrays: the generators' availability and floors (T, G), seeded with the base pack's (only
    the thermal columns change), the (T, K, B) thermal sums, and scratch for the draw's
    availability shares (T, G' + imports, generator-major) and the pre-pass balance (T, B).
    With ``fleets`` (:class:`FleetSums`), the draws write their thermal fleets' sums there and
    not the (T, G) arrays (``gen_avail`` and ``gen_must`` are then empty, (0, G)). Made
    by the first draw: the support-floor plan, the outage plan
    (:class:`~energysim.kernel.availability.OutagePlan`), the pre-pass need before thermal
    (:func:`need_before_thermal`), the import tiers, the DR capacity (MW), the balance's
    :class:`BalanceParts`, the :class:`StorageBuses` and the pass's scratch.
    """

    gen_avail: np.ndarray
    gen_must: np.ndarray
    th_avail: np.ndarray
    th_must: np.ndarray
    floor_plan: FloorPlan | None = None  # the year's support-floor plan, made by the first draw
    outages: OutagePlan | None = None
    avail_pu: np.ndarray | None = None
    balance: np.ndarray | None = None
    need: np.ndarray | None = None
    import_tiers: np.ndarray | None = None
    dr_total: float = 0.0
    balance_parts: BalanceParts | None = None
    fleets: FleetSums | None = None
    storage: StorageBuses | None = None
    missing: np.ndarray | None = None  # (C,) an hour's uncovered support floors, scratch
    tile: tuple = ()  # the pass's scratch (_tile_scratch)
    peak_missing: np.ndarray | None = None  # (C,) the draw's largest uncovered floors, MW

    @classmethod
    def like(cls, inputs: KernelInputs, index: PackIndex) -> RedrawWork:
        """Work arrays for draws of the packed scenario ``inputs``/``index``."""
        return cls(
            index.gen_avail.copy(),
            index.gen_must.copy(),
            np.zeros_like(inputs.th_avail),
            np.zeros_like(inputs.th_must),
        )

    @classmethod
    def in_place(
        cls, inputs: KernelInputs, index: PackIndex, fleets: FleetSums | None = None
    ) -> RedrawWork:
        """Work that re-draws into the base pack's own arrays (``index.gen_avail``,
        ``index.gen_must``, ``inputs.th_avail``, ``inputs.th_must``): no copies, but the first
        redraw overwrites the base pack's thermal availability. For a base pack that is itself
        a draw already used (the check's ensemble packs a year on its first draw); its other
        arrays (and the generators' non-thermal columns) are not changed.

        With ``fleets`` (:class:`FleetSums` of the base pack), the draws write their thermal
        fleets' sums into ``fleets`` instead of the (T, G) generator arrays, which are then
        neither written nor returned (the draws' :class:`PackIndex` has (0, G) ones; the base
        pack's stay as they are): for the figures-only pass, which reads the fleets only.
        """
        if fleets is None:
            return cls(index.gen_avail, index.gen_must, inputs.th_avail, inputs.th_must)
        hours, width = index.gen_avail.shape
        want = (hours, int(fleets.fleet_ptr.shape[0]) - 1)
        if fleets.must.shape != want or fleets.head.shape != want:
            msg = (
                f"RedrawWork.in_place: fleets of shape {fleets.must.shape} and "
                f"{fleets.head.shape}; expected {want} (hours, fleets) of the packed scenario"
            )
            raise ValueError(msg)
        none = np.empty((0, width))  # no (T, G) arrays are written
        return cls(none, none, inputs.th_avail, inputs.th_must, fleets=fleets)

    def prepare(self, scenario: Scenario, inputs: KernelInputs, index: PackIndex) -> None:
        """Make what no outage draw changes (once: the first draw calls it)."""
        if self.need is not None:
            return
        self.floor_plan = support_floor_plan(scenario, list(index.corridors))
        self.outages = outage_plan(scenario, index.snapshots)
        self.avail_pu = np.empty((len(index.snapshots), len(self.outages.names)), order="F")
        self.balance = np.empty_like(inputs.demand)
        self.need = need_before_thermal(inputs.demand, inputs.zero_cost_avail, inputs.schedule)
        self.import_tiers = import_tier_mask(scenario)
        peak = inputs.demand.sum(axis=1).max()
        self.dr_total = float(scenario.demand_response.share_of_peak * peak)
        self.balance_parts = inputs_balance_parts(inputs)
        self.storage = storage_buses(
            inputs.demand.shape[1], inputs.st_bus, inputs.st_p, inputs.st_e, inputs.st_eff_in,
            inputs.st_eff_out,
        )  # fmt: skip
        self.missing = np.zeros(self.floor_plan.width)
        self.tile = _tile_scratch(index.gen_avail.shape[1])
        self.peak_missing = np.zeros(self.floor_plan.width)


def packed_thermal_block(
    scenario: Scenario, inputs: KernelInputs, index: PackIndex
) -> ThermalBlock:
    """:func:`thermal_block` of a packed scenario (its thermal fleets, tiers, buses and hours).

    Built once per weather year and passed to :func:`redraw` for each outage draw.
    """
    cols = {n: i for i, n in enumerate(index.generators)}
    return thermal_block(
        scenario,
        index.snapshots,
        index.thermal,
        [cols[n] for n in index.thermal],
        index.thermal_tier,
        index.thermal_bus,
        inputs.th_max.shape,
    )


def redraw(
    scenario: Scenario,
    inputs: KernelInputs,
    index: PackIndex,
    seed: int,
    block: ThermalBlock | None = None,
    work: RedrawWork | None = None,
) -> tuple[KernelInputs, PackIndex]:
    """Packed inputs with thermal availability from outage draw ``seed``, without re-packing.

    Equal bit for bit to ``pack(scenario, profiles, outage_seed=seed)`` (tested): it runs the
    same compiled pass as :func:`pack` (:func:`_lay_pass`; :func:`lay_thermal` there) and recomputes what follows from thermal availability (the pre-pass
    shortfall, the storage reserve, the DR threshold and keep); everything else is shared with
    ``inputs``/``index``, which are not changed. ``block`` (:func:`thermal_block` of this
    scenario and these hours) may be passed to skip rebuilding it for each draw, and ``work``
    (:class:`RedrawWork`) to reuse the arrays of the previous draw. With a work that has
    ``fleets`` (:meth:`RedrawWork.in_place`), the draw's thermal fleets' floor and headroom go
    to ``work.fleets`` (equal bit for bit to :func:`energysim.sweep.figures.fleet_hours` of the
    fresh pack) and the returned index's generator arrays are empty, (0, G): the draw's (T, G)
    arrays are not made.
    """
    if block is None:
        block = packed_thermal_block(scenario, inputs, index)
    if work is None:
        work = RedrawWork.like(inputs, index)
    work.prepare(scenario, inputs, index)
    avail_pu = draw_outages(work.outages, seed, work.avail_pu)
    if work.outages.names != block.names:
        pos = {n: i for i, n in enumerate(work.outages.names)}
        avail_pu = avail_pu[:, [pos[n] for n in block.names]]
    plan, fleets = work.floor_plan, work.fleets
    fleet_args = (
        _NO_FLEETS
        if fleets is None
        else (fleets.member_col, fleets.fleet_ptr, fleets.thermal, fleets.must, fleets.head)
    )
    _lay_pass(
        np.ascontiguousarray(np.asarray(avail_pu, dtype=float).T), block.live, block.heat,
        block.must_heat, block.must_cold, block.cap, block.col, block.group_ptr, block.group_col,
        block.group_k, block.group_b, inputs.schedule, plan.pu, plan.corr_col, plan.ptr,
        plan.gens, *work.tile, work.gen_avail, work.gen_must, work.th_avail, work.th_must,
        work.missing, work.peak_missing, *fleet_args,
    )  # fmt: skip
    _log_floor_shortfall(plan, work.peak_missing)
    th_avail, th_must = work.th_avail, work.th_must
    # the pre-pass, as pack makes it (prepass_shortfall, bus_balance, storage_fields), from the
    # parts no draw changes
    short = shortfall_from(work.need, th_avail, inputs.reserve_req, work.import_tiers)
    balance = balance_with(work.balance_parts, th_must, work.balance)
    cut = dr_threshold(short, work.dr_total, inputs.dr_energy)
    reserve, room = reserve_and_room(
        short, balance, inputs.st_bus, inputs.st_p, inputs.st_e, inputs.st_eff_in,
        inputs.st_eff_out, work.storage,
    )  # fmt: skip
    new_inputs = dataclasses.replace(
        inputs,
        th_avail=th_avail,
        th_must=th_must,
        net_short=short,
        dr_threshold=cut,
        dr_keep=dr_keep(short, work.dr_total, inputs.dr_energy, cut),
        storage_reserve=reserve,
        st_room=room,
    )
    # with fleets, the work's generator arrays are the empty (0, G) ones: none were drawn
    return new_inputs, dataclasses.replace(index, gen_avail=work.gen_avail, gen_must=work.gen_must)


def pack(
    scenario: Scenario, profiles: xr.Dataset, outage_seed: int | None = None
) -> tuple[KernelInputs, PackIndex]:
    """Turn a validated scenario and its hourly profiles into kernel arrays.

    Parameters
    ----------
    scenario : Scenario
        Validated scenario (``capacity_totals_GW`` already applied).
    profiles : xarray.Dataset
        Output of :func:`energysim.profiles.scenario_profiles`: ``wind``, ``solar``, ``load``
        (snapshot, bus) and ``receiving_load`` (snapshot, region).
    outage_seed : int, optional
        Seed of a random thermal outage draw (:func:`energysim.kernel.availability.outage_draw`);
        without it thermal capacity is derated by its expected availability.

    Returns
    -------
    KernelInputs, PackIndex
        The arrays and the names behind their indices.

    Raises
    ------
    KernelError
        If the backbone has a loop.
    """
    inputs, index, _ = pack_with_block(scenario, profiles, outage_seed)
    return inputs, index


@dataclass(frozen=True)
class PackStatic:
    """What :func:`pack` computes of a scenario that no weather year changes, on given hours.

    An ensemble's weather years differ only in ``weather`` (:func:`energysim.feasibility.
    seeded`), so this is computed once and each year fills only its weather-dependent arrays
    (:func:`pack_with_block` with ``static``). ``costs`` (K,) the merit-order tiers' marginal
    costs; thermal generators (G', scenario order): ``thermal`` names, ``thermal_gi`` columns
    in the (T, G) arrays, ``thermal_tier``, ``thermal_bus``; zero-cost generators (Z, scenario
    order): ``zero_cost``, ``zero_cost_gi``, ``zero_cost_bus``, ``zero_cost_live`` (Z, T) bool in
    service; ``block`` the :class:`ThermalBlock`; ``expected_pu`` (T, G') expected available
    share (:func:`energysim.kernel.availability.expected_availability`); ``forest`` the
    backbone forest (order, parent, parent_line, child_is_bus0); ``surplus`` the corridors'
    surplus limits ((T, C) share, (C,) MWh) for the in-service corridors
    ``surplus_corridors``.
    """

    snapshots: pd.DatetimeIndex
    generators: tuple[str, ...]
    costs: tuple[float, ...]
    thermal: tuple[str, ...]
    thermal_gi: tuple[int, ...]
    thermal_tier: tuple[int, ...]
    thermal_bus: tuple[int, ...]
    zero_cost: tuple[str, ...]
    zero_cost_gi: tuple[int, ...]
    zero_cost_bus: tuple[int, ...]
    zero_cost_live: np.ndarray
    block: ThermalBlock
    expected_pu: np.ndarray
    forest: tuple[np.ndarray, ...]
    surplus_corridors: tuple[str, ...]
    surplus: tuple[np.ndarray, np.ndarray]

    def fits(self, scenario: Scenario, snapshots: pd.DatetimeIndex) -> bool:
        """Whether this was made on these hours for a scenario with these generators (a cheap
        check; that the rest of the scenario is the same but its weather is the caller's
        promise, see :func:`static_key`)."""
        return (
            len(snapshots) == len(self.snapshots)
            and tuple(scenario.generators) == self.generators
            and np.array_equal(np.asarray(snapshots.values), np.asarray(self.snapshots.values))
        )


def static_key(scenario: Scenario) -> str:
    """Digest of ``scenario`` without its ``weather``: scenarios with the same key can share one
    :class:`PackStatic` (on the same hours)."""
    import hashlib

    text = scenario.model_dump_json(exclude={"weather"})
    return hashlib.sha1(text.encode()).hexdigest()


STATIC_CACHE_SIZE = 2
"""How many :class:`PackStatic` this process keeps (:func:`shared_static`)."""

_STATICS: OrderedDict[tuple, PackStatic] = OrderedDict()


def shared_static(scenario: Scenario, snapshots: pd.DatetimeIndex) -> PackStatic:
    """:func:`pack_static` kept per process: scenarios that differ only in ``weather`` (an
    ensemble's or a sweep's weather years) on the same hours share one, and their packs are the
    same bit for bit as without it (:func:`pack_with_block`). The :data:`STATIC_CACHE_SIZE`
    most recently used are kept; :func:`clear_shared_statics` drops them."""
    key = (static_key(scenario), len(snapshots), snapshots[0], snapshots[-1])
    hit = _STATICS.get(key)
    if hit is None:
        hit = pack_static(scenario, snapshots)
        _STATICS[key] = hit
        if len(_STATICS) > STATIC_CACHE_SIZE:
            _STATICS.popitem(last=False)
    else:
        _STATICS.move_to_end(key)
    return hit


def clear_shared_statics() -> None:
    """Drop this process's :func:`shared_static` entries (memory back once an ensemble ends)."""
    _STATICS.clear()


def pack_static(scenario: Scenario, snapshots: pd.DatetimeIndex) -> PackStatic:
    """The :class:`PackStatic` of ``scenario`` on ``snapshots`` (the expressions :func:`pack`
    used to compute inline, so a pack with it is the same bit for bit)."""
    buses = list(scenario.buses)
    bidx = {b: i for i, b in enumerate(buses)}
    costs = sorted(
        {
            round(g.marginal_cost, 6)
            for g in scenario.generators.values()
            if g.carrier in THERMAL_CARRIERS
        }
    )
    tier_of = {c: k for k, c in enumerate(costs)}
    zero_cost: list[str] = []
    zero_cost_gi: list[int] = []
    zero_cost_bus: list[int] = []
    live: list[np.ndarray] = []
    thermal: list[str] = []
    thermal_gi: list[int] = []
    thermal_tier: list[int] = []
    thermal_bus: list[int] = []
    for gi, (name, g) in enumerate(scenario.generators.items()):
        b = bidx[g.bus]
        if g.carrier in ZERO_COST_CARRIERS:
            zero_cost.append(name)
            zero_cost_gi.append(gi)
            zero_cost_bus.append(b)
            live.append(in_service_mask(g.in_service_date, snapshots))
        else:
            thermal.append(name)
            thermal_gi.append(gi)
            thermal_tier.append(tier_of[round(g.marginal_cost, 6)])
            thermal_bus.append(b)
    block = thermal_block(
        scenario,
        snapshots,
        thermal,
        thermal_gi,
        thermal_tier,
        thermal_bus,
        (len(costs), len(buses)),
    )
    expected = expected_availability(scenario, snapshots)[thermal].to_numpy()
    corridors = [n for n, c in scenario.corridors.items() if c.in_service_year <= scenario.year]
    return PackStatic(
        snapshots=snapshots,
        generators=tuple(scenario.generators),
        costs=tuple(costs),
        thermal=tuple(thermal),
        thermal_gi=tuple(thermal_gi),
        thermal_tier=tuple(thermal_tier),
        thermal_bus=tuple(thermal_bus),
        zero_cost=tuple(zero_cost),
        zero_cost_gi=tuple(zero_cost_gi),
        zero_cost_bus=tuple(zero_cost_bus),
        zero_cost_live=np.array(live, dtype=bool).reshape(len(live), len(snapshots)),
        block=block,
        expected_pu=expected,
        forest=_backbone_forest(scenario, buses),
        surplus_corridors=tuple(corridors),
        surplus=_surplus_limits(scenario, corridors, snapshots),
    )


def pack_with_block(
    scenario: Scenario,
    profiles: xr.Dataset,
    outage_seed: int | None = None,
    static: PackStatic | None = None,
) -> tuple[KernelInputs, PackIndex, ThermalBlock]:
    """:func:`pack`, also returning its :class:`ThermalBlock` (for :func:`redraw` of the same
    year without rebuilding it).

    ``static``: :func:`pack_static` of a scenario that differs from ``scenario`` at most in
    ``weather`` (another weather year of an ensemble) on the same hours; the packed arrays are
    then the same bit for bit as without it, and what no weather changes (the thermal block,
    the expected availability, in-service masks, the backbone forest, the surplus limits) is
    not recomputed. One on other hours or other generators is ignored (recomputed).
    """
    snapshots = pd.DatetimeIndex(profiles["snapshot"].values)
    hours = len(snapshots)
    buses = list(scenario.buses)
    nb = len(buses)
    bidx = {b: i for i, b in enumerate(buses)}

    # demand: shape per bus scaled to the annual energy, optionally stretched to the peak
    shape = profiles["load"].sel(bus=buses).values.astype(float)
    shares = np.array([scenario.buses[b].demand_share for b in buses])
    total_shape = (shape * shares).sum(axis=1)
    total = (
        total_shape
        / total_shape.mean()
        * scenario.demand.annual_TWh
        * 1e6
        / hours_in_year(scenario.year)
    )
    if scenario.demand.peak_MW is not None:
        mean = total.mean()
        stretch = (scenario.demand.peak_MW - mean) / max(total.max() - mean, 1e-9)
        total = mean + (total - mean) * stretch
        if total.min() < 0:
            msg = (
                f"demand.peak_MW: {scenario.demand.peak_MW} MW cannot be reached from the load "
                f"shape without negative hours (mean {mean:.0f} MW); expected a lower peak"
            )
            raise KernelError(msg)
    demand = np.ascontiguousarray(
        total[:, None]
        * (shape * shares)
        / np.maximum((shape * shares).sum(axis=1, keepdims=True), 1e-12)
    )

    if static is None or not static.fits(scenario, snapshots):
        static = pack_static(scenario, snapshots)
    thermal, block = static.thermal, static.block
    zero_cost, zero_cost_bus = static.zero_cost, static.zero_cost_bus
    # summed generator by generator into (bus, hour) rows, contiguous per generator (the same
    # additions in the same order as into (hour, bus) columns), transposed once at the end
    vre_rows = np.zeros((nb, hours))
    ne_rows = np.zeros((nb, hours))
    ne_carriers = NEW_ENERGY_CARRIERS
    cf_columns = _cf_columns(profiles)
    gen_rows = np.zeros((len(scenario.generators), hours))
    gen_must = np.zeros((hours, len(scenario.generators)))
    for z, (name, gi, b) in enumerate(
        zip(zero_cost, static.zero_cost_gi, zero_cost_bus, strict=True)
    ):
        g = scenario.generators[name]
        if g.carrier in NEW_ENERGY_CARRIERS:
            avail = _availability(
                scenario.weather,
                g.carrier,
                g.capacity_factor_scale,
                cf_columns(g.carrier, g.bus),
            )
        else:
            avail = np.full(
                hours, g.p_max_pu if g.p_max_pu is not None else DEFAULT_P_MAX_PU[g.carrier]
            )
        avail = avail * static.zero_cost_live[z]  # hour by hour
        power = g.p_nom * avail
        vre_rows[b] += power
        gen_rows[gi] = power
        if g.carrier in ne_carriers:
            ne_rows[b] += power
    vre, ne = np.ascontiguousarray(vre_rows.T), np.ascontiguousarray(ne_rows.T)
    gen_avail = np.ascontiguousarray(gen_rows.T)
    if outage_seed is None:
        avail_pu = static.expected_pu
    else:
        names, avail_pu = outage_draw_array(scenario, snapshots, outage_seed)  # generator-major
        if tuple(names) != tuple(thermal):
            pos = {n: i for i, n in enumerate(names)}
            avail_pu = avail_pu[:, [pos[n] for n in thermal]]

    order, parent, parent_line, child_is_bus0 = static.forest
    lines = list(scenario.lines)
    line_cap = np.array([scenario.lines[n].p_nom for n in lines], dtype=float)
    line_eff = np.array([scenario.lines[n].efficiency for n in lines], dtype=float)

    storage = list(scenario.storage)

    flex_names = list(scenario.flexible_loads)
    flex_bus = [bidx[scenario.flexible_loads[n].bus] for n in flex_names]
    flex_min = np.zeros(nb)
    flex_max = np.zeros(nb)
    for n, b in zip(flex_names, flex_bus, strict=True):
        f = scenario.flexible_loads[n]
        flex_min[b] += f.p_nom * f.p_min_pu
        flex_max[b] += f.p_nom

    sched = corridor_schedules(scenario, profiles)
    corridors = list(sched.columns)
    out_of_service = tuple(n for n in scenario.corridors if n not in sched.columns)
    schedule = np.ascontiguousarray(sched.to_numpy(dtype=float).reshape(hours, len(corridors)))
    plan = support_floor_plan(scenario, corridors)
    th_avail, th_must = lay_thermal(block, avail_pu, schedule, plan, gen_avail, gen_must)

    peak = demand.sum(axis=1).max()
    dr = scenario.demand_response
    dr_total = dr.share_of_peak * peak
    dr_cap = dr_total * shares
    dr_energy = float(dr_total * dr.max_hours_per_year)
    reserve_req = np.ascontiguousarray(reserve_requirement(scenario, demand))
    short = prepass_shortfall(scenario, demand, vre, th_avail, schedule, reserve_req)
    if corridors == list(static.surplus_corridors):
        surplus_pu, surplus_budget = static.surplus
    else:  # pragma: no cover - the schedule's corridors are the in-service ones, as static's
        surplus_pu, surplus_budget = _surplus_limits(scenario, corridors, snapshots)
    dr_cut = dr_threshold(short, float(dr_total), dr_energy)
    corr_bus = np.array([bidx[scenario.corridors[n].bus] for n in corridors], dtype=np.int64)
    corr_cap = np.array([scenario.corridors[n].p_nom for n in corridors], dtype=float)
    tree = backbone_tree(order, parent)
    balance = bus_balance(
        demand, vre, th_must, schedule, corr_bus, corr_cap, surplus_pu, flex_max, tree,
        parent_line, line_cap, line_eff,
    )  # fmt: skip

    inputs = KernelInputs(
        demand=demand,
        zero_cost_avail=np.ascontiguousarray(vre),
        ne_avail=np.ascontiguousarray(ne),
        th_must=np.ascontiguousarray(th_must),
        th_avail=np.ascontiguousarray(th_avail),
        schedule=schedule,
        reserve_req=reserve_req,
        net_short=np.ascontiguousarray(short),
        dr_keep=dr_keep(short, float(dr_total), dr_energy, dr_cut),
        corr_surplus_pu=surplus_pu,
        th_max=block.th_max,
        order=order,
        parent=parent,
        parent_line=parent_line,
        child_is_bus0=child_is_bus0,
        tree=tree,
        line_cap=line_cap,
        line_eff=line_eff,
        **storage_fields(
            scenario, demand, vre, th_avail, schedule, reserve_req, short=short, balance=balance
        ),
        flex_min=flex_min,
        flex_max=flex_max,
        corr_bus=corr_bus,
        corr_cap=corr_cap,
        corr_surplus_budget=surplus_budget,
        dr_cap=dr_cap,
        dr_energy=dr_energy,
        dr_threshold=dr_cut,
        dr_shift=int(dr.mode == "shift"),
        dr_window=int(dr.window_h),
    )
    index = PackIndex(
        snapshots=snapshots,
        buses=tuple(buses),
        tiers=static.costs,
        thermal=static.thermal,
        thermal_tier=static.thermal_tier,
        thermal_bus=static.thermal_bus,
        zero_cost=static.zero_cost,
        zero_cost_bus=static.zero_cost_bus,
        storage=tuple(storage),
        corridors=tuple(corridors),
        corridors_out_of_service=out_of_service,
        lines=tuple(lines),
        flexible_loads=tuple(flex_names),
        flexible_bus=tuple(flex_bus),
        generators=tuple(scenario.generators),
        gen_avail=gen_avail,
        gen_must=gen_must,
        receiving_peak=_receiving_peak(scenario, corridors, profiles),
    )
    logger.debug("packed %s: %s, %.1f MB", scenario.name, inputs.shape, inputs.nbytes() / 1e6)
    return inputs, index, block


def _receiving_peak(scenario: Scenario, corridors: list[str], profiles: xr.Dataset) -> np.ndarray:
    """:func:`energysim.adequacy.receiving_peak_mask` of the corridors' receiving grids (T, C),
    each grid's quantile taken once (a column's quantile does not depend on the others: the
    same mask as one column per corridor)."""
    grids = [scenario.corridors[n].receiving_grid for n in corridors]
    regions = list(dict.fromkeys(grids))
    return receiving_peak_mask(
        profiles["receiving_load"].sel(region=regions).values,
        np.array([regions.index(g) for g in grids], dtype=np.int64),
    )


def generator_availability(
    scenario: Scenario, carrier: str, bus: str, scale: float, profiles: xr.Dataset
) -> np.ndarray:
    """Hourly availability (p.u.) of a wind, solar or CSP fleet at a bus.

    CSP uses the solar profile smoothed over a centred 7-hour window (its thermal storage spreads
    output into the evening); this is a documented simplification, not a CSP model.
    """
    kind = "wind" if carrier == "wind" else "solar"
    return _availability(scenario.weather, carrier, scale, profiles[kind].sel(bus=bus).values)


def _cf_columns(profiles: xr.Dataset):  # noqa: ANN202 - a closure
    """``columns(carrier, bus)``: the bus's wind (wind) or solar (solar, CSP) capacity factor
    (T,), from the profiles read into arrays once (``.sel`` per generator was most of the cost
    of this step)."""
    arrays: dict[str, tuple[dict[str, int], np.ndarray]] = {}

    def columns(carrier: str, bus: str) -> np.ndarray:
        kind = "wind" if carrier == "wind" else "solar"
        if kind not in arrays:
            da = profiles[kind]
            pos = {str(b): i for i, b in enumerate(da["bus"].values)}
            arrays[kind] = (pos, da.transpose("snapshot", "bus").values)
        pos, values = arrays[kind]
        if bus not in pos:
            return profiles[kind].sel(bus=bus).values  # raises the usual KeyError
        return values[:, pos[bus]]

    return columns


def _availability(weather: object, carrier: str, scale: float, cf: np.ndarray) -> np.ndarray:
    """:func:`generator_availability` of the capacity factor ``cf`` (T,) already read."""
    if carrier == "wind":
        cf = cf * weather.wind_cf_scale
    else:
        cf = cf * weather.solar_cf_scale
        if carrier == "csp":
            cf = pd.Series(cf).rolling(7, center=True, min_periods=1).mean().to_numpy()
    return np.clip(cf * scale, 0.0, 1.0)


TIME_FIELDS = (
    "demand",
    "zero_cost_avail",
    "ne_avail",
    "th_must",
    "th_avail",
    "schedule",
    "storage_reserve",
    "st_room",
    "reserve_req",
    "net_short",
    "dr_keep",
    "corr_surplus_pu",
)


def head(inputs: KernelInputs, index: PackIndex, hours: int) -> tuple[KernelInputs, PackIndex]:
    """The first ``hours`` hours of packed inputs (for quick runs and small LPs).

    The hourly values are those of the full year (demand is not rescaled), so a slice is a true
    part of the year, not a shorter year. The DR energy budget and the corridors' surplus budgets
    are scaled by the share of hours; the DR threshold is the full year's.
    """
    total = inputs.demand.shape[0]
    hours = max(1, min(hours, total))
    sliced = {f: np.ascontiguousarray(getattr(inputs, f)[:hours]) for f in TIME_FIELDS}
    new_inputs = dataclasses.replace(
        inputs,
        **sliced,
        dr_energy=inputs.dr_energy * hours / total,
        corr_surplus_budget=inputs.corr_surplus_budget * hours / total,
    )
    new_index = dataclasses.replace(
        index,
        snapshots=index.snapshots[:hours],
        gen_avail=np.ascontiguousarray(index.gen_avail[:hours]),
        gen_must=np.ascontiguousarray(index.gen_must[:hours]),
        receiving_peak=np.ascontiguousarray(index.receiving_peak[:hours]),
    )
    return new_inputs, new_index
