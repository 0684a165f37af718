"""Charts of a results Dataset: dispatch, duration, monthly, heatmap, corridors, state of charge.

Every ``plot_*`` function draws on a given Axes (or a new figure when ``ax`` is None) and returns
the Axes. Charts only read the Dataset (:mod:`energysim.results.schema`): they sum, sort and
reshape, never re-run or re-account. Each drawn series carries a ``gid`` naming what it shows.
The map is in :mod:`energysim.plot.maps`.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import xarray as xr

from energysim.constants import NEW_ENERGY_CARRIERS
from energysim.plot.balance import BALANCE_VARIABLES, STORAGE_ORDER, balance_layers, stack
from energysim.plot.common import (
    MW_PER_GW,
    MWH_PER_TWH,
    axes,
    date_axis,
    day_label,
    group_sum,
    legend,
    nonzero,
    ordered,
    period,
    require,
    scenario_title,
    styled,
)
from energysim.plot.labels import month_names, place_names, tr
from energysim.plot.style import carrier_color, carrier_name

if TYPE_CHECKING:
    from matplotlib.axes import Axes

logger = logging.getLogger(__name__)

__all__ = [
    "default_start",
    "plot_corridors",
    "plot_curtailment_heatmap",
    "plot_dispatch",
    "plot_duration",
    "plot_monthly",
    "plot_soc",
]

NEW_ENERGY = NEW_ENERGY_CARRIERS


def default_start(ds: xr.Dataset, days: int = 7) -> pd.Timestamp:
    """A period worth showing: the day of the highest curtailment minus ``days // 2`` days.

    Falls back to the day of peak demand when nothing is curtailed.
    """
    curt = ds["curtailment"].sum("bus").values
    series = curt if nonzero(curt) else ds["demand"].sum("bus").values
    snaps = pd.DatetimeIndex(ds["snapshot"].values)
    day = snaps[int(np.argmax(series))].normalize() - pd.Timedelta(days=days // 2)
    last = snaps[-1].normalize() - pd.Timedelta(days=days - 1)
    return max(min(day, last), snaps[0].normalize())


def _consumption_lines(ds: xr.Dataset, reduce, lang: str) -> list[tuple[str, np.ndarray, str]]:
    demand = reduce(ds["demand"].sum("bus").values)
    export = reduce(ds["corridor_p"].sum("corridor").values)
    lines = [("load", demand, tr("load", lang))]
    if nonzero(export):
        lines.append(("load_export", demand + export, tr("load_export", lang)))
    return lines


@styled
def plot_dispatch(
    ds: xr.Dataset,
    *,
    start: str | pd.Timestamp | None = None,
    days: int = 7,
    ax: Axes | None = None,
    lang: str = "en",
) -> Axes:
    """Hourly dispatch of a period, GW, summed over all buses.

    Up: generation by carrier, storage discharge, demand response, unserved energy and (hatched,
    on top) curtailment. Down: storage charging (hatched), flexible loads and exports. Lines:
    inflexible demand (solid) and demand plus exports (dashed), so the supply stack reads against
    what it serves.

    Parameters
    ----------
    ds : xarray.Dataset
        Results Dataset.
    start : str or Timestamp, optional
        First day of the period (``YYYY-MM-DD``); default :func:`default_start`.
    days : int, default 7
        Length of the period, days.
    ax : Axes, optional
        Axes to draw on; a new figure when None.
    lang : {"en", "zh"}, default "en"
        Label language.

    Returns
    -------
    Axes
    """
    require(ds, BALANCE_VARIABLES, "dispatch")
    ax = axes(ax, (10.0, 4.6))
    if start is None:
        start = default_start(ds, days)
    sel = ds.isel(snapshot=period(ds, start, days))
    x = sel["snapshot"].values

    def gw(v: np.ndarray) -> np.ndarray:
        return np.asarray(v, dtype=float) / MW_PER_GW

    for layer, bottom, top in stack(balance_layers(sel, lang, gw)):
        ax.fill_between(
            x,
            bottom,
            top,
            facecolor=layer.face,
            edgecolor=layer.colour if layer.hatch else "none",
            hatch=layer.hatch,
            linewidth=0.0,
            label=layer.label,
            gid=layer.gid,
            step=None,
        )
    for gid, values, name in _consumption_lines(sel, gw, lang):
        ax.plot(
            x,
            values,
            color="black" if gid == "load" else carrier_color("export"),
            linestyle="-" if gid == "load" else "--",
            linewidth=1.3,
            label=name,
            gid=gid,
        )
    ax.axhline(0.0, color="black", linewidth=0.5)
    ax.set_xlim(x[0], x[-1])
    ax.set_ylabel(tr("power_GW", lang))
    ax.set_xlabel(tr("date", lang))
    t = pd.DatetimeIndex(x)
    ax.set_title(
        f"{scenario_title(ds, 'title_dispatch', lang)}, "
        f"{day_label(t[0], lang)}–{day_label(t[-1], lang)} {t[0].year}"
    )
    date_axis(ax, x, lang)
    ax.grid(True, axis="y")
    legend(ax, where="right")
    return ax


@styled
def plot_duration(ds: xr.Dataset, *, ax: Axes | None = None, lang: str = "en") -> Axes:
    """Duration curves of demand, net load and curtailment, GW, over the hours of the year.

    Net load is what the dispatchable fleet, storage and imports must cover: inflexible demand
    plus the corridors' scheduled sending minus the wind, solar and CSP the weather allowed
    (``generator_p_available``). Below zero, new energy exceeds demand and schedules together.

    Parameters
    ----------
    ds : xarray.Dataset
        Results Dataset.
    ax : Axes, optional
        Axes to draw on.
    lang : {"en", "zh"}, default "en"
        Label language.

    Returns
    -------
    Axes
    """
    require(ds, ("demand", "generator_p_available", "curtailment", "corridor_schedule"), "duration")
    ax = axes(ax, (8.0, 4.6))
    demand = ds["demand"].sum("bus").values
    schedule = ds["corridor_schedule"].sum("corridor").values
    avail = group_sum(ds["generator_p_available"], "carrier", "generator")
    vre = sum((avail[c] for c in NEW_ENERGY if c in avail), np.zeros_like(demand))
    series = (
        ("load", demand, "black", "-", tr("load", lang)),
        (
            "load_export",
            demand + schedule,
            carrier_color("export"),
            "--",
            tr("load_schedule", lang),
        ),
        ("net_load", demand + schedule - vre, carrier_color("wind"), "-", tr("net_load", lang)),
        (
            "curtailment",
            ds["curtailment"].sum("bus").values,
            "#7F7F7F",
            "-",
            tr("curtailment", lang),
        ),
    )
    hours = np.arange(1, len(demand) + 1)
    for gid, values, colour, style, name in series:
        if gid == "load_export" and not nonzero(schedule):
            continue
        ax.plot(
            hours,
            np.sort(values)[::-1] / MW_PER_GW,
            color=colour,
            linestyle=style,
            label=name,
            gid=gid,
        )
    ax.axhline(0.0, color="black", linewidth=0.5)
    ax.set_xlim(0, len(hours))
    ax.set_xlabel(tr("hours", lang))
    ax.set_ylabel(tr("power_GW", lang))
    ax.set_title(scenario_title(ds, "title_duration", lang))
    ax.grid(True, axis="y")
    legend(ax, where="below", ncol=2)
    return ax


@styled
def plot_monthly(ds: xr.Dataset, *, ax: Axes | None = None, lang: str = "en") -> Axes:
    """Monthly energy balance, TWh: the dispatch chart's layers summed by month.

    Supply up (generation, discharge, demand response, unserved, curtailment hatched on top);
    charging (hatched), flexible loads, demand response paid back and exports down; demand and
    demand plus exports as white-filled markers joined by lines.

    Parameters
    ----------
    ds : xarray.Dataset
        Results Dataset.
    ax : Axes, optional
        Axes to draw on.
    lang : {"en", "zh"}, default "en"
        Label language.

    Returns
    -------
    Axes
    """
    require(ds, BALANCE_VARIABLES, "monthly")
    ax = axes(ax, (9.0, 4.6))
    months = pd.DatetimeIndex(ds["snapshot"].values).month.values
    present = np.unique(months)
    index = np.searchsorted(present, months)

    def twh(values: np.ndarray) -> np.ndarray:
        arr = np.asarray(values, dtype=float)
        return np.bincount(index, weights=arr, minlength=len(present)) / MWH_PER_TWH

    x = np.arange(len(present))
    for layer, bottom, top in stack(balance_layers(ds, lang, twh)):
        ax.bar(
            x,
            top - bottom,
            bottom=bottom,
            width=0.75,
            color=layer.face,
            edgecolor=layer.colour if layer.hatch else "white",
            hatch=layer.hatch,
            linewidth=0.3,
            label=layer.label,
            gid=layer.gid,
        )
    for gid, values, name in _consumption_lines(ds, twh, lang):
        ax.plot(
            x,
            values,
            color="black" if gid == "load" else carrier_color("export"),
            linestyle="-" if gid == "load" else "--",
            linewidth=1.0,
            marker="o",
            markersize=4.5,
            markerfacecolor="white",
            markeredgewidth=1.2,
            label=name,
            gid=gid,
            zorder=5,
        )
    ax.axhline(0.0, color="black", linewidth=0.5)
    names = month_names(lang)
    ax.set_xticks(x, [names[m - 1] for m in present])
    ax.set_xlabel(tr("month", lang))
    ax.set_ylabel(tr("energy_TWh", lang))
    ax.set_title(scenario_title(ds, "title_monthly", lang))
    ax.grid(True, axis="y")
    legend(ax, where="right")
    return ax


@styled
def plot_curtailment_heatmap(
    ds: xr.Dataset,
    *,
    variable: str = "new_energy_curtailment",
    ax: Axes | None = None,
    lang: str = "en",
) -> Axes:
    """Curtailment by day of the year (rows, months marked) and hour of the day (columns), GW.

    Hours without curtailment are white.

    Parameters
    ----------
    ds : xarray.Dataset
        Results Dataset.
    variable : {"new_energy_curtailment", "curtailment"}, default "new_energy_curtailment"
        Which curtailment to show.
    ax : Axes, optional
        Axes to draw on.
    lang : {"en", "zh"}, default "en"
        Label language.

    Returns
    -------
    Axes
        The image is ``ax.images[0]`` (gid ``"curtailment"``); its colour bar is ``.colorbar``.
    """
    import matplotlib as mpl

    require(ds, (variable,), "heatmap")
    ax = axes(ax, (7.5, 5.5))
    snaps = pd.DatetimeIndex(ds["snapshot"].values)
    grid = (
        pd.DataFrame(
            {
                "day": snaps.normalize(),
                "hour": snaps.hour,
                "v": ds[variable].sum("bus").values / MW_PER_GW,
            }
        )
        .pivot_table(index="day", columns="hour", values="v", aggfunc="mean")
        .reindex(columns=range(24))
    )
    values = grid.values
    cmap = mpl.colormaps["YlOrRd"].with_extremes(bad="white")
    shown = np.ma.masked_where(~(values > 1e-6), values)  # zero (and missing) hours stay white
    im = ax.imshow(
        shown,
        aspect="auto",
        interpolation="nearest",
        cmap=cmap,
        extent=(-0.5, 23.5, len(grid) - 0.5, -0.5),
        vmin=0.0,
        vmax=max(float(np.nanmax(values, initial=0.0)), 1e-3),
    )
    im.set_gid("curtailment")
    bar = ax.figure.colorbar(im, ax=ax, pad=0.02)
    bar.set_label(tr("curtailment_GW", lang))
    days = pd.DatetimeIndex(grid.index)
    firsts = np.flatnonzero(days.day == 1)
    if firsts.size == 0 or firsts[0] != 0:
        firsts = np.r_[0, firsts]
    names = month_names(lang)
    ax.set_yticks(firsts, [names[days[i].month - 1] for i in firsts])
    for i in firsts[1:]:
        ax.axhline(i - 0.5, color="#9A9A9A", linewidth=0.4)
    ax.set_xticks(range(0, 24, 3), [f"{h:02d}:00" for h in range(0, 24, 3)])
    ax.set_xlabel(tr("hour_of_day", lang))
    ax.set_ylabel(tr("month", lang))
    ax.set_title(scenario_title(ds, "title_heatmap", lang))
    return ax


@styled
def plot_corridors(ds: xr.Dataset, *, ax: Axes | None = None, lang: str = "en") -> Axes:
    """Energy sent by each export corridor (TWh, new energy and other) and its new-energy share.

    Bars: energy sent, split into new energy and the rest; a black diamond marks the scheduled
    energy. The text right of each bar gives the new-energy share and, where the corridor has one,
    the required share (red when it is missed). One x axis only.

    Parameters
    ----------
    ds : xarray.Dataset
        Results Dataset.
    ax : Axes, optional
        Axes to draw on.
    lang : {"en", "zh"}, default "en"
        Label language.

    Returns
    -------
    Axes
        Share texts have gid ``"share:<corridor>"``.
    """
    require(
        ds,
        (
            "corridor_energy_TWh",
            "corridor_new_energy_TWh",
            "corridor_renewable_share",
            "corridor_min_renewable_share",
            "corridor_schedule",
        ),
        "corridors",
    )
    n = ds.sizes.get("corridor", 0)
    ax = axes(ax, (9.0, min(7.8, max(3.0, 0.24 * n + 1.5))))
    energy = ds["corridor_energy_TWh"].values
    order = np.argsort(energy)
    slugs = np.asarray(ds["corridor"].values).astype(str)[order]
    places = place_names(ds.attrs, lang)
    names = [places.get(s, s) for s in slugs]
    green = ds["corridor_new_energy_TWh"].values[order]
    other = energy[order] - green
    sched = ds["corridor_schedule"].sum("snapshot").values[order] / MWH_PER_TWH
    share = ds["corridor_renewable_share"].values[order] * 100.0
    need = ds["corridor_min_renewable_share"].values[order] * 100.0
    y = np.arange(n)
    ax.barh(
        y,
        green,
        color=carrier_color("wind"),
        label=tr("sent_new_energy", lang),
        gid="sent_new_energy",
    )
    ax.barh(
        y,
        other,
        left=green,
        color=carrier_color("export"),
        label=tr("sent_other", lang),
        gid="sent_other",
    )
    ax.plot(
        sched,
        y,
        linestyle="none",
        marker="D",
        markersize=4,
        markerfacecolor="white",
        markeredgecolor="black",
        markeredgewidth=1.0,
        label=tr("schedule", lang),
        gid="schedule",
    )
    xmax = float(max(np.max(energy, initial=0.0), np.max(sched, initial=0.0)))
    for yi, slug, e, s, r in zip(y, slugs, energy[order], share, need, strict=True):
        text = f"{tr('share', lang)} {s:.1f} %"
        colour = "black"
        if r > 0:
            text += f" ({tr('required', lang)} ≥ {r:.0f} %)"
            if s < r - 1e-6:
                colour = carrier_color("export_shortfall")
        ax.text(
            max(e, sched[yi]) + 0.01 * xmax + 0.3,
            yi,
            text,
            va="center",
            ha="left",
            fontsize=7,
            color=colour,
            gid=f"share:{slug}",
        )
    ax.set_xlim(0, xmax * 1.55 + 1.0)
    ax.set_yticks(y, names)
    ax.set_ylim(-0.6, n - 0.4)
    ax.set_xlabel(tr("energy_TWh", lang))
    ax.grid(True, axis="x")
    ax.set_axisbelow(True)
    ax.set_title(scenario_title(ds, "title_corridors", lang))
    legend(ax, where="lower right")
    return ax


@styled
def plot_soc(
    ds: xr.Dataset,
    *,
    start: str | pd.Timestamp | None = None,
    days: int | None = None,
    ax: Axes | None = None,
    lang: str = "en",
) -> Axes:
    """Storage state of charge by kind, GWh: each day's range (band) and the 7-day mean (line).

    Parameters
    ----------
    ds : xarray.Dataset
        Results Dataset.
    start : str or Timestamp, optional
        First day of the period; default the first snapshot.
    days : int, optional
        Length of the period in days; default the whole year.
    ax : Axes, optional
        Axes to draw on.
    lang : {"en", "zh"}, default "en"
        Label language.

    Returns
    -------
    Axes
        Lines have gid ``"soc:<kind>"`` (daily mean), bands ``"soc_range:<kind>"``.
    """
    require(ds, ("state_of_charge",), "soc")
    ax = axes(ax, (9.0, 4.2))
    sel = ds.isel(snapshot=period(ds, start, days))
    snaps = pd.DatetimeIndex(sel["snapshot"].values)
    soc = group_sum(sel["state_of_charge"], "storage_kind", "storage_unit")
    for k in ordered(soc, STORAGE_ORDER):
        daily = pd.Series(soc[k] / 1e3, index=snaps).resample("D")
        lo, hi = daily.min(), daily.max()
        mean = daily.mean().rolling(7, center=True, min_periods=1).mean()
        x = (mean.index + pd.Timedelta(hours=12)).values
        colour = carrier_color(k)
        ax.fill_between(
            x,
            lo.values,
            hi.values,
            color=colour,
            alpha=0.25,
            linewidth=0.0,
            label=f"{carrier_name(k, lang)}, {tr('daily_range', lang)}",
            gid=f"soc_range:{k}",
        )
        ax.plot(
            x,
            mean.values,
            color=colour,
            linewidth=1.0,
            label=f"{carrier_name(k, lang)}, {tr('daily_mean', lang)}",
            gid=f"soc:{k}",
        )
    ax.set_ylim(bottom=0.0)
    ax.set_xlim(snaps[0], snaps[-1])
    ax.set_ylabel(tr("energy_GWh", lang))
    ax.set_xlabel(tr("date", lang))
    ax.set_title(scenario_title(ds, "title_soc", lang))
    date_axis(ax, snaps.values, lang)
    ax.grid(True, axis="y")
    legend(ax, where="below", ncol=2)
    return ax
