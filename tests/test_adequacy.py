"""Adequacy figures, targets, capacity balance and outage draws on tiny cases with known answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from energysim.adequacy import HOUR_EPS_MW, adequacy_figures, receiving_peak_mask
from energysim.results.schema import validate_results
from energysim.run import simulate
from tests.helpers import profiles, scenario


def test_receiving_peak_mask_is_the_top_decile_per_corridor():
    load = np.stack([np.arange(10.0), np.ones(10)], axis=1)  # region 0 rising, region 1 flat
    mask = receiving_peak_mask(load, [1, 0, 0])
    assert mask.shape == (10, 3)
    # region 0: the 90 % quantile is 8.1, so only the last hour; region 1: ties, every hour
    assert mask[:, 0].all()
    assert mask[:, 1].tolist() == [False] * 9 + [True]
    assert (mask[:, 1] == mask[:, 2]).all()


def test_adequacy_figures_by_hand():
    # 8 hours: 31 January 20:00-23:00 and 1 February 00:00-03:00
    snaps = pd.date_range("2030-01-31 20:00", periods=8, freq="h")
    unserved = np.zeros((8, 2))
    unserved[1] = [0.05, 0.04]  # 0.09 MW: below HOUR_EPS_MW, energy still counted
    unserved[2] = [10.0, 5.0]
    unserved[5] = [0.0, 20.0]
    short = np.zeros((8, 2))
    short[0] = [100.0, 0.0]
    short[3] = [50.0, 200.0]
    short[6] = [0.0, 0.05]
    peak = np.zeros((8, 2), dtype=bool)
    peak[0:4, 0] = True  # corridor 0 peaks in January's hours, corridor 1 at hour 6 only
    peak[6, 1] = True
    reserve = np.zeros(8)
    reserve[4] = 30.0
    reserve[7] = 0.2
    assert HOUR_EPS_MW == 0.1
    f = adequacy_figures(snaps, unserved, short, peak, reserve)
    assert f["loss_of_load_hours"] == 2
    assert f["export_cut_hours"] == 2
    assert f["export_cut_max_MW"] == pytest.approx(250.0)
    assert f["export_cut_max_hour"] == 3
    # peak part: 100 (hour 0) + 50 (hour 3, corridor 0) + 0.05 (hour 6, below the hour threshold)
    assert f["export_cut_peak_hours"] == 2
    assert f["export_cut_peak_TWh"] == pytest.approx(150.05e-6)
    assert f["reserve_shortfall_hours"] == 2
    assert f["reserve_shortfall_MWh"] == pytest.approx(30.2)
    assert f["corridor_cut_hours"].tolist() == [2.0, 1.0]
    jan, feb = 0, 1
    assert f["loss_of_load_hours_monthly"][[jan, feb]].tolist() == [1.0, 1.0]
    assert f["unserved_MWh_monthly"][[jan, feb]] == pytest.approx([15.09, 20.0])
    assert f["export_cut_hours_monthly"][[jan, feb]].tolist() == [2.0, 0.0]
    assert f["export_shortfall_TWh_monthly"][[jan, feb]] == pytest.approx([350e-6, 0.05e-6])
    assert f["export_cut_max_MW_monthly"][[jan, feb]] == pytest.approx([250.0, 0.05])
    assert f["export_cut_peak_hours_monthly"][[jan, feb]].tolist() == [2.0, 0.0]
    assert f["reserve_shortfall_hours_monthly"][[jan, feb]].tolist() == [0.0, 2.0]
    assert f["reserve_shortfall_MWh_monthly"][[jan, feb]] == pytest.approx([0.0, 30.2])
    for name in [k for k in f if k.endswith("_monthly")]:
        assert f[name].shape == (12,)
        assert (f[name][2:] == 0).all()


def test_no_cut_means_no_largest_cut_hour():
    snaps = pd.date_range("2030-07-01", periods=3, freq="h")
    f = adequacy_figures(
        snaps, np.zeros((3, 1)), np.zeros((3, 2)), np.ones((3, 2), dtype=bool), np.zeros(3)
    )
    assert f["export_cut_max_hour"] == -1
    assert f["export_cut_hours"] == 0
    assert f["export_cut_max_MW"] == 0


# demand 1000 MW mean: 1000 (h0-11), 500 (h12-17), 1200 (h18-21), 2100 (h22-23)
LOAD = np.array([1.0] * 12 + [0.5] * 6 + [1.2] * 4 + [2.1] * 2)
TIGHT = {
    "generators": {"c": {"bus": "a", "carrier": "coal", "p_nom": 1600, "marginal_cost": 250}},
    "corridors": {
        "x": {
            "bus": "a",
            "receiving_grid": "jjj",
            "p_nom": 500,
            "utilisation_hours": 8760,
            "in_service_year": 2020,
            "delivery_curve": "flat",
        }
    },
}


def tight_profiles() -> object:
    """24 January hours; the receiving grid's load rises through the day (peak: hours 21-23)."""
    p = profiles(["a"], hours=24, load=LOAD)
    p["receiving_load"].loc[{"region": "jjj"}] = np.arange(24.0)
    return p


def test_kernel_results_carry_the_adequacy_figures():
    ds = simulate(scenario(**TIGHT), profiles=tight_profiles())
    validate_results(ds)
    # 1600 MW coal for demand + 500 MW schedule: cut 100 MW at h18-21 (1200 MW demand); at
    # h22-23 the whole schedule is cut and 2100 MW demand leaves 500 MW unserved
    short = ds.corridor_shortfall.sel(corridor="x").values
    assert short == pytest.approx([0.0] * 18 + [100.0] * 4 + [500.0] * 2)
    assert ds.unserved.sum("bus").values == pytest.approx([0.0] * 22 + [500.0] * 2)
    assert float(ds.loss_of_load_hours) == 2
    assert float(ds.unserved_MWh) == pytest.approx(1000.0)
    assert float(ds.export_cut_hours) == 6
    assert float(ds.export_shortfall_TWh) == pytest.approx(1400e-6)
    assert float(ds.export_cut_max_MW) == pytest.approx(500.0)
    assert float(ds.export_cut_max_hour) == 22
    # receiving peak: load >= its 90 % quantile (20.7): hours 21, 22, 23
    assert float(ds.export_cut_peak_hours) == 3
    assert float(ds.export_cut_peak_TWh) == pytest.approx(1100e-6)
    assert ds.corridor_cut_hours.sel(corridor="x").item() == 6
    assert ds.export_cut_hours_monthly.sel(month=1).item() == 6
    assert float(ds.export_cut_hours_monthly.sum()) == 6
    assert ds.unserved_MWh_monthly.sel(month=1).item() == pytest.approx(1000.0)
