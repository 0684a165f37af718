"""The Dask backend on a LocalCluster gives the same Dataset as the local run."""

from __future__ import annotations

import pytest
import xarray as xr

from energysim.sweep import load_sweep, run_sweep

pytest.importorskip("distributed")


@pytest.mark.dist
def test_dask_local_cluster_equals_serial(write_sweep, tmp_path):
    sweep = load_sweep(
        write_sweep(
            {
                "axes": [
                    {"path": "capacity_totals_GW.new_type_storage", "values": [0.5, 2.0]},
                    {"path": "weather.seed", "values": [0, 1]},
                    {"path": "demand.annual_TWh", "values": [20.0, -1.0]},
                ]
            }
        )
    )
    serial = run_sweep(sweep, tmp_path / "serial.nc")
    dask = run_sweep(sweep, tmp_path / "dask.nc", cluster="local", workers=2, batch_size=2)
    for ds in (serial, dask):
        ds.attrs.pop("created")
    xr.testing.assert_identical(serial, dask)
    assert (dask.status.sel({"demand.annual_TWh": -1.0}) == "failed").all()
