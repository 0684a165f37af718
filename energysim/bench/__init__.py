"""The dispatch-kernel benchmark suite: registries, built-in cases and engines, the runner."""

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
    "cmd_bench",
    "register_case",
    "register_engine",
]


def cmd_bench(args):  # noqa: ANN001, ANN201
    """CLI handler of ``energysim bench``."""
    from energysim.bench.cli import cmd_bench as run

    return run(args)
