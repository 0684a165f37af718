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
    stats: dict = {}
    dask = run_sweep(
        sweep, tmp_path / "dask.nc", cluster="local", workers=2, batch_size=2, stats=stats
    )
    # 4 structural groups (seed x demand; storage is applied to packed arrays) of 2 points: 4
    # batches of 2; the 2 groups with a negative demand fail before packing, so 2 packs (a steal
    # could add at most one per batch)
    assert (stats["backend"], stats["workers"], stats["tasks"]) == ("dask", 2, 4)
    assert 2 <= stats["packs"] <= 4 and stats["compute_s"] > 0
    for ds in (serial, dask):
        ds.attrs.pop("created")
    xr.testing.assert_identical(serial, dask)
    assert (dask.status.sel({"demand.annual_TWh": -1.0}) == "failed").all()


def test_local_cluster_settings_are_dask_settings():
    """Every key of DASK_LOCAL_CONFIG is one of distributed's settings (a misspelt key would
    be ignored silently), and the cluster the sweep starts places batches itself: no stealing."""
    import dask
    import distributed  # noqa: F401 - loads distributed's defaults into dask.config

    from energysim.sweep.runner import DASK_LOCAL_CONFIG

    missing = object()
    for key in DASK_LOCAL_CONFIG:
        assert dask.config.get(key, default=missing) is not missing, key
    assert DASK_LOCAL_CONFIG["distributed.scheduler.work-stealing"] is False
    with dask.config.set(DASK_LOCAL_CONFIG):
        assert dask.config.get("distributed.scheduler.work-stealing") is False
