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
    assert bars["start"].get_width() == 356.5
    assert bars["step:corridor delay"].get_x() == pytest.approx(356.5 + 12.0)
    assert bars["step:corridor delay"].get_width() == -30.5
    assert bars["end"].get_width() == pytest.approx(356.5 + 12.0 - 30.5 - 8.0)
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
