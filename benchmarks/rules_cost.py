"""Kernel time on a scenario before and after a rule change, in one process on one machine.

Usage: ``python benchmarks/rules_cost.py OLD_TREE scenarios/plan-2030.yaml``, where OLD_TREE is
a checkout of the repository before the change (e.g. ``git archive 7f287cb | tar -x -C
/tmp/before``). The old tree packs its own copy of the scenario file with its own code, in a
subprocess (``PYTHONPATH=OLD_TREE``: the package has moved on since, so the old ``pack.py`` no
longer imports beside the current one); its ``dispatch.py`` is then loaded here as a separate
module and run on those arrays. Calls of the old and the current compiled kernel alternate one
by one (outputs reused, zeroed first where that kernel needs it, as its ``run_kernel`` did;
compile and pack excluded), so that load from other processes on the machine falls on both
alike. Prints the median wall time and thread CPU time of each and the ratios.

``--between TREE`` also times the kernel of another tree (e.g. the one before a speed-up) on
the current packing of the scenario, beside the two.

``--old-file`` also times the current kernel on the old tree's copy of the scenario file (when
today's schema still reads it): the new code on the old data, which separates what the rules
cost from what changed in the data.
"""

from __future__ import annotations

import argparse
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from _common import load_module  # benchmarks/_common.py (the script's folder is on sys.path)

from energysim.config import load_scenario
from energysim.kernel import pack, result_shapes, run_kernel
from energysim.run import scenario_profiles

_PACK_OLD = """
import pickle, sys
from energysim.config import load_scenario
from energysim.kernel.pack import pack
from energysim.run import scenario_profiles
scenario = load_scenario(sys.argv[1])
inputs, _ = pack(scenario, scenario_profiles(scenario))
with open(sys.argv[2], "wb") as f:
    pickle.dump({"arrays": inputs.arrays(), "shape": inputs.shape,
                 "dr_window": inputs.dr_window}, f)
"""


def _old_runner(tree: Path, scenario_file: str) -> Callable[[], None]:
    """A no-argument callable running the old kernel on the old tree's packing of the scenario."""
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / "inputs.pkl"
        env = {**os.environ, "PYTHONPATH": str(tree)}
        subprocess.run(  # noqa: S603
            [sys.executable, "-c", _PACK_OLD, scenario_file, str(dump)],
            cwd=tree,
            env=env,
            check=True,
        )
        with dump.open("rb") as f:
            packed = pickle.load(f)  # noqa: S301 - our own subprocess's output
    old_dispatch = load_module("_old_dispatch", tree / "energysim/kernel/dispatch.py")
    n = packed["shape"]
    names = old_dispatch.dispatch_year.py_func.__code__.co_varnames
    shapes = result_shapes(n)
    n_args = old_dispatch.dispatch_year.py_func.__code__.co_argcount
    out_names = names[len(packed["arrays"]) : n_args - 1]
    outs = [np.zeros(shapes[name]) for name in out_names]
    b, s, c = n["B"], n["S"], n["C"]
    width = max(b + 1, s, c, packed["dr_window"] + 1, 1)
    work = np.zeros((old_dispatch.N_WORK, width))
    args = (*packed["arrays"], *outs, work)

    def run() -> None:
        for a in outs:
            a.fill(0.0)  # kernels before issue 17 expect zeroed outputs
        old_dispatch.dispatch_year(*args)

    return run


def _new_runner(scenario_file: str | Path) -> Callable[[], None]:
    scenario = load_scenario(scenario_file)
    inputs, _ = pack(scenario, scenario_profiles(scenario))
    out = run_kernel(inputs)
    return lambda: run_kernel(inputs, out)


def _between_runner(tree: Path, scenario_file: str) -> Callable[[], None]:
    """The kernel of ``tree`` on the current packing (its parameters must be today's fields).

    Loaded under the module name ``kernel_speed.py --base`` uses, so both reuse its numba cache.
    """
    module = load_module("_base_dispatch", tree / "energysim/kernel/dispatch.py")
    scenario = load_scenario(scenario_file)
    inputs, _ = pack(scenario, scenario_profiles(scenario))
    out = run_kernel(inputs)
    arrays = out.arrays()
    width = max(inputs.shape["B"] + 1, inputs.shape["S"], inputs.shape["C"], inputs.dr_window + 1)
    args = (*inputs.arrays(), *arrays, np.zeros((module.N_WORK, width)))
    zero = "be zero on entry" in (module.dispatch_year.__doc__ or "")

    def run() -> None:
        if zero:
            for a in arrays:
                a.fill(0.0)
        module.dispatch_year(*args)

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("scenario")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--between", type=Path, help="another tree's kernel, current packing")
    parser.add_argument(
        "--old-file", action="store_true", help="also the new kernel on the old scenario file"
    )
    args = parser.parse_args()
    runners = {"old": _old_runner(args.old.resolve(), args.scenario)}
    if args.between:
        runners["between"] = _between_runner(args.between.resolve(), args.scenario)
    runners["new"] = _new_runner(args.scenario)
    if args.old_file:
        runners["new, old file"] = _new_runner(args.old.resolve() / args.scenario)
    for run in runners.values():
        run()
    wall: dict[str, list[float]] = {name: [] for name in runners}
    cpu: dict[str, list[float]] = {name: [] for name in runners}
    for _ in range(args.repeat):
        for name, run in runners.items():
            c0 = time.thread_time()
            t0 = time.perf_counter()
            run()
            wall[name].append(time.perf_counter() - t0)
            cpu[name].append(time.thread_time() - c0)
    med = {name: statistics.median(v) * 1e3 for name, v in wall.items()}
    med_cpu = {name: statistics.median(v) * 1e3 for name, v in cpu.items()}
    print(f"{args.scenario} (median of {args.repeat} each, calls alternating)")
    for name in runners:
        print(
            f"  {name:15s} wall {med[name]:7.2f} ms ({med[name] / med['old']:.2f}x old)   "
            f"thread CPU {med_cpu[name]:7.2f} ms ({med_cpu[name] / med_cpu['old']:.2f}x old)"
        )


if __name__ == "__main__":
    main()
