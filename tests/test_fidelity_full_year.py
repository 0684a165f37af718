"""Full-year kernel vs LP on the shipped scenarios (slow: minutes of HiGHS per scenario).

Run with ``python -m pytest -m slow``. Targets from the kernel issue: new-energy utilisation within
2 percentage points of the LP optimum, local consumption and export within 3 %.
"""

from __future__ import annotations

import pytest

from energysim.fidelity import fidelity_table

pytestmark = [pytest.mark.slow, pytest.mark.lp]


# plan-2030 is outside the gates since the adequacy rules and the central case (measured: utilisation
# -2.18 pp, new-energy export -3.74 %; docs/kernel.md, "Measured gaps with the final rules"). Strict:
# the day the kernel is back within them, this test fails until the mark is removed.
PLAN_OUTSIDE_GATES = pytest.mark.xfail(
    strict=True, reason="kernel outside the 2 pp / 3 % gates on plan-2030 (docs/kernel.md)"
)


@pytest.mark.parametrize(
    "name", [pytest.param("plan-2030", marks=PLAN_OUTSIDE_GATES), "baseline-2025"]
)
def test_kernel_within_stated_gaps_of_the_lp(repo, name):
    table = fidelity_table(repo / "scenarios" / f"{name}.yaml")
    assert abs(table.loc["new_energy_utilisation", "gap"]) <= 2.0
    assert abs(table.loc["new_energy_local_TWh", "gap"]) <= 3.0
    assert abs(table.loc["new_energy_export_TWh", "gap"]) <= 3.0
