"""``energysim check``: are the plan's targets feasible under a scenario, and how sure are we?

For each scenario and target the check reports the value, the target, the margin and a verdict at
one of three levels:

* ``pass`` (level ``kernel``): met with the kernel's rule-based operation;
* ``pass with optimal operation`` (level ``lp``): the kernel misses it, the LP optimum meets it;
* ``fail`` (level ``lp``): missed even at the optimum; without ``--lp`` a kernel miss is reported
  as ``fail`` at level ``kernel``, i.e. not yet tested at the optimum.

Capacity targets (new-energy GW, storage GW, DR share) do not depend on operation; their level is
``input``. With ``weather_years=N`` every target is also evaluated on N generated weather years
(seeds ``seed .. seed+N-1``, synthetic profiles) plus, if the scenario names real profile files,
the year of those real profiles, and gets the
probability of being met and its P10/P50/P90. With ``what_it_takes=True`` each failing
operational target gets, per lever, the smallest addition that makes it pass, found by bisection
with the kernel.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

import energysim.progress as progress
from energysim.config import Scenario, load_scenario, load_scenario_dict
from energysim.config.checks import class_total_MW
from energysim.engines import simulate_packed
from energysim.exceptions import ConfigError, EnergysimError
from energysim.run import packed
from energysim.targets import (
    COLUMNS,
    FAIL,
    PASS,
    PASS_OPTIMAL,
    SCHEDULE_TOLERANCE,
    TARGETS,
    TargetSpec,
    meets,
    target_rows,
)

logger = logging.getLogger(__name__)

__all__ = [
    "COLUMNS",
    "FAIL",
    "LEVERS",
    "PASS",
    "PASS_OPTIMAL",
    "SCHEDULE_TOLERANCE",
    "TARGETS",
    "TargetSpec",
    "check",
    "evaluate",
    "format_table",
    "meets",
    "target_rows",
    "what_it_takes",
]


REAL_PROFILE_FIELDS = ("wind_profile", "solar_profile", "load_profile")


def has_real_profiles(scenario: Scenario) -> bool:
    """Whether the scenario names real profile files for any kind."""
    return any(getattr(scenario.weather, f) for f in REAL_PROFILE_FIELDS)


def evaluate(scenario: Scenario, engine: str = "kernel", seed: int | None = None) -> xr.Dataset:
    """Simulate one scenario-year for the check.

    With ``seed``, the year is a generated weather year of that seed: synthetic profiles replace
    any real profile files the scenario names.
    """
    if seed is not None and (seed != scenario.weather.seed or has_real_profiles(scenario)):
        data = scenario.model_dump()
        data["weather"]["seed"] = seed
        for field in REAL_PROFILE_FIELDS:
            data["weather"][field] = None
        scenario = load_scenario_dict(data, file=f"<{scenario.name} seed {seed}>")
    scenario, inputs, index = packed(scenario)
    return simulate_packed(scenario, inputs, index, engine)


# -- levers ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lever:
    """A way to push a failing target: its name, unit, search ceiling and how it is applied."""

    name: str
    unit: str
    ceiling: float
    apply: Callable[[dict, float], None]


def _add_total(key: str) -> Callable[[dict, float], None]:
    def apply(data: dict, amount: float) -> None:
        current = class_total_MW(load_scenario_dict(data), key) / 1e3
        data.setdefault("capacity_totals_GW", {})[key] = current + amount

    return apply


def _add_storage(data: dict, amount: float) -> None:
    new_type = [s for s in data.get("storage", {}).values() if s.get("kind") == "new_type"]
    if new_type:
        _add_total("new_type_storage")(data, amount)
    else:
        bus = max(data["buses"], key=lambda b: data["buses"][b]["demand_share"])
        data.setdefault("storage", {})["what-it-takes-storage"] = {
            "bus": bus,
            "kind": "new_type",
            "p_nom": amount * 1e3,
            "max_hours": 4.0,
        }


def _add_electrolysers(data: dict, amount: float) -> None:
    loads = [f for f in data.get("flexible_loads", {}).values() if f.get("kind") == "electrolyser"]
    if loads:
        _add_total("electrolyser")(data, amount)
    else:
        bus = max(data["buses"], key=lambda b: data["buses"][b]["demand_share"])
        data.setdefault("flexible_loads", {})["what-it-takes-electrolysers"] = {
            "bus": bus,
            "kind": "electrolyser",
            "p_nom": amount * 1e3,
        }


def _add_dr(data: dict, amount: float) -> None:
    dr = data.setdefault("demand_response", {})
    dr["share_of_peak"] = min(1.0, dr.get("share_of_peak", 0.0) + amount)


LEVERS: tuple[Lever, ...] = (
    Lever("new-type storage", "GW", 200.0, _add_storage),
    Lever("corridor capacity", "GW", 200.0, _add_total("corridors")),
    Lever("electrolysers", "GW", 200.0, _add_electrolysers),
    Lever("new-energy capacity", "GW", 400.0, _add_total("new_energy")),
    Lever("demand response share", "1", 0.5, _add_dr),
)


def _with_lever(scenario: Scenario, lever: Lever, amount: float) -> Scenario:
    data = scenario.model_dump()
    if amount > 0:
        lever.apply(data, amount)
    return load_scenario_dict(data, file=f"<{scenario.name} + {lever.name}>")


def _target_value(scenario: Scenario, ds: xr.Dataset, target: str) -> tuple[float, float, str]:
    for row in target_rows(scenario, ds):
        if row["target"] == target:
            return row["value"], row["target_value"], row["sense"]
    msg = f"target {target!r} not evaluated for {scenario.name}"
    raise KeyError(msg)


def what_it_takes(
    scenario: Scenario,
    target: str,
    levers: Sequence[Lever] = LEVERS,
    steps: int = 10,
    on_lever: Callable[[], None] | None = None,
) -> pd.DataFrame:
    """Smallest addition of each lever that makes ``target`` pass, by bisection with the kernel.

    Assumes the target improves monotonically with the lever (true for the plan's levers within
    the kernel's rules). The search first doubles the addition from 1 % of the ceiling until the
    target passes or the ceiling is reached, then bisects ``steps`` times.

    ``on_lever`` is called after each lever's search (progress).

    Returns
    -------
    pandas.DataFrame
        One row per lever: ``lever``, ``unit``, ``addition`` (NaN if not reached), ``reached``,
        ``value_at_addition``, ``ceiling``, ``note`` (why a lever was not reached or applicable).
    """
    rows = []
    for lever in levers:
        rows.append(_search_lever(scenario, target, lever, steps))
        if on_lever is not None:
            on_lever()
    return pd.DataFrame(rows)


def _search_lever(scenario: Scenario, target: str, lever: Lever, steps: int) -> dict:
    """One row of :func:`what_it_takes`: the search for one lever."""

    def passes(amount: float) -> tuple[bool, float]:
        s = _with_lever(scenario, lever, amount)
        value, goal, sense = _target_value(s, evaluate(s), target)
        return meets(value, goal, sense), value

    def row(addition: float, reached: bool, value: float, note: str) -> dict:
        return {
            "lever": lever.name,
            "unit": lever.unit,
            "addition": addition,
            "reached": reached,
            "value_at_addition": value,
            "ceiling": lever.ceiling,
            "note": note,
        }

    hi = lever.ceiling / 100
    try:
        ok, value = passes(hi)
    except ConfigError as err:
        return row(math.nan, False, math.nan, f"not applicable: {err.message}")
    while not ok and hi < lever.ceiling:
        hi = min(hi * 2, lever.ceiling)
        ok, value = passes(hi)
    if not ok:
        return row(math.nan, False, value, f"not reached within +{_fmt(lever.ceiling, lever.unit)}")
    lo = 0.0
    for _ in range(steps):
        mid = 0.5 * (lo + hi)
        ok_mid, value_mid = passes(mid)
        if ok_mid:
            hi, value = mid, value_mid
        else:
            lo = mid
    return row(hi, True, value, "")


# -- the check ------------------------------------------------------------------------------------


def check(
    scenarios: Scenario | str | Path | Iterable[Scenario | str | Path],
    lp: bool = False,
    weather_years: int = 0,
    what_it_takes_levers: bool = False,
    engine: str = "kernel",
) -> pd.DataFrame:
    """Evaluate the targets of each scenario.

    Parameters
    ----------
    scenarios : Scenario, path, or iterable of them
        One scenario (object or file path) or several.
    lp : bool, default False
        Re-check targets the kernel misses with the LP optimum.
    weather_years : int, default 0
        Number of generated weather years for probabilities and P10/P50/P90 (0: none).
    what_it_takes_levers : bool, default False
        For failing operational targets, search the smallest addition of each lever.
    engine : str, default "kernel"
        Engine of the first check and the weather years (:mod:`energysim.engines`; plug-ins
        included); a miss is re-checked with ``lp`` when ``lp`` is set.

    Returns
    -------
    pandas.DataFrame
        One row per scenario and target with the columns in :data:`COLUMNS`; the what-it-takes
        results, if requested, in ``df.attrs["what_it_takes"]`` (a DataFrame with ``scenario``,
        ``target`` and the lever columns) and the failing targets it did not search in
        ``df.attrs["what_it_takes_skipped"]`` (``scenario``, ``target``, ``reason``).
    """
    if weather_years < 0:
        msg = f"weather_years = {weather_years}; expected 0 (none) or a positive number of years"
        raise EnergysimError(msg)
    if isinstance(scenarios, Scenario | str | Path):
        scenarios = [scenarios]
    loaded = [s if isinstance(s, Scenario) else load_scenario(s) for s in scenarios]
    frames = []
    takes = []
    skipped: list[dict] = []
    bar = progress.bar(len(loaded) * (1 + weather_years), "check", "run")
    for scenario in loaded:
        ds = evaluate(scenario, engine=engine)
        bar.update()
        rows = pd.DataFrame(target_rows(scenario, ds), columns=COLUMNS)
        failing = rows[(rows.verdict == FAIL) & (rows.level == "kernel")]
        if lp and len(failing):
            lp_ds = evaluate(scenario, engine="lp")
            lp_rows = {r["target"]: r for r in target_rows(scenario, lp_ds)}
            for i in failing.index:
                r = lp_rows[rows.at[i, "target"]]
                rows.at[i, "lp_value"] = r["value"]
                rows.at[i, "level"] = "lp"
                if r["verdict"] == PASS:
                    rows.at[i, "verdict"] = PASS_OPTIMAL
                    rows.at[i, "value"] = r["value"]
                    rows.at[i, "margin"] = r["margin"]
                    rows.at[i, "margin_pct"] = r["margin_pct"]
        if weather_years > 0:
            values: dict[str, list[float]] = {t: [] for t in rows.target}
            # N generated weather years, plus the scenario's real profiles if it names any
            members: list[int | None] = [scenario.weather.seed + i for i in range(weather_years)]
            if has_real_profiles(scenario):
                members.append(None)
            for seed in members:
                member = evaluate(scenario, engine=engine, seed=seed)
                for r in target_rows(scenario, member):
                    if r["target"] in values:
                        values[r["target"]].append(r["value"])
                bar.update()
            for i in rows.index:
                v = np.array(values[rows.at[i, "target"]])
                if len(v) == 0:
                    continue
                ok = [
                    meets(
                        x, rows.at[i, "target_value"], rows.at[i, "sense"], rows.at[i, "tolerance"]
                    )
                    for x in v
                ]
                rows.at[i, "probability"] = float(np.mean(ok))
                rows.at[i, "p10"], rows.at[i, "p50"], rows.at[i, "p90"] = np.percentile(
                    v, [10, 50, 90]
                )
                rows.at[i, "weather_years"] = len(v)
        if what_it_takes_levers:
            failing = list(rows[(rows.verdict == FAIL) & (rows.level != "input")].target)
            searched = [t for t in failing if _has_levers(t)]
            skipped.extend(
                {"scenario": scenario.name, "target": t, "reason": SKIP_REASON}
                for t in failing
                if not _has_levers(t)
            )
            search_bar = progress.bar(len(searched) * len(LEVERS), "what it takes", "lever")
            for target in searched:
                found = what_it_takes(scenario, target, on_lever=search_bar.update)
                found.insert(0, "target", target)
                found.insert(0, "scenario", scenario.name)
                takes.append(found)
            search_bar.close()
        frames.append(rows)
    bar.close()
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)
    table.attrs["what_it_takes"] = pd.concat(takes, ignore_index=True) if takes else pd.DataFrame()
    table.attrs["what_it_takes_skipped"] = pd.DataFrame(
        skipped, columns=["scenario", "target", "reason"]
    )
    return table


SKIP_REASON = (
    "not searched: a corridor's energy is set by its schedule and the sending bus's supply, not "
    "by one lever"
)
"""Why the what-it-takes search skips a failing corridor-energy target."""


def _has_levers(target: str) -> bool:
    """Whether the what-it-takes levers apply to ``target`` (not to corridor energy)."""
    return not (target.startswith("corridor:") and not target.endswith("renewable_share"))


# -- output ---------------------------------------------------------------------------------------


def _fmt(value: float, unit: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if unit == "1":
        return f"{value:.1%}"
    if unit == "MWh":
        return f"{value:,.0f} MWh"
    if unit == "h":
        return f"{value:,.0f} h"
    if unit == "TWh":
        return f"{value:,.2f} TWh"
    return f"{value:,.1f} {unit}"


def format_table(table: pd.DataFrame, color: bool = False) -> str:
    """The check as a readable terminal table (ANSI colour when ``color``)."""
    green, yellow, red, bold, reset = (
        ("\033[32m", "\033[33m", "\033[31m", "\033[1m", "\033[0m") if color else ("",) * 5
    )
    lines = []
    ensemble = table["weather_years"].max() > 0 if len(table) else False
    for scenario, rows in table.groupby("scenario", sort=False):
        lines.append(f"{bold}{scenario}{reset}")
        head = f"  {'target':42s} {'value':>16s} {'target':>16s} {'margin':>16s}  verdict"
        if ensemble:
            head += f"{'P(meet)':>10s} {'P10':>12s} {'P50':>12s} {'P90':>12s}"
        lines.append(head)
        for _, r in rows.iterrows():
            colour = {PASS: green, PASS_OPTIMAL: yellow}.get(r.verdict, red)
            sign = r.sense
            verdict = f"{r.verdict} ({r.level})"
            line = (
                f"  {r.label[:42]:42s} {_fmt(r.value, r.unit):>16s} {sign + ' ' + _fmt(r.target_value, r.unit):>16s}"
                f" {_fmt(r.margin, r.unit):>16s}  {colour}{verdict}{reset}"
            )
            if ensemble:
                line += (
                    f"{(f'{r.probability:.0%}' if not math.isnan(r.probability) else '-'):>10s}"
                    f" {_fmt(r.p10, r.unit):>12s} {_fmt(r.p50, r.unit):>12s} {_fmt(r.p90, r.unit):>12s}"
                )
            lines.append(line)
        lines.append("")
    takes = table.attrs.get("what_it_takes")
    if takes is not None and len(takes):
        lines.append(f"{bold}What it takes{reset} (smallest addition that makes the target pass)")
        for (scenario, target), rows in takes.groupby(["scenario", "target"], sort=False):
            lines.append(f"  {scenario} / {target}:")
            for _, r in rows.iterrows():
                amount = f"+{_fmt(r.addition, r.unit)}" if r.reached else r.note
                lines.append(f"    {r.lever:24s} {amount}")
        lines.append("")
    skipped = table.attrs.get("what_it_takes_skipped")
    if skipped is not None and len(skipped):
        lines.append(f"{bold}What it takes: not searched{reset}")
        for _, r in skipped.iterrows():
            lines.append(f"  {r.scenario} / {r.target}: {r.reason}")
        lines.append("")
    return "\n".join(lines)
