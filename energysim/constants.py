"""Vocabularies shared across energysim: carrier sets, verdicts, component names, regions.

The one place where these words are spelled out. Carrier sets (which carriers count as new energy,
which are thermal, ...) are used by the config checks, the packer, the LP, the results and the
charts; verdicts by the check, sweeps and report; component names by the PyPSA network, the LP
and the round trip back into a network (:func:`energysim.network.to_pypsa`).
"""

from __future__ import annotations

__all__ = [
    "CARRIERS",
    "COAL_CARRIERS",
    "FAIL",
    "IMPORT_CARRIERS",
    "NEW_ENERGY_CARRIERS",
    "PASS",
    "PASS_OPTIMAL",
    "PROFILE_CARRIERS",
    "RECEIVING_GRID_LOCATIONS",
    "RENEWABLE_CARRIERS",
    "THERMAL_CARRIERS",
    "VERDICTS",
    "ZERO_COST_CARRIERS",
    "component",
]

# -- carrier sets ---------------------------------------------------------------------------------

NEW_ENERGY_CARRIERS: tuple[str, ...] = ("wind", "solar", "csp")
"""New energy (新能源): wind, solar PV and solar thermal (CSP)."""
PROFILE_CARRIERS: tuple[str, ...] = NEW_ENERGY_CARRIERS
"""Carriers whose availability follows an hourly weather profile."""
ZERO_COST_CARRIERS: tuple[str, ...] = ("wind", "solar", "csp", "hydro")
"""Carriers dispatched first at zero cost (curtailable; hydro as a run-of-river profile)."""
IMPORT_CARRIERS: tuple[str, ...] = ("import",)
"""Imports from a neighbouring grid over existing ties (e.g. the Northeast grid at 蒙东): dispatched
as the last merit-order tier, never Inner Mongolian generation (excluded from generation,
emissions, new-energy and thermal totals; reported as ``import_TWh``)."""
THERMAL_CARRIERS: tuple[str, ...] = ("coal", "coal_chp", "gas", "biomass", *IMPORT_CARRIERS)
"""Dispatchable carriers with a must-run floor and a merit-order tier (imports included: the
packer and the LP treat them as the last tier)."""
RENEWABLE_CARRIERS: tuple[str, ...] = ("wind", "solar", "csp", "hydro", "biomass")
"""Carriers counted in the renewable consumption weight (可再生能源消纳权重)."""
COAL_CARRIERS: tuple[str, ...] = ("coal", "coal_chp")
"""Carriers summed as coal generation."""

# -- verdicts -------------------------------------------------------------------------------------

PASS, PASS_OPTIMAL, FAIL = "pass", "pass with optimal operation", "fail"
"""Verdicts of a target: met by the kernel, met only at the LP optimum, missed."""
VERDICTS: tuple[str, ...] = (PASS, PASS_OPTIMAL, FAIL)

# -- component names ------------------------------------------------------------------------------

_COMPONENT_NAMES: dict[str, str] = {
    "demand": "{} demand",  # Load: a bus's inflexible demand
    "unserved": "{} unserved",  # Generator: unserved energy at a bus
    "thermal_relief": "{} thermal relief",  # Generator (sign -1): must-run relief at a bus
    "demand_response": "{} demand response",  # Generator: demand response at a bus
    "demand_response_payback": "{} demand response payback",  # Generator (LP only)
    "receiving": "{} receiving",  # Bus: a corridor's receiving end
    "schedule": "{} schedule",  # Load: a corridor's delivered schedule
    "shortfall": "{} shortfall",  # Generator: a corridor's missing schedule
    "surplus": "{} surplus",  # Generator (sign -1): a corridor's sending above schedule
    "reverse": "{} reverse",  # Link: the second direction of an internal line
}


def component(kind: str, owner: str) -> str:
    """Name of the network component of ``kind`` that belongs to bus, corridor or line ``owner``.

    ``kind`` is one of ``demand``, ``unserved``, ``thermal_relief``, ``demand_response``,
    ``demand_response_payback`` (buses), ``receiving``, ``schedule``, ``shortfall``, ``surplus``
    (corridors) and ``reverse`` (lines); for example ``component("unserved", "hohhot")`` is
    ``"hohhot unserved"``.
    """
    return _COMPONENT_NAMES[kind].format(owner)


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
    "import": ("#7B2CBF", "Imports (neighbouring grid)", "区外来电"),
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
