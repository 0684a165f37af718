"""Run the benchmark registry: speed, compile time, memory and fidelity against the LP.

Speed is measured here and reported; no test asserts it.
"""

from __future__ import annotations

import json
import logging
import os
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

import energysim.progress as progress
from energysim.bench.registry import CASES, ENGINES, BenchEngine
from energysim.engines import dispatch, load_plugins
from energysim.exceptions import EnergysimError, KernelError
from energysim.fidelity import FIGURES, compare
from energysim.results.build import to_dataset

logger = logging.getLogger(__name__)

__all__ = [
    "check_engine",
    "compile_times",
    "load_plugins",
    "machine",
    "run_benchmarks",
    "scaling_chart",
]

BUILTIN_ENGINES = frozenset(ENGINES)
"""Engines registered by :mod:`energysim.engines` itself (the rest are plug-ins)."""


def machine() -> dict[str, object]:
    """Where the benchmark ran: CPU model, cores, Python, numba and numpy versions."""
    import numba
    import numpy as np

    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "numba": numba.__version__,
        "numpy": np.__version__,
        "platform": platform.platform(),
    }


_COMPILE_SCRIPT = """
import time, json
t0 = time.perf_counter()
from energysim.bench.builtin import synthetic_case
s, inputs, index = synthetic_case(4, 168, 2)
t1 = time.perf_counter()
from energysim.kernel import run_kernel
run_kernel(inputs)
t2 = time.perf_counter()
run_kernel(inputs)
t3 = time.perf_counter()
print(json.dumps({"first_call_s": t2 - t1, "second_call_s": t3 - t2, "import_s": t1 - t0}))
"""


def compile_times() -> dict[str, float]:
    """First-call time of the kernel in a fresh process: without the disk cache (compile) and
    with it (cached start-up), seconds."""
    out = {}
    progress.note("bench: timing the kernel's compile and cached start-up in fresh processes")
    for label, cache in (("compile_s", "0"), ("cached_startup_s", "1")):
        env = {**os.environ, "ENERGYSIM_NUMBA_CACHE": cache}
        if cache == "1":  # make sure the cache is populated first
            subprocess.run(
                [sys.executable, "-c", _COMPILE_SCRIPT],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
        proc = subprocess.run(
            [sys.executable, "-c", _COMPILE_SCRIPT],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        times = json.loads(proc.stdout.strip().splitlines()[-1])
        out[label] = times["first_call_s"] - times["second_call_s"]
    return out


def _maxrss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _time(engine: BenchEngine, packed: tuple, repeats: int) -> tuple[list[float], float, object]:
    """Run ``repeats`` timed runs; return the times, the peak memory (MB) and the last result.

    Memory: for compiled engines the numpy/Python allocations of one extra traced run
    (tracemalloc peak); for the others the growth of the process's peak RSS during the runs
    (covers the solver's own memory; 0 if an earlier, larger run already set the peak).
    """
    scenario, inputs, index = packed
    times = []
    result = None
    rss_before = _maxrss_mb()
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = dispatch(scenario, inputs, index, engine.name, guards=False)
        times.append(time.perf_counter() - t0)
    if engine.compiled:
        tracemalloc.start()
        dispatch(scenario, inputs, index, engine.name, guards=False)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return times, peak / 1e6, result
    return times, _maxrss_mb() - rss_before, result


def check_engine(engine: BenchEngine, packed: tuple) -> None:
    """Run ``engine`` once on ``packed`` and check the invariants of :mod:`energysim.guards`.

    Raises :class:`KernelError` naming the broken invariant. Also compiles a numba engine (or
    loads it from the cache), so the timed runs that follow measure the hour loop only.
    """
    scenario, inputs, index = packed
    try:
        dispatch(scenario, inputs, index, engine.name, guards=True)
    except EnergysimError:
        raise
    except Exception as err:  # noqa: BLE001 - a plug-in's own bug is reported, not a crash
        msg = (
            f"engine {engine.name!r} failed: {type(err).__name__}: {err}; expected "
            "run(scenario, inputs, index) -> DispatchResult"
        )
        raise KernelError(msg) from err


def run_benchmarks(
    cases: Sequence[str] | None = None,
    engines: Sequence[str] | None = None,
    quick: bool = False,
) -> pd.DataFrame:
    """Run the selected cases and engines.

    Parameters
    ----------
    cases, engines : sequence of str, optional
        Names from the registries; default: all (``quick``: the quick cases).
    quick : bool, default False
        Smoke mode: quick cases only, few repeats.

    Returns
    -------
    pandas.DataFrame
        One row per (case, engine): ``hours``, ``buses``, ``storage_units``, ``median_s``,
        ``ms_per_scenario_year`` (normalised to 8760 h), ``repeats``, ``peak_mem_mb`` (see
        :func:`_time`), and for every key figure its value and
        ``gap_<figure>`` to the LP (pp for shares, % for TWh, absolute otherwise).
    """
    selected_cases = _select(CASES, cases, lambda c: c.quick if quick else True, "case")
    selected_engines = _select(ENGINES, engines, lambda e: True, "engine")
    rows = []
    bar = progress.bar(len(selected_cases) * len(selected_engines), "bench", "run")
    for case in selected_cases:
        packed = case.build()
        scenario, inputs, index = packed
        hours = inputs.demand.shape[0]
        lp_ds = None
        results = {}
        for engine in selected_engines:
            bar.update()
            if engine.max_hours is not None and hours > engine.max_hours:
                continue
            if engine.is_reference_optimum and not case.lp:
                continue
            repeats = 1 if not engine.compiled else (5 if quick else 20)
            logger.info("bench %s / %s", case.name, engine.name)
            try:
                if engine.compiled or engine.name not in BUILTIN_ENGINES:
                    check_engine(engine, packed)  # plug-ins prove their invariants first
                times, peak, result = _time(engine, packed, repeats)
            except KernelError as err:
                logger.warning(
                    "%s on %s breaks an invariant, not timed: %s", engine.name, case.name, err
                )
                continue
            except EnergysimError as err:
                logger.warning("%s on %s failed: %s", engine.name, case.name, err)
                continue
            ds = to_dataset(result, inputs, index, scenario, engine.name)
            results[engine.name] = ds
            if engine.is_reference_optimum:
                lp_ds = ds
            median = statistics.median(times)
            rows.append(
                {
                    "case": case.name,
                    "engine": engine.name,
                    "hours": hours,
                    "buses": inputs.demand.shape[1],
                    "storage_units": inputs.st_p.shape[0],
                    "axis": case.axis,
                    "size": case.size,
                    "median_s": median,
                    "ms_per_scenario_year": median * 1e3 * 8760 / hours,
                    "repeats": repeats,
                    "peak_mem_mb": peak,
                    **{name: float(ds[name]) for name in FIGURES},
                }
            )
        if lp_ds is not None:
            for row in rows:
                if row["case"] == case.name and row["engine"] in results:
                    gaps = compare(results[row["engine"]], lp_ds)
                    for name in FIGURES:
                        row[f"gap_{name}"] = float(gaps.loc[name, "gap"])
    bar.close()
    table = pd.DataFrame(rows)
    lp_time = (
        table[table.engine == "lp"].set_index("case")["median_s"] if len(table) else pd.Series()
    )
    if len(table):
        table["lp_over_engine"] = [
            lp_time.get(c, float("nan")) / s
            for c, s in zip(table.case, table.median_s, strict=True)
        ]
    return table


def _select(registry: dict, names: Sequence[str] | None, default, what: str) -> list:  # noqa: ANN001
    if names:
        unknown = [n for n in names if n not in registry]
        if unknown:
            msg = f"unknown benchmark {what} {unknown}; expected some of: {', '.join(registry)}"
            raise EnergysimError(msg)
        return [registry[n] for n in names]
    return [item for item in registry.values() if default(item)]


def scenario_scaling(counts: Sequence[int] = (1, 10, 100), case: str = "plan-2030") -> pd.DataFrame:
    """Wall time of N kernel scenario-years run back to back (packed once), seconds."""
    from energysim.kernel import run_kernel

    try:
        _, inputs, _ = CASES[case].build()
    except (EnergysimError, OSError):
        _, inputs, _ = CASES["synthetic-hours-8760"].build()
    run_kernel(inputs)
    rows = []
    for n in counts:
        t0 = time.perf_counter()
        for _ in range(n):
            run_kernel(inputs)
        rows.append({"scenarios": n, "seconds": time.perf_counter() - t0})
    return pd.DataFrame(rows)


def scaling_chart(table: pd.DataFrame, scenarios: pd.DataFrame | None, path: Path) -> Path:
    """Log-log charts of kernel time against hours, buses, storage units and scenarios."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import NullFormatter

    from energysim.results.io import atomic_write

    kernel = table[table.engine == "kernel"]
    panels = [("hours", "hours simulated"), ("buses", "buses"), ("storage", "storage units")]
    fig, axes = plt.subplots(1, 4, figsize=(14, 3.4))
    for ax, (axis, label) in zip(axes, panels, strict=False):
        part = kernel[kernel.axis == axis].sort_values("size")
        if len(part):
            ax.loglog(part["size"].clip(lower=0.5), part["median_s"] * 1e3, "o-", color="#3B8BC2")
        ax.set_xlabel(label)
        ax.set_ylabel("kernel time per run (ms)")
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.yaxis.set_minor_formatter(NullFormatter())
        ax.grid(True, which="both", alpha=0.3)
    ax = axes[3]
    if scenarios is not None and len(scenarios):
        ax.loglog(scenarios["scenarios"], scenarios["seconds"], "o-", color="#9B5DE5")
    ax.set_xlabel("scenario-years run")
    ax.set_ylabel("wall time (s)")
    ax.grid(True, which="both", alpha=0.3)
    fig.suptitle("energysim kernel scaling (median of repeats, one core)")
    fig.tight_layout()
    atomic_write(path, lambda tmp: fig.savefig(tmp, format="png", dpi=120))
    plt.close(fig)
    return path
