"""Hand-computed dispatch cases with exact answers, run on both the kernel and the reference."""

from __future__ import annotations

import numpy as np
import pytest

from energysim.guards import check_invariants
from energysim.kernel import pack, run_kernel
from energysim.kernel.reference import dispatch_reference
from tests.helpers import profiles, scenario

ENGINES = {"kernel": run_kernel, "reference": dispatch_reference}
TWO_BUSES = {
    "a": {"grid": "mengxi", "x": 110.0, "y": 40.0, "demand_share": 0.5},
    "b": {"grid": "mengxi", "x": 111.0, "y": 40.0, "demand_share": 0.5},
}


def _run(engine, s, prof):
    inputs, index = pack(s, prof)
    result = ENGINES[engine](inputs)
    check_invariants(None, result, inputs)
    return result, inputs, index


@pytest.fixture(params=list(ENGINES))
def engine(request):
    return request.param


def test_surplus_is_curtailed(engine):
    s = scenario(generators={"w": {"bus": "a", "carrier": "wind", "p_nom": 1500}})
    r, inputs, _ = _run(engine, s, profiles(["a"], hours=6, wind=1.0))
    np.testing.assert_allclose(inputs.demand, 1000.0)
    np.testing.assert_allclose(r.curtail, 500.0)
    assert r.unserved.sum() == 0


def test_thermal_tops_up_above_must_run(engine):
    s = scenario(
        generators={
            "w": {"bus": "a", "carrier": "wind", "p_nom": 1000},
            "c": {
                "bus": "a",
                "carrier": "coal",
                "p_nom": 1000,
                "p_min_pu": 0.2,
                "marginal_cost": 250,
            },
        }
    )
    r, _, _ = _run(engine, s, profiles(["a"], hours=4, wind=0.5))
    np.testing.assert_allclose(r.thermal[:, 0, 0], 500.0)
    np.testing.assert_allclose(r.curtail, 0.0)


def test_must_run_pushes_out_new_energy(engine):
    s = scenario(
        generators={
            "w": {"bus": "a", "carrier": "wind", "p_nom": 1000},
            "c": {
                "bus": "a",
                "carrier": "coal",
                "p_nom": 1000,
                "p_min_pu": 0.3,
                "marginal_cost": 250,
            },
        }
    )
    r, _, _ = _run(engine, s, profiles(["a"], hours=4, wind=1.0))
    np.testing.assert_allclose(r.thermal[:, 0, 0], 300.0)
    np.testing.assert_allclose(r.curtail, 300.0)


def test_merit_order_cheapest_first(engine):
    s = scenario(
        generators={
            "gas": {"bus": "a", "carrier": "gas", "p_nom": 800, "marginal_cost": 600},
            "coal": {"bus": "a", "carrier": "coal", "p_nom": 700, "marginal_cost": 250},
        }
    )
    r, _, index = _run(engine, s, profiles(["a"], hours=3))
    assert index.tiers == (250.0, 600.0)
    np.testing.assert_allclose(r.thermal[:, 0, 0], 700.0)
    np.testing.assert_allclose(r.thermal[:, 1, 0], 300.0)


def test_line_limit_and_losses(engine):
    s = scenario(
        buses=TWO_BUSES,
        generators={
            "w": {"bus": "a", "carrier": "wind", "p_nom": 1000},
            "c": {"bus": "b", "carrier": "coal", "p_nom": 1000, "marginal_cost": 250},
        },
        lines={"ab": {"bus0": "a", "bus1": "b", "p_nom": 200, "efficiency": 0.9}},
    )
    r, _, _ = _run(engine, s, profiles(["a", "b"], hours=3, wind=np.array([[1.0, 0.0]] * 3)))
    np.testing.assert_allclose(r.line_p0[:, 0], 200.0)  # a sends 200
    np.testing.assert_allclose(r.line_p1[:, 0], -180.0)  # b receives 180
    np.testing.assert_allclose(r.thermal[:, 0, 1], 320.0)
    np.testing.assert_allclose(r.curtail[:, 0], 300.0)


def test_storage_shifts_surplus(engine):
    s = scenario(
        generators={
            "w": {"bus": "a", "carrier": "wind", "p_nom": 1500},
            "c": {"bus": "a", "carrier": "coal", "p_nom": 2000, "marginal_cost": 250},
        },
        storage={
            "bat": {
                "bus": "a",
                "kind": "new_type",
                "p_nom": 500,
                "max_hours": 2,
                "efficiency_store": 0.9,
                "efficiency_dispatch": 0.9,
                "state_of_charge_initial": 0.0,
            }
        },
    )
    r, _, _ = _run(engine, s, profiles(["a"], hours=2, wind=np.array([1.0, 0.0])))
    np.testing.assert_allclose(r.st_charge[:, 0], [500.0, 0.0])
    np.testing.assert_allclose(r.st_soc[:, 0], [450.0, 0.0])
    np.testing.assert_allclose(r.st_discharge[:, 0], [0.0, 405.0])
    np.testing.assert_allclose(r.thermal[:, 0, 0], [0.0, 595.0])
    np.testing.assert_allclose(r.curtail, 0.0)


def test_storage_keeps_reserve_for_a_shortfall(engine):
    # hour 0: storage could displace coal; hour 1: demand (1200) exceeds coal (1000). The reserve
    # makes the kernel keep the 200 MWh hour 1 needs and spend only the rest in hour 0 (naive
    # greedy would empty it in hour 0 and leave 200 MWh unserved).
    s = scenario(
        generators={"c": {"bus": "a", "carrier": "coal", "p_nom": 1000, "marginal_cost": 250}},
        storage={
            "bat": {
                "bus": "a",
                "kind": "new_type",
                "p_nom": 300,
                "max_hours": 1,
                "efficiency_store": 1.0,
                "efficiency_dispatch": 1.0,
                "state_of_charge_initial": 1.0,
            }
        },
    )
    r, _, _ = _run(engine, s, profiles(["a"], hours=2, load=np.array([0.8, 1.2])))
    np.testing.assert_allclose(r.st_discharge[:, 0], [100.0, 200.0])
    np.testing.assert_allclose(r.thermal[:, 0, 0], [700.0, 1000.0])
    np.testing.assert_allclose(r.unserved, 0.0)


def test_demand_response_within_budget(engine):
    s = scenario(demand_response={"share_of_peak": 0.1, "max_hours_per_year": 2})
    r, inputs, _ = _run(engine, s, profiles(["a"], hours=4))
    assert inputs.dr_energy == pytest.approx(200.0)
    np.testing.assert_allclose(r.dr_shed[:, 0], [100.0, 100.0, 0.0, 0.0])
    np.testing.assert_allclose(r.unserved[:, 0], [900.0, 900.0, 1000.0, 1000.0])


def test_demand_response_shift_is_paid_back(engine):
    # deficits in hours 0-1 (shed 100 MW each), surplus in hour 2 (paid back 100, the DR
    # capacity, oldest first), hour 3 balanced; hour 1's shed falls due in hour 4, past the end
    wind = np.array([0.0, 0.9, 1.5, 1.0]) / 1.5
    s = scenario(
        generators={"w": {"bus": "a", "carrier": "wind", "p_nom": 1500}},
        demand_response={
            "share_of_peak": 0.1,
            "mode": "shift",
            "window_h": 3,
            "max_hours_per_year": 10,
        },
    )
    r, _, _ = _run(engine, s, profiles(["a"], hours=4, wind=wind))
    np.testing.assert_allclose(r.dr_shed[:, 0], [100.0, 100.0, 0.0, 0.0])
    np.testing.assert_allclose(r.dr_payback[:, 0], [0.0, 0.0, 100.0, 0.0])
    np.testing.assert_allclose(r.unserved[:, 0], [900.0, 0.0, 0.0, 0.0])
    assert r.dr_backlog_end[0] == pytest.approx(100.0)


def test_demand_response_shift_forced_when_due(engine):
    # window 1: hour 0's shed (100) must be served in hour 1, which has just enough supply
    s = scenario(
        generators={"w": {"bus": "a", "carrier": "wind", "p_nom": 1100}},
        demand_response={"share_of_peak": 0.1, "mode": "shift", "window_h": 1},
    )
    r, _, _ = _run(engine, s, profiles(["a"], hours=2, wind=np.array([0.0, 1.0])))
    np.testing.assert_allclose(r.dr_shed[:, 0], [100.0, 0.0])
    np.testing.assert_allclose(r.dr_payback[:, 0], [0.0, 100.0])
    np.testing.assert_allclose(r.curtail[:, 0], [0.0, 0.0])
    np.testing.assert_allclose(r.unserved[:, 0], [900.0, 0.0])
    assert r.dr_backlog_end[0] == pytest.approx(0.0)


def test_corridor_takes_surplus_above_schedule(engine):
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
            }
        },
    )
    r, inputs, _ = _run(engine, s, profiles(["a"], hours=3, wind=1.0))
    np.testing.assert_allclose(inputs.schedule[:, 0], 100.0)
    np.testing.assert_allclose(r.corr_flow[:, 0], 300.0)
    np.testing.assert_allclose(r.curtail, 200.0)


def test_corridor_cut_before_local_load(engine):
    s = scenario(
        generators={"c": {"bus": "a", "carrier": "coal", "p_nom": 1050, "marginal_cost": 250}},
        corridors={
            "x": {
                "bus": "a",
                "receiving_grid": "shandong",
                "p_nom": 300,
                "annual_TWh": 0.876,
                "in_service_year": 2020,
                "delivery_curve": "flat",
            }
        },
    )
    r, _, _ = _run(engine, s, profiles(["a"], hours=2))
    np.testing.assert_allclose(r.corr_short[:, 0], 50.0)
    np.testing.assert_allclose(r.corr_flow[:, 0], 50.0)
    np.testing.assert_allclose(r.unserved, 0.0)


def test_corridor_out_of_service_is_left_out():
    s = scenario(
        corridors={
            "x": {
                "bus": "a",
                "receiving_grid": "shandong",
                "p_nom": 300,
                "utilisation_hours": 4000,
                "in_service_year": 2031,
            }
        }
    )
    _, index = pack(s, profiles(["a"], hours=2))
    assert index.corridors == ()
    assert index.corridors_out_of_service == ("x",)


def test_reused_outputs_are_zeroed_before_the_run():
    """A reused ``out`` comes back clean: the kernel writes every element of every output."""
    from energysim.kernel import allocate_result

    s = scenario(
        generators={
            "w": {"bus": "a", "carrier": "wind", "p_nom": 1500},
            "c": {"bus": "a", "carrier": "coal", "p_nom": 400, "marginal_cost": 250.0},
        },
        storage={"s": {"bus": "a", "kind": "new_type", "p_nom": 100, "max_hours": 2}},
    )
    prof = profiles(["a"], hours=24)
    prof["wind"][:] = np.linspace(0.0, 1.0, 24)[:, None]
    inputs, _ = pack(s, prof)
    fresh = run_kernel(inputs)
    dirty = allocate_result(inputs)
    for array in dirty.arrays():
        array.fill(np.nan)
    again = run_kernel(inputs, dirty)
    assert again is dirty
    for name, a, b in zip(fresh.__dataclass_fields__, fresh.arrays(), again.arrays(), strict=True):
        np.testing.assert_array_equal(a, b, err_msg=name)


def test_outputs_are_contiguous_views_of_one_zeroed_block():
    from energysim.kernel import allocate_result

    s = scenario(generators={"w": {"bus": "a", "carrier": "wind", "p_nom": 10}})
    inputs, _ = pack(s, profiles(["a"], hours=5))
    out = allocate_result(inputs)
    arrays = out.arrays()
    assert all(a.flags.c_contiguous and a.dtype == np.float64 for a in arrays)
    assert all(not a.any() for a in arrays)
    assert len({id(a.base) for a in arrays}) == 1  # one block
    assert out.thermal.shape == (5, inputs.shape["K"], inputs.shape["B"])
    out.curtail[:] = 1.0  # views do not overlap
    assert sum(float(a.sum()) for a in arrays) == out.curtail.size


def test_kernel_parameters_are_the_dataclass_fields():
    # the kernel is called as dispatch_year(*inputs.arrays(), *out.arrays(), work): its
    # parameters must be exactly the KernelInputs fields, then the DispatchResult fields, in order
    import dataclasses
    import inspect

    from energysim.kernel import DispatchResult, KernelInputs
    from energysim.kernel.dispatch import dispatch_year

    func = getattr(dispatch_year, "py_func", dispatch_year)
    params = list(inspect.signature(func).parameters)
    expected = [f.name for f in dataclasses.fields(KernelInputs)]
    expected += [f.name for f in dataclasses.fields(DispatchResult)] + ["work"]
    assert params == expected


def test_backbone_tree_is_built_in_pack():
    from energysim.kernel.dispatch import T_CHILD_PTR, T_CHILDREN, T_ORDER, T_PARENT

    buses = {
        "a": {"grid": "mengxi", "x": 110.0, "y": 40.0, "demand_share": 0.5},
        "b": {"grid": "mengxi", "x": 111.0, "y": 40.0, "demand_share": 0.3},
        "c": {"grid": "mengxi", "x": 112.0, "y": 40.0, "demand_share": 0.2},
    }
    s = scenario(
        buses=buses,
        lines={
            "ab": {"bus0": "a", "bus1": "b", "p_nom": 100},
            "ca": {"bus0": "c", "bus1": "a", "p_nom": 100},
        },
    )
    inputs, _ = pack(s, profiles(list(buses), hours=1))
    tree = inputs.tree
    assert tree.shape == (4, 4)
    np.testing.assert_array_equal(tree[T_ORDER, :3], inputs.order)
    np.testing.assert_array_equal(tree[T_PARENT, :3], [-1, 0, 0])  # a (largest share) is root
    np.testing.assert_array_equal(tree[T_CHILD_PTR], [0, 2, 2, 2])
    np.testing.assert_array_equal(tree[T_CHILDREN, :2], [1, 2])
    # ab: b is bus1 of its line to a; ca: c is bus0
    np.testing.assert_array_equal(inputs.child_is_bus0, [0, 0, 1])
