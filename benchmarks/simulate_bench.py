"""Time ``energysim.simulate(scenario)`` against the bare kernel, in one process (issue 17).

Usage::

    python benchmarks/simulate_bench.py [--scenario scenarios/plan-2030.yaml] [--repeat 20]

Prints the median and fastest wall time of: the bare kernel (``run_kernel`` on packed inputs);
``simulate()`` with the caches of :mod:`energysim.cache` emptied before every call (packing and
the YAML dump each time, as before the caches); and ``simulate()`` on an unchanged scenario
(cached). To time a tree from before the caches, run this file with ``PYTHONPATH`` set to
that tree (``git archive REV | tar -x -C DIR``). Everything runs after one untimed call (compilation, first packing). Benchmarks,
not tests.
"""

from __future__ import annotations

import argparse
import statistics

from _common import times  # benchmarks/_common.py (the script's folder is on sys.path)

import energysim
import energysim.run
from energysim.config import load_scenario
from energysim.kernel import run_kernel
from energysim.run import packed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="scenarios/plan-2030.yaml")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    scenario = load_scenario(args.scenario)
    _, inputs, _ = packed(scenario)
    run_kernel(inputs)
    energysim.simulate(scenario)

    cache = None
    if hasattr(energysim.run, "packed_cached"):  # else a tree from before the caches
        from energysim import cache
    print(f"energysim from {energysim.__file__}; caches: {cache is not None}")

    def uncached() -> None:
        if cache is not None:
            cache.clear()
        energysim.simulate(scenario)

    rows = {
        "kernel (run_kernel, packed inputs)": times(lambda: run_kernel(inputs), args.repeat),
        "simulate(), caches emptied each call": times(uncached, max(3, args.repeat // 4)),
        "simulate(), unchanged scenario": times(lambda: energysim.simulate(scenario), args.repeat),
    }
    kernel = statistics.median(rows["kernel (run_kernel, packed inputs)"])
    for name, t in rows.items():
        med = statistics.median(t)
        print(
            f"{name:40s} median {med * 1e3:8.1f} ms  fastest {min(t) * 1e3:8.1f} ms  "
            f"({med / kernel:5.1f}x kernel, n={len(t)})"
        )


if __name__ == "__main__":
    main()
