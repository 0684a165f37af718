# ruff: noqa: E501, T201  (a data-derivation script: long source strings, progress output)
"""Derive the shipped scenario tables (scenarios/data/*.csv) from the shared reference data.

Run from the repository root::

    python scenarios/data/derive.py [path/to/shared/data]

The default data folder is ``../shared/data`` next to the repository. Every figure written to a
table carries its origin in the ``source`` column: a reference file (with licence), a web source
quoted in ``shared/plan/facts.md``, a derivation, or ``assumption: <reasoning>``. The reasoning
behind the numbers is summarised in ``docs/data.md``; the constants below are the single place
where each assumption is set.
"""

from __future__ import annotations

import csv
import sys
from collections import defaultdict
from datetime import date
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
DEFAULT_SHARED = HERE.parents[1].parent / "shared" / "data"

GEM_COAL = "../shared/data/im_coal_units_gem_jul2023.csv (GEM Global Coal Plant Tracker Jul 2023, CC BY 4.0)"
GEM_LEAGUE = "../shared/data/im_capacity_by_league_gem.csv (GEM trackers Jul/May 2023, CC BY 4.0)"
GEM_WIND = "../shared/data/im_wind_projects_gem_may2023.csv (GEM Global Wind Power Tracker May 2023, CC BY 4.0)"
PYPSA_CAP = "../shared/data/im_existing_capacity_pypsa_china.csv (PyPSA-China, ~end-2020)"
FACTS = "../shared/plan/facts.md"
PLAN = "plan outline 第十六章/专栏8/专栏25 (../shared/plan/plan_excerpts_zh.md)"

# -- buses ------------------------------------------------------------------------------------

LEAGUES = {  # GEM league_city -> (bus, name_zh, grid)
    "Alxa": ("alxa", "阿拉善盟", "mengxi"),
    "Wuhai": ("wuhai", "乌海市", "mengxi"),
    "Bayannur": ("bayannur", "巴彦淖尔市", "mengxi"),
    "Ordos": ("ordos", "鄂尔多斯市", "mengxi"),
    "Baotou": ("baotou", "包头市", "mengxi"),
    "Hohhot": ("hohhot", "呼和浩特市", "mengxi"),
    "Ulanqab": ("ulanqab", "乌兰察布市", "mengxi"),
    "Xilingol": ("xilingol", "锡林郭勒盟", "mengxi"),
    "Chifeng": ("chifeng", "赤峰市", "mengdong"),
    "Tongliao": ("tongliao", "通辽市", "mengdong"),
    "Hinggan": ("hinggan", "兴安盟", "mengdong"),
    "Hulunbuir": ("hulunbuir", "呼伦贝尔市", "mengdong"),
}
BUSES = [v[0] for v in LEAGUES.values()]
LEAGUES_BY_BUS = {v[0]: v[1] for v in LEAGUES.values()}
EAST = [b for b, _, g in LEAGUES.values() if g == "mengdong"]

# Operating coal plants (GEM plant name) that feed export corridors rather than local load, and the
# corridor they are dedicated to. Each entry: plant -> (corridor, why).
EXPORT_PLANTS = {
    "Togtoh power station": ("togtoh-jjj", "托克托 500 kV point-to-grid plant named in facts.md §5"),
    "Daihai power station": ("daihai-jjj", "岱海 500 kV point-to-grid plant named in facts.md §5"),
    "Shangdu power station": ("shangdu-jjj", "上都 500 kV point-to-grid plant named in facts.md §5"),
    "Guoneng Shanghaimiao power station": (
        "shanghaimiao-linyi",
        "assumption: plant at the 上海庙 sending end of the ±800 kV 上海庙—临沂 line",
    ),
    "Inner Mongolia Shenglu power station": (
        "shanghaimiao-linyi",
        "assumption: 山东能源上海庙盛鲁 plant at the 上海庙 sending end",
    ),
    "Inner Mongolia Changcheng power station": (
        "shanghaimiao-linyi",
        "长城电厂 2x1000 MW is 上海庙—山东 supporting (facts.md §9, weak source)",
    ),
    "Huineng Changtan power station": (
        "mengxi-tianjinnan",
        "汇能长滩 1000 kV 送出 is a 蒙西—天津南 supporting project (内蒙古日报 2022-12-13, "
        "http://szb.northnews.cn/nmgrb/html/2022-12/13/content_40000_196575.htm)",
    ),
    "Guodian Zhunger Changtan power station": (
        "mengxi-tianjinnan",
        "国电长滩 500 kV 送出 is a 蒙西—天津南 supporting project (内蒙古日报 2022-12-13, same page)",
    ),
    "Zhunger Suancigou power station": (
        "mengxi-tianjinnan",
        "京泰酸刺沟 phase II 1000 kV 送出 is a 蒙西—天津南 supporting project (Xinhua photo "
        "2023-06-21, http://catapt.com/photo/2023-06/21/c_1129709681_6.htm); GEM lists phase I "
        "(operating) and II (construction) under one name, only phase II is dedicated",
    ),
    "Yimin power station": (
        "yimin-mujia",
        "assumption: 伊敏 plant is the sending end of the ±500 kV 伊敏—穆家 line",
    ),
    # 锡盟 UHV: 'shares Xilingol supply with Shengli 1000kV: 6 coal plants + 16 wind farms'
    # (im_export_corridors.csv); the six large non-CHP, non-captive Xilingol plants besides 上都.
    "Beijing Energy Wujianfang power station": ("ximeng-taizhou", "锡盟 UHV: one of 6 supporting coal plants"),
    "CR Wujianfang power station": ("ximeng-taizhou", "锡盟 UHV: one of 6 supporting coal plants"),
    "Bayanhua Jinshan power station": ("ximeng-taizhou", "锡盟 UHV: one of 6 supporting coal plants"),
    "Jiangsu Energy Group Wulagai power station": (
        "ximeng-taizhou",
        "assumption: owner 江苏能源 suggests the 锡盟—泰州 (Jiangsu) line",
    ),
    "Datang Xilinhot power station": ("ximeng-shandong", "锡盟 UHV: one of 6 supporting coal plants"),
    "Huaneng Beifang Xilnhaote-3 power station": ("ximeng-shandong", "锡盟 UHV: one of 6 supporting coal plants"),
    "Shenhua Shengli power station": ("ximeng-shandong", "锡盟 UHV: one of 6 supporting coal plants"),
    "CPI Baiyinhua power station": ("zhangbei-shengli", "assumption: new Xilingol plant for the 2024 张北—胜利 line"),
    "Qagan Nur power station": ("zhangbei-shengli", "assumption: new Xilingol plant for the 2024 张北—胜利 line"),
    "Manglai power station": ("zhangbei-shengli", "assumption: new Xilingol plant for the 2024 张北—胜利 line"),
}
SUANCIGOU_PHASE1_LOCAL = True  # phase I (operating) serves the 蒙西 grid, phase II is dedicated

# -- demand -----------------------------------------------------------------------------------

DEMAND_2025_TWH = 548.0  # derived in docs/data.md: 497 TWh Jan-Nov / 0.907 (Jan-Nov share, 2018 shape)
MENGDONG_GRID_PEAK_MW = 8620.0  # 蒙东 record 2025-07-11 (facts.md §3)
CAPTIVE_LOAD_FACTOR = 0.8  # assumption: captive aluminium smelters run near-flat
LOAD_FACTOR_2018 = 0.844  # im_load_2018_hourly_MW.csv

# -- new energy -------------------------------------------------------------------------------

# Stock of wind + PV + biomass (GW) through 2025 (facts.md §1): end-2024 ~135, 2025-05-31 143.09,
# 2025-10-31 150.10 (97.41 + 52.12 + 0.57), end-2025 170.
NE_PATH_2025 = [(date(2025, 1, 1), 135.0), (date(2025, 5, 31), 143.09), (date(2025, 10, 31), 150.10),
                (date(2025, 12, 31), 170.0)]
BIOMASS_GW = 0.57  # 2025-10-31 biomass + waste-to-energy (facts.md §1)
WIND_SHARE_2025 = 97.41 / (97.41 + 52.12)  # 2025-10-31 split (facts.md §1)
CSP_2025 = {"bayannur": 100.0}  # assumption, see source text below

# Solar has no league-level data (GEM solar tracker not available): shares are assumptions that
# follow where the big PV bases are (desert/Gobi in the west, grassland and sandy land in the east).
SOLAR_SHARE_EXISTING = {
    "ordos": 0.20, "baotou": 0.11, "bayannur": 0.10, "alxa": 0.08, "wuhai": 0.03, "hohhot": 0.05,
    "ulanqab": 0.09, "xilingol": 0.07, "chifeng": 0.10, "tongliao": 0.09, "hinggan": 0.04,
    "hulunbuir": 0.04,
}
SOLAR_SHARE_NEW_LOCAL = {
    "ordos": 0.25, "baotou": 0.12, "bayannur": 0.10, "alxa": 0.10, "wuhai": 0.04, "hohhot": 0.05,
    "ulanqab": 0.08, "xilingol": 0.08, "chifeng": 0.07, "tongliao": 0.06, "hinggan": 0.025,
    "hulunbuir": 0.025,
}
END_2025_NE_GW = 170.0  # facts.md §1 (>170 GW incl. ~0.6 GW biomass)
END_2025_WIND_GW = 100.0  # facts.md §1 (>100 GW)
NE_2030_GW = 325.0  # plan 第十六章第一节
BASE_WIND_GW, BASE_SOLAR_GW, BASE_COAL_GW = 4.0, 8.0, 4.0  # per desert-base corridor (Kubuqi/Tengger)
CSP_NEW_2030 = {"alxa": 500.0, "bayannur": 400.0, "ordos": 500.0}  # assumption, MW
# Fleet calibration: the ERA5 profiles are resource-potential capacity factors (facts.md §4: wind
# 2 618 h, PV 1 482 h). The 2025 fleet generated ~270 TWh (facts.md §2) from an in-year average
# ~145 GW, i.e. ~1 860 h. This factor scales the profiles to the fleet (availability, wake and
# grid losses, older turbines); calibrated so that baseline-2025 uses ~270 TWh of new energy
# (see `energysim calibrate`). Applied to 2030 too (assumption: the same fleet-to-resource ratio).
FLEET_CF_SCALE = 0.88
NEW_LOCAL_WIND_SHARE = 0.45  # assumption: share of wind in the non-base additions 2026-30

# -- thermal ----------------------------------------------------------------------------------

THERMAL_2025_GW = 110.0  # facts.md §1: unsourced estimate 110-115 GW end-2025; in-year average
GAS_MW = {"ordos": 300.0}  # GEM: Sulige 2 x 150 MW (facts.md §1)
CHP_SHARE_2020 = 54602.52 / (54602.52 + 39137.48)  # PyPSA-China end-2020
RETIRE_BEFORE = 1996  # assumption: units started before 1996 (>=35 years old in 2030) retire
HYDRO_MW = {"ordos": 600.0, "bayannur": 200.0, "wuhai": 90.0, "hulunbuir": 250.0, "hinggan": 80.0}
BIOMASS_2025 = {"tongliao": 120.0, "chifeng": 110.0, "hinggan": 80.0, "hulunbuir": 60.0,
                "bayannur": 80.0, "hohhot": 60.0, "baotou": 60.0}  # sums to 570 MW
BIOMASS_2030_FACTOR = 1000.0 / 570.0  # assumption: ~1.0 GW in 2030 (稳步发展农林生物质)

# -- corridors --------------------------------------------------------------------------------

NEW_CORRIDORS = {  # name: (name_zh, bus, receiving, year, source of the siting)
    "mengxi-jjj": ("蒙西—京津冀", "ordos", "jjj", 2027,
                   "±800 kV 8 GW Dalate (Ordos) -> Xiongnan; start 2025-12-30 target 2027; 36 TWh/yr "
                   "~60 % NE; base 8 GW PV + 4 GW wind + 4 GW coal (im_export_corridors.csv, "
                   "http://www.cisceindiaresults.com/cj/jjgc/2025-12-30/1820081.html)"),
    "kubuqi-shanghai": ("库布其—上海", "ordos", "shanghai", 2028,
                        "plan 专栏25 (内蒙古库布其沙漠基地送电上海); 专栏8 库布其沙漠鄂尔多斯南部基地"),
    "tengger-jiangxi": ("腾格里—江西", "alxa", "jiangxi", 2028,
                        "plan 专栏25/专栏8 (腾格里沙漠东南部基地); 华电腾格里 base 8 GW PV + 4 GW wind "
                        "+ 4 GW coal for a DC to Jiangxi (facts.md §5)"),
    "ulanbuh-jjj": ("乌兰布和—京津冀", "bayannur", "jjj", 2029,
                    "plan 专栏25/专栏8 (乌兰布和沙漠东北部基地); receiving 京津冀 per 倍增方案 2023-11 "
                    "(im_export_corridors.csv); sending bus Bayannur (磴口) is an assumption"),
    "desert-jiangsu": ("内蒙古沙漠基地—江苏", "alxa", "jiangsu", 2030,
                       "plan 专栏25/专栏8 (内蒙古送电江苏沙漠基地); sending bus Alxa (巴丹吉林, the one "
                       "desert of the 倍增方案 list without a corridor) is an assumption"),
    "desert-anhui": ("内蒙古沙漠基地—安徽", "ordos", "anhui", 2030,
                     "plan 专栏25/专栏8 (内蒙古送电安徽沙漠基地); sending bus Ordos (库布其/毛乌素) is "
                     "an assumption"),
}
PREPARATORY = {  # plan 专栏25: 前期工作 only -> after 2030
    "hulunbuir-base": ("呼伦贝尔沙地基地外送", "hulunbuir", "northeast"),
    "chifeng-base": ("赤峰沙戈荒基地外送 (浑善达克/科尔沁)", "chifeng", "jjj"),
    "xilingol-beijing": ("锡林郭勒盟绿电进京", "xilingol", "jjj"),
}

LEGACY_UHV_HOURS_2025 = 3600.0  # assumption, calibrated: legacy UHV lines send ~184 TWh in 2025 (see source text)
POINT_TO_GRID_HOURS = 5000.0  # assumption: flat base-load schedule of the 500 kV point-to-grid plants and 伊敏—穆家
NEW_CORRIDOR_MW = 8000.0  # assumption: standard ±800 kV rating (蒙西—京津冀 8 GW sourced)
NEW_CORRIDOR_EFFICIENCY = 0.93  # assumption: 7 % loss over ~700-1 600 km DC
NEW_CORRIDOR_HOURS = 4500.0  # = 蒙西—京津冀's 36 TWh / 8 GW (facts.md §5)
NEW_CORRIDOR_NE_SHARE = 0.5  # project examples >= 50 % (facts.md §5), no formal rule found
PREPARATORY_YEAR = 2032  # assumption: lines at 前期工作 stage in the plan enter after 2030

# -- other generation ---------------------------------------------------------------------------

BIOMASS_PMAX, BIOMASS_PMIN = 0.9, 0.3  # assumptions: schema default availability; straw boilers' stable load
HYDRO_PMAX = 0.3  # assumption: 2022 hydro 3.65 TWh gives 0.34 without PHS, ~0.15 with Hohhot PHS

# -- storage ----------------------------------------------------------------------------------

STORAGE_PATH_2025 = [(date(2025, 1, 1), 10.32), (date(2025, 3, 31), 10.86), (date(2025, 12, 31), 17.0)]
STORAGE_2030_MW = 60000.0
STORAGE_HOURS = 42.96 / 10.17  # 2026-02 list of independent storage (facts.md §7)
LI_RT = 0.85  # assumption: round-trip efficiency incl. auxiliaries
PHS_RT = 2.007 / 2.677  # Hohhot PHS design generation / pumping (facts.md §6)
PHS_UNIT_MW, PHS_MAX_HOURS = 1200.0, 6.0  # 4 x 300 MW (facts.md §6); 6 h: assumption, daily-cycle PHS
STORAGE_STANDING_LOSS = 0.0001  # assumption: Li-ion self-discharge + auxiliaries, p.u. per hour


# -- the Northeast grid behind 蒙东 (issue 13) ------------------------------------------------------
# 蒙东 is synchronously part of the Northeast grid (东北电网, facts.md §10): the Northeast grid backs
# 蒙东's load and the schedules leaving 蒙东 (扎鲁特—青州 also carries Northeast-grid surplus). The
# model represents this as imports at the 蒙东 buses with 500 kV ties into the Northeast grid,
# dispatched as the last merit-order tier (energysim's carrier 'import').
NE_GRID_TIE_MW = 8000.0  # ../shared/data/im_interprovincial_edges_pypsa_china.csv: Liaoning-InnerMongolia
NE_GRID_EDGES = "../shared/data/im_interprovincial_edges_pypsa_china.csv (PyPSA-China-PIK edges_current.csv)"
NE_GRID_TIE_BUSES = {"chifeng": 5000.0, "tongliao": 6000.0}  # split like the model's 500 kV NE ties
NE_GRID_IMPORT_COST = 800.0  # assumption: above every Inner Mongolian unit (gas 600), below DR (2 000)


def import_rows() -> list[dict]:
    """Northeast-grid imports at the 蒙东 buses with ties into the Northeast grid (all model years)."""
    total = sum(NE_GRID_TIE_BUSES.values())
    rows = []
    for b, weight in NE_GRID_TIE_BUSES.items():
        mw = NE_GRID_TIE_MW * weight / total
        rows.append({
            "name": f"{b}-northeast-import", "bus": b, "carrier": "import", "p_nom": float(round(mw)),
            "p_max_pu": 1.0, "p_min_pu": 0.0, "marginal_cost": NE_GRID_IMPORT_COST,
            "source": (
                "Northeast-grid support at 蒙东 (蒙东 is synchronously part of the Northeast grid, facts.md "
                f"§10): imports over the 500 kV ties, {NE_GRID_TIE_MW:.0f} MW in all = the aggregated "
                f"Liaoning-InnerMongolia capacity of {NE_GRID_EDGES} (origin undocumented there; ties to "
                "Jilin/Heilongjiang are missing in that file and the 兴安—吉林 ties were not found, so "
                "兴安 has none), split between 赤峰 and 通辽 like the model's 500 kV Northeast ties "
                "chifeng-liaoning 5 GW : tongliao-northeast 6 GW (assumption). Not limited further by "
                "what the Northeast grid can spare at its own peak (no Northeast capacity data in "
                "../shared; assumption: a net exporting regional grid spares 8 GW). marginal_cost "
                f"{NE_GRID_IMPORT_COST:.0f} CNY/MWh: assumption, above every Inner Mongolian unit (gas "
                "600) so that imports run last: after all Inner Mongolian thermal that can reach the bus, "
                "when 蒙东 would otherwise draw storage below its look-ahead share, give up reserve, use "
                "demand response (2 000) or cut load or export schedules. No maintenance or forced outages; "
                "its unused headroom counts toward the upward reserve (the Northeast grid holds reserve "
                "for its whole synchronous area, docs/data.md)"),
        })
    return rows


# -- central case (issue 13): what a grid planner would accept ------------------------------------
# The optimistic case (plan-2030-optimistic.yaml) keeps the settings before issue 13; the central
# case (plan-2030.yaml) differs in the constants below. docs/data.md argues each one.

COAL_MARGINAL_COST = 260.0  # assumption: ~800 CNY/t standard coal x ~0.30 kgce/kWh = 240 + ~20 VOM
CHP_MARGINAL_COST_OPTIMISTIC = 240.0  # assumption (before issue 13): condensing less a heat credit
GAS_MARGINAL_COST = 600.0  # assumption: ~2.5 CNY/m3 at ~0.2 m3/kWh + VOM
BIOMASS_MARGINAL_COST = 350.0  # assumption: ~300 CNY/t straw at ~1.2 kg/kWh
# Minimum stable load (p.u.) by class. No numeric values of the national 深度调峰 metric were found
# (facts.md §9); 0.30-0.35 for retrofitted condensing units and 0.40+ for CHP in the heating
# season is the unsourced modelling default there.
COAL_PMIN = {2025: 0.35, 2030: 0.30}  # optimistic: retrofit reaches 0.30 by 2030
COAL_PMIN_CENTRAL_2030 = 0.35  # assumption: fleet-wide 0.35 in commercial operation (not all units retrofitted, 国能九江-type 30 % is a best case)
CHP_PMIN, CHP_PMIN_HEATING = 0.30, 0.50  # optimistic
CHP_PMIN_CENTRAL, CHP_PMIN_HEATING_CENTRAL = 0.35, 0.60  # assumption: heat-led units in winter run near 60 % to hold the heat load (facts.md §9: 0.40+, a floor)
# Captive plants (自备电厂): GEM flags 17.66 GW operating captive units (11.19 GW aluminium), all
# "Captive industry use = CHP" (../shared/data/im_coal_units_gem_jul2023.csv). Smelter load is flat.
CAPTIVE_PMIN = {"aluminum": 0.80, "other": 0.60}  # assumption: aluminium pot lines run flat (cf. CAPTIVE_LOAD_FACTOR); chemical/metal plants with process steam ~0.6
# Heating seasons by league (MM-DD/MM-DD). The issue 13 brief and local practice: 呼伦贝尔 and 兴安
# heat from about mid-September to mid-May; the rest of IM keeps the scenario default 10-15/04-15.
HEATING_SEASON = {"hulunbuir": "09-15/05-15", "hinggan": "09-15/05-15",
                  "xilingol": "10-01/04-30", "ulanqab": "10-01/04-30"}  # xilingol/ulanqab: assumption, cold plateau (~1 000-1 400 m), two weeks longer each way
# Solar resource by league: annual global radiation 110-130 kcal/cm2 in 呼伦贝尔/兴安, 130-140 in
# 通辽(哲盟)/赤峰(昭盟)/锡林郭勒, 140-160 elsewhere (summary of IM resource, http://m.heztianyin.com/sell/ef2b6knrn1b58c.html);
# mid-points relative to the capacity-weighted provincial mean give each league's solar scale.
SOLAR_RADIATION_KCAL = {"hulunbuir": 120.0, "hinggan": 120.0, "tongliao": 135.0, "chifeng": 135.0,
                        "xilingol": 135.0, "alxa": 150.0, "wuhai": 150.0, "bayannur": 150.0,
                        "ordos": 150.0, "baotou": 150.0, "hohhot": 150.0, "ulanqab": 150.0}
# Wind sites (issue 13): the synthetic wind of a league is generated at the capacity-weighted
# centroid of its GEM wind farms (operating + construction), not at the coal centroid that places
# the bus. GEM gives one default point to farms it could not locate; those rows, and farms farther
# than WIND_SITE_MAX_KM from their league's capacity-weighted median location, are left out.
WIND_SITE_STATUSES = ("operating", "construction")
GEM_DEFAULT_POINT = (43.2443, 114.3252)  # lat, lon given to 11.35 GW of farms in 9 leagues (none in Xilingol, where the point lies)
WIND_SITE_MAX_KM = 420.0  # assumption: the two farms beyond it lie in other leagues (a Bayannur farm at 118.3 E, 865 km; an Alxa farm
#   at 109.9 E, 453 km); the farthest plausible one is Xinbaerhuyou (Hulunbuir) at 408 km. A few other 50-150 MW farms look
#   mis-located by 100-300 km (e.g. Chifeng Alukeerqin at 114.3 E); each moves its league centroid by < 0.1 deg and is kept.
# League wind statistics found for issue 13 (the only league-level wind energies found; searches in
# docs/data.md): 2022 IM wind generation (规模以上) 101.99 TWh, +8.8 %; 锡林郭勒 26.7 % of it, +24.3 %,
# 64.7 % of the growth; 兴安 +57.3 %, 24.4 % of the growth (内蒙古统计局 via Xinhua 2023-02-14,
# http://en.people.cn/n3/2023/0214/c90000-10207490.html, and
# http://www.pacrank.com.cn/Html/dongguanxinwen/qing_xin_2023021460872.html). Hours are computed on
# the GEM operating capacity by start year (farms started in the year count half).
IM_WIND_2022_TWH, IM_WIND_GROWTH_2022 = 101.99, 0.088
LEAGUE_WIND_STATS_2022 = {"xilingol": (0.243, 0.647), "hinggan": (0.573, 0.244)}  # (growth, share of IM growth)
URL_WIND_STATS = "http://en.people.cn/n3/2023/0214/c90000-10207490.html"
# One partial-year league figure: 乌兰察布 Jan-Jul wind 8.44 TWh, +28.9 % "因今年风速增长较快" (乌兰察布市统计局 via
# http://21spv.com/news/show.php?itemid=97647; year not stated, 2021 inferred from the coal-price fall of thermal
# output); IM Jan-Jul 2021 wind 51.53 TWh (内蒙古统计局 2021-08-17 via http://m.14z7q.com/sj/qysj/20210820/96984.html).
ULANQAB_JAN_JUL_2021_TWH, IM_JAN_JUL_2021_TWH = 8.44, 51.53
# Fleet timing 2030. Additions of the model year: 1/5 of the 2026-30 additions (assumption: even
# build-out), entering at the date that gives 2025's in-year share of additions (NE: end-2024 135 ->
# in-year average 145.7 -> end-2025 170 GW: 0.31 of the year's additions ran on average; storage:
# 10.32 -> 13.11 -> 17 GW: 0.42; facts.md §1). 2025's additions came mostly in Q4.
BUILD_YEARS_2026_30 = 5
# Desert-base corridors: first day in service (central case). Only 蒙西—京津冀 has started (2025-12-30,
# target 2027, facts.md §5); the 倍增方案 (2023-11) asked for 库布其—上海, 腾格里—江西, 乌兰布和—京津冀
# to start in the 14th FYP, and no start was found by 2026-01. A ±800 kV line takes ~2 years
# (蒙西—京津冀: start 2025-12-30, target end-2027). 送电江苏/安徽 appear first in the 15th-FYP plan.
CORRIDOR_DATES_CENTRAL = {
    "mengxi-jjj": ("2027-12-31", "construction started 2025-12-30, target 2027 (facts.md §5): end of the target year"),
    "kubuqi-shanghai": ("2029-06-30", "assumption: no start found by 2026-01; start mid-2027 at the earliest after approval + ~2 years build"),
    "tengger-jiangxi": ("2029-06-30", "assumption: no start found by 2026-01 (华电 base 2 GW PV first phase operating); start mid-2027 + ~2 years"),
    "ulanbuh-jjj": ("2029-12-31", "assumption: no start found by 2026-01; start end-2027 + ~2 years"),
    "desert-jiangsu": ("2031-06-30", "assumption: first named in the 15th-FYP plan; approval 2027-28 + ~2.5 years"),
    "desert-anhui": ("2031-06-30", "assumption: first named in the 15th-FYP plan; approval 2027-28 + ~2.5 years"),
}
# Sending-end support: a desert base pairs an 8 GW ±800 kV line with 4 GW coal (facts.md §5); held at
# ~0.5 of its rating whenever the line runs at full schedule, that is 2 GW per 8 GW sent.
SUPPORT_FLOOR_PU = 0.25  # assumption (no rule text found), applied to every ±800 kV DC line
# Delivery curve of the desert-base lines: the receiving grids' own load shape (evening-peaking
# East-China/North-China load; the receiving grids have midday solar surplus of their own).
DESERT_DELIVERY_CURVE_CENTRAL = "receiving_load"
# Export above schedule (surplus market, central case). Inter-provincial trade follows annual and
# monthly contracts; surplus above them is sold in the inter-provincial spot market, and the
# receiving grids (Shandong, Jiangsu, Jing-Jin-Ji, ...) have midday solar surplus of their own.
# The two settings are calibrated on 2025 (baseline-2025: NE export 90 TWh, NE generation 270 TWh,
# facts.md §2; `energysim calibrate`): UHV lines take half the hour's headroom outside 10:00-15:59;
# the 500 kV AC ties into the North-China and Northeast regional grids (蒙东 is part of the Northeast
# synchronous grid) take all of it. No annual cap: no source gives one.
SURPLUS_SHARE_UHV = 0.5  # assumption, calibrated (2025 NE export 90.2 vs 90 TWh)
SURPLUS_HOURS_UHV = "0-9,16-23"  # assumption: no surplus into the receiving grids' midday solar peak
SURPLUS_SHARE_REGIONAL_AC = 1.0  # assumption: one synchronous regional grid, no market limit
REGIONAL_AC_TIES = ("chifeng-liaoning", "tongliao-northeast", "mengxi-huabei")
EXPORT_SURPLUS_2025_TWH = 12.5  # calibrated: surplus sold above schedule in baseline-2025 under the rules above, so scheduled + surplus = 350 TWh
# Internal grid: the central case keeps the 2025 backbone (no 500 kV reinforcement under
# construction was found); x1.5 and the 锡盟—赤峰 flexible DC (plan: 研究推动, study stage) go to the
# grid-expansion variant.
BACKBONE_EXPANSION_FACTOR = 1.5  # assumption for the plan's 谋划构建区内电网 500 千伏主干网架
XILINGOL_CHIFENG_DC_MW = 4000.0  # assumption, optimistic for a project still being studied


def time_average(path: list[tuple[date, float]]) -> float:
    """Time-weighted mean of a piecewise-linear stock path over the calendar year."""
    start, end = date(path[0][0].year, 1, 1), date(path[0][0].year, 12, 31)
    area = 0.0
    for (d0, v0), (d1, v1) in zip(path, path[1:], strict=False):
        area += (d1 - d0).days * (v0 + v1) / 2
    return area / (end - start).days


def write(name: str, header: list[str], rows: list[dict], note: str) -> None:
    path = HERE / name
    with path.open("w", encoding="utf-8", newline="") as fh:
        for line in note.strip().splitlines():
            fh.write(f"# {line}\n")
        writer = csv.DictWriter(fh, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: fmt(row.get(k)) for k in header})
    print(f"wrote {path.relative_to(HERE.parents[1])} ({len(rows)} rows)")


def fmt(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.4f}".rstrip("0").rstrip(".") if abs(v) < 10 else f"{v:.1f}".rstrip("0").rstrip(".")
    return str(v)


def split(total: float, weights: dict[str, float]) -> dict[str, float]:
    s = sum(weights.values())
    return {k: total * w / s for k, w in weights.items() if w > 0}


def read_gem(shared: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """GEM coal units (with bus, MW, CHP/captive/corridor tags) and the league capacity table."""
    coal = pd.read_csv(shared / "im_coal_units_gem_jul2023.csv")
    coal["bus"] = coal["league_city"].map(lambda x: LEAGUES[x][0])
    coal["MW"] = coal["Capacity (MW)"]
    coal["chp_name"] = (coal["Plant name (local)"].str.contains("热电|自备")
                        | coal["Plant name"].str.contains("[Cc]ogen")
                        | (coal["Captive industry use"] == "CHP"))
    coal["captive"] = coal["Captive"].notna()
    coal["corridor"] = coal["Plant name"].map(lambda p: EXPORT_PLANTS.get(p, (None, ""))[0])
    suanci = coal["Plant name"] == "Zhunger Suancigou power station"
    coal.loc[suanci & (coal.Status == "operating"), "corridor"] = None
    league = pd.read_csv(shared / "im_capacity_by_league_gem.csv")
    league["bus"] = league["league_city"].map(lambda x: LEAGUES[x][0])
    return coal, league.set_index("bus")


def read_wind(shared: Path) -> pd.DataFrame:
    """GEM wind farms (one row per phase) with bus, MW, status, start year and location."""
    wind = pd.read_csv(shared / "im_wind_projects_gem_may2023.csv")
    wind["bus"] = wind["league_city"].map(lambda x: LEAGUES[x][0])
    wind["MW"] = wind["Capacity (MW)"]
    return wind


def _km(lat0: float, lon0: float, lat: pd.Series, lon: pd.Series) -> pd.Series:
    """Great-circle distance (km) from one point to many (spherical Earth, R = 6 371 km)."""
    import numpy as np

    p0, p, dl = np.radians(lat0), np.radians(lat), np.radians(lon - lon0)
    c = np.sin(p0) * np.sin(p) + np.cos(p0) * np.cos(p) * np.cos(dl)
    return pd.Series(6371.0 * np.arccos(np.clip(c, -1.0, 1.0)), index=lat.index)


def _weighted_median(values: pd.Series, weights: pd.Series) -> float:
    """The value below which half of the weight lies (first such value in sorted order)."""
    order = values.sort_values().index
    cum = weights[order].cumsum()
    return float(values[order][cum >= cum.iloc[-1] / 2].iloc[0])


def wind_sites(wind: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Capacity-weighted centroid of each league's located GEM wind farms (WIND_SITE_STATUSES).

    Returns bus -> {x (lon), y (lat), MW used, MW left out}; leagues without farms are absent.
    """
    farms = wind[wind["Status"].isin(WIND_SITE_STATUSES)]
    default = (farms["Latitude"].round(4) == GEM_DEFAULT_POINT[0]) & (
        farms["Longitude"].round(4) == GEM_DEFAULT_POINT[1])
    out = {}
    for b, g in farms.groupby("bus"):
        located = g[~default[g.index]]
        if located.empty:
            continue
        lat0 = _weighted_median(located["Latitude"], located["MW"])
        lon0 = _weighted_median(located["Longitude"], located["MW"])
        near = located[_km(lat0, lon0, located["Latitude"], located["Longitude"]) <= WIND_SITE_MAX_KM]
        w = near["MW"]
        out[b] = {"x": round(float((near["Longitude"] * w).sum() / w.sum()), 1),
                  "y": round(float((near["Latitude"] * w).sum() / w.sum()), 1),
                  "MW": float(w.sum()), "left_out_MW": float(g["MW"].sum() - w.sum())}
    return out


def share_ratio(wind: pd.DataFrame, bus: str, share: float, year: int) -> float:
    """League share of IM wind energy over its share of GEM operating capacity in ``year``
    (farms started in the year count half): its full-load hours relative to the IM mean."""
    op = wind[wind["Status"] == "operating"]
    start = op["Start year"].fillna(0)
    cap = op["MW"].where(start < year, 0.0) + 0.5 * op["MW"].where(start == year, 0.0)
    return share / (cap[op["bus"] == bus].sum() / cap.sum())


def league_wind_check(wind: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Full-load hours of the leagues with published wind energies vs the IM mean, 2021 and 2022.

    Energies from LEAGUE_WIND_STATS_2022 (2021 = 2022 less the growth); capacity = GEM operating
    farms started before the year plus half of those started in it (start year unknown: before).
    Returns bus -> {h2021, ratio2021, h2022, ratio2022} (ratio = league hours / IM hours).
    """
    op = wind[wind["Status"] == "operating"]
    start = op["Start year"].fillna(0)
    im22 = IM_WIND_2022_TWH
    im21 = im22 / (1 + IM_WIND_GROWTH_2022)
    out: dict[str, dict[str, float]] = {}
    for b, (growth, share_of_growth) in LEAGUE_WIND_STATS_2022.items():
        e21 = (im22 - im21) * share_of_growth / growth
        energy = {2021: (e21, im21), 2022: (e21 * (1 + growth), im22)}
        row = {}
        for year, (e, im) in energy.items():
            cap = op["MW"].where(start < year, 0.0) + 0.5 * op["MW"].where(start == year, 0.0)
            h_b = e * 1e6 / cap[op["bus"] == b].sum()
            h_im = im * 1e6 / cap.sum()
            row[f"h{year}"], row[f"ratio{year}"] = h_b, h_b / h_im
        out[b] = row
    return out


# ---- buses ------------------------------------------------------------------------------------


def derive_buses(coal: pd.DataFrame, wind: pd.DataFrame, summary: dict) -> None:
    """buses.csv: location, wind site, grid, demand share and heating season of each league."""
    sites = wind_sites(wind)
    summary["wind_sites"] = sites
    op = coal[coal["Status"] == "operating"].copy()
    op["export"] = op["Plant name"].map(lambda p: p in EXPORT_PLANTS)
    if SUANCIGOU_PHASE1_LOCAL:
        op.loc[op["Plant name"] == "Zhunger Suancigou power station", "export"] = False
    cent = op.groupby("bus").apply(
        lambda g: pd.Series({"x": (g.Longitude * g.MW).sum() / g.MW.sum(),
                             "y": (g.Latitude * g.MW).sum() / g.MW.sum()}),
        include_groups=False,
    )
    proxy = op[~op["export"]].groupby("bus")["MW"].sum()
    captive_al_tongliao = op[(op.bus == "tongliao") & (op.Captive == "aluminum")]["MW"].sum()
    peak_im = DEMAND_2025_TWH * 1e6 / 8760 / LOAD_FACTOR_2018
    east_share = (MENGDONG_GRID_PEAK_MW + CAPTIVE_LOAD_FACTOR * captive_al_tongliao) / peak_im
    shares = {}
    for b in BUSES:
        group = EAST if b in EAST else [x for x in BUSES if x not in EAST]
        total = east_share if b in EAST else 1 - east_share
        shares[b] = round(total * proxy[b] / proxy[group].sum(), 4)
    shares["ordos"] = round(shares["ordos"] + 1 - sum(shares.values()), 4)  # rounding residue
    summary["east_share"] = east_share
    bus_rows = []
    for _gem, (b, zh, grid) in LEAGUES.items():
        grid_note = ("蒙西 = Inner Mongolia Power Group area (facts.md §10)" if grid == "mengxi"
                     else "蒙东 = State Grid 蒙东 (facts.md §10)")
        if b == "xilingol":
            grid_note += ("; caveat: administratively 蒙西 but its export plants and the 锡盟 UHV "
                          "stations connect to State Grid (North China), not the 蒙西 grid")
        season = HEATING_SEASON.get(b)
        site = sites.get(b)
        wind_note = (
            f" wind_x/wind_y (where this league's synthetic wind is generated): capacity-weighted centroid of "
            f"{site['MW']:.0f} MW of GEM wind farms (operating + construction) located by GEM, derived from {GEM_WIND}"
            + (f"; {site['left_out_MW']:.0f} MW left out (GEM's default point {GEM_DEFAULT_POINT[0]} N "
               f"{GEM_DEFAULT_POINT[1]} E for farms it could not locate, or > {WIND_SITE_MAX_KM:.0f} km from the "
               "league's median farm)" if site["left_out_MW"] > 0 else "")
            + ". It moves the timing of the wind, not its expected mean (the league's mean is set by the "
            "generators' capacity_factor_scale)." if site else
            " wind_x/wind_y empty: no GEM wind farm in this city (its wind, if any, is generated at x/y).")
        season_note = (" heating_season: 呼伦贝尔/兴安 09-15/05-15 (they heat about 8 months, mid-September "
                       "to mid-May); 锡林郭勒/乌兰察布 10-01/04-30 (assumption: cold plateau, two weeks longer "
                       "each way); the other leagues the scenario's season")
        bus_rows.append({
            "name": b, "name_zh": zh, "grid": grid,
            "x": round(cent.loc[b, "x"], 2), "y": round(cent.loc[b, "y"], 2),
            "wind_x": site["x"] if site else None, "wind_y": site["y"] if site else None,
            "demand_share": shares[b], "heating_season": season,
            "source": (
                f"{grid_note}. x/y: capacity-weighted centroid of GEM operating coal units, derived "
                f"from {GEM_COAL}. demand_share: assumption (no league-level load data exists): "
                f"{'蒙东' if b in EAST else '蒙西'} total {(f'{east_share:.3f}') if b in EAST else ('%.3f' % (1 - east_share))} "
                f"(蒙东 = (8.62 GW grid record 2025-07-11 + 0.8 x {captive_al_tongliao / 1e3:.2f} GW "
                f"captive aluminium plants in Tongliao outside grid statistics) / {peak_im / 1e3:.1f} GW "
                f"IM peak = {DEMAND_2025_TWH:.0f} TWh at load factor 0.844 of the 2018 profile), split "
                f"within the grid by GEM operating coal excluding export-dedicated plants "
                f"({proxy[b]:.0f} MW here; IM load is dominated by energy-intensive industry with "
                f"co-located/captive plants).{wind_note}{season_note}"
            ),
        })
    header = ["name", "name_zh", "grid", "x", "y", "wind_x", "wind_y", "demand_share", "heating_season", "source"]
    write("buses.csv", header, bus_rows, "Buses: the 12 leagues/cities of Inner Mongolia. Generated by "
          "scenarios/data/derive.py; see docs/data.md.")
    plain = [{k: v for k, v in r.items() if k != "heating_season"} for r in bus_rows]
    for r in plain:
        r["source"] = r["source"].split(" heating_season: ")[0]
    write("buses-optimistic.csv", header, plain, "Buses, optimistic case (one heating season for all "
          "leagues, the scenario's; the same wind sites: where the farms are is no planning assumption). "
          "Generated by scenarios/data/derive.py; see docs/data.md.")


# ---- generators -------------------------------------------------------------------------------


def coal_fleet(coal: pd.DataFrame, weights: dict[str, float], retire: bool) -> pd.DataFrame:
    """GEM units of the given statuses, capacity weighted by status share; old units retired."""
    c = coal[coal.Status.isin(weights)].copy()
    c["MW"] = c["MW"] * c.Status.map(weights)
    if retire:
        c = c[~((c.Status == "operating") & (c["Start year"] < RETIRE_BEFORE))]
    return c


def coal_rows(c: pd.DataFrame, year: int, extra_dedicated: dict[str, tuple[str, float, str, str | None]],
              chp_topup: dict[str, float], frac25: float, central: bool) -> list[dict]:
    """Condensing, CHP, captive and export-dedicated coal rows of one fleet."""
    rows: list[dict] = []
    ded = c[c.corridor.notna()]
    local = c[c.corridor.isna()]
    total = c.MW.sum() + sum(v[1] for v in extra_dedicated.values())
    # CHP: name-based CHP units plus a uniform share f of the other local units, so that the
    # provincial CHP share matches PyPSA-China's end-2020 54.6/(54.6+39.1) GW.
    chp_named = local[local.chp_name].groupby("bus").MW.sum()
    cond_named = local[~local.chp_name].groupby("bus").MW.sum()
    if "f" not in chp_topup:  # set on the 2025 fleet, kept for 2030 (a unit's role is stable)
        chp_topup["f"] = (CHP_SHARE_2020 * total - chp_named.sum()) / cond_named.sum()
    f = chp_topup["f"]
    assert 0 <= f <= 1, f
    captive = local[local.captive] if central else local.iloc[0:0]
    chp_named_rows = local[local.chp_name & ~local.index.isin(captive.index)].groupby("bus").MW.sum()
    pmin = COAL_PMIN_CENTRAL_2030 if (central and year > 2025) else COAL_PMIN[2030 if year > 2025 else 2025]
    chp_pmin, chp_heat = (CHP_PMIN_CENTRAL, CHP_PMIN_HEATING_CENTRAL) if central else (CHP_PMIN, CHP_PMIN_HEATING)
    chp_cost = COAL_MARGINAL_COST if central else CHP_MARGINAL_COST_OPTIMISTIC
    status_note = ("operating Jul 2023 + %.0f %% of units under construction Jul 2023 (calibrated so "
                   "coal + 0.3 GW gas = 110 GW, the unsourced 110-115 GW end-2025 thermal estimate in "
                   "facts.md §1, taken as in-year average)" % (100 * frac25)) if year <= 2025 else (
                   f"operating Jul 2023 minus units started before {RETIRE_BEFORE} (assumption: retired at >=35 "
                   "years by 2030) + all units under construction or permitted Jul 2023")
    pmin_note = (f"p_min_pu {pmin}: assumption, fleet-wide minimum stable load in commercial operation "
                 "(facts.md §9: 0.30-0.35 for retrofitted units is an unsourced modelling default; not every "
                 "unit is retrofitted by 2030)" if central and year > 2025 else
                 f"p_min_pu {pmin}: assumption, retrofitted condensing units 0.30-0.35 (facts.md §9, unsourced "
                 "modelling default; 2030 lower after 新一代煤电升级专项行动)")
    for b in BUSES:
        chp = chp_named_rows.get(b, 0.0) + f * cond_named.get(b, 0.0)
        cond = (1 - f) * cond_named.get(b, 0.0)
        common = (f"GEM {status_note}, derived from {GEM_COAL}; export-dedicated plants in separate "
                  "rows")
        if cond > 0:
            rows.append({
                "name": f"{b}-coal", "bus": b, "carrier": "coal", "p_nom": round(cond, 1),
                "p_min_pu": pmin, "marginal_cost": COAL_MARGINAL_COST,
                "source": (f"{common}; condensing = units not named 热电/自备/Cogen less the CHP top-up "
                           f"(f = {f:.3f}, set on the 2025 fleet so that CHP is "
                           f"{CHP_SHARE_2020:.3f} of all coal as in PyPSA-China end-2020 54.6/(54.6+39.1) GW, "
                           f"{PYPSA_CAP}; kept for 2030, new units classed by name). {pmin_note}. "
                           f"marginal_cost {COAL_MARGINAL_COST:.0f} CNY/MWh: assumption, ~800 CNY/t standard "
                           "coal x ~0.30 kgce/kWh = 240 + ~20 VOM"),
            })
        if chp > 0:
            cost_note = (f"marginal_cost {chp_cost:.0f} = condensing coal: outside the heating season a CHP "
                         "unit sells power only and sits in the merit order as condensing coal; in the season "
                         "its heat duty is the must-run floor (assumption)" if central else
                         f"marginal_cost {chp_cost:.0f}: assumption, condensing 260 less a heat-sales credit")
            rows.append({
                "name": f"{b}-coal_chp", "bus": b, "carrier": "coal_chp", "p_nom": round(chp, 1),
                "p_min_pu": chp_pmin, "p_min_pu_heating": chp_heat, "marginal_cost": chp_cost,
                "source": (f"{common}; CHP = units named 热电/Cogen"
                           + ("" if central else "/自备 or GEM captive CHP")
                           + f" plus a share f = {f:.3f} of the other local units (set on the 2025 fleet so that "
                           f"CHP is {CHP_SHARE_2020:.3f} of all coal as in PyPSA-China end-2020, {PYPSA_CAP})"
                           + ("; captive plants in separate rows" if central else "")
                           + f". p_min_pu {chp_pmin} / heating {chp_heat}: assumption (facts.md §9: 0.40+ in "
                           f"heating season, unsourced). {cost_note}"),
            })
    if central:
        for b, g in captive.groupby("bus"):
            al = g[g.Captive == "aluminum"].MW.sum()
            other = g.MW.sum() - al
            p = (al * CAPTIVE_PMIN["aluminum"] + other * CAPTIVE_PMIN["other"]) / g.MW.sum()
            rows.append({
                "name": f"{b}-coal-captive", "bus": b, "carrier": "coal", "p_nom": round(g.MW.sum(), 1),
                "p_min_pu": round(p, 3), "marginal_cost": COAL_MARGINAL_COST,
                "source": (f"captive plants (自备电厂): GEM units flagged Captive, {al:.0f} MW aluminium + "
                           f"{other:.0f} MW chemicals/metals ({status_note}), derived from {GEM_COAL}; they "
                           "serve smelters and chemical plants whose load is inside demand. p_min_pu: capacity-"
                           f"weighted {CAPTIVE_PMIN['aluminum']} aluminium (pot lines run flat) / "
                           f"{CAPTIVE_PMIN['other']} other (process steam): assumptions"),
            })
    for (b, corridor), g in ded.groupby(["bus", "corridor"]):
        why = "; ".join(sorted({EXPORT_PLANTS[p][1] for p in g["Plant name"]}))
        plants = ", ".join(sorted(set(g["Plant name (local)"])))
        rows.append({
            "name": f"{b}-coal-{corridor}", "bus": b, "carrier": "coal", "p_nom": round(g.MW.sum(), 1),
            "p_min_pu": pmin, "marginal_cost": COAL_MARGINAL_COST, "dedicated_to": corridor,
            "source": (f"GEM {status_note}: {plants}, derived from {GEM_COAL}. Dedicated because: {why}. "
                       f"p_min_pu/marginal_cost as condensing coal (assumptions)"),
        })
    for name, (b, mw, src, first_day) in extra_dedicated.items():
        rows.append({
            "name": name, "bus": b, "carrier": "coal", "p_nom": mw, "p_min_pu": pmin,
            "marginal_cost": COAL_MARGINAL_COST, "dedicated_to": name.split("-coal-")[1], "source": src,
            "in_service_date": first_day,
        })
    return rows


def other_rows(year: int) -> list[dict]:
    """Biomass, hydro and gas rows."""
    rows = []
    bio = BIOMASS_2025 if year <= 2025 else {b: v * BIOMASS_2030_FACTOR for b, v in BIOMASS_2025.items()}
    for b, mw in bio.items():
        rows.append({
            "name": f"{b}-biomass", "bus": b, "carrier": "biomass", "p_nom": round(mw, 1),
            "p_max_pu": BIOMASS_PMAX, "p_min_pu": BIOMASS_PMIN, "marginal_cost": BIOMASS_MARGINAL_COST,
            "source": ("0.57 GW biomass + waste-to-energy on 2025-10-31 (facts.md §1)"
                       + ("" if year <= 2025 else "; 2030 ~1.0 GW: assumption, plan 稳步发展农林生物质")
                       + "; league split: assumption (agricultural east and 河套, WtE at Hohhot/Baotou). "
                       f"p_max_pu 0.9 (schema default), p_min_pu 0.3 and marginal_cost {BIOMASS_MARGINAL_COST:.0f} "
                       "CNY/MWh (fuel ~300 CNY/t straw at ~1.2 kg/kWh): assumptions"),
        })
    for b, mw in HYDRO_MW.items():
        rows.append({
            "name": f"{b}-hydro", "bus": b, "carrier": "hydro", "p_nom": mw, "p_max_pu": HYDRO_PMAX,
            "marginal_cost": 0.0,
            "source": ("conventional hydro 1.22 GW = PyPSA-China hydro 2 420 MW less the 1 200 MW "
                       "Hohhot PHS it appears to include (蒙西 grid 'hydro' 2.09 GW end-2023 also "
                       "≈ 0.89 GW + 1.2 GW PHS) (" + PYPSA_CAP + "; facts.md §1); league split: "
                       "assumption (Yellow River 龙口/万家寨 IM side at Ordos, 三盛公 Bayannur, 海勃湾 "
                       "Wuhai; 尼尔基 share and small plants in the east). p_max_pu 0.3: assumption "
                       "(2022 hydro generation 3.65 TWh gives 0.34 if it excludes PHS, ~0.15 if it "
                       "includes Hohhot PHS's ~2 TWh)"),
        })
    for b, mw in GAS_MW.items():
        rows.append({
            "name": f"{b}-gas", "bus": b, "carrier": "gas", "p_nom": mw, "p_min_pu": 0.0,
            "marginal_cost": GAS_MARGINAL_COST,
            "source": ("GEM lists Sulige 2 x 150 MW gas (facts.md §1); held flat to 2030 (assumption). "
                       f"marginal_cost {GAS_MARGINAL_COST:.0f} CNY/MWh: assumption, ~2.5 CNY/m3 at ~0.2 m3/kWh + VOM"),
        })
    return rows


def solar_scale(b: str, weights: dict[str, float]) -> tuple[float, str]:
    """League solar scale: the fleet factor times the league's radiation over the fleet-weighted
    mean radiation (so the provincial total stays calibrated)."""
    mean = sum(SOLAR_RADIATION_KCAL[x] * w for x, w in weights.items()) / sum(weights.values())
    scale = round(FLEET_CF_SCALE * SOLAR_RADIATION_KCAL[b] / mean, 3)
    note = (f"capacity_factor_scale {scale} = fleet factor {FLEET_CF_SCALE} x league radiation "
            f"{SOLAR_RADIATION_KCAL[b]:.0f} / fleet-weighted mean {mean:.1f} kcal/cm2 (radiation classes of IM "
            "leagues, http://m.heztianyin.com/sell/ef2b6knrn1b58c.html; mid-points)")
    return scale, note


def in_year_date(year: int, share: float) -> str:
    """First day that gives a component ``share`` of the year in service."""
    days = (date(year + 1, 1, 1) - date(year, 1, 1)).days
    return (date(year + 1, 1, 1) - pd.Timedelta(days=round(share * days))).isoformat()


def derive_generators(coal: pd.DataFrame, league: pd.DataFrame, wind: pd.DataFrame,
                      summary: dict) -> dict[str, list[dict]]:
    """generators-2025.csv, generators-2030.csv (central) and generators-2030-optimistic.csv."""
    # 2025 in-year average new-energy fleet
    ne_avg = time_average(NE_PATH_2025) - BIOMASS_GW
    wind25 = ne_avg * WIND_SHARE_2025 * 1e3
    solar25 = ne_avg * 1e3 - wind25 - sum(CSP_2025.values())
    summary["ne_avg_2025"] = ne_avg
    wind_w25 = {b: league.loc[b, ["wind_operating_MW", "wind_construction_MW", "wind_pre-construction_MW"]].sum()
                for b in BUSES}
    wind_by_bus25 = split(wind25, wind_w25)
    solar_by_bus25 = split(solar25, SOLAR_SHARE_EXISTING)
    src_avg = (f"2025 in-year average fleet: time-weighted mean of the NE stock path end-2024 135 -> "
               f"2025-05-31 143.09 -> 2025-10-31 150.10 -> end-2025 170 GW (facts.md §1) = "
               f"{ne_avg + BIOMASS_GW:.1f} GW incl. 0.57 GW biomass -> {ne_avg:.1f} GW wind+solar; "
               f"the year-end 170 GW would overstate the energy of a year in which +35 GW came mostly in Q4")
    src_wind25 = (f"{src_avg}; wind share {WIND_SHARE_2025:.3f} = 97.41/(97.41+52.12) GW on 2025-10-31 "
                  f"(facts.md §1); league split by GEM wind operating+construction+pre-construction (May "
                  f"2023), derived from {GEM_LEAGUE} (pre-construction included because the fleet doubled "
                  "since 2023)")
    src_solar25 = (f"{src_avg}; solar = rest after wind; league split: assumption (no league-level PV data; "
                   "shares follow the PV bases: Ordos/Baotou/Bayannur/Alxa deserts and Gobi in the west, "
                   "Chifeng/Tongliao in the east), see docs/data.md")
    construction_MW = coal[coal.Status == "construction"]["MW"].sum()
    operating_MW = coal[coal.Status == "operating"]["MW"].sum()
    frac25 = (THERMAL_2025_GW * 1e3 - sum(GAS_MW.values()) - operating_MW) / construction_MW
    summary["frac_construction_2025"] = frac25
    chp_topup: dict[str, float] = {}
    check = league_wind_check(wind)
    summary["league_wind_check"] = check
    checked = "; ".join(
        f"{LEAGUES_BY_BUS[b]} {v['h2021']:.0f} h in 2021 ({v['ratio2021']:.2f} x IM), {v['h2022']:.0f} h in 2022 "
        f"({v['ratio2022']:.2f} x IM)" for b, v in check.items())
    ulanqab = share_ratio(wind, "ulanqab", ULANQAB_JAN_JUL_2021_TWH / IM_JAN_JUL_2021_TWH, 2021)
    summary["ulanqab_jan_jul_2021_ratio"] = ulanqab
    wind_note = ("capacity_factor_scale: fleet factor, the same in every league. League wind energies were found "
                 f"for two leagues over two years (内蒙古统计局 2022, {URL_WIND_STATS}); on GEM operating capacity "
                 f"({GEM_WIND}) they give {checked}: neither departs from the provincial mean by more than its own "
                 "change from one year to the next, so no league factor is set. 乌兰察布 Jan-Jul 2021 (one partial "
                 f"year, attributed by its source to a windy year) gives {ulanqab:.2f} x IM; not used (applied, it "
                 "raises utilisation by 0.3 pp). Search log and derivation: docs/data.md")
    ne_add_share = (time_average(NE_PATH_2025) - NE_PATH_2025[0][1]) / (NE_PATH_2025[-1][1] - NE_PATH_2025[0][1])
    st_add_share = (time_average(STORAGE_PATH_2025) - STORAGE_PATH_2025[0][1]) / (
        STORAGE_PATH_2025[-1][1] - STORAGE_PATH_2025[0][1])
    summary.update(ne_addition_share=ne_add_share, storage_addition_share=st_add_share)

    def ne_row(name: str, b: str, carrier: str, mw: float, src: str, central: bool,
               weights: dict[str, float] | None = None, **extra: object) -> dict:
        scale, note = FLEET_CF_SCALE, ""
        if central and carrier == "solar" and weights:
            scale, note = solar_scale(b, weights)
        elif central and carrier == "wind":
            note = wind_note
        return {"name": name, "bus": b, "carrier": carrier, "p_nom": round(mw, 1), "marginal_cost": 0.0,
                "capacity_factor_scale": scale, "source": src + (f"; {note}" if note else ""), **extra}

    gens: dict[str, list[dict]] = {}
    central = True  # 2025: one case, with the central settings (the calibration case)
    if central:
        g25: list[dict] = []
        for b in BUSES:
            if b in wind_by_bus25:
                g25.append(ne_row(f"{b}-wind", b, "wind", wind_by_bus25[b], src_wind25, central))
            if b in solar_by_bus25:
                g25.append(ne_row(f"{b}-solar", b, "solar", solar_by_bus25[b], src_solar25, central,
                                  solar_by_bus25))
        for b, mw in CSP_2025.items():
            g25.append({"name": f"{b}-csp", "bus": b, "carrier": "csp", "p_nom": mw, "marginal_cost": 0.0,
                        "capacity_factor_scale": FLEET_CF_SCALE,
                        "source": ("assumption: the 100 MW trough CSP plant at 乌拉特中旗 (in service 2020; public "
                                   "knowledge, not in the shared sources); counted inside the NE total")})
        fleet25 = coal_fleet(coal, {"operating": 1.0, "construction": frac25}, retire=False)
        g25 += coal_rows(fleet25, 2025, {}, chp_topup, frac25, central)
        g25 += other_rows(2025)
        g25 += import_rows()
        _fix_ne_total(g25, ne_avg * 1e3)
        gens["generators-2025.csv"] = g25

    # 2030
    ne_exist_ws = END_2025_NE_GW - 0.6  # wind+solar+csp end-2025 (less ~0.6 GW biomass)
    wind_exist = END_2025_WIND_GW * 1e3
    solar_exist = ne_exist_ws * 1e3 - wind_exist - sum(CSP_2025.values())
    ded_ne = len(NEW_CORRIDORS) * (BASE_WIND_GW + BASE_SOLAR_GW) * 1e3
    csp_new = sum(CSP_NEW_2030.values())
    rest = NE_2030_GW * 1e3 - ne_exist_ws * 1e3 - ded_ne - csp_new
    wind_new, solar_new = rest * NEW_LOCAL_WIND_SHARE, rest * (1 - NEW_LOCAL_WIND_SHARE)
    summary.update(ne_exist_ws=ne_exist_ws, ded_ne=ded_ne, rest=rest)
    wind_exist_bus = split(wind_exist, wind_w25)
    solar_exist_bus = split(solar_exist, SOLAR_SHARE_EXISTING)
    wind_pipe = {b: league.loc[b, ["wind_pre-construction_MW", "wind_announced_MW"]].sum() for b in BUSES}
    wind_new_bus = split(wind_new, wind_pipe)
    solar_new_bus = split(solar_new, SOLAR_SHARE_NEW_LOCAL)
    solar_w30 = {b: solar_exist_bus.get(b, 0.0) + solar_new_bus.get(b, 0.0) for b in BUSES}
    src30 = (f"2030: NE total {NE_2030_GW:.0f} GW (plan 第十六章) = end-2025 fleet {ne_exist_ws:.1f} GW "
             f"(>170 GW incl. ~0.6 GW biomass; wind >100 GW, facts.md §1) + {ded_ne / 1e3:.0f} GW dedicated "
             f"desert-base NE of the six 2030 corridors (separate rows) + {csp_new / 1e3:.1f} GW new CSP + "
             f"{rest / 1e3:.1f} GW other additions for local use (绿电直连, 零碳园区, 源网荷储)")
    add_date = in_year_date(2030, ne_add_share)
    add_note = (f"; of which this row: the 2030 additions, 1/{BUILD_YEARS_2026_30} of the bus's 2026-30 additions "
                f"(assumption: even build-out), in service from {add_date} so that they run {ne_add_share:.2f} of "
                "the year, 2025's in-year share of additions (end-2024 135 -> average 145.7 -> end-2025 170 GW, "
                "facts.md §1)")
    for central in (True, False):
        g30: list[dict] = []
        for b in BUSES:
            for carrier, exist, new, text in (
                ("wind", wind_exist_bus.get(b, 0.0), wind_new_bus.get(b, 0.0),
                 f"{src30}. Wind: end-2025 {wind_exist / 1e3:.0f} GW split like 2025 (GEM op+constr+pre-construction) "
                 f"+ {NEW_LOCAL_WIND_SHARE:.0%} of the other additions (assumption) split by the GEM wind pipeline "
                 f"(pre-construction + announced), derived from {GEM_LEAGUE}"),
                ("solar", solar_exist_bus.get(b, 0.0), solar_new_bus.get(b, 0.0),
                 f"{src30}. Solar: end-2025 {solar_exist / 1e3:.1f} GW split like 2025 (assumption) + the rest of the "
                 "other additions, split by assumed shares favouring the western deserts and the zero-carbon parks "
                 "(Ordos 蒙苏, Baotou), see docs/data.md"),
            ):
                if exist + new <= 0:
                    continue
                if central:
                    last = new / BUILD_YEARS_2026_30
                    g30.append(ne_row(f"{b}-{carrier}", b, carrier, exist + new - last, text, central, solar_w30))
                    if last > 0:
                        g30.append(ne_row(f"{b}-{carrier}-2030", b, carrier, last, text + add_note, central,
                                          solar_w30, in_service_date=add_date))
                else:
                    g30.append(ne_row(f"{b}-{carrier}", b, carrier, exist + new, text, central))
        for b in BUSES:
            mw = CSP_2025.get(b, 0.0) + CSP_NEW_2030.get(b, 0.0)
            if mw > 0:
                g30.append({"name": f"{b}-csp", "bus": b, "carrier": "csp", "p_nom": mw, "marginal_cost": 0.0,
                            "capacity_factor_scale": FLEET_CF_SCALE,
                            "source": ("assumption: 1.5 GW CSP in 2030 in the western deserts (plan 第十六章: "
                                       "因地制宜发展太阳能光热发电; size not given), incl. the existing 0.1 GW at "
                                       "乌拉特中旗; counted inside the 325 GW")})
        extra_coal = {}
        for corr, (zh, b, _rg, _yr, src) in NEW_CORRIDORS.items():
            base_src = ("base template 8 GW PV + 4 GW wind + 4 GW coal per 8 GW corridor: sourced for 蒙西—京津冀 "
                        "(Kubuqi base) and 腾格里 (华电 base), assumption for the other corridors; " + src)
            ne_date = coal_date = None
            if central:
                line_date, _why = CORRIDOR_DATES_CENTRAL[corr]
                coal_date = line_date
                ne_date = line_date if line_date <= "2030-12-31" else "2030-12-31"
                base_src += (f"; in service with its line from {line_date} (assumption: base and line are built "
                             "together, 配套同步)" + ("" if line_date <= "2030-12-31" else
                             "; its NE is connected by 2030-12-31 (the year-end rush of 2025, facts.md §1) and "
                             "counts toward the year-end capacity, its coal waits for the line"))
            g30.append(ne_row(f"{b}-wind-{corr}", b, "wind", BASE_WIND_GW * 1e3, f"{zh} dedicated NE: {base_src}",
                              central, dedicated_to=corr, in_service_date=ne_date))
            g30.append(ne_row(f"{b}-solar-{corr}", b, "solar", BASE_SOLAR_GW * 1e3, f"{zh} dedicated NE: {base_src}",
                              central, solar_w30, dedicated_to=corr, in_service_date=ne_date))
            coal_src = f"{zh} dedicated coal: {base_src}"
            if corr == "tengger-jiangxi":
                coal_src += ("; matches GEM pre-permit 内蒙古华电腾格里煤电厂 4 x 1000 MW (" + GEM_COAL + ")")
            extra_coal[f"{b}-coal-{corr}"] = (b, BASE_COAL_GW * 1e3,
                                              coal_src + "; p_min_pu/marginal_cost as condensing coal", coal_date)
        fleet30 = coal_fleet(coal, {"operating": 1.0, "construction": 1.0, "permitted": 1.0}, retire=True)
        g30 += coal_rows(fleet30, 2030, extra_coal, chp_topup, frac25, central)
        g30 += other_rows(2030)
        g30 += import_rows()
        _fix_ne_total(g30, NE_2030_GW * 1e3)
        gens["generators-2030.csv" if central else "generators-2030-optimistic.csv"] = g30

    gen_header = ["name", "bus", "carrier", "p_nom", "p_max_pu", "p_min_pu", "p_min_pu_heating",
                  "marginal_cost", "dedicated_to", "capacity_factor_scale", "in_service_date", "source"]
    note = ("Generator fleets, one row per (bus, carrier[, corridor]); p_nom MW, marginal_cost CNY/MWh. "
            "Generated by scenarios/data/derive.py; see docs/data.md.")
    titles = {"generators-2025.csv": "2025 in-year average fleet. ",
              "generators-2030.csv": "2030 central case (fleet in service hour by hour). ",
              "generators-2030-optimistic.csv": "2030 optimistic case (settings before issue 13). "}
    for fname, rows in gens.items():
        write(fname, gen_header, rows, titles[fname] + note)
    summary["storage_addition_date"] = in_year_date(2030, st_add_share)
    return gens


# ---- storage ----------------------------------------------------------------------------------


def _ne_by_bus(gens: list[dict]) -> dict[str, float]:
    out: dict[str, float] = defaultdict(float)
    for g in gens:
        if g["carrier"] in ("wind", "solar", "csp"):
            out[g["bus"]] += g["p_nom"]
    return out


def storage_rows(total: float, gens: list[dict], year: int, additions_date: str | None = None) -> list[dict]:
    """New-type storage split by NE capacity, plus pumped hydro; with ``additions_date`` the model
    year's additions get their own rows entering that day."""
    eff = round(LI_RT ** 0.5, 4)
    phs_eff = round(PHS_RT ** 0.5, 4)
    rows = []
    split_ = split(total, _ne_by_bus(gens))
    head = (f"2025 in-year average: time-weighted mean of end-2024 10.32 -> 2025-Q1 10.86 -> end-2025 >17 GW "
            f"(facts.md §1) = {total / 1e3:.2f} GW" if year <= 2025
            else "2030: 60 GW new-type storage (plan 第十六章第三节)")
    common = {"kind": "new_type", "max_hours": round(STORAGE_HOURS, 2), "efficiency_store": eff,
              "efficiency_dispatch": eff, "standing_loss": STORAGE_STANDING_LOSS}
    text = ("league split by the bus's wind+solar capacity (assumption: storage is "
            "mostly built with NE projects, 15 % rule of 2022, facts.md §7); max_hours "
            "42.96 GWh / 10.17 GW of the 2026-02 independent-storage list (facts.md §7); "
            f"round-trip {LI_RT} (assumption, Li-ion incl. auxiliaries) -> {eff} each way; "
            "standing_loss 1e-4 /h: assumption")
    added = (STORAGE_2030_MW - STORAGE_PATH_2025[-1][1] * 1e3) / BUILD_YEARS_2026_30
    for b, mw in split_.items():
        if additions_date:
            last = added * mw / total
            rows.append({"name": f"{b}-new_type", "bus": b, "p_nom": round(mw - last, 1), **common,
                         "source": f"{head}; {text}"})
            rows.append({"name": f"{b}-new_type-2030", "bus": b, "p_nom": round(last, 1), **common,
                         "in_service_date": additions_date,
                         "source": (f"{head}; {text}; this row: the 2030 additions, 1/{BUILD_YEARS_2026_30} of "
                                    f"60 - 17 GW (assumption: even build-out), in service from {additions_date} "
                                    "so that they run 2025's in-year share of additions (10.32 -> average 13.11 "
                                    "-> 17 GW, facts.md §1)")})
        else:
            rows.append({"name": f"{b}-new_type", "bus": b, "p_nom": round(mw, 1), **common,
                         "source": f"{head}; {text}"})
    phs = [("hohhot", "呼和浩特", 2014)]
    if year >= 2030:
        phs += [("chifeng", "芝瑞", 2030), ("wuhai", "乌海", 2030)]
    for b, zh, _ in phs:
        rows.append({
            "name": f"{b}-phs", "bus": b, "kind": "pumped_hydro", "p_nom": PHS_UNIT_MW, "max_hours": PHS_MAX_HOURS,
            "efficiency_store": phs_eff, "efficiency_dispatch": phs_eff, "standing_loss": 0.0,
            "source": (f"{zh} PHS 4 x 300 MW (facts.md §6)"
                       + ("" if b == "hohhot" else "; in service by 2030: assumption (芝瑞 under construction "
                          "since 2019-08, 乌海 reservoirs impound 2026)")
                       + f"; round-trip 2.007/2.677 TWh = {PHS_RT:.3f} (Hohhot design, facts.md §6) -> "
                       f"{phs_eff} each way; max_hours 6: assumption (typical daily-cycle PHS)"),
        })
    return rows


def derive_storage(gens: dict[str, list[dict]], summary: dict) -> None:
    """storage-2025.csv, storage-2030.csv (central, with the 2030 additions) and -optimistic."""
    st_header = ["name", "bus", "kind", "p_nom", "max_hours", "efficiency_store", "efficiency_dispatch",
                 "standing_loss", "in_service_date", "source"]
    st_avg = time_average(STORAGE_PATH_2025) * 1e3
    st25 = storage_rows(st_avg, gens["generators-2025.csv"], 2025)
    st30 = storage_rows(STORAGE_2030_MW, gens["generators-2030.csv"], 2030, summary["storage_addition_date"])
    st30o = storage_rows(STORAGE_2030_MW, gens["generators-2030-optimistic.csv"], 2030)
    _fix_total(st25, "new_type", st_avg)
    _fix_total(st30, "new_type", STORAGE_2030_MW)
    _fix_total(st30o, "new_type", STORAGE_2030_MW)
    summary["storage_avg_2025"] = st_avg
    write("storage-2025.csv", st_header, st25, "Storage 2025 (in-year average). MW, h. Generated by derive.py.")
    write("storage-2030.csv", st_header, st30,
          "Storage 2030 (central: the 2030 additions enter during the year). MW, h. Generated by derive.py.")
    write("storage-2030-optimistic.csv", st_header, st30o,
          "Storage 2030 (optimistic: all in service all year). MW, h. Generated by derive.py.")


# ---- lines ------------------------------------------------------------------------------------


def derive_lines() -> None:
    """lines.csv (2025 = 2030 central backbone) and lines-2030-expansion.csv (grid-expansion)."""
    line_header = ["name", "bus0", "bus1", "kind", "p_nom", "efficiency", "source"]
    tree = [  # bus0, bus1, 2025 MW, efficiency, note
        ("alxa", "wuhai", 3000.0, 0.985, "乌斯太—乌海, ~100 km"),
        ("wuhai", "ordos", 4000.0, 0.985, "乌海—棋盘井/鄂尔多斯 west, ~150 km"),
        ("bayannur", "baotou", 3000.0, 0.98, "临河—包头 along the Yellow River, ~250 km"),
        ("ordos", "baotou", 6000.0, 0.99, "鄂尔多斯—包头 across the Yellow River, ~100 km, several circuits"),
        ("baotou", "hohhot", 6000.0, 0.985, "包头—呼和浩特, ~170 km, several circuits"),
        ("hohhot", "ulanqab", 5000.0, 0.985, "呼和浩特—乌兰察布, ~130 km"),
        ("ulanqab", "xilingol", 2000.0, 0.975, "乌兰察布—锡林郭勒, ~400 km; weak tie: the 锡盟 export "
                                                "plants connect to State Grid, not to the 蒙西 grid"),
        ("chifeng", "tongliao", 3000.0, 0.98, "赤峰—通辽 (蒙东), ~300 km"),
        ("tongliao", "hinggan", 2000.0, 0.98, "通辽—兴安 (蒙东), ~300 km"),
        ("hinggan", "hulunbuir", 2000.0, 0.975, "兴安—呼伦贝尔 (蒙东), ~450 km"),
    ]
    base = ("internal backbone reduced to a radial tree (the dispatch kernel needs one; parallel paths are "
            "merged). p_nom: assumption, ~2-3 GW per 500 kV double circuit times the circuits judged to "
            "run between the two buses; efficiency: assumption, ~1-2 % loss for 100-450 km of 500 kV")
    lines25, lines_x = [], []
    for b0, b1, mw, eff_l, note_l in tree:
        lines25.append({"name": f"{b0}-{b1}", "bus0": b0, "bus1": b1, "kind": "ac_500kv", "p_nom": mw,
                        "efficiency": eff_l, "source": f"{note_l}; {base}"})
        lines_x.append({"name": f"{b0}-{b1}", "bus0": b0, "bus1": b1, "kind": "ac_500kv",
                        "p_nom": mw * BACKBONE_EXPANSION_FACTOR, "efficiency": eff_l,
                        "source": (f"{note_l}; {base}; 2030 x{BACKBONE_EXPANSION_FACTOR}: assumption for the plan's "
                                   "谋划构建区内电网 500 千伏主干网架 (第三十四章第二节)")})
    lines_x.append({"name": "xilingol-chifeng", "bus0": "xilingol", "bus1": "chifeng", "kind": "dc_internal",
                    "p_nom": XILINGOL_CHIFENG_DC_MW, "efficiency": 0.97,
                    "source": ("蒙西—蒙东 tie; plan 第三十四章第二节: 研究推动区内自用特高压柔性直流输电工程 (study "
                               "stage). 4 GW by 2030 and 3 % loss: assumption (optimistic for a project still being "
                               "studied; no 蒙西—蒙东 tie in 2025: the two grids are not directly interconnected "
                               "inside IM)")})
    write("lines.csv", line_header, lines25,
          "Internal backbone 2025, kept for the 2030 central case (no reinforcement under construction found). "
          "Radial tree, MW. Generated by derive.py.")
    write("lines-2030-expansion.csv", line_header, lines_x,
          "Internal backbone 2030 with the plan's studied reinforcements (grid-expansion and optimistic "
          "variants). Radial tree, MW. Generated by derive.py.")


# ---- corridors --------------------------------------------------------------------------------


def derive_corridors(summary: dict) -> None:
    """corridors.csv (central) and corridors-optimistic.csv."""
    corr_header = ["name", "name_zh", "bus", "receiving_grid", "kind", "p_nom", "efficiency", "in_service_year",
                   "in_service_date", "delivery_curve", "annual_TWh", "utilisation_hours", "min_renewable_share",
                   "flexible_export", "surplus_share", "surplus_hours", "support_floor_pu", "source"]
    H25 = LEGACY_UHV_HOURS_2025
    cal = (f"2025 schedule {H25:.0f} h: assumption calibrated so the legacy UHV lines send ~184 TWh (2024 UHV "
           "export 170.6 TWh, globalpulseonline 2025-11, facts.md §2, + growth; design energies are higher) and all "
           "corridors together ~350 TWh (2025 total export, facts.md §2)")
    cf = "../shared/data/im_export_corridors.csv"
    corr = [
        dict(name="ximeng-shandong", name_zh="锡盟—山东", bus="xilingol", receiving_grid="shandong", kind="uhvac",
             p_nom=5000.0, efficiency=0.96, in_service_year=2016, utilisation_hours=H25,
             source=(f"1000 kV AC, in service 2016 ({cf}); p_nom assumption: 2023-04 UHV export capability 46 GW "
                     "(qsrb.cn, facts.md §5) less the three 10 GW DCs and 蒙西—天津南 8 GW leaves 8 GW for 锡盟—山东 + "
                     f"蒙西—晋中, split 5:3; loss 4 %: assumption; {cal}")),
        dict(name="mengxi-tianjinnan", name_zh="蒙西—天津南", bus="ordos", receiving_grid="jjj", kind="uhvac",
             p_nom=8000.0, efficiency=0.96, in_service_year=2016, utilisation_hours=H25,
             source=f"1000 kV AC, +8 GW export capability, ~40 TWh/yr design, 2016 ({cf}); loss: assumption; {cal}"),
        dict(name="mengxi-jinzhong", name_zh="蒙西—晋中", bus="ordos", receiving_grid="shanxi", kind="uhvac",
             p_nom=3000.0, efficiency=0.97, in_service_year=2020, utilisation_hours=H25,
             source=(f"1000 kV AC, 2020 ({cf}); p_nom assumption (see ximeng-shandong: 8 GW residual split 5:3); "
                     f"{cal}")),
        dict(name="zhangbei-shengli", name_zh="张北—胜利", bus="xilingol", receiving_grid="jjj", kind="uhvac",
             p_nom=5000.0, efficiency=0.97, in_service_year=2024, utilisation_hours=H25,
             source=(f"1000 kV AC, in service 2024-10-31 ({cf}); capacity not found: 5 GW is an assumption (the "
                     "9 000 MVA are transformer additions; the quoted >70 TWh/yr would need ~7 800 h at 9 GW and is "
                     f"not used); {cal}")),
        dict(name="ximeng-taizhou", name_zh="锡盟—泰州", bus="xilingol", receiving_grid="jiangsu", kind="uhvdc",
             p_nom=10000.0, efficiency=0.93, in_service_year=2017, utilisation_hours=H25,
             source=(f"±800 kV 10 GW, 2017-09-30, ~1 630 km, design ~50 TWh/yr = 5 000 h ({cf}); loss 7 % "
                     f"(schema default, ~1 600 km DC): assumption; {cal}")),
        dict(name="shanghaimiao-linyi", name_zh="上海庙—临沂", bus="ordos", receiving_grid="shandong", kind="uhvdc",
             p_nom=10000.0, efficiency=0.94, in_service_year=2019, utilisation_hours=H25,
             source=f"±800 kV 10 GW, 2019-01, 1 238 km ({cf}); loss 6 %: assumption; {cal}"),
        dict(name="jarud-qingzhou", name_zh="扎鲁特—青州", bus="tongliao", receiving_grid="shandong", kind="uhvdc",
             p_nom=10000.0, efficiency=0.94, in_service_year=2017, utilisation_hours=H25,
             source=(f"±800 kV 10 GW, end-2017, 1 234 km, design ~55 TWh/yr ({cf}); also carries Northeast-grid "
                     f"surplus; loss 6 %: assumption; {cal}")),
    ]
    p2g = "500 kV point-to-grid line of a coal plant (capacity not found, facts.md §5)"
    kind_note = "kind uhvac: the schema has no 500 kV AC corridor kind"
    for name, zh, b, mw, plant, yr in [("togtoh-jjj", "托克托—京津唐", "hohhot", 5400.0, 6120, 2003),
                                       ("daihai-jjj", "岱海—京津唐", "ulanqab", 2200.0, 2460, 2006),
                                       ("shangdu-jjj", "上都—京津唐", "xilingol", 3400.0, 3720, 2006)]:
        corr.append(dict(name=name, name_zh=zh, bus=b, receiving_grid="jjj", kind="uhvac", p_nom=mw,
                         efficiency=0.97, in_service_year=yr, delivery_curve="flat", utilisation_hours=POINT_TO_GRID_HOURS,
                         flexible_export=False,
                         source=(f"{p2g}: p_nom assumption = GEM plant capacity {plant} MW less ~10 % auxiliary "
                                 f"use ({GEM_COAL}); 5 000 h flat base-load schedule and first year: assumptions; "
                                 f"{kind_note}")))
    corr.append(dict(name="yimin-mujia", name_zh="伊敏—穆家 (呼辽直流)", bus="hulunbuir", receiving_grid="liaoning",
                     kind="hvdc", p_nom=3000.0, efficiency=0.95, in_service_year=2010, delivery_curve="flat",
                     utilisation_hours=POINT_TO_GRID_HOURS, flexible_export=False,
                     source=("±500 kV; 3 GW is the unsourced estimate of facts.md §5; 5 000 h, first year, 5 % loss: "
                             "assumptions")))
    # 蒙东 500 kV AC exports into the Northeast grid: 212.26 TWh State Grid 蒙东 export 2024 less 144.0 TWh UHV
    # (facts.md §2) = 68.3 TWh non-UHV, less ~15 TWh 伊敏—穆家.
    md_ac = 212.26 - 144.0 - 15.0
    for name, zh, b, rg, mw in [("chifeng-liaoning", "赤峰—辽宁 500 kV", "chifeng", "liaoning", 5000.0),
                                ("tongliao-northeast", "通辽—东北 500 kV", "tongliao", "northeast", 6000.0)]:
        corr.append(dict(name=name, name_zh=zh, bus=b, receiving_grid=rg, kind="uhvac", p_nom=mw,
                         efficiency=0.97, in_service_year=2005, annual_TWh=round(md_ac * mw / 11000.0, 2),
                         source=(f"蒙东 500 kV AC ties into the Northeast grid (蒙东 is part of it). Energy derived: "
                                 f"State Grid 蒙东 export 2024 212.26 TWh less UHV 144.0 TWh (facts.md §2) less ~15 TWh "
                                 f"伊敏—穆家 = {md_ac:.1f} TWh, split by p_nom; p_nom (5 + 6 GW), first year and loss: "
                                 f"assumptions; {kind_note}")))
    sent = sum(c.get("annual_TWh") or c["utilisation_hours"] * c["p_nom"] / 1e6 for c in corr)
    resid = 350.0 - sent - EXPORT_SURPLUS_2025_TWH
    corr.append(dict(name="mengxi-huabei", name_zh="蒙西—华北 500 kV", bus="ulanqab", receiving_grid="jjj",
                     kind="uhvac", p_nom=8000.0, efficiency=0.97, in_service_year=2005, annual_TWh=round(resid, 1),
                     source=("Inner Mongolia Power Group's 500 kV ties to North China (丰泉/汗海 -> 河北): p_nom 8 GW "
                             "assumption; energy = residual so that all corridors send 350 TWh in 2025 (facts.md §2: "
                             f"total export 350 TWh) with {EXPORT_SURPLUS_2025_TWH} TWh of it sold above schedule "
                             f"(calibrated on baseline-2025); {kind_note}")))
    summary["export_2025_TWh"] = sent + resid
    for cname, (zh, b, rg, yr, src) in NEW_CORRIDORS.items():
        row = dict(name=cname, name_zh=zh, bus=b, receiving_grid=rg, kind="uhvdc", p_nom=NEW_CORRIDOR_MW, efficiency=NEW_CORRIDOR_EFFICIENCY,
                   in_service_year=yr, delivery_curve="solar_shaped", flexible_export=True)
        if cname == "mengxi-jjj":
            row.update(annual_TWh=36.0, min_renewable_share=0.6, source=(
                f"{src}; delivery_curve solar_shaped (PV-led base) and loss 7 %: assumptions"))
        else:
            row.update(utilisation_hours=NEW_CORRIDOR_HOURS, min_renewable_share=NEW_CORRIDOR_NE_SHARE, source=(
                f"{src}; 8 GW ±800 kV (standard rating), 4 500 h (= 蒙西—京津冀's 36 TWh / 8 GW), solar_shaped "
                f"curve, 7 % loss and in_service_year {yr} (plan: 加快推进...建设; a ±800 kV line takes ~2-3 years "
                "after the start; some may slip past 2030, see plan-2030-corridors-delayed): assumptions; "
                "min_renewable_share 0.5: project examples >=50 % (facts.md §5), no formal rule found"))
        corr.append(row)
    for cname, (zh, b, rg) in PREPARATORY.items():
        corr.append(dict(name=cname, name_zh=zh, bus=b, receiving_grid=rg, kind="uhvdc", p_nom=8000.0,
                         efficiency=NEW_CORRIDOR_EFFICIENCY, in_service_year=PREPARATORY_YEAR,
                         delivery_curve="solar_shaped", utilisation_hours=NEW_CORRIDOR_HOURS,
                         min_renewable_share=NEW_CORRIDOR_NE_SHARE,
                         source=("plan 专栏25: 加快推动呼伦贝尔市、赤峰市、锡林郭勒盟等沙戈荒大基地外送通道前期工作 "
                                 "(preparatory only) -> in_service_year 2032: assumption; receiving grid a "
                                 "placeholder (锡盟 绿电进京 -> jjj per 倍增方案 2023-11); 8 GW/4 500 h/0.5 as the "
                                 "other desert-base corridors (assumptions)")))
    for c in corr:
        c.setdefault("delivery_curve", "receiving_load")
        c.setdefault("min_renewable_share", 0.0)
        c.setdefault("flexible_export", True)
        c["flexible_export"] = "true" if c["flexible_export"] else "false"
    optimistic = [dict(c) for c in corr]
    for c in optimistic:  # the optimistic case sold no surplus in its calibration (settings before issue 13)
        if c["name"] == "mengxi-huabei":
            c["annual_TWh"] = round(c["annual_TWh"] + EXPORT_SURPLUS_2025_TWH, 1)
            c["source"] = c["source"].replace(f" with {EXPORT_SURPLUS_2025_TWH} TWh of it sold above schedule "
                                              "(calibrated on baseline-2025)", "")
    for c in corr:  # central case (issue 13)
        if c["name"] in CORRIDOR_DATES_CENTRAL:
            day, why = CORRIDOR_DATES_CENTRAL[c["name"]]
            c["in_service_date"], c["in_service_year"] = day, None
            c["delivery_curve"] = DESERT_DELIVERY_CURVE_CENTRAL
            c["source"] += (f"; central case: in service from {day} ({why}); delivery_curve "
                            f"{DESERT_DELIVERY_CURVE_CENTRAL}: the receiving grids' evening-peaking load (they "
                            "have midday solar surplus of their own; assumption replacing solar_shaped)")
        if c["kind"] == "uhvdc":
            c["support_floor_pu"] = SUPPORT_FLOOR_PU
            c["source"] += (f"; support_floor_pu {SUPPORT_FLOOR_PU}: assumption, a desert base pairs 8 GW DC with "
                            "4 GW coal (facts.md §5), held at ~0.5 of its rating at full schedule = 2 GW per 8 GW "
                            "sent (sending-end short-circuit/stability support; no rule text found)")
        if c["flexible_export"] == "true" and c["name"] in REGIONAL_AC_TIES:
            c["surplus_share"] = SURPLUS_SHARE_REGIONAL_AC
            c["source"] += (f"; surplus_share {SURPLUS_SHARE_REGIONAL_AC}: a tie inside one synchronous regional grid "
                            "takes surplus without a market limit (assumption; calibrated on 2025 export, docs/data.md)")
        elif c["flexible_export"] == "true":
            c["surplus_share"], c["surplus_hours"] = SURPLUS_SHARE_UHV, SURPLUS_HOURS_UHV
            c["source"] += (f"; surplus market: share {SURPLUS_SHARE_UHV} of the headroom in hours {SURPLUS_HOURS_UHV} "
                            "(assumption: spot sales above the contract, none into the receiving grids' midday solar "
                            "peak; calibrated on 2025 NE export 90 TWh, facts.md §2, docs/data.md)")
    write("corridors.csv", corr_header, corr,
          "Export corridors, central case (all model years; in_service_year/in_service_date select). MW, TWh, h. "
          "Generated by derive.py.")
    write("corridors-optimistic.csv", corr_header, optimistic,
          "Export corridors, optimistic case (settings before issue 13). MW, TWh, h. Generated by derive.py.")


def main(shared: Path) -> None:
    """Write every table of scenarios/data from the shared reference data."""
    coal, league = read_gem(shared)
    wind = read_wind(shared)
    summary: dict[str, object] = {}
    derive_buses(coal, wind, summary)
    gens = derive_generators(coal, league, wind, summary)
    derive_storage(gens, summary)
    derive_lines()
    derive_corridors(summary)
    for k, v in summary.items():
        print(f"{k}: {v}")


def _fix_ne_total(rows: list[dict], target: float) -> None:
    """Put the rounding residue on the largest NE row so the NE total is exact."""
    ne = [r for r in rows if r["carrier"] in ("wind", "solar", "csp")]
    for r in ne:  # whole MW, so that totals add up exactly in floating point
        r["p_nom"] = float(round(r["p_nom"]))
    resid = target - sum(r["p_nom"] for r in ne)
    big = max(ne, key=lambda r: r["p_nom"])
    big["p_nom"] = float(round(big["p_nom"] + resid))


def _fix_total(rows: list[dict], kind: str, target: float) -> None:
    sel = [r for r in rows if r["kind"] == kind]
    for r in sel:
        r["p_nom"] = float(round(r["p_nom"]))
    resid = round(target) - sum(r["p_nom"] for r in sel)
    big = max(sel, key=lambda r: r["p_nom"])
    big["p_nom"] = float(round(big["p_nom"] + resid))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SHARED)
