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


def _cut_dataset(hours: list[float]) -> xr.Dataset:
    return xr.Dataset(
        {
            "grid_export_cut_hours": ("grid", np.array(hours)),
            "grid_export_shortfall_TWh": ("grid", np.array([0.5, 0.0])),
            "grid_export_cut_max_MW": ("grid", np.array([2500.0, 0.0])),
        },
        coords={"grid": ["mengxi", "mengdong"]},
    )


def test_baseline_cut_rows_compare_each_grid_with_no_reported_cut():
    from energysim.calibration import baseline_cut_rows, format_cut_rows

    table = baseline_cut_rows(_cut_dataset([12.0, 0.0])).set_index("grid")
    assert table.loc["mengxi", "model"] == 12.0
    assert table.loc["mengxi", "reported"] == 0.0
    assert not table.loc["mengxi", "within"]  # 12 h against none reported
    assert table.loc["mengdong", "within"]
    assert table.loc["mengxi", "source"].startswith("assumption:")
    text = format_cut_rows(table.reset_index())
    assert "export-cut hours, 蒙西" in text and "12 h" in text and "2.5 GW  NO" in text
    assert "export-cut hours, 蒙东" in text and "yes" in text


def test_baseline_cut_rows_need_the_grid_figures():
    from energysim.calibration import baseline_cut_rows

    with pytest.raises(ValueError, match="no 'grid_export_cut_hours'"):
        baseline_cut_rows(xr.Dataset())
