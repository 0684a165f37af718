"""Sweeps end to end: CLI, failure isolation, resume, worker-count determinism, atomic output."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from energysim.cli import main
from energysim.sweep import load_sweep, run_sweep, runner, worker

AXES = {
    "name": "tiny-sweep",
    "axes": [
        {
            "path": "capacity_totals_GW.new_type_storage",
            "name": "storage_GW",
            "values": [0.5, 1.0, 2.0],
        },
        {"path": "corridors.b-out.in_service_year", "values": [2029, 2032]},
        {"path": "weather.seed", "values": [0, 1]},
    ],
}


def _same(a: xr.Dataset, b: xr.Dataset) -> None:
    a, b = a.copy(), b.copy()
    for ds in (a, b):
        ds.attrs.pop("created")
    xr.testing.assert_identical(a, b)


def test_cli_end_to_end(write_sweep, tmp_path, capsys):
    sweep = write_sweep(AXES)
    out = tmp_path / "out.nc"
    assert main(["sweep", str(sweep), "-o", str(out)]) == 0
    assert "12 points" in capsys.readouterr().out
    with xr.open_dataset(out) as ds:
        assert ds.sizes == {
            "storage_GW": 3,
            "corridors.b-out.in_service_year": 2,
            "weather.seed": 2,
        }
        assert list(ds["storage_GW"].values) == [0.5, 1.0, 2.0]
        assert (ds.status == "ok").all() and (ds.error == "").all()
        np.testing.assert_allclose(ds.new_type_storage_GW.values[:, 0, 0], [0.5, 1.0, 2.0])
        assert ds.new_energy_local_TWh.attrs["units"] == "TWh"
        assert set(np.unique(ds.meets_new_type_storage_GW)) == {0.0, 1.0}
        # the delayed corridor exports nothing, so exports fall
        assert (
            ds.export_TWh.sel({"corridors.b-out.in_service_year": 2032})
            < ds.export_TWh.sel({"corridors.b-out.in_service_year": 2029})
        ).all()
        assert ds.attrs["base_scenario"] == "tiny" and "capacity_totals_GW" in ds.attrs["sweep"]
        assert ds.attrs["energysim_version"] and ds.attrs["created"]
    assert not runner.parts_dir(out).exists()


def test_bad_sweep_file_exits_2(write_sweep, tmp_path, capsys):
    sweep = write_sweep({"axes": [{"path": "demand.anual_TWh", "values": [1]}]})
    assert main(["sweep", str(sweep), "-o", str(tmp_path / "x.nc")]) == 2
    err = capsys.readouterr().err
    assert str(sweep) in err and "axes.0.path" in err and "anual_TWh" in err


def test_failing_point_is_recorded_and_the_rest_completes(write_sweep, tmp_path):
    sweep = load_sweep(
        write_sweep(
            {
                "axes": [
                    {"path": "demand.annual_TWh", "values": [20.0, -5.0, "lots"]},
                    {"path": "weather.seed", "values": [0, 1]},
                ]
            }
        )
    )
    ds = run_sweep(sweep, tmp_path / "out.nc")
    status = ds.status.values
    assert (status[0] == "ok").all() and (status[1:] == "failed").all()
    assert "ConfigError" in str(ds.error.values[1, 0]) and "demand.annual_TWh" in str(
        ds.error.values[1, 0]
    )
    assert np.isnan(ds.new_energy_used_TWh.values[1:]).all()
    assert np.isfinite(ds.new_energy_used_TWh.values[0]).all()
    assert ds.attrs["n_failed"] == 4


def test_resume_runs_only_missing_points(write_sweep, tmp_path, monkeypatch):
    sweep = load_sweep(write_sweep(AXES))
    out = tmp_path / "out.nc"
    full = run_sweep(sweep, tmp_path / "ref.nc", batch_size=2)

    calls = []
    real_point = worker.run_point
    monkeypatch.setattr(worker, "run_point", lambda s, o: calls.append(o) or real_point(s, o))
    real_write = runner._write_part

    def interrupted(folder, res, figures):
        if len(list(folder.glob("part-*.npz"))) >= 2:
            raise KeyboardInterrupt
        return real_write(folder, res, figures)

    monkeypatch.setattr(runner, "_write_part", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_sweep(sweep, out, batch_size=2)
    assert not out.exists()
    assert len(list(runner.parts_dir(out).glob("part-*.npz"))) == 2
    # 4 packed scenarios (corridor year x seed) of 3 storage values, cut into batches of 2 + 1:
    # three batches ran (2 + 1 + 2 points), the third was lost with the interrupt
    assert len(calls) == 5

    monkeypatch.setattr(runner, "_write_part", real_write)
    calls.clear()
    stats: dict = {}
    resumed = run_sweep(sweep, out, batch_size=2, stats=stats)
    assert len(calls) == 12 - 3  # only the points without a part file
    assert stats["points_run"] == 9
    assert resumed.attrs["n_resumed"] == 3 and full.attrs["n_resumed"] == 0
    _same(resumed, full.assign_attrs(sweep_file=resumed.attrs["sweep_file"], n_resumed=3))
    assert not runner.parts_dir(out).exists()


def test_a_run_that_finished_nothing_leaves_nothing_to_resume(
    write_sweep, tmp_path, monkeypatch, capsys
):
    sweep_file = write_sweep(AXES)
    out = tmp_path / "out.nc"

    def crash(*args, **kwargs):
        raise RuntimeError("worker pool died")

    monkeypatch.setattr(runner, "_run_serial", crash)
    with pytest.raises(RuntimeError):
        main(["sweep", str(sweep_file), "-o", str(out)])
    assert not runner.parts_dir(out).exists()
    monkeypatch.undo()
    assert main(["sweep", str(sweep_file), "-o", str(out)]) == 0
    assert "resumed" not in capsys.readouterr().out


def test_sweep_output_suffix_is_checked(write_sweep, tmp_path, capsys):
    assert main(["sweep", str(write_sweep(AXES)), "-o", str(tmp_path / "x.csv")]) == 2
    assert "suffix must be one of .nc, .zarr" in capsys.readouterr().err


def test_one_and_two_workers_give_identical_datasets(write_sweep, tmp_path):
    sweep = load_sweep(write_sweep(AXES))
    one = run_sweep(sweep, tmp_path / "one.nc", workers=1)
    two = run_sweep(sweep, tmp_path / "two.nc", workers=2, batch_size=1)
    _same(one, two)
    with xr.open_dataset(tmp_path / "one.nc") as a, xr.open_dataset(tmp_path / "two.nc") as b:
        _same(a.load(), b.load())


def test_output_is_written_atomically(write_sweep, tmp_path, monkeypatch):
    sweep = load_sweep(write_sweep({"axes": [{"path": "weather.seed", "values": [0]}]}))
    out = tmp_path / "out.nc"
    out.write_bytes(b"previous")

    def broken(self, path, *args, **kwargs):
        path.write_bytes(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(xr.Dataset, "to_netcdf", broken)
    with pytest.raises(OSError, match="disk full"):
        run_sweep(sweep, out)
    assert out.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".out")) == []
    assert runner.parts_dir(out).exists()  # results kept for the rerun
    monkeypatch.undo()
    run_sweep(sweep, out)
    with xr.open_dataset(out) as ds:
        assert ds.status.item() == "ok"


def test_zip_mode_zarr_and_hourly(write_sweep, tmp_path):
    sweep = load_sweep(
        write_sweep(
            {
                "mode": "zip",
                "axes": [
                    {"path": "capacity_totals_GW.new_type_storage", "values": [0.5, 2.0]},
                    {"path": "weather.seed", "values": [0, 1]},
                ],
            }
        )
    )
    out = tmp_path / "out.zarr"
    ds = run_sweep(sweep, out, hourly=True)
    with xr.open_zarr(out) as z:
        assert z.sizes["point"] == 2 and list(z["weather.seed"].values) == [0, 1]
        curt = z.hourly_new_energy_curtailment
        assert curt.dims == ("point", "hour", "bus") and curt.shape == (2, 8760, 2)
        assert curt.encoding["chunks"] == (1, 8760, 2)
        annual = float(curt.isel(point=0).sum()) * 1e-6
        np.testing.assert_allclose(annual, float(z.new_energy_curtailed_TWh[0]), rtol=1e-5)
    assert ds.attrs["mode"] == "zip"


def test_points_that_differ_only_in_targets_share_one_dispatch(write_sweep, tmp_path, monkeypatch):
    import energysim.kernel

    sweep = load_sweep(
        write_sweep(
            {
                "name": "targets",
                "axes": [
                    {"path": "capacity_totals_GW.new_type_storage", "values": [0.5, 2.0]},
                    {"path": "targets.new_energy_export_TWh", "values": [0.0, 1.0, 1e6]},
                ],
            }
        )
    )
    calls = []
    real = energysim.kernel.run_kernel
    monkeypatch.setattr(energysim.kernel, "run_kernel", lambda *a: calls.append(1) or real(*a))
    ds = run_sweep(sweep, tmp_path / "t.nc", workers=1)
    assert len(calls) == 2  # one dispatch per storage value, not per point
    export = ds.new_energy_export_TWh
    # the figures do not depend on the target; the verdicts do, as the check would give them
    axis = "targets.new_energy_export_TWh"
    assert (
        export.max(axis) == export.min(axis)
    ).all()  # equal (a std of equal values may not be 0)
    verdict = ds.meets_new_energy_export_TWh
    assert (verdict.sel({"targets.new_energy_export_TWh": 0.0}) == 1.0).all()
    assert (verdict.sel({"targets.new_energy_export_TWh": 1e6}) == 0.0).all()


def test_a_plugin_engine_runs_a_sweep(write_sweep, tmp_path):
    import dataclasses

    from energysim import engines
    from energysim.exceptions import ConfigError
    from energysim.kernel import run_kernel

    calls = []

    def plugin(scenario, inputs, index):
        calls.append(scenario.name)
        return run_kernel(dataclasses.replace(inputs))

    engines.register_engine(engines.EngineSpec("test-sweep-plugin", plugin))
    try:
        kernel = run_sweep(load_sweep(write_sweep(AXES)), tmp_path / "k.nc")
        sweep = load_sweep(write_sweep({**AXES, "engine": "test-sweep-plugin"}, "p.yaml"))
        ds = run_sweep(sweep, tmp_path / "p.nc")
    finally:
        engines.REGISTRY.pop("test-sweep-plugin")
    assert ds.attrs["engine"] == "test-sweep-plugin" and len(calls) > 0
    np.testing.assert_allclose(
        ds.new_energy_local_TWh.values, kernel.new_energy_local_TWh.values
    )  # the same kernel behind the plug-in: the same figures
    with pytest.raises(ConfigError, match="engine: unknown engine 'nope'"):
        load_sweep(write_sweep({**AXES, "engine": "nope"}, "n.yaml"))
