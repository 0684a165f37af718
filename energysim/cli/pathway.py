"""``energysim pathway``: run a pathway file year by year, print its table, write its Dataset."""

from __future__ import annotations

import argparse
import logging

from energysim.cli._common import EXIT_OK, out, output_path
from energysim.exceptions import EnergysimError

logger = logging.getLogger(__name__)

__all__ = ["cmd_pathway"]


def cmd_pathway(args: argparse.Namespace) -> int:
    """Run the pathway (per sweep point with ``--sweep``), print the table, write ``-o``."""
    from energysim.pathway import format_pathway, format_pathway_sweep, pathway_sweep, run_pathway
    from energysim.results.io import atomic_write

    if args.weather_years < 0:
        msg = f"--weather-years must be 0 or more, got {args.weather_years}"
        raise EnergysimError(msg)
    target = output_path(args.output, (".nc",), "the pathway Dataset") if args.output else None
    if args.sweep:
        ds = pathway_sweep(args.pathway, args.sweep, weather_years=args.weather_years)
        out(format_pathway_sweep(ds))
    else:
        ds = run_pathway(args.pathway, weather_years=args.weather_years)
        out(format_pathway(ds))
    if target is not None:
        atomic_write(target, lambda tmp: ds.to_netcdf(tmp))
    return EXIT_OK
