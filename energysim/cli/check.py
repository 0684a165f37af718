"""``energysim check``: the feasibility table of scenarios, on the terminal and as JSON/CSV."""

from __future__ import annotations

import argparse
import json
import logging
import sys

from energysim.cli._common import EXIT_BAD_INPUT, EXIT_FAILED_TARGET, EXIT_OK, out
from energysim.exceptions import EnergysimError

logger = logging.getLogger(__name__)

__all__ = ["cmd_check"]


def cmd_check(args: argparse.Namespace) -> int:
    """Check the scenarios named (default: every shipped one) and print the table."""
    from energysim.config.shipped import scenario_folders_searched, shipped_scenarios
    from energysim.feasibility import FAIL, check, format_table
    from energysim.results.io import atomic_write

    paths = args.scenarios or shipped_scenarios()
    if not paths:
        where = ", ".join(str(p) for p in scenario_folders_searched())
        sys.stderr.write(
            f"energysim: error: no scenario given and no shipped scenarios found (looked in {where})"
            "; name scenario files: energysim check SCENARIO.yaml\n"
        )
        return EXIT_BAD_INPUT
    table = check(
        paths,
        lp=args.lp,
        weather_years=args.weather_years,
        what_it_takes_levers=args.what_it_takes,
        engine=args.engine,
    )
    to_stdout = [name for name in ("json", "csv") if str(getattr(args, name) or "") == "-"]
    if len(to_stdout) > 1:
        msg = "--json - and --csv - both ask for stdout; give a file name to one of them"
        raise EnergysimError(msg)
    text = format_table(table, color=sys.stdout.isatty() and not args.no_color and not to_stdout)
    if to_stdout:  # stdout carries the machine-readable table; the readable one goes to stderr
        sys.stderr.write(text + "\n")
    else:
        out(text)
    if args.json:
        payload = {
            "targets": json.loads(table.to_json(orient="records")),
            "what_it_takes": json.loads(table.attrs["what_it_takes"].to_json(orient="records"))
            if len(table.attrs["what_it_takes"])
            else [],
            "what_it_takes_skipped": table.attrs["what_it_takes_skipped"].to_dict("records"),
        }
        text = json.dumps(payload, indent=2, ensure_ascii=False)
        if "json" in to_stdout:
            out(text)
        else:
            atomic_write(args.json, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    if args.csv:
        if "csv" in to_stdout:
            sys.stdout.write(table.to_csv(index=False))
        else:
            atomic_write(args.csv, lambda tmp: table.to_csv(tmp, index=False))
    failed = bool((table.verdict == FAIL).any())
    return EXIT_FAILED_TARGET if (args.strict and failed) else EXIT_OK
