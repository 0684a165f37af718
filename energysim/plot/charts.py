"""The one table of chart kinds, and :func:`draw`, which makes a whole figure of a kind by name.

:data:`CHARTS` holds, per kind, what it shows, which Dataset it takes (results or sweep), its
figure size and the function that draws it; ``energysim plot --kind``, the report and the docs
read it. The chart functions themselves live in :mod:`energysim.plot.results` (results),
:mod:`energysim.plot.maps` (the map), :mod:`energysim.plot.sweeps` (sweeps) and
:mod:`energysim.plot.analysis` (tables of the analyses); they are re-exported here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import xarray as xr

from energysim.exceptions import EnergysimError
from energysim.plot.analysis import capacity_balance_chart, waterfall_chart
from energysim.plot.maps import plot_map
from energysim.plot.results import (
    default_start,
    plot_corridors,
    plot_curtailment_heatmap,
    plot_dispatch,
    plot_duration,
    plot_monthly,
    plot_soc,
)
from energysim.plot.style import chart_style, resolve_lang
from energysim.plot.sweeps import plot_feasibility, plot_weather, weather_axis

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

logger = logging.getLogger(__name__)

__all__ = [
    "CHARTS",
    "KINDS",
    "RESULT_KINDS",
    "SWEEP_KINDS",
    "ChartKind",
    "capacity_balance_chart",
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
    "register",
    "waterfall_chart",
]


@dataclass(frozen=True)
class ChartKind:
    """One chart kind of :func:`draw`.

    Attributes
    ----------
    name : str
        The ``--kind`` name.
    data : {"results", "sweep"}
        The Dataset it draws.
    description : str
        One line for ``energysim plot --help`` and the docs.
    size : callable
        Dataset -> figure size (width, height), inches; at most
        :data:`energysim.report.A4_CHART_IN`, so it prints at 100 % on A4.
    plot : callable
        ``plot(ds, ax=..., lang=..., **options)`` draws on ``ax``.
    """

    name: str
    data: str
    description: str
    size: Callable[[xr.Dataset], tuple[float, float]]
    plot: Callable[..., Any]


def _fixed(w: float, h: float) -> Callable[[xr.Dataset], tuple[float, float]]:
    return lambda ds: (w, h)


def _draw_dispatch(ds: xr.Dataset, *, ax: Axes, lang: str, start=None, days=7, **_: Any) -> Any:
    return plot_dispatch(ds, start=start, days=days or 7, ax=ax, lang=lang)


def _draw_plain(func: Callable[..., Any]) -> Callable[..., Any]:
    def call(ds: xr.Dataset, *, ax: Axes, lang: str, **_: Any) -> Any:
        return func(ds, ax=ax, lang=lang)

    return call


def _draw_weather(ds, *, ax, lang, figure=None, target=None, sense=">=", **_: Any) -> Any:
    weather = weather_axis(ds)
    by = [d for d in ds[figure].dims if d != weather and ds.sizes[d] > 1]
    return plot_weather(
        ds, figure, target, weather=weather, by=by[0] if by else None, sense=sense, ax=ax, lang=lang
    )


def _draw_feasibility(
    ds, *, ax, lang, figure=None, target=None, sense=">=", x=None, y=None, **_: Any
) -> Any:
    dims = [str(d) for d in ds[figure].dims if ds.sizes[d] > 1]
    plain = [d for d in dims if "weather" not in d and "seed" not in d] + [
        d for d in dims if "weather" in d or "seed" in d
    ]
    x = x or (plain[0] if plain else None)
    y = y or next((d for d in plain if d != x), None)
    if x is None or y is None:
        msg = f"the feasibility map needs two sweep axes with several values; {figure!r} has {dims}"
        raise EnergysimError(msg)
    return plot_feasibility(ds, x, y, figure, target, sense=sense, ax=ax, lang=lang)


CHARTS: dict[str, ChartKind] = {
    k.name: k
    for k in (
        ChartKind(
            "dispatch",
            "results",
            "hourly dispatch of a period (--start, --days): supply stacked, demand and exports",
            _fixed(10.0, 4.6),
            _draw_dispatch,
        ),
        ChartKind(
            "duration",
            "results",
            "duration curves of demand, net load (demand + export schedule - wind/solar) and curtailment",
            _fixed(8.0, 4.8),
            _draw_plain(plot_duration),
        ),
        ChartKind(
            "monthly",
            "results",
            "monthly energy balance",
            _fixed(10.0, 4.6),
            _draw_plain(plot_monthly),
        ),
        ChartKind(
            "heatmap",
            "results",
            "new-energy curtailment by day and hour",
            _fixed(7.5, 5.5),
            _draw_plain(plot_curtailment_heatmap),
        ),
        ChartKind(
            "corridors",
            "results",
            "energy sent per corridor, schedule and new-energy share",
            lambda ds: (9.0, min(7.8, max(3.0, 0.24 * ds.sizes.get("corridor", 0) + 1.5))),
            _draw_plain(plot_corridors),
        ),
        ChartKind(
            "soc",
            "results",
            "storage state of charge: daily range and mean",
            _fixed(9.0, 4.2),
            _draw_plain(plot_soc),
        ),
        ChartKind(
            "map",
            "results",
            "leagues (annual demand), backbone and corridors on boundary data",
            _fixed(9.5, 7.6),
            _draw_plain(plot_map),
        ),
        ChartKind(
            "feasibility",
            "sweep",
            "sweep: a figure over two axes with the target contour (--figure)",
            _fixed(7.0, 5.2),
            _draw_feasibility,
        ),
        ChartKind(
            "weather",
            "sweep",
            "sweep: distribution of a figure over the weather years (--figure)",
            _fixed(7.0, 4.8),
            _draw_weather,
        ),
    )
}
"""Chart kind -> :class:`ChartKind`: the one table of kinds."""


def register(kind: ChartKind) -> None:
    """Add a chart kind to :data:`CHARTS` (e.g. a module's own chart of another Dataset)."""
    CHARTS[kind.name] = kind
    KINDS[kind.name] = kind.description
    _refresh()


KINDS: dict[str, str] = {k: c.description for k, c in CHARTS.items()}
"""Chart kind -> description (for the CLI's choices and help)."""
RESULT_KINDS: tuple[str, ...] = ()
SWEEP_KINDS: tuple[str, ...] = ()


def _refresh() -> None:
    global RESULT_KINDS, SWEEP_KINDS  # noqa: PLW0603 - derived views of the one table
    RESULT_KINDS = tuple(k for k, c in CHARTS.items() if c.data == "results")
    SWEEP_KINDS = tuple(k for k, c in CHARTS.items() if c.data == "sweep")


_refresh()


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
    """A new figure with the chart ``kind`` of :data:`CHARTS` (not registered with pyplot).

    Parameters
    ----------
    kind : str
        One of :data:`CHARTS`.
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

    if kind not in CHARTS:
        msg = f"chart kind {kind!r} is not known; expected one of {sorted(CHARTS)}"
        raise EnergysimError(msg)
    spec = CHARTS[kind]
    sweep = is_sweep(ds)
    if spec.data == "sweep" and not sweep:
        msg = f"the {kind!r} chart needs a sweep Dataset (`energysim sweep`), not a results Dataset"
        raise EnergysimError(msg)
    if spec.data == "results" and sweep:
        msg = f"the {kind!r} chart needs a results Dataset (`energysim run`), not a sweep Dataset"
        raise EnergysimError(msg)
    if spec.data == "sweep" and figure is None:
        msg = f"the {kind!r} chart needs a figure (a variable of the sweep)"
        raise EnergysimError(msg)
    lang = resolve_lang(lang)
    with chart_style(lang):
        fig = Figure(figsize=spec.size(ds), layout="constrained")
        ax = fig.add_subplot()
        spec.plot(
            ds,
            ax=ax,
            lang=lang,
            start=start,
            days=days,
            figure=figure,
            target=target,
            sense=sense,
            x=x,
            y=y,
        )
    return fig
