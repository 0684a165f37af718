"""Registries of benchmark cases and dispatch engines.

A *case* builds a packed scenario-year; an *engine* dispatches it. Researchers add their own
kernel with :func:`register_engine`: a function ``fn(inputs, scenario, index) -> DispatchResult``
over the packed arrays (layout documented in :mod:`energysim.kernel.pack` and
``benchmarks/README.md``). The benchmark then reports its speed and its key figures' gaps to the
LP optimum exactly as for the built-in engines.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from energysim.config import Scenario
from energysim.exceptions import EnergysimError
from energysim.kernel import DispatchResult, KernelInputs, PackIndex

logger = logging.getLogger(__name__)

__all__ = ["CASES", "ENGINES", "BenchCase", "BenchEngine", "register_case", "register_engine"]

Packed = tuple[Scenario, KernelInputs, PackIndex]
EngineFn = Callable[[KernelInputs, Scenario, PackIndex], DispatchResult]


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


@dataclass(frozen=True)
class BenchEngine:
    """A dispatch engine: ``run(inputs, scenario, index) -> DispatchResult``."""

    name: str
    run: EngineFn
    description: str = ""
    compiled: bool = False  # numba: report compile and cached start-up times
    max_hours: int | None = None  # skip cases longer than this (slow engines)
    is_reference_optimum: bool = False  # the LP: gaps are measured against it


CASES: dict[str, BenchCase] = {}
ENGINES: dict[str, BenchEngine] = {}


def register_case(case: BenchCase) -> BenchCase:
    """Add a case to :data:`CASES` (a name may be registered once)."""
    if case.name in CASES:
        msg = f"benchmark case {case.name!r} is already registered"
        raise EnergysimError(msg)
    CASES[case.name] = case
    return case


def register_engine(engine: BenchEngine) -> BenchEngine:
    """Add an engine to :data:`ENGINES` (a name may be registered once)."""
    if engine.name in ENGINES:
        msg = f"benchmark engine {engine.name!r} is already registered"
        raise EnergysimError(msg)
    ENGINES[engine.name] = engine
    return engine
