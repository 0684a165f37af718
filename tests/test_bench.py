"""The benchmark suite's smoke mode: registry, plug-in loading, the table with gaps to the LP."""

from __future__ import annotations

import energysim.bench.builtin  # noqa: F401 - registers the built-in cases and engines
from energysim.bench import ENGINES
from energysim.bench.runner import load_plugins, run_benchmarks
from energysim.cli.bench import format_bench


def test_smoke_run_with_the_example_plugin(repo):
    loaded = load_plugins([repo / "benchmarks" / "plugins"])
    assert any(p.endswith("example_kernel.py") for p in loaded) or "example-no-reserve" in ENGINES
    table = run_benchmarks(
        ["synthetic-hours-168"], ["kernel", "example-no-reserve", "lp"], quick=True
    )
    assert set(table.engine) == {"kernel", "example-no-reserve", "lp"}
    row = table.set_index("engine").loc["example-no-reserve"]
    assert row["hours"] == 168 and row["median_s"] > 0
    # gaps to the LP are reported for every engine; the LP's own gap is zero
    assert table.set_index("engine").loc["lp", "gap_new_energy_utilisation"] == 0.0
    assert abs(row["gap_new_energy_utilisation"]) < 5.0
    text = format_bench(table)
    assert "example-no-reserve" in text and "Δutil pp" in text
