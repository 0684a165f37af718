"""Kernel time on a scenario before and after a rule change, in one process on one machine.

Usage: ``python benchmarks/rules_cost.py OLD_TREE scenarios/plan-2030.yaml``, where OLD_TREE is
a checkout of the repository before the change (e.g. ``git archive 7f287cb | tar -x -C
/tmp/before``). The old tree's ``energysim/kernel/pack.py`` and ``dispatch.py`` are loaded as
separate modules beside the current ones; the old pack reads the old tree's copy of the scenario
file. Calls of the two compiled kernels alternate one by one (outputs reused, compile and pack
excluded), so that load from other processes on the machine falls on both alike. Prints the
median of each.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from energysim.config import load_scenario
from energysim.kernel import pack, run_kernel
from energysim.run import scenario_profiles


def _load(name: str, path: Path):  # noqa: ANN202
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _old_runner(tree: Path, scenario_file: str):  # noqa: ANN202
    """A no-argument callable running the old kernel on the old tree's packing of the scenario."""
    old_pack = _load("_old_pack", tree / "energysim/kernel/pack.py")
    old_dispatch = _load("_old_dispatch", tree / "energysim/kernel/dispatch.py")
    scenario = load_scenario(tree / scenario_file)
    inputs, _ = old_pack.pack(scenario, scenario_profiles(scenario))
    n = inputs.shape
    t, b, k, s, c, l_ = n["T"], n["B"], n["K"], n["S"], n["C"], n["L"]
    shapes = [(t, b), (t, k, b), (t, b), (t, s), (t, s), (t, s), (t, b), (t, c), (t, c)]
    shapes += [(t, b), (t, b), (t, l_), (t, l_), (t, b), (1,)]
    outs = [np.zeros(shape) for shape in shapes]
    width = max(b, s, c, inputs.dr_window + 1, 1)
    work = np.zeros((old_dispatch.N_WORK, width))

    def run() -> None:
        for a in outs:
            a.fill(0.0)
        old_dispatch.dispatch_year(*inputs.arrays(), *outs, work)

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("scenario")
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    old = _old_runner(args.old, args.scenario)
    scenario = load_scenario(args.scenario)
    inputs, _ = pack(scenario, scenario_profiles(scenario))
    out = run_kernel(inputs)
    old()
    times: dict[str, list[float]] = {"old": [], "new": []}
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        old()
        times["old"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        run_kernel(inputs, out)
        times["new"].append(time.perf_counter() - t0)
    mo = statistics.median(times["old"]) * 1e3
    mn = statistics.median(times["new"]) * 1e3
    print(f"{args.scenario}: old {mo:.1f} ms, new {mn:.1f} ms (median of {args.repeat} each)")
    print(f"new / old: {mn / mo:.2f}x")


if __name__ == "__main__":
    main()
