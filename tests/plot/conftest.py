"""Fixtures of the chart tests: a small two-month results Dataset and a hand-made sweep."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from energysim.kernel import pack, run_kernel
from energysim.plot.style import find_cjk_font
from energysim.results.build import to_dataset
from tests.helpers import profiles, scenario

HOURS = 24 * 59  # January and February 2030

BUSES = {
    "a": {"grid": "mengxi", "x": 107.0, "y": 40.0, "demand_share": 0.5},
    "b": {"grid": "mengxi", "x": 110.0, "y": 40.5, "demand_share": 0.3},
    "c": {"grid": "mengdong", "x": 119.0, "y": 43.5, "demand_share": 0.2},
}


def small_scenario():  # noqa: ANN201 - a Scenario
    """Three buses, wind/solar/coal/hydro, both storage kinds, an electrolyser, two corridors."""
    return scenario(
        buses=BUSES,
        generators={
            "a-wind": {"bus": "a", "carrier": "wind", "p_nom": 1500, "source": "test: wind a"},
            "a-solar": {"bus": "a", "carrier": "solar", "p_nom": 800, "source": "test: solar a"},
            "b-coal": {
                "bus": "b",
                "carrier": "coal",
                "p_nom": 900,
                "p_min_pu": 0.3,
                "marginal_cost": 250,
                "source": "test: coal b",
            },
            "b-hydro": {"bus": "b", "carrier": "hydro", "p_nom": 100},
            "c-wind": {"bus": "c", "carrier": "wind", "p_nom": 700},
        },
        storage={
            "a-bat": {
                "bus": "a",
                "kind": "new_type",
                "p_nom": 200,
                "max_hours": 4,
                "state_of_charge_initial": 0.0,
            },
            "b-phs": {
                "bus": "b",
                "kind": "pumped_hydro",
                "p_nom": 100,
                "max_hours": 6,
                "state_of_charge_initial": 0.5,
            },
        },
        flexible_loads={"c-electrolyser": {"bus": "c", "kind": "electrolyser", "p_nom": 100}},
        lines={
            "a-b": {"bus0": "a", "bus1": "b", "p_nom": 800},
            "b-c": {"bus0": "b", "bus1": "c", "p_nom": 500},
        },
        corridors={
            "b-shandong": {
                "bus": "b",
                "receiving_grid": "shandong",
                "p_nom": 400,
                "annual_TWh": 2.0,
                "in_service_year": 2020,
                "delivery_curve": "flat",
                "min_renewable_share": 0.3,
            },
            "c-jiangsu": {
                "bus": "c",
                "receiving_grid": "jiangsu",
                "p_nom": 300,
                "annual_TWh": 1.0,
                "in_service_year": 2020,
                "delivery_curve": "flat",
            },
        },
    )


def small_profiles() -> xr.Dataset:
    t = np.arange(HOURS)
    wind = 0.45 + 0.4 * np.sin(2 * np.pi * t / (24 * 5)) + 0.1 * np.sin(2 * np.pi * t / 24)
    solar = np.clip(np.sin(np.pi * ((t % 24) - 6) / 12), 0.0, None) * 0.8
    load = 1.0 + 0.15 * np.sin(2 * np.pi * ((t % 24) - 14) / 24)
    return profiles(list(BUSES), hours=HOURS, wind=np.clip(wind, 0, 1), solar=solar, load=load)


@pytest.fixture(scope="session")
def results() -> xr.Dataset:
    """Results of :func:`small_scenario` over two months (kernel)."""
    s = small_scenario()
    inputs, index = pack(s, small_profiles())
    return to_dataset(run_kernel(inputs), inputs, index, s, "kernel")


@pytest.fixture(scope="session")
def sweep() -> xr.Dataset:
    """A sweep Dataset as `energysim sweep` writes it: storage x corridor year x 5 weather years."""
    storage = np.array([40.0, 50.0, 60.0, 70.0])
    year = np.array([2029, 2032])
    seeds = np.arange(5)
    rng = np.random.default_rng(1)
    local = (
        300.0
        + 1.0 * (storage[:, None, None] - 40)
        - 15.0 * (year[None, :, None] == 2032)
        + rng.normal(0.0, 3.0, (4, 2, 5))
    )
    weight = 0.36 + 0.001 * (storage[:, None, None] - 40) + rng.normal(0, 0.005, (4, 2, 5))
    local[3, 1, 4] = np.nan  # a failed point
    err = np.full((4, 2, 5), "", dtype=object)
    err[3, 1, 4] = "kernel error"
    dims = ("storage_GW", "ulanbuh_jjj_in_service", "weather_seed")
    ds = xr.Dataset(
        {
            "new_energy_local_TWh": (
                dims,
                local,
                {"units": "TWh", "long_name": "new energy consumed in Inner Mongolia"},
            ),
            "renewable_weight": (
                dims,
                weight,
                {"units": "1", "long_name": "renewable consumption weight"},
            ),
            "error": (dims, err.astype(str)),
            "status": (dims, np.where(err == "", "ok", "failed").astype(str)),
        },
        coords={"storage_GW": storage, "ulanbuh_jjj_in_service": year, "weather_seed": seeds},
        attrs={"sweep_name": "test", "base_scenario": "plan-2030", "n_points": 40},
    )
    ds["storage_GW"].attrs["path"] = "capacity_totals_GW.new_type_storage"
    ds["ulanbuh_jjj_in_service"].attrs["path"] = "corridors.ulanbuh-jjj.in_service_year"
    ds["weather_seed"].attrs["path"] = "weather.seed"
    return ds


@pytest.fixture
def cjk() -> str:
    """The installed CJK font; skips the test when there is none."""
    font = find_cjk_font()
    if font is None:
        pytest.skip("no CJK font installed (e.g. apt-get install fonts-wqy-microhei)")
    return font


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def snapshots(ds: xr.Dataset) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(ds["snapshot"].values)
