"""Time the check's ensemble and its pieces: figures-only vs the full path (issue 17).

Usage::

    python benchmarks/check_bench.py [--scenario scenarios/plan-2030.yaml] [--years 30]
        [--draws 10] [--workers 1 2] [--repeat 10] [--skip-pieces] [--skip-check]
        [--what-it-takes]

Prints, for one scenario-year of the scenario (median and fastest of ``--repeat`` calls, after
one untimed call): the kernel into a fresh output block and into a reused one (what writing
the hourly outputs into new memory costs), the figures-only pass
(:func:`energysim.sweep.figures.annual_figures`), the full path's ``to_dataset``, one outage
redraw, and ``energysim.figures()`` against ``energysim.simulate()`` on an unchanged scenario.
Then the library call of ``energysim check SCENARIO --weather-years N --outage-draws M`` with
each ``--workers`` value: wall time and CPU time (this process and its workers). With
``--what-it-takes``, one what-it-takes search (new-type storage lever, 6 bisection steps, on
``new_energy_export_TWh``) on the figures-only path and on the Dataset path it replaced.

To time a tree from before this work, run the file with ``PYTHONPATH`` set to that tree
(``git archive REV | tar -x -C DIR``; the pieces it lacks are skipped). Benchmarks, not tests;
on a loaded machine compare the ratios measured in one run.
"""

from __future__ import annotations

import argparse
import inspect
import os
import resource
import statistics
import time

from _common import times  # benchmarks/_common.py (the script's folder is on sys.path)

import energysim
from energysim.config import load_scenario
from energysim.kernel import allocate_result, run_kernel
from energysim.run import packed


def _cpu() -> float:
    """CPU seconds of this process and its reaped children (the pool's workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _row(name: str, times: list[float]) -> None:
    print(
        f"  {name:52s} median {statistics.median(times) * 1e3:8.2f} ms"
        f"   fastest {min(times) * 1e3:8.2f} ms"
    )


def pieces(scenario: object, repeat: int) -> None:
    """One scenario-year, piece by piece."""
    from energysim.results.build import to_dataset

    _, inputs, index = packed(scenario)
    result = run_kernel(inputs)
    print(f"one scenario-year of {scenario.name} ({inputs.shape}):")
    _row("kernel, fresh output block", times(lambda: run_kernel(inputs), repeat))
    out = allocate_result(inputs)
    _row("kernel, reused output block", times(lambda: run_kernel(inputs, out), repeat))
    _row("allocate_result (a fresh block, zeroed)", times(lambda: allocate_result(inputs), repeat))
    try:
        from energysim.sweep.figures import annual_figures, prepare_figures
    except ImportError:  # pragma: no cover - an older tree
        annual_figures = None
    if annual_figures is not None:
        prep = prepare_figures(inputs, index, scenario)
        annual_figures(result, inputs, index, scenario, prep)
        _row(
            "figures-only pass (annual_figures)",
            times(lambda: annual_figures(result, inputs, index, scenario, prep), repeat),
        )
        _row(
            "prepare_figures (once per packed structure)",
            times(lambda: prepare_figures(inputs, index, scenario), repeat),
        )
    _row(
        "full path: to_dataset",
        times(lambda: to_dataset(result, inputs, index, scenario, "kernel"), max(3, repeat // 2)),
    )
    try:
        from energysim.kernel.pack import RedrawWork, packed_thermal_block, redraw
    except ImportError:
        from energysim.feasibility import redraw

        _row("one outage redraw", times(lambda: redraw(scenario, inputs, index, 3), repeat))
    else:
        block = packed_thermal_block(scenario, inputs, index)
        work = RedrawWork.like(inputs, index)
        _row(
            "one outage redraw (block and work reused)",
            times(lambda: redraw(scenario, inputs, index, 3, block, work), repeat),
        )
    if hasattr(energysim, "figures") or "figures" in getattr(energysim, "_EXPORTS", {}):
        energysim.figures(scenario)
        _row(
            "energysim.figures(), unchanged scenario",
            times(lambda: energysim.figures(scenario), repeat),
        )
    energysim.simulate(scenario)
    _row(
        "energysim.simulate(), unchanged scenario",
        times(lambda: energysim.simulate(scenario), max(3, repeat // 2)),
    )


def check_call(path: str, years: int, draws: int, workers: list[int]) -> None:
    """The check's library call with each number of workers."""
    from energysim.feasibility import check

    has_workers = "workers" in inspect.signature(check).parameters
    check([path], weather_years=1, outage_draws=1)  # compile / load the caches, untimed
    print(f"check {path} --weather-years {years} --outage-draws {draws}:")
    for n in workers if has_workers else [1]:
        options = {"workers": n} if has_workers else {}
        cpu0, t0 = _cpu(), time.perf_counter()
        check([path], weather_years=years, outage_draws=draws, **options)
        wall, cpu = time.perf_counter() - t0, _cpu() - cpu0
        print(f"  workers={n}: wall {wall:7.2f} s, CPU {cpu:7.2f} s (this process + workers)")


def what_it_takes_call(scenario: object) -> None:
    """One what-it-takes search, on the figures-only path and on the Dataset path."""
    import energysim.feasibility as feasibility

    lever = feasibility.LEVERS[:1]
    target = "new_energy_export_TWh"

    def search() -> None:
        feasibility.what_it_takes(scenario, target, levers=lever, steps=6)

    print(f"what it takes: {scenario.name} / {target}, lever {lever[0].name}, 6 steps:")
    if hasattr(feasibility, "figures_rows_dataset"):
        search()
        _row("figures-only path", times(search, 1))
        fast = feasibility.figures_rows_dataset
        feasibility.figures_rows_dataset = feasibility.evaluate  # the Dataset path of before
        try:
            _row("Dataset path (evaluate -> to_dataset)", times(search, 1))
        finally:
            feasibility.figures_rows_dataset = fast
    else:
        search()
        _row("Dataset path (this tree)", times(search, 1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="scenarios/plan-2030.yaml")
    parser.add_argument("--years", type=int, default=30)
    parser.add_argument("--draws", type=int, default=10)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--skip-pieces", action="store_true")
    parser.add_argument("--skip-check", action="store_true")
    parser.add_argument("--what-it-takes", action="store_true")
    args = parser.parse_args()
    print(
        f"energysim from {energysim.__file__}; {os.cpu_count()} cores; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    scenario = load_scenario(args.scenario)
    if not args.skip_pieces:
        pieces(scenario, args.repeat)
    if not args.skip_check:
        check_call(args.scenario, args.years, args.draws, args.workers)
    if args.what_it_takes:
        what_it_takes_call(scenario)
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
