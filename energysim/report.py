"""``energysim report``: a self-contained HTML (or Markdown, or PDF) report of one scenario-year.

The report holds the scenario summary, the check's verdicts and margins
(:func:`energysim.feasibility.target_rows`), the key annual figures, the key charts and the
assumptions with their sources (the ``source`` field of every bus, generator, storage unit,
flexible load, line and corridor, of demand and of demand response).

:func:`build_report` gathers everything into a :class:`Report` (all numbers come from the results
Dataset and the check; nothing is recomputed here); :func:`render_html`, :func:`render_markdown`
and :func:`render_pdf` only lay it out, through plain :class:`string.Template` templates.

* HTML: one file, figures embedded as base64 PNG, no external assets (styles inline).
* Markdown: the ``.md`` file plus the figures as PNG in ``<name>_files/`` beside it.
* PDF: matplotlib's PdfPages (text pages with the tables, one page per chart).
"""

from __future__ import annotations

import base64
import html
import logging
import math
import textwrap
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from typing import TYPE_CHECKING

import xarray as xr

from energysim.exceptions import EnergysimError
from energysim.plot.charts import draw
from energysim.plot.export import figure_bytes
from energysim.plot.style import chart_style, resolve_lang
from energysim.results.schema import ANNUAL_FIGURES, VARIABLES

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from energysim.config import Scenario

logger = logging.getLogger(__name__)

__all__ = [
    "REPORT_CHARTS",
    "Report",
    "build_report",
    "render_html",
    "render_markdown",
    "render_pdf",
    "write_report",
]

REPORT_CHARTS = ("map", "monthly", "dispatch", "duration", "heatmap", "corridors", "soc")
"""Charts in a report, in order."""
SUFFIXES = (".html", ".md", ".pdf")
SCENARIO_SUFFIXES = (".yaml", ".yml")
RESULT_SUFFIXES = (".nc", ".zarr")

TEXT: dict[str, tuple[str, str]] = {
    "title": ("energysim report", "energysim 报告"),
    "summary": ("Scenario", "情景"),
    "verdicts": ("Targets: verdicts and margins", "目标: 结论与裕度"),
    "figures": ("Annual figures", "年度指标"),
    "charts": ("Charts", "图表"),
    "assumptions": ("Assumptions and sources", "假设与数据来源"),
    "notes": ("Notes", "说明"),
    "provenance": ("Provenance", "来源信息"),
    "target": ("Target", "目标"),
    "value": ("Value", "结果"),
    "goal": ("Required", "要求"),
    "margin": ("Margin", "裕度"),
    "margin_pct": ("Margin (%)", "裕度 (%)"),
    "verdict": ("Verdict", "结论"),
    "level": ("Level", "层级"),
    "figure": ("Figure", "指标"),
    "unit": ("Unit", "单位"),
    "description": ("Description", "说明"),
    "section": ("Section", "类别"),
    "name": ("Name", "名称"),
    "what": ("Figure", "参数"),
    "source": ("Source", "来源"),
    "no_verdicts": (
        "No scenario file matches these results, so the targets cannot be checked.",
        "未找到与结果对应的情景文件, 无法检验目标。",
    ),
}
CHART_CAPTIONS: dict[str, tuple[str, str]] = {
    "map": (
        "Buses, backbone and export corridors with annual energy.",
        "节点、主网架与外送通道年电量。",
    ),
    "monthly": ("Monthly energy balance.", "月度电量平衡。"),
    "dispatch": (
        "Hourly dispatch in the week around the highest curtailment.",
        "弃电最多时段前后一周的逐时调度。",
    ),
    "duration": (
        "Duration curves of demand, net load and curtailment.",
        "负荷、净负荷与弃电持续曲线。",
    ),
    "heatmap": ("New-energy curtailment by day and hour.", "新能源弃电的日-时分布。"),
    "corridors": (
        "Energy sent per corridor and its new-energy share.",
        "各外送通道电量及新能源占比。",
    ),
    "soc": ("Storage state of charge over the year.", "全年储能荷电状态。"),
}


def _t(key: str, lang: str) -> str:
    en, zh = TEXT[key]
    return zh if lang == "zh" else en


@dataclass
class Report:
    """Everything a report shows, already computed and formatted as text.

    Attributes
    ----------
    title : str
        Report title.
    lang : {"en", "zh"}
        Language of headings and charts.
    summary : str
        One-paragraph scenario summary.
    provenance : list of (str, str)
        Key/value pairs from the results' attributes.
    verdicts : list of list of str
        Rows of the verdict table (label, value, required, margin, margin %, verdict, level);
        empty when no scenario was found.
    verdict_classes : list of str
        ``"pass"``, ``"optimal"`` or ``"fail"`` per verdict row.
    figures : list of list of str
        Rows (figure, value, unit, description) of the annual figures.
    assumptions : list of list of str
        Rows (section, name, figure, source).
    charts : dict of str to Figure
        Chart kind -> figure.
    notes : list of str
        Remarks (fallbacks taken, missing inputs).
    """

    title: str
    lang: str
    summary: str
    provenance: list[tuple[str, str]]
    verdicts: list[list[str]]
    verdict_classes: list[str]
    figures: list[list[str]]
    assumptions: list[list[str]]
    charts: dict[str, Figure] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def format_value(value: float, unit: str) -> str:
    """A value with its unit for tables: shares in per cent, MWh and hours without decimals."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if unit == "1":
        return f"{value:.1%}"
    if unit in ("MWh", "h", "MW"):
        return f"{value:,.0f} {unit}"
    return f"{value:,.1f} {unit}"


# -- gathering ----------------------------------------------------------------------------------


def _scenario_for(ds: xr.Dataset) -> Scenario | None:
    """The scenario of results: their ``config`` attr, else the shipped scenario of that name."""
    from energysim.config import load_scenario, load_scenario_dict
    from energysim.config.shipped import shipped_scenarios

    config = ds.attrs.get("config")
    if isinstance(config, str) and config.strip():
        import yaml

        return load_scenario_dict(yaml.safe_load(config), file="<results config>")
    name = ds.attrs.get("scenario")
    for path in shipped_scenarios():
        try:
            scenario = load_scenario(path)
        except EnergysimError:  # pragma: no cover - a broken shipped file is reported by validate
            continue
        if scenario.name == name:
            logger.info("results %s: scenario from %s", name, path)
            return scenario
    return None


def _assumptions(scenario: Scenario) -> list[list[str]]:
    rows: list[list[str]] = []
    for name, b in scenario.buses.items():
        rows.append(["buses", name, f"{b.grid}, demand share {b.demand_share:.1%}", b.source])
    for name, g in scenario.generators.items():
        rows.append(["generators", name, f"{g.carrier}, {g.p_nom:,.0f} MW at {g.bus}", g.source])
    for name, s in scenario.storage.items():
        rows.append(
            [
                "storage",
                name,
                f"{s.kind}, {s.p_nom:,.0f} MW x {s.max_hours:g} h at {s.bus}",
                s.source,
            ]
        )
    for name, f in scenario.flexible_loads.items():
        rows.append(["flexible_loads", name, f"{f.kind}, {f.p_nom:,.0f} MW at {f.bus}", f.source])
    for name, line in scenario.lines.items():
        rows.append(["lines", name, f"{line.bus0}-{line.bus1}, {line.p_nom:,.0f} MW", line.source])
    for name, c in scenario.corridors.items():
        rows.append(
            [
                "corridors",
                name,
                f"{c.bus} -> {c.receiving_grid}, {c.p_nom:,.0f} MW, in service {c.in_service_year}",
                c.source,
            ]
        )
    rows.append(
        ["demand", "demand", f"{scenario.demand.annual_TWh:,.0f} TWh", scenario.demand.source]
    )
    dr = scenario.demand_response
    rows.append(
        ["demand_response", "demand_response", f"{dr.share_of_peak:.1%} of peak", dr.source]
    )
    return [[sec, name, what, src or "-"] for sec, name, what, src in rows]


def build_report(
    source: str | Path,
    lang: str = "en",
    charts: tuple[str, ...] = REPORT_CHARTS,
) -> Report:
    """Gather a report from a scenario file (simulated with the kernel) or a results file.

    Parameters
    ----------
    source : path-like
        Scenario ``.yaml`` or results ``.nc``/``.zarr``.
    lang : {"en", "zh"}, default "en"
        Language (English with a warning when no CJK font is installed).
    charts : tuple of str, default :data:`REPORT_CHARTS`
        Chart kinds to include.

    Returns
    -------
    Report
    """
    from energysim.summary import scenario_summary
    from energysim.targets import FAIL, PASS, target_rows

    lang = resolve_lang(lang)
    source = Path(source)
    notes: list[str] = []
    if source.suffix in SCENARIO_SUFFIXES:
        from energysim.config import load_scenario
        from energysim.run import simulate

        scenario: Scenario | None = load_scenario(source)
        ds = simulate(scenario)
    elif source.suffix in RESULT_SUFFIXES:
        from energysim.plot.sources import load_any

        ds = load_any(source)
        if "snapshot" not in ds.dims:
            msg = (
                f"{str(source)!r} is not a results Dataset (no snapshot dim); a sweep has no report"
            )
            raise EnergysimError(msg)
        scenario = _scenario_for(ds)
        if scenario is None:
            notes.append(_t("no_verdicts", lang))
    else:
        msg = (
            f"report source {str(source)!r} must be a scenario {list(SCENARIO_SUFFIXES)} or a "
            f"results file {list(RESULT_SUFFIXES)}"
        )
        raise EnergysimError(msg)

    verdicts: list[list[str]] = []
    classes: list[str] = []
    if scenario is not None:
        for r in target_rows(scenario, ds):
            verdicts.append(
                [
                    r["label"],
                    format_value(r["value"], r["unit"]),
                    f"{r['sense']} {format_value(r['target_value'], r['unit'])}",
                    format_value(r["margin"], r["unit"]),
                    "-" if math.isnan(r["margin_pct"]) else f"{r['margin_pct']:+.1f}",
                    r["verdict"],
                    r["level"],
                ]
            )
            classes.append(
                "pass" if r["verdict"] == PASS else "fail" if r["verdict"] == FAIL else "optimal"
            )
    figures = [
        [
            name,
            format_value(float(ds[name]), VARIABLES[name].units),
            VARIABLES[name].units,
            VARIABLES[name].long_name,
        ]
        for name in (
            *ANNUAL_FIGURES,
            "demand_TWh",
            "peak_load_MW",
            "storage_losses_TWh",
            "line_losses_TWh",
            "thermal_TWh",
        )
        if name in ds
    ]
    provenance = [(k, str(v)) for k, v in ds.attrs.items() if k != "config"]
    summary = (
        scenario_summary(scenario)
        if scenario is not None
        else str(ds.attrs.get("scenario", source.stem))
    )
    if scenario is not None and scenario.description:
        summary = f"{summary}\n\n{scenario.description}"
    drawn = {kind: draw(kind, ds, lang=lang) for kind in charts}
    name = scenario.name if scenario is not None else ds.attrs.get("scenario", source.stem)
    return Report(
        title=f"{_t('title', lang)}: {name}",
        lang=lang,
        summary=summary,
        provenance=provenance,
        verdicts=verdicts,
        verdict_classes=classes,
        figures=figures,
        assumptions=_assumptions(scenario) if scenario is not None else [],
        charts=drawn,
        notes=notes,
    )


# -- rendering ----------------------------------------------------------------------------------

HTML_TEMPLATE = Template("""<!DOCTYPE html>
<html lang="$lang">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title</title>
<style>
body { font-family: "Noto Sans CJK SC", "WenQuanYi Micro Hei", "Helvetica Neue", Arial, sans-serif;
       max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.4; }
h1 { font-size: 1.6em; border-bottom: 2px solid #1D3557; padding-bottom: .2em; }
h2 { font-size: 1.25em; margin-top: 1.6em; color: #1D3557; }
table { border-collapse: collapse; margin: .6em 0; font-size: .9em; }
th, td { border-bottom: 1px solid #ddd; padding: .25em .6em; text-align: left;
         vertical-align: top; }
th { background: #f2f4f7; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.pass td.verdict { color: #1b7a1b; font-weight: bold; }
tr.optimal td.verdict { color: #a66f00; font-weight: bold; }
tr.fail td.verdict { color: #c0392b; font-weight: bold; }
figure { margin: 1.2em 0; }
figure img { max-width: 100%; height: auto; }
figcaption { font-size: .9em; color: #555; }
.summary { white-space: pre-wrap; background: #f7f7f7; padding: .6em .8em; border-radius: 4px; }
details summary { cursor: pointer; margin: .3em 0; }
</style>
</head>
<body>
<h1>$title</h1>
<h2>$h_summary</h2>
<p class="summary">$summary</p>
$notes
<h2>$h_verdicts</h2>
$verdicts
<h2>$h_figures</h2>
$figures
<h2>$h_charts</h2>
$charts
<h2>$h_assumptions</h2>
$assumptions
<h2>$h_provenance</h2>
$provenance
</body>
</html>
""")

MARKDOWN_TEMPLATE = Template("""# $title

## $h_summary

$summary

$notes
## $h_verdicts

$verdicts

## $h_figures

$figures

## $h_charts

$charts

## $h_assumptions

$assumptions

## $h_provenance

$provenance
""")


def _html_table(
    headers: list[str],
    rows: list[list[str]],
    numeric: set[int] | None = None,
    row_classes: list[str] | None = None,
    cell_class: dict[int, str] | None = None,
    table_id: str = "",
) -> str:
    numeric = numeric or set()
    cell_class = cell_class or {}
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = []
    for i, row in enumerate(rows):
        cls = f' class="{row_classes[i]}"' if row_classes else ""
        cells = []
        for j, cell in enumerate(row):
            names = " ".join(
                n for n in (("num" if j in numeric else ""), cell_class.get(j, "")) if n
            )
            attr = f' class="{names}"' if names else ""
            cells.append(f"<td{attr}>{html.escape(cell)}</td>")
        body.append(f"<tr{cls}>{''.join(cells)}</tr>")
    ident = f' id="{table_id}"' if table_id else ""
    return f"<table{ident}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _headings(lang: str) -> dict[str, str]:
    return {
        f"h_{k}": _t(k, lang)
        for k in ("summary", "verdicts", "figures", "charts", "assumptions", "provenance")
    }


def _verdict_headers(lang: str) -> list[str]:
    return [
        _t(k, lang) for k in ("target", "value", "goal", "margin", "margin_pct", "verdict", "level")
    ]


def render_html(report: Report, dpi: int = 100) -> str:
    """The report as one self-contained HTML page (figures as base64 PNG, inline styles)."""
    lang = report.lang
    charts = []
    for kind, fig in report.charts.items():
        data = base64.b64encode(figure_bytes(fig, "png", dpi=dpi, lang=lang)).decode("ascii")
        caption = CHART_CAPTIONS.get(kind, (kind, kind))[1 if lang == "zh" else 0]
        charts.append(
            f'<figure id="chart-{kind}"><img alt="{html.escape(kind)}" '
            f'src="data:image/png;base64,{data}">'
            f"<figcaption>{html.escape(caption)}</figcaption></figure>"
        )
    sections: dict[str, list[list[str]]] = {}
    for row in report.assumptions:
        sections.setdefault(row[0], []).append(row[1:])
    assumptions = (
        "".join(
            f"<details{' open' if len(rows) <= 3 else ''}>"
            f"<summary>{html.escape(sec)} ({len(rows)})</summary>"
            + _html_table([_t("name", lang), _t("what", lang), _t("source", lang)], rows)
            + "</details>"
            for sec, rows in sections.items()
        )
        or "<p>-</p>"
    )
    verdicts = (
        _html_table(
            _verdict_headers(lang),
            report.verdicts,
            numeric={1, 2, 3, 4},
            row_classes=report.verdict_classes,
            cell_class={5: "verdict"},
            table_id="verdicts",
        )
        if report.verdicts
        else f"<p>{html.escape(_t('no_verdicts', lang))}</p>"
    )
    notes = "".join(f'<p class="note">{html.escape(n)}</p>' for n in report.notes)
    return HTML_TEMPLATE.substitute(
        lang="zh-CN" if lang == "zh" else "en",
        title=html.escape(report.title),
        summary=html.escape(report.summary),
        notes=notes,
        verdicts=verdicts,
        figures=_html_table(
            [_t(k, lang) for k in ("figure", "value", "unit", "description")],
            report.figures,
            numeric={1},
            table_id="figures",
        ),
        charts="\n".join(charts),
        assumptions=assumptions,
        provenance=_html_table(["key", "value"], [list(p) for p in report.provenance]),
        **_headings(lang),
    )


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _md_table(headers: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(_md_cell(h) for h in headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def render_markdown(report: Report, path: str | Path, dpi: int = 150) -> str:
    """The report as Markdown; writes the figures as PNG into ``<stem>_files/`` beside ``path``."""
    from energysim.plot.export import save_figure

    path = Path(path)
    folder = path.with_name(f"{path.stem}_files")
    lang = report.lang
    charts = []
    for kind, fig in report.charts.items():
        save_figure(fig, folder / f"{kind}.png", dpi=dpi, lang=lang)
        caption = CHART_CAPTIONS.get(kind, (kind, kind))[1 if lang == "zh" else 0]
        charts.append(f"![{caption}]({folder.name}/{kind}.png)\n\n*{caption}*\n")
    return MARKDOWN_TEMPLATE.substitute(
        title=report.title,
        summary=report.summary,
        notes="".join(f"> {n}\n\n" for n in report.notes),
        verdicts=_md_table(_verdict_headers(lang), report.verdicts)
        if report.verdicts
        else _t("no_verdicts", lang),
        figures=_md_table(
            [_t(k, lang) for k in ("figure", "value", "unit", "description")], report.figures
        ),
        charts="\n".join(charts),
        assumptions=_md_table(
            [_t(k, lang) for k in ("section", "name", "what", "source")], report.assumptions
        )
        if report.assumptions
        else "-",
        provenance=_md_table(["key", "value"], [list(p) for p in report.provenance]),
        **_headings(lang),
    )


def _text_pages(title: str, lines: list[str], lang: str) -> list[Figure]:
    """A4 pages of monospace-ish text (60 lines each)."""
    from matplotlib.figure import Figure

    from energysim.plot.style import find_cjk_font

    # sources quote Chinese documents: a CJK font after the monospace one, when there is one
    cjk = find_cjk_font()
    family = ["DejaVu Sans Mono", cjk] if cjk else ["DejaVu Sans Mono"]
    pages = []
    per_page = 60
    for start in range(0, max(len(lines), 1), per_page):
        with chart_style(lang):
            fig = Figure(figsize=(8.27, 11.69))
            fig.text(0.06, 0.96, title, fontsize=13, weight="bold", va="top")
            fig.text(
                0.06,
                0.93,
                "\n".join(lines[start : start + per_page]),
                fontsize=7,
                va="top",
                family=family,
            )
        pages.append(fig)
    return pages


def render_pdf(report: Report, path: Path) -> None:
    """Write the report as PDF with matplotlib (text pages for the tables, a page per chart)."""
    from matplotlib.backends.backend_pdf import PdfPages

    lang = report.lang
    wrap = 110
    lines = textwrap.wrap(report.summary, wrap) + [""]
    lines += [n for note in report.notes for n in textwrap.wrap(note, wrap)]
    lines += ["", _t("verdicts", lang), ""]
    lines += [
        f"{r[0][:40]:40s} {r[1]:>14s} {r[2]:>16s} {r[3]:>14s}  {r[5]} ({r[6]})"
        for r in report.verdicts
    ]
    lines += ["", _t("figures", lang), ""]
    lines += [f"{r[0]:28s} {r[1]:>16s}  {r[3]}" for r in report.figures]
    # one entry per distinct source (shipped scenarios cite one document for many entries)
    by_source: dict[str, list[str]] = {}
    for r in report.assumptions:
        by_source.setdefault(r[3], []).append(f"{r[0]}/{r[1]}")
    source_lines = [
        line
        for src, names in by_source.items()
        for line in [
            *textwrap.wrap(", ".join(names), wrap),
            *textwrap.wrap(src, wrap, initial_indent="    ", subsequent_indent="    "),
            "",
        ]
    ]
    with (
        warnings.catch_warnings(),
        PdfPages(path, metadata={"Title": report.title, "Creator": "energysim"}) as pdf,
    ):
        # without a CJK font, Chinese in the sources shows as boxes; one warning per glyph is noise
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        for fig in _text_pages(report.title, lines, lang):
            pdf.savefig(fig)
        for fig in report.charts.values():
            with chart_style(lang):
                pdf.savefig(fig)
        for fig in _text_pages(_t("assumptions", lang), source_lines, lang):
            pdf.savefig(fig)


def write_report(report: Report, output: str | Path) -> Path:
    """Write ``report`` as HTML, Markdown or PDF (by suffix), atomically."""
    from energysim.results.io import atomic_write

    output = Path(output)
    suffix = output.suffix.lower()
    if suffix == ".html":
        text = render_html(report)
        return atomic_write(output, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    if suffix == ".md":
        text = render_markdown(report, output)
        return atomic_write(output, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    if suffix == ".pdf":
        return atomic_write(output, lambda tmp: render_pdf(report, tmp))
    msg = f"cannot write a report to {str(output)!r}: the suffix must be one of {list(SUFFIXES)}"
    raise EnergysimError(msg)
