"""A point that only sets capacity totals skips re-validation (issue 17): the same scenario as
validating the merged data, and the same errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from sweep_base import BASE

from energysim.config import load_scenario, load_scenario_dict
from energysim.exceptions import ConfigError
from energysim.sweep.worker import Payload, _State, apply_overrides, point_scenario

REPO = Path(__file__).resolve().parents[2]


def _state(base: dict) -> _State:
    return _State(Payload("test", base, ("renewable_weight",), False, frozenset()))


def _full(base: dict, overrides: list) -> object:
    return load_scenario_dict(apply_overrides(base, overrides), file="<sweep point>")


TOTALS = [
    [("capacity_totals_GW.new_type_storage", 2.5)],
    [("capacity_totals_GW.new_type_storage", 0)],  # an int, as YAML gives it
    [("capacity_totals_GW.pumped_hydro", 0.1), ("capacity_totals_GW.new_type_storage", 0.75)],
    [("capacity_totals_GW.corridors", 3.0)],
    [("capacity_totals_GW.new_energy", 9.0), ("capacity_totals_GW.coal", 1.0)],
]


@pytest.mark.parametrize("overrides", TOTALS)
def test_totals_point_equals_the_validated_merge(overrides):
    base = load_scenario_dict(BASE).model_dump()
    state = _state(base)
    fast = point_scenario(state, overrides)
    assert fast.model_dump() == _full(base, overrides).model_dump()
    assert fast.capacity_totals_GW == {}
    # the base is validated once and never changed by a point
    assert state.validated([]).model_dump() == load_scenario_dict(base).model_dump()


def test_totals_point_scales_the_class_by_hand():
    base = load_scenario_dict(BASE).model_dump()
    s = point_scenario(_state(base), [("capacity_totals_GW.new_type_storage", 2.0)])
    # 600 + 400 MW of new-type storage scaled to 2 GW, the split kept; pumped hydro untouched
    assert s.storage["a-bat"].p_nom == pytest.approx(1200.0, rel=1e-12)
    assert s.storage["b-bat"].p_nom == pytest.approx(800.0, rel=1e-12)
    assert s.storage["b-phs"].p_nom == 300.0


@pytest.mark.skipif(not (REPO / "scenarios/plan-2030.yaml").is_file(), reason="no plan-2030")
def test_totals_point_equals_the_validated_merge_on_plan_2030():
    base = load_scenario(REPO / "scenarios/plan-2030.yaml").model_dump()
    state = _state(base)
    for overrides in ([("capacity_totals_GW.new_type_storage", 61.25)], TOTALS[2]):
        assert point_scenario(state, overrides).model_dump() == _full(base, overrides).model_dump()


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ([("capacity_totals_GW.fusion", 1.0)], "unknown key"),
        ([("capacity_totals_GW.new_type_storage", -1.0)], "greater than or equal to 0"),
        ([("capacity_totals_GW.solar_thermal", 1.0)], "unknown key"),
    ],
)
def test_totals_point_errors_are_those_of_the_full_path(overrides, words):
    base = load_scenario_dict(BASE).model_dump()
    with pytest.raises(ConfigError) as fast:
        point_scenario(_state(base), overrides)
    with pytest.raises(ConfigError) as full:
        _full(base, overrides)
    assert str(fast.value) == str(full.value)
    assert words in str(fast.value) and "capacity_totals_GW" in str(fast.value)


def test_nothing_to_scale_is_the_full_path_error():
    data = {k: v for k, v in BASE.items()}
    data["storage"] = {k: v for k, v in BASE["storage"].items() if v["kind"] == "new_type"}
    base = load_scenario_dict(data).model_dump()
    overrides = [("capacity_totals_GW.pumped_hydro", 1.0)]
    with pytest.raises(ConfigError, match="no pumped_hydro capacity to scale") as fast:
        point_scenario(_state(base), overrides)
    with pytest.raises(ConfigError) as full:
        _full(base, overrides)
    assert str(fast.value) == str(full.value)


@pytest.mark.parametrize(
    "others",
    [
        [("storage.a-bat.max_hours", 1.5)],
        [("corridors.b-out.in_service_year", 2031), ("targets.renewable_weight", 0.4)],
        [("storage.b-bat.kind", "pumped_hydro")],  # changes which units the total scales
    ],
)
def test_totals_with_other_overrides_equal_the_validated_merge(others):
    base = load_scenario_dict(BASE).model_dump()
    state = _state(base)
    for gw in (2.0, 3.0):  # the second point reuses the first one's validated scenario
        overrides = [*others, ("capacity_totals_GW.new_type_storage", gw)]
        s = point_scenario(state, overrides)
        assert s.model_dump() == _full(base, overrides).model_dump()
    assert len(state.scenarios._items) == 1  # validated once for both points


def test_other_override_errors_are_those_of_the_full_path():
    base = load_scenario_dict(BASE).model_dump()
    for overrides in (
        [("storage.a-bat.max_hours", -1.0)],
        [("storage.a-bat.max_hours", -1.0), ("capacity_totals_GW.new_type_storage", 2.0)],
        [("storage.a-bat.bus", "nowhere"), ("capacity_totals_GW.new_type_storage", 2.0)],
    ):
        with pytest.raises(ConfigError) as fast:
            point_scenario(_state(base), overrides)
        with pytest.raises(ConfigError) as full:
            _full(base, overrides)
        assert str(fast.value) == str(full.value)
