"""Chart content: the series carry the Dataset's numbers; units, legends and colours are right."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgba

from energysim.constants import CARRIERS
from energysim.exceptions import EnergysimError, EnergysimWarning
from energysim.plot import charts, style
from energysim.plot.charts import (
    RESULT_KINDS,
    draw,
    plot_corridors,
    plot_curtailment_heatmap,
    plot_dispatch,
    plot_duration,
    plot_map,
    plot_monthly,
    plot_soc,
)

matplotlib.use("Agg")


def by_gid(ax, gid: str) -> list:
    found = [a for a in ax.get_children() if a.get_gid() == gid]
    found += [p for p in ax.patches if p.get_gid() == gid and p not in found]
    found += [ln for ln in ax.lines if ln.get_gid() == gid and ln not in found]
    return found


def legend_texts(ax) -> list[str]:
    leg = ax.get_legend()
    return [t.get_text() for t in leg.get_texts()] if leg else []


def carrier_sum(ds, var, coord, dim, key):
    mask = ds[coord].values.astype(str) == key
    return ds[var].isel({dim: np.flatnonzero(mask)}).sum(dim).values


def poly_y(coll) -> np.ndarray:
    return coll.get_paths()[0].vertices[:, 1]


def test_dispatch_stack(results):
    ax = plot_dispatch(results, start="2030-01-10", days=5)
    sel = results.sel(snapshot=slice("2030-01-10", "2030-01-14"))
    assert sel.sizes["snapshot"] == 5 * 24
    load = by_gid(ax, "load")[0]
    np.testing.assert_allclose(load.get_ydata(), sel["demand"].sum("bus").values / 1e3)
    # every positive layer present with its carrier colour; the stack adds up
    wind = by_gid(ax, "gen:wind")[0]
    assert to_rgba(wind.get_facecolor()[0]) == pytest.approx(to_rgba(CARRIERS["wind"][0]))
    for gid in ("gen:solar", "gen:coal", "gen:hydro", "export", "flex:electrolyser"):
        assert by_gid(ax, gid), gid
    up = sum(
        carrier_sum(sel, "generator_p", "carrier", "generator", c)
        for c in ("wind", "solar", "coal", "hydro")
    )
    up = (
        up + sel["storage_discharge"].sum("storage_unit").values + sel["unserved"].sum("bus").values
    )
    top = up + sel["curtailment"].sum("bus").values
    layers_up = [
        c
        for c in ax.collections
        if c.get_gid() and not c.get_gid().startswith(("charge", "flex", "export"))
    ]
    assert max(poly_y(c).max() for c in layers_up) == pytest.approx(top.max() / 1e3, rel=1e-9)
    down = (
        sel["corridor_p"].sum("corridor")
        + sel["storage_charge"].sum("storage_unit")
        + sel["flexible_load_p"].sum("flexible_load")
    ).values
    layers_down = [
        c for c in ax.collections if (c.get_gid() or "").startswith(("charge", "flex", "export"))
    ]
    assert min(poly_y(c).min() for c in layers_down) == pytest.approx(-down.max() / 1e3, rel=1e-9)
    texts = legend_texts(ax)
    for name in (
        "Wind",
        "Solar PV",
        "Coal",
        "Export corridors",
        "Demand",
        "Curtailment",
        "Electrolysers",
    ):
        assert name in texts
    assert "(GW)" in ax.get_ylabel() and ax.get_xlabel()
    assert pd.Timestamp(matplotlib.dates.num2date(ax.get_xlim()[0])).tz_localize(
        None
    ) == pd.Timestamp("2030-01-10")


def test_dispatch_default_period_and_bad_start(results):
    ax = plot_dispatch(results)
    start = charts.default_start(results, 7)
    assert len(by_gid(ax, "load")[0].get_xdata()) == 7 * 24
    assert start >= pd.Timestamp("2030-01-01")
    with pytest.raises(EnergysimError, match="outside the results"):
        plot_dispatch(results, start="2031-01-01")
    with pytest.raises(EnergysimError, match="not a date"):
        plot_dispatch(results, start="soon")


def test_duration_curves(results):
    ax = plot_duration(results)
    demand = results["demand"].sum("bus").values
    np.testing.assert_allclose(by_gid(ax, "load")[0].get_ydata(), np.sort(demand)[::-1] / 1e3)
    curt = by_gid(ax, "curtailment")[0].get_ydata()
    assert curt.sum() / 1e3 == pytest.approx(results["curtailment"].sum().item() / 1e6)
    net = by_gid(ax, "net_load")[0].get_ydata()
    assert np.all(np.diff(net) <= 1e-12) and net.min() < 0  # sorted; windy hours are surplus
    assert "(h)" in ax.get_xlabel() and "(GW)" in ax.get_ylabel()
    assert {"Demand", "Curtailment"} <= set(legend_texts(ax))


def test_monthly_balance_adds_up_to_annual_figures(results):
    ax = plot_monthly(results)

    def heights(gid):
        return np.array([p.get_height() for p in ax.patches if p.get_gid() == gid])

    wind = results["generator_energy_TWh"].where(results["carrier"] == "wind").sum().item()
    assert heights("gen:wind").sum() == pytest.approx(wind)
    assert len(heights("gen:wind")) == 2
    assert heights("export").sum() == pytest.approx(-results["export_TWh"].item())
    bar = next(p for p in ax.patches if p.get_gid() == "gen:coal")
    assert to_rgba(bar.get_facecolor()) == pytest.approx(to_rgba(CARRIERS["coal"][0]))
    load = by_gid(ax, "load")[0].get_ydata()
    assert load.sum() == pytest.approx(results["demand_TWh"].item())
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Jan", "Feb"]
    assert "(TWh)" in ax.get_ylabel()
    assert "Wind" in legend_texts(ax) and "Export corridors" in legend_texts(ax)


def test_curtailment_heatmap(results):
    ax = plot_curtailment_heatmap(results)
    im = ax.images[0]
    grid = np.asarray(im.get_array())
    assert grid.shape == (59, 24)
    assert np.nansum(grid) / 1e3 == pytest.approx(results["new_energy_curtailed_TWh"].item())
    assert "(GW)" in im.colorbar.ax.get_ylabel()
    assert "(h" in ax.get_xlabel() and "(d)" in ax.get_ylabel()


def test_corridors(results):
    ax = plot_corridors(results)
    names = [t.get_text() for t in ax.get_yticklabels()]
    assert sorted(names) == sorted(results["corridor"].values.tolist())
    green = {
        n: p.get_width()
        for n, p in zip(
            names, [p for p in ax.patches if p.get_gid() == "sent_new_energy"], strict=True
        )
    }
    other = {
        n: p.get_width()
        for n, p in zip(names, [p for p in ax.patches if p.get_gid() == "sent_other"], strict=True)
    }
    for n in names:
        assert green[n] == pytest.approx(results["corridor_new_energy_TWh"].sel(corridor=n).item())
        assert green[n] + other[n] == pytest.approx(
            results["corridor_energy_TWh"].sel(corridor=n).item()
        )
    share = by_gid(ax.share_axes, "share")[0].get_xdata()
    expected = [results["corridor_renewable_share"].sel(corridor=n).item() * 100 for n in names]
    np.testing.assert_allclose(share, expected)
    assert by_gid(ax.share_axes, "required_share")[0].get_xdata().tolist() == [30.0]
    assert "(TWh)" in ax.get_xlabel() and "(%)" in ax.share_axes.get_xlabel()
    assert "Required share" in legend_texts(ax)


def test_soc(results):
    ax = plot_soc(results)
    for kind in ("new_type", "pumped_hydro"):
        line = by_gid(ax, f"soc:{kind}")[0]
        np.testing.assert_allclose(
            line.get_ydata(),
            carrier_sum(results, "state_of_charge", "storage_kind", "storage_unit", kind) / 1e3,
        )
        assert line.get_color() == CARRIERS[kind][0]
    assert "(GWh)" in ax.get_ylabel()
    assert set(legend_texts(ax)) == {"New-type storage", "Pumped hydro"}


def test_map(results):
    ax = plot_map(results)
    buses = by_gid(ax, "buses")[0]
    np.testing.assert_allclose(
        buses.get_offsets(), np.c_[results.bus_x.values, results.bus_y.values]
    )
    assert by_gid(ax, "line:a-b") and by_gid(ax, "line:b-c")
    assert by_gid(ax, "corridor:b:shandong") and by_gid(ax, "corridor:c:jiangsu")
    region = by_gid(ax, "region:shandong")[0]
    assert (region.get_xdata()[0], region.get_ydata()[0]) == (117.0, 36.7)
    sd = results["corridor_energy_TWh"].sel(corridor="b-shandong").item()
    assert any(t.get_text() == f"shandong\n{sd:.0f} TWh" for t in ax.texts)
    assert "°E" in ax.get_xlabel() and "°N" in ax.get_ylabel()
    assert "Export corridor (annual energy)" in legend_texts(ax)


def test_charts_draw_on_given_axes(results):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2)
    assert plot_duration(results, ax=axes[0]) is axes[0]
    assert plot_soc(results, ax=axes[1]) is axes[1]


@pytest.mark.parametrize("kind", RESULT_KINDS)
def test_draw_every_kind_in_chinese(results, cjk, kind):
    fig = draw(kind, results, lang="zh")
    ax = fig.axes[0]
    assert any(
        "\u4e00" <= ch <= "\u9fff" for ch in ax.get_title() + ax.get_ylabel() + ax.get_xlabel()
    )
    family = ax.title.get_fontfamily()
    assert cjk in family
    if kind == "dispatch":
        assert "风电" in legend_texts(ax) and "功率 (GW)" == ax.get_ylabel()


def test_chinese_falls_back_to_english_without_cjk_font(results, monkeypatch):
    monkeypatch.setattr(style, "find_cjk_font", lambda: None)
    with pytest.warns(EnergysimWarning, match="no CJK font"):
        ax = plot_duration(results, lang="zh")
    assert ax.get_ylabel() == "Power (GW)"


def test_bad_inputs(results, sweep):
    with pytest.raises(EnergysimError, match="expected one of"):
        draw("pie", results)
    with pytest.raises(EnergysimError, match="needs a sweep Dataset"):
        draw("feasibility", results, figure="new_energy_local_TWh")
    with pytest.raises(EnergysimError, match="needs a results Dataset"):
        draw("map", sweep)
    with pytest.raises(EnergysimError, match="language"):
        plot_duration(results, lang="fr")
    with pytest.raises(EnergysimError, match="lacks"):
        plot_duration(results.drop_vars("curtailment"))


def test_carrier_table_is_the_one_source():
    assert style.carrier_color("wind") == CARRIERS["wind"][0]
    assert style.carrier_name("wind", "zh") == CARRIERS["wind"][2]
    assert style.carrier_name("solar") == CARRIERS["solar"][1]
    assert all(
        "(" in en and ")" in en
        for k, (en, _) in style.LABELS.items()
        if k in ("power_GW", "energy_TWh", "energy_GWh", "hours", "longitude", "latitude")
    )
