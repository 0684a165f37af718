"""Annual figures of one scenario-year straight from the kernel arrays (no hourly Dataset).

:func:`energysim.results.build.to_dataset` builds every hourly variable and then sums them; a
sweep only needs the scalar figures. :func:`annual_figures` computes the same numbers with the
same accounting rules (:mod:`energysim.accounting`, one copy of each) but sums
generator output per (tier, bus) class instead of per generator, which is about ten times faster.
The results agree with ``to_dataset`` to rounding (tested in ``tests/sweep/test_figures.py``).
"""

from __future__ import annotations

import dataclasses
import logging
import math
from dataclasses import dataclass

import numpy as np

from energysim.accounting import (
    corridor_accounting,
    fleet_output,
    generator_dispatch,
    safe_share,
    system_figures,
)
from energysim.adequacy import adequacy_figures
from energysim.config.schema import Scenario
from energysim.constants import COAL_CARRIERS, NEW_ENERGY_CARRIERS, RENEWABLE_CARRIERS
from energysim.indicators import structural_figures
from energysim.kernel import DispatchResult, KernelInputs, PackIndex
from energysim.kernel._jit import jit

logger = logging.getLogger(__name__)

__all__ = ["FigurePrep", "annual_figures", "prepare_figures", "target_verdicts"]


@dataclass(frozen=True)
class FigurePrep:
    """Per-(tier, bus) sums of the thermal fleets of one carrier class, for one packed scenario.

    Arrays (T, A) over the A (tier, bus) pairs with capacity, MW: ``must`` the class's must-run
    floor, ``head`` its available power above the floor; keys ``renewable`` (biomass) and
    ``coal`` (coal and CHP). The thermal arrays depend only on the structural variant, never on
    storage (which the sweep changes on packed arrays).
    """

    must: dict[str, np.ndarray]
    head: dict[str, np.ndarray]
    zero_cost_renewable: bool  # every zero-cost carrier is renewable (wind, solar, CSP, hydro)
    dedicated_index: PackIndex  # index restricted to the dedicated plants (配套电源)
    # per dedicated plant: its column in dedicated_index, its corridor, whether it is new energy
    dedicated_col: np.ndarray  # (D,) int64
    dedicated_corridor: np.ndarray  # (D,) int64
    dedicated_is_ne: np.ndarray  # (D,) bool
    active: np.ndarray  # flat (tier, bus) positions with thermal capacity, (A,)
    must_kb: np.ndarray  # (T, A) must-run floor of each active (tier, bus), MW
    inv_head: np.ndarray  # (T, A) 1 / headroom above the floor (0 where none), 1/MW
    inv_must: np.ndarray  # (T, A) 1 / floor (0 where none), 1/MW


def prepare_figures(inputs: KernelInputs, index: PackIndex, scenario: Scenario) -> FigurePrep:
    """Class sums needed by :func:`annual_figures`; depends only on the packed scenario."""
    t, k, b = inputs.th_must.shape
    must = {c: np.zeros((t, k, b)) for c in ("renewable", "coal")}
    head = {c: np.zeros((t, k, b)) for c in ("renewable", "coal")}
    gi = {n: i for i, n in enumerate(index.generators)}
    for name, tier, bus in zip(index.thermal, index.thermal_tier, index.thermal_bus, strict=True):
        carrier = scenario.generators[name].carrier
        cls = (
            "renewable"
            if carrier in RENEWABLE_CARRIERS
            else "coal"
            if carrier in COAL_CARRIERS
            else None
        )
        if cls is None:
            continue
        g = gi[name]
        must[cls][:, tier, bus] += index.gen_must[:, g]
        head[cls][:, tier, bus] += index.gen_avail[:, g] - index.gen_must[:, g]
    zero_ok = all(scenario.generators[n].carrier in RENEWABLE_CARRIERS for n in index.zero_cost)
    corridor_pos = {name: c for c, name in enumerate(index.corridors)}
    ne = NEW_ENERGY_CARRIERS
    keep = {n for n, g in scenario.generators.items() if g.dedicated_to in corridor_pos}
    # (column in the restricted index below, corridor, is new energy)
    sub_col = {n: j for j, n in enumerate(n for n in index.generators if n in keep)}
    dedicated = [
        (sub_col[n], corridor_pos[g.dedicated_to], g.carrier in ne)
        for n, g in scenario.generators.items()
        if g.dedicated_to in corridor_pos
    ]
    zc = [(n, b) for n, b in zip(index.zero_cost, index.zero_cost_bus, strict=True) if n in keep]
    th = [
        (n, k, b)
        for n, k, b in zip(index.thermal, index.thermal_tier, index.thermal_bus, strict=True)
        if n in keep
    ]
    # the restricted index carries only the dedicated plants' columns, so generator_dispatch
    # allocates and fills (T, dedicated) rather than (T, all generators)
    cols = [gi[n] for n in index.generators if n in keep]
    sub = dataclasses.replace(
        index,
        generators=tuple(index.generators[g] for g in cols),
        gen_avail=np.ascontiguousarray(index.gen_avail[:, cols]),
        gen_must=np.ascontiguousarray(index.gen_must[:, cols]),
        zero_cost=tuple(n for n, _ in zc),
        zero_cost_bus=tuple(b for _, b in zc),
        thermal=tuple(x[0] for x in th),
        thermal_tier=tuple(x[1] for x in th),
        thermal_bus=tuple(x[2] for x in th),
    )
    active = np.flatnonzero(inputs.th_max.reshape(-1) > 0)
    must_kb = np.ascontiguousarray(inputs.th_must.reshape(t, -1)[:, active])
    head_kb = inputs.th_avail.reshape(t, -1)[:, active] - must_kb
    ones = np.ones_like(must_kb)
    gather = {
        c: (
            np.ascontiguousarray(must[c].reshape(t, -1)[:, active]),
            np.ascontiguousarray(head[c].reshape(t, -1)[:, active]),
        )
        for c in must
    }
    return FigurePrep(
        {c: m for c, (m, _) in gather.items()},
        {c: h for c, (_, h) in gather.items()},
        zero_ok,
        sub,
        np.array([g for g, _, _ in dedicated], dtype=np.int64),
        np.array([c for _, c, _ in dedicated], dtype=np.int64),
        np.array([is_ne for _, _, is_ne in dedicated], dtype=np.bool_),
        active,
        must_kb,
        safe_share(ones, head_kb),
        safe_share(ones, must_kb),
    )


def _thermal_classes_TWh(
    result: DispatchResult, inputs: KernelInputs, prep: FigurePrep
) -> dict[str, float]:
    """Generation of each thermal class, TWh, by the rule of ``generator_dispatch``.

    Per (tier, bus): at or above the floor, each fleet runs at its floor plus a share of the output
    above the floor in proportion to its headroom; below the floor, in proportion to its floor.
    Only (tier, bus) pairs with capacity are visited.
    """
    t = result.thermal.shape[0]
    p = np.ascontiguousarray(result.thermal.reshape(t, -1))
    return {
        cls: _class_output_MWh(
            p,
            prep.active,
            prep.must_kb,
            prep.inv_head,
            prep.inv_must,
            prep.must[cls],
            prep.head[cls],
        )
        * 1e-6
        for cls in ("renewable", "coal")
    }


@jit
def _class_output_MWh(p, active, must_kb, inv_head, inv_must, must, head):
    """Sum over hours and active (tier, bus) pairs of one class's output, MWh (see above)."""
    acc = 0.0
    for t in range(must_kb.shape[0]):
        for a in range(active.shape[0]):
            acc += fleet_output(
                p[t, active[a]],
                must_kb[t, a],
                inv_head[t, a],
                inv_must[t, a],
                must[t, a],
                head[t, a],
            )
    return acc


@jit
def _add_columns(gen_p, cols, corridors, is_ne, dedicated_all, dedicated_ne):
    """Add each dedicated plant's output (T, G) to its corridor's totals (T, C), in place."""
    for t in range(gen_p.shape[0]):
        for i in range(cols.shape[0]):
            p = gen_p[t, cols[i]]
            dedicated_all[t, corridors[i]] += p
            if is_ne[i]:
                dedicated_ne[t, corridors[i]] += p


def dedicated_outputs(
    result: DispatchResult, inputs: KernelInputs, prep: FigurePrep
) -> tuple[np.ndarray, np.ndarray]:
    """Output of each corridor's dedicated new-energy plants and of all its dedicated plants,
    (T, C) MW each, from the dedicated plants' columns only."""
    dedicated_ne = np.zeros_like(result.corr_flow)
    dedicated_all = np.zeros_like(result.corr_flow)
    if prep.dedicated_col.size:
        gen_p = generator_dispatch(result, inputs, prep.dedicated_index)
        _add_columns(
            gen_p,
            prep.dedicated_col,
            prep.dedicated_corridor,
            prep.dedicated_is_ne,
            dedicated_all,
            dedicated_ne,
        )
    return dedicated_ne, dedicated_all


def annual_figures(
    result: DispatchResult,
    inputs: KernelInputs,
    index: PackIndex,
    scenario: Scenario,
    prep: FigurePrep,
) -> dict[str, float]:
    """Every scalar variable of :data:`energysim.results.schema.VARIABLES` for one run.

    Parameters
    ----------
    result : DispatchResult
        Kernel output.
    inputs, index : KernelInputs, PackIndex
        The packed scenario.
    scenario : Scenario
        The validated scenario (capacities).
    prep : FigurePrep
        From :func:`prepare_figures` for the same packed scenario.

    Returns
    -------
    dict of str to float
        Figure name -> value, in the units of ``VARIABLES`` (TWh, GW, MW, MWh, p.u.).
    """
    # the corridor accounting of to_dataset, with the output of the dedicated plants only
    dedicated_ne, dedicated_all = dedicated_outputs(result, inputs, prep)
    ne_curtail, corr_ne = corridor_accounting(result, inputs, dedicated_ne, dedicated_all)
    keep = 1.0 - safe_share(result.curtail, inputs.zero_cost_avail)
    if prep.zero_cost_renewable:
        zero_used = float((inputs.zero_cost_avail * keep).sum()) * 1e-6
    else:  # pragma: no cover - every zero-cost carrier is renewable today
        zero_used = math.nan
    thermal = _thermal_classes_TWh(result, inputs, prep)
    figures = system_figures(
        result,
        inputs,
        scenario,
        ne_curtail,
        corr_ne,
        renewable_used_TWh=zero_used + thermal["renewable"],
        coal_TWh=thermal["coal"],
    )
    adequacy = adequacy_figures(
        index.snapshots,
        result.unserved,
        result.corr_short,
        index.receiving_peak,
        result.reserve_short,
    )
    figures.update({k: v for k, v in adequacy.items() if np.ndim(v) == 0})
    return figures | structural_figures(scenario, figures)


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
