"""Time the dispatch LP by phase (network, model, solve, read-back), this code against a git revision.

Usage::

    python benchmarks/lp_bench.py --hours 2000 --before f1db3e5 [--scenario scenarios/plan-2030.yaml]

``--before REV`` loads ``energysim/lp.py`` and ``energysim/network.py`` as they were at ``REV``
(the rest of the package is this checkout's) and times them in the same process, right before
this checkout's LP, on the same packed inputs (:func:`energysim.kernel.pack.head` of the year)
and the same HiGHS options (interior point without crossover, as for a full year). Prints one
line per run: seconds per phase, the objective and the key dispatch totals; benchmarks, not
tests.
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from energysim.kernel.pack import head
from energysim.run import packed

IPM = {"solver": "ipm", "run_crossover": "off", "log_to_console": False}


def _module_at(rev: str, path: str, name: str, folder: Path):  # noqa: ANN202
    """Import ``path`` as it was at git revision ``rev`` under the module name ``name``."""
    text = subprocess.run(
        ["git", "show", f"{rev}:{path}"], capture_output=True, text=True, check=True
    ).stdout
    file = folder / f"{name}.py"
    file.write_text(text.replace("energysim.network import", f"{name[:-3]}_network import"))
    spec = importlib.util.spec_from_file_location(name, file)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def run(lp, scenario, inputs, index, label: str) -> dict:  # noqa: ANN001
    """Build, solve and read back one LP with module ``lp``; seconds per phase."""
    c0 = time.process_time()
    t0 = time.perf_counter()
    built = lp._lp_network(scenario, inputs, index)
    n, groups = built if isinstance(built, tuple) else (built, None)
    extra_args = (groups,) if groups is not None else ()
    t1 = time.perf_counter()
    n.optimize.create_model(include_objective_constant=False)
    lp._extra_functionality(scenario, inputs, index, *extra_args)(n, n.snapshots)
    t2 = time.perf_counter()
    status, condition = n.optimize.solve_model(solver_name="highs", io_api="direct", **IPM)
    t3 = time.perf_counter()
    res = lp._to_result(n, scenario, inputs, index, *extra_args)
    t4 = time.perf_counter()
    c4 = time.process_time()
    row = {
        "code": label,
        "hours": len(index.snapshots),
        "network_s": t1 - t0,
        "model_s": t2 - t1,
        "solve_s": t3 - t2,
        "readback_s": t4 - t3,
        "total_s": t4 - t0,
        "cpu_s": c4 - c0,  # this process's CPU time (HiGHS's IPM runs on one thread)
        "status": f"{status}/{condition}",
        "objective": float(n.model.objective.value),
        "nvars": int(n.model.nvars),
        "ncons": int(n.model.ncons),
        "thermal_MWh": float(res.thermal.sum()),
        "curtail_MWh": float(res.curtail.sum()),
        "export_MWh": float(res.corr_flow.sum()),
    }
    print(" ".join(f"{k}={v:.6g}" if isinstance(v, float) else f"{k}={v}" for k, v in row.items()))
    return row


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("pypsa").setLevel(logging.WARNING)
    logging.getLogger("linopy").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="scenarios/plan-2030.yaml")
    parser.add_argument("--hours", type=int, default=None, help="first hours only (default: year)")
    parser.add_argument("--before", default=None, help="git revision to time first")
    args = parser.parse_args()
    scenario, inputs, index = packed(args.scenario)
    if args.hours:
        inputs, index = head(inputs, index, args.hours)
    import energysim.lp as now

    if args.before:
        with tempfile.TemporaryDirectory() as folder:
            _module_at(args.before, "energysim/network.py", "before_network", Path(folder))
            old = _module_at(args.before, "energysim/lp.py", "before_lp", Path(folder))
            before = run(old, scenario, inputs, index, f"before ({args.before})")
    after = run(now, scenario, inputs, index, "after")
    if args.before:
        rel = abs(after["objective"] - before["objective"]) / abs(before["objective"])
        print(
            f"objective relative difference {rel:.2e}; total time after/before "
            f"{after['total_s'] / before['total_s']:.3f}"
        )


if __name__ == "__main__":
    main()
