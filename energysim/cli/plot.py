"""``energysim plot RESULTS.nc --kind KIND -o FILE``: one chart of a results or sweep Dataset."""

from __future__ import annotations

import argparse
import logging

from energysim.cli._common import EXIT_OK, out

logger = logging.getLogger(__name__)

__all__ = ["cmd_plot"]


def cmd_plot(args: argparse.Namespace) -> int:
    """CLI handler of ``energysim plot``: draw ``--kind`` and write PNG, SVG or PDF by suffix."""
    from energysim.exceptions import EnergysimError
    from energysim.plot.charts import KINDS, SWEEP_KINDS, draw, is_sweep
    from energysim.plot.export import figure_format, save_figure
    from energysim.plot.sources import load_any, sweep_figure, sweep_target
    from energysim.plot.style import resolve_lang

    if args.kind not in KINDS:
        msg = f"chart kind {args.kind!r} is not known; expected one of {sorted(KINDS)}"
        raise EnergysimError(msg)
    figure_format(args.output)
    lang = resolve_lang(args.lang)
    ds = load_any(args.results)
    figure = args.figure
    target, sense = None, ">="
    if args.kind in SWEEP_KINDS and is_sweep(ds):
        figure = sweep_figure(ds, figure)
        if figure is not None:
            target, sense = sweep_target(ds, figure)
    fig = draw(
        args.kind,
        ds,
        lang=lang,
        start=args.start,
        days=args.days,
        figure=figure,
        target=target,
        sense=sense,
    )
    save_figure(fig, args.output, dpi=args.dpi, lang=lang)
    out(f"wrote {args.output} ({args.kind}, {lang})")
    return EXIT_OK
