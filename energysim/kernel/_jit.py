"""numba settings for the kernels: one decorator, configured from :mod:`energysim._options`.

Compilation is lazy (numba compiles on the first call with concrete types) and cached on disk by
default, so importing energysim stays cheap and a new process reuses the compiled kernel.
"""

from __future__ import annotations

import logging

import numba

import energysim._options as _options

logger = logging.getLogger(__name__)

__all__ = ["jit", "jit_inline"]

_SETTINGS = {
    "nogil": True,
    "cache": _options.numba_cache(),
    "fastmath": _options.fastmath(),
    # divisions in the kernels never divide by zero (efficiencies > 0, guarded shares); the numpy
    # error model drops the per-division zero check of the python model
    "error_model": "numpy",
}


def jit(func):  # noqa: ANN001, ANN201 - decorator keeps the function's own signature
    """Compile ``func`` lazily in nopython mode with the project's settings."""
    return numba.njit(**_SETTINGS)(func)


def jit_inline(func):  # noqa: ANN001, ANN201
    """Like :func:`jit`, inlined into its callers: for tiny scalar helpers called per element.

    numba does not inline compiled callees by itself; a scalar helper called inside an hour loop
    would otherwise cost a function call per element.
    """
    return numba.njit(inline="always", **_SETTINGS)(func)
