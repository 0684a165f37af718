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
    from energysim.report import (
        SUFFIXES,
        build_comparison,
        build_report,
        load_source,
        write_report,
    )

    output_path(args.output, SUFFIXES, "a report")
    sources = args.source if isinstance(args.source, list) else [args.source]
    for source in sources:
        if not Path(source).exists():
            msg = f"report source {str(source)!r} does not exist"
            raise EnergysimError(msg)
    if len(sources) > 1:  # several scenarios: a comparison
        report = build_comparison([load_source(s)[0] for s in sources], lang=args.lang)
    else:
        report = build_report(*load_source(sources[0]), lang=args.lang)
    path = write_report(report, args.output)
    if report.compare:
        out(f"wrote {path}: {len(report.compare[0]) - 1} scenarios, {len(report.charts)} charts")
        return EXIT_OK
    n_fail = sum(c == "fail" for c in report.verdict_classes)
    out(
        f"wrote {path}: {len(report.verdicts)} targets ({n_fail} failing), "
        f"{len(report.charts)} charts"
    )
    return EXIT_OK
