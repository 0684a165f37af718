"""Charts of analysis tables (not of a Dataset): the capacity balance at the evening peaks and an
attribution waterfall. Each takes a table and an optional ``ax`` like every other chart."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from energysim.exceptions import EnergysimError
from energysim.plot.common import LEGEND_SHARE, MW_PER_GW, axes, legend, styled
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
    stacks = [
        parts.loc[parts["side"] == side, [f"{s}_MW" for s in SEASONS]].clip(lower=0).sum().max()
        for side in ("requirement", "supply")
    ]
    scale = float(max(stacks, default=0.0)) / MW_PER_GW
    width = 0.36
    centres = np.arange(len(SEASONS), dtype=float)
    tops = {}
    for offset, side in ((-0.2, "requirement"), (0.2, "supply")):
        base = np.zeros(len(SEASONS))
        for row in parts[parts["side"] == side].itertuples():
            values = np.array([getattr(row, f"{s}_MW") for s in SEASONS], dtype=float) / MW_PER_GW
            if not np.any(np.abs(values) > 1e-9):
                continue
            name = _item(row.item, lang)
            if np.max(values) < LEGEND_SHARE * scale:
                name = f"_{name}"  # too thin to see: no legend entry
            ax.bar(
                centres + offset,
                values,
                width=width,
                bottom=base,
                color=ITEM_COLOURS.get(row.item, "#999999"),
                edgecolor="white",
                linewidth=0.5,
                label=name,
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
    figure: str | None = None,
    start: tuple[str, float] | None = None,
    unit: str | None = None,
    end_label: str | None = None,
    title: str | None = None,
    ax: Axes | None = None,
    lang: str = "en",
) -> Axes:
    """An attribution waterfall: from a start value, each item's contribution, to the end value.

    Horizontal, one row per step (top to bottom), so long item names are never cut or rotated.
    When the values sit far from zero (a utilisation of ~98 %), the value axis covers their range
    only and the start and end bars run from its left edge.

    Parameters
    ----------
    table : pandas.DataFrame or Series
        One of: the table of :func:`energysim.attribution.attribute` (index: steps, one column
        per figure, ``attrs`` ``start``/``end``/``units``/``start_name``/``end_name``) with
        ``figure``; a Series (item -> contribution); a DataFrame with columns ``item`` and
        ``value``.
    figure : str, optional
        The figure (column) of an attribution table to draw.
    start : (str, float), optional
        Label and value of the starting bar (from the attribution table's ``attrs`` by default).
    unit : str, optional
        Unit of the values; ``"1"`` (a share) is drawn in per cent, its steps in percentage points.
    end_label : str, optional
        Label of the final bar (default the attribution's end scenario, else ``End``/``终点``);
        its value is start + the sum of the contributions.
    title : str, optional
        Title (default the figure's name and the two scenarios, else ``Attribution``/``因素分解``).
    ax : Axes, optional
        Axes to draw on.
    lang : {"en", "zh"}, default "en"
        Label language.

    Returns
    -------
    Axes
        Bars have gid ``"start"``, ``"step:<item>"`` and ``"end"``.
    """
    from energysim.plot.labels import figure_name, step_name

    attrs = dict(getattr(table, "attrs", {}) or {})
    if figure is not None:
        if not isinstance(table, pd.DataFrame) or figure not in table.columns:
            columns = list(getattr(table, "columns", []))
            msg = f"figure {figure!r} is not a column of the attribution table; it has {columns}"
            raise EnergysimError(msg)
        items, values = [str(i) for i in table.index], table[figure].to_numpy(dtype=float)
        if start is None:
            start = (str(attrs.get("start_name", tr("start", lang))), float(attrs["start"][figure]))
        unit = unit if unit is not None else str(attrs.get("units", {}).get(figure, ""))
        end_label = end_label or attrs.get("end_name")
        title = title or f"{figure_name(figure, lang)}: {start[0]} → {end_label or tr('end', lang)}"
    elif isinstance(table, pd.Series):
        items, values = [str(i) for i in table.index], table.to_numpy(dtype=float)
    elif {"item", "value"} <= set(table.columns):
        items, values = table["item"].astype(str).tolist(), table["value"].to_numpy(dtype=float)
    else:
        msg = (
            "a waterfall table needs the columns ['item', 'value'] (or an attribution table and "
            f"figure=); it has {list(table.columns)}"
        )
        raise EnergysimError(msg)
    if start is None:
        msg = "a waterfall needs start=(label, value) unless it draws an attribution table"
        raise EnergysimError(msg)
    unit = unit or ""
    s_label, s_value = start[0], float(start[1])
    factor, shown, step_unit = (100.0, "%", "pp") if unit == "1" else (1.0, unit, unit)
    s_value *= factor
    values = values * factor
    n = len(items)
    ax = axes(ax, (8.0, max(3.0, 0.4 * (n + 2) + 1.4)))
    end_value = s_value + float(np.nansum(values))
    labels = [s_label, *(step_name(i, lang) for i in items), end_label or tr("end", lang)]
    y = np.arange(n + 2)[::-1].astype(float)
    levels = s_value + np.concatenate([[0.0], np.cumsum(values)])  # before each item; the end
    lo, hi = float(min(levels.min(), 0.0)), float(max(levels.max(), 0.0))
    if levels.min() > 0 and (levels.max() - levels.min()) < 0.3 * levels.max():
        pad = max(0.15 * (levels.max() - levels.min()), 1e-3 * levels.max())
        lo, hi = float(levels.min() - pad), float(levels.max() + pad)
    base = lo if lo > 0 else 0.0  # start and end bars run from the axis' left edge
    neutral = carrier_color("export")
    ax.barh(y[0], s_value - base, left=base, color=neutral, height=0.6, gid="start")
    for i, (item, v) in enumerate(zip(items, values, strict=True), start=1):
        colour = carrier_color("hydro") if v >= 0 else carrier_color("export_shortfall")
        ax.barh(y[i], v, left=levels[i - 1], color=colour, height=0.6, gid=f"step:{item}")
        ax.plot([levels[i]] * 2, [y[i] - 0.3, y[i] - 0.7], color="#777777", linewidth=0.6)
    ax.barh(y[-1], end_value - base, left=base, color=neutral, height=0.6, gid="end")
    span = max(hi - lo, 1e-9)
    decimals = 1 if span >= 10 else 2 if span >= 0.1 else 3
    rows = [
        (s_value, s_value, False),
        *((levels[i] + max(v, 0), v, True) for i, v in enumerate(values)),
    ]
    rows.append((end_value, end_value, False))
    for yi, (right, v, signed) in zip(y, rows, strict=True):
        text = f"{v:+,.{decimals}f} {step_unit}" if signed else f"{v:,.{decimals}f} {shown}"
        ax.text(right + 0.01 * span, yi, text, va="center", ha="left", fontsize=7.5)
    ax.set_yticks(y, labels)
    ax.set_xlim(lo, hi + 0.22 * span)
    ax.set_xlabel(shown)
    if lo <= 0:
        ax.axvline(0.0, color="black", linewidth=0.5)
    ax.grid(True, axis="x")
    ax.set_axisbelow(True)
    ax.set_title(title or tr("title_waterfall", lang))
    return ax
