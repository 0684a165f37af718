"""Derive the statistics the synthetic generator is calibrated to from the reference data.

The synthetic generator (:mod:`energysim.profiles.synthetic`) never reads the reference series
at run time. It reads ``energysim/profiles/parameters.yaml``: small tables (12 monthly factors,
24-hour shapes, a holiday window, noise parameters) that :func:`fit_parameters` derives from the
files in ``<shared>/data`` and :func:`write_parameters` writes. Re-run it when the reference data
change::

    from pathlib import Path
    from energysim.profiles.fit import write_parameters
    write_parameters(Path("../shared"))

Sources (see ``<shared>/data/SOURCES.md``): ``im_wind_solar_cf_era5_2020_hourly.csv`` (atlite on
ERA5 2020, Inner Mongolia potential-weighted average, Beijing time), ``im_load_2018_hourly_MW.csv``
and ``export_dest_load_2018_hourly_MW.csv`` (NDRC-based reconstructed hourly load 2018, via
PyPSA-China-PIK).
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from energysim.exceptions import EnergysimError

logger = logging.getLogger(__name__)

__all__ = [
    "LOAD_COLUMNS",
    "PARAMETERS_FILE",
    "fit_load",
    "fit_parameters",
    "read_reference",
    "write_parameters",
]

PARAMETERS_FILE = Path(__file__).with_name("parameters.yaml")

#: Reference columns summed per load region (``im`` = Inner Mongolia, the buses' own load).
LOAD_COLUMNS: dict[str, tuple[str, ...]] = {
    "im": ("InnerMongolia_MW",),
    "shandong": ("Shandong_MW",),
    "jiangsu": ("Jiangsu_MW",),
    "jjj": ("Beijing_MW", "Tianjin_MW", "Hebei_MW"),
    "shanxi": ("Shanxi_MW",),
    "shanghai": ("Shanghai_MW",),
    "anhui": ("Anhui_MW",),
    "liaoning": ("Liaoning_MW",),
    "zhejiang": ("Zhejiang_MW",),
    "northeast": ("Liaoning_MW", "Jilin_MW", "Heilongjiang_MW"),
}

#: Spring Festival (Chinese New Year's day) of 2018, the load reference year.
_CNY_2018 = dt.date(2018, 2, 16)
#: Holiday windows in days relative to the holiday's first day (inclusive).
CNY_WINDOW = (-10, 24)
NATIONAL_DAY_WINDOW = (-3, 10)

#: Hours subtracted from the ERA5 timestamps to turn right-labelled into left-labelled hours.
ERA5_LABEL_SHIFT_H = 1

_SEASON_OF_MONTH = np.array([0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 0])  # DJF, MAM, JJA, SON


def read_reference(shared_dir: Path) -> dict[str, pd.DataFrame]:
    """Read the three hourly reference files.

    Parameters
    ----------
    shared_dir : pathlib.Path
        Folder holding ``data/`` with the reference CSV files.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``"vre"``: columns ``onwind_cf``, ``solar_cf`` (p.u.) indexed by Beijing time 2020 (8760 h,
        29 Feb removed), relabelled by ``-ERA5_LABEL_SHIFT_H`` so that the value at ``t`` is the
        mean over ``[t, t + 1 h)`` (the first hour then falls on 2019-12-31 23:00);
        ``"load"``: all load columns in MW indexed by assumed local time 2018.

    Raises
    ------
    EnergysimError
        If the folder or a file is missing.
    """
    data = Path(shared_dir) / "data"
    files = {
        "vre": data / "im_wind_solar_cf_era5_2020_hourly.csv",
        "im": data / "im_load_2018_hourly_MW.csv",
        "dest": data / "export_dest_load_2018_hourly_MW.csv",
    }
    missing = [str(f) for f in files.values() if not f.is_file()]
    if missing:
        msg = (
            f"reference data not found: {', '.join(missing)}; expected the shared folder "
            f"(default <repo>/../shared) with data/*.csv, see SOURCES.md"
        )
        raise EnergysimError(msg)
    vre = pd.read_csv(
        files["vre"], parse_dates=["timestamp_beijing_time"], index_col="timestamp_beijing_time"
    )
    # atlite/ERA5 values are right-labelled (the value at t is the mean over (t - 1 h, t]; the
    # solar peak sits at 13 h): relabel to energysim's left-labelled snapshots, [t, t + 1 h).
    vre.index = vre.index - pd.Timedelta(hours=ERA5_LABEL_SHIFT_H)
    vre.index.name = "snapshot"
    im = pd.read_csv(
        files["im"],
        parse_dates=["timestamp_assumed_2018_local"],
        index_col="timestamp_assumed_2018_local",
    )
    dest = pd.read_csv(
        files["dest"],
        parse_dates=["timestamp_assumed_2018_local"],
        index_col="timestamp_assumed_2018_local",
    )
    load = pd.concat([im[["InnerMongolia_MW"]], dest.drop(columns="hour_of_year")], axis=1)
    return {"vre": vre, "load": load}


def _holiday_window(
    daily: pd.Series, start: dt.date, window: tuple[int, int], weekday: np.ndarray
) -> np.ndarray:
    """Ratio of daily load to a linear non-holiday baseline across a holiday window."""
    lo, hi = window
    day = pd.Timestamp(start)
    before = daily[day + pd.Timedelta(days=lo - 10) : day + pd.Timedelta(days=lo - 1)]
    after = daily[day + pd.Timedelta(days=hi + 1) : day + pd.Timedelta(days=hi + 10)]
    wb = before / weekday[before.index.day_of_week]
    wa = after / weekday[after.index.day_of_week]
    x0, x1 = lo - 5.5, hi + 5.5
    ks = np.arange(lo, hi + 1)
    base = wb.mean() + (wa.mean() - wb.mean()) * (ks - x0) / (x1 - x0)
    days = [day + pd.Timedelta(days=int(k)) for k in ks]
    obs = daily.loc[days].to_numpy() / weekday[pd.DatetimeIndex(days).day_of_week]
    factor = obs / base
    return np.minimum(factor, 1.0)  # a holiday only lowers load


def _ar1(x: np.ndarray) -> tuple[float, float]:
    """Lag-1 autocorrelation and innovation standard deviation of a residual series."""
    x = x - x.mean()
    phi = float(np.clip(np.dot(x[1:], x[:-1]) / np.dot(x, x), 0.0, 0.999))
    sigma = float(np.std(x[1:] - phi * x[:-1]))
    return phi, sigma


def fit_load(series: pd.Series) -> dict[str, Any]:
    """Fit the load-shape model to one hourly load series.

    Model (multiplicative, all factors dimensionless)::

        load(t) = month[m] * weekday[w] * holiday(t) * diurnal[m, h] * exp(e_day + e_hour)

    with ``e_day`` a daily AR(1) and ``e_hour`` an hourly AR(1) process.

    Parameters
    ----------
    series : pandas.Series
        Hourly load (MW) of one year, dims (time,), local time.

    Returns
    -------
    dict
        ``monthly`` (12), ``weekday`` (7, Mon..Sun), ``diurnal`` (12 x 24, each row mean 1),
        ``spring_festival`` and ``national_day`` (``start``, ``factor`` per day of the window),
        ``noise`` (``daily_phi``, ``daily_sigma``, ``hourly_phi``, ``hourly_sigma``).
    """
    x = series / series.mean()
    daily = x.resample("D").mean()
    # weekday factors from non-holiday weeks (exclude Jan-Feb and October holiday months)
    ordinary = daily[~daily.index.month.isin([1, 2, 10])]
    ordinary = ordinary / ordinary.rolling(7, center=True, min_periods=7).mean()
    weekday = ordinary.groupby(ordinary.index.day_of_week).mean().to_numpy()
    weekday = weekday / weekday.mean()
    cny = _holiday_window(daily, _CNY_2018, CNY_WINDOW, weekday)
    nday = _holiday_window(daily, dt.date(2018, 10, 1), NATIONAL_DAY_WINDOW, weekday)
    hol = pd.Series(1.0, index=daily.index)
    for start, window, factor in (
        (_CNY_2018, CNY_WINDOW, cny),
        (dt.date(2018, 10, 1), NATIONAL_DAY_WINDOW, nday),
    ):
        ks = np.arange(window[0], window[1] + 1)
        hol.loc[[pd.Timestamp(start) + pd.Timedelta(days=int(k)) for k in ks]] = factor
    adjusted = daily / hol / weekday[daily.index.day_of_week]
    monthly = adjusted.groupby(adjusted.index.month).mean().to_numpy()
    monthly = monthly / monthly.mean()
    shape = x / x.resample("D").transform("mean")
    diurnal = shape.groupby([shape.index.month, shape.index.hour]).mean().unstack().to_numpy()
    diurnal = diurnal / diurnal.mean(axis=1, keepdims=True)
    # residuals
    det_daily = monthly[daily.index.month - 1] * weekday[daily.index.day_of_week] * hol.to_numpy()
    e_day = np.log(daily.to_numpy() / det_daily)
    d_phi, d_sig = _ar1(e_day)
    det_hour = diurnal[x.index.month - 1, x.index.hour] * np.repeat(daily.to_numpy(), 24)[: len(x)]
    e_hour = np.log(x.to_numpy() / det_hour)
    h_phi, h_sig = _ar1(e_hour)
    r = lambda a: np.round(np.asarray(a, dtype=float), 4).tolist()  # noqa: E731
    return {
        "monthly": r(monthly),
        "weekday": r(weekday),
        "diurnal": [r(row) for row in diurnal],
        "spring_festival": {"window": list(CNY_WINDOW), "factor": r(cny)},
        "national_day": {"window": list(NATIONAL_DAY_WINDOW), "factor": r(nday)},
        "noise": {
            "daily_phi": round(d_phi, 4),
            "daily_sigma": round(d_sig, 5),
            "hourly_phi": round(h_phi, 4),
            "hourly_sigma": round(h_sig, 5),
        },
    }


def _harmonics(ratio: np.ndarray, n: int = 2) -> list[list[float]]:
    """First ``n`` Fourier harmonics ``[a_k, b_k]`` of a 24-h ratio (mean 1), hour h at h + 0.5."""
    h = np.arange(24) + 0.5
    out = []
    for k in range(1, n + 1):
        w = 2 * np.pi * k * h / 24
        out.append(
            [
                round(float(2 * np.mean((ratio - 1) * np.cos(w))), 4),
                round(float(2 * np.mean((ratio - 1) * np.sin(w))), 4),
            ]
        )
    return out


def fit_parameters(shared_dir: Path) -> dict[str, Any]:
    """Derive all generator parameters from the reference data.

    Parameters
    ----------
    shared_dir : pathlib.Path
        The shared folder (holding ``data/``).

    Returns
    -------
    dict
        Nested, YAML-serialisable tables: ``wind``, ``solar``, ``load`` (per region).
    """
    ref = read_reference(shared_dir)
    vre = ref["vre"]
    months = vre.index.month
    wind, solar = vre["onwind_cf"], vre["solar_cf"]
    wmon = wind.groupby(months).mean()
    seasons = _SEASON_OF_MONTH[months - 1]
    diurnal = {}
    for s, name in enumerate(("DJF", "MAM", "JJA", "SON")):
        ws = wind[seasons == s] / wmon.reindex(months[seasons == s]).to_numpy()
        ratio = ws.groupby(ws.index.hour).mean().to_numpy()
        diurnal[name] = _harmonics(ratio / ratio.mean())
    load = ref["load"]
    regions = {name: fit_load(load[list(cols)].sum(axis=1)) for name, cols in LOAD_COLUMNS.items()}
    return {
        "wind": {
            "annual_mean_cf": round(float(wind.mean()), 4),
            "monthly_mean_cf": np.round(wmon.to_numpy(), 4).tolist(),
            "diurnal_harmonics": diurnal,
        },
        "solar": {
            "annual_mean_cf": round(float(solar.mean()), 4),
            "monthly_mean_cf": np.round(solar.groupby(months).mean().to_numpy(), 4).tolist(),
        },
        "load": regions,
    }


_HEADER = """\
# Derived statistics for energysim.profiles.synthetic. GENERATED by
# energysim.profiles.fit.write_parameters; do not edit by hand.
# Sources (read-only reference data, see <shared>/data/SOURCES.md):
#   wind, solar: im_wind_solar_cf_era5_2020_hourly.csv (atlite/ERA5 2020 via Rick10119/PyPSA-China,
#                Inner Mongolia potential-weighted average, Beijing time)
#   load:        im_load_2018_hourly_MW.csv, export_dest_load_2018_hourly_MW.csv (NDRC-based
#                reconstructed 2018 hourly load via pik-piam/PyPSA-China-PIK, Zenodo 8322210)
# Only summary tables are stored (monthly means, 24-h shapes, holiday windows, AR(1) noise),
# not the series. Diurnal wind harmonics: ratio(h) = 1 + sum_k a_k cos(2 pi k (h+0.5)/24)
# + b_k sin(...), h = Beijing clock hour. jjj = Beijing+Tianjin+Hebei; northeast =
# Liaoning+Jilin+Heilongjiang; jiangxi has no data and uses anhui (in the generator).
"""


def write_parameters(shared_dir: Path, path: Path = PARAMETERS_FILE) -> Path:
    """Fit the parameters and write them as YAML (with a source header).

    Parameters
    ----------
    shared_dir : pathlib.Path
        The shared folder (holding ``data/``).
    path : pathlib.Path, default ``energysim/profiles/parameters.yaml``
        Output file.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    params = fit_parameters(shared_dir)
    text = _HEADER + yaml.safe_dump(params, sort_keys=False, default_flow_style=None, width=100)
    Path(path).write_text(text, encoding="utf-8")
    logger.info("wrote generator parameters to %s", path)
    return Path(path)
