"""The indicators (energysim.indicators) on hand-computed examples with exact answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from energysim.config.schema import Economics, HeatRate
from energysim.exceptions import ConfigError
from energysim.indicators import congestion_mask, crf, emissions, fuel_use, heat_rate
from energysim.kernel import pack, run_kernel
from energysim.results.build import to_dataset
from energysim.results.schema import validate_results
from tests.helpers import profiles, scenario

# rated 300 gce/kWh, +25 % at 30 % load: k = 0.25 / (1 / 0.3 - 1) = 3 / 28
SPEC = HeatRate(fuel="coal", rated_gce_per_kWh=300.0, min_load_pu=0.3, low_load_increase=0.25)


def test_heat_rate_rises_at_low_load_and_stays_flat_below_min_load():
    lf = np.array([1.0, 0.5, 0.3, 0.15, 0.0, 1.2])
    k = 3 / 28
    expected = [300.0, 300 * (1 + k * (2 - 1)), 375.0, 375.0, 375.0, 300.0]
    np.testing.assert_allclose(heat_rate(lf, SPEC), expected)


def test_fuel_use_by_hand():
    # 1000 MW available; 1000 MW out (300 gce/kWh), 300 MW (375), 150 MW (375), 0 MW
    fuel, rate = fuel_use(np.array([1000.0, 300.0, 150.0, 0.0]), np.full(4, 1000.0), SPEC)
    np.testing.assert_allclose(fuel, [300.0, 112.5, 56.25, 0.0])
    np.testing.assert_allclose(rate, [300.0, 375.0, 375.0, 375.0])


def _dataset(output: list[float], available: float) -> xr.Dataset:
    """A results-like Dataset with one coal fleet at one bus."""
    hours = len(output)
    return xr.Dataset(
        {
            "generator_p": (("snapshot", "generator"), np.array(output)[:, None]),
            "generator_p_available": (("snapshot", "generator"), np.full((hours, 1), available)),
        },
        coords={
            "snapshot": pd.date_range("2030-01-01", periods=hours, freq="h"),
            "generator": ["c"],
            "carrier": ("generator", ["coal"]),
            "generator_bus": ("generator", ["a"]),
        },
    )


def _economics(**kw: object) -> Economics:
    return Economics(heat_rates={"coal": SPEC}, **kw)


def test_coal_co2_and_fuel_cost_by_hand():
    # 1000 MWh at 300 + 300 MWh at 375 gce/kWh = 300 + 112.5 = 412.5 tce
    em = emissions(_dataset([1000.0, 300.0], 1000.0), _economics())
    assert em["coal_Mtce"] * 1e6 == pytest.approx(412.5)
    assert em["co2_Mt"] * 1e6 == pytest.approx(412.5 * 2.66)
    assert em["coal_heat_rate_gce_per_kWh"] == pytest.approx(412.5 / 1300 * 1e3)
    assert em["fuel_cost_bnCNY"] * 1e9 == pytest.approx(412.5 * 800.0)
    assert em["co2_captured_Mt"] == 0.0


def test_cofiring_replaces_coal_and_its_co2():
    econ = _economics(cofiring={"biomass_share": 0.1, "ammonia_share": 0.05})
    em = emissions(_dataset([1000.0, 300.0], 1000.0), econ)
    assert em["coal_Mtce"] * 1e6 == pytest.approx(412.5 * 0.85)
    assert em["co2_Mt"] * 1e6 == pytest.approx(412.5 * 0.85 * 2.66)
    # coal 800, biomass 600, ammonia 6300 CNY/tce (the schema defaults)
    cost = 412.5 * (0.85 * 800 + 0.1 * 600 + 0.05 * 6300)
    assert em["fuel_cost_bnCNY"] * 1e9 == pytest.approx(cost)
    assert em["cofired_share"] == pytest.approx(0.15)


def test_ccus_penalty_and_capture_by_hand():
    econ = _economics(
        ccus={"share": 0.5, "capture_rate": 0.9, "heat_rate_penalty": 0.2, "cost_CNY_per_tCO2": 100}
    )
    em = emissions(_dataset([1000.0, 300.0], 1000.0), econ)
    fuel = 412.5 * (1 + 0.5 * 0.2)  # 453.75 tce
    co2 = fuel * 2.66
    captured = co2 * (0.5 * 1.2 / 1.1) * 0.9  # fitted units burn 0.6 of the 1.1
    assert em["coal_Mtce"] * 1e6 == pytest.approx(fuel)
    assert em["co2_captured_Mt"] * 1e6 == pytest.approx(captured)
    assert em["co2_Mt"] * 1e6 == pytest.approx(co2 - captured)
    assert em["ccus_cost_bnCNY"] * 1e9 == pytest.approx(captured * 100)


def test_crf_by_hand():
    assert crf(0.1, 10) == pytest.approx(0.1 * 1.1**10 / (1.1**10 - 1))
    assert crf(0.0, 20) == pytest.approx(0.05)


STORAGE_CASE = {
    "generators": {
        "w": {"bus": "a", "carrier": "wind", "p_nom": 2000},
        "c": {"bus": "a", "carrier": "coal", "p_nom": 2000, "p_min_pu": 0.0, "marginal_cost": 250},
    },
    "storage": {
        "st": {
            "bus": "a",
            "kind": "new_type",
            "p_nom": 500,
            "max_hours": 1,
            "efficiency_store": 1.0,
            "efficiency_dispatch": 1.0,
            "standing_loss": 0.0,
            "state_of_charge_initial": 0.0,
        }
    },
    "economics": {
        "heat_rates": {
            "coal": {"fuel": "coal", "rated_gce_per_kWh": 300, "min_load_pu": 0.3,
                     "low_load_increase": 0.25},
        },
        "technologies": {
            "coal": {"investment_CNY_per_kW": 1000, "lifetime_years": 10, "vom_CNY_per_MWh": 20},
            "wind": {"investment_CNY_per_kW": 2000, "lifetime_years": 20, "fom_pct": 1.0},
            "new_type_storage": {"investment_CNY_per_kWh": 500, "lifetime_years": 10},
        },
        "discount_rate": 0.1,
    },
}  # fmt: skip


def test_storage_cycles_coal_and_costs_on_a_dispatch_by_hand():
    # one bus, demand 1000 MW; wind 2000 MW at cf 1, 0, 1, 0; storage 500 MW / 500 MWh, empty.
    # windy hours: 1000 to load, 500 into storage, 500 curtailed; calm hours: storage 500, coal 500
    s = scenario(**STORAGE_CASE)
    inputs, index = pack(s, profiles(["a"], hours=4, wind=np.array([1.0, 0.0, 1.0, 0.0])))
    r = run_kernel(inputs)
    np.testing.assert_allclose(r.st_discharge[:, 0], [0.0, 500.0, 0.0, 500.0])
    np.testing.assert_allclose(r.thermal[:, 0, 0], [0.0, 500.0, 0.0, 500.0])
    ds = to_dataset(r, inputs, index, s, "kernel")
    validate_results(ds)
    # 1000 MWh discharged / 500 MWh -> 2 equivalent full cycles
    assert float(ds.storage_cycles.sel(storage_unit="st")) == pytest.approx(2.0)
    assert float(ds.new_type_storage_cycles) == pytest.approx(2.0)
    assert float(ds.storage_shifted_TWh) * 1e6 == pytest.approx(1000.0)
    # coal at 500 / 2000 = 25 % load, below the 30 % point: 375 gce/kWh -> 2 x 500 x 0.375 tce
    assert float(ds.coal_Mtce) * 1e6 == pytest.approx(375.0)
    assert float(ds.co2_Mt) * 1e6 == pytest.approx(375.0 * 2.66)
    assert float(ds.coal_heat_rate_gce_per_kWh) == pytest.approx(375.0)
    # fuel 375 x 800 = 300 000 CNY; VOM 1000 MWh x 20 = 20 000; served 4000 MWh of demand
    assert float(ds.fuel_cost_bnCNY) * 1e9 == pytest.approx(300_000.0)
    assert float(ds.variable_cost_bnCNY) * 1e9 == pytest.approx(320_000.0)
    assert float(ds.energy_served_TWh) * 1e6 == pytest.approx(4000.0)
    assert float(ds.variable_cost_CNY_per_MWh) == pytest.approx(80.0)
    # annualised: coal 2e6 kW x 1000 x CRF(10 %, 10 a); wind 4e9 x (CRF(10 %, 20 a) + 1 %);
    # storage 5e5 kWh x 500 x CRF(10 %, 10 a)
    inv = ds.annualised_investment_bnCNY * 1e9
    assert float(inv.sel(technology="coal")) == pytest.approx(2e9 * crf(0.1, 10))
    assert float(inv.sel(technology="wind")) == pytest.approx(4e9 * (crf(0.1, 20) + 0.01))
    assert float(inv.sel(technology="new_type_storage")) == pytest.approx(2.5e8 * crf(0.1, 10))
    total = 2e9 * crf(0.1, 10) + 4e9 * (crf(0.1, 20) + 0.01) + 2.5e8 * crf(0.1, 10)
    assert float(ds.levelised_system_cost_CNY_per_MWh) == pytest.approx((320_000 + total) / 4000)
    # shares: wind used 2 x (1000 + 500) = 3000 MWh (1000 curtailed), coal 1000 MWh
    assert float(ds.new_energy_generation_share) == pytest.approx(0.75)
    assert float(ds.new_energy_over_thermal_generation) == pytest.approx(3.0)
    assert float(ds.new_energy_over_thermal_capacity) == pytest.approx(1.0)
    assert float(ds.non_fossil_share) == pytest.approx(0.75)
    # no line: all curtailment is system surplus (调峰), in January
    assert float(ds.curtailed_system_TWh) * 1e6 == pytest.approx(1000.0)
    assert float(ds.curtailed_congestion_TWh) == 0.0
    assert float(ds.monthly_curtailed_system_TWh.sel(month=1)) * 1e6 == pytest.approx(1000.0)
    assert float(ds.monthly_new_energy_utilisation.sel(month=1)) == pytest.approx(3000 / 4000)
    assert np.isnan(float(ds.monthly_new_energy_utilisation.sel(month=2)))


def test_missing_technology_leaves_the_levelised_cost_undefined():
    case = {**STORAGE_CASE, "economics": {"technologies": {"coal": STORAGE_CASE["economics"][
        "technologies"]["coal"]}}}  # fmt: skip
    s = scenario(**case)
    inputs, index = pack(s, profiles(["a"], hours=4, wind=np.array([1.0, 0.0, 1.0, 0.0])))
    ds = to_dataset(run_kernel(inputs), inputs, index, s, "kernel")
    assert np.isnan(float(ds.annualised_investment_bnCNY.sel(technology="wind")))
    assert float(ds.annualised_investment_bnCNY.sel(technology="gas")) == 0.0
    assert np.isnan(float(ds.levelised_system_cost_CNY_per_MWh))


def test_congestion_mask_by_hand():
    # chain a - b - c; hour 0: a curtails, line a-b full towards b, c has room -> congestion;
    # hour 1: a curtails, lines free, nobody has room -> system surplus; hour 2: a curtails,
    # a-b full but c (behind it) curtails too and b has no room -> system surplus;
    # hour 3: a curtails, a-b full in the other direction (towards a) -> reachable, room at c
    # -> system surplus
    curtail = np.array([[100.0, 0, 0], [100.0, 0, 0], [100.0, 0, 50.0], [100.0, 0, 0]])
    room = np.array([[0.0, 0, 200], [0.0, 0, 0], [0.0, 0, 200], [0.0, 0, 200]])
    bus0, bus1 = np.array([0, 1]), np.array([1, 2])
    p0 = np.array([[500.0, 100.0], [100.0, 0], [500.0, 0], [-500.0, 0]])
    p1 = -p0
    mask = congestion_mask(curtail, room, bus0, bus1, p0, p1, np.array([500.0, 500.0]))
    np.testing.assert_array_equal(
        mask,
        [[True, False, False], [False, False, False], [False, False, False], [False, False, False]],
    )


TWO = {
    "a": {"grid": "mengxi", "x": 110.0, "y": 40.0, "demand_share": 0.25},
    "b": {"grid": "mengdong", "x": 111.0, "y": 40.0, "demand_share": 0.75},
}


def test_curtailment_behind_a_full_line_is_congestion():
    # a: 250 MW demand, 3000 MW wind at cf 1; b: 750 MW demand, coal 2000 MW with no floor.
    # the 500 MW line a -> b is full, b burns coal (room) -> a's curtailment is congestion (网架)
    s = scenario(
        buses=TWO,
        generators={
            "w": {"bus": "a", "carrier": "wind", "p_nom": 3000},
            "c": {"bus": "b", "carrier": "coal", "p_nom": 2000, "marginal_cost": 250},
        },
        lines={"ab": {"bus0": "a", "bus1": "b", "p_nom": 500, "efficiency": 1.0}},
    )
    inputs, index = pack(s, profiles(["a", "b"], hours=2, wind=1.0))
    ds = to_dataset(run_kernel(inputs), inputs, index, s, "kernel")
    np.testing.assert_allclose(ds.new_energy_curtailment.sel(bus="a"), [2250.0, 2250.0])
    assert float(ds.curtailed_congestion_TWh) * 1e6 == pytest.approx(4500.0)
    assert float(ds.curtailed_system_TWh) == 0.0
    assert float(ds.bus_curtailed_congestion_TWh.sel(bus="a")) * 1e6 == pytest.approx(4500.0)
    assert float(ds.grid_curtailed_congestion_TWh.sel(grid="mengxi")) * 1e6 == pytest.approx(4500)
    assert float(ds.grid_new_energy_utilisation.sel(grid="mengxi")) == pytest.approx(750 / 3000)
    assert np.isnan(float(ds.grid_new_energy_utilisation.sel(grid="mengdong")))


def test_electrolyser_hours_and_hydrogen():
    # 100 MW electrolyser with a 50 % floor takes 50 MW in every hour of 4: 200 MWh
    s = scenario(
        generators={
            "c": {"bus": "a", "carrier": "coal", "p_nom": 3000, "marginal_cost": 250},
        },
        flexible_loads={"h2": {"bus": "a", "kind": "electrolyser", "p_nom": 100, "p_min_pu": 0.5}},
    )
    inputs, index = pack(s, profiles(["a"], hours=4))
    ds = to_dataset(run_kernel(inputs), inputs, index, s, "kernel")
    assert float(ds.flexible_load_full_load_hours.sel(flexible_load="h2")) == pytest.approx(2.0)
    # 200 MWh / 55 kWh/kg = 3636.36 kg
    assert float(ds.hydrogen_t.sel(flexible_load="h2")) == pytest.approx(200e3 / 55 / 1e3)
    assert float(ds.hydrogen_kt) == pytest.approx(200e3 / 55 / 1e6)


def test_bad_economics_names_the_field_and_value():
    with pytest.raises(ConfigError) as err:
        scenario(economics={"technologies": {"nuclear": {"lifetime_years": 40}}})
    assert "economics" in str(err.value) and "nuclear" in str(err.value)
    with pytest.raises(ConfigError) as err:
        scenario(economics={"cofiring": {"biomass_share": 0.7, "ammonia_share": 0.5}})
    assert "cofiring" in str(err.value) and "0.7" in str(err.value)


def test_shipped_technology_table_is_sourced(repo):
    table = pd.read_csv(repo / "scenarios" / "data" / "technology.csv", comment="#")
    assert table["source"].str.len().min() > 20
    from energysim.config import load_scenario

    s = load_scenario(repo / "scenarios" / "plan-2030.yaml")
    assert set(s.economics.technologies) == set(table["name"])
    assert s.economics.technologies["wind"].investment_CNY_per_kW == 4300


def test_bad_technology_table_row_names_the_csv_file(tmp_path):
    from energysim.config import load_scenario

    (tmp_path / "tech.csv").write_text(
        "name,investment_CNY_per_kW,lifetime_years,source\nwind,4300,-5,test\n", encoding="utf-8"
    )
    (tmp_path / "s.yaml").write_text(
        "name: t\nyear: 2030\nbuses: {a: {grid: mengxi, x: 110, y: 40, demand_share: 1}}\n"
        "demand: {annual_TWh: 1}\neconomics: {technologies: tech.csv}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as err:
        load_scenario(tmp_path / "s.yaml")
    text = str(err.value)
    assert "tech.csv" in text and "lifetime_years" in text and "-5" in text
