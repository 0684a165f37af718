"""Charts of results and sweep Datasets (matplotlib), in English or Chinese.

Every ``plot_*`` function (and :func:`capacity_balance_chart`, :func:`waterfall_chart`) draws on a
given Axes (or makes one) and returns it; :func:`draw` makes a whole figure of a kind of the one
table :data:`CHARTS`; :func:`save_figure` exports PNG, SVG or PDF atomically;
:func:`text_overlaps` lists texts of a figure that overlap. Result charts are in
:mod:`energysim.plot.results` and :mod:`energysim.plot.maps`, sweep charts in
:mod:`energysim.plot.sweeps`, charts of analysis tables in :mod:`energysim.plot.analysis`; every
text comes from :data:`energysim.plot.labels.TEXT`.
"""

from __future__ import annotations

from energysim.plot.charts import (
    CHARTS,
    KINDS,
    RESULT_KINDS,
    SWEEP_KINDS,
    capacity_balance_chart,
    draw,
    plot_corridors,
    plot_curtailment_heatmap,
    plot_dispatch,
    plot_duration,
    plot_feasibility,
    plot_map,
    plot_monthly,
    plot_soc,
    plot_weather,
    register,
    waterfall_chart,
)
from energysim.plot.common import text_overlaps
from energysim.plot.export import FORMATS, figure_bytes, save_figure
from energysim.plot.style import carrier_color, carrier_name, find_cjk_font, resolve_lang

__all__ = [
    "CHARTS",
    "FORMATS",
    "KINDS",
    "RESULT_KINDS",
    "SWEEP_KINDS",
    "capacity_balance_chart",
    "carrier_color",
    "carrier_name",
    "draw",
    "figure_bytes",
    "find_cjk_font",
    "plot_corridors",
    "plot_curtailment_heatmap",
    "plot_dispatch",
    "plot_duration",
    "plot_feasibility",
    "plot_map",
    "plot_monthly",
    "plot_soc",
    "plot_weather",
    "register",
    "resolve_lang",
    "save_figure",
    "text_overlaps",
    "waterfall_chart",
]
