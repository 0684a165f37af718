"""Charts of analysis tables (not of a Dataset): the capacity balance at the evening peaks and an
attribution waterfall. Each takes a table and an optional ``ax`` like every other chart."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from energysim.exceptions import EnergysimError
from energysim.plot.common import MW_PER_GW, axes, legend, styled
from energysim.plot.labels import tr
from energysim.plot.style import carrier_color

if TYPE_CHECKING:
    from matplotlib.axes import Axes

logger = logging.getLogger(__name__)

__all__ = ["capacity_balance_chart", "waterfall_chart"]

BALANCE_COLUMNS = ("side", "item", "summer_MW", "winter_MW")
SEASONS = ("summer", "winter")
ITEM_COLOURS = {
    "peak load (inflexible demand)": "#8D99AE",
    "flexible loads (minimum)": carrier_color("electrolyser"),
    "export schedules": carrier_color("export"),
    "upward reserve": "#D6D6D6",
    "coal": carrier_color("coal"),
    "coal CHP": carrier_color("coal_chp"),
    "gas and biomass": carrier_color("gas"),
    "hydro": carrier_color("hydro"),
    "wind, solar and CSP (P5)": carrier_color("wind"),
    "storage": carrier_color("new_type"),
    "demand response": carrier_color("demand_response"),
}
"""Colour of each item of :func:`energysim.adequacy.capacity_balance`."""


def _item(item: str, lang: str) -> str:
    from energysim.plot.labels import has

    return tr(f"item:{item}", lang) if has(f"item:{item}") else item


@styled
def capacity_balance_chart(
    table: pd.DataFrame, *, ax: Axes | None = None, lang: str = "en"
) -> Axes:
    """Requirement and counted supply at the summer and the winter evening peak, GW.

    For each season two stacked bars: the requirement (peak load, flexible loads, export
    schedules, reserve) and the counted supply (thermal after outages, hydro, wind and solar at
    P5, storage, demand response); the margin is written above the pair (red when negative).

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`energysim.adequacy.capacity_balance`'s table: columns ``side``
        (``"requirement"``, ``"supply"``, ``"margin"``), ``item``, ``summer_MW``, ``winter_MW``.
        Rows named ``total ...`` and the margin row are not stacked.
    ax : Axes, optional
        Axes to draw on.
    lang : {"en", "zh"}, default "en"
        Label language.

    Returns
    -------
    Axes
        Bars have gid ``"<side>:<item>"``; margin texts ``"margin:<season>"``.
    """
    missing = [c for c in BALANCE_COLUMNS if c not in table.columns]
    if missing:
        msg = (
            f"a capacity-balance table needs the columns {list(BALANCE_COLUMNS)}; missing {missing}"
        )
        raise EnergysimError(msg)
    ax = axes(ax, (8.0, 5.0))
    parts = table[~table["item"].astype(str).str.startswith("total") & (table["side"] != "margin")]
    width = 0.36
    centres = np.arange(len(SEASONS), dtype=float)
    tops = {}
    for offset, side in ((-0.2, "requirement"), (0.2, "supply")):
        base = np.zeros(len(SEASONS))
        for row in parts[parts["side"] == side].itertuples():
            values = np.array([getattr(row, f"{s}_MW") for s in SEASONS], dtype=float) / MW_PER_GW
            if not np.any(np.abs(values) > 1e-9):
                continue
            ax.bar(
                centres + offset,
                values,
                width=width,
                bottom=base,
                color=ITEM_COLOURS.get(row.item, "#999999"),
                edgecolor="white",
                linewidth=0.5,
                label=_item(row.item, lang),
                gid=f"{side}:{row.item}",
            )
            base = base + values
        tops[side] = base
        for c in centres:
            ax.text(
                c + offset,
                -0.01,
                tr(side, lang),
                transform=ax.get_xaxis_transform(),
                ha="center",
                va="top",
                fontsize=7,
                color="#444444",
            )
    for i, season in enumerate(SEASONS):
        need, have = tops["requirement"][i], tops["supply"][i]
        margin = have - need
        pct = 100.0 * margin / need if need else np.nan
        colour = carrier_color("export_shortfall") if margin < 0 else "black"
        ax.text(
            centres[i],
            max(need, have) * 1.02,
            f"{tr('margin', lang)} {margin:+,.1f} GW ({pct:+.1f} %)",
            ha="center",
            va="bottom",
            fontsize=8,
            color=colour,
            gid=f"margin:{season}",
        )
    ax.set_xticks(centres, [tr(s, lang) for s in SEASONS])
    ax.tick_params(axis="x", pad=14, length=0)
    ax.set_ylabel(tr("power_GW", lang))
    ax.set_ylim(0, max(float(np.max(tops["requirement"])), float(np.max(tops["supply"]))) * 1.12)
    ax.set_xlim(-0.7, len(SEASONS) - 0.3)
    title = tr("title_capacity_balance", lang)
    scenario = table.attrs.get("scenario")
    ax.set_title(f"{title} — {scenario}" if scenario else title)
    ax.grid(True, axis="y")
    ax.set_axisbelow(True)
    legend(ax, where="right")
    return ax


@styled
def waterfall_chart(
    table: pd.DataFrame | pd.Series,
    *,
    start: tuple[str, float],
    unit: str,
    end_label: str | None = None,
    title: str | None = None,
    ax: Axes | None = None,
    lang: str = "en",
) -> Axes:
    """An attribution waterfall: from a start value, each item's contribution, to the end value.

    Horizontal, one row per step (top to bottom), so long item names are never cut or rotated.

    Parameters
    ----------
    table : pandas.DataFrame or Series
        Contributions in ``unit``: a Series (item -> value) or a DataFrame with columns ``item``
        and ``value``, in the order they apply.
    start : (str, float)
        Label and value of the starting bar.
    unit : str
        Unit of the values (written on the axis and the bars).
    end_label : str, optional
        Label of the final bar (default ``End``/``终点``); its value is start + sum of the items.
    title : str, optional
        Title (default ``Attribution``/``因素分解``).
    ax : Axes, optional
        Axes to draw on.
    lang : {"en", "zh"}, default "en"
        Label language.

    Returns
    -------
    Axes
        Bars have gid ``"start"``, ``"step:<item>"`` and ``"end"``.
    """
    if isinstance(table, pd.Series):
        items, values = [str(i) for i in table.index], table.to_numpy(dtype=float)
    else:
        if not {"item", "value"} <= set(table.columns):
            msg = f"a waterfall table needs the columns ['item', 'value']; it has {list(table.columns)}"
            raise EnergysimError(msg)
        items, values = table["item"].astype(str).tolist(), table["value"].to_numpy(dtype=float)
    n = len(items)
    ax = axes(ax, (8.0, max(3.0, 0.4 * (n + 2) + 1.4)))
    s_label, s_value = start
    end_value = s_value + float(np.nansum(values))
    labels = [s_label, *items, end_label or tr("end", lang)]
    y = np.arange(n + 2)[::-1].astype(float)
    neutral = carrier_color("export")
    ax.barh(y[0], s_value, color=neutral, height=0.6, gid="start")
    level = s_value
    for i, (item, v) in enumerate(zip(items, values, strict=True), start=1):
        colour = carrier_color("hydro") if v >= 0 else carrier_color("export_shortfall")
        ax.barh(y[i], v, left=level, color=colour, height=0.6, gid=f"step:{item}")
        ax.plot([level + v, level + v], [y[i] - 0.3, y[i] - 0.7], color="#777777", linewidth=0.6)
        level += v
    ax.barh(y[-1], end_value, color=neutral, height=0.6, gid="end")
    span = max(abs(s_value), abs(end_value), float(np.nanmax(np.abs(values), initial=0.0)), 1e-9)
    levels = s_value + np.concatenate([[0.0], np.cumsum(values)])  # level before each item, end
    bars = [(0.0, s_value, False)]
    bars += [(levels[i], v, True) for i, v in enumerate(values)]
    bars += [(0.0, end_value, False)]
    for yi, (left, v, signed) in zip(y, bars, strict=True):
        right = max(left, left + v)
        text = f"{v:+,.1f}" if signed else f"{v:,.1f}"
        ax.text(right + 0.01 * span, yi, f"{text} {unit}", va="center", ha="left", fontsize=7.5)
    ax.set_yticks(y, labels)
    ax.set_xlim(min(0.0, float(levels.min())), max(0.0, float(levels.max())) * 1.18 + 1e-9)
    ax.set_xlabel(f"{unit}")
    ax.axvline(0.0, color="black", linewidth=0.5)
    ax.grid(True, axis="x")
    ax.set_axisbelow(True)
    ax.set_title(title or tr("title_waterfall", lang))
    return ax
