"""Sweep throughput and memory benchmark (not a test).

Measures scenario-years (points) per second for full-year ``plan-2030`` points (annual figures
only) on the local process pool and on a Dask LocalCluster (single-threaded worker processes),
the scheduling overhead of each, and the peak memory (max RSS of the driver and of the worker
processes) for growing sweeps, to show that memory does not grow with the number of points.
Prints one table and writes everything to ``benchmarks/results/sweep.json``.

Usage::

    python benchmarks/sweep_bench.py                       # default sizes
    python benchmarks/sweep_bench.py --points 400 --memory 100 400 1600 10000
    python benchmarks/sweep_bench.py --skip-dask --workers 2 --memory

Points vary storage power (fast path: packed arrays reused) and the weather seed (a new pack per
seed), like a real sweep. Columns:

* ``wall s``, ``pts/s``: the whole ``run_sweep`` call of the large sweep in a fresh process
  (worker start-up, packing every weather year, writing the file);
* ``run pts/s``: points / ``run_s`` of the large sweep: after the workers are up (processes,
  imports, kernel warm-up, Dask cluster), packs included;
* ``steady pts/s``: (large - small points) / (large - small wall): start-up and the packs
  (the same seeds in both sweeps) cancel; on a loaded machine the difference of two noisy
  walls can be far off (then read ``run pts/s``);
* ``sched %``: per-task scheduling overhead inside the run, from the workers' own clocks: time
  between a worker's tasks not spent computing, over its busy time (``run_sweep(stats=...)``:
  ``gap_s / (gap_s + compute_s)``);
* ``vs pool %``: Dask only, the extra wall time over the local pool with the same workers on
  the same points, from the steady rates (pool rate / Dask rate - 1);
* ``packs``: scenarios packed in the large sweep over all workers (one per weather year is the
  least; more means a worker packed a year another had packed too);
* ``ms/pt``: the workers' compute time of the large sweep per point, packs included, from
  their own clocks (``compute_s / points``): against the 1-worker row it shows how much slower
  each point runs when the workers share the machine;
* ``CPU s``: CPU seconds (user + system) of the large sweep's process and all its children
  (workers; Dask: nannies, workers, scheduler), from start to end of the process;
* ``CPU ms/pt``: (large - small) CPU seconds over (large - small) points: the CPU one point
  costs in all processes together, start-up and packs cancelled; against the 1-worker row it
  shows what running two workers at once costs per point (contention, not waiting: CPU time
  does not count waiting for a core);
* ``drv ms/pt``: the same for the driver process alone, during ``run_sweep``: what the parent
  spends per point handing out batches, receiving results and writing part files (serial: the
  whole work);
* ``load``: the 1-minute load average before and after the row (2 cores: above ~2 the workers
  share their cores with other processes, and every rate falls).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from energysim.bench.runner import machine

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks/results/sweep.json"


def _write(folder: Path, n: int, seeds: int) -> Path:
    per_seed = max(1, n // seeds)
    spec = {
        "name": f"bench-{n}",
        "base": str(REPO / "scenarios/plan-2030.yaml"),
        "axes": [
            {"path": "weather.seed", "values": list(range(seeds))},
            {
                "path": "capacity_totals_GW.new_type_storage",
                "values": [round(40 + 40 * i / max(per_seed - 1, 1), 6) for i in range(per_seed)],
            },
        ],
    }
    path = folder / f"bench-{n}-{seeds}.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    return path


_CODE = """
import json, resource, sys, time
from energysim.sweep import load_sweep, run_sweep
sweep, out, workers, cluster = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] or None
s = load_sweep(sweep)
stats = {}
t = time.perf_counter()
c = time.process_time()
ds = run_sweep(s, out, workers=workers, cluster=cluster, stats=stats)
stats["wall_s"] = time.perf_counter() - t
stats["cpu_driver_s"] = time.process_time() - c  # the driver during run_sweep (pool: its parent)
stats["n_points"] = int(ds.attrs["n_points"])
stats["n_failed"] = int(ds.attrs["n_failed"])
own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
stats["rss_self_MB"] = own.ru_maxrss / 1024
stats["rss_children_MB"] = kids.ru_maxrss / 1024
stats["cpu_self_s"] = own.ru_utime + own.ru_stime
stats["cpu_children_s"] = kids.ru_utime + kids.ru_stime
print("STATS " + json.dumps(stats))
"""


def _run(sweep: Path, out: Path, backend: str, workers: int) -> dict[str, Any]:
    """Run one sweep in a fresh process; return its statistics with the load around it."""
    load0 = os.getloadavg()[0]
    cluster = "local" if backend == "dask" else ""
    res = subprocess.run(
        [sys.executable, "-c", _CODE, str(sweep), str(out), str(workers), cluster],
        capture_output=True,
        text=True,
        check=False,
    )
    if res.returncode:
        msg = f"benchmark sweep {sweep.name} ({backend}, {workers}) failed:\n{res.stderr[-3000:]}"
        raise RuntimeError(msg)
    line = next(x for x in res.stdout.splitlines()[::-1] if x.startswith("STATS "))
    stats = json.loads(line[len("STATS ") :])
    if stats["n_failed"]:
        msg = f"{stats['n_failed']} points failed in the benchmark sweep"
        raise RuntimeError(msg)
    stats["load"] = [load0, os.getloadavg()[0]]
    stats["peak_rss_MB"] = max(stats["rss_self_MB"], stats["rss_children_MB"])
    return stats


def _row(backend: str, workers: int, small: dict, large: dict) -> dict[str, Any]:
    n_s, n_l = small["n_points"], large["n_points"]
    dt = large["wall_s"] - small["wall_s"]
    steady = (n_l - n_s) / dt if dt > 0 else float("nan")  # noise beat the difference

    def cpu(run: dict) -> float:
        return run["cpu_self_s"] + run["cpu_children_s"]

    # CPU per point between the two sweeps (start-up and packs cancel), all processes
    cpu_steady = 1e3 * (cpu(large) - cpu(small)) / (n_l - n_s) if n_l > n_s else float("nan")
    driver = 1e3 * (large["cpu_driver_s"] - small["cpu_driver_s"]) / max(n_l - n_s, 1)
    return {
        "backend": backend,
        "workers": workers,
        "points": n_l,
        "wall_s": large["wall_s"],
        "points_per_s": n_l / large["wall_s"],
        "run_points_per_s": n_l / large["run_s"],
        "steady_points_per_s": steady,
        "sched_overhead": large["overhead"],
        "packs": large["packs"],
        "compute_ms_per_point": 1e3 * large["compute_s"] / n_l,
        "cpu_s": cpu(large),
        "cpu_ms_per_point": cpu_steady,
        "driver_cpu_ms_per_point": driver,
        "tasks": large["tasks"],
        "peak_rss_MB": large["peak_rss_MB"],
        "load": [min(small["load"] + large["load"]), max(small["load"] + large["load"])],
        "small": small,
        "large": large,
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the table and write the JSON."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--points", type=int, default=120, help="points of the throughput sweeps")
    parser.add_argument(
        "--memory",
        type=int,
        nargs="*",
        default=[100, 400, 1600],
        help="sizes of the memory sweeps (add 10000 if time allows; none: skip)",
    )
    parser.add_argument("--seeds", type=int, default=4, help="weather years in each sweep")
    parser.add_argument("--workers", type=int, nargs="*", default=[1, 2])
    parser.add_argument("--skip-dask", action="store_true")
    parser.add_argument("--json", type=Path, default=RESULTS, help="where to write the results")
    args = parser.parse_args(argv)

    rows: list[dict[str, Any]] = []
    memory: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        small = _write(folder, max(args.seeds, args.points // 4), args.seeds)
        large = _write(folder, args.points, args.seeds)
        backends = [("pool", w) for w in args.workers]
        if not args.skip_dask:
            backends += [("dask", w) for w in args.workers]
        for backend, workers in backends:
            s = _run(small, folder / "s.nc", backend, workers)
            g = _run(large, folder / "l.nc", backend, workers)
            rows.append(_row(backend, workers, s, g))
        for n in args.memory:
            m = _run(_write(folder, n, args.seeds), folder / "m.nc", "pool", 2)
            memory.append({"points": m["n_points"], **m})
    pool_rate = {r["workers"]: r["steady_points_per_s"] for r in rows if r["backend"] == "pool"}
    for r in rows:
        base = pool_rate.get(r["workers"])
        r["vs_pool"] = (
            base / r["steady_points_per_s"] - 1 if r["backend"] == "dask" and base else None
        )

    info = machine()
    print(  # noqa: T201
        f"machine: {info['cpu']}, nproc={os.cpu_count()}, python {platform.python_version()}, "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )
    head = (
        f"{'backend':8} {'workers':>7} {'points':>6} {'wall s':>7} {'pts/s':>6} "
        f"{'run pts/s':>9} {'steady pts/s':>12} {'sched %':>7} {'vs pool %':>9} {'packs':>5} "
        f"{'ms/pt':>6} {'CPU s':>6} {'CPU ms/pt':>9} {'drv ms/pt':>9} {'peak RSS MB':>11} "
        f"{'load':>9}"
    )
    print(head)  # noqa: T201
    for r in rows:
        vs = f"{100 * r['vs_pool']:9.0f}" if r["vs_pool"] is not None else f"{'':9}"
        print(  # noqa: T201
            f"{r['backend']:8} {r['workers']:7d} {r['points']:6d} {r['wall_s']:7.1f} "
            f"{r['points_per_s']:6.1f} {r['run_points_per_s']:9.1f} "
            f"{r['steady_points_per_s']:12.1f} "
            f"{100 * r['sched_overhead']:7.1f} {vs} {r['packs']:5d} "
            f"{r['compute_ms_per_point']:6.1f} {r['cpu_s']:6.1f} {r['cpu_ms_per_point']:9.1f} "
            f"{r['driver_cpu_ms_per_point']:9.2f} {r['peak_rss_MB']:11.0f} "
            f"{r['load'][0]:4.1f}-{r['load'][1]:<4.1f}"
        )
    if memory:
        print("\nmemory vs points (local pool, 2 workers, annual figures only)")  # noqa: T201
        print(  # noqa: T201
            f"{'points':>7} {'wall s':>8} {'pts/s':>6} {'run pts/s':>9} {'peak RSS MB':>11} "
            f"{'load':>9}"
        )
        for m in memory:
            print(  # noqa: T201
                f"{m['points']:7d} {m['wall_s']:8.1f} {m['points'] / m['wall_s']:6.1f} "
                f"{m['points'] / m['run_s']:9.1f} "
                f"{m['peak_rss_MB']:11.0f} {m['load'][0]:4.1f}-{m['load'][1]:<4.1f}"
            )
    record = {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": info,
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "throughput": rows,
        "memory": memory,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(record, indent=1), encoding="utf-8")
    print(f"\nwrote {args.json}")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
