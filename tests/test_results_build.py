"""The fast results Dataset (issue 17): built once, the same as the slow assembly, bit for bit.

``to_dataset`` builds every variable as an array and creates the Dataset once; the compiled
passes (fleet fuel, absorption room) replace numpy expressions. These tests hold each piece
equal to the plain numpy / xarray way of computing it, exactly (no tolerance), so a change of
summation order or of the Dataset's assembly shows up here.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from energysim import cache
from energysim.config import load_scenario
from energysim.config.schema import Economics, HeatRate
from energysim.indicators import (
    INDICATOR_INPUTS,
    THERMAL_CLASSES,
    _class_fuel,
    absorption_room,
    add_indicators,
    fuel_use,
    heat_rate,
    indicator_data,
    month_rows,
)
from energysim.kernel import pack, run_kernel
from energysim.kernel.pack import head
from energysim.results import build
from energysim.results.build import to_dataset
from energysim.results.schema import VARIABLES
from energysim.run import scenario_profiles
from tests.helpers import profiles, scenario

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def plan_six_weeks():
    """plan-2030 packed, cut to its first 1008 hours (January and part of February)."""
    s = load_scenario(REPO / "scenarios/plan-2030.yaml")
    inputs, index = pack(s, scenario_profiles(s))
    inputs, index = head(inputs, index, 1008)
    return s, inputs, index, run_kernel(inputs)


def test_dataset_built_once_equals_the_dataset_built_by_assign(plan_six_weeks):
    # the slow assembly: the Dataset without the indicators, then add_indicators' assign
    s, inputs, index, result = plan_six_weeks
    ds = to_dataset(result, inputs, index, s, "kernel")
    added, _ = indicator_data({n: ds[n].values for n in INDICATOR_INPUTS}, result, inputs, s)
    indicators = list(added)
    assert len(indicators) > 30
    base = ds.drop_vars([*indicators, "region", "technology"])
    slow = add_indicators(base, result, inputs, s)
    xr.testing.assert_identical(ds, slow)
    for dim in ds.xindexes:
        assert ds.xindexes[dim].index.equals(slow.xindexes[dim].index)
        assert ds.xindexes[dim].index.dtype == slow.xindexes[dim].index.dtype, dim
    # hourly arrays in C order (sums over them then add in the order they always did)
    for name, var in ds.data_vars.items():
        assert var.values.flags["C_CONTIGUOUS"], name
    # the whole schema, and the generator coordinate's carrier list
    assert set(ds.data_vars) == set(VARIABLES)
    assert ds["generator"].attrs["carrier"] == ",".join(ds["carrier"].values)


def test_dimension_coordinates_are_what_xarray_builds_from_the_labels(plan_six_weeks):
    s, inputs, index, result = plan_six_weeks
    build._indexes.clear()
    first = to_dataset(result, inputs, index, s, "kernel")
    again = to_dataset(result, inputs, index, s, "kernel")  # from the index cache
    plain = xr.Dataset(
        coords={
            "snapshot": index.snapshots,
            "bus": list(index.buses),
            "generator": list(index.generators),
            "corridor": list(index.corridors),
        }
    )
    for dim in plain.xindexes:
        xr.testing.assert_equal(first[dim].variable, plain[dim].variable)  # attrs: below
        assert first[dim].dtype == plain[dim].dtype
        assert first.xindexes[dim].index.dtype == plain.xindexes[dim].index.dtype
    xr.testing.assert_identical(first, again)
    # each Dataset has its own coordinate attrs: editing one leaves the next call's alone
    again["generator"].attrs["carrier"] = "edited"
    assert to_dataset(result, inputs, index, s, "kernel")["generator"].attrs["carrier"] != "edited"


def test_the_index_cache_is_keyed_on_labels_not_on_objects():
    # two scenarios with different bus names but the same number of buses and hours
    a = scenario(generators={"w": {"bus": "a", "carrier": "wind", "p_nom": 100}})
    inputs, index = pack(a, profiles(["a"], hours=3, wind=0.5))
    ds_a = to_dataset(run_kernel(inputs), inputs, index, a, "kernel")
    b = scenario(
        buses={"z": {"grid": "mengxi", "x": 110.0, "y": 40.0, "demand_share": 1.0}},
        generators={"v": {"bus": "z", "carrier": "solar", "p_nom": 100}},
    )
    inputs_b, index_b = pack(b, profiles(["z"], hours=3, solar=0.5))
    ds_b = to_dataset(run_kernel(inputs_b), inputs_b, index_b, b, "kernel")
    assert list(ds_a.bus.values) == ["a"] and list(ds_b.bus.values) == ["z"]
    assert list(ds_b.generator.values) == ["v"] and ds_b["generator"].attrs["carrier"] == "solar"
    assert ds_a["generator"].attrs["carrier"] == "wind"


# -- the fleet fuel pass: numpy's summation order ------------------------------------------------


def _numpy_class_fuel(carriers, buses, gen, avail, economics):
    """The per-fleet numpy computation the compiled pass replaced (reference, not a copy in use)."""
    out = {}
    for cls in THERMAL_CLASSES:
        spec = economics.heat_rates.get(cls)
        cols = np.flatnonzero(carriers == cls)
        if spec is None or cols.size == 0:
            out[cls] = (0.0, float(gen[:, cols].sum()) if cols.size else 0.0)
            continue
        fuel = 0.0
        for bus in np.unique(buses[cols]):
            sel = cols[buses[cols] == bus]
            f, _ = fuel_use(gen[:, sel].sum(axis=1), avail[:, sel].sum(axis=1), spec)
            fuel += float(f.sum())
        out[cls] = (fuel, float(gen[:, cols].sum()))
    return out


@pytest.mark.parametrize("width", [1, 2, 7, 8, 9, 15, 16, 17, 127, 128, 129, 300])
def test_fleet_fuel_equals_numpy_per_fleet_bit_for_bit(width):
    # one coal fleet of ``width`` units at bus x, a gas fleet of 3 at y, 50 hours of random
    # output spanning nine orders of magnitude (where the summation order shows)
    rng = np.random.default_rng(width)
    g = width + 3
    carriers = np.array(["coal"] * width + ["gas"] * 3)
    buses = np.array(["x"] * width + ["y"] * 3)
    avail = rng.random((50, g)) * 10.0 ** rng.uniform(-3, 6, (50, g))
    gen = avail * rng.random((50, g))
    gen[0] = 0.0  # an hour with nothing running
    avail[1, :] = 0.0  # and one with nothing available: the rated heat rate
    gen[1, :] = 0.0
    spec = {"rated_gce_per_kWh": 300, "min_load_pu": 0.3, "low_load_increase": 0.25}
    econ = Economics(
        heat_rates={
            "coal": HeatRate(fuel="coal", **spec),
            "gas": HeatRate(fuel="gas", **{**spec, "rated_gce_per_kWh": 230}),
        }
    )
    assert _class_fuel(carriers, buses, gen, avail, econ) == _numpy_class_fuel(
        carriers, buses, gen, avail, econ
    )


def test_heat_rate_of_arrays_keeps_their_shape():
    spec = HeatRate(fuel="coal", rated_gce_per_kWh=300, min_load_pu=0.3, low_load_increase=0.25)
    lf = np.array([[1.0, 0.3], [0.1, 2.0]])
    np.testing.assert_array_equal(heat_rate(lf, spec), [[300.0, 375.0], [375.0, 300.0]])
    assert heat_rate(np.float64(1.0), spec).shape == ()


# -- the absorption room -------------------------------------------------------------------------


def _numpy_absorption_room(result, inputs):
    """The numpy statement of the rule the compiled pass replaced (reference)."""
    room = np.maximum(result.thermal - inputs.th_must, 0.0).sum(axis=1)
    room = room + np.maximum(inputs.flex_max[None, :] - result.flex_use, 0.0)
    for s in range(inputs.st_p.shape[0]):
        not_full = result.st_soc[:, s] < inputs.st_soc_max[s] * (1 - 1e-9) - 1e-6
        head_ = np.where(
            not_full,
            inputs.st_p[s] - result.st_charge[:, s] + result.st_discharge[:, s],
            result.st_discharge[:, s],
        )
        room[:, inputs.st_bus[s]] += np.maximum(head_, 0.0)
    for c in range(inputs.corr_cap.shape[0]):
        sched = inputs.schedule[:, c]
        above = np.maximum(result.corr_flow[:, c] - sched, 0.0)
        head_ = inputs.corr_surplus_pu[:, c] * np.maximum(inputs.corr_cap[c] - sched, 0.0) - above
        room[:, inputs.corr_bus[c]] += np.maximum(head_, 0.0)
    return room


def test_absorption_room_equals_the_numpy_statement_bit_for_bit(plan_six_weeks):
    _, inputs, _, result = plan_six_weeks
    room = absorption_room(result, inputs)
    assert room.shape == result.curtail.shape and room.max() > 0
    np.testing.assert_array_equal(room, _numpy_absorption_room(result, inputs))


# -- months --------------------------------------------------------------------------------------


def test_month_rows_are_slices_for_a_chronological_window_and_masks_otherwise():
    hours = pd.date_range("2030-01-30", periods=24 * 5, freq="h")  # 30 Jan - 3 Feb
    rows = month_rows(hours)
    assert rows[0] == slice(0, 48) and rows[1] == slice(48, 120)
    assert all(r == slice(0, 0) for r in rows[2:])
    values = np.arange(120.0 * 3).reshape(120, 3)
    month = hours.month.to_numpy()
    for m, r in zip(range(1, 13), rows, strict=True):
        assert values[r].sum() == values[month == m].sum()
    # hours out of order (a wrapped window): months that are not one run become masks
    shuffled = hours[np.r_[60:120, 0:60]]
    rows = month_rows(shuffled)
    month = shuffled.month.to_numpy()
    assert isinstance(rows[0], slice)  # January is still one run (hours 60..107 of the new order)
    assert isinstance(rows[1], np.ndarray)  # February: its two pieces are apart
    for m, r in zip(range(1, 13), rows, strict=True):
        np.testing.assert_array_equal(values[r], values[month == m])


# -- detaching from the pack cache, the key computed once ----------------------------------------


def test_detach_copies_exactly_the_variables_that_share_packed_memory(plan_six_weeks):
    s, inputs, index, result = plan_six_weeks
    ds = to_dataset(result, inputs, index, s, "kernel")
    ds["view_of_demand"] = (("snapshot",), inputs.demand[:, 1])  # a strided view
    ds["fresh"] = (("snapshot",), np.zeros(len(index.snapshots)))
    fresh = ds["fresh"].values
    cache.detach(ds, inputs, index)
    packed = [inputs.demand, inputs.schedule, inputs.corr_cap, index.gen_avail]
    for name, var in ds.variables.items():
        if isinstance(var.data, np.ndarray):
            assert not any(np.may_share_memory(var.data, a) for a in packed), name
    assert ds["fresh"].values is fresh  # not copied
    np.testing.assert_array_equal(ds["view_of_demand"].values, inputs.demand[:, 1])


def test_pinned_key_is_used_for_that_object_only_and_only_inside_the_block():
    a = scenario()
    b = scenario()
    with cache.pinned_key(a, "pinned"):
        assert cache.scenario_key(a) == "pinned"
        assert cache.scenario_key(b) == b.model_dump_json()
    assert cache.scenario_key(a) == a.model_dump_json()
