"""Shipped default profiles equal a fresh generation; calibration against the shared data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from energysim.exceptions import EnergysimError
from energysim.profiles import DEFAULT_FILE_YEARS, DEFAULT_SEED, PACK_SCALE, default_profiles
from energysim.profiles.calibration import DEFAULT_SITES, calibration_table, format_calibration

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
    fresh = default_profiles(DEFAULT_SITES, year, DEFAULT_SEED)
    with xr.open_dataset(path) as shipped:
        assert shipped.attrs["synthetic"] == 1 and shipped.attrs["seed"] == DEFAULT_SEED
        assert list(shipped["bus"].values) == list(fresh["bus"].values)
        np.testing.assert_array_equal(shipped["snapshot"].values, fresh["snapshot"].values)
        for var, scale in PACK_SCALE.items():
            np.testing.assert_allclose(
                shipped[var].values, fresh[var].values, rtol=0, atol=scale / 2 + 1e-12, err_msg=var
            )


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
