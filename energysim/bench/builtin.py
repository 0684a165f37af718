"""The built-in benchmark cases and engines.

Cases: the shipped ``plan-2030`` and ``baseline-2025`` full years, and synthetic networks that
scale in hours, buses and storage units (a radial backbone, wind, solar and coal at every bus,
seeded random weather). The engines are those of :mod:`energysim.engines`.
"""

from __future__ import annotations

import logging
from functools import cache

import numpy as np
import pandas as pd
import xarray as xr

from energysim.bench.registry import BenchCase, Packed, register_case
from energysim.config import Scenario, load_scenario_dict
from energysim.kernel import pack
from energysim.kernel.pack import head

logger = logging.getLogger(__name__)

__all__ = ["synthetic_case", "synthetic_profiles"]


def synthetic_profiles(buses: list[str], hours: int, seed: int) -> xr.Dataset:
    """Seeded random profiles: AR(1) wind, clear-sky-like solar, daily load cycle (p.u.)."""
    rng = np.random.default_rng(seed)
    t = np.arange(hours)
    nb = len(buses)
    wind = np.empty((hours, nb))
    x = rng.normal(size=nb)
    for h in range(hours):
        x = 0.97 * x + np.sqrt(1 - 0.97**2) * rng.normal(size=nb)
        wind[h] = x
    wind = np.clip(0.3 + 0.2 * wind, 0.0, 1.0)
    day = np.clip(np.sin((t % 24 - 6) / 12 * np.pi), 0.0, None)
    solar = np.clip(day[:, None] * rng.uniform(0.5, 1.0, (hours, nb)) * 0.8, 0.0, 1.0)
    load = (
        1.0
        + 0.1 * np.sin((t % 24 - 8) / 24 * 2 * np.pi)[:, None]
        + 0.02 * rng.normal(size=(hours, nb))
    )
    snap = pd.date_range("2030-01-01", periods=hours, freq="h")
    return xr.Dataset(
        {
            "wind": (("snapshot", "bus"), wind),
            "solar": (("snapshot", "bus"), solar),
            "load": (("snapshot", "bus"), load),
            "receiving_load": (("snapshot", "region"), np.tile(load[:, :1], (1, 1))),
        },
        coords={"snapshot": snap, "bus": buses, "region": ["shandong"]},
    )


def synthetic_scenario(buses: int, storage: int) -> Scenario:
    """A radial network: bus i links to bus (i-1)//2; wind, solar and coal at every bus.

    Coal costs come in three tiers (250, 260, 270 CNY/MWh), so the number of merit-order tiers
    stays fixed while the network grows.
    """
    names = [f"n{i:03d}" for i in range(buses)]
    data: dict = {
        "name": f"synthetic-{buses}b-{storage}s",
        "year": 2030,
        "buses": {
            n: {"grid": "mengxi", "x": 105 + i % 20, "y": 40 + i // 20, "demand_share": 1 / buses}
            for i, n in enumerate(names)
        },
        "demand": {"annual_TWh": 8.76 * buses},
        "generators": {},
        "storage": {},
        "lines": {},
        "corridors": {
            "export": {
                "bus": names[0],
                "receiving_grid": "shandong",
                "p_nom": 300.0 * buses,
                "utilisation_hours": 4500,
                "in_service_year": 2020,
                "min_renewable_share": 0.3,
            }
        },
        "demand_response": {"share_of_peak": 0.05, "max_hours_per_year": 50},
    }
    for i, n in enumerate(names):
        data["generators"][f"{n}-wind"] = {"bus": n, "carrier": "wind", "p_nom": 1500.0}
        data["generators"][f"{n}-solar"] = {"bus": n, "carrier": "solar", "p_nom": 1000.0}
        data["generators"][f"{n}-coal"] = {
            "bus": n,
            "carrier": "coal",
            "p_nom": 900.0,
            "p_min_pu": 0.3,
            "marginal_cost": 250.0 + 10.0 * (i % 3),
        }
        if i:
            data["lines"][f"l{i:03d}"] = {
                "bus0": n,
                "bus1": names[(i - 1) // 2],
                "p_nom": 800.0,
                "efficiency": 0.98,
            }
    for s in range(storage):
        data["storage"][f"st{s:03d}"] = {
            "bus": names[s % buses],
            "kind": "new_type",
            "p_nom": 200.0,
            "max_hours": 4.0,
        }
    return load_scenario_dict(data, file=f"<synthetic {buses} buses>")


def synthetic_case(buses: int, hours: int, storage: int, seed: int = 0) -> Packed:
    """Build and pack a synthetic case."""
    s = synthetic_scenario(buses, storage)
    inputs, index = pack(s, synthetic_profiles(list(s.buses), hours, seed))
    return s, inputs, index


@cache
def _shipped(name: str) -> Packed:
    from energysim.config.shipped import shipped_scenario
    from energysim.run import packed

    return packed(shipped_scenario(name))


def _register_builtin() -> None:
    for name in ("plan-2030", "baseline-2025"):
        register_case(
            BenchCase(name, lambda name=name: _shipped(name), f"shipped scenario {name}, full year")
        )
    register_case(
        BenchCase(
            "plan-2030-week",
            lambda: _head(_shipped("plan-2030"), 168),
            "plan-2030, first week (LP in seconds)",
            quick=True,
        )
    )
    for hours in (168, 720, 2190, 8760):
        register_case(
            BenchCase(
                f"synthetic-hours-{hours}",
                lambda h=hours: synthetic_case(8, h, 8),
                f"8 buses, 8 storage units, {hours} h",
                quick=hours <= 720,
                lp=hours <= 2190,
                axis="hours",
                size=hours,
            )
        )
    for buses in (2, 4, 8, 16, 32, 64):
        register_case(
            BenchCase(
                f"synthetic-buses-{buses}",
                lambda b=buses: synthetic_case(b, 8760, b),
                f"{buses} buses, {buses} storage units, 8760 h",
                quick=False,
                lp=False,
                axis="buses",
                size=buses,
            )
        )
    for storage in (0, 4, 16, 64):
        register_case(
            BenchCase(
                f"synthetic-storage-{storage}",
                lambda s=storage: synthetic_case(8, 8760, s),
                f"8 buses, {storage} storage units, 8760 h",
                quick=False,
                lp=False,
                axis="storage",
                size=storage,
            )
        )


def _head(packed: Packed, hours: int) -> Packed:
    s, inputs, index = packed
    return (s, *head(inputs, index, hours))


_register_builtin()
