"""The reduced LP (generators merged per bus and kind, thermal reserve without variables) has
the same optimum as the LP over the scenario's own generators (issue 17)."""

from __future__ import annotations

import numpy as np
import pytest

from energysim.fidelity import compare
from energysim.kernel import pack
from energysim.lp import reserve_shortfall, solve_lp
from energysim.network import build_network_from_packed, generator_groups
from energysim.results.build import to_dataset
from tests.helpers import profiles, scenario

pytestmark = pytest.mark.lp

HOURS = 72
BUSES = {
    "a": {"grid": "mengxi", "x": 110.0, "y": 40.0, "demand_share": 0.3},
    "b": {"grid": "mengxi", "x": 111.0, "y": 40.0, "demand_share": 0.5},
    "c": {"grid": "mengxi", "x": 112.0, "y": 40.0, "demand_share": 0.2},
}
# several fleets of one kind and cost at a bus: a-wind + a-wind-2 + a-solar + a-csp merge (new
# energy), a-hydro stays apart (not new energy), b-coal + b-coal-2 merge (same tier), b-coal-3
# (dearer) and b-biomass do not
GENERATORS = {
    "a-wind": {"bus": "a", "carrier": "wind", "p_nom": 1500},
    "a-wind-2": {"bus": "a", "carrier": "wind", "p_nom": 1000, "capacity_factor_scale": 0.8},
    "a-solar": {"bus": "a", "carrier": "solar", "p_nom": 900},
    "a-csp": {"bus": "a", "carrier": "csp", "p_nom": 100},
    "a-hydro": {"bus": "a", "carrier": "hydro", "p_nom": 200},
    "b-solar": {"bus": "b", "carrier": "solar", "p_nom": 1500},
    "b-coal": {"bus": "b", "carrier": "coal", "p_nom": 1500, "p_min_pu": 0.2, "marginal_cost": 250},
    "b-coal-2": {
        "bus": "b",
        "carrier": "coal",
        "p_nom": 1000,
        "p_min_pu": 0.4,
        "marginal_cost": 250,
    },
    "b-coal-3": {"bus": "b", "carrier": "coal", "p_nom": 500, "marginal_cost": 300},
    "b-biomass": {"bus": "b", "carrier": "biomass", "p_nom": 100, "marginal_cost": 350},
    "c-gas": {"bus": "c", "carrier": "gas", "p_nom": 800, "marginal_cost": 600},
}
AVAILABILITY = {
    "maintenance": {"coal": [0.2] * 12, "gas": [0.1] * 12},
    "forced_outage_rate": {"coal": 0.05},
    "source": "test",
}


def _case(**extra):
    s = scenario(
        buses=BUSES,
        generators=GENERATORS,
        corridors={
            "x": {
                "bus": "a",
                "receiving_grid": "shandong",
                "p_nom": 800,
                "utilisation_hours": 4000,
                "in_service_year": 2020,
                "delivery_curve": "flat",
                "min_renewable_share": 0.5,
            }
        },
        lines={
            "ab": {"bus0": "a", "bus1": "b", "p_nom": 700, "efficiency": 0.97},
            "bc": {"bus0": "b", "bus1": "c", "p_nom": 400, "efficiency": 0.97},
        },
        storage={"a-bat": {"bus": "a", "kind": "new_type", "p_nom": 500, "max_hours": 4}},
        demand={"annual_TWh": 20.0},
        thermal_availability=AVAILABILITY,
        **{"reserve": {"load_share": 0.1, "contingency_MW": 300, "source": "test"}, **extra},
    )
    rng = np.random.default_rng(7)
    prof = profiles(list(BUSES), hours=HOURS)
    prof["wind"][:] = rng.uniform(0, 1, (HOURS, 3))
    day = np.arange(HOURS) % 24 / 24 * 2 * np.pi - np.pi / 2
    prof["solar"][:] = np.clip(np.sin(day), 0, 1)[:, None]
    prof["load"][:] = rng.uniform(0.8, 1.2, (HOURS, 3))
    return s, prof


def test_groups_merge_fleets_of_one_bus_kind_and_cost():
    s, prof = _case()
    _, index = pack(s, prof)
    groups = {tuple(index.generators[i] for i in g.members): g for g in generator_groups(s, index)}
    assert set(groups) == {
        ("a-wind", "a-wind-2", "a-solar", "a-csp"),
        ("a-hydro",),
        ("b-solar",),
        ("b-coal", "b-coal-2"),
        ("b-coal-3",),
        ("b-biomass",),
        ("c-gas",),
    }
    merged = groups[("b-coal", "b-coal-2")]
    assert (merged.kind, merged.bus, merged.p_nom, merged.marginal_cost) == (
        "thermal",
        "b",
        2500,
        250,
    )
    assert groups[("a-hydro",)].name == "a-hydro"  # a group of one keeps its name
    assert groups[("a-wind", "a-wind-2", "a-solar", "a-csp")].kind == "new_energy"
    # without aggregation: one group per generator, in scenario order
    assert [g.name for g in generator_groups(s, index, aggregate=False)] == list(GENERATORS)


def test_merged_generator_sums_availability_and_must_run():
    s, prof = _case()
    inputs, index = pack(s, prof)
    n = build_network_from_packed(s, inputs, index, aggregate=True)
    name = next(g.name for g in generator_groups(s, index) if len(g.members) == 2)
    cols = [index.generators.index("b-coal"), index.generators.index("b-coal-2")]
    p_nom = n.generators.p_nom[name]
    np.testing.assert_allclose(
        n.generators_t.p_max_pu[name] * p_nom, index.gen_avail[:, cols].sum(axis=1), rtol=1e-12
    )
    np.testing.assert_allclose(
        n.generators_t.p_min_pu[name] * p_nom, index.gen_must[:, cols].sum(axis=1), rtol=1e-12
    )


@pytest.mark.parametrize("penalty", [0.0, 5.0])
def test_reduced_lp_has_the_same_optimum(penalty):
    s, prof = _case(costs={"curtailment_penalty": penalty})
    inputs, index = pack(s, prof)
    full, n_full = solve_lp(s, inputs, index, aggregate=False)
    reduced, n_red = solve_lp(s, inputs, index, aggregate=True)
    assert len(n_red.generators) < len(n_full.generators)
    assert n_red.objective == pytest.approx(n_full.objective, rel=1e-6)
    table = compare(
        to_dataset(full, inputs, index, s, "lp"), to_dataset(reduced, inputs, index, s, "lp")
    )
    for name in table.index:
        assert table.loc[name, "kernel"] == pytest.approx(
            table.loc[name, "lp"], rel=1e-6, abs=1e-3
        ), name
    assert reduced.reserve_short.sum() == pytest.approx(full.reserve_short.sum(), abs=1e-3)


def test_reserve_slack_matches_the_kernels_definition():
    # the thermal headroom enters the reserve row as sum(available) - sum(p): at the optimum the
    # slack is the requirement not held by thermal and storage headroom, as the kernel defines it
    s, prof = _case(reserve={"load_share": 0.1, "contingency_MW": 2500, "source": "test"})
    inputs, index = pack(s, prof)
    result, n = solve_lp(s, inputs, index)
    slack = n.model.variables["Reserve-shortfall"].solution.to_numpy()
    # hours that cut load or exports hold none by definition; compare the others
    cut = result.dr_shed.sum(axis=1) + result.corr_short.sum(axis=1) + result.unserved.sum(axis=1)
    keep = cut <= 1e-3
    assert keep.sum() > HOURS // 2
    assert slack[keep].max() > 1.0  # the case exercises the reserve
    np.testing.assert_allclose(slack[keep], reserve_shortfall(result, inputs)[keep], atol=1e-3)
