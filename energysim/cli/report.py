"""``energysim report``: an HTML, Markdown or PDF report of a scenario or a results file."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from energysim.cli._common import EXIT_OK, out, output_path
from energysim.exceptions import EnergysimError

logger = logging.getLogger(__name__)

__all__ = ["cmd_report"]


def cmd_report(args: argparse.Namespace) -> int:
    """Build the report of ``args.source`` and write it to ``args.output`` (format by suffix)."""
    from energysim.report import SUFFIXES, build_report, write_report

    output_path(args.output, SUFFIXES, "a report")
    if not Path(args.source).exists():
        msg = f"report source {str(args.source)!r} does not exist"
        raise EnergysimError(msg)
    report = build_report(args.source, lang=args.lang)
    path = write_report(report, args.output)
    n_fail = sum(c == "fail" for c in report.verdict_classes)
    out(
        f"wrote {path}: {len(report.verdicts)} targets ({n_fail} failing), "
        f"{len(report.charts)} charts"
    )
    return EXIT_OK
