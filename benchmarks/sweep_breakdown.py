"""Where one sweep point's time goes, step by step, in one process (not a test; issue 17).

Runs the steps of :func:`energysim.sweep.worker.run_point` by hand on plan-2030 storage-power
points (``capacity_totals_GW.new_type_storage`` from 40 to 80 GW, the axis of
``sweep_bench.py``) and times each one, interleaved point by point so that every step sees
the same machine load:

* ``scenario``: the point's validated scenario (:func:`~energysim.sweep.worker.point_scenario`:
  the base validated once, then the totals) -- and, for comparison, ``scenario (full
  validation)``: :func:`energysim.config.load_scenario_dict` of the merged data, what every
  point paid before;
* ``storage arrays``: the storage fields on the packed arrays
  (:func:`~energysim.sweep.worker.storage_arrays`, with the pack's pre-pass balance given, as
  the worker does);
* ``kernel``: the dispatch into the reused output block;
* ``figures pass``: :func:`energysim.sweep.figures.annual_figures` with the fleets' hourly sums
  given (the sweep's path) -- and ``figures pass (fleets summed per hour)``, the path of
  :func:`energysim.figures`;
* ``verdicts``: :func:`~energysim.sweep.figures.target_verdicts`;
* ``run_point``: the whole step as the worker runs it (includes the dispatch-key cache lookups).

And once per packed scenario (a weather year): profiles, pack, ``prepare_figures``,
``fleet_hours`` and ``inputs_balance``. Times are CPU seconds of this thread (``time.thread_time``): on a shared
machine they leave out the time the process waits for a core, though not the slowdown of
sharing caches and memory with other processes. The minimum is the least disturbed run.

``--against TREE`` adds an A/B of the whole worker step: :func:`energysim.sweep.worker.run_batch`
on the same 160 storage-power points (batches of 20, CPU ms per point), in fresh processes that
alternate between this tree and another checkout of the project (e.g. ``git archive <commit> |
tar -x -C /tmp/base``), three processes each, so both see the same machine load.

``--pair ROUNDS`` answers "why do two workers give less than twice one": two long-lived
worker processes (spawned, one numba and one OpenBLAS thread each, as the pool's) run
:func:`~energysim.sweep.worker.run_batch` on storage-power points, round by round: A alone, B
alone, then A and B at once. CPU ms per point (``time.thread_time``) alone and together show
what the two cost each other (caches, memory, the host's cores); wall ms per point together
against alone shows, in addition, time spent waiting for a core (other processes). The
driver only sends the number of points and receives two floats per round: it costs nothing.

Usage::

    python benchmarks/sweep_breakdown.py              # 40 points
    python benchmarks/sweep_breakdown.py --points 100 --json out.json
    python benchmarks/sweep_breakdown.py --against /tmp/base
    python benchmarks/sweep_breakdown.py --points 0 --pair 8
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks/results/sweep_breakdown.json"


def _cpu_ms(fn: Callable[[], Any]) -> tuple[Any, float]:
    t0 = time.thread_time()
    out = fn()
    return out, (time.thread_time() - t0) * 1e3


_AB = """
import json, os, statistics, sys, time
tree = sys.argv[1]
if tree:  # import energysim from that tree, not from the installed (editable) one
    sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in str(f)]
    sys.path.insert(0, tree)
import yaml
import energysim
from energysim.sweep import load_sweep
from energysim.sweep.runner import sweep_payload
from energysim.sweep.worker import init_worker, run_batch
spec = {"name": "ab", "base": sys.argv[2], "axes": [{"path": "capacity_totals_GW.new_type_storage",
        "values": [round(40 + i * 0.2, 3) for i in range(165)]}]}
path = os.path.join(sys.argv[3], "ab.yaml")
with open(path, "w", encoding="utf-8") as fh:
    yaml.safe_dump(spec, fh)
sweep = load_sweep(path)
init_worker(sweep_payload(sweep), pin=False)
points = [(str(i), p.overrides) for i, p in enumerate(sweep.points())]
run_batch(points[:5])  # compile or load the kernels, pack
per = []
for b in range(8):
    chunk = points[5 + 20 * b : 25 + 20 * b]
    t = time.thread_time()
    res = run_batch(chunk)
    per.append((time.thread_time() - t) / len(chunk) * 1e3)
    assert not any(res["error"]), res["error"]
print("AB " + json.dumps({"energysim": energysim.__file__, "per_point_ms": per}))
"""


def _against(tree: Path) -> dict[str, Any]:
    """CPU ms per point of ``run_batch`` here and in ``tree``, alternating fresh processes."""
    runs: dict[str, list[float]] = {"this tree": [], str(tree): []}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(3):
            for label, arg in (("this tree", ""), (str(tree), str(tree))):
                out = subprocess.run(
                    [sys.executable, "-c", _AB, arg, str(REPO / "scenarios/plan-2030.yaml"), tmp],
                    capture_output=True,
                    text=True,
                    check=True,
                    cwd=tmp,  # no ./benchmarks/plugins of either tree
                )
                line = next(x for x in out.stdout.splitlines() if x.startswith("AB "))
                got = json.loads(line[3:])
                if arg and not Path(got["energysim"]).is_relative_to(tree.resolve()):
                    msg = f"imported {got['energysim']}, not the tree {tree}"
                    raise RuntimeError(msg)
                runs[label].extend(got["per_point_ms"])
    return {
        label: {"min_ms": min(v), "median_ms": statistics.median(v), "batches": len(v)}
        for label, v in runs.items()
    }


def _pair_worker(conn: Any, base: str, folder: str) -> None:
    """A long-lived sweep worker for :func:`_pair`: runs ``n`` new points per message."""
    import yaml

    from energysim.sweep import load_sweep
    from energysim.sweep.runner import sweep_payload
    from energysim.sweep.worker import init_worker, run_batch

    spec = {
        "name": "pair",
        "base": base,
        "axes": [
            {
                "path": "capacity_totals_GW.new_type_storage",
                "values": [round(40 + i * 0.01, 3) for i in range(4000)],
            }
        ],
    }
    path = Path(folder) / f"pair-{os.getpid()}.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    sweep = load_sweep(path)
    init_worker(sweep_payload(sweep), warm=False, pin=True)
    points = [(str(i), p.overrides) for i, p in enumerate(sweep.points())]
    run_batch(points[:5])  # compile or load the kernels, pack
    k = 5
    conn.send("ready")
    while (n := conn.recv()) is not None:
        t, w = time.thread_time(), time.perf_counter()
        run_batch(points[k : k + n])
        k += n
        conn.send(((time.thread_time() - t) / n * 1e3, (time.perf_counter() - w) / n * 1e3))


def _pair(rounds: int, n: int = 15) -> dict[str, Any]:
    """Two workers alone and together (see the module docstring): CPU and wall ms per point."""
    import multiprocessing

    from energysim.sweep.runner import WORKER_ENV, _env

    ctx = multiprocessing.get_context("spawn")
    alone: list[tuple[float, float]] = []
    together: list[tuple[float, float]] = []
    with tempfile.TemporaryDirectory() as tmp, _env(**WORKER_ENV):
        pipes, procs = [], []
        for _ in range(2):
            here, there = ctx.Pipe()
            proc = ctx.Process(
                target=_pair_worker, args=(there, str(REPO / "scenarios/plan-2030.yaml"), tmp)
            )
            proc.start()
            pipes.append(here)
            procs.append(proc)
        for conn in pipes:
            conn.recv()
        for _ in range(rounds):
            for conn in pipes:
                conn.send(n)
                alone.append(conn.recv())
            for conn in pipes:
                conn.send(n)
            together.extend(conn.recv() for conn in pipes)
        for conn in pipes:
            conn.send(None)
        for proc in procs:
            proc.join()

    def row(values: list[tuple[float, float]], i: int) -> dict[str, float]:
        v = [x[i] for x in values]
        return {"min_ms": min(v), "median_ms": statistics.median(v), "n": len(v)}

    cpu_a, cpu_t = row(alone, 0), row(together, 0)
    wall_a, wall_t = row(alone, 1), row(together, 1)
    return {
        "points_per_round": n,
        "cpu_alone": cpu_a,
        "cpu_together": cpu_t,
        "wall_alone": wall_a,
        "wall_together": wall_t,
        "cpu_ratio_median": cpu_t["median_ms"] / cpu_a["median_ms"],
        "cpu_ratio_min": cpu_t["min_ms"] / cpu_a["min_ms"],
        "two_vs_one": 2 * wall_a["median_ms"] / wall_t["median_ms"],
    }


def main(argv: list[str] | None = None) -> int:
    """Time the steps, print the table and write the JSON."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--points", type=int, default=40, help="storage-power points timed")
    parser.add_argument("--json", type=Path, default=RESULTS, help="where to write the results")
    parser.add_argument(
        "--against", type=Path, default=None, help="another checkout: A/B of run_batch"
    )
    parser.add_argument(
        "--pair", type=int, default=0, help="rounds of two workers alone and together (0: skip)"
    )
    args = parser.parse_args(argv)
    if args.points <= 0:
        record: dict[str, Any] = {"created": datetime.now(UTC).isoformat(timespec="seconds")}
        return _finish(record, args)

    from energysim.config import load_scenario, load_scenario_dict
    from energysim.engines import dispatch
    from energysim.kernel import pack
    from energysim.kernel.pack import inputs_balance
    from energysim.run import scenario_profiles
    from energysim.sweep.figures import (
        annual_figures,
        fleet_hours,
        prepare_figures,
        result_block,
        target_verdicts,
    )
    from energysim.sweep.worker import (
        Payload,
        _State,
        apply_overrides,
        point_scenario,
        run_point,
        storage_arrays,
    )

    path = "capacity_totals_GW.new_type_storage"
    base = load_scenario(REPO / "scenarios/plan-2030.yaml")
    data = base.model_dump()
    payload = Payload("breakdown", data, ("renewable_weight",), False, frozenset({path}))
    state = _State(payload)

    per_pack: dict[str, list[float]] = {
        "profiles": [],
        "pack": [],
        "prepare_figures": [],
        "fleet_hours": [],
        "inputs_balance": [],
    }
    for seed in range(3):  # three weather years: the first warms up (compiles) and is dropped
        year = base.model_copy(update={"weather": base.weather.model_copy(update={"seed": seed})})
        profiles, t_prof = _cpu_ms(lambda y=year: scenario_profiles(y))
        (inputs, index), t_pack = _cpu_ms(lambda y=year, p=profiles: pack(y, p))
        prep, t_prep = _cpu_ms(lambda y=year, i=inputs, x=index: prepare_figures(i, x, y))
        fleets, t_fleet = _cpu_ms(lambda x=index, p=prep: fleet_hours(x, p))
        balance, t_bal = _cpu_ms(lambda i=inputs: inputs_balance(i))
        if seed:
            times = (t_prof, t_pack, t_prep, t_fleet, t_bal)
            for name, t in zip(per_pack, times, strict=True):
                per_pack[name].append(t)

    steps: dict[str, list[float]] = {
        name: []
        for name in (
            "scenario",
            "scenario (full validation)",
            "storage arrays",
            "kernel",
            "figures pass",
            "figures pass (fleets summed per hour)",
            "verdicts",
            "run_point",
        )
    }
    block = result_block(inputs)
    n = max(args.points, 2)
    for i in range(n + 3):  # three warm-up points
        value = round(40 + 40 * i / (n + 2), 6)
        overrides = [(path, value)]
        s, t_s = _cpu_ms(lambda o=overrides: point_scenario(state, o))
        _, t_full = _cpu_ms(
            lambda o=overrides: load_scenario_dict(apply_overrides(data, o), file="<point>")
        )
        arrays, t_st = _cpu_ms(lambda s=s: storage_arrays(s, inputs, balance))
        point = dataclasses.replace(inputs, **arrays)
        result, t_k = _cpu_ms(lambda s=s, p=point: dispatch(s, p, index, "kernel", out=block))
        figs, t_f = _cpu_ms(
            lambda s=s, p=point, r=result: annual_figures(r, p, index, s, prep, fleets)
        )
        _, t_f2 = _cpu_ms(lambda s=s, p=point, r=result: annual_figures(r, p, index, s, prep))
        _, t_v = _cpu_ms(lambda s=s, f=figs: target_verdicts(f, s))
        _, t_run = _cpu_ms(lambda o=overrides: run_point(state, o))
        if i >= 3:
            for name, t in zip(steps, (t_s, t_full, t_st, t_k, t_f, t_f2, t_v, t_run), strict=True):
                steps[name].append(t)

    def row(values: list[float]) -> dict[str, float]:
        return {"min_ms": min(values), "median_ms": statistics.median(values), "n": len(values)}

    table = {name: row(v) for name, v in steps.items()}
    packs = {name: row(v) for name, v in per_pack.items()}
    parts = ("scenario", "storage arrays", "kernel", "figures pass", "verdicts")
    point_min = sum(table[p]["min_ms"] for p in parts)
    point_median = sum(table[p]["median_ms"] for p in parts)
    print(  # noqa: T201
        f"plan-2030 storage-power points, {n} timed; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"load average {os.getloadavg()[0]:.1f} (CPU ms of this thread)"
    )
    print(f"{'step':40} {'min ms':>8} {'median ms':>10}")  # noqa: T201
    for name, r in table.items():
        print(f"{name:40} {r['min_ms']:8.2f} {r['median_ms']:10.2f}")  # noqa: T201
    print(f"{'sum of the sweep path steps':40} {point_min:8.2f} {point_median:10.2f}")  # noqa: T201
    print("\nonce per packed scenario (weather year)")  # noqa: T201
    for name, r in packs.items():
        print(f"{name:40} {r['min_ms']:8.2f} {r['median_ms']:10.2f}")  # noqa: T201
    kernel = table["kernel"]["min_ms"]
    print(  # noqa: T201
        f"\nceiling with 2 workers on 2 free cores, no contention: {2e3 / point_min:.0f} points/s "
        f"(kernel alone: {2e3 / kernel:.0f} points/s)"
    )
    record = {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "load": os.getloadavg()[0],
        "points": n,
        "per_point": table,
        "per_pack": packs,
        "sweep_point_sum_ms": {"min": point_min, "median": point_median},
    }
    if args.against is not None:
        record["against"] = _against(args.against)
        print("\nrun_batch, CPU ms per point (8 batches of 20 points x 3 processes each)")  # noqa: T201
        for label, r in record["against"].items():
            print(f"{label:40} {r['min_ms']:8.2f} {r['median_ms']:10.2f}")  # noqa: T201
    return _finish(record, args)


def _finish(record: dict[str, Any], args: argparse.Namespace) -> int:
    """Add the two-worker rounds if asked, write ``record`` to ``args.json``; exit code 0."""
    if args.pair:
        record["pair"] = _print_pair(args.pair)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(record, indent=1), encoding="utf-8")
    print(f"\nwrote {args.json}")  # noqa: T201
    return 0


def _print_pair(rounds: int) -> dict[str, Any]:
    load0 = os.getloadavg()[0]
    pair = _pair(rounds)
    pair["load"] = [load0, os.getloadavg()[0]]
    print(  # noqa: T201
        f"\ntwo workers, {rounds} rounds of {pair['points_per_round']} points "
        f"(load {load0:.1f}-{pair['load'][1]:.1f}): ms per point, min / median"
    )
    for name in ("cpu_alone", "cpu_together", "wall_alone", "wall_together"):
        r = pair[name]
        print(f"{name:40} {r['min_ms']:8.2f} {r['median_ms']:10.2f}")  # noqa: T201
    print(  # noqa: T201
        f"CPU together / alone: {pair['cpu_ratio_median']:.2f} (medians), "
        f"{pair['cpu_ratio_min']:.2f} (minima); two workers = {pair['two_vs_one']:.2f}x one (wall)"
    )
    return pair


if __name__ == "__main__":
    sys.exit(main())
