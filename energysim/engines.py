"""The one engine seam: a registry of dispatch engines and the single place they are called.

Every path that dispatches a packed scenario-year (:func:`energysim.run.simulate`,
``energysim check``, ``fidelity``, sweeps and ``bench``) goes through :func:`dispatch`, which
looks the engine up, runs it and, when ``ENERGYSIM_DEBUG_GUARDS=1``, checks the invariants of
:mod:`energysim.guards` on its result.

An engine is a function ``run(scenario, inputs, index, **options) -> DispatchResult`` over the
packed arrays (layout in :mod:`energysim.kernel.pack` and ``benchmarks/README.md``). Built in:
``kernel`` (numba), ``reference`` (its readable Python twin), ``lp`` (PyPSA/HiGHS optimum) and
``lp-rolling`` (weekly windows). A researcher's kernel is a file in ``benchmarks/plugins/`` that
calls :func:`register_engine`; plug-ins are imported on the first lookup of a name that is not
built in, so ``energysim run --engine NAME``, ``check``, sweeps (``engine:`` in the sweep file)
and ``bench`` can all use it.
"""

from __future__ import annotations

import importlib.util
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from energysim._options import debug_guards
from energysim.exceptions import EnergysimError

if TYPE_CHECKING:
    import xarray as xr

    from energysim.config.schema import Scenario
    from energysim.kernel import DispatchResult, KernelInputs, PackIndex

logger = logging.getLogger(__name__)

__all__ = [
    "PLUGIN_DIRS",
    "REGISTRY",
    "EngineSpec",
    "dispatch",
    "engine_names",
    "get_engine",
    "load_plugins",
    "register_engine",
    "simulate_packed",
]

EngineFn = Callable[..., "DispatchResult"]


@dataclass(frozen=True)
class EngineSpec:
    """A dispatch engine: ``run(scenario, inputs, index, **options) -> DispatchResult``.

    ``compiled``: numba (bench reports compile and cached start-up times, and warms it up before
    timing); ``max_hours``: bench skips longer cases (slow engines); ``is_reference_optimum``: the
    LP, against which bench measures gaps; ``optimal``: an LP solution, checked with the solver's
    tolerance and allowed to charge and discharge a store in the same hour.
    """

    name: str
    run: EngineFn
    description: str = ""
    compiled: bool = False
    max_hours: int | None = None
    is_reference_optimum: bool = False
    optimal: bool = False


REGISTRY: dict[str, EngineSpec] = {}
"""Engine name -> :class:`EngineSpec`; built-ins first, plug-ins as they register."""


def add_once(registry: dict[str, Any], item: Any, what: str) -> Any:  # noqa: ANN401
    """Add ``item`` to ``registry`` under ``item.name``; a name may be registered once."""
    if item.name in registry:
        msg = f"{what} {item.name!r} is already registered"
        raise EnergysimError(msg)
    registry[item.name] = item
    return item


def register_engine(engine: EngineSpec) -> EngineSpec:
    """Add an engine to :data:`REGISTRY` (a name may be registered once)."""
    return add_once(REGISTRY, engine, "engine")


# -- built-in engines -----------------------------------------------------------------------------


_KERNEL_READY = False


def _kernel(scenario: Scenario, inputs: KernelInputs, index: PackIndex) -> DispatchResult:
    global _KERNEL_READY
    from energysim.kernel import run_kernel

    if _KERNEL_READY:
        return run_kernel(inputs)
    from energysim.progress import note_if_slow

    # the first call compiles the kernel (or loads it from numba's disk cache, which is quick)
    with note_if_slow("energysim: compiling the dispatch kernel (first run only; cached after)"):
        result = run_kernel(inputs)
    _KERNEL_READY = True
    return result


def _reference(scenario: Scenario, inputs: KernelInputs, index: PackIndex) -> DispatchResult:
    from energysim.kernel.reference import dispatch_reference

    return dispatch_reference(inputs)


def _lp(
    scenario: Scenario,
    inputs: KernelInputs,
    index: PackIndex,
    solver_options: dict | None = None,
) -> DispatchResult:
    from energysim.lp import solve_lp

    return solve_lp(scenario, inputs, index, solver_options)[0]


def _lp_rolling(
    scenario: Scenario,
    inputs: KernelInputs,
    index: PackIndex,
    solver_options: dict | None = None,
) -> DispatchResult:
    from energysim.lp import solve_lp_rolling

    return solve_lp_rolling(scenario, inputs, index, horizon=168, overlap=24)


register_engine(EngineSpec("kernel", _kernel, "numba kernel (energysim.kernel.dispatch)", True))
register_engine(
    EngineSpec("reference", _reference, "slow readable reference (Python)", max_hours=720)
)
register_engine(
    EngineSpec(
        "lp",
        _lp,
        "PyPSA n.optimize with HiGHS (optimum)",
        is_reference_optimum=True,
        optimal=True,
    )
)
register_engine(
    EngineSpec(
        "lp-rolling",
        _lp_rolling,
        "PyPSA rolling horizon, 168 h windows, 24 h overlap, HiGHS",
        max_hours=2190,
        optimal=True,
    )
)

# -- plug-ins -------------------------------------------------------------------------------------

PLUGIN_DIRS: tuple[Path, ...] = (
    Path("benchmarks") / "plugins",
    Path(__file__).resolve().parents[1] / "benchmarks" / "plugins",
)
"""Folders searched for plug-in files: ``./benchmarks/plugins`` and the repository's."""

_LOADED: dict[Path, str] = {}


def load_plugins(folders: Sequence[Path] = PLUGIN_DIRS) -> list[str]:
    """Import every ``*.py`` in the plug-in folders (each calls :func:`register_engine`).

    A file is imported once per process. Returns the paths of the plug-in files found.
    """
    found = []
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.py")):
            real = path.resolve()
            if path.name.startswith("_"):
                continue
            if real not in _LOADED:
                spec = importlib.util.spec_from_file_location(f"energysim_plugin_{path.stem}", real)
                if spec is None or spec.loader is None:
                    continue
                module = importlib.util.module_from_spec(spec)
                _LOADED[real] = str(path)
                spec.loader.exec_module(module)
            if _LOADED[real] not in found:
                found.append(_LOADED[real])
    return found


def get_engine(name: str) -> EngineSpec:
    """The engine called ``name``; plug-ins are loaded when it is not built in.

    Raises
    ------
    EnergysimError
        If no engine of that name is registered, naming the known ones.
    """
    if name not in REGISTRY:
        load_plugins()
    if name not in REGISTRY:
        msg = f"engine {name!r} is not known; expected one of {', '.join(REGISTRY)}"
        raise EnergysimError(msg)
    return REGISTRY[name]


def engine_names() -> list[str]:
    """Names of the registered engines, plug-ins included."""
    load_plugins()
    return list(REGISTRY)


# -- the seam -------------------------------------------------------------------------------------


def _guard(
    engine: EngineSpec,
    result: DispatchResult,
    inputs: KernelInputs,
    ds: xr.Dataset | None = None,
) -> None:
    from energysim.guards import check_invariants

    check_invariants(
        ds,
        result,
        inputs,
        simultaneous_ok=engine.optimal,
        balance_tol=1e-3 if engine.optimal else 1e-6,
    )


def dispatch(
    scenario: Scenario,
    inputs: KernelInputs,
    index: PackIndex,
    engine: str = "kernel",
    guards: bool | None = None,
    **options: Any,  # noqa: ANN401 - engine-specific (e.g. solver_options for the LPs)
) -> DispatchResult:
    """Dispatch one packed scenario-year with ``engine``.

    Parameters
    ----------
    scenario, inputs, index : Scenario, KernelInputs, PackIndex
        The packed scenario (:func:`energysim.run.packed`).
    engine : str, default "kernel"
        A name in :data:`REGISTRY` (plug-ins included).
    guards : bool, optional
        Check the invariants on the result; default: ``ENERGYSIM_DEBUG_GUARDS``.
    **options
        Passed to the engine (``solver_options`` for ``lp``).

    Raises
    ------
    EnergysimError
        Unknown engine; KernelError when a guard fails; SolverError from the LPs.
    """
    spec = get_engine(engine)
    result = spec.run(scenario, inputs, index, **options)
    if debug_guards() if guards is None else guards:
        _guard(spec, result, inputs)
    return result


def simulate_packed(
    scenario: Scenario,
    inputs: KernelInputs,
    index: PackIndex,
    engine: str = "kernel",
    attrs: dict[str, object] | None = None,
    **options: Any,  # noqa: ANN401
) -> xr.Dataset:
    """Dispatch a packed scenario-year and build its results Dataset.

    The Dataset's ``run_seconds`` attr is the engine's wall time. With
    ``ENERGYSIM_DEBUG_GUARDS=1`` the invariants are checked on the dispatch and the Dataset.
    """
    from energysim.results.build import to_dataset

    spec = get_engine(engine)
    start = time.perf_counter()
    result = dispatch(scenario, inputs, index, engine, guards=False, **options)
    elapsed = time.perf_counter() - start
    ds = to_dataset(
        result, inputs, index, scenario, engine, {"run_seconds": elapsed, **(attrs or {})}
    )
    if debug_guards():
        _guard(spec, result, inputs, ds)
    logger.info("%s with %s: %.3f s", scenario.name, engine, elapsed)
    return ds
