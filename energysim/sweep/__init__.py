"""Scenario sweeps: grids over any scenario parameter, on a local pool or Dask, resumable.

Public API: :func:`load_sweep` (read and validate a sweep file), :func:`run_sweep` (run it and
write the Dataset). The command line is ``energysim sweep SWEEP.yaml -o sweep.nc``
(:func:`energysim.cli.sweep.cmd_sweep`); the format is documented in ``docs/sweeps.md``.
"""

from __future__ import annotations

from energysim.sweep.runner import run_sweep
from energysim.sweep.spec import Sweep, SweepSpec, load_sweep

__all__ = ["Sweep", "SweepSpec", "load_sweep", "run_sweep"]
