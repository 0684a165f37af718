"""What a chart is drawn from: a results or sweep Dataset read from disk, and a sweep figure's target."""

from __future__ import annotations

import logging
from pathlib import Path

import xarray as xr

from energysim.exceptions import EnergysimError

logger = logging.getLogger(__name__)

__all__ = ["DEFAULT_SWEEP_FIGURE", "load_any", "sweep_figure", "sweep_target"]

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
    from energysim.targets import TARGETS

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


def sweep_figure(sweep: xr.Dataset, figure: str | None) -> str | None:
    """The sweep figure to draw: ``figure`` if the sweep has it, else the default one.

    Raises
    ------
    EnergysimError
        If ``figure`` is not a numeric figure of the sweep, listing the ones it has.
    """
    numeric = [str(n) for n, v in sweep.data_vars.items() if v.dtype.kind == "f"]
    if figure is None:
        return DEFAULT_SWEEP_FIGURE if DEFAULT_SWEEP_FIGURE in sweep else next(iter(numeric), None)
    if figure not in numeric:
        msg = (
            f"--figure {figure!r} is not a figure of this sweep; expected one of: "
            f"{', '.join(numeric)}"
        )
        raise EnergysimError(msg)
    return figure
