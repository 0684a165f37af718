"""Resource by league: wind sites (where a league's synthetic wind is generated) and the per-league
capacity-factor scale (issue 13)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from energysim.config import load_scenario
from energysim.config.shipped import shipped_scenario
from energysim.exceptions import ConfigError, ProfileError
from energysim.kernel.pack import generator_availability, pack
from energysim.profiles import bus_sites, generate_profiles
from energysim.run import _sites
from tests.helpers import profiles as make_profiles
from tests.helpers import scenario as make_scenario

A = (110.0, 40.0)
B = (116.0, 44.0)


def _sites_frame(**cols: list[float]) -> pd.DataFrame:
    return pd.DataFrame(cols, index=pd.Index(["p", "q"], name="bus"))


def test_wind_site_moves_the_wind_only():
    """Wind generated at (wind_x, wind_y) is the wind a bus at that point gets; solar and load
    stay those of the bus site."""
    at_bus = _sites_frame(x=[A[0], 120.0], y=[A[1], 45.0])
    moved = at_bus.assign(wind_x=[B[0], 120.0], wind_y=[B[1], 45.0])
    as_if_there = _sites_frame(x=[B[0], 120.0], y=[B[1], 45.0])
    ds = generate_profiles(moved, 2025, 3, regions=())
    there = generate_profiles(as_if_there, 2025, 3, regions=())
    here = generate_profiles(at_bus, 2025, 3, regions=())
    np.testing.assert_array_equal(ds["wind"].values, there["wind"].values)
    np.testing.assert_array_equal(ds["solar"].values, here["solar"].values)
    np.testing.assert_array_equal(ds["load"].values, here["load"].values)
    assert not np.array_equal(ds["wind"].values, here["wind"].values)


def test_empty_wind_site_is_the_bus_site():
    plain = _sites_frame(x=[A[0], B[0]], y=[A[1], B[1]])
    empty = plain.assign(wind_x=[np.nan, np.nan], wind_y=[np.nan, np.nan])
    same = plain.assign(wind_x=plain["x"], wind_y=plain["y"])
    w0 = generate_profiles(plain, 2025, 1, regions=())["wind"].values
    np.testing.assert_array_equal(generate_profiles(empty, 2025, 1, regions=())["wind"].values, w0)
    np.testing.assert_array_equal(generate_profiles(same, 2025, 1, regions=())["wind"].values, w0)


def test_half_a_wind_site_is_a_clear_error():
    sites = _sites_frame(x=[A[0], B[0]], y=[A[1], B[1]], wind_x=[np.nan, 117.0])
    with pytest.raises(ProfileError, match="only column 'wind_x'"):
        generate_profiles(sites, 2025, 0, regions=())
    sites = sites.assign(wind_y=[np.nan, np.nan])
    with pytest.raises(
        ProfileError, match=r"site 'q' has invalid wind site wind_x=117\.0, wind_y=nan"
    ):
        generate_profiles(sites, 2025, 0, regions=())
    sites = sites.assign(wind_y=[np.nan, 95.0])
    with pytest.raises(ProfileError, match="latitude in"):
        generate_profiles(sites, 2025, 0, regions=())


def test_bus_wind_site_schema():
    bus = {"grid": "mengxi", "x": 110.0, "y": 40.0, "demand_share": 1.0}
    ok = make_scenario(buses={"a": {**bus, "wind_x": 111.5, "wind_y": 41.5}})
    assert (ok.buses["a"].wind_x, ok.buses["a"].wind_y) == (111.5, 41.5)
    sites = bus_sites(ok.buses)
    assert sites.loc["a"].to_dict() == {"x": 110.0, "y": 40.0, "wind_x": 111.5, "wind_y": 41.5}
    plain = make_scenario(buses={"a": bus})
    assert bus_sites(plain.buses).loc["a", ["wind_x", "wind_y"]].tolist() == [110.0, 40.0]
    with pytest.raises(ConfigError, match="wind_x=111.5, wind_y=None; expected both"):
        make_scenario(buses={"a": {**bus, "wind_x": 111.5}})
    with pytest.raises(ConfigError, match="wind_y"):
        make_scenario(buses={"a": {**bus, "wind_x": 111.5, "wind_y": 60.0}})


def test_per_league_scale_is_applied_hand_computed():
    """Two leagues, two wind scales: available wind = p_nom x clip(profile x scale, 0, 1)."""
    buses = {
        "a": {"grid": "mengxi", "x": 110.0, "y": 40.0, "demand_share": 0.5},
        "b": {"grid": "mengxi", "x": 112.0, "y": 41.0, "demand_share": 0.5},
    }
    gens = {
        "a-wind": {"bus": "a", "carrier": "wind", "p_nom": 100, "capacity_factor_scale": 0.5},
        "b-wind": {"bus": "b", "carrier": "wind", "p_nom": 200, "capacity_factor_scale": 1.2},
    }
    sc = make_scenario(buses=buses, generators=gens)
    hours = 4
    wind = np.array([[0.4, 0.9], [0.4, 0.1], [0.4, 0.9], [0.4, 0.1]])  # (T, B): a flat, b 0.9/0.1
    prof = make_profiles(["a", "b"], hours=hours, wind=wind)
    # a: 0.4 x 0.5 = 0.2 -> 20 MW every hour; b: 0.9 x 1.2 = 1.08 -> clipped 1.0 (200 MW),
    # 0.1 x 1.2 = 0.12 (24 MW): mean (200 + 24) / 2 = 112 MW
    np.testing.assert_allclose(generator_availability(sc, "wind", "a", 0.5, prof), [0.2] * 4)
    np.testing.assert_allclose(
        generator_availability(sc, "wind", "b", 1.2, prof), [1.0, 0.12, 1.0, 0.12]
    )
    inputs, index = pack(sc, prof)
    ne = inputs.ne_avail  # (T, B), MW
    col = {b: i for i, b in enumerate(index.buses)}
    np.testing.assert_allclose(ne[:, col["a"]], [20.0] * 4)
    np.testing.assert_allclose(ne[:, col["b"]], [200.0, 24.0, 200.0, 24.0])
    assert ne[:, col["b"]].mean() == pytest.approx(112.0)


def test_shipped_solar_scale_by_league_keeps_the_fleet_mean():
    """plan-2030 solar: capacity-weighted mean scale = the fleet factor 0.88 (the provincial total
    stays calibrated) and the west is scaled above the east (140-160 vs 110-130 kcal/cm2); wind
    keeps the fleet factor in every league (no league figure departs from the provincial mean)."""
    sc = load_scenario(shipped_scenario("plan-2030"))
    local = [g for g in sc.generators.values() if g.dedicated_to is None]
    solar = [g for g in local if g.carrier == "solar"]
    mean = sum(g.p_nom * g.capacity_factor_scale for g in solar) / sum(g.p_nom for g in solar)
    assert mean == pytest.approx(0.88, abs=0.002)  # scales are rounded to 3 decimals
    by_bus = {g.bus: g.capacity_factor_scale for g in solar}
    assert by_bus["alxa"] > by_bus["chifeng"] > by_bus["hulunbuir"]
    assert by_bus["alxa"] / by_bus["hulunbuir"] == pytest.approx(150 / 120, rel=0.01)
    assert {g.capacity_factor_scale for g in sc.generators.values() if g.carrier == "wind"} == {
        0.88
    }


def test_run_sites_carry_the_wind_sites():
    sc = load_scenario(shipped_scenario("plan-2030"))
    sites = _sites(sc)
    assert list(sites.columns) == ["x", "y", "wind_x", "wind_y"]
    assert sites.loc["xilingol", ["wind_x", "wind_y"]].tolist() == [115.3, 43.2]
    assert (
        sites.loc["wuhai", ["wind_x", "wind_y"]].tolist() == sites.loc["wuhai", ["x", "y"]].tolist()
    )


REPO = Path(__file__).resolve().parents[2]
SHARED_DATA = REPO / ".." / "shared" / "data"


def _derive_module():
    spec = importlib.util.spec_from_file_location(
        "derive", REPO / "scenarios" / "data" / "derive.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.shared
def test_wind_sites_and_league_check_derive_from_the_shared_data():
    """buses.csv wind sites = derive.py's centroids of the GEM farms; the league wind check gives
    the figures docs/data.md quotes (Xilingol 0.98/1.05, Hinggan 0.93/1.07 x the IM mean)."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared reference data not available")
    derive = _derive_module()
    wind = derive.read_wind(SHARED_DATA)
    sites = derive.wind_sites(wind)
    buses = load_scenario(shipped_scenario("plan-2030")).buses
    for b, bus in buses.items():
        got = None if bus.wind_x is None else (bus.wind_x, bus.wind_y)
        want = (sites[b]["x"], sites[b]["y"]) if b in sites else None
        assert got == want, b
    # GEM's default point is never a site: 11.35 GW of farms carry it, none in Xilingol
    default = (wind["Latitude"].round(4) == 43.2443) & (wind["Longitude"].round(4) == 114.3252)
    assert wind.loc[default, "MW"].sum() == pytest.approx(11354.0)
    check = derive.league_wind_check(wind)
    assert check["xilingol"]["ratio2021"] == pytest.approx(0.98, abs=0.005)
    assert check["xilingol"]["ratio2022"] == pytest.approx(1.05, abs=0.005)
    assert check["hinggan"]["ratio2021"] == pytest.approx(0.93, abs=0.005)
    assert check["hinggan"]["ratio2022"] == pytest.approx(1.07, abs=0.005)
    ulanqab = derive.share_ratio(wind, "ulanqab", 8.44 / 51.53, 2021)
    assert ulanqab == pytest.approx(1.14, abs=0.005)
    # 2022 Xilingol energy from its growth (the check) and from its 26.7 % share agree within 0.3 %
    op = wind[(wind["Status"] == "operating") & (wind["bus"] == "xilingol")]
    start = op["Start year"].fillna(0)
    cap_2022 = (
        op["MW"].where(start < 2022, 0.0).sum() + 0.5 * op["MW"].where(start == 2022, 0.0).sum()
    )
    from_growth = check["xilingol"]["h2022"] * cap_2022 * 1e-6
    assert from_growth == pytest.approx(0.267 * derive.IM_WIND_2022_TWH, rel=0.003)
