"""Hand-computed cases for the adequacy rules: thermal availability, upward reserve, storage
pre-charge, demand-response rationing and the surplus-market limits of the corridors. Each runs
on both the kernel and the reference."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from energysim.guards import check_invariants
from energysim.kernel import pack, run_kernel
from energysim.kernel.availability import (
    contingency_MW,
    expected_availability,
    outage_draw,
    reserve_requirement,
)
from energysim.kernel.pack import dr_keep, dr_threshold, inputs_balance
from energysim.kernel.pack import storage_room as pack_storage_room
from energysim.kernel.reference import dispatch_reference
from tests.helpers import profiles, scenario

ENGINES = {"kernel": run_kernel, "reference": dispatch_reference}
COAL = {"bus": "a", "carrier": "coal", "p_nom": 1000, "marginal_cost": 250}


def _run(engine, s, prof, **pack_kw):
    inputs, index = pack(s, prof, **pack_kw)
    result = ENGINES[engine](inputs)
    check_invariants(None, result, inputs)
    return result, inputs, index


@pytest.fixture(params=list(ENGINES))
def engine(request):
    return request.param


def _corridor(p_nom=300.0, twh=0.876, **extra):
    return {
        "bus": "a",
        "receiving_grid": "shandong",
        "kind": "uhvac",
        "p_nom": p_nom,
        "annual_TWh": twh,
        "in_service_year": 2020,
        "delivery_curve": "flat",
        **extra,
    }


# -- thermal availability -------------------------------------------------------------------


def test_expected_derate_limits_thermal_and_its_floor(engine):
    # January maintenance 10 %, forced outages 5 %: 1000 x 0.9 x 0.95 = 855 MW available, and
    # the must-run floor (30 %) of the units that are out goes with them: 300 x 0.855 = 256.5
    maint = [0.1] + [0.0] * 11
    s = scenario(
        generators={"c": {**COAL, "p_min_pu": 0.3}},
        thermal_availability={
            "maintenance": {"coal": maint},
            "forced_outage_rate": {"coal": 0.05},
            "source": "test",
        },
    )
    r, inputs, index = _run(engine, s, profiles(["a"], hours=3))
    np.testing.assert_allclose(inputs.th_avail[:, 0, 0], 855.0)
    np.testing.assert_allclose(inputs.th_must[:, 0, 0], 256.5)
    np.testing.assert_allclose(index.gen_avail[:, 0], 855.0)
    np.testing.assert_allclose(r.thermal[:, 0, 0], 855.0)
    np.testing.assert_allclose(r.unserved[:, 0], 145.0)


def test_expected_availability_by_month():
    s = scenario(
        generators={"c": COAL, "h": {**COAL, "carrier": "coal_chp"}},
        thermal_availability={
            "maintenance": {"coal": [0, 0, 0.2, 0, 0, 0, 0, 0, 0, 0, 0, 0]},
            "forced_outage_rate": {"coal": 0.1},
        },
    )
    snaps = pd.DatetimeIndex(["2030-01-15 12:00", "2030-03-15 12:00"])
    a = expected_availability(s, snaps)
    np.testing.assert_allclose(a["c"], [0.9, 0.72])
    np.testing.assert_allclose(a["h"], [1.0, 1.0])  # class not listed: always available


def test_outage_draw_is_seeded_in_unit_blocks_and_near_the_rate():
    s = scenario(
        generators={"c": {**COAL, "p_nom": 60000}},
        thermal_availability={
            "forced_outage_rate": {"coal": 0.05},
            "unit_size_MW": {"coal": 600},
            "mean_time_to_repair_h": {"coal": 40},
        },
    )
    snaps = pd.date_range("2030-01-01", periods=8760, freq="h")
    a = outage_draw(s, snaps, seed=3)["c"].to_numpy()
    b = outage_draw(s, snaps, seed=3)["c"].to_numpy()
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, outage_draw(s, snaps, seed=4)["c"].to_numpy())
    np.testing.assert_allclose(a * 100, np.round(a * 100), atol=1e-9)  # 100 blocks of 600 MW
    assert abs(a.mean() - 0.95) < 0.01
    assert a.min() < 0.95 < a.max()


def test_pack_uses_the_draw_when_seeded():
    s = scenario(
        generators={"c": {**COAL, "p_nom": 6000}},
        thermal_availability={"forced_outage_rate": {"coal": 0.2}, "unit_size_MW": {"coal": 600}},
    )
    prof = profiles(["a"], hours=200)
    expected, _ = pack(s, prof)
    drawn, _ = pack(s, prof, outage_seed=1)
    np.testing.assert_allclose(expected.th_avail[:, 0, 0], 4800.0)
    blocks = drawn.th_avail[:, 0, 0] / 600.0
    np.testing.assert_allclose(blocks, np.round(blocks), atol=1e-9)
    assert drawn.th_avail[:, 0, 0].std() > 0


def test_maintenance_needs_twelve_months():
    from energysim.exceptions import ConfigError

    with pytest.raises(ConfigError, match="12 monthly"):
        scenario(thermal_availability={"maintenance": {"coal": [0.1, 0.2]}})


# -- reserve ---------------------------------------------------------------------------------


def test_reserve_requirement_and_contingency():
    s = scenario(
        generators={"c": COAL},
        corridors={"x": {**_corridor(p_nom=8000, twh=0.0), "kind": "uhvdc"}},
        reserve={"load_share": 0.05},
        thermal_availability={"unit_size_MW": {"coal": 660, "gas": 2000}},
    )
    # gas is not in the fleet; one pole of the 8 GW DC line is 4 GW
    assert contingency_MW(s) == pytest.approx(4000.0)
    demand = np.array([[50000.0], [100000.0]])
    np.testing.assert_allclose(reserve_requirement(s, demand), [4000.0, 5000.0])
    fixed = scenario(reserve={"load_share": 0.1, "contingency_MW": 150})
    np.testing.assert_allclose(reserve_requirement(fixed, np.array([1000.0, 2000.0])), [150, 200])
    np.testing.assert_allclose(reserve_requirement(scenario(), np.array([1000.0])), [0.0])


def test_reserve_is_given_up_before_load_is_cut(engine):
    # demand 1000, coal 1050, reserve 100: thermal first stops at 950 (1050 - 100), then the
    # reserve is given up before DR is used; 50 MW of reserve is held, 50 MW short
    s = scenario(
        generators={"c": {**COAL, "p_nom": 1050}},
        reserve={"load_share": 0.0, "contingency_MW": 100},
        demand_response={"share_of_peak": 0.1},
    )
    r, _, _ = _run(engine, s, profiles(["a"], hours=2))
    np.testing.assert_allclose(r.thermal[:, 0, 0], 1000.0)
    np.testing.assert_allclose(r.dr_shed, 0.0)
    np.testing.assert_allclose(r.unserved, 0.0)
    np.testing.assert_allclose(r.reserve_short, 50.0)


def test_reserve_held_on_storage_before_thermal_gives_it_up(engine):
    # nothing is expected ahead, so storage discharges first (100); thermal may then give only
    # 900 (1000 less the 100 MW reserve, as storage, now empty, holds none), which is enough:
    # the reserve is held on the 100 MW of coal headroom
    s = scenario(
        generators={"c": {**COAL, "p_nom": 1000}},
        storage={
            "bat": {
                "bus": "a",
                "kind": "new_type",
                "p_nom": 100,
                "max_hours": 1,
                "efficiency_store": 1.0,
                "efficiency_dispatch": 1.0,
                "state_of_charge_initial": 1.0,
            }
        },
        reserve={"load_share": 0.0, "contingency_MW": 100},
    )
    r, inputs, _ = _run(engine, s, profiles(["a"], hours=1))
    assert inputs.storage_reserve[0] == 0.0  # nothing expected ahead: no energy held back
    np.testing.assert_allclose(r.st_discharge[0, 0], 100.0)
    np.testing.assert_allclose(r.thermal[0, 0, 0], 900.0)
    np.testing.assert_allclose(r.reserve_short, 0.0)


def test_no_reserve_section_records_nothing(engine):
    s = scenario(generators={"c": COAL})
    r, inputs, _ = _run(engine, s, profiles(["a"], hours=2))
    np.testing.assert_allclose(inputs.reserve_req, 0.0)
    np.testing.assert_allclose(r.reserve_short, 0.0)


# -- storage pre-charge ----------------------------------------------------------------------


def test_precharge_covers_the_evening_peak(engine):
    # coal 1000 MW; load 800 for 12 hours, then an evening peak of 1150 for 4 hours (600 MWh
    # above coal); storage 200 MW / 800 MWh starts empty and there is never any surplus.
    # Today's rule (charge from surplus only) leaves the storage empty: 150 MW unserved in each
    # peak hour, 600 MWh. Pre-charge fills 600 MWh from coal headroom in hours 0-2 and the peak
    # is served. The no-look-ahead variant (storage_reserve = 0, which also switches off
    # pre-charge) reproduces today's 600 MWh.
    load = np.array([800.0] * 12 + [1150.0] * 4)
    s = scenario(
        generators={"c": COAL},
        storage={
            "bat": {
                "bus": "a",
                "kind": "new_type",
                "p_nom": 200,
                "max_hours": 4,
                "efficiency_store": 1.0,
                "efficiency_dispatch": 1.0,
                "state_of_charge_initial": 0.0,
            }
        },
    )
    prof = profiles(["a"], hours=16, load=load / 1000.0)
    inputs, _ = pack(s, prof)
    inputs = dataclasses.replace(inputs, demand=np.ascontiguousarray(load[:, None]))
    inputs = dataclasses.replace(
        inputs,
        storage_reserve=np.minimum(
            np.array([600.0] * 12 + [450.0, 300.0, 150.0, 0.0]) / 800.0, 1.0
        ),
    )
    r = ENGINES[engine](inputs)
    check_invariants(None, r, inputs)
    np.testing.assert_allclose(r.st_charge[:4, 0], [200.0, 200.0, 200.0, 0.0])
    np.testing.assert_allclose(r.st_discharge[12:, 0], 150.0)
    np.testing.assert_allclose(r.unserved, 0.0)
    today = ENGINES[engine](
        dataclasses.replace(inputs, storage_reserve=np.zeros_like(inputs.storage_reserve))
    )
    np.testing.assert_allclose(today.unserved.sum(), 600.0)
    assert r.unserved.sum() < today.unserved.sum()


def test_pack_look_ahead_foresees_the_peak():
    load = np.array([800.0] * 12 + [1150.0] * 4)
    s = scenario(
        generators={"c": COAL},
        storage={"bat": {"bus": "a", "kind": "new_type", "p_nom": 200, "max_hours": 4}},
        demand={"annual_TWh": 8.76 * load.mean() / 1000.0},
    )
    inputs, _ = pack(s, profiles(["a"], hours=16, load=load))
    np.testing.assert_allclose(inputs.demand[:, 0], load, rtol=1e-9)
    np.testing.assert_allclose(inputs.net_short, np.maximum(load - 1000.0, 0.0), atol=1e-6)
    eff = 0.92
    np.testing.assert_allclose(inputs.storage_reserve[0], 600.0 / eff / 800.0)


# -- demand-response rationing ---------------------------------------------------------------


def test_dr_threshold_rule():
    short = np.array([50.0] * 8 + [200.0, 200.0])
    assert dr_threshold(short, 110.0, 440.0) == 200.0  # the 8 small hours do not fit as well
    assert dr_threshold(short, 110.0, 1000.0) == 0.0  # everything fits: greedy
    assert dr_threshold(short, 110.0, 100.0) == 200.0  # not even the peak fits: the peak
    assert dr_threshold(np.zeros(5), 110.0, 100.0) == 0.0


def test_dr_keep_rule():
    short = np.array([50.0, 200.0, 50.0, 200.0, 0.0])
    np.testing.assert_allclose(dr_keep(short, 110.0, 440.0, 200.0), [220, 110, 110, 0, 0])
    np.testing.assert_allclose(dr_keep(short, 110.0, 150.0, 200.0), [150, 110, 110, 0, 0])
    np.testing.assert_allclose(dr_keep(short, 110.0, 440.0, 0.0), 0.0)


def test_dr_rationing_beats_greedy_on_the_winter_peak(engine):
    # coal 1000, a 100 MW export schedule; eight "summer" hours short by 50 MW (demand 950),
    # then two "winter" hours short by 200 MW (demand 1100). DR: 110 MW, 440 MWh.
    # Greedy spends 400 MWh in summer, then has 40 MWh for the winter peak: 160 MWh unserved.
    # Rationing (threshold 200 MW) keeps 220 MWh for the two peak hours: summer may use only
    # the 220 MWh above that (50 MW in hours 0-3, 20 MW in hour 4, export cuts for the rest),
    # and each peak hour gets 110 MW of DR + a 90 MW export cut, nothing unserved.
    load = np.array([950.0] * 8 + [1100.0] * 2)
    s = scenario(
        generators={"c": COAL},
        corridors={"x": _corridor(p_nom=100, twh=0.876, flexible_export=False)},
        demand_response={"share_of_peak": 0.1, "max_hours_per_year": 4 * 8760 / 10},
    )
    inputs, _ = pack(s, profiles(["a"], hours=10))
    short = np.maximum(load + 100.0 - 1000.0, 0.0)
    cut = dr_threshold(short, 110.0, 440.0)
    assert cut == 200.0
    inputs = dataclasses.replace(
        inputs,
        demand=np.ascontiguousarray(load[:, None]),
        dr_cap=np.array([110.0]),
        dr_energy=440.0,
        net_short=short,
        dr_threshold=cut,
        dr_keep=dr_keep(short, 110.0, 440.0, cut),
    )
    rationed = ENGINES[engine](inputs)
    check_invariants(None, rationed, inputs)
    greedy = ENGINES[engine](dataclasses.replace(inputs, dr_threshold=0.0, dr_keep=np.zeros(10)))
    np.testing.assert_allclose(rationed.dr_shed[:, 0], [50] * 4 + [20, 0, 0, 0, 110, 110])
    np.testing.assert_allclose(rationed.corr_short[:, 0], [0] * 4 + [30, 50, 50, 50, 90, 90])
    np.testing.assert_allclose(rationed.unserved, 0.0)
    np.testing.assert_allclose(greedy.dr_shed[:, 0], [50] * 8 + [40, 0])
    np.testing.assert_allclose(greedy.unserved.sum(), 160.0)
    assert rationed.unserved.sum() < greedy.unserved.sum()


# -- surplus-market limits -------------------------------------------------------------------


def test_default_market_takes_all_headroom(engine):
    s = scenario(
        generators={"w": {"bus": "a", "carrier": "wind", "p_nom": 1500}},
        corridors={"x": _corridor()},
    )
    r, inputs, _ = _run(engine, s, profiles(["a"], hours=3, wind=1.0))
    np.testing.assert_allclose(inputs.corr_surplus_pu, 1.0)
    assert np.isinf(inputs.corr_surplus_budget).all()
    np.testing.assert_allclose(r.corr_flow[:, 0], 300.0)


def test_surplus_share_hours_and_budget(engine):
    # schedule 100, headroom 200; share 0.5 -> 100 above schedule; hours 1-2 only; budget
    # 0.00015 TWh = 150 MWh per 8760 h, scaled to 4 h by pack is tiny, so set it on the
    # packed inputs: 150 MWh lets hour 1 take 100 and hour 2 the last 50
    s = scenario(
        generators={"w": {"bus": "a", "carrier": "wind", "p_nom": 1500}},
        corridors={"x": _corridor(surplus_share=0.5, surplus_hours=[1, 2])},
    )
    inputs, _ = pack(s, profiles(["a"], hours=4, wind=1.0))
    np.testing.assert_allclose(inputs.corr_surplus_pu[:, 0], [0.0, 0.5, 0.5, 0.0])
    inputs = dataclasses.replace(inputs, corr_surplus_budget=np.array([150.0]))
    r = ENGINES[engine](inputs)
    check_invariants(None, r, inputs)
    np.testing.assert_allclose(r.corr_flow[:, 0], [100.0, 200.0, 150.0, 100.0])
    np.testing.assert_allclose(r.curtail[:, 0], [400.0, 300.0, 350.0, 400.0])


def test_surplus_budget_from_the_annual_figure():
    s = scenario(corridors={"x": _corridor(surplus_annual_TWh=0.876)})
    inputs, _ = pack(s, profiles(["a"], hours=876))
    np.testing.assert_allclose(inputs.corr_surplus_budget, [0.876e6 * 876 / 8760])
    no_flex = scenario(corridors={"x": _corridor(flexible_export=False)})
    inputs, _ = pack(no_flex, profiles(["a"], hours=2))
    np.testing.assert_allclose(inputs.corr_surplus_pu, 0.0)


# -- invariants of the new rules ---------------------------------------------------------------


def _base_run():
    s = scenario(
        generators={"c": COAL, "w": {"bus": "a", "carrier": "wind", "p_nom": 1500}},
        corridors={"x": _corridor(surplus_share=0.5)},
        reserve={"load_share": 0.1},
        thermal_availability={"forced_outage_rate": {"coal": 0.1}},
    )
    wind = np.array([0.0, 1.0, 0.0])
    inputs, _ = pack(s, profiles(["a"], hours=3, wind=wind))
    return inputs, run_kernel(inputs)


def test_guards_catch_thermal_above_its_availability():
    from energysim.exceptions import KernelError

    inputs, r = _base_run()
    check_invariants(None, r, inputs)
    r.thermal[0, 0, 0] = 950.0  # available 900
    r.curtail[0, 0] = 0.0
    with pytest.raises(KernelError, match="thermal output"):
        check_invariants(None, r, inputs, balance_tol=np.inf)


def test_guards_catch_reserve_shortfall_above_requirement():
    from energysim.exceptions import KernelError

    inputs, r = _base_run()
    r.reserve_short[1] = inputs.reserve_req[1] + 1.0
    with pytest.raises(KernelError, match="reserve shortfall"):
        check_invariants(None, r, inputs)


def test_guards_catch_surplus_above_the_market_share():
    from energysim.exceptions import KernelError

    inputs, r = _base_run()
    assert r.corr_flow[1, 0] == pytest.approx(200.0)  # schedule 100 + half the headroom of 200
    r.corr_flow[1, 0] = 250.0
    r.curtail[1, 0] -= 50.0
    with pytest.raises(KernelError, match="above schedule"):
        check_invariants(None, r, inputs)


def test_outage_spells_have_the_rate_and_repair_time():
    from energysim.kernel.availability import _markov_up

    rng = np.random.default_rng(0)
    hours = 400_000
    up = _markov_up(1, hours, 0.05, 40.0, rng)
    assert set(np.unique(up)) <= {0.0, 1.0}
    down = up == 0.0
    assert abs(down.mean() - 0.05) < 0.01
    starts = np.flatnonzero(down[1:] & ~down[:-1])
    assert abs(down.sum() / max(len(starts), 1) - 40.0) < 6.0  # mean spell length, h


def test_an_hour_that_cuts_holds_no_reserve(engine):
    # coal 2000 MW at a, half the demand (500) at b behind a 300 MW line: b is short by 200
    # although a has 1500 MW of headroom; that headroom cannot reach b, so the hour holds no
    # reserve (shortfall = the whole 100 MW requirement), not the 1500 MW a system-wide count
    # would show
    buses = {
        "a": {"grid": "mengxi", "x": 110.0, "y": 40.0, "demand_share": 0.5},
        "b": {"grid": "mengxi", "x": 111.0, "y": 40.0, "demand_share": 0.5},
    }
    s = scenario(
        buses=buses,
        generators={"c": {**COAL, "p_nom": 2000}},
        lines={"ab": {"bus0": "a", "bus1": "b", "p_nom": 300, "efficiency": 1.0}},
        reserve={"load_share": 0.0, "contingency_MW": 100},
    )
    r, _, _ = _run(engine, s, profiles(["a", "b"], hours=2))
    np.testing.assert_allclose(r.unserved[:, 1], 200.0)
    np.testing.assert_allclose(r.thermal[:, 0, 0], 800.0)
    np.testing.assert_allclose(r.reserve_short, 100.0)


# -- storage room for the surplus ahead ------------------------------------------------------


def _battery(bus="a", p_nom=100.0, soc0=1.0):
    return {
        "bus": bus,
        "kind": "new_type",
        "p_nom": p_nom,
        "max_hours": 1,
        "efficiency_store": 1.0,
        "efficiency_dispatch": 1.0,
        "standing_loss": 0.0,
        "state_of_charge_initial": soc0,
    }


def _no_room(inputs):
    return dataclasses.replace(inputs, st_room=np.zeros_like(inputs.st_room))


def test_storage_room_rule():
    # bus 0: 100 MW / 200 MWh, efficiencies 0.5; bus 1: no storage (so bus 0 holds all the
    # storage power). Pre-pass balance (MW, > 0 surplus, < 0 unmet) and the expected inflow
    # into bus 0's storage: hour 0 the system is 10 short: -min(100, 10) / 0.5 = -20 MWh;
    # hour 1 surplus 300: min(300, 100) x 0.5 = 50; hour 2 short 40: -80; hour 3 surplus 50:
    # 25; hour 4 short 20 (at bus 0): -40. Backwards: R(4) = 0, R(3) = max(0, -40 + 0) = 0,
    # R(2) = 25 + 0 = 25, R(1) = max(0, -80 + 25) = 0, R(0) = 50 + 0 = 50; room = R / 200
    net = np.array([[0.0, -10.0], [300.0, 0.0], [0.0, -40.0], [50.0, 0.0], [-20.0, 0.0]])
    args = (np.array([0]), np.array([100.0]))
    eff = (np.array([0.5]), np.array([0.5]))
    room = pack_storage_room(net, *args, np.array([200.0]), *eff)
    np.testing.assert_allclose(room, [[0.25, 0], [0, 0], [0.125, 0], [0, 0], [0, 0]])
    # 20 MWh of storage: R is capped at the energy (no more room than there is)
    room = pack_storage_room(net, *args, np.array([20.0]), *eff)
    np.testing.assert_allclose(room[:, 0], [1.0, 0.0, 1.0, 0.0, 0.0])


def test_storage_makes_room_before_a_surplus_spell(engine):
    # demand 1000 MW, a 100 MW export schedule on a 300 MW corridor whose surplus market is
    # open only at 00:00; wind 1100 MW in hour 0 (demand and schedule exactly met), 1300 MW in
    # hour 1 (200 MW surplus the closed market cannot take); storage 200 MW / 200 MWh, full.
    # The pre-pass foresees the 200 MWh surplus (room 1.0 at hour 0): the storage sells its
    # 200 MWh into the open market at 00:00 and takes the surplus at 01:00, nothing curtailed.
    # Today's rule (no room: st_room = 0) keeps the storage full and curtails 200 MWh.
    s = scenario(
        generators={"w": {"bus": "a", "carrier": "wind", "p_nom": 1300}},
        storage={"bat": _battery(p_nom=200.0)},
        corridors={"x": _corridor(surplus_hours=[0])},
    )
    r, inputs, _ = _run(engine, s, profiles(["a"], hours=2, wind=np.array([11 / 13, 1.0])))
    np.testing.assert_allclose(inputs.zero_cost_avail[:, 0], [1100.0, 1300.0])
    np.testing.assert_allclose(inputs.st_room[:, 0], [1.0, 0.0])
    np.testing.assert_allclose(r.st_discharge[:, 0], [200.0, 0.0])
    np.testing.assert_allclose(r.corr_flow[:, 0], [300.0, 100.0])
    np.testing.assert_allclose(r.st_charge[:, 0], [0.0, 200.0])
    np.testing.assert_allclose(r.curtail, 0.0, atol=1e-9)
    today = ENGINES[engine](_no_room(inputs))
    check_invariants(None, today, inputs)
    np.testing.assert_allclose(today.st_discharge, 0.0)
    np.testing.assert_allclose(today.curtail[:, 0], [0.0, 200.0], atol=1e-9)


def test_storage_room_serves_flexible_load_first(engine):
    # as above, with a 150 MW electrolyser (minimum 0) at the bus: the storage's 200 MWh go to
    # the electrolyser first (150) and the surplus market (50); in hour 1 the surplus (200)
    # fills the storage; today's rule runs the electrolyser on the surplus instead (150) and
    # curtails the 50 MW the full storage cannot take
    s = scenario(
        generators={"w": {"bus": "a", "carrier": "wind", "p_nom": 1300}},
        storage={"bat": _battery(p_nom=200.0)},
        corridors={"x": _corridor(surplus_hours=[0])},
        flexible_loads={"h2": {"bus": "a", "kind": "electrolyser", "p_nom": 150, "p_min_pu": 0}},
    )
    r, inputs, _ = _run(engine, s, profiles(["a"], hours=2, wind=np.array([11 / 13, 1.0])))
    # the pre-pass counts the electrolyser as a sink: 1300 - 1000 - 100 - 150 = 50 MW ahead
    np.testing.assert_allclose(inputs.st_room[:, 0], [0.25, 0.0])
    np.testing.assert_allclose(r.st_discharge[:, 0], [50.0, 0.0])
    np.testing.assert_allclose(r.flex_use[:, 0], [50.0, 150.0])
    np.testing.assert_allclose(r.corr_flow[:, 0], [100.0, 100.0])
    np.testing.assert_allclose(r.st_charge[:, 0], [0.0, 50.0])
    np.testing.assert_allclose(r.curtail, 0.0, atol=1e-9)
    today = ENGINES[engine](_no_room(inputs))
    np.testing.assert_allclose(today.flex_use[:, 0], [0.0, 150.0])
    np.testing.assert_allclose(today.curtail[:, 0], [0.0, 50.0], atol=1e-9)


def test_storage_leaves_room_for_the_surplus_ahead(engine):
    # demand 1000 MW, a 100 MW schedule on a 300 MW corridor whose surplus market is open only
    # at 00:00; storage 100 MW / 100 MWh, empty. Hour 1 has a 100 MW surplus the closed market
    # cannot take, so the pre-pass keeps the whole storage free at hour 0 (room 1.0).
    s = scenario(
        generators={"w": {"bus": "a", "carrier": "wind", "p_nom": 1400}},
        storage={"bat": _battery(soc0=0.0)},
        corridors={"x": _corridor(surplus_hours=[0])},
    )
    # a 100 MW surplus at hour 0 too: it goes to the open market, not into the storage, which
    # takes hour 1's surplus; today's rule fills the storage at hour 0 and curtails at hour 1
    r, inputs, _ = _run(engine, s, profiles(["a"], hours=2, wind=np.array([12 / 14, 12 / 14])))
    np.testing.assert_allclose(inputs.st_room[:, 0], [1.0, 0.0])
    np.testing.assert_allclose(r.corr_flow[:, 0], [200.0, 100.0])
    np.testing.assert_allclose(r.st_charge[:, 0], [0.0, 100.0])
    np.testing.assert_allclose(r.curtail, 0.0, atol=1e-9)
    today = ENGINES[engine](_no_room(inputs))
    np.testing.assert_allclose(today.st_charge[:, 0], [100.0, 0.0])
    np.testing.assert_allclose(today.corr_flow[:, 0], [100.0, 100.0])
    np.testing.assert_allclose(today.curtail[:, 0], [0.0, 100.0], atol=1e-9)
    # a 300 MW surplus at hour 0: the market takes its 200 MW of headroom first, and the
    # storage takes the 100 MW left into the room kept free rather than see it curtailed
    r, inputs, _ = _run(engine, s, profiles(["a"], hours=2, wind=np.array([1.0, 12 / 14])))
    np.testing.assert_allclose(inputs.st_room[:, 0], [1.0, 0.0])
    np.testing.assert_allclose(r.corr_flow[:, 0], [300.0, 100.0])
    np.testing.assert_allclose(r.st_charge[:, 0], [100.0, 0.0])
    np.testing.assert_allclose(r.curtail[:, 0], [0.0, 100.0], atol=1e-9)


def test_no_room_is_made_ahead_of_an_expected_shortfall(engine):
    # as in test_storage_makes_room_before_a_surplus_spell (demand 1000 MW, 100 MW schedule,
    # market open at 00:00 only, 200 MW / 200 MWh storage, full; wind 1100 then 1300 MW), plus
    # 1000 MW of coal and a windless hour 2, 100 MW short of coal: the pre-pass holds half the
    # storage for that shortfall at hours 0-1 (storage_reserve 100 / 200), so hour 0 sells
    # nothing into the market (room is made only in hours that expect no shortfall within the
    # day); hour 1's 200 MW surplus is curtailed, and hour 2 takes 200 MW from the storage
    # (down to its reserve, 0 there) before 900 MW of coal
    s = scenario(
        generators={
            "w": {"bus": "a", "carrier": "wind", "p_nom": 1300},
            "c": {**COAL, "p_min_pu": 0.0},
        },
        storage={"bat": _battery(p_nom=200.0)},
        corridors={"x": _corridor(surplus_hours=[0])},
    )
    prof = profiles(["a"], hours=3, wind=np.array([11 / 13, 1.0, 0.0]))
    r, inputs, _ = _run(engine, s, prof)
    np.testing.assert_allclose(inputs.st_room[:, 0], [1.0, 0.0, 0.0])
    np.testing.assert_allclose(inputs.storage_reserve, [0.5, 0.5, 0.0])
    np.testing.assert_allclose(r.st_discharge[:, 0], [0.0, 0.0, 200.0], atol=1e-9)
    np.testing.assert_allclose(r.corr_flow[:, 0], [100.0, 100.0, 100.0], atol=1e-9)
    np.testing.assert_allclose(r.curtail[:, 0], [0.0, 200.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(r.thermal[:, 0, 0], [0.0, 0.0, 900.0], atol=1e-9)


def test_precharge_leaves_room_for_the_surplus_ahead(engine):
    # coal 1000 MW (no floor); demand 900, 100, 1100 MW; wind 200 MW in hour 1 only; storage
    # 100 MW / 100 MWh, empty. The 100 MW shortfall in hour 2 makes pre-charge fill the storage
    # from coal in hour 0 (storage_reserve 1.0); but the 100 MW surplus of hour 1 would then
    # find it full. The room kept for it (1.0 at hour 0) caps pre-charge at 0: hour 1's surplus
    # fills the storage, hour 2 is served, and coal runs 100 MWh less. Today's rule curtails
    # the 100 MWh.
    load = np.array([900.0, 100.0, 1100.0])
    s = scenario(
        demand={"annual_TWh": 8.76 * load.mean() / 1000.0},
        generators={
            "c": COAL,
            "w": {"bus": "a", "carrier": "wind", "p_nom": 1000},
        },
        storage={"bat": _battery(soc0=0.0)},
    )
    r, inputs, _ = _run(
        engine, s, profiles(["a"], hours=3, load=load, wind=np.array([0.0, 0.2, 0.0]))
    )
    np.testing.assert_allclose(inputs.demand[:, 0], load, rtol=1e-9)
    np.testing.assert_allclose(inputs.storage_reserve, [1.0, 1.0, 0.0])
    np.testing.assert_allclose(inputs.st_room[:, 0], [1.0, 0.0, 0.0])
    np.testing.assert_allclose(r.st_charge[:, 0], [0.0, 100.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(r.st_discharge[:, 0], [0.0, 0.0, 100.0], atol=1e-9)
    np.testing.assert_allclose(r.thermal[:, 0, 0], [900.0, 0.0, 1000.0], atol=1e-9)
    np.testing.assert_allclose(r.curtail, 0.0, atol=1e-9)
    today = ENGINES[engine](_no_room(inputs))
    np.testing.assert_allclose(today.st_charge[:, 0], [100.0, 0.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(today.thermal[:, 0, 0], [1000.0, 0.0, 1000.0], atol=1e-9)
    np.testing.assert_allclose(today.curtail[:, 0], [0.0, 100.0, 0.0], atol=1e-9)


def test_bus_balance_is_the_base_match_without_storage():
    # bus a (100 MW demand; wind 100 MW in hour 0, 300 MW in hour 1) hangs off bus b (1000 MW
    # demand; coal with a 900 MW floor; a full battery, which the balance ignores) by a 100 MW
    # line: hour 0 leaves 100 MW unmet at b; hour 1 sends 100 MW over the full line to b and
    # leaves 100 MW of surplus at a
    s = scenario(
        buses={
            "a": {"grid": "mengxi", "x": 106.0, "y": 40.0, "demand_share": 0.1},
            "b": {"grid": "mengxi", "x": 110.0, "y": 40.0, "demand_share": 0.9},
        },
        generators={
            "w": {"bus": "a", "carrier": "wind", "p_nom": 300},
            "c": {**COAL, "bus": "b", "p_nom": 1000, "p_min_pu": 0.9},
        },
        storage={"sb": _battery("b")},
        lines={"ab": {"bus0": "a", "bus1": "b", "p_nom": 100, "efficiency": 1.0}},
    )
    inputs, _ = pack(s, profiles(["a", "b"], hours=2, wind=np.array([1 / 3, 1.0])))
    inputs = dataclasses.replace(inputs, demand=np.array([[100.0, 1000.0], [100.0, 1000.0]]))
    np.testing.assert_allclose(inputs_balance(inputs), [[0, -100], [100, 0]], atol=1e-9)
