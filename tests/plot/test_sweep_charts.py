"""Sweep charts on a hand-made sweep Dataset: feasibility map and weather-year spread."""

from __future__ import annotations

import numpy as np
import pytest

from energysim.exceptions import EnergysimError
from energysim.plot.charts import draw, plot_feasibility, plot_weather
from energysim.plot.common import text_overlaps


def by_gid(ax, gid):
    return [a for a in ax.get_children() if a.get_gid() == gid] + [
        ln for ln in ax.lines if ln.get_gid() == gid
    ]


def test_feasibility_map(sweep):
    x, y = "storage_GW", "ulanbuh_jjj_in_service"
    ax = plot_feasibility(sweep, x, y, "new_energy_local_TWh", 320.0)
    mesh = by_gid(ax, "figure")[0]
    expected = sweep["new_energy_local_TWh"].mean("weather_seed").transpose(y, x).values
    drawn = np.ma.filled(mesh.get_array(), np.nan).reshape(expected.shape)
    np.testing.assert_allclose(drawn, expected)
    misses = by_gid(ax, "misses")[0]
    assert len(misses.get_xdata()) == int((expected < 320.0).sum())
    assert by_gid(ax, "target"), "the target contour is drawn"
    assert ax.get_xlabel() == "New-type storage (GW)"
    assert ax.get_ylabel() == "Ulanbuh–JJJ in service (year)"
    # two swept years are two rows labelled with the years, not a continuous 2028-2033 axis
    assert [t.get_text() for t in ax.get_yticklabels()] == ["2029", "2032"]
    assert list(ax.get_yticks()) == [0.0, 1.0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["40", "50", "60", "70"]
    assert "New energy consumed locally (TWh)" == mesh.colorbar.ax.get_ylabel()
    assert "mean over Weather year (seed)" in ax.get_title()
    assert "misses target" in [t.get_text() for t in ax.get_legend().get_texts()]
    assert text_overlaps(ax.figure) == []


def test_feasibility_no_misses_legend_when_all_meet(sweep):
    ax = plot_feasibility(
        sweep, "storage_GW", "ulanbuh_jjj_in_service", "new_energy_local_TWh", 100.0
    )
    assert not by_gid(ax, "misses")
    texts = [t.get_text() for t in ax.get_legend().get_texts()] if ax.get_legend() else []
    assert "misses target" not in texts


def test_feasibility_shares_in_percent_and_selection(sweep):
    ax = plot_feasibility(
        sweep,
        "storage_GW",
        "weather_seed",
        "renewable_weight",
        0.40,
        select={"ulanbuh_jjj_in_service": 2029},
    )
    mesh = by_gid(ax, "figure")[0]
    assert "(%)" in mesh.colorbar.ax.get_ylabel()
    values = sweep["renewable_weight"].sel(ulanbuh_jjj_in_service=2029).values * 100
    np.testing.assert_allclose(np.asarray(mesh.get_array()).ravel(), values.T.ravel())
    assert "40" in ax.get_title()


def test_feasibility_marks_failed_points(sweep):
    ax = plot_feasibility(
        sweep,
        "storage_GW",
        "weather_seed",
        "new_energy_local_TWh",
        320.0,
        select={"ulanbuh_jjj_in_service": 2032},
    )
    failed = by_gid(ax, "failed")[0]
    # positions are the cells: storage 70 GW is column 3, seed 4 is row 4
    assert (failed.get_xdata()[0], failed.get_ydata()[0]) == (3.0, 4.0)


def test_weather_histogram_and_boxes(sweep):
    ax = plot_weather(sweep, "new_energy_local_TWh", 320.0)
    target = by_gid(ax, "target")[0]
    assert target.get_xdata()[0] == 320.0
    bars = [p for p in ax.patches if p.get_gid() == "hist"]
    assert sum(p.get_height() for p in bars) == 39  # 40 points, one failed
    assert ax.get_ylabel().endswith("(count)") and "(TWh)" in ax.get_xlabel()
    n_meet = int((sweep["new_energy_local_TWh"].values >= 320.0).sum())
    assert any(f"{n_meet}/39" in t.get_text() for t in ax.get_legend().get_texts())
    assert "5 weather years, n = 39" in ax.get_title()

    ax = plot_weather(sweep, "new_energy_local_TWh", 320.0, by="storage_GW")
    boxes = [p for p in ax.patches if (p.get_gid() or "").startswith("box:")]
    assert [b.get_gid() for b in boxes] == ["box:40.0", "box:50.0", "box:60.0", "box:70.0"]
    assert by_gid(ax, "target")[0].get_ydata()[0] == 320.0
    assert ax.get_xlabel() == "New-type storage (GW)"
    # each box pools 2 corridor years x 5 weather years = 10 values; the title says so
    assert "values per box: 10" in ax.get_title()
    assert "5 weather years × Ulanbuh–JJJ in service (year)" in ax.get_title()
    assert text_overlaps(ax.figure) == []


def test_draw_sweep_kinds(sweep, cjk):
    for lang, xlabel, ylabel in (
        ("en", "New-type storage (GW)", "Renewable consumption weight (%)"),
        ("zh", "新型储能 (GW)", "可再生能源电力消纳权重 (%)"),
    ):
        fig = draw("feasibility", sweep, figure="new_energy_local_TWh", target=320.0, lang=lang)
        assert fig.axes[0].get_xlabel() == xlabel
        assert text_overlaps(fig) == []
        fig = draw("weather", sweep, figure="renewable_weight", target=0.4, lang=lang)
        assert fig.axes[0].get_ylabel() == ylabel
        assert text_overlaps(fig) == []
    title = (
        draw("feasibility", sweep, figure="new_energy_local_TWh", target=320.0, lang="zh")
        .axes[0]
        .get_title()
    )
    assert "可行域" in title and not any(w in title for w in ("mean", "over", "Target", "weather"))


def test_sweep_errors(sweep):
    with pytest.raises(EnergysimError, match="not in the sweep"):
        plot_feasibility(sweep, "storage_GW", "weather_seed", "nope", 1.0)
    with pytest.raises(EnergysimError, match="not a dimension"):
        plot_feasibility(sweep, "storage_GW", "bus", "new_energy_local_TWh", 1.0)
    with pytest.raises(EnergysimError, match="no weather-year axis"):
        plot_weather(sweep.isel(weather_seed=0, drop=True), "new_energy_local_TWh", 1.0)
