"""The hourly dispatch kernel: a full year of the whole network in one pass over the hours.

This module holds plain-Python functions written in the subset numba compiles (loops over
contiguous arrays, scalar state, outputs preallocated by the caller, no allocation inside the hour
loop, no pandas, no validation, no logging). :mod:`energysim.kernel._jit` compiles them lazily;
``dispatch_year.py_func`` style use without JIT works too and is exercised by the tests.

Operating rules, applied in this order in every hour (see ``docs/kernel.md``):

1. Base match: zero-cost supply (wind, solar, CSP, hydro) plus must-run thermal (minimum stable
   load; CHP floor in the heating season) meets demand, the flexible loads' minimum, DR paybacks
   that fall due and the corridors' scheduled sending, across the backbone within line limits and
   with line losses.
2. Surplus, in priority order, each step again across the backbone with the capacity left:
   DR paybacks (shift mode), storage charging (leaving free the room kept for the surplus the
   pre-pass expects at its bus before the storage could empty, ``st_room``), flexible loads above their
   minimum, corridor sending above schedule (``flexible_export``), storage charging into the
   room kept free. What is left is curtailed, zero-cost supply first; must-run thermal is
   reduced below its floor only if nothing else can give way.
3. Deficit, in priority order: storage discharge down to the share held for shortfalls
   expected within the next day, thermal tiers in merit order (cheapest first) up to their
   available capacity less the upward reserve storage does not hold, storage down to its
   minimum, the reserve given up (thermal up to its available capacity), demand response
   (within its annual energy budget; an hour whose pre-pass shortfall is below the rationing
   threshold may use only the budget not kept for the tighter hours ahead), then cuts of the corridor schedules (the power freed serves the short
   bus over the backbone), then unserved energy.
4. Storage positioning. Make room: in an hour that cut nothing and expects no shortfall within
   the next day, storage above the room kept free at its bus discharges into the flexible
   loads' and then the surplus market's headroom left. Pre-charge: when no unit discharged,
   storage below the share held for the next day charges from thermal headroom the reserve does
   not need, up to that share (and not into the room kept free).
5. The reserve held (thermal headroom plus storage discharge headroom) is compared with the
   requirement; what is missing is recorded in ``reserve_short``. An hour that cut load or
   exports (DR, export cuts, unserved energy) holds none: it has spent all reserve that could
   reach its short buses.

The backbone is a forest. One transport step moves supply to demand on it exactly: a leaves-up
pass nets each subtree and sends the net over the line to the parent within its remaining
capacity (losses on arrival); a root-down pass returns what could not be used to the child it
came from, which minimises line losses.
"""

from __future__ import annotations

import numpy as np

from energysim.kernel._jit import jit, jit_inline

__all__ = ["N_WORK", "dispatch_year", "transport"]

EPS = 1e-9
"""Amounts below this (MW) are treated as zero when deciding whether a step has work to do."""


# rows of the float scratch array ``work`` shared by the kernel and its helpers
SUP, WANT, NET, USED, SERVED, SURPLUS, DEFICIT = 0, 1, 2, 3, 4, 5, 6
CAP_UP, CAP_DN, SENT_UP, SENT_DN, FLOW, EFF, SCHED_BUS = 7, 8, 9, 10, 11, 12, 13
SOC = 14  # (S) state of charge, MWh
ST_AVAIL = 15  # (S) power a storage unit offers or may take in the current stage, MW
CORR_HEAD = 16  # (C) corridor headroom open to surplus in the hour, MW
RING = 17  # (window + 1) DR paybacks falling due, by slot, MWh
MUST_BUS = 18  # (B) must-run thermal output, MW
FORCED_BUS = 19  # (B) DR paybacks falling due now, MW
ST_BUSY = 20  # (S) 1 if the unit charged this hour (it may not discharge)
CAP0 = 21  # (B) rating of each bus's line to its parent, MW
CORR_BUDGET = 22  # (C) energy left in the corridor's annual surplus budget, MWh
BLOCKED = 23  # (B) 1: supply left at the bus cannot reach unmet demand (see _stage_supply)
WANT_BLOCKED = 24  # (B) 1: no surplus left can reach the bus (see _stage_absorb)
# rows of the int array ``tree`` (built by pack): buses leaves-first, parent, children in CSR
T_ORDER, T_PARENT, T_CHILD_PTR, T_CHILDREN = 0, 1, 2, 3


@jit
def transport(w, tree, nb, s_row, d_row):
    """Move supply to demand over the backbone forest; fill ``w[NET]``.

    The helpers take the scratch array and row numbers rather than many separate arrays: numba
    increments and decrements the reference count of every array argument on each call, which made
    the year several times slower with a many-array signature (measured on plan-2030).

    Parameters
    ----------
    w : ndarray (N_WORK, width)
        Scratch rows: ``w[s_row]`` offered and ``w[d_row]`` wanted power at each bus, MW (>= 0);
        ``w[EFF]`` efficiency of each bus's line to its parent; ``w[CAP_UP]``/``w[CAP_DN]``
        remaining sending capacity towards / from the parent (reduced in place);
        ``w[SENT_UP]``/``w[SENT_DN]`` power sent in this hour (increased in place); ``w[FLOW]``
        scratch; ``w[NET]`` output: > 0 unused supply, < 0 unmet demand at the bus, MW. The
        unused supply never exceeds the bus's own supply, the unmet demand never its own demand.
    tree : ndarray of int64 (4, B + 1)
        Built by :func:`energysim.kernel.pack.backbone_tree`: ``tree[T_ORDER]`` buses leaves-first, ``tree[T_PARENT]`` parent (-1 for roots),
        ``tree[T_CHILD_PTR]``/``tree[T_CHILDREN]`` children in CSR form.
    nb : int
        Number of buses.
    s_row, d_row : int
        Rows of ``w`` holding supply and demand.

    Bus numbers are cast to unsigned before indexing: numba then leaves out the wrap-around
    handling of negative indices, which sat on the chain of dependent loads of both passes
    (~15 % of the step on plan-2030, measured by replaying a year's steps).
    """
    hi = 0.0  # largest and smallest net: some bus with supply iff hi > EPS, demand iff lo < -EPS
    lo = 0.0
    for b in range(nb):
        x = w[s_row, b] - w[d_row, b]
        w[NET, b] = x
        w[FLOW, b] = 0.0
        hi = max(hi, x)
        lo = min(lo, x)
    if not (hi > EPS and lo < -EPS):
        # supply only or demand only: whatever is sent up comes back, so every bus keeps its net
        # and no line carries anything (the passes below would give the same to rounding)
        return
    for i in range(nb):
        b = np.uint64(tree[T_ORDER, i])
        ps = tree[T_PARENT, b]
        if ps < 0:
            continue
        p = np.uint64(ps)
        x = w[NET, b]
        if x > EPS:
            f = min(x, w[CAP_UP, b])
            w[FLOW, b] = f
            w[NET, b] = x - f
            w[NET, p] += f * w[EFF, b]
        elif x < -EPS:
            y = min(-x / w[EFF, b], w[CAP_DN, b])
            w[FLOW, b] = -y
            w[NET, b] = x + y * w[EFF, b]
            w[NET, p] -= y
    for i in range(nb - 1, -1, -1):
        b = np.uint64(tree[T_ORDER, i])
        # the parent, visited before, has settled this bus's flow: book it on the line
        f = w[FLOW, b]
        if f > 0.0:
            w[CAP_UP, b] -= f
            w[SENT_UP, b] += f
        elif f < 0.0:
            w[CAP_DN, b] += f
            w[SENT_DN, b] -= f
        r = w[NET, b]
        if r > EPS:
            for j in range(tree[T_CHILD_PTR, b], tree[T_CHILD_PTR, b + np.uint64(1)]):
                c = np.uint64(tree[T_CHILDREN, j])
                if w[FLOW, c] > 0.0:
                    back = min(w[FLOW, c] * w[EFF, c], r)
                    sent = back / w[EFF, c]
                    w[FLOW, c] -= sent
                    w[NET, c] += sent
                    r -= back
                    if r <= EPS:
                        break
        elif r < -EPS:
            for j in range(tree[T_CHILD_PTR, b], tree[T_CHILD_PTR, b + np.uint64(1)]):
                c = np.uint64(tree[T_CHILDREN, j])
                if w[FLOW, c] < 0.0:
                    less = min(-w[FLOW, c], -r)
                    w[FLOW, c] += less
                    w[NET, c] -= less * w[EFF, c]
                    r += less
                    if r >= -EPS:
                        break
        w[NET, b] = r


N_WORK = 25
"""Rows of the scratch array ``work`` the kernel needs."""


@jit
def dispatch_year(
    demand,
    zero_cost_avail,
    ne_avail,
    th_must,
    th_avail,
    schedule,
    storage_reserve,
    st_room,
    reserve_req,
    net_short,
    dr_keep,
    corr_surplus_pu,
    th_max,
    order,
    parent,
    parent_line,
    child_is_bus0,
    tree,
    line_cap,
    line_eff,
    st_bus,
    st_p,
    st_e,
    st_eff_in,
    st_eff_out,
    st_loss,
    st_soc0,
    st_soc_min,
    st_soc_max,
    flex_min,
    flex_max,
    corr_bus,
    corr_cap,
    corr_surplus_budget,
    dr_cap,
    dr_energy,
    dr_threshold,
    dr_shift,
    dr_window,
    # outputs, preallocated by the caller (any contents: every element is written)
    curtail,
    thermal,
    thermal_relief,
    st_charge,
    st_discharge,
    st_soc,
    flex_use,
    corr_flow,
    corr_short,
    dr_shed,
    dr_payback,
    line_p0,
    line_p1,
    unserved,
    reserve_short,
    dr_backlog_end,
    work,
):
    """Dispatch every hour of the year; fill the output arrays in place.

    Inputs are the fields of :class:`energysim.kernel.pack.KernelInputs` in order. The kernel
    writes every element of every output (an hour's rows are set in its set-up), so reused
    outputs need no zeroing; their contents on entry do not matter.
    Outputs (MW unless stated; T hours, B buses, K tiers, S storage units, C corridors, L lines):
    ``curtail`` (T, B) zero-cost supply curtailed; ``thermal`` (T, K, B) thermal output;
    ``thermal_relief`` (T, B) must-run output that nothing could absorb (dumped; ``thermal`` stays
    at the floor); ``st_charge``, ``st_discharge``
    (T, S) storage power drawn / delivered at the bus; ``st_soc`` (T, S) state of charge at the
    end of the hour, MWh; ``flex_use`` (T, B) flexible-load consumption; ``corr_flow`` (T, C)
    corridor sending; ``corr_short`` (T, C) schedule not sent; ``dr_shed`` (T, B) load shed by
    demand response; ``dr_payback`` (T, B) shed load served later; ``line_p0``, ``line_p1``
    (T, L) power withdrawn from bus0 / bus1 (PyPSA Link sign convention, losses = p0 + p1);
    ``unserved`` (T, B); ``reserve_short`` (T,) upward reserve requirement not held;
    ``dr_backlog_end`` (1,) shifted load never paid back, MWh; ``work`` (N_WORK, max(B + 1, S,
    C, window + 1)) scratch, rows named by the constants at the top of this module.
    """
    nt = demand.shape[0]
    nb = demand.shape[1]
    nk = th_max.shape[0]
    ns = st_p.shape[0]
    nc = corr_cap.shape[0]

    # scratch rows (no allocation in the hour loop)
    supply = work[SUP]
    want = work[WANT]
    net = work[NET]
    used = work[USED]
    served = work[SERVED]
    surplus = work[SURPLUS]
    deficit = work[DEFICIT]
    cap_up = work[CAP_UP]
    cap_dn = work[CAP_DN]
    sent_up = work[SENT_UP]
    sent_dn = work[SENT_DN]
    eff = work[EFF]
    sched_bus = work[SCHED_BUS]
    soc = work[SOC]
    st_avail = work[ST_AVAIL]
    corr_head = work[CORR_HEAD]
    ring = work[RING]
    must_bus = work[MUST_BUS]
    forced_bus = work[FORCED_BUS]
    st_busy = work[ST_BUSY]
    corr_budget = work[CORR_BUDGET]
    for c in range(nc):
        corr_budget[c] = corr_surplus_budget[c]

    dr_total = 0.0
    for b in range(nb):
        dr_total += dr_cap[b]
    dr_left = dr_energy
    window_slots = dr_window + 1
    for i in range(ring.shape[0]):
        ring[i] = 0.0
    backlog = 0.0

    # unsigned copies of the index arrays (once per year): numba indexes with unsigned values
    # without the wrap-around handling of negative indices
    st_bus_u = st_bus.astype(np.uint64)
    corr_bus_u = corr_bus.astype(np.uint64)
    line_of = np.maximum(parent_line, 0).astype(np.uint64)  # read only where parent >= 0
    for s in range(ns):
        soc[s] = st_soc0[s]
    flex_room = 0.0  # flexible-load power above the minimum, all buses
    for b in range(nb):
        flex_room += flex_max[b] - flex_min[b]

    # line capacity and efficiency towards each bus's parent (static over the year)
    cap0 = work[CAP0]
    for b in range(nb):
        if parent[b] >= 0:
            li = line_of[b]
            cap0[b] = line_cap[li]
            eff[b] = line_eff[li]
        else:
            cap0[b] = 0.0
            eff[b] = 1.0

    for t in range(nt):
        # ---- hour set-up ------------------------------------------------------------------
        for b in range(nb):
            cap_up[b] = cap0[b]
            cap_dn[b] = cap0[b]
            sent_up[b] = 0.0
            sent_dn[b] = 0.0
            sched_bus[b] = 0.0
            must_bus[b] = 0.0
            flex_use[t, b] = flex_min[b]
            # every output element of the hour is written here or below: no zeroed outputs
            # needed (a separate pass zeroing the 17 MB cost ~8 % of a plan-2030 run)
            curtail[t, b] = 0.0
            thermal_relief[t, b] = 0.0
            dr_shed[t, b] = 0.0
            dr_payback[t, b] = 0.0
            unserved[t, b] = 0.0
        reserve_short[t] = 0.0
        for k in range(nk):
            for b in range(nb):
                m = th_must[t, k, b]
                must_bus[b] += m
                thermal[t, k, b] = m
        for c in range(nc):
            sched_bus[corr_bus_u[c]] += schedule[t, c]
            corr_flow[t, c] = schedule[t, c]
            corr_short[t, c] = 0.0
        for s in range(ns):
            soc[s] = soc[s] * (1.0 - st_loss[s])
            st_busy[s] = 0.0
            st_charge[t, s] = 0.0
            st_discharge[t, s] = 0.0

        # DR paybacks falling due now (shift mode) are served like demand
        slot = t % window_slots
        forced = ring[slot] if dr_shift == 1 else 0.0
        ring[slot] = 0.0
        backlog -= forced
        if forced > 0.0 and dr_total > 0.0:
            for b in range(nb):
                forced_bus[b] = forced * dr_cap[b] / dr_total
                dr_payback[t, b] = forced_bus[b]
        else:
            for b in range(nb):
                forced_bus[b] = 0.0

        given_up = False  # the hour cut load or exports (step 3e onwards)
        discharged = False  # a storage unit discharged in the hour (steps 3a, 3c)

        # ---- 1. base match ----------------------------------------------------------------
        for b in range(nb):
            supply[b] = zero_cost_avail[t, b] + must_bus[b]
            want[b] = demand[t, b] + flex_min[b] + sched_bus[b] + forced_bus[b]
        transport(work, tree, nb, SUP, WANT)
        any_surplus = False
        any_deficit = False
        surplus_left = 0.0
        deficit_left = 0.0
        for b in range(nb):
            surplus[b] = max(net[b], 0.0)
            deficit[b] = max(-net[b], 0.0)
            surplus_left += surplus[b]
            deficit_left += deficit[b]
            # the base match is maximal: a bus left with surplus cannot reach any bus left
            # short and the reverse; later steps only use up line capacity, surplus and deficit
            work[BLOCKED, b] = 0.0
            work[WANT_BLOCKED, b] = 0.0
            if surplus[b] > EPS:
                any_surplus = True
                work[BLOCKED, b] = 1.0
            if deficit[b] > EPS:
                any_deficit = True
                work[WANT_BLOCKED, b] = 1.0

        # ---- 2. surplus -------------------------------------------------------------------
        if any_surplus:
            # 2a. DR paybacks ahead of time, oldest first
            if dr_shift == 1 and backlog > EPS:
                wanted = 0.0
                for b in range(nb):
                    want[b] = min(dr_cap[b], backlog * dr_cap[b] / dr_total) - forced_bus[b]
                    want[b] = max(want[b], 0.0)
                    wanted += want[b]
                surplus_left = _stage_absorb(work, tree, nb, WANT, wanted, surplus_left)
                paid = 0.0
                for b in range(nb):
                    dr_payback[t, b] += served[b]
                    paid += served[b]
                backlog -= paid
                for j in range(1, window_slots):
                    if paid <= 0.0:
                        break
                    k = (t + j) % window_slots
                    take = min(ring[k], paid)
                    ring[k] -= take
                    paid -= take
            # 2b. storage charging, leaving free the room kept for the surplus expected at its
            # bus (not below the share held for the next day's shortfalls)
            room_kept = False  # some unit stopped at the room kept free could take more
            if ns > 0 and surplus_left > EPS:
                for b in range(nb):
                    want[b] = 0.0
                wanted = 0.0
                for s in range(ns):
                    top = st_soc_max[s]
                    r = st_room[t, st_bus_u[s]]
                    if r > 0.0:
                        top = min(max(top * (1.0 - r), storage_reserve[t] * st_e[s]), top)
                    head = min(st_p[s], (top - soc[s]) / st_eff_in[s])
                    st_avail[s] = max(head, 0.0)
                    want[st_bus_u[s]] += st_avail[s]
                    wanted += st_avail[s]
                surplus_left = _stage_absorb(work, tree, nb, WANT, wanted, surplus_left)
                for s in range(ns):
                    b = st_bus_u[s]
                    if want[b] > 0.0 and st_avail[s] > 0.0:
                        p = served[b] * st_avail[s] / want[b]
                        if p > EPS:  # float residue of the transport is not a charge
                            st_charge[t, s] = p
                            soc[s] += p * st_eff_in[s]
                            st_busy[s] = 1.0
                    if st_room[t, b] > 0.0 and not room_kept:
                        room_kept = min(st_p[s] - st_charge[t, s], st_soc_max[s] - soc[s]) > EPS
            # 2c. flexible loads above their minimum
            if flex_room > EPS and surplus_left > EPS:
                for b in range(nb):
                    want[b] = flex_max[b] - flex_min[b]
                surplus_left = _stage_absorb(work, tree, nb, WANT, flex_room, surplus_left)
                for b in range(nb):
                    flex_use[t, b] += served[b]
            # 2d. corridor sending above schedule
            if nc > 0 and surplus_left > EPS:
                for b in range(nb):
                    want[b] = 0.0
                wanted = 0.0
                for c in range(nc):
                    h = (corr_cap[c] - schedule[t, c]) * corr_surplus_pu[t, c]
                    corr_head[c] = max(min(h, corr_budget[c]), 0.0)
                    want[corr_bus_u[c]] += corr_head[c]
                    wanted += corr_head[c]
                surplus_left = _stage_absorb(work, tree, nb, WANT, wanted, surplus_left)
                for c in range(nc):
                    b = corr_bus_u[c]
                    if want[b] > 0.0 and corr_head[c] > 0.0:
                        extra = served[b] * corr_head[c] / want[b]
                        corr_flow[t, c] += extra
                        corr_budget[c] -= extra
            # 2e. storage charging into the room kept free (surplus the flexible loads and the
            # corridors did not take), then curtail what is left: zero-cost supply first, then
            # must-run below its floor
            if room_kept and surplus_left > EPS:
                # at the bus itself (no transport: the room is local, and the lines are full
                # in the hours this matters)
                for b in range(nb):
                    want[b] = 0.0
                for s in range(ns):
                    b = st_bus_u[s]
                    st_avail[s] = 0.0
                    if surplus[b] > EPS:
                        head = min(
                            st_p[s] - st_charge[t, s], (st_soc_max[s] - soc[s]) / st_eff_in[s]
                        )
                        st_avail[s] = max(head, 0.0)
                        want[b] += st_avail[s]
                for s in range(ns):
                    b = st_bus_u[s]
                    if st_avail[s] > 0.0:
                        p = min(surplus[b], want[b]) * st_avail[s] / want[b]
                        if p > EPS:
                            st_charge[t, s] += p
                            soc[s] += p * st_eff_in[s]
                            st_busy[s] = 1.0
                for b in range(nb):
                    if want[b] > 0.0:
                        surplus[b] = max(surplus[b] - want[b], 0.0)
            for b in range(nb):
                x = surplus[b]
                if x > 0.0:
                    cut = min(x, zero_cost_avail[t, b])
                    curtail[t, b] = cut
                    x -= cut
                    if x > 0.0:
                        thermal_relief[t, b] = x

        # ---- 3. deficit -------------------------------------------------------------------
        if any_deficit:
            # 3a. storage down to the reserve
            if ns > 0:
                offered = _storage_supply(
                    soc,
                    st_bus_u,
                    st_p,
                    st_e,
                    st_eff_out,
                    st_soc_min,
                    storage_reserve[t],
                    st_busy,
                    st_avail,
                    supply,
                    nb,
                )
                deficit_left = _stage_supply(work, tree, nb, SUP, offered, deficit_left)
                discharged |= _storage_discharge(
                    t, soc, st_bus_u, st_eff_out, st_avail, supply, used, st_discharge, ns
                )
            # 3b. thermal tiers in merit order, up to available capacity less the reserve
            # that storage does not hold
            held_back = False  # whether 3b held thermal back for the reserve
            if nk > 0 and deficit_left > EPS:
                held = reserve_req[t] - _storage_headroom(
                    t, soc, st_p, st_soc_min, st_eff_out, st_discharge, ns
                )
                allowed = np.inf
                if held > 0.0:
                    allowed = _thermal_headroom(t, th_avail, thermal, nk, nb) - held
                    held_back = True
                deficit_left = _thermal_stage(
                    work, tree, nb, nk, t, th_avail, thermal, allowed, deficit_left
                )
            # 3c. storage down to its minimum
            if ns > 0 and deficit_left > EPS:
                _storage_supply(
                    soc,
                    st_bus_u,
                    st_p,
                    st_e,
                    st_eff_out,
                    st_soc_min,
                    0.0,
                    st_busy,
                    st_avail,
                    supply,
                    nb,
                )
                for s in range(ns):
                    # a unit that discharged in 3a may discharge further up to its rating
                    st_avail[s] = min(st_avail[s], st_p[s] - st_discharge[t, s])
                    st_avail[s] = max(st_avail[s], 0.0)
                for b in range(nb):
                    supply[b] = 0.0
                offered = 0.0
                for s in range(ns):
                    supply[st_bus_u[s]] += st_avail[s]
                    offered += st_avail[s]
                deficit_left = _stage_supply(work, tree, nb, SUP, offered, deficit_left)
                discharged |= _storage_discharge(
                    t, soc, st_bus_u, st_eff_out, st_avail, supply, used, st_discharge, ns
                )
            # 3d. the reserve is given up before load or export schedules are cut. Only if 3b
            # held thermal back for it: otherwise each tier has already offered all its
            # headroom, a transport step leaves no supply that could still reach an unmet
            # demand, and 3c only used up line capacity and deficit, so the tiers would move
            # nothing (on plan-2030 this skips ~9 300 transport steps a year)
            if nk > 0 and deficit_left > EPS and held_back:
                deficit_left = _thermal_stage(
                    work, tree, nb, nk, t, th_avail, thermal, np.inf, deficit_left
                )
            # load or exports are cut below: the reserve that could reach the short buses is
            # spent, what headroom is left cannot reach them, so none is counted as held
            given_up = deficit_left > EPS
            # 3e. demand response within its energy budget; below the rationing threshold only
            # the budget not kept for the tight hours ahead
            budget = dr_left
            if net_short[t] < dr_threshold:
                budget = dr_left - dr_keep[t]
            if dr_total > 0.0 and budget > EPS and deficit_left > EPS:
                scale = min(1.0, budget / dr_total)
                offered = 0.0
                for b in range(nb):
                    supply[b] = max(dr_cap[b] * scale - forced_bus[b], 0.0)
                    offered += supply[b]
                deficit_left = _stage_supply(work, tree, nb, SUP, offered, deficit_left)
                shed = 0.0
                for b in range(nb):
                    dr_shed[t, b] = used[b]
                    shed += used[b]
                dr_left -= shed
                if dr_shift == 1 and shed > 0.0:
                    ring[(t + dr_window) % window_slots] += shed
                    backlog += shed
            # 3f. cut corridor schedules (the power freed may serve any bus), then unserved
            if nc > 0 and deficit_left > EPS:
                offered = _total(work, SCHED_BUS, nb)
                deficit_left = _stage_supply(work, tree, nb, SCHED_BUS, offered, deficit_left)
                for c in range(nc):
                    b = corr_bus_u[c]
                    if used[b] > 0.0 and schedule[t, c] > 0.0:
                        part = used[b] * schedule[t, c] / sched_bus[b]
                        corr_short[t, c] = part
                        corr_flow[t, c] -= part
            if deficit_left > EPS:
                for b in range(nb):
                    if deficit[b] > EPS:
                        unserved[t, b] = deficit[b]

        # ---- 4. make room: when no shortfall is expected within the next day (storage
        # reserve 0) and nothing was cut, storage above the room kept free for the surplus
        # expected at its bus serves the flexible loads' headroom left, then the surplus
        # market's ------------------------------------------------------------------------
        if ns > 0 and not given_up and storage_reserve[t] <= 0.0:
            offered = _storage_room_supply(
                t, soc, st_bus_u, st_p, st_soc_min, st_soc_max, st_eff_out, st_room, st_busy,
                st_avail, supply, nb,
            )  # fmt: skip
            if offered > EPS:
                offered = _cap_by_rating(t, st_bus_u, st_p, st_discharge, st_avail, supply, nb)
            if offered > EPS:
                wanted = 0.0
                for b in range(nb):
                    # flexible loads' headroom first at each bus (``deficit`` is free here)
                    deficit[b] = flex_max[b] - flex_use[t, b]
                    want[b] = deficit[b]
                    wanted += want[b]
                for c in range(nc):
                    h = (corr_cap[c] - schedule[t, c]) * corr_surplus_pu[t, c]
                    h = min(h - (corr_flow[t, c] - schedule[t, c]), corr_budget[c])
                    corr_head[c] = max(h, 0.0)
                    want[corr_bus_u[c]] += corr_head[c]
                    wanted += corr_head[c]
                if wanted > EPS:
                    transport(work, tree, nb, SUP, WANT)
                    for b in range(nb):
                        used[b], served[b] = _split(net[b], supply[b], want[b])
                    discharged |= _storage_discharge(
                        t, soc, st_bus_u, st_eff_out, st_avail, supply, used, st_discharge, ns
                    )
                    for b in range(nb):
                        f = min(served[b], deficit[b])
                        flex_use[t, b] += f
                        want[b] -= deficit[b]
                        served[b] -= f
                    for c in range(nc):
                        b = corr_bus_u[c]
                        if want[b] > 0.0 and corr_head[c] > 0.0:
                            extra = served[b] * corr_head[c] / want[b]
                            corr_flow[t, c] += extra
                            corr_budget[c] -= extra

        # ---- 4. pre-charge: storage below the share held for the next day's expected
        # shortfalls charges from thermal headroom the reserve does not need ---------------
        if ns > 0 and nk > 0 and storage_reserve[t] > 0.0 and not discharged:
            room = 0.0  # what the units could take up to their target (as _precharge computes)
            for s in range(ns):
                goal = min(
                    storage_reserve[t] * st_e[s], st_soc_max[s] * (1.0 - st_room[t, st_bus_u[s]])
                )
                room += max(min(st_p[s] - st_charge[t, s], (goal - soc[s]) / st_eff_in[s]), 0.0)
            if room > EPS:
                held = reserve_req[t] - _storage_headroom(
                    t, soc, st_p, st_soc_min, st_eff_out, st_discharge, ns
                )
                allowed = _thermal_headroom(t, th_avail, thermal, nk, nb) - max(held, 0.0)
                if allowed > EPS:
                    _precharge(
                        work, tree, nb, nk, ns, t, th_avail, thermal, allowed,
                        storage_reserve[t], st_room, st_bus_u, st_p, st_e, st_eff_in, st_soc_max,
                        st_charge,
                    )  # fmt: skip

        # ---- 5. reserve held at the end of the hour ---------------------------------------
        if given_up:
            reserve_short[t] = reserve_req[t]
        elif reserve_req[t] > 0.0:
            held = _thermal_headroom(t, th_avail, thermal, nk, nb) + _storage_headroom(
                t, soc, st_p, st_soc_min, st_eff_out, st_discharge, ns
            )
            if reserve_req[t] - held > EPS:
                reserve_short[t] = reserve_req[t] - held

        # ---- bookkeeping ------------------------------------------------------------------
        for s in range(ns):
            st_soc[t, s] = soc[s]
        for b in range(nb):
            if parent[b] >= 0:
                li = line_of[b]
                # child side withdraws sent_up and receives sent_dn * eff
                child_w = sent_up[b] - sent_dn[b] * eff[b]
                parent_w = sent_dn[b] - sent_up[b] * eff[b]
                if child_is_bus0[b] == 1:
                    line_p0[t, li] = child_w
                    line_p1[t, li] = parent_w
                else:
                    line_p0[t, li] = parent_w
                    line_p1[t, li] = child_w
    dr_backlog_end[0] = backlog


@jit
def _total(w, row, n):
    """Sum of ``w[row, :n]`` (a row index rather than a view: no reference counting)."""
    acc = 0.0
    for i in range(n):
        acc += w[row, i]
    return acc


@jit_inline
def _split(net, offered, wanted):
    """Split a bus's transport result ``net`` (> 0 unused supply, < 0 unmet demand, MW) into
    (supply used, demand served), MW, given what the bus offered and wanted."""
    if net > 0.0:
        return max(offered - net, 0.0), wanted
    return offered, max(wanted + net, 0.0)


@jit
def _stage_absorb(w, tree, nb, want_row, wanted, surplus_left):
    """Offer the remaining surplus (``w[SURPLUS]``) to ``w[want_row]``; fill ``w[SERVED]``.

    ``wanted`` and ``surplus_left`` are the totals of ``w[want_row]`` and ``w[SURPLUS]`` (MW),
    which the caller has at hand; returns the surplus left after the stage.

    The mirror of :func:`_stage_supply`'s skip: a bus that a surplus step of the hour (or the
    base match) left wanting (``w[WANT_BLOCKED]``) has no surplus of its own left and no line
    with capacity left on the way from any bus that has; wants only at such buses are skipped.
    """
    reach = False
    if wanted > EPS and surplus_left > EPS:
        for b in range(nb):
            if w[want_row, b] > 0.0 and w[WANT_BLOCKED, b] == 0.0:
                reach = True
                break
    if not reach:
        for b in range(nb):
            w[SERVED, b] = 0.0
        return surplus_left
    transport(w, tree, nb, SURPLUS, want_row)
    left = 0.0
    for b in range(nb):
        used, w[SERVED, b] = _split(w[NET, b], w[SURPLUS, b], w[want_row, b])
        w[SURPLUS, b] -= used
        left += w[SURPLUS, b]
        if w[NET, b] < -EPS:
            w[WANT_BLOCKED, b] = 1.0
    return left


@jit
def _stage_supply(w, tree, nb, s_row, offered, deficit_left):
    """Cover the remaining deficit (``w[DEFICIT]``) from ``w[s_row]``; fill ``w[USED]``.

    ``offered`` and ``deficit_left`` are the totals of ``w[s_row]`` and ``w[DEFICIT]`` (MW);
    returns the deficit left after the stage.

    A bus that a deficit step of the hour left with supply unused (``w[BLOCKED]``, reset at the
    start of the deficit) has no unmet demand of its own and no line with capacity left on the
    way to any bus that has: the transport step is maximal on the forest, and the later deficit
    steps only use up line capacity and deficit. Supply offered only at such buses therefore
    moves nothing, and the step is skipped (exactly; the transport would move at most float
    residues). On plan-2030 this skips most of the small thermal tiers after the large one.
    """
    reach = False
    if offered > EPS:
        for b in range(nb):
            if w[s_row, b] > 0.0 and w[BLOCKED, b] == 0.0:
                reach = True
                break
    if not reach:
        for b in range(nb):
            w[USED, b] = 0.0
        return deficit_left
    transport(w, tree, nb, s_row, DEFICIT)
    left = 0.0
    for b in range(nb):
        w[USED, b], served = _split(w[NET, b], w[s_row, b], w[DEFICIT, b])
        w[DEFICIT, b] = max(w[DEFICIT, b] - served, 0.0)
        left += w[DEFICIT, b]
        if w[NET, b] > EPS:
            w[BLOCKED, b] = 1.0
    return left


@jit
def _storage_supply(
    soc, st_bus, st_p, st_e, st_eff_out, st_soc_min, reserve, st_busy, st_avail, supply, nb
):
    """Discharge power each unit can give without going below max(soc_min, reserve share).

    Fills ``st_avail`` per unit and ``supply`` per bus; returns the total, MW.
    """
    for b in range(nb):
        supply[b] = 0.0
    total = 0.0
    for s in range(st_p.shape[0]):
        if st_busy[s] > 0.0:
            st_avail[s] = 0.0
            continue
        floor = max(st_soc_min[s], reserve * st_e[s])
        a = min(st_p[s], (soc[s] - floor) * st_eff_out[s])
        st_avail[s] = max(a, 0.0)
        supply[st_bus[s]] += st_avail[s]
        total += st_avail[s]
    return total


@jit_inline
def _storage_room_supply(
    t, soc, st_bus, st_p, st_soc_min, st_soc_max, st_eff_out, st_room, st_busy, st_avail, supply,
    nb,
):  # fmt: skip
    """Discharge power each unit can give down to the room kept free for the surplus expected
    at its bus: a state of charge of max(soc_min, soc_max x (1 - st_room[t, bus])).

    Fills ``st_avail`` per unit and ``supply`` per bus; returns the total, MW. Units that
    charged this hour offer nothing.
    """
    for b in range(nb):
        supply[b] = 0.0
    total = 0.0
    for s in range(st_p.shape[0]):
        r = st_room[t, st_bus[s]]
        if st_busy[s] > 0.0 or r <= 0.0:
            st_avail[s] = 0.0
            continue
        floor = max(st_soc_min[s], st_soc_max[s] * (1.0 - r))
        a = min(st_p[s], (soc[s] - floor) * st_eff_out[s])
        st_avail[s] = max(a, 0.0)
        supply[st_bus[s]] += st_avail[s]
        total += st_avail[s]
    return total


@jit_inline
def _cap_by_rating(t, st_bus, st_p, st_discharge, st_avail, supply, nb):
    """Limit each unit's offer ``st_avail`` to its rating less what it discharged this hour;
    refill ``supply`` per bus; return the total, MW."""
    for b in range(nb):
        supply[b] = 0.0
    total = 0.0
    for s in range(st_p.shape[0]):
        st_avail[s] = max(min(st_avail[s], st_p[s] - st_discharge[t, s]), 0.0)
        supply[st_bus[s]] += st_avail[s]
        total += st_avail[s]
    return total


@jit
def _storage_discharge(t, soc, st_bus, st_eff_out, st_avail, supply, used, st_discharge, ns):
    """Share each bus's used storage supply among its units in proportion to what they offered.

    Returns whether any unit discharged (``st_discharge[t]`` is zero at the start of the hour
    and only grows here)."""
    any_unit = False
    for s in range(ns):
        b = st_bus[s]
        if supply[b] > 0.0 and st_avail[s] > 0.0:
            p = used[b] * st_avail[s] / supply[b]
            if p > EPS:
                any_unit = True
                st_discharge[t, s] += p
                soc[s] -= p / st_eff_out[s]
                if soc[s] < 0.0:
                    soc[s] = 0.0
    return any_unit


@jit_inline
def _thermal_headroom(t, th_avail, thermal, nk, nb):
    """Available thermal capacity above output in hour ``t``, all tiers and buses, MW."""
    acc = 0.0
    for k in range(nk):
        for b in range(nb):
            acc += max(th_avail[t, k, b] - thermal[t, k, b], 0.0)
    return acc


@jit_inline
def _storage_headroom(t, soc, st_p, st_soc_min, st_eff_out, st_discharge, ns):
    """Upward reserve storage can hold in hour ``t``, MW.

    Per unit: its rating less its discharge this hour, at most the energy above its minimum
    state of charge that it could deliver within one hour.
    """
    acc = 0.0
    for s in range(ns):
        acc += max(min(st_p[s] - st_discharge[t, s], (soc[s] - st_soc_min[s]) * st_eff_out[s]), 0.0)
    return acc


@jit_inline
def _thermal_stage(w, tree, nb, nk, t, th_avail, thermal, allowed, deficit_left):
    """Cover the deficit from thermal tiers in merit order, at most ``allowed`` MW in all.

    Each tier offers its headroom at every bus, scaled down evenly when the tier's headroom
    exceeds what is still allowed. Returns the deficit left.
    """
    for k in range(nk):
        if deficit_left <= EPS or allowed <= EPS:
            break
        offered = 0.0
        for b in range(nb):
            w[SUP, b] = max(th_avail[t, k, b] - thermal[t, k, b], 0.0)
            offered += w[SUP, b]
        if offered > allowed:
            f = allowed / offered
            for b in range(nb):
                w[SUP, b] *= f
            offered = allowed
        deficit_left = _stage_supply(w, tree, nb, SUP, offered, deficit_left)
        for b in range(nb):
            thermal[t, k, b] += w[USED, b]
            allowed -= w[USED, b]
    return deficit_left


@jit_inline
def _precharge(
    w, tree, nb, nk, ns, t, th_avail, thermal, allowed, target, st_room, st_bus, st_p, st_e,
    st_eff_in, st_soc_max, st_charge,
):  # fmt: skip
    """Charge storage from thermal headroom (merit order, at most ``allowed`` MW) up to the
    state of charge ``target`` x energy capacity (capped at the maximum); updates the state of
    charge in ``w[SOC]``. A tier offering headroom only at buses an earlier tier's step left
    with headroom unused moves nothing and is skipped (as in :func:`_stage_supply`)."""
    for b in range(nb):
        w[WANT, b] = 0.0
        w[BLOCKED, b] = 0.0
    wanted = 0.0
    for s in range(ns):
        goal = min(target * st_e[s], st_soc_max[s] * (1.0 - st_room[t, st_bus[s]]))
        room = min(st_p[s] - st_charge[t, s], (goal - w[SOC, s]) / st_eff_in[s])
        w[ST_AVAIL, s] = max(room, 0.0)
        w[WANT, st_bus[s]] += w[ST_AVAIL, s]
        wanted += w[ST_AVAIL, s]
    for k in range(nk):
        if wanted <= EPS or allowed <= EPS:
            break
        offered = 0.0
        for b in range(nb):
            w[SUP, b] = max(th_avail[t, k, b] - thermal[t, k, b], 0.0)
            offered += w[SUP, b]
        if offered <= EPS:
            continue
        reach = False
        for b in range(nb):
            if w[SUP, b] > 0.0 and w[BLOCKED, b] == 0.0:
                reach = True
                break
        if not reach:
            continue
        if offered > allowed:
            f = allowed / offered
            for b in range(nb):
                w[SUP, b] *= f
        transport(w, tree, nb, SUP, WANT)
        for b in range(nb):
            used, w[SERVED, b] = _split(w[NET, b], w[SUP, b], w[WANT, b])
            thermal[t, k, b] += used
            allowed -= used
            if w[NET, b] > EPS:
                w[BLOCKED, b] = 1.0
        for s in range(ns):
            b = st_bus[s]
            if w[WANT, b] > 0.0 and w[ST_AVAIL, s] > 0.0:
                p = w[SERVED, b] * w[ST_AVAIL, s] / w[WANT, b]
                if p > EPS:
                    st_charge[t, s] += p
                    w[SOC, s] += p * st_eff_in[s]
                    w[ST_AVAIL, s] -= p
        for b in range(nb):
            w[WANT, b] -= w[SERVED, b]
            wanted -= w[SERVED, b]
