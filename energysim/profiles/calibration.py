"""Compare synthetic weather years with the reference series they were calibrated to.

:func:`calibration_table` generates ``n_years`` synthetic years for the twelve default sites,
averages wind and solar over the sites (the reference is a provincial, potential-weighted
average) and compares statistics with ERA5 2020 (wind, solar) and the 2018 load series (Inner
Mongolia and the receiving grids). :func:`format_calibration` prints the table side by side.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from energysim.exceptions import EnergysimError
from energysim.profiles.fit import LOAD_COLUMNS, read_reference
from energysim.profiles.synthetic import REGION_PROXY, REGIONS, generate_profiles

logger = logging.getLogger(__name__)

__all__ = ["DEFAULT_SITES", "calibration_table", "format_calibration", "profile_statistics"]

#: The twelve default buses: capacity-weighted centroid of GEM operating coal units per league
#: (lon deg E, lat deg N), from <shared>/data/im_coal_units_gem_jul2023.csv; wind sites
#: (``wind_x``, ``wind_y``): centroid of the league's located GEM wind farms in operation or
#: construction, from <shared>/data/im_wind_projects_gem_may2023.csv (as in
#: ``scenarios/data/buses.csv``; Wuhai, without farms, at its bus site).
DEFAULT_SITES = pd.DataFrame(
    {
        "x": [
            106.26,
            106.82,
            107.67,
            109.14,
            110.03,
            111.52,
            113.01,
            116.6,
            118.95,
            120.05,
            121.6,
            119.55,
        ],
        "y": [39.17, 39.48, 40.66, 39.48, 40.62, 40.38, 40.69, 43.74, 42.63, 45.11, 45.31, 48.86],
        "wind_x": [
            104.5,
            106.82,
            107.5,
            107.9,
            109.9,
            111.5,
            112.5,
            115.3,
            117.9,
            121.5,
            121.4,
            121.3,
        ],
        "wind_y": [39.8, 39.48, 41.6, 39.9, 41.5, 40.4, 41.6, 43.2, 42.9, 44.1, 45.7, 48.5],
    },
    index=pd.Index(
        [
            "alxa",
            "wuhai",
            "bayannur",
            "ordos",
            "baotou",
            "hohhot",
            "ulanqab",
            "xilingol",
            "chifeng",
            "tongliao",
            "hinggan",
            "hulunbuir",
        ],
        name="bus",
    ),
)

#: Fleet utilisation hours in 蒙西 (shared/plan/facts.md section 4): wind > 2500 h, PV ≈ 1600 h.
FLEET_HOURS = {
    "wind": "> 2500 (蒙西 fleet, facts.md §4)",
    "solar": "≈ 1600 (蒙西 fleet, facts.md §4)",
}

_LAGS = (1, 24, 72, 168)


def _acf(x: np.ndarray, lag: int) -> float:
    x = x - x.mean()
    return float(np.dot(x[lag:], x[:-lag]) / np.dot(x, x))


def profile_statistics(series: pd.Series, kind: str) -> dict[str, float]:
    """Summary statistics of one hourly series.

    Parameters
    ----------
    series : pandas.Series
        Hourly values indexed by local time, dims (time,): capacity factor (p.u.) for
        ``kind`` ``"wind"``/``"solar"``, load in any unit for ``"load"``.
    kind : {"wind", "solar", "load"}
        What the series is.

    Returns
    -------
    dict of str to float
        Keys such as ``mean``, ``full_load_hours``, ``acf_24``, ``p10`` (capacity factors) or
        ``load_factor``, ``min_over_mean`` (load), plus the arrays ``_monthly`` (12,) and
        ``_diurnal`` (24,) (the diurnal shape divided by the annual mean).
    """
    x = series.to_numpy(dtype=float)
    mean = float(x.mean())
    out: dict[str, float] = {}
    idx = pd.DatetimeIndex(series.index)
    out["_monthly"] = series.groupby(idx.month).mean().to_numpy() / (mean if kind == "load" else 1)
    out["_diurnal"] = series.groupby(idx.hour).mean().to_numpy() / mean
    if kind == "load":
        out["load_factor"] = mean / float(x.max())
        out["min_over_mean"] = float(x.min()) / mean
        daily = series.resample("D").mean()
        out["daily_cv"] = float(daily.std() / daily.mean())
    else:
        out["mean"] = mean
        out["full_load_hours"] = mean * 8760
        out["std"] = float(x.std())
        sel = x if kind == "wind" else x[x > 0.001]
        for q in (10, 50, 90):
            out[f"p{q}"] = float(np.percentile(sel, q))
        daily = series.resample("D").mean()
        out["daily_std"] = float(daily.std())
    for lag in _LAGS:
        out[f"acf_{lag}"] = _acf(x, lag)
    return out


_CF_ROWS = [
    ("mean", "annual mean CF, p.u."),
    ("full_load_hours", "full-load hours, h/a"),
    ("std", "hourly std, p.u."),
    ("daily_std", "std of daily means, p.u."),
    ("p10", "P10, p.u."),
    ("p50", "P50, p.u."),
    ("p90", "P90, p.u."),
    ("acf_1", "autocorrelation lag 1 h"),
    ("acf_24", "autocorrelation lag 24 h"),
    ("acf_72", "autocorrelation lag 72 h"),
    ("acf_168", "autocorrelation lag 168 h"),
]
_LOAD_ROWS = [
    ("load_factor", "load factor (mean/peak)"),
    ("min_over_mean", "min / mean"),
    ("daily_cv", "CV of daily means"),
    ("acf_24", "autocorrelation lag 24 h"),
    ("acf_168", "autocorrelation lag 168 h"),
]


def _rows(
    quantity: str,
    real: dict,
    synth: list[dict],
    rows: list[tuple[str, str]],
    reference: dict[str, str] | None = None,
) -> list[dict]:
    out = []
    for key, label in rows:
        vals = np.array([s[key] for s in synth])
        out.append(
            {
                "quantity": quantity,
                "metric": label,
                "real": real[key],
                "synthetic": float(vals.mean()),
                "synthetic_sd": float(vals.std()),
                "reference": (reference or {}).get(key, ""),
            }
        )
    for key, label in (
        ("_monthly", "monthly means: max abs error"),
        ("_diurnal", "diurnal shape (/mean): mean abs error"),
    ):
        errs = np.array([np.abs(s[key] - real[key]) for s in synth])
        stat = errs.max(axis=1) if key == "_monthly" else errs.mean(axis=1)
        mean_err = np.abs(np.mean([s[key] for s in synth], axis=0) - real[key])
        mean_stat = mean_err.max() if key == "_monthly" else mean_err.mean()
        out.append(
            {
                "quantity": quantity,
                "metric": label,
                "real": 0.0,
                "synthetic": float(stat.mean()),
                "synthetic_sd": float(stat.std()),
                "reference": f"of the {len(synth)}-year mean: {mean_stat:.3f}",
            }
        )
    return out


DEFAULT_SHARED = Path(__file__).resolve().parents[2].parent / "shared"
"""Where the reference data are looked for by default: ``shared/`` next to the checkout."""


def reference_data_found(shared_dir: Path | None = None) -> bool:
    """Whether ``shared_dir`` (default :data:`DEFAULT_SHARED`) holds the ``data/`` folder."""
    return ((Path(shared_dir) if shared_dir is not None else DEFAULT_SHARED) / "data").is_dir()


def calibration_table(
    shared_dir: Path | None = None, seed: int = 0, n_years: int = 10, year: int = 2018
) -> pd.DataFrame:
    """Compare synthetic profiles with the reference data, statistic by statistic.

    Parameters
    ----------
    shared_dir : pathlib.Path, optional
        The shared folder holding ``data/`` (default ``<repo>/../shared``).
    seed : int, default 0
        First seed; years use seeds ``seed .. seed + n_years - 1``.
    n_years : int, default 10
        Number of synthetic weather years.
    year : int, default 2018
        Calendar year of the synthetic snapshots; 2018 (the load reference year) puts Spring
        Festival, National Day and the weekdays on the same dates as the reference load.

    Returns
    -------
    pandas.DataFrame
        One row per statistic with columns ``quantity`` (``wind``, ``solar``, ``wind-solar``,
        ``load:im``, ``load:<region>``), ``metric``, ``real``, ``synthetic`` (mean over the
        years), ``synthetic_sd`` (spread between years) and ``reference`` (fleet figures or
        notes). Wind and solar are averaged over :data:`DEFAULT_SITES`.

    Raises
    ------
    EnergysimError
        If the reference data are not found or ``n_years < 1``.
    """
    shared_dir = Path(shared_dir) if shared_dir is not None else DEFAULT_SHARED
    if not (shared_dir / "data").is_dir():
        msg = (
            f"reference data folder {shared_dir / 'data'} not found; pass the shared folder "
            "(with data/im_wind_solar_cf_era5_2020_hourly.csv etc.) explicitly"
        )
        raise EnergysimError(msg)
    if n_years < 1:
        msg = f"n_years must be >= 1, got {n_years}"
        raise EnergysimError(msg)
    ref = read_reference(shared_dir)
    vre, load = ref["vre"], ref["load"]
    real = {
        "wind": profile_statistics(vre["onwind_cf"], "wind"),
        "solar": profile_statistics(vre["solar_cf"], "solar"),
    }
    real_ws = (
        vre["onwind_cf"].corr(vre["solar_cf"]),
        vre["onwind_cf"].resample("D").mean().corr(vre["solar_cf"].resample("D").mean()),
    )
    synth: dict[str, list] = {"wind": [], "solar": [], "ws": [], "load:im": []}
    synth.update({f"load:{r}": [] for r in REGIONS})
    for i in range(n_years):
        ds = generate_profiles(DEFAULT_SITES, year, seed + i)
        snaps = pd.DatetimeIndex(ds["snapshot"].values)
        w = pd.Series(ds["wind"].mean("bus").values, index=snaps)
        s = pd.Series(ds["solar"].mean("bus").values, index=snaps)
        synth["wind"].append(profile_statistics(w, "wind"))
        synth["solar"].append(profile_statistics(s, "solar"))
        synth["ws"].append((w.corr(s), w.resample("D").mean().corr(s.resample("D").mean())))
        synth["load:im"].append(
            profile_statistics(pd.Series(ds["load"].mean("bus").values, index=snaps), "load")
        )
        for r in REGIONS:
            synth[f"load:{r}"].append(
                profile_statistics(
                    pd.Series(ds["receiving_load"].sel(region=r).values, index=snaps), "load"
                )
            )
    rows = _rows(
        "wind",
        real["wind"],
        synth["wind"],
        _CF_ROWS,
        {"mean": "ERA5 2020 potential-weighted 0.299", "full_load_hours": FLEET_HOURS["wind"]},
    )
    rows += _rows(
        "solar",
        real["solar"],
        synth["solar"],
        _CF_ROWS,
        {
            "mean": "ERA5 2020 potential-weighted 0.169",
            "full_load_hours": FLEET_HOURS["solar"],
            "p10": "daylight hours only",
            "p50": "daylight hours only",
            "p90": "daylight hours only",
        },
    )
    ws = np.array(synth["ws"])
    for j, label in enumerate(("hourly correlation", "daily-mean correlation")):
        rows.append(
            {
                "quantity": "wind-solar",
                "metric": label,
                "real": float(real_ws[j]),
                "synthetic": float(ws[:, j].mean()),
                "synthetic_sd": float(ws[:, j].std()),
                "reference": "",
            }
        )
    for name, cols in LOAD_COLUMNS.items():
        real_load = profile_statistics(load[list(cols)].sum(axis=1), "load")
        rows += _rows(f"load:{name}", real_load, synth[f"load:{name}"], _LOAD_ROWS)
    for region, proxy in REGION_PROXY.items():
        real_load = profile_statistics(load[list(LOAD_COLUMNS[proxy])].sum(axis=1), "load")
        rows += _rows(
            f"load:{region}",
            real_load,
            synth[f"load:{region}"],
            _LOAD_ROWS,
            {k: f"proxy: {proxy} data" for k, _ in _LOAD_ROWS},
        )
    df = pd.DataFrame(rows)
    df["diff"] = df["synthetic"] - df["real"]
    df.attrs.update(
        {"seed": seed, "n_years": n_years, "year": year, "sites": ",".join(DEFAULT_SITES.index)}
    )
    logger.info("calibration: %d synthetic years (seeds %d..%d)", n_years, seed, seed + n_years - 1)
    return df[["quantity", "metric", "real", "synthetic", "synthetic_sd", "diff", "reference"]]


def format_calibration(df: pd.DataFrame) -> str:
    """Side-by-side text table of :func:`calibration_table` output.

    Parameters
    ----------
    df : pandas.DataFrame
        Output of :func:`calibration_table`.

    Returns
    -------
    str
        Fixed-width table, one line per statistic, grouped by quantity.
    """
    head = (
        f"{'quantity':<15} {'metric':<40} {'real':>9} {'synthetic':>10} {'± sd':>8} "
        f"{'diff':>9}  reference"
    )
    lines = []
    if df.attrs:
        lines.append(
            f"synthetic: {df.attrs.get('n_years')} years, seeds from "
            f"{df.attrs.get('seed')}, calendar {df.attrs.get('year')}; real: ERA5 2020 "
            "(wind, solar), 2018 load; wind/solar averaged over the default sites"
        )
    lines += [head, "-" * len(head)]
    last = None
    for row in df.itertuples(index=False):
        if last is not None and row.quantity != last:
            lines.append("")
        last = row.quantity

        def f(v: float) -> str:
            return f"{v:9.1f}" if abs(v) >= 100 else f"{v:9.3f}"

        lines.append(
            f"{row.quantity:<15} {row.metric:<40} {f(row.real)} {f(row.synthetic):>10} "
            f"{row.synthetic_sd:8.3f} {f(row.diff)}  {row.reference}"
        )
    return "\n".join(lines)
