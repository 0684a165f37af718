"""The plan's targets: what each one reads from a results Dataset, its direction, and the verdict.

One table (:data:`TARGETS`) used by ``energysim check`` (:mod:`energysim.feasibility`), the sweeps'
``meets_*`` figures, the charts and the report. A new target is one :class:`TargetSpec` row here,
a field of :class:`energysim.config.schema.Targets` and an annual variable in
:data:`energysim.results.schema.VARIABLES`.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from energysim.constants import FAIL, PASS, PASS_OPTIMAL

if TYPE_CHECKING:
    import xarray as xr

    from energysim.config.schema import Scenario

logger = logging.getLogger(__name__)

__all__ = [
    "format_number",
    "COLUMNS",
    "FAIL",
    "PASS",
    "PASS_OPTIMAL",
    "SCHEDULE_TOLERANCE",
    "TARGETS",
    "TargetSpec",
    "margin",
    "meets",
    "target_rows",
]


@dataclass(frozen=True)
class TargetSpec:
    """One target: the results variable it reads, its direction, label and unit."""

    field: str  # attribute of scenario.targets
    variable: str  # results Dataset variable
    sense: str  # ">=" or "<="
    label: str
    unit: str
    operational: bool  # depends on the dispatch (False: a pure capacity target)


TARGETS: tuple[TargetSpec, ...] = (
    TargetSpec("new_energy_GW", "new_energy_capacity_GW", ">=", "new-energy capacity", "GW", False),
    TargetSpec("new_type_storage_GW", "new_type_storage_GW", ">=", "new-type storage", "GW", False),
    TargetSpec(
        "demand_response_share", "demand_response_share", ">=", "demand response / peak", "1", False
    ),
    TargetSpec(
        "new_energy_local_TWh",
        "new_energy_local_TWh",
        ">=",
        "new energy consumed locally",
        "TWh",
        True,
    ),
    TargetSpec(
        "new_energy_export_TWh", "new_energy_export_TWh", ">=", "new energy exported", "TWh", True
    ),
    TargetSpec(
        "renewable_weight", "renewable_weight", ">=", "renewable consumption weight", "1", True
    ),
    TargetSpec(
        "new_energy_utilisation",
        "new_energy_utilisation",
        ">=",
        "new-energy utilisation",
        "1",
        True,
    ),
    TargetSpec("max_unserved_MWh", "unserved_MWh", "<=", "unserved energy", "MWh", True),
    TargetSpec(
        "new_energy_over_thermal_generation",
        "new_energy_over_thermal_generation",
        ">=",
        "new-energy / thermal generation",
        "x",
        True,
    ),
    TargetSpec(
        "new_energy_over_thermal_capacity",
        "new_energy_over_thermal_capacity",
        ">=",
        "new-energy / thermal capacity",
        "x",
        False,
    ),
    TargetSpec(
        "max_loss_of_load_hours", "loss_of_load_hours", "<=", "loss-of-load hours", "h", True
    ),
    TargetSpec(
        "max_export_cut_hours",
        "export_cut_hours",
        "<=",
        "export schedules met (hours cut)",
        "h",
        True,
    ),
    TargetSpec(
        "max_reserve_shortfall_hours",
        "reserve_shortfall_hours",
        "<=",
        "reserve held (hours short)",
        "h",
        True,
    ),
)

COLUMNS = [
    "scenario",
    "target",
    "label",
    "unit",
    "sense",
    "value",
    "target_value",
    "margin",
    "margin_pct",
    "verdict",
    "level",
    "kernel_value",
    "lp_value",
    "probability",
    "p10",
    "p50",
    "p90",
    "weather_years",
    "outage_draws",
    "runs",
    "utilisation_hours",
    "scheduled_hours",
    "tolerance",
]
"""Columns of the check's table, one row per scenario and target."""

SCHEDULE_TOLERANCE = 1e-3
"""A corridor meets its schedule when it sends at least 99.9 % of the scheduled energy."""


def meets(value: float, target: float, sense: str, tol: float = 1e-6) -> bool:
    """Whether ``value`` meets ``target`` in direction ``sense`` (">=" or "<="), to a relative
    tolerance of ``tol``."""
    return (
        value >= target - tol * max(1.0, abs(target))
        if sense == ">="
        else value <= target + tol * max(1.0, abs(target))
    )


def margin(value: float, target: float, sense: str) -> float:
    """How far ``value`` is on the good side of ``target`` (negative: missed), in its unit."""
    return value - target if sense == ">=" else target - value


def target_rows(scenario: Scenario, ds: xr.Dataset) -> list[dict]:
    """Value, target and margin of every target (plan targets and per-corridor requirements)."""
    rows = []
    for spec in TARGETS:
        target = getattr(scenario.targets, spec.field)
        if target is None:
            continue
        value = float(ds[spec.variable])
        rows.append(
            _row(
                scenario,
                spec.field,
                spec.label,
                spec.unit,
                spec.sense,
                value,
                target,
                spec.operational,
            )
        )
    for c in ds.corridor.values:
        name = str(c)
        spec = scenario.corridors[name]
        sched = float(ds.corridor_schedule.sel(corridor=name).sum()) * 1e-6
        hours = float(ds.corridor_utilisation_hours.sel(corridor=name))
        row = _row(
            scenario,
            f"corridor:{name}:energy",
            f"{name}: energy sent ({hours:,.0f} h)",
            "TWh",
            ">=",
            float(ds.corridor_energy_TWh.sel(corridor=name)),
            sched,
            True,
            tol=SCHEDULE_TOLERANCE,
        )
        row["utilisation_hours"] = hours
        row["scheduled_hours"] = sched * 1e6 / spec.p_nom if spec.p_nom else 0.0
        rows.append(row)
        if spec.min_renewable_share > 0:
            rows.append(
                _row(
                    scenario,
                    f"corridor:{name}:renewable_share",
                    f"{name}: new-energy share",
                    "1",
                    ">=",
                    float(ds.corridor_renewable_share.sel(corridor=name)),
                    spec.min_renewable_share,
                    True,
                )
            )
    return rows


def _row(
    scenario: Scenario,
    target: str,
    label: str,
    unit: str,
    sense: str,
    value: float,
    goal: float,
    operational: bool,
    tol: float = 1e-6,
) -> dict:
    gap = margin(value, goal, sense)
    return {
        "scenario": scenario.name,
        "target": target,
        "label": label,
        "unit": unit,
        "sense": sense,
        "value": value,
        "target_value": float(goal),
        "margin": gap,
        "margin_pct": gap / abs(goal) * 100 if goal else math.nan,
        "verdict": PASS if meets(value, goal, sense, tol) else FAIL,
        "tolerance": tol,
        "level": "kernel" if operational else "input",
        "kernel_value": value if operational else math.nan,
        "lp_value": math.nan,
        "probability": math.nan,
        "p10": math.nan,
        "p50": math.nan,
        "p90": math.nan,
        "weather_years": 0,
        "outage_draws": 0,
        "runs": 0,
        "utilisation_hours": math.nan,
        "scheduled_hours": math.nan,
    }


def format_number(value: float, decimals: int) -> str:
    """``value`` with thousands separators as the check and the report print it; a value that
    rounds to zero at ``decimals`` is ``0`` (never ``-0.0``, e.g. for a margin of -1e-9 TWh on a
    target met within the tolerance)."""
    rounded = round(float(value), decimals)
    if rounded == 0:
        rounded = 0.0
    return f"{rounded:,.{decimals}f}"
