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
            {"x": stored["x"].values, "y": stored["y"].values},
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
        np.testing.assert_allclose(stored["x"].values, sites["x"].to_numpy())
        expected = stored["wind"].values

    def no_generation(*args, **kwargs):
        raise AssertionError("generated although the shipped file holds these profiles")

    monkeypatch.setattr(profiles_module, "_cached", no_generation)
    ds = default_profiles(sites, year, DEFAULT_SEED)
    np.testing.assert_array_equal(ds["wind"].values, expected)
    assert list(ds["bus"].values) == list(sites.index) and "x" not in ds.coords
    # another seed, or sites the file does not hold, are generated
    monkeypatch.undo()
    other = default_profiles(sites, year, DEFAULT_SEED + 1)
    assert not np.allclose(other["wind"].values, expected)
    moved = sites.assign(x=sites["x"] + 0.01)
    assert profiles_module.shipped_profiles(moved, year, DEFAULT_SEED, ["jjj"]) is None


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
