"""The single end-to-end entry point: scenario -> profiles -> engine -> results Dataset."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
import xarray as xr

from energysim.cache import detach, packed_cached, pinned_key, scenario_key
from energysim.config import Scenario, load_scenario
from energysim.kernel import KernelInputs, PackIndex, pack

logger = logging.getLogger(__name__)

__all__ = ["packed", "scenario_profiles", "simulate"]


def _sites(scenario: Scenario) -> pd.DataFrame:
    """Bus sites (x, y) and wind sites (wind_x, wind_y: the bus's where not given), deg."""
    from energysim.profiles import bus_sites

    return bus_sites(scenario.buses)


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
    engine : str, default "kernel"
        ``kernel`` (numba), ``reference`` (its slow readable twin), ``lp`` (PyPSA/HiGHS optimum),
        ``lp-rolling`` or a plug-in's name (see :mod:`energysim.engines`).
    profiles : xarray.Dataset, optional
        Hourly profiles; by default those of :func:`scenario_profiles`.
    solver_options : dict, optional
        HiGHS options for the LP engine.

    Returns
    -------
    xarray.Dataset
        Hourly results and annual figures, schema in :mod:`energysim.results.schema`.

    Notes
    -----
    The packed arrays and the configuration text are cached on the scenario's validated
    content (:mod:`energysim.cache`; ``energysim.cache.clear()`` empties it), so calling
    ``simulate`` again on an unchanged scenario costs little more than the engine.

    Raises
    ------
    ConfigError, ProfileError, KernelError, SolverError
        On bad input or a failed solve.
    """
    from energysim.engines import get_engine, simulate_packed

    get_engine(engine)  # an unknown engine fails before the scenario is packed
    scenario = _as_scenario(scenario)
    # packing is cached on the scenario's content (and the profiles'): a scenario simulated
    # again is not packed again, one changed in place is (energysim.cache)
    options = {} if solver_options is None else {"solver_options": solver_options}
    key = scenario_key(scenario)  # once: the pack cache and the config text both need it
    with pinned_key(scenario, key):
        inputs, index = packed_cached(scenario, profiles, scenario_profiles, pack, key=key)
        ds = simulate_packed(scenario, inputs, index, engine, **options)
    return detach(ds, inputs, index)
