"""Property-based tests: on random small networks the kernel keeps every invariant and matches
its slow reference twin."""

from __future__ import annotations

import os

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from energysim.config import load_scenario_dict
from energysim.guards import check_invariants
from energysim.kernel import pack, run_kernel
from energysim.kernel.reference import dispatch_reference
from tests.helpers import profiles

CARRIERS = ["wind", "solar", "hydro", "coal", "coal_chp", "gas", "import"]


@st.composite
def networks(draw):
    nb = draw(st.integers(1, 5))
    buses = [f"b{i}" for i in range(nb)]
    shares = draw(st.lists(st.floats(0.05, 1.0), min_size=nb, max_size=nb))
    total = sum(shares)
    data = {
        "name": "random",
        "year": 2030,
        "buses": {
            b: {"grid": "mengxi", "x": 105.0 + i, "y": 40.0, "demand_share": sh / total}
            for i, (b, sh) in enumerate(zip(buses, shares, strict=True))
        },
        "demand": {"annual_TWh": draw(st.floats(1.0, 20.0))},
        "generators": {},
        "storage": {},
        "lines": {},
        "corridors": {},
    }
    # fix the rounding so shares sum to exactly 1 within the 1e-3 check
    for i in range(1, nb):  # a random tree: each bus links to an earlier one
        j = draw(st.integers(0, i - 1))
        data["lines"][f"l{i}"] = {
            "bus0": buses[i] if draw(st.booleans()) else buses[j],
            "bus1": buses[j],
            "p_nom": draw(st.floats(0.0, 1500.0)),
            "efficiency": draw(st.floats(0.8, 1.0)),
        }
        if data["lines"][f"l{i}"]["bus0"] == data["lines"][f"l{i}"]["bus1"]:
            data["lines"][f"l{i}"]["bus0"] = buses[i]
    for g in range(draw(st.integers(0, 6))):
        carrier = draw(st.sampled_from(CARRIERS))
        entry = {
            "bus": draw(st.sampled_from(buses)),
            "carrier": carrier,
            "p_nom": draw(st.floats(0.0, 2000.0)),
        }
        if carrier in ("coal", "coal_chp", "gas"):
            entry["p_min_pu"] = draw(st.floats(0.0, 0.5))
            entry["marginal_cost"] = draw(st.sampled_from([200.0, 250.0, 600.0]))
        if carrier == "import":  # a neighbouring grid's support: the last tier (h13-northeast)
            entry["marginal_cost"] = 800.0
        data["generators"][f"g{g}"] = entry
    for s in range(draw(st.integers(0, 3))):
        data["storage"][f"s{s}"] = {
            "bus": draw(st.sampled_from(buses)),
            "kind": draw(st.sampled_from(["new_type", "pumped_hydro"])),
            "p_nom": draw(st.floats(0.0, 800.0)),
            "max_hours": draw(st.floats(0.5, 8.0)),
            "efficiency_store": draw(st.floats(0.7, 1.0)),
            "efficiency_dispatch": draw(st.floats(0.7, 1.0)),
            "standing_loss": draw(st.floats(0.0, 0.01)),
            "state_of_charge_initial": draw(st.floats(0.0, 1.0)),
        }
    for c in range(draw(st.integers(0, 2))):
        cap = draw(st.floats(1.0, 1000.0))
        data["corridors"][f"c{c}"] = {
            "bus": draw(st.sampled_from(buses)),
            "receiving_grid": "shandong",
            "p_nom": cap,
            "utilisation_hours": draw(st.floats(0.0, 8760.0)),
            "in_service_year": 2020,
            "delivery_curve": draw(st.sampled_from(["flat", "solar_shaped", "receiving_load"])),
            "flexible_export": draw(st.booleans()),
            # surplus-market limits: share of headroom, hours of day, annual budget
            "surplus_share": draw(st.sampled_from([1.0, 0.5, 0.0])),
            "surplus_hours": draw(st.sampled_from([None, list(range(8, 20)), [0, 1, 2]])),
            "surplus_annual_TWh": draw(st.sampled_from([None, 0.0, 0.5, 5.0])),
        }
    if draw(st.booleans()):
        data["demand_response"] = {
            "share_of_peak": draw(st.floats(0.0, 0.2)),
            "mode": draw(st.sampled_from(["curtail", "shift"])),
            # budgets from none to more than a short run needs: rationing on and off
            "max_hours_per_year": draw(st.sampled_from([0.0, 2.0, 20.0, 2000.0, 8000.0])),
            "window_h": draw(st.integers(1, 12)),
        }
    flex = draw(st.integers(0, 2))
    data["flexible_loads"] = {
        f"f{i}": {
            "bus": draw(st.sampled_from(buses)),
            "kind": "electrolyser",
            "p_nom": draw(st.floats(0.0, 500.0)),
            "p_min_pu": draw(st.floats(0.0, 0.3)),
        }
        for i in range(flex)
    }
    if draw(st.booleans()):
        data["reserve"] = {
            "load_share": draw(st.floats(0.0, 0.3)),
            "contingency_MW": draw(st.sampled_from([None, 0.0, 150.0, 600.0])),
        }
    if draw(st.booleans()):
        months = st.lists(st.floats(0.0, 0.5), min_size=12, max_size=12)
        data["thermal_availability"] = {
            "maintenance": {"coal": draw(months), "gas": draw(months)},
            "forced_outage_rate": {
                "coal": draw(st.floats(0.0, 0.3)),
                "coal_chp": draw(st.floats(0.0, 0.3)),
            },
            "unit_size_MW": {"coal": draw(st.sampled_from([100.0, 600.0])), "gas": 300.0},
            "mean_time_to_repair_h": {"coal": draw(st.sampled_from([1.0, 5.0, 50.0]))},
        }
    hours = draw(st.integers(1, 48))
    seed = draw(st.integers(0, 2**16))
    outage_seed = draw(st.sampled_from([None, 0, 1]))
    return data, hours, seed, outage_seed


def _random_profiles(buses, hours, seed):
    rng = np.random.default_rng(seed)
    prof = profiles(buses, hours=hours)
    prof["wind"][:] = rng.uniform(0, 1, (hours, len(buses)))
    prof["solar"][:] = rng.uniform(0, 1, (hours, len(buses)))
    prof["load"][:] = rng.uniform(0.5, 1.5, (hours, len(buses)))
    prof["receiving_load"][:] = rng.uniform(0.5, 1.5, prof["receiving_load"].shape)
    return prof


@settings(
    max_examples=int(os.environ.get("ENERGYSIM_HYPOTHESIS_EXAMPLES", "120")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(networks())
def test_kernel_invariants_and_reference_parity(case):
    data, hours, seed, outage_seed = case
    scenario = load_scenario_dict(data)
    prof = _random_profiles(list(scenario.buses), hours, seed)
    inputs, _ = pack(scenario, prof, outage_seed=outage_seed)
    fast = run_kernel(inputs)
    check_invariants(None, fast, inputs)
    slow = dispatch_reference(inputs)
    check_invariants(None, slow, inputs)
    for name, a, b in zip(
        [f for f in fast.__dataclass_fields__], fast.arrays(), slow.arrays(), strict=True
    ):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-6, err_msg=name)
