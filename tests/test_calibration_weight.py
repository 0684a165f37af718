"""Renewable consumption weight (消纳权重) per grid, against the published weights."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from energysim.calibration import (
    NON_HYDRO_CARRIERS,
    RENEWABLE_WEIGHT_FACTS,
    WeightFact,
    format_weight_rows,
    grid_renewable_weight,
    renewable_weight_rows,
)


def _weight_dataset(line_bus1: str = "a2") -> xr.Dataset:
    """Three hours (two in January, one in June) on three buses.

    蒙西: buses ``a`` (demand 100 MW) and ``a2`` (50 MW), joined by line ``l`` (p0 30, p1 -29: 1 MW
    lost); wind ``wa`` 80 MW at a, hydro ``ha`` 10 MW at a2, storage ``s`` at a2 (charge 20 in hour
    0, discharge 15 in hour 1); corridor ``ka`` at a sends 30 MW of new energy. Demand response at a
    sheds 5 MW in hour 0 and pays it back in hour 1.
    蒙东: bus ``b`` (demand 40 MW, 2 MW unserved in hour 2), wind ``wb`` 60 MW, coal ``cb`` 20 MW,
    Northeast imports ``ib`` 5 MW, flexible load ``f`` 10 MW; corridor ``kb`` sends 20 MW of new
    energy.
    """
    hours = pd.to_datetime(["2025-01-01 00:00", "2025-01-01 01:00", "2025-06-01 00:00"])
    ones = np.ones((3, 1))
    return xr.Dataset(
        {
            "demand": (("snapshot", "bus"), np.tile([100.0, 50.0, 40.0], (3, 1))),
            "demand_response_shed": (
                ("snapshot", "bus"),
                np.array([[5.0, 0, 0], [0, 0, 0], [0, 0, 0]]),
            ),
            "demand_response_payback": (
                ("snapshot", "bus"),
                np.array([[0.0, 0, 0], [5.0, 0, 0], [0, 0, 0]]),
            ),
            "unserved": (("snapshot", "bus"), np.array([[0.0, 0, 0], [0, 0, 0], [0, 0, 2.0]])),
            "flexible_load_p": (("snapshot", "flexible_load"), 10.0 * ones),
            "storage_charge": (("snapshot", "storage_unit"), np.array([[20.0], [0.0], [0.0]])),
            "storage_discharge": (("snapshot", "storage_unit"), np.array([[0.0], [15.0], [0.0]])),
            "line_p0": (("snapshot", "line"), 30.0 * ones),
            "line_p1": (("snapshot", "line"), -29.0 * ones),
            "generator_p": (
                ("snapshot", "generator"),
                np.tile([80.0, 10.0, 60.0, 20.0, 5.0], (3, 1)),
            ),
            "corridor_p_new_energy": (("snapshot", "corridor"), np.tile([30.0, 20.0], (3, 1))),
        },
        coords={
            "snapshot": hours,
            "bus": ["a", "a2", "b"],
            "bus_grid": ("bus", ["mengxi", "mengxi", "mengdong"]),
            "generator": ["wa", "ha", "wb", "cb", "ib"],
            "carrier": ("generator", ["wind", "hydro", "wind", "coal", "import"]),
            "generator_bus": ("generator", ["a", "a2", "b", "b", "b"]),
            "flexible_load": ["f"],
            "flexible_load_bus": ("flexible_load", ["b"]),
            "storage_unit": ["s"],
            "storage_bus": ("storage_unit", ["a2"]),
            "line": ["l"],
            "line_bus0": ("line", ["a"]),
            "line_bus1": ("line", [line_bus1]),
            "corridor": ["ka", "kb"],
            "corridor_bus": ("corridor", ["a", "b"]),
        },
    )


def test_grid_renewable_weight_by_hand():
    table = grid_renewable_weight(_weight_dataset()) * 1e6  # MWh
    # 蒙西: served 150 x 3 - 5 + 5 = 450, storage 20 - 15 = 5, line losses 3 -> 458 MWh;
    # renewables 80 x 3 + 10 x 3 = 270, new energy sent 90 -> 180 consumed where generated
    assert table.loc["mengxi", "consumption_TWh"] == pytest.approx(458.0)
    assert table.loc["mengxi", "renewable_TWh"] == pytest.approx(270.0)
    assert table.loc["mengxi", "new_energy_export_TWh"] == pytest.approx(90.0)
    assert table.loc["mengxi", "weight"] / 1e6 == pytest.approx(180 / 458)
    # 蒙东: served 40 x 3 - 2 = 118, flexible 30 -> 148; wind 180 (coal and imports are not
    # renewable), sent 60 -> 120
    assert table.loc["mengdong", "consumption_TWh"] == pytest.approx(148.0)
    assert table.loc["mengdong", "weight"] / 1e6 == pytest.approx(120 / 148)
    # the province sums the two
    assert table.loc["all", "consumption_TWh"] == pytest.approx(606.0)
    assert table.loc["all", "weight"] / 1e6 == pytest.approx(300 / 606)


def test_grid_renewable_weight_counts_the_carriers_and_months_given():
    ds = _weight_dataset()
    non_hydro = grid_renewable_weight(ds, carriers=NON_HYDRO_CARRIERS)
    assert non_hydro.loc["mengxi", "weight"] == pytest.approx((240 - 90) / 458)
    assert non_hydro.loc["mengdong", "weight"] == pytest.approx(120 / 148)  # no hydro there
    jan = grid_renewable_weight(ds, months=(1,))
    # January: 蒙西 served 300, storage 5, losses 2 -> 307; renewables 180, sent 60
    assert jan.loc["mengxi", "weight"] == pytest.approx(120 / 307)
    # 蒙东: served 80 + flexible 20 = 100; wind 120, sent 40
    assert jan.loc["mengdong", "weight"] == pytest.approx(0.8)


def test_grid_renewable_weight_errors_name_the_problem():
    with pytest.raises(ValueError, match=r"line 'l' joins 'a' \(mengxi\) and 'b' \(mengdong\)"):
        grid_renewable_weight(_weight_dataset(line_bus1="b"))
    with pytest.raises(ValueError, match=r"months=\(13,\); expected calendar months 1-12"):
        grid_renewable_weight(_weight_dataset(), months=(13,))


def test_renewable_weight_rows_check_the_band():
    ds = _weight_dataset()
    facts = (
        WeightFact("in band", "mengdong", (1,), ("wind",), 0.75, 2024, 0.0, 6.4, "test"),
        WeightFact("above band", "mengdong", (1,), ("wind",), 0.70, 2024, 0.0, 6.4, "test"),
        WeightFact("below", None, None, ("wind", "hydro"), 0.60, 2025, -3.0, 3.0, "test"),
    )
    table = renewable_weight_rows(ds, facts).set_index("label")
    assert table.loc["in band", "model"] == pytest.approx(0.8)
    assert table.loc["in band", "diff_pp"] == pytest.approx(5.0)
    assert table.loc["in band", "within"]
    assert not table.loc["above band", "within"]  # +10 pp
    assert table.loc["below", "diff_pp"] == pytest.approx((300 / 606 - 0.60) * 100)
    assert not table.loc["below", "within"]
    text = format_weight_rows(table.reset_index())
    assert "in band" in text and "80.0%" in text and "+5.0pp" in text and "NO" in text
    missing = (WeightFact("x", "nowhere", None, ("wind",), 0.5, 2024, 0.0, 1.0, "test"),)
    with pytest.raises(ValueError, match="asks for grid 'nowhere'"):
        renewable_weight_rows(ds, missing)


def test_grid_renewable_weight_matches_the_province_figure_of_a_run():
    """On a two-grid run with no internal storage swing, the grids add up to the province."""
    from energysim.kernel import pack, run_kernel
    from energysim.results.build import to_dataset
    from tests.helpers import profiles, scenario

    s = scenario(
        buses={
            "a": {"grid": "mengxi", "x": 110.0, "y": 40.0, "demand_share": 0.6},
            "b": {"grid": "mengdong", "x": 120.0, "y": 44.0, "demand_share": 0.4},
        },
        generators={
            "wa": {"bus": "a", "carrier": "wind", "p_nom": 900},
            "ca": {"bus": "a", "carrier": "coal", "p_nom": 1000, "marginal_cost": 250},
            "sb": {"bus": "b", "carrier": "solar", "p_nom": 600},
            "cb": {"bus": "b", "carrier": "coal", "p_nom": 800, "marginal_cost": 260},
        },
        corridors={
            "x": {
                "bus": "b",
                "receiving_grid": "shandong",
                "p_nom": 300,
                "annual_TWh": 0.876,
                "in_service_year": 2020,
                "delivery_curve": "flat",
                "min_renewable_share": 0.0,
            }
        },
    )
    inputs, index = pack(s, profiles(["a", "b"], hours=6, wind=0.5, solar=0.8))
    ds = to_dataset(run_kernel(inputs), inputs, index, s, "kernel")
    table = grid_renewable_weight(ds)
    assert table.loc["all", "consumption_TWh"] == pytest.approx(float(ds.consumption_TWh))
    assert table.loc["all", "weight"] == pytest.approx(float(ds.renewable_weight))
    assert table.loc["mengdong", "new_energy_export_TWh"] == pytest.approx(
        float(ds.new_energy_export_TWh)
    )


def test_shipped_weight_facts_are_sourced_and_2024_bands_one_sided():
    for f in RENEWABLE_WEIGHT_FACTS:
        assert "facts.md §2" in f.source or "same source" in f.source
        assert f.low_pp < f.high_pp
        if f.year == 2024:  # a 2025 model against a 2024 figure: labelled, and never below it
            assert f.low_pp == 0.0
            assert "2025 model against a 2024 figure" in f.source


def test_league_wind_hours_is_the_ratio_of_full_load_hours():
    from energysim.calibration import league_wind_hours

    ds = _weight_dataset()  # wind: wa 80 MW at a, wb 60 MW at b, for 3 h
    p_nom = {"wa": 100.0, "wb": 200.0}
    out = league_wind_hours(ds, "b", p_nom)
    assert out["league_h"] == pytest.approx(60 * 3 / 200)
    assert out["province_h"] == pytest.approx((80 + 60) * 3 / 300)
    assert out["ratio"] == pytest.approx(0.9 / 1.4)
    with pytest.raises(ValueError, match="bus 'a2' has no wind capacity"):
        league_wind_hours(ds, "a2", p_nom)
    with pytest.raises(ValueError, match=r"no entry for generator\(s\) \['wb'\]"):
        league_wind_hours(ds, "b", {"wa": 100.0})
