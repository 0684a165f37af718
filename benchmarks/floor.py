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

Usage::

    python benchmarks/floor.py                               # plan-2030, memory + step timings
    python benchmarks/floor.py --count-steps --hours 8760    # + steps per hour on the full year
    python benchmarks/floor.py --json benchmarks/results/floor.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numba
import numpy as np

from energysim.bench.runner import machine
from energysim.kernel import allocate_result
from energysim.kernel import reference as ref
from energysim.kernel.dispatch import (
    CAP_DN,
    CAP_UP,
    EFF,
    EPS,
    N_WORK,
    NET,
    SENT_DN,
    SENT_UP,
    SUP,
    WANT,
    transport,
)
from energysim.kernel.pack import head
from energysim.run import packed

REPO = Path(__file__).resolve().parents[1]
_JIT = {"nogil": True, "error_model": "numpy", "cache": False}


@numba.njit(**_JIT)
def _lockstep_transport(s, d, net, flow, cap_up, cap_dn, sent, eff, up, down, two_sided):
    """One transport step for every lane (last axis) at once; rows (bus, lane), MW.

    ``up``/``down``: (2, E) child and parent of each line in leaves-up / root-down order;
    ``sent`` (2, B, L) power sent up / down, booked like the kernel's. Branch-free per lane;
    equals :func:`energysim.kernel.dispatch.transport` bit for bit.
    """
    nb, nl = s.shape
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
def _year_lockstep(supply, want, cap0, eff, up, down, out):
    """The base-match step of every hour for L lanes; ``out`` (T, B, L) net per bus, MW."""
    nt, nb, nl = supply.shape
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
        _lockstep_transport(
            supply[t], want[t], net, flow, cap_up, cap_dn, sent, eff, up, down, two_sided
        )
        for b in range(nb):
            for lane in range(nl):
                out[t, b, lane] = net[b, lane]


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


def _best_ms(func, *args, repeat: int = 15) -> float:
    func(*args)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func(*args)
        times.append(time.perf_counter() - start)
    return min(times) * 1e3


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


STAGES = {"_absorb": "surplus", "_cover": "deficit"}
"""Reference helpers that run a transport step, by the stage they serve (others: base match)."""


def count_two_sided_steps(inputs) -> dict[str, dict[str, int]]:
    """Two-sided transport steps of the reference over ``inputs``' hours, per stage.

    Returns ``{"steps": {stage: n}, "hours": {stage: n}}``: the steps, and the hours with at
    least one such step, for the stages ``base``, ``surplus`` (absorbers) and ``deficit``
    (storage, thermal tiers, demand response, corridor cuts).
    """
    steps = {"base": 0, "surplus": 0, "deficit": 0}
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
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

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
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
