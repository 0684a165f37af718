"""The new-energy accounting convention on a hand-computed example (docs/kernel.md)."""

from __future__ import annotations

import numpy as np
import pytest

from energysim.accounting import corridor_new_energy
from energysim.kernel import pack, run_kernel
from energysim.results.build import to_dataset
from tests.helpers import profiles, scenario

TWO = {
    "a": {"grid": "mengxi", "x": 110.0, "y": 40.0, "demand_share": 0.5},
    "b": {"grid": "mengxi", "x": 111.0, "y": 40.0, "demand_share": 0.5},
}


def test_corridor_new_energy_convention():
    # bus 0 generates 1000 MW, 600 MW of it new energy (50 MW from y's dedicated plants);
    # x sends 200 with a 100 MW schedule (100 MW above schedule = surplus new energy);
    # y sends its 200 MW schedule, 50 MW from its dedicated plants.
    # The other supply at bus 0 is 1000 - 100 - 50 = 850 MW with 600 - 100 - 50 = 450 MW new energy.
    # bus 1 generates 400 MW, 40 MW new energy; z sends 100 MW scheduled -> 10 % new energy.
    share0 = 450 / 850
    out = corridor_new_energy(
        corridor_p=np.array([[200.0, 200.0, 100.0]]),
        corridor_scheduled=np.array([[100.0, 200.0, 100.0]]),
        corridor_bus=np.array([0, 0, 1]),
        dedicated_ne=np.array([[0.0, 50.0, 0.0]]),
        ne_used_bus=np.array([[600.0, 40.0]]),
        supply_bus=np.array([[1000.0, 400.0]]),
    )
    np.testing.assert_allclose(out, [[100 + 100 * share0, 50 + 150 * share0, 10.0]])


def test_annual_accounting_by_hand():
    # one bus, 3 h: wind 1500 MW available; demand 1000; coal must-run 200; corridor 300 MW
    # flat schedule 100 MW, may take surplus; storage 100 MW / 1 h, efficiency 1 each way, empty.
    s = scenario(
        generators={
            "w": {"bus": "a", "carrier": "wind", "p_nom": 1500},
            "c": {
                "bus": "a",
                "carrier": "coal",
                "p_nom": 1000,
                "p_min_pu": 0.2,
                "marginal_cost": 250,
            },
        },
        storage={
            "st": {
                "bus": "a",
                "kind": "new_type",
                "p_nom": 100,
                "max_hours": 1,
                "efficiency_store": 1.0,
                "efficiency_dispatch": 1.0,
                "state_of_charge_initial": 0.0,
            }
        },
        corridors={
            "x": {
                "bus": "a",
                "receiving_grid": "shandong",
                "p_nom": 300,
                "annual_TWh": 0.876,
                "in_service_year": 2020,
                "delivery_curve": "flat",
                "min_renewable_share": 0.5,
            }
        },
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
    # new energy used = 1200 + 300 + 1200 = 2700 MWh
    # corridor new energy: hours 0 and 2: 200 above schedule + 100 x (1000 / 1200) of the bus's
    # other supply; hour 1: 100 x 300 / (300 + 700 coal + 100 storage)
    export_ne = 2 * (200 + 100 * 1000 / 1200) + 100 * 300 / 1100
    assert float(ds.new_energy_used_TWh) * 1e6 == pytest.approx(2700.0)
    assert float(ds.new_energy_export_TWh) * 1e6 == pytest.approx(export_ne)
    assert float(ds.new_energy_local_TWh) * 1e6 == pytest.approx(2700 - export_ne)
    assert float(ds.corridor_renewable_share.sel(corridor="x")) == pytest.approx(export_ne / 700)
    assert float(ds.new_energy_utilisation) == pytest.approx(2700 / 3300)
    # consumption: demand 3000 (storage ends empty, no losses); weight = local renewables / 3000
    assert float(ds.consumption_TWh) * 1e6 == pytest.approx(3000.0)
    assert float(ds.renewable_weight) == pytest.approx((2700 - export_ne) / 3000)
    assert float(ds.coal_TWh) * 1e6 == pytest.approx(1100.0)


def test_storage_losses_count_as_local_consumption():
    s = scenario(
        generators={"w": {"bus": "a", "carrier": "wind", "p_nom": 2000}},
        storage={
            "st": {
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
    inputs, index = pack(s, profiles(["a"], hours=2, wind=np.array([0.75, 0.25])))
    ds = to_dataset(run_kernel(inputs), inputs, index, s, "kernel")
    # hour 0: 1500 available, 1000 demand, 500 charged (450 stored); hour 1: 500 + 405 discharged
    assert float(ds.storage_losses_TWh) * 1e6 == pytest.approx(95.0)
    assert float(ds.new_energy_local_TWh) * 1e6 == pytest.approx(2000.0)
    assert float(ds.unserved_MWh) == pytest.approx(95.0)


def test_dedicated_thermal_serves_its_corridor_first():
    # corridor x (200 MW scheduled) has 150 MW of dedicated coal: 150 MW coal, the other 50 MW
    # takes the bus's other mix: 400 MW new energy of 1000 - 150 = 850 MW
    out = corridor_new_energy(
        corridor_p=np.array([[200.0]]),
        corridor_scheduled=np.array([[200.0]]),
        corridor_bus=np.array([0]),
        dedicated_ne=np.array([[0.0]]),
        ne_used_bus=np.array([[400.0]]),
        supply_bus=np.array([[1000.0]]),
        dedicated_all=np.array([[150.0]]),
    )
    np.testing.assert_allclose(out, [[50 * 400 / 850]])
