"""The pathway (energysim.pathway): exact interpolation, year scenarios, the run and bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr
import yaml

from energysim.exceptions import ConfigError
from energysim.pathway import Series, format_pathway, load_pathway, run_pathway, year_scenario

BASE = {
    "name": "tiny",
    "year": 2030,
    "buses": {
        "a": {"grid": "mengxi", "x": 110.0, "y": 40.0, "demand_share": 0.6},
        "b": {"grid": "mengdong", "x": 111.0, "y": 41.0, "demand_share": 0.4},
    },
    "demand": {"annual_TWh": 10.0},
    "generators": {
        "a-wind": {"bus": "a", "carrier": "wind", "p_nom": 600.0},
        "b-solar": {"bus": "b", "carrier": "solar", "p_nom": 400.0},
        "a-base-solar": {"bus": "a", "carrier": "solar", "p_nom": 500.0, "dedicated_to": "new"},
        "a-base-coal": {
            "bus": "a", "carrier": "coal", "p_nom": 300.0, "marginal_cost": 250,
            "dedicated_to": "new",
        },
        "b-coal": {"bus": "b", "carrier": "coal", "p_nom": 2500.0, "p_min_pu": 0.3,
                   "marginal_cost": 250},
    },
    "storage": {"a-st": {"bus": "a", "kind": "new_type", "p_nom": 100.0, "max_hours": 2}},
    "lines": {"a-b": {"bus0": "a", "bus1": "b", "p_nom": 800.0}},
    "corridors": {
        "old": {"bus": "b", "receiving_grid": "shandong", "p_nom": 300,
                "utilisation_hours": 3000, "in_service_year": 2020},
        "new": {"bus": "a", "receiving_grid": "jjj", "p_nom": 500,
                "utilisation_hours": 4000, "in_service_year": 2030},
    },
    "targets": {"new_energy_GW": 1.5, "new_type_storage_GW": 0.1, "new_energy_local_TWh": 1.0,
                "new_energy_export_TWh": 0.5, "demand_response_share": None},
}  # fmt: skip


def _write(tmp_path: Path, pathway: dict) -> Path:
    (tmp_path / "base.yaml").write_text(yaml.safe_dump(BASE), encoding="utf-8")
    path = tmp_path / "pathway.yaml"
    path.write_text(yaml.safe_dump(pathway), encoding="utf-8")
    return path


PATHWAY = {
    "name": "tiny-path",
    "base": "base.yaml",
    "years": [2026, 2027],
    "capacity_GW": {
        "new_energy": {"points": {2025: 1.0, 2030: 2.0}, "ramp": "linear"},
        "new_type_storage": {"points": {2025: 0.05, 2027: 0.15}},
    },
    "demand_TWh": {"points": {2025: 10.0, 2027: 12.1}, "ramp": "geometric"},
    "corridors": {"new": 2027},
}


def test_series_interpolates_exactly():
    s = Series(points={2025: 170.0, 2030: 325.0})
    assert [s.at(y) for y in range(2025, 2031)] == pytest.approx([170, 201, 232, 263, 294, 325])
    g = Series(points={2025: 100.0, 2027: 121.0}, ramp="geometric")
    assert g.at(2026) == pytest.approx(110.0)
    with pytest.raises(ValueError, match="outside"):
        s.at(2031)


def test_year_scenarios_have_the_interpolated_fleet(tmp_path):
    pathway, base, _ = load_pathway(_write(tmp_path, PATHWAY))
    s26 = year_scenario(pathway, base, 2026)
    s27 = year_scenario(pathway, base, 2027)
    # 2026: corridor 'new' not in service -> its base (500 MW solar, 300 MW coal) is removed;
    # 1.2 GW new energy all from the other fleets, split 600:400 -> 720 + 480
    assert s26.generators["a-base-solar"].p_nom == 0.0
    assert s26.generators["a-base-coal"].p_nom == 0.0
    assert s26.generators["a-wind"].p_nom == pytest.approx(720.0)
    assert s26.generators["b-solar"].p_nom == pytest.approx(480.0)
    # 2027: 'new' in service (pathway override of 2030); its 500 MW base stays, the other
    # fleets make up 1400 - 500 = 900 MW -> 540 + 360
    assert s27.generators["a-base-solar"].p_nom == pytest.approx(500.0)
    assert s27.generators["a-base-coal"].p_nom == pytest.approx(300.0)
    assert s27.generators["a-wind"].p_nom == pytest.approx(540.0)
    assert s27.generators["b-solar"].p_nom == pytest.approx(360.0)
    assert s27.corridors["new"].in_service_year == 2027
    # storage through capacity_totals_GW: 0.05 -> 0.15 GW linear over 2025..2027
    assert s26.storage["a-st"].p_nom == pytest.approx(100.0)
    assert s27.storage["a-st"].p_nom == pytest.approx(150.0)
    # demand: geometric 10 -> 12.1 TWh
    assert s26.demand.annual_TWh == pytest.approx(11.0)
    assert s27.demand.annual_TWh == pytest.approx(12.1)
    assert (s26.year, s27.year) == (2026, 2027)


def test_in_year_average_fleet(tmp_path):
    pathway, base, _ = load_pathway(_write(tmp_path, {**PATHWAY, "fleet": "in_year_average"}))
    s26 = year_scenario(pathway, base, 2026)
    # mean of the 2025 and 2026 year-ends: (1.0 + 1.2) / 2 = 1.1 GW, split 600:400
    assert s26.generators["a-wind"].p_nom == pytest.approx(660.0)
    assert s26.generators["b-solar"].p_nom == pytest.approx(440.0)
    assert s26.demand.annual_TWh == pytest.approx(11.0)  # demand is not averaged


def test_run_pathway_gives_a_year_dataset(tmp_path):
    ds = run_pathway(_write(tmp_path, PATHWAY))
    assert list(ds["year"].values) == [2026, 2027]
    np.testing.assert_allclose(ds["new_energy_capacity_GW"].sel(member=0), [1.2, 1.4])
    np.testing.assert_allclose(ds["new_type_storage_GW"].sel(member=0), [0.1, 0.15])
    np.testing.assert_allclose(ds["demand_TWh"].sel(member=0), [11.0, 12.1], rtol=1e-9)
    # the corridor 'new' sends only in 2027
    assert float(ds["export_TWh"].sel(year=2027, member=0)) > float(
        ds["export_TWh"].sel(year=2026, member=0)
    )
    # capacity targets: 1.5 GW never reached; 0.1 GW storage first met in 2026
    first = ds["first_met_year"].to_series()
    assert np.isnan(first["new_energy_GW"])
    assert first["new_type_storage_GW"] == 2026
    assert bool(ds["target_met"].sel(year=2027, target="new_type_storage_GW").all())
    for var in ("coal_Mtce", "co2_Mt", "levelised_system_cost_CNY_per_MWh"):
        assert var in ds
    text = format_pathway(ds)
    assert "2026" in text and "first met" in text and "weakest year" in text


def test_weather_years_add_members(tmp_path):
    ds = run_pathway(_write(tmp_path, {**PATHWAY, "years": [2026]}), weather_years=2)
    assert ds.sizes["member"] == 2
    assert ds["new_energy_used_TWh"].sel(year=2026, member=0) != pytest.approx(
        float(ds["new_energy_used_TWh"].sel(year=2026, member=1))
    )


@pytest.mark.parametrize(
    ("change", "field", "bad"),
    [
        ({"capacity_GW": {"nuclear": {"points": {2025: 1.0}}}}, "capacity_GW", "nuclear"),
        ({"years": [2026, 2031]}, "capacity_GW.new_energy", "2031"),
        ({"corridors": {"nope": 2027}}, "corridors.nope", "nope"),
        ({"base": "missing.yaml"}, "base", "missing.yaml"),
        ({"years": [2027, 2026]}, "years", "2027"),
    ],
)
def test_bad_pathway_names_file_field_and_value(tmp_path, change, field, bad):
    path = _write(tmp_path, {**PATHWAY, **change})
    with pytest.raises(ConfigError) as err:
        load_pathway(path)
    text = str(err.value)
    assert "pathway.yaml" in text and field in text and bad in text


def test_new_energy_below_the_dedicated_bases_is_an_error(tmp_path):
    change = {"capacity_GW": {"new_energy": {"points": {2025: 0.1, 2030: 0.4}}}, "years": [2027]}
    pathway, base, _ = load_pathway(_write(tmp_path, {**PATHWAY, **change}))
    with pytest.raises(ConfigError, match="cannot be reached"):
        year_scenario(pathway, base, 2027)


def test_shipped_pathway_loads_with_the_plan_trajectory(repo):
    pathway, base, _ = load_pathway(repo / "scenarios" / "pathways" / "plan-2026-2030.yaml")
    assert pathway.capacity_GW["new_energy"].at(2025) == 170.0
    assert pathway.capacity_GW["new_energy"].at(2030) == 325.0
    s = year_scenario(pathway, base, 2028)
    ne = sum(g.p_nom for g in s.generators.values() if g.carrier in ("wind", "solar", "csp"))
    assert ne == pytest.approx(263_000.0)
    assert all(series.source for series in pathway.capacity_GW.values())


def _pathway_like(members: int = 1) -> xr.Dataset:
    years = [2026, 2027, 2028]
    rng = np.arange(members)[None, :] * 0.5
    return xr.Dataset(
        {
            "new_energy_local_TWh": (("year", "member"), np.array([[250.0], [290], [330]]) + rng),
            "new_energy_export_TWh": (("year", "member"), np.array([[100.0], [150], [210]]) + rng),
            "new_energy_utilisation": (("year", "member"), np.array([[0.98], [0.88], [0.97]]) + 0 * rng),
            "utilisation_dip": ("year", [False, True, False]),
            "adequacy_dip": ("year", [False, False, False]),
            "target_value": ("target", [320.0, 200.0]),
        },
        coords={"year": years, "member": range(members),
                "target": ["new_energy_local_TWh", "new_energy_export_TWh"]},
    )  # fmt: skip


@pytest.mark.parametrize("members", [1, 3])
def test_pathway_chart_draws_bars_targets_and_utilisation(members):
    import matplotlib.pyplot as plt

    from energysim.plot.pathway import pathway_chart

    ax = pathway_chart(_pathway_like(members))
    bars = [p.get_height() for p in ax.patches if p.get_width() < 1]
    shift = 0.5 if members == 3 else 0.0  # the median member of 0, 0.5, 1.0
    np.testing.assert_allclose(bars, np.array([250, 290, 330, 100, 150, 210]) + shift)
    assert {round(line.get_ydata()[0]) for line in ax.get_lines()} >= {320, 200}
    util = ax.right_ax.get_lines()[0].get_ydata()
    np.testing.assert_allclose(util, [98.0, 88.0, 97.0])
    plt.close("all")


def test_pathway_chart_rejects_a_results_dataset():
    from energysim.exceptions import EnergysimError
    from energysim.plot.pathway import pathway_chart

    with pytest.raises(EnergysimError, match="pathway Dataset"):
        pathway_chart(xr.Dataset({"demand": ("snapshot", [1.0])}))


def test_pathway_per_sweep_point(tmp_path):
    path = _write(tmp_path, {**PATHWAY, "years": [2026]})
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(
        yaml.safe_dump(
            {
                "name": "coal",
                "base": "base.yaml",
                "axes": [
                    {"path": "generators.b-coal.p_nom", "name": "coal_MW", "values": [2500, 3000]}
                ],
            }
        ),
        encoding="utf-8",
    )
    from energysim.pathway import format_pathway_sweep, pathway_sweep

    ds = pathway_sweep(path, sweep)
    assert ds.sizes["point"] == 2
    assert list(ds["coal_MW"].values) == [2500, 3000]
    # capacity ratio = 1.2 GW new energy / coal (the dedicated coal is removed in 2026)
    np.testing.assert_allclose(
        ds["new_energy_over_thermal_capacity"].sel(year=2026, member=0), [1200 / 2500, 1200 / 3000]
    )
    assert "point 1 (coal_MW=3000)" in format_pathway_sweep(ds)


def test_cli_pathway_writes_the_dataset_and_rejects_bad_files(tmp_path, capsys):
    from energysim.cli import main

    path = _write(tmp_path, {**PATHWAY, "years": [2026]})
    out = tmp_path / "p.nc"
    assert main(["pathway", str(path), "-o", str(out)]) == 0
    assert "first met" in capsys.readouterr().out
    assert list(xr.open_dataset(out)["year"].values) == [2026]
    bad = _write(tmp_path, {**PATHWAY, "years": [2031]})
    assert main(["pathway", str(bad)]) == 2


def test_corridor_date_sets_its_year(tmp_path):
    import datetime

    change = {"corridors": {"new": datetime.date(2027, 6, 30)}}
    pathway, base, _ = load_pathway(_write(tmp_path, {**PATHWAY, **change}))
    s27 = year_scenario(pathway, base, 2027)
    assert s27.corridors["new"].in_service_year == 2027
    assert s27.generators["a-base-solar"].p_nom == pytest.approx(500.0)
