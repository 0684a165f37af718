"""``energysim calibrate``: synthetic profiles against real series, baseline-2025 against statistics.

The profile half is :mod:`energysim.profiles.calibration`. The system half runs the shipped
``baseline-2025`` scenario with the kernel and compares its year with the reported 2025 figures in
``shared/plan/facts.md``; each row states the source, the tolerance we aim for and whether it is
met. The 蒙西/蒙东 utilisation split is compared with the last published one the way the statistics
are made: over the same months (Jan-May), with the 锡盟 UHV-supporting wind counted to 蒙东 as the
monitoring centre counts it (:data:`STATISTICS_REGROUPS`), on the system-cause basis of 44号
(:data:`SYSTEM_CAUSED_NOTE`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

from energysim.constants import NEW_ENERGY_CARRIERS, RENEWABLE_CARRIERS

logger = logging.getLogger(__name__)

__all__ = [
    "BASELINE_FACTS",
    "CUT_REFERENCE_2025",
    "CUT_REFERENCE_2025_H",
    "CAPACITY_TOLERANCE_PCT",
    "GRID_UTILISATION_2021",
    "JAN_MAY_2025_FACTS",
    "MONTHS_TOLERANCE_PCT",
    "MENGDONG_NE_CAPACITY_2025_MW",
    "NON_HYDRO_CARRIERS",
    "RENEWABLE_WEIGHT_FACTS",
    "WEIGHT_STEP_2024_PP",
    "WeightFact",
    "GRID_UTILISATION_2021_MONTHS",
    "GRID_UTILISATION_2021_SOURCE",
    "STATISTICS_REGROUPS",
    "SYSTEM_CAUSED_NOTE",
    "StatisticsRegroup",
    "XILINGOL_UHV_REGROUP",
    "UTILISATION_TOLERANCE_PP",
    "baseline_calibration",
    "baseline_cut_rows",
    "baseline_months_rows",
    "cut_timing",
    "format_baseline",
    "format_capacity_rows",
    "format_cut_timing",
    "format_cut_rows",
    "format_grid_rows",
    "format_imports",
    "format_months_rows",
    "format_weight_rows",
    "grid_capacity_rows",
    "grid_renewable_weight",
    "grid_utilisation",
    "grid_utilisation_rows",
    "league_wind_hours",
    "renewable_weight_rows",
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
        "2024-04, bailiqin.com 2025-01; system causes only from 2024, 44号); 蒙西 2021 wind "
        "88.5-91.2 % (facts.md §4) -> 0.93 +-4 % (89.3-96.7 %)",
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


JAN_MAY_2025_FACTS: dict[str, float] = {
    "new_energy_used_TWh": 124.7,
    "new_energy_export_TWh": 43.0,
    "new_energy_local_TWh": 81.7,
}
"""Jan-May 2025 new energy, TWh: generation 124.7, exported 43.0, used locally 81.7 (内蒙古能源局
via 中国电力报 c35b.com 2025-06-16 and ce.cn 2025-06-17, facts.md §2)."""

JAN_MAY_2025_SOURCE = (
    "facts.md §2: Jan-May 2025 NE generation 124.7 TWh, NE export 43.0, NE local 81.7 (内蒙古能源局 "
    "via 中国电力报 c35b.com 2025-06-16); the model runs the in-year average fleet (145.2 GW wind+"
    "solar) in every month, about 4.5 % above the Jan-May 2025 stock (135 GW end-2024 -> 143.09 GW "
    "on 2025-05-31, facts.md §1, mean ~139 GW)"
)

MONTHS_TOLERANCE_PCT = 10.0
"""Tolerance of the Jan-May rows, % (assumption: one synthetic weather year against one real
spring, and a fleet ~4.5 % larger than the Jan-May stock)."""


def _error_row(
    label: str, model: float, reported: float, tolerance_pct: float, source: str
) -> dict[str, object]:
    """One calibration row: the relative error in per cent and whether it is within tolerance."""
    error = (model - reported) / reported * 100
    return {
        "label": label,
        "model": model,
        "reported": reported,
        "error_pct": error,
        "within": abs(error) <= tolerance_pct,
        "source": source,
    }


def baseline_months_rows(
    results: xr.Dataset, months: tuple[int, ...] = (1, 2, 3, 4, 5)
) -> pd.DataFrame:
    """New-energy generation, export and local use over ``months`` against Jan-May 2025.

    Parameters
    ----------
    results : xarray.Dataset
        ``generator_p`` (snapshot, generator; MW) with ``carrier``, and ``corridor_p_new_energy``
        (snapshot, corridor; MW, the new energy in each corridor's flow).
    months : tuple of int
        The months summed (the facts are Jan-May; other windows are for tests).

    Returns
    -------
    pandas.DataFrame
        One row per entry of :data:`JAN_MAY_2025_FACTS`; columns ``variable``, ``label``,
        ``model`` (TWh), ``reported`` (TWh), ``error_pct``, ``within``
        (``|error_pct| <= MONTHS_TOLERANCE_PCT``) and ``source``.
    """
    in_months = results["snapshot"].dt.month.isin(list(months))
    ne = results["carrier"].isin(list(NEW_ENERGY_CARRIERS))
    used = float(results.generator_p.sel(snapshot=in_months).where(ne, 0.0).sum()) / 1e6
    export = float(results.corridor_p_new_energy.sel(snapshot=in_months).sum()) / 1e6
    model = {
        "new_energy_used_TWh": used,
        "new_energy_export_TWh": export,
        "new_energy_local_TWh": used - export,
    }
    labels = {
        "new_energy_used_TWh": "new-energy generation, Jan-May",
        "new_energy_export_TWh": "new-energy export, Jan-May",
        "new_energy_local_TWh": "new energy used locally, Jan-May",
    }
    rows = []
    for variable, reported in JAN_MAY_2025_FACTS.items():
        rows.append(
            {"variable": variable}
            | _error_row(
                labels[variable],
                model[variable],
                reported,
                MONTHS_TOLERANCE_PCT,
                JAN_MAY_2025_SOURCE,
            )
        )
    return pd.DataFrame(rows)


def format_months_rows(table: pd.DataFrame) -> str:
    """The rows of :func:`baseline_months_rows` as text (the source once, below)."""
    lines = [f"{'figure':34s} {'model':>9s} {'reported':>9s} {'error':>8s} {'tol.':>6s}  ok"]
    for _, r in table.iterrows():
        lines.append(
            f"{r.label:34s} {r.model:9.1f} {r.reported:9.1f} {r.error_pct:+7.1f}% "
            f"{MONTHS_TOLERANCE_PCT:5.0f}%  {'yes' if r.within else 'NO'}"
        )
    if len(table):
        lines.append(f"reference: {table.source.iloc[0]}")
    return "\n".join(lines)


GRID_UTILISATION_2021: dict[str, dict[str, float]] = {
    "mengxi": {"wind": 0.885, "solar": 0.963},
    "mengdong": {"wind": 0.967, "solar": 0.991},
}
"""Jan-May 2021 utilisation rates by grid (全国新能源消纳监测预警中心, facts.md §4): the last
published split. 蒙西 curtails more than 蒙东; the baseline should show the same ordering."""

GRID_UTILISATION_2021_MONTHS: tuple[int, ...] = (1, 2, 3, 4, 5)
"""The months the 2021 split covers (Jan-May, facts.md §4); the model is compared over the same
months of its year (the annual figure is shown beside it)."""

GRID_UTILISATION_2021_SOURCE = (
    "全国新能源消纳监测预警中心, Jan-May 2021, via boslocksmith.com 2021-06-28 (facts.md §4)"
)


@dataclass(frozen=True)
class StatisticsRegroup:
    """Part of a bus's fleet that the published statistics count to another grid.

    Attributes
    ----------
    bus, carrier : str
        The model's generators this part is taken from (all rows of that bus and carrier).
    capacity_MW : float
        The capacity the statistics regroup, MW; taken pro rata from the rows' ``p_nom`` (the
        rows share one profile, so used and available energy move in the same proportion).
    to_grid : str
        The grid the statistics count it to.
    source : str
        Where the grouping and the capacity come from.
    """

    bus: str
    carrier: str
    capacity_MW: float
    to_grid: str
    source: str


XILINGOL_UHV_REGROUP = StatisticsRegroup(
    bus="xilingol",
    carrier="wind",
    capacity_MW=7000.0,
    to_grid="mengdong",
    source=(
        "the monitoring centre's 蒙东 results include the 锡盟 UHV-export supporting new energy "
        "(note 1 to its Nov 2024 table, via bailiqin.com/news/show-206646.html, facts.md §4; "
        "State Grid 蒙东 operates the 锡盟 UHV stations, facts.md §10): 36 projects, 7 000 MW of "
        "wind in 锡林郭勒 sending over the UHV lines through State Grid's 新能源汇集 500 kV "
        "stations (xinnengyuan100.com/article/117174.html); the model puts 锡林郭勒 in 蒙西, so "
        "the comparison moves 7 000 MW of its wind (pro rata, same profile) to 蒙东. "
        "assumption: the same grouping held in Jan-May 2021 (the note is from the 2024 tables; "
        "the 汇集 works began 2019-09 and the article reports the first 18 projects connected; "
        "how much of it ran in 2021 is not known)"
    ),
)
"""The regrouping that makes the model's 蒙西/蒙东 split comparable with the published one."""

STATISTICS_REGROUPS: tuple[StatisticsRegroup, ...] = (XILINGOL_UHV_REGROUP,)
"""All regroupings applied in the calibration table (see :class:`StatisticsRegroup`)."""

SYSTEM_CAUSED_NOTE = (
    "from 2024 the rates count only curtailment for system reasons (国能发电力〔2024〕44号, "
    "note 2 to the Nov 2024 table, bailiqin.com, facts.md §4); the 2021 rates count all "
    "curtailment. The model's curtailment is all system-caused (调峰 surplus and internal "
    "500 kV congestion, docs/indicators.md; it has no plant-side cause), so it compares with a "
    "post-2024 rate as it is; the 2021 rates, on the post-2024 basis, would be the same or higher "
    "(a lower bound)"
)
"""How 44号 changes the published basis, and why the model's figure needs no adjustment."""


def _regroup_shares(
    frame: pd.DataFrame,
    regroups: tuple[StatisticsRegroup, ...],
    p_nom: Mapping[str, float] | None,
) -> pd.Series:
    """Share of each generator's energy that a regrouping moves, p.u. (dim generator)."""
    share = pd.Series(0.0, index=frame.index)
    if not regroups:
        return share
    if p_nom is None:
        msg = (
            "grid_utilisation: regroups need the generators' p_nom (MW); pass p_nom={generator: "
            "MW} from the scenario's generator table"
        )
        raise ValueError(msg)
    for r in regroups:
        rows = frame.index[(frame.bus == r.bus) & (frame.carrier == r.carrier)]
        missing = [g for g in rows if g not in p_nom]
        if missing:
            msg = f"grid_utilisation: p_nom has no entry for generator(s) {missing}; expected MW"
            raise ValueError(msg)
        total = float(sum(p_nom[g] for g in rows))
        if total <= 0.0 or r.capacity_MW > total:
            msg = (
                f"grid_utilisation: regrouping {r.capacity_MW:g} MW of {r.carrier} at bus "
                f"{r.bus!r} to {r.to_grid}, but the model has {total:g} MW there; expected at "
                "most the modelled capacity"
            )
            raise ValueError(msg)
        share[rows] = r.capacity_MW / total
    return share


def grid_utilisation(
    results: xr.Dataset,
    *,
    months: tuple[int, ...] | None = None,
    regroups: tuple[StatisticsRegroup, ...] = (),
    p_nom: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """New-energy utilisation per provincial grid and carrier from a results Dataset.

    Parameters
    ----------
    results : xarray.Dataset
        ``generator_p`` and ``generator_p_available`` (dims snapshot, generator; MW) with the
        ``carrier``, ``generator_bus``, ``bus_grid`` coordinates.
    months : tuple of int, optional
        Count only the hours of these calendar months (1-12); all hours if None.
    regroups : tuple of StatisticsRegroup
        Parts of a bus's fleet counted to another grid, as the published statistics do.
    p_nom : mapping of str to float, optional
        Generator capacities, MW; required with ``regroups``.

    Returns
    -------
    pandas.DataFrame
        Index ``grid`` (mengxi, mengdong), columns ``wind``, ``solar`` and ``new_energy``:
        generated / available over the hours counted, p.u.
    """
    p, avail = results.generator_p, results.generator_p_available
    if months is not None:
        bad = [m for m in months if not 1 <= int(m) <= 12]
        if bad or not months:
            msg = f"grid_utilisation: months={months!r}; expected calendar months 1-12"
            raise ValueError(msg)
        in_months = results["snapshot"].dt.month.isin(list(months))
        p, avail = p.sel(snapshot=in_months), avail.sel(snapshot=in_months)
    grid_of_bus = dict(zip(results.bus.values, results.bus_grid.values, strict=True))
    frame = pd.DataFrame(
        {
            "bus": results.generator_bus.values,
            "grid": [grid_of_bus[b] for b in results.generator_bus.values],
            "carrier": results.carrier.values,
            "used": p.sum("snapshot").values,
            "avail": avail.sum("snapshot").values,
        },
        index=pd.Index(results.generator.values, name="generator"),
    )
    frame = frame[frame.carrier.isin(NEW_ENERGY_CARRIERS)]
    share = _regroup_shares(frame, regroups, p_nom)
    moved = frame[share > 0].copy()
    if len(moved):
        target = {(r.bus, r.carrier): r.to_grid for r in regroups}
        moved["grid"] = [target[(b, c)] for b, c in zip(moved.bus, moved.carrier, strict=True)]
        moved[["used", "avail"]] = moved[["used", "avail"]].mul(share[moved.index], axis=0)
        frame = frame.copy()
        frame[["used", "avail"]] = frame[["used", "avail"]].mul(1.0 - share, axis=0)
        frame = pd.concat([frame, moved])
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


MENGDONG_NE_CAPACITY_2025_MW = 43_700.0 + 3_500.0
"""New-energy capacity of the 蒙东 grid in mid-2025, MW: 43.70 GW at end-2024 plus 3.50 GW added in
H1 2025 (国网蒙东, via tanjiaoyi.com/article-95321-1.html; facts.md §1). The baseline's in-year
average fleet (145.7 GW) is the province's stock of about mid-2025 (143.09 GW on 2025-05-31,
150.10 GW on 2025-10-31, facts.md §1), so the two compare."""

MENGDONG_NE_CAPACITY_SOURCE = (
    "derived: 蒙东 grid NE 43.70 GW end-2024 + 3.50 GW added H1 2025 = 47.2 GW mid-2025 (国网蒙东 "
    "via tanjiaoyi.com/article-95321-1.html, facts.md §1); assumption: the grid's figure counts "
    "the 锡盟 UHV-supporting NE as its utilisation statistics do (State Grid 蒙东 operates the "
    "锡盟 UHV stations, facts.md §10)"
)

CAPACITY_TOLERANCE_PCT = 10.0
"""How far the modelled 蒙东 new-energy capacity may lie from the derived mid-2025 figure, %
(assumption: the league split comes from GEM 2023 project lists, scaled to the provincial stock)."""


def grid_capacity_rows(
    results: xr.Dataset,
    p_nom: Mapping[str, float],
    regroups: tuple[StatisticsRegroup, ...] = STATISTICS_REGROUPS,
) -> pd.DataFrame:
    """The model's 蒙东 new-energy capacity, grouped as the statistics group it, against 2025.

    A check of the grouping itself: the model's four 蒙东 leagues plus the regrouped 锡盟 UHV
    fleet should hold about the capacity the 蒙东 grid reports.

    Parameters
    ----------
    results : xarray.Dataset
        Needs the ``carrier``, ``generator_bus`` and ``bus_grid`` coordinates.
    p_nom : mapping of str to float
        Generator capacities, MW.
    regroups : tuple of StatisticsRegroup
        As in :func:`grid_utilisation`.

    Returns
    -------
    pandas.DataFrame
        Two rows (the model's league grouping, the statistics grouping); columns ``label``,
        ``model`` (MW), ``reported`` (MW), ``error_pct``, ``within``
        (``|error_pct| <= CAPACITY_TOLERANCE_PCT``) and ``source``.
    """
    grid_of_bus = dict(zip(results.bus.values, results.bus_grid.values, strict=True))
    frame = pd.DataFrame(
        {"bus": results.generator_bus.values, "carrier": results.carrier.values},
        index=pd.Index(results.generator.values, name="generator"),
    )
    frame = frame[frame.carrier.isin(NEW_ENERGY_CARRIERS)]
    missing = [g for g in frame.index if g not in p_nom]
    if missing:
        msg = f"grid_capacity_rows: p_nom has no entry for generator(s) {missing}; expected MW"
        raise ValueError(msg)
    frame["p_nom"] = [float(p_nom[g]) for g in frame.index]
    frame["grid"] = frame.bus.map(grid_of_bus)
    share = _regroup_shares(frame, regroups, p_nom)
    own = float(frame.p_nom[frame.grid == "mengdong"].sum())
    to_grid = {(r.bus, r.carrier): r.to_grid for r in regroups}
    target = pd.Series(
        [
            to_grid.get((b, c), g)
            for b, c, g in zip(frame.bus, frame.carrier, frame.grid, strict=True)
        ],
        index=frame.index,
    )
    kept = frame.p_nom * (1.0 - share)
    grouped = float(
        kept[frame.grid == "mengdong"].sum() + (frame.p_nom * share)[target == "mengdong"].sum()
    )
    rows = []
    for label, model in (
        ("NE capacity, 蒙东 (model's leagues)", own),
        ("NE capacity, 蒙东 (as statistics)", grouped),
    ):
        rows.append(
            _error_row(
                label,
                model,
                MENGDONG_NE_CAPACITY_2025_MW,
                CAPACITY_TOLERANCE_PCT,
                MENGDONG_NE_CAPACITY_SOURCE,
            )
        )
    return pd.DataFrame(rows)


def format_capacity_rows(table: pd.DataFrame) -> str:
    """The rows of :func:`grid_capacity_rows` as text, GW (the source once, below)."""
    lines = [f"{'figure':36s} {'model':>8s} {'reported':>8s} {'error':>7s}  ok"]
    for _, r in table.iterrows():
        lines.append(
            f"{_pad(r.label, 36)} {r.model / 1e3:5.1f} GW {r.reported / 1e3:5.1f} GW "
            f"{r.error_pct:+6.1f}%  {'yes' if r.within else 'NO'}"
        )
    if len(table):
        lines.append(
            f"reference: {table.source.iloc[0]}; tolerance {CAPACITY_TOLERANCE_PCT:g} % "
            "(assumption: league split from GEM 2023 lists)"
        )
    return "\n".join(lines)


NON_HYDRO_CARRIERS: tuple[str, ...] = tuple(c for c in RENEWABLE_CARRIERS if c != "hydro")
"""The carriers of the non-hydro renewable weight (非水电可再生能源电力消纳权重)."""


def _grid_mask(buses: np.ndarray, grid_of_bus: Mapping[str, str], grid: str) -> np.ndarray:
    """For each bus name in ``buses``: whether that bus lies in ``grid`` (bool, same shape)."""
    return np.array([grid_of_bus[str(b)] == grid for b in buses], dtype=bool)


def grid_renewable_weight(
    results: xr.Dataset,
    *,
    months: tuple[int, ...] | None = None,
    carriers: tuple[str, ...] = RENEWABLE_CARRIERS,
) -> pd.DataFrame:
    """Renewable consumption weight (消纳权重) per provincial grid and for the province.

    The weight is the renewable energy consumed where it is generated over the consumption:
    (renewable generation − new energy sent over the grid's export corridors) / consumption,
    the definition of ``renewable_weight`` (:mod:`energysim.accounting`) applied to each grid's
    buses. A grid's consumption is its demand served (inflexible demand − demand-response shed
    + payback − unserved), its flexible loads, its storage charge − discharge and the losses of
    its internal lines; the change in stored energy over the hours counted is left out (at most
    the storage fleet's energy capacity, e.g. 0.03 TWh of 552 TWh in baseline-2025).
    Imports from the Northeast grid are not renewable generation: they supply consumption like
    thermal.

    Parameters
    ----------
    results : xarray.Dataset
        A results Dataset: ``demand``, ``demand_response_shed``, ``demand_response_payback``,
        ``unserved`` (snapshot, bus; MW); ``flexible_load_p`` (snapshot, flexible_load);
        ``storage_charge``, ``storage_discharge`` (snapshot, storage_unit); ``line_p0``,
        ``line_p1`` (snapshot, line); ``generator_p`` (snapshot, generator);
        ``corridor_p_new_energy`` (snapshot, corridor); with the ``bus_grid``,
        ``flexible_load_bus``, ``storage_bus``, ``line_bus0``, ``line_bus1``, ``carrier``,
        ``generator_bus`` and ``corridor_bus`` coordinates.
    months : tuple of int, optional
        Count only the hours of these calendar months (1-12); all hours if None.
    carriers : tuple of str
        The renewable carriers counted (:data:`~energysim.constants.RENEWABLE_CARRIERS`, or
        :data:`NON_HYDRO_CARRIERS` for the non-hydro weight).

    Returns
    -------
    pandas.DataFrame
        Index ``grid`` (the Dataset's grids, then ``all`` for the province); columns
        ``renewable_TWh`` (renewable generation), ``new_energy_export_TWh``,
        ``consumption_TWh`` and ``weight`` (p.u.).

    Raises
    ------
    ValueError
        If ``months`` holds a value outside 1-12, or a line joins two grids (its flow would be an
        exchange between grids, which this weight does not count).
    """
    grid_of_bus = {
        str(b): str(g) for b, g in zip(results.bus.values, results.bus_grid.values, strict=True)
    }
    for name, b0, b1 in zip(
        results.line.values, results.line_bus0.values, results.line_bus1.values, strict=True
    ):
        if grid_of_bus[str(b0)] != grid_of_bus[str(b1)]:
            msg = (
                f"grid_renewable_weight: line {str(name)!r} joins {str(b0)!r} "
                f"({grid_of_bus[str(b0)]}) and {str(b1)!r} ({grid_of_bus[str(b1)]}); expected "
                "lines inside one grid (exchanges between grids are not counted)"
            )
            raise ValueError(msg)
    d = results
    if months is not None:
        bad = [m for m in months if not 1 <= int(m) <= 12]
        if bad or not months:
            msg = f"grid_renewable_weight: months={months!r}; expected calendar months 1-12"
            raise ValueError(msg)
        d = results.sel(snapshot=results["snapshot"].dt.month.isin(list(months)))
    served = (
        (d.demand - d.demand_response_shed + d.demand_response_payback - d.unserved)
        .sum("snapshot")
        .values
    )
    flex = d.flexible_load_p.sum("snapshot").values
    storage = (d.storage_charge - d.storage_discharge).sum("snapshot").values
    losses = (d.line_p0 + d.line_p1).sum("snapshot").values
    renewable = d.generator_p.sum("snapshot").values * results.carrier.isin(list(carriers)).values
    export = d.corridor_p_new_energy.sum("snapshot").values
    rows = {}
    for grid in dict.fromkeys(grid_of_bus.values()):
        consumption = (
            served[_grid_mask(results.bus.values, grid_of_bus, grid)].sum()
            + flex[_grid_mask(results.flexible_load_bus.values, grid_of_bus, grid)].sum()
            + storage[_grid_mask(results.storage_bus.values, grid_of_bus, grid)].sum()
            + losses[_grid_mask(results.line_bus0.values, grid_of_bus, grid)].sum()
        ) / 1e6
        rows[grid] = {
            "renewable_TWh": renewable[
                _grid_mask(results.generator_bus.values, grid_of_bus, grid)
            ].sum()
            / 1e6,
            "new_energy_export_TWh": export[
                _grid_mask(results.corridor_bus.values, grid_of_bus, grid)
            ].sum()
            / 1e6,
            "consumption_TWh": consumption,
        }
    table = pd.DataFrame(rows).T
    table.loc["all"] = table.sum()
    table["weight"] = (table.renewable_TWh - table.new_energy_export_TWh) / table.consumption_TWh
    return table.rename_axis("grid")


def league_wind_hours(
    results: xr.Dataset, bus: str, p_nom: Mapping[str, float]
) -> dict[str, float]:
    """A league's wind full-load hours against the province's, the form of the league statistics.

    The 内蒙古统计局 league figures (2021-22: 兴安 0.93 and 1.07 x the IM mean, docs/data.md,
    "Resource by league") are wind energies; over the same fleet they give the league's hours as a
    ratio to the IM mean. A 2024-25 兴安 figure compared with this ratio tests the 兴安→通辽 exit
    (docs/data.md, "兴安's outcomes searched, and the test they would make").

    Parameters
    ----------
    results : xarray.Dataset
        ``generator_p`` (snapshot, generator; MW) with the ``carrier`` and ``generator_bus``
        coordinates.
    bus : str
        The league (bus name).
    p_nom : mapping of str to float
        Generator capacities, MW (the scenario's generator table).

    Returns
    -------
    dict of str to float
        ``league_h`` and ``province_h`` (wind energy / wind capacity over the results' hours, h)
        and ``ratio`` (league_h / province_h).

    Raises
    ------
    ValueError
        If the bus has no wind, or a wind generator has no capacity in ``p_nom``.
    """
    wind = results.carrier.values == "wind"
    names = [str(g) for g in results.generator.values[wind]]
    missing = [g for g in names if g not in p_nom]
    if missing:
        msg = f"league_wind_hours: p_nom has no entry for generator(s) {missing}; expected MW"
        raise ValueError(msg)
    energy = results.generator_p.sum("snapshot").values[wind]
    cap = np.array([float(p_nom[g]) for g in names])
    at_bus = results.generator_bus.values[wind] == bus
    if not at_bus.any() or cap[at_bus].sum() <= 0.0:
        msg = f"league_wind_hours: bus {bus!r} has no wind capacity; expected a bus with wind"
        raise ValueError(msg)
    league = float(energy[at_bus].sum() / cap[at_bus].sum())
    province = float(energy.sum() / cap.sum())
    return {"league_h": league, "province_h": province, "ratio": league / province}


WEIGHT_STEP_2024_PP = 3.2
"""The province's renewable consumption weight rose 3.2 percentage points in 2024 (26.4 → 29.6 %;
国网蒙东 via tanjiaoyi.com/article-95321-1.html, facts.md §2)."""


@dataclass(frozen=True)
class WeightFact:
    """A published renewable consumption weight the baseline is compared with.

    Attributes
    ----------
    label : str
        What is compared, as printed.
    grid : str or None
        The provincial grid (``mengxi``, ``mengdong``), or None for the whole province.
    months : tuple of int or None
        The calendar months the figure covers; None for the whole year.
    carriers : tuple of str
        The renewable carriers it counts.
    reported : float
        The published weight, p.u.
    year : int
        The year of the published figure (the model year is 2025).
    low_pp, high_pp : float
        The model's weight minus ``reported`` should lie in [low_pp, high_pp], percentage points.
    source : str
        Where the figure and the band come from.
    """

    label: str
    grid: str | None
    months: tuple[int, ...] | None
    carriers: tuple[str, ...]
    reported: float
    year: int
    low_pp: float
    high_pp: float
    source: str


_STEP_BAND = (
    f"band 0 to +{2 * WEIGHT_STEP_2024_PP:g} pp: a 2025 model against a 2024 figure; assumption: "
    f"the weight moved in 2025 by 0-2 x its 2024 step (+{WEIGHT_STEP_2024_PP:g} pp): new energy "
    "used locally grew 30.3 % in Jan-May 2025 (内蒙古能源局 via xsd7788.com, docs/data.md) against "
    "consumption +5.5 % (548 vs 519.3 TWh, docs/data.md Derivations)"
)

RENEWABLE_WEIGHT_FACTS: tuple[WeightFact, ...] = (
    WeightFact(
        "RE weight, Inner Mongolia",
        None,
        None,
        RENEWABLE_CARRIERS,
        0.296,
        2024,
        0.0,
        2 * WEIGHT_STEP_2024_PP,
        "2024 可再生能源电力消纳权重 29.6 % (+3.2 pp), 国网蒙东 via tanjiaoyi.com/article-95321-1.html "
        f"(facts.md §2); {_STEP_BAND}",
    ),
    WeightFact(
        "RE weight, 蒙东",
        "mengdong",
        None,
        RENEWABLE_CARRIERS,
        0.3888,
        2024,
        0.0,
        2 * WEIGHT_STEP_2024_PP,
        "2024 国网蒙东电力经营区 weight 38.88 % (same source); the model's four 蒙东 leagues (the "
        "锡盟 UHV-supporting fleet that the utilisation statistics count to 蒙东 is exported, so it "
        f"adds about as much to the export as to the generation); {_STEP_BAND}",
    ),
    WeightFact(
        "non-hydro RE weight, Inner Mongolia, Jan-May",
        None,
        (1, 2, 3, 4, 5),
        NON_HYDRO_CARRIERS,
        0.368,
        2025,
        -0.368 * MONTHS_TOLERANCE_PCT,
        0.368 * MONTHS_TOLERANCE_PCT,
        "Jan-May 2025 非水可再生能源电力消纳责任权重 36.8 % (内蒙古能源局 via 中国电力报 c35b.com "
        "2025-06-16, facts.md §2; the same months and year); tolerance "
        f"{MONTHS_TOLERANCE_PCT:g} % of the figure, as the Jan-May rows",
    ),
)
"""The published weights: the province and the 蒙东 grid area in 2024, the province in Jan-May
2025 (non-hydro). The 2024 figures test the 蒙西/蒙东 split of demand and local use (蒙东 above the
province), not the 兴安 exit: with 兴安→通辽 at 5 GW the 蒙东 weight moves 39.9 → 41.8 %, inside
the same band (docs/data.md, Internal grid)."""


def renewable_weight_rows(
    results: xr.Dataset, facts: tuple[WeightFact, ...] = RENEWABLE_WEIGHT_FACTS
) -> pd.DataFrame:
    """The model's renewable consumption weights against the published ones.

    Parameters
    ----------
    results : xarray.Dataset
        A baseline-2025 results Dataset (see :func:`grid_renewable_weight`).
    facts : tuple of WeightFact
        The published weights (default :data:`RENEWABLE_WEIGHT_FACTS`).

    Returns
    -------
    pandas.DataFrame
        One row per fact; columns ``label``, ``model`` (p.u.), ``reported`` (p.u.), ``year``,
        ``diff_pp`` (model − reported, percentage points), ``low_pp``, ``high_pp``, ``within``
        (``low_pp <= diff_pp <= high_pp``) and ``source``.
    """
    rows = []
    for f in facts:
        table = grid_renewable_weight(results, months=f.months, carriers=f.carriers)
        key = "all" if f.grid is None else f.grid
        if key not in table.index:
            msg = (
                f"renewable_weight_rows: {f.label!r} asks for grid {f.grid!r}; the results have "
                f"{sorted(set(table.index) - {'all'})}"
            )
            raise ValueError(msg)
        model = float(table.loc[key, "weight"])
        diff = (model - f.reported) * 100
        rows.append(
            {
                "label": f.label,
                "model": model,
                "reported": f.reported,
                "year": f.year,
                "diff_pp": diff,
                "low_pp": f.low_pp,
                "high_pp": f.high_pp,
                "within": f.low_pp <= diff <= f.high_pp,
                "source": f.source,
            }
        )
    return pd.DataFrame(rows)


def format_weight_rows(table: pd.DataFrame) -> str:
    """The rows of :func:`renewable_weight_rows` as text, percentages (sources below)."""
    lines = [f"{'figure':44s} {'model':>7s} {'reported':>13s} {'diff':>8s} {'band':>15s}  ok"]
    for _, r in table.iterrows():
        band = f"{r.low_pp:+.1f}..{r.high_pp:+.1f}pp"
        lines.append(
            f"{_pad(r.label, 44)} {r.model * 100:6.1f}% {r.reported * 100:6.2f}% ({r.year}) "
            f"{r.diff_pp:+6.1f}pp {band:>15s}  {'yes' if r.within else 'NO'}"
        )
    for _, r in table.iterrows():
        lines.append(f"{r.label}: {r.source}")
    return "\n".join(lines)


UTILISATION_TOLERANCE_PP = 5.0
"""How far a grid's modelled 2025 utilisation may lie from its Jan-May 2021 rate, percentage points
(assumption: four years and a doubled fleet apart, the 2021 split is an ordering check, not a
level; national 2024-25 rates moved by a few points, facts.md §4)."""


def grid_utilisation_rows(
    results: xr.Dataset,
    p_nom: Mapping[str, float] | None = None,
    regroups: tuple[StatisticsRegroup, ...] = STATISTICS_REGROUPS,
) -> pd.DataFrame:
    """Wind and solar utilisation per provincial grid against the 2021 split, and their ordering.

    The comparison is made the way the statistics are made: over the same months
    (:data:`GRID_UTILISATION_2021_MONTHS`) and with the fleet grouped as the statistics group it
    (``regroups``, default :data:`STATISTICS_REGROUPS`); the annual figure and the model's own
    league grouping are shown beside it.

    Parameters
    ----------
    results : xarray.Dataset
        A results Dataset (``generator_p``, ``generator_p_available``, ``carrier``,
        ``generator_bus``, ``bus_grid``, ``snapshot``).
    p_nom : mapping of str to float, optional
        Generator capacities, MW (the scenario's generator table); required when ``regroups``
        is not empty.
    regroups : tuple of StatisticsRegroup
        How the statistics group the fleet differently from the model's buses.

    Returns
    -------
    pandas.DataFrame
        One row per (grid, carrier) of :data:`GRID_UTILISATION_2021`, then one ``order`` row per
        carrier; columns ``label``, ``model`` (Jan-May, statistics grouping, p.u.), ``annual``
        (whole year, statistics grouping), ``as_modelled`` (Jan-May, the model's grouping),
        ``reported`` (p.u.), ``diff_pp`` (model - reported), ``within``
        (``|diff_pp| <= UTILISATION_TOLERANCE_PP``; for an order row: 蒙西 below 蒙东 as in 2021)
        and ``source``.
    """
    from energysim.adequacy import GRID_LABELS

    months = GRID_UTILISATION_2021_MONTHS
    tables = {
        "model": grid_utilisation(results, months=months, regroups=regroups, p_nom=p_nom),
        "annual": grid_utilisation(results, regroups=regroups, p_nom=p_nom),
        "as_modelled": grid_utilisation(results, months=months),
    }

    def value(key: str, grid: str, carrier: str) -> float:
        t = tables[key]
        return float(t.loc[grid, carrier]) if grid in t.index else float("nan")

    rows = []
    for grid, by_carrier in GRID_UTILISATION_2021.items():
        for carrier, reported in by_carrier.items():
            model = value("model", grid, carrier)
            diff = (model - reported) * 100
            rows.append(
                {
                    "label": f"{carrier} utilisation, {GRID_LABELS.get(grid, grid)}",
                    "model": model,
                    "annual": value("annual", grid, carrier),
                    "as_modelled": value("as_modelled", grid, carrier),
                    "reported": reported,
                    "diff_pp": diff,
                    "within": abs(diff) <= UTILISATION_TOLERANCE_PP,
                    "source": GRID_UTILISATION_2021_SOURCE,
                }
            )
    for carrier in ("wind", "solar"):
        gap = {
            key: value(key, "mengxi", carrier) - value(key, "mengdong", carrier) for key in tables
        }
        rows.append(
            {
                "label": f"{carrier}: 蒙西 below 蒙东",
                "model": gap["model"],
                "annual": gap["annual"],
                "as_modelled": gap["as_modelled"],
                "reported": GRID_UTILISATION_2021["mengxi"][carrier]
                - GRID_UTILISATION_2021["mengdong"][carrier],
                "diff_pp": float("nan"),
                "within": bool(gap["model"] < 0),
                "source": GRID_UTILISATION_2021_SOURCE,
            }
        )
    return pd.DataFrame(rows)


def _pad(label: str, width: int) -> str:
    """``label`` left-aligned in ``width`` terminal columns (a CJK character takes two)."""
    wide = sum(1 for ch in label if ord(ch) > 0x2E80)
    return f"{label:{width - wide}s}"


def format_grid_rows(
    table: pd.DataFrame, regroups: tuple[StatisticsRegroup, ...] = STATISTICS_REGROUPS
) -> str:
    """The rows of :func:`grid_utilisation_rows` as text, percentages (the sources once, below)."""
    lines = [
        f"{'figure':30s} {'Jan-May':>8s} {'annual':>8s} {'as mod.':>8s} {'2021':>8s} "
        f"{'diff':>8s}  ok"
    ]
    for _, r in table.iterrows():
        diff = "" if pd.isna(r.diff_pp) else f"{r.diff_pp:+6.1f}pp"
        lines.append(
            f"{_pad(r.label, 30)} {r.model * 100:7.1f}% {r.annual * 100:7.1f}% "
            f"{r.as_modelled * 100:7.1f}% {r.reported * 100:7.1f}% {diff:>8s}  "
            f"{'yes' if r.within else 'NO'}"
        )
    if len(table):
        lines.append(
            f"reference: {table.source.iloc[0]}; compared over the same months (Jan-May; annual "
            "beside) with the fleet grouped as the statistics group it ('as mod.': Jan-May, the "
            f"model's league grouping); tolerance {UTILISATION_TOLERANCE_PP:g} pp (assumption: "
            "the 2021 split checks the ordering, not the level)"
        )
        for r in regroups:
            lines.append(
                f"grouping: {r.capacity_MW:,.0f} MW of {r.carrier} at {r.bus} counted to "
                f"{r.to_grid}: {r.source}"
            )
        lines.append(f"basis: {SYSTEM_CAUSED_NOTE}")
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


def cut_timing(results: xr.Dataset, grid: str = "mengxi") -> dict[str, dict[int, int]]:
    """When one sending grid's export schedules are cut: hours by calendar month and hour of day.

    Parameters
    ----------
    results : xarray.Dataset
        ``corridor_shortfall`` (dims snapshot, corridor; MW) with the ``corridor_bus`` and
        ``bus_grid`` coordinates.
    grid : str
        The sending grid (``mengxi`` or ``mengdong``).

    Returns
    -------
    dict
        ``{"month": {month: hours}, "hour": {hour of day: hours}}`` over the hours in which the
        grid's corridors together fall short of their schedules by more than
        :data:`energysim.adequacy.HOUR_EPS_MW`; months and hours with no cut are left out.
    """
    from energysim.adequacy import HOUR_EPS_MW

    grid_of_bus = dict(zip(results.bus.values, results.bus_grid.values, strict=True))
    if grid not in set(grid_of_bus.values()):
        msg = f"cut_timing: grid={grid!r}; expected one of {sorted(set(grid_of_bus.values()))}"
        raise ValueError(msg)
    mine = [grid_of_bus[b] == grid for b in results.corridor_bus.values]
    short = results.corridor_shortfall.values[:, mine].sum(axis=1)
    when = pd.DatetimeIndex(results["snapshot"].values)[short > HOUR_EPS_MW]
    return {
        "month": {
            int(k): int(v) for k, v in pd.Series(when.month).value_counts().sort_index().items()
        },
        "hour": {
            int(k): int(v) for k, v in pd.Series(when.hour).value_counts().sort_index().items()
        },
    }


def format_cut_timing(timing: dict[str, dict[int, int]], label: str) -> str:
    """One line: the hours of :func:`cut_timing` by month and by hour of day."""
    if not timing["month"]:
        return f"{label}: no cut hours"
    months = ", ".join(
        f"{pd.Timestamp(2025, m, 1).strftime('%b')} {h}" for m, h in timing["month"].items()
    )
    hours = ", ".join(f"{h:02d}h {n}" for h, n in timing["hour"].items())
    return f"{label} by month: {months}; by hour of day: {hours}"


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
