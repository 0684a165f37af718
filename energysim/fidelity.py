"""Kernel against the LP optimum on the same network: the key figures and their gaps."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pandas as pd
import xarray as xr

from energysim.config import Scenario
from energysim.engines import dispatch
from energysim.kernel.pack import head
from energysim.results.build import to_dataset
from energysim.run import packed

logger = logging.getLogger(__name__)

__all__ = ["FIGURES", "compare", "fidelity_table", "format_fidelity"]

# figure -> (label, kind of gap): "pp" = percentage points, "rel" = relative %, "abs" = absolute
FIGURES: dict[str, tuple[str, str]] = {
    "new_energy_used_TWh": ("new energy used, TWh", "rel"),
    "new_energy_utilisation": ("new-energy utilisation", "pp"),
    "new_energy_curtailed_TWh": ("curtailment, TWh", "abs"),
    "new_energy_local_TWh": ("new energy consumed locally, TWh", "rel"),
    "new_energy_export_TWh": ("new energy exported, TWh", "rel"),
    "export_TWh": ("export, TWh", "rel"),
    "coal_TWh": ("coal generation, TWh", "rel"),
    "unserved_MWh": ("unserved energy, MWh", "abs"),
}


def compare(kernel: xr.Dataset, lp: xr.Dataset) -> pd.DataFrame:
    """Key figures of two results Datasets side by side, with the gap of each.

    Returns
    -------
    pandas.DataFrame
        Index: figure names; columns ``label``, ``kernel``, ``lp``, ``gap``, ``gap_unit``.
        Gaps are kernel minus LP: in percentage points for shares, relative (%) for TWh figures
        and absolute otherwise.
    """
    rows = []
    for name, (label, kind) in FIGURES.items():
        k, o = float(kernel[name]), float(lp[name])
        if kind == "pp":
            gap, unit = (k - o) * 100, "pp"
        elif kind == "rel":
            gap, unit = ((k - o) / abs(o) * 100 if abs(o) > 1e-9 else 0.0), "%"
        else:
            gap, unit = k - o, name.rsplit("_", 1)[-1]
        rows.append(
            {"figure": name, "label": label, "kernel": k, "lp": o, "gap": gap, "gap_unit": unit}
        )
    return pd.DataFrame(rows).set_index("figure")


def fidelity_table(
    scenario: Scenario | str | Path, hours: int | None = None, solver_options: dict | None = None
) -> pd.DataFrame:
    """Run the kernel and the LP on one scenario-year (or its first ``hours``) and compare.

    The table's ``attrs`` hold the run times (``kernel_s``, ``lp_s``) and ``hours``.
    """
    scenario, inputs, index = packed(scenario)
    if hours is not None:
        inputs, index = head(inputs, index, hours)
    dispatch(scenario, inputs, index, "kernel")  # compile outside the timing
    t0 = time.perf_counter()
    k_result = dispatch(scenario, inputs, index, "kernel")
    t_kernel = time.perf_counter() - t0
    t0 = time.perf_counter()
    lp_result = dispatch(scenario, inputs, index, "lp", solver_options=solver_options)
    t_lp = time.perf_counter() - t0
    kernel_ds = to_dataset(k_result, inputs, index, scenario, "kernel")
    lp_ds = to_dataset(lp_result, inputs, index, scenario, "lp")
    table = compare(kernel_ds, lp_ds)
    table.attrs.update(
        {
            "kernel_s": t_kernel,
            "lp_s": t_lp,
            "hours": len(index.snapshots),
            "scenario": scenario.name,
        }
    )
    return table


def format_fidelity(table: pd.DataFrame, title: str = "") -> str:
    """A readable text table of :func:`fidelity_table`'s result."""
    lines = []
    if title:
        lines.append(f"{title}  ({table.attrs.get('hours', '?')} h)")
    lines.append(f"{'figure':36s} {'kernel':>12s} {'LP':>12s} {'gap':>10s}")
    for _, row in table.iterrows():
        lines.append(
            f"{row['label']:36s} {row['kernel']:12.4g} {row['lp']:12.4g} "
            f"{row['gap']:+9.2f} {row['gap_unit']}"
        )
    if "kernel_s" in table.attrs:
        k, lp = table.attrs["kernel_s"], table.attrs["lp_s"]
        lines.append(f"time: kernel {k * 1e3:.2f} ms, LP {lp:.1f} s, LP/kernel {lp / k:,.0f}x")
    return "\n".join(lines)
