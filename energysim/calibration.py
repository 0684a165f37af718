"""``energysim calibrate``: synthetic profiles against real series, baseline-2025 against statistics.

The profile half is :mod:`energysim.profiles.calibration`. The system half runs the shipped
``baseline-2025`` scenario with the kernel and compares its year with the reported 2025 figures in
``shared/plan/facts.md``; each row states the source, the tolerance we aim for and whether it is
met.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pandas as pd
import xarray as xr

logger = logging.getLogger(__name__)

__all__ = ["BASELINE_FACTS", "baseline_calibration", "format_baseline"]


@dataclass(frozen=True)
class Fact:
    """A reported 2025 figure the baseline is compared with."""

    variable: str
    label: str
    reported: float
    unit: str
    tolerance_pct: float
    source: str


BASELINE_FACTS: tuple[Fact, ...] = (
    Fact(
        "new_energy_used_TWh",
        "new-energy generation",
        270.0,
        "TWh",
        3.0,
        "facts.md §2: 2025 NE generation 270 TWh (能源局 year review)",
    ),
    Fact("export_TWh", "total export", 350.0, "TWh", 3.0, "facts.md §2: 2025 total export 350 TWh"),
    Fact(
        "new_energy_export_TWh",
        "new-energy export",
        90.0,
        "TWh",
        10.0,
        "facts.md §2: 2025 green export 90 TWh",
    ),
    Fact(
        "new_energy_local_TWh",
        "new energy consumed locally",
        163.0 * 12 / 11,
        "TWh",
        5.0,
        "derived: Jan-Nov 2025 NE local 163 TWh (Xinhua, facts.md §2) x 12/11",
    ),
    Fact(
        "consumption_TWh",
        "consumption",
        497.0 * 12 / 11,
        "TWh",
        3.0,
        "derived: Jan-Nov 2025 consumption ≈ 497 TWh (facts.md §2) x 12/11",
    ),
)


def baseline_calibration(results: xr.Dataset) -> pd.DataFrame:
    """Compare a baseline-2025 results Dataset with :data:`BASELINE_FACTS`.

    Returns
    -------
    pandas.DataFrame
        Columns ``label``, ``model``, ``reported``, ``unit``, ``error_pct``, ``tolerance_pct``,
        ``within``, ``source``.
    """
    rows = []
    for fact in BASELINE_FACTS:
        model = float(results[fact.variable])
        error = (model - fact.reported) / fact.reported * 100
        rows.append(
            {
                "label": fact.label,
                "model": model,
                "reported": fact.reported,
                "unit": fact.unit,
                "error_pct": error,
                "tolerance_pct": fact.tolerance_pct,
                "within": abs(error) <= fact.tolerance_pct,
                "source": fact.source,
            }
        )
    return pd.DataFrame(rows)


def format_baseline(table: pd.DataFrame) -> str:
    """The baseline comparison as text."""
    lines = [
        f"{'figure':30s} {'model':>9s} {'reported':>9s} {'error':>8s} {'tol.':>6s}  ok  source"
    ]
    for _, r in table.iterrows():
        lines.append(
            f"{r.label:30s} {r.model:9.1f} {r.reported:9.1f} {r.error_pct:+7.1f}% "
            f"{r.tolerance_pct:5.0f}%  {'yes' if r.within else 'NO ':3s} {r.source}"
        )
    return "\n".join(lines)
