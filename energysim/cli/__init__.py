"""The ``energysim`` command line: the one front door, on top of everything else.

Subcommands: ``validate``, ``build``, ``run``, ``fidelity``, ``check``, ``calibrate``, ``sweep``,
``plot``, ``report``, ``bench``, ``pathway``, ``attribute``, ``schema``. Bad input ends with one line on stderr naming the file,
field and value, and exit code 2; ``--debug`` shows the traceback instead.

Every handler lives in a module of this package (``energysim.cli.check`` ...) and is imported only
when its command runs, so ``energysim --help`` stays fast. Nothing outside this package imports
it: the features (:mod:`energysim.feasibility`, :mod:`energysim.report`, ...) return data and the
handlers print it.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from energysim.cli._common import EXIT_BAD_INPUT, EXIT_FAILED_TARGET, EXIT_OK
from energysim.exceptions import EnergysimError

logger = logging.getLogger(__name__)

__all__ = ["EXIT_BAD_INPUT", "EXIT_FAILED_TARGET", "EXIT_OK", "build_parser", "main"]


NOISY_LOGGERS = ("numba", "linopy", "pypsa", "distributed", "matplotlib", "fontTools", "highspy")
"""Libraries whose info logs are shown only with ``--debug``."""


def _quiet_libraries(record: logging.LogRecord) -> bool:
    """Drop library records below WARNING (Dask sets its own child loggers to INFO)."""
    top = record.name.split(".", 1)[0]
    return record.levelno >= logging.WARNING or top not in NOISY_LOGGERS


def _lazy(func: str) -> Callable[[argparse.Namespace], int]:
    """A handler that imports ``energysim.cli.<module>`` only when its command runs."""
    module, name = func.split(":")

    def call(args: argparse.Namespace) -> int:
        return getattr(importlib.import_module(f"energysim.cli.{module}"), name)(args)

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
    # the same flags after the subcommand (``energysim check --debug``); SUPPRESS keeps a flag
    # given before the subcommand from being reset by the subparser's default
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show tracebacks and debug logs",
    )
    common.add_argument(
        "-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help="show info logs"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("validate", parents=[common], help="check scenario files and summarise them")
    p.add_argument("scenarios", nargs="+", type=Path, metavar="SCENARIO")
    p.set_defaults(func=_lazy("basic:cmd_validate"))

    p = sub.add_parser("build", parents=[common], help="write the PyPSA network of a scenario")
    p.add_argument("scenario", type=Path)
    p.add_argument("-o", "--output", type=Path, required=True, help="netCDF file")
    p.set_defaults(func=_lazy("basic:cmd_build"))

    p = sub.add_parser("run", parents=[common], help="simulate one scenario-year")
    p.add_argument("scenario", type=Path)
    p.add_argument("-o", "--output", type=Path, required=True, help="results .nc or .zarr")
    p.add_argument(
        "--engine",
        default="kernel",
        help="kernel (default), reference, lp, lp-rolling or a plug-in's name",
    )
    p.set_defaults(func=_lazy("basic:cmd_run"))

    p = sub.add_parser("fidelity", parents=[common], help="compare the kernel with the LP optimum")
    p.add_argument("scenarios", nargs="+", type=Path, metavar="SCENARIO")
    p.add_argument("--hours", type=int, default=None, help="only the first N hours (default: all)")
    p.set_defaults(func=_lazy("basic:cmd_fidelity"))

    p = sub.add_parser("check", parents=[common], help="are the plan's targets feasible?")
    p.add_argument(
        "scenarios",
        nargs="*",
        type=Path,
        metavar="SCENARIO",
        help="scenario files (default: every shipped scenario)",
    )
    p.add_argument("--lp", action="store_true", help="also check with the LP optimum (slow)")
    p.add_argument(
        "--engine",
        default="kernel",
        help="engine of the first check: kernel (default), reference or a plug-in's name",
    )
    p.add_argument(
        "--weather-years",
        type=int,
        default=0,
        metavar="N",
        help="run N weather years and report probabilities and P10/P50/P90",
    )
    p.add_argument(
        "--outage-draws",
        type=int,
        default=0,
        metavar="N",
        help="run N random thermal outage draws per weather year (P(meet), P10/P50/P90); "
        "draw d of year j has seed j*N+d (sampled by outage spells since 2 Dec 2026: a seed "
        "draws other outages than before, from the same distribution; docs/adequacy.md)",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="processes for the weather years and outage draws (default: 2, or 1 on one core)",
    )
    p.add_argument(
        "--what-it-takes",
        action="store_true",
        help="for failing targets, search the smallest addition of each lever",
    )
    p.add_argument(
        "--json", type=Path, metavar="FILE", help="write the table as JSON ('-': stdout)"
    )
    p.add_argument("--csv", type=Path, metavar="FILE", help="write the table as CSV ('-': stdout)")
    p.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    p.add_argument("--no-color", action="store_true", help="no colour even on a terminal")
    p.set_defaults(func=_lazy("check:cmd_check"))

    p = sub.add_parser("pathway", parents=[common], help="run a 2026-2030 pathway year by year")
    p.add_argument("pathway", type=Path, metavar="FILE", help="pathway file (scenarios/pathways/)")
    p.add_argument("-o", "--output", type=Path, metavar="FILE", help="write the Dataset (netCDF)")
    p.add_argument(
        "--weather-years", type=int, default=0, metavar="N", help="N weather years per model year"
    )
    p.add_argument("--sweep", type=Path, metavar="SWEEP", help="run the pathway per sweep point")
    p.set_defaults(func=_lazy("pathway:cmd_pathway"))

    p = sub.add_parser(
        "calibrate", parents=[common], help="compare synthetic profiles and baseline-2025 with data"
    )
    p.add_argument(
        "--shared",
        type=Path,
        default=None,
        help="folder with the reference data (default: ../shared next to the repo)",
    )
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=_lazy("calibrate:cmd_calibrate"))

    p = sub.add_parser("sweep", parents=[common], help="run a scenario sweep")
    p.add_argument("sweep", type=Path)
    p.add_argument("-o", "--output", type=Path, required=True, help="results .nc or .zarr")
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--scheduler", default=None, help="address of a running Dask scheduler")
    p.add_argument("--cluster", choices=["local"], default=None, help="start a Dask LocalCluster")
    p.add_argument("--hourly", action="store_true", help="also store hourly outputs (large)")
    p.set_defaults(func=_lazy("sweep:cmd_sweep"))

    p = sub.add_parser(
        "plot", parents=[common], help="draw a chart from a results or sweep Dataset"
    )
    p.add_argument("results", type=Path)
    p.add_argument("--kind", required=True)
    p.add_argument("-o", "--output", type=Path, required=True, help=".png, .svg or .pdf")
    p.add_argument("--lang", choices=["en", "zh"], default="en")
    p.add_argument("--dpi", type=int, default=200)
    p.add_argument("--start", default=None, help="first day of the period (dispatch), YYYY-MM-DD")
    p.add_argument("--days", type=int, default=7, help="length of the period in days (dispatch)")
    p.add_argument("--figure", default=None, help="figure to draw (sweep charts)")
    p.set_defaults(func=_lazy("plot:cmd_plot"))

    p = sub.add_parser("report", parents=[common], help="write an HTML, Markdown or PDF report")
    p.add_argument(
        "source", type=Path, nargs="+", help="scenario file or results .nc; several: a comparison"
    )
    p.add_argument("-o", "--output", type=Path, required=True, help=".html, .md or .pdf")
    p.add_argument("--lang", choices=["en", "zh"], default="en")
    p.set_defaults(func=_lazy("report:cmd_report"))

    p = sub.add_parser("bench", parents=[common], help="benchmark dispatch engines")
    p.add_argument("--quick", action="store_true", help="small cases, few repeats (CI smoke)")
    p.add_argument("--case", action="append", default=None, help="case name (repeatable)")
    p.add_argument("--engine", action="append", default=None, help="engine name (repeatable)")
    p.add_argument("-o", "--output", type=Path, default=None, help="folder for JSON, CSV, charts")
    p.set_defaults(func=_lazy("bench:cmd_bench"))

    p = sub.add_parser(
        "attribute", parents=[common], help="what each assumption between two scenarios is worth"
    )
    p.add_argument("start", type=Path, help="scenario to start from (e.g. plan-2030-optimistic)")
    p.add_argument("end", type=Path, help="scenario to arrive at (e.g. plan-2030)")
    p.add_argument("--engine", default="kernel", help="engine of every step (default: kernel)")
    p.add_argument("--csv", type=Path, default=None, help="write the table as CSV")
    p.add_argument("--chart", type=Path, default=None, help="write a waterfall chart (PNG/SVG/PDF)")
    p.add_argument(
        "--figure", default="new_energy_utilisation", help="figure of the waterfall chart"
    )
    p.add_argument(
        "--reverse", action="store_true", help="apply the assumptions in reverse section order"
    )
    p.set_defaults(func=_lazy("attribute:cmd_attribute"))

    p = sub.add_parser("schema", parents=[common], help="print the JSON schema of scenario files")
    p.add_argument("-o", "--output", type=Path, default=None)
    p.set_defaults(func=_lazy("basic:cmd_schema"))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit code (0 ok, 1 target failed with --strict, 2 bad input)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    level = logging.DEBUG if args.debug else logging.INFO if args.verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    if not args.debug:
        for noisy in NOISY_LOGGERS:
            logging.getLogger(noisy).setLevel(logging.WARNING)
        for handler in logging.getLogger().handlers:
            handler.addFilter(_quiet_libraries)
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
