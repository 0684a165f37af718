"""Cross-field consistency checks of a validated scenario, and capacity rescaling.

Each ``check_*`` function looks at one rule and raises :class:`ConfigError` with the dotted path of
the offending field; :func:`check_scenario` runs them all. The file name is filled in by the loader.
"""

from __future__ import annotations

import logging
import math
from typing import get_args

from energysim.config.schema import GeneratorCarrier, Scenario
from energysim.constants import (
    IMPORT_CARRIERS,
    NEW_ENERGY_CARRIERS,
    PROFILE_CARRIERS,
    RECEIVING_GRID_LOCATIONS,
    THERMAL_CARRIERS,
)
from energysim.exceptions import ConfigError

logger = logging.getLogger(__name__)

__all__ = [
    "RECEIVING_GRIDS",
    "TOTAL_KEYS",
    "apply_capacity_totals",
    "class_total_MW",
    "check_scenario",
    "hours_in_year",
]

RECEIVING_GRIDS = frozenset(RECEIVING_GRID_LOCATIONS)
TOTAL_KEYS = frozenset(
    (*get_args(GeneratorCarrier), "new_energy", "new_type_storage", "pumped_hydro")
    + ("electrolyser", "corridors")
)
"""Keys of ``capacity_totals_GW``: every generator carrier and the classes named here."""


def _fail(path: str, message: str) -> None:
    raise ConfigError("", path, message)


def check_bus_references(s: Scenario) -> None:
    """Every component names an existing bus."""
    buses = set(s.buses)
    valid = ", ".join(sorted(buses))
    sections = (
        ("generators", s.generators, ("bus",)),
        ("storage", s.storage, ("bus",)),
        ("flexible_loads", s.flexible_loads, ("bus",)),
        ("lines", s.lines, ("bus0", "bus1")),
        ("corridors", s.corridors, ("bus",)),
    )
    for section, entries, fields in sections:
        for name, entry in entries.items():
            for field in fields:
                bus = getattr(entry, field)
                if bus not in buses:
                    _fail(
                        f"{section}.{name}.{field}",
                        f"unknown bus {bus!r}; expected one of: {valid}",
                    )


def check_demand_shares(s: Scenario) -> None:
    """Bus demand shares sum to 1."""
    total = sum(b.demand_share for b in s.buses.values())
    if not math.isclose(total, 1.0, abs_tol=1e-3):
        first = next(iter(s.buses))
        _fail(
            f"buses.{first}.demand_share",
            f"demand shares over all buses sum to {total:.4f}; expected 1",
        )


def check_generators(s: Scenario) -> None:
    """Profile carriers take no constant p_max_pu; dedicated plants name a corridor at their bus."""
    for name, g in s.generators.items():
        if g.carrier in PROFILE_CARRIERS and g.p_max_pu is not None:
            _fail(
                f"generators.{name}.p_max_pu",
                f"got {g.p_max_pu!r}; {g.carrier} takes its hourly capacity factor from the "
                "profiles, leave p_max_pu empty",
            )
        if g.dedicated_to is not None:
            corridor = s.corridors.get(g.dedicated_to)
            if corridor is None:
                _fail(
                    f"generators.{name}.dedicated_to",
                    f"unknown corridor {g.dedicated_to!r}; expected one of: {', '.join(s.corridors)}",
                )
            elif corridor.bus != g.bus:
                _fail(
                    f"generators.{name}.dedicated_to",
                    f"corridor {g.dedicated_to!r} leaves from bus {corridor.bus!r}, but the plant "
                    f"is at {g.bus!r}; dedicated plants must sit at the sending bus",
                )


def check_imports(s: Scenario) -> None:
    """Imports (carrier 'import') hold no must-run floor, serve no corridor, and cost more than
    every Inner Mongolian thermal fleet (so they form the last merit-order tiers of their own)."""
    domestic = [
        g.marginal_cost
        for g in s.generators.values()
        if g.carrier in THERMAL_CARRIERS and g.carrier not in IMPORT_CARRIERS
    ]
    top = max(domestic, default=-math.inf)
    for name, g in s.generators.items():
        if g.carrier not in IMPORT_CARRIERS:
            continue
        if g.p_min_pu > 0 or (g.p_min_pu_heating or 0) > 0:
            _fail(
                f"generators.{name}.p_min_pu",
                f"got {g.p_min_pu!r} (heating {g.p_min_pu_heating!r}); an import has no "
                "must-run floor, expected 0",
            )
        if g.dedicated_to is not None:
            _fail(
                f"generators.{name}.dedicated_to",
                f"got {g.dedicated_to!r}; an import is not a corridor's dedicated plant, "
                "leave it empty",
            )
        if g.marginal_cost <= top:
            _fail(
                f"generators.{name}.marginal_cost",
                f"got {g.marginal_cost:g} CNY/MWh; expected more than every Inner Mongolian "
                f"thermal fleet's ({top:g} CNY/MWh), so that imports run last",
            )


def check_corridors(s: Scenario) -> None:
    """Receiving grids are known and the schedule fits the rating."""
    for name, c in s.corridors.items():
        if c.receiving_grid not in RECEIVING_GRIDS:
            _fail(
                f"corridors.{name}.receiving_grid",
                f"unknown receiving grid {c.receiving_grid!r}; expected one of: "
                f"{', '.join(sorted(RECEIVING_GRIDS))}",
            )
        hours = hours_in_year(s.year)
        wanted = (
            c.annual_TWh * 1e6 if c.annual_TWh is not None else (c.utilisation_hours or 0) * c.p_nom
        )
        if wanted > c.p_nom * hours * (1 + 1e-9):
            field = "annual_TWh" if c.annual_TWh is not None else "utilisation_hours"
            _fail(
                f"corridors.{name}.{field}",
                f"schedules {wanted / 1e6:.1f} TWh, more than p_nom x {hours} h = "
                f"{c.p_nom * hours / 1e6:.1f} TWh",
            )


def check_storage(s: Scenario) -> None:
    """Initial state of charge lies within the SOC bounds."""
    for name, st in s.storage.items():
        if not st.soc_min <= st.state_of_charge_initial <= st.soc_max:
            _fail(
                f"storage.{name}.state_of_charge_initial",
                f"got {st.state_of_charge_initial}; expected between soc_min {st.soc_min} and "
                f"soc_max {st.soc_max}",
            )


def check_capacity_totals(s: Scenario) -> None:
    """Rescaling keys are known and have something to rescale."""
    for key, value in s.capacity_totals_GW.items():
        if key not in TOTAL_KEYS:
            _fail(
                f"capacity_totals_GW.{key}",
                f"unknown key; expected one of: {', '.join(sorted(TOTAL_KEYS))}",
            )
        if value > 0 and class_total_MW(s, key) == 0:
            _fail(
                f"capacity_totals_GW.{key}",
                f"got {value} GW but the scenario has no {key} capacity to scale",
            )


def check_profile_files(s: Scenario) -> None:
    """Every real profile file the weather section names exists."""
    from pathlib import Path

    for key in ("wind_profile", "solar_profile", "load_profile"):
        value = getattr(s.weather, key)
        if value and not Path(value).is_file():
            _fail(
                f"weather.{key}", f"profile file {value!r} not found; expected a CSV or netCDF file"
            )


CHECKS = (
    check_bus_references,
    check_demand_shares,
    check_generators,
    check_imports,
    check_corridors,
    check_storage,
    check_capacity_totals,
    check_profile_files,
)


def check_scenario(s: Scenario) -> None:
    """Run every consistency check; raise :class:`ConfigError` on the first failure."""
    for check in CHECKS:
        check(s)


def hours_in_year(year: int) -> int:
    """Hours of a calendar year: 8784 in leap years, else 8760."""
    return 8784 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 8760


def _members(s: Scenario, key: str) -> list[tuple[str, str]]:
    """(section, name) of the entries a capacity-total key covers."""
    if key == "new_energy":
        return [
            ("generators", n) for n, g in s.generators.items() if g.carrier in NEW_ENERGY_CARRIERS
        ]
    if key in ("new_type_storage", "pumped_hydro"):
        kind = "new_type" if key == "new_type_storage" else "pumped_hydro"
        return [("storage", n) for n, st in s.storage.items() if st.kind == kind]
    if key == "electrolyser":
        return [
            ("flexible_loads", n) for n, f in s.flexible_loads.items() if f.kind == "electrolyser"
        ]
    if key == "corridors":
        return [("corridors", n) for n, c in s.corridors.items() if c.in_service_year <= s.year]
    return [("generators", n) for n, g in s.generators.items() if g.carrier == key]


def class_total_MW(s: Scenario, key: str) -> float:
    """Total capacity (MW) of the class a ``capacity_totals_GW`` key names."""
    return sum(getattr(s, sec)[n].p_nom for sec, n in _members(s, key))


def apply_capacity_totals(s: Scenario) -> Scenario:
    """Rescale each class named in ``capacity_totals_GW`` to its total, keeping the bus split.

    Corridors keep their utilisation hours when rescaled (annual energy scales with p_nom).
    """
    if not s.capacity_totals_GW:
        return s
    # copy on write: only the sections and entries that change are copied (sweeps call this for
    # every point, and a deep copy of the whole scenario cost more than the dispatch)
    out = s.model_copy()
    copied: set[str] = set()
    for key, total_GW in s.capacity_totals_GW.items():
        current = class_total_MW(out, key)
        factor = total_GW * 1e3 / current if current else 0.0
        logger.debug("rescaling %s from %.0f MW to %.0f MW", key, current, total_GW * 1e3)
        for section, name in _members(out, key):
            if section not in copied:
                setattr(out, section, dict(getattr(out, section)))
                copied.add(section)
            entries = getattr(out, section)
            entry = entries[name].model_copy()
            entry.p_nom = entry.p_nom * factor
            if section == "corridors" and entry.annual_TWh is not None:
                entry.annual_TWh = entry.annual_TWh * factor
            entries[name] = entry
    out.capacity_totals_GW = {}
    return out
