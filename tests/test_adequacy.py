"""Adequacy figures, targets, capacity balance and outage draws on tiny cases with known answers."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from energysim.adequacy import HOUR_EPS_MW, adequacy_figures, receiving_peak_mask
from energysim.results.schema import validate_results
from energysim.run import simulate
from tests.helpers import profiles, scenario


def test_receiving_peak_mask_is_the_top_decile_per_corridor():
    load = np.stack([np.arange(10.0), np.ones(10)], axis=1)  # region 0 rising, region 1 flat
    mask = receiving_peak_mask(load, [1, 0, 0])
    assert mask.shape == (10, 3)
    # region 0: the 90 % quantile is 8.1, so only the last hour; region 1: ties, every hour
    assert mask[:, 0].all()
    assert mask[:, 1].tolist() == [False] * 9 + [True]
    assert (mask[:, 1] == mask[:, 2]).all()


def test_adequacy_figures_by_hand():
    # 8 hours: 31 January 20:00-23:00 and 1 February 00:00-03:00
    snaps = pd.date_range("2030-01-31 20:00", periods=8, freq="h")
    unserved = np.zeros((8, 2))
    unserved[1] = [0.05, 0.04]  # 0.09 MW: below HOUR_EPS_MW, energy still counted
    unserved[2] = [10.0, 5.0]
    unserved[5] = [0.0, 20.0]
    short = np.zeros((8, 2))
    short[0] = [100.0, 0.0]
    short[3] = [50.0, 200.0]
    short[6] = [0.0, 0.05]
    peak = np.zeros((8, 2), dtype=bool)
    peak[0:4, 0] = True  # corridor 0 peaks in January's hours, corridor 1 at hour 6 only
    peak[6, 1] = True
    reserve = np.zeros(8)
    reserve[4] = 30.0
    reserve[7] = 0.2
    assert HOUR_EPS_MW == 0.1
    f = adequacy_figures(snaps, unserved, short, peak, reserve)
    assert f["loss_of_load_hours"] == 2
    assert f["export_cut_hours"] == 2
    assert f["export_cut_max_MW"] == pytest.approx(250.0)
    assert f["export_cut_max_hour"] == 3
    # peak part: 100 (hour 0) + 50 (hour 3, corridor 0) + 0.05 (hour 6, below the hour threshold)
    assert f["export_cut_peak_hours"] == 2
    assert f["export_cut_peak_TWh"] == pytest.approx(150.05e-6)
    assert f["reserve_shortfall_hours"] == 2
    assert f["reserve_shortfall_MWh"] == pytest.approx(30.2)
    assert f["corridor_cut_hours"].tolist() == [2.0, 1.0]
    jan, feb = 0, 1
    assert f["loss_of_load_hours_monthly"][[jan, feb]].tolist() == [1.0, 1.0]
    assert f["unserved_MWh_monthly"][[jan, feb]] == pytest.approx([15.09, 20.0])
    assert f["export_cut_hours_monthly"][[jan, feb]].tolist() == [2.0, 0.0]
    assert f["export_shortfall_TWh_monthly"][[jan, feb]] == pytest.approx([350e-6, 0.05e-6])
    assert f["export_cut_max_MW_monthly"][[jan, feb]] == pytest.approx([250.0, 0.05])
    assert f["export_cut_peak_hours_monthly"][[jan, feb]].tolist() == [2.0, 0.0]
    assert f["reserve_shortfall_hours_monthly"][[jan, feb]].tolist() == [0.0, 2.0]
    assert f["reserve_shortfall_MWh_monthly"][[jan, feb]] == pytest.approx([0.0, 30.2])
    for name in [k for k in f if k.endswith("_monthly")]:
        assert f[name].shape == (12,)
        assert (f[name][2:] == 0).all()


def test_cuts_by_grid_by_hand():
    # 3 corridors: x (mengxi), y and z (mengdong); 4 hours
    snaps = pd.date_range("2030-03-01", periods=4, freq="h")
    short = np.array(
        [
            [100.0, 0.0, 0.0],  # mengxi only
            [0.0, 30.0, 40.0],  # mengdong only: 70 MW over its two corridors
            [20.0, 0.05, 0.04],  # both; mengdong 0.09 MW, below HOUR_EPS_MW
            [0.0, 0.0, 0.0],
        ]
    )
    f = adequacy_figures(
        snaps,
        np.zeros((4, 1)),
        short,
        np.zeros((4, 3), dtype=bool),
        np.zeros(4),
        corridor_grid=["mengxi", "mengdong", "mengdong"],
        grids=("mengxi", "mengdong"),
    )
    assert f["grid_export_cut_hours"].tolist() == [2.0, 1.0]
    assert f["grid_export_shortfall_TWh"] == pytest.approx([120e-6, 70.09e-6])
    assert f["grid_export_cut_max_MW"] == pytest.approx([100.0, 70.0])
    assert f["export_cut_hours"] == 3  # hour 2 counts once for the system, once per grid
    assert f["grid_export_shortfall_TWh"].sum() == pytest.approx(short.sum() * 1e-6)


def test_cuts_by_grid_reject_a_wrong_corridor_grid_length():
    snaps = pd.date_range("2030-03-01", periods=2, freq="h")
    with pytest.raises(ValueError, match="corridor_grid has 1 entries for 2 corridors"):
        adequacy_figures(
            snaps,
            np.zeros((2, 1)),
            np.zeros((2, 2)),
            np.zeros((2, 2), dtype=bool),
            np.zeros(2),
            corridor_grid=["mengxi"],
            grids=("mengxi", "mengdong"),
        )


def test_no_cut_means_no_largest_cut_hour():
    snaps = pd.date_range("2030-07-01", periods=3, freq="h")
    f = adequacy_figures(
        snaps, np.zeros((3, 1)), np.zeros((3, 2)), np.ones((3, 2), dtype=bool), np.zeros(3)
    )
    assert f["export_cut_max_hour"] == -1
    assert f["export_cut_hours"] == 0
    assert f["export_cut_max_MW"] == 0


# demand 1000 MW mean: 1000 (h0-11), 500 (h12-17), 1200 (h18-21), 2100 (h22-23)
LOAD = np.array([1.0] * 12 + [0.5] * 6 + [1.2] * 4 + [2.1] * 2)
TIGHT = {
    "generators": {"c": {"bus": "a", "carrier": "coal", "p_nom": 1600, "marginal_cost": 250}},
    "corridors": {
        "x": {
            "bus": "a",
            "receiving_grid": "jjj",
            "p_nom": 500,
            "utilisation_hours": 8760,
            "in_service_year": 2020,
            "delivery_curve": "flat",
        }
    },
}


def tight_profiles() -> object:
    """24 January hours; the receiving grid's load rises through the day (peak: hours 21-23)."""
    p = profiles(["a"], hours=24, load=LOAD)
    p["receiving_load"].loc[{"region": "jjj"}] = np.arange(24.0)
    return p


def test_kernel_results_carry_the_adequacy_figures():
    ds = simulate(scenario(**TIGHT), profiles=tight_profiles())
    validate_results(ds)
    # 1600 MW coal for demand + 500 MW schedule: cut 100 MW at h18-21 (1200 MW demand); at
    # h22-23 the whole schedule is cut and 2100 MW demand leaves 500 MW unserved
    short = ds.corridor_shortfall.sel(corridor="x").values
    assert short == pytest.approx([0.0] * 18 + [100.0] * 4 + [500.0] * 2)
    assert ds.unserved.sum("bus").values == pytest.approx([0.0] * 22 + [500.0] * 2)
    assert float(ds.loss_of_load_hours) == 2
    assert float(ds.unserved_MWh) == pytest.approx(1000.0)
    assert float(ds.export_cut_hours) == 6
    assert float(ds.export_shortfall_TWh) == pytest.approx(1400e-6)
    assert float(ds.export_cut_max_MW) == pytest.approx(500.0)
    assert float(ds.export_cut_max_hour) == 22
    # receiving peak: load >= its 90 % quantile (20.7): hours 21, 22, 23
    assert float(ds.export_cut_peak_hours) == 3
    assert float(ds.export_cut_peak_TWh) == pytest.approx(1100e-6)
    assert ds.corridor_cut_hours.sel(corridor="x").item() == 6
    # the one corridor leaves bus a (mengxi): all cuts are 蒙西's, none 蒙东's
    assert ds.grid_export_cut_hours.sel(grid="mengxi").item() == 6
    assert ds.grid_export_cut_hours.sel(grid="mengdong").item() == 0
    assert ds.grid_export_shortfall_TWh.sel(grid="mengxi").item() == pytest.approx(1400e-6)
    assert ds.grid_export_cut_max_MW.sel(grid="mengxi").item() == pytest.approx(500.0)
    assert ds.export_cut_hours_monthly.sel(month=1).item() == 6
    assert float(ds.export_cut_hours_monthly.sum()) == 6
    assert ds.unserved_MWh_monthly.sel(month=1).item() == pytest.approx(1000.0)


def _year_profiles():
    """A full 2030 with a summer peak (15 July 19:00) and a winter peak (10 January 18:00).

    Wind blows at 0.3 except in 10 summer evening hours (2 % of the 460, calm: P5 stays 0.3)
    and in 40 winter evening hours (8.9 % of the 450, calm: P5 is 0).
    """
    snaps = pd.date_range("2030-01-01", periods=8760, freq="h")
    load = np.ones(8760)
    load[snaps.get_loc(pd.Timestamp("2030-07-15 19:00"))] = 1.5
    load[snaps.get_loc(pd.Timestamp("2030-01-10 18:00"))] = 1.8
    wind = np.full(8760, 0.3)
    evening = np.isin(snaps.hour, (17, 18, 19, 20, 21))
    summer = np.flatnonzero(evening & np.isin(snaps.month, (6, 7, 8)))
    winter = np.flatnonzero(evening & np.isin(snaps.month, (12, 1, 2)))
    assert (len(summer), len(winter)) == (460, 450)
    wind[summer[:10]] = 0.0
    wind[winter[:40]] = 0.0
    return profiles(["a"], hours=8760, wind=wind, load=load), load


BALANCE_SCENARIO = {
    "generators": {
        "coal": {"bus": "a", "carrier": "coal", "p_nom": 2000, "marginal_cost": 250},
        "chp": {"bus": "a", "carrier": "coal_chp", "p_nom": 500, "marginal_cost": 240},
        "gas": {"bus": "a", "carrier": "gas", "p_nom": 100, "marginal_cost": 500},
        "hydro": {"bus": "a", "carrier": "hydro", "p_nom": 200},
        "wind": {"bus": "a", "carrier": "wind", "p_nom": 1000},
    },
    "storage": {
        "bat": {
            "bus": "a",
            "kind": "new_type",
            "p_nom": 400,
            "max_hours": 2,
            "efficiency_dispatch": 0.9,
        }
    },
    "flexible_loads": {"h2": {"bus": "a", "kind": "electrolyser", "p_nom": 200, "p_min_pu": 0.1}},
    "demand_response": {"share_of_peak": 0.05, "max_hours_per_year": 100},
    "corridors": TIGHT["corridors"],
}


def test_capacity_balance_by_hand():
    from energysim.adequacy import capacity_balance

    p, load = _year_profiles()
    s = scenario(**BALANCE_SCENARIO)
    snaps = pd.DatetimeIndex(p.snapshot.values)
    availability = pd.DataFrame(1.0, index=snaps, columns=["coal", "chp", "gas"])
    availability["coal"] = 0.9
    table = capacity_balance(s, p, availability=availability, reserve=np.full(8760, 150.0))
    assert table.attrs["summer_hour"] == "2030-07-15T19:00:00"
    assert table.attrs["winter_hour"] == "2030-01-10T18:00:00"
    t = table.set_index("item")
    mean_mw = 8.76e6 / 8760 / load.mean()  # demand = load shape x 1000 MW / its mean
    expected = {
        "peak load (inflexible demand)": (1.5 * mean_mw, 1.8 * mean_mw),
        "flexible loads (minimum)": (20.0, 20.0),
        "export schedules": (500.0, 500.0),
        "upward reserve": (150.0, 150.0),
        "coal": (1800.0, 1800.0),
        "coal CHP": (500.0, 500.0),
        "gas and biomass": (100.0, 100.0),
        "hydro": (80.0, 80.0),  # default p_max_pu 0.4
        "wind, solar and CSP (P5)": (300.0, 0.0),
        "storage": (180.0, 180.0),  # 800 MWh x 0.9 over a 4 h peak, below 400 MW
        "demand response": (0.05 * 1.8 * mean_mw,) * 2,  # 5 % of the annual peak
    }
    for item, (summer, winter) in expected.items():
        assert t.loc[item, "summer_MW"] == pytest.approx(summer), item
        assert t.loc[item, "winter_MW"] == pytest.approx(winter), item
    need_w = 1.8 * mean_mw + 20 + 500 + 150
    have_w = 1800 + 500 + 100 + 80 + 0 + 180 + 0.05 * 1.8 * mean_mw
    assert t.loc["total requirement", "winter_MW"] == pytest.approx(need_w)
    assert t.loc["total supply", "winter_MW"] == pytest.approx(have_w)
    assert t.loc["margin (supply - requirement)", "winter_MW"] == pytest.approx(have_w - need_w)
    assert table.attrs["margin_pct"]["winter"] == pytest.approx(100 * (have_w - need_w) / need_w)
    assert list(table.side.unique()) == ["requirement", "supply", "margin"]


@pytest.fixture
def tight_weather(monkeypatch):
    """Every scenario the check simulates gets :func:`tight_profiles`."""
    import energysim.run

    monkeypatch.setattr(energysim.run, "scenario_profiles", lambda s: tight_profiles())


def _cut_only(coal_MW: float):
    data = {**TIGHT, "generators": {"c": {**TIGHT["generators"]["c"], "p_nom": coal_MW}}}
    return scenario(**data)


def test_headline_is_not_adequate_when_schedules_are_cut_without_unserved_energy(tight_weather):
    from energysim.adequacy import adequacy_verdict
    from energysim.cli.check import format_adequacy
    from energysim.feasibility import FAIL, PASS, check, format_table

    # 2200 MW coal: 2100 MW demand + 500 MW schedule at h22-23 -> 400 MW cut, nothing unserved
    table = check([_cut_only(2200)], balance=False)
    rows = table.set_index("target")
    assert rows.loc["max_unserved_MWh", "verdict"] == PASS
    assert rows.loc["max_loss_of_load_hours", "verdict"] == PASS
    assert rows.loc["max_export_cut_hours", "value"] == 2
    assert rows.loc["max_export_cut_hours", "verdict"] == FAIL
    verdict = adequacy_verdict(table)
    assert verdict["adequate"] is False
    assert verdict["text"].startswith("NOT adequate")
    text = format_table(table)
    assert "adequacy (保供): NOT adequate: export schedules cut in 2 h (target <= 0 h)" in text
    detail = "\n".join(format_adequacy(table.attrs["adequacy"]["test"]))
    assert "largest 0.4 GW at 01 Jan 22:00" in detail
    assert "export schedules cut: 蒙西 2 h (0.00 TWh), 蒙东 0 h (0.00 TWh)" in detail
    by_grid = table.attrs["adequacy"]["test"]["export_cut_by_grid"]
    assert by_grid["mengxi"] == {"hours": 2.0, "TWh": pytest.approx(800e-6), "max_MW": 400.0}
    assert by_grid["mengdong"]["hours"] == 0
    assert table.attrs["adequacy"]["test"]["export_cut_max_MW"] == pytest.approx(400.0)


def test_headline_is_adequate_only_when_every_adequacy_target_passes(tight_weather):
    from energysim.adequacy import adequacy_verdict
    from energysim.feasibility import check

    table = check([_cut_only(2600)], balance=False)
    verdict = adequacy_verdict(table)
    assert verdict["adequate"] is True
    assert verdict["text"].startswith("adequate: unserved energy 0 MWh (target <= 0 MWh); loss")
    assert verdict["not_checked"] == []
    # a scenario that sets no adequacy target is not called adequate
    data = {**TIGHT, "generators": {"c": {**TIGHT["generators"]["c"], "p_nom": 2600}}}
    off = dict.fromkeys(
        (
            "max_unserved_MWh",
            "max_loss_of_load_hours",
            "max_export_cut_hours",
            "max_reserve_shortfall_hours",
        )
    )
    none_set = check([scenario(**data, targets=off)], balance=False)
    assert adequacy_verdict(none_set)["adequate"] is False


# outage draws: 3 coal units of 600 MW, 20 % forced-outage rate, 5 h to repair; 1000 MW demand
# and a 500 MW flat schedule, so one unit out means a 300 MW cut
OUTAGES = {
    **TIGHT,
    "generators": {"c": {"bus": "a", "carrier": "coal", "p_nom": 1800, "marginal_cost": 250}},
    "thermal_availability": {
        "maintenance": {"coal": [0.0] * 12},
        "forced_outage_rate": {"coal": 0.2},
        "unit_size_MW": {"coal": 600},
        "mean_time_to_repair_h": {"coal": 5},
        "source": "test",
    },
}


def outage_profiles(s=None):
    return profiles(["a"], hours=240)


def test_redraw_equals_a_fresh_pack_with_the_outage_seed():
    from energysim.feasibility import redraw
    from energysim.kernel import pack

    s = scenario(**OUTAGES)
    p = outage_profiles()
    got_inputs, got_index = redraw(s, *pack(s, p), 7)
    want_inputs, want_index = pack(s, p, outage_seed=7)
    for field in dataclasses.fields(want_inputs):
        np.testing.assert_array_equal(
            getattr(got_inputs, field.name), getattr(want_inputs, field.name), err_msg=field.name
        )
    np.testing.assert_array_equal(got_index.gen_avail, want_index.gen_avail)
    np.testing.assert_array_equal(got_index.gen_must, want_index.gen_must)
    assert not np.array_equal(want_inputs.th_avail, pack(s, p)[0].th_avail)  # a real draw


def test_fast_draw_values_equal_the_dataset_targets():
    from energysim.feasibility import evaluate, member_values, redraw, target_rows
    from energysim.kernel import pack, run_kernel
    from energysim.sweep.figures import prepare_figures

    s = scenario(
        **{**OUTAGES, "corridors": {"x": {**TIGHT["corridors"]["x"], "min_renewable_share": 0.1}}}
    )
    p = outage_profiles()
    ds = evaluate(s, outage_seed=3, profiles=p)
    inputs, index = redraw(s, *pack(s, p), 3)
    result = run_kernel(inputs)
    fast = member_values(s, result, inputs, index, prepare_figures(inputs, index, s))
    rows = target_rows(s, ds)
    assert {r["target"] for r in rows} <= set(fast)
    for r in rows:
        assert fast[r["target"]] == pytest.approx(r["value"], rel=1e-9, abs=1e-9), r["target"]
    assert float(ds.export_cut_hours) > 0


def test_outage_draws_are_reproducible_and_probabilities_count_every_run(monkeypatch):
    import energysim.run
    from energysim.feasibility import check

    monkeypatch.setattr(energysim.run, "scenario_profiles", outage_profiles)
    s = scenario(**OUTAGES)
    first = check([s], weather_years=2, outage_draws=4, balance=False).set_index("target")
    again = check([s], weather_years=2, outage_draws=4, balance=False).set_index("target")
    cols = ["probability", "p10", "p50", "p90", "runs"]
    pd.testing.assert_frame_equal(first[cols], again[cols])
    row = first.loc["max_export_cut_hours"]
    assert (row.runs, row.weather_years, row.outage_draws) == (8, 2, 4)
    assert 0.0 <= row.probability <= 1.0
    assert (row.probability * 8) == pytest.approx(round(row.probability * 8))
    assert row.p10 <= row.p50 <= row.p90
    assert row.p90 > row.p10  # the draws differ: cut hours depend on the outages
    # with 20 % of the units out at random, some hour of every 240-hour draw is cut
    assert row.probability == 0.0
    # the expected derate of a single run: 1800 x 0.8 = 1440 MW < 1500 MW, so every hour is cut
    assert row.value == 240


def test_capacity_balance_of_one_grid_counts_its_buses_and_the_ties_into_it():
    from energysim.adequacy import capacity_balance

    s = scenario(
        buses={
            "a": {"grid": "mengxi", "x": 110.0, "y": 40.0, "demand_share": 0.75},
            "b": {"grid": "mengdong", "x": 120.0, "y": 45.0, "demand_share": 0.25},
        },
        generators={
            "ca": {"bus": "a", "carrier": "coal", "p_nom": 1000, "marginal_cost": 250},
            "cb": {"bus": "b", "carrier": "coal", "p_nom": 200, "marginal_cost": 250},
        },
        lines={"ab": {"bus0": "a", "bus1": "b", "p_nom": 300, "efficiency": 0.9}},
    )
    p = profiles(["a", "b"], hours=24)  # flat: 750 MW at a, 250 MW at b
    snaps = pd.DatetimeIndex(p.snapshot.values)
    ones = pd.DataFrame(1.0, index=snaps, columns=["ca", "cb"])
    whole = capacity_balance(s, p, availability=ones, reserve=np.zeros(24), by_grid=True)
    east = whole.attrs["by_grid"]["mengdong"].set_index("item")
    assert east.loc["peak load (inflexible demand)", "winter_MW"] == pytest.approx(250.0)
    assert east.loc["coal", "winter_MW"] == pytest.approx(200.0)
    assert east.loc["imports over internal lines", "winter_MW"] == pytest.approx(270.0)
    assert east.loc["margin (supply - requirement)", "winter_MW"] == pytest.approx(220.0)
    assert whole.set_index("item").loc["margin (supply - requirement)", "winter_MW"] == (
        pytest.approx(200.0)
    )
    assert "imports over internal lines" not in set(whole.item)
    with pytest.raises(ValueError, match="grid 'nowhere' has no bus in scenario 'test'"):
        capacity_balance(s, p, availability=ones, reserve=np.zeros(24), grid="nowhere")


def test_cli_prints_and_writes_the_adequacy_and_the_balance(monkeypatch, tmp_path, capsys):
    import json

    import energysim.run
    from energysim.cli import main

    monkeypatch.setattr(energysim.run, "scenario_profiles", outage_profiles)
    path = tmp_path / "s.yaml"
    path.write_text(
        "name: tiny\nyear: 2030\nbuses: {a: {grid: mengxi, x: 110, y: 40, demand_share: 1}}\n"
        "demand: {annual_TWh: 8.76}\n"
        "generators: {c: {bus: a, carrier: coal, p_nom: 1800, marginal_cost: 250}}\n"
        "corridors: {x: {bus: a, receiving_grid: jjj, p_nom: 500, utilisation_hours: 8760,"
        " in_service_year: 2020, delivery_curve: flat}}\n"
        "thermal_availability: {maintenance: {coal: [0,0,0,0,0,0,0,0,0,0,0,0]},"
        " forced_outage_rate: {coal: 0.2}, unit_size_MW: {coal: 600},"
        " mean_time_to_repair_h: {coal: 5}, source: test}\n"
    )
    out_json = tmp_path / "c.json"
    args = ["check", str(path), "--outage-draws", "3", "--json", str(out_json), "--no-color"]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "adequacy (保供): NOT adequate: export schedules cut in 240 h" in text
    assert "capacity balance (电力平衡)" in text
    payload = json.loads(out_json.read_text())
    assert payload["adequacy"]["tiny"]["adequate"] is False
    assert payload["adequacy"]["tiny"]["export_cut_hours"] == 240
    rows = {r["item"]: r for r in payload["capacity_balance"]["tiny"]["rows"]}
    assert rows["coal"]["winter_MW"] == pytest.approx(1800 * 0.8)  # expected derate
    assert rows["export schedules"]["winter_MW"] == pytest.approx(500.0)
    cut = next(r for r in payload["targets"] if r["target"] == "max_export_cut_hours")
    assert (cut["runs"], cut["outage_draws"], cut["weather_years"]) == (3, 3, 1)
    assert main([*args[:2], "--outage-draws", "-1"]) == 2


def test_redraw_equals_pack_on_plan_2030(repo):
    # the central case has support floors and fleet timing: redraw must lay them as pack does
    from energysim.config import load_scenario
    from energysim.feasibility import redraw
    from energysim.kernel import pack
    from energysim.run import scenario_profiles

    s = load_scenario(repo / "scenarios/plan-2030.yaml")
    p = scenario_profiles(s)
    got_inputs, got_index = redraw(s, *pack(s, p), 5)
    want_inputs, want_index = pack(s, p, outage_seed=5)
    for field in dataclasses.fields(want_inputs):
        np.testing.assert_array_equal(
            getattr(got_inputs, field.name), getattr(want_inputs, field.name), err_msg=field.name
        )
    np.testing.assert_array_equal(got_index.gen_must, want_index.gen_must)


def test_capacity_balance_counts_only_fleets_in_service_at_the_peak():
    from energysim.adequacy import capacity_balance

    p, _ = _year_profiles()
    data = {**BALANCE_SCENARIO, "generators": dict(BALANCE_SCENARIO["generators"])}
    # a new coal unit from 1 May and the storage from 1 March: both in the summer peak
    # (15 July), neither in the winter one (10 January)
    data["generators"]["new"] = {
        "bus": "a",
        "carrier": "coal",
        "p_nom": 700,
        "marginal_cost": 250,
        "in_service_date": "2030-05-01",
    }
    data["storage"] = {
        "bat": {**BALANCE_SCENARIO["storage"]["bat"], "in_service_date": "2030-03-01"}
    }
    s = scenario(**data)
    snaps = pd.DatetimeIndex(p.snapshot.values)
    ones = pd.DataFrame(1.0, index=snaps, columns=["coal", "chp", "gas", "new"])
    t = capacity_balance(s, p, availability=ones, reserve=np.zeros(8760)).set_index("item")
    assert t.loc["coal", "summer_MW"] == pytest.approx(2700.0)
    assert t.loc["coal", "winter_MW"] == pytest.approx(2000.0)
    assert t.loc["storage", "summer_MW"] == pytest.approx(180.0)
    assert t.loc["storage", "winter_MW"] == pytest.approx(0.0)
