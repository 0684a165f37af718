"""Time the check's ensemble and its pieces: figures-only vs the full path (issue 17).

Usage::

    python benchmarks/check_bench.py [--scenario scenarios/plan-2030.yaml] [--years 30]
        [--draws 10] [--workers 1 2] [--repeat 10] [--skip-pieces] [--skip-check]
        [--what-it-takes] [--breakdown YEARS]

Prints, for one scenario-year of the scenario (median and fastest of ``--repeat`` calls, after
one untimed call): the kernel into a fresh output block and into a reused one (what writing
the hourly outputs into new memory costs), the figures-only pass
(:func:`energysim.sweep.figures.annual_figures`), the full path's ``to_dataset``, one outage
redraw, and ``energysim.figures()`` against ``energysim.simulate()`` on an unchanged scenario.
Then the library call of ``energysim check SCENARIO --weather-years N --outage-draws M`` with
each ``--workers`` value: wall time and CPU time (this process and its workers). With
``--what-it-takes``, one what-it-takes search (new-type storage lever, 6 bisection steps, on
``new_energy_export_TWh``) on the figures-only path and on the Dataset path it replaced.
With ``--breakdown YEARS``, first the check's ensemble piece by piece (:func:`breakdown`: the
parent's pieces, then per generated weather year and per outage draw, on YEARS sample years)
with the wall time it projects for the ``--workers`` maximum.

To time a tree from before this work, run the file with ``PYTHONPATH`` set to that tree
(``git archive REV | tar -x -C DIR``; the pieces it lacks are skipped). Benchmarks, not tests;
on a loaded machine compare the ratios measured in one run.
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import os
import resource
import statistics
import time
from collections.abc import Iterator

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
        try:
            from energysim.sweep.figures import draw_fleets
        except ImportError:  # pragma: no cover - a tree from before h17-percpu
            pass
        else:  # as the check's ensemble: into the figures' fleet sums, on copies of the sums
            import dataclasses

            base = dataclasses.replace(
                inputs, th_avail=inputs.th_avail.copy(), th_must=inputs.th_must.copy()
            )
            fleets = draw_fleets(index, prepare_figures(inputs, index, scenario))
            fleet_work = RedrawWork.in_place(base, index, fleets)
            _row(
                "one outage redraw into the fleet sums (the check's)",
                times(lambda: redraw(scenario, base, index, 3, block, fleet_work), repeat),
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


@contextlib.contextmanager
def _timed(log: dict[str, list[float]], name: str) -> Iterator[None]:
    """Add the wall seconds of the ``with`` block to ``log[name]``."""
    t0 = time.perf_counter()
    yield
    log.setdefault(name, []).append(time.perf_counter() - t0)


def breakdown(
    path: str, years: int, draws: int, sample: int, workers: int, kernel_twice: bool = False
) -> None:
    """Where the time of ``check PATH --weather-years YEARS --outage-draws DRAWS`` goes.

    In this process, one piece at a time, as a pool worker runs them (numba and, where this
    tree can, BLAS on one thread): ``sample`` generated weather years (profiles not in any
    cache), each packed and prepared for the figures, then ``draws`` outage draws each (the
    draw itself, the rest of the redraw, the kernel, the figures and target values; where the
    tree's check packs a year on its first draw, so does this, and only the other draws are
    re-drawn; where the tree's check re-draws into the figures' fleet sums
    (:func:`energysim.sweep.figures.draw_fleets`), so does this). The
    parent's pieces: interpreter start and imports (a fresh process), loading the scenario,
    the scenario's own year (profiles, pack, kernel, Dataset, rows), the capacity balance, and
    the pool's start (fork, initializer, one empty task each). The projection adds the
    parent's pieces to the weather years' total over ``workers`` (in the check the pool's
    start overlaps the own year, so this is an upper bound on a quiet machine). With
    ``kernel_twice``, each draw's kernel is also timed a second time on the same inputs and
    once on the year's base pack (its first draw where the check packs on it, else the
    expected derate; whether a draw's kernel is slower for its inputs or for the memory around
    it; not added to the projection).
    """
    import multiprocessing
    import subprocess
    import sys
    from concurrent.futures import ProcessPoolExecutor

    import numpy as np

    import energysim.feasibility as feas
    from energysim.engines import dispatch

    # this work's check packs each year on its first draw (the other draws re-draw it)
    first_draw_pack = "if d == 0:" in inspect.getsource(feas._member_task)
    from energysim.kernel import availability
    from energysim.kernel.pack import RedrawWork, pack_with_block, redraw
    from energysim.profiles import synthetic
    from energysim.sweep.figures import annual_figures, prepare_figures, result_block

    try:
        from energysim.sweep.figures import draw_fleets
    except ImportError:  # pragma: no cover - a tree from before h17-percpu
        draw_fleets = None

    log: dict[str, list[float]] = {}
    with _timed(log, "parent: interpreter start + imports (fresh process)"):
        subprocess.run([sys.executable, "-c", "import energysim.cli, energysim.feasibility"])
    with _timed(log, "parent: load the scenario"):
        scenario = load_scenario(path)
    with _timed(log, "parent: own year, profiles"):
        own = feas.run.scenario_profiles(scenario)
    with _timed(log, "parent: own year, pack + kernel + Dataset"):
        ds = feas.evaluate(scenario, profiles=own)
    with _timed(log, "parent: own year, adequacy + indicators + target rows"):
        feas.adequacy_summary(ds)
        feas.indicator_rows(ds)
        feas.target_rows(scenario, ds)
    with _timed(log, "parent: capacity balance"):
        feas.capacity_balance(scenario, own, by_grid=True)
    with _timed(log, f"parent: pool start ({workers} workers, fork + initializer)"):
        ctx = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(workers, mp_context=ctx, initializer=feas._pin_numba) as pool:
            list(pool.map(int, range(workers)))
    feas._pin_numba()  # this process now runs the pieces as a worker would
    static_of = getattr(feas, "_static", None)  # this work's shared static part
    for name in ("_clear_sky_cached", "_wind_offset_cached", "_load_calendar_cached"):
        if hasattr(synthetic, name):
            getattr(synthetic, name).cache_clear()  # the first sample year fills them
    for j in range(sample):
        year = feas.seeded(scenario, scenario.weather.seed + 1000 + j)
        with _timed(log, "year: profiles (generated)"):
            prof = feas.run.scenario_profiles(year)
        options = {}
        if static_of is not None:
            with _timed(log, "year: static part of the pack (cached after the first year)"):
                options["static"] = static_of(year, prof)
        if first_draw_pack:  # as the check: the year packed on its first draw
            options["outage_seed"] = feas.outage_seed(j, 0, draws)
        with _timed(log, "year: pack"):
            inputs, index, block = pack_with_block(year, prof, **options)
        with _timed(log, "year: prepare_figures"):
            prep = prepare_figures(inputs, index, year)
        fleets = None  # this work (h17-percpu): the draws write the figures' fleet sums
        if draw_fleets is not None and first_draw_pack and not kernel_twice:
            with _timed(log, "year: draw_fleets (the first draw's fleet sums)"):
                fleets = draw_fleets(index, prep)
            work = RedrawWork.in_place(inputs, index, fleets)
        elif first_draw_pack and hasattr(RedrawWork, "in_place") and not kernel_twice:
            work = RedrawWork.in_place(inputs, index)  # as the check: into the first draw's
        else:
            work = RedrawWork.like(inputs, index)
        figure_fleets = None if fleets is None else (fleets.must, fleets.head)
        if hasattr(availability, "outage_plan"):  # this work: a plan per year, the draw alone
            plan = availability.outage_plan(year, index.snapshots)
            buffers = (np.empty((len(index.snapshots), len(plan.names)), order="F"),)

            def outage_draw(seed: int, plan: object = plan, buffers: tuple = buffers) -> None:
                availability.draw_outages(plan, seed, *buffers)
        else:  # pragma: no cover - an older tree: hour-by-hour Markov chains

            def outage_draw(seed: int, year: object = year, index: object = index) -> None:
                availability.outage_draw_array(year, index.snapshots, seed)

        for d in range(draws):
            seed = feas.outage_seed(j, d, draws)
            with _timed(log, "draw: outage draw (the sampler; inside the redraw)"):
                outage_draw(seed)
            if first_draw_pack and d == 0:
                drawn, drawn_index = inputs, index  # packed on this draw
            else:
                with _timed(log, "draw: redraw (the outage draw again + the rest)"):
                    drawn, drawn_index = redraw(year, inputs, index, seed, block, work)
            with _timed(log, "draw: kernel"):
                result = dispatch(year, drawn, drawn_index, "kernel", out=result_block(drawn))
            if kernel_twice:  # the same draw's kernel again, and the year's own inputs'
                with _timed(log, "draw: kernel again, same inputs (not in the projection)"):
                    dispatch(year, drawn, drawn_index, "kernel", out=result_block(drawn))
                with _timed(log, "draw: kernel on the year's base pack (not projected)"):
                    dispatch(year, inputs, index, "kernel", out=result_block(inputs))
                result = dispatch(year, drawn, drawn_index, "kernel", out=result_block(drawn))
            with _timed(log, "draw: figures + target values"):
                got = annual_figures(result, drawn, drawn_index, year, prep, figure_fleets)
                feas.target_values(scenario, got, drawn_index)
    print(
        f"breakdown of check {path} --weather-years {years} --outage-draws {draws} ({sample} "
        f"sample years; wall ms; load average {os.getloadavg()[0]:.1f}):"
    )
    parent = per_year = 0.0
    for name, ts in log.items():
        mean = float(np.mean(ts))
        if name.startswith("parent"):
            parent += mean
            total = mean
        elif name.startswith("year"):
            total = mean * years
            per_year += mean
        elif "inside the redraw" in name or "not " in name:
            total = mean * years * draws  # inside the redraw: not added again
        else:
            runs = len(ts) / sample  # per year: draws, or draws - 1 redraws
            total = mean * years * runs
            per_year += mean * runs
        print(f"  {name:60s} {mean * 1e3:8.1f} ms each {total:7.2f} s in all")
    print(
        f"  one weather year with its draws: {per_year:.2f} s; the parent's pieces {parent:.2f} s;"
        f" projected wall with {workers} workers {parent + per_year * years / workers:.1f} s"
    )


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
    parser.add_argument(
        "--kernel-twice",
        action="store_true",
        help="with --breakdown: time each draw's kernel again and on the year's base pack",
    )
    parser.add_argument(
        "--breakdown",
        type=int,
        default=0,
        metavar="YEARS",
        help="time the ensemble piece by piece on this many sample years",
    )
    args = parser.parse_args()
    print(
        f"energysim from {energysim.__file__}; {os.cpu_count()} cores; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    scenario = load_scenario(args.scenario)
    if args.breakdown:
        breakdown(
            args.scenario,
            args.years,
            args.draws,
            args.breakdown,
            max(args.workers),
            args.kernel_twice,
        )
    if not args.skip_pieces:
        pieces(scenario, args.repeat)
    if not args.skip_check:
        check_call(args.scenario, args.years, args.draws, args.workers)
    if args.what_it_takes:
        what_it_takes_call(scenario)
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
