"""``energysim report``: an HTML (or Markdown, or PDF) report of one scenario-year, or a comparison.

A report opens with an executive summary: the verdict on each headline target with its margin,
the binding constraints (failing targets and those within 1 % of their limit) and the
evening-peak adequacy (the capacity balance of :func:`energysim.adequacy.capacity_balance` when
that module is installed, and the hourly adequacy figures the Dataset has). Then the scenario,
every target of the check, the annual figures, the charts, the assumptions (each source text
once, with the entries that cite it) and the formatted provenance.

:func:`build_report` gathers everything from a results Dataset into a :class:`Report` (all
numbers come from the Dataset and the check; nothing is re-simulated here);
:func:`build_comparison` does the same for several Datasets (targets by scenario, charts side by
side). :func:`load_source` reads a results file or simulates a scenario file, for the CLI.
:func:`render_html`, :func:`render_markdown` and :func:`render_pdf` only lay a Report out.

* HTML: one file, figures embedded as base64 PNG, no external assets (styles inline).
* Markdown: the ``.md`` file plus the figures as PNG in ``<name>_files/`` beside it.
* PDF: matplotlib's PdfPages, TrueType (Type 42) fonts: text pages for the tables (cells wrapped,
  never cut), one page per chart at its own size, which fits A4 at 100 % (:data:`A4_CHART_IN`).
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import logging
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from typing import TYPE_CHECKING

import xarray as xr

from energysim.exceptions import EnergysimError
from energysim.plot.charts import draw
from energysim.plot.export import figure_bytes
from energysim.plot.labels import SENSE, figure_name, place_names, target_name, tr
from energysim.plot.style import chart_style, resolve_lang
from energysim.results.schema import ANNUAL_FIGURES, VARIABLES
from energysim.targets import format_number

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from energysim.config import Scenario

logger = logging.getLogger(__name__)

__all__ = [
    "COMPARE_CHARTS",
    "REPORT_CHARTS",
    "Report",
    "build_comparison",
    "build_report",
    "format_margin",
    "format_value",
    "load_source",
    "render_html",
    "render_markdown",
    "render_pdf",
    "write_report",
]

REPORT_CHARTS = ("map", "monthly", "dispatch", "duration", "heatmap", "corridors", "soc")
"""Charts in a report, in order."""
COMPARE_CHARTS = ("monthly", "duration", "corridors")
"""Charts of a comparison, one per scenario side by side."""
SUFFIXES = (".html", ".md", ".pdf")
SCENARIO_SUFFIXES = (".yaml", ".yml")
RESULT_SUFFIXES = (".nc", ".zarr")
BINDING_SHARE = 0.01
"""A target is binding when its margin is below this share of the target (1 %)."""
A4_CHART_IN = (10.5, 7.8)
"""Largest chart, inches (width, height): it fits an A4 page in landscape (11.69 x 8.27 in) at
100 %, so its 9 pt text prints at 9 pt. Charts keep their size in the PDF (resizing would move
the text against the data it was placed around)."""

CHART_CAPTIONS: dict[str, tuple[str, str]] = {
    "map": (
        "Leagues coloured by annual demand, backbone lines and export corridors (width: annual "
        "energy), receiving regions with the energy sent to them.",
        "盟市按年用电量着色, 主网线路与外送通道 (线宽: 年电量), 受端地区及送达电量。",
    ),
    "monthly": (
        "Monthly energy balance: supply up, storage charging, flexible loads and exports down.",
        "月度电量平衡: 上方为供应, 下方为储能充电、灵活负荷与外送。",
    ),
    "dispatch": (
        "Hourly dispatch in the week around the highest curtailment.",
        "弃电最多时段前后一周的逐时调度。",
    ),
    "duration": (
        "Duration curves of demand, demand plus export schedule, net load and curtailment.",
        "负荷、负荷加外送计划、净负荷与弃电的持续曲线。",
    ),
    "heatmap": ("New-energy curtailment by day and hour.", "新能源弃电的日-时分布。"),
    "corridors": (
        "Energy sent per corridor, its schedule and its new-energy share.",
        "各外送通道电量、计划电量及新能源占比。",
    ),
    "soc": ("Storage state of charge over the year.", "全年储能荷电状态。"),
    "capacity_balance": (
        "Capacity balance at the summer and the winter evening peak.",
        "夏季与冬季晚高峰电力平衡。",
    ),
}


# -- the report -----------------------------------------------------------------------------------


@dataclass
class Report:
    """Everything a report shows, already computed and formatted as text.

    Attributes
    ----------
    title : str
        Report title.
    lang : {"en", "zh"}
        Language of every text, table and chart.
    verdict : str
        One sentence: are the headline targets met.
    headline : list of list of str
        Rows (target, value, required, margin, verdict) of the headline targets.
    headline_classes : list of str
        ``"pass"``/``"fail"``/``"optimal"`` per headline row.
    binding : list of str
        The binding constraints, one line each.
    adequacy : list of str
        Evening-peak adequacy, one line each.
    summary : str
        Scenario summary (capacities, corridors, demand) and description.
    verdicts : list of list of str
        Rows (target, value, required, margin, verdict, checked by) of every target.
    verdict_classes : list of str
        ``"pass"``, ``"optimal"`` or ``"fail"`` per verdict row.
    figures : list of list of str
        Rows (figure, value) of the annual figures.
    sources : list of list of str
        Rows (used by, source): each source text once with the entries that cite it.
    entries : list of list of str
        Rows (section, name, entry) of the scenario's entries.
    provenance : list of (str, str)
        Formatted run time, date, version, commit, engine, weather.
    charts : dict of str to Figure
        Chart key -> figure (a comparison's keys are ``"<kind>:<scenario>"``).
    captions : dict of str to str
        Chart key -> caption.
    columns : int
        Charts per row in HTML (a comparison puts scenarios side by side).
    notes : list of str
        Remarks (fallbacks taken, missing inputs).
    compare : list of list of str
        A comparison's table of targets by scenario (first row: headers); empty otherwise.
    """

    title: str
    lang: str
    verdict: str = ""
    headline: list[list[str]] = field(default_factory=list)
    headline_classes: list[str] = field(default_factory=list)
    binding: list[str] = field(default_factory=list)
    adequacy: list[str] = field(default_factory=list)
    summary: str = ""
    verdicts: list[list[str]] = field(default_factory=list)
    verdict_classes: list[str] = field(default_factory=list)
    figures: list[list[str]] = field(default_factory=list)
    sources: list[list[str]] = field(default_factory=list)
    entries: list[list[str]] = field(default_factory=list)
    provenance: list[tuple[str, str]] = field(default_factory=list)
    charts: dict[str, Figure] = field(default_factory=dict)
    captions: dict[str, str] = field(default_factory=dict)
    columns: int = 1
    notes: list[str] = field(default_factory=list)
    compare: list[list[str]] = field(default_factory=list)


# -- formatting -----------------------------------------------------------------------------------


def format_value(value: float | None, unit: str) -> str:
    """A value with its unit for tables: shares in per cent, MWh, MW and hours without decimals.

    >>> format_value(0.4449, "1"), format_value(-0.00001, "TWh"), format_value(1234.5, "MWh")
    ('44.5 %', '0.0 TWh', '1,234 MWh')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if unit == "1":
        return f"{format_number(100 * value, 1)} %"
    if unit == "x":  # a ratio
        return f"{format_number(value, 2)} ×"
    if unit in ("MWh", "h", "MW"):
        return f"{format_number(value, 0)} {unit}"
    return f"{format_number(value, 1)} {unit}"


def format_margin(margin: float, unit: str, lang: str = "en") -> str:
    """A signed margin: percentage points for shares, ``0`` without a sign when it rounds to zero.

    >>> format_margin(0.045, "1"), format_margin(-0.004, "TWh"), format_margin(36.46, "TWh")
    ('+4.5 pp', '0.0 TWh', '+36.5 TWh')
    """
    if margin is None or (isinstance(margin, float) and math.isnan(margin)):
        return "–"
    if unit == "1":
        value, decimals, shown = 100 * margin, 1, tr("pp", lang)
    elif unit == "x":
        value, decimals, shown = margin, 2, "×"
    elif unit in ("MWh", "h", "MW"):
        value, decimals, shown = margin, 0, unit
    else:
        value, decimals, shown = margin, 1, unit
    text = format_number(value, decimals)
    if float(text.replace(",", "")) > 0:
        text = f"+{text}"
    elif float(text.replace(",", "")) < 0:
        text = f"−{text[1:]}"
    return f"{text} {shown}"


def _verdict_class(verdict: str) -> str:
    from energysim.targets import FAIL, PASS

    return "pass" if verdict == PASS else "fail" if verdict == FAIL else "optimal"


def _verdict_text(verdict: str, lang: str) -> str:
    cls = _verdict_class(verdict)
    return tr(f"r.{cls}", lang)


def _level_text(level: str, lang: str) -> str:
    key = f"r.level.{level}"
    from energysim.plot.labels import has

    return tr(key, lang) if has(key) else level


# -- gathering ------------------------------------------------------------------------------------


def _scenario_for(ds: xr.Dataset) -> Scenario | None:
    """The scenario of results, from the ``config`` attr :func:`to_dataset` writes (None for a
    Dataset that has none, e.g. one built by hand)."""
    from energysim.config import load_scenario_dict

    config = ds.attrs.get("config")
    if isinstance(config, str) and config.strip():
        from energysim._yaml import safe_load

        return load_scenario_dict(safe_load(config), file="<results config>")
    return None


def load_source(source: str | Path) -> tuple[xr.Dataset, Scenario | None]:
    """The results Dataset and scenario of a report source.

    A scenario file (``.yaml``) is simulated with the kernel; a results file (``.nc``/``.zarr``)
    is read, and its scenario taken from its ``config`` attr (None when it has none).

    Raises
    ------
    EnergysimError
        For another suffix, or a sweep Dataset.
    """
    source = Path(source)
    if source.suffix in SCENARIO_SUFFIXES:
        from energysim.config import load_scenario
        from energysim.run import simulate

        scenario = load_scenario(source)
        return simulate(scenario), scenario
    if source.suffix in RESULT_SUFFIXES:
        from energysim.plot.sources import load_any

        ds = load_any(source)
        if "snapshot" not in ds.dims:
            msg = (
                f"{str(source)!r} is not a results Dataset (no snapshot dim); a sweep has no report"
            )
            raise EnergysimError(msg)
        return ds, _scenario_for(ds)
    msg = (
        f"report source {str(source)!r} must be a scenario {list(SCENARIO_SUFFIXES)} or a "
        f"results file {list(RESULT_SUFFIXES)}"
    )
    raise EnergysimError(msg)


def _target_rows(scenario: Scenario, ds: xr.Dataset) -> list[dict]:
    from energysim.targets import target_rows

    return target_rows(scenario, ds)


def _row_cells(r: dict, lang: str, places: dict[str, str]) -> list[str]:
    return [
        target_name(str(r["target"]), lang, places, r.get("label")),
        format_value(r["value"], r["unit"]),
        f"{SENSE.get(r['sense'], r['sense'])} {format_value(r['target_value'], r['unit'])}",
        format_margin(r["margin"], r["unit"], lang),
        _verdict_text(r["verdict"], lang),
    ]


def _binding(rows: list[dict], lang: str, places: dict[str, str]) -> list[str]:
    """Failing targets and operational targets within :data:`BINDING_SHARE` of their limit."""
    tight = []
    for r in rows:
        if r["level"] == "input":
            continue  # capacities equal to the target by construction bind nothing
        goal = abs(float(r["target_value"])) or 1.0
        share = float(r["margin"]) / goal
        if _verdict_class(r["verdict"]) == "fail" or share < BINDING_SHARE:
            tight.append((share, r))
    tight.sort(key=lambda t: t[0])
    lines = [
        f"{target_name(str(r['target']), lang, places, r.get('label'))}: "
        f"{format_value(r['value'], r['unit'])} "
        f"({SENSE.get(r['sense'], r['sense'])} {format_value(r['target_value'], r['unit'])}, "
        f"{tr('r.margin', lang).lower() if lang == 'en' else tr('r.margin', lang)} "
        f"{format_margin(r['margin'], r['unit'], lang)})"
        for _, r in tight[:8]
    ]
    if len(tight) > 8:
        lines.append(tr("r.more", lang, n=len(tight) - 8))
    return lines or [tr("r.binding_none", lang)]


def _summary_zh(scenario: Scenario) -> str:
    """The scenario summary line in Chinese (the figures of :func:`scenario_summary`)."""
    from energysim.plot.style import carrier_name
    from energysim.summary import capacity_by_carrier_GW

    gen = ", ".join(
        f"{carrier_name(c, 'zh')} {v:.1f}" for c, v in capacity_by_carrier_GW(scenario).items()
    )
    st_p = sum(x.p_nom for x in scenario.storage.values()) / 1e3
    st_e = sum(x.p_nom * x.max_hours for x in scenario.storage.values()) / 1e3
    active = [c for c in scenario.corridors.values() if c.in_service_year <= scenario.year]
    return (
        f"{scenario.name} ({scenario.year}): {len(scenario.buses)} 个盟市节点 | 装机 (GW): {gen} | "
        f"储能 {st_p:.1f} GW / {st_e:.0f} GWh | 在运外送通道 {len(active)} 条, "
        f"{sum(c.p_nom for c in active) / 1e3:.1f} GW | 用电量 {scenario.demand.annual_TWh:.0f} TWh"
    )


def capacity_table(scenario: Scenario) -> pd.DataFrame | None:
    """:func:`energysim.adequacy.capacity_balance` of ``scenario``, or None where that module
    is not installed (the report then says the capacity balance is not available)."""
    try:
        from energysim.adequacy import capacity_balance  # type: ignore[attr-defined]
    except ImportError:
        return None
    return capacity_balance(scenario)


def _adequacy(ds: xr.Dataset, table: pd.DataFrame | None, lang: str) -> list[str]:
    lines = []
    if table is not None:
        for season in ("summer", "winter"):
            col = f"{season}_MW"
            need = float(table.loc[table["item"] == "total requirement", col].iloc[0]) / 1e3
            have = float(table.loc[table["item"] == "total supply", col].iloc[0]) / 1e3
            margin = have - need
            hour = table.attrs.get(f"{season}_hour", "")
            season_text = tr(season, lang) + (
                f" ({str(hour)[:16].replace('T', ' ')})" if hour else ""
            )
            lines.append(
                tr(
                    "r.adequacy_margin",
                    lang,
                    season=season_text,
                    have=format_number(have, 1),
                    need=format_number(need, 1),
                    margin=format_margin(margin, "GW").removesuffix(" GW"),
                    pct=format_margin(margin / need if need else math.nan, "1").replace("pp", "%"),
                )
            )
    else:
        lines.append(tr("r.adequacy_missing", lang))
    if "loss_of_load_hours" in ds and "export_cut_hours" in ds:
        lines.append(
            tr(
                "r.adequacy_hours",
                lang,
                lolh=format_number(float(ds["loss_of_load_hours"]), 0),
                cut=format_number(float(ds["export_cut_hours"]), 0),
            )
        )
    if "reserve_shortfall_hours" in ds:
        lines.append(
            tr("r.adequacy_reserve", lang, h=format_number(float(ds["reserve_shortfall_hours"]), 0))
        )
    if "unserved_MWh" in ds and "peak_load_MW" in ds:
        lines.append(
            tr(
                "r.adequacy_unserved",
                lang,
                mwh=format_value(float(ds["unserved_MWh"]), "MWh"),
                peak=format_number(float(ds["peak_load_MW"]) / 1e3, 1),
            )
        )
    return lines


def _sources(scenario: Scenario, lang: str) -> tuple[list[list[str]], list[list[str]]]:
    """(used by, source) rows with each source once, and (section, name, entry) rows."""
    entries: list[tuple[str, str, str, str]] = []
    for name, b in scenario.buses.items():
        entries.append(("buses", name, f"{b.grid}, {b.demand_share:.1%}", b.source))
    for name, g in scenario.generators.items():
        entries.append(("generators", name, f"{g.carrier}, {g.p_nom:,.0f} MW, {g.bus}", g.source))
    for name, st in scenario.storage.items():
        entries.append(
            (
                "storage",
                name,
                f"{st.kind}, {st.p_nom:,.0f} MW × {st.max_hours:g} h, {st.bus}",
                st.source,
            )
        )
    for name, f in scenario.flexible_loads.items():
        entries.append(("flexible_loads", name, f"{f.kind}, {f.p_nom:,.0f} MW, {f.bus}", f.source))
    for name, line in scenario.lines.items():
        entries.append(
            ("lines", name, f"{line.bus0}–{line.bus1}, {line.p_nom:,.0f} MW", line.source)
        )
    for name, c in scenario.corridors.items():
        entries.append(
            (
                "corridors",
                name,
                f"{c.bus} → {c.receiving_grid}, {c.p_nom:,.0f} MW, {c.in_service_year}",
                c.source,
            )
        )
    entries.append(
        ("demand", "demand", f"{scenario.demand.annual_TWh:,.0f} TWh", scenario.demand.source)
    )
    dr = scenario.demand_response
    entries.append(("demand_response", "demand_response", f"{dr.share_of_peak:.1%}", dr.source))
    rows = []
    for texts, cited in _group_sources(
        [(f"{sec}/{name}", src or "–") for sec, name, _, src in entries]
    ):
        sections: dict[str, list[str]] = {}
        for key in cited:
            sec, name = key.split("/", 1)
            sections.setdefault(sec, []).append(name)
        used = "; ".join(
            f"{tr(f'r.sec.{sec}', lang)}: {', '.join(names)}" for sec, names in sections.items()
        )
        rows.append([used, texts])
    table = [[tr(f"r.sec.{sec}", lang), name, what] for sec, name, what, _ in entries]
    return rows, table


def _group_sources(cited: list[tuple[str, str]]) -> list[tuple[str, list[str]]]:
    """Each source text once: (text, entries citing it).

    Sources that differ only in their figures (``"... (1530 MW here; ..."``) are one group: the
    common start and end are written once around ``[…]``, followed by each entry's own part.
    """
    import re

    groups: dict[str, list[tuple[str, str]]] = {}
    for key, src in cited:
        groups.setdefault(re.sub(r"\d[\d.,]*", "#", src), []).append((key, src))
    out = []
    for members in groups.values():
        texts = list(dict.fromkeys(src for _, src in members))
        keys = [key for key, _ in members]
        if len(texts) == 1:
            out.append((texts[0], keys))
            continue
        head = _common(texts)
        tail = _common([t[len(head) :][::-1] for t in texts])[::-1]
        parts = "; ".join(
            f"{key.split('/', 1)[1]}: {src[len(head) : len(src) - len(tail)]}"
            for key, src in members
        )
        out.append((f"{head}[…]{tail} — […] = {parts}", keys))
    return out


def _common(texts: list[str]) -> str:
    """The longest common start of ``texts``, cut back to a word boundary."""
    import os

    prefix = os.path.commonprefix(texts)
    if all(len(t) == len(prefix) for t in texts):
        return prefix
    cut = max(prefix.rfind(" "), prefix.rfind("("))
    return prefix[: cut + 1] if cut >= 0 else ""


def _commit() -> str | None:
    """The git commit of the energysim checkout this code runs from, or None (read from .git)."""
    here = Path(__file__).resolve().parent
    for folder in (here, *here.parents):
        git = folder / ".git"
        if git.is_file():  # a worktree: "gitdir: <path>"
            text = git.read_text(encoding="utf-8").strip()
            if not text.startswith("gitdir:"):
                return None
            git = (folder / text.split(":", 1)[1].strip()).resolve()
        if not git.is_dir():
            continue
        head = (git / "HEAD").read_text(encoding="utf-8").strip()
        if not head.startswith("ref:"):
            return head[:12]
        ref = head.split(":", 1)[1].strip()
        common = git
        if (git / "commondir").is_file():
            common = (git / (git / "commondir").read_text(encoding="utf-8").strip()).resolve()
        for base in (git, common):
            if (base / ref).is_file():
                return (base / ref).read_text(encoding="utf-8").strip()[:12]
        packed = common / "packed-refs"
        if packed.is_file():
            for line in packed.read_text(encoding="utf-8").splitlines():
                if line.endswith(f" {ref}"):
                    return line.split()[0][:12]
        return None
    return None


def _provenance(ds: xr.Dataset, lang: str) -> list[tuple[str, str]]:
    a = ds.attrs
    rows = []
    if "run_seconds" in a:
        rows.append((tr("r.run_time", lang), f"{float(a['run_seconds']):,.1f} s"))
    if "created" in a:
        rows.append((tr("r.report_made", lang), str(a["created"])))
    rows.append((tr("r.report_made", lang), dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")))
    if "energysim_version" in a:
        rows.append((tr("r.version", lang), str(a["energysim_version"])))
    commit = a.get("commit") or _commit()
    if commit:
        rows.append((tr("r.commit", lang), str(commit)))
    for key, label in (
        ("engine", "r.engine"),
        ("year", "r.year"),
        ("weather", "r.weather"),
        ("seed", "r.seed"),
        ("time_zone", "r.time_zone"),
    ):
        if key in a:
            rows.append((tr(label, lang), str(a[key])))
    if a.get("corridors_out_of_service"):
        rows.append(
            (tr("r.out_of_service", lang), str(a["corridors_out_of_service"]).replace(",", ", "))
        )
    return rows


def _figures(ds: xr.Dataset, lang: str) -> list[list[str]]:
    names = (
        *ANNUAL_FIGURES,
        "demand_TWh",
        "peak_load_MW",
        "storage_losses_TWh",
        "line_losses_TWh",
        "thermal_TWh",
        "export_shortfall_TWh",
        "loss_of_load_hours",
        "export_cut_hours",
        "reserve_shortfall_hours",
    )
    rows = []
    for name in dict.fromkeys(names):
        if name not in ds or ds[name].ndim:
            continue
        spec = VARIABLES.get(name)
        units = spec.units if spec else str(ds[name].attrs.get("units", ""))
        value = float(ds[name])
        if units == "MW":
            value, units = value / 1e3, "GW"
        rows.append(
            [figure_name(name, lang, spec.long_name if spec else None), format_value(value, units)]
        )
    return rows


def build_report(
    ds: xr.Dataset,
    scenario: Scenario | None = None,
    *,
    lang: str = "en",
    charts: tuple[str, ...] = REPORT_CHARTS,
    capacity: pd.DataFrame | None = None,
    adequacy: bool = True,
) -> Report:
    """Gather the report of one results Dataset.

    Parameters
    ----------
    ds : xarray.Dataset
        Results Dataset (:func:`energysim.simulate`, ``energysim run``).
    scenario : Scenario, optional
        Its scenario (targets, sources); default from the Dataset's ``config`` attr. Without one,
        the report says the targets cannot be checked.
    lang : {"en", "zh"}, default "en"
        Language of texts, tables and charts (English with a warning when no CJK font exists).
    charts : tuple of str, default :data:`REPORT_CHARTS`
        Chart kinds to include.
    capacity : pandas.DataFrame, optional
        The capacity balance at the peaks (:func:`energysim.adequacy.capacity_balance`); default
        computed from the scenario when ``adequacy`` and that module is installed.
    adequacy : bool, default True
        Compute the capacity balance when ``capacity`` is not given.

    Returns
    -------
    Report
    """
    from energysim.summary import scenario_summary

    if "snapshot" not in ds.dims:
        msg = "a report needs a results Dataset (with a snapshot dim); a sweep has no report"
        raise EnergysimError(msg)
    lang = resolve_lang(lang)
    if scenario is None:
        scenario = _scenario_for(ds)
    places = place_names(ds.attrs, lang)
    name = scenario.name if scenario is not None else str(ds.attrs.get("scenario", "results"))
    report = Report(title=f"{tr('r.title', lang)}: {name}", lang=lang)
    if scenario is None:
        report.notes.append(tr("r.no_verdicts", lang))
    else:
        rows = _target_rows(scenario, ds)
        head = [r for r in rows if not str(r["target"]).startswith("corridor:")]
        corr = [r for r in rows if str(r["target"]).startswith("corridor:")]
        report.headline = [_row_cells(r, lang, places) for r in head]
        report.headline_classes = [_verdict_class(r["verdict"]) for r in head]
        missed = [
            target_name(str(r["target"]), lang, places, r.get("label"))
            for r in head
            if _verdict_class(r["verdict"]) == "fail"
        ]
        report.verdict = (
            tr("r.some_missed", lang, k=len(missed), n=len(head), names=", ".join(missed))
            if missed
            else tr("r.all_met", lang, n=len(head))
        )
        if corr:
            met = sum(_verdict_class(r["verdict"]) != "fail" for r in corr)
            report.verdict += ("" if lang == "zh" else " ") + tr(
                "r.corridors_met", lang, k=met, n=len(corr)
            )
        report.binding = _binding(rows, lang, places)
        report.verdicts = [
            [*_row_cells(r, lang, places), _level_text(str(r["level"]), lang)] for r in rows
        ]
        report.verdict_classes = [_verdict_class(r["verdict"]) for r in rows]
        report.summary = scenario_summary(scenario) if lang != "zh" else _summary_zh(scenario)
        if scenario.description:
            report.summary += f"\n\n{scenario.description}"
        report.sources, report.entries = _sources(scenario, lang)
        if capacity is None and adequacy:
            capacity = capacity_table(scenario)
    if "new_energy_curtailed_TWh" in ds and "new_energy_available_TWh" in ds:
        avail = float(ds["new_energy_available_TWh"])
        curt = float(ds["new_energy_curtailed_TWh"])
        report.binding.append(
            tr(
                "r.curtailment",
                lang,
                twh=format_value(curt, "TWh"),
                pct=format_value(curt / avail if avail else math.nan, "1"),
            )
        )
    if "export_shortfall_TWh" in ds and float(ds["export_shortfall_TWh"]) > 5e-4:
        report.binding.append(
            tr("r.export_short", lang, twh=format_value(float(ds["export_shortfall_TWh"]), "TWh"))
        )
    report.adequacy = _adequacy(ds, capacity, lang)
    report.figures = _figures(ds, lang)
    report.provenance = _provenance(ds, lang)
    report.charts = {kind: draw(kind, ds, lang=lang) for kind in charts}
    if capacity is not None:
        report.charts = {"capacity_balance": _capacity_figure(capacity, lang), **report.charts}
    report.captions = {
        k: CHART_CAPTIONS.get(k, (k, k))[1 if lang == "zh" else 0] for k in report.charts
    }
    return report


def _capacity_figure(table: pd.DataFrame, lang: str) -> Figure:
    from matplotlib.figure import Figure

    from energysim.plot.analysis import capacity_balance_chart

    with chart_style(lang):
        fig = Figure(figsize=(9.0, 5.0), layout="constrained")
        capacity_balance_chart(table, ax=fig.add_subplot(), lang=lang)
    return fig


HEADLINE_MARKS = {"pass": "✔", "optimal": "✔", "fail": "✘"}


def build_comparison(
    datasets: Sequence[xr.Dataset],
    *,
    lang: str = "en",
    charts: tuple[str, ...] = COMPARE_CHARTS,
) -> Report:
    """A report comparing scenarios: one table of targets by scenario, the charts side by side.

    Parameters
    ----------
    datasets : sequence of xarray.Dataset
        Results Datasets, one per scenario (their scenarios from the ``config`` attrs).
    lang : {"en", "zh"}, default "en"
        Language.
    charts : tuple of str, default :data:`COMPARE_CHARTS`
        Chart kinds, each drawn once per scenario.

    Returns
    -------
    Report
        ``compare`` holds the table (first row the headers: target, then one column per
        scenario, cells ``"value ✔\n(margin)"``); ``charts`` has keys ``"<kind>:<scenario>"`` and
        ``columns`` the number of scenarios per row.
    """
    if len(datasets) < 2:
        msg = f"a comparison needs at least two results, got {len(datasets)}"
        raise EnergysimError(msg)
    lang = resolve_lang(lang)
    names: list[str] = []
    rows_by: list[dict[str, dict]] = []
    report = Report(title=tr("r.compare_title", lang), lang=lang)
    for ds in datasets:
        scenario = _scenario_for(ds)
        name = scenario.name if scenario is not None else str(ds.attrs.get("scenario", "?"))
        names.append(name)
        rows = _target_rows(scenario, ds) if scenario is not None else []
        if scenario is None:
            report.notes.append(f"{name}: {tr('r.no_verdicts', lang)}")
        rows_by.append({str(r["target"]): r for r in rows})
    order = list(
        dict.fromkeys(t for rows in rows_by for t in rows if not t.startswith("corridor:"))
    )
    table = [[tr("r.target", lang), *names]]
    for target in order:
        ref = next(rows[target] for rows in rows_by if target in rows)
        label = (
            f"{target_name(target, lang, None, ref.get('label'))} ({SENSE.get(ref['sense'], ref['sense'])} "
            f"{format_value(ref['target_value'], ref['unit'])})"
        )
        cells = []
        for rows in rows_by:
            r = rows.get(target)
            if r is None:
                cells.append("–")
                continue
            mark = HEADLINE_MARKS[_verdict_class(r["verdict"])]
            cells.append(
                f"{format_value(r['value'], r['unit'])} {mark}\n({format_margin(r['margin'], r['unit'], lang)})"
            )
        table.append([label, *cells])
    corridor_cells = []
    for rows in rows_by:
        corr = [r for t, r in rows.items() if t.startswith("corridor:")]
        met = sum(_verdict_class(r["verdict"]) != "fail" for r in corr)
        corridor_cells.append(f"{met}/{len(corr)}")
    table.append([tr("r.corridor_reqs", lang), *corridor_cells])
    report.compare = table
    report.notes.append(tr("r.compare_note", lang))
    report.columns = min(3, len(datasets))
    for kind in charts:
        drawn = []
        for name, ds in zip(names, datasets, strict=True):
            key = f"{kind}:{name}"
            report.charts[key] = draw(kind, ds, lang=lang)
            report.captions[key] = (
                f"{name}: {CHART_CAPTIONS.get(kind, (kind, kind))[1 if lang == 'zh' else 0]}"
            )
            drawn.append(report.charts[key].axes[0])
        _same_scale(drawn, "x" if kind == "corridors" else "y")
    report.provenance = _provenance(datasets[0], lang)
    return report


def _same_scale(axes: list, axis: str) -> None:
    """Give side-by-side charts one value scale (the union of their limits)."""
    get = "get_xlim" if axis == "x" else "get_ylim"
    limits = [getattr(ax, get)() for ax in axes]
    lo, hi = min(v[0] for v in limits), max(v[1] for v in limits)
    for ax in axes:
        (ax.set_xlim if axis == "x" else ax.set_ylim)(lo, hi)


# -- rendering ------------------------------------------------------------------------------------

STYLE = """
body { font-family: "Noto Sans CJK SC", "WenQuanYi Micro Hei", "Helvetica Neue", Arial, sans-serif;
       max-width: 1180px; margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; border-bottom: 2px solid #1D3557; padding-bottom: .2em; }
h2 { font-size: 1.25em; margin-top: 1.6em; color: #1D3557; }
h3 { font-size: 1.05em; margin: 1.1em 0 .3em; color: #1D3557; }
table { border-collapse: collapse; margin: .6em 0; font-size: .9em; }
th, td { border-bottom: 1px solid #ddd; padding: .25em .6em; text-align: left; vertical-align: top; }
th { background: #f2f4f7; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
#compare td.num { white-space: pre-line; }
tr.pass td.verdict { color: #1b7a1b; font-weight: bold; }
tr.optimal td.verdict { color: #a66f00; font-weight: bold; }
tr.fail td.verdict { color: #c0392b; font-weight: bold; }
.executive { background: #f5f7fa; border-left: 4px solid #1D3557; padding: .4em 1.2em .8em; }
.executive p.verdict { font-size: 1.1em; font-weight: bold; }
figure { margin: 1.2em 0; }
figure img { max-width: 100%; height: auto; }
figcaption { font-size: .9em; color: #555; }
.grid { display: grid; grid-template-columns: repeat($columns, 1fr); gap: 1em; }
.grid figure { margin: 0; }
.summary { white-space: pre-wrap; background: #f7f7f7; padding: .6em .8em; border-radius: 4px; }
td.source { font-size: .85em; max-width: 46em; }
details summary { cursor: pointer; margin: .3em 0; }
"""

HTML_TEMPLATE = Template("""<!DOCTYPE html>
<html lang="$lang">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title</title>
<style>$style</style>
</head>
<body>
<h1>$title</h1>
$body
</body>
</html>
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


def _target_headers(lang: str, level: bool = False) -> list[str]:
    keys = ["r.target", "r.value", "r.goal", "r.margin", "r.verdict"] + (
        ["r.level"] if level else []
    )
    return [tr(k, lang) for k in keys]


def _ul(lines: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{html.escape(x)}</li>" for x in lines) + "</ul>"


def render_html(report: Report, dpi: int = 110) -> str:
    """The report as one self-contained HTML page (figures as base64 PNG, inline styles)."""
    lang = report.lang
    parts: list[str] = []
    if report.compare:
        parts.append(
            f'<section class="executive" id="summary"><h2>{html.escape(tr("r.compare_targets", lang))}</h2>'
        )
        parts.append(
            _html_table(
                report.compare[0],
                report.compare[1:],
                numeric=set(range(1, len(report.compare[0]))),
                table_id="compare",
            )
        )
        parts.append(
            "".join(f'<p class="note">{html.escape(n)}</p>' for n in report.notes) + "</section>"
        )
    else:
        parts.append(
            f'<section class="executive" id="summary"><h2>{html.escape(tr("r.executive", lang))}</h2>'
        )
        parts.append("".join(f'<p class="note">{html.escape(n)}</p>' for n in report.notes))
        if report.verdict:
            parts.append(f'<p class="verdict">{html.escape(report.verdict)}</p>')
        if report.headline:
            parts.append(f"<h3>{html.escape(tr('r.headline', lang))}</h3>")
            parts.append(
                _html_table(
                    _target_headers(lang),
                    report.headline,
                    numeric={1, 2, 3},
                    row_classes=report.headline_classes,
                    cell_class={4: "verdict"},
                    table_id="headline",
                )
            )
        if report.binding:
            parts.append(f"<h3>{html.escape(tr('r.binding', lang))}</h3>{_ul(report.binding)}")
        parts.append(f"<h3>{html.escape(tr('r.adequacy', lang))}</h3>{_ul(report.adequacy)}")
        parts.append("</section>")
        if report.summary:
            parts.append(f"<h2>{html.escape(tr('r.scenario', lang))}</h2>")
            parts.append(f'<p class="summary">{html.escape(report.summary)}</p>')
        if report.verdicts:
            parts.append(f"<h2>{html.escape(tr('r.verdicts', lang))}</h2>")
            parts.append(
                _html_table(
                    _target_headers(lang, level=True),
                    report.verdicts,
                    numeric={1, 2, 3},
                    row_classes=report.verdict_classes,
                    cell_class={4: "verdict"},
                    table_id="verdicts",
                )
            )
        if report.figures:
            parts.append(f"<h2>{html.escape(tr('r.figures', lang))}</h2>")
            parts.append(
                _html_table(
                    [tr("r.figure", lang), tr("r.value", lang)],
                    report.figures,
                    numeric={1},
                    table_id="figures",
                )
            )
    if report.charts:
        figures = []
        for key, fig in report.charts.items():
            data = base64.b64encode(figure_bytes(fig, "png", dpi=dpi, lang=lang)).decode("ascii")
            caption = report.captions.get(key, key)
            figures.append(
                f'<figure id="chart-{html.escape(key.replace(":", "-"))}"><img alt="{html.escape(caption)}" '
                f'src="data:image/png;base64,{data}"><figcaption>{html.escape(caption)}</figcaption></figure>'
            )
        body = "\n".join(figures)
        if report.columns > 1:
            body = f'<div class="grid">{body}</div>'
        parts.append(f"<h2>{html.escape(tr('r.charts', lang))}</h2>\n{body}")
    if report.sources:
        parts.append(f"<h2>{html.escape(tr('r.assumptions', lang))}</h2>")
        parts.append(
            _html_table(
                [tr("r.used_by", lang), tr("r.source", lang)],
                report.sources,
                cell_class={1: "source"},
                table_id="sources",
            )
        )
        parts.append(
            f"<details><summary>{html.escape(tr('r.name', lang))} ({len(report.entries)})</summary>"
            + _html_table(
                [tr("r.section", lang), tr("r.name", lang), tr("r.what", lang)], report.entries
            )
            + "</details>"
        )
    parts.append(f"<h2>{html.escape(tr('r.provenance', lang))}</h2>")
    parts.append(
        _html_table(
            [tr("r.key", lang), tr("r.value", lang)],
            [list(p) for p in report.provenance],
            table_id="provenance",
        )
    )
    return HTML_TEMPLATE.substitute(
        lang="zh-CN" if lang == "zh" else "en",
        title=html.escape(report.title),
        style=Template(STYLE).substitute(columns=report.columns),
        body="\n".join(parts),
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
    out = [f"# {report.title}", ""]
    if report.compare:
        out += [
            f"## {tr('r.compare_targets', lang)}",
            "",
            _md_table(report.compare[0], report.compare[1:]),
            "",
        ]
        out += [f"> {n}\n" for n in report.notes]
    else:
        out += [f"## {tr('r.executive', lang)}", ""]
        out += [f"> {n}\n" for n in report.notes]
        if report.verdict:
            out += [f"**{report.verdict}**", ""]
        if report.headline:
            out += [
                f"### {tr('r.headline', lang)}",
                "",
                _md_table(_target_headers(lang), report.headline),
                "",
            ]
        if report.binding:
            out += [f"### {tr('r.binding', lang)}", "", *[f"- {x}" for x in report.binding], ""]
        out += [f"### {tr('r.adequacy', lang)}", "", *[f"- {x}" for x in report.adequacy], ""]
        if report.summary:
            out += [f"## {tr('r.scenario', lang)}", "", report.summary, ""]
        if report.verdicts:
            out += [
                f"## {tr('r.verdicts', lang)}",
                "",
                _md_table(_target_headers(lang, True), report.verdicts),
                "",
            ]
        if report.figures:
            out += [
                f"## {tr('r.figures', lang)}",
                "",
                _md_table([tr("r.figure", lang), tr("r.value", lang)], report.figures),
                "",
            ]
    if report.charts:
        out += [f"## {tr('r.charts', lang)}", ""]
        for key, fig in report.charts.items():
            name = key.replace(":", "-")
            save_figure(fig, folder / f"{name}.png", dpi=dpi, lang=lang)
            caption = report.captions.get(key, key)
            out += [f"![{caption}]({folder.name}/{name}.png)", "", f"*{caption}*", ""]
    if report.sources:
        out += [
            f"## {tr('r.assumptions', lang)}",
            "",
            _md_table([tr("r.used_by", lang), tr("r.source", lang)], report.sources),
            "",
        ]
    out += [
        f"## {tr('r.provenance', lang)}",
        "",
        _md_table([tr("r.key", lang), tr("r.value", lang)], [list(p) for p in report.provenance]),
        "",
    ]
    return "\n".join(out)


# -- PDF ------------------------------------------------------------------------------------------


def _width(text: str) -> int:
    """Display width in 'characters': CJK and full-width characters count twice."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _wrap(text: str, width: int) -> list[str]:
    """Wrap ``text`` to ``width`` display characters (CJK counted twice), never cutting it."""
    lines: list[str] = []
    for para in str(text).split("\n"):
        if _width(para) <= width:
            lines.append(para)
            continue
        current = ""
        for word in para.replace("，", "， ").replace("、", "、 ").split(" "):
            while _width(word) > width:  # a long word (or CJK run) is split by width
                cut = 0
                while cut < len(word) and _width(word[: cut + 1]) <= width - _width(current) - 1:
                    cut += 1
                if cut == 0 and current:
                    lines.append(current)
                    current = ""
                    continue
                cut = max(cut, 1)
                lines.append((current + " " if current else "") + word[:cut])
                current, word = "", word[cut:]
            candidate = f"{current} {word}" if current else word
            if _width(candidate) > width and current:
                lines.append(current)
                current = word
            else:
                current = candidate
        lines.append(current)
    return lines


class _Pages:
    """A4 text pages: headings, paragraphs and tables laid out cell by cell (wrapped, not cut)."""

    TOP, BOTTOM, LEFT, RIGHT = 0.95, 0.05, 0.07, 0.95
    LINE = 0.0135  # figure fraction per 7.5 pt line on A4

    def __init__(self, lang: str) -> None:
        from energysim.plot.style import find_cjk_font

        self.lang = lang
        cjk = find_cjk_font()
        # Latin text in DejaVu Sans (it has a bold face), CJK glyphs from the CJK font
        self.family = ["DejaVu Sans", cjk] if cjk else ["DejaVu Sans"]
        self.bold = "normal" if lang == "zh" else "bold"  # CJK fonts ship one weight
        self.pages: list[Figure] = []
        self.y = 0.0
        self._new()

    def _new(self) -> None:
        from matplotlib.figure import Figure

        self.fig = Figure(figsize=(8.27, 11.69))
        self.pages.append(self.fig)
        self.y = self.TOP

    def _need(self, height: float) -> None:
        if self.y - height < self.BOTTOM:
            self._new()

    def heading(self, text: str, size: float = 12.0) -> None:
        self._need(4 * self.LINE)
        self.y -= self.LINE * 0.6
        self.fig.text(
            self.LEFT, self.y, text, fontsize=size, weight=self.bold, va="top", family=self.family
        )
        self.y -= self.LINE * (size / 7.5) * 1.3

    def paragraph(self, text: str, size: float = 8.0, bold: bool = False) -> None:
        chars = int((self.RIGHT - self.LEFT) * 8.27 * 72 / (size * 0.55))
        for line in _wrap(text, chars):
            self._need(self.LINE)
            self.fig.text(
                self.LEFT,
                self.y,
                line,
                fontsize=size,
                va="top",
                family=self.family,
                weight=self.bold if bold else "normal",
            )
            self.y -= self.LINE * size / 7.5
        self.y -= self.LINE * 0.4

    def table(
        self,
        headers: list[str],
        rows: list[list[str]],
        shares: list[float],
        right: set[int] = frozenset(),
        size: float = 7.0,
    ) -> None:
        span = self.RIGHT - self.LEFT
        total = sum(shares)
        widths = [span * s / total for s in shares]
        lefts = [self.LEFT + sum(widths[:i]) for i in range(len(widths))]
        chars = [max(4, int(w * 8.27 * 72 / (size * 0.56))) for w in widths]

        def row(cells: list[str], bold: bool) -> None:
            wrapped = [_wrap(c, n) for c, n in zip(cells, chars, strict=True)]
            height = max(len(w) for w in wrapped) * self.LINE * size / 7.5
            self._need(height + self.LINE * 0.3)
            for j, lines in enumerate(wrapped):
                x = lefts[j] + widths[j] - 0.02 if j in right else lefts[j]
                self.fig.text(
                    x,
                    self.y,
                    "\n".join(lines),
                    fontsize=size,
                    va="top",
                    ha="right" if j in right else "left",
                    family=self.family,
                    weight=self.bold if bold else "normal",
                    linespacing=1.25,
                )
            self.y -= height + self.LINE * 0.3

        row(headers, True)
        for r in rows:
            row(r, False)
        self.y -= self.LINE * 0.5


def render_pdf(report: Report, path: Path) -> None:
    """Write the report as PDF with matplotlib: text pages for the tables, a page per chart.

    Fonts are embedded as TrueType (Type 42); table cells wrap instead of being cut; each source
    text appears once; chart pages keep the chart's size, at most :data:`A4_CHART_IN`.
    """
    from matplotlib.backends.backend_pdf import PdfPages

    lang = report.lang
    with chart_style(lang):
        pages = _Pages(lang)
        pages.heading(report.title, 14.0)
        if report.compare:
            pages.heading(tr("r.compare_targets", lang))
            n = len(report.compare[0])
            pages.table(
                report.compare[0],
                report.compare[1:],
                [2.2] + [1.6] * (n - 1),
                right=set(range(1, n)),
            )
            for note in report.notes:
                pages.paragraph(note)
        else:
            pages.heading(tr("r.executive", lang))
            for note in report.notes:
                pages.paragraph(note)
            if report.verdict:
                pages.paragraph(report.verdict, 9.0, bold=True)
            if report.headline:
                pages.table(
                    _target_headers(lang),
                    report.headline,
                    [3.0, 1.3, 1.4, 1.3, 1.0],
                    right={1, 2, 3},
                )
            if report.binding:
                pages.heading(tr("r.binding", lang), 10.0)
                for line in report.binding:
                    pages.paragraph(f"• {line}")
            pages.heading(tr("r.adequacy", lang), 10.0)
            for line in report.adequacy:
                pages.paragraph(f"• {line}")
            if report.summary:
                pages.heading(tr("r.scenario", lang))
                pages.paragraph(report.summary)
            if report.verdicts:
                pages.heading(tr("r.verdicts", lang))
                pages.table(
                    _target_headers(lang, True),
                    report.verdicts,
                    [3.0, 1.2, 1.3, 1.2, 0.9, 1.0],
                    right={1, 2, 3},
                )
            if report.figures:
                pages.heading(tr("r.figures", lang))
                pages.table(
                    [tr("r.figure", lang), tr("r.value", lang)],
                    report.figures,
                    [3.0, 1.2],
                    right={1},
                )
        text_pages = pages.pages
        tail = _Pages(lang)
        if report.sources:
            tail.heading(tr("r.assumptions", lang))
            tail.table(
                [tr("r.used_by", lang), tr("r.source", lang)], report.sources, [0.9, 3.1], size=6.5
            )
        tail.heading(tr("r.provenance", lang))
        tail.table(
            [tr("r.key", lang), tr("r.value", lang)],
            [list(p) for p in report.provenance],
            [1.0, 2.0],
        )
        with (
            warnings.catch_warnings(),
            PdfPages(path, metadata={"Title": report.title, "Creator": "energysim"}) as pdf,
        ):
            warnings.filterwarnings("ignore", message="Glyph .* missing from font")
            for fig in text_pages:
                pdf.savefig(fig)
            for fig in report.charts.values():
                pdf.savefig(fig)  # at its own size: it prints at 100 % on A4 (see A4_CHART_IN)
            for fig in tail.pages:
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
