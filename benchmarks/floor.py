"""How fast can a kernel with these rules be? Lower bounds for one scenario-year (not a test).

The issue's speed target is 2 ms per ``plan-2030`` year. This script measures, on this machine,
the parts of that time no implementation of the documented rules can avoid, so that the gap
between the kernel and the target can be read as "implementation" or "rules":

1. **Memory**: writing the hourly outputs once (a reused, already mapped block) and reading the
   packed inputs once.
2. **One transport step** over the backbone (the leaves-up and root-down passes), timed on the
   base match of every hour of the year with the kernel's own ``transport``, and the same step
   run in lockstep for L independent scenario-years at once (a lane-interleaved, branch-free
   version, bit-identical to the kernel's step on every lane, checked here). Interleaving hides
   the latency of the chain of dependent updates along the 9-bus-deep backbone; it is the best
   per-step cost this script found.
3. **Two-sided transport steps per hour**: how many times the rules, hour by hour, must move
   power between buses that have both supply and demand, per stage (base match, surplus,
   deficit), and how many hours have one per stage (counted on the readable reference
   implementation with ``--count-steps``; a few seconds for a year).

The bound printed at the end is (2) x (3) plus (1): the time of the transports the rules ask for,
at the best per-step cost measured, before any stage set-up, storage, corridor or accounting.

Can a many-lane (lockstep) kernel keep one-lane speed (issue 17)? With ``--lockstep``, ``--stage``
and ``--divergence`` the script measures what such a kernel would be made of, without writing it:

4. **The transport step in lockstep, branches kept** (:func:`make_lane_transport`): the kernel's
   own ``if``/``elif``, one-sided early exit and root-down ``break`` per lane, lanes the innermost
   loop, with L read at run time or a compile-time constant (one source; ``L = 1`` constant is
   the single-scenario specialisation), beside the kernel's ``transport`` and the branch-free
   lanes (L at run time or constant), every lane checked bit for bit; and what a lane that has
   nothing to move costs a step that another lane runs.
5. **Two pieces of stage bookkeeping**: stage 2b (storage charging: each unit's room and head,
   the scatter to buses, the split back, state of charge) and stage 3a (storage supply and
   discharge) on plan-2030's 27 storage units, one lane (the kernel's code) against L lanes,
   branchy and branch-free (:func:`make_lane_stage2b`, :func:`make_lane_stage3a`), on real
   inputs (packed outage draws of plan-2030 and the kernel's state of charge).
6. **Divergence**: how many transport steps per hour a lockstep kernel runs for L lanes (a step
   runs when any lane needs it) against one lane's own, counted on the kernel's source.

Then a projection from (4)-(6) and the kernel's measured composition (:data:`SHARES`). All
timings are medians of thread CPU time over ``--repeat`` rounds in which the variants alternate.

Usage::

    python benchmarks/floor.py                               # plan-2030, memory + step timings
    python benchmarks/floor.py --count-steps --hours 8760    # + steps per hour on the full year
    python benchmarks/floor.py --lockstep --stage --divergence --json /tmp/floor.json  # lanes
    python benchmarks/floor.py --lockstep 1 8 32 --stage --lane-source roll  # other lanes
    python benchmarks/floor.py --json benchmarks/results/floor.json
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numba
import numpy as np

from energysim.bench.runner import machine
from energysim.kernel import allocate_result, run_kernel, work_array
from energysim.kernel import reference as ref
from energysim.kernel.dispatch import (
    CAP_DN,
    CAP_UP,
    EFF,
    EPS,
    FLOW,
    N_WORK,
    NET,
    SENT_DN,
    SENT_UP,
    SERVED,
    SOC,
    ST_AVAIL,
    ST_BUSY,
    SUP,
    T_CHILD_PTR,
    T_CHILDREN,
    T_ORDER,
    T_PARENT,
    USED,
    WANT,
    transport,
)
from energysim.kernel.pack import head
from energysim.run import packed

logger = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[1]
_JIT = {"nogil": True, "error_model": "numpy", "cache": False}


def make_branch_free_transport(lanes: int = 0):  # noqa: ANN201 - returns two numba dispatchers
    """The branch-free lockstep transport ``(step, year)``; ``lanes`` as in
    :func:`make_lane_transport` (0: L from the arrays' shape; > 0 a compile-time constant)."""
    fixed = int(lanes)

    @numba.njit(**_JIT)
    def step(s, d, net, flow, cap_up, cap_dn, sent, eff, up, down, two_sided):
        """One transport step for every lane (last axis) at once; rows (bus, lane), MW.

        ``up``/``down``: (2, E) child and parent of each line in leaves-up / root-down order;
        ``sent`` (2, B, L) power sent up / down, booked like the kernel's. Branch-free per lane;
        equals :func:`energysim.kernel.dispatch.transport` bit for bit.
        """
        nb = s.shape[0]
        nl = s.shape[1] if fixed == 0 else fixed
        for lane in range(nl):
            two_sided[0, lane] = 0.0
            two_sided[1, lane] = 0.0
        for b in range(nb):
            for lane in range(nl):
                x = s[b, lane] - d[b, lane]
                net[b, lane] = x
                flow[b, lane] = 0.0
                two_sided[0, lane] = max(two_sided[0, lane], x)
                two_sided[1, lane] = min(two_sided[1, lane], x)
        for lane in range(nl):
            both = two_sided[0, lane] > EPS and two_sided[1, lane] < -EPS
            two_sided[2, lane] = 1.0 if both else 0.0
        for e in range(up.shape[1]):
            b = up[0, e]
            p = up[1, e]
            for lane in range(nl):
                x = net[b, lane]
                ef = eff[b, lane]
                f = min(x, cap_up[b, lane] * two_sided[2, lane]) if x > EPS else 0.0
                y = min(-x / ef, cap_dn[b, lane] * two_sided[2, lane]) if x < -EPS else 0.0
                flow[b, lane] = f - y
                net[b, lane] = x - f + y * ef
                net[p, lane] += f * ef - y
        for e in range(down.shape[1]):
            c = down[0, e]
            p = down[1, e]
            for lane in range(nl):
                r = net[p, lane]
                fc = flow[c, lane]
                ef = eff[c, lane]
                back = min(fc * ef, r) if (r > EPS and fc > 0.0) else 0.0
                fc -= back / ef
                child = net[c, lane] + back / ef
                r -= back
                less = min(-fc, -r) if (r < -EPS and fc < 0.0) else 0.0
                flow[c, lane] = fc + less
                net[c, lane] = child - less * ef
                net[p, lane] = r + less
        for b in range(nb):
            for lane in range(nl):
                f = flow[b, lane]
                up_part = max(f, 0.0)
                down_part = min(f, 0.0)
                cap_up[b, lane] -= up_part
                cap_dn[b, lane] += down_part
                sent[0, b, lane] += up_part
                sent[1, b, lane] -= down_part

    @numba.njit(**_JIT)
    def year(supply, want, cap0, eff, up, down, out):
        """The base-match step of every hour for L lanes; ``out`` (T, B, L) net per bus, MW."""
        nt, nb = supply.shape[0], supply.shape[1]
        nl = supply.shape[2] if fixed == 0 else fixed
        net = np.zeros((nb, nl))
        flow = np.zeros((nb, nl))
        cap_up = np.zeros((nb, nl))
        cap_dn = np.zeros((nb, nl))
        sent = np.zeros((2, nb, nl))
        two_sided = np.zeros((3, nl))
        for t in range(nt):
            for b in range(nb):
                for lane in range(nl):
                    cap_up[b, lane] = cap0[b, lane]
                    cap_dn[b, lane] = cap0[b, lane]
                    sent[0, b, lane] = 0.0
                    sent[1, b, lane] = 0.0
            step(supply[t], want[t], net, flow, cap_up, cap_dn, sent, eff, up, down, two_sided)
            for b in range(nb):
                for lane in range(nl):
                    out[t, b, lane] = net[b, lane]

    return step, year


_lockstep_transport, _year_lockstep = make_branch_free_transport(0)


@numba.njit(**_JIT)
def _year_single(supply, want, work, tree, cap0, out):
    """The base-match step of every hour with the kernel's ``transport``; ``out`` (T, B)."""
    nt, nb = supply.shape
    for t in range(nt):
        for b in range(nb):
            work[SUP, b] = supply[t, b]
            work[WANT, b] = want[t, b]
            work[CAP_UP, b] = cap0[b]
            work[CAP_DN, b] = cap0[b]
            work[SENT_UP, b] = 0.0
            work[SENT_DN, b] = 0.0
        transport(work, tree, nb, SUP, WANT)
        for b in range(nb):
            out[t, b] = work[NET, b]


# ---- lockstep lanes with the kernel's branches kept (issue 17: can a many-lane kernel keep
# one-lane speed?) ------------------------------------------------------------------------------

L_HI, L_LO, L_TWO, L_R = 0, 1, 2, 3
"""Rows of the per-lane scratch ``lw`` (4, L): largest and smallest net, two-sided flag (1.0 /
0.0), the root-down remainder ``r`` of the bus being settled."""


def make_lane_transport(lanes: int = 0):  # noqa: ANN201 - returns two numba dispatchers
    """The kernel's transport step for L lanes in lockstep, its branches kept per lane.

    One source for every lane count: ``lanes`` 0 reads L from the arrays' shape at run time;
    ``lanes`` > 0 freezes it as a compile-time constant (numba treats the closure variable as a
    constant, so LLVM can unroll or drop the lane loop; ``lanes=1`` is the single-scenario
    specialisation a lane-generic kernel would compile from the same source).

    Returns ``(step, year)``. ``step(w, tree, nb, s_row, d_row, lw)``: ``w`` (N_WORK, B, L)
    the kernel's scratch rows with lanes innermost (MW), ``tree`` the kernel's CSR forest,
    ``lw`` (4, L) per-lane scratch (``L_*`` rows). Every lane is bit for bit the kernel's
    :func:`~energysim.kernel.dispatch.transport`: the one-sided early exit becomes a per-lane
    flag (``lw[L_TWO]``; the step returns at once when no lane is two-sided), the ``if x > EPS
    / elif x < -EPS`` branches stay inside ``for lane``, and the root-down ``break`` over a
    bus's children becomes the lane's own remainder: it never changes sign, so a lane whose
    remainder has reached (-EPS, EPS] does nothing at the later children, as after the break.
    ``year(supply, want, w, lw, tree, cap0, out)``: the base match of every hour (T, B, L) as
    :func:`_year_single` does for one lane; ``out`` (T, B, L) net per bus, MW.
    """
    fixed = int(lanes)

    @numba.njit(**_JIT)
    def step(w, tree, nb, s_row, d_row, lw):
        nl = w.shape[2] if fixed == 0 else fixed
        for lane in range(nl):
            lw[L_HI, lane] = 0.0
            lw[L_LO, lane] = 0.0
        for b in range(nb):
            for lane in range(nl):
                x = w[s_row, b, lane] - w[d_row, b, lane]
                w[NET, b, lane] = x
                w[FLOW, b, lane] = 0.0
                lw[L_HI, lane] = max(lw[L_HI, lane], x)
                lw[L_LO, lane] = min(lw[L_LO, lane], x)
        n_two = 0
        for lane in range(nl):
            if lw[L_HI, lane] > EPS and lw[L_LO, lane] < -EPS:
                lw[L_TWO, lane] = 1.0
                n_two += 1
            else:
                lw[L_TWO, lane] = 0.0
        if n_two == 0:
            return
        for i in range(nb):
            b = np.uint64(tree[T_ORDER, i])
            ps = tree[T_PARENT, b]
            if ps < 0:
                continue
            p = np.uint64(ps)
            for lane in range(nl):
                if lw[L_TWO, lane] == 0.0:
                    continue
                x = w[NET, b, lane]
                if x > EPS:
                    f = min(x, w[CAP_UP, b, lane])
                    w[FLOW, b, lane] = f
                    w[NET, b, lane] = x - f
                    w[NET, p, lane] += f * w[EFF, b, lane]
                elif x < -EPS:
                    y = min(-x / w[EFF, b, lane], w[CAP_DN, b, lane])
                    w[FLOW, b, lane] = -y
                    w[NET, b, lane] = x + y * w[EFF, b, lane]
                    w[NET, p, lane] -= y
        for i in range(nb - 1, -1, -1):
            b = np.uint64(tree[T_ORDER, i])
            for lane in range(nl):
                if lw[L_TWO, lane] == 0.0:
                    lw[L_R, lane] = 0.0  # settled: nothing to return at the children
                    continue
                f = w[FLOW, b, lane]
                if f > 0.0:
                    w[CAP_UP, b, lane] -= f
                    w[SENT_UP, b, lane] += f
                elif f < 0.0:
                    w[CAP_DN, b, lane] += f
                    w[SENT_DN, b, lane] -= f
                lw[L_R, lane] = w[NET, b, lane]
            for j in range(tree[T_CHILD_PTR, b], tree[T_CHILD_PTR, b + np.uint64(1)]):
                c = np.uint64(tree[T_CHILDREN, j])
                for lane in range(nl):
                    r = lw[L_R, lane]
                    if r > EPS:
                        if w[FLOW, c, lane] > 0.0:
                            back = min(w[FLOW, c, lane] * w[EFF, c, lane], r)
                            sent = back / w[EFF, c, lane]
                            w[FLOW, c, lane] -= sent
                            w[NET, c, lane] += sent
                            lw[L_R, lane] = r - back
                    elif r < -EPS:
                        if w[FLOW, c, lane] < 0.0:
                            less = min(-w[FLOW, c, lane], -r)
                            w[FLOW, c, lane] += less
                            w[NET, c, lane] -= less * w[EFF, c, lane]
                            lw[L_R, lane] = r + less
            for lane in range(nl):
                if lw[L_TWO, lane] != 0.0:
                    w[NET, b, lane] = lw[L_R, lane]

    @numba.njit(**_JIT)
    def year(supply, want, w, lw, tree, cap0, out):
        nt, nb = supply.shape[0], supply.shape[1]
        nl = supply.shape[2] if fixed == 0 else fixed
        for t in range(nt):
            for b in range(nb):
                for lane in range(nl):
                    w[SUP, b, lane] = supply[t, b, lane]
                    w[WANT, b, lane] = want[t, b, lane]
                    w[CAP_UP, b, lane] = cap0[b, lane]
                    w[CAP_DN, b, lane] = cap0[b, lane]
                    w[SENT_UP, b, lane] = 0.0
                    w[SENT_DN, b, lane] = 0.0
            step(w, tree, nb, SUP, WANT, lw)
            for b in range(nb):
                for lane in range(nl):
                    out[t, b, lane] = w[NET, b, lane]

    return step, year


# ---- one piece of stage bookkeeping: 2b, storage charging, one lane and L lanes ---------------


@numba.njit(**_JIT)
def _stage2b_single(
    soc_prev, st_loss, runs, st_room, storage_reserve, served_in, st_bus_u, st_p, st_e,
    st_eff_in, st_soc_max, work, st_charge, hour_out,
):  # fmt: skip
    """Stage 2b of every hour as the kernel writes it (one lane), the transport replaced by its
    result: each hour sets up the storage rows (state of charge from ``soc_prev`` (T, S) MWh with
    the standing loss), and where ``runs[t]`` (the base match left surplus) computes each unit's
    room and head (MW), scatters it to its bus, takes ``min(want, served_in[t, b])`` (T, B) MW as
    the power the transport served, splits it back to the units in proportion, books charge
    (``st_charge`` (T, S) MW) and state of charge, and finds ``room_kept``. ``hour_out`` (2, T):
    power wanted and ``room_kept`` per hour."""
    nt = soc_prev.shape[0]
    nb = st_room.shape[1]
    ns = st_p.shape[0]
    want = work[WANT]
    served = work[SERVED]
    soc = work[SOC]
    st_avail = work[ST_AVAIL]
    st_busy = work[ST_BUSY]
    for t in range(nt):
        for s in range(ns):
            soc[s] = soc_prev[t, s] * (1.0 - st_loss[s])
            st_busy[s] = 0.0
            st_charge[t, s] = 0.0
        room_kept = False
        wanted = 0.0
        if runs[t] > 0.0:
            for b in range(nb):
                want[b] = 0.0
            for s in range(ns):
                top = st_soc_max[s]
                r = st_room[t, st_bus_u[s]]
                if r > 0.0:
                    top = min(max(top * (1.0 - r), storage_reserve[t] * st_e[s]), top)
                head = min(st_p[s], (top - soc[s]) / st_eff_in[s])
                st_avail[s] = max(head, 0.0)
                want[st_bus_u[s]] += st_avail[s]
                wanted += st_avail[s]
            for b in range(nb):
                served[b] = min(want[b], served_in[t, b])
            for s in range(ns):
                b = st_bus_u[s]
                if want[b] > 0.0 and st_avail[s] > 0.0:
                    p = served[b] * st_avail[s] / want[b]
                    if p > EPS:
                        st_charge[t, s] = p
                        soc[s] += p * st_eff_in[s]
                        st_busy[s] = 1.0
                if st_room[t, b] > 0.0 and not room_kept:
                    room_kept = min(st_p[s] - st_charge[t, s], st_soc_max[s] - soc[s]) > EPS
        hour_out[0, t] = wanted
        hour_out[1, t] = 1.0 if room_kept else 0.0


S_WANTED, S_ROOM, S_RUNS = 0, 1, 2
"""Rows of the per-lane scratch of the stage lanes (3, L) (3a: power offered, a unit discharged)."""


def make_lane_stage2b(lanes: int = 0, branchy: bool = True):  # noqa: ANN201 - a dispatcher
    """:func:`_stage2b_single` for L lanes in lockstep (lanes the innermost axis of every array).

    ``branchy``: the kernel's branches kept per lane (a lane whose stage does not run, or a unit
    with nothing to take, skips its work); otherwise branch-free (every lane computes every
    unit; masks and selects instead of ``if``). ``lanes`` as in :func:`make_lane_transport`.
    The stage runs in an hour when it runs in any lane. Arguments as the single version with a
    lane axis last: ``soc_prev`` (T, S, L), ``runs`` (T, L), ``st_room`` (T, B, L),
    ``storage_reserve`` (T, L), ``served_in`` (T, B, L), the unit parameters (S, L), ``work``
    (N_WORK, width, L), ``lw`` (3, L), ``st_charge`` (T, S, L), ``hour_out`` (2, T, L). Each lane
    is bit for bit the single version on that lane's inputs.
    """
    fixed = int(lanes)

    if branchy:

        @numba.njit(**_JIT)
        def stage(
            soc_prev, st_loss, runs, st_room, storage_reserve, served_in, st_bus_u, st_p, st_e,
            st_eff_in, st_soc_max, work, lw, st_charge, hour_out,
        ):  # fmt: skip
            nt = soc_prev.shape[0]
            nb = st_room.shape[1]
            ns = st_p.shape[0]
            nl = soc_prev.shape[2] if fixed == 0 else fixed
            for t in range(nt):
                n_run = 0
                for lane in range(nl):
                    lw[S_WANTED, lane] = 0.0
                    lw[S_ROOM, lane] = 0.0
                    lw[S_RUNS, lane] = runs[t, lane]
                    if runs[t, lane] > 0.0:
                        n_run += 1
                for s in range(ns):
                    for lane in range(nl):
                        work[SOC, s, lane] = soc_prev[t, s, lane] * (1.0 - st_loss[s, lane])
                        work[ST_BUSY, s, lane] = 0.0
                        st_charge[t, s, lane] = 0.0
                if n_run > 0:
                    for b in range(nb):
                        for lane in range(nl):
                            work[WANT, b, lane] = 0.0
                    for s in range(ns):
                        bu = st_bus_u[s]
                        for lane in range(nl):
                            if lw[S_RUNS, lane] == 0.0:
                                continue
                            top = st_soc_max[s, lane]
                            r = st_room[t, bu, lane]
                            if r > 0.0:
                                top = min(
                                    max(top * (1.0 - r), storage_reserve[t, lane] * st_e[s, lane]),
                                    top,
                                )
                            head = min(
                                st_p[s, lane], (top - work[SOC, s, lane]) / st_eff_in[s, lane]
                            )
                            a = max(head, 0.0)
                            work[ST_AVAIL, s, lane] = a
                            work[WANT, bu, lane] += a
                            lw[S_WANTED, lane] += a
                    for b in range(nb):
                        for lane in range(nl):
                            work[SERVED, b, lane] = min(work[WANT, b, lane], served_in[t, b, lane])
                    for s in range(ns):
                        b = st_bus_u[s]
                        for lane in range(nl):
                            if lw[S_RUNS, lane] == 0.0:
                                continue
                            wb = work[WANT, b, lane]
                            a = work[ST_AVAIL, s, lane]
                            if wb > 0.0 and a > 0.0:
                                p = work[SERVED, b, lane] * a / wb
                                if p > EPS:
                                    st_charge[t, s, lane] = p
                                    work[SOC, s, lane] += p * st_eff_in[s, lane]
                                    work[ST_BUSY, s, lane] = 1.0
                            if st_room[t, b, lane] > 0.0 and lw[S_ROOM, lane] == 0.0:
                                room = min(
                                    st_p[s, lane] - st_charge[t, s, lane],
                                    st_soc_max[s, lane] - work[SOC, s, lane],
                                )
                                if room > EPS:
                                    lw[S_ROOM, lane] = 1.0
                for lane in range(nl):
                    hour_out[0, t, lane] = lw[S_WANTED, lane]
                    hour_out[1, t, lane] = lw[S_ROOM, lane]

        return stage

    @numba.njit(**_JIT)
    def stage_free(
        soc_prev, st_loss, runs, st_room, storage_reserve, served_in, st_bus_u, st_p, st_e,
        st_eff_in, st_soc_max, work, lw, st_charge, hour_out,
    ):  # fmt: skip
        nt = soc_prev.shape[0]
        nb = st_room.shape[1]
        ns = st_p.shape[0]
        nl = soc_prev.shape[2] if fixed == 0 else fixed
        for t in range(nt):
            n_run = 0.0
            for lane in range(nl):
                lw[S_WANTED, lane] = 0.0
                lw[S_ROOM, lane] = 0.0
                n_run += runs[t, lane]
            for s in range(ns):
                for lane in range(nl):
                    work[SOC, s, lane] = soc_prev[t, s, lane] * (1.0 - st_loss[s, lane])
                    work[ST_BUSY, s, lane] = 0.0
                    st_charge[t, s, lane] = 0.0
            if n_run > 0.0:
                for b in range(nb):
                    for lane in range(nl):
                        work[WANT, b, lane] = 0.0
                for s in range(ns):
                    bu = st_bus_u[s]
                    for lane in range(nl):
                        top0 = st_soc_max[s, lane]
                        r = st_room[t, bu, lane]
                        kept = min(
                            max(top0 * (1.0 - r), storage_reserve[t, lane] * st_e[s, lane]), top0
                        )
                        top = kept if r > 0.0 else top0
                        head = min(st_p[s, lane], (top - work[SOC, s, lane]) / st_eff_in[s, lane])
                        a = max(head, 0.0) if runs[t, lane] > 0.0 else 0.0
                        work[ST_AVAIL, s, lane] = a
                        work[WANT, bu, lane] += a
                        lw[S_WANTED, lane] += a
                for b in range(nb):
                    for lane in range(nl):
                        work[SERVED, b, lane] = min(work[WANT, b, lane], served_in[t, b, lane])
                for s in range(ns):
                    b = st_bus_u[s]
                    for lane in range(nl):
                        wb = work[WANT, b, lane]
                        a = work[ST_AVAIL, s, lane]
                        ok = wb > 0.0 and a > 0.0
                        p = work[SERVED, b, lane] * a / (wb if ok else 1.0)
                        p = p if (ok and p > EPS) else 0.0
                        st_charge[t, s, lane] = p
                        work[SOC, s, lane] += p * st_eff_in[s, lane]
                        work[ST_BUSY, s, lane] = 1.0 if p > 0.0 else 0.0
                        room = min(st_p[s, lane] - p, st_soc_max[s, lane] - work[SOC, s, lane])
                        kept = (
                            1.0
                            if (runs[t, lane] > 0.0 and st_room[t, b, lane] > 0.0 and room > EPS)
                            else 0.0
                        )
                        lw[S_ROOM, lane] = max(lw[S_ROOM, lane], kept)
            for lane in range(nl):
                hour_out[0, t, lane] = lw[S_WANTED, lane]
                hour_out[1, t, lane] = lw[S_ROOM, lane]

    return stage_free


def _best_ms(func, *args, repeat: int = 15) -> float:
    func(*args)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func(*args)
        times.append(time.perf_counter() - start)
    return min(times) * 1e3


@numba.njit(**_JIT)
def _stage3a_single(
    soc_prev, st_loss, runs, busy_in, storage_reserve, used_in, st_bus_u, st_p, st_e,
    st_eff_out, st_soc_min, work, st_discharge, hour_out,
):  # fmt: skip
    """Stage 3a of every hour as the kernel writes it (``_storage_supply``, the transport's
    result, ``_storage_discharge``; one lane): the storage rows set up from ``soc_prev`` (T, S)
    MWh and ``busy_in`` (T, S) (1: the unit charged this hour); where ``runs[t]`` (the base
    match left a deficit) each unit offers what it can give above max(soc_min, reserve share),
    scattered to its bus; ``min(supply, used_in[t, b])`` (T, B) MW stands for what the transport
    used; the split back to the units books discharge (``st_discharge`` (T, S) MW) and state of
    charge. ``hour_out`` (2, T): power offered and whether a unit discharged, per hour."""
    nt = soc_prev.shape[0]
    nb = used_in.shape[1]
    ns = st_p.shape[0]
    supply = work[SUP]
    used = work[USED]
    soc = work[SOC]
    st_avail = work[ST_AVAIL]
    st_busy = work[ST_BUSY]
    for t in range(nt):
        for s in range(ns):
            soc[s] = soc_prev[t, s] * (1.0 - st_loss[s])
            st_busy[s] = busy_in[t, s]
            st_discharge[t, s] = 0.0
        discharged = False
        total = 0.0
        if runs[t] > 0.0:
            for b in range(nb):
                supply[b] = 0.0
            for s in range(ns):
                if st_busy[s] > 0.0:
                    st_avail[s] = 0.0
                    continue
                floor = max(st_soc_min[s], storage_reserve[t] * st_e[s])
                a = min(st_p[s], (soc[s] - floor) * st_eff_out[s])
                st_avail[s] = max(a, 0.0)
                supply[st_bus_u[s]] += st_avail[s]
                total += st_avail[s]
            for b in range(nb):
                used[b] = min(supply[b], used_in[t, b])
            for s in range(ns):
                b = st_bus_u[s]
                if supply[b] > 0.0 and st_avail[s] > 0.0:
                    p = used[b] * st_avail[s] / supply[b]
                    if p > EPS:
                        discharged = True
                        st_discharge[t, s] += p
                        soc[s] -= p / st_eff_out[s]
                        if soc[s] < 0.0:
                            soc[s] = 0.0
        hour_out[0, t] = total
        hour_out[1, t] = 1.0 if discharged else 0.0


def make_lane_stage3a(lanes: int = 0, branchy: bool = True):  # noqa: ANN201 - a dispatcher
    """:func:`_stage3a_single` for L lanes in lockstep, as :func:`make_lane_stage2b` makes 2b
    (same argument layout with a lane axis last; ``lw`` (3, L) per-lane scratch)."""
    fixed = int(lanes)

    if branchy:

        @numba.njit(**_JIT)
        def stage(
            soc_prev, st_loss, runs, busy_in, storage_reserve, used_in, st_bus_u, st_p, st_e,
            st_eff_out, st_soc_min, work, lw, st_discharge, hour_out,
        ):  # fmt: skip
            nt = soc_prev.shape[0]
            nb = used_in.shape[1]
            ns = st_p.shape[0]
            nl = soc_prev.shape[2] if fixed == 0 else fixed
            for t in range(nt):
                n_run = 0
                for lane in range(nl):
                    lw[S_WANTED, lane] = 0.0  # power offered
                    lw[S_ROOM, lane] = 0.0  # a unit discharged
                    lw[S_RUNS, lane] = runs[t, lane]
                    if runs[t, lane] > 0.0:
                        n_run += 1
                for s in range(ns):
                    for lane in range(nl):
                        work[SOC, s, lane] = soc_prev[t, s, lane] * (1.0 - st_loss[s, lane])
                        work[ST_BUSY, s, lane] = busy_in[t, s, lane]
                        st_discharge[t, s, lane] = 0.0
                if n_run > 0:
                    for b in range(nb):
                        for lane in range(nl):
                            work[SUP, b, lane] = 0.0
                    for s in range(ns):
                        bu = st_bus_u[s]
                        for lane in range(nl):
                            if lw[S_RUNS, lane] == 0.0:
                                continue
                            if work[ST_BUSY, s, lane] > 0.0:
                                work[ST_AVAIL, s, lane] = 0.0
                                continue
                            floor = max(
                                st_soc_min[s, lane], storage_reserve[t, lane] * st_e[s, lane]
                            )
                            a = min(
                                st_p[s, lane], (work[SOC, s, lane] - floor) * st_eff_out[s, lane]
                            )
                            a = max(a, 0.0)
                            work[ST_AVAIL, s, lane] = a
                            work[SUP, bu, lane] += a
                            lw[S_WANTED, lane] += a
                    for b in range(nb):
                        for lane in range(nl):
                            work[USED, b, lane] = min(work[SUP, b, lane], used_in[t, b, lane])
                    for s in range(ns):
                        b = st_bus_u[s]
                        for lane in range(nl):
                            if lw[S_RUNS, lane] == 0.0:
                                continue
                            sb = work[SUP, b, lane]
                            a = work[ST_AVAIL, s, lane]
                            if sb > 0.0 and a > 0.0:
                                p = work[USED, b, lane] * a / sb
                                if p > EPS:
                                    lw[S_ROOM, lane] = 1.0
                                    st_discharge[t, s, lane] += p
                                    work[SOC, s, lane] -= p / st_eff_out[s, lane]
                                    if work[SOC, s, lane] < 0.0:
                                        work[SOC, s, lane] = 0.0
                for lane in range(nl):
                    hour_out[0, t, lane] = lw[S_WANTED, lane]
                    hour_out[1, t, lane] = lw[S_ROOM, lane]

        return stage

    @numba.njit(**_JIT)
    def stage_free(
        soc_prev, st_loss, runs, busy_in, storage_reserve, used_in, st_bus_u, st_p, st_e,
        st_eff_out, st_soc_min, work, lw, st_discharge, hour_out,
    ):  # fmt: skip
        nt = soc_prev.shape[0]
        nb = used_in.shape[1]
        ns = st_p.shape[0]
        nl = soc_prev.shape[2] if fixed == 0 else fixed
        for t in range(nt):
            n_run = 0.0
            for lane in range(nl):
                lw[S_WANTED, lane] = 0.0
                lw[S_ROOM, lane] = 0.0
                n_run += runs[t, lane]
            for s in range(ns):
                for lane in range(nl):
                    work[SOC, s, lane] = soc_prev[t, s, lane] * (1.0 - st_loss[s, lane])
                    work[ST_BUSY, s, lane] = busy_in[t, s, lane]
                    st_discharge[t, s, lane] = 0.0
            if n_run > 0.0:
                for b in range(nb):
                    for lane in range(nl):
                        work[SUP, b, lane] = 0.0
                for s in range(ns):
                    bu = st_bus_u[s]
                    for lane in range(nl):
                        floor = max(st_soc_min[s, lane], storage_reserve[t, lane] * st_e[s, lane])
                        a = min(st_p[s, lane], (work[SOC, s, lane] - floor) * st_eff_out[s, lane])
                        ok = runs[t, lane] > 0.0 and work[ST_BUSY, s, lane] <= 0.0
                        a = max(a, 0.0) if ok else 0.0
                        work[ST_AVAIL, s, lane] = a
                        work[SUP, bu, lane] += a
                        lw[S_WANTED, lane] += a
                for b in range(nb):
                    for lane in range(nl):
                        work[USED, b, lane] = min(work[SUP, b, lane], used_in[t, b, lane])
                for s in range(ns):
                    b = st_bus_u[s]
                    for lane in range(nl):
                        sb = work[SUP, b, lane]
                        a = work[ST_AVAIL, s, lane]
                        ok = sb > 0.0 and a > 0.0
                        p = work[USED, b, lane] * a / (sb if ok else 1.0)
                        p = p if (ok and p > EPS) else 0.0
                        st_discharge[t, s, lane] += p
                        soc = work[SOC, s, lane] - p / st_eff_out[s, lane]
                        work[SOC, s, lane] = max(soc, 0.0)
                        lw[S_ROOM, lane] = max(lw[S_ROOM, lane], 1.0 if p > 0.0 else 0.0)
            for lane in range(nl):
                hour_out[0, t, lane] = lw[S_WANTED, lane]
                hour_out[1, t, lane] = lw[S_ROOM, lane]

    return stage_free


def _alternate(calls: dict[str, Callable[[], object]], repeat: int) -> dict[str, dict[str, float]]:
    """Median wall and thread CPU ms of each call, the calls alternating one by one.

    Each call runs once first (compile, warm caches); then ``repeat`` rounds call every variant
    once in turn, so that load from other processes falls on all alike.
    """
    for func in calls.values():
        func()
    wall: dict[str, list[float]] = {name: [] for name in calls}
    cpu: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(repeat):
        for name, func in calls.items():
            w0 = time.perf_counter()
            c0 = time.thread_time()
            func()
            cpu[name].append(time.thread_time() - c0)
            wall[name].append(time.perf_counter() - w0)
    return {
        name: {
            "wall_ms": statistics.median(wall[name]) * 1e3,
            "cpu_ms": statistics.median(cpu[name]) * 1e3,
        }
        for name in calls
    }


def _lane_inputs(supply, want, forest, lanes: int, seed: int) -> dict[str, np.ndarray]:
    """L lanes of the base match as the branch-free measurement builds them: lane 0 the year
    itself, the others its supply scaled by 1 + 0.3 N(0, 1) (one factor per lane), MW."""
    rng = np.random.default_rng(seed)
    scale = np.concatenate([[1.0], 1.0 + 0.3 * rng.standard_normal(lanes - 1)])
    return {
        "supply": np.ascontiguousarray(supply[:, :, None] * scale),
        "want": np.ascontiguousarray(np.repeat(want[:, :, None], lanes, axis=2)),
        "cap": np.ascontiguousarray(np.repeat(forest["cap0"][:, None], lanes, axis=1)),
        "eff": np.ascontiguousarray(np.repeat(forest["eff"][:, None], lanes, axis=1)),
    }


def _lockstep_group(lane, forest, lanes: int, year_rt, repeat: int) -> dict[str, float]:  # noqa: ANN001
    """One row of :func:`lockstep_table`: the variants on the lanes ``lane`` (as
    :func:`_lane_inputs` makes them), checked, then timed alternating."""
    nt, nb = lane["supply"].shape[:2]
    tree = forest["tree"]
    _, year_c = make_lane_transport(lanes)
    _, year_free_c = make_branch_free_transport(lanes)
    work = np.zeros((N_WORK, max(nb, 1)))
    work[EFF, :nb] = forest["eff"]
    single = np.zeros((nt, nb))
    s0 = np.ascontiguousarray(lane["supply"][:, :, 0])
    w0 = np.ascontiguousarray(lane["want"][:, :, 0])

    def lane_work() -> tuple[np.ndarray, np.ndarray]:
        w = np.zeros((N_WORK, max(nb, 1), lanes))
        w[EFF, :nb] = lane["eff"]
        return w, np.zeros((4, lanes))

    w_rt, lw_rt = lane_work()
    w_c, lw_c = lane_work()
    w_idle, lw_idle = lane_work()
    w_idle_c, lw_idle_c = lane_work()
    names = ("rt", "c", "free", "free_c", "idle", "idle_c")
    out = {name: np.zeros_like(lane["supply"]) for name in names}
    idle_supply = lane["supply"].copy()
    idle_supply[:, :, 1:] = 0.0  # lanes 1.. demand only: one-sided, nothing to move
    calls = {
        "kernel": lambda: _year_single(s0, w0, work, tree, forest["cap0"], single),
        "branchy": lambda: year_rt(
            lane["supply"], lane["want"], w_rt, lw_rt, tree, lane["cap"], out["rt"]
        ),
        "branchy_const": lambda: year_c(
            lane["supply"], lane["want"], w_c, lw_c, tree, lane["cap"], out["c"]
        ),
        "branch_free": lambda: _year_lockstep(
            lane["supply"],
            lane["want"],
            lane["cap"],
            lane["eff"],
            forest["up"],
            forest["down"],
            out["free"],
        ),  # fmt: skip
        "branch_free_const": lambda: year_free_c(
            lane["supply"],
            lane["want"],
            lane["cap"],
            lane["eff"],
            forest["up"],
            forest["down"],
            out["free_c"],
        ),  # fmt: skip
    }
    if lanes > 1:
        calls["branchy_idle"] = lambda: year_rt(
            idle_supply, lane["want"], w_idle, lw_idle, tree, lane["cap"], out["idle"]
        )
        calls["branchy_const_idle"] = lambda: year_c(
            idle_supply, lane["want"], w_idle_c, lw_idle_c, tree, lane["cap"], out["idle_c"]
        )
    for func in calls.values():
        func()
    checked = {
        "branchy": out["rt"],
        "branchy_const": out["c"],
        "branch_free": out["free"],
        "branch_free_const": out["free_c"],
    }
    for k in range(lanes):
        ref_out = np.zeros((nt, nb))
        _year_single(
            np.ascontiguousarray(lane["supply"][:, :, k]),
            np.ascontiguousarray(lane["want"][:, :, k]),
            work, tree, forest["cap0"], ref_out,
        )  # fmt: skip
        for name, result in checked.items():
            if not np.array_equal(result[:, :, k], ref_out):
                msg = f"{name} transport differs from the kernel's on lane {k} of {lanes}"
                raise AssertionError(msg)
    timed = _alternate(calls, repeat)
    row: dict[str, float] = {"lanes": lanes}
    for name, t in timed.items():
        per = nt if name == "kernel" else nt * lanes
        row[f"{name}_ns"] = t["cpu_ms"] * 1e6 / per
        row[f"{name}_wall_ns"] = t["wall_ms"] * 1e6 / per
    return row


def lockstep_table(
    supply, want, forest, lanes_list, repeat: int, draws=None
) -> list[dict[str, float]]:  # noqa: ANN001, E501
    """ns of CPU per transport step per lane: the kernel's ``transport`` (one lane), the branchy
    lanes (L read at run time and L a compile-time constant), the branch-free lanes, on the base
    match of every hour; every lane of every variant checked bit for bit against the kernel.
    Lanes: the year's supply scaled per lane (:func:`_lane_inputs`), or ``draws``, a list of
    (supply, want) (T, B) MW of each lane's base match (outage draws).

    ``*_idle_lane_ns`` (branchy lanes, L at run time / constant): what a lane costs a step when
    it has nothing to move (its net one-sided: supply 0) and another lane has, from a run with
    lanes 1.. idle: (that run's time per step - one active lane's share of the full run) /
    (L - 1). The branch-free lanes do the same work idle or not.
    """
    _, year_rt = make_lane_transport(0)
    rows = []
    for lanes in lanes_list:
        if draws is None:
            lane = _lane_inputs(supply, want, forest, lanes, seed=lanes)
        else:
            lane = _lane_inputs(supply, want, forest, lanes, seed=0)
            lane["supply"] = np.ascontiguousarray(np.stack([d[0] for d in draws[:lanes]], axis=-1))
            lane["want"] = np.ascontiguousarray(np.stack([d[1] for d in draws[:lanes]], axis=-1))
        row = _lockstep_group(lane, forest, lanes, year_rt, repeat)
        if lanes > 1:
            for name in ("branchy", "branchy_const"):
                idle_run = row.pop(f"{name}_idle_ns") * lanes  # per step, all lanes
                row.pop(f"{name}_idle_wall_ns")
                row[f"{name}_idle_lane_ns"] = (idle_run - row[f"{name}_ns"]) / (lanes - 1)
        rows.append(row)
        logger.info("lockstep transport, %d lanes: %s", lanes, row)
    return rows


STAGE_SHIFT_H = 11 * 24
"""Lane k of the stage measurements (``--lane-source roll``) starts the year k x 11 days later (rolled): a different
stretch of weather and storage state per lane, from the same real year."""


def stage_inputs(inputs, net_base) -> dict[str, np.ndarray]:  # noqa: ANN001
    """Real inputs of stages 2b and 3a for one lane, from plan-2030's packed arrays and a run of
    the kernel: the state of charge entering each hour (the kernel's ``st_soc`` of the hour
    before, MWh); whether each stage runs (the base match, ``net_base`` (T, B) MW, left surplus,
    ``runs_2b``, or a deficit, ``runs_3a``); for 2b the power the transport served at each bus
    (what the kernel's storage there charged in the hour, MW; an upper bound on 2b's share,
    which ``min(want, .)`` caps); for 3a which units charged in the hour (``busy_in`` (T, S)) and
    the power used at each bus (what the kernel's storage there discharged, MW)."""
    out = run_kernel(inputs)
    nt = inputs.demand.shape[0]
    nb = inputs.demand.shape[1]
    soc_prev = np.concatenate([inputs.st_soc0[None, :], out.st_soc[:-1]], axis=0)
    served = np.zeros((nt, nb))
    used = np.zeros((nt, nb))
    for s, b in enumerate(inputs.st_bus):
        served[:, b] += out.st_charge[:, s]
        used[:, b] += out.st_discharge[:, s]
    surplus = np.maximum(net_base, 0.0)
    deficit = np.maximum(-net_base, 0.0)
    runs_2b = (surplus > EPS).any(axis=1) & (surplus.sum(axis=1) > EPS)
    return {
        "soc_prev": np.ascontiguousarray(soc_prev),
        "runs_2b": runs_2b.astype(np.float64),
        "runs_3a": (deficit > EPS).any(axis=1).astype(np.float64),
        "st_room": np.ascontiguousarray(inputs.st_room),
        "storage_reserve": np.ascontiguousarray(inputs.storage_reserve),
        "served_in": served,
        "busy_in": (out.st_charge > 0.0).astype(np.float64),
        "used_in": used,
    }


STAGE_SPECS = {
    "2b": {
        "single": _stage2b_single,
        "lanes": make_lane_stage2b,
        "inputs": ("soc_prev", "runs_2b", "st_room", "storage_reserve", "served_in"),
        "params": ("st_loss", "st_p", "st_e", "st_eff_in", "st_soc_max"),
        "what": "storage charging",
    },
    "3a": {
        "single": _stage3a_single,
        "lanes": make_lane_stage3a,
        "inputs": ("soc_prev", "runs_3a", "busy_in", "storage_reserve", "used_in"),
        "params": ("st_loss", "st_p", "st_e", "st_eff_out", "st_soc_min"),
        "what": "storage supply and discharge",
    },
}
"""The stage pieces ``--stage`` measures: one-lane code, lane factory, and the names of their
inputs (:func:`stage_inputs`) and unit parameters (``KernelInputs`` fields) in argument order."""


def _stage_call(spec, func, d, par, st_bus_u, work, lw, out, hour):  # noqa: ANN001, ANN202
    """A no-argument call of a stage variant on inputs ``d`` and unit parameters ``par``, in the
    argument order of ``spec`` (:data:`STAGE_SPECS`; ``lw`` None: the one-lane code)."""
    i = [d[k] for k in spec["inputs"]]
    q = [par[k] for k in spec["params"]]
    head = (i[0], q[0], i[1], i[2], i[3], i[4], st_bus_u, q[1], q[2], q[3], q[4], work)
    if lw is None:
        return lambda: func(*head, out, hour)
    return lambda: func(*head, lw, out, hour)


def _stage_group(spec, ones, params, st_bus_u, width, lanes, rt, repeat) -> dict[str, float]:  # noqa: ANN001
    """One row of :func:`stage_table` at ``lanes`` lanes (the first ``lanes`` of ``ones``,
    :func:`stage_inputs` per lane): checked, then timed alternating."""
    keys = spec["inputs"]
    nt = ones[0]["soc_prev"].shape[0]
    ns = params["st_p"].shape[0]
    lane_in = {
        key: np.ascontiguousarray(np.stack([d[key] for d in ones[:lanes]], axis=-1)) for key in keys
    }
    lane_par = {
        k: np.ascontiguousarray(np.repeat(v[:, None], lanes, axis=1)) for k, v in params.items()
    }

    def single(k: int) -> tuple[Callable[[], object], np.ndarray, np.ndarray]:
        d = {key: np.ascontiguousarray(lane_in[key][..., k]) for key in keys}
        out = np.zeros((nt, ns))
        hour = np.zeros((2, nt))
        work = np.zeros((N_WORK, width))
        call = _stage_call(spec, spec["single"], d, params, st_bus_u, work, None, out, hour)
        return call, out, hour

    variants = {
        "branchy": rt["branchy"],
        "branchy_const": spec["lanes"](lanes, True),
        "branch_free": rt["branch_free"],
        "branch_free_const": spec["lanes"](lanes, False),
    }
    calls: dict[str, Callable[[], object]] = {"kernel": single(0)[0]}
    lane_out = {}
    for name, func in variants.items():
        out = np.zeros((nt, ns, lanes))
        hour = np.zeros((2, nt, lanes))
        work = np.zeros((N_WORK, width, lanes))
        lw = np.zeros((3, lanes))
        calls[name] = _stage_call(spec, func, lane_in, lane_par, st_bus_u, work, lw, out, hour)
        lane_out[name] = (out, hour)
    for func in calls.values():
        func()
    for k in range(lanes):
        ref_call, ref_out, ref_hour = single(k)
        ref_call()
        for name, (out, hour) in lane_out.items():
            same = np.array_equal(out[..., k], ref_out)
            if not (same and np.array_equal(hour[..., k], ref_hour)):
                msg = f"stage {name} differs from the one-lane code on lane {k} of {lanes}"
                raise AssertionError(msg)
    timed = _alternate(calls, repeat)
    row: dict[str, float] = {"lanes": lanes}
    for name, t in timed.items():
        per = nt if name == "kernel" else nt * lanes
        row[f"{name}_ns"] = t["cpu_ms"] * 1e6 / per
        row[f"{name}_wall_ns"] = t["wall_ms"] * 1e6 / per
    # hours in which the stage runs in some lane (lockstep runs it then)
    row["hours_run_any"] = float(lane_in[keys[1]].max(axis=1).mean())
    return row


def stage_table(stage: str, lane_years, lanes_list, repeat: int) -> dict[str, object]:  # noqa: ANN001
    """ns of CPU per hour per lane of one stage piece (:data:`STAGE_SPECS`; the transport left
    out): the kernel's one-lane code against L lanes in lockstep, branchy and branch-free, L at
    run time and as a compile-time constant; every lane checked bit for bit against the one-lane
    code. ``lane_years``: (packed inputs, :func:`stage_inputs`) of each lane, at least max(L)."""
    spec = STAGE_SPECS[stage]
    inputs = lane_years[0][0]
    ones = [one for _, one in lane_years]
    ns = inputs.st_p.shape[0]
    st_bus_u = inputs.st_bus.astype(np.uint64)
    params = {name: np.ascontiguousarray(getattr(inputs, name)) for name in spec["params"]}
    width = max(inputs.demand.shape[1] + 1, ns, 1)
    rt = {"branchy": spec["lanes"](0, True), "branch_free": spec["lanes"](0, False)}
    rows = []
    for lanes in lanes_list:
        row = _stage_group(spec, ones, params, st_bus_u, width, lanes, rt, repeat)
        rows.append(row)
        logger.info("stage %s, %d lanes: %s", stage, lanes, row)
    return {
        "stage": stage,
        "what": spec["what"],
        "storage_units": ns,
        "hours_run_one_lane": float(ones[0][spec["inputs"][1]].mean()),
        "rows": rows,
    }


def lane_years(scenario_path: str, inputs, index, source: str, lanes: int, hours: int):  # noqa: ANN001, ANN201
    """The lanes of the stage and divergence measurements: ``lanes`` x (packed inputs of the
    first ``hours``, :func:`stage_inputs`).

    ``draws``: lane k is outage draw k of the scenario's weather year (``pack(...,
    outage_seed=k)``), the batch an ensemble's weather year dispatches; ``roll``: lane k is the
    scenario's own year rolled by k x :data:`STAGE_SHIFT_H` h (the stage inputs only; a stand-in
    for other weather years, more different than they are: the seasons differ too).
    """
    from energysim.kernel.pack import pack
    from energysim.run import scenario_profiles

    def one_lane(packed_inputs):  # noqa: ANN001, ANN202
        supply, want = _base_match(packed_inputs)
        forest = _forest(packed_inputs)
        work = np.zeros((N_WORK, max(supply.shape[1], 1)))
        work[EFF, : supply.shape[1]] = forest["eff"]
        net = np.zeros_like(supply)
        _year_single(supply, want, work, forest["tree"], forest["cap0"], net)
        return stage_inputs(packed_inputs, net)

    if source == "roll":
        sub, _ = head(inputs, index, hours)
        one = one_lane(sub)
        nt = one["soc_prev"].shape[0]
        return [
            (sub, {k: np.roll(a, -((i * STAGE_SHIFT_H) % nt), axis=0) for k, a in one.items()})
            for i in range(lanes)
        ]
    scenario, _, _ = packed(scenario_path)
    profiles = scenario_profiles(scenario)
    out = []
    for k in range(lanes):
        drawn, drawn_index = pack(scenario, profiles, outage_seed=k)
        sub, _ = head(drawn, drawn_index, hours)
        out.append((sub, one_lane(sub)))
    return out


def step_sites(inputs, sites: dict | None = None) -> dict[str, np.ndarray]:  # noqa: ANN001
    """Which transport steps the kernel's hour runs, per hour: ``calls`` and ``two_sided`` bool
    (T, N), one column per call site (a line of ``dispatch_year`` and the n-th call from it in
    the hour: the thermal tiers of one stage are separate sites). From the kernel's source run
    as plain Python (``kernel_speed.py``'s; slow: ~1 min per 1 000 h).
    """
    from kernel_speed import _plain_python_kernel  # benchmarks/ is on sys.path

    module = _plain_python_kernel()
    real = module.transport
    sites = {} if sites is None else sites  # (line, n-th call in the hour) -> column, shared
    records: list[tuple[int, int, bool]] = []
    hour = {"t": -1, "seen": {}}

    def transport(w, tree, nb, s_row, d_row) -> None:  # noqa: ANN001
        frame = sys._getframe(1)
        while frame is not None and frame.f_code.co_name != "dispatch_year":
            frame = frame.f_back
        t = frame.f_locals["t"]
        if t != hour["t"]:
            hour["t"] = t
            hour["seen"] = {}
        n = hour["seen"].get(frame.f_lineno, 0)
        hour["seen"][frame.f_lineno] = n + 1
        site = sites.setdefault((frame.f_lineno, n), len(sites))
        x = w[s_row, :nb] - w[d_row, :nb]
        records.append((t, site, bool((x > EPS).any() and (x < -EPS).any())))
        real(w, tree, nb, s_row, d_row)

    module.transport = transport
    out = allocate_result(inputs)
    module.dispatch_year(*inputs.arrays(), *out.arrays(), work_array(inputs))
    nt = inputs.demand.shape[0]
    calls = np.zeros((nt, len(sites)), dtype=bool)
    two_sided = np.zeros((nt, len(sites)), dtype=bool)
    for t, site, two in records:
        calls[t, site] = True
        two_sided[t, site] |= two
    return {"calls": calls, "two_sided": two_sided}


def union_steps(lane_years, lanes_list, source: str) -> list[dict[str, float]]:  # noqa: ANN001
    """Transport steps per hour a lockstep kernel runs for L lanes (a step runs when any lane's
    hour runs it) against one lane's own (the mean over the lanes), from :func:`step_sites` of
    each lane of ``lane_years`` (``roll``: of lane 0, rolled as its stage inputs are)."""
    sites: dict = {}
    if source == "roll":
        calls0 = step_sites(lane_years[0][0], sites)["calls"]
        nt = calls0.shape[0]
        per_lane = [
            np.roll(calls0, -((k * STAGE_SHIFT_H) % nt), axis=0) for k in range(len(lane_years))
        ]
    else:
        per_lane = [step_sites(sub, sites)["calls"] for sub, _ in lane_years]
    width = len(sites)
    per_lane = [np.pad(c, ((0, 0), (0, width - c.shape[1]))) for c in per_lane]
    rows = []
    for lanes in lanes_list:
        union = np.zeros_like(per_lane[0])
        for calls in per_lane[:lanes]:
            union |= calls
        own = float(np.mean([c.sum(axis=1).mean() for c in per_lane[:lanes]]))
        rows.append({
            "lanes": lanes,
            "steps_per_hour_one_lane": own,
            "steps_per_hour_lockstep": float(union.sum(axis=1).mean()),
        })  # fmt: skip
    return rows


SHARES = {"transport": 0.35, "bookkeeping": 0.45, "refcount": 0.10, "rest": 0.10}
"""assumption: the kernel's composition on plan-2030 under ``perf`` (docs/kernel.md, "Where the
time goes": transport steps ~35 %, stage bookkeeping in the hour loop ~45 %, atomic reference
counting at helper calls ~10 %; the rest, hour set-up and output writes, ~10 %)."""
PER_POINT_MS = {"figures": (5.0, 7.0), "other": 1.0}
"""assumption: CPU per plan-2030 point besides the kernel (issue 17 and benchmarks/README.md:
the annual figures ~5-7 ms, validation, overrides and the rest ~1 ms)."""
WORKERS = 2
ENSEMBLE_RUNS = 300  # check --weather-years 30 --outage-draws 10


def projection(
    kernel_ms: float, transport_rows, stage_tables, union_rows=None
) -> dict[str, object]:  # noqa: ANN001, E501
    """What a lane-generic kernel would cost, from the measured ratios and :data:`SHARES`.

    Per lane at L lanes: ``kernel_ms x (transport share x rho_T(L) + bookkeeping share x
    rho_B(L) + refcount share / L + rest share)``, rho the lockstep variant's ns per lane over
    the one-lane code's (transport: base match; bookkeeping: the mean over the measured stage
    pieces, ``stage_tables`` (a list of :func:`stage_table` rows), taken as typical of the
    stages, their hours run when any lane runs them included), reference counting paid once per
    call for all lanes, set-up and writes per lane as today. With ``union_rows``
    (:func:`union_steps`), ``diverging_ms`` adds the steps a lane rides along idle (steps the
    lockstep runs for other lanes) at the measured idle-lane cost, 8 760 h a year. Then points/s
    on :data:`WORKERS` workers and the ensemble's CPU seconds per worker with
    :data:`PER_POINT_MS` added per point (on ``diverging_ms`` where there is one).
    """
    union_by_lanes = {row["lanes"]: row for row in union_rows or []}
    stage_by_lanes = [{row["lanes"]: row for row in rows} for rows in stage_tables]
    designs = {"branchy": ("branchy_ns", "branchy_ns"),
               "branchy, L constant": ("branchy_const_ns", "branchy_const_ns"),
               "branch-free": ("branch_free_ns", "branch_free_ns"),
               "branch-free, L const.": ("branch_free_const_ns", "branch_free_const_ns")}  # fmt: skip
    idle_key = {"branchy_ns": "branchy_idle_lane_ns", "branchy_const_ns": "branchy_const_idle_lane_ns",
                "branch_free_ns": "branch_free_ns", "branch_free_const_ns": "branch_free_const_ns"}  # fmt: skip
    figures_lo, figures_hi = PER_POINT_MS["figures"]
    other = PER_POINT_MS["other"]

    def points(per_point: float) -> dict[str, float]:
        lo = per_point + figures_lo + other
        hi = per_point + figures_hi + other
        return {
            "kernel_ms": per_point,
            "points_per_s": [WORKERS * 1e3 / hi, WORKERS * 1e3 / lo],
            "ensemble_cpu_s_per_worker": [
                ENSEMBLE_RUNS * lo / WORKERS / 1e3,
                ENSEMBLE_RUNS * hi / WORKERS / 1e3,
            ],  # fmt: skip
        }

    rows = [{"design": "today's kernel", "lanes": 1, **points(kernel_ms)}]
    for design, (t_key, s_key) in designs.items():
        for t_row in transport_rows:
            lanes = t_row["lanes"]
            s_rows = [by_lanes.get(lanes) for by_lanes in stage_by_lanes]
            if any(row is None for row in s_rows):
                continue
            rho_t = t_row[t_key] / t_row["kernel_ns"]
            rho_b = float(np.mean([row[s_key] / row["kernel_ns"] for row in s_rows]))
            per_lane = kernel_ms * (
                SHARES["transport"] * rho_t
                + SHARES["bookkeeping"] * rho_b
                + SHARES["refcount"] / lanes
                + SHARES["rest"]
            )
            row = {"design": design, "lanes": lanes, "rho_transport": rho_t,
                   "rho_bookkeeping": rho_b, "same_steps_ms": per_lane}  # fmt: skip
            union = union_by_lanes.get(lanes)
            if union is not None and idle_key[t_key] in t_row and lanes > 1:
                idle = union["steps_per_hour_lockstep"] - union["steps_per_hour_one_lane"]
                per_lane += 8760 * idle * max(t_row[idle_key[t_key]], 0.0) * 1e-6
                row["diverging_ms"] = per_lane
            rows.append({**row, "vs_today": per_lane / kernel_ms, **points(per_lane)})
    return {"kernel_ms": kernel_ms, "shares": SHARES, "per_point_ms": PER_POINT_MS, "rows": rows}


def _base_match(inputs) -> tuple[np.ndarray, np.ndarray]:
    """Supply and demand of the base match (zero-cost + must-run; demand + minimum + schedules)."""
    supply = inputs.zero_cost_avail + inputs.th_must.sum(axis=1)
    want = inputs.demand + inputs.flex_min[None, :]
    for c, bus in enumerate(inputs.corr_bus):
        want[:, bus] += inputs.schedule[:, c]
    return np.ascontiguousarray(supply), np.ascontiguousarray(want)


def _forest(inputs) -> dict[str, np.ndarray]:
    parent = inputs.parent
    nb = parent.shape[0]
    children: list[list[int]] = [[] for _ in range(nb)]
    for b in range(nb):
        if parent[b] >= 0:
            children[parent[b]].append(b)
    tree = inputs.tree  # built once by pack (kernel.pack.backbone_tree)
    up_child = [b for b in inputs.order if parent[b] >= 0]
    down = [(c, p) for p in inputs.order[::-1] for c in children[p]]
    cap0 = np.zeros(nb)
    eff = np.ones(nb)
    for b in range(nb):
        if parent[b] >= 0:
            cap0[b] = inputs.line_cap[inputs.parent_line[b]]
            eff[b] = inputs.line_eff[inputs.parent_line[b]]
    return {
        "tree": tree,
        "up": np.array([up_child, [parent[b] for b in up_child]], dtype=np.int64).reshape(2, -1),
        "down": np.array(down, dtype=np.int64).T.reshape(2, -1).copy(),
        "cap0": cap0,
        "eff": eff,
    }


STAGES = {
    "_absorb": "surplus",
    "_cover": "deficit",
    "_make_room": "positioning",
    "_precharge": "positioning",
}
"""Reference helpers that run a transport step, by the stage they serve (others: base match;
storage positioning, make room and pre-charge, counted as base before 2 Dec 2026)."""


def count_two_sided_steps(inputs) -> dict[str, dict[str, int]]:
    """Two-sided transport steps of the reference over ``inputs``' hours, per stage.

    Returns ``{"steps": {stage: n}, "hours": {stage: n}}``: the steps, and the hours with at
    least one such step, for the stages ``base``, ``surplus`` (absorbers) and ``deficit``
    (storage, thermal tiers, demand response, corridor cuts) and ``positioning`` (storage
    making room and pre-charging).
    """
    steps = {"base": 0, "surplus": 0, "deficit": 0, "positioning": 0}
    hours: dict[str, set[int]] = {k: set() for k in steps}
    hour = [-1]
    transport_orig = ref._Backbone.transport
    new_hour_orig = ref._Backbone.new_hour

    def new_hour(self):  # noqa: ANN001, ANN202
        hour[0] += 1
        return new_hour_orig(self)

    def counted(self, supply, demand):  # noqa: ANN001, ANN202
        net = [s - d for s, d in zip(supply, demand, strict=True)]
        if any(x > EPS for x in net) and any(x < -EPS for x in net):
            stage = STAGES.get(sys._getframe(1).f_code.co_name, "base")
            steps[stage] += 1
            hours[stage].add(hour[0])
        return transport_orig(self, supply, demand)

    ref._Backbone.transport = counted
    ref._Backbone.new_hour = new_hour
    try:
        ref.dispatch_reference(inputs)
    finally:
        ref._Backbone.transport = transport_orig
        ref._Backbone.new_hour = new_hour_orig
    return {"steps": steps, "hours": {k: len(v) for k, v in hours.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=str(REPO / "scenarios/plan-2030.yaml"))
    parser.add_argument("--lanes", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--count-steps", action="store_true")
    parser.add_argument("--hours", type=int, default=8760, help="hours for --count-steps")
    parser.add_argument(
        "--lockstep",
        type=int,
        nargs="*",
        metavar="L",
        help="table of the transport step per lane: kernel, branchy lanes, branch-free lanes"
        " (default lanes 1 2 4 8 16 32)",
    )
    parser.add_argument(
        "--stage",
        nargs="*",
        choices=tuple(STAGE_SPECS),
        help="stage pieces, one lane vs L lanes: 2b storage charging, 3a storage supply and"
        " discharge (default both)",
    )
    parser.add_argument(
        "--divergence",
        action="store_true",
        help="count the transport steps of every hour (plain Python, --stage-hours) and how many a"
        " lockstep kernel would run for L lanes",
    )
    parser.add_argument(
        "--lane-source",
        choices=("draws", "roll"),
        default="draws",
        help="lanes of --stage and --divergence: outage draws of the weather year, or the year"
        " rolled by 11 days per lane",
    )
    parser.add_argument(
        "--transport-lanes",
        choices=("scaled", "draws"),
        default="scaled",
        help="lanes of the --lockstep transport: the year's supply scaled per lane, or the"
        " base match of outage draws 0..L-1 (needs --lane-source draws)",
    )
    parser.add_argument(
        "--stage-hours", type=int, default=8760, help="hours of --stage and --divergence"
    )
    parser.add_argument("--repeat", type=int, default=15, help="alternating rounds (medians)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    lockstep_lanes = args.lockstep or [1, 2, 4, 8, 16, 32]
    stages = None if args.stage is None else (args.stage or list(STAGE_SPECS))

    _, inputs, index = packed(args.scenario)
    nt = inputs.demand.shape[0]
    report: dict[str, object] = {"machine": machine(), "scenario": args.scenario, "hours": nt}

    out = allocate_result(inputs)
    block = out.curtail.base
    report["output_MB"] = block.nbytes / 1e6
    report["write_outputs_ms"] = _best_ms(block.fill, 1.0)
    flat = np.concatenate([a.ravel() for a in inputs.arrays() if isinstance(a, np.ndarray)])
    report["input_MB"] = flat.nbytes / 1e6
    report["read_inputs_ms"] = _best_ms(flat.sum)

    supply, want = _base_match(inputs)
    forest = _forest(inputs)
    work = np.zeros((N_WORK, max(supply.shape[1], 1)))
    work[EFF, : supply.shape[1]] = forest["eff"]
    single = np.zeros_like(supply)
    ms = _best_ms(_year_single, supply, want, work, forest["tree"], forest["cap0"], single)
    report["step_single_ns"] = ms * 1e6 / nt
    rng = np.random.default_rng(0)
    report["step_lockstep_ns"] = {}
    for lanes in args.lanes:
        scale = np.concatenate([[1.0], 1.0 + 0.3 * rng.standard_normal(lanes - 1)])
        lane_supply = np.ascontiguousarray(supply[:, :, None] * scale)
        lane_want = np.ascontiguousarray(np.repeat(want[:, :, None], lanes, axis=2))
        cap = np.ascontiguousarray(np.repeat(forest["cap0"][:, None], lanes, axis=1))
        eff = np.ascontiguousarray(np.repeat(forest["eff"][:, None], lanes, axis=1))
        lane_out = np.zeros_like(lane_supply)
        ms = _best_ms(
            _year_lockstep,
            lane_supply,
            lane_want,
            cap,
            eff,
            forest["up"],
            forest["down"],
            lane_out,
        )
        if not np.array_equal(lane_out[:, :, 0], single):
            raise AssertionError("lockstep transport differs from the kernel's on lane 0")
        report["step_lockstep_ns"][lanes] = ms * 1e6 / nt / lanes

    best_step = min([report["step_single_ns"], *report["step_lockstep_ns"].values()])
    report["best_step_ns"] = best_step
    print(f"machine: {report['machine']}; {args.scenario}, {nt} h")
    print(
        f"write {report['output_MB']:.1f} MB of hourly outputs: {report['write_outputs_ms']:.2f} ms"
    )
    print(f"read {report['input_MB']:.1f} MB of packed inputs: {report['read_inputs_ms']:.2f} ms")
    print(f"one transport step, kernel: {report['step_single_ns']:.0f} ns")
    for lanes, ns in report["step_lockstep_ns"].items():
        print(f"one transport step, {lanes} lanes in lockstep: {ns:.0f} ns per lane")
    if args.count_steps:
        sub, _ = head(inputs, index, args.hours)
        hours = sub.demand.shape[0]  # head clamps to the year
        counted = count_two_sided_steps(sub)
        two_sided = sum(counted["steps"].values())
        per_hour = two_sided / hours
        memory = report["write_outputs_ms"] + report["read_inputs_ms"]
        bound = per_hour * 8760 * best_step * 1e-6 + memory
        report.update(
            count_hours=hours,
            two_sided_steps=counted["steps"],
            hours_with_two_sided_step=counted["hours"],
            two_sided_per_hour=per_hour,
            lower_bound_ms=bound,
        )
        print(f"two-sided transport steps: {two_sided} in {hours} h ({per_hour:.2f} per hour)")
        for stage, n in counted["steps"].items():
            share = counted["hours"][stage] / hours
            print(f"  {stage}: {n / hours:.2f} per hour; hours with one: {share:.2f}")
        print(
            f"lower bound per scenario-year: {per_hour:.2f} x 8760 x {best_step:.0f} ns"
            f" + {memory:.2f} ms memory = {bound:.2f} ms"
        )
    if args.lockstep is not None or stages:
        report["load_average_before"] = list(os.getloadavg())
        kernel_out = allocate_result(inputs)
        kernel_time = _alternate({"kernel": lambda: run_kernel(inputs, kernel_out)}, args.repeat)
        report["kernel_year"] = kernel_time["kernel"]
        print(
            f"the whole kernel, one year: {kernel_time['kernel']['cpu_ms']:.2f} ms thread CPU"
            f" ({kernel_time['kernel']['wall_ms']:.2f} ms wall), median of {args.repeat}"
        )
    years = None
    if stages or args.divergence or args.transport_lanes == "draws":
        years = lane_years(
            args.scenario, inputs, index, args.lane_source, max(lockstep_lanes), args.stage_hours
        )
    if args.lockstep is not None:
        draws = None
        if args.transport_lanes == "draws":
            if args.lane_source != "draws" or args.stage_hours != nt:
                parser.error("--transport-lanes draws needs --lane-source draws and the full year")
            draws = [_base_match(sub) for sub, _ in years]
        rows = lockstep_table(supply, want, forest, lockstep_lanes, args.repeat, draws)
        report["transport_lanes"] = args.transport_lanes
        report["lockstep_table"] = rows
        print(
            f"transport step, ns of thread CPU per step per lane (median of {args.repeat},"
            " variants alternating; every lane bit for bit the kernel's)"
        )
        print(
            f"{'':>5} {'':>8} {'branchy lanes':>26} {'branch-free':>17}\n"
            f"{'lanes':>5} {'kernel':>8} {'L var':>8} {'L const':>8} {'idle':>8}"
            f" {'L var':>8} {'L const':>8}"
        )
        for row in rows:
            idle = row.get("branchy_const_idle_lane_ns")
            idle_text = f"{idle:8.0f}" if idle is not None else f"{'':>8}"
            print(
                f"{row['lanes']:>5} {row['kernel_ns']:8.0f} {row['branchy_ns']:8.0f}"
                f" {row['branchy_const_ns']:8.0f} {idle_text} {row['branch_free_ns']:8.0f}"
                f" {row['branch_free_const_ns']:8.0f}"
            )
    for name in stages or []:
        stage = stage_table(name, years, lockstep_lanes, args.repeat)
        stage["lane_source"] = args.lane_source
        report[f"stage_{name}"] = stage
        print(
            f"stage {name} ({stage['what']}, {stage['storage_units']} units, transport left out),"
            f" ns of thread CPU per hour per lane; runs in {stage['hours_run_one_lane']:.0%}"
            " of one lane's hours"
        )
        print(
            f"{'':>5} {'':>8} {'branchy lanes':>17} {'branch-free':>17}\n"
            f"{'lanes':>5} {'kernel':>8} {'L var':>8} {'L const':>8} {'L var':>8} {'L const':>8}"
            f" {'runs':>5}"
        )
        for row in stage["rows"]:
            print(
                f"{row['lanes']:>5} {row['kernel_ns']:8.0f} {row['branchy_ns']:8.0f}"
                f" {row['branchy_const_ns']:8.0f} {row['branch_free_ns']:8.0f}"
                f" {row['branch_free_const_ns']:8.0f} {row['hours_run_any']:5.0%}"
            )
    if args.divergence:
        union = union_steps(years, lockstep_lanes, args.lane_source)
        hours = years[0][0].demand.shape[0]
        report["union_steps"] = {"hours": hours, "lane_source": args.lane_source, "rows": union}
        print(
            f"transport steps per hour, lanes: {args.lane_source}, first {hours} h; one lane's own"
            " / the lockstep's (any lane's): "
            + ", ".join(
                f"{r['lanes']} lanes {r['steps_per_hour_one_lane']:.2f}"
                f" / {r['steps_per_hour_lockstep']:.2f}"
                for r in union
            )
        )
    if args.lockstep is not None and stages:
        proj = projection(
            report["kernel_year"]["cpu_ms"],
            report["lockstep_table"],
            [report[f"stage_{name}"]["rows"] for name in stages],
            report.get("union_steps", {}).get("rows"),
        )
        report["projection"] = proj
        print(
            "projection (assumptions: kernel shares"
            f" {', '.join(f'{k} {v:.0%}' for k, v in SHARES.items())};"
            f" per point + figures {PER_POINT_MS['figures'][0]:g}-{PER_POINT_MS['figures'][1]:g}"
            f" ms + other {PER_POINT_MS['other']:g} ms; {WORKERS} workers)"
        )
        print(
            f"{'design':<20} {'lanes':>5} {'ms/lane':>8} {'+ idle':>8} {'x today':>8}"
            f" {'points/s':>12} {'300 runs, s/worker':>18}"
        )
        for row in proj["rows"]:
            same = row.get("same_steps_ms", row["kernel_ms"])
            idle = f"{row['diverging_ms']:8.2f}" if "diverging_ms" in row else f"{'':>8}"
            pts = row["points_per_s"]
            ens = row["ensemble_cpu_s_per_worker"]
            print(
                f"{row['design']:<20} {row['lanes']:>5} {same:8.2f} {idle}"
                f" {row.get('vs_today', 1.0):8.2f} {pts[0]:5.0f}-{pts[1]:<6.0f}"
                f" {ens[0]:8.1f}-{ens[1]:<9.1f}"
            )
    if args.lockstep is not None or stages:
        report["load_average_after"] = list(os.getloadavg())
        print(
            "load average (1, 5, 15 min) before "
            + ", ".join(f"{x:.2f}" for x in report["load_average_before"])
            + "; after "
            + ", ".join(f"{x:.2f}" for x in report["load_average_after"])
        )
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
