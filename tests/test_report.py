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
from energysim.report import build_report, render_html, write_report
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
    return build_report(plan_nc, charts=QUICK_CHARTS)


@pytest.fixture(scope="module")
def plan_html(plan_report, tmp_path_factory) -> Path:
    return write_report(plan_report, tmp_path_factory.mktemp("html") / "report.html")


def test_html_is_self_contained_with_verdicts(plan_html):
    text = plan_html.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    # no external assets: no links, scripts, remote URLs or file references
    assert not re.search(r"<(link|script)\b", text)
    assert not re.search(r"""(src|href)=["'](?!data:)""", text)
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', text)
    assert len(images) == len(QUICK_CHARTS)
    assert all(base64.b64decode(img)[:8] == b"\x89PNG\r\n\x1a\n" for img in images)
    table = re.search(r'<table id="verdicts">.*?</table>', text, re.S).group(0)
    for needle in (
        "new energy consumed locally",
        "renewable consumption weight",
        "Margin",
        "Verdict",
    ):
        assert needle in table
    assert re.search(r'<tr class="(pass|fail)">', table)
    assert "plan-2030 (2030): 12 buses" in text  # scenario summary


def test_html_lists_assumptions_with_sources(plan_html):
    text = plan_html.read_text(encoding="utf-8")
    scenario = load_scenario(PLAN)
    gen = next(g for g in scenario.generators.values() if g.source)
    import html

    assert html.escape(gen.source) in text
    assert html.escape(scenario.demand.source) in text


def test_verdicts_match_the_check(plan_report, plan_nc):
    import xarray as xr

    from energysim.feasibility import target_rows

    rows = target_rows(load_scenario(PLAN), xr.load_dataset(plan_nc))
    assert [r[0] for r in plan_report.verdicts] == [r["label"] for r in rows]
    assert [r[5] for r in plan_report.verdicts] == [r["verdict"] for r in rows]


def test_markdown_with_figures_beside(plan_report, tmp_path):
    out = write_report(plan_report, tmp_path / "r.md")
    text = out.read_text(encoding="utf-8")
    assert "| Target | Value | Required |" in text
    for kind in QUICK_CHARTS:
        assert f"(r_files/{kind}.png)" in text
        assert (tmp_path / "r_files" / f"{kind}.png").read_bytes()[:4] == b"\x89PNG"


def test_pdf(plan_report, tmp_path):
    # a few assumptions only: laying out hundreds of source lines takes matplotlib ~10 s
    report = dataclasses.replace(plan_report, assumptions=plan_report.assumptions[:5])
    data = write_report(report, tmp_path / "r.pdf").read_bytes()
    assert data[:5] == b"%PDF-"
    assert len(re.findall(rb"/Type\s*/Page\b", data)) >= 1 + len(QUICK_CHARTS)


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
    assert '<table id="verdicts">' in text and "b-shandong: new-energy share" in text
    assert "test: wind a" in text
    assert text.count("data:image/png;base64,") == 7
    assert "targets" in capsys.readouterr().out


def test_report_chinese(plan_nc, cjk_font):
    text = render_html(build_report(plan_nc, lang="zh", charts=("monthly",)))
    assert '<html lang="zh-CN">' in text and "目标: 结论与裕度" in text


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
        build_report(bad)


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
    png = shot.screenshot(plan_html, tmp_path / "report.png", size=(1200, 1600))
    measures = shot.check_png(png, size=(1200, 1600))
    assert measures["ink"] > 0.02
    blank = tmp_path / "blank.html"
    blank.write_text("<!DOCTYPE html><html><body></body></html>")
    with pytest.raises(ValueError, match="blank"):
        shot.check_png(shot.screenshot(blank, tmp_path / "blank.png", size=(400, 300)), (400, 300))
