"""The LP reference: the same network solved to optimality with PyPSA's ``n.optimize`` and HiGHS.

Same semantics as the kernel, expressed as costs and constraints:

* new energy and hydro cost nothing, thermal costs its marginal cost, so new energy goes first;
  flexible loads earn ``costs.electrolyser_value`` and surplus export ``costs.surplus_export_value``
  per MWh, so they take surplus only; curtailment is free (plus ``costs.curtailment_penalty``);
* demand response costs ``demand_response.cost`` within its annual energy budget; corridor
  schedule cuts cost ``costs.export_shortfall_penalty``; unserved energy and must-run relief cost
  the value of lost load;
* custom linopy constraints where PyPSA has no attribute: each corridor's new-energy share, DR
  paybacks within the window (shift mode), storage state-of-charge floors, and the upward
  reserve (thermal and storage headroom against the hourly requirement, with a slack priced at
  ``costs.reserve_shortfall_penalty``). Thermal availability enters as the generators'
  ``p_max_pu``; the corridors' surplus-market limits as the surplus generators' ``p_max_pu``
  and ``e_sum_max``. The share
  constraint lets the corridors leaving a bus count up to all new energy generated there (new
  energy first): a linear relaxation of the accounting of :mod:`energysim.results.build`
  (dedicated plants, surplus, pro-rata mix), which is a product of flows and cannot enter an LP.
  The LP may therefore see a share as met that the accounting reports lower; the check always
  reports the accounted number, for both engines. A miss is allowed at ``costs.export_shortfall_penalty``
  per MWh so that the LP stays feasible; the check then reports it.

The solution is mapped back to :class:`~energysim.kernel.DispatchResult` and through the same
:func:`~energysim.results.build.to_dataset` as the kernel, so both engines return one schema.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Iterator
from enum import StrEnum

import numpy as np
import pypsa
import xarray as xr

from energysim.config.schema import Scenario
from energysim.constants import component
from energysim.exceptions import SolverError
from energysim.kernel import DispatchResult, KernelInputs, PackIndex, allocate_result
from energysim.network import GeneratorGroup, build_network_from_packed, generator_groups

logger = logging.getLogger(__name__)

__all__ = ["SolverStatus", "reserve_shortfall", "solve_lp", "solve_lp_rolling"]


class SolverStatus(StrEnum):
    """Outcome of an LP solve as PyPSA reports it (status, condition)."""

    OK = "ok"
    WARNING = "warning"
    UNKNOWN = "unknown"


def _extra_functionality(  # noqa: ANN202
    scenario: Scenario,
    inputs: KernelInputs,
    index: PackIndex,
    groups: list[GeneratorGroup] | None = None,
):
    """Return the ``extra_functionality`` callback adding energysim's custom constraints.

    ``groups`` are the network's generators (:func:`~energysim.network.generator_groups`);
    by default one per scenario generator.
    """
    if groups is None:
        groups = generator_groups(scenario, index, aggregate=False)

    def add(n: pypsa.Network, snapshots) -> None:  # noqa: ANN001
        m = n.model
        gen_p = m.variables["Generator-p"]
        # corridors: the new energy they carry is bounded by their flow and, at each sending
        # bus, by the new energy generated there; it must reach the required share, with a
        # penalised slack so that the LP stays feasible
        corridors = [c for c in index.corridors if scenario.corridors[c].min_renewable_share > 0]
        if corridors:
            link_p = m.variables["Link-p"]
            dim = xr.DataArray(corridors, dims="corridor").to_index()
            green = m.add_variables(
                lower=0.0, coords=[snapshots, dim], name="Corridor-p_new_energy"
            )
            slack = m.add_variables(lower=0.0, coords=[dim], name="Corridor-share_shortfall")
            by_bus: dict[str, list[str]] = {}
            for c in corridors:
                spec = scenario.corridors[c]
                by_bus.setdefault(spec.bus, []).append(c)
                flow = link_p.sel(name=c)
                green_c = green.sel(corridor=c)
                m.add_constraints(green_c - flow <= 0, name=f"Corridor-new_energy_below_flow-{c}")
                m.add_constraints(
                    green_c.sum("snapshot")
                    + slack.sel(corridor=c)
                    - spec.min_renewable_share * flow.sum("snapshot")
                    >= 0,
                    name=f"Corridor-min_renewable_share-{c}",
                )
            for bus, names in by_bus.items():
                gens = [g.name for g in groups if g.bus == bus and g.kind == "new_energy"]
                lhs = green.sel(corridor=names).sum("corridor")
                if gens:
                    lhs = lhs - gen_p.sel(name=gens).sum("name")
                m.add_constraints(lhs <= 0, name=f"Corridor-new_energy_at_bus-{bus}")
            m.add_objective(
                m.objective.expression + scenario.costs.export_shortfall_penalty * slack.sum(),
                overwrite=True,
            )
        # demand response paybacks (shift mode): what is shed is paid back within the window
        dr = scenario.demand_response
        if dr.mode == "shift":
            window = dr.window_h
            for b, bus in enumerate(index.buses):
                if inputs.dr_cap[b] <= 0:
                    continue
                shed = gen_p.sel(name=component("demand_response", bus)).cumsum("snapshot")
                paid = gen_p.sel(name=component("demand_response_payback", bus)).cumsum("snapshot")
                m.add_constraints(paid - shed <= 0, name=f"DR-payback_after_shed-{bus}")
                lagged = shed.shift(snapshot=window)
                horizon = snapshots[window:]
                m.add_constraints(
                    (paid - lagged).sel(snapshot=horizon) >= 0, name=f"DR-payback_window-{bus}"
                )
        # upward reserve: held on thermal headroom and on storage discharge headroom (limited
        # by the state of charge), a priced slack for what is not held
        if inputs.reserve_req.max() > 0:
            _add_reserve(m, scenario, inputs, index, snapshots, groups)
        # storage state-of-charge floors
        floors = {  # packed floors (in-year average storage under fleet timing)
            name: float(inputs.st_soc_min[si])
            for si, (name, s) in enumerate(scenario.storage.items())
            if s.soc_min > 0
        }
        if floors:
            soc = m.variables["StorageUnit-state_of_charge"]
            for name, floor in floors.items():
                m.add_constraints(soc.sel(name=name) >= floor, name=f"StorageUnit-soc_min-{name}")

    return add


@contextlib.contextmanager
def _solver_output_off_stdout() -> Iterator[None]:
    """Send what the solver library writes to file descriptor 1 (HiGHS prints its banner there
    whatever its options) to stderr with debug logging, else nowhere, so stdout stays for
    results."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # no real stdout (e.g. captured in memory)
        yield
        return
    sys.stdout.flush()
    saved = os.dup(fd)
    target = (
        os.dup(sys.stderr.fileno())
        if logger.isEnabledFor(logging.DEBUG)
        else os.open(os.devnull, os.O_WRONLY)
    )
    try:
        os.dup2(target, fd)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, fd)
        os.close(saved)
        os.close(target)


def _add_reserve(  # noqa: PLR0913
    m,  # noqa: ANN001
    scenario: Scenario,
    inputs: KernelInputs,
    index: PackIndex,
    snapshots,  # noqa: ANN001
    groups: list[GeneratorGroup],
) -> None:
    """Reserve variables and constraints (the kernel's rule as an LP).

    Thermal headroom: every thermal generator holds what it could still produce,
    available_g(t) - p_g; the sum over generators enters the hourly balance directly (the same
    optimum as a reserve variable r_g <= available_g - p_g per generator, since p_g <= available_g
    already, with no variables). Per storage unit s: r_s >= 0, r_s <= p_nom - p_dispatch,
    r_s <= (soc - soc_min) x efficiency_dispatch. Per hour: thermal headroom + sum r_s +
    shortfall >= requirement, the shortfall costing ``costs.reserve_shortfall_penalty`` (above
    thermal costs, below DR and export cuts).
    """
    gen_p = m.variables["Generator-p"]
    th_groups = [g for g in groups if g.kind == "thermal"]
    thermal = [g.name for g in th_groups]
    sdim = xr.DataArray(snapshots, dims="snapshot").to_index()
    # the hours being solved (all of them, or one window of a rolling horizon)
    rows = index.snapshots.get_indexer(sdim)
    short = m.add_variables(lower=0.0, coords=[sdim], name="Reserve-shortfall")
    held = 1.0 * short
    req = inputs.reserve_req[rows].astype(float)  # a copy
    if thermal:
        # headroom = sum(available) - sum(p): the constant goes to the right-hand side
        cols = [i for g in th_groups for i in g.members]
        req -= index.gen_avail[np.ix_(rows, cols)].sum(axis=1)
        held = held - gen_p.sel(name=thermal).sum("name")
    storage = list(index.storage)
    if storage:
        odim = xr.DataArray(storage, dims="name").to_index()
        r_st = m.add_variables(lower=0.0, coords=[sdim, odim], name="StorageUnit-reserve")
        dispatch = m.variables["StorageUnit-p_dispatch"].sel(name=storage)
        soc = m.variables["StorageUnit-state_of_charge"].sel(name=storage)
        p_nom = xr.DataArray(inputs.st_p, coords=[odim])
        floor = xr.DataArray(inputs.st_soc_min, coords=[odim])
        eff = xr.DataArray(inputs.st_eff_out, coords=[odim])
        m.add_constraints(r_st + dispatch <= p_nom, name="StorageUnit-reserve_power")
        m.add_constraints(r_st - eff * soc <= -eff * floor, name="StorageUnit-reserve_energy")
        held = held + r_st.sum("name")
    m.add_constraints(held >= xr.DataArray(req, coords=[sdim]), name="Reserve-requirement")
    m.add_objective(
        m.objective.expression + scenario.costs.reserve_shortfall_penalty * short.sum(),
        overwrite=True,
    )


def reserve_shortfall(result: DispatchResult, inputs: KernelInputs) -> np.ndarray:
    """Reserve requirement not held by a dispatch (T,), MW, by the kernel's definition.

    Thermal headroom (available less output) plus storage discharge headroom (rating less
    discharge, at most the energy above the minimum deliverable in the hour), against
    ``inputs.reserve_req``. An hour that cuts load or exports (DR, export-schedule cuts or
    unserved energy above 1e-3 MW) holds none, as in the kernel: the headroom left there cannot
    reach the short buses. Otherwise, for an LP solution, this equals the reserve slack at the
    optimum.
    """
    th = np.maximum(inputs.th_avail - result.thermal, 0.0).sum(axis=(1, 2))
    st = np.maximum(
        np.minimum(
            inputs.st_p - result.st_discharge,
            (result.st_soc - inputs.st_soc_min) * inputs.st_eff_out,
        ),
        0.0,
    ).sum(axis=1)
    short = inputs.reserve_req - th - st
    short = np.where(short > 1e-6, short, 0.0)
    cut = result.dr_shed.sum(axis=1) + result.corr_short.sum(axis=1) + result.unserved.sum(axis=1)
    return np.where(cut > 1e-3, inputs.reserve_req, short)


def default_solver_options(hours: int) -> dict:
    """HiGHS options for an LP of ``hours`` snapshots: HiGHS's default (dual) simplex.

    Measured on the full year with the adequacy rules (``docs/kernel.md``, session 5): the
    dual simplex solves plan-2030 to optimality in 501 s of HiGHS time and baseline-2025 in
    95 s, while the interior-point method (IPX, with or without crossover, and with PyPSA's
    looser IPM tolerances) was still far from converged after 48 min (relative gap 3 % on
    baseline-2025, 19 % on plan-2030) and once ended with model status "unknown". The reserve
    and availability rows make the interior-point method's linear algebra hard; the simplex
    profits from presolve removing ~80 % of the rows. ``hours`` is kept so callers state the
    horizon; no option depends on it today.
    """
    del hours
    return {"log_to_console": False, "solver": "simplex"}


def _lp_network(
    scenario: Scenario, inputs: KernelInputs, index: PackIndex, aggregate: bool = True
) -> tuple[pypsa.Network, list[GeneratorGroup]]:
    """The scenario's network plus the LP-only components (DR paybacks, curtailment penalty).

    With ``aggregate`` (the default) the generators of a bus with the same kind and cost are one
    generator (:func:`~energysim.network.generator_groups`): the same optimum with fewer
    variables, since the accounting splits curtailment per bus and thermal output per tier.
    """
    n = build_network_from_packed(scenario, inputs, index, aggregate=aggregate)
    groups = generator_groups(scenario, index, aggregate=aggregate)
    if scenario.demand_response.mode == "shift":
        for b, bus in enumerate(index.buses):
            if inputs.dr_cap[b] > 0:
                n.add(
                    "Generator",
                    component("demand_response_payback", bus),
                    bus=bus,
                    carrier="demand_response",
                    sign=-1,
                    p_nom=inputs.dr_cap[b],
                    marginal_cost=0.0,
                )
    curtail_penalty = scenario.costs.curtailment_penalty
    if curtail_penalty > 0:
        # a negative cost on new-energy output is the same as a penalty on its curtailment
        ne = [g.name for g in groups if g.kind == "new_energy"]
        n.generators.loc[ne, "marginal_cost"] -= curtail_penalty
    return n, groups


def solve_lp_rolling(
    scenario: Scenario,
    inputs: KernelInputs,
    index: PackIndex,
    horizon: int = 168,
    overlap: int = 24,
    solver_options: dict | None = None,
) -> DispatchResult:
    """Solve the LP in rolling windows (PyPSA ``optimize_with_rolling_horizon``).

    Each window of ``horizon`` hours is solved with perfect foresight inside it and ``overlap``
    hours of look-ahead; storage state of charge is carried between windows. The custom
    constraints apply within each window (a corridor's renewable share per window, DR paybacks
    within the window), so this is an approximation of the annual LP, useful to compare a
    limited-foresight optimum with the kernel.
    """
    n, groups = _lp_network(scenario, inputs, index)
    options = {"log_to_console": False, **(solver_options or {})}
    with _solver_output_off_stdout():
        n.optimize.optimize_with_rolling_horizon(
            horizon=horizon,
            overlap=overlap,
            solver_name="highs",
            extra_functionality=_extra_functionality(scenario, inputs, index, groups),
            include_objective_constant=False,
            io_api="direct",
            progress=False,
            **options,
        )
    if n.generators_t.p.isna().any().any():
        msg = f"rolling-horizon LP for {scenario.name!r} left hours unsolved (a window failed)"
        raise SolverError(msg)
    return _to_result(n, scenario, inputs, index, groups)


def solve_lp(
    scenario: Scenario,
    inputs: KernelInputs,
    index: PackIndex,
    solver_options: dict | None = None,
    aggregate: bool = True,
) -> tuple[DispatchResult, pypsa.Network]:
    """Solve the dispatch LP and return it in the kernel's layout.

    Parameters
    ----------
    scenario : Scenario
        Validated scenario.
    inputs, index : KernelInputs, PackIndex
        The packed scenario (shared with the kernel: same demand, schedules, availability).
    solver_options : dict, optional
        Passed to HiGHS (e.g. ``{"threads": 1}``).
    aggregate : bool, default True
        Solve with the generators of a bus that share kind and cost merged
        (:func:`~energysim.network.generator_groups`): the same optimum, fewer variables.

    Returns
    -------
    DispatchResult, pypsa.Network
        Hourly dispatch, and the solved network (its generators are the groups when
        ``aggregate``).

    Raises
    ------
    SolverError
        If HiGHS does not end optimal (infeasible, unbounded, time limit, ...).
    """
    n, groups = _lp_network(scenario, inputs, index, aggregate)
    options = {**default_solver_options(len(index.snapshots)), **(solver_options or {})}
    with _solver_output_off_stdout():
        status, condition = n.optimize(
            solver_name="highs",
            extra_functionality=_extra_functionality(scenario, inputs, index, groups),
            include_objective_constant=False,
            io_api="direct",
            progress=False,
            **options,
        )
    if status != SolverStatus.OK or condition != "optimal":
        msg = (
            f"LP for scenario {scenario.name!r} ended with status {status!r}, condition "
            f"{condition!r}; expected 'ok'/'optimal'. An infeasible LP usually means must-run "
            "thermal or a flexible load's minimum cannot be met; check p_min_pu values."
        )
        raise SolverError(msg)
    return _to_result(n, scenario, inputs, index, groups), n


def _to_result(
    n: pypsa.Network,
    scenario: Scenario,
    inputs: KernelInputs,
    index: PackIndex,
    groups: list[GeneratorGroup],
) -> DispatchResult:
    out = allocate_result(inputs)
    gp = n.generators_t.p
    tier = dict(zip(index.thermal, index.thermal_tier, strict=True))
    names = index.generators
    for g in groups:
        p = gp[g.name].to_numpy()
        if g.kind == "thermal":
            out.thermal[:, tier[names[g.members[0]]], g.bus_index] += p
        else:
            out.curtail[:, g.bus_index] += index.gen_avail[:, list(g.members)].sum(axis=1) - p
    out.curtail[:] = np.maximum(out.curtail, 0.0)
    for b, bus in enumerate(index.buses):
        out.thermal_relief[:, b] = gp[component("thermal_relief", bus)].to_numpy()
        out.unserved[:, b] = gp[component("unserved", bus)].to_numpy()
        if component("demand_response", bus) in gp:
            out.dr_shed[:, b] = gp[component("demand_response", bus)].to_numpy()
        if component("demand_response_payback", bus) in gp:
            out.dr_payback[:, b] = gp[component("demand_response_payback", bus)].to_numpy()
    if scenario.demand_response.mode == "shift":
        out.dr_backlog_end[0] = float(out.dr_shed.sum() - out.dr_payback.sum())
    for name, b in zip(index.flexible_loads, index.flexible_bus, strict=True):
        out.flex_use[:, b] += gp[name].to_numpy()
    for s, name in enumerate(index.storage):
        out.st_charge[:, s] = n.storage_units_t.p_store[name].to_numpy()
        out.st_discharge[:, s] = n.storage_units_t.p_dispatch[name].to_numpy()
        out.st_soc[:, s] = n.storage_units_t.state_of_charge[name].to_numpy()
    lp = n.links_t.p0
    for li, name in enumerate(index.lines):
        eff = scenario.lines[name].efficiency
        fwd = lp[name].to_numpy()
        rev = lp[component("reverse", name)].to_numpy()
        out.line_p0[:, li] = fwd - rev * eff
        out.line_p1[:, li] = rev - fwd * eff
    for c, name in enumerate(index.corridors):
        out.corr_flow[:, c] = lp[name].to_numpy()
        short = gp[component("shortfall", name)].to_numpy() / scenario.corridors[name].efficiency
        out.corr_short[:, c] = short
    out.reserve_short[:] = reserve_shortfall(out, inputs)
    return out
