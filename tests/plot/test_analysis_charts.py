"""Charts of analysis tables: the capacity balance at the evening peaks and the waterfall."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest

from energysim.exceptions import EnergysimError
from energysim.plot import capacity_balance_chart, text_overlaps, waterfall_chart

matplotlib.use("Agg")


def balance_table() -> pd.DataFrame:
    """A hand-made table shaped like energysim.adequacy.capacity_balance's (MW)."""
    rows = [
        ["requirement", "peak load (inflexible demand)", 100_000, 110_000, ""],
        ["requirement", "export schedules", 60_000, 55_000, ""],
        ["requirement", "upward reserve", 5_000, 5_500, ""],
        ["requirement", "total requirement", 165_000, 170_500, ""],
        ["supply", "coal", 120_000, 110_000, ""],
        ["supply", "wind, solar and CSP (P5)", 20_000, 15_000, ""],
        ["supply", "storage", 40_000, 40_000, ""],
        ["supply", "demand response", 0.0, 0.0, ""],
        ["supply", "total supply", 180_000, 165_000, ""],
        ["margin", "margin (supply - requirement)", 15_000, -5_500, ""],
    ]
    table = pd.DataFrame(rows, columns=["side", "item", "summer_MW", "winter_MW", "note"])
    table.attrs["scenario"] = "hand"
    return table


def test_capacity_balance_chart():
    ax = capacity_balance_chart(balance_table())
    coal = [p for p in ax.patches if p.get_gid() == "supply:coal"]
    assert [p.get_height() for p in coal] == [120.0, 110.0]
    # totals and the margin row are not stacked; a zero item is not drawn nor in the legend
    gids = {p.get_gid() for p in ax.patches}
    assert "supply:total supply" not in gids and "supply:demand response" not in gids
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "Demand response" not in legend and "Peak load" in legend
    margins = {t.get_gid(): t for t in ax.texts if (t.get_gid() or "").startswith("margin:")}
    assert margins["margin:summer"].get_text() == "Margin +15.0 GW (+9.1 %)"
    assert margins["margin:winter"].get_text().startswith("Margin -5.5 GW")
    assert margins["margin:winter"].get_color() != "black"  # a deficit is red
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "Summer evening peak",
        "Winter evening peak",
    ]
    assert ax.get_ylabel() == "Power (GW)"
    assert text_overlaps(ax.figure) == []


def test_capacity_balance_chart_in_chinese(cjk):
    ax = capacity_balance_chart(balance_table(), lang="zh")
    assert "煤电" in [t.get_text() for t in ax.get_legend().get_texts()]
    assert text_overlaps(ax.figure) == []


def test_capacity_balance_chart_bad_table():
    with pytest.raises(EnergysimError, match="needs the columns"):
        capacity_balance_chart(pd.DataFrame({"item": ["x"]}))


def test_waterfall_chart():
    steps = pd.Series({"more storage": 12.0, "corridor delay": -30.5, "low wind": -8.0})
    ax = waterfall_chart(steps, start=("plan", 356.5), unit="TWh", title="Local new energy")
    bars = {p.get_gid(): p for p in ax.patches}

    def right(gid):
        return bars[gid].get_x() + bars[gid].get_width()

    assert right("start") == pytest.approx(356.5)
    assert bars["step:corridor delay"].get_x() == pytest.approx(356.5 + 12.0)
    assert bars["step:corridor delay"].get_width() == -30.5
    assert right("end") == pytest.approx(356.5 + 12.0 - 30.5 - 8.0)
    # the values sit far from zero: the axis covers their range, the start/end bars its left edge
    assert ax.get_xlim()[0] > 300 and bars["start"].get_x() == pytest.approx(ax.get_xlim()[0])
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["plan", "more storage", "corridor delay", "low wind", "End"]
    texts = [t.get_text() for t in ax.texts]
    assert "-30.5 TWh" in texts and "330.0 TWh" in texts
    assert np.sign(bars["step:low wind"].get_width()) == -1
    assert text_overlaps(ax.figure) == []
    frame = steps.rename_axis("item").reset_index(name="value")
    ax2 = waterfall_chart(frame, start=("plan", 356.5), unit="TWh")
    assert [p.get_width() for p in ax2.patches] == [p.get_width() for p in ax.patches]
    with pytest.raises(EnergysimError, match="columns"):
        waterfall_chart(pd.DataFrame({"a": [1]}), start=("s", 1.0), unit="TWh")


def attribution_table() -> pd.DataFrame:
    """Shaped like energysim.attribution.attribute's output (utilisation in p.u.)."""
    table = pd.DataFrame(
        {
            "changes": ["demand +5 %", "corridors late", "wind x 0.9"],
            "new_energy_utilisation": [-0.004, -0.012, 0.002],
            "new_energy_local_TWh": [5.0, 20.0, -15.0],
        },
        index=pd.Index(["demand", "corridors.in_service_date", "weather"], name="step"),
    )
    table.attrs.update(
        start={"new_energy_utilisation": 0.99, "new_energy_local_TWh": 340.0},
        end={"new_energy_utilisation": 0.976, "new_energy_local_TWh": 350.0},
        units={"new_energy_utilisation": "1", "new_energy_local_TWh": "TWh"},
        start_name="plan-2030-optimistic",
        end_name="plan-2030",
    )
    return table


def test_waterfall_of_an_attribution_table(cjk):
    table = attribution_table()
    ax = waterfall_chart(table, figure="new_energy_utilisation")
    bars = {p.get_gid(): p for p in ax.patches}
    assert bars["step:corridors.in_service_date"].get_width() == pytest.approx(-1.2)  # pp
    end = bars["end"].get_x() + bars["end"].get_width()
    assert end == pytest.approx(97.6)  # per cent
    texts = [t.get_text() for t in ax.texts]
    assert "-1.20 pp" in texts and "97.60 %" in texts
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0] == "plan-2030-optimistic" and labels[-1] == "plan-2030"
    assert ax.get_title() == "New-energy utilisation: plan-2030-optimistic → plan-2030"
    assert text_overlaps(ax.figure) == []
    zh = waterfall_chart(table, figure="new_energy_local_TWh", lang="zh")
    assert zh.get_title().startswith("新能源区内消纳电量")
    assert text_overlaps(zh.figure) == []
    with pytest.raises(EnergysimError, match="not a column"):
        waterfall_chart(table, figure="coal_TWh")


def test_attribution_waterfall_draws_with_the_chart():
    from energysim.attribution import waterfall

    ax = waterfall(attribution_table(), figure="new_energy_local_TWh")
    assert {p.get_gid() for p in ax.patches} >= {"start", "end", "step:weather"}
