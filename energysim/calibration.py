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

from energysim.constants import NEW_ENERGY_CARRIERS

logger = logging.getLogger(__name__)

__all__ = [
    "BASELINE_FACTS",
    "CUT_REFERENCE_2025",
    "CUT_REFERENCE_2025_H",
    "GRID_UTILISATION_2021",
    "UTILISATION_TOLERANCE_PP",
    "baseline_calibration",
    "baseline_cut_rows",
    "format_baseline",
    "format_cut_rows",
    "format_grid_rows",
    "format_imports",
    "grid_utilisation",
    "grid_utilisation_rows",
]


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
        "new_energy_utilisation",
        "new-energy utilisation",
        0.93,
        "1",
        4.0,
        "bound, no 2025 IM figure (facts.md §4: published as images): national monthly rates "
        "2024 wind 93.7-95.8 %, PV 93.4-96.2 % (全国新能源消纳监测预警中心 via m.jifa88.com "
        "2024-04, bailiqin.com 2025-01); 蒙西 2021 wind 88.5-91.2 % (facts.md §4) -> 0.93 +-4 % "
        "(89.3-96.7 %)",
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


GRID_UTILISATION_2021: dict[str, dict[str, float]] = {
    "mengxi": {"wind": 0.885, "solar": 0.963},
    "mengdong": {"wind": 0.967, "solar": 0.991},
}
"""Jan-May 2021 utilisation rates by grid (全国新能源消纳监测预警中心, facts.md §4): the last
published split. 蒙西 curtails more than 蒙东; the baseline should show the same ordering."""


def grid_utilisation(results: xr.Dataset) -> pd.DataFrame:
    """New-energy utilisation per provincial grid and carrier from a results Dataset.

    Returns
    -------
    pandas.DataFrame
        Index ``grid`` (mengxi, mengdong), columns ``wind``, ``solar`` and ``new_energy``:
        generated / available over the year, p.u.
    """
    grid_of_bus = dict(zip(results.bus.values, results.bus_grid.values, strict=True))
    grid = [grid_of_bus[b] for b in results.generator_bus.values]
    gen = results.generator_p.sum("snapshot").to_series()
    avail = results.generator_p_available.sum("snapshot").to_series()
    frame = pd.DataFrame(
        {"grid": grid, "carrier": results.carrier.values, "used": gen.values, "avail": avail.values}
    )
    frame = frame[frame.carrier.isin(NEW_ENERGY_CARRIERS)]
    out = {}
    for g, part in frame.groupby("grid"):
        row = {}
        for carrier in ("wind", "solar"):
            c = part[part.carrier == carrier]
            row[carrier] = c.used.sum() / c.avail.sum() if c.avail.sum() > 0 else float("nan")
        row["new_energy"] = (
            part.used.sum() / part.avail.sum() if part.avail.sum() > 0 else float("nan")
        )
        out[g] = row
    return pd.DataFrame(out).T.rename_axis("grid")


UTILISATION_TOLERANCE_PP = 5.0
"""How far a grid's modelled 2025 utilisation may lie from its Jan-May 2021 rate, percentage points
(assumption: four years and a doubled fleet apart, the 2021 split is an ordering check, not a
level; national 2024-25 rates moved by a few points, facts.md §4)."""


def grid_utilisation_rows(results: xr.Dataset) -> pd.DataFrame:
    """Wind and solar utilisation per provincial grid against the 2021 split, and their ordering.

    Parameters
    ----------
    results : xarray.Dataset
        A results Dataset (``generator_p``, ``generator_p_available``, ``carrier``,
        ``generator_bus``, ``bus_grid``).

    Returns
    -------
    pandas.DataFrame
        One row per (grid, carrier) of :data:`GRID_UTILISATION_2021`, then one ``order`` row per
        carrier; columns ``label``, ``model``, ``reported`` (p.u.), ``diff_pp``, ``within``
        (``|diff_pp| <= UTILISATION_TOLERANCE_PP``; for an order row: 蒙西 below 蒙东 as in
        2021) and ``source``.
    """
    from energysim.adequacy import GRID_LABELS

    table = grid_utilisation(results)
    source = "全国新能源消纳监测预警中心, Jan-May 2021 (facts.md §4)"
    rows = []
    for grid, by_carrier in GRID_UTILISATION_2021.items():
        for carrier, reported in by_carrier.items():
            model = float(table.loc[grid, carrier]) if grid in table.index else float("nan")
            diff = (model - reported) * 100
            rows.append(
                {
                    "label": f"{carrier} utilisation, {GRID_LABELS.get(grid, grid)}",
                    "model": model,
                    "reported": reported,
                    "diff_pp": diff,
                    "within": abs(diff) <= UTILISATION_TOLERANCE_PP,
                    "source": source,
                }
            )
    for carrier in ("wind", "solar"):
        if {"mengxi", "mengdong"} <= set(table.index):
            west, east = table.loc["mengxi", carrier], table.loc["mengdong", carrier]
            rows.append(
                {
                    "label": f"{carrier}: 蒙西 below 蒙东",
                    "model": float(west - east),
                    "reported": GRID_UTILISATION_2021["mengxi"][carrier]
                    - GRID_UTILISATION_2021["mengdong"][carrier],
                    "diff_pp": float("nan"),
                    "within": bool(west < east),
                    "source": source,
                }
            )
    return pd.DataFrame(rows)


def _pad(label: str, width: int) -> str:
    """``label`` left-aligned in ``width`` terminal columns (a CJK character takes two)."""
    wide = sum(1 for ch in label if ord(ch) > 0x2E80)
    return f"{label:{width - wide}s}"


def format_grid_rows(table: pd.DataFrame) -> str:
    """The rows of :func:`grid_utilisation_rows` as text, percentages (the source once)."""
    lines = [f"{'figure':30s} {'model':>8s} {'2021':>8s} {'diff':>8s}  ok"]
    for _, r in table.iterrows():
        diff = "" if pd.isna(r.diff_pp) else f"{r.diff_pp:+6.1f}pp"
        lines.append(
            f"{_pad(r.label, 30)} {r.model * 100:7.1f}% {r.reported * 100:7.1f}% {diff:>8s}  "
            f"{'yes' if r.within else 'NO'}"
        )
    if len(table):
        lines.append(
            f"reference: {table.source.iloc[0]}; tolerance {UTILISATION_TOLERANCE_PP:g} pp "
            "(assumption: the 2021 split checks the ordering, not the level)"
        )
    return "\n".join(lines)


def format_imports(results: xr.Dataset) -> str:
    """One line: the Northeast-grid support (imports) of a results Dataset."""
    if "import_TWh" not in results or float(results["import_hours"]) <= 0:
        return "imports from neighbouring grids: none"
    return (
        f"met with Northeast-grid support (imports at 蒙东's ties): "
        f"{float(results['import_hours']):,.0f} h, {float(results['import_TWh']):,.2f} TWh, "
        f"largest {float(results['import_max_MW']) / 1e3:,.1f} GW"
    )


CUT_REFERENCE_2025_H = 0.0
"""Export-cut hours per grid the baseline-2025 is compared with, h (see :data:`CUT_REFERENCE_2025`)."""

CUT_REFERENCE_2025 = (
    "assumption: no export-schedule cut in 2025 is reported in the sources of facts.md (§2: 2025 "
    "total export 350 TWh, 21st year #1; §2: State Grid 蒙东 2024 export 212.26 TWh, max export "
    "power 41.69 GW); an absence of reports, not a published zero. 蒙东 is part of the Northeast "
    "grid, which backs 扎鲁特 and the 500 kV ties; the model represents it as imports at 赤峰 and "
    "通辽 (generators of carrier 'import', docs/data.md), so a schedule the Northeast grid "
    "supports is not cut (docs/adequacy.md, 'Reading the cut hours')"
)
"""Evidence and reasoning behind :data:`CUT_REFERENCE_2025_H`."""


def baseline_cut_rows(results: xr.Dataset) -> pd.DataFrame:
    """Export-cut hours per provincial grid of a baseline-2025 Dataset against 2025 (no cuts).

    Shows the model's boundary artefact to the user: a grid whose corridors are cut in the
    baseline year, when none were reported, is one whose cuts in later years need care.

    Parameters
    ----------
    results : xarray.Dataset
        A results Dataset with ``grid_export_cut_hours``, ``grid_export_shortfall_TWh`` and
        ``grid_export_cut_max_MW`` (dim ``grid``).

    Returns
    -------
    pandas.DataFrame
        One row per grid; columns ``grid``, ``label``, ``model`` (h), ``reported`` (h),
        ``unit``, ``shortfall_TWh``, ``max_MW``, ``within`` (model <= reported) and ``source``.
    """
    from energysim.adequacy import GRID_LABELS

    if "grid_export_cut_hours" not in results:
        msg = (
            "baseline_cut_rows: the results Dataset has no 'grid_export_cut_hours'; expected a "
            "Dataset from energysim.results.build.to_dataset (any engine)"
        )
        raise ValueError(msg)
    rows = []
    for g in results["grid"].values:
        hours = float(results["grid_export_cut_hours"].sel(grid=g))
        rows.append(
            {
                "grid": str(g),
                "label": f"export-cut hours, {GRID_LABELS.get(str(g), str(g))}",
                "model": hours,
                "reported": CUT_REFERENCE_2025_H,
                "unit": "h",
                "shortfall_TWh": float(results["grid_export_shortfall_TWh"].sel(grid=g)),
                "max_MW": float(results["grid_export_cut_max_MW"].sel(grid=g)),
                "within": hours <= CUT_REFERENCE_2025_H,
                "source": CUT_REFERENCE_2025,
            }
        )
    return pd.DataFrame(rows)


def format_cut_rows(table: pd.DataFrame) -> str:
    """The export-cut rows of :func:`baseline_cut_rows` as text (the source once, below)."""
    lines = [f"{'figure':30s} {'model':>9s} {'reported':>9s} {'cut':>9s} {'largest':>8s}  ok"]
    for _, r in table.iterrows():
        lines.append(
            f"{_pad(r.label, 30)} {r.model:7,.0f} h {r.reported:7,.0f} h {r.shortfall_TWh:5.2f} TWh "
            f"{r.max_MW / 1e3:5.1f} GW  {'yes' if r.within else 'NO'}"
        )
    if len(table):
        lines.append(f"reference: {table.source.iloc[0]}")
    return "\n".join(lines)


def format_baseline(table: pd.DataFrame) -> str:
    """The baseline comparison as text."""
    lines = [
        f"{'figure':30s} {'model':>9s} {'reported':>9s} {'error':>8s} {'tol.':>6s}  ok  source"
    ]
    for _, r in table.iterrows():
        lines.append(
            f"{r.label:30s} {r.model:9.3g} {r.reported:9.3g} {r.error_pct:+7.1f}% "
            f"{r.tolerance_pct:5.0f}%  {'yes' if r.within else 'NO ':3s} {r.source}"
        )
    return "\n".join(lines)
