"""The shipped scenarios: they load, hold the plan's capacities, build a clean PyPSA network, and
baseline-2025 reproduces the reported 2025 figures within the stated tolerances."""

from __future__ import annotations

import pytest

from energysim import build_network, load_scenario, simulate
from energysim.calibration import baseline_calibration
from energysim.cli import main
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
    assert ne == pytest.approx(325_000.0)
    assert storage == pytest.approx(60_000.0)
    assert len(n.snapshots) == 8760
    assert set(n.carriers.index) >= {"wind", "solar", "coal", "new_type", "export"}
    assert n.carriers.loc["wind", "color"].startswith("#")


def test_baseline_2025_reproduces_reported_figures(repo):
    ds = simulate(repo / "scenarios" / "baseline-2025.yaml")
    validate_results(ds)
    table = baseline_calibration(ds).set_index("label")
    assert table["within"].all(), table[["model", "reported", "error_pct", "tolerance_pct"]]
