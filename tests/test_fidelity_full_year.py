"""Full-year kernel vs LP on the shipped scenarios (slow: minutes of HiGHS per scenario).

Run with ``python -m pytest -m slow``. Targets from the kernel issue: new-energy utilisation within
2 percentage points of the LP optimum, local consumption and export within 3 %.
"""

from __future__ import annotations

import pytest

from energysim.fidelity import fidelity_table

pytestmark = [pytest.mark.slow, pytest.mark.lp]


# Both shipped central cases are hard gates. plan-2030 was outside them after the adequacy rules and
# the central case (-2.18 pp, -3.74 %) until the storage room rule (docs/kernel.md, "Storage room
# for the surplus ahead"): -1.07 pp, -1.07 % local, -1.27 % exported against the saved LP.
@pytest.mark.parametrize("name", ["plan-2030", "baseline-2025"])
def test_kernel_within_stated_gaps_of_the_lp(repo, name):
    table = fidelity_table(repo / "scenarios" / f"{name}.yaml")
    assert abs(table.loc["new_energy_utilisation", "gap"]) <= 2.0
    assert abs(table.loc["new_energy_local_TWh", "gap"]) <= 3.0
    assert abs(table.loc["new_energy_export_TWh", "gap"]) <= 3.0
