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
    dr_backlog_end: np.ndarray  # (1,)

    def arrays(self) -> tuple[np.ndarray, ...]:
        """All fields in declaration order, as passed to the kernel."""
        return tuple(getattr(self, f.name) for f in fields(self))


def allocate_result(inputs: KernelInputs) -> DispatchResult:
    """Preallocate zeroed output arrays for ``inputs``."""
    n = inputs.shape
    t, b, k, s, c, l_ = n["T"], n["B"], n["K"], n["S"], n["C"], n["L"]
    return DispatchResult(
        curtail=np.zeros((t, b)),
        thermal=np.zeros((t, k, b)),
        thermal_relief=np.zeros((t, b)),
        st_charge=np.zeros((t, s)),
        st_discharge=np.zeros((t, s)),
        st_soc=np.zeros((t, s)),
        flex_use=np.zeros((t, b)),
        corr_flow=np.zeros((t, c)),
        corr_short=np.zeros((t, c)),
        dr_shed=np.zeros((t, b)),
        dr_payback=np.zeros((t, b)),
        line_p0=np.zeros((t, l_)),
        line_p1=np.zeros((t, l_)),
        unserved=np.zeros((t, b)),
        dr_backlog_end=np.zeros(1),
    )


def work_array(inputs: KernelInputs) -> np.ndarray:
    """Scratch space for the kernel: ``N_WORK`` rows wide enough for every index."""
    n = inputs.shape
    width = max(n["B"], n["S"], n["C"], inputs.dr_window + 1, 1)
    return np.zeros((N_WORK, width))


def run_kernel(inputs: KernelInputs, out: DispatchResult | None = None) -> DispatchResult:
    """Run the compiled kernel on packed inputs.

    Parameters
    ----------
    inputs : KernelInputs
        Output of :func:`energysim.kernel.pack.pack`.
    out : DispatchResult, optional
        Preallocated outputs to reuse (sweeps); allocated when not given.

    Returns
    -------
    DispatchResult
        Hourly dispatch.
    """
    if out is None:
        out = allocate_result(inputs)
    dispatch_year(*inputs.arrays(), *out.arrays(), work_array(inputs))
    return out
