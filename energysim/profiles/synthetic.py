"""Seeded synthetic weather years: wind and solar capacity factors and load shapes, hour by hour.

The generator makes any number of weather years for any set of sites. It is pure NumPy, uses one
``numpy.random.SeedSequence([seed, year, stream])`` per stream (never global state), and is
deterministic for ``(sites, year, seed)``. It reads only the derived tables in
``parameters.yaml`` (written by :func:`energysim.profiles.fit.write_parameters` from the reference
data in ``<shared>/data``); the constants below were tuned with
:func:`energysim.profiles.calibration.calibration_table` against the same data.

Time convention: hourly snapshots in Beijing local time (Asia/Shanghai, UTC+8, no DST), stored
tz-naive; the value at snapshot ``t`` is the mean over ``[t, t + 1 h)``.

Models
------
Wind (per site)
    latent ``z = sqrt(1 - w) * f + sqrt(w) * n`` with ``f`` a smooth synoptic process (two
    cascaded AR(1) filters with the same coefficient: multi-day persistence, autocorrelation
    ~0.99 at lag 1 h and ~0.4 at lag 24 h) and ``n`` a small short-lived AR(1) part. Both are
    driven by innovations correlated between sites as ``exp(-d / L_WIND_KM)`` (d the
    great-circle distance). The capacity factor is ``CF_MAX * Phi(a * z + c) ** g`` (``Phi`` the
    normal CDF), a smooth power-curve-like map with a long low-wind tail; the offset ``c`` per
    month and hour is found by Gauss-Hermite quadrature so the expected monthly means and the
    seasonal diurnal cycle match ERA5 2020. Persistence beyond ~3 days comes from the seasonal
    cycle (the ERA5 autocorrelation at 72 h and 168 h, ~0.14, is that of its monthly means).
    The diurnal cycle is shifted by the site's longitude (4 min per degree from ``LON_REF``).
    A bus's wind site is its ``wind_x``/``wind_y`` when given (the shipped scenarios: the
    capacity-weighted centroid of the league's GEM wind farms), else its ``x``/``y``; the site
    moves the timing (correlations, diurnal shift), not the expected monthly means.
Solar (per site)
    sun geometry (Spencer declination and equation of time, Beijing time = UTC+8, solar position
    at mid-hour) on a fixed panel tilted ``TILT_DEG`` towards south; clear-sky irradiance by the
    Meinel air-mass formula with Kasten-Young air mass and a diffuse part of 10 % of the beam on
    an isotropic sky; times a clear-sky index ``k = Phi(a_c * z_c + c_m)`` with ``z_c`` a daily
    AR(1) cloudiness (day-to-day persistence, spatial correlation ``exp(-d / L_CLOUD_KM)``) plus
    a small hourly AR(1) part; times the performance ratio ``PERFORMANCE_RATIO``. The monthly
    offsets ``c_m`` are set at the reference site (``LON_REF``, ``LAT_REF``) so the expected
    monthly means there match ERA5 2020; other sites differ through geometry only.
Load (per site, and per receiving region)
    ``month[m] * weekday[w] * holiday(day) * diurnal[m, h] * exp(e_day + e_hour)`` with daily and
    hourly AR(1) noise, normalised to mean 1. Holidays: Spring Festival (window from day -10 to
    +24, dates in ``SPRING_FESTIVAL``) and National Day (1 Oct, -3..+10).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from energysim._yaml import safe_load
from energysim.constants import RECEIVING_GRID_LOCATIONS
from energysim.exceptions import ProfileError
from energysim.profiles.fit import PARAMETERS_FILE

logger = logging.getLogger(__name__)

__all__ = [
    "GENERATOR",
    "REGIONS",
    "generate_profiles",
    "load_shape",
    "snapshots",
    "solar_cf",
    "wind_cf",
    "wind_site_coords",
]

VERSION = "1"
GENERATOR = f"energysim.profiles.synthetic v{VERSION}"
TIME_ZONE = "Asia/Shanghai"

#: Receiving-grid regions, and the region whose parameters stand in where no data exist.
REGIONS: tuple[str, ...] = tuple(RECEIVING_GRID_LOCATIONS)  # order numbers the random streams
REGION_PROXY: dict[str, str] = {"jiangxi": "anhui"}  # no Jiangxi series in the reference data

# --- wind: tuned so the 12-site average matches ERA5 2020 (ACF at 1/24/72 h, P10/P50/P90) ------
L_WIND_KM = 500.0  #: e-folding length of the between-site correlation (assumption, ~synoptic)
WIND_PHI_FAST = 0.91  #: hourly coefficient of each of the two cascaded synoptic AR(1) filters
WIND_PHI_NOISE = 0.6  #: hourly AR(1) coefficient of the short gust/turbulence component
WIND_W_NOISE = 0.03  #: variance share of the short component
WIND_SPREAD = 1.0  #: ``a``: latent scale in the power-curve-like map (higher = more 0/peak hours)
CF_MAX = 0.95  #: plateau of the map (rated output less wake and availability losses)
WIND_SKEW = 1.4  #: exponent ``g`` in ``CF_MAX * Phi(a z + c) ** g`` (> 1: more low-wind hours)
LON_REF = 112.0  #: longitude (deg E) the ERA5 diurnal cycle and solar calibration refer to
LAT_REF = 43.0  #: latitude (deg N) of the solar calibration reference site

# --- solar ------------------------------------------------------------------------------------
TILT_DEG = 35.0  #: panel tilt, facing south (as the atlite profile: slope 35, azimuth 180)
PERFORMANCE_RATIO = 0.85  #: system losses; equals atlite's correction_factor of the ERA5 profile
SOLAR_CONSTANT = 1361.0  #: W/m2
L_CLOUD_KM = 300.0  #: e-folding length of the between-site cloudiness correlation (assumption)
CLOUD_PHI_DAY = 0.5  #: day-to-day AR(1) coefficient of the cloudiness latent
CLOUD_PHI_HOUR = 0.8  #: hour-to-hour AR(1) coefficient of the within-day part
CLOUD_W_HOUR = 0.15  #: variance share of the within-day part
CLOUD_SPREAD = 1.2  #: ``a_c``: latent scale of the clear-sky index map

# --- load ---------------------------------------------------------------------------------------
L_LOAD_KM = 500.0  #: e-folding length of the between-site correlation of load noise (assumption)

#: Spring Festival (Chinese New Year's day), Gregorian date; other years fall back to 5 Feb.
SPRING_FESTIVAL: dict[int, tuple[int, int]] = {
    2015: (2, 19),
    2016: (2, 8),
    2017: (1, 28),
    2018: (2, 16),
    2019: (2, 5),
    2020: (1, 25),
    2021: (2, 12),
    2022: (2, 1),
    2023: (1, 22),
    2024: (2, 10),
    2025: (1, 29),
    2026: (2, 17),
    2027: (2, 6),
    2028: (1, 26),
    2029: (2, 13),
    2030: (2, 3),
    2031: (1, 23),
    2032: (2, 11),
    2033: (1, 31),
    2034: (2, 19),
    2035: (2, 8),
    2036: (1, 28),
    2037: (2, 15),
    2038: (2, 4),
    2039: (1, 24),
    2040: (2, 12),
}

_SEASON_NAMES = ("DJF", "MAM", "JJA", "SON")
_SEASON_OF_MONTH = np.array([0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 0])
_STREAMS = {"wind": 1, "solar": 2, "load": 3, "receiving": 4}


# ----------------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------------
@functools.cache
def parameters() -> dict[str, Any]:
    """The derived tables of ``parameters.yaml`` (read once per process)."""
    with PARAMETERS_FILE.open(encoding="utf-8") as fh:
        return safe_load(fh)


def _erf(x: np.ndarray) -> np.ndarray:
    """Error function (Abramowitz & Stegun 7.1.26, max abs error 1.5e-7), vectorised."""
    sign = np.sign(x)
    x = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * x)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    return sign * (1.0 - poly * np.exp(-x * x))


def norm_cdf(x: np.ndarray) -> np.ndarray:
    """Standard normal CDF ``Phi(x)``, vectorised."""
    return 0.5 * (1.0 + _erf(np.asarray(x, dtype=float) / np.sqrt(2.0)))


def norm_ppf(p: np.ndarray) -> np.ndarray:
    """Inverse standard normal CDF by bisection on :func:`norm_cdf` (for small tables)."""
    p = np.clip(np.asarray(p, dtype=float), 1e-9, 1 - 1e-9)
    lo, hi = np.full(p.shape, -8.0), np.full(p.shape, 8.0)
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        below = norm_cdf(mid) < p
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    return 0.5 * (lo + hi)


def snapshots(year: int) -> pd.DatetimeIndex:
    """Hourly snapshots of one calendar year in Beijing local time.

    Parameters
    ----------
    year : int
        Calendar year.

    Returns
    -------
    pandas.DatetimeIndex
        Named ``snapshot``, tz-naive, in Beijing local time (Asia/Shanghai = UTC+8, no DST);
        8760 hours, or 8784 in leap years. The value at ``t`` covers ``[t, t + 1 h)``.
    """
    start = pd.Timestamp(year=int(year), month=1, day=1)
    end = pd.Timestamp(year=int(year) + 1, month=1, day=1)
    return pd.date_range(start, end, freq="h", inclusive="left", name="snapshot")


def _distance_km(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Great-circle distances (km) between all pairs of points, dims (site, site)."""
    lam, phi = np.radians(lon), np.radians(lat)
    dphi = phi[:, None] - phi[None, :]
    dlam = lam[:, None] - lam[None, :]
    a = np.sin(dphi / 2) ** 2 + np.cos(phi[:, None]) * np.cos(phi[None, :]) * np.sin(dlam / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def _mixing(lon: np.ndarray, lat: np.ndarray, length_km: float) -> np.ndarray:
    """Matrix ``A`` with ``A @ A.T = exp(-d / L)`` (robust to co-located sites), dims (site, k)."""
    corr = np.exp(-_distance_km(lon, lat) / length_km)
    vals, vecs = np.linalg.eigh(corr)
    return vecs * np.sqrt(np.clip(vals, 0.0, None))


def _correlated_normals(rng: np.random.Generator, n: int, mixing: np.ndarray) -> np.ndarray:
    """Standard normals, independent in time, correlated across sites; dims (n, site)."""
    return rng.standard_normal((n, mixing.shape[1])) @ mixing.T


def _ar1(innov: np.ndarray, phi: float, x0: np.ndarray) -> np.ndarray:
    """AR(1) ``x_t = phi x_{t-1} + sqrt(1 - phi^2) e_t`` (unit variance); dims (time, site).

    Vectorised in blocks of ``B`` steps: inside a block ``x_j = phi^(j+1) x_prev +
    phi^j cumsum(phi^-s e_s)``; ``B`` keeps ``phi^-B`` below ``e^300`` (no overflow, rounding
    error ~ ``B * eps``). Same values as the plain loop up to rounding, ~50x faster.
    """
    e = np.sqrt(1.0 - phi * phi) * innov
    if phi <= 0.0:
        return e
    block = int(max(1, min(512, 300.0 / -np.log(phi))))
    pw = phi ** np.arange(block + 1, dtype=float)
    out = np.empty_like(e)
    x = np.asarray(x0, dtype=float)
    for start in range(0, e.shape[0], block):
        m = min(block, e.shape[0] - start)
        scale = pw[:m, None]
        out[start : start + m] = (
            np.cumsum(e[start : start + m] / scale, axis=0) * scale
            + pw[1 : m + 1, None] * x[None, :]
        )
        x = out[start + m - 1]
    return out


def _season_index(months: np.ndarray) -> np.ndarray:
    return _SEASON_OF_MONTH[months - 1]


# ----------------------------------------------------------------------------------------------
# wind
# ----------------------------------------------------------------------------------------------
def _wind_diurnal_ratio(months: np.ndarray, hours: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """ERA5 seasonal diurnal ratio (mean 1) at each site's local solar hour; dims (time, site)."""
    harm = parameters()["wind"]["diurnal_harmonics"]
    coef = np.array([harm[s] for s in _SEASON_NAMES])  # (season, k, 2)
    c = coef[_season_index(months)]  # (time, k, 2)
    h = hours[:, None] + 0.5 + (lon[None, :] - LON_REF) / 15.0  # hours at the site
    ratio = np.ones((len(hours), len(lon)))
    for k in range(c.shape[1]):
        w = 2 * np.pi * (k + 1) * h / 24
        ratio += c[:, k, 0][:, None] * np.cos(w) + c[:, k, 1][:, None] * np.sin(w)
    return ratio


def wind_cf(
    index: pd.DatetimeIndex, lon: np.ndarray, lat: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Wind capacity factors for sites.

    Parameters
    ----------
    index : pandas.DatetimeIndex
        Hourly snapshots (Beijing time), dims (time,).
    lon, lat : numpy.ndarray
        Site coordinates in degrees, dims (site,).
    rng : numpy.random.Generator
        Random stream (consumed).

    Returns
    -------
    numpy.ndarray
        Capacity factors in [0, CF_MAX], p.u., float64, dims (time, site).
    """
    n_t = len(index)
    mixing = _mixing(lon, lat, L_WIND_KM)
    burn = 240
    e = _correlated_normals(rng, n_t + burn, mixing)
    # two cascaded AR(1) (double root): rho(k) = phi^k (1 + k (1 - phi^2) / (1 + phi^2))
    x0 = _correlated_normals(rng, 1, mixing)[0]
    fast = _ar1(_ar1(e, WIND_PHI_FAST, x0), WIND_PHI_FAST, x0)[burn:]
    fast /= np.sqrt((1 + WIND_PHI_FAST**2) / (1 - WIND_PHI_FAST**2))
    noise = _ar1(
        _correlated_normals(rng, n_t, mixing),
        WIND_PHI_NOISE,
        _correlated_normals(rng, 1, mixing)[0],
    )
    z = np.sqrt(1 - WIND_W_NOISE) * fast + np.sqrt(WIND_W_NOISE) * noise
    year = _year_of(index)
    if year is None:
        offset = _wind_offset_of(index, lon)
    else:  # the same for every weather year at these sites: computed once
        offset = _wind_offset_cached(year, tuple(float(v) for v in lon))
    return CF_MAX * norm_cdf(WIND_SPREAD * z + offset) ** WIND_SKEW


def _wind_offset_of(index: pd.DatetimeIndex, lon: np.ndarray) -> np.ndarray:
    """The latent offset of every hour and site (time, site): :func:`_wind_offset` of the
    monthly means times the diurnal ratio at the site's longitude."""
    months = index.month.to_numpy()
    monthly = np.asarray(parameters()["wind"]["monthly_mean_cf"])[months - 1]
    target = monthly[:, None] * _wind_diurnal_ratio(months, index.hour.to_numpy(), lon)
    return _wind_offset(target)


@functools.lru_cache(maxsize=8)
def _wind_offset_cached(year: int, lon: tuple[float, ...]) -> np.ndarray:
    """:func:`_wind_offset_of` on :func:`snapshots` of ``year`` (read-only, cached)."""
    return _read_only(_wind_offset_of(snapshots(year), np.array(lon, dtype=float)))


def _year_of(index: pd.DatetimeIndex) -> int | None:
    """The year if ``index`` is exactly :func:`snapshots` of it (what the generator's caches of
    the parts no seed changes are keyed on), else None."""
    if len(index) == 0:
        return None
    year = int(index[0].year)
    full = snapshots(year)
    if len(index) != len(full) or not np.array_equal(
        np.asarray(index.values), np.asarray(full.values)
    ):
        return None
    return year


def _read_only(array: np.ndarray) -> np.ndarray:
    """``array`` marked read-only (a cached value must not be changed by a caller)."""
    array.flags.writeable = False
    return array


def _wind_offset(target: np.ndarray) -> np.ndarray:
    """Latent offset ``c`` with ``E[CF_MAX * Phi(a z + c) ** g] = target`` for ``z ~ N(0, 1)``.

    Closed form for ``g = 1`` (``E[Phi(a z + c)] = Phi(c / sqrt(1 + a^2))``); otherwise the
    expectation is tabulated on a grid of ``c`` by 64-point Gauss-Hermite quadrature and inverted
    by interpolation (it is monotonic in ``c``).
    """
    p = np.clip(target / CF_MAX, 1e-4, 1 - 1e-4)
    if WIND_SKEW == 1.0:
        return _ppf_table(p) * np.sqrt(1 + WIND_SPREAD**2)
    nodes, weights = np.polynomial.hermite_e.hermegauss(64)
    grid = np.linspace(-10.0, 10.0, 2001)
    mean = (norm_cdf(WIND_SPREAD * nodes[None, :] + grid[:, None]) ** WIND_SKEW) @ weights
    mean /= weights.sum()
    return np.interp(p, mean, grid)


def _ppf_table(p: np.ndarray) -> np.ndarray:
    """``norm_ppf`` on the (few) distinct values of ``p`` only."""
    vals, inv = np.unique(np.round(p, 6), return_inverse=True)
    return norm_ppf(vals)[inv].reshape(p.shape)


# ----------------------------------------------------------------------------------------------
# solar
# ----------------------------------------------------------------------------------------------
def clear_sky_poa(index: pd.DatetimeIndex, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Clear-sky plane-of-array irradiance on a south-facing panel tilted ``TILT_DEG``.

    Parameters
    ----------
    index : pandas.DatetimeIndex
        Hourly snapshots (Beijing time, UTC+8), dims (time,); evaluated at mid-hour.
    lon, lat : numpy.ndarray
        Degrees, dims (site,).

    Returns
    -------
    numpy.ndarray
        Irradiance in kW/m2, dims (time, site).
    """
    doy = index.day_of_year.to_numpy() - 1 + (index.hour.to_numpy() + 0.5) / 24.0
    g = 2 * np.pi * doy / 365.0
    decl = (
        0.006918
        - 0.399912 * np.cos(g)
        + 0.070257 * np.sin(g)
        - 0.006758 * np.cos(2 * g)
        + 0.000907 * np.sin(2 * g)
        - 0.002697 * np.cos(3 * g)
        + 0.00148 * np.sin(3 * g)
    )
    eot_min = 229.18 * (
        0.000075
        + 0.001868 * np.cos(g)
        - 0.032077 * np.sin(g)
        - 0.014615 * np.cos(2 * g)
        - 0.040849 * np.sin(2 * g)
    )
    e0 = 1.000110 + 0.034221 * np.cos(g) + 0.001280 * np.sin(g)
    clock = index.hour.to_numpy() + 0.5  # Beijing time, mid-hour
    solar_time = clock[:, None] + (lon[None, :] - 120.0) / 15.0 + eot_min[:, None] / 60.0
    omega = np.radians(15.0 * (solar_time - 12.0))
    phi = np.radians(lat)[None, :]
    d = decl[:, None]
    cosz = np.sin(phi) * np.sin(d) + np.cos(phi) * np.cos(d) * np.cos(omega)
    beta = np.radians(TILT_DEG)
    cos_inc = np.sin(phi - beta) * np.sin(d) + np.cos(phi - beta) * np.cos(d) * np.cos(omega)
    up = cosz > 0.01
    zen_deg = np.degrees(np.arccos(np.clip(cosz, -1, 1)))
    air_mass = np.where(
        up,
        1.0 / (np.where(up, cosz, 1.0) + 0.50572 * np.maximum(96.07995 - zen_deg, 0.1) ** -1.6364),
        0,
    )
    dni = np.where(up, SOLAR_CONSTANT * e0[:, None] * 0.7 ** (air_mass**0.678), 0.0)
    dhi = 0.1 * dni * np.maximum(cosz, 0.0)
    poa = dni * np.maximum(cos_inc, 0.0) + dhi * (1 + np.cos(beta)) / 2
    return poa / 1000.0


@functools.cache
def _cloud_offsets(year: int) -> np.ndarray:
    """Latent offset per month so the expected monthly CF at the reference site matches ERA5."""
    index = snapshots(year)
    poa = clear_sky_poa(index, np.array([LON_REF]), np.array([LAT_REF]))[:, 0]
    cs_cf = np.minimum(PERFORMANCE_RATIO * poa, 1.0)
    cs_month = pd.Series(cs_cf).groupby(index.month.to_numpy()).mean().to_numpy()
    target = np.asarray(parameters()["solar"]["monthly_mean_cf"])
    # In Dec-Jan the simple clear-sky model needs k > 0.98 to reach ERA5; capped there (the
    # synthetic Dec/Jan is then slightly below ERA5, see the calibration table).
    k_mean = np.clip(target / cs_month, 0.05, 0.98)
    return norm_ppf(k_mean) * np.sqrt(1 + CLOUD_SPREAD**2)


def solar_cf(
    index: pd.DatetimeIndex, lon: np.ndarray, lat: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Solar PV capacity factors for sites.

    Parameters
    ----------
    index : pandas.DatetimeIndex
        Hourly snapshots (Beijing time), dims (time,); one calendar year.
    lon, lat : numpy.ndarray
        Site coordinates in degrees, dims (site,).
    rng : numpy.random.Generator
        Random stream (consumed).

    Returns
    -------
    numpy.ndarray
        Capacity factors in [0, 1], p.u., float64, dims (time, site).
    """
    n_t = len(index)
    n_days = n_t // 24
    mixing = _mixing(lon, lat, L_CLOUD_KM)
    day = _ar1(
        _correlated_normals(rng, n_days, mixing),
        CLOUD_PHI_DAY,
        _correlated_normals(rng, 1, mixing)[0],
    )
    hourly = _ar1(
        _correlated_normals(rng, n_t, mixing),
        CLOUD_PHI_HOUR,
        _correlated_normals(rng, 1, mixing)[0],
    )
    z = np.sqrt(1 - CLOUD_W_HOUR) * np.repeat(day, 24, axis=0) + np.sqrt(CLOUD_W_HOUR) * hourly
    offsets = _cloud_offsets(int(index[0].year))[index.month.to_numpy() - 1]
    k = norm_cdf(CLOUD_SPREAD * z + offsets[:, None])
    year = _year_of(index)
    if year is None:
        poa = clear_sky_poa(index, lon, lat)
    else:  # the same for every weather year at these sites: computed once
        poa = _clear_sky_cached(year, tuple(float(v) for v in lon), tuple(float(v) for v in lat))
    return np.clip(PERFORMANCE_RATIO * k * poa, 0.0, 1.0)


@functools.lru_cache(maxsize=8)
def _clear_sky_cached(year: int, lon: tuple[float, ...], lat: tuple[float, ...]) -> np.ndarray:
    """:func:`clear_sky_poa` on :func:`snapshots` of ``year`` (read-only, cached)."""
    poa = clear_sky_poa(snapshots(year), np.array(lon, dtype=float), np.array(lat, dtype=float))
    return _read_only(poa)


# ----------------------------------------------------------------------------------------------
# load
# ----------------------------------------------------------------------------------------------
def _holiday_factor(days: pd.DatetimeIndex, params: dict[str, Any]) -> np.ndarray:
    """Daily holiday factor (<= 1) for Spring Festival and National Day; dims (day,)."""
    year = int(days[0].year)
    factor = np.ones(len(days))
    month_day = SPRING_FESTIVAL.get(year)
    if month_day is None:
        logger.debug("no Spring Festival date for %d; using 5 Feb", year)
        month_day = (2, 5)
    starts = {"spring_festival": dt.date(year, *month_day), "national_day": dt.date(year, 10, 1)}
    first = days[0].date()
    for name, start in starts.items():
        lo, _hi = params[name]["window"]
        for i, f in enumerate(params[name]["factor"]):
            pos = (start - first).days + lo + i
            if 0 <= pos < len(days):
                factor[pos] *= f
    return factor


def load_shape(
    index: pd.DatetimeIndex, params: dict[str, Any], rng: np.random.Generator, mixing: np.ndarray
) -> np.ndarray:
    """Load shapes (mean 1) of one region's parameters for one or more correlated sites.

    Parameters
    ----------
    index : pandas.DatetimeIndex
        Hourly snapshots (Beijing time) of one calendar year, dims (time,).
    params : dict
        One region's table from ``parameters.yaml`` (``monthly``, ``weekday``, ``diurnal``,
        ``spring_festival``, ``national_day``, ``noise``).
    rng : numpy.random.Generator
        Random stream (consumed).
    mixing : numpy.ndarray
        Between-site mixing matrix (see ``_mixing``), dims (site, k); ``np.ones((1, 1))`` for one.

    Returns
    -------
    numpy.ndarray
        Dimensionless load shape with mean exactly 1 per site, dims (time, site).
    """
    days = index[::24]
    year = _year_of(index)
    region = _region_of(params)
    if year is None or region is None:
        det_day, diurnal = _load_calendar(index, params)
    else:  # the same for every weather year: computed once per region
        det_day, diurnal = _load_calendar_cached(year, region)
    noise = params["noise"]
    phi_d, phi_h = noise["daily_phi"], noise["hourly_phi"]
    sd_d = noise["daily_sigma"] / np.sqrt(1 - phi_d**2)  # stationary std of the AR(1)
    sd_h = noise["hourly_sigma"] / np.sqrt(1 - phi_h**2)
    e_day = sd_d * _ar1(
        _correlated_normals(rng, len(days), mixing), phi_d, _correlated_normals(rng, 1, mixing)[0]
    )
    e_hour = sd_h * _ar1(
        _correlated_normals(rng, len(index), mixing), phi_h, _correlated_normals(rng, 1, mixing)[0]
    )
    shape = (
        np.repeat(det_day, 24)[:, None]
        * diurnal[:, None]
        * np.exp(np.repeat(e_day, 24, axis=0) + e_hour)
    )
    return shape / shape.mean(axis=0, keepdims=True)


def _load_calendar(
    index: pd.DatetimeIndex, params: dict[str, Any]
) -> tuple[np.ndarray, np.ndarray]:
    """The deterministic part of :func:`load_shape`: the daily factor ``month * weekday *
    holiday`` (day,) and the diurnal factor (time,)."""
    days = index[::24]
    months = index.month.to_numpy()
    det_day = (
        np.asarray(params["monthly"])[days.month.to_numpy() - 1]
        * np.asarray(params["weekday"])[days.day_of_week.to_numpy()]
        * _holiday_factor(days, params)
    )
    diurnal = np.asarray(params["diurnal"])[months - 1, index.hour.to_numpy()]
    return det_day, diurnal


def _region_of(params: dict[str, Any]) -> str | None:
    """The name of ``params`` in ``parameters()["load"]`` if it is that very table, else None
    (tables from elsewhere are not cached)."""
    for name, table in parameters()["load"].items():
        if table is params:
            return name
    return None


@functools.lru_cache(maxsize=32)
def _load_calendar_cached(year: int, region: str) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_load_calendar` on :func:`snapshots` of ``year`` with the load table ``region`` of
    ``parameters.yaml`` (read-only, cached)."""
    det_day, diurnal = _load_calendar(snapshots(year), parameters()["load"][region])
    return _read_only(det_day), _read_only(diurnal)


# ----------------------------------------------------------------------------------------------
# public entry point
# ----------------------------------------------------------------------------------------------
def _rng(seed: int, year: int, stream: int, sub: int = 0) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([int(seed), int(year), stream, sub]))


def _check_sites(sites: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    missing = [c for c in ("x", "y") if c not in sites.columns]
    if missing:
        msg = f"sites need columns 'x' (lon, deg E) and 'y' (lat, deg N); missing {missing}"
        raise ProfileError("<sites>", ",".join(missing), msg)
    lon = sites["x"].to_numpy(dtype=float)
    lat = sites["y"].to_numpy(dtype=float)
    bad = ~(np.isfinite(lon) & np.isfinite(lat) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180))
    if bad.any():
        i = int(np.argmax(bad))
        msg = (
            f"site {sites.index[i]!r} has invalid coordinates x={lon[i]}, y={lat[i]}; "
            "expected longitude in [-180, 180] and latitude in [-90, 90] degrees"
        )
        raise ProfileError("<sites>", "x,y", msg)
    if len(sites) == 0 or not sites.index.is_unique:
        msg = f"sites must be a non-empty table with unique bus names, got {list(sites.index)}"
        raise ProfileError("<sites>", "bus", msg)
    return lon, lat


def wind_site_coords(
    sites: pd.DataFrame, lon: np.ndarray, lat: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates where each bus's wind is generated, degrees, dims (site,).

    ``sites`` columns ``wind_x``/``wind_y`` (optional, both or neither; NaN in a row on both
    means the bus's own ``x``/``y``), else the bus sites ``lon``/``lat``.
    """
    has = [c for c in ("wind_x", "wind_y") if c in sites.columns]
    if not has:
        return lon, lat
    if len(has) == 1:
        msg = f"sites have only column {has[0]!r}; expected both 'wind_x' and 'wind_y' or neither"
        raise ProfileError("<sites>", has[0], msg)
    wx = sites["wind_x"].to_numpy(dtype=float)
    wy = sites["wind_y"].to_numpy(dtype=float)
    half = np.isnan(wx) != np.isnan(wy)
    given = ~np.isnan(wx) & ~np.isnan(wy)
    bad = half | (given & ((np.abs(wy) > 90) | (np.abs(wx) > 180) | ~np.isfinite(wx + wy)))
    if bad.any():
        i = int(np.argmax(bad))
        msg = (
            f"site {sites.index[i]!r} has invalid wind site wind_x={wx[i]}, wind_y={wy[i]}; "
            "expected both empty (the bus site) or longitude in [-180, 180] and latitude in "
            "[-90, 90] degrees"
        )
        raise ProfileError("<sites>", "wind_x,wind_y", msg)
    return np.where(given, wx, lon), np.where(given, wy, lat)


def generate_profiles(
    sites: pd.DataFrame,
    year: int,
    seed: int,
    regions: Sequence[str] = REGIONS,
) -> xr.Dataset:
    """Generate one synthetic weather year of hourly profiles.

    Parameters
    ----------
    sites : pandas.DataFrame
        Index = bus name; columns ``x`` (longitude, deg E) and ``y`` (latitude, deg N), and
        optionally ``wind_x``/``wind_y``: where the bus's wind is generated (its wind farms'
        centroid; NaN or absent: ``x``/``y``). Solar and load are generated at ``x``/``y``.
    year : int
        Calendar year of the snapshots (8784 hours in leap years).
    seed : int
        Seed of the weather realisation; with ``sites`` and ``year`` it fixes the result.
    regions : sequence of str, default all of :data:`REGIONS`
        Receiving-grid regions for ``receiving_load``.

    Returns
    -------
    xarray.Dataset
        Coords ``snapshot`` (datetime64, Beijing local time), ``bus``, ``region``. Data vars
        ``wind`` and ``solar`` (snapshot, bus): capacity factors, p.u., float64 in [0, 1];
        ``load`` (snapshot, bus) and ``receiving_load`` (snapshot, region): dimensionless
        shapes with mean 1. Attrs ``seed``, ``year``, ``weather_year``, ``generator``,
        ``synthetic`` (= 1), ``time_zone``.

    Raises
    ------
    ProfileError
        If ``sites`` lacks ``x``/``y`` or has invalid coordinates (or wind-site coordinates), or
        a region is unknown.

    Notes
    -----
    Adding or removing a site changes the draws of the other sites (the innovations are mixed
    across sites); the receiving regions each have their own stream and do not depend on which
    other regions are requested.
    """
    lon, lat = _check_sites(sites)
    unknown = [r for r in regions if r not in REGIONS]
    if unknown:
        msg = f"unknown receiving region(s) {unknown}; expected some of {list(REGIONS)}"
        raise ProfileError("<generated>", "region", msg)
    year, seed = int(year), int(seed)
    index = snapshots(year)
    wind_lon, wind_lat = wind_site_coords(sites, lon, lat)
    wind = wind_cf(index, wind_lon, wind_lat, _rng(seed, year, _STREAMS["wind"]))
    solar = solar_cf(index, lon, lat, _rng(seed, year, _STREAMS["solar"]))
    load_params = parameters()["load"]
    load = load_shape(
        index, load_params["im"], _rng(seed, year, _STREAMS["load"]), _mixing(lon, lat, L_LOAD_KM)
    )
    recv = np.empty((len(index), len(regions)))
    for j, region in enumerate(regions):
        params = load_params[REGION_PROXY.get(region, region)]
        rng = _rng(seed, year, _STREAMS["receiving"], REGIONS.index(region))
        recv[:, j] = load_shape(index, params, rng, np.ones((1, 1)))[:, 0]
    buses = pd.Index(sites.index.astype(str), name="bus")
    coords = {
        "snapshot": (
            "snapshot",
            index.values,
            {"time_zone": TIME_ZONE, "long_name": "hour (Beijing local time)"},
        ),
        "bus": ("bus", buses.to_numpy(dtype=object)),
        "region": ("region", np.asarray(list(regions), dtype=object)),
    }
    ds = xr.Dataset(
        {
            "wind": (
                ("snapshot", "bus"),
                wind,
                {"units": "p.u.", "long_name": "onshore wind capacity factor"},
            ),
            "solar": (
                ("snapshot", "bus"),
                solar,
                {"units": "p.u.", "long_name": "solar PV capacity factor (fixed tilt 35 deg S)"},
            ),
            "load": (
                ("snapshot", "bus"),
                load,
                {"units": "1", "long_name": "load shape (annual mean 1)"},
            ),
            "receiving_load": (
                ("snapshot", "region"),
                recv,
                {"units": "1", "long_name": "receiving-grid load shape (annual mean 1)"},
            ),
        },
        coords=coords,
        attrs={
            "seed": seed,
            "year": year,
            "weather_year": year,
            "generator": GENERATOR,
            "synthetic": 1,
            "time_zone": TIME_ZONE,
            "description": "SYNTHETIC weather year; see energysim.profiles.synthetic",
        },
    )
    logger.debug("generated synthetic profiles: year %d, seed %d, %d buses", year, seed, len(buses))
    return ds
