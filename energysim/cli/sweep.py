"""``energysim sweep``: run a sweep file and write one Dataset."""

from __future__ import annotations

import argparse
import logging
import time

from energysim.cli._common import EXIT_OK, out, output_path

logger = logging.getLogger(__name__)

__all__ = ["cmd_sweep"]


def cmd_sweep(args: argparse.Namespace) -> int:
    """Run every point of ``args.sweep`` not yet done and write ``args.output``.

    Returns 0 when the Dataset was written (failed points are recorded in it, not an exit code).
    """
    from energysim.sweep.runner import run_sweep
    from energysim.sweep.spec import load_sweep

    output_path(args.output, (".nc", ".zarr"), "sweep results")
    sweep = load_sweep(args.sweep)
    start = time.perf_counter()
    ds = run_sweep(
        sweep,
        args.output,
        workers=args.workers,
        scheduler=args.scheduler,
        cluster=args.cluster,
        hourly=args.hourly,
        progress=True,
    )
    elapsed = time.perf_counter() - start
    n, failed = ds.attrs["n_points"], ds.attrs["n_failed"]
    dims = " x ".join(f"{d} ({ds.sizes[d]})" for d in ds.dims if d not in ("hour", "bus"))
    out(
        f"wrote {args.output}: {n} points over {dims}, {failed} failed, "
        f"{elapsed:.1f} s ({n / max(elapsed, 1e-9):.0f} points/s)"
        + (f" ({ds.attrs['n_resumed']} resumed)" if ds.attrs["n_resumed"] else "")
    )
    if failed:
        first = next(str(e) for e in ds["error"].values.ravel() if e)
        out(f"first failure: {first}")
    return EXIT_OK
