"""One-line and tabular summaries of a scenario's capacities (no simulation)."""

from __future__ import annotations

import logging
from collections import defaultdict

from energysim.config.schema import Scenario

logger = logging.getLogger(__name__)

__all__ = ["capacity_by_carrier_GW", "scenario_summary"]


def capacity_by_carrier_GW(scenario: Scenario) -> dict[str, float]:
    """Installed generation capacity per carrier, GW, in the schema's carrier order."""
    totals: dict[str, float] = defaultdict(float)
    for g in scenario.generators.values():
        totals[g.carrier] += g.p_nom / 1e3
    return dict(totals)


def scenario_summary(scenario: Scenario) -> str:
    """``name (year): 12 buses | wind 200.0 GW, ... | storage 60.0 GW / 252 GWh | corridors ...``."""
    gen = ", ".join(f"{c} {v:.1f}" for c, v in capacity_by_carrier_GW(scenario).items())
    st_p = sum(s.p_nom for s in scenario.storage.values()) / 1e3
    st_e = sum(s.p_nom * s.max_hours for s in scenario.storage.values()) / 1e3
    new_type = sum(s.p_nom for s in scenario.storage.values() if s.kind == "new_type") / 1e3
    active = [c for c in scenario.corridors.values() if c.in_service_year <= scenario.year]
    corr = sum(c.p_nom for c in active) / 1e3
    return (
        f"{scenario.name} ({scenario.year}): {len(scenario.buses)} buses | GW: {gen} | "
        f"storage {st_p:.1f} GW / {st_e:.0f} GWh (new-type {new_type:.1f} GW) | "
        f"corridors {len(active)} in service, {corr:.1f} GW | demand {scenario.demand.annual_TWh:.0f} TWh"
    )
