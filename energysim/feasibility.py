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
probability of being met and its P10/P50/P90. With ``outage_draws=N`` each weather year (or the
scenario's own year) is run N times with random thermal outages (:func:`redraw`), and the
probabilities and percentiles are over all runs. Each scenario also gets its adequacy figures and
its capacity balance (:mod:`energysim.adequacy`, ``docs/adequacy.md``), and the table's adequacy
verdict. With ``what_it_takes=True`` each failing
operational target gets, per lever, the smallest addition that makes it pass, found by bisection
with the kernel.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import math
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

import energysim.progress as progress
import energysim.run as run
from energysim.adequacy import adequacy_summary, adequacy_verdict, capacity_balance
from energysim.config import Scenario, load_scenario, load_scenario_dict
from energysim.config.checks import class_total_MW
from energysim.engines import simulate_packed
from energysim.exceptions import ConfigError, EnergysimError
from energysim.indicators import indicator_rows
from energysim.kernel import DispatchResult, KernelInputs, PackIndex
from energysim.kernel.pack import redraw
from energysim.run import packed
from energysim.targets import (
    COLUMNS,
    FAIL,
    PASS,
    PASS_OPTIMAL,
    SCHEDULE_TOLERANCE,
    TARGETS,
    TargetSpec,
    format_number,
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
    "blas_threads",
    "check",
    "ensemble_members",
    "default_workers",
    "evaluate",
    "figures_rows_dataset",
    "format_table",
    "meets",
    "member_values",
    "outage_seed",
    "redraw",
    "seeded",
    "target_rows",
    "target_values",
    "what_it_takes",
]


REAL_PROFILE_FIELDS = ("wind_profile", "solar_profile", "load_profile")


def has_real_profiles(scenario: Scenario) -> bool:
    """Whether the scenario names real profile files for any kind."""
    return any(getattr(scenario.weather, f) for f in REAL_PROFILE_FIELDS)


def seeded(scenario: Scenario, seed: int) -> Scenario:
    """The scenario on the generated weather year ``seed`` (synthetic profiles replace any real
    profile files it names); the scenario itself if that changes nothing."""
    if seed == scenario.weather.seed and not has_real_profiles(scenario):
        return scenario
    data = scenario.model_dump()
    data["weather"]["seed"] = seed
    for field in REAL_PROFILE_FIELDS:
        data["weather"][field] = None
    return load_scenario_dict(data, file=f"<{scenario.name} seed {seed}>")


def evaluate(
    scenario: Scenario,
    engine: str = "kernel",
    seed: int | None = None,
    outage_seed: int | None = None,
    profiles: xr.Dataset | None = None,
) -> xr.Dataset:
    """Simulate one scenario-year for the check.

    With ``seed``, the year is a generated weather year of that seed: synthetic profiles replace
    any real profile files the scenario names. With ``outage_seed``, thermal availability is the
    random outage draw of that seed (:func:`energysim.kernel.availability.outage_draw`) instead
    of the expected derate. ``profiles``: the (seeded) scenario's profiles, if already made.
    """
    if seed is not None:
        scenario = seeded(scenario, seed)
    if outage_seed is None:
        scenario, inputs, index = packed(scenario, profiles)
    else:
        from energysim.kernel import pack

        if profiles is None:
            profiles = run.scenario_profiles(scenario)
        inputs, index = pack(scenario, profiles, outage_seed=outage_seed)
    return simulate_packed(scenario, inputs, index, engine)


def ensemble_members(scenario: Scenario, weather_years: int, load: bool = True) -> list:
    """The weather years of an ensemble: ``weather_years`` generated years (seeds ``seed ..
    seed + N - 1``) plus the scenario's own year if it names real profile files; with
    ``weather_years`` = 0, the scenario's own year only. ``load=False``: the seeds only (None
    for the scenario's own year), without validating the seeded scenarios."""
    if weather_years <= 0:
        return [scenario if load else None]
    seeds: list[int | None] = [scenario.weather.seed + i for i in range(weather_years)]
    if has_real_profiles(scenario):
        seeds.append(None)
    if not load:
        return seeds
    return [scenario if x is None else seeded(scenario, x) for x in seeds]


def outage_seed(year: int, draw: int, draws: int) -> int:
    """Seed of outage draw ``draw`` in ensemble weather year number ``year`` (0-based):
    ``year * draws + draw``, so the N x Y runs of a check have distinct, reproducible seeds."""
    return year * draws + draw


def member_values(
    scenario: Scenario,
    result: DispatchResult,
    inputs: KernelInputs,
    index: PackIndex,
    prep: object,
) -> dict[str, float]:
    """The value of every check target (as :func:`target_rows` names them) for one run, from the
    figures-only pass (:func:`energysim.sweep.figures.annual_figures`) instead of a Dataset.

    ``scenario`` sets the targets; ``prep`` is :func:`~energysim.sweep.figures.prepare_figures`
    of the packed structure.
    """
    from energysim.sweep.figures import annual_figures

    return target_values(scenario, annual_figures(result, inputs, index, scenario, prep), index)


def target_values(
    scenario: Scenario, figures: dict[str, object], index: PackIndex
) -> dict[str, float]:
    """Every check target's value (plan targets by field, ``corridor:<name>:energy`` and
    ``corridor:<name>:renewable_share``) from the figures-only figures of one run."""
    out = {spec.field: float(figures[spec.variable]) for spec in TARGETS}
    sent = figures["corridor_energy_TWh"]
    share = figures["corridor_renewable_share"]
    for c, name in enumerate(index.corridors):
        out[f"corridor:{name}:energy"] = float(sent[c])
        out[f"corridor:{name}:renewable_share"] = float(share[c])
    return out


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


def figures_rows_dataset(scenario: Scenario) -> xr.Dataset:
    """The variables :func:`target_rows` reads, for one kernel run of ``scenario`` on the
    figures-only path (no hourly results Dataset): the targets' annual figures and, per
    corridor, its energy, new-energy share, utilisation hours and hourly schedule."""
    from energysim.engines import dispatch
    from energysim.kernel import pack
    from energysim.results.schema import VARIABLES
    from energysim.sweep.figures import annual_figures, prepare_figures, result_block

    inputs, index = pack(scenario, run.scenario_profiles(scenario))
    result = dispatch(scenario, inputs, index, "kernel", out=result_block(inputs))
    got = annual_figures(result, inputs, index, scenario, prepare_figures(inputs, index, scenario))
    per_corridor = (
        "corridor_energy_TWh",
        "corridor_renewable_share",
        "corridor_utilisation_hours",
    )
    data = {spec.variable: ((), float(got[spec.variable])) for spec in TARGETS}
    data.update({name: (VARIABLES[name].dims, got[name]) for name in per_corridor})
    data["corridor_schedule"] = (VARIABLES["corridor_schedule"].dims, inputs.schedule)
    return xr.Dataset(data, coords={"corridor": list(index.corridors), "snapshot": index.snapshots})


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
        value, goal, sense = _target_value(s, figures_rows_dataset(s), target)
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
    outage_draws: int = 0,
    balance: bool = True,
    workers: int = 1,
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
    outage_draws : int, default 0
        Random thermal outage draws per weather year (0: none, the expected derate). With
        ``weather_years`` = 0 the draws are made on the scenario's own weather year. The
        probabilities and percentiles are then over weather years x draws runs (column
        ``runs``; seeds from :func:`outage_seed`). Draws run on the kernel. The outages of a
        seed are sampled spell by spell (:func:`energysim.kernel.availability.draw_outages`;
        since 2 Dec 2026: a seed draws other outages than before, from the same
        distribution).
    balance : bool, default True
        Also compute each scenario's capacity balance (:func:`energysim.adequacy.
        capacity_balance`, per grid too; the P5 of wind and solar pools the ensemble's years).
    workers : int, default 1
        Processes for the ensemble's members (weather years, each with its outage draws); the
        results are the same bit for bit as with one. Members are evaluated on the figures-only
        path (:mod:`energysim.sweep.figures`), not through a results Dataset.

    Returns
    -------
    pandas.DataFrame
        One row per scenario and target with the columns in :data:`COLUMNS`; the what-it-takes
        results, if requested, in ``df.attrs["what_it_takes"]`` (a DataFrame with ``scenario``,
        ``target`` and the lever columns) and the failing targets it did not search in
        ``df.attrs["what_it_takes_skipped"]`` (``scenario``, ``target``, ``reason``);
        ``df.attrs["adequacy"]``: scenario -> the annual adequacy figures of its first run
        (:func:`energysim.adequacy.adequacy_summary`); ``df.attrs["capacity_balance"]``:
        scenario -> its capacity balance DataFrame.
    """
    if weather_years < 0:
        msg = f"weather_years = {weather_years}; expected 0 (none) or a positive number of years"
        raise EnergysimError(msg)
    if outage_draws < 0:
        msg = f"outage_draws = {outage_draws}; expected 0 (none) or a positive number of draws"
        raise EnergysimError(msg)
    if workers < 1:
        msg = f"workers = {workers}; expected 1 or more processes"
        raise EnergysimError(msg)
    if isinstance(scenarios, Scenario | str | Path):
        scenarios = [scenarios]
    loaded = [s if isinstance(s, Scenario) else load_scenario(s) for s in scenarios]
    frames = []
    takes = []
    indicators: dict[str, list[dict]] = {}
    skipped: list[dict] = []
    ensemble = weather_years > 0 or outage_draws > 0
    runs = sum(
        1 + ensemble * len(ensemble_members(s, weather_years, load=False)) * max(1, outage_draws)
        for s in loaded
    )
    bar = progress.bar(runs, "check", "run")
    details: dict[str, dict] = {}
    balances: dict[str, pd.DataFrame] = {}
    with contextlib.ExitStack() as cleanup:  # a failing scenario closes any pool
        for scenario in loaded:
            members = None
            if ensemble:
                # N generated weather years, plus the scenario's real profiles if it names any;
                # started first, so that a pool works on them while this process does the own
                # year (a worker reads the real profiles itself)
                years = ensemble_members(scenario, weather_years, load=False)  # seeds
                if workers > 1:
                    _warm_shared()  # once here, inherited by the forked workers
                members = _Members(
                    scenario,
                    years,
                    outage_draws,
                    engine,
                    workers,
                    bar,
                    keep_balance=balance and weather_years > 0,
                )
                cleanup.callback(members.close)
            own_profiles = run.scenario_profiles(scenario)
            own = packed(scenario, own_profiles)  # evaluate's pack, kept for the balance
            ds = simulate_packed(*own, engine)
            details[scenario.name] = adequacy_summary(ds)
            year_samples: list[_BalanceMember] = []
            indicators[scenario.name] = indicator_rows(ds)
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
            if members is not None:
                values: dict[str, list[float]] = {t: [] for t in rows.target}
                for member_values_, sample in members.collect():
                    for got in member_values_:
                        for target, value in got.items():
                            if target in values:
                                values[target].append(value)
                    if sample is not None:
                        year_samples.append(sample)
                for i in rows.index:
                    v = np.array(values[rows.at[i, "target"]])
                    if len(v) == 0:
                        continue
                    # the row's target read once, not once per run (pandas lookups: 0.3 s of
                    # the parent's time at 60 runs x 35 targets)
                    goal, sense = rows.at[i, "target_value"], rows.at[i, "sense"]
                    tol = rows.at[i, "tolerance"]
                    ok = [meets(x, goal, sense, tol) for x in v]
                    rows.at[i, "probability"] = float(np.mean(ok))
                    rows.at[i, "p10"], rows.at[i, "p50"], rows.at[i, "p90"] = np.percentile(
                        v, [10, 50, 90]
                    )
                    rows.at[i, "weather_years"] = len(years)
                    rows.at[i, "outage_draws"] = outage_draws
                    rows.at[i, "runs"] = len(v)
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
            if balance:
                if weather_years > 0:
                    # the ensemble's years, from the members already packed (no re-packing)
                    own_scenario, own_inputs, own_index = own
                    balances[scenario.name] = capacity_balance(
                        own_scenario,
                        by_grid=True,
                        _packed=(own_scenario, own_inputs, own_index, year_samples),
                    )
                else:
                    balances[scenario.name] = capacity_balance(scenario, own_profiles, by_grid=True)
            frames.append(rows)
    bar.close()
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)
    table.attrs["what_it_takes"] = pd.concat(takes, ignore_index=True) if takes else pd.DataFrame()
    table.attrs["what_it_takes_skipped"] = pd.DataFrame(
        skipped, columns=["scenario", "target", "reason"]
    )
    table.attrs["indicators"] = indicators
    table.attrs["adequacy"] = details
    table.attrs["capacity_balance"] = balances
    return table


def default_workers() -> int:
    """Processes for the check's ensemble by default: 2, or 1 on a one-core machine."""
    return max(1, min(2, os.cpu_count() or 1))


NEW_ENERGY_BALANCE_CARRIERS = ("wind", "solar", "csp")
"""Carriers whose availability the capacity balance pools over the weather years."""


@dataclass(frozen=True)
class _BalanceMember:
    """What :func:`energysim.adequacy.capacity_balance` reads of an ensemble year: its hours and
    its generators' available power (T, G), MW, of which only the wind, solar and CSP columns
    are filled (the only ones it reads of the ensemble's years)."""

    snapshots: pd.DatetimeIndex
    gen_avail: np.ndarray


def _member_task(
    scenario: Scenario,
    seed: int | None,
    j: int,
    draws: int,
    engine: str,
    keep_balance: bool,
) -> tuple[list[dict[str, float]], tuple | None]:
    """Evaluate weather year number ``j`` of the ensemble (a process-pool task): the generated
    weather year ``seed`` (:func:`seeded`), or with None the scenario's own year (its real
    profiles).

    The task is small (the scenario and a seed): the worker makes the year's profiles and
    packs it, sharing what no weather changes with its other years (:func:`_static`); with
    ``draws`` > 0 each outage draw re-draws only the thermal block
    (:func:`energysim.kernel.pack.redraw`, with the year's :class:`~energysim.kernel.pack.
    ThermalBlock`) and runs the kernel; the dispatch goes into one reused output block and the
    targets come from the figures-only pass. ``scenario`` sets the targets.

    Returns
    -------
    list of dict, tuple or None
        Every member's target values (:func:`target_values`), in draw order; with
        ``keep_balance``, the year's snapshots, the wind/solar/CSP columns and their values
        (T, G') for the capacity balance.
    """
    import time

    from energysim.engines import dispatch
    from energysim.kernel.pack import RedrawWork, pack_with_block
    from energysim.sweep.figures import annual_figures, draw_fleets, prepare_figures, result_block

    t0 = time.perf_counter()
    year = scenario if seed is None else seeded(scenario, seed)
    profiles = run.scenario_profiles(year)
    t1 = time.perf_counter()
    # with draws, the year is packed on its first draw (the expected derate would be laid and
    # replaced at once) and the other draws re-draw it: the same arrays bit for bit as a fresh
    # pack of each draw (redraw's contract)
    first = outage_seed(j, 0, draws) if draws else None
    inputs, index, block = pack_with_block(
        year, profiles, outage_seed=first, static=_static(year, profiles)
    )
    prep = prepare_figures(inputs, index, year)
    t2 = time.perf_counter()
    out: list[dict[str, float]] = []
    if draws == 0:
        options = {"out": result_block(inputs)} if engine == "kernel" else {}
        result = dispatch(year, inputs, index, engine, **options)
        out.append(
            target_values(scenario, annual_figures(result, inputs, index, year, prep), index)
        )
    else:
        # the draws reuse the first draw's arrays once it has been dispatched; they write the
        # fleets' sums the figures read instead of the (T, G) generator arrays
        fleets = draw_fleets(index, prep)
        work = RedrawWork.in_place(inputs, index, fleets)
        for d in range(draws):
            seed = outage_seed(j, d, draws)
            if d == 0:
                drawn, drawn_index = inputs, index  # packed on this draw
            else:
                drawn, drawn_index = redraw(year, inputs, index, seed, block, work)
            result = dispatch(year, drawn, drawn_index, "kernel", out=result_block(drawn))
            figures = annual_figures(
                result, drawn, drawn_index, year, prep, (fleets.must, fleets.head)
            )
            out.append(target_values(scenario, figures, drawn_index))
    logger.debug(
        "ensemble year %d (process %d): profiles %.3f s, pack %.3f s, %d runs %.3f s",
        j,
        os.getpid(),
        t1 - t0,
        t2 - t1,
        max(1, draws),
        time.perf_counter() - t2,
    )
    sample = None
    if keep_balance:
        ne = [
            i
            for i, n in enumerate(index.generators)
            if year.generators[n].carrier in NEW_ENERGY_BALANCE_CARRIERS
        ]
        sample = (index.snapshots, np.array(ne, dtype=np.int64), index.gen_avail[:, ne].copy())
    return out, sample


def _warm_shared() -> None:
    """Load, before the pool forks, what this process and every ensemble worker would each load
    on first use: numba's compiler context with a cached function (its first cached load took
    0.9 s on the loaded 2-core machine), ``dask.array`` (xarray imports it on its first Dataset
    when dask is installed: 0.6 s) and the weather generator's parameter tables (0.3 s). A
    worker's first year then took 0.4 s of profiles and 0.3 s of packing instead of 1.2 s and
    0.8 s (measured one by one in a fresh process). Forked workers share them; spawned ones
    (other platforms) load them again."""
    from energysim.kernel.pack import _capped_sum
    from energysim.profiles.synthetic import parameters

    one = np.zeros(1)
    _capped_sum(one, 0.0, 0.0, one)
    try:
        import dask.array  # noqa: F401
    except ImportError:
        pass
    parameters()


def _static(year: Scenario, profiles: xr.Dataset) -> object:
    """The :class:`~energysim.kernel.pack.PackStatic` shared by every weather year of ``year``'s
    ensemble on this process (:func:`~energysim.kernel.pack.shared_static`)."""
    from energysim.kernel.pack import shared_static

    return shared_static(year, pd.DatetimeIndex(profiles["snapshot"].values))


class _Members:
    """Every ensemble year's members (:func:`_member_task`), run serially or on a process pool.

    With ``workers`` > 1 the pool starts at once (forked where the platform allows it, so the
    workers share the loaded modules and the compiled kernel; numba pinned to one thread each)
    and works while the caller evaluates the scenario's own year; :meth:`collect` returns the
    results in year order, so they do not depend on the number of workers.
    """

    def __init__(
        self,
        scenario: Scenario,
        seeds: list[int | None],
        draws: int,
        engine: str,
        workers: int,
        bar: object,
        keep_balance: bool,
    ) -> None:
        self.width = len(scenario.generators)
        self.bar = bar
        self.per_task = max(1, draws)
        self.tasks = [
            (scenario, seed, j, draws, engine, keep_balance) for j, seed in enumerate(seeds)
        ]
        self.pool = None
        self.frozen = False
        self.futures: dict = {}
        if workers > 1 and len(self.tasks) > 1:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            methods = multiprocessing.get_all_start_methods()
            forked = "fork" in methods
            ctx = multiprocessing.get_context("fork" if forked else "spawn")
            if forked:
                # what this process has built so far (modules, compiled functions, the
                # scenario) lives until the pool ends: the garbage collector of this process
                # and of the forked workers skips it (in the workers it would also copy the
                # pages it touches); 10 x 10 draws: 0.42 -> 0.22 s of collections here,
                # 0.13-0.15 -> 0.01 s per worker
                gc.freeze()
                self.frozen = True
            self.pool = ProcessPoolExecutor(
                max_workers=min(workers, len(self.tasks)), mp_context=ctx, initializer=_pin_numba
            )
            self.futures = {self.pool.submit(_member_task, *t): j for j, t in enumerate(self.tasks)}

    def _member(self, sample: tuple | None) -> _BalanceMember | None:
        if sample is None:
            return None
        snaps, cols, values = sample
        full = np.zeros((values.shape[0], self.width))
        full[:, cols] = values
        return _BalanceMember(snaps, full)

    def collect(self) -> list[tuple[list[dict[str, float]], _BalanceMember | None]]:
        """Each year's member values and capacity-balance sample, in year order."""
        if self.pool is None:
            done = []
            for task in self.tasks:
                got, sample = _member_task(*task)
                done.append((got, self._member(sample)))
                self.bar.update(self.per_task)
            return done
        from concurrent.futures import as_completed

        results: list = [None] * len(self.tasks)
        for fut in as_completed(self.futures):
            got, sample = fut.result()
            results[self.futures[fut]] = (got, self._member(sample))
            self.bar.update(self.per_task)
        self.close()
        return results

    def close(self) -> None:
        """Stop the pool (cancelling what has not started); idempotent. Also drops this
        process's shared pack statics (the serial path's,
        :func:`~energysim.kernel.pack.clear_shared_statics`) and hands what the pool's start
        froze (:func:`gc.freeze`) back to the garbage collector."""
        from energysim.kernel.pack import clear_shared_statics

        clear_shared_statics()
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
        if self.frozen:
            gc.unfreeze()
            self.frozen = False


def _pin_numba() -> None:
    """Pool initializer: one numba thread and one BLAS thread per worker process."""
    try:
        import numba

        numba.set_num_threads(1)
    except (ImportError, ValueError, RuntimeError) as err:  # pragma: no cover
        logger.debug("could not pin numba threads: %s", err)
    blas_threads(1)


BLAS_THREAD_SETTERS = (
    "scipy_openblas_set_num_threads64_",
    "scipy_openblas_set_num_threads",
    "openblas_set_num_threads64_",
    "openblas_set_num_threads",
)
"""Functions of the OpenBLAS builds numpy and scipy ship that set its number of threads."""


def blas_threads(threads: int) -> int:
    """Set every OpenBLAS loaded in this process to ``threads`` threads; returns how many
    libraries were set (the pool's workers use one).

    The weather generator's small matrix products ((9000, 12) x (12, 12): the innovations mixed
    across sites) took 7.6 ms each with OpenBLAS's own threads on a loaded 2-core machine and
    0.24 ms with one (measured); two ensemble workers with two spinning BLAS threads each also
    take cores from each other. A product's value does not depend on the number of threads
    (OpenBLAS splits the output, not the sums; the profiles were compared bit for bit). Linux
    only (the loaded libraries are read from ``/proc/self/maps``); elsewhere it does nothing.
    """
    import ctypes

    try:
        with open("/proc/self/maps", encoding="utf-8") as fh:
            paths = {line.split()[-1] for line in fh if "openblas" in line.lower()}
    except OSError:
        return 0
    done = 0
    for path in sorted(paths):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for name in BLAS_THREAD_SETTERS:
            setter = getattr(lib, name, None)
            if setter is not None:
                setter(int(threads))
                done += 1
                break
    logger.debug("BLAS set to %d thread(s) in %d libraries", threads, done)
    return done


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
        return f"{format_number(100 * value, 1)}%"
    if unit in ("MWh", "h"):
        return f"{format_number(value, 0)} {unit}"
    if unit == "TWh":
        return f"{format_number(value, 2)} TWh"
    if unit == "x":
        return f"{format_number(value, 2)}x"
    return f"{format_number(value, 1)} {unit}"


def _fmt_indicator(value: float, unit: str) -> str:
    if math.isnan(value):
        return "-"
    if unit == "1":
        return f"{value:.1%}"
    return f"{value:,.1f} {unit}"


def format_table(
    table: pd.DataFrame,
    color: bool = False,
    after: Callable[[str], list[str]] | None = None,
) -> str:
    """The check as a readable terminal table (ANSI colour when ``color``).

    Each scenario's rows end with its adequacy verdict (:func:`energysim.adequacy.
    adequacy_verdict`); ``after(scenario)`` may add lines below it (the CLI's adequacy figures
    and capacity balance)."""
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
        shown = table.attrs.get("indicators", {}).get(scenario, [])
        if shown:
            lines.append(f"  {'indicator':42s} {'value':>16s}")
            lines.extend(
                f"  {r['label'][:42]:42s} {_fmt_indicator(r['value'], r['unit']):>16s}"
                for r in shown
            )
        verdict = adequacy_verdict(rows)
        colour = green if verdict["adequate"] else red
        lines.append(f"  {bold}adequacy (保供):{reset} {colour}{verdict['text']}{reset}")
        if after is not None:
            lines.extend(after(str(scenario)))
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
