"""Small commands: ``validate``, ``build``, ``run``, ``fidelity``, ``schema``."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from energysim.cli._common import EXIT_OK, out, output_path

logger = logging.getLogger(__name__)

__all__ = ["cmd_build", "cmd_fidelity", "cmd_run", "cmd_schema", "cmd_validate"]

RESULT_SUFFIXES = (".nc", ".zarr")


def cmd_validate(args: argparse.Namespace) -> int:
    """Check scenario files and print a one-line summary of each."""
    from energysim.config import load_scenario
    from energysim.summary import scenario_summary

    for path in args.scenarios:
        scenario = load_scenario(path)
        out(f"{path}: OK  {scenario_summary(scenario)}")
    return EXIT_OK


def cmd_build(args: argparse.Namespace) -> int:
    """Write the PyPSA network of a scenario to netCDF."""
    from energysim.network import build_network
    from energysim.results.io import atomic_write

    output_path(args.output, (".nc",), "a PyPSA network")
    network = build_network(args.scenario)
    atomic_write(args.output, lambda tmp: network.export_to_netcdf(tmp))
    out(
        f"wrote {args.output}: {len(network.buses)} buses, {len(network.generators)} generators, "
        f"{len(network.storage_units)} storage units, {len(network.links)} links, "
        f"{len(network.snapshots)} snapshots"
    )
    return EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    """Simulate one scenario-year and write the results Dataset."""
    from energysim.results.io import write_dataset
    from energysim.run import simulate

    output_path(args.output, RESULT_SUFFIXES, "results")
    ds = simulate(args.scenario, engine=args.engine)
    write_dataset(ds, args.output)
    out(
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
        out(format_fidelity(table, title=str(path)))
        out()
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    """Print or write the JSON schema of the scenario format."""
    from energysim.config import scenario_json_schema

    text = scenario_json_schema()
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        out(f"wrote {args.output}")
    else:
        sys.stdout.write(text)
    return EXIT_OK
