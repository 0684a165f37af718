"""Per-grid utilisation of the baseline calibration, on a hand-made Dataset."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from energysim.calibration import grid_utilisation


def test_grid_utilisation_by_hand():
    gens = ["w1", "s1", "w2", "c2"]
    ds = xr.Dataset(
        {
            "generator_p": (("snapshot", "generator"), np.array([[8.0, 5.0, 3.0, 9.0]] * 2)),
            "generator_p_available": (
                ("snapshot", "generator"),
                np.array([[10.0, 5.0, 4.0, 9.0]] * 2),
            ),
        },
        coords={
            "snapshot": [0, 1],
            "generator": gens,
            "carrier": ("generator", ["wind", "solar", "wind", "coal"]),
            "generator_bus": ("generator", ["a", "a", "b", "b"]),
            "bus": ["a", "b"],
            "bus_grid": ("bus", ["mengxi", "mengdong"]),
        },
    )
    table = grid_utilisation(ds)
    assert table.loc["mengxi", "wind"] == pytest.approx(0.8)
    assert table.loc["mengxi", "solar"] == pytest.approx(1.0)
    assert table.loc["mengxi", "new_energy"] == pytest.approx(13 / 15)
    assert table.loc["mengdong", "wind"] == pytest.approx(0.75)  # coal is not new energy
    assert np.isnan(table.loc["mengdong", "solar"])
