"""Builders for small test scenarios and hand-made profiles."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from energysim.config import Scenario, load_scenario_dict

BASE: dict[str, Any] = {
    "name": "test",
    "year": 2030,
    "buses": {"a": {"grid": "mengxi", "x": 110.0, "y": 40.0, "demand_share": 1.0}},
    "demand": {"annual_TWh": 8.76},  # 1000 MW flat with a flat load shape
}


def scenario(**sections: Any) -> Scenario:
    """A validated scenario: :data:`BASE` with the given top-level sections replaced."""
    data = copy.deepcopy(BASE)
    data.update(copy.deepcopy(sections))
    return load_scenario_dict(data, file="<test>")


def profiles(
    buses: list[str],
    hours: int = 24,
    wind: float | np.ndarray = 0.0,
    solar: float | np.ndarray = 0.0,
    load: float | np.ndarray = 1.0,
    year: int = 2030,
    regions: tuple[str, ...] = ("shandong", "jiangsu", "jjj"),
) -> xr.Dataset:
    """Profiles with given (constant or (T, B)) values; demand is scaled per 8760 h by pack."""
    snap = pd.date_range(f"{year}-01-01", periods=hours, freq="h")

    def grid(v: float | np.ndarray) -> np.ndarray:
        arr = np.asarray(v, dtype=float)
        return np.broadcast_to(arr if arr.ndim != 1 else arr[:, None], (hours, len(buses))).copy()

    return xr.Dataset(
        {
            "wind": (("snapshot", "bus"), grid(wind)),
            "solar": (("snapshot", "bus"), grid(solar)),
            "load": (("snapshot", "bus"), grid(load)),
            "receiving_load": (("snapshot", "region"), np.ones((hours, len(regions)))),
        },
        coords={"snapshot": snap, "bus": buses, "region": list(regions)},
    )
