"""Example plug-in kernel: the energysim kernel without its shortfall reserve (naive greedy storage).

A plug-in is a file in ``benchmarks/plugins/`` that registers an engine: a function
``run(scenario, inputs, index) -> DispatchResult`` over the packed arrays (see
``benchmarks/README.md`` for the layout). ``energysim bench`` imports every file here, checks the
engine's invariants, and reports its speed and its key figures' gaps to the LP like the built-in
ones; ``energysim run --engine example-no-reserve`` (and ``simulate``, ``check``, sweeps) use it
by name.

This example reuses the compiled kernel with ``storage_reserve`` and ``st_room`` set to zero, so
storage always discharges as soon as it can displace thermal output, never pre-charges from
thermal headroom and never makes room for the surplus ahead: the naive greedy policy the kernel's
look-aheads improve on. (The upward operating
reserve, ``reserve_req``, is kept.)
"""

from __future__ import annotations

import dataclasses

import numpy as np

from energysim.engines import EngineSpec, register_engine
from energysim.kernel import DispatchResult, KernelInputs, run_kernel


def run_without_reserve(scenario, inputs: KernelInputs, index) -> DispatchResult:  # noqa: ANN001
    """Dispatch with the kernel but no reserve held for expected shortfalls."""
    naive = dataclasses.replace(
        inputs,
        storage_reserve=np.zeros_like(inputs.storage_reserve),
        st_room=np.zeros_like(inputs.st_room),  # nor any room made for the surplus ahead
    )
    return run_kernel(naive)


register_engine(
    EngineSpec(
        "example-no-reserve",
        run_without_reserve,
        "example plug-in: kernel with naive greedy storage (no shortfall reserve)",
        compiled=True,
    )
)
