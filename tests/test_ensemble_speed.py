"""The ensemble's shortcuts (issue 17: ``check --weather-years N --outage-draws M``) give the
same arrays bit for bit as the plain computations they replace: the static part of a pack shared
between weather years, the corridor schedules' bisection that stops when it can no longer move,
and the synthetic generator's cached deterministic parts."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from energysim.config import load_scenario
from energysim.feasibility import seeded
from energysim.kernel.pack import _scale_to_energy, pack_static, pack_with_block, static_key
from energysim.run import scenario_profiles

REPO = Path(__file__).resolve().parents[1]


def assert_bit_equal(got: object, want: object, path: str = "") -> None:
    """Every field of two (nested) dataclasses equal bit for bit (arrays: dtype, shape, values)."""
    if dataclasses.is_dataclass(want):
        for field in dataclasses.fields(want):
            name = f"{path}.{field.name}"
            assert_bit_equal(getattr(got, field.name), getattr(want, field.name), name)
    elif isinstance(want, np.ndarray):
        assert got.dtype == want.dtype, path
        assert got.shape == want.shape, path
        assert np.array_equal(got, want, equal_nan=True), path
    elif isinstance(want, tuple | list) and any(isinstance(x, np.ndarray) for x in want):
        assert len(got) == len(want), path
        for i, (a, b) in enumerate(zip(got, want, strict=True)):
            assert_bit_equal(a, b, f"{path}[{i}]")
    elif isinstance(want, tuple) and any(dataclasses.is_dataclass(x) for x in want):
        for i, (a, b) in enumerate(zip(got, want, strict=True)):
            assert_bit_equal(a, b, f"{path}[{i}]")
    elif isinstance(want, pd.Index):
        assert want.equals(got), path
    elif isinstance(want, float) and np.isnan(want):
        assert np.isnan(got), path
    else:
        assert got == want, path


@pytest.fixture(scope="module")
def plan() -> object:
    return load_scenario(REPO / "scenarios/plan-2030.yaml")


@pytest.mark.parametrize("outage_seed", [None, 4])
def test_pack_with_another_years_static_part_is_bit_equal(plan, outage_seed):
    # plan-2030: in-service dates, heating seasons, support floors, imports, surplus limits
    year_a, year_b = seeded(plan, plan.weather.seed + 1), seeded(plan, plan.weather.seed + 2)
    assert static_key(year_a) == static_key(year_b) == static_key(plan)  # weather only differs
    prof_a, prof_b = scenario_profiles(year_a), scenario_profiles(year_b)
    static = pack_static(year_a, pd.DatetimeIndex(prof_a["snapshot"].values))
    want = pack_with_block(year_b, prof_b, outage_seed=outage_seed)
    got = pack_with_block(year_b, prof_b, outage_seed=outage_seed, static=static)
    assert_bit_equal(got, want)
    assert not np.array_equal(got[0].demand, pack_with_block(year_a, prof_a)[0].demand)


def test_static_key_sees_everything_but_the_weather(plan):
    data = plan.model_dump()
    data["generators"][next(iter(data["generators"]))]["p_nom"] += 1.0
    from energysim.config import load_scenario_dict

    assert static_key(load_scenario_dict(data, file="<t>")) != static_key(plan)


def test_a_static_part_on_other_hours_is_not_used(plan):
    prof = scenario_profiles(plan)
    snaps = pd.DatetimeIndex(prof["snapshot"].values)
    static = pack_static(plan, snaps[:48])
    assert not static.fits(plan, snaps)
    assert static.fits(plan, snaps[:48])
    assert_bit_equal(pack_with_block(plan, prof, static=static), pack_with_block(plan, prof))


def _scale_to_energy_100_steps(shape: np.ndarray, cap: float, energy: float) -> np.ndarray:
    """The bisection as it was: always 100 steps, fresh arrays in every step."""
    if energy <= 0 or cap <= 0:
        return np.zeros_like(shape)
    if energy >= cap * len(shape) * (1 - 1e-12):
        return np.full_like(shape, cap)
    shape = np.maximum(shape, 0.0)
    if shape.sum() <= 0:
        shape = np.ones_like(shape)
    lo, hi = 0.0, cap / shape[shape > 0].min()
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        if np.minimum(cap, mid * shape).sum() < energy:
            lo = mid
        else:
            hi = mid
    return np.minimum(cap, hi * shape)


@pytest.mark.parametrize("seed", range(24))
def test_scale_to_energy_stops_early_with_the_same_result(seed):
    # the compiled sum decides the steps away from the target, numpy's sum near it: the same
    # steps, the same schedule bit for bit
    rng = np.random.default_rng(seed)
    hours = int(rng.integers(1, 9000))
    shape = rng.gamma(2.0, 1.0, hours) * (rng.random(hours) > 0.1 * (seed % 3))
    cap = float(rng.uniform(100, 8000))
    energy = float(rng.uniform(0.0, 1.05)) * cap * hours
    got = _scale_to_energy(shape, cap, energy)
    assert np.array_equal(got, _scale_to_energy_100_steps(shape, cap, energy))
    if 0 < energy < cap * np.count_nonzero(shape) * 0.99:  # reachable: the shape's zeros stay 0
        assert got.sum() == pytest.approx(energy, rel=1e-9)


def test_generator_caches_equal_the_plain_computations():
    from energysim.profiles import synthetic as sy

    index = sy.snapshots(2030)
    lon, lat = np.array([108.5, 121.0]), np.array([40.2, 47.1])
    poa = sy._clear_sky_cached(2030, tuple(lon), tuple(lat))
    assert np.array_equal(poa, sy.clear_sky_poa(index, lon, lat))
    offset = sy._wind_offset_cached(2030, tuple(lon))
    assert np.array_equal(offset, sy._wind_offset_of(index, lon))
    table = sy.parameters()["load"]["im"]
    for got, want in zip(
        sy._load_calendar_cached(2030, "im"), sy._load_calendar(index, table), strict=True
    ):
        assert np.array_equal(got, want)
    assert not poa.flags.writeable and not offset.flags.writeable  # a cache cannot be changed
    assert sy._year_of(index) == 2030
    assert sy._year_of(index[:48]) is None  # a slice is not cached: computed as before
    assert sy._region_of(dict(table)) is None  # nor is a table from elsewhere


def test_profiles_do_not_depend_on_blas_threads_or_caches(plan):
    from energysim.feasibility import blas_threads
    from energysim.profiles import bus_sites
    from energysim.profiles import synthetic as sy

    sites = bus_sites(plan.buses)
    for cached in (sy._clear_sky_cached, sy._wind_offset_cached, sy._load_calendar_cached):
        cached.cache_clear()
    cold = sy.generate_profiles(sites, 2030, 12)  # fills the caches
    try:
        if blas_threads(1) == 0:
            pytest.skip("no OpenBLAS found in this process")
        warm = sy.generate_profiles(sites, 2030, 12)
    finally:
        blas_threads(2)
    for name in cold.data_vars:
        assert np.array_equal(cold[name].values, warm[name].values), name


def test_draws_with_one_reused_work_equal_fresh_packs(plan):
    # the work arrays hold the previous draw (dirty (T, K, B) sums, the floor plan of the year)
    from energysim.kernel.pack import RedrawWork, redraw

    profiles = scenario_profiles(plan)
    inputs, index, block = pack_with_block(plan, profiles)
    work = RedrawWork.like(inputs, index)
    for seed in (5, 6, 5):
        got = redraw(plan, inputs, index, seed, block, work)
        assert work.floor_plan is not None and len(work.floor_plan.floors) > 0  # UHV floors
        assert_bit_equal(got, pack_with_block(plan, profiles, outage_seed=seed)[:2])


def _storage_room_per_bus(net, st_bus, st_p, st_e, st_eff_in, st_eff_out):
    """The storage room as it was computed before it was compiled: numpy per bus."""
    hours, nb = net.shape
    room = np.zeros((hours, nb))
    p_all = float(st_p.sum())
    if p_all <= 0.0:
        return room
    unmet = np.maximum(-net, 0.0).sum(axis=1)
    for b in range(nb):
        units = st_bus == b
        e = float(st_e[units].sum())
        p = float(st_p[units].sum())
        if e <= 1e-6 or p <= 0.0:
            continue
        eff_in = float((st_p[units] * st_eff_in[units]).sum() / p)
        eff_out = float((st_p[units] * st_eff_out[units]).sum() / p)
        inflow = np.where(
            net[:, b] > 0.0,
            np.minimum(net[:, b], p) * eff_in,
            -np.minimum(p, unmet * (p / p_all)) / eff_out,
        )
        r = 0.0
        for t in range(hours - 1, -1, -1):
            room[t, b] = min(r / e, 1.0)
            r = min(max(0.0, inflow[t] + r), e)
    return room


@pytest.mark.parametrize("seed", range(12))
def test_compiled_storage_room_equals_the_per_bus_numpy_one(seed):
    from energysim.kernel.pack import storage_buses, storage_room

    rng = np.random.default_rng(seed)
    hours, nb, ns = int(rng.integers(1, 400)), int(rng.integers(1, 7)), int(rng.integers(0, 9))
    net = rng.normal(0.0, 500.0, (hours, nb)) * (rng.random((hours, nb)) > 0.2)
    st_bus = rng.integers(0, nb, ns)
    st_p = rng.uniform(0.0, 800.0, ns) * (rng.random(ns) > 0.15)
    st_e = st_p * rng.uniform(0.0, 6.0, ns) * (rng.random(ns) > 0.15)
    st_eff_in, st_eff_out = rng.uniform(0.8, 1.0, ns), rng.uniform(0.8, 1.0, ns)
    args = (net, st_bus, st_p, st_e, st_eff_in, st_eff_out)
    got, want = storage_room(*args), _storage_room_per_bus(*args)
    assert got.shape == want.shape and got.flags.c_contiguous
    assert np.array_equal(got, want)  # bit for bit
    # with the units' per-bus sums made once (an ensemble's draws share them)
    buses = storage_buses(nb, st_bus, st_p, st_e, st_eff_in, st_eff_out)
    assert np.array_equal(storage_room(*args, buses), want)
    assert buses.p_all == float(st_p.sum()) and buses.e_total == float(st_e.sum())
    if st_e.sum() > 1e-3 and (net > 0).any():
        assert got.max() > 0.0  # a real case: some room is kept


def test_pre_pass_pieces_equal_numpys_sums_bit_for_bit(plan):
    # the compiled pre-pass (shortfall, balance, unmet demand) sums as numpy did before, into
    # dirty scratch arrays too
    from energysim.kernel.pack import (
        balance_parts,
        balance_with,
        domestic_th_avail,
        import_tier_mask,
        inputs_balance_parts,
        need_before_thermal,
        shortfall_from,
    )

    inputs, _, _ = pack_with_block(plan, scenario_profiles(plan))
    mask = import_tier_mask(plan)
    assert mask.any()  # plan-2030 has the Northeast grid's import tiers
    dom = domestic_th_avail(plan, inputs.th_avail)
    assert dom is not inputs.th_avail and not dom[:, mask].any()
    need = need_before_thermal(inputs.demand, inputs.zero_cost_avail, inputs.schedule)
    th_total = dom.reshape(dom.shape[0], -1).sum(axis=1)  # numpy's own, as before
    want = np.maximum(need - th_total + inputs.reserve_req, 0.0)
    got = shortfall_from(need, inputs.th_avail, inputs.reserve_req, mask)
    assert np.array_equal(got, want) and np.array_equal(got, inputs.net_short)
    assert np.array_equal(shortfall_from(need, dom, inputs.reserve_req), want)
    no_reserve = shortfall_from(need, inputs.th_avail, None, mask)
    assert np.array_equal(no_reserve, np.maximum(need - th_total, 0.0))
    # the balance: the must-run summed over the tiers as th_must.sum(axis=1) did
    parts = inputs_balance_parts(inputs)
    out = np.full_like(inputs.demand, np.nan)
    got = balance_with(parts, inputs.th_must, out)
    assert got is out
    summed = np.ascontiguousarray(inputs.th_must.sum(axis=1))[:, None, :]  # (T, 1, B)
    assert np.array_equal(got, balance_with(parts, summed))
    assert np.array_equal(got, balance_with(balance_parts(
        inputs.demand, inputs.zero_cost_avail, inputs.schedule, inputs.corr_bus, inputs.corr_cap,
        inputs.corr_surplus_pu, inputs.flex_max, inputs.tree, inputs.parent_line,
        inputs.line_cap, inputs.line_eff,
    ), inputs.th_must))  # fmt: skip


@pytest.mark.parametrize("n", [0, 1, 7, 8, 9, 12, 15, 16, 17, 48, 100, 127, 128])
def test_pairwise_sum_is_numpys_row_sum(n):
    from energysim.kernel.pack import pairwise_sum

    rng = np.random.default_rng(n)
    rows = rng.normal(size=(300, n)) * rng.choice([1e-6, 1.0, 1e5], size=(300, n))
    want = rows.sum(axis=1)
    flat = np.ascontiguousarray(rows).ravel()
    got = np.array([pairwise_sum(flat, t * n, n) for t in range(rows.shape[0])])
    assert np.array_equal(got, want)  # bit for bit: numpy's order of additions


def test_a_member_year_packed_on_its_first_draw_equals_fresh_packs_of_each_draw(plan):
    # the check packs an ensemble year on its first outage draw and re-draws the others: each
    # run's target values equal those of a fresh pack of that draw
    import energysim.feasibility as feas
    from energysim.engines import dispatch
    from energysim.sweep.figures import annual_figures, prepare_figures

    seed, j, draws = plan.weather.seed + 3, 4, 3
    got, _ = feas._member_task(plan, seed, j, draws, "kernel", False)
    year = seeded(plan, seed)
    profiles = scenario_profiles(year)
    want = []
    for d in range(draws):
        inputs, index, _ = pack_with_block(
            year, profiles, outage_seed=feas.outage_seed(j, d, draws)
        )
        result = dispatch(year, inputs, index, "kernel")
        figures = annual_figures(result, inputs, index, year, prepare_figures(inputs, index, year))
        want.append(feas.target_values(plan, figures, index))
    assert got == want  # every value equal, draw by draw
    assert len({tuple(sorted(g.items())) for g in got}) == draws  # the draws differ


def test_redraws_in_place_of_a_drawn_pack_equal_fresh_packs(plan):
    # the check's ensemble: the year packed on draw 5, then re-drawn into that pack's own arrays
    from energysim.kernel.pack import RedrawWork, redraw

    profiles = scenario_profiles(plan)
    inputs, index, block = pack_with_block(plan, profiles, outage_seed=5)
    ne = [i for i, n in enumerate(index.generators) if plan.generators[n].carrier == "wind"]
    wind = index.gen_avail[:, ne].copy()
    work = RedrawWork.in_place(inputs, index)
    assert work.gen_avail is index.gen_avail and work.th_avail is inputs.th_avail  # no copies
    for seed in (6, 7):
        got = redraw(plan, inputs, index, seed, block, work)
        assert_bit_equal(got, pack_with_block(plan, profiles, outage_seed=seed)[:2])
    assert np.array_equal(index.gen_avail[:, ne], wind)  # non-thermal columns untouched


def test_redraws_into_fleet_sums_equal_fresh_packs_and_their_fleets(plan):
    # the check's ensemble since h17-percpu: the draws write the thermal fleets' sums the
    # figures read instead of the (T, G) generator arrays
    from energysim.engines import dispatch
    from energysim.kernel.pack import RedrawWork, redraw
    from energysim.sweep.figures import (
        annual_figures,
        draw_fleets,
        fleet_hours,
        prepare_figures,
        result_block,
    )

    profiles = scenario_profiles(plan)
    inputs, index, block = pack_with_block(plan, profiles, outage_seed=5)
    prep = prepare_figures(inputs, index, plan)
    base_avail, base_must = index.gen_avail.copy(), index.gen_must.copy()
    fleets = draw_fleets(index, prep)
    assert 0 < fleets.thermal < prep.fleets  # thermal fleets and zero-cost ones (plan-2030)
    zero_cost = fleets.head[:, fleets.thermal :].copy()
    work = RedrawWork.in_place(inputs, index, fleets)
    assert work.th_avail is inputs.th_avail  # the (T, K, B) sums: the base pack's own
    assert work.gen_avail.shape == (0, index.gen_avail.shape[1])  # no (T, G) arrays
    for seed in (6, 7):
        got_inputs, got_index = redraw(plan, inputs, index, seed, block, work)
        want_inputs, want_index, _ = pack_with_block(plan, profiles, outage_seed=seed)
        assert_bit_equal(got_inputs, want_inputs)
        assert (
            got_index.gen_avail.shape == got_index.gen_must.shape == (0, index.gen_avail.shape[1])
        )
        must, head = fleet_hours(want_index, prep)
        assert np.array_equal(fleets.must, must) and np.array_equal(fleets.head, head)
        # the figures from the fleets equal those of the fresh pack's (T, G) arrays
        result = dispatch(plan, got_inputs, got_index, "kernel", out=result_block(got_inputs))
        got = annual_figures(result, got_inputs, got_index, plan, prep, (fleets.must, fleets.head))
        want = annual_figures(result, want_inputs, want_index, plan, prep)
        assert got.keys() == want.keys()
        for name, value in want.items():
            assert np.array_equal(got[name], value, equal_nan=True), name
        with pytest.raises(ValueError, match="generator arrays of 0 hours and no fleets"):
            annual_figures(result, got_inputs, got_index, plan, prep)
    assert np.array_equal(fleets.head[:, fleets.thermal :], zero_cost)  # zero-cost kept
    # the base pack's generator arrays are neither written nor replaced
    assert np.array_equal(index.gen_avail, base_avail) and np.array_equal(index.gen_must, base_must)


def test_redraw_work_rejects_fleets_of_another_shape(plan):
    from energysim.kernel.pack import FleetSums, RedrawWork

    inputs, index, _ = pack_with_block(plan, scenario_profiles(plan))
    hours = index.gen_avail.shape[0]
    bad = FleetSums(
        np.zeros(3, np.int64),
        np.array([0, 1, 3], np.int64),
        1,
        np.zeros((hours, 3)),
        np.zeros((hours, 2)),
    )
    with pytest.raises(ValueError, match=r"expected \(8760, 2\) \(hours, fleets\)"):
        RedrawWork.in_place(inputs, index, bad)


def test_lay_thermal_by_hand_floors_and_the_logged_shortfall(caplog):
    # two generators at one bus carry a corridor's support floor of 1.0 x its schedule: the
    # floor raises the must-run up to availability; hour 1 is 60 MW short, which is logged
    import logging
    from types import SimpleNamespace

    from energysim.kernel.pack import FloorPlan, ThermalBlock, apply_floor_plan, lay_thermal

    hours = 3
    block = ThermalBlock(
        names=("a", "b"),
        col=np.array([0, 1]),
        tier=np.array([0, 0]),
        bus=np.array([0, 0]),
        live=np.ones((2, hours), dtype=bool),
        heat=np.zeros((2, hours), dtype=bool),
        must_heat=np.array([0.0, 0.0]),
        must_cold=np.array([10.0, 0.0]),
        cap=np.array([100.0, 50.0]),
        th_max=np.zeros((1, 1)),
    )
    corridor = SimpleNamespace(support_floor_pu=1.0, bus="west")
    plan = FloorPlan(
        ((0, "line", corridor),), np.array([1.0]), np.array([0]), np.array([0, 2]),
        np.array([0, 1]), 1,
    )  # fmt: skip
    schedule = np.array([[100.0], [200.0], [120.0]])
    gen_avail, gen_must = np.full((hours, 2), np.nan), np.full((hours, 2), np.nan)
    with caplog.at_level(logging.INFO, logger="energysim.kernel.pack"):
        th_avail, th_must = lay_thermal(
            block, np.ones((hours, 2), order="F"), schedule, plan, gen_avail, gen_must
        )
    assert th_avail[:, 0, 0].tolist() == [150.0, 150.0, 150.0]
    assert gen_must.tolist() == [[100.0, 10.0], [100.0, 50.0], [100.0, 30.0]]
    assert th_must[:, 0, 0].tolist() == [110.0, 150.0, 130.0]
    assert "corridors.line: support floor 1.00 p.u. short by up to 60 MW at west" in caplog.text
    # the same floors from the plain hour loop, on the floors before the support floor
    must = np.array([[10.0, 0.0]] * hours)
    missing = apply_floor_plan(plan, schedule, gen_avail, must)
    assert missing[:, 0].tolist() == [0.0, 60.0, 0.0] and np.array_equal(must, gen_must)


def test_lay_thermal_sums_interleaved_tier_bus_groups_by_hand():
    # three generators, the first and last in tier 1 at bus 1, the middle one in tier 0 at bus
    # 0; one is out of service in hour 1 and one in its heating season in hour 0
    from energysim.kernel.pack import FloorPlan, ThermalBlock, lay_thermal

    block = ThermalBlock(
        names=("a", "b", "c"),
        col=np.array([2, 0, 3]),
        tier=np.array([1, 0, 1]),
        bus=np.array([1, 0, 1]),
        live=np.array([[True, True], [True, False], [True, True]]),
        heat=np.array([[True, False], [False, False], [False, False]]),
        must_heat=np.array([40.0, 0.0, 0.0]),
        must_cold=np.array([20.0, 5.0, 10.0]),
        cap=np.array([100.0, 50.0, 200.0]),
        th_max=np.zeros((2, 2)),
    )
    assert block.group_ptr.tolist() == [0, 1, 3]  # (0, 0): b; (1, 1): a, c in generator order
    assert block.group_col.tolist() == [0, 2, 3]
    assert block.group_k.tolist() == [0, 1] and block.group_b.tolist() == [0, 1]
    no_floor = FloorPlan((), np.zeros(0), np.zeros(0, np.int64), np.zeros(1, np.int64),
                         np.zeros(0, np.int64), 0)  # fmt: skip
    shares = np.asfortranarray([[0.5, 1.0, 0.25], [1.0, 1.0, 1.0]])  # (T, G')
    gen_avail, gen_must = np.zeros((2, 4)), np.zeros((2, 4))
    th_avail, th_must = lay_thermal(block, shares, np.zeros((2, 0)), no_floor, gen_avail, gen_must)
    # hour 0: a 100 x 0.5 = 50 (floor 40 x 0.5), b 50, c 200 x 0.25 = 50 (floor 2.5)
    assert th_avail[0].tolist() == [[50.0, 0.0], [0.0, 100.0]]
    assert th_must[0].tolist() == [[5.0, 0.0], [0.0, 22.5]]
    # hour 1: b out of service
    assert th_avail[1].tolist() == [[0.0, 0.0], [0.0, 300.0]]
    assert th_must[1].tolist() == [[0.0, 0.0], [0.0, 30.0]]
    assert gen_avail.tolist() == [[50.0, 0.0, 50.0, 50.0], [0.0, 0.0, 100.0, 200.0]]
