"""Synthetic generator: determinism, shapes, ranges, calibration targets, spatial correlation."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from energysim.exceptions import ProfileError
from energysim.profiles import default_profiles
from energysim.profiles.calibration import DEFAULT_SITES
from energysim.profiles.synthetic import (
    GENERATOR,
    REGIONS,
    _distance_km,
    generate_profiles,
    norm_cdf,
    norm_ppf,
    snapshots,
)

SITES = DEFAULT_SITES


@pytest.fixture(scope="module")
def ds2025():
    return generate_profiles(SITES, 2025, 0)


def test_snapshots_lengths():
    assert len(snapshots(2025)) == 8760
    assert len(snapshots(2028)) == 8784
    s = snapshots(2030)
    assert s[0] == pd.Timestamp("2030-01-01 00:00") and s[-1] == pd.Timestamp("2030-12-31 23:00")
    assert s.tz is None and s.name == "snapshot"


def test_deterministic_and_seed_dependent(ds2025):
    again = generate_profiles(SITES, 2025, 0)
    for var in ("wind", "solar", "load", "receiving_load"):
        np.testing.assert_array_equal(ds2025[var].values, again[var].values)
    other = generate_profiles(SITES, 2025, 1)
    assert not np.allclose(ds2025["wind"].values, other["wind"].values)
    assert not np.allclose(ds2025["solar"].values, other["solar"].values)


def test_structure_and_attrs(ds2025):
    assert ds2025["wind"].dims == ("snapshot", "bus")
    assert ds2025["receiving_load"].dims == ("snapshot", "region")
    assert list(ds2025["bus"].values) == list(SITES.index)
    assert list(ds2025["region"].values) == list(REGIONS)
    assert np.issubdtype(ds2025["snapshot"].dtype, np.datetime64)
    for var in ds2025.data_vars:
        assert ds2025[var].dtype == np.float64
        assert {"units", "long_name"} <= set(ds2025[var].attrs)
    assert ds2025.attrs["seed"] == 0 and ds2025.attrs["year"] == 2025
    assert ds2025.attrs["weather_year"] == 2025
    assert ds2025.attrs["generator"] == GENERATOR and ds2025.attrs["synthetic"] == 1
    assert ds2025.attrs["time_zone"] == "Asia/Shanghai"


def test_leap_year_8784():
    ds = generate_profiles(SITES.iloc[:3], 2028, 5, regions=("jiangxi",))
    assert ds.sizes["snapshot"] == 8784
    assert ds.sizes["region"] == 1
    np.testing.assert_allclose(ds["load"].mean("snapshot"), 1.0, atol=1e-12)


def test_ranges_and_means(ds2025):
    for var in ("wind", "solar"):
        v = ds2025[var].values
        assert v.min() >= 0.0 and v.max() <= 1.0
    np.testing.assert_allclose(ds2025["load"].mean("snapshot"), 1.0, atol=1e-12)
    np.testing.assert_allclose(ds2025["receiving_load"].mean("snapshot"), 1.0, atol=1e-12)
    assert (ds2025["load"].values > 0).all()
    # night has no sun, noon has
    hours = pd.DatetimeIndex(ds2025["snapshot"].values).hour
    assert ds2025["solar"].values[hours == 1].max() == 0.0
    assert ds2025["solar"].values[hours == 12].mean() > 0.4


def test_means_near_targets():
    wind, solar = [], []
    for seed in range(4):
        ds = generate_profiles(SITES, 2025, seed, regions=())
        wind.append(float(ds["wind"].mean()))
        solar.append(float(ds["solar"].mean()))
    # ERA5 2020 provincial means 0.299 / 0.169 (fit tables); between-year spread ~0.013 / 0.002
    assert abs(np.mean(wind) - 0.299) < 0.02
    assert abs(np.mean(solar) - 0.169) < 0.006
    assert 1450 < np.mean(solar) * 8760 < 1650
    assert np.mean(wind) * 8760 > 2400


def test_monthly_wind_cycle():
    ds = generate_profiles(SITES, 2025, 3, regions=())
    w = ds["wind"].mean("bus").to_series()
    monthly = w.groupby(w.index.month).mean()
    # ERA5: low in Jul and Jan, high in Mar and Dec (averaged over months to resist noise)
    assert monthly[[3, 12]].mean() > monthly[[1, 7]].mean() + 0.08


def test_spatial_correlation_decreases_with_distance():
    sites = pd.DataFrame(
        {"x": [110.0, 110.5, 113.0, 121.0], "y": [40.0, 40.0, 40.5, 47.0]},
        index=["a", "b", "c", "d"],
    )
    ds = generate_profiles(sites, 2025, 7, regions=())
    for var in ("wind", "solar"):
        c = np.corrcoef(ds[var].values.T)
        assert c[0, 1] > c[0, 2] > c[0, 3], (var, c[0])
    d = _distance_km(sites["x"].to_numpy(), sites["y"].to_numpy())
    assert 40 < d[0, 1] < 45 and d[0, 3] > 1000


def test_colocated_sites_are_allowed():
    sites = pd.DataFrame({"x": [110.0, 110.0], "y": [40.0, 40.0]}, index=["a", "b"])
    ds = generate_profiles(sites, 2025, 0, regions=())
    assert np.corrcoef(ds["wind"].values.T)[0, 1] > 0.999


def test_fast():
    generate_profiles(SITES, 2025, 11)  # warm caches
    t = time.perf_counter()
    generate_profiles(SITES, 2025, 12)
    assert time.perf_counter() - t < 1.5


def test_jiangxi_uses_anhui_parameters():
    ds = generate_profiles(SITES.iloc[:1], 2025, 0, regions=("anhui", "jiangxi"))
    a, j = ds["receiving_load"].values.T
    assert np.corrcoef(a, j)[0, 1] > 0.7  # same deterministic part, independent noise
    assert not np.array_equal(a, j)


def test_regions_stream_independent_of_selection(ds2025):
    one = generate_profiles(SITES, 2025, 0, regions=("zhejiang",))
    np.testing.assert_array_equal(
        one["receiving_load"].sel(region="zhejiang").values,
        ds2025["receiving_load"].sel(region="zhejiang").values,
    )


@pytest.mark.parametrize(
    ("sites", "field"),
    [
        (pd.DataFrame({"lon": [110.0], "lat": [40.0]}, index=["a"]), "x,y"),
        (pd.DataFrame({"x": [110.0], "y": [95.0]}, index=["a"]), "x,y"),
        (pd.DataFrame({"x": [np.nan], "y": [40.0]}, index=["a"]), "x,y"),
        (pd.DataFrame({"x": [110.0, 111.0], "y": [40.0, 41.0]}, index=["a", "a"]), "bus"),
    ],
)
def test_bad_sites(sites, field):
    with pytest.raises(ProfileError) as info:
        generate_profiles(sites, 2025, 0)
    assert info.value.field == field
    assert "<sites>" in str(info.value)


def test_unknown_region():
    with pytest.raises(ProfileError, match="atlantis"):
        generate_profiles(SITES, 2025, 0, regions=("atlantis",))


def test_default_profiles_cached_copy():
    a = default_profiles(SITES, 2025, 0)
    a["wind"][:] = -1.0
    b = default_profiles(SITES, 2025, 0)
    assert float(b["wind"].min()) >= 0.0


def test_norm_helpers():
    x = np.linspace(-4, 4, 17)
    np.testing.assert_allclose(norm_ppf(norm_cdf(x)), x, atol=1e-5)
    assert abs(norm_cdf(np.array(1.0)) - 0.8413447) < 1e-6


@settings(max_examples=8, deadline=None)
@given(
    lon=st.lists(st.floats(97.0, 126.0), min_size=1, max_size=4),
    seed=st.integers(0, 2**31 - 1),
    year=st.integers(2020, 2040),
)
def test_property_ranges(lon, seed, year):
    sites = pd.DataFrame(
        {"x": lon, "y": [38.0 + (i * 2.7) % 12 for i in range(len(lon))]},
        index=[f"b{i}" for i in range(len(lon))],
    )
    ds = generate_profiles(sites, year, seed, regions=("shanghai",))
    assert ds.sizes["snapshot"] == len(snapshots(year))
    for var in ("wind", "solar"):
        assert np.isfinite(ds[var].values).all()
        assert ds[var].values.min() >= 0.0 and ds[var].values.max() <= 1.0
    np.testing.assert_allclose(ds["load"].mean("snapshot"), 1.0, atol=1e-12)
