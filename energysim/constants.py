"""Vocabularies shared across energysim: engines, carriers with colours and nice names, regions."""

from __future__ import annotations

from typing import Literal, get_args

__all__ = [
    "CARRIERS",
    "ENGINES",
    "Engine",
    "RECEIVING_GRID_LOCATIONS",
]

Engine = Literal["kernel", "reference", "lp"]
ENGINES = frozenset(get_args(Engine))

# name -> (colour, English nice name, Chinese nice name). The one carrier colour table used by the
# PyPSA network (Carrier.color) and by every chart.
CARRIERS: dict[str, tuple[str, str, str]] = {
    "wind": ("#3B8BC2", "Wind", "风电"),
    "solar": ("#F5C518", "Solar PV", "光伏"),
    "csp": ("#E07B39", "Solar thermal (CSP)", "光热"),
    "hydro": ("#2A9D8F", "Hydro", "水电"),
    "biomass": ("#6A994E", "Biomass", "生物质"),
    "coal": ("#5C5C5C", "Coal", "煤电"),
    "coal_chp": ("#8C6D62", "Coal CHP", "热电联产"),
    "gas": ("#C97B84", "Gas", "燃气"),
    "new_type": ("#9B5DE5", "New-type storage", "新型储能"),
    "pumped_hydro": ("#00B4D8", "Pumped hydro", "抽水蓄能"),
    "electrolyser": ("#80ED99", "Electrolysers", "电解制氢"),
    "data_centre": ("#B5838D", "Data centres", "数据中心"),
    "demand_response": ("#FF9F1C", "Demand response", "需求响应"),
    "unserved": ("#D62828", "Unserved energy", "缺电"),
    "thermal_relief": ("#444444", "Must-run relief", "火电压减"),
    "curtailment": ("#BBBBBB", "Curtailment", "弃风弃光"),
    "export": ("#1D3557", "Export corridors", "外送"),
    "export_shortfall": ("#E63946", "Export shortfall", "外送缺额"),
    "export_surplus": ("#457B9D", "Surplus export", "富余外送"),
    "load": ("#000000", "Demand", "负荷"),
    "AC": ("#707070", "AC", "交流"),
    "DC": ("#A0A0A0", "DC", "直流"),
}

# The receiving grids, with approximate coordinates (lon, lat) of their load centres (provincial
# capitals; used only to draw the schematic map and place receiving buses in the PyPSA network).
# The one list of valid ``receiving_grid`` values; its order numbers the synthetic generator's
# random streams (energysim.profiles.synthetic.REGIONS), so append, never reorder.
RECEIVING_GRID_LOCATIONS: dict[str, tuple[float, float]] = {
    "shandong": (117.0, 36.7),
    "jiangsu": (118.8, 32.1),
    "jjj": (116.4, 39.9),
    "shanxi": (112.5, 37.9),
    "shanghai": (121.5, 31.2),
    "anhui": (117.3, 31.9),
    "liaoning": (123.4, 41.8),
    "jiangxi": (115.9, 28.7),
    "zhejiang": (120.2, 30.3),
    "northeast": (126.6, 45.8),
}
