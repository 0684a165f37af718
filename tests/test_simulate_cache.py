"""simulate() caches packing and the configuration text on content, never serving stale results."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

import energysim
from energysim import cache
from tests.helpers import profiles, scenario

GENERATORS = {
    "a-wind": {"bus": "a", "carrier": "wind", "p_nom": 800},
    "a-coal": {"bus": "a", "carrier": "coal", "p_nom": 1500, "marginal_cost": 250},
}


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _scenario():
    return scenario(generators=GENERATORS)


def test_second_call_reuses_the_pack_and_gives_the_same_dataset(monkeypatch):
    s = _scenario()
    first = energysim.simulate(s)
    calls = []
    import energysim.run as run

    real = run.pack
    monkeypatch.setattr(run, "pack", lambda *a, **k: calls.append(1) or real(*a, **k))
    second = energysim.simulate(s)
    assert calls == []  # served from the cache
    assert float(second.coal_TWh) == float(first.coal_TWh)
    np.testing.assert_array_equal(second.generator_p.values, first.generator_p.values)
    assert second.attrs["config"] == first.attrs["config"]


def test_a_scenario_changed_in_place_is_packed_again():
    s = _scenario()
    before = energysim.simulate(s)
    s.demand.annual_TWh = 2 * s.demand.annual_TWh  # validated assignment, same object
    after = energysim.simulate(s)
    assert float(after.demand.sum()) == pytest.approx(2 * float(before.demand.sum()), rel=1e-9)
    assert float(after.coal_TWh) > float(before.coal_TWh)
    assert yaml.safe_load(after.attrs["config"])["demand"]["annual_TWh"] == s.demand.annual_TWh
    # the same as a run with nothing cached
    cache.clear()
    fresh = energysim.simulate(s)
    assert float(fresh.coal_TWh) == float(after.coal_TWh)
    assert fresh.attrs["config"] == after.attrs["config"]


def test_a_nested_change_is_seen():
    s = _scenario()
    before = energysim.simulate(s)
    s.generators["a-wind"].p_nom = 0.0
    after = energysim.simulate(s)
    assert float(after.new_energy_used_TWh) == 0.0 < float(before.new_energy_used_TWh)


def test_profiles_changed_in_place_are_packed_again():
    s = _scenario()
    prof = profiles(["a"], hours=24, wind=0.5)
    before = energysim.simulate(s, profiles=prof)
    prof["wind"][:] = 0.0
    after = energysim.simulate(s, profiles=prof)
    assert float(after.new_energy_used_TWh) == 0.0 < float(before.new_energy_used_TWh)


def test_editing_a_returned_dataset_does_not_touch_the_cache():
    s = _scenario()
    first = energysim.simulate(s)
    demand = first.demand.values.copy()
    first["demand"].values[:] = -1.0
    first["generator_p_available"].values[:] = -1.0
    second = energysim.simulate(s)
    np.testing.assert_array_equal(second.demand.values, demand)
    assert float(second.generator_p_available.min()) >= 0.0


def test_config_yaml_is_the_plain_dump():
    s = _scenario()
    expected = yaml.safe_dump(s.model_dump(mode="json"), allow_unicode=True, sort_keys=False)
    assert cache.config_yaml(s) == expected
    assert cache.config_yaml(s) is cache.config_yaml(s)  # computed once
