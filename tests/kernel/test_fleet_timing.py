"""Fleet timing, per-league heating seasons and the sending-end support floor (pack level)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from energysim.config import load_scenario_dict
from energysim.exceptions import ConfigError
from energysim.guards import check_invariants
from energysim.kernel import pack, run_kernel
from energysim.kernel.pack import in_service_at_year_end, in_year_share
from energysim.kernel.reference import dispatch_reference
from tests.helpers import BASE, profiles, scenario

COAL = {"bus": "a", "carrier": "coal", "p_nom": 1000, "marginal_cost": 250}
FLAT = {
    "bus": "a",
    "receiving_grid": "shandong",
    "p_nom": 300,
    "annual_TWh": 0.876,  # 100 MW flat over 8760 h
    "delivery_curve": "flat",
}


def test_in_year_share_by_hand():
    assert in_year_share(None, 2030) == 1.0
    assert in_year_share(date(2029, 6, 1), 2030) == 1.0
    assert in_year_share(date(2031, 1, 1), 2030) == 0.0
    # 2030-07-02 .. 2030-12-31: 183 days of 365
    assert in_year_share(date(2030, 7, 2), 2030) == pytest.approx(183 / 365, abs=1e-15)
    assert in_service_at_year_end(date(2030, 12, 31), 2030)
    assert not in_service_at_year_end(date(2031, 1, 1), 2030)


def test_generator_runs_from_its_first_day_hour_by_hour():
    s = scenario(
        generators={
            "w": {"bus": "a", "carrier": "wind", "p_nom": 500, "in_service_date": "2030-01-02"}
        }
    )
    inputs, index = pack(s, profiles(["a"], hours=48, wind=1.0))
    np.testing.assert_allclose(inputs.ne_avail[:24, 0], 0.0)
    np.testing.assert_allclose(inputs.ne_avail[24:, 0], 500.0)
    np.testing.assert_allclose(index.gen_avail[:24, 0], 0.0)


def test_thermal_enters_hour_by_hour_and_storage_at_its_in_year_average():
    s = scenario(
        generators={"c": COAL | {"p_min_pu": 0.4, "in_service_date": "2030-07-02"}},
        storage={
            "s": {
                "bus": "a",
                "kind": "new_type",
                "p_nom": 100,
                "max_hours": 4,
                "in_service_date": "2030-07-02",
            }
        },
    )
    inputs, index = pack(s, profiles(["a"], hours=24 * 365))
    share = 183 / 365
    first = (31 + 28 + 31 + 30 + 31 + 30 + 1) * 24  # 2030-07-02 00:00
    np.testing.assert_allclose(inputs.th_avail[:first, 0, 0], 0.0)  # thermal: hour by hour
    np.testing.assert_allclose(index.gen_must[:first, 0], 0.0)
    assert inputs.th_avail[first:, 0, 0].min() > 0
    np.testing.assert_allclose(
        index.gen_must[first:, 0], 0.4 * index.gen_avail[first:, 0], rtol=1e-12
    )
    assert inputs.st_p[0] == pytest.approx(100 * share)  # storage: in-year average
    assert inputs.st_e[0] == pytest.approx(400 * share)


def test_corridor_schedule_and_surplus_start_on_its_date():
    s = scenario(
        generators={"w": {"bus": "a", "carrier": "wind", "p_nom": 1500}},
        corridors={"x": FLAT | {"in_service_date": "2030-01-02"}},
    )
    assert s.corridors["x"].in_service_year == 2030
    inputs, _ = pack(s, profiles(["a"], hours=48, wind=1.0))
    np.testing.assert_allclose(inputs.schedule[:24, 0], 0.0)
    np.testing.assert_allclose(inputs.schedule[24:, 0], 100.0)
    np.testing.assert_allclose(inputs.corr_surplus_pu[:24, 0], 0.0)
    np.testing.assert_allclose(inputs.corr_surplus_pu[24:, 0], 1.0)
    r = run_kernel(inputs)
    np.testing.assert_allclose(r.corr_flow[:24, 0], 0.0)  # not in service: no surplus either
    np.testing.assert_allclose(r.corr_flow[24:, 0], 300.0)  # schedule + surplus to the rating


def test_corridor_year_and_date_must_agree():
    data = dict(
        BASE, corridors={"x": FLAT | {"in_service_year": 2029, "in_service_date": "2030-03-01"}}
    )
    with pytest.raises(ConfigError, match=r"in_service_year \(2029\) disagrees"):
        load_scenario_dict(data, file="<test>")


def test_corridor_needs_a_year_or_date():
    with pytest.raises(ConfigError, match="in_service_year or in_service_date"):
        load_scenario_dict(dict(BASE, corridors={"x": FLAT}), file="<test>")


def test_capacity_targets_count_the_year_end_fleet():
    from energysim.run import simulate

    s = scenario(
        generators={
            "w1": {"bus": "a", "carrier": "wind", "p_nom": 100, "in_service_date": "2030-12-01"},
            "w2": {"bus": "a", "carrier": "wind", "p_nom": 50, "in_service_date": "2031-01-01"},
            "c": COAL,
        },
        storage={
            "s": {
                "bus": "a",
                "kind": "new_type",
                "p_nom": 10,
                "max_hours": 2,
                "in_service_date": "2030-12-01",
            }
        },
    )
    ds = simulate(s, profiles=profiles(["a"], hours=24, wind=0.5))
    assert float(ds.new_energy_capacity_GW) == pytest.approx(0.1)
    assert float(ds.new_type_storage_GW) == pytest.approx(0.01)


def test_heating_season_per_bus():
    buses = {
        "a": {
            "grid": "mengdong",
            "x": 120.0,
            "y": 49.0,
            "demand_share": 0.5,
            "heating_season": "09-15/05-15",
        },
        "b": {"grid": "mengxi", "x": 111.0, "y": 40.0, "demand_share": 0.5},
    }
    chp = {
        "carrier": "coal_chp",
        "p_nom": 100,
        "p_min_pu": 0.2,
        "p_min_pu_heating": 0.6,
        "marginal_cost": 250,
    }
    s = scenario(
        buses=buses,
        heating_season={"start": "10-15", "end": "04-15"},
        generators={"ha": chp | {"bus": "a"}, "hb": chp | {"bus": "b"}},
        lines={"ab": {"bus0": "a", "bus1": "b", "p_nom": 1000}},
    )
    prof = profiles(["a", "b"], hours=24 * 365)
    _, index = pack(s, prof)
    may1 = (31 + 28 + 31 + 30) * 24  # first hour of 1 May
    assert index.gen_must[may1, 0] == pytest.approx(60.0)  # a: heating until 15 May
    assert index.gen_must[may1, 1] == pytest.approx(20.0)  # b: season ended 15 April


def test_bad_heating_season_text_names_the_value():
    data = dict(BASE)
    data["buses"] = {"a": dict(BASE["buses"]["a"], heating_season="09-15")}
    with pytest.raises(ConfigError, match="09-15.*MM-DD/MM-DD"):
        load_scenario_dict(data, file="<test>")


@pytest.mark.parametrize("engine", [run_kernel, dispatch_reference])
def test_support_floor_is_thermal_must_run_at_the_sending_bus(engine):
    # 400 MW wind would cover demand and the 100 MW schedule; the floor k = 0.5 keeps 50 MW of
    # the dedicated coal running first, then the cheaper plant stays at its own floor.
    s = scenario(
        generators={
            "w": {"bus": "a", "carrier": "wind", "p_nom": 2000},
            "cheap": COAL | {"marginal_cost": 100, "p_nom": 100},
            "ded": COAL | {"marginal_cost": 300, "p_nom": 30, "dedicated_to": "x"},
        },
        corridors={
            "x": FLAT | {"in_service_year": 2020, "support_floor_pu": 0.5, "flexible_export": False}
        },
    )
    inputs, index = pack(s, profiles(["a"], hours=6, wind=1.0))
    gi = {n: i for i, n in enumerate(index.generators)}
    np.testing.assert_allclose(index.gen_must[:, gi["ded"]], 30.0)  # dedicated first, full
    np.testing.assert_allclose(index.gen_must[:, gi["cheap"]], 20.0)  # the rest, 50 - 30
    np.testing.assert_allclose(inputs.th_must.sum(axis=(1, 2)), 50.0)
    r = engine(inputs)
    check_invariants(None, r, inputs)
    np.testing.assert_allclose(r.thermal.sum(axis=(1, 2)), 50.0)
    np.testing.assert_allclose(r.curtail[:, 0], 2000 + 50 - 1000 - 100)


def test_support_floor_short_of_thermal_is_reported():
    from energysim.kernel.pack import apply_support_floor, corridor_schedules

    s = scenario(
        generators={"c": COAL | {"p_nom": 20}},
        corridors={"x": FLAT | {"in_service_year": 2020, "support_floor_pu": 0.5}},
    )
    prof = profiles(["a"], hours=3)
    sched = corridor_schedules(s, prof)
    avail = np.full((3, 1), 20.0)
    must = np.zeros((3, 1))
    missing = apply_support_floor(s, sched, avail, must)
    np.testing.assert_allclose(must[:, 0], 20.0)
    np.testing.assert_allclose(missing[:, 0], 30.0)


def test_lp_keeps_the_support_floor_and_the_fleet_timing():
    """The LP reads the same packed must-run and availability: thermal at the sending bus stays at
    the floor, and a generator before its first day produces nothing."""
    from energysim.run import simulate

    s = scenario(
        generators={
            "w": {"bus": "a", "carrier": "wind", "p_nom": 2000},
            "late": {"bus": "a", "carrier": "solar", "p_nom": 500, "in_service_date": "2030-01-02"},
            "cheap": COAL | {"marginal_cost": 100, "p_nom": 100},
            "ded": COAL | {"marginal_cost": 300, "p_nom": 30, "dedicated_to": "x"},
        },
        corridors={
            "x": FLAT | {"in_service_year": 2020, "support_floor_pu": 0.5, "flexible_export": False}
        },
    )
    prof = profiles(["a"], hours=6, wind=1.0, solar=1.0)
    ds = simulate(s, engine="lp", profiles=prof)
    thermal = ds.generator_p.sel(generator=["cheap", "ded"]).sum("generator")
    assert float(thermal.min()) >= 50.0 - 1e-6
    assert float(abs(ds.generator_p.sel(generator="late")).max()) <= 1e-6


def test_dump_of_a_dated_corridor_carries_the_date_only():
    """An override of the date alone on a dumped scenario (sweeps, attribution) stays valid; the
    year follows the date."""
    s = scenario(corridors={"x": FLAT | {"in_service_date": "2029-12-31"}})
    dump = s.model_dump(mode="json")
    assert "in_service_year" not in dump["corridors"]["x"]
    dump["corridors"]["x"]["in_service_date"] = "2032-06-30"
    moved = load_scenario_dict(dump, file="<test>")
    assert moved.corridors["x"].in_service_year == 2032
    undated = scenario(corridors={"x": FLAT | {"in_service_year": 2020}})
    assert undated.model_dump()["corridors"]["x"]["in_service_year"] == 2020
