"""The shipped scenarios: they load, hold the plan's capacities, build a clean PyPSA network, and
baseline-2025 reproduces the reported 2025 figures within the stated tolerances."""

from __future__ import annotations

import pytest

from energysim import build_network, load_scenario, simulate
from energysim.calibration import baseline_calibration
from energysim.cli import main
from energysim.kernel.pack import in_year_share
from energysim.results import validate_results


def _shipped(repo):
    return sorted((repo / "scenarios").glob("*.yaml"))


def test_every_shipped_scenario_validates(repo, capsys):
    paths = _shipped(repo)
    assert {p.stem for p in paths} >= {
        "baseline-2025",
        "plan-2030",
        "plan-2030-low-wind",
        "plan-2030-high-demand",
        "plan-2030-corridors-delayed",
        "plan-2030-storage-shortfall",
        "plan-2030-no-dr",
        "plan-2030-optimistic",
        "plan-2030-grid-expansion",
    }
    assert main(["validate", *map(str, paths)]) == 0
    out = capsys.readouterr().out
    assert out.count(": OK ") == len(paths)


def test_plan_2030_holds_the_plan_capacities(repo):
    s = load_scenario(repo / "scenarios" / "plan-2030.yaml")
    ne = sum(g.p_nom for g in s.generators.values() if g.carrier in ("wind", "solar", "csp"))
    storage = sum(st.p_nom for st in s.storage.values() if st.kind == "new_type")
    assert ne == pytest.approx(325_000.0)
    assert storage == pytest.approx(60_000.0)
    assert s.demand_response.share_of_peak >= 0.05


def test_network_is_consistent_and_holds_the_capacities(repo):
    n = build_network(repo / "scenarios" / "plan-2030.yaml")
    n.consistency_check(strict=["unknown_buses", "disconnected_buses"])
    ne = n.generators.query("carrier in ['wind', 'solar', 'csp']").p_nom.sum()
    storage = n.storage_units.query("carrier == 'new_type'").p_nom.sum()
    assert ne == pytest.approx(
        325_000.0
    )  # generators: p_nom of the year-end fleet, time in p_max_pu
    # storage: the in-year average (the 2030 additions enter on their in_service_date)
    s = load_scenario(repo / "scenarios" / "plan-2030.yaml")
    average = sum(
        st.p_nom * in_year_share(st.in_service_date, 2030)
        for st in s.storage.values()
        if st.kind == "new_type"
    )
    assert storage == pytest.approx(average)
    assert 50_000.0 < storage < 60_000.0
    assert len(n.snapshots) == 8760
    assert set(n.carriers.index) >= {"wind", "solar", "coal", "new_type", "export"}
    assert n.carriers.loc["wind", "color"].startswith("#")


def test_baseline_2025_reproduces_reported_figures(repo):
    ds = simulate(repo / "scenarios" / "baseline-2025.yaml")
    validate_results(ds)
    table = baseline_calibration(ds).set_index("label")
    assert table["within"].all(), table[["model", "reported", "error_pct", "tolerance_pct"]]


def test_central_case_fleet_timing_and_corridor_dates(repo):
    """plan-2030: year-end capacities hold the plan's 325/60 GW; the fleet that ran is smaller;
    送电江苏/安徽 are out of service in 2030, 蒙西—京津冀 runs all year."""
    ds = simulate(repo / "scenarios" / "plan-2030.yaml")
    assert float(ds.new_energy_capacity_GW) == pytest.approx(325.0)
    assert float(ds.new_type_storage_GW) == pytest.approx(60.0)
    out = set(ds.attrs["corridors_out_of_service"].split(","))
    assert {"desert-jiangsu", "desert-anhui"} <= out
    sched = ds.corridor_schedule.sel(corridor="mengxi-jjj")
    assert float(sched.min()) > 0
    kubuqi = ds.corridor_schedule.sel(corridor="kubuqi-shanghai")
    assert float(kubuqi.sel(snapshot="2030-01").max()) > 0  # in service since 2029-06-30
    optimistic = simulate(repo / "scenarios" / "plan-2030-optimistic.yaml")
    assert float(ds.new_energy_utilisation) < float(optimistic.new_energy_utilisation)
