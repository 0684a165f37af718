"""The ``energysim`` command line.

Subcommands: ``validate``, ``build``, ``run``, ``fidelity``, ``check``, ``calibrate``, ``sweep``,
``plot``, ``report``, ``bench``, ``attribute``, ``schema``. Bad input ends with one line on stderr naming the file,
field and value, and exit code 2; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from energysim.exceptions import EnergysimError

logger = logging.getLogger(__name__)

__all__ = ["main"]

SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"
EXIT_OK, EXIT_FAILED_TARGET, EXIT_BAD_INPUT = 0, 1, 2


def scenario_folder() -> Path:
    """Where the shipped scenarios are: ``./scenarios`` if present, else the repository's."""
    return Path("scenarios") if Path("scenarios").is_dir() else SCENARIO_DIR


def shipped_scenarios() -> list[Path]:
    """The shipped scenario files, sorted by name."""
    return sorted(p for p in scenario_folder().glob("*.yaml") if p.is_file())


def _out(text: str = "") -> None:
    print(text)  # noqa: T201 - the CLI is the one place that prints


# -- subcommands --------------------------------------------------------------------------------


def cmd_validate(args: argparse.Namespace) -> int:
    """Check scenario files and print a one-line summary of each."""
    from energysim.config import load_scenario
    from energysim.summary import scenario_summary

    for path in args.scenarios:
        scenario = load_scenario(path)
        _out(f"{path}: OK  {scenario_summary(scenario)}")
    return EXIT_OK


def cmd_build(args: argparse.Namespace) -> int:
    """Write the PyPSA network of a scenario to netCDF."""
    from energysim import build_network
    from energysim.results.io import atomic_write

    network = build_network(args.scenario)
    atomic_write(args.output, lambda tmp: network.export_to_netcdf(tmp))
    _out(
        f"wrote {args.output}: {len(network.buses)} buses, {len(network.generators)} generators, "
        f"{len(network.storage_units)} storage units, {len(network.links)} links, "
        f"{len(network.snapshots)} snapshots"
    )
    return EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    """Simulate one scenario-year and write the results Dataset."""
    from energysim import simulate
    from energysim.results.io import write_dataset

    ds = simulate(args.scenario, engine=args.engine)
    write_dataset(ds, args.output)
    _out(
        f"wrote {args.output} ({args.engine}, {ds.attrs['run_seconds'] * 1e3:.1f} ms): "
        f"new energy used {float(ds.new_energy_used_TWh):.1f} TWh "
        f"(utilisation {float(ds.new_energy_utilisation):.1%}), local "
        f"{float(ds.new_energy_local_TWh):.1f} TWh, export {float(ds.new_energy_export_TWh):.1f} "
        f"TWh of {float(ds.export_TWh):.1f} TWh, unserved {float(ds.unserved_MWh):.0f} MWh"
    )
    return EXIT_OK


def cmd_fidelity(args: argparse.Namespace) -> int:
    """Run kernel and LP on the same scenario-year and print the gaps."""
    from energysim.fidelity import fidelity_table, format_fidelity

    for path in args.scenarios:
        table = fidelity_table(path, hours=args.hours)
        _out(format_fidelity(table, title=str(path)))
        _out()
    return EXIT_OK


def cmd_attribute(args: argparse.Namespace) -> int:
    """Walk from scenario A to scenario B one assumption at a time; print what each moves."""
    from energysim.attribution import attribute, waterfall
    from energysim.config import load_scenario

    table = attribute(load_scenario(args.start), load_scenario(args.end), engine=args.engine)
    start, end = table.attrs["start"], table.attrs["end"]
    figures = [c for c in table.columns if c != "changes"]
    width = max(len(str(i)) for i in [*table.index, table.attrs["start_name"]])
    _out(f"{'':{width}}  " + "  ".join(f"{f[:22]:>22}" for f in figures))
    _out(f"{table.attrs['start_name']:{width}}  " + "  ".join(f"{start[f]:>22.4f}" for f in figures))
    for step, row in table.iterrows():
        _out(f"{step!s:{width}}  " + "  ".join(f"{row[f]:>+22.4f}" for f in figures))
    _out(f"{table.attrs['end_name']:{width}}  " + "  ".join(f"{end[f]:>22.4f}" for f in figures))
    if args.csv:
        table.to_csv(args.csv)
        _out(f"wrote {args.csv}")
    if args.chart:
        import matplotlib

        matplotlib.use("Agg")
        ax = waterfall(table, figure=args.figure)
        ax.figure.tight_layout()
        ax.figure.savefig(args.chart, dpi=150)
        _out(f"wrote {args.chart}")
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    """Print or write the JSON schema of the scenario format."""
    from energysim.config import scenario_json_schema

    text = scenario_json_schema()
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        _out(f"wrote {args.output}")
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _lazy(module: str, func: str) -> Callable[[argparse.Namespace], int]:
    def call(args: argparse.Namespace) -> int:
        return getattr(importlib.import_module(module), func)(args)

    return call


# -- parser -------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="energysim",
        description="Does Inner Mongolia's 2030 power plan hold, hour by hour?",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    parser.add_argument("-v", "--verbose", action="store_true", help="show info logs")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("validate", help="check scenario files and summarise them")
    p.add_argument("scenarios", nargs="+", type=Path, metavar="SCENARIO")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("build", help="write the PyPSA network of a scenario")
    p.add_argument("scenario", type=Path)
    p.add_argument("-o", "--output", type=Path, required=True, help="netCDF file")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("run", help="simulate one scenario-year")
    p.add_argument("scenario", type=Path)
    p.add_argument("-o", "--output", type=Path, required=True, help="results .nc or .zarr")
    p.add_argument("--engine", choices=["kernel", "reference", "lp"], default="kernel")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("fidelity", help="compare the kernel with the LP optimum")
    p.add_argument("scenarios", nargs="+", type=Path, metavar="SCENARIO")
    p.add_argument("--hours", type=int, default=None, help="only the first N hours (default: all)")
    p.set_defaults(func=cmd_fidelity)

    p = sub.add_parser("check", help="are the plan's targets feasible?")
    p.add_argument(
        "scenarios",
        nargs="*",
        type=Path,
        metavar="SCENARIO",
        help="scenario files (default: every shipped scenario)",
    )
    p.add_argument("--lp", action="store_true", help="also check with the LP optimum (slow)")
    p.add_argument(
        "--weather-years",
        type=int,
        default=0,
        metavar="N",
        help="run N weather years and report probabilities and P10/P50/P90",
    )
    p.add_argument(
        "--what-it-takes",
        action="store_true",
        help="for failing targets, search the smallest addition of each lever",
    )
    p.add_argument("--json", type=Path, metavar="FILE", help="write the table as JSON")
    p.add_argument("--csv", type=Path, metavar="FILE", help="write the table as CSV")
    p.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    p.add_argument("--no-color", action="store_true", help="no colour even on a terminal")
    p.set_defaults(func=_lazy("energysim.feasibility", "cmd_check"))

    p = sub.add_parser("calibrate", help="compare synthetic profiles and baseline-2025 with data")
    p.add_argument(
        "--shared",
        type=Path,
        default=None,
        help="folder with the reference data (default: ../shared next to the repo)",
    )
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=_lazy("energysim.calibration", "cmd_calibrate"))

    p = sub.add_parser("sweep", help="run a scenario sweep")
    p.add_argument("sweep", type=Path)
    p.add_argument("-o", "--output", type=Path, required=True, help="results .nc or .zarr")
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--scheduler", default=None, help="address of a running Dask scheduler")
    p.add_argument("--cluster", choices=["local"], default=None, help="start a Dask LocalCluster")
    p.add_argument("--hourly", action="store_true", help="also store hourly outputs (large)")
    p.set_defaults(func=_lazy("energysim.sweep.cli", "cmd_sweep"))

    p = sub.add_parser("plot", help="draw a chart from a results or sweep Dataset")
    p.add_argument("results", type=Path)
    p.add_argument("--kind", required=True)
    p.add_argument("-o", "--output", type=Path, required=True, help=".png, .svg or .pdf")
    p.add_argument("--lang", choices=["en", "zh"], default="en")
    p.add_argument("--dpi", type=int, default=200)
    p.add_argument("--start", default=None, help="first day of the period (dispatch), YYYY-MM-DD")
    p.add_argument("--days", type=int, default=7, help="length of the period in days (dispatch)")
    p.add_argument("--figure", default=None, help="figure to draw (sweep charts)")
    p.set_defaults(func=_lazy("energysim.plot.cli", "cmd_plot"))

    p = sub.add_parser("report", help="write an HTML or Markdown report")
    p.add_argument("source", type=Path, help="scenario file or results .nc")
    p.add_argument("-o", "--output", type=Path, required=True, help=".html, .md or .pdf")
    p.add_argument("--lang", choices=["en", "zh"], default="en")
    p.set_defaults(func=_lazy("energysim.report", "cmd_report"))

    p = sub.add_parser("bench", help="benchmark dispatch engines")
    p.add_argument("--quick", action="store_true", help="small cases, few repeats (CI smoke)")
    p.add_argument("--case", action="append", default=None, help="case name (repeatable)")
    p.add_argument("--engine", action="append", default=None, help="engine name (repeatable)")
    p.add_argument("-o", "--output", type=Path, default=None, help="folder for JSON, CSV, charts")
    p.set_defaults(func=_lazy("energysim.bench", "cmd_bench"))

    p = sub.add_parser("attribute", help="what each assumption between two scenarios is worth")
    p.add_argument("start", type=Path, help="scenario to start from (e.g. plan-2030-optimistic)")
    p.add_argument("end", type=Path, help="scenario to arrive at (e.g. plan-2030)")
    p.add_argument("--engine", choices=["kernel", "reference", "lp"], default="kernel")
    p.add_argument("--csv", type=Path, default=None, help="write the table as CSV")
    p.add_argument("--chart", type=Path, default=None, help="write a waterfall chart (PNG/SVG)")
    p.add_argument(
        "--figure", default="new_energy_utilisation", help="figure of the waterfall chart"
    )
    p.set_defaults(func=cmd_attribute)

    p = sub.add_parser("schema", help="print the JSON schema of scenario files")
    p.add_argument("-o", "--output", type=Path, default=None)
    p.set_defaults(func=cmd_schema)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit code (0 ok, 1 target failed with --strict, 2 bad input)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    level = logging.DEBUG if args.debug else logging.INFO if args.verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("numba", "linopy", "pypsa", "distributed", "matplotlib", "fontTools"):
        if not args.debug:
            logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        return int(args.func(args))
    except EnergysimError as err:
        if args.debug:
            raise
        sys.stderr.write(f"energysim: error: {err}\n")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        sys.stderr.write("energysim: interrupted\n")
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
