"""Results written back into the PyPSA network: ``n.statistics`` agrees with the Dataset.

Two weeks of plan-2030 with the kernel, through :func:`energysim.to_pypsa`, figure by figure:
supply per carrier, curtailment of the zero-cost carriers, optimal (= installed) capacity,
capacity factor, storage charge and discharge, corridor sending.
"""

from __future__ import annotations

import numpy as np
import pytest

import energysim
from energysim.engines import simulate_packed
from energysim.exceptions import EnergysimError
from energysim.kernel.pack import head
from energysim.run import packed

TWO_WEEKS = 24 * 14


@pytest.fixture(scope="module")
def case(repo_root):
    scenario, inputs, index = packed(repo_root / "scenarios" / "plan-2030.yaml")
    inputs, index = head(inputs, index, TWO_WEEKS)
    ds = simulate_packed(scenario, inputs, index)
    return ds, energysim.to_pypsa(ds)


@pytest.fixture(scope="module")
def repo_root():
    from pathlib import Path

    return Path(__file__).resolve().parents[1]


def _sum(series, keys):
    """Sum of ``series`` over ``keys`` (statistics drop rows that are all zero)."""
    return float(series.reindex(list(keys), fill_value=0.0).sum())


def _by_carrier(ds, values):
    return values.groupby(ds["carrier"]).sum().to_series()


def test_supply_per_carrier(case):
    ds, n = case
    supply = n.statistics.supply(components="Generator", groupby="carrier", nice_names=False)
    energy = _by_carrier(ds, ds.generator_p.sum("snapshot"))
    for carrier, mwh in energy.items():
        assert _sum(supply, [carrier]) == pytest.approx(mwh, rel=1e-9, abs=1e-6), carrier
    assert _sum(supply, ["wind", "solar", "csp"]) / 1e6 == pytest.approx(
        float(ds.new_energy_used_TWh)
    )
    assert _sum(supply, ["coal", "coal_chp"]) / 1e6 == pytest.approx(float(ds.coal_TWh))
    assert _sum(supply, ["unserved"]) == pytest.approx(float(ds.unserved_MWh), abs=1e-6)
    assert _sum(supply, ["demand_response"]) / 1e6 == pytest.approx(
        float(ds.demand_response_TWh), abs=1e-9
    )


def test_curtailment_of_the_zero_cost_carriers(case):
    ds, n = case
    curtailed = n.statistics.curtailment(
        components="Generator", groupby="carrier", nice_names=False
    )
    assert _sum(curtailed, ["wind", "solar", "csp"]) / 1e6 == pytest.approx(
        float(ds.new_energy_curtailed_TWh), rel=1e-9
    )
    assert _sum(curtailed, ["wind", "solar", "csp", "hydro"]) == pytest.approx(
        float(ds.curtailment.sum()), rel=1e-9
    )
    assert float(ds.new_energy_curtailed_TWh) > 0  # the case does curtail


def test_optimal_capacity_is_the_installed_capacity(case):
    ds, n = case
    optimal = n.statistics.optimal_capacity(
        components="Generator", groupby="carrier", nice_names=False
    )
    installed = n.statistics.installed_capacity(
        components="Generator", groupby="carrier", nice_names=False
    )
    assert optimal["wind"] > 0
    np.testing.assert_allclose(optimal[installed.index], installed)
    assert _sum(optimal, ["wind", "solar", "csp"]) / 1e3 == pytest.approx(
        float(ds.new_energy_capacity_GW)
    )
    storage = n.statistics.optimal_capacity(
        components="StorageUnit", groupby="carrier", nice_names=False
    )
    assert storage["new_type"] / 1e3 == pytest.approx(float(ds.new_type_storage_GW))


def test_capacity_factor(case):
    ds, n = case
    cf = n.statistics.capacity_factor(components="Generator", groupby="carrier", nice_names=False)
    energy = _by_carrier(ds, ds.generator_p.sum("snapshot"))
    p_nom = n.generators.groupby("carrier").p_nom.sum()
    for carrier in ("wind", "solar", "coal"):
        assert cf[carrier] == pytest.approx(energy[carrier] / (p_nom[carrier] * TWO_WEEKS))
        assert 0 < cf[carrier] < 1


def test_storage_charge_discharge_and_state(case):
    ds, n = case
    supply = n.statistics.supply(components="StorageUnit", nice_names=False).sum()
    withdrawal = n.statistics.withdrawal(components="StorageUnit", nice_names=False).sum()
    assert supply == pytest.approx(float(ds.storage_discharge.sum()))
    assert withdrawal == pytest.approx(float(ds.storage_charge.sum()))
    soc = n.storage_units_t.state_of_charge[list(ds.storage_unit.values)].to_numpy()
    np.testing.assert_allclose(soc, ds.state_of_charge.values)


def test_corridors_and_lines(case):
    ds, n = case
    corridors = n.links_t.p0[list(ds.corridor.values)].sum().sum() / 1e6
    assert corridors == pytest.approx(float(ds.export_TWh))
    losses = (n.links_t.p0 + n.links_t.p1)[
        [str(c) for c in n.links.index if n.links.carrier[c] != "export"]
    ]
    assert losses.sum().sum() / 1e6 == pytest.approx(float(ds.line_losses_TWh), rel=1e-6)


def test_results_without_their_profiles_are_refused(case):
    ds, _ = case
    changed = ds.copy()
    changed["demand"] = changed["demand"] * 1.01
    with pytest.raises(EnergysimError, match="pass the profiles they were computed with"):
        energysim.to_pypsa(changed)
