"""The new-energy accounting convention on a hand-computed example (docs/kernel.md)."""

from __future__ import annotations

import numpy as np
import pytest

from energysim.kernel import pack, run_kernel
from energysim.results.build import corridor_new_energy, to_dataset
from tests.helpers import profiles, scenario

TWO = {
    "a": {"grid": "mengxi", "x": 110.0, "y": 40.0, "demand_share": 0.5},
    "b": {"grid": "mengxi", "x": 111.0, "y": 40.0, "demand_share": 0.5},
}


def test_corridor_new_energy_first_at_sending_bus():
    # hour 0: bus 0 makes 300 MW new energy; corridors x (200) and y (200) leave bus 0
    # -> together they take 300 MW of new energy, shared 150/150; z leaves bus 1 with none.
    flows = np.array([[200.0, 200.0, 100.0], [50.0, 0.0, 100.0]])
    ne_used = np.array([[300.0, 0.0], [300.0, 40.0]])
    out = corridor_new_energy(flows, np.array([0, 0, 1]), ne_used)
    np.testing.assert_allclose(out, [[150.0, 150.0, 0.0], [50.0, 0.0, 40.0]])


def test_annual_accounting_by_hand():
    # one bus, 3 h: wind 1500 MW available; demand 1000; coal must-run 200; corridor 300 MW
    # flat schedule 100 MW, may take surplus; storage 100 MW / 1 h, efficiency 1 each way, empty.
    s = scenario(
        generators={
            "w": {"bus": "a", "carrier": "wind", "p_nom": 1500},
            "c": {"bus": "a", "carrier": "coal", "p_nom": 1000, "p_min_pu": 0.2,
                  "marginal_cost": 250},
        },
        storage={"st": {"bus": "a", "kind": "new_type", "p_nom": 100, "max_hours": 1,
                        "efficiency_store": 1.0, "efficiency_dispatch": 1.0,
                        "state_of_charge_initial": 0.0}},
        corridors={"x": {"bus": "a", "receiving_grid": "shandong", "p_nom": 300,
                         "annual_TWh": 0.876, "in_service_year": 2020, "delivery_curve": "flat",
                         "min_renewable_share": 0.5}},
    )
    inputs, index = pack(s, profiles(["a"], hours=3, wind=np.array([1.0, 0.2, 1.0])))
    r = run_kernel(inputs)
    ds = to_dataset(r, inputs, index, s, "kernel")
    # hour 0: supply 1500+200, use 1000+100 -> surplus 600: storage 100, corridor +200, curtail 300
    # hour 1: supply 300+200, use 1100 -> deficit 600: storage 100, coal +500
    # hour 2: as hour 0 but storage may charge again (empty after hour 1)
    np.testing.assert_allclose(r.curtail[:, 0], [300.0, 0.0, 300.0])
    np.testing.assert_allclose(r.corr_flow[:, 0], [300.0, 100.0, 300.0])
    np.testing.assert_allclose(r.thermal[:, 0, 0], [200.0, 700.0, 200.0])
    # new energy used = 1200 + 300 + 1200 = 2700 MWh; corridor new energy = min(flow, NE used)
    assert float(ds.new_energy_used_TWh) * 1e6 == pytest.approx(2700.0)
    assert float(ds.new_energy_export_TWh) * 1e6 == pytest.approx(300 + 100 + 300)
    assert float(ds.new_energy_local_TWh) * 1e6 == pytest.approx(2700 - 700)
    assert float(ds.corridor_renewable_share.sel(corridor="x")) == pytest.approx(1.0)
    assert float(ds.new_energy_utilisation) == pytest.approx(2700 / 3300)
    # consumption: demand 3000 + storage losses 0 ; renewable weight = (2700 - 700) / 3000
    assert float(ds.consumption_TWh) * 1e6 == pytest.approx(3000.0)
    assert float(ds.renewable_weight) == pytest.approx(2000 / 3000)
    assert float(ds.coal_TWh) * 1e6 == pytest.approx(1100.0)


def test_storage_losses_count_as_local_consumption():
    s = scenario(
        generators={"w": {"bus": "a", "carrier": "wind", "p_nom": 2000}},
        storage={"st": {"bus": "a", "kind": "new_type", "p_nom": 500, "max_hours": 2,
                        "efficiency_store": 0.9, "efficiency_dispatch": 0.9,
                        "state_of_charge_initial": 0.0}},
    )
    inputs, index = pack(s, profiles(["a"], hours=2, wind=np.array([0.75, 0.25])))
    ds = to_dataset(run_kernel(inputs), inputs, index, s, "kernel")
    # hour 0: 1500 available, 1000 demand, 500 charged (450 stored); hour 1: 500 + 405 discharged
    assert float(ds.storage_losses_TWh) * 1e6 == pytest.approx(95.0)
    assert float(ds.new_energy_local_TWh) * 1e6 == pytest.approx(2000.0)
    assert float(ds.unserved_MWh) == pytest.approx(95.0)
