"""The single end-to-end entry point: scenario -> profiles -> engine -> results Dataset."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pandas as pd
import xarray as xr

from energysim import _options
from energysim.config import Scenario, load_scenario
from energysim.constants import ENGINES
from energysim.exceptions import EnergysimError
from energysim.kernel import KernelInputs, PackIndex, pack, run_kernel

logger = logging.getLogger(__name__)

__all__ = ["packed", "scenario_profiles", "simulate"]


def _sites(scenario: Scenario) -> pd.DataFrame:
    return pd.DataFrame(
        {"x": [b.x for b in scenario.buses.values()], "y": [b.y for b in scenario.buses.values()]},
        index=pd.Index(list(scenario.buses), name="bus"),
    )


def scenario_profiles(scenario: Scenario) -> xr.Dataset:
    """Hourly profiles of a scenario: synthetic for its weather seed, real where files are given.

    Returns
    -------
    xarray.Dataset
        ``wind``, ``solar`` (capacity factors, p.u.) and ``load`` (shape, mean 1) on
        (snapshot, bus); ``receiving_load`` (shape) on (snapshot, region).
    """
    from energysim.profiles import default_profiles
    from energysim.profiles.io import load_profile

    profiles = default_profiles(_sites(scenario), scenario.year, scenario.weather.seed)
    weather = scenario.weather
    replaced = {}
    for kind, path in (
        ("wind", weather.wind_profile),
        ("solar", weather.solar_profile),
        ("load", weather.load_profile),
    ):
        if path:
            real = load_profile(path, kind, list(scenario.buses), scenario.year)
            replaced[kind] = (("snapshot", "bus"), real.transpose("snapshot", "bus").values)
    if replaced:
        profiles = profiles.copy()
        for kind, value in replaced.items():
            profiles[kind] = xr.DataArray(
                value[1],
                dims=value[0],
                coords={"snapshot": profiles["snapshot"], "bus": profiles["bus"]},
                attrs=profiles[kind].attrs,
            )
    return profiles


def _as_scenario(scenario: Scenario | str | Path) -> Scenario:
    return scenario if isinstance(scenario, Scenario) else load_scenario(scenario)


def packed(
    scenario: Scenario | str | Path, profiles: xr.Dataset | None = None
) -> tuple[Scenario, KernelInputs, PackIndex]:
    """Load (if needed) and pack a scenario: the arrays both engines start from."""
    scenario = _as_scenario(scenario)
    if profiles is None:
        profiles = scenario_profiles(scenario)
    inputs, index = pack(scenario, profiles)
    return scenario, inputs, index


def simulate(
    scenario: Scenario | str | Path,
    engine: str = "kernel",
    profiles: xr.Dataset | None = None,
    solver_options: dict | None = None,
) -> xr.Dataset:
    """Simulate one scenario-year and return the results Dataset.

    Parameters
    ----------
    scenario : Scenario or path
        A validated scenario or the path of a scenario file.
    engine : {"kernel", "reference", "lp"}, default "kernel"
        The numba kernel, its slow readable reference twin, or the PyPSA/HiGHS LP optimum.
    profiles : xarray.Dataset, optional
        Hourly profiles; by default those of :func:`scenario_profiles`.
    solver_options : dict, optional
        HiGHS options for the LP engine.

    Returns
    -------
    xarray.Dataset
        Hourly results and annual figures, schema in :mod:`energysim.results.schema`.

    Raises
    ------
    ConfigError, ProfileError, KernelError, SolverError
        On bad input or a failed solve.
    """
    from energysim.results.build import to_dataset

    if engine not in ENGINES:
        msg = f"engine {engine!r} is not known; expected one of {sorted(ENGINES)}"
        raise EnergysimError(msg)
    scenario, inputs, index = packed(scenario, profiles)
    start = time.perf_counter()
    if engine == "kernel":
        result = run_kernel(inputs)
    elif engine == "reference":
        from energysim.kernel.reference import dispatch_reference

        result = dispatch_reference(inputs)
    else:
        from energysim.lp import solve_lp

        result, _ = solve_lp(scenario, inputs, index, solver_options)
    elapsed = time.perf_counter() - start
    ds = to_dataset(result, inputs, index, scenario, engine, {"run_seconds": elapsed})
    if _options.debug_guards():
        from energysim.guards import check_invariants

        lp = engine == "lp"
        check_invariants(ds, result, inputs, simultaneous_ok=lp, balance_tol=1e-3 if lp else 1e-6)
    logger.info("%s with %s: %.3f s", scenario.name, engine, elapsed)
    return ds
