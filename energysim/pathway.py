"""The pathway: one scenario per model year from a base scenario, run and tabulated by year.

A pathway file (``scenarios/pathways/*.yaml``) names a base scenario and, for the quantities that
change from year to year, their values at some years (end points or every year) and a ramp rule
between them:

.. code-block:: yaml

    name: plan-2026-2030
    base: ../plan-2030.yaml
    years: [2026, 2027, 2028, 2029, 2030]
    fleet: year_end            # or in_year_average: mean of the previous and this year-end
    capacity_GW:
      new_energy: {points: {2025: 170, 2030: 325}, ramp: linear, source: ...}
      new_type_storage: {points: {2025: 17, 2030: 60}, ramp: linear, source: ...}
    demand_TWh: {points: {2025: 548, 2030: 800}, ramp: geometric, source: ...}
    corridors: {mengxi-jjj: 2027}   # in-service years (override the base's in_service_year)

Each model year's scenario is the base with (1) ``year`` set, (2) ``demand.annual_TWh`` set,
(3) corridor ``in_service_year`` overrides, (4) the plants dedicated to a corridor that is not yet
in service removed (a desert base comes with its line; ``dedicated_with_corridor: false`` keeps
them), (5) new energy (wind, solar, CSP) scaled to the year's total: the dedicated plants of
in-service corridors keep their base capacity and the other fleets are scaled by one factor,
keeping their split, and (6) every other ``capacity_GW`` key passed to the base's own
``capacity_totals_GW`` mechanism (storage, electrolysers, coal, ...).

:func:`run_pathway` runs every year (and, with ``weather_years=N``, N synthetic weather years per
model year) and returns one Dataset with a ``year`` dim; :func:`pathway_table` and
:func:`format_pathway` make the year-by-year table the CLI prints.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
import xarray as xr
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from energysim.config import Scenario, load_scenario, load_scenario_dict
from energysim.config.checks import TOTAL_KEYS
from energysim.config.load import read_yaml
from energysim.constants import NEW_ENERGY_CARRIERS
from energysim.exceptions import ConfigError

logger = logging.getLogger(__name__)

__all__ = [
    "Pathway",
    "Series",
    "format_pathway",
    "load_pathway",
    "pathway_sweep",
    "pathway_table",
    "run_pathway",
    "year_scenario",
]

UTILISATION_FLOOR = 0.90
"""National new-energy utilisation floor (国家 ≥ 90 %), the pathway's dip line."""
UTILISATION_DROP = 0.01
"""A year whose utilisation is this much (p.u.) below the previous year's is flagged as a dip."""
SHORTFALL_TWH = 0.1
"""Export shortfall (TWh) above which a year is flagged for adequacy."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Series(_Model):
    """A quantity by year: values at some years and the ramp rule between them."""

    points: dict[int, Annotated[float, Field(ge=0)]] = Field(
        min_length=1, description="Value at given years (year-end for capacities)."
    )
    ramp: Literal["linear", "geometric"] = Field(
        "linear",
        description="Between two points: 'linear' (equal steps) or 'geometric' (constant growth).",
    )
    source: str = Field("", description="Where the points come from, or 'assumption: ...'.")

    def at(self, year: float) -> float:
        """Value at ``year`` (interpolated between the two nearest points)."""
        years = sorted(self.points)
        if year in self.points:
            return float(self.points[int(year)])
        if year < years[0] or year > years[-1]:
            msg = f"year {year} outside the points {years[0]}..{years[-1]}"
            raise ValueError(msg)
        hi = next(y for y in years if y > year)
        lo = max(y for y in years if y < year)
        a, b = self.points[lo], self.points[hi]
        w = (year - lo) / (hi - lo)
        if self.ramp == "geometric" and a > 0 and b > 0:
            return float(a * (b / a) ** w)
        return float(a + (b - a) * w)


class Pathway(_Model):
    """A pathway file: a base scenario and what changes year by year."""

    name: str = Field(min_length=1)
    description: str = ""
    base: str = Field(description="Base scenario file (relative to the pathway file).")
    years: list[Annotated[int, Field(ge=2000, le=2100)]] = Field(min_length=1)
    fleet: Literal["year_end", "in_year_average"] = Field(
        "year_end",
        description="Capacity a model year runs with: the year-end value, or the mean of the "
        "previous and this year-end (in-year average, as baseline-2025 uses).",
    )
    capacity_GW: dict[str, Series] = Field(default_factory=dict)
    demand_TWh: Series | None = None
    corridors: dict[str, Annotated[int, Field(ge=1990, le=2100)] | date] = Field(
        default_factory=dict,
        description="In-service year or first day ('YYYY-MM-DD') per corridor (overrides the "
        "base's in_service_year / in_service_date).",
    )
    dedicated_with_corridor: bool = Field(
        True, description="Remove plants dedicated to a corridor not yet in service."
    )

    @model_validator(mode="after")
    def _check(self) -> Pathway:
        for key in self.capacity_GW:
            if key not in TOTAL_KEYS:
                msg = f"capacity_GW.{key}: unknown key; expected one of {', '.join(sorted(TOTAL_KEYS))}"
                raise ValueError(msg)
        if sorted(set(self.years)) != list(self.years):
            msg = f"years must be increasing and unique, got {self.years}"
            raise ValueError(msg)
        return self


def load_pathway(
    path: str | Path, overrides: Sequence[tuple[str, Any]] = ()
) -> tuple[Pathway, Scenario, Path]:
    """Read and validate a pathway file and its base scenario.

    ``overrides`` are (dotted path, value) pairs applied to the base scenario before the
    pathway's own rules (a sweep point, :func:`pathway_sweep`).

    Raises
    ------
    ConfigError
        Naming the file, the field and the bad value.
    """
    path = Path(path)
    data = read_yaml(path)
    try:
        pathway = Pathway.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        loc = ".".join(str(p) for p in first["loc"]) or "<top>"
        raise ConfigError(path, loc, f"{first['msg']} (got {first.get('input')!r})") from None
    base_path = path.parent / pathway.base
    if not base_path.is_file():
        raise ConfigError(path, "base", f"base scenario {pathway.base!r} not found ({base_path})")
    base = load_scenario(base_path)
    if overrides:
        from energysim.sweep.worker import apply_overrides

        data = apply_overrides(base.model_dump(), overrides)
        base = load_scenario_dict(data, file=f"<{base_path.name} + sweep point>")
    for name in pathway.corridors:
        if name not in base.corridors:
            raise ConfigError(
                path,
                f"corridors.{name}",
                f"unknown corridor; expected one of {', '.join(base.corridors)}",
            )
    for year in pathway.years:
        for label, series in _series(pathway).items():
            for y in _fleet_years(pathway, year, label):
                try:
                    series.at(y)
                except ValueError as err:
                    raise ConfigError(path, label, str(err)) from None
    return pathway, base, path


def _series(pathway: Pathway) -> dict[str, Series]:
    out = {f"capacity_GW.{k}": s for k, s in pathway.capacity_GW.items()}
    if pathway.demand_TWh is not None:
        out["demand_TWh"] = pathway.demand_TWh
    return out


def _fleet_years(pathway: Pathway, year: int, label: str) -> tuple[int, ...]:
    if label.startswith("capacity_GW") and pathway.fleet == "in_year_average":
        return (year - 1, year)
    return (year,)


def _value(pathway: Pathway, label: str, series: Series, year: int) -> float:
    ys = _fleet_years(pathway, year, label)
    return float(np.mean([series.at(y) for y in ys]))


def year_scenario(pathway: Pathway, base: Scenario, year: int) -> Scenario:
    """The scenario of one model year (rules in the module docstring)."""
    data = base.model_dump()
    data["name"] = f"{pathway.name}-{year}"
    data["year"] = year
    data["description"] = f"{pathway.name}: model year {year} from {base.name}"
    data["extends"] = None
    if pathway.demand_TWh is not None:
        data["demand"]["annual_TWh"] = _value(pathway, "demand_TWh", pathway.demand_TWh, year)
    for name, when in pathway.corridors.items():
        c = data["corridors"][name]
        dated = "in_service_date" in c  # scenarios with fleet timing (in_service_date)
        if isinstance(when, date):
            c["in_service_year"] = when.year
            if dated:
                c["in_service_date"] = when
        else:
            c["in_service_year"] = when
            if dated:
                c["in_service_date"] = None
    in_service = {n for n, c in data["corridors"].items() if _first_year(c) <= year}
    # the pathway decides which fleets exist in a year: entries dated after it run all year
    # (scaled below); entries dated within it keep their date (they enter during the year)
    for section in ("generators", "storage"):
        for entry in data.get(section, {}).values():
            when = entry.get("in_service_date")
            if when is not None and _as_date(when).year > year:
                entry["in_service_date"] = None
    gens = data["generators"]
    if pathway.dedicated_with_corridor:
        for g in gens.values():
            if g["dedicated_to"] is not None and g["dedicated_to"] not in in_service:
                g["p_nom"] = 0.0
    totals = dict(data.get("capacity_totals_GW") or {})
    for key, series in pathway.capacity_GW.items():
        value = _value(pathway, f"capacity_GW.{key}", series, year)
        if key == "new_energy":
            _scale_new_energy(gens, value * 1e3, pathway.name, year)
        else:
            totals[key] = value
    data["capacity_totals_GW"] = totals
    return load_scenario_dict(data, file=f"<pathway {pathway.name} year {year}>")


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _first_year(corridor: dict) -> int:
    """First model year of a dumped corridor (in_service_year, else its date's year)."""
    if corridor.get("in_service_year") is not None:
        return int(corridor["in_service_year"])
    return _as_date(corridor["in_service_date"]).year


def _scale_new_energy(gens: dict, total_MW: float, name: str, year: int) -> None:
    ne = NEW_ENERGY_CARRIERS
    fixed = sum(g["p_nom"] for g in gens.values() if g["carrier"] in ne and g["dedicated_to"])
    free = [g for g in gens.values() if g["carrier"] in ne and not g["dedicated_to"]]
    free_MW = sum(g["p_nom"] for g in free)
    if total_MW < fixed - 1e-6 or (free_MW <= 0 and abs(total_MW - fixed) > 1e-6):
        msg = (
            f"pathway {name}, year {year}: new energy {total_MW / 1e3:.1f} GW cannot be reached "
            f"with {fixed / 1e3:.1f} GW dedicated to in-service corridors and "
            f"{free_MW / 1e3:.1f} GW of other fleets to scale"
        )
        raise ConfigError("", "capacity_GW.new_energy", msg)
    factor = (total_MW - fixed) / free_MW if free_MW > 0 else 0.0
    for g in free:
        g["p_nom"] = g["p_nom"] * factor


# -- running -------------------------------------------------------------------------------------


YEAR_DIMS = frozenset({"bus", "grid", "month", "region", "technology"})
"""Dims of the results variables a pathway keeps per year (besides the scalars)."""


def _year_figures(ds: xr.Dataset) -> xr.Dataset:
    """The annual figures of a results Dataset: scalars and per-league/grid/month/region/
    technology variables, with only their dimension coordinates."""
    keep = [v for v in ds.data_vars if set(ds[v].dims) <= YEAR_DIMS]
    out = ds[keep]
    return out.drop_vars([c for c in out.coords if c not in out.dims])


def run_pathway(
    path: str | Path,
    weather_years: int = 0,
    engine: str = "kernel",
    years: list[int] | None = None,
    overrides: Sequence[tuple[str, Any]] = (),
) -> xr.Dataset:
    """Run every model year of a pathway.

    Parameters
    ----------
    path : path
        The pathway file.
    weather_years : int, default 0
        0: each year on the base scenario's weather seed. N > 0: each year on N synthetic
        weather years (seeds seed .. seed+N-1); figures get a ``member`` dim.
    engine : {"kernel", "reference", "lp"}, default "kernel"
    years : list of int, optional
        A subset of the pathway's years.
    overrides : sequence of (str, value), optional
        Dotted-path changes to the base scenario (a sweep point).

    Returns
    -------
    xarray.Dataset
        Every annual scalar figure of the results schema on (year, member), and the per-league,
        per-grid, per-month, per-receiving-grid and per-technology figures with those dims added; ``target_value`` (target), ``target_met`` (year, member, target),
        ``target_margin`` (year, member, target), ``first_met_year`` (target, NaN: never, met in
        every weather year), ``utilisation_dip`` and ``adequacy_dip`` (year); attrs: pathway
        name, base, run seconds.
    """
    from energysim.feasibility import evaluate
    from energysim.targets import TARGETS, meets

    pathway, base, file = load_pathway(path, overrides)
    run_years = list(years) if years else list(pathway.years)
    seeds: list[int | None] = (
        [base.weather.seed + i for i in range(weather_years)] if weather_years > 0 else [None]
    )
    start = time.perf_counter()
    per_year = []
    specs = [s for s in TARGETS if getattr(base.targets, s.field) is not None]
    goals = np.array([float(getattr(base.targets, s.field)) for s in specs])
    met = np.zeros((len(run_years), len(seeds), len(specs)), dtype=bool)
    margin = np.zeros((len(run_years), len(seeds), len(specs)))
    for yi, year in enumerate(run_years):
        scenario = year_scenario(pathway, base, year)
        members = []
        for mi, seed in enumerate(seeds):
            ds = evaluate(scenario, engine=engine, seed=seed)
            members.append(_year_figures(ds))
            for ti, spec in enumerate(specs):
                value = float(ds[spec.variable])
                met[yi, mi, ti] = meets(value, goals[ti], spec.sense)
                margin[yi, mi, ti] = value - goals[ti] if spec.sense == ">=" else goals[ti] - value
        per_year.append(xr.concat(members, dim="member", join="outer"))
        logger.info("pathway %s: year %d done", pathway.name, year)
    out = xr.concat(per_year, dim="year", join="outer").assign_coords(
        year=run_years, member=range(len(seeds))
    )
    names = [s.field for s in specs]
    out["target_value"] = xr.DataArray(goals, dims="target", coords={"target": names})
    out["target_met"] = xr.DataArray(met, dims=("year", "member", "target"))
    out["target_margin"] = xr.DataArray(margin, dims=("year", "member", "target"))
    first = []
    for ti in range(len(specs)):
        ok = met[:, :, ti].all(axis=1)
        first.append(float(run_years[int(np.argmax(ok))]) if ok.any() else math.nan)
    out["first_met_year"] = xr.DataArray(first, dims="target", attrs={"units": "year"})
    util = out["new_energy_utilisation"].min("member").values
    prev = np.concatenate([[util[0]], util[:-1]])
    out["utilisation_dip"] = xr.DataArray(
        (util < UTILISATION_FLOOR) | (util < prev - UTILISATION_DROP), dims="year"
    )
    out["adequacy_dip"] = xr.DataArray(
        (out["unserved_MWh"].max("member").values > 0)
        | (out["export_shortfall_TWh"].max("member").values > SHORTFALL_TWH),
        dims="year",
    )
    out["target"].attrs["labels"] = ",".join(s.label for s in specs)
    out.attrs.update(
        {
            "pathway": pathway.name,
            "base": base.name,
            "file": str(file),
            "engine": engine,
            "weather_years": weather_years,
            "fleet": pathway.fleet,
            "run_seconds": time.perf_counter() - start,
        }
    )
    return out


# -- output --------------------------------------------------------------------------------------

TABLE_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("new_energy_capacity_GW", "NE GW", "{:.0f}"),
    ("new_type_storage_GW", "storage GW", "{:.1f}"),
    ("demand_TWh", "demand TWh", "{:.0f}"),
    ("new_energy_local_TWh", "NE local TWh", "{:.1f}"),
    ("new_energy_export_TWh", "NE export TWh", "{:.1f}"),
    ("renewable_weight", "RE weight", "{:.1%}"),
    ("new_energy_utilisation", "NE util.", "{:.1%}"),
    ("new_energy_over_thermal_generation", "NE/thermal gen", "{:.2f}"),
    ("unserved_MWh", "unserved MWh", "{:,.0f}"),
    ("export_shortfall_TWh", "export cut TWh", "{:.2f}"),
    ("coal_Mtce", "coal Mtce", "{:.1f}"),
    ("co2_Mt", "CO2 Mt", "{:.0f}"),
    ("levelised_system_cost_CNY_per_MWh", "LCOS CNY/MWh", "{:.0f}"),
)


def pathway_table(ds: xr.Dataset) -> pd.DataFrame:
    """Year-by-year table (median over weather years): headline figures, flags."""
    rows = {}
    for var, label, _ in TABLE_COLUMNS:
        if var in ds:
            rows[label] = ds[var].median("member").values
    table = pd.DataFrame(rows, index=pd.Index(ds["year"].values, name="year"))
    table["dip"] = [
        ",".join(f for f, on in (("utilisation", bool(u)), ("adequacy", bool(a))) if on)
        for u, a in zip(ds["utilisation_dip"].values, ds["adequacy_dip"].values, strict=True)
    ]
    return table


def weakest_year(ds: xr.Dataset) -> dict[str, tuple[int, float]]:
    """The weakest years on the figures that must hold every year (worst weather year).

    Returns
    -------
    dict
        ``utilisation``: (year of the lowest new-energy utilisation, its value);
        ``export_cut``: (year of the largest export shortfall, TWh); ``unserved``: (year of the
        most unserved energy, MWh).
    """
    util = ds["new_energy_utilisation"].min("member")
    cut = ds["export_shortfall_TWh"].max("member")
    unserved = ds["unserved_MWh"].max("member")
    return {
        "utilisation": (int(util.idxmin("year")), float(util.min())),
        "export_cut": (int(cut.idxmax("year")), float(cut.max())),
        "unserved": (int(unserved.idxmax("year")), float(unserved.max())),
    }


def format_pathway(ds: xr.Dataset) -> str:
    """The pathway as text: the table, the year each target is first met, dips, weakest year."""
    table = pathway_table(ds)
    fmts = {label: fmt for _, label, fmt in TABLE_COLUMNS}
    head = f"{'year':>6s}" + "".join(f" {c:>15s}" for c in table.columns)
    lines = [f"pathway {ds.attrs.get('pathway', '')} (base {ds.attrs.get('base', '')})", head]
    for year, row in table.iterrows():
        cells = []
        for col in table.columns:
            v = row[col]
            cells.append(f" {fmts[col].format(v) if col in fmts else str(v):>15s}")
        lines.append(f"{year:>6d}" + "".join(cells))
    lines.append("")
    labels = ds["target"].attrs.get("labels", "").split(",")
    lines.append("year each target is first met (every weather year):")
    for name, label, year, goal in zip(
        ds["target"].values,
        labels,
        ds["first_met_year"].values,
        ds["target_value"].values,
        strict=False,
    ):
        when = "not by " + str(int(ds["year"].values[-1])) if math.isnan(year) else str(int(year))
        lines.append(f"  {label or name:42s} target {goal:>10.3g}  {when}")
    dips = [f"{int(y)} ({r})" for y, r in zip(table.index, table["dip"], strict=True) if r]
    lines.append(f"years with a dip: {', '.join(dips) if dips else 'none'}")
    weak = weakest_year(ds)
    year, util = weak["utilisation"]
    lines.append(
        f"weakest year for utilisation: {year} ({util:.1%} against the {UTILISATION_FLOOR:.0%} floor)"
    )
    year, cut = weak["export_cut"]
    lines.append(f"largest export cut: {year} ({cut:.2f} TWh)")
    year, unserved = weak["unserved"]
    lines.append(
        f"most unserved energy: {year} ({unserved:,.0f} MWh)"
        if unserved > 0
        else "unserved energy: none in any year"
    )
    lines.append(f"run time: {ds.attrs.get('run_seconds', math.nan):.1f} s")
    return "\n".join(lines)


def pathway_sweep(path: str | Path, sweep_path: str | Path, weather_years: int = 0) -> xr.Dataset:
    """A pathway per point of a sweep: the sweep's overrides change the pathway's base scenario.

    The sweep file's axes name paths of the base scenario (``base:`` in the sweep file should be
    the pathway's base so that they are checked against it). Runs the points one after another
    (no workers).

    Returns
    -------
    xarray.Dataset
        The :func:`run_pathway` Datasets stacked along ``point``, with one coordinate per sweep
        axis (its value at each point).
    """
    from energysim.sweep.spec import load_sweep

    sweep = load_sweep(sweep_path)
    parts = []
    for point in sweep.points():
        ds = run_pathway(path, weather_years=weather_years, overrides=point.overrides)
        parts.append(ds)
        logger.info("pathway sweep: point %d of %d", point.flat + 1, sweep.n_points)
    out = xr.concat(parts, dim="point", coords="minimal", compat="override", join="outer")
    points = sweep.points()
    for a, name in enumerate(sweep.names):
        values = [
            sweep.values[a][p.index[a] if sweep.spec.mode == "product" else p.index[0]]
            for p in points
        ]
        out = out.assign_coords({name: ("point", values)})
    out.attrs["sweep"] = sweep.spec.name
    out.attrs["run_seconds"] = float(sum(p.attrs["run_seconds"] for p in parts))
    return out


def format_pathway_sweep(ds: xr.Dataset) -> str:
    """One block per sweep point: its axis values, the first-met years and the weakest years."""
    axes = [c for c in ds.coords if ds[c].dims == ("point",)]
    lines = [f"pathway {ds.attrs.get('pathway', '')} x sweep {ds.attrs.get('sweep', '')}"]
    for i in range(ds.sizes["point"]):
        one = ds.isel(point=i)
        where = ", ".join(f"{a}={one[a].item()}" for a in axes)
        first = {
            str(t): ("never" if math.isnan(y) else str(int(y)))
            for t, y in zip(one["target"].values, one["first_met_year"].values, strict=True)
        }
        weak = weakest_year(one)
        lines.append(f"point {i} ({where})")
        lines.append("  first met: " + ", ".join(f"{k} {v}" for k, v in first.items()))
        lines.append(
            f"  lowest utilisation {weak['utilisation'][1]:.1%} in {weak['utilisation'][0]}; "
            f"largest export cut {weak['export_cut'][1]:.2f} TWh in {weak['export_cut'][0]}"
        )
    lines.append(f"run time: {ds.attrs.get('run_seconds', math.nan):.1f} s")
    return "\n".join(lines)
