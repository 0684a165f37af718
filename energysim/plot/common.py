"""Helpers every chart shares: language and style, Axes, Dataset checks, sums by group, date axes,
legends without invisible series, label placement and the text-overlap check."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import pandas as pd
import xarray as xr

from energysim.exceptions import EnergysimError
from energysim.plot.labels import month_names, tr
from energysim.plot.style import chart_style, resolve_lang

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.text import Text

logger = logging.getLogger(__name__)

__all__ = [
    "MWH_PER_TWH",
    "MW_PER_GW",
    "axes",
    "date_axis",
    "drawn_texts",
    "group_sum",
    "legend",
    "nonzero",
    "ordered",
    "period",
    "place_labels",
    "require",
    "styled",
    "text_overlaps",
]

MW_PER_GW = 1e3
MWH_PER_TWH = 1e6
LEGEND_SHARE = 0.005
"""A series enters the legend when its largest value reaches this share of the chart's largest
stack (0.5 %): thinner bands cannot be seen, so naming them would only lengthen the legend."""
F = TypeVar("F", bound=Callable[..., Any])


def styled(func: F) -> F:
    """Resolve ``lang`` (English without a CJK font) and draw in the print style."""

    @functools.wraps(func)
    def wrapper(*args: Any, lang: str = "en", **kwargs: Any) -> Any:
        lang = resolve_lang(lang)
        with chart_style(lang):
            return func(*args, lang=lang, **kwargs)

    return wrapper  # type: ignore[return-value]


def axes(ax: Axes | None, figsize: tuple[float, float]) -> Axes:
    """``ax``, or the Axes of a new pyplot figure of ``figsize`` inches."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, new = plt.subplots(figsize=figsize, layout="constrained")
    return new


def require(ds: xr.Dataset, names: Iterable[str], chart: str) -> None:
    """Raise :class:`EnergysimError` naming the variables ``chart`` needs that ``ds`` lacks."""
    missing = [n for n in names if n not in ds.variables]
    if missing:
        msg = (
            f"the {chart} chart needs the results variables {missing}, which this Dataset lacks; "
            "pass a results Dataset from energysim.simulate or `energysim run`"
        )
        raise EnergysimError(msg)


def group_sum(da: xr.DataArray, coord: str, dim: str) -> dict[str, np.ndarray]:
    """Sum ``da`` over ``dim`` within each value of the coord ``coord``: key -> array."""
    if da.sizes.get(dim, 0) == 0:
        return {}
    keys = np.asarray(da[coord].values).astype(str)
    values = np.asarray(da.values)
    axis = da.dims.index(dim)
    return {
        k: values.take(np.flatnonzero(keys == k), axis=axis).sum(axis=axis) for k in np.unique(keys)
    }


def ordered(groups: Mapping[str, Any], order: Sequence[str]) -> list[str]:
    """Keys of ``groups``: those in ``order`` first, in that order, then the rest sorted."""
    first = [k for k in order if k in groups]
    return first + sorted(k for k in groups if k not in order)


def nonzero(arr: np.ndarray, eps: float = 1e-9) -> bool:
    """Whether any value of ``arr`` exceeds ``eps`` in magnitude."""
    return bool(np.nanmax(np.abs(np.asarray(arr, dtype=float)), initial=0.0) > eps)


def period(ds: xr.Dataset, start: str | pd.Timestamp | None, days: int | None) -> slice:
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


def day_label(ts: pd.Timestamp, lang: str) -> str:
    """``26 Mar`` or ``3月26日``."""
    return (
        f"{ts.month}月{ts.day}日" if lang == "zh" else f"{ts.day} {month_names('en')[ts.month - 1]}"
    )


def date_axis(ax: Axes, x: np.ndarray, lang: str) -> None:
    """Date ticks that name the month on every tick (no offset text), in ``lang``.

    Periods up to 16 days: a tick at each midnight (every second one from 9 days) labelled
    ``26 Mar`` / ``3月26日``; longer periods: a tick at each month's first day, labelled with the
    month's name.
    """
    import matplotlib.dates as mdates
    from matplotlib.ticker import FixedLocator, FuncFormatter

    t = pd.DatetimeIndex(x)
    days = (t[-1] - t[0]).total_seconds() / 86400.0
    if days <= 16:
        step = 1 if days <= 8 else 2
        ticks = pd.date_range(t[0].ceil("D"), t[-1], freq=f"{step}D")
        names = [day_label(d, lang) for d in ticks]
    else:
        ticks = pd.date_range(t[0].to_period("M").to_timestamp(), t[-1], freq="MS")
        ticks = ticks[ticks >= t[0]]
        names = [month_names(lang)[d.month - 1] for d in ticks]
    positions = mdates.date2num(ticks.to_pydatetime())
    lookup = dict(zip(np.round(positions, 6), names, strict=True))
    ax.xaxis.set_major_locator(FixedLocator(positions))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: lookup.get(round(v, 6), "")))
    ax.xaxis.set_minor_locator(
        mdates.HourLocator(byhour=(0, 12)) if days <= 16 else FixedLocator([])
    )


def legend(
    ax: Axes,
    *,
    where: str = "right",
    handles: list | None = None,
    labels: list[str] | None = None,
    **kwargs: Any,
) -> None:
    """A legend of the named series, outside the data: ``where`` is ``"right"``, ``"below"``
    or a matplotlib ``loc`` inside the Axes."""
    if handles is None:
        handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return
    if where == "right":
        ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.01, 1.0), **kwargs)
    elif where == "below":
        ncol = kwargs.pop("ncol", min(4, len(handles)))
        ax.legend(
            handles,
            labels,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.14),
            ncol=ncol,
            **kwargs,
        )
    else:
        ax.legend(handles, labels, loc=where, **kwargs)


def scenario_title(ds: xr.Dataset, key: str, lang: str) -> str:
    """The chart title ``key`` followed by the scenario's name."""
    name = ds.attrs.get("scenario", "")
    return f"{tr(key, lang)} — {name}" if name else tr(key, lang)


# -- text: what was drawn, overlaps, placement -------------------------------------------------


def _renderer(fig: Figure) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    return fig.canvas.get_renderer()


def drawn_texts(fig: Figure) -> list[Text]:
    """Every non-empty text the figure actually draws (ticks outside the view excluded).

    Draws the figure once with Agg and records each :class:`~matplotlib.text.Text` that reaches
    the renderer.
    """
    from matplotlib.text import Text

    renderer = _renderer(fig)
    seen: list[Text] = []
    original = renderer.draw_text

    def record(gc: Any, x: float, y: float, s: str, prop: Any, angle: float, *args: Any, **kw: Any):
        mtext = kw.get("mtext", args[1] if len(args) > 1 else None)
        if isinstance(mtext, Text) and mtext not in seen and s.strip():
            seen.append(mtext)
        return original(gc, x, y, s, prop, angle, *args, **kw)

    renderer.draw_text = record  # type: ignore[method-assign]
    try:
        fig.draw(renderer)
    finally:
        del renderer.draw_text
    return seen


def text_overlaps(fig: Figure, pad: float = 1.0) -> list[tuple[str, str]]:
    """Pairs of drawn texts whose bounding boxes overlap by more than ``pad`` pixels each way.

    Parameters
    ----------
    fig : Figure
        A drawn or undrawn figure (it is drawn with Agg).
    pad : float, default 1.0
        Pixels each box is shrunk by first, so texts that only touch do not count.

    Returns
    -------
    list of (str, str)
        The texts of each overlapping pair; empty when no text overlaps another.
    """
    texts = drawn_texts(fig)
    renderer = _renderer(fig)
    boxes = []
    for t in texts:
        bb = t.get_window_extent(renderer)
        boxes.append((t.get_text(), bb.x0 + pad, bb.y0 + pad, bb.x1 - pad, bb.y1 - pad))
    pairs = []
    for i, (a, ax0, ay0, ax1, ay1) in enumerate(boxes):
        for b, bx0, by0, bx1, by1 in boxes[i + 1 :]:
            if ax0 < bx1 and bx0 < ax1 and ay0 < by1 and by0 < ay1:
                pairs.append((a, b))
    return pairs


OFFSETS = (
    (5, 4, "left", "bottom"),
    (5, -4, "left", "top"),
    (-5, 4, "right", "bottom"),
    (-5, -4, "right", "top"),
    (0, 7, "center", "bottom"),
    (0, -7, "center", "top"),
    (8, 0, "left", "center"),
    (-8, 0, "right", "center"),
    (12, 12, "left", "bottom"),
    (-12, -12, "right", "top"),
    (12, -12, "left", "top"),
    (-12, 12, "right", "bottom"),
    (0, 16, "center", "bottom"),
    (0, -16, "center", "top"),
)
"""Candidate label offsets (points) around an anchor, tried in order."""


def place_labels(
    ax: Axes,
    anchors: Sequence[tuple[float, float]],
    texts: Sequence[str],
    *,
    avoid: Sequence[tuple[float, float]] = (),
    gids: Sequence[str] | None = None,
    **text_kw: Any,
) -> list[Text]:
    """Annotate data points so that no label overlaps another label or an avoided point.

    Greedy: each label takes the first offset of :data:`OFFSETS` whose box overlaps no label
    placed before, no anchor or avoided point (a 6 px disc) and stays inside the Axes; when none
    does, the offset with the least overlap.

    Returns
    -------
    list of Text
        The annotations, in the order of ``texts``.
    """
    fig = ax.figure
    renderer = _renderer(fig)
    fig.draw_without_rendering()
    to_px = ax.transData.transform
    points = [to_px(p) for p in (*anchors, *avoid)]
    inside = ax.get_window_extent(renderer)
    placed: list[tuple[float, float, float, float]] = []
    out = []
    for i, (xy, text) in enumerate(zip(anchors, texts, strict=True)):
        best, best_cost = None, np.inf
        for dx, dy, ha, va in OFFSETS:
            ann = ax.annotate(
                text, xy, xytext=(dx, dy), textcoords="offset points", ha=ha, va=va, **text_kw
            )
            bb = ann.get_window_extent(renderer)
            box = (bb.x0 - 1, bb.y0 - 1, bb.x1 + 1, bb.y1 + 1)
            cost = sum(_area(box, other) for other in placed)
            cost += sum(
                _area(box, (px - 3, py - 3, px + 3, py + 3)) * 4
                for j, (px, py) in enumerate(points)
                if j != i
            )
            out_x = max(0.0, inside.x0 - box[0]) + max(0.0, box[2] - inside.x1)
            out_y = max(0.0, inside.y0 - box[1]) + max(0.0, box[3] - inside.y1)
            cost += (out_x + out_y) * 50
            if cost < best_cost:
                if best is not None:
                    best[0].remove()
                best, best_cost = (ann, box), cost
            else:
                ann.remove()
            if cost == 0:
                break
        assert best is not None
        placed.append(best[1])
        if gids is not None:
            best[0].set_gid(gids[i])
        out.append(best[0])
    return out


def _area(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0
