"""Thermal availability (planned maintenance, forced outages) and the upward reserve requirement.

Plain Python and numpy, run once per scenario-year by :func:`energysim.kernel.pack.pack`:

* :func:`expected_availability` is the derate a single run uses: for each thermal generator and
  hour, (1 - maintenance share of the month) x (1 - forced-outage rate) of its class.
* :func:`outage_draw` replaces the forced-outage factor with one seeded random draw: each fleet
  is split into blocks of its class's unit size, and each block fails and is repaired as a
  two-state Markov chain with the class's forced-outage rate and mean time to repair, sampled
  by its sojourn times (one random number per spell up or down, not one per hour).
* :func:`reserve_requirement` is the hourly upward reserve, the larger of the largest single
  contingency and a share of the hour's inflexible demand.

A scenario without a ``thermal_availability`` section has every thermal fleet available in
every hour (factor 1); one without ``reserve`` holds no reserve (requirement 0). Imports (carrier
``import``) get a column of ones in both frames: no Inner Mongolian maintenance or outage applies
to a neighbouring grid's support over a tie.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from energysim.config.schema import Scenario
from energysim.constants import IMPORT_CARRIERS
from energysim.kernel._jit import jit, jit_inline

logger = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_MTTR_H",
    "THERMAL_CARRIERS",
    "OutagePlan",
    "contingency_MW",
    "draw_outages",
    "expected_availability",
    "outage_draw",
    "outage_draw_array",
    "outage_plan",
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
    scenario: Scenario,
    carrier: str,
    snapshots: pd.DatetimeIndex,
    months: np.ndarray | None = None,
) -> np.ndarray:
    """Share of a class's capacity not on planned maintenance in each hour (T,), p.u.
    (``months``: ``snapshots.month`` when the caller has it already)."""
    ta = scenario.thermal_availability
    if ta is None or carrier not in ta.maintenance:
        return np.ones(len(snapshots))
    monthly = np.asarray(ta.maintenance[carrier], dtype=float)
    return 1.0 - monthly[(np.asarray(snapshots.month) if months is None else months) - 1]


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
    months = np.asarray(snapshots.month)
    for name, g in _thermal(scenario).items():
        fo = _forced_outage_rate(scenario, g.carrier)
        cols[name] = _maintenance_factor(scenario, g.carrier, snapshots, months) * (1.0 - fo)
    cols.update(_imports(scenario, len(snapshots)))
    return pd.DataFrame(cols, index=snapshots, columns=list(cols))


def _markov_up(
    n_units: int,
    hours: int,
    rate: float,
    mttr: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """Units up in each hour (T,) for ``n_units`` independent two-state units.

    Each unit is a two-state Markov chain in hourly steps: repair probability per hour
    ``r = min(1 / mttr, 1)``; failure probability per hour ``f = min(r x rate / (1 - rate), 1)``,
    so that the stationary share of time out equals ``rate``. The first hour's states are drawn
    from that stationary distribution (one uniform per unit: up when it is >= ``rate``).

    The chain is sampled by its sojourn times, not hour by hour: a unit up at hour t stays up
    for K hours and is first down at hour t + K, with K geometric on {1, 2, ...} with success
    probability f (P(K > k) = (1 - f)^k: the chain's own per-hour failure), and likewise down
    with r. That is the same process in distribution as drawing each hour's transition, with
    one uniform per spell instead of one per unit and hour (plan-2030's coal: rate 0.03, MTTR
    50 h, a block fails about 5 times a year, so ~12 uniforms a year instead of 8760). K is
    drawn by inversion, ``ceil(log(U) / log(1 - p))`` with U uniform on (0, 1]
    (:func:`_chain_count`, the one sampler of :func:`draw_outages` too).
    """
    count = np.empty(hours)
    repair, fail = _chain(rate, mttr)
    if fail <= 0.0 or n_units == 0:
        count[:] = n_units
    else:
        _chain_count(n_units, rate, fail, repair, rng, count)
    return count


@jit_inline
def _sojourn(rng, p, log_stay, cap):
    """A sojourn of a chain that leaves its state with probability ``p`` per hour, h: geometric
    on {1, 2, ...} by inversion from one uniform of ``rng`` (``log_stay`` = log(1 - p)); at
    most ``cap`` (the hours left: a longer sojourn ends after the year). ``p`` 0: ``cap``
    without a draw; ``p`` 1: 1 without a draw (the state changes every hour)."""
    if p <= 0.0:
        return cap
    if p >= 1.0:
        return 1
    x = math.log(1.0 - rng.random()) / log_stay  # U = 1 - random() is on (0, 1]
    if x >= cap:  # compared as a float: no overflow however small p is
        return cap
    return max(int(math.ceil(x)), 1)


@jit
def _chain_count(n, rate, fail, repair, rng, count):
    """Sojourn sampler of :func:`_markov_up` (compiled): ``count`` (T,) gets the number of
    ``n`` blocks up in each hour. Block by block from ``rng``: its first-hour state (one
    uniform: up when >= ``rate``, the stationary outage share), then its spells from hour 0 to
    the end of the year; a down spell [a, b) is written as -1 at a and +1 at b, then summed
    over the hours."""
    hours = count.shape[0]
    for t in range(hours):
        count[t] = 0.0
    log_up = math.log1p(-fail) if fail < 1.0 else -1.0  # not read when p is 1 (or 0)
    log_down = math.log1p(-repair) if repair < 1.0 else -1.0
    for _ in range(n):
        state = rng.random() >= rate
        t = 0
        while t < hours:
            if state:
                t += _sojourn(rng, fail, log_up, hours - t)
            else:
                end = t + _sojourn(rng, repair, log_down, hours - t)
                count[t] -= 1.0
                if end < hours:
                    count[end] += 1.0
                t = end
            state = not state
    running = float(n)
    for t in range(hours):
        running += count[t]
        count[t] = running


def outage_draw(scenario: Scenario, snapshots: pd.DatetimeIndex, seed: int) -> pd.DataFrame:
    """One seeded random draw of thermal availability, including planned maintenance.

    Each generator of class ``c`` is split into ``n = max(1, round(p_nom / unit_size_MW[c]))``
    equal blocks; each block is out for a forced outage as a two-state Markov chain (mean time
    to repair ``mean_time_to_repair_h[c]``, default 50 h; stationary outage share
    ``forced_outage_rate[c]``), sampled spell by spell (:func:`_markov_up`: one random number
    per spell up or down; since 2 Dec 2026, when it replaced hour-by-hour steps, a seed draws
    other outages than before, from the same distribution). The available share of the
    generator in an hour is (1 - maintenance share of the month) x (blocks up / n). Without a
    unit size a fleet is one block per 600 MW (assumption: the most common large coal unit in
    the GEM list). An ensemble's draws of one year share an :func:`outage_plan` and call
    :func:`draw_outages`.

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
    names, values = outage_draw_array(scenario, snapshots, seed)
    return pd.DataFrame(values, index=snapshots, columns=names)


def outage_draw_array(
    scenario: Scenario, snapshots: pd.DatetimeIndex, seed: int
) -> tuple[list[str], np.ndarray]:
    """:func:`outage_draw` as the thermal generators' names and an array (T, G') (Fortran
    order: :func:`draw_outages`)."""
    plan = outage_plan(scenario, snapshots)
    return list(plan.names), draw_outages(plan, seed)


@dataclass(frozen=True)
class OutagePlan:
    """What an outage draw needs that its seed does not change, for one scenario and its hours.

    ``names``: the thermal generators (scenario order), then the imports; per thermal
    generator (G'), ``units`` its number of unit blocks (0: no capacity, no draw), ``rate`` its
    class's forced-outage rate (the chain's stationary share of time out), ``fail`` and
    ``repair`` the per-hour failure and repair probabilities of its blocks' chain (fail 0: no
    forced outages, no draw) and ``maint_col`` its class's column in ``maint`` (T, M), the share
    not on planned maintenance in each hour, p.u. (Fortran order).
    """

    names: tuple[str, ...]
    units: np.ndarray
    rate: np.ndarray
    fail: np.ndarray
    repair: np.ndarray
    maint_col: np.ndarray
    maint: np.ndarray

    @property
    def hours(self) -> int:
        """T, the hours of a draw."""
        return self.maint.shape[0]


def outage_plan(scenario: Scenario, snapshots: pd.DatetimeIndex) -> OutagePlan:
    """The :class:`OutagePlan` of ``scenario`` on ``snapshots`` (see :func:`outage_draw`)."""
    ta = scenario.thermal_availability
    thermal = _thermal(scenario)
    months = np.asarray(snapshots.month)
    classes: dict[str, int] = {}  # carrier -> column of maint: one per class
    maint_cols: list[np.ndarray] = []
    units, rates, fail, repair, col = [], [], [], [], []
    for g in thermal.values():
        if g.carrier not in classes:
            classes[g.carrier] = len(maint_cols)
            maint_cols.append(_maintenance_factor(scenario, g.carrier, snapshots, months))
        col.append(classes[g.carrier])
        size = ta.unit_size_MW.get(g.carrier, 600.0) if ta is not None else 600.0
        units.append(max(1, round(g.p_nom / size)) if g.p_nom > 0 else 0)
        rate = _forced_outage_rate(scenario, g.carrier)
        mttr = ta.mean_time_to_repair_h.get(g.carrier, DEFAULT_MTTR_H) if ta else DEFAULT_MTTR_H
        r, f = _chain(rate, mttr)
        rates.append(rate)
        repair.append(r)
        fail.append(f)
    maint = np.empty((len(snapshots), len(maint_cols)), order="F")
    for m, values in enumerate(maint_cols):
        maint[:, m] = values
    return OutagePlan(
        tuple(thermal) + tuple(_imports(scenario, 0)),
        np.array(units, dtype=np.int64),
        np.array(rates, dtype=float),
        np.array(fail, dtype=float),
        np.array(repair, dtype=float),
        np.array(col, dtype=np.int64),
        maint,
    )


def _chain(rate: float, mttr: float) -> tuple[float, float]:
    """Per-hour repair and failure probabilities of a unit block with forced-outage rate
    ``rate`` and mean time to repair ``mttr`` h: repair ``min(1 / mttr, 1)``, failure chosen
    so that the chain's stationary share of time out is ``rate`` (0 when ``rate`` is 0)."""
    repair = min(1.0 / mttr, 1.0)
    if rate <= 0.0:
        return repair, 0.0
    return repair, min(repair * rate / max(1.0 - rate, 1e-12), 1.0)


def draw_outages(plan: OutagePlan, seed: int, out: np.ndarray | None = None) -> np.ndarray:
    """One seeded outage draw of ``plan``: available share (T, G' + imports), p.u., Fortran
    order (generator-major: one generator's hours are contiguous, as
    :func:`energysim.kernel.pack.lay_thermal` reads them; into ``out`` when given: (T, G' +
    imports) Fortran order, any contents; it is returned).

    A generator's share in an hour is its maintenance factor x (blocks up / blocks); imports 1.
    The generators are drawn in order from one ``numpy.random.default_rng(seed)``: per
    generator with forced outages, block by block its first-hour state and its spells
    (:func:`_markov_up`).
    """
    hours, n = plan.hours, len(plan.names)
    if out is None:
        out = np.empty((hours, n), order="F")
    if not out.flags.f_contiguous or out.shape != (hours, n):
        order = "Fortran" if out.flags.f_contiguous else "not Fortran"
        msg = (
            f"draw_outages: out is {out.shape}, {order} order; expected ({hours}, {n}) in "
            "Fortran order (one generator's hours contiguous)"
        )
        raise ValueError(msg)
    rng = np.random.default_rng(seed)
    _draw_fleets(
        plan.units, plan.rate, plan.fail, plan.repair, plan.maint_col, plan.maint, rng,
        np.empty(hours), out.T,
    )  # fmt: skip
    return out


@jit
def _draw_fleets(units, rate, fail, repair, maint_col, maint, rng, count, shares):
    """Generator loop of :func:`draw_outages` (compiled): each thermal generator's blocks up
    in each hour into ``count`` (T,) (scratch that stays in cache; the chains write it spell
    by spell), then its share (maintenance x blocks up / blocks; the maintenance factor alone
    for a generator without blocks) into row i of ``shares`` (G' + imports, T); the rows after
    the thermal ones (imports) 1."""
    hours = shares.shape[1]
    g = units.shape[0]
    for i in range(g):
        n = units[i]
        m = maint_col[i]
        if n == 0:
            for t in range(hours):
                shares[i, t] = maint[t, m]
            continue
        if fail[i] <= 0.0:
            for t in range(hours):
                count[t] = n
        else:
            _chain_count(n, rate[i], fail[i], repair[i], rng, count)
        for t in range(hours):
            shares[i, t] = maint[t, m] * count[t] / n
    for j in range(g, shares.shape[0]):
        for t in range(hours):
            shares[j, t] = 1.0


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
