"""The feasibility check on small scenarios with known answers."""

from __future__ import annotations

import gc
import json

import numpy as np
import pytest

import energysim.run
from energysim.cli import main
from energysim.exceptions import EnergysimError
from energysim.feasibility import FAIL, PASS, PASS_OPTIMAL, check, what_it_takes
from tests.helpers import profiles, scenario

NO_TARGETS = {
    "new_energy_GW": None,
    "new_type_storage_GW": None,
    "demand_response_share": None,
    "new_energy_local_TWh": None,
    "new_energy_export_TWh": None,
    "renewable_weight": None,
    "new_energy_utilisation": None,
    "max_unserved_MWh": None,
    "max_loss_of_load_hours": None,
    "max_export_cut_hours": None,
    "max_reserve_shortfall_hours": None,
}


def _tiny_file(folder):
    """A one-bus scenario file with 1.5 GW wind and a 2 GW new-energy target (which fails)."""
    path = folder / "s.yaml"
    path.write_text(
        "name: tiny\nyear: 2030\nbuses: {a: {grid: mengxi, x: 110, y: 40, demand_share: 1}}\n"
        "demand: {annual_TWh: 8.76}\ngenerators: {w: {bus: a, carrier: wind, p_nom: 1500}}\n"
        "targets: {new_energy_GW: 2.0}\n"
    )
    return path


def _targets(**kw):
    return {**NO_TARGETS, **kw}


@pytest.fixture
def weather(monkeypatch):
    """Profiles chosen per test: ``weather.set(fn)`` with fn(scenario) -> Dataset."""

    class Holder:
        fn = None

        def set(self, fn):
            self.fn = fn

    holder = Holder()
    monkeypatch.setattr(energysim.run, "scenario_profiles", lambda s: holder.fn(s))
    return holder


def test_values_margins_and_verdicts(weather):
    weather.set(lambda s: profiles(["a"], hours=10, wind=1.0))
    s = scenario(
        generators={"w": {"bus": "a", "carrier": "wind", "p_nom": 1500}},
        targets=_targets(
            new_energy_GW=2.0,
            new_energy_utilisation=0.6,
            max_unserved_MWh=0.0,
            new_energy_local_TWh=0.01,
        ),
    )
    table = check([s]).set_index("target")
    # capacity: 1.5 GW against 2.0 -> fails at the input level, margin -0.5 GW
    assert table.loc["new_energy_GW", "value"] == pytest.approx(1.5)
    assert table.loc["new_energy_GW", "margin"] == pytest.approx(-0.5)
    assert table.loc["new_energy_GW", "verdict"] == FAIL
    assert table.loc["new_energy_GW", "level"] == "input"
    # 1000 of 1500 MW used every hour: utilisation 2/3
    assert table.loc["new_energy_utilisation", "value"] == pytest.approx(2 / 3)
    assert table.loc["new_energy_utilisation", "verdict"] == PASS
    assert table.loc["new_energy_local_TWh", "value"] == pytest.approx(0.01)
    assert table.loc["max_unserved_MWh", "verdict"] == PASS


def test_optimal_operation_level(weather):
    # the kernel keeps its storage as a reserve for hour 2 and curtails in hour 1; the LP
    # discharges in hour 0, recharges from the surplus in hour 1 and curtails less
    weather.set(
        lambda s: profiles(
            ["a"], hours=3, wind=np.array([0.0, 1.0, 0.0]), load=np.array([1.0, 0.5, 1.3])
        )
    )
    s = scenario(
        generators={
            "w": {"bus": "a", "carrier": "wind", "p_nom": 1000},
            "c": {"bus": "a", "carrier": "coal", "p_nom": 1000, "marginal_cost": 250},
        },
        storage={
            "st": {
                "bus": "a",
                "kind": "new_type",
                "p_nom": 300,
                "max_hours": 1,
                "efficiency_store": 1.0,
                "efficiency_dispatch": 1.0,
                "state_of_charge_initial": 1.0,
            }
        },
        targets=_targets(new_energy_utilisation=0.8),
    )
    kernel_only = check([s]).set_index("target")
    assert kernel_only.loc["new_energy_utilisation", "verdict"] == FAIL
    assert kernel_only.loc["new_energy_utilisation", "level"] == "kernel"
    with_lp = check([s], lp=True).set_index("target")
    row = with_lp.loc["new_energy_utilisation"]
    assert row["verdict"] == PASS_OPTIMAL
    assert row["level"] == "lp"
    demand = np.array([1.0, 0.5, 1.3]) / np.mean([1.0, 0.5, 1.3]) * 1000
    assert row["kernel_value"] == pytest.approx(1 - (1000 - demand[1] - (demand[0] - 1000)) / 1000)
    assert row["lp_value"] == pytest.approx(1 - (1000 - demand[1] - 300) / 1000)


def test_weather_ensemble_probability_and_percentiles(weather):
    # seed k gives a constant wind capacity factor 0.1 * (k + 1): 10 years, 0.1 .. 1.0
    weather.set(lambda s: profiles(["a"], hours=5, wind=0.1 * (s.weather.seed % 10 + 1)))
    s = scenario(
        generators={
            "w": {"bus": "a", "carrier": "wind", "p_nom": 1000},
            "c": {"bus": "a", "carrier": "coal", "p_nom": 1000, "marginal_cost": 250},
        },
        targets=_targets(renewable_weight=0.55),
    )
    row = check([s], weather_years=10).set_index("target").loc["renewable_weight"]
    # renewable weight = cf (all wind used locally); met for cf 0.6 .. 1.0 -> 5 of 10 years
    assert row["probability"] == pytest.approx(0.5)
    assert row["p50"] == pytest.approx(np.percentile(np.arange(1, 11) / 10, 50))
    assert row["p10"] == pytest.approx(np.percentile(np.arange(1, 11) / 10, 10))
    assert row["weather_years"] == 10


def test_what_it_takes_finds_smallest_electrolyser(weather):
    # constant surplus of 500 MW: utilisation >= 0.9 needs curtailment <= 150 MW, i.e. 350 MW of
    # electrolysers; storage, corridors, new energy and DR cannot help
    weather.set(lambda s: profiles(["a"], hours=6, wind=1.0))
    s = scenario(
        generators={"w": {"bus": "a", "carrier": "wind", "p_nom": 1500}},
        targets=_targets(new_energy_utilisation=0.9),
    )
    found = what_it_takes(s, "new_energy_utilisation").set_index("lever")
    assert found.loc["electrolysers", "reached"]
    assert found.loc["electrolysers", "addition"] == pytest.approx(0.35, abs=0.005)
    assert not found.loc["new-energy capacity", "reached"]
    assert not found.loc["demand response share", "reached"]


def test_cli_json_csv_and_strict(weather, tmp_path, capsys):
    weather.set(lambda s: profiles(["a"], hours=4, wind=1.0))
    path = _tiny_file(tmp_path)
    assert (
        main(
            [
                "check",
                str(path),
                "--json",
                str(tmp_path / "c.json"),
                "--csv",
                str(tmp_path / "c.csv"),
            ]
        )
        == 0
    )
    assert main(["check", str(path), "--strict"]) == 1
    out = capsys.readouterr().out
    assert "new-energy capacity" in out and "fail (input)" in out
    payload = json.loads((tmp_path / "c.json").read_text())
    assert {r["target"] for r in payload["targets"]} >= {"new_energy_GW", "new_energy_utilisation"}
    assert (tmp_path / "c.csv").read_text().startswith("scenario,target,label")
    (adequacy,) = payload["adequacy"].values()
    zero = {"hours": 0.0, "TWh": 0.0, "max_MW": 0.0}  # no corridor: no cut in either grid
    assert adequacy["export_cut_by_grid"] == {"mengxi": zero, "mengdong": zero}


def test_ensemble_adds_the_real_profiles_year(weather, tmp_path):
    # generated years use synthetic profiles (real files dropped); the real-profile year is added
    def fn(s):
        cf = 1.0 if s.weather.wind_profile else 0.1 * (s.weather.seed + 1)
        return profiles(["a"], hours=5, wind=cf)

    weather.set(fn)
    measured = tmp_path / "measured.csv"  # must exist; its content is replaced by fn above
    measured.write_text("snapshot,a\n")
    s = scenario(
        generators={
            "w": {"bus": "a", "carrier": "wind", "p_nom": 1000},
            "c": {"bus": "a", "carrier": "coal", "p_nom": 1000, "marginal_cost": 250},
        },
        weather={"wind_profile": str(measured)},
        targets=_targets(renewable_weight=0.15),
    )
    row = check([s], weather_years=2).set_index("target").loc["renewable_weight"]
    assert row["weather_years"] == 3  # seeds 0 and 1, plus the real year
    assert row["probability"] == pytest.approx(2 / 3)  # cf 0.1 misses, 0.2 and 1.0 meet
    assert row["value"] == pytest.approx(1.0)


def test_one_path_or_one_scenario_is_accepted(weather, tmp_path):
    weather.set(lambda s: profiles(["a"], hours=4, wind=1.0))
    path = _tiny_file(tmp_path)
    import energysim

    by_path = energysim.check(str(path))
    by_object = energysim.check(energysim.load_scenario(path))
    mixed = energysim.check([path, energysim.load_scenario(path)])
    assert set(by_path.scenario) == set(by_object.scenario) == {"tiny"}
    assert len(mixed) == 2 * len(by_path)
    with pytest.raises(EnergysimError, match="weather_years = -1"):
        check(path, weather_years=-1)


def test_cli_rejects_bad_options(weather, tmp_path, capsys):
    weather.set(lambda s: profiles(["a"], hours=4, wind=1.0))
    path = _tiny_file(tmp_path)
    assert main(["check", str(path), "--weather-years", "-1"]) == 2
    assert main(["run", str(path), "-o", str(tmp_path / "x.csv")]) == 2
    err = capsys.readouterr().err
    assert "weather_years = -1" in err and "suffix must be one of .nc, .zarr" in err
    assert not (tmp_path / "x.csv").exists()


def test_json_dash_writes_to_stdout(weather, tmp_path, capsys, monkeypatch):
    weather.set(lambda s: profiles(["a"], hours=4, wind=1.0))
    monkeypatch.chdir(tmp_path)
    path = _tiny_file(tmp_path)
    assert main(["check", str(path), "--json", "-"]) == 0
    captured = capsys.readouterr()
    payload = json.loads(captured.out)  # stdout is only the JSON
    assert payload["targets"][0]["scenario"] == "tiny"
    assert "new-energy capacity" in captured.err  # the readable table went to stderr
    assert not (tmp_path / "-").exists()
    assert main(["check", str(path), "--json", "-", "--csv", "-"]) == 2


def test_what_it_takes_says_which_targets_it_skips(weather):
    weather.set(lambda s: profiles(["a"], hours=4, wind=0.0))
    s = scenario(
        generators={"c": {"bus": "a", "carrier": "coal", "p_nom": 1000, "marginal_cost": 250}},
        corridors={
            "x": {
                "bus": "a",
                "receiving_grid": "shandong",
                "p_nom": 500,
                "utilisation_hours": 8000,
                "in_service_year": 2020,
            }
        },
        targets=_targets(),
    )
    table = check(s, what_it_takes_levers=True)
    skipped = table.attrs["what_it_takes_skipped"]
    assert list(skipped.target) == ["corridor:x:energy"]
    assert "not searched" in skipped.reason.iloc[0]
    from energysim.feasibility import format_table

    assert "corridor:x:energy: not searched" in format_table(table)


def test_workers_give_the_same_table_bit_for_bit(monkeypatch):
    """Weather years x outage draws on a process pool equal the serial run exactly."""
    from tests.test_adequacy import OUTAGES, outage_profiles

    monkeypatch.setattr(energysim.run, "scenario_profiles", outage_profiles)
    s = scenario(**OUTAGES)
    serial = check([s], weather_years=3, outage_draws=3, balance=True, workers=1)
    frozen = gc.get_freeze_count()
    pooled = check([s], weather_years=3, outage_draws=3, balance=True, workers=2)
    assert gc.get_freeze_count() == frozen  # what the pool's start froze is handed back
    cols = ["value", "probability", "p10", "p50", "p90", "runs"]
    assert serial[cols].equals(pooled[cols])  # NaN-aware, exact
    assert (serial["runs"] == 9).all()
    assert serial.attrs["capacity_balance"]["test"].equals(pooled.attrs["capacity_balance"]["test"])
    assert serial.set_index("target").at["max_export_cut_hours", "p90"] > 0  # outages cut exports


def test_workers_must_be_positive():
    with pytest.raises(EnergysimError, match="workers = 0"):
        check([scenario()], workers=0)


def test_figures_rows_equal_the_dataset_rows(weather):
    """What-it-takes reads its target values from the figures-only path: the same rows."""
    from energysim.feasibility import evaluate, figures_rows_dataset, target_rows

    s = scenario(
        generators={"w": {"bus": "a", "carrier": "wind", "p_nom": 1500}},
        corridors={
            "x": {
                "bus": "a",
                "receiving_grid": "shandong",
                "p_nom": 300,
                "annual_TWh": 0.876,
                "in_service_year": 2020,
                "delivery_curve": "flat",
                "min_renewable_share": 0.5,
            }
        },
        targets={**NO_TARGETS, "new_energy_local_TWh": 1.0, "max_export_cut_hours": 0},
    )
    wind = np.tile([1.0, 0.2, 0.6, 0.0], 12)  # surplus, deficit, in between, none
    weather.set(lambda _: profiles(["a"], hours=48, wind=wind))
    fast = target_rows(s, figures_rows_dataset(s))
    full = target_rows(s, evaluate(s))
    assert [r["target"] for r in fast] == [r["target"] for r in full]
    assert any(r["target"] == "corridor:x:renewable_share" for r in fast)
    for a, b in zip(fast, full, strict=True):
        assert a["value"] == pytest.approx(b["value"], rel=1e-9, abs=1e-12), a["target"]
        assert a["verdict"] == b["verdict"] and a["target_value"] == b["target_value"]


def _failing_member(*args):
    msg = "member failed on purpose"
    raise EnergysimError(msg)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_failing_member_fails_the_check(monkeypatch, workers):
    import energysim.feasibility as feasibility
    from tests.test_adequacy import OUTAGES, outage_profiles

    monkeypatch.setattr(energysim.run, "scenario_profiles", outage_profiles)
    monkeypatch.setattr(feasibility, "_member_task", _failing_member)
    with pytest.raises(EnergysimError, match="on purpose"):
        check([scenario(**OUTAGES)], weather_years=2, outage_draws=2, workers=workers)


def test_a_margin_that_rounds_to_zero_prints_without_a_sign():
    from energysim.feasibility import _fmt

    assert _fmt(-1e-9, "TWh") == "0.00 TWh"  # a target met within the tolerance: never "-0.00"
    assert _fmt(-0.00004, "1") == "0.0%"
    assert _fmt(-0.02, "TWh") == "-0.02 TWh"
    assert _fmt(1234.4, "h") == "1,234 h"
    assert _fmt(0.4298, "1") == "43.0%"
