"""`energysim report`: self-contained HTML with the verdict table, Markdown, PDF, a real browser."""

from __future__ import annotations

import base64
import dataclasses
import importlib.util
import re
from pathlib import Path

import pytest

import energysim.run
from energysim.cli import main
from energysim.config import load_scenario
from energysim.exceptions import EnergysimError
from energysim.report import (
    build_comparison,
    build_report,
    format_margin,
    format_value,
    load_source,
    render_html,
    write_report,
)
from energysim.run import simulate

REPO = Path(__file__).resolve().parents[1]
PLAN = REPO / "scenarios" / "plan-2030.yaml"
QUICK_CHARTS = ("map", "monthly", "dispatch")


@pytest.fixture(scope="module")
def plan_nc(tmp_path_factory) -> Path:
    """Results of the shipped plan-2030 scenario (kernel, full year) as netCDF."""
    path = tmp_path_factory.mktemp("report") / "plan-2030.nc"
    simulate(PLAN).to_netcdf(path)
    return path


@pytest.fixture(scope="module")
def plan_report(plan_nc):
    ds, scenario = load_source(plan_nc)
    return build_report(ds, scenario, charts=QUICK_CHARTS)


@pytest.fixture(scope="module")
def plan_html(plan_report, tmp_path_factory) -> Path:
    return write_report(plan_report, tmp_path_factory.mktemp("html") / "report.html")


def test_html_is_self_contained_with_verdicts(plan_html, plan_nc):
    text = plan_html.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    # no external assets: no links, scripts, remote URLs or file references
    assert not re.search(r"<(link|script)\b", text)
    assert not re.search(r"""(src|href)=["'](?!data:)""", text)
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', text)
    assert len(images) == len(QUICK_CHARTS) + 1  # and the capacity balance at the peaks
    assert all(base64.b64decode(img)[:8] == b"\x89PNG\r\n\x1a\n" for img in images)
    table = re.search(r'<table id="verdicts">.*?</table>', text, re.S).group(0)
    for needle in (
        "New energy consumed locally",
        "Renewable consumption weight",
        "Togtoh–JJJ: energy sent",  # human names, not slugs
        "Margin",
        "Verdict",
        " pp</td>",  # share margins in percentage points
    ):
        assert needle in table
    assert "_" not in re.sub(r"<[^>]+>", "", table)  # no snake_case
    assert re.search(r'<tr class="(pass|fail)">', table)
    assert "plan-2030 (2030): 12 buses" in text  # scenario summary
    # the executive summary comes first: verdict, headline table, binding, adequacy
    summary = text.index('id="summary"')
    assert summary < text.index('id="verdicts"') < text.index("<figure")
    executive = text[summary : text.index("</section>")]
    import xarray as xr

    from energysim.plot.labels import target_name
    from energysim.targets import target_rows

    rows = target_rows(load_scenario(PLAN), xr.load_dataset(plan_nc))
    head = [r for r in rows if not r["target"].startswith("corridor:")]
    missed = [r for r in head if r["verdict"] == "fail"]
    if missed:
        assert f"{len(missed)} of {len(head)} headline targets are missed: " in executive
        for r in missed:
            assert target_name(r["target"], fallback=r["label"]) in executive
    else:
        assert f"All {len(head)} headline targets are met." in executive
    # the binding constraints open with the target furthest below its limit (relative margin)
    tight = min(
        (r for r in rows if r["level"] != "input"),
        key=lambda r: r["margin"] / (abs(r["target_value"]) or 1.0),
    )
    places = {
        c: "–".join(w.upper() if w == "jjj" else w.capitalize() for w in c.split("-"))
        for c in load_scenario(PLAN).corridors
    }
    first = re.search(r"<h3>Binding constraints</h3><ul><li>(.*?)</li>", executive).group(1)
    assert first.startswith(target_name(tight["target"], places=places, fallback=tight["label"]))
    assert "Evening-peak adequacy" in executive and "peak load" in executive
    # the capacity balance of energysim.adequacy, both seasons, with margins
    assert "Summer evening peak (2030-" in executive and "Winter evening peak (2030-" in executive
    assert "counted supply" in executive and "against a requirement of" in executive
    assert "-0.0" not in text and "−0.0" not in text


def test_html_lists_assumptions_with_sources(plan_html):
    text = plan_html.read_text(encoding="utf-8")
    scenario = load_scenario(PLAN)
    gen = next(g for g in scenario.generators.values() if g.source)
    import html

    assert html.escape(gen.source) in text
    assert html.escape(scenario.demand.source) in text
    # each source text once, with the entries that cite it
    sources = re.search(r'<table id="sources">.*?</table>', text, re.S).group(0)
    assert sources.count(html.escape(scenario.demand.source)) == 1
    shared = "GEM Global Coal Plant Tracker Jul 2023, CC BY 4.0). demand_share"
    assert 1 <= sources.count(shared) < len(scenario.buses) / 2  # buses differing in a figure
    provenance = re.search(r'<table id="provenance">.*?</table>', text, re.S).group(0)
    for key in ("Run at", "Report made", "energysim version", "Engine"):
        assert key in provenance


def test_verdicts_match_the_check(plan_report, plan_nc):
    import xarray as xr

    from energysim.feasibility import target_rows

    rows = target_rows(load_scenario(PLAN), xr.load_dataset(plan_nc))
    assert len(plan_report.verdicts) == len(rows)
    assert [r[1] for r in plan_report.verdicts] == [
        format_value(r["value"], r["unit"]) for r in rows
    ]
    assert [r[4] for r in plan_report.verdicts] == [
        "met" if r["verdict"] == "pass" else "missed" for r in rows
    ]


def test_formatting_of_values_and_margins():
    assert format_value(0.4449, "1") == "44.5 %"
    assert format_value(-0.00001, "TWh") == "0.0 TWh"
    assert format_value(1234.4, "MWh") == "1,234 MWh"
    assert format_margin(0.045, "1") == "+4.5 pp"
    assert format_margin(-0.101, "1") == "−10.1 pp"
    assert format_margin(-0.004, "TWh") == "0.0 TWh"  # never "-0.0"
    assert format_margin(36.46, "TWh") == "+36.5 TWh"
    assert format_margin(0.0, "MWh") == "0 MWh"


def test_markdown_with_figures_beside(plan_report, tmp_path):
    out = write_report(plan_report, tmp_path / "r.md")
    text = out.read_text(encoding="utf-8")
    assert "| Target | Value | Required | Margin | Verdict |" in text
    assert text.index("## Summary") < text.index("## All targets")
    for kind in QUICK_CHARTS:
        assert f"(r_files/{kind}.png)" in text
        assert (tmp_path / "r_files" / f"{kind}.png").read_bytes()[:4] == b"\x89PNG"


def test_pdf(plan_report, tmp_path):
    # a few assumptions only: laying out hundreds of source lines takes matplotlib ~10 s
    report = dataclasses.replace(plan_report, sources=plan_report.sources[:5])
    data = write_report(report, tmp_path / "r.pdf").read_bytes()
    assert data[:5] == b"%PDF-"
    assert len(re.findall(rb"/Type\s*/Page\b", data)) >= 1 + len(QUICK_CHARTS)
    # TrueType (Type 42) fonts only, never Type 3
    assert b"/Subtype /Type3" not in data and b"/Subtype/Type3" not in data
    assert b"/FontFile2" in data


def test_report_from_scenario_file(tmp_path, monkeypatch, capsys):
    # a tiny scenario file; profiles monkeypatched to two months so the run is quick
    from tests.plot.conftest import small_profiles

    monkeypatch.setattr(energysim.run, "scenario_profiles", lambda scenario: small_profiles())
    import yaml

    from tests.plot.conftest import small_scenario

    data = small_scenario().model_dump(exclude_defaults=True)
    src = tmp_path / "tiny.yaml"
    src.write_text(yaml.safe_dump(data), encoding="utf-8")
    out = tmp_path / "tiny.html"
    assert main(["report", str(src), "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert '<table id="verdicts">' in text and "B–Shandong: new-energy share" in text
    assert "test: wind a" in text
    assert text.count("data:image/png;base64,") == 7 + 1  # 7 charts and the capacity balance
    assert "targets" in capsys.readouterr().out


def test_report_chinese(plan_nc, cjk_font):
    ds, scenario = load_source(plan_nc)
    text = render_html(build_report(ds, scenario, lang="zh", charts=("monthly",)))
    assert '<html lang="zh-CN">' in text and "全部目标: 结论与裕度" in text
    table = re.search(r'<table id="verdicts">.*?</table>', text, re.S).group(0)
    # the tables are translated too: target names, verdicts, corridor names, headers
    for needle in ("新能源区内消纳电量", "达标", "托克托—京津唐: 外送电量", "裕度", "逐时调度"):
        assert needle in table
    assert "met</td>" not in table and "energy sent" not in table
    assert "摘要" in text and "约束条件" in text and "晚高峰保供" in text
    assert "12 个盟市节点 | 装机 (GW): 风电" in text


def test_comparison_report(tmp_path):
    """Two scenarios: one table of targets by scenario and the charts side by side."""
    import yaml

    from energysim.kernel import pack, run_kernel
    from energysim.results.build import to_dataset
    from tests.plot.conftest import small_profiles, small_scenario

    datasets = []
    for name, wind in (("tiny-a", 1.0), ("tiny-b", 0.5)):
        s = small_scenario().model_copy(update={"name": name})
        for g in s.generators.values():
            if g.carrier == "wind":
                g.p_nom *= wind
        inputs, index = pack(s, small_profiles())
        datasets.append(to_dataset(run_kernel(inputs), inputs, index, s, "kernel"))
    assert yaml.safe_load(datasets[1].attrs["config"])["name"] == "tiny-b"
    report = build_comparison(datasets, charts=("monthly",))
    assert report.compare[0] == ["Target", "tiny-a", "tiny-b"]
    local = next(r for r in report.compare if r[0].startswith("New energy consumed locally"))
    values = [float(c.split()[0].replace(",", "")) for c in local[1:]]
    expected = [float(ds["new_energy_local_TWh"]) for ds in datasets]
    assert values == pytest.approx(expected, abs=0.05)
    assert all(("✔" in c) != ("✘" in c) for c in local[1:])
    assert report.compare[-1][0] == "Corridor requirements met"
    assert list(report.charts) == ["monthly:tiny-a", "monthly:tiny-b"] and report.columns == 2
    a, b = (fig.axes[0].get_ylim() for fig in report.charts.values())
    assert a == b  # side by side on one scale
    text = write_report(report, tmp_path / "compare.html").read_text(encoding="utf-8")
    assert '<table id="compare">' in text and 'class="grid"' in text
    assert text.count("data:image/png;base64,") == 2
    with pytest.raises(EnergysimError, match="at least two"):
        build_comparison(datasets[:1])


@pytest.fixture
def cjk_font() -> str:
    from energysim.plot.style import find_cjk_font

    font = find_cjk_font()
    if font is None:
        pytest.skip("no CJK font installed")
    return font


def test_report_errors(tmp_path, capsys, plan_nc):
    assert main(["report", str(plan_nc), "-o", str(tmp_path / "r.docx")]) == 2
    assert "suffix must be one of" in capsys.readouterr().err
    assert main(["report", str(tmp_path / "none.yaml"), "-o", str(tmp_path / "r.html")]) == 2
    bad = tmp_path / "x.csv"
    bad.write_text("a,b\n")
    with pytest.raises(EnergysimError, match="must be a scenario"):
        load_source(bad)


def _screenshot_module():
    path = REPO / "scripts" / "screenshot_report.py"
    spec = importlib.util.spec_from_file_location("screenshot_report", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_report_in_headless_browser(plan_html, tmp_path):
    shot = _screenshot_module()
    if shot.find_chromium() is None:
        pytest.skip("no Chromium installed (apt-get install -y chromium)")
    png = shot.screenshot(plan_html, tmp_path / "report.png", size=(1200, 5200))
    measures = shot.check_png(png, size=(1200, 5200))
    assert measures["ink"] > 0.02
    # the page as rendered opens with the summary and shows the figures
    found = shot.check_report(png, shot.dump_dom(plan_html))
    assert found["figures"] == len(QUICK_CHARTS) + 1
    assert found["summary"] > 0.01 and found["charts"] > 0.002
    with pytest.raises(ValueError, match="no executive summary"):
        shot.check_report(png, "<html><body><figure><img src='x'></figure></body></html>")
    blank = tmp_path / "blank.html"
    blank.write_text("<!DOCTYPE html><html><body></body></html>")
    with pytest.raises(ValueError, match="blank"):
        shot.check_png(shot.screenshot(blank, tmp_path / "blank.png", size=(400, 300)), (400, 300))


def test_report_evening_peak_adequacy(plan_nc):
    from tests.plot.test_analysis_charts import balance_table

    ds, scenario = load_source(plan_nc)
    report = build_report(ds, scenario, charts=(), capacity=balance_table())
    assert report.adequacy[0].startswith("Summer evening peak")
    assert (
        "counted supply 180.0 GW against a requirement of 165.0 GW, margin +15.0 GW"
        in (report.adequacy[0])
    )
    assert "margin −5.5 GW" in report.adequacy[1]
    assert list(report.charts) == ["capacity_balance"]
    # the hourly adequacy figures, when the Dataset has them
    hourly = ds.assign(
        loss_of_load_hours=ds["unserved_MWh"] * 0 + 3.0,
        export_cut_hours=ds["unserved_MWh"] * 0 + 12.0,
        reserve_shortfall_hours=ds["unserved_MWh"] * 0 + 7.0,
    )
    lines = build_report(hourly, scenario, charts=(), adequacy=False).adequacy
    assert "Hourly dispatch: 3 h with unserved demand, 12 h with export cuts." in lines
    assert "Upward reserve not held in 7 h." in lines
    without = build_report(ds, scenario, charts=(), adequacy=False)
    assert (
        without.adequacy[0]
        == "The capacity balance at the peaks is not available for these results."
    )


def test_sources_differing_in_a_figure_are_written_once():
    from energysim.report import _group_sources

    cited = [
        ("buses/a", "Split by coal (1530 MW here; load is industrial)"),
        ("buses/b", "Split by coal (3520 MW here; load is industrial)"),
        ("buses/c", "A different source"),
        ("generators/x", "A different source"),
    ]
    rows = _group_sources(cited)
    assert rows == [
        (
            "Split by coal ([…] MW here; load is industrial) — […] = a: 1530; b: 3520",
            ["buses/a", "buses/b"],
        ),
        ("A different source", ["buses/c", "generators/x"]),
    ]
