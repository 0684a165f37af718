"""``energysim plot RESULTS.nc --kind KIND -o FILE``: one chart of a results or sweep Dataset."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import xarray as xr

from energysim.exceptions import EnergysimError
from energysim.plot.charts import KINDS, SWEEP_KINDS, draw, is_sweep
from energysim.plot.export import figure_format, save_figure
from energysim.plot.style import resolve_lang

logger = logging.getLogger(__name__)

__all__ = ["cmd_plot", "load_any", "sweep_target"]

DEFAULT_SWEEP_FIGURE = "new_energy_local_TWh"


def load_any(path: str | Path) -> xr.Dataset:
    """Read a results or sweep Dataset from netCDF (``.nc``) or zarr (``.zarr``) into memory."""
    path = Path(path)
    if not path.exists():
        msg = f"{str(path)!r} does not exist; expected a results or sweep .nc file"
        raise EnergysimError(msg)
    try:
        if path.suffix == ".zarr":
            return xr.open_zarr(path).load()
        return xr.load_dataset(path)
    except (OSError, ValueError) as err:
        msg = f"cannot read {str(path)!r} as a netCDF/zarr Dataset: {err}"
        raise EnergysimError(msg) from err


def sweep_target(sweep: xr.Dataset, figure: str) -> tuple[float | None, str]:
    """Target value and direction of a sweep figure, from the sweep's base scenario.

    The base scenario file (``base_file`` attr) gives the targets when it can be read, else the
    plan's defaults (:class:`energysim.config.schema.Targets`). Figures without a target give None.
    """
    from energysim.config import load_scenario
    from energysim.config.schema import Targets
    from energysim.feasibility import TARGETS

    spec = next((t for t in TARGETS if t.variable == figure), None)
    if spec is None:
        return None, ">="
    targets = Targets()
    base = sweep.attrs.get("base_file")
    if base and Path(str(base)).is_file():
        try:
            targets = load_scenario(str(base)).targets
        except EnergysimError as err:  # pragma: no cover - a base that no longer validates
            logger.warning("using the plan's default targets: %s", err)
    return getattr(targets, spec.field), spec.sense


def cmd_plot(args: argparse.Namespace) -> int:
    """CLI handler of ``energysim plot``: draw ``--kind`` and write PNG, SVG or PDF by suffix."""
    from energysim.cli import EXIT_OK, _out

    if args.kind not in KINDS:
        msg = f"chart kind {args.kind!r} is not known; expected one of {sorted(KINDS)}"
        raise EnergysimError(msg)
    figure_format(args.output)
    lang = resolve_lang(args.lang)
    ds = load_any(args.results)
    figure = args.figure
    target, sense = None, ">="
    if args.kind in SWEEP_KINDS and is_sweep(ds):
        if figure is None:
            figure = (
                DEFAULT_SWEEP_FIGURE
                if DEFAULT_SWEEP_FIGURE in ds
                else next((str(n) for n, v in ds.data_vars.items() if v.dtype.kind == "f"), None)
            )
        if figure is not None and figure in ds:
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
    _out(f"wrote {args.output} ({args.kind}, {lang})")
    return EXIT_OK
