"""Sweep throughput and memory benchmark (not a test).

Measures points per second for full-year ``plan-2030`` points (annual figures only) with 1 and 2
workers on the local process pool and on a Dask LocalCluster, and the peak memory (max RSS of the
driver and of the worker processes) for growing sweeps, to show that memory does not grow with the
number of points. Prints a table.

Usage::

    python benchmarks/sweep_bench.py                      # default sizes
    python benchmarks/sweep_bench.py --points 200 --memory 100 1000 10000

Points vary storage power (fast path: packed arrays reused) and the weather seed (a new pack per
seed), like a real sweep. Throughput excludes start-up (worker spawn and warm-up) by measuring
the difference between two sweep sizes.
"""

from __future__ import annotations

import argparse
import platform
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from energysim.bench.runner import machine

REPO = Path(__file__).resolve().parents[1]


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
        "figures": None,
    }
    spec.pop("figures")
    path = folder / f"bench-{n}-{seeds}.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    return path


def _run(sweep: Path, out: Path, backend: str, workers: int) -> tuple[float, int, float]:
    """Run one sweep in a fresh process; return (seconds, points, peak RSS MB incl. children)."""
    code = (
        "import sys, time, resource\n"
        "from energysim.sweep import load_sweep, run_sweep\n"
        f"s = load_sweep({str(sweep)!r})\n"
        "t = time.perf_counter()\n"
        f"ds = run_sweep(s, {str(out)!r}, workers={workers}, "
        f"cluster={'local' if backend == 'dask' else None!r})\n"
        "dt = time.perf_counter() - t\n"
        "me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "ch = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(dt, ds.attrs['n_points'], ds.attrs['n_failed'], me, ch)\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    dt, n, failed, me, ch = res.stdout.split()[-5:]
    if int(failed):
        msg = f"{failed} points failed in the benchmark sweep"
        raise RuntimeError(msg)
    return float(dt), int(n), max(float(me), float(ch))


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=120, help="points of the throughput sweeps")
    parser.add_argument(
        "--memory",
        type=int,
        nargs="*",
        default=[100, 400, 1600],
        help="sizes of the memory sweeps (10000 if time allows)",
    )
    parser.add_argument("--seeds", type=int, default=4, help="weather years in each sweep")
    parser.add_argument("--skip-dask", action="store_true")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rows = []
        small = _write(folder, max(args.seeds, args.points // 4), args.seeds)
        large = _write(folder, args.points, args.seeds)
        backends = [("local", 1), ("local", 2)] + (
            [] if args.skip_dask else [("dask", 1), ("dask", 2)]
        )
        for backend, workers in backends:
            t_small, n_small, _ = _run(small, folder / "s.nc", backend, workers)
            t_large, n_large, rss = _run(large, folder / "l.nc", backend, workers)
            rate = (n_large - n_small) / max(t_large - t_small, 1e-9)
            rows.append((backend, workers, n_large, t_large, n_large / t_large, rate, rss))
        print(
            f"machine: {machine()['cpu']}, nproc={subprocess.getoutput('nproc')}, "  # noqa: T201
            f"python {platform.python_version()}"
        )
        print(
            f"{'backend':8} {'workers':>7} {'points':>7} {'wall s':>8} {'pts/s':>8} "  # noqa: T201
            f"{'pts/s steady':>13} {'peak RSS MB':>12}"
        )
        for b, w, n, t, r, steady, rss in rows:
            print(f"{b:8} {w:7d} {n:7d} {t:8.1f} {r:8.1f} {steady:13.1f} {rss:12.0f}")  # noqa: T201

        print("\nmemory vs points (local pool, 2 workers, annual figures only)")  # noqa: T201
        print(f"{'points':>7} {'wall s':>8} {'peak RSS MB (max process)':>26}")  # noqa: T201
        for n in args.memory:
            sweep = _write(folder, n, args.seeds)
            t, npts, rss = _run(sweep, folder / "m.nc", "local", 2)
            print(f"{npts:7d} {t:8.1f} {rss:26.0f}")  # noqa: T201
    _ = resource  # keep the import for readers of the subprocess code
    return 0


if __name__ == "__main__":
    sys.exit(main())
