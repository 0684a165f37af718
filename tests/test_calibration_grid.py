"""Per-grid utilisation of the baseline calibration, on a hand-made Dataset."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from energysim.calibration import grid_utilisation


def test_grid_utilisation_by_hand():
    gens = ["w1", "s1", "w2", "c2"]
    ds = xr.Dataset(
        {
            "generator_p": (("snapshot", "generator"), np.array([[8.0, 5.0, 3.0, 9.0]] * 2)),
            "generator_p_available": (
                ("snapshot", "generator"),
                np.array([[10.0, 5.0, 4.0, 9.0]] * 2),
            ),
        },
        coords={
            "snapshot": [0, 1],
            "generator": gens,
            "carrier": ("generator", ["wind", "solar", "wind", "coal"]),
            "generator_bus": ("generator", ["a", "a", "b", "b"]),
            "bus": ["a", "b"],
            "bus_grid": ("bus", ["mengxi", "mengdong"]),
        },
    )
    table = grid_utilisation(ds)
    assert table.loc["mengxi", "wind"] == pytest.approx(0.8)
    assert table.loc["mengxi", "solar"] == pytest.approx(1.0)
    assert table.loc["mengxi", "new_energy"] == pytest.approx(13 / 15)
    assert table.loc["mengdong", "wind"] == pytest.approx(0.75)  # coal is not new energy
    assert np.isnan(table.loc["mengdong", "solar"])


def _cut_dataset(hours: list[float]) -> xr.Dataset:
    return xr.Dataset(
        {
            "grid_export_cut_hours": ("grid", np.array(hours)),
            "grid_export_shortfall_TWh": ("grid", np.array([0.5, 0.0])),
            "grid_export_cut_max_MW": ("grid", np.array([2500.0, 0.0])),
        },
        coords={"grid": ["mengxi", "mengdong"]},
    )


def test_baseline_cut_rows_compare_each_grid_with_no_reported_cut():
    from energysim.calibration import baseline_cut_rows, format_cut_rows

    table = baseline_cut_rows(_cut_dataset([12.0, 0.0])).set_index("grid")
    assert table.loc["mengxi", "model"] == 12.0
    assert table.loc["mengxi", "reported"] == 0.0
    assert not table.loc["mengxi", "within"]  # 12 h against none reported
    assert table.loc["mengdong", "within"]
    assert table.loc["mengxi", "source"].startswith("assumption:")
    text = format_cut_rows(table.reset_index())
    assert "export-cut hours, 蒙西" in text and "12 h" in text and "2.5 GW  NO" in text
    assert "export-cut hours, 蒙东" in text and "yes" in text


def test_baseline_cut_rows_need_the_grid_figures():
    from energysim.calibration import baseline_cut_rows

    with pytest.raises(ValueError, match="no 'grid_export_cut_hours'"):
        baseline_cut_rows(xr.Dataset())


def _two_month_dataset() -> xr.Dataset:
    """Four generators over four hours: two in January, two in June (2025).

    Bus ``a`` (蒙西) holds wind ``wa`` (p_nom 100 MW) and solar ``sa``; bus ``b`` (蒙东) holds
    wind ``wb``. January: ``wa`` uses 6 of 10 MWh each hour, ``wb`` 9 of 10; June: both use all.
    """
    jan, jun = [[6.0, 4.0, 9.0], [6.0, 4.0, 9.0]], [[10.0, 5.0, 10.0], [10.0, 5.0, 10.0]]
    avail_jan, avail_jun = [[10.0, 5.0, 10.0]] * 2, [[10.0, 5.0, 10.0]] * 2
    return xr.Dataset(
        {
            "generator_p": (("snapshot", "generator"), np.array(jan + jun)),
            "generator_p_available": (("snapshot", "generator"), np.array(avail_jan + avail_jun)),
        },
        coords={
            "snapshot": pd.to_datetime(
                ["2025-01-10 12:00", "2025-01-10 13:00", "2025-06-10 12:00", "2025-06-10 13:00"]
            ),
            "generator": ["wa", "sa", "wb"],
            "carrier": ("generator", ["wind", "solar", "wind"]),
            "generator_bus": ("generator", ["a", "a", "b"]),
            "bus": ["a", "b"],
            "bus_grid": ("bus", ["mengxi", "mengdong"]),
        },
    )


def test_grid_utilisation_counts_only_the_months_given():
    ds = _two_month_dataset()
    jan = grid_utilisation(ds, months=(1,))
    assert jan.loc["mengxi", "wind"] == pytest.approx(0.6)
    assert jan.loc["mengxi", "solar"] == pytest.approx(0.8)
    assert jan.loc["mengdong", "wind"] == pytest.approx(0.9)
    year = grid_utilisation(ds)
    assert year.loc["mengxi", "wind"] == pytest.approx(32 / 40)  # (6+6+10+10) / 40
    assert grid_utilisation(ds, months=(6,)).loc["mengxi", "wind"] == pytest.approx(1.0)


def test_grid_utilisation_regroups_part_of_a_bus_pro_rata():
    from energysim.calibration import StatisticsRegroup

    ds = _two_month_dataset()
    move = StatisticsRegroup("a", "wind", 25.0, "mengdong", "test")
    table = grid_utilisation(ds, months=(1,), regroups=(move,), p_nom={"wa": 100.0})
    # a quarter of wa (used 3, available 5 in January) moves to 蒙东: (18 + 3) / (20 + 5)
    assert table.loc["mengdong", "wind"] == pytest.approx(21 / 25)
    assert table.loc["mengxi", "wind"] == pytest.approx(0.6)  # the rest keeps wa's rate
    assert table.loc["mengxi", "solar"] == pytest.approx(0.8)  # other carriers stay
    assert np.isnan(table.loc["mengdong", "solar"])


def test_grid_utilisation_regroup_errors_name_the_problem():
    from energysim.calibration import StatisticsRegroup

    ds = _two_month_dataset()
    move = StatisticsRegroup("a", "wind", 150.0, "mengdong", "test")
    with pytest.raises(ValueError, match="need the generators' p_nom"):
        grid_utilisation(ds, regroups=(move,))
    with pytest.raises(ValueError, match=r"no entry for generator\(s\) \['wa'\]"):
        grid_utilisation(ds, regroups=(move,), p_nom={"wb": 1.0})
    with pytest.raises(ValueError, match="150 MW of wind at bus 'a'.*model has 100 MW"):
        grid_utilisation(ds, regroups=(move,), p_nom={"wa": 100.0})
    with pytest.raises(ValueError, match="months=\\(13,\\); expected calendar months 1-12"):
        grid_utilisation(ds, months=(13,))


def test_grid_utilisation_rows_compare_jan_may_regrouped_with_annual_beside():
    from energysim.calibration import StatisticsRegroup, format_grid_rows, grid_utilisation_rows

    ds = _two_month_dataset()
    move = StatisticsRegroup("a", "wind", 25.0, "mengdong", "a test grouping")
    table = grid_utilisation_rows(ds, p_nom={"wa": 100.0}, regroups=(move,)).set_index("label")
    west = table.loc["wind utilisation, 蒙西"]
    assert west.model == pytest.approx(0.6)  # January only (June is outside Jan-May)
    assert west.annual == pytest.approx(0.8)  # 24 / 30 after the regrouping
    assert west.diff_pp == pytest.approx((0.6 - 0.885) * 100)
    east = table.loc["wind utilisation, 蒙东"]
    assert east.model == pytest.approx(21 / 25)
    assert east.as_modelled == pytest.approx(0.9)  # the model's own grouping
    order = table.loc["wind: 蒙西 below 蒙东"]
    assert order.model == pytest.approx(0.6 - 21 / 25)
    assert order.within  # 蒙西 below 蒙东, as in 2021
    assert not table.loc["solar: 蒙西 below 蒙东"].within  # no 蒙东 solar: NaN is not an order
    text = format_grid_rows(table.reset_index(), regroups=(move,))
    assert "Jan-May" in text and "annual" in text
    assert "25 MW of wind at a counted to mengdong: a test grouping" in text
    assert "44号" in text


def test_shipped_regroup_fits_the_baseline_fleet():
    """The 7 000 MW of 锡盟 UHV wind is at most the baseline's 锡林郭勒 wind."""
    from energysim.calibration import XILINGOL_UHV_REGROUP
    from energysim.config.load import load_scenario
    from energysim.config.shipped import shipped_scenario

    gens = load_scenario(shipped_scenario("baseline-2025")).generators
    rows = [
        g.p_nom
        for g in gens.values()
        if g.bus == XILINGOL_UHV_REGROUP.bus and g.carrier == XILINGOL_UHV_REGROUP.carrier
    ]
    assert rows and XILINGOL_UHV_REGROUP.capacity_MW <= sum(rows)
    assert XILINGOL_UHV_REGROUP.to_grid == "mengdong"


def test_grid_capacity_rows_group_the_fleet_as_the_statistics_do():
    from energysim.calibration import (
        MENGDONG_NE_CAPACITY_2025_MW,
        StatisticsRegroup,
        format_capacity_rows,
        grid_capacity_rows,
    )

    ds = _two_month_dataset()
    reported = MENGDONG_NE_CAPACITY_2025_MW
    p_nom = {"wa": 10_000.0, "sa": 5_000.0, "wb": reported - 4_000.0}
    move = StatisticsRegroup("a", "wind", 4_000.0, "mengdong", "test")
    table = grid_capacity_rows(ds, p_nom, regroups=(move,)).set_index("label")
    own = table.loc["NE capacity, 蒙东 (model's leagues)"]
    assert own.model == pytest.approx(reported - 4_000.0)
    assert own.error_pct == pytest.approx(-4_000.0 / reported * 100)
    grouped = table.loc["NE capacity, 蒙东 (as statistics)"]
    assert grouped.model == pytest.approx(reported)  # wb + 4 000 MW of wa
    assert grouped.within and grouped.error_pct == pytest.approx(0.0)
    assert "47.2 GW" in format_capacity_rows(table.reset_index())
    with pytest.raises(ValueError, match=r"no entry for generator\(s\) \['sa'\]"):
        grid_capacity_rows(ds, {"wa": 1.0, "wb": 1.0}, regroups=())


def test_cut_timing_counts_one_grids_cut_hours_by_month_and_hour():
    from energysim.calibration import cut_timing, format_cut_timing

    snap = pd.to_datetime(
        ["2025-09-01 19:00", "2025-09-01 20:00", "2025-10-02 19:00", "2025-10-02 20:00"]
    )
    # corridors at 蒙西 (x) and 蒙东 (y); 0.05 MW is below the cut threshold
    short = np.array([[5.0, 0.0], [0.05, 7.0], [2.0, 0.0], [0.0, 0.0]])
    ds = xr.Dataset(
        {"corridor_shortfall": (("snapshot", "corridor"), short)},
        coords={
            "snapshot": snap,
            "corridor": ["x", "y"],
            "corridor_bus": ("corridor", ["a", "b"]),
            "bus": ["a", "b"],
            "bus_grid": ("bus", ["mengxi", "mengdong"]),
        },
    )
    west = cut_timing(ds, "mengxi")
    assert west == {"month": {9: 1, 10: 1}, "hour": {19: 2}}
    assert cut_timing(ds, "mengdong") == {"month": {9: 1}, "hour": {20: 1}}
    assert format_cut_timing(west, "蒙西") == "蒙西 by month: Sep 1, Oct 1; by hour of day: 19h 2"
    assert format_cut_timing({"month": {}, "hour": {}}, "蒙东") == "蒙东: no cut hours"
    with pytest.raises(ValueError, match="grid='north'; expected one of"):
        cut_timing(ds, "north")


def test_baseline_months_rows_sum_only_the_months_given():
    from energysim.calibration import JAN_MAY_2025_FACTS, baseline_months_rows, format_months_rows

    ds = _two_month_dataset()  # wind+solar used: January 19 MWh per hour, June 25
    ds["corridor_p_new_energy"] = (("snapshot", "corridor"), np.array([[4.0], [4.0], [9.0], [9.0]]))
    ds = ds.assign_coords(corridor=["k"])
    table = baseline_months_rows(ds, months=(1,)).set_index("variable")
    assert table.loc["new_energy_used_TWh", "model"] * 1e6 == pytest.approx(38.0)
    assert table.loc["new_energy_export_TWh", "model"] * 1e6 == pytest.approx(8.0)
    assert table.loc["new_energy_local_TWh", "model"] * 1e6 == pytest.approx(30.0)
    assert table.loc["new_energy_used_TWh", "reported"] == JAN_MAY_2025_FACTS["new_energy_used_TWh"]
    assert not table.within.any()  # MWh against TWh: far outside 10 %
    year = baseline_months_rows(ds, months=tuple(range(1, 13))).set_index("variable")
    assert year.loc["new_energy_used_TWh", "model"] * 1e6 == pytest.approx(88.0)
    assert "Jan-May" in format_months_rows(table.reset_index())
