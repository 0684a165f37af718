"""Runtime knobs read from ``ENERGYSIM_*`` environment variables.

``ENERGYSIM_NUMBA_CACHE`` (default ``1``): cache compiled kernels on disk (numba ``cache=True``),
so a new process starts in well under a second instead of compiling again. Set ``0`` to disable,
for example on a read-only install where numba finds no cache directory.

``ENERGYSIM_FASTMATH`` (default ``0``): compile with ``fastmath=True``. Off by default because it
reorders floating-point sums and the invariant tests check energy balance to 1e-6 MW; a warning is
emitted when it is switched on.

``ENERGYSIM_DEBUG_GUARDS`` (default ``0``): check the invariants (energy balance, bounds) after
every kernel run; the test suite switches it on.
"""

from __future__ import annotations

import logging
import os
import warnings

from energysim.exceptions import EnergysimWarning

logger = logging.getLogger(__name__)

__all__ = ["debug_guards", "fastmath", "numba_cache"]


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    msg = f"environment variable {name}={raw!r}; expected 0 or 1"
    raise ValueError(msg)


def numba_cache() -> bool:
    """Whether compiled kernels are cached on disk."""
    return _flag("ENERGYSIM_NUMBA_CACHE", True)


def fastmath() -> bool:
    """Whether kernels compile with fastmath (warns when on)."""
    on = _flag("ENERGYSIM_FASTMATH", False)
    if on:
        warnings.warn(
            "ENERGYSIM_FASTMATH=1: kernels reorder floating-point sums; energy balance may drift",
            EnergysimWarning,
            stacklevel=2,
        )
    return on


def debug_guards() -> bool:
    """Whether results are checked against the invariants after every run."""
    return _flag("ENERGYSIM_DEBUG_GUARDS", False)
