"""``energysim bench``: run the benchmark registry, print a table, write JSON/CSV and charts."""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

import pandas as pd

from energysim.cli._common import EXIT_OK, out

logger = logging.getLogger(__name__)

__all__ = ["cmd_bench", "format_bench"]

GAP_COLUMNS = {
    "gap_new_energy_utilisation": "Δutil pp",
    "gap_new_energy_local_TWh": "Δlocal %",
    "gap_new_energy_export_TWh": "Δexport %",
    "gap_coal_TWh": "Δcoal %",
    "gap_unserved_MWh": "Δunserved MWh",
}


def format_bench(table: pd.DataFrame) -> str:
    """The benchmark table as text."""
    if table.empty:
        return "no benchmark ran"
    cols = [
        "case",
        "engine",
        "hours",
        "buses",
        "storage_units",
        "median_s",
        "ms_per_scenario_year",
        "peak_mem_mb",
        "lp_over_engine",
        *[c for c in GAP_COLUMNS if c in table],
    ]
    view = table[cols].rename(
        columns={
            "median_s": "s/run",
            "ms_per_scenario_year": "ms/scen-yr",
            "peak_mem_mb": "mem MB",
            "lp_over_engine": "LP/engine",
            "storage_units": "stor",
            **GAP_COLUMNS,
        }
    )
    return view.to_string(index=False, float_format=lambda v: f"{v:.4g}")


def cmd_bench(args: argparse.Namespace) -> int:
    """Run the benchmarks named on the command line (default: all, or the quick set)."""
    import energysim.bench.builtin  # noqa: F401 - registers the built-in cases
    from energysim.bench.runner import (
        compile_times,
        machine,
        run_benchmarks,
        scaling_chart,
        scenario_scaling,
    )
    from energysim.engines import load_plugins
    from energysim.results.io import atomic_write

    plugins = load_plugins()
    info = machine()
    out(
        f"machine: {info['cpu']} ({info['cores']} cores), Python {info['python']}, "
        f"numba {info['numba']}"
    )
    if plugins:
        out(f"plug-ins: {', '.join(plugins)}")
    compile_info = compile_times()
    out(
        f"kernel compile (first call, no cache): {compile_info['compile_s']:.2f} s; "
        f"cached start-up (first call, disk cache): {compile_info['cached_startup_s'] * 1e3:.0f} ms"
    )
    table = run_benchmarks(args.case, args.engine, quick=args.quick)
    out(format_bench(table))
    scen = None if args.quick else scenario_scaling()
    if scen is not None:
        out("\nscenario scaling (plan-2030, kernel, back to back):")
        out(scen.to_string(index=False))
    if args.output:
        folder = Path(args.output)
        payload = {
            "machine": info,
            "compile": compile_info,
            "plugins": plugins,
            "results": json.loads(table.to_json(orient="records")),
        }
        if scen is not None:
            payload["scenario_scaling"] = json.loads(scen.to_json(orient="records"))
        atomic_write(
            folder / "bench.json", lambda tmp: tmp.write_text(json.dumps(payload, indent=2))
        )
        atomic_write(folder / "bench.csv", lambda tmp: table.to_csv(tmp, index=False))
        scaling_chart(table, scen, folder / "scaling.png")
        out(f"wrote {folder / 'bench.json'}, {folder / 'bench.csv'}, {folder / 'scaling.png'}")
    return EXIT_OK
