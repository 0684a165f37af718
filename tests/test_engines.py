"""The one engine seam: lookup, guards, plug-ins usable by simulate, check, sweeps and bench."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import energysim.run
from energysim import engines
from energysim.cli import main
from energysim.engines import EngineSpec, dispatch, get_engine, register_engine
from energysim.exceptions import EnergysimError, KernelError
from energysim.feasibility import check
from energysim.kernel import run_kernel
from energysim.run import packed, simulate
from tests.helpers import profiles, scenario


@pytest.fixture
def tiny():
    s = scenario(
        generators={
            "w": {"bus": "a", "carrier": "wind", "p_nom": 1500},
            "c": {"bus": "a", "carrier": "coal", "p_nom": 1200, "p_min_pu": 0.2},
        },
        storage={"st": {"bus": "a", "kind": "new_type", "p_nom": 200, "max_hours": 2}},
    )
    return s, profiles(["a"], hours=24, wind=np.linspace(0, 1, 24))


@pytest.fixture
def plugin():
    """A plug-in engine for the test: the kernel with its storage reserve removed."""

    def run(scenario, inputs, index):
        return run_kernel(
            dataclasses.replace(inputs, storage_reserve=np.zeros_like(inputs.storage_reserve))
        )

    spec = register_engine(EngineSpec("test-plugin", run, "test plug-in", compiled=True))
    yield spec
    engines.REGISTRY.pop(spec.name)


def test_unknown_engine_names_the_known_ones(tiny):
    s, prof = tiny
    with pytest.raises(EnergysimError, match=r"engine 'nope' is not known; expected one of kernel"):
        simulate(s, engine="nope", profiles=prof)
    assert main(["run", "x.yaml", "-o", "x.nc", "--engine", "nope"]) == 2


def test_a_name_registers_once():
    with pytest.raises(EnergysimError, match="already registered"):
        register_engine(EngineSpec("kernel", lambda s, i, x: None))


def test_builtin_engines_agree_through_the_seam(tiny):
    s, prof = tiny
    _, inputs, index = packed(s, prof)
    k = dispatch(s, inputs, index, "kernel", guards=True)
    r = dispatch(s, inputs, index, "reference", guards=True)
    np.testing.assert_allclose(k.curtail, r.curtail, atol=1e-9)
    assert get_engine("lp").is_reference_optimum and get_engine("kernel").compiled


def test_guards_catch_a_plugin_that_breaks_the_balance(tiny):
    s, prof = tiny
    _, inputs, index = packed(s, prof)

    def leaky(scenario, inputs, index):
        result = run_kernel(inputs)
        result.unserved[3, 0] += 5.0  # 5 MW appear from nowhere
        return result

    register_engine(EngineSpec("test-leaky", leaky))
    try:
        with pytest.raises(KernelError, match="energy balance at index \\(3, 0\\)"):
            dispatch(s, inputs, index, "test-leaky", guards=True)
        dispatch(s, inputs, index, "test-leaky", guards=False)  # unchecked on request
    finally:
        engines.REGISTRY.pop("test-leaky")


def test_a_plugin_runs_in_simulate_and_check(tiny, plugin, monkeypatch):
    s, prof = tiny
    ds = simulate(s, engine=plugin.name, profiles=prof)
    assert ds.attrs["engine"] == plugin.name and float(ds.new_energy_used_TWh) > 0
    monkeypatch.setattr(energysim.run, "scenario_profiles", lambda _s: prof)
    table = check(s, engine=plugin.name)
    assert len(table) and set(table.scenario) == {"test"}


def test_bench_checks_invariants_before_timing(tiny, monkeypatch):
    import energysim.bench.builtin  # noqa: F401 - registers the cases
    from energysim.bench.runner import run_benchmarks

    def broken(scenario, inputs, index):
        result = run_kernel(inputs)
        result.curtail[:] = -1.0  # negative curtailment: outside its bounds
        return result

    def old_signature(inputs, scenario, index):  # the order before the seam
        return run_kernel(inputs)

    register_engine(EngineSpec("test-broken", broken))
    register_engine(EngineSpec("test-old", old_signature))
    try:
        table = run_benchmarks(
            ["synthetic-hours-168"], ["kernel", "test-broken", "test-old"], quick=True
        )
    finally:
        engines.REGISTRY.pop("test-broken")
        engines.REGISTRY.pop("test-old")
    assert list(table.engine) == ["kernel"]  # the broken plug-ins were not timed


def test_plugins_load_from_the_plugin_folder(repo):
    found = engines.load_plugins([repo / "benchmarks" / "plugins"])
    assert any(p.endswith("example_kernel.py") for p in found)
    assert "example-no-reserve" in engines.REGISTRY
    assert engines.load_plugins([repo / "benchmarks" / "plugins"]) == found  # imported once
