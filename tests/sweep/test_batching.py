"""Batching: batches follow packed scenarios, workers keep to what they packed, stats add up."""

from __future__ import annotations

import importlib

import numpy as np

from energysim.sweep import load_sweep, run_sweep
from energysim.sweep.runner import Dispatcher, batch_size_for, plan_units, sweep_payload
from energysim.sweep.spec import point_key

# 2 seeds x 2 corridor years = 4 packed scenarios, 3 storage values each (storage is applied
# to packed arrays, so it shares the pack)
AXES = {
    "axes": [
        {"path": "weather.seed", "values": [0, 1]},
        {"path": "corridors.b-out.in_service_year", "values": [2029, 2032]},
        {"path": "capacity_totals_GW.new_type_storage", "values": [0.5, 1.0, 2.0]},
    ]
}


def _units(sweep, size):
    payload = sweep_payload(sweep)
    points = sweep.points()
    keys = [point_key(payload.fingerprint, p.overrides) for p in points]
    return plan_units(points, payload, size, keys), keys, points


def _structural(points, keys):
    """key -> (seed, corridor year): the packed scenario of each point."""
    return {k: p.overrides[:2] for k, p in zip(keys, points, strict=True)}


def test_batches_never_mix_packed_scenarios_when_groups_are_large(write_sweep):
    sweep = load_sweep(write_sweep(AXES))
    units, keys, points = _units(sweep, size=2)
    of = _structural(points, keys)
    # each group of 3 points is one unit cut into batches of 2 and 1 (fewest, near equal)
    assert [[len(b) for b in u] for u in units] == [[2, 1]] * 4
    for unit in units:
        assert len({of[k] for batch in unit for k, _ in batch}) == 1
    flat = [k for u in units for b in u for k, _ in b]
    assert sorted(flat) == sorted(keys) and len(set(flat)) == len(keys)  # each point once


def test_small_groups_are_pooled_into_full_batches(write_sweep):
    sweep = load_sweep(write_sweep(AXES))
    units, keys, _ = _units(sweep, size=7)
    # groups of 3 < 7: pooled two by two (3 + 3 = 6; a third would pass 7)
    assert [[len(b) for b in u] for u in units] == [[6], [6]]
    units, _, _ = _units(sweep, size=3)
    assert [[len(b) for b in u] for u in units] == [[3]] * 4
    units, _, _ = _units(sweep, size=100)
    assert [[len(b) for b in u] for u in units] == [[12]]


def test_default_batch_size():
    assert batch_size_for(120, 2) == 15  # four batches per worker
    assert batch_size_for(5, 2) == 1
    assert batch_size_for(100_000, 2) == 32  # capped: progress, resume and balance


def _batch(name: str, n: int = 1) -> list:
    return [(f"{name}{i}", ()) for i in range(n)]


def test_dispatcher_keeps_workers_on_their_units_then_steals_from_the_longest():
    a = [_batch("a0"), _batch("a1"), _batch("a2")]
    b = [_batch("b0"), _batch("b1")]
    c = [_batch("c0"), _batch("c1"), _batch("c2"), _batch("c3")]
    plan = Dispatcher([a, b, c])
    assert len(plan) == 9
    assert plan.next_for("w1") == a[0]  # fresh units in order
    assert plan.next_for("w2") == b[0]
    assert plan.next_for("w2") == b[1]  # keeps to its unit
    assert plan.next_for("w2") == c[0]  # its unit is done: the next fresh one
    assert plan.next_for("w1") == a[1]
    assert plan.next_for("w1") == a[2]
    # nothing fresh is left: w1 steals the last batch of the unit with most left (c: 3 left)
    assert plan.next_for("w1") == c[3]
    assert plan.next_for("w2") == c[1]
    # c has one batch left: stealing it would cost a pack for one batch; w1 waits
    assert plan.next_for("w3") is None
    assert plan.next_for("w1") == c[2]  # w1 shares c since it stole from it
    assert plan.next_for("w1") is None and plan.next_for("w2") is None and len(plan) == 0


def test_serial_sweep_packs_each_scenario_once_and_reports_stats(write_sweep, tmp_path):
    sweep = load_sweep(write_sweep(AXES))
    stats: dict = {}
    ds = run_sweep(sweep, tmp_path / "s.nc", batch_size=2, stats=stats)
    assert (ds.status == "ok").all()
    assert stats["backend"] == "serial" and stats["workers"] == 1
    assert (stats["points_run"], stats["tasks"], stats["batch_size"]) == (12, 8, 2)
    assert stats["packs"] == 4  # one per (seed, corridor year); storage reuses the pack
    assert 0 < stats["compute_s"] <= stats["run_s"] and 0 <= stats["overhead"] < 1


def test_two_workers_pack_each_scenario_at_least_once(write_sweep, tmp_path):
    sweep = load_sweep(write_sweep(AXES))
    stats: dict = {}
    two = run_sweep(sweep, tmp_path / "two.nc", workers=2, batch_size=1, stats=stats)
    one = run_sweep(sweep, tmp_path / "one.nc")
    np.testing.assert_array_equal(two.new_energy_local_TWh.values, one.new_energy_local_TWh.values)
    assert stats["backend"] == "pool" and stats["workers"] == 2 and stats["tasks"] == 12
    # 4 packed scenarios; a steal can add a pack, never more than one per batch
    assert 4 <= stats["packs"] <= 12
    assert stats["compute_s"] > 0 and stats["overhead"] < 1


def test_dispatcher_forces_the_last_batch_only_when_nothing_else_runs():
    plan = Dispatcher([[_batch("c0"), _batch("c1")]])
    assert plan.next_for("w1") == [("c00", ())]
    assert plan.next_for("w2") is None  # w1 will take c1 when it is free...
    assert plan.next_for("w2", force=True) == [("c10", ())]  # ...unless nothing else runs
    assert len(plan) == 0 and plan.next_for("w1", force=True) is None


def test_dispatcher_steals_only_when_the_batches_left_outweigh_a_pack():
    def plan_with(left: int) -> Dispatcher:
        plan = Dispatcher(
            [[_batch("a"), _batch("x", 10)], [_batch(f"b{i}", 10) for i in range(left)]]
        )
        assert plan.next_for("w1") == _batch("a") and plan.next_for("w2") == _batch("b0", 10)
        plan.observe(10, 1.0, 0)  # 0.1 s per point
        plan.observe(10, 3.0, 1)  # a pack: 3.0 - 10 x 0.1 = 2.0 s
        assert plan.next_for("w1") == _batch("x", 10)
        return plan

    # b has 3 batches of 10 points left: 2 x 1.0 s is not more than a 2.0 s pack: w1 waits
    assert plan_with(4).next_for("w1") is None
    # 4 left: 3 x 1.0 s > 2.0 s, so w1 takes b's last batch
    assert plan_with(5).next_for("w1") == _batch("b4", 10)


def test_reused_kernel_outputs_give_the_figures_of_fresh_ones(write_sweep, tmp_path, monkeypatch):
    from energysim.kernel import allocate_result
    from energysim.sweep import figures

    sweep = load_sweep(write_sweep(AXES))
    reused = run_sweep(sweep, tmp_path / "reused.nc")
    blocks = []
    monkeypatch.setattr(
        figures, "result_block", lambda inputs: blocks.append(1) or allocate_result(inputs)
    )
    fresh = run_sweep(sweep, tmp_path / "fresh.nc")
    assert len(blocks) == 12  # every point had its own outputs
    for name in sweep.figures:
        np.testing.assert_array_equal(reused[name].values, fresh[name].values, err_msg=name)


def test_workers_start_with_one_numba_and_one_blas_thread(monkeypatch):
    """Pool and Dask workers start with one numba and one OpenBLAS thread (spinning OpenBLAS
    threads after each weather product would take CPU from the other worker), and a worker
    pins OpenBLAS itself when it was started without that environment."""
    import os

    import energysim.feasibility as feasibility
    from energysim.sweep import runner, worker

    assert runner.WORKER_ENV == {"NUMBA_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "4")
    with runner._env(**runner.WORKER_ENV):
        assert os.environ["OPENBLAS_NUM_THREADS"] == "1"
    assert os.environ["OPENBLAS_NUM_THREADS"] == "4"  # restored after the workers start
    calls = []
    monkeypatch.setattr(feasibility, "blas_threads", lambda n: calls.append(n) or 0)
    worker._pin_threads()
    assert calls == [1]


def test_weather_years_share_the_static_part_of_a_pack(write_sweep, monkeypatch):
    """Points that differ only in weather share one PackStatic per process (corridor years
    change the static part: two of them), and each point's figures are those of a fresh pack
    of its scenario."""
    from energysim.kernel import pack, run_kernel
    from energysim.run import scenario_profiles
    from energysim.sweep.figures import annual_figures, prepare_figures
    from energysim.sweep.worker import _State, point_scenario, run_point

    pack_module = importlib.import_module(
        "energysim.kernel.pack"
    )  # the package's pack is the function
    made = []
    real_static = pack_module.pack_static

    def counted(scenario, snapshots):  # noqa: ANN001, ANN202
        made.append(scenario.weather.seed)
        return real_static(scenario, snapshots)

    monkeypatch.setattr(pack_module, "pack_static", counted)
    pack_module.clear_shared_statics()
    sweep = load_sweep(write_sweep(AXES))
    state = _State(sweep_payload(sweep))
    points = sweep.points()
    made_by_sweep = 0
    for p in points:
        before = len(made)
        got, _ = run_point(state, p.overrides)
        made_by_sweep += len(made) - before  # the fresh packs below make their own
        if p.overrides[2][1] != 1.0:
            continue  # storage variants share the pack (tested elsewhere)
        scenario = point_scenario(state, p.overrides)
        inputs, index = pack(scenario, scenario_profiles(scenario))
        want = annual_figures(
            run_kernel(inputs), inputs, index, scenario, prepare_figures(inputs, index, scenario)
        )
        for name in want:
            np.testing.assert_array_equal(np.asarray(got[name]), np.asarray(want[name]), name)
    assert state.packs_made == 4
    assert made_by_sweep == 2  # one per corridor year, shared by both seeds
