"""Thermal availability (planned maintenance, forced outages) and the upward reserve requirement.

Plain Python and numpy, run once per scenario-year by :func:`energysim.kernel.pack.pack`:

* :func:`expected_availability` is the derate a single run uses: for each thermal generator and
  hour, (1 - maintenance share of the month) x (1 - forced-outage rate) of its class.
* :func:`outage_draw` replaces the forced-outage factor with one seeded random draw: each fleet
  is split into blocks of its class's unit size, and each block fails and is repaired as a
  two-state Markov chain with the class's forced-outage rate and mean time to repair.
* :func:`reserve_requirement` is the hourly upward reserve, the larger of the largest single
  contingency and a share of the hour's inflexible demand.

A scenario without a ``thermal_availability`` section has every thermal fleet available in
every hour (factor 1); one without ``reserve`` holds no reserve (requirement 0). Imports (carrier
``import``) get a column of ones in both frames: no Inner Mongolian maintenance or outage applies
to a neighbouring grid's support over a tie.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from energysim.config.schema import Scenario
from energysim.constants import IMPORT_CARRIERS
from energysim.kernel._jit import jit

logger = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_MTTR_H",
    "THERMAL_CARRIERS",
    "contingency_MW",
    "expected_availability",
    "outage_draw",
    "reserve_requirement",
]

THERMAL_CARRIERS = ("coal", "coal_chp", "gas", "biomass")
DEFAULT_MTTR_H = 50.0
"""Mean time to repair when a class gives none, h (assumption: a boiler-tube leak, the most
common forced outage of a coal unit, takes two to three days to repair)."""


def _thermal(scenario: Scenario) -> dict[str, object]:
    return {n: g for n, g in scenario.generators.items() if g.carrier in THERMAL_CARRIERS}


def _imports(scenario: Scenario, hours: int) -> dict[str, np.ndarray]:
    """A column of ones (always available) for every import generator."""
    return {
        n: np.ones(hours) for n, g in scenario.generators.items() if g.carrier in IMPORT_CARRIERS
    }


def _maintenance_factor(
    scenario: Scenario, carrier: str, snapshots: pd.DatetimeIndex
) -> np.ndarray:
    """Share of a class's capacity not on planned maintenance in each hour (T,), p.u."""
    ta = scenario.thermal_availability
    if ta is None or carrier not in ta.maintenance:
        return np.ones(len(snapshots))
    monthly = np.asarray(ta.maintenance[carrier], dtype=float)
    return 1.0 - monthly[np.asarray(snapshots.month) - 1]


def _forced_outage_rate(scenario: Scenario, carrier: str) -> float:
    ta = scenario.thermal_availability
    if ta is None:
        return 0.0
    return float(ta.forced_outage_rate.get(carrier, 0.0))


def expected_availability(scenario: Scenario, snapshots: pd.DatetimeIndex) -> pd.DataFrame:
    """Expected available share of every thermal generator in every hour.

    Parameters
    ----------
    scenario : Scenario
        Validated scenario.
    snapshots : pandas.DatetimeIndex
        The hours (T).

    Returns
    -------
    pandas.DataFrame
        (T x thermal generator) p.u. of ``p_nom x p_max_pu``: (1 - maintenance share of the
        month) x (1 - forced-outage rate) of the generator's class; 1 for imports.
    """
    cols = {}
    for name, g in _thermal(scenario).items():
        fo = _forced_outage_rate(scenario, g.carrier)
        cols[name] = _maintenance_factor(scenario, g.carrier, snapshots) * (1.0 - fo)
    cols.update(_imports(scenario, len(snapshots)))
    return pd.DataFrame(cols, index=snapshots, columns=list(cols))


def _markov_up(
    n_units: int, hours: int, rate: float, mttr: float, rng: np.random.Generator
) -> np.ndarray:
    """Units up in each hour (T,) for ``n_units`` independent two-state units.

    Repair probability per hour 1/mttr; failure probability per hour chosen so that the
    stationary share of time out equals ``rate``; the first hour is drawn from that stationary
    distribution.
    """
    if rate <= 0.0 or n_units == 0:
        return np.full(hours, float(n_units))
    repair = min(1.0 / mttr, 1.0)
    fail = min(repair * rate / max(1.0 - rate, 1e-12), 1.0)
    up = rng.random(n_units) >= rate
    draws = rng.random((hours, n_units))
    count = np.empty(hours)
    _markov_count(up, draws, fail, repair, count)
    return count


@jit
def _markov_count(up, draws, fail, repair, count):
    """Hour loop of :func:`_markov_up` (compiled): ``up`` (n,) bool is updated in place from
    the uniform ``draws`` (T, n); ``count`` (T,) gets the units up in each hour."""
    for t in range(draws.shape[0]):
        n_up = 0
        for i in range(draws.shape[1]):
            if t > 0:
                up[i] = draws[t, i] >= fail if up[i] else draws[t, i] < repair
            n_up += up[i]
        count[t] = n_up


def outage_draw(scenario: Scenario, snapshots: pd.DatetimeIndex, seed: int) -> pd.DataFrame:
    """One seeded random draw of thermal availability, including planned maintenance.

    Each generator of class ``c`` is split into ``n = max(1, round(p_nom / unit_size_MW[c]))``
    equal blocks; each block is out for a forced outage as a two-state Markov chain (mean time
    to repair ``mean_time_to_repair_h[c]``, default 50 h; stationary outage share
    ``forced_outage_rate[c]``). The available share of the generator in an hour is (1 -
    maintenance share of the month) x (blocks up / n). Without a unit size a fleet is one block
    per 600 MW (assumption: the most common large coal unit in the GEM list).

    Parameters
    ----------
    scenario : Scenario
        Validated scenario.
    snapshots : pandas.DatetimeIndex
        The hours (T).
    seed : int
        Seed of the draw; the same seed gives the same outages.

    Returns
    -------
    pandas.DataFrame
        (T x thermal generator) p.u. of ``p_nom x p_max_pu``; 1 for imports.
    """
    ta = scenario.thermal_availability
    rng = np.random.default_rng(seed)
    hours = len(snapshots)
    cols = {}
    for name, g in _thermal(scenario).items():
        maint = _maintenance_factor(scenario, g.carrier, snapshots)
        rate = _forced_outage_rate(scenario, g.carrier)
        size = ta.unit_size_MW.get(g.carrier, 600.0) if ta is not None else 600.0
        mttr = ta.mean_time_to_repair_h.get(g.carrier, DEFAULT_MTTR_H) if ta else DEFAULT_MTTR_H
        n_units = max(1, round(g.p_nom / size)) if g.p_nom > 0 else 0
        if n_units == 0:
            cols[name] = maint
            continue
        up = _markov_up(n_units, hours, rate, mttr, rng)
        cols[name] = maint * up / n_units
    cols.update(_imports(scenario, hours))  # after the draws: the random stream is unchanged
    return pd.DataFrame(cols, index=snapshots, columns=list(cols))


def contingency_MW(scenario: Scenario) -> float:
    """The largest single contingency, MW (``reserve.contingency_MW`` or derived).

    Derived: the larger of the largest unit size of the thermal classes present
    (``thermal_availability.unit_size_MW``) and one pole of the largest in-service DC corridor
    (half its rating; a bipole is two independent poles).
    """
    res = scenario.reserve
    if res is not None and res.contingency_MW is not None:
        return float(res.contingency_MW)
    largest = 0.0
    ta = scenario.thermal_availability
    if ta is not None:
        present = {g.carrier for g in _thermal(scenario).values() if g.p_nom > 0}
        for carrier, size in ta.unit_size_MW.items():
            if carrier in present:
                largest = max(largest, float(size))
    for c in scenario.corridors.values():
        if c.kind in ("uhvdc", "hvdc") and c.in_service_year <= scenario.year:
            largest = max(largest, 0.5 * c.p_nom)
    return largest


def reserve_requirement(scenario: Scenario, demand: np.ndarray) -> np.ndarray:
    """Hourly upward reserve requirement (T,), MW.

    Parameters
    ----------
    scenario : Scenario
        Validated scenario; no ``reserve`` section means no requirement.
    demand : numpy.ndarray
        Inflexible demand, (T, B) or (T,), MW.

    Returns
    -------
    numpy.ndarray
        max(largest single contingency, ``reserve.load_share`` x system demand) per hour, MW.
    """
    demand = np.asarray(demand, dtype=float)
    total = demand.sum(axis=1) if demand.ndim == 2 else demand
    if scenario.reserve is None:
        return np.zeros(total.shape[0])
    return np.maximum(contingency_MW(scenario), scenario.reserve.load_share * total)
