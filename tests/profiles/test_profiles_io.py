"""Real-profile input: CSV and atlite-style netCDF, time zones, and malformed files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from energysim.exceptions import ProfileError
from energysim.profiles.checks import check_profile
from energysim.profiles.io import load_profile
from energysim.profiles.synthetic import snapshots

BUSES = ["ordos", "baotou"]
YEAR = 2025


def _frame(year: int = YEAR, n: int | None = None) -> pd.DataFrame:
    idx = snapshots(year)
    n = len(idx) if n is None else n
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "snapshot": idx[:n].strftime("%Y-%m-%d %H:%M"),
            "ordos": rng.uniform(0, 1, n).round(4),
            "baotou": rng.uniform(0, 1, n).round(4),
        }
    )


def _csv(tmp_path: Path, df: pd.DataFrame, name: str = "p.csv") -> Path:
    path = tmp_path / name
    df.to_csv(path, index=False)
    return path


def _nc(
    tmp_path: Path,
    times: pd.DatetimeIndex,
    var: str = "profile",
    attrs: dict | None = None,
    name: str = "profile_onwind.nc",
) -> Path:
    rng = np.random.default_rng(1)
    ds = xr.Dataset(
        {var: (("time", "bus"), rng.uniform(0, 1, (len(times), 2)))},
        coords={"time": times.rename("time"), "bus": BUSES},
    )
    if attrs:
        ds["time"].attrs.update(attrs)
    path = tmp_path / name
    ds.to_netcdf(path)
    return path


def test_csv_round_trip(tmp_path):
    df = _frame()
    da = load_profile(_csv(tmp_path, df), "wind", ["baotou", "ordos"], YEAR)
    assert da.dims == ("snapshot", "bus")
    assert list(da["bus"].values) == ["baotou", "ordos"]
    assert da.sizes["snapshot"] == 8760 and da.dtype == np.float64
    np.testing.assert_allclose(da.sel(bus="ordos").values, df["ordos"].values)
    assert da.attrs["units"] == "p.u."


def test_csv_utc_offset_converted_to_beijing(tmp_path):
    df = _frame()
    local = pd.DatetimeIndex(pd.to_datetime(df["snapshot"]))
    df["snapshot"] = (local - pd.Timedelta(hours=8)).strftime("%Y-%m-%dT%H:%MZ")
    da = load_profile(_csv(tmp_path, df), "solar", BUSES, YEAR)
    np.testing.assert_allclose(da.sel(bus="ordos").values, df["ordos"].values)
    df["snapshot"] = local.strftime("%Y-%m-%dT%H:%M+08:00")
    da = load_profile(_csv(tmp_path, df, "b.csv"), "solar", BUSES, YEAR)
    np.testing.assert_allclose(da.sel(bus="ordos").values, df["ordos"].values)


def test_csv_other_weather_year_relabelled(tmp_path):
    df = _frame(2019)
    da = load_profile(_csv(tmp_path, df), "load", BUSES, YEAR)
    assert pd.Timestamp(da["snapshot"].values[0]) == pd.Timestamp("2025-01-01")
    np.testing.assert_allclose(da.sel(bus="baotou").values, df["baotou"].values)


def test_netcdf_atlite_utc_year_rotated(tmp_path):
    utc = snapshots(2020)  # atlite: naive UTC times, leap year 2020 for model year 2028
    path = _nc(tmp_path, utc)
    da = load_profile(path, "wind", BUSES, 2028)
    raw = xr.open_dataset(path)["profile"].sel(bus="ordos").values
    # Beijing 2028-01-01 00:00 is UTC 2019-12-31 16:00 -> taken from the end of the UTC year
    np.testing.assert_allclose(da.sel(bus="ordos").values[:8], raw[-8:])
    np.testing.assert_allclose(da.sel(bus="ordos").values[8:], raw[:-8])


def test_netcdf_with_beijing_time_zone_attr(tmp_path):
    path = _nc(tmp_path, snapshots(YEAR), attrs={"time_zone": "Asia/Shanghai"})
    da = load_profile(path, "solar", BUSES, YEAR)
    raw = xr.open_dataset(path)["profile"].sel(bus="baotou").values
    np.testing.assert_allclose(da.sel(bus="baotou").values, raw)


def test_check_profile_on_dataarray():
    da = xr.DataArray(
        np.full((8760, 1), 0.5),
        dims=("time", "bus"),
        coords={"time": snapshots(YEAR).values, "bus": ["x"]},
    )
    out = check_profile(da, "wind", "<memory>")
    assert out.dims == ("snapshot", "bus") and float(out.mean()) == 0.5


# ---------------------------------------------------------------- malformed files
def _wrong_length(tmp_path):
    return _csv(tmp_path, _frame(n=8000)), "snapshot", "8000"


def _nan(tmp_path):
    df = _frame()
    df.loc[100, "baotou"] = np.nan
    return _csv(tmp_path, df), "baotou", "2025-01-05 04:00"


def _above_one(tmp_path):
    df = _frame()
    df.loc[5, "ordos"] = 1.7
    return _csv(tmp_path, df), "ordos", "1.7"


def _percent_not_pu(tmp_path):
    df = _frame()
    df["ordos"] = df["ordos"] * 100
    return _csv(tmp_path, df), "ordos", "outside [0, 1]"


def _negative_load(tmp_path):
    df = _frame()
    df.loc[42, "baotou"] = -3.0
    return _csv(tmp_path, df), "baotou", "-3.0"


def _bad_tz_string(tmp_path):
    df = _frame()
    df["snapshot"] = df["snapshot"] + " Mars/Olympus"
    return _csv(tmp_path, df), "snapshot", "Mars/Olympus"


def _mixed_naive_aware(tmp_path):
    df = _frame()
    df.loc[10, "snapshot"] = "2025-01-01T10:00+08:00"
    return _csv(tmp_path, df), "snapshot", "2025-01-01T10:00+08:00"


def _missing_bus(tmp_path):
    return _csv(tmp_path, _frame().drop(columns="baotou")), "bus", "baotou"


def _non_numeric(tmp_path):
    df = _frame().astype({"ordos": object})
    df.loc[7, "ordos"] = "windy"
    return _csv(tmp_path, df), "ordos", "windy"


def _duplicate_hour(tmp_path):
    df = _frame()
    df.loc[1, "snapshot"] = df.loc[0, "snapshot"]
    return _csv(tmp_path, df), "snapshot", "duplicate"


def _gap(tmp_path):
    df = _frame()
    df.loc[300, "snapshot"] = "2026-01-01 00:00"
    return _csv(tmp_path, df), "snapshot", "2025-01-13 12:00"


def _numbers_as_time(tmp_path):
    df = _frame()
    df["snapshot"] = np.arange(len(df))
    return _csv(tmp_path, df), "snapshot", "numbers"


def _netcdf_without_profile(tmp_path):
    return _nc(tmp_path, snapshots(YEAR), var="p_max_pu"), "profile", "p_max_pu"


def _netcdf_wrong_length(tmp_path):
    return _nc(tmp_path, snapshots(YEAR)[:24]), "time", "24"


def _not_a_file_type(tmp_path):
    path = tmp_path / "p.xlsx"
    path.write_text("x")
    return path, "", ".xlsx"


def _zero_load(tmp_path):
    df = _frame()
    df["ordos"] = 0.0
    return _csv(tmp_path, df), "ordos", "zero"


MALFORMED = {
    "wrong-length": (_wrong_length, "wind"),
    "nan": (_nan, "wind"),
    "above-one": (_above_one, "solar"),
    "percent-not-pu": (_percent_not_pu, "wind"),
    "negative-load": (_negative_load, "load"),
    "bad-tz-string": (_bad_tz_string, "wind"),
    "mixed-naive-aware": (_mixed_naive_aware, "wind"),
    "missing-bus": (_missing_bus, "wind"),
    "non-numeric": (_non_numeric, "wind"),
    "duplicate-hour": (_duplicate_hour, "wind"),
    "gap": (_gap, "wind"),
    "numbers-as-time": (_numbers_as_time, "load"),
    "netcdf-without-profile": (_netcdf_without_profile, "wind"),
    "netcdf-wrong-length": (_netcdf_wrong_length, "wind"),
    "unknown-type": (_not_a_file_type, "wind"),
    "zero-load": (_zero_load, "load"),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_profile(tmp_path, case):
    make, kind = MALFORMED[case]
    path, field, value = make(tmp_path)
    with pytest.raises(ProfileError) as info:
        load_profile(path, kind, BUSES, YEAR)
    err = info.value
    assert err.file == str(path)
    assert err.field == field
    assert value in str(err), str(err)
    assert str(path) in str(err)
