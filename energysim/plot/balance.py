"""The layers of the energy balance, built once for the dispatch and the monthly charts.

Supply (stacked up): generation by carrier, storage discharge by kind, demand response, unserved
energy, and curtailment hatched on top. Other uses (stacked down): storage charging by kind,
flexible loads by kind, demand response paid back, and exports. Both charts draw the same
:func:`balance_layers`; they differ only in how they reduce the hours (a period of hours, or
monthly sums).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import xarray as xr

from energysim.constants import CARRIERS
from energysim.plot.common import LEGEND_SHARE, group_sum, nonzero, ordered
from energysim.plot.labels import tr
from energysim.plot.style import carrier_color, carrier_name

logger = logging.getLogger(__name__)

__all__ = ["BALANCE_VARIABLES", "GENERATION_ORDER", "Layer", "balance_layers", "stack"]

GENERATION_ORDER = ("coal", "coal_chp", "gas", "biomass", "hydro", "csp", "wind", "solar")
"""Stacking order of generation, bottom to top (inflexible first)."""
STORAGE_ORDER = ("pumped_hydro", "new_type")
FLEX_ORDER = ("electrolyser", "data_centre")
BALANCE_VARIABLES = (
    "generator_p",
    "storage_charge",
    "storage_discharge",
    "corridor_p",
    "demand",
    "curtailment",
)
"""Result variables the balance charts need."""


@dataclass
class Layer:
    """One band of the balance: what it is, its values, how it looks, which side it stacks on.

    Attributes
    ----------
    gid : str
        Identifier set on the drawn artist (``"gen:wind"``, ``"charge:new_type"``, ``"export"``).
    values : ndarray
        Non-negative values in the chart's unit, one per x position.
    colour : str
        Face (solid layers) or hatch (hatched layers) colour.
    label : str
        Legend name in the chart's language.
    sign : {1.0, -1.0}
        Stacked up (supply) or down (other uses).
    hatch : str or None
        Hatch pattern: charging and curtailment are hatched, so they never share a swatch with
        the solid discharge or generation of the same colour.
    """

    gid: str
    values: np.ndarray
    colour: str
    label: str
    sign: float
    hatch: str | None = None

    @property
    def face(self) -> str:
        """Face colour: the colour for solid layers, white under a hatch."""
        if self.gid == "curtailment":
            return "#EEEEEE"
        return "white" if self.hatch else self.colour


def balance_layers(
    ds: xr.Dataset, lang: str, reduce: Callable[[np.ndarray], np.ndarray]
) -> list[Layer]:
    """The non-zero layers of the balance of ``ds``, each reduced over the hours by ``reduce``.

    Parameters
    ----------
    ds : xarray.Dataset
        Results (all hours, or a period).
    lang : {"en", "zh"}
        Label language.
    reduce : callable
        Maps an hourly MW array (T,) to the drawn values (e.g. GW per hour, TWh per month).

    Returns
    -------
    list of Layer
        Supply first (bottom to top), then other uses (top to bottom below zero). Layers whose
        values are all zero are left out; layers too thin to see keep their place in the stack
        but get a ``_``-prefixed label, which matplotlib leaves out of the legend.
    """
    gen = group_sum(ds["generator_p"], "carrier", "generator")
    dis = group_sum(ds["storage_discharge"], "storage_kind", "storage_unit")
    chg = group_sum(ds["storage_charge"], "storage_kind", "storage_unit")
    flex: dict[str, np.ndarray] = {}
    if "flexible_load_p" in ds and ds.sizes.get("flexible_load", 0):
        kinds = (
            np.asarray(ds["flexible_load_kind"].values).astype(str)
            if "flexible_load_kind" in ds.coords
            else np.array(["flexible"] * ds.sizes["flexible_load"])
        )
        flex = group_sum(
            ds["flexible_load_p"].assign_coords(flexible_load_kind=("flexible_load", kinds)),
            "flexible_load_kind",
            "flexible_load",
        )

    def name_of(key: str) -> str:
        return carrier_name(key, lang) if key in CARRIERS else tr("flexible", lang)

    layers: list[Layer] = []
    layers += [
        Layer(f"gen:{c}", reduce(gen[c]), carrier_color(c), carrier_name(c, lang), 1.0)
        for c in ordered(gen, GENERATION_ORDER)
    ]
    layers += [
        Layer(
            f"discharge:{k}",
            reduce(dis[k]),
            carrier_color(k),
            f"{carrier_name(k, lang)}, {tr('discharge', lang)}",
            1.0,
        )
        for k in ordered(dis, STORAGE_ORDER)
    ]
    for var, key in (("demand_response_shed", "demand_response"), ("unserved", "unserved")):
        if var in ds:
            layers.append(
                Layer(
                    key,
                    reduce(ds[var].sum("bus").values),
                    carrier_color(key),
                    carrier_name(key, lang),
                    1.0,
                )
            )
    layers.append(
        Layer(
            "curtailment",
            reduce(ds["curtailment"].sum("bus").values),
            "#8A8A8A",
            tr("curtailment", lang),
            1.0,
            "xxxx",
        )
    )
    layers += [
        Layer(
            f"charge:{k}",
            reduce(chg[k]),
            carrier_color(k),
            f"{carrier_name(k, lang)}, {tr('charge', lang)}",
            -1.0,
            "////",
        )
        for k in ordered(chg, STORAGE_ORDER)
    ]
    layers += [
        Layer(f"flex:{k}", reduce(flex[k]), carrier_color(k), name_of(k), -1.0)
        for k in ordered(flex, FLEX_ORDER)
    ]
    if "demand_response_payback" in ds:
        layers.append(
            Layer(
                "demand_response_payback",
                reduce(ds["demand_response_payback"].sum("bus").values),
                carrier_color("demand_response"),
                f"{carrier_name('demand_response', lang)}, {tr('payback', lang)}",
                -1.0,
                "\\\\\\\\",
            )
        )
    layers.append(
        Layer(
            "export",
            reduce(ds["corridor_p"].sum("corridor").values),
            carrier_color("export"),
            carrier_name("export", lang),
            -1.0,
        )
    )
    layers = [layer for layer in layers if nonzero(layer.values)]
    scale = max(
        (np.max(sum(ly.values for ly in layers if ly.sign == s)) for s in (1.0, -1.0)),
        default=0.0,
    )
    for layer in layers:
        if np.max(layer.values) < LEGEND_SHARE * scale:
            layer.label = f"_{layer.label}"
    return layers


def stack(layers: list[Layer]) -> list[tuple[Layer, np.ndarray, np.ndarray]]:
    """Each layer with the bottom and top of its band (supply up from zero, other uses down)."""
    out = []
    for sign in (1.0, -1.0):
        base: np.ndarray | None = None
        for layer in layers:
            if layer.sign != sign:
                continue
            bottom = np.zeros_like(layer.values, dtype=float) if base is None else base
            top = bottom + sign * np.asarray(layer.values, dtype=float)
            out.append((layer, bottom, top))
            base = top
    return out
