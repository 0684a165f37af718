"""Time ``energysim.simulate(scenario)`` against the bare kernel, in one process (issue 17).

Usage::

    python benchmarks/simulate_bench.py [--scenario scenarios/plan-2030.yaml] [--repeat 30]

Prints the median and fastest time of: the bare kernel (``run_kernel`` on packed inputs);
``simulate()`` on an unchanged scenario (packing and configuration text cached, the hourly
Dataset built in full); and ``simulate()`` with the caches of :mod:`energysim.cache` emptied
before every call (packing and the YAML dump each time). Each is timed twice per call: wall
time and the process's CPU time (``time.process_time``), which a machine shared with other
work disturbs less. Everything runs after two untimed calls (compilation, first packing). The
kernel is timed twice: back to back, and in alternation with the cached ``simulate()`` (so a
change of load hits both alike); the ratios are to the faster of the two kernel medians.

With ``--stages``, also where a cached call's CPU time goes: each stage's function is wrapped
(in its caller's module namespace) with a CPU timer for the timed calls, and the rest of the
call is reported as "other" (a stage function a tree does not have is left out).

To time another tree (e.g. ``main`` before a change), run this file with ``PYTHONPATH`` set
to an export of that tree (``git archive REV | tar -x -C DIR``). Benchmarks, not tests.
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import time
from collections import defaultdict
from collections.abc import Callable

import energysim
import energysim.run
from energysim.config import load_scenario
from energysim.kernel import run_kernel
from energysim.run import packed


def _timed(fn: Callable[[], object]) -> tuple[float, float]:
    """(wall s, process CPU s) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


STAGES = (
    # (module whose namespace calls it, function name, label)
    ("energysim.run", "scenario_key", "scenario key (model_dump_json, once per call)"),
    ("energysim.run", "packed_cached", "pack cache lookup"),
    ("energysim.engines", "dispatch", "kernel (run_kernel)"),
    ("energysim.results.build", "generator_dispatch", "accounting: generator split"),
    ("energysim.results.build", "corridor_accounting", "accounting: corridors"),
    ("energysim.results.build", "system_figures", "accounting: system figures"),
    ("energysim.results.build", "adequacy_figures", "adequacy figures"),
    ("energysim.results.build", "indicator_data", "indicators (fuel, CO2, curtailment split...)"),
    ("energysim.results.build", "add_indicators", "indicators + Dataset.assign (older trees)"),
    ("energysim.results.build", "config_yaml", "config text (cached)"),
    ("energysim.results.build", "_coordinates", "coordinates (cached indexes)"),
    ("energysim.results.build", "_assemble", "xarray.Dataset construction"),
    ("energysim.run", "detach", "detach from the pack cache (copies)"),
)


def stages(call: Callable[[], object], repeat: int) -> None:
    """Print the CPU ms per call of each stage of ``call`` (see the module docstring)."""
    spent: dict[str, float] = defaultdict(float)
    originals = []
    for module_name, name, label in STAGES:
        module = importlib.import_module(module_name)
        fn = getattr(module, name, None)
        if fn is None:  # a stage this tree does not have
            continue
        originals.append((module, name, fn))

        def timed(*args: object, _fn: Callable = fn, _label: str = label, **kwargs: object):
            start = time.process_time()
            try:
                return _fn(*args, **kwargs)
            finally:
                spent[_label] += time.process_time() - start

        setattr(module, name, timed)
    try:
        start = time.process_time()
        for _ in range(repeat):
            call()
        total = time.process_time() - start
    finally:
        for module, name, fn in originals:
            setattr(module, name, fn)
    print(f"where a cached call's CPU time goes (mean of {repeat} calls, wrapped stages):")
    for _, _, label in STAGES:
        if label in spent:
            print(f"  {label:48s} {spent[label] / repeat * 1e3:6.2f} ms")
    other = total - sum(spent.values())
    print(f"  {'other (loops, sums, labels in to_dataset; GC)':48s} {other / repeat * 1e3:6.2f} ms")
    print(f"  {'total':48s} {total / repeat * 1e3:6.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="scenarios/plan-2030.yaml")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--stages", action="store_true", help="also time each stage (CPU)")
    args = parser.parse_args()
    scenario = load_scenario(args.scenario)
    _, inputs, _ = packed(scenario)
    for _ in range(2):
        run_kernel(inputs)
        energysim.simulate(scenario)

    from energysim import cache

    print(f"energysim from {energysim.__file__}; {args.scenario}")

    def uncached() -> None:
        cache.clear()
        energysim.simulate(scenario)

    # the kernel alone, back to back, then in alternation with simulate()
    rows: dict[str, list[tuple[float, float]]] = {
        "kernel, own loop": [_timed(lambda: run_kernel(inputs)) for _ in range(args.repeat)],
        "kernel": [],
        "simulate": [],
    }
    for _ in range(args.repeat):  # alternate: the same load for both
        rows["kernel"].append(_timed(lambda: run_kernel(inputs)))
        rows["simulate"].append(_timed(lambda: energysim.simulate(scenario)))
    rows["simulate, caches emptied"] = [_timed(uncached) for _ in range(max(3, args.repeat // 6))]
    labels = {
        "kernel, own loop": "kernel, back to back",
        "kernel": "kernel, alternated with simulate()",
        "simulate": "simulate(), unchanged scenario",
        "simulate, caches emptied": "simulate(), caches emptied each call",
    }
    # ratios against the faster of the two kernel medians (a kernel run between two
    # simulate() calls is slower: its outputs land on freshly mapped pages)
    kernel = [
        min(statistics.median(t[i] for t in rows[k]) for k in ("kernel, own loop", "kernel"))
        for i in (0, 1)
    ]
    for key, samples in rows.items():
        parts = []
        for i, what in enumerate(("wall", "cpu")):
            values = [t[i] for t in samples]
            med = statistics.median(values)
            parts.append(
                f"{what} median {med * 1e3:7.1f} ms fastest {min(values) * 1e3:7.1f} ms "
                f"({med / kernel[i]:4.2f}x)"
            )
        print(f"{labels[key]:38s} " + "  ".join(parts) + f"  n={len(samples)}")
    if args.stages:
        stages(lambda: energysim.simulate(scenario), args.repeat)


if __name__ == "__main__":
    main()
