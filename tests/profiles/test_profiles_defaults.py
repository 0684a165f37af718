"""Shipped default profiles equal a fresh generation; calibration against the shared data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import energysim.profiles as profiles_module
from energysim.exceptions import EnergysimError
from energysim.profiles import (
    DEFAULT_FILE_YEARS,
    DEFAULT_SEED,
    PACK_SCALE,
    default_profiles,
    generate_profiles,
    shipped_sites,
)
from energysim.profiles.calibration import calibration_table, format_calibration

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO / ".." / "shared"


@pytest.fixture
def shared() -> Path:
    if not (SHARED / "data").is_dir():
        pytest.skip("../shared reference data not available")
    return SHARED


@pytest.mark.parametrize("year", DEFAULT_FILE_YEARS)
def test_shipped_files_equal_fresh_generation(year):
    path = REPO / "profiles" / f"default-{year}.nc"
    assert path.stat().st_size < 1.5e6
    with xr.open_dataset(path) as stored:
        sites = pd.DataFrame(
            {c: stored[c].values for c in ("x", "y", "wind_x", "wind_y")},
            index=pd.Index(stored["bus"].values.astype(str), name="bus"),
        )
    fresh = generate_profiles(sites, year, DEFAULT_SEED)
    with xr.open_dataset(path) as shipped:
        assert shipped.attrs["synthetic"] == 1 and shipped.attrs["seed"] == DEFAULT_SEED
        assert list(shipped["bus"].values) == list(fresh["bus"].values)
        np.testing.assert_array_equal(shipped["snapshot"].values, fresh["snapshot"].values)
        for var, scale in PACK_SCALE.items():
            np.testing.assert_allclose(
                shipped[var].values, fresh[var].values, rtol=0, atol=scale / 2 + 1e-12, err_msg=var
            )


@pytest.mark.parametrize("year", DEFAULT_FILE_YEARS)
def test_the_shipped_scenarios_default_run_reads_the_files(year, monkeypatch):
    sites = shipped_sites()
    with xr.open_dataset(REPO / "profiles" / f"default-{year}.nc") as stored:
        for c in ("x", "y", "wind_x", "wind_y"):
            np.testing.assert_allclose(stored[c].values, sites[c].to_numpy(), err_msg=c)
        expected = stored["wind"].values

    def no_generation(*args, **kwargs):
        raise AssertionError("generated although the shipped file holds these profiles")

    monkeypatch.setattr(profiles_module, "_cached", no_generation)
    ds = default_profiles(sites, year, DEFAULT_SEED)
    np.testing.assert_array_equal(ds["wind"].values, expected)
    assert list(ds["bus"].values) == list(sites.index)
    assert not {"x", "y", "wind_x", "wind_y"} & set(ds.coords)
    # another seed, or sites the file does not hold, are generated
    monkeypatch.undo()
    other = default_profiles(sites, year, DEFAULT_SEED + 1)
    assert not np.allclose(other["wind"].values, expected)
    moved = sites.assign(x=sites["x"] + 0.01)
    assert profiles_module.shipped_profiles(moved, year, DEFAULT_SEED, ["jjj"]) is None
    moved_wind = sites.assign(wind_y=sites["wind_y"] + 0.01)
    assert profiles_module.shipped_profiles(moved_wind, year, DEFAULT_SEED, ["jjj"]) is None


def test_shipped_files_hold_the_shipped_scenarios_sites():
    """The files' bus and wind sites are those of the shipped scenarios' buses (so their default
    runs read the files); every league with GEM wind farms has a wind site."""
    from energysim.config import load_scenario
    from energysim.config.shipped import shipped_scenario

    for name in ("baseline-2025", "plan-2030", "plan-2030-optimistic"):
        buses = load_scenario(shipped_scenario(name)).buses
        year = 2025 if name == "baseline-2025" else 2030
        with xr.open_dataset(REPO / "profiles" / f"default-{year}.nc") as stored:
            at = {str(b): i for i, b in enumerate(stored["bus"].values)}
            for b, bus in buses.items():
                i = at[b]
                assert (stored["x"].values[i], stored["y"].values[i]) == (bus.x, bus.y), b
                wind = (bus.x, bus.y) if bus.wind_x is None else (bus.wind_x, bus.wind_y)
                assert (stored["wind_x"].values[i], stored["wind_y"].values[i]) == wind, b
    given = [b for b, bus in buses.items() if bus.wind_x is not None]
    assert len(given) == 11 and "wuhai" not in given  # Wuhai has no GEM wind farm
    moved = [b for b in given if (buses[b].wind_x, buses[b].wind_y) != (buses[b].x, buses[b].y)]
    assert len(moved) == 10  # Hohhot's farms centre on its coal centroid (111.5 E, 40.4 N)


def test_calibration_without_shared_raises(tmp_path):
    with pytest.raises(EnergysimError, match="not found"):
        calibration_table(tmp_path / "nowhere", n_years=1)


@pytest.mark.shared
def test_calibration_table(shared):
    df = calibration_table(shared, seed=0, n_years=3)
    text = format_calibration(df)
    assert "wind" in text and "load:jjj" in text
    row = df.set_index(["quantity", "metric"])
    assert abs(row.loc[("wind", "annual mean CF, p.u."), "diff"]) < 0.02
    assert abs(row.loc[("solar", "annual mean CF, p.u."), "diff"]) < 0.006
    assert abs(row.loc[("wind", "autocorrelation lag 24 h"), "diff"]) < 0.1
    assert abs(row.loc[("wind", "P90, p.u."), "diff"]) < 0.04
    assert abs(row.loc[("wind-solar", "hourly correlation"), "diff"]) < 0.05
    assert row.loc[("load:im", "monthly means: max abs error"), "synthetic"] < 0.02
    assert abs(row.loc[("load:im", "load factor (mean/peak)"), "diff"]) < 0.02


@pytest.mark.shared
def test_parameters_in_sync_with_reference_data(shared):
    """parameters.yaml must be what fit_parameters derives from the shared data."""
    import yaml

    from energysim.profiles.fit import PARAMETERS_FILE, fit_parameters

    stored = yaml.safe_load(PARAMETERS_FILE.read_text(encoding="utf-8"))
    assert stored == yaml.safe_load(yaml.safe_dump(fit_parameters(shared)))
