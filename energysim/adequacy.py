"""Adequacy (保供) figures from the hourly results: loss of load, export cuts, reserve shortfall.

Everything here is computed from hourly arrays that every engine produces, so the kernel, the
reference and the LP report the same figures (:func:`energysim.results.build.to_dataset` calls
:func:`adequacy_figures` once).

Definitions (``docs/adequacy.md`` repeats them):

* **Loss-of-load hour (LOLH)**: an hour in which the unserved demand summed over all buses exceeds
  :data:`HOUR_EPS_MW`. **Unserved energy** (EUE for one simulated year; the expectation over an
  ensemble is the mean of the members) is the sum of the unserved demand, MWh.
* **Export cut hour**: an hour in which the scheduled corridor sending that could not be supplied
  (``corridor_shortfall``), summed over all corridors, exceeds :data:`HOUR_EPS_MW`. The **largest
  cut** is the largest such hourly sum, MW, with the hour of the year in which it happens.
* **Receiving peak hours** (:func:`receiving_peak_mask`): for each corridor, the hours in which
  its receiving grid's load (the scenario's ``receiving_load`` profile) is at or above its
  :data:`RECEIVING_PEAK_QUANTILE` quantile over the simulated hours, i.e. the grid's top 10 %
  hours (876 h in a year; ties all count). The *peak part* of the cuts is the shortfall of each
  corridor in its own receiving grid's peak hours; a *peak cut hour* is an hour in which that
  part exceeds :data:`HOUR_EPS_MW`. The top 10 % is chosen over a fixed clock window because the
  receiving grids' peaks differ: in the 2018 loads of ``../shared/data/
  export_dest_load_2018_hourly_MW.csv`` only 22-55 % of each grid's top-10 % hours fall in
  17:00-22:00 (Shandong, Jiangsu, Shanghai and Zhejiang peak mostly at 10:00-17:00 in summer).
* **Cuts by grid**: the same cut hours, shortfall energy and largest cut for the corridors of each
  provincial grid (``grid`` dim: mengxi, mengdong), a corridor belonging to the grid of its
  sending bus. An hour with a cut in both grids counts once in each, so the grids' hours add up
  to at least the system's. ``docs/adequacy.md`` ("Reading the cut hours") says why the 蒙东
  hours are mostly a model-boundary artefact.
* **Reserve shortfall hour**: an hour in which the upward reserve requirement not held
  (``reserve_shortfall``, from the engines) exceeds :data:`HOUR_EPS_MW`; the energy is its sum.

Monthly figures have the dim ``month`` (1..12); months without simulated hours are 0.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    import xarray as xr

    from energysim.config.schema import Scenario

logger = logging.getLogger(__name__)

__all__ = [
    "ADEQUACY_TARGETS",
    "ADEQUACY_VARIABLES",
    "GRID_LABELS",
    "HOUR_EPS_MW",
    "MONTHS",
    "RECEIVING_PEAK_QUANTILE",
    "adequacy_figures",
    "adequacy_summary",
    "adequacy_verdict",
    "capacity_balance",
    "receiving_peak_mask",
]

HOUR_EPS_MW = 0.1
"""An hour counts as a loss-of-load, cut or reserve-shortfall hour above this many MW (0.1 MW:
above the LP's numerical noise on a ~100 GW system, far below any real shortfall)."""

RECEIVING_PEAK_QUANTILE = 0.9
"""Receiving peak hours: the receiving grid's load at or above this quantile (its top 10 %)."""

MONTHS = np.arange(1, 13)
"""Coordinate of the ``month`` dim."""

GRID_LABELS = {"mengxi": "蒙西", "mengdong": "蒙东"}
"""Chinese names of the provincial grids (the ``grid`` dim), for printed lines."""

ADEQUACY_VARIABLES = (
    "loss_of_load_hours",
    "export_cut_hours",
    "export_cut_max_MW",
    "export_cut_max_hour",
    "export_cut_peak_hours",
    "export_cut_peak_TWh",
    "reserve_shortfall_hours",
    "reserve_shortfall_MWh",
    "corridor_cut_hours",
    "grid_export_cut_hours",
    "grid_export_shortfall_TWh",
    "grid_export_cut_max_MW",
    "loss_of_load_hours_monthly",
    "unserved_MWh_monthly",
    "export_cut_hours_monthly",
    "export_shortfall_TWh_monthly",
    "export_cut_max_MW_monthly",
    "export_cut_peak_hours_monthly",
    "export_cut_peak_TWh_monthly",
    "reserve_shortfall_hours_monthly",
    "reserve_shortfall_MWh_monthly",
)
"""The names :func:`adequacy_figures` returns (declared in ``results/schema.py``)."""


def receiving_peak_mask(
    receiving_load: np.ndarray, corridor_region: list[int] | np.ndarray
) -> np.ndarray:
    """Receiving-grid peak hours of every corridor (T, C), bool.

    Parameters
    ----------
    receiving_load : ndarray (T, R)
        Load shape of each receiving region (any units; only the ranking matters).
    corridor_region : sequence of int (C,)
        Column of ``receiving_load`` that each corridor delivers to.

    Returns
    -------
    ndarray (T, C) of bool
        True in the hours in which the corridor's receiving load is at or above its
        :data:`RECEIVING_PEAK_QUANTILE` quantile over the given hours.
    """
    load = np.asarray(receiving_load, dtype=float)
    cols = np.asarray(corridor_region, dtype=np.int64)
    if load.shape[0] == 0 or cols.size == 0:
        return np.zeros((load.shape[0], cols.size), dtype=bool)
    threshold = np.quantile(load, RECEIVING_PEAK_QUANTILE, axis=0)
    peak = load >= threshold[None, :]
    return np.ascontiguousarray(peak[:, cols])


def _monthly(values: np.ndarray, months: np.ndarray, how: str = "sum") -> np.ndarray:
    """Aggregate hourly ``values`` (T,) by calendar month into (12,): sum or max (0 if empty)."""
    out = np.zeros(12)
    if how == "sum":
        np.add.at(out, months - 1, values)
    else:
        np.maximum.at(out, months - 1, values)
    return out


def adequacy_figures(
    snapshots: pd.DatetimeIndex,
    unserved: np.ndarray,
    corridor_shortfall: np.ndarray,
    receiving_peak: np.ndarray,
    reserve_shortfall: np.ndarray,
    corridor_grid: Sequence[str] | None = None,
    grids: Sequence[str] = (),
) -> dict[str, np.ndarray | float]:
    """Adequacy figures of one simulated year (definitions in the module docstring).

    Parameters
    ----------
    snapshots : pandas.DatetimeIndex (T,)
        The simulated hours.
    unserved : ndarray (T, B)
        Unserved demand per bus, MW.
    corridor_shortfall : ndarray (T, C)
        Scheduled corridor sending that could not be supplied, MW.
    receiving_peak : ndarray (T, C) of bool
        Receiving peak hours of each corridor (:func:`receiving_peak_mask`).
    reserve_shortfall : ndarray (T,)
        Upward reserve requirement not held, MW.
    corridor_grid : sequence of str (C,), optional
        Grid of each corridor's sending bus. With ``grids``, adds the per-grid figures.
    grids : sequence of str (G,), optional
        The ``grid`` coordinate, e.g. ``("mengxi", "mengdong")``; a grid without corridors
        gets zeros.

    Returns
    -------
    dict of str to float or ndarray
        Annual scalars: ``loss_of_load_hours`` (h), ``export_cut_hours`` (h),
        ``export_cut_max_MW`` (MW), ``export_cut_max_hour`` (0-based hour of the year of the
        largest cut, -1 if there is none), ``export_cut_peak_hours`` (h),
        ``export_cut_peak_TWh`` (TWh), ``reserve_shortfall_hours`` (h), ``reserve_shortfall_MWh``
        (MWh); per corridor (C,): ``corridor_cut_hours`` (h); per grid (G,), only when
        ``corridor_grid`` is given: ``grid_export_cut_hours`` (h), ``grid_export_shortfall_TWh``
        (TWh) and ``grid_export_cut_max_MW`` (MW); per month (12,), ``*_monthly``:
        loss-of-load hours, unserved MWh, cut hours, shortfall TWh, largest cut MW, peak cut hours,
        peak shortfall TWh, reserve shortfall hours and MWh.
    """
    t = len(snapshots)
    months = np.asarray(snapshots.month, dtype=np.int64)
    lost = np.asarray(unserved, dtype=float).reshape(t, -1).sum(axis=1)
    short = np.asarray(corridor_shortfall, dtype=float).reshape(t, -1)
    peak = np.asarray(receiving_peak, dtype=bool).reshape(short.shape)
    cut = short.sum(axis=1)
    cut_peak = np.where(peak, short, 0.0).sum(axis=1)
    reserve = np.asarray(reserve_shortfall, dtype=float).reshape(t)

    lol_h = (lost > HOUR_EPS_MW).astype(float)
    cut_h = (cut > HOUR_EPS_MW).astype(float)
    peak_h = (cut_peak > HOUR_EPS_MW).astype(float)
    res_h = (reserve > HOUR_EPS_MW).astype(float)
    largest = float(cut.max()) if t else 0.0
    twh = 1e-6
    by_grid: dict[str, np.ndarray] = {}
    if corridor_grid is not None:
        of = np.asarray(corridor_grid, dtype=object).reshape(-1)
        if of.size != short.shape[1]:
            msg = (
                f"adequacy_figures: corridor_grid has {of.size} entries for "
                f"{short.shape[1]} corridors; expected one grid per corridor"
            )
            raise ValueError(msg)
        per = np.stack([short[:, of == g].sum(axis=1) for g in grids], axis=1).reshape(t, -1)
        by_grid = {
            "grid_export_cut_hours": (per > HOUR_EPS_MW).sum(axis=0).astype(float),
            "grid_export_shortfall_TWh": per.sum(axis=0) * twh,
            "grid_export_cut_max_MW": per.max(axis=0) if t else np.zeros(len(grids)),
        }
    return by_grid | {
        "loss_of_load_hours": float(lol_h.sum()),
        "export_cut_hours": float(cut_h.sum()),
        "export_cut_max_MW": largest,
        "export_cut_max_hour": float(np.argmax(cut)) if largest > HOUR_EPS_MW else -1.0,
        "export_cut_peak_hours": float(peak_h.sum()),
        "export_cut_peak_TWh": float(cut_peak.sum()) * twh,
        "reserve_shortfall_hours": float(res_h.sum()),
        "reserve_shortfall_MWh": float(reserve.sum()),
        "corridor_cut_hours": (short > HOUR_EPS_MW).sum(axis=0).astype(float),
        "loss_of_load_hours_monthly": _monthly(lol_h, months),
        "unserved_MWh_monthly": _monthly(lost, months),
        "export_cut_hours_monthly": _monthly(cut_h, months),
        "export_shortfall_TWh_monthly": _monthly(cut, months) * twh,
        "export_cut_max_MW_monthly": _monthly(cut, months, how="max"),
        "export_cut_peak_hours_monthly": _monthly(peak_h, months),
        "export_cut_peak_TWh_monthly": _monthly(cut_peak, months) * twh,
        "reserve_shortfall_hours_monthly": _monthly(res_h, months),
        "reserve_shortfall_MWh_monthly": _monthly(reserve, months),
    }


def adequacy_summary(ds: xr.Dataset) -> dict[str, object]:
    """The annual adequacy figures of a results Dataset as plain numbers (for the check's output).

    Returns
    -------
    dict
        Every annual adequacy variable (``loss_of_load_hours``, ``unserved_MWh``,
        ``export_cut_hours``, ``export_shortfall_TWh``, ``export_cut_max_MW``,
        ``export_cut_peak_hours``, ``export_cut_peak_TWh``, ``reserve_shortfall_hours``,
        ``reserve_shortfall_MWh``), ``export_cut_max_time`` (ISO timestamp or None) and
        ``export_cut_hours_by_month`` (12 values, January first), ``export_cut_by_grid``
        (grid -> ``hours``, ``TWh``, ``max_MW``; empty if the Dataset has no ``grid`` figures)
        and the imports from neighbouring grids ``import_TWh``, ``import_hours``,
        ``import_max_MW`` (0 without imports): load and schedules met by them are not cut.
    """
    names = (
        "loss_of_load_hours",
        "unserved_MWh",
        "export_cut_hours",
        "export_shortfall_TWh",
        "export_cut_max_MW",
        "export_cut_peak_hours",
        "export_cut_peak_TWh",
        "reserve_shortfall_hours",
        "reserve_shortfall_MWh",
    )
    out: dict[str, object] = {n: float(ds[n]) for n in names}
    hour = int(ds["export_cut_max_hour"])
    out["export_cut_max_time"] = (
        pd.Timestamp(ds["snapshot"].values[hour]).isoformat() if hour >= 0 else None
    )
    out["export_cut_hours_by_month"] = [float(v) for v in ds["export_cut_hours_monthly"].values]
    by_grid: dict[str, dict[str, float]] = {}
    if "grid_export_cut_hours" in ds:
        for g in ds["grid"].values:
            by_grid[str(g)] = {
                "hours": float(ds["grid_export_cut_hours"].sel(grid=g)),
                "TWh": float(ds["grid_export_shortfall_TWh"].sel(grid=g)),
                "max_MW": float(ds["grid_export_cut_max_MW"].sel(grid=g)),
            }
    out["export_cut_by_grid"] = by_grid
    for n in ("import_TWh", "import_hours", "import_max_MW"):  # support from neighbouring grids
        out[n] = float(ds[n]) if n in ds else 0.0
    return out


ADEQUACY_TARGETS = (
    "max_unserved_MWh",
    "max_loss_of_load_hours",
    "max_export_cut_hours",
    "max_reserve_shortfall_hours",
)
"""The check's targets that make up the adequacy (保供) verdict."""

VERDICT_PHRASES = {
    "max_unserved_MWh": "unserved energy {value:,.0f} MWh",
    "max_loss_of_load_hours": "loss of load in {value:,.0f} h",
    "max_export_cut_hours": "export schedules cut in {value:,.0f} h",
    "max_reserve_shortfall_hours": "reserve not held in {value:,.0f} h",
}
"""How the verdict line names each adequacy target's value."""


def adequacy_verdict(rows: pd.DataFrame) -> dict[str, object]:
    """Overall adequacy verdict of one scenario from its check rows.

    The system is adequate only if every adequacy target (:data:`ADEQUACY_TARGETS`) that the
    scenario sets passes (at the kernel or, with ``--lp``, at the optimal level); a target set to
    ``null`` is listed as not checked, and with none checked the verdict is not ``adequate``.

    Parameters
    ----------
    rows : pandas.DataFrame
        The check's rows of one scenario (columns ``target``, ``verdict``, ``label``, ``value``,
        ``unit``, ``target_value``).

    Returns
    -------
    dict
        ``adequate`` (bool), ``failed`` (labels of the failing adequacy targets),
        ``not_checked`` (adequacy targets the scenario does not set) and ``text`` (one line).
    """
    from energysim.constants import FAIL

    found = rows[rows.target.isin(ADEQUACY_TARGETS)]

    def phrase(r: object) -> str:
        what = VERDICT_PHRASES[r.target].format(value=r.value)
        return f"{what} (target <= {r.target_value:,.0f} {r.unit})"

    failed = [phrase(r) for r in found.itertuples() if r.verdict == FAIL]
    met = [phrase(r) for r in found.itertuples() if r.verdict != FAIL]
    not_checked = [t for t in ADEQUACY_TARGETS if t not in set(found.target)]
    adequate = not failed and len(found) > 0
    if failed:
        text = "NOT adequate: " + "; ".join(failed)
    elif len(found) == 0:
        text = "not assessed (no adequacy target set)"
    else:
        text = "adequate: " + "; ".join(met)
    if not_checked and len(found):
        text += f" (not checked: {', '.join(not_checked)})"
    return {"adequate": adequate, "failed": failed, "not_checked": not_checked, "text": text}


# -- capacity balance (电力平衡) ------------------------------------------------------------------

SEASONS = {"summer": (6, 7, 8), "winter": (12, 1, 2)}
"""Months of the summer and the winter peak seasons."""

EVENING_HOURS = (17, 18, 19, 20, 21)
"""Hours (beginning, Beijing time) of the evening peak window, 17:00-22:00."""

PEAK_LENGTH_H = 4.0
"""Length of the evening peak that storage and demand response must cover, h (assumption: the
net-load peak after sunset lasts ~4 h, 18:00-22:00; storage counts at the power it can hold
for that long)."""

COUNTED_QUANTILE = 0.05
"""Wind and solar count at the 5th percentile (P5) of their output in the season's evening-peak
hours (pooled over the weather years given), not at their nameplate."""

BALANCE_COLUMNS = ["side", "item", "summer_MW", "winter_MW", "note"]


def _peak_hour(snapshots: pd.DatetimeIndex, need: np.ndarray, months: tuple[int, ...]) -> int:
    """Index of the hour with the largest ``need`` among the season's evening-peak hours."""
    mask = np.isin(snapshots.month, months) & np.isin(snapshots.hour, EVENING_HOURS)
    if not mask.any():
        mask = np.isin(snapshots.hour, EVENING_HOURS)
    if not mask.any():
        mask = np.ones(len(snapshots), dtype=bool)
    return int(np.flatnonzero(mask)[np.argmax(need[mask])])


def capacity_balance(
    scenario: Scenario,
    profiles: xr.Dataset | None = None,
    weather_years: int = 1,
    availability: pd.DataFrame | None = None,
    reserve: np.ndarray | None = None,
    ensemble_profiles: list[xr.Dataset] | None = None,
    grid: str | None = None,
    by_grid: bool = False,
    _packed: tuple | None = None,
) -> pd.DataFrame:
    """Capacity balance (电力平衡) at the summer and the winter evening peak.

    The peak hour of each season is the hour among 17:00-22:00 of its months (:data:`SEASONS`)
    with the largest requirement of inflexible demand plus scheduled export, in the scenario's own
    weather year. The network is a copper plate (internal lines are not limits here).

    Requirement: inflexible demand at that hour, the flexible loads' minimum consumption, the
    corridors' scheduled sending at that hour, and the upward reserve requirement.
    Supply: coal, coal CHP and other thermal (gas, biomass) at ``p_nom * p_max_pu`` times their
    expected availability (maintenance x (1 - forced-outage rate)) at that hour; hydro at its
    available power; wind, solar and CSP at :data:`COUNTED_QUANTILE` (P5) of their combined output
    over the season's evening-peak hours, pooled over ``weather_years`` generated weather years
    (with one year: that year's evening-peak hours of the season, ~460 samples); storage at
    the power it can sustain for :data:`PEAK_LENGTH_H` from a full charge, capped at its rated
    power; demand response at its capacity, capped by its annual energy budget over the peak.
    Only fleets in service at the peak hour (``in_service_date``) count.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario.
    profiles : xarray.Dataset, optional
        The scenario's profiles (default: :func:`energysim.run.scenario_profiles`).
    weather_years : int, default 1
        Generated weather years (seeds ``seed .. seed + N - 1``) for the P5 of wind and solar.
    availability : pandas.DataFrame, optional
        Thermal availability, p.u. (T x thermal generator); default: the scenario's expected
        availability (:func:`energysim.kernel.availability.expected_availability`).
    reserve : ndarray (T,), optional
        Upward reserve requirement, MW; default:
        :func:`energysim.kernel.availability.reserve_requirement`.
    ensemble_profiles : list of xarray.Dataset, optional
        Profiles of the weather years to pool for the P5 (e.g. those the check already made);
        replaces ``weather_years``.
    grid : str, optional
        Only the buses of this grid (``buses.<name>.grid``, e.g. 'mengxi', 'mengdong'): their
        demand, schedules, reserve (of their demand) and supply, plus the internal lines into
        the grid from outside at their rating x efficiency (an upper bound on what the other
        grid can send). Default: the whole system as a copper plate.
    by_grid : bool, default False
        Also compute the balance of every grid (when there are several); in
        ``attrs["by_grid"]`` (grid -> DataFrame).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`BALANCE_COLUMNS`: ``side`` ('requirement', 'supply', 'margin'), ``item``,
        ``summer_MW``, ``winter_MW``, ``note``. ``attrs``: ``summer_hour`` and ``winter_hour``
        (ISO timestamps), ``weather_years``, ``peak_length_h``, ``scenario``, ``margin_pct``
        (season -> margin / requirement, %).
    """
    from energysim.run import packed, scenario_profiles

    if _packed is None:
        if profiles is None:
            profiles = scenario_profiles(scenario)
        scenario, inputs, index = packed(scenario, profiles)
        if ensemble_profiles:
            members = [packed(scenario, p)[2] for p in ensemble_profiles]
        else:
            from energysim.feasibility import seeded

            members = [index] + [
                packed(seeded(scenario, scenario.weather.seed + i))[2]
                for i in range(1, max(1, weather_years))
            ]
    else:
        scenario, inputs, index, members = _packed
    snaps = index.snapshots
    carriers = np.array([scenario.generators[g].carrier for g in index.generators])
    bus_in = np.array([grid is None or scenario.buses[b].grid == grid for b in index.buses])
    if not bus_in.any():
        grids = sorted({b.grid for b in scenario.buses.values()})
        msg = (
            f"capacity_balance: grid {grid!r} has no bus in scenario {scenario.name!r}; "
            f"expected one of {grids}"
        )
        raise ValueError(msg)
    bus_pos = {b: i for i, b in enumerate(index.buses)}
    gen_in = np.array([bus_in[bus_pos[scenario.generators[g].bus]] for g in index.generators])
    corr_in = bus_in[inputs.corr_bus]
    demand = inputs.demand[:, bus_in].sum(axis=1)
    sched = inputs.schedule[:, corr_in].sum(axis=1)
    hours = {s: _peak_hour(snaps, demand + sched, m) for s, m in SEASONS.items()}

    if availability is None or reserve is None:
        from energysim.kernel.availability import expected_availability, reserve_requirement

        if availability is None:
            availability = expected_availability(scenario, snaps)
        if reserve is None:
            reserve = reserve_requirement(scenario, inputs.demand[:, bus_in])
    reserve = np.asarray(reserve, dtype=float).reshape(len(snaps))

    from energysim.kernel.pack import DEFAULT_P_MAX_PU

    def in_service(first_day: object, t: int) -> bool:
        return first_day is None or snaps[t] >= pd.Timestamp(first_day)

    def thermal(kinds: tuple[str, ...], t: int) -> float:
        """Installed p_nom x p_max_pu times the availability (not the packed gen_avail, which
        already carries the expected derate), for the fleets in service at hour ``t``."""
        total = 0.0
        for gi, name in enumerate(index.generators):
            g = scenario.generators[name]
            if carriers[gi] in kinds and gen_in[gi] and in_service(g.in_service_date, t):
                pmax = g.p_max_pu if g.p_max_pu is not None else DEFAULT_P_MAX_PU[g.carrier]
                total += g.p_nom * pmax * float(availability[name].iloc[t])
        return total

    ne_cols = np.isin(carriers, ("wind", "solar", "csp")) & gen_in
    ne_nameplate = sum(scenario.generators[g].p_nom for g in np.array(index.generators)[ne_cols])
    samples: dict[str, list[np.ndarray]] = {s: [] for s in SEASONS}
    for member in members:
        gen, year_snaps = member.gen_avail, member.snapshots
        ne = gen[:, ne_cols].sum(axis=1)
        for s, months in SEASONS.items():
            mask = np.isin(year_snaps.month, months) & np.isin(year_snaps.hour, EVENING_HOURS)
            samples[s].append(ne[mask] if mask.any() else ne)
    counted = {
        s: float(np.quantile(np.concatenate(v), COUNTED_QUANTILE)) for s, v in samples.items()
    }

    def storage_credit(t: int) -> float:
        """Storage in service at hour ``t``: the power it holds for the peak from full."""
        return sum(
            min(
                st.p_nom,
                (st.soc_max - st.soc_min)
                * st.p_nom
                * st.max_hours
                * st.efficiency_dispatch
                / PEAK_LENGTH_H,
            )
            for st in scenario.storage.values()
            if bus_in[bus_pos[st.bus]] and in_service(st.in_service_date, t)
        )

    dr_total = float(inputs.dr_cap[bus_in].sum())
    dr_hours = scenario.demand_response.max_hours_per_year
    dr_credit = min(dr_total, dr_total * dr_hours / PEAK_LENGTH_H)
    hydro = {
        s: float(index.gen_avail[t, (carriers == "hydro") & gen_in].sum()) for s, t in hours.items()
    }

    rows: list[tuple[str, str, dict[str, float], str]] = [
        (
            "requirement",
            "peak load (inflexible demand)",
            {s: float(demand[t]) for s, t in hours.items()},
            "demand at the peak hour",
        ),
        (
            "requirement",
            "flexible loads (minimum)",
            {s: float(inputs.flex_min[bus_in].sum()) for s in hours},
            "p_nom x p_min_pu",
        ),
        (
            "requirement",
            "export schedules",
            {s: float(sched[t]) for s, t in hours.items()},
            "corridors' scheduled sending at the peak hour",
        ),
        (
            "requirement",
            "upward reserve",
            {s: float(reserve[t]) for s, t in hours.items()},
            "scenario.reserve",
        ),
        (
            "supply",
            "coal",
            {s: thermal(("coal",), t) for s, t in hours.items()},
            "after maintenance and expected forced outages",
        ),
        (
            "supply",
            "coal CHP",
            {s: thermal(("coal_chp",), t) for s, t in hours.items()},
            "after maintenance and expected forced outages",
        ),
        (
            "supply",
            "gas and biomass",
            {s: thermal(("gas", "biomass"), t) for s, t in hours.items()},
            "after maintenance and expected forced outages",
        ),
        ("supply", "hydro", hydro, "available power"),
        (
            "supply",
            "wind, solar and CSP (P5)",
            counted,
            f"P5 of evening-peak output, {len(members)} weather year(s); "
            f"nameplate {ne_nameplate / 1e3:,.0f} GW",
        ),
        (
            "supply",
            "storage",
            {s: storage_credit(t) for s, t in hours.items()},
            f"power sustainable for {PEAK_LENGTH_H:g} h from full",
        ),
        ("supply", "demand response", {s: dr_credit for s in hours}, "capacity"),
    ]
    if (carriers[gen_in] == "import").any():
        rows.append(
            (
                "supply",
                "imports (Northeast grid ties)",
                {s: thermal(("import",), t) for s, t in hours.items()},
                "tie rating (e.g. the Northeast grid at 蒙东)",
            )
        )
    if grid is not None:
        ties = sum(
            line.p_nom * line.efficiency
            for line in scenario.lines.values()
            if bus_in[bus_pos[line.bus0]] != bus_in[bus_pos[line.bus1]]
        )
        rows.append(
            ("supply", "imports over internal lines", {s: ties for s in hours}, "tie rating")
        )
    table = []
    for side, item, values, note in rows:
        table.append([side, item, values["summer"], values["winter"], note])
    frame = pd.DataFrame(table, columns=BALANCE_COLUMNS)
    need = frame[frame.side == "requirement"][["summer_MW", "winter_MW"]].sum()
    have = frame[frame.side == "supply"][["summer_MW", "winter_MW"]].sum()
    extra = pd.DataFrame(
        [
            ["requirement", "total requirement", need.summer_MW, need.winter_MW, ""],
            ["supply", "total supply", have.summer_MW, have.winter_MW, ""],
            [
                "margin",
                "margin (supply - requirement)",
                have.summer_MW - need.summer_MW,
                have.winter_MW - need.winter_MW,
                "negative: a deficit (缺口)",
            ],
        ],
        columns=BALANCE_COLUMNS,
    )
    frame = pd.concat([frame, extra], ignore_index=True)
    order = {"requirement": 0, "supply": 1, "margin": 2}
    frame = frame.sort_values("side", key=lambda c: c.map(order), kind="stable")
    frame = frame.reset_index(drop=True)
    frame.attrs.update(
        {
            "scenario": scenario.name,
            "grid": grid or "all",
            "summer_hour": snaps[hours["summer"]].isoformat(),
            "winter_hour": snaps[hours["winter"]].isoformat(),
            "weather_years": len(members),
            "peak_length_h": PEAK_LENGTH_H,
            "margin_pct": {
                "summer": 100 * (have.summer_MW - need.summer_MW) / max(need.summer_MW, 1e-9),
                "winter": 100 * (have.winter_MW - need.winter_MW) / max(need.winter_MW, 1e-9),
            },
        }
    )
    grids = sorted({b.grid for b in scenario.buses.values()})
    if by_grid and grid is None and len(grids) > 1:
        frame.attrs["by_grid"] = {
            g: capacity_balance(
                scenario,
                availability=availability,
                grid=g,
                _packed=(scenario, inputs, index, members),
            )
            for g in grids
        }
    return frame
