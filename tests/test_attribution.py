"""Attribution: steps sum to the total change, and each step changes one assumption."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest

from energysim.attribution import HEADLINE_FIGURES, assumption_steps, attribute, waterfall
from energysim.config import Scenario
from energysim.exceptions import ConfigError
from energysim.run import simulate
from tests.helpers import profiles, scenario

HOURS = 72
BUSES = {
    "a": {"grid": "mengxi", "x": 110.0, "y": 40.0, "demand_share": 0.6},
    "b": {"grid": "mengxi", "x": 111.0, "y": 40.0, "demand_share": 0.4},
}


def _pair() -> tuple[Scenario, Scenario]:
    gens = {
        "wa": {"bus": "a", "carrier": "wind", "p_nom": 1500},
        "sb": {"bus": "b", "carrier": "solar", "p_nom": 800},
        "ca": {"bus": "a", "carrier": "coal", "p_nom": 1200, "p_min_pu": 0.2, "marginal_cost": 260},
        "hb": {
            "bus": "b",
            "carrier": "coal_chp",
            "p_nom": 400,
            "p_min_pu": 0.3,
            "marginal_cost": 240,
        },
    }
    corridors = {
        "x": {
            "bus": "a",
            "receiving_grid": "shandong",
            "p_nom": 600,
            "annual_TWh": 2.6,
            "in_service_year": 2020,
            "delivery_curve": "flat",
        }
    }
    lines = {"ab": {"bus0": "a", "bus1": "b", "p_nom": 600}}
    optimistic = scenario(
        name="opt", buses=BUSES, generators=gens, corridors=corridors, lines=lines
    )
    gens_c = {k: dict(v) for k, v in gens.items()}
    gens_c["ca"]["p_min_pu"] = 0.4  # floors
    gens_c["hb"]["marginal_cost"] = 260  # CHP priced as condensing coal
    gens_c["cap"] = {
        "bus": "b",
        "carrier": "coal",
        "p_nom": 100,
        "p_min_pu": 0.8,
        "marginal_cost": 260,
    }  # an added entry
    corr_c = {"x": dict(corridors["x"], flexible_export=False, support_floor_pu=0.3)}
    central = scenario(
        name="central",
        buses=BUSES,
        generators=gens_c,
        corridors=corr_c,
        lines={"ab": {"bus0": "a", "bus1": "b", "p_nom": 400}},
        demand={"annual_TWh": 9.5},
    )
    return optimistic, central


def _sim(s: Scenario, engine: str):
    prof = profiles(list(s.buses), hours=HOURS, wind=0.6, solar=0.3)
    return simulate(s, engine=engine, profiles=prof)


def test_each_step_changes_one_assumption():
    optimistic, central = _pair()
    steps = assumption_steps(optimistic, central)
    names = [s.name for s in steps]
    assert names == [
        "demand",
        "generators.p_nom (+ entries)",
        "generators.floors",
        "generators.marginal_cost",
        "lines.p_nom",
        "corridors.support_floor_pu",
        "corridors.surplus_market",
    ]
    # applying one step touches exactly the paths it names
    data = optimistic.model_dump(mode="python")
    step = steps[3]
    after = step.apply(data)
    assert "cap" not in after["generators"]
    assert after["generators"]["hb"]["marginal_cost"] == 260
    assert after["generators"]["ca"]["p_min_pu"] == 0.2  # not this step's
    assert after["corridors"] == data["corridors"]
    # all steps together give the end scenario (labels aside)
    for s in steps:
        data = s.apply(data)
    end = central.model_dump(mode="python")
    assert {k: v for k, v in data.items() if k != "name"} == {
        k: v for k, v in end.items() if k != "name"
    }


def test_label_fields_are_not_steps():
    optimistic, central = _pair()
    gens = {k: dict(v.model_dump(), source="other text") for k, v in central.generators.items()}
    relabelled = central.model_copy(
        update={"generators": {k: type(central.generators[k])(**v) for k, v in gens.items()}}
    )
    names = [s.name for s in assumption_steps(central, relabelled)]
    assert names == []


def test_steps_sum_to_the_total_change():
    optimistic, central = _pair()
    table = attribute(optimistic, central, simulate=_sim)
    start, end = table.attrs["start"], table.attrs["end"]
    direct = _sim(central, "kernel")
    moved = False
    for f in HEADLINE_FIGURES:
        assert end[f] == pytest.approx(float(direct[f]), rel=1e-12, abs=1e-12)
        total = end[f] - start[f]
        assert table[f].sum() == pytest.approx(total, rel=1e-9, abs=1e-12)
        moved |= abs(total) > 1e-9
    assert moved  # the pair differs in the figures, so the test can fail
    surplus = "corridors.surplus_market"
    assert table.loc[surplus, "new_energy_export_TWh"] <= 1e-9


def test_waterfall_draws_one_bar_per_step_plus_ends():
    optimistic, central = _pair()
    table = attribute(optimistic, central, simulate=_sim)
    ax = waterfall(table, "new_energy_utilisation")
    assert len(ax.patches) == len(table) + 2
    with pytest.raises(ValueError, match="not_a_figure"):
        waterfall(table, "not_a_figure")


def test_different_years_are_refused():
    optimistic, central = _pair()
    later = central.model_copy(update={"year": 2031})
    with pytest.raises(ConfigError, match="2031"):
        attribute(optimistic, later, simulate=_sim)
