"""Charts of results and sweep Datasets.

Every ``plot_*`` function draws on a given matplotlib :class:`~matplotlib.axes.Axes` (or makes a
new figure when ``ax`` is None) and returns the Axes. Charts only read the Datasets (results:
:mod:`energysim.results.schema`; sweeps: one dim per axis, one variable per annual figure); they
never re-run or re-account a result, they only sum, sort and reshape what is there.

Each drawn series carries a ``gid`` naming what it shows (``"gen:wind"``, ``"discharge:new_type"``,
``"load"``, ``"target"``, ...), so tests and callers can find it.

Result charts: :func:`plot_dispatch`, :func:`plot_duration`, :func:`plot_monthly`,
:func:`plot_curtailment_heatmap`, :func:`plot_corridors`, :func:`plot_soc`, :func:`plot_map`.
Sweep charts: :func:`plot_feasibility`, :func:`plot_weather`. :func:`draw` makes a whole figure
of one kind by name.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import pandas as pd
import xarray as xr

from energysim.constants import CARRIERS, NEW_ENERGY_CARRIERS, RECEIVING_GRID_LOCATIONS
from energysim.exceptions import EnergysimError
from energysim.plot.style import (
    carrier_color,
    carrier_name,
    chart_style,
    label,
    resolve_lang,
)
from energysim.targets import meets

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

logger = logging.getLogger(__name__)

__all__ = [
    "KINDS",
    "RESULT_KINDS",
    "SWEEP_KINDS",
    "default_start",
    "draw",
    "is_sweep",
    "plot_corridors",
    "plot_curtailment_heatmap",
    "plot_dispatch",
    "plot_duration",
    "plot_feasibility",
    "plot_map",
    "plot_monthly",
    "plot_soc",
    "plot_weather",
]

GENERATION_ORDER = ("coal", "coal_chp", "gas", "biomass", "hydro", "csp", "wind", "solar")
"""Stacking order of generation, bottom to top (inflexible first)."""
STORAGE_ORDER = ("pumped_hydro", "new_type")
NEW_ENERGY = NEW_ENERGY_CARRIERS
MW_PER_GW = 1e3
MWH_PER_TWH = 1e6
F = TypeVar("F", bound=Callable[..., Any])


# -- helpers ------------------------------------------------------------------------------------


def _styled(func: F) -> F:
    """Resolve ``lang`` (fallback to English without a CJK font) and draw in the print style."""

    @functools.wraps(func)
    def wrapper(*args: Any, lang: str = "en", **kwargs: Any) -> Any:
        lang = resolve_lang(lang)
        with chart_style(lang):
            return func(*args, lang=lang, **kwargs)

    return wrapper  # type: ignore[return-value]


def _axes(ax: Axes | None, figsize: tuple[float, float]) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, new = plt.subplots(figsize=figsize, layout="constrained")
    return new


BALANCE_VARIABLES = (
    "generator_p",
    "storage_charge",
    "storage_discharge",
    "corridor_p",
    "demand",
    "curtailment",
)
"""Result variables the energy-balance charts (dispatch, monthly) draw."""


def _require(ds: xr.Dataset, names: tuple[str, ...], chart: str) -> None:
    missing = [n for n in names if n not in ds.variables]
    if missing:
        msg = (
            f"the {chart} chart needs the results variables {missing}, which this Dataset lacks; "
            "pass a results Dataset from energysim.simulate or `energysim run`"
        )
        raise EnergysimError(msg)


def _group_sum(da: xr.DataArray, coord: str, dim: str) -> dict[str, np.ndarray]:
    """Sum ``da`` over ``dim`` within each value of the coord ``coord``: key -> array."""
    if da.sizes.get(dim, 0) == 0:
        return {}
    keys = np.asarray(da[coord].values).astype(str)
    values = np.asarray(da.values)
    axis = da.dims.index(dim)
    return {
        k: values.take(np.flatnonzero(keys == k), axis=axis).sum(axis=axis) for k in np.unique(keys)
    }


def _ordered(groups: Mapping[str, np.ndarray], order: tuple[str, ...]) -> list[str]:
    first = [k for k in order if k in groups]
    return first + sorted(k for k in groups if k not in order)


def _flexible_kind(ds: xr.Dataset) -> np.ndarray:
    """Kind of each flexible load: the ``flexible_load_kind`` coord, else the name's suffix."""
    if "flexible_load_kind" in ds.coords:
        return np.asarray(ds["flexible_load_kind"].values).astype(str)
    names = np.asarray(ds["flexible_load"].values).astype(str)
    kinds = [
        next((k for k in ("electrolyser", "data_centre") if n.endswith(k)), "flexible")
        for n in names
    ]
    return np.array(kinds, dtype=str)


def _nonzero(arr: np.ndarray) -> bool:
    return bool(np.nanmax(np.abs(arr), initial=0.0) > 1e-9)


def _period(ds: xr.Dataset, start: str | pd.Timestamp | None, days: int | None) -> slice:
    """Positional slice of the snapshots from ``start`` for ``days`` days (all when both None)."""
    snaps = pd.DatetimeIndex(ds["snapshot"].values)
    if start is None and days is None:
        return slice(0, len(snaps))
    try:
        first = snaps[0] if start is None else pd.Timestamp(start)
    except ValueError as err:
        msg = f"start {start!r} is not a date; expected YYYY-MM-DD"
        raise EnergysimError(msg) from err
    if days is not None and days < 1:
        msg = f"days must be at least 1, got {days}"
        raise EnergysimError(msg)
    i0 = int(snaps.searchsorted(first))
    if i0 >= len(snaps) or first < snaps[0]:
        msg = (
            f"start {str(start)!r} is outside the results "
            f"({snaps[0]:%Y-%m-%d} to {snaps[-1]:%Y-%m-%d})"
        )
        raise EnergysimError(msg)
    end = first + pd.Timedelta(days=days) if days is not None else snaps[-1] + pd.Timedelta(hours=1)
    return slice(i0, int(snaps.searchsorted(end)))


def default_start(ds: xr.Dataset, days: int = 7) -> pd.Timestamp:
    """A period worth showing: the day of the highest curtailment minus ``days // 2`` days.

    Falls back to the day of peak demand when nothing is curtailed.
    """
    curt = ds["curtailment"].sum("bus").values
    series = curt if _nonzero(curt) else ds["demand"].sum("bus").values
    snaps = pd.DatetimeIndex(ds["snapshot"].values)
    day = snaps[int(np.argmax(series))].normalize() - pd.Timedelta(days=days // 2)
    last = snaps[-1].normalize() - pd.Timedelta(days=days - 1)
    return max(min(day, last), snaps[0].normalize())


def _date_axis(ax: Axes) -> None:
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _legend(ax: Axes, outside: bool = True, **kwargs: Any) -> None:
    handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return
    if outside:
        ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.01, 1.0), **kwargs)
    else:
        ax.legend(handles, labels, **kwargs)


def _units_label(units: str) -> tuple[float, str]:
    """Display factor and unit: shares (unit '1') are drawn in per cent."""
    return (100.0, "%") if units == "1" else (1.0, units)


# -- result charts ------------------------------------------------------------------------------


@_styled
def plot_dispatch(
    ds: xr.Dataset,
    *,
    start: str | pd.Timestamp | None = None,
    days: int = 7,
    ax: Axes | None = None,
    lang: str = "en",
) -> Axes:
    """Hourly dispatch stack of a period, GW, summed over all buses.

    Above zero, stacked: generation by carrier, storage discharge by kind, demand response, unserved
    energy and (hatched, on top) curtailment. Below zero: storage charging, flexible loads and
    export corridors. A black line shows inflexible demand.

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
    _require(
        ds,
        BALANCE_VARIABLES,
        "dispatch",
    )
    ax = _axes(ax, (9.0, 4.0))
    if start is None:
        start = default_start(ds, days)
    sel = ds.isel(snapshot=_period(ds, start, days))
    x = sel["snapshot"].values
    gen = _group_sum(sel["generator_p"], "carrier", "generator")
    dis = _group_sum(sel["storage_discharge"], "storage_kind", "storage_unit")
    chg = _group_sum(sel["storage_charge"], "storage_kind", "storage_unit")
    flex_da = sel["flexible_load_p"].assign_coords(
        flexible_load_kind=("flexible_load", _flexible_kind(sel))
    )
    flex = _group_sum(flex_da, "flexible_load_kind", "flexible_load")

    up: list[tuple[str, np.ndarray, str, str, str | None]] = []  # gid, values, colour, label, hatch
    for c in _ordered(gen, GENERATION_ORDER):
        up.append((f"gen:{c}", gen[c], carrier_color(c), carrier_name(c, lang), None))
    for k in _ordered(dis, STORAGE_ORDER):
        up.append(
            (
                f"discharge:{k}",
                dis[k],
                carrier_color(k),
                f"{carrier_name(k, lang)} ({label('discharge', lang)})",
                None,
            )
        )
    for var, key in (("demand_response_shed", "demand_response"), ("unserved", "unserved")):
        if var in sel:
            up.append(
                (key, sel[var].sum("bus").values, carrier_color(key), carrier_name(key, lang), None)
            )
    up.append(
        (
            "curtailment",
            sel["curtailment"].sum("bus").values,
            carrier_color("curtailment"),
            label("curtailment", lang),
            "////",
        )
    )
    down: list[tuple[str, np.ndarray, str, str, str | None]] = []
    for k in _ordered(chg, STORAGE_ORDER):
        down.append(
            (
                f"charge:{k}",
                chg[k],
                carrier_color(k),
                f"{carrier_name(k, lang)} ({label('charge', lang)})",
                "....",
            )
        )
    for k in _ordered(flex, ("electrolyser", "data_centre")):
        name = carrier_name(k, lang) if k in CARRIERS else label("flexible", lang)
        down.append((f"flex:{k}", flex[k], carrier_color(k), name, None))
    down.append(
        (
            "export",
            sel["corridor_p"].sum("corridor").values,
            carrier_color("export"),
            carrier_name("export", lang),
            None,
        )
    )

    for layers, sign in ((up, 1.0), (down, -1.0)):
        base = np.zeros(len(x))
        for gid, values, colour, name, hatch in layers:
            v = np.asarray(values, dtype=float) / MW_PER_GW
            if not _nonzero(v):
                continue
            top = base + sign * v
            ax.fill_between(
                x,
                base,
                top,
                facecolor=colour if hatch is None or gid == "curtailment" else "none",
                edgecolor=colour if hatch else "none",
                hatch=hatch,
                linewidth=0.0 if not hatch else 0.3,
                alpha=0.55 if gid == "curtailment" else 1.0,
                label=name,
                gid=gid,
            )
            base = top
    ax.plot(
        x,
        sel["demand"].sum("bus").values / MW_PER_GW,
        color=carrier_color("load"),
        linewidth=1.2,
        label=label("load", lang),
        gid="load",
    )
    ax.axhline(0.0, color="black", linewidth=0.5)
    ax.set_xlim(x[0], x[-1])
    ax.set_ylabel(label("power_GW", lang))
    ax.set_xlabel(label("date", lang))
    ax.set_title(f"{label('title_dispatch', lang)} — {ds.attrs.get('scenario', '')}")
    _date_axis(ax)
    _legend(ax)
    return ax


@_styled
def plot_duration(ds: xr.Dataset, *, ax: Axes | None = None, lang: str = "en") -> Axes:
    """Duration curves of demand, net load and curtailment, GW, over the hours of the year.

    Net load is inflexible demand minus the wind, solar and CSP the weather allowed
    (``generator_p_available``); below zero it shows surplus new energy.

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
    _require(ds, ("demand", "generator_p_available", "curtailment"), "duration")
    ax = _axes(ax, (7.0, 4.0))
    demand = ds["demand"].sum("bus").values
    avail = _group_sum(ds["generator_p_available"], "carrier", "generator")
    vre = sum((avail[c] for c in NEW_ENERGY if c in avail), np.zeros_like(demand))
    series = (
        ("load", demand, carrier_color("load"), label("load", lang)),
        ("net_load", demand - vre, carrier_color("wind"), label("net_load", lang)),
        ("curtailment", ds["curtailment"].sum("bus").values, "#7F7F7F", label("curtailment", lang)),
    )
    hours = np.arange(1, len(demand) + 1)
    for gid, values, colour, name in series:
        ax.plot(hours, np.sort(values)[::-1] / MW_PER_GW, color=colour, label=name, gid=gid)
    ax.axhline(0.0, color="black", linewidth=0.5)
    ax.set_xlim(0, len(hours))
    ax.set_xlabel(label("hours", lang))
    ax.set_ylabel(label("power_GW", lang))
    ax.set_title(f"{label('title_duration', lang)} — {ds.attrs.get('scenario', '')}")
    ax.grid(True, axis="y")
    _legend(ax, outside=False, loc="upper right")
    return ax


def _month_labels(months: pd.DatetimeIndex, lang: str) -> list[str]:
    return [f"{m.month}月" if lang == "zh" else f"{m:%b}" for m in months]


@_styled
def plot_monthly(ds: xr.Dataset, *, ax: Axes | None = None, lang: str = "en") -> Axes:
    """Monthly energy balance, TWh: generation by carrier and storage discharge up, exports,
    storage charging and flexible loads down, demand as markers, curtailment hatched on top.

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
    _require(
        ds,
        BALANCE_VARIABLES,
        "monthly",
    )
    ax = _axes(ax, (8.0, 4.0))
    months = pd.DatetimeIndex(ds["snapshot"].values).to_period("M")
    labels = pd.PeriodIndex(months.unique(), freq="M").to_timestamp()
    month_idx = pd.Index(months.unique()).get_indexer(months)

    def monthly(values: xr.DataArray | np.ndarray) -> np.ndarray:
        arr = np.asarray(values, dtype=float)
        return np.bincount(month_idx, weights=arr, minlength=len(labels)) / MWH_PER_TWH

    gen = {c: monthly(v) for c, v in _group_sum(ds["generator_p"], "carrier", "generator").items()}
    dis = {
        k: monthly(v)
        for k, v in _group_sum(ds["storage_discharge"], "storage_kind", "storage_unit").items()
    }
    chg = {
        k: monthly(v)
        for k, v in _group_sum(ds["storage_charge"], "storage_kind", "storage_unit").items()
    }
    flex_da = ds["flexible_load_p"].assign_coords(
        flexible_load_kind=("flexible_load", _flexible_kind(ds))
    )
    flex = {
        k: monthly(v) for k, v in _group_sum(flex_da, "flexible_load_kind", "flexible_load").items()
    }
    x = np.arange(len(labels))
    up = [
        (f"gen:{c}", gen[c], carrier_color(c), carrier_name(c, lang), None)
        for c in _ordered(gen, GENERATION_ORDER)
    ]
    up += [
        (
            f"discharge:{k}",
            dis[k],
            carrier_color(k),
            f"{carrier_name(k, lang)} ({label('discharge', lang)})",
            None,
        )
        for k in _ordered(dis, STORAGE_ORDER)
    ]
    up.append(
        (
            "curtailment",
            monthly(ds["curtailment"].sum("bus")),
            carrier_color("curtailment"),
            label("curtailment", lang),
            "////",
        )
    )
    down = [
        (
            f"charge:{k}",
            chg[k],
            carrier_color(k),
            f"{carrier_name(k, lang)} ({label('charge', lang)})",
            "....",
        )
        for k in _ordered(chg, STORAGE_ORDER)
    ]
    down += [
        (
            f"flex:{k}",
            flex[k],
            carrier_color(k),
            carrier_name(k, lang) if k in CARRIERS else label("flexible", lang),
            None,
        )
        for k in _ordered(flex, ("electrolyser", "data_centre"))
    ]
    down.append(
        (
            "export",
            monthly(ds["corridor_p"].sum("corridor")),
            carrier_color("export"),
            carrier_name("export", lang),
            None,
        )
    )
    for layers, sign in ((up, 1.0), (down, -1.0)):
        base = np.zeros(len(x))
        for gid, values, colour, name, hatch in layers:
            if not _nonzero(values):
                continue
            ax.bar(
                x,
                sign * values,
                bottom=base,
                width=0.75,
                color=colour if gid != "curtailment" else "none",
                edgecolor=colour if hatch else "white",
                hatch=hatch,
                linewidth=0.3,
                label=name,
                gid=gid,
            )
            base = base + sign * values
    ax.plot(
        x,
        monthly(ds["demand"].sum("bus")),
        linestyle="none",
        marker="_",
        markersize=14,
        markeredgewidth=1.6,
        color=carrier_color("load"),
        label=label("load", lang),
        gid="load",
    )
    ax.axhline(0.0, color="black", linewidth=0.5)
    ax.set_xticks(x, _month_labels(labels, lang))
    ax.set_xlabel(label("month", lang))
    ax.set_ylabel(label("energy_TWh", lang))
    ax.set_title(f"{label('title_monthly', lang)} — {ds.attrs.get('scenario', '')}")
    _legend(ax)
    return ax


@_styled
def plot_curtailment_heatmap(
    ds: xr.Dataset,
    *,
    variable: str = "new_energy_curtailment",
    ax: Axes | None = None,
    lang: str = "en",
) -> Axes:
    """Curtailment by day of the year (rows) and hour of the day (columns), GW, all buses.

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
    _require(ds, (variable,), "heatmap")
    ax = _axes(ax, (7.0, 4.5))
    snaps = pd.DatetimeIndex(ds["snapshot"].values)
    series = pd.Series(ds[variable].sum("bus").values / MW_PER_GW, index=snaps)
    grid = (
        pd.DataFrame({"day": snaps.normalize(), "hour": snaps.hour, "v": series.values})
        .pivot_table(index="day", columns="hour", values="v", aggfunc="mean")
        .reindex(columns=range(24))
    )
    days = len(grid)
    first_day = int(grid.index[0].day_of_year)
    im = ax.imshow(
        grid.values,
        aspect="auto",
        interpolation="nearest",
        cmap="YlOrRd",
        extent=(-0.5, 23.5, first_day + days - 0.5, first_day - 0.5),
        vmin=0.0,
    )
    im.set_gid("curtailment")
    bar = ax.figure.colorbar(im, ax=ax, pad=0.02)
    bar.set_label(f"{label('curtailment', lang)} (GW)")
    ax.set_xticks(range(0, 24, 3))
    ax.set_xlabel(label("hour_of_day", lang))
    ax.set_ylabel(label("day_of_year", lang))
    ax.set_title(f"{label('title_heatmap', lang)} — {ds.attrs.get('scenario', '')}")
    return ax


@_styled
def plot_corridors(ds: xr.Dataset, *, ax: Axes | None = None, lang: str = "en") -> Axes:
    """Energy sent by each export corridor (TWh, new energy and other) with its new-energy share.

    Bars: energy sent split into new energy and the rest; a black tick marks the scheduled energy.
    Top axis (per cent): the new-energy share (diamonds) and the required share (red ticks).

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
        The energy axes; the share axes is ``ax.share_axes``.
    """
    _require(
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
    ax = _axes(ax, (8.0, max(2.5, 0.28 * n + 1.2)))
    energy = ds["corridor_energy_TWh"].values
    order = np.argsort(energy)
    names = np.asarray(ds["corridor"].values).astype(str)[order]
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
        label=label("sent_new_energy", lang),
        gid="sent_new_energy",
    )
    ax.barh(
        y,
        other,
        left=green,
        color=carrier_color("export"),
        label=label("sent_other", lang),
        gid="sent_other",
    )
    ax.plot(
        sched,
        y,
        linestyle="none",
        marker="|",
        markersize=10,
        markeredgewidth=1.5,
        color="black",
        label=label("schedule", lang),
        gid="schedule",
    )
    ax.set_yticks(y, list(names))
    ax.set_xlabel(label("energy_TWh", lang))
    top = ax.twiny()
    top.plot(
        share,
        y,
        linestyle="none",
        marker="D",
        markersize=4,
        color=carrier_color("solar"),
        markeredgecolor="black",
        markeredgewidth=0.4,
        label=label("share", lang),
        gid="share",
    )
    needed = need > 0
    top.plot(
        need[needed],
        y[needed],
        linestyle="none",
        marker="|",
        markersize=9,
        markeredgewidth=1.5,
        color=carrier_color("export_shortfall"),
        label=label("required_share", lang),
        gid="required_share",
    )
    top.set_xlim(0, 100)
    top.set_xlabel(label("share_pct", lang))
    top.spines["top"].set_visible(True)
    ax.set_ylim(-0.6, n - 0.4)
    handles, labels = ax.get_legend_handles_labels()
    h2, l2 = top.get_legend_handles_labels()
    ax.legend(handles + h2, labels + l2, loc="lower right")
    ax.set_title(f"{label('title_corridors', lang)} — {ds.attrs.get('scenario', '')}", pad=28)
    ax.share_axes = top  # type: ignore[attr-defined]
    return ax


@_styled
def plot_soc(
    ds: xr.Dataset,
    *,
    start: str | pd.Timestamp | None = None,
    days: int | None = None,
    ax: Axes | None = None,
    lang: str = "en",
) -> Axes:
    """Storage state of charge by kind, GWh (end of each hour), over the year or a period.

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
    """
    _require(ds, ("state_of_charge",), "soc")
    ax = _axes(ax, (8.0, 3.5))
    sel = ds.isel(snapshot=_period(ds, start, days))
    x = sel["snapshot"].values
    soc = _group_sum(sel["state_of_charge"], "storage_kind", "storage_unit")
    for k in _ordered(soc, STORAGE_ORDER):
        ax.plot(
            x, soc[k] / 1e3, color=carrier_color(k), label=carrier_name(k, lang), gid=f"soc:{k}"
        )
    ax.set_ylim(bottom=0.0)
    ax.set_xlim(x[0], x[-1])
    ax.set_ylabel(label("energy_GWh", lang))
    ax.set_xlabel(label("date", lang))
    ax.set_title(f"{label('title_soc', lang)} — {ds.attrs.get('scenario', '')}")
    _date_axis(ax)
    _legend(ax, outside=False, loc="upper right")
    return ax


@_styled
def plot_map(ds: xr.Dataset, *, ax: Axes | None = None, lang: str = "en") -> Axes:
    """Schematic map: buses (size: annual demand), backbone lines (width: annual flow) and
    export corridors to the receiving regions (width: annual energy, labelled in TWh).

    Positions are the buses' ``bus_x``/``bus_y`` (longitude, latitude) and the receiving regions'
    load centres from :data:`energysim.constants.RECEIVING_GRID_LOCATIONS`. Corridors from one bus
    to one region are drawn as one arrow carrying their sum.

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
    _require(ds, ("bus_x", "bus_y", "demand", "line_p0", "corridor_energy_TWh"), "map")
    from matplotlib.lines import Line2D

    ax = _axes(ax, (8.0, 5.5))
    buses = np.asarray(ds["bus"].values).astype(str)
    pos = {
        b: (float(x), float(y))
        for b, x, y in zip(buses, ds["bus_x"].values, ds["bus_y"].values, strict=True)
    }
    demand = ds["demand"].sum("snapshot").values / MWH_PER_TWH
    # backbone: annual energy carried, TWh (|flow| summed over hours)
    flows = np.abs(ds["line_p0"]).sum("snapshot").values / MWH_PER_TWH
    fmax = max(float(flows.max(initial=0.0)), 1e-9)
    for name, b0, b1, f in zip(
        np.asarray(ds["line"].values).astype(str),
        ds["line_bus0"].values,
        ds["line_bus1"].values,
        flows,
        strict=True,
    ):
        (x0, y0), (x1, y1) = pos[str(b0)], pos[str(b1)]
        ax.plot(
            [x0, x1],
            [y0, y1],
            color=carrier_color("AC"),
            linewidth=0.6 + 4.0 * f / fmax,
            solid_capstyle="round",
            zorder=2,
            gid=f"line:{name}",
        )
    # corridors grouped by (bus, receiving region)
    corr = (
        pd.DataFrame(
            {
                "bus": np.asarray(ds["corridor_bus"].values).astype(str),
                "region": np.asarray(ds["receiving_grid"].values).astype(str),
                "twh": ds["corridor_energy_TWh"].values,
            }
        )
        .groupby(["bus", "region"], sort=True)["twh"]
        .sum()
    )
    cmax = max(float(corr.max()) if len(corr) else 0.0, 1e-9)
    regions = sorted({r for _, r in corr.index if r in RECEIVING_GRID_LOCATIONS})
    for (bus, region), twh in corr.items():
        if region not in RECEIVING_GRID_LOCATIONS:
            logger.debug("no location for receiving region %s", region)
            continue
        ax.annotate(
            "",
            xy=RECEIVING_GRID_LOCATIONS[region],
            xytext=pos[bus],
            zorder=1,
            arrowprops={
                "arrowstyle": "-|>",
                "color": carrier_color("export"),
                "alpha": 0.6,
                "linewidth": 0.5 + 5.0 * twh / cmax,
                "mutation_scale": 8,
                "connectionstyle": "arc3,rad=0.12",
                "shrinkA": 4,
                "shrinkB": 4,
            },
            gid=f"corridor:{bus}:{region}",
        )
    for region in regions:
        rx, ry = RECEIVING_GRID_LOCATIONS[region]
        total = float(corr.xs(region, level="region").sum())
        ax.plot(
            rx,
            ry,
            marker="s",
            markersize=6,
            color=carrier_color("export"),
            zorder=4,
            gid=f"region:{region}",
        )
        ax.annotate(
            f"{region}\n{total:.0f} TWh",
            (rx, ry),
            xytext=(5, -3),
            textcoords="offset points",
            fontsize=7,
            va="top",
        )
    dmax = max(float(demand.max(initial=0.0)), 1e-9)
    ax.scatter(
        [pos[b][0] for b in buses],
        [pos[b][1] for b in buses],
        s=15 + 200 * demand / dmax,
        color=carrier_color("wind"),
        edgecolor="white",
        linewidth=0.6,
        zorder=5,
        gid="buses",
    )
    for b, d in zip(buses, demand, strict=True):
        ax.annotate(
            f"{b}\n{d:.0f} TWh",
            pos[b],
            xytext=(4, 4),
            textcoords="offset points",
            fontsize=6.5,
            zorder=6,
        )
    ax.set_aspect(1.0 / math.cos(math.radians(float(np.mean([p[1] for p in pos.values()])))))
    ax.set_xlabel(label("longitude", lang))
    ax.set_ylabel(label("latitude", lang))
    ax.set_title(f"{label('title_map', lang)} — {ds.attrs.get('scenario', '')}")
    handles = [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="none",
            color=carrier_color("wind"),
            label=label("bus", lang),
        ),
        Line2D([], [], color=carrier_color("AC"), linewidth=2.0, label=label("line", lang)),
        Line2D(
            [],
            [],
            color=carrier_color("export"),
            linewidth=2.0,
            alpha=0.6,
            label=label("corridor", lang),
        ),
        Line2D(
            [],
            [],
            marker="s",
            linestyle="none",
            color=carrier_color("export"),
            label=label("receiving", lang),
        ),
    ]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.grid(True)
    return ax


# -- sweep charts -------------------------------------------------------------------------------

_UNIT_SUFFIXES = {
    "_GW": "GW",
    "_MW": "MW",
    "_TWh": "TWh",
    "_GWh": "GWh",
    "_MWh": "MWh",
    "_pct": "%",
    "_year": "year",
    "_in_service": "year",
    "_seed": "seed",
    "_h": "h",
}


def axis_label(ds: xr.Dataset, name: str) -> str:
    """Label of a sweep axis with its unit (``units`` attr, name suffix, or path)."""
    coord = ds[name]
    units = coord.attrs.get("units")
    if units is None:
        units = next((u for s, u in _UNIT_SUFFIXES.items() if name.endswith(s)), None)
    if units is None:
        units = coord.attrs.get("path", "value")
    return f"{name} ({units})"


def figure_label(ds: xr.Dataset, figure: str) -> tuple[str, float, str]:
    """Label, display factor and display unit of a sweep figure (shares in per cent)."""
    attrs = ds[figure].attrs
    factor, unit = _units_label(str(attrs.get("units", "")))
    return f"{figure} ({unit or '-'})", factor, unit


def _positions(values: np.ndarray) -> tuple[np.ndarray, list[str] | None]:
    """Numeric positions of coordinate values, and tick labels when they are not numbers."""
    if np.issubdtype(values.dtype, np.number):
        return values.astype(float), None
    return np.arange(len(values), dtype=float), [str(v) for v in values]


@_styled
def plot_feasibility(
    sweep: xr.Dataset,
    x: str,
    y: str,
    figure: str,
    target: float | None,
    *,
    sense: str = ">=",
    select: Mapping[str, Any] | None = None,
    reduce: str = "mean",
    ax: Axes | None = None,
    lang: str = "en",
) -> Axes:
    """A figure over two sweep axes (colour) with the target's contour; cells that miss are crossed.

    Parameters
    ----------
    sweep : xarray.Dataset
        Sweep Dataset: one dim per sweep axis, one variable per figure.
    x, y : str
        Sweep axes for the horizontal and vertical axis.
    figure : str
        Figure variable, e.g. ``"new_energy_local_TWh"``.
    target : float or None
        Target value, in the figure's units (shares as fractions, unit ``1``); None: no target.
    sense : {">=", "<="}, default ">="
        Direction of the target.
    select : mapping, optional
        Values of other axes to select (``.sel``) before reducing.
    reduce : {"mean", "min", "max", "median"}, default "mean"
        How the remaining axes (e.g. weather years) are reduced.
    ax : Axes, optional
        Axes to draw on.
    lang : {"en", "zh"}, default "en"
        Label language.

    Returns
    -------
    Axes
        The colour mesh has gid ``"figure"``, the target contour ``"target"``, the crosses
        ``"misses"``.
    """
    _check_sweep(sweep, figure, (x, y))
    if reduce not in ("mean", "min", "max", "median"):
        msg = f"reduce {reduce!r} is not known; expected one of ['max', 'mean', 'median', 'min']"
        raise EnergysimError(msg)
    if sense not in (">=", "<="):
        msg = f"sense {sense!r} is not known; expected '>=' or '<='"
        raise EnergysimError(msg)
    ax = _axes(ax, (6.5, 4.5))
    da = sweep[figure]
    if select:
        da = da.sel(dict(select))
    others = [d for d in da.dims if d not in (x, y)]
    if others:
        da = getattr(da, reduce)(dim=others, skipna=True)
    name, factor, unit = figure_label(sweep, figure)
    z = da.transpose(y, x).values.astype(float) * factor
    xs, xt = _positions(np.asarray(sweep[x].values))
    ys, yt = _positions(np.asarray(sweep[y].values))
    mesh = ax.pcolormesh(xs, ys, np.ma.masked_invalid(z), shading="nearest", cmap="viridis")
    mesh.set_gid("figure")
    bar = ax.figure.colorbar(mesh, ax=ax, pad=0.02)
    bar.set_label(name)
    gx, gy = np.meshgrid(xs, ys)
    title = f"{label('title_feasibility', lang)}: {figure}"
    if target is not None:
        goal = target * factor
        title += f" {sense} {goal:g} {unit}"
        finite = z[np.isfinite(z)]
        if min(z.shape) >= 2 and finite.size and finite.min() < goal < finite.max():
            cs = ax.contour(xs, ys, z, levels=[goal], colors="black", linewidths=1.5)
            cs.set_gid("target")
            ax.clabel(cs, fmt=lambda v: f"{label('target', lang)} {v:g} {unit}", fontsize=7)
        bar.ax.axhline(goal, color="black", linewidth=1.5, gid="target_bar")
        miss = np.isfinite(z) & ~meets(z, goal, sense)  # the check's own tolerance
        ax.plot(
            gx[miss],
            gy[miss],
            linestyle="none",
            marker="x",
            color="white",
            markersize=6,
            markeredgewidth=1.2,
            label=label("misses", lang),
            gid="misses",
        )
    failed = ~np.isfinite(z)
    if failed.any():
        ax.plot(
            gx[failed],
            gy[failed],
            linestyle="none",
            marker="o",
            mfc="none",
            color="red",
            label=label("failed", lang),
            gid="failed",
        )
    if xt is not None:
        ax.set_xticks(xs, xt)
    if yt is not None:
        ax.set_yticks(ys, yt)
    ax.set_xlabel(axis_label(sweep, x))
    ax.set_ylabel(axis_label(sweep, y))
    if others:
        title += f" ({reduce} over {', '.join(others)})"
    ax.set_title(title)
    _legend(ax, outside=False, loc="upper left", fontsize=7)
    return ax


def _check_sweep(sweep: xr.Dataset, figure: str, dims: tuple[str, ...]) -> None:
    if figure not in sweep.data_vars:
        figures = sorted(n for n, v in sweep.data_vars.items() if v.dtype.kind == "f")
        msg = f"figure {figure!r} is not in the sweep; expected one of {figures}"
        raise EnergysimError(msg)
    for d in dims:
        if d not in sweep[figure].dims:
            msg = (
                f"axis {d!r} is not a dimension of {figure!r}; "
                f"its dimensions are {list(sweep[figure].dims)}"
            )
            raise EnergysimError(msg)


def weather_axis(sweep: xr.Dataset) -> str:
    """The sweep axis of weather years: a dim whose name contains ``weather`` or ``seed``."""
    for d in sweep.dims:
        if "weather" in str(d) or "seed" in str(d):
            return str(d)
    msg = (
        "the sweep has no weather-year axis (a dim named like 'weather_seed'); "
        f"its dims are {list(sweep.dims)}"
    )
    raise EnergysimError(msg)


@_styled
def plot_weather(
    sweep: xr.Dataset,
    figure: str,
    target: float | None,
    *,
    weather: str | None = None,
    by: str | None = None,
    sense: str = ">=",
    ax: Axes | None = None,
    lang: str = "en",
) -> Axes:
    """Distribution of a figure over the weather years, with the target line.

    Without ``by``: a histogram of every value of the figure (all weather years and all points).
    With ``by``: one box per value of that sweep axis, over the weather years (and any other axes).

    Parameters
    ----------
    sweep : xarray.Dataset
        Sweep Dataset.
    figure : str
        Figure variable.
    target : float or None
        Target value in the figure's units; None: no target line.
    weather : str, optional
        The weather axis; default :func:`weather_axis`.
    by : str, optional
        Another sweep axis to draw one box per value of.
    sense : {">=", "<="}, default ">="
        Direction of the target.
    ax : Axes, optional
        Axes to draw on.
    lang : {"en", "zh"}, default "en"
        Label language.

    Returns
    -------
    Axes
        The target line has gid ``"target"``; histogram bars gid ``"hist"``, boxes
        gid ``"box:<value>"``.
    """
    weather = weather or weather_axis(sweep)
    _check_sweep(sweep, figure, (weather,) + ((by,) if by else ()))
    ax = _axes(ax, (6.5, 4.0))
    name, factor, unit = figure_label(sweep, figure)
    da = sweep[figure] * factor
    values = da.values[np.isfinite(da.values)]
    goal = math.nan if target is None else target * factor
    met_text = f"n={values.size}"
    if target is not None:
        met_text = f"{label('meets', lang)}: {int(meets(values, goal, sense).sum())}/{values.size}"
    if by is None:
        ax.hist(
            values,
            bins=min(20, max(5, values.size // 2)),
            color=carrier_color("wind"),
            edgecolor="white",
            linewidth=0.5,
            label=f"{figure} ({met_text})",
            gid="hist",
        )
        if target is not None:
            ax.axvline(
                goal,
                color=carrier_color("export_shortfall"),
                linewidth=1.5,
                label=f"{label('target', lang)} {sense} {goal:g} {unit}",
                gid="target",
            )
        ax.set_xlabel(name)
        ax.set_ylabel(label("count", lang))
    else:
        groups = []
        keys = sweep[by].values
        for k in keys:
            v = da.sel({by: k}).values.ravel()
            groups.append(v[np.isfinite(v)])
        pos, ticks = _positions(np.asarray(keys))
        idx = np.arange(len(keys), dtype=float)
        box = ax.boxplot(
            groups, positions=idx, widths=0.5, patch_artist=True, medianprops={"color": "black"}
        )
        for patch, k in zip(box["boxes"], keys, strict=True):
            patch.set_facecolor(carrier_color("wind"))
            patch.set_alpha(0.7)
            patch.set_gid(f"box:{k}")
        ax.set_xticks(idx, ticks if ticks is not None else [f"{p:g}" for p in pos])
        if target is not None:
            ax.axhline(
                goal,
                color=carrier_color("export_shortfall"),
                linewidth=1.5,
                label=f"{label('target', lang)} {sense} {goal:g} {unit} ({met_text})",
                gid="target",
            )
        ax.set_xlabel(axis_label(sweep, by))
        ax.set_ylabel(name)
    ax.set_title(f"{label('title_weather', lang)} ({weather}, n={sweep.sizes[weather]})")
    _legend(ax, outside=False, loc="best")
    return ax


# -- whole figures by kind ----------------------------------------------------------------------

RESULT_KINDS = ("dispatch", "duration", "monthly", "heatmap", "corridors", "soc", "map")
SWEEP_KINDS = ("feasibility", "weather")
KINDS: dict[str, str] = {
    "dispatch": "hourly dispatch stack of a period (--start, --days)",
    "duration": "duration curves of demand, net load and curtailment",
    "monthly": "monthly energy balance",
    "heatmap": "curtailment by day and hour",
    "corridors": "corridor energy sent and new-energy share",
    "soc": "storage state of charge",
    "map": "schematic map of buses, backbone and corridors",
    "feasibility": "sweep: a figure over two axes with the target contour (--figure)",
    "weather": "sweep: distribution of a figure over the weather years (--figure)",
}
"""Chart kinds of :func:`draw` and ``energysim plot --kind``."""


def is_sweep(ds: xr.Dataset) -> bool:
    """True for a sweep Dataset (no ``snapshot`` dim and a ``status`` variable or sweep attrs)."""
    return "snapshot" not in ds.dims and ("status" in ds.data_vars or "sweep_name" in ds.attrs)


def draw(
    kind: str,
    ds: xr.Dataset,
    *,
    lang: str = "en",
    start: str | None = None,
    days: int = 7,
    figure: str | None = None,
    target: float | None = None,
    sense: str = ">=",
    x: str | None = None,
    y: str | None = None,
) -> Figure:
    """A new figure with the chart ``kind`` of :data:`KINDS` (not registered with pyplot).

    Parameters
    ----------
    kind : str
        One of :data:`KINDS`.
    ds : xarray.Dataset
        Results Dataset (result kinds) or sweep Dataset (sweep kinds).
    lang : {"en", "zh"}, default "en"
        Label language.
    start, days : optional
        Period of the dispatch chart.
    figure, target, sense : optional
        Sweep charts: figure variable (required), its target (None: none) and direction.
    x, y : str, optional
        Feasibility map axes; default the first two non-weather axes of the figure.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    EnergysimError
        Unknown kind, or a Dataset of the wrong type for the kind.
    """
    from matplotlib.figure import Figure

    if kind not in KINDS:
        msg = f"chart kind {kind!r} is not known; expected one of {sorted(KINDS)}"
        raise EnergysimError(msg)
    sweep = is_sweep(ds)
    if kind in SWEEP_KINDS and not sweep:
        msg = f"the {kind!r} chart needs a sweep Dataset (`energysim sweep`), not a results Dataset"
        raise EnergysimError(msg)
    if kind in RESULT_KINDS and sweep:
        msg = f"the {kind!r} chart needs a results Dataset (`energysim run`), not a sweep Dataset"
        raise EnergysimError(msg)
    lang = resolve_lang(lang)
    sizes = {
        "dispatch": (10.0, 4.2),
        "duration": (7.0, 4.0),
        "monthly": (9.0, 4.2),
        "heatmap": (7.0, 4.5),
        "soc": (8.0, 3.5),
        "map": (8.5, 6.0),
        "corridors": (8.0, max(3.0, 0.3 * ds.sizes.get("corridor", 0) + 1.5)),
        "feasibility": (6.5, 4.8),
        "weather": (6.5, 4.0),
    }
    with chart_style(lang):
        fig = Figure(figsize=sizes[kind], layout="constrained")
        ax = fig.add_subplot()
        if kind in SWEEP_KINDS:
            if figure is None:
                msg = f"the {kind!r} chart needs a figure (a variable of the sweep)"
                raise EnergysimError(msg)
            if kind == "weather":
                weather = weather_axis(ds)
                axes = [d for d in ds[figure].dims if d != weather and ds.sizes[d] > 1]
                plot_weather(
                    ds,
                    figure,
                    target,
                    weather=weather,
                    by=axes[0] if axes else None,
                    sense=sense,
                    ax=ax,
                    lang=lang,
                )
            else:
                dims = [str(d) for d in ds[figure].dims if ds.sizes[d] > 1]
                plain = [d for d in dims if "weather" not in d and "seed" not in d] + [
                    d for d in dims if "weather" in d or "seed" in d
                ]
                x = x or (plain[0] if plain else None)
                y = y or next((d for d in plain if d != x), None)
                if x is None or y is None:
                    msg = (
                        "the feasibility map needs two sweep axes with several values; "
                        f"{figure!r} has {dims}"
                    )
                    raise EnergysimError(msg)
                plot_feasibility(ds, x, y, figure, target, sense=sense, ax=ax, lang=lang)
        elif kind == "dispatch":
            plot_dispatch(ds, start=start, days=days, ax=ax, lang=lang)
        else:
            func: Callable[..., Axes] = {
                "duration": plot_duration,
                "monthly": plot_monthly,
                "heatmap": plot_curtailment_heatmap,
                "corridors": plot_corridors,
                "soc": plot_soc,
                "map": plot_map,
            }[kind]
            func(ds, ax=ax, lang=lang)
    return fig
