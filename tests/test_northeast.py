"""The Northeast grid behind 蒙东: imports (carrier 'import') as the last merit-order tier.

Hand-computed cases: a 蒙东-like bus short by X MW gets X MW of imports and cuts nothing; surplus
hours import nothing; imports are not Inner Mongolian generation; kernel, reference and LP agree.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from energysim.accounting import import_power
from energysim.calibration import format_imports, grid_utilisation_rows
from energysim.exceptions import ConfigError
from energysim.kernel import pack, run_kernel
from energysim.kernel.availability import expected_availability, outage_draw
from energysim.kernel.pack import domestic_th_avail, import_tier_mask
from energysim.kernel.reference import dispatch_reference
from energysim.results.build import to_dataset
from tests.helpers import profiles, scenario

EAST = {"e": {"grid": "mengdong", "x": 120.0, "y": 45.0, "demand_share": 1.0}}
HOURS = 24
IMPORT = {"bus": "e", "carrier": "import", "p_nom": 500.0, "marginal_cost": 800.0, "source": "t"}
COAL = {"bus": "e", "carrier": "coal", "p_nom": 900.0, "marginal_cost": 260.0}
# 1000 MW flat demand (8.76 TWh over 8760 h) and a 300 MW flat schedule
CORRIDOR = {
    "x": {
        "bus": "e",
        "receiving_grid": "shandong",
        "p_nom": 300.0,
        "utilisation_hours": 8760,
        "in_service_year": 2020,
        "delivery_curve": "flat",
        "flexible_export": False,
    }
}


def _run(s, prof):
    inputs, index = pack(s, prof)
    result = run_kernel(inputs)
    return result, inputs, index, to_dataset(result, inputs, index, s, "kernel")


def _east(**extra):
    return scenario(
        buses=EAST,
        generators={"e-coal": COAL, "e-import": IMPORT, **extra},
        corridors=CORRIDOR,
    )


def test_a_short_bus_imports_what_it_lacks_and_cuts_nothing():
    # need 1000 + 300 = 1300 MW, coal 900: short by X = 400 MW < 500 MW of imports
    s = _east()
    result, _, _, ds = _run(s, profiles(["e"], hours=HOURS))
    imports = import_power(result, s)
    np.testing.assert_allclose(imports, 400.0, atol=1e-6)
    assert result.corr_short.max() == pytest.approx(0.0, abs=1e-9)
    assert result.unserved.max() == pytest.approx(0.0, abs=1e-9)
    assert float(ds["import_TWh"]) == pytest.approx(400.0 * HOURS * 1e-6)
    assert float(ds["import_hours"]) == HOURS
    assert float(ds["import_max_MW"]) == pytest.approx(400.0)
    assert float(ds["export_cut_hours"]) == 0.0


def test_imports_beyond_the_tie_leave_the_rest_cut():
    # short by 400 MW, ties 150 MW: 150 MW imported, 250 MW of the schedule cut
    s = _east(**{"e-import": {**IMPORT, "p_nom": 150.0}})
    result, *_ = _run(s, profiles(["e"], hours=HOURS))
    np.testing.assert_allclose(import_power(result, s), 150.0, atol=1e-6)
    np.testing.assert_allclose(result.corr_short.sum(axis=1), 250.0, atol=1e-6)


def test_surplus_hours_import_nothing():
    # wind 0.8 x 2000 MW = 1600 MW covers the 1300 MW need in the first 12 hours only
    wind = np.r_[np.full(12, 0.8), np.zeros(12)]
    s = _east(**{"e-wind": {"bus": "e", "carrier": "wind", "p_nom": 2000.0}})
    result, *_ = _run(s, profiles(["e"], hours=HOURS, wind=wind))
    imports = import_power(result, s)
    np.testing.assert_allclose(imports[:12], 0.0, atol=1e-9)
    np.testing.assert_allclose(imports[12:], 400.0, atol=1e-6)


def test_imports_are_not_inner_mongolian_generation():
    s = _east()
    result, _, _, ds = _run(s, profiles(["e"], hours=HOURS))
    coal_mwh = 900.0 * HOURS
    assert float(ds["thermal_TWh"]) == pytest.approx(coal_mwh * 1e-6)  # imports excluded
    assert float(ds["coal_TWh"]) == pytest.approx(coal_mwh * 1e-6)
    assert float(ds["generation_TWh"]) == pytest.approx(coal_mwh * 1e-6)
    assert float(ds["new_energy_over_thermal_generation"]) == 0.0
    # the fleet's capacity shares count Inner Mongolian plant only
    assert float(ds["new_energy_capacity_share"]) == 0.0
    # the corridor's sending carries no new energy (imports are grey supply at the bus)
    assert float(ds["new_energy_export_TWh"]) == 0.0
    # emissions: the same as without the import fleet's output
    no_import = _east(**{"e-import": {**IMPORT, "p_nom": 0.0}})
    _, _, _, ds0 = _run(no_import, profiles(["e"], hours=HOURS))
    assert float(ds["co2_Mt"]) == pytest.approx(float(ds0["co2_Mt"]))
    # consumption is unchanged: load served by imports is still consumed here
    assert float(ds["consumption_TWh"]) == pytest.approx(1000.0 * HOURS * 1e-6)


def test_import_tiers_come_last_and_the_prepass_leaves_them_out():
    s = _east(**{"e-gas": {"bus": "e", "carrier": "gas", "p_nom": 50.0, "marginal_cost": 600.0}})
    inputs, _ = pack(s, profiles(["e"], hours=HOURS))
    mask = import_tier_mask(s)
    assert mask.tolist() == [False, False, True]  # coal 260, gas 600, import 800
    np.testing.assert_allclose(inputs.th_avail[:, 2, 0], 500.0)
    dom = domestic_th_avail(s, inputs.th_avail)
    assert dom[:, 2, :].max() == 0.0 and np.array_equal(dom[:, :2], inputs.th_avail[:, :2])
    # pre-pass shortfall: 1300 - 900 - 50 = 350 MW, the imports do not cover it there
    np.testing.assert_allclose(inputs.net_short, 350.0)


def test_imports_have_no_outages_or_maintenance():
    s = scenario(
        buses=EAST,
        generators={"e-coal": COAL, "e-import": IMPORT},
        thermal_availability={
            "maintenance": {"coal": [0.5] * 12},
            "forced_outage_rate": {"coal": 0.2},
            "unit_size_MW": {"coal": 300},
            "source": "test",
        },
    )
    snaps = profiles(["e"], hours=HOURS).snapshot.to_index()
    expected = expected_availability(s, snaps)
    np.testing.assert_allclose(expected["e-import"], 1.0)
    np.testing.assert_allclose(expected["e-coal"], 0.5 * 0.8)
    drawn = outage_draw(s, snaps, seed=3)
    np.testing.assert_allclose(drawn["e-import"], 1.0)
    without = scenario(
        buses=EAST,
        generators={"e-coal": COAL},
        thermal_availability={
            "maintenance": {"coal": [0.5] * 12},
            "forced_outage_rate": {"coal": 0.2},
            "unit_size_MW": {"coal": 300},
            "source": "test",
        },
    )
    # the coal draw is the same with or without the import fleet (same random stream)
    np.testing.assert_array_equal(drawn["e-coal"], outage_draw(without, snaps, seed=3)["e-coal"])


def test_import_headroom_holds_reserve():
    # reserve 10 % of 1000 MW = 100 MW; coal at 900 MW full, imports 400 of 500 MW: 100 MW left
    s = scenario(
        buses=EAST,
        generators={"e-coal": COAL, "e-import": IMPORT},
        corridors=CORRIDOR,
        reserve={"load_share": 0.1, "contingency_MW": 0, "source": "test"},
    )
    result, *_ = _run(s, profiles(["e"], hours=HOURS))
    np.testing.assert_allclose(result.reserve_short, 0.0, atol=1e-6)
    # with 450 MW of ties only 50 MW of headroom is left: 50 MW short
    s2 = scenario(
        buses=EAST,
        generators={"e-coal": COAL, "e-import": {**IMPORT, "p_nom": 450.0}},
        corridors=CORRIDOR,
        reserve={"load_share": 0.1, "contingency_MW": 0, "source": "test"},
    )
    result2, *_ = _run(s2, profiles(["e"], hours=HOURS))
    np.testing.assert_allclose(result2.reserve_short, 50.0, atol=1e-6)


@pytest.mark.parametrize(
    ("gen", "field", "match"),
    [
        ({**IMPORT, "marginal_cost": 260.0}, "marginal_cost", "run last"),
        ({**IMPORT, "p_min_pu": 0.2}, "p_min_pu", "no must-run floor"),
        ({**IMPORT, "dedicated_to": "x"}, "dedicated_to", "not a corridor's dedicated plant"),
    ],
)
def test_bad_imports_are_named(gen, field, match):
    with pytest.raises(ConfigError, match=match) as err:
        scenario(buses=EAST, generators={"e-coal": COAL, "e-import": gen}, corridors=CORRIDOR)
    assert f"generators.e-import.{field}" in str(err.value)


@pytest.mark.lp
def test_kernel_reference_and_lp_agree_with_imports():
    from energysim.fidelity import compare
    from energysim.lp import solve_lp

    buses = {
        "c": {"grid": "mengdong", "x": 119.0, "y": 42.6, "demand_share": 0.4},
        "t": {"grid": "mengdong", "x": 120.0, "y": 45.1, "demand_share": 0.6},
    }
    rng = np.random.default_rng(0)
    prof = profiles(["c", "t"], hours=48)
    prof["wind"][:] = rng.uniform(0, 1, (48, 2))
    s = scenario(
        buses=buses,
        generators={
            "t-wind": {"bus": "t", "carrier": "wind", "p_nom": 1500.0},
            "c-coal": {"bus": "c", "carrier": "coal", "p_nom": 700.0, "marginal_cost": 260.0},
            "t-coal": {"bus": "t", "carrier": "coal", "p_nom": 400.0, "marginal_cost": 270.0},
            "c-import": {**IMPORT, "bus": "c", "p_nom": 700.0},
        },
        lines={"ct": {"bus0": "c", "bus1": "t", "p_nom": 1e5, "efficiency": 1.0}},
        corridors={"x": {**CORRIDOR["x"], "bus": "t", "p_nom": 600.0}},
        demand={"annual_TWh": 12.0},
        reserve={"load_share": 0.05, "contingency_MW": 100, "source": "test"},
    )
    inputs, index = pack(s, prof)
    k = run_kernel(inputs)
    ref = dispatch_reference(inputs)
    for name in ("thermal", "corr_short", "unserved", "reserve_short", "curtail"):
        np.testing.assert_allclose(getattr(k, name), getattr(ref, name), atol=1e-6, err_msg=name)
    assert import_power(k, s).max() > 0  # the case uses the imports
    lp, _ = solve_lp(s, inputs, index)
    kd = to_dataset(k, inputs, index, s, "kernel")
    ld = to_dataset(lp, inputs, index, s, "lp")
    table = compare(kd, ld)
    for name in table.index:
        assert table.loc[name, "kernel"] == pytest.approx(
            table.loc[name, "lp"], rel=1e-6, abs=1e-6
        ), name
    np.testing.assert_allclose(import_power(k, s), import_power(lp, s), atol=1e-3)
    assert float(kd["import_TWh"]) == pytest.approx(float(ld["import_TWh"]), abs=1e-6)


def _grid_dataset(used: list[float]) -> xr.Dataset:
    gens = ["w1", "s1", "w2", "s2"]
    return xr.Dataset(
        {
            "generator_p": (("snapshot", "generator"), np.array([used])),
            "generator_p_available": (("snapshot", "generator"), np.full((1, 4), 100.0)),
            "import_TWh": 0.5,
            "import_hours": 12.0,
            "import_max_MW": 2500.0,
        },
        coords={
            "snapshot": pd.to_datetime(["2025-03-01 12:00"]),  # inside Jan-May
            "generator": gens,
            "carrier": ("generator", ["wind", "solar", "wind", "solar"]),
            "generator_bus": ("generator", ["w", "w", "e", "e"]),
            "bus": ["w", "e"],
            "bus_grid": ("bus", ["mengxi", "mengdong"]),
        },
    )


def test_grid_utilisation_rows_against_the_2021_split():
    # 蒙西 wind 90 %, solar 96 %; 蒙东 wind 97 %, solar 99 %: the 2021 ordering holds
    table = grid_utilisation_rows(_grid_dataset([90.0, 96.0, 97.0, 99.0]), regroups=()).set_index(
        "label"
    )
    assert table.loc["wind utilisation, 蒙西", "diff_pp"] == pytest.approx(1.5)
    assert table.loc["wind utilisation, 蒙东", "diff_pp"] == pytest.approx(0.3)
    assert table.loc["wind: 蒙西 below 蒙东", "within"]
    assert table.loc["solar: 蒙西 below 蒙东", "within"]
    # reversed (the model before the Northeast grid): the ordering row fails
    bad = grid_utilisation_rows(_grid_dataset([95.0, 97.0, 88.0, 94.0]), regroups=()).set_index(
        "label"
    )
    assert not bad.loc["wind: 蒙西 below 蒙东", "within"]
    assert not bad.loc["wind utilisation, 蒙东", "within"]  # 88 % against 96.7 %: 8.7 pp off


def test_format_imports():
    text = format_imports(_grid_dataset([1.0] * 4))
    assert "12 h" in text and "0.50 TWh" in text and "2.5 GW" in text
    assert format_imports(xr.Dataset()) == "imports from neighbouring grids: none"


@pytest.mark.parametrize(
    "name", ["baseline-2025", "plan-2030", "plan-2030-optimistic", "plan-2030-grid-expansion"]
)
def test_shipped_scenarios_carry_the_northeast_grid(name):
    from energysim.config import load_scenario
    from energysim.config.shipped import shipped_scenario

    s = load_scenario(shipped_scenario(name))
    imports = {n: g for n, g in s.generators.items() if g.carrier == "import"}
    assert sum(g.p_nom for g in imports.values()) == pytest.approx(8000.0)
    assert {g.bus for g in imports.values()} == {"chifeng", "tongliao"}
    assert all(s.buses[g.bus].grid == "mengdong" for g in imports.values())
    assert all("im_interprovincial_edges_pypsa_china.csv" in g.source for g in imports.values())


def test_capacity_balance_counts_the_ties_at_their_rating():
    from energysim.adequacy import capacity_balance

    s = _east()
    frame = capacity_balance(s, profiles(["e"], hours=HOURS, year=2030)).set_index("item")
    row = frame.loc["imports (Northeast grid ties)"]
    assert row.side == "supply"
    assert row.summer_MW == pytest.approx(500.0) and row.winter_MW == pytest.approx(500.0)
    # without imports there is no such row
    plain = scenario(buses=EAST, generators={"e-coal": COAL}, corridors=CORRIDOR)
    items = capacity_balance(plain, profiles(["e"], hours=HOURS, year=2030)).item.tolist()
    assert "imports (Northeast grid ties)" not in items
