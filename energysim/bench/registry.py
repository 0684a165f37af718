"""The registry of benchmark cases; engines are those of :mod:`energysim.engines`.

A *case* builds a packed scenario-year; an *engine* dispatches it. Researchers add their own
kernel with :func:`register_engine` (:func:`energysim.engines.register_engine`): a function
``run(scenario, inputs, index) -> DispatchResult`` over the packed arrays (layout documented in
:mod:`energysim.kernel.pack` and ``benchmarks/README.md``). The benchmark checks its invariants,
then reports its speed and its key figures' gaps to the LP optimum exactly as for the built-in
engines; ``simulate``, ``check`` and sweeps can use it by name too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from energysim.config import Scenario
from energysim.engines import REGISTRY as ENGINES
from energysim.engines import EngineSpec as BenchEngine
from energysim.engines import add_once, register_engine
from energysim.kernel import KernelInputs, PackIndex

logger = logging.getLogger(__name__)

__all__ = ["CASES", "ENGINES", "BenchCase", "BenchEngine", "register_case", "register_engine"]

Packed = tuple[Scenario, KernelInputs, PackIndex]


@dataclass(frozen=True)
class BenchCase:
    """A benchmark case: a name, how to build it, and its size labels for the scaling charts."""

    name: str
    build: Callable[[], Packed]
    description: str = ""
    quick: bool = False  # part of the --quick smoke set
    lp: bool = True  # solve the LP for fidelity gaps
    axis: str = ""  # scaling axis this case belongs to: "hours", "buses", "storage" or ""
    size: int = 0  # its value on that axis


CASES: dict[str, BenchCase] = {}


def register_case(case: BenchCase) -> BenchCase:
    """Add a case to :data:`CASES` (a name may be registered once)."""
    return add_once(CASES, case, "benchmark case")
