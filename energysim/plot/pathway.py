"""The pathway chart: the plan's TWh targets and key figures by model year.

Draws on a pathway Dataset of :func:`energysim.pathway.run_pathway` (``year`` dim, optional
``member`` dim of weather years: the median is drawn, the P10-P90 range as whiskers).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import numpy as np
import xarray as xr

from energysim.exceptions import EnergysimError
from energysim.plot.style import carrier_color, check_lang

if TYPE_CHECKING:
    from matplotlib.axes import Axes

logger = logging.getLogger(__name__)

__all__ = ["PATHWAY_LABELS", "pathway_chart"]

PATHWAY_LABELS: dict[str, tuple[str, str]] = {
    "local": ("New energy consumed locally", "新能源本地消纳"),
    "export": ("New energy exported", "新能源外送"),
    "local_target": ("local target", "本地消纳目标"),
    "export_target": ("export target", "外送目标"),
    "utilisation": ("New-energy utilisation (right)", "新能源利用率 (右轴)"),
    "floor": ("utilisation floor 90 %", "利用率底线 90%"),
    "dip": ("dip (utilisation or adequacy)", "利用率或充裕度下降"),
    "twh": ("TWh", "TWh (十亿千瓦时)"),
    "share": ("utilisation", "利用率"),
    "year": ("model year", "年份"),
    "title": ("Pathway: the plan's targets by year", "规划路径: 逐年目标"),
}
"""Label key -> (English, Chinese); h16-charts may move these into plot.style.LABELS."""

NEEDED = (
    "new_energy_local_TWh",
    "new_energy_export_TWh",
    "new_energy_utilisation",
    "utilisation_dip",
    "adequacy_dip",
)


def _t(key: str, lang: str) -> str:
    en, zh = PATHWAY_LABELS[key]
    return zh if lang == "zh" else en


def _stats(da: xr.DataArray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if "member" not in da.dims:
        v = da.values.astype(float)
        return v, v, v
    q = da.quantile([0.1, 0.5, 0.9], dim="member").values.astype(float)
    return q[1], q[0], q[2]


def pathway_chart(ds: xr.Dataset, ax: Axes | None = None, lang: str = "en") -> Axes:
    """New energy consumed locally and exported (bars, TWh) against the plan's targets, and
    new-energy utilisation against the 90 % floor (line, right axis), by model year; years with
    a utilisation or adequacy dip are shaded.

    Parameters
    ----------
    ds : xarray.Dataset
        Pathway Dataset (:func:`energysim.pathway.run_pathway`).
    ax : Axes, optional
        Axes to draw on (a new figure otherwise).
    lang : {"en", "zh"}, default "en"
        Label language.

    Returns
    -------
    Axes
        The left (TWh) axes; the utilisation axes is ``ax.right_ax``.
    """
    check_lang(lang)
    missing = [n for n in NEEDED if n not in ds.variables]
    if missing or "year" not in ds.dims:
        msg = (
            f"the pathway chart needs a pathway Dataset with a 'year' dim and {list(NEEDED)}; "
            f"this one lacks {missing or ['year']} (make it with energysim.pathway.run_pathway)"
        )
        raise EnergysimError(msg)
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(8.0, 4.0), layout="constrained")
    years = ds["year"].values.astype(int)
    x = np.arange(len(years))
    width = 0.38
    for offset, var, key, color in (
        (-width / 2, "new_energy_local_TWh", "local", carrier_color("wind")),
        (width / 2, "new_energy_export_TWh", "export", carrier_color("export")),
    ):
        mid, lo, hi = _stats(ds[var])
        ax.bar(x + offset, mid, width, color=color, label=_t(key, lang))
        if "member" in ds[var].dims and ds.sizes["member"] > 1:
            ax.errorbar(x + offset, mid, yerr=[mid - lo, hi - mid], fmt="none", ecolor="black")
    targets = ds["target_value"].to_series() if "target_value" in ds else {}
    for field, key, color in (
        ("new_energy_local_TWh", "local_target", carrier_color("wind")),
        ("new_energy_export_TWh", "export_target", carrier_color("export")),
    ):
        if field in targets:
            ax.axhline(float(targets[field]), color=color, ls="--", lw=1.2, label=_t(key, lang))
    dips = np.asarray(ds["utilisation_dip"].values, bool) | np.asarray(
        ds["adequacy_dip"].values, bool
    )
    for i in np.flatnonzero(dips):
        ax.axvspan(i - 0.5, i + 0.5, color="#E63946", alpha=0.08, lw=0)
    if dips.any():
        ax.axvspan(np.nan, np.nan, color="#E63946", alpha=0.08, label=_t("dip", lang))
    ax.set_xticks(x, [str(y) for y in years])
    ax.set_xlabel(_t("year", lang))
    ax.set_ylabel(_t("twh", lang))
    ax.set_title(_t("title", lang))
    right = ax.twinx()
    mid, _, _ = _stats(ds["new_energy_utilisation"])
    right.plot(x, mid * 100, color="black", marker="o", label=_t("utilisation", lang))
    right.axhline(90.0, color="black", ls=":", lw=1.0, label=_t("floor", lang))
    right.set_ylim(min(80.0, float(np.nanmin(mid)) * 100 - 2), 100.5)
    right.set_ylabel(_t("share", lang) + " (%)")
    handles, labels = ax.get_legend_handles_labels()
    h2, l2 = right.get_legend_handles_labels()
    ax.legend(
        handles + h2,
        labels + l2,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.14),
        fontsize="small",
        ncols=3,
        frameon=False,
    )
    ax.right_ax = right  # type: ignore[attr-defined]
    return ax
