"""Runtime invariants of a dispatch: energy balance, bounds (thermal within its available
capacity, reserve shortfall within the requirement, surplus export within the market limits),
state-of-charge continuity.

Kept apart from input validation: these check the engines, not the user. They run after every
simulation when ``ENERGYSIM_DEBUG_GUARDS=1`` (the test suite sets it) and are called directly by
the invariant tests.
"""

from __future__ import annotations

import logging

import numpy as np
import xarray as xr

from energysim.exceptions import KernelError
from energysim.kernel import DispatchResult, KernelInputs

logger = logging.getLogger(__name__)

__all__ = ["BALANCE_TOL_MW", "bus_balance", "check_invariants"]

BALANCE_TOL_MW = 1e-6
"""Largest allowed per-bus hourly energy-balance residual, MW."""
BOUND_TOL = 1e-6


def bus_balance(result: DispatchResult, inputs: KernelInputs) -> np.ndarray:
    """Residual of the energy balance at every bus and hour (T, B), MW; zero when balanced.

    supply (zero-cost used + thermal - relief + storage discharge + shed + unserved + imports)
    minus use (demand + paybacks + flexible loads + storage charge + corridor sending).
    """
    bal = (
        inputs.zero_cost_avail - result.curtail + result.thermal.sum(axis=1) - result.thermal_relief
    )
    bal = bal - inputs.demand + result.dr_shed - result.dr_payback - result.flex_use
    bal = bal + result.unserved
    for s, b in enumerate(inputs.st_bus):
        bal[:, b] += result.st_discharge[:, s] - result.st_charge[:, s]
    for c, b in enumerate(inputs.corr_bus):
        bal[:, b] -= result.corr_flow[:, c]
    nb = inputs.demand.shape[1]
    for b in range(nb):
        li = inputs.parent_line[b]
        if li < 0:
            continue
        p = inputs.parent[b]
        child_w = result.line_p0[:, li] if inputs.child_is_bus0[b] else result.line_p1[:, li]
        parent_w = result.line_p1[:, li] if inputs.child_is_bus0[b] else result.line_p0[:, li]
        bal[:, b] -= child_w
        bal[:, p] -= parent_w
    return bal


def _fail(what: str, where: tuple, value: float) -> None:
    msg = f"invariant violated: {what} at index {where} (value {value:.6g})"
    raise KernelError(msg)


def _check_between(
    name: str, x: np.ndarray, lo: np.ndarray | float, hi: np.ndarray | float
) -> None:
    lo_arr = np.broadcast_to(lo, x.shape)
    hi_arr = np.broadcast_to(hi, x.shape)
    bad = (x < lo_arr - BOUND_TOL) | (x > hi_arr + BOUND_TOL)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        _fail(f"{name} outside its bounds", where, float(x[where]))


def check_invariants(
    ds: xr.Dataset | None,
    result: DispatchResult,
    inputs: KernelInputs,
    simultaneous_ok: bool = False,
    balance_tol: float = BALANCE_TOL_MW,
) -> None:
    """Raise :class:`KernelError` if a dispatch breaks an invariant.

    Parameters
    ----------
    ds : xarray.Dataset or None
        The results Dataset (checked for non-negative annual figures when given).
    result, inputs : DispatchResult, KernelInputs
        The dispatch and its packed inputs.
    simultaneous_ok : bool, default False
        Allow a storage unit to charge and discharge in the same hour (LP solutions may).
    balance_tol : float, default BALANCE_TOL_MW
        Largest allowed balance residual, MW (LP solutions carry the solver's tolerance).
    """
    bal = bus_balance(result, inputs)
    worst = np.abs(bal).max() if bal.size else 0.0
    if worst > balance_tol:
        where = tuple(int(i) for i in np.unravel_index(np.abs(bal).argmax(), bal.shape))
        _fail("energy balance", where, float(bal[where]))
    _check_between("curtailment", result.curtail, 0.0, inputs.zero_cost_avail)
    _check_between("thermal output", result.thermal, inputs.th_must, inputs.th_avail)
    _check_between("reserve shortfall", result.reserve_short, 0.0, inputs.reserve_req)
    _check_between("thermal relief", result.thermal_relief, 0.0, inputs.th_must.sum(axis=1))
    _check_between("storage charge", result.st_charge, 0.0, inputs.st_p)
    _check_between("storage discharge", result.st_discharge, 0.0, inputs.st_p)
    _check_between("state of charge", result.st_soc, inputs.st_soc_min * 0.0, inputs.st_soc_max)
    _check_between("flexible load", result.flex_use, inputs.flex_min, inputs.flex_max)
    _check_between("corridor sending", result.corr_flow, 0.0, inputs.corr_cap)
    _check_between("corridor shortfall", result.corr_short, 0.0, inputs.schedule)
    # surplus above the schedule only within the market's share of the headroom and its budget
    above = result.corr_flow - (inputs.schedule - result.corr_short)
    _check_between(
        "corridor sending above schedule",
        above,
        0.0,
        np.maximum(inputs.corr_cap - inputs.schedule, 0.0) * inputs.corr_surplus_pu,
    )
    _check_between(
        "corridor surplus energy",
        np.maximum(above, 0.0).sum(axis=0),
        0.0,
        inputs.corr_surplus_budget * (1 + 1e-9) + 1e-6,
    )
    _check_between("unserved energy", result.unserved, 0.0, np.inf)
    _check_between("demand response", result.dr_shed, 0.0, inputs.dr_cap)
    if inputs.dr_shift == 0:
        _check_between("DR energy", np.array([result.dr_shed.sum()]), 0.0, inputs.dr_energy + 1e-3)
    # line sending within the rating in each direction: p0 > 0 sends from bus0, p1 > 0 from bus1
    _check_between("line flow at bus0", result.line_p0, -inputs.line_cap, inputs.line_cap)
    _check_between("line flow at bus1", result.line_p1, -inputs.line_cap, inputs.line_cap)
    _check_between("line losses", result.line_p0 + result.line_p1, 0.0, np.inf)
    # state of charge continuity
    ns = inputs.st_p.shape[0]
    if ns:
        prev = np.vstack([inputs.st_soc0[None, :], result.st_soc[:-1]])
        expected = (
            prev * (1 - inputs.st_loss)
            + result.st_charge * inputs.st_eff_in
            - result.st_discharge / inputs.st_eff_out
        )
        gap = np.abs(expected - result.st_soc)
        if gap.max() > 1e-5 * max(1.0, float(inputs.st_e.max())):
            where = tuple(int(i) for i in np.unravel_index(gap.argmax(), gap.shape))
            _fail("state-of-charge continuity", where, float(gap[where]))
        _check_between("state of charge floor", result.st_soc, inputs.st_soc_min, np.inf)
        if not simultaneous_ok:
            both = (result.st_charge > BOUND_TOL) & (result.st_discharge > BOUND_TOL)
            if both.any():
                where = tuple(int(i) for i in np.argwhere(both)[0])
                _fail("simultaneous charge and discharge", where, float(result.st_charge[where]))
    if ds is not None:
        for name in ("new_energy_used_TWh", "export_TWh", "consumption_TWh", "unserved_MWh"):
            if float(ds[name]) < -1e-9:
                _fail(f"negative annual figure {name}", (), float(ds[name]))
