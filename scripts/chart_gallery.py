"""Regenerate the chart images of docs/img: every chart kind in English and Chinese.

Usage::

    energysim run scenarios/plan-2030.yaml -o plan.nc
    energysim sweep scenarios/sweeps/storage-corridor-weather.yaml -o sweep.nc
    python scripts/chart_gallery.py plan.nc --sweep sweep.nc -o docs/img

Writes ``<kind>-<lang>.png`` for each result kind of :data:`energysim.plot.charts.CHARTS`
(and each sweep kind with ``--sweep``), ``capacity_balance-<lang>.png`` when
:mod:`energysim.adequacy` is installed, and ``monthly-plan-2030.png`` (the README's figure).
Prints any pair of overlapping texts it finds (there should be none).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import xarray as xr

from energysim.plot import CHARTS, draw, save_figure, text_overlaps
from energysim.plot.sources import load_any, sweep_target


def main(argv: list[str] | None = None) -> int:
    """Command line: draw every chart kind in both languages into a folder."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("results", type=Path)
    parser.add_argument("--sweep", type=Path, default=None)
    parser.add_argument("-o", "--output", type=Path, default=Path("docs/img"))
    parser.add_argument("--dpi", type=int, default=110)
    args = parser.parse_args(argv)
    ds = xr.load_dataset(args.results)
    sweep = load_any(args.sweep) if args.sweep else None
    args.output.mkdir(parents=True, exist_ok=True)
    problems = 0
    for lang in ("en", "zh"):
        for kind, spec in CHARTS.items():
            if spec.data == "sweep":
                if sweep is None:
                    continue
                figure = "new_energy_local_TWh"
                target, sense = sweep_target(sweep, figure)
                fig = draw(kind, sweep, lang=lang, figure=figure, target=target, sense=sense)
            else:
                fig = draw(kind, ds, lang=lang)
            problems += _save(fig, args.output / f"{kind}-{lang}.png", args.dpi, lang)
        try:
            from energysim.adequacy import capacity_balance  # type: ignore[attr-defined]
        except ImportError:
            capacity_balance = None
        if capacity_balance is not None:
            from matplotlib.figure import Figure

            from energysim.config import load_scenario
            from energysim.plot import capacity_balance_chart
            from energysim.plot.style import chart_style

            table = capacity_balance(load_scenario(f"scenarios/{ds.attrs['scenario']}.yaml"))
            with chart_style(lang):
                fig = Figure(figsize=(9.0, 5.0), layout="constrained")
                capacity_balance_chart(table, ax=fig.add_subplot(), lang=lang)
            problems += _save(fig, args.output / f"capacity_balance-{lang}.png", args.dpi, lang)
    problems += _save(draw("monthly", ds), args.output / "monthly-plan-2030.png", args.dpi, "en")
    return 1 if problems else 0


def _save(fig: object, path: Path, dpi: int, lang: str) -> int:
    overlaps = text_overlaps(fig)
    save_figure(fig, path, dpi=dpi, lang=lang)
    sys.stdout.write(f"wrote {path}{' OVERLAPS: ' + repr(overlaps) if overlaps else ''}\n")
    return 1 if overlaps else 0


if __name__ == "__main__":
    sys.exit(main())
