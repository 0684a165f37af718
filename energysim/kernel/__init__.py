"""The numba dispatch kernel: packing, the compiled hour loop, and its readable reference twin."""

from __future__ import annotations

import logging
from dataclasses import dataclass, fields

import numpy as np

from energysim.kernel.dispatch import N_WORK, dispatch_year
from energysim.kernel.pack import KernelInputs, PackIndex, pack

logger = logging.getLogger(__name__)

__all__ = ["DispatchResult", "KernelInputs", "PackIndex", "allocate_result", "pack", "run_kernel"]


@dataclass
class DispatchResult:
    """Hourly dispatch of one scenario-year, in the kernel's array layout (MW, MWh).

    The same structure is filled by the kernel, the reference implementation and the LP, so that
    one function (:func:`energysim.results.build.to_dataset`) turns any of them into the
    documented Dataset. See :func:`energysim.kernel.dispatch.dispatch_year` for each field.
    """

    curtail: np.ndarray  # (T, B)
    thermal: np.ndarray  # (T, K, B)
    thermal_relief: np.ndarray  # (T, B)
    st_charge: np.ndarray  # (T, S)
    st_discharge: np.ndarray  # (T, S)
    st_soc: np.ndarray  # (T, S)
    flex_use: np.ndarray  # (T, B)
    corr_flow: np.ndarray  # (T, C)
    corr_short: np.ndarray  # (T, C)
    dr_shed: np.ndarray  # (T, B)
    dr_payback: np.ndarray  # (T, B)
    line_p0: np.ndarray  # (T, L)
    line_p1: np.ndarray  # (T, L)
    unserved: np.ndarray  # (T, B)
    reserve_short: np.ndarray  # (T,) upward reserve requirement not held, MW
    dr_backlog_end: np.ndarray  # (1,)

    def arrays(self) -> tuple[np.ndarray, ...]:
        """All fields in declaration order, as passed to the kernel."""
        return tuple(getattr(self, f.name) for f in fields(self))


def result_shapes(shape: dict[str, int]) -> dict[str, tuple[int, ...]]:
    """Shape of each :class:`DispatchResult` array for the dimension sizes ``shape``
    (``KernelInputs.shape``: T hours, B buses, K tiers, S storage units, C corridors, L lines)."""
    n = shape
    t, b, k, s, c, l_ = n["T"], n["B"], n["K"], n["S"], n["C"], n["L"]
    shapes = {
        "curtail": (t, b),
        "thermal": (t, k, b),
        "thermal_relief": (t, b),
        "st_charge": (t, s),
        "st_discharge": (t, s),
        "st_soc": (t, s),
        "flex_use": (t, b),
        "corr_flow": (t, c),
        "corr_short": (t, c),
        "dr_shed": (t, b),
        "dr_payback": (t, b),
        "line_p0": (t, l_),
        "line_p1": (t, l_),
        "unserved": (t, b),
        "reserve_short": (t,),
        "dr_backlog_end": (1,),
    }
    return shapes


def allocate_result(inputs: KernelInputs) -> DispatchResult:
    """Preallocate zeroed output arrays for ``inputs``.

    All outputs are views into one zeroed block: numpy backs a block this large with huge pages,
    so the first write into fresh memory costs a few page faults rather than one per 4 KiB page
    (separate arrays measured ~9 ms of page faults per plan-2030 year, more than the dispatch).
    """
    shapes = result_shapes(inputs.shape)
    sizes = {name: int(np.prod(shape)) for name, shape in shapes.items()}
    block = np.zeros(sum(sizes.values()))
    views = {}
    start = 0
    for name, shape in shapes.items():
        views[name] = block[start : start + sizes[name]].reshape(shape)
        start += sizes[name]
    return DispatchResult(**views)


def work_array(inputs: KernelInputs) -> np.ndarray:
    """Scratch space for the kernel: ``N_WORK`` rows wide enough for every index."""
    n = inputs.shape
    width = max(n["B"] + 1, n["S"], n["C"], inputs.dr_window + 1, 1)
    return np.zeros((N_WORK, width))


def run_kernel(inputs: KernelInputs, out: DispatchResult | None = None) -> DispatchResult:
    """Run the compiled kernel on packed inputs.

    Parameters
    ----------
    inputs : KernelInputs
        Output of :func:`energysim.kernel.pack.pack`.
    out : DispatchResult, optional
        Preallocated outputs to reuse (sweeps; any contents); allocated when not given.

    Returns
    -------
    DispatchResult
        Hourly dispatch.
    """
    if out is None:
        out = allocate_result(inputs)
    # the kernel writes every element of every output: a reused ``out`` needs no zeroing
    dispatch_year(*inputs.arrays(), *out.arrays(), work_array(inputs))
    return out
