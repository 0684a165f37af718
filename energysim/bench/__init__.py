"""The dispatch-kernel benchmark suite: the case registry, built-in cases, the runner.

Engines are those of :mod:`energysim.engines` (re-exported here for plug-ins written against it).
"""

from energysim.bench.registry import (
    CASES,
    ENGINES,
    BenchCase,
    BenchEngine,
    register_case,
    register_engine,
)

__all__ = [
    "CASES",
    "ENGINES",
    "BenchCase",
    "BenchEngine",
    "register_case",
    "register_engine",
]
