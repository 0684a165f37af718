"""The figures-only path (issue 17) equals the full path (simulate -> Dataset) on every shipped
scenario, reuses its output block, and the outage redraw equals a fresh pack bit for bit."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from energysim.config import load_scenario
from energysim.kernel import pack
from energysim.kernel.pack import packed_thermal_block, redraw
from energysim.results.schema import VARIABLES
from energysim.run import scenario_profiles, simulate
from energysim.sweep.figures import figures, result_block

REPO = Path(__file__).resolve().parents[1]
SHIPPED = sorted((REPO / "scenarios").glob("*.yaml"))

INDICATORS_NOT_IN_PASS = {
    # energysim.indicators.add_indicators: fuel, CO2, costs, the curtailment split, storage and
    # hydrogen figures are computed from the Dataset only (not in the figures-only pass)
    "coal_Mtce",
    "co2_Mt",
    "co2_captured_Mt",
    "coal_heat_rate_gce_per_kWh",
    "generation_TWh",
    "new_energy_generation_share",
    "non_fossil_share",
    "new_energy_capacity_share",
    "curtailed_system_TWh",
    "curtailed_congestion_TWh",
    "bus_new_energy_utilisation",
    "bus_curtailed_system_TWh",
    "bus_curtailed_congestion_TWh",
    "grid_new_energy_utilisation",
    "grid_curtailed_system_TWh",
    "grid_curtailed_congestion_TWh",
    "monthly_new_energy_utilisation",
    "monthly_curtailed_system_TWh",
    "monthly_curtailed_congestion_TWh",
    "storage_cycles",
    "storage_shifted_TWh",
    "new_type_storage_cycles",
    "flexible_load_full_load_hours",
    "hydrogen_t",
    "hydrogen_kt",
    "corridor_new_energy_delivered_TWh",
    "region_new_energy_delivered_TWh",
    "fuel_cost_bnCNY",
    "variable_cost_bnCNY",
    "energy_served_TWh",
    "variable_cost_CNY_per_MWh",
    "annualised_investment_bnCNY",
    "levelised_system_cost_CNY_per_MWh",
    # inputs and per-generator figures, not figures of the dispatch
    "corridor_min_renewable_share",
    "corridor_p_nom",
    "generator_energy_TWh",
}
"""Annual variables of the Dataset that the figures-only pass does not return."""

EXPECTED = {
    name
    for name, spec in VARIABLES.items()
    if "snapshot" not in spec.dims and name not in INDICATORS_NOT_IN_PASS
}


def assert_same(fast: dict, ds: object, label: str) -> None:
    """Every figure equal to the Dataset's to 1e-9 relative; exact zeros compare absolutely."""
    assert set(fast) == EXPECTED, (label, sorted(set(fast) ^ EXPECTED))
    for name, value in fast.items():
        want = np.asarray(ds[name].values, dtype=float)
        got = np.asarray(value, dtype=float)
        assert got.shape == want.shape, (label, name)
        zero = want == 0.0
        np.testing.assert_array_equal(got[zero], 0.0, err_msg=f"{label}: {name} (exact zero)")
        np.testing.assert_allclose(
            got[~zero], want[~zero], rtol=1e-9, atol=0.0, err_msg=f"{label}: {name}"
        )


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_figures_only_equals_the_dataset_on_every_shipped_scenario(path):
    scenario = load_scenario(path)
    ds = simulate(scenario)
    fast = figures(scenario)
    assert_same(fast, ds, path.stem)
    # the check's numbers are real: a year of new energy, and a corridor that sends
    assert fast["new_energy_used_TWh"] > 0
    assert fast["corridor_energy_TWh"].max() > 0


def test_figures_only_equals_the_dataset_on_an_outage_draw():
    from energysim.feasibility import evaluate

    scenario = load_scenario(REPO / "scenarios/plan-2030.yaml")
    ds = evaluate(scenario, outage_seed=11)
    assert_same(figures(scenario, outage_seed=11), ds, "plan-2030 draw 11")
    assert float(ds.export_cut_hours) >= 0.0


def test_outage_draws_reuse_the_fleet_table_of_the_packed_scenario(monkeypatch):
    """A draw changes availability, not structure: figures(outage_seed=...) keeps the packed
    scenario's fleet table and gives the figures of a table prepared for the draw itself."""
    import energysim.sweep.figures as module
    from energysim.engines import dispatch
    from energysim.kernel.pack import redraw

    scenario = load_scenario(REPO / "scenarios/baseline-2025.yaml")
    figures(scenario, outage_seed=1)
    calls = []
    prepare = module.prepare_figures
    monkeypatch.setattr(module, "prepare_figures", lambda *a: calls.append(1) or prepare(*a))
    got = figures(scenario, outage_seed=2)
    assert calls == []  # not rebuilt for the draw
    inputs, index = redraw(scenario, *pack(scenario, scenario_profiles(scenario)), 2)
    result = dispatch(scenario, inputs, index, "kernel")
    want = module.annual_figures(result, inputs, index, scenario, prepare(inputs, index, scenario))
    assert got.keys() == want.keys()
    for name in got:
        np.testing.assert_array_equal(np.asarray(got[name]), np.asarray(want[name]), name)


def test_figures_only_reuses_one_output_block(monkeypatch):
    scenario = load_scenario(REPO / "scenarios/baseline-2025.yaml")
    first = figures(scenario)
    inputs, _ = pack(scenario, scenario_profiles(scenario))
    block = result_block(inputs)
    import energysim.sweep.figures as module

    calls = []
    prepare = module.prepare_figures
    monkeypatch.setattr(module, "prepare_figures", lambda *a: calls.append(1) or prepare(*a))
    again = figures(scenario)
    assert calls == []  # the fleet table of the cached packed arrays is kept, not rebuilt
    assert result_block(inputs) is block  # the same arrays, not a fresh allocation
    assert block.curtail.base is not None  # views into one block
    for name in first:
        np.testing.assert_array_equal(np.asarray(first[name]), np.asarray(again[name]), name)


def test_result_block_follows_the_shape():
    scenario = load_scenario(REPO / "scenarios/baseline-2025.yaml")
    inputs, index = pack(scenario, scenario_profiles(scenario))
    from energysim.kernel.pack import head

    short, _ = head(inputs, index, 48)
    assert result_block(short).curtail.shape[0] == 48
    assert result_block(inputs).curtail.shape[0] == inputs.demand.shape[0]


@pytest.mark.parametrize("seed", [0, 7])
def test_redraw_with_a_block_is_bit_equal_to_a_fresh_pack(seed):
    # plan-2030 has support floors at the UHV sending buses, in-service dates and heating seasons
    scenario = load_scenario(REPO / "scenarios/plan-2030.yaml")
    profiles = scenario_profiles(scenario)
    inputs, index = pack(scenario, profiles)
    block = packed_thermal_block(scenario, inputs, index)
    got_inputs, got_index = redraw(scenario, inputs, index, seed, block=block)
    want_inputs, want_index = pack(scenario, profiles, outage_seed=seed)
    for field in dataclasses.fields(want_inputs):
        a, b = getattr(got_inputs, field.name), getattr(want_inputs, field.name)
        assert np.array_equal(a, b), field.name  # bit for bit
    assert np.array_equal(got_index.gen_avail, want_index.gen_avail)
    assert np.array_equal(got_index.gen_must, want_index.gen_must)
    assert not np.array_equal(got_inputs.th_avail, inputs.th_avail)  # a real draw
    # the packed inputs it started from are not touched
    assert np.array_equal(inputs.th_avail, pack(scenario, profiles)[0].th_avail)


def test_figures_only_by_hand():
    """The hand-computed case of ``tests/test_accounting.py``, through the figures-only path."""
    from tests.helpers import profiles, scenario

    s = scenario(
        generators={
            "w": {"bus": "a", "carrier": "wind", "p_nom": 1500},
            "c": {"bus": "a", "carrier": "coal", "p_nom": 1000, "p_min_pu": 0.2,
                  "marginal_cost": 250},
        },
        storage={
            "st": {"bus": "a", "kind": "new_type", "p_nom": 100, "max_hours": 1,
                   "efficiency_store": 1.0, "efficiency_dispatch": 1.0,
                   "state_of_charge_initial": 0.0},
        },
        corridors={
            "x": {"bus": "a", "receiving_grid": "shandong", "p_nom": 300, "annual_TWh": 0.876,
                  "in_service_year": 2020, "delivery_curve": "flat", "min_renewable_share": 0.5},
        },
    )  # fmt: skip
    p = profiles(["a"], hours=3, wind=np.array([1.0, 0.2, 1.0]))
    fast = figures(s, profiles=p)
    assert_same(fast, simulate(s, profiles=p), "by hand")
    # hours 0 and 2: 200 MW above schedule + 100 x (1000 / 1200) of the bus's other supply;
    # hour 1: 100 x 300 / (300 + 700 coal + 100 storage)
    export_ne = 2 * (200 + 100 * 1000 / 1200) + 100 * 300 / 1100
    assert fast["new_energy_used_TWh"] * 1e6 == pytest.approx(2700.0, rel=1e-12)
    assert fast["new_energy_export_TWh"] * 1e6 == pytest.approx(export_ne, rel=1e-12)
    assert fast["corridor_renewable_share"][0] == pytest.approx(export_ne / 700, rel=1e-12)
    assert fast["corridor_energy_TWh"][0] * 1e6 == pytest.approx(700.0, rel=1e-12)
    assert fast["consumption_TWh"] * 1e6 == pytest.approx(3000.0, rel=1e-12)
    assert fast["renewable_weight"] == pytest.approx((2700 - export_ne) / 3000, rel=1e-12)
    assert fast["coal_TWh"] * 1e6 == pytest.approx(1100.0, rel=1e-12)
    assert fast["peak_load_MW"] == pytest.approx(1000.0, rel=1e-12)
    assert fast["loss_of_load_hours"] == 0.0
    assert fast["export_cut_max_hour"] == -1.0


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_fleets_given_equal_the_fleets_summed_in_the_pass(path):
    """The sweep's path (fleet_hours once per pack) is bit-equal to the pass summing the fleets
    hour by hour (``energysim.figures``, the check's outage draws), on the expected derate and
    on an outage draw, and both equal the Dataset (the test above)."""
    from energysim.engines import dispatch
    from energysim.kernel.pack import redraw
    from energysim.sweep.figures import annual_figures, fleet_hours, prepare_figures

    scenario = load_scenario(path)
    packed = pack(scenario, scenario_profiles(scenario))
    for inputs, index in (packed, redraw(scenario, *packed, 5)):
        prep = prepare_figures(inputs, index, scenario)
        assert 0 < prep.fleets < prep.member_col.size  # generators were merged into fleets
        # the fleets' members: every counted column once, grouped by fleet in column order
        assert prep.fleet_ptr[0] == 0 and prep.fleet_ptr[-1] == prep.member_col.size
        assert np.unique(prep.member_col).size == prep.member_col.size
        for f in range(prep.fleets):
            cols = prep.member_col[prep.fleet_ptr[f] : prep.fleet_ptr[f + 1]]
            assert cols.size > 0 and np.all(np.diff(cols) > 0)
        result = dispatch(scenario, inputs, index, "kernel", out=result_block(inputs))
        summed = annual_figures(result, inputs, index, scenario, prep)
        given = annual_figures(result, inputs, index, scenario, prep, fleet_hours(index, prep))
        assert summed.keys() == given.keys()
        for name in summed:
            np.testing.assert_array_equal(np.asarray(given[name]), np.asarray(summed[name]), name)


def test_fleet_output_is_linear_in_floor_and_headroom():
    """What merging generators into fleets rests on: the thermal split of a (tier, bus) summed
    over its generators equals the split of their summed floor and headroom."""
    from energysim.accounting import share, thermal_output

    rng = np.random.default_rng(5)
    for _ in range(200):
        n = int(rng.integers(1, 6))
        avail = rng.uniform(0.0, 500.0, n)
        must = avail * rng.uniform(0.0, 1.0, n) * (rng.uniform(size=n) < 0.7)
        must_kb, avail_kb = must.sum(), avail.sum()
        p_kb = rng.choice([must_kb, rng.uniform(0.0, avail_kb), rng.uniform(must_kb, avail_kb)])
        one_by_one = sum(
            thermal_output(p_kb, must_kb, avail_kb, must[i], avail[i]) for i in range(n)
        )
        head = (avail - must).sum()
        merged = thermal_output(p_kb, must_kb, avail_kb, must.sum(), must.sum() + head)
        assert merged == pytest.approx(one_by_one, rel=1e-12, abs=1e-9)
        assert one_by_one == pytest.approx(p_kb, rel=1e-12, abs=1e-9)  # the split adds up
    assert share(1.0, 0.0) == 0.0


def test_fleets_of_one_tier_and_bus_split_its_output():
    """Coal and biomass in one merit-order tier at one bus: two fleets of one (tier, bus) pair;
    the coal and renewable figures equal the Dataset's generator-by-generator split, and
    together they are the tier's whole output."""
    from energysim.sweep.figures import prepare_figures
    from tests.helpers import profiles, scenario

    s = scenario(
        generators={
            "w": {"bus": "a", "carrier": "wind", "p_nom": 1500},
            "c": {"bus": "a", "carrier": "coal", "p_nom": 600, "p_min_pu": 0.5,
                  "marginal_cost": 250},
            "bio": {"bus": "a", "carrier": "biomass", "p_nom": 400, "p_min_pu": 0.25,
                    "marginal_cost": 250},
            "c2": {"bus": "a", "carrier": "coal", "p_nom": 200, "p_min_pu": 0.5,
                   "marginal_cost": 250},
        },
    )  # fmt: skip
    p = profiles(["a"], hours=3, wind=np.array([1.0, 0.2, 1.0]))
    inputs, index = pack(s, p)
    prep = prepare_figures(inputs, index, s)
    assert prep.fleets == 2 and prep.pair_start.tolist() == [0, 2]  # one pair, two fleets
    assert sorted(prep.fleet_class.tolist()) == [1, 2]  # renewable (biomass) and coal
    fast = figures(s, profiles=p)
    ds = simulate(s, profiles=p)
    assert_same(fast, ds, "one tier, two fleets")
    by_gen = dict(zip(ds.generator.values.tolist(), ds.generator_energy_TWh.values, strict=True))
    assert fast["coal_TWh"] == pytest.approx(by_gen["c"] + by_gen["c2"], rel=1e-12)
    # must-run floors 300 + 100 + 100 MW in hours 0 and 2 (wind covers the rest); hour 1:
    # 1000 MW of demand less 300 MW of wind
    assert (by_gen["c"] + by_gen["c2"] + by_gen["bio"]) * 1e6 == pytest.approx(1700.0, rel=1e-12)
    assert fast["thermal_TWh"] * 1e6 == pytest.approx(1700.0, rel=1e-12)


def test_no_fleets_when_every_generator_is_counted_per_bus():
    """Only renewable zero-cost generators, none dedicated to a corridor: nothing is counted
    generator by generator (no fleets), and the figures still equal the Dataset's."""
    from energysim.sweep.figures import fleet_hours, prepare_figures
    from tests.helpers import profiles, scenario

    s = scenario(
        generators={
            "w": {"bus": "a", "carrier": "wind", "p_nom": 1500},
            "h": {"bus": "a", "carrier": "hydro", "p_nom": 100},
        }
    )
    p = profiles(["a"], hours=5, wind=np.array([1.0, 0.2, 1.0, 0.5, 0.0]))
    inputs, index = pack(s, p)
    prep = prepare_figures(inputs, index, s)
    assert prep.fleets == 0 and prep.pair_start.tolist() == [0]
    assert fleet_hours(index, prep)[0].shape == (5, 0)
    fast = figures(s, profiles=p)
    assert_same(fast, simulate(s, profiles=p), "no fleets")
    assert fast["coal_TWh"] == 0.0


def test_fleets_of_another_pack_are_refused():
    from energysim.engines import dispatch
    from energysim.kernel.pack import head
    from energysim.sweep.figures import annual_figures, fleet_hours, prepare_figures

    scenario = load_scenario(REPO / "scenarios/baseline-2025.yaml")
    inputs, index = pack(scenario, scenario_profiles(scenario))
    short, short_index = head(inputs, index, 48)
    prep = prepare_figures(inputs, index, scenario)
    result = dispatch(scenario, short, short_index, "kernel")
    short_prep = prepare_figures(short, short_index, scenario)
    with pytest.raises(ValueError, match=r"expected \(48, \d+\) \(hours, fleets\)"):
        annual_figures(result, short, short_index, scenario, short_prep, fleet_hours(index, prep))
    with pytest.raises(ValueError, match="FigurePrep for 8760 hours.* has 48"):
        annual_figures(result, short, short_index, scenario, prep)
