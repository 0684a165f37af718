"""Charts of a sweep Dataset (one dim per sweep axis, one variable per annual figure):
the feasibility map and the spread over weather years."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import xarray as xr

from energysim.exceptions import EnergysimError
from energysim.plot.common import axes, legend, styled
from energysim.plot.labels import SENSE, figure_name, parameter_label, slug_name, tr
from energysim.plot.style import carrier_color

if TYPE_CHECKING:
    from matplotlib.axes import Axes

logger = logging.getLogger(__name__)

__all__ = ["axis_label", "figure_label", "plot_feasibility", "plot_weather", "weather_axis"]

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


def _meets(value: np.ndarray, target: float, sense: str) -> np.ndarray:
    from energysim.targets import meets

    return meets(value, target, sense)


def sweep_places(sweep: xr.Dataset, lang: str) -> dict[str, str]:
    """Corridor and bus slug -> display name for a sweep (Chinese names from its base scenario)."""
    base = sweep.attrs.get("base_file")
    if lang == "zh" and base and Path(str(base)).is_file():
        from energysim.config import load_scenario

        try:
            s = load_scenario(str(base))
        except EnergysimError:  # pragma: no cover - a base that no longer validates
            return {}
        out = {n: c.name_zh for n, c in s.corridors.items() if c.name_zh}
        out.update({n: b.name_zh for n, b in s.buses.items() if b.name_zh})
        return out
    return {}


def axis_label(ds: xr.Dataset, name: str, lang: str = "en") -> str:
    """Human label of a sweep axis with its unit, from its ``path`` and ``units`` attrs."""
    coord = ds[name]
    units = coord.attrs.get("units")
    if units is None:
        units = next((u for s, u in _UNIT_SUFFIXES.items() if name.endswith(s)), None)
    places = {k: slug_name(k) for k in _path_places(coord.attrs.get("path"))}
    places.update(sweep_places(ds, lang))
    return parameter_label(name, coord.attrs.get("path"), units, lang, places)


def _path_places(path: Any) -> list[str]:
    parts = str(path or "").split(".")
    return [parts[1]] if len(parts) == 3 else []


def figure_label(ds: xr.Dataset, figure: str, lang: str = "en") -> tuple[str, float, str]:
    """Label, display factor and display unit of a sweep figure (shares in per cent)."""
    attrs = ds[figure].attrs
    units = str(attrs.get("units", ""))
    factor, unit = (100.0, "%") if units == "1" else (1.0, units)
    name = figure_name(figure, lang, attrs.get("long_name"))
    return (f"{name} ({unit})" if unit else name), factor, unit


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


def _ticks(values: np.ndarray) -> list[str]:
    out = []
    for v in values:
        if isinstance(v, (float, np.floating)) and float(v).is_integer():
            out.append(f"{int(v)}")
        elif isinstance(v, (float, np.floating)):
            out.append(f"{float(v):g}")
        else:
            out.append(str(v))
    return out


@styled
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
    """A figure over two sweep axes (one cell per swept value) with the target's contour.

    Cells that miss the target are crossed (only when some do), failed runs circled. The axes are
    categorical: one column per swept value, labelled with the value, so two values are two
    columns, not a continuous range.

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
        ``"misses"``, failed runs ``"failed"``.
    """
    _check_sweep(sweep, figure, (x, y))
    if reduce not in ("mean", "min", "max", "median"):
        msg = f"reduce {reduce!r} is not known; expected one of ['max', 'mean', 'median', 'min']"
        raise EnergysimError(msg)
    if sense not in (">=", "<="):
        msg = f"sense {sense!r} is not known; expected '>=' or '<='"
        raise EnergysimError(msg)
    ax = axes(ax, (7.0, 5.0))
    da = sweep[figure]
    if select:
        da = da.sel(dict(select))
    others = [str(d) for d in da.dims if d not in (x, y)]
    if others:
        da = getattr(da, reduce)(dim=others, skipna=True)
    name, factor, unit = figure_label(sweep, figure, lang)
    z = da.transpose(y, x).values.astype(float) * factor
    xs = np.arange(sweep.sizes[x], dtype=float)
    ys = np.arange(sweep.sizes[y], dtype=float)
    mesh = ax.pcolormesh(xs, ys, np.ma.masked_invalid(z), shading="nearest", cmap="viridis")
    mesh.set_gid("figure")
    bar = ax.figure.colorbar(mesh, ax=ax, pad=0.02)
    bar.set_label(name)
    gx, gy = np.meshgrid(xs, ys)
    title = tr("title_feasibility", lang)
    if target is not None:
        goal = target * factor
        title += f": {tr('target', lang)} {SENSE[sense]} {goal:g} {unit}"
        finite = z[np.isfinite(z)]
        if min(z.shape) >= 2 and finite.size and finite.min() < goal < finite.max():
            cs = ax.contour(xs, ys, z, levels=[goal], colors="white", linewidths=1.8)
            cs.set_gid("target")
        bar.ax.axhline(goal, color="black", linewidth=1.5, gid="target_bar")
        miss = np.isfinite(z) & ~_meets(z, goal, sense)
        title += f" ({tr('meets', lang)}: {int(np.isfinite(z).sum() - miss.sum())}/{int(np.isfinite(z).sum())})"
        if miss.any():
            ax.plot(
                gx[miss],
                gy[miss],
                linestyle="none",
                marker="x",
                color="white",
                markersize=7,
                markeredgewidth=1.5,
                label="_misses",
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
            markersize=9,
            color="red",
            label=tr("failed", lang),
            gid="failed",
        )
    ax.set_xticks(xs, _ticks(np.asarray(sweep[x].values)))
    ax.set_yticks(ys, _ticks(np.asarray(sweep[y].values)))
    ax.set_xlabel(axis_label(sweep, x, lang))
    ax.set_ylabel(axis_label(sweep, y, lang))
    if others:
        over = ", ".join(axis_label(sweep, d, lang) for d in others)
        sub = f"{tr('averaged_over', lang)} {over}" if reduce == "mean" else f"{reduce}: {over}"
        title += f"\n{sub}"
    ax.set_title(title)
    from matplotlib.lines import Line2D

    handles, labels = ax.get_legend_handles_labels()
    if by_gid := [ln for ln in ax.lines if ln.get_gid() == "misses"]:
        del by_gid
        # the crosses are white on the map; the key shows them in black on the white page
        handles.insert(
            0, Line2D([], [], linestyle="none", marker="x", color="black", markeredgewidth=1.5)
        )
        labels.insert(0, tr("misses", lang))
    legend(ax, where="below", ncol=2, handles=handles, labels=labels)
    return ax


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


@styled
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
    With ``by``: one box per value of that sweep axis, pooling the weather years and every other
    axis; the title says how many values each box holds.

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
    ax = axes(ax, (7.0, 4.5))
    name, factor, unit = figure_label(sweep, figure, lang)
    da = sweep[figure] * factor
    values = da.values[np.isfinite(da.values)]
    goal = np.nan if target is None else target * factor
    met_text = f"n = {values.size}"
    if target is not None:
        met_text = f"{tr('meets', lang)}: {int(_meets(values, goal, sense).sum())}/{values.size}"
    n_years = sweep.sizes[weather]
    if by is None:
        ax.hist(
            values,
            bins=min(20, max(5, values.size // 2)),
            color=carrier_color("wind"),
            edgecolor="white",
            linewidth=0.5,
            label=met_text,
            gid="hist",
        )
        if target is not None:
            ax.axvline(
                goal,
                color=carrier_color("export_shortfall"),
                linewidth=1.5,
                label=f"{tr('target', lang)} {SENSE[sense]} {goal:g} {unit}",
                gid="target",
            )
        ax.set_xlabel(name)
        ax.set_ylabel(tr("count", lang))
        sub = f"{n_years} {tr('weather_years_n', lang)}, n = {values.size}"
    else:
        groups = []
        keys = sweep[by].values
        for k in keys:
            v = da.sel({by: k}).values.ravel()
            groups.append(v[np.isfinite(v)])
        idx = np.arange(len(keys), dtype=float)
        box = ax.boxplot(
            groups, positions=idx, widths=0.5, patch_artist=True, medianprops={"color": "black"}
        )
        for patch, k in zip(box["boxes"], keys, strict=True):
            patch.set_facecolor(carrier_color("wind"))
            patch.set_alpha(0.7)
            patch.set_gid(f"box:{k}")
        ax.set_xticks(idx, _ticks(np.asarray(keys)))
        if target is not None:
            ax.axhline(
                goal,
                color=carrier_color("export_shortfall"),
                linewidth=1.5,
                label=f"{tr('target', lang)} {SENSE[sense]} {goal:g} {unit} ({met_text})",
                gid="target",
            )
        ax.set_xlabel(axis_label(sweep, by, lang))
        ax.set_ylabel(name)
        per_box = int(da.isel({by: 0}).size)
        pooled = [str(d) for d in da.dims if d not in (by, weather)]
        sub = f"{n_years} {tr('weather_years_n', lang)}"
        if pooled:
            sub += f" × {', '.join(axis_label(sweep, d, lang) for d in pooled)}"
        sub += f"; {tr('values_per_box', lang)}: {per_box}"
    ax.set_title(f"{tr('title_weather', lang)}\n{sub}")
    ax.grid(True, axis="y")
    legend(ax, where="below", ncol=2)
    return ax
