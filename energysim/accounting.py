"""The accounting convention: how a dispatch becomes new-energy, renewable and coal figures.

The one copy of each rule, used by :func:`energysim.results.build.to_dataset` (every engine's
results Dataset) and by the sweeps' annual figures (:mod:`energysim.sweep.figures`), so both
count the 320 TWh (local) and 200 TWh (export) new-energy targets the same way.

Convention (``docs/kernel.md``, shown by ``tests/test_accounting.py``):

* **Curtailment split**: a bus's curtailment is shared between its zero-cost fleets (wind, solar,
  CSP, hydro) in proportion to their availability (:func:`curtailed_part`); the new-energy part is
  :func:`new_energy_curtailment`.
* **Thermal split**: the fleets of one merit-order tier at one bus run at their must-run floor
  plus a share of the tier's output above its floor in proportion to their headroom, or, below the
  floor, in proportion to their floor (:func:`fleet_output`).
* **New energy used** = available wind, solar and CSP minus their curtailment.
* **New energy exported**: in every hour a corridor's sending is split into (1) sending above
  its schedule, which the kernel only does with surplus new energy (new energy); (2) the output of
  its dedicated plants (配套电源) up to the scheduled part (new energy in proportion to their
  new-energy output); (3) the rest, which carries the new-energy share of the sending bus's other
  generation (pro rata). Measured at the sending end, before corridor losses.
* **New energy consumed locally** = new energy used - new energy exported. It includes storage
  and line losses, which are local consumption in Chinese statistics.
* **Renewable consumption weight** = (renewable generation used - new energy exported) /
  consumption, where renewables are new energy, hydro and biomass and consumption is demand
  served + flexible loads + storage losses + line losses.
* **Imports** (carrier ``import``, e.g. the Northeast grid at 蒙东's ties) are not Inner Mongolian
  generation: they form the last merit-order tiers (:func:`import_tiers`) and are left out of
  thermal, coal and all generation totals; at their bus they are non-new-energy supply, so a
  corridor's pro-rata new-energy share counts them as grey. They are reported on their own
  (``import_TWh``, ``import_hours``, ``import_max_MW``). Consumption is not changed: load served by
  imports is still consumed in Inner Mongolia.
"""

from __future__ import annotations

import logging

import numpy as np

from energysim.config.schema import Scenario
from energysim.constants import NEW_ENERGY_CARRIERS
from energysim.kernel import DispatchResult, KernelInputs, PackIndex
from energysim.kernel._jit import jit, jit_inline
from energysim.kernel.pack import import_tier_mask, in_service_at_year_end

logger = logging.getLogger(__name__)

__all__ = [
    "IMPORT_EPS_MW",
    "SHARE_EPS",
    "corridor_accounting",
    "corridor_new_energy",
    "curtailed_part",
    "fleet_output",
    "generator_dispatch",
    "import_power",
    "import_tiers",
    "new_energy_curtailment",
    "safe_share",
    "share",
    "system_figures",
]


IMPORT_EPS_MW = 1e-3
"""An hour imports if the import tiers produce more than this, MW (solver noise of the LP)."""
SHARE_EPS = 1e-12
"""Totals at or below this are empty: a share of them is 0 (:func:`safe_share`, :func:`share`)."""


def import_tiers(scenario: Scenario) -> np.ndarray:
    """Which merit-order tiers are imports, (K,) bool (:func:`energysim.kernel.pack.import_tier_mask`)."""
    return import_tier_mask(scenario)


def import_power(result: DispatchResult, scenario: Scenario) -> np.ndarray:
    """Imports in each hour (T,), MW: the output of the import tiers at every bus."""
    mask = import_tiers(scenario)
    if mask.size != result.thermal.shape[1]:
        msg = (
            f"import_power: {mask.size} thermal tiers in scenario {scenario.name!r}, "
            f"{result.thermal.shape[1]} in the dispatch; expected the same packing"
        )
        raise ValueError(msg)
    if not mask.any():
        return np.zeros(result.thermal.shape[0])
    return result.thermal[:, mask, :].sum(axis=(1, 2))


def safe_share(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den`` where ``den`` > SHARE_EPS, else 0 (shares of possibly empty totals)."""
    return np.divide(num, den, out=np.zeros_like(num, dtype=float), where=den > SHARE_EPS)


@jit_inline
def share(num, den):
    """Scalar :func:`safe_share` for the compiled hour loops."""
    return num / den if den > SHARE_EPS else 0.0


# -- the two split rules (one copy each) ----------------------------------------------------------


@jit_inline
def curtailed_part(part_avail, curtail, total_avail):
    """Curtailment borne by ``part_avail`` of a bus's ``total_avail`` zero-cost power, MW.

    The curtailment split: a bus's curtailment ``curtail`` is shared between its zero-cost fleets
    in proportion to their availability (0 when nothing is available).
    """
    return curtail * share(part_avail, total_avail)


def new_energy_curtailment(result: DispatchResult, inputs: KernelInputs) -> np.ndarray:
    """New-energy part of each bus's curtailment (T, B), MW (the curtailment split)."""
    t, b = result.curtail.shape
    out = np.empty((t, b))
    _new_energy_curtailment_hours(result.curtail, inputs.ne_avail, inputs.zero_cost_avail, out)
    return out


@jit
def _new_energy_curtailment_hours(curtail, ne_avail, zero_cost_avail, out):
    """Fill ``out`` (T, B) with :func:`curtailed_part` of the new-energy availability."""
    for t in range(out.shape[0]):
        for b in range(out.shape[1]):
            out[t, b] = curtailed_part(ne_avail[t, b], curtail[t, b], zero_cost_avail[t, b])


@jit_inline
def fleet_output(p, must_kb, inv_head_kb, inv_must_kb, must, head):
    """Output of a thermal fleet (or class of fleets) in one (tier, bus) and hour, MW.

    The thermal split: the tier at the bus produces ``p`` with must-run floor ``must_kb`` and
    ``1 / headroom`` above it ``inv_head_kb`` (0 where none), ``1 / floor`` ``inv_must_kb``.
    At or above the floor a fleet runs at its floor ``must`` plus a share of the output above the
    floor in proportion to its headroom ``head``; below the floor, in proportion to its floor.
    """
    if p >= must_kb:
        return must + max(p - must_kb, 0.0) * inv_head_kb * head
    return must * (min(p, must_kb) * inv_must_kb)


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
        inputs.zero_cost_avail,
        result.thermal,
        inputs.th_must,
        inputs.th_avail,
        out,
    )
    return out


@jit
def _generator_dispatch_hours(
    zc_col, zc_bus, th_col, th_tier, th_bus, gen_avail, gen_must, curtail, zero_cost_avail, thermal,
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
            a = gen_avail[t, g]
            out[t, g] = a - curtailed_part(a, curtail[t, b], zero_cost_avail[t, b])
        for i in range(th_col.shape[0]):
            g = th_col[i]
            k = th_tier[i]
            b = th_bus[i]
            must_kb = th_must[t, k, b]
            must = gen_must[t, g]
            out[t, g] = fleet_output(
                thermal[t, k, b],
                must_kb,
                share(1.0, th_avail[t, k, b] - must_kb),
                share(1.0, must_kb),
                must,
                gen_avail[t, g] - must,
            )


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
        inputs.zero_cost_avail,
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
    curtail,
    thermal,
    st_discharge,
    zero_cost_avail,
    ne_avail,
    st_bus,
    ne_curtail,
    ne_used_bus,
    supply_bus,
):
    """Per bus and hour (T, B), MW: new-energy curtailment (the bus's curtailment shared in
    proportion to availability), new energy used, and all generation (zero-cost used, thermal,
    storage discharge). Fills the last three arrays in place."""
    nt, nb = curtail.shape
    for t in range(nt):
        for b in range(nb):
            ne_curtail[t, b] = curtailed_part(ne_avail[t, b], curtail[t, b], zero_cost_avail[t, b])
            ne_used_bus[t, b] = ne_avail[t, b] - ne_curtail[t, b]
            supply_bus[t, b] = 0.0
        for k in range(thermal.shape[1]):
            for b in range(nb):
                supply_bus[t, b] += thermal[t, k, b]
        for b in range(nb):
            supply_bus[t, b] = supply_bus[t, b] + zero_cost_avail[t, b] - curtail[t, b]
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
    ne_carriers = NEW_ENERGY_CARRIERS
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
    imports = import_power(result, scenario)
    return {
        "new_energy_capacity_GW": sum(  # the year-end fleet (fleet timing, h13)
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
        "thermal_TWh": float(result.thermal.sum() - imports.sum()) * twh,
        "import_TWh": float(imports.sum()) * twh,
        "import_hours": float((imports > IMPORT_EPS_MW).sum()),
        "import_max_MW": float(imports.max()) if imports.size else 0.0,
        "storage_losses_TWh": storage_losses,
        "line_losses_TWh": line_losses,
        "flexible_load_TWh": flex_twh,
        "demand_response_TWh": float(result.dr_shed.sum()) * twh,
        "unserved_MWh": float(result.unserved.sum()),
        "thermal_relief_TWh": float(result.thermal_relief.sum()) * twh,
    }
