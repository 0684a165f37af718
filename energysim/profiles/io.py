"""Read user-supplied real profiles (CSV or netCDF) onto the snapshots of a model year.

Formats
-------
CSV (wide form)
    One header row; the first column holds the timestamps (any name, e.g. ``snapshot``,
    ``time``, ``timestamp``), then one column per bus, named exactly as the scenario's buses::

        snapshot,ordos,baotou,...
        2025-01-01 00:00,0.31,0.28,...

    Timestamps without offset are Beijing local time; with an offset (``...Z``, ``+00:00``,
    ``+08:00``) they are converted. Capacity factors in p.u.; load in any unit (the shape is
    rescaled by the scenario's annual energy).
netCDF
    A variable ``profile`` with dims (``time``, ``bus``), as atlite and PyPSA-Eur write
    ``profile_onwind.nc`` / ``profile_solar.nc``. Following CF and atlite, tz-naive times are
    UTC, unless the ``time`` coordinate or the file has the attribute ``time_zone`` =
    ``"Asia/Shanghai"`` (as energysim's own files do).

See :mod:`energysim.profiles.checks` for the time rules (UTC years are rotated by 8 h, other
weather years are relabelled) and the validation.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
import xarray as xr

from energysim.exceptions import ProfileError
from energysim.profiles.checks import NA_TOKENS, PROFILE_KINDS, ProfileKind, check_profile

logger = logging.getLogger(__name__)

__all__ = ["load_profile", "read_csv_profile", "read_netcdf_profile"]

_BEIJING_NAMES = {
    "asia/shanghai",
    "asia/chongqing",
    "prc",
    "beijing",
    "utc+8",
    "utc+08:00",
    "+08:00",
    "cst",
}


def read_csv_profile(path: Path) -> xr.DataArray:
    """Read a wide CSV profile as it is (no validation of values).

    Parameters
    ----------
    path : pathlib.Path
        CSV file: first column timestamps, then one column per bus.

    Returns
    -------
    xarray.DataArray
        Dims (snapshot, bus); the snapshot coordinate holds the raw timestamp strings.

    Raises
    ------
    ProfileError
        If the file cannot be read or has no bus column.
    """
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as err:
        msg = f"cannot read as CSV: {err}"
        raise ProfileError(path, "", msg) from None
    if df.shape[1] < 2:
        msg = (
            f"has columns {list(df.columns)}; expected a time column followed by one column per bus"
        )
        raise ProfileError(path, "", msg)
    time_col = df.columns[0]
    values = df.drop(columns=time_col)
    missing = values.apply(lambda c: c.str.strip()).isin(NA_TOKENS)
    numeric = values.mask(missing).apply(pd.to_numeric, errors="coerce")
    non_numeric = (numeric.isna() & ~missing).any().any()
    data = values.to_numpy(dtype=object) if non_numeric else numeric.to_numpy(dtype=float)
    return xr.DataArray(
        data,
        dims=("snapshot", "bus"),
        coords={
            "snapshot": df[time_col].to_numpy(dtype=object),
            "bus": [str(c).strip() for c in values.columns],
        },
        name="profile",
        attrs={"time_column": str(time_col)},
    )


def read_netcdf_profile(path: Path) -> tuple[xr.DataArray, bool]:
    """Read the ``profile`` variable of an atlite/PyPSA-Eur netCDF file.

    Parameters
    ----------
    path : pathlib.Path
        netCDF file with variable ``profile`` (dims ``time``, ``bus``).

    Returns
    -------
    tuple of (xarray.DataArray, bool)
        The variable with dims (snapshot, bus), loaded into memory, and whether its tz-naive
        times are UTC (``False`` where a ``time_zone`` attribute says Beijing time).

    Raises
    ------
    ProfileError
        If the file cannot be opened, has no ``profile`` variable, or wrong dims.
    """
    try:
        ds = xr.open_dataset(path)
    except (OSError, ValueError) as err:
        msg = f"cannot open as netCDF: {err}"
        raise ProfileError(path, "", msg) from None
    with ds:
        if "profile" not in ds.data_vars:
            msg = (
                f"has no variable 'profile' (variables: {list(ds.data_vars)}); expected "
                "'profile' with dims (time, bus) as atlite/PyPSA-Eur write it"
            )
            raise ProfileError(path, "profile", msg)
        da = ds["profile"]
        time_dim = "time" if "time" in da.dims else "snapshot"
        if set(da.dims) != {time_dim, "bus"}:
            msg = f"variable 'profile' has dims {tuple(da.dims)}; expected (time, bus)"
            raise ProfileError(path, "profile", msg)
        tz = str(da[time_dim].attrs.get("time_zone", ds.attrs.get("time_zone", "UTC")))
        da = da.load()
        da.attrs["time_column"] = time_dim
    return da, tz.strip().lower() not in _BEIJING_NAMES


def load_profile(
    path: str | Path,
    kind: ProfileKind,
    buses: list[str],
    year: int,
) -> xr.DataArray:
    """Read and validate a real profile for the scenario's buses and model year.

    Parameters
    ----------
    path : path-like
        ``.csv`` (wide form) or ``.nc``/``.nc4``/``.netcdf`` (variable ``profile``).
    kind : {"wind", "solar", "load"}
        Capacity factors (p.u. in [0, 1]) or load (>= 0, any unit).
    buses : list of str
        Buses that must be present; the result has these, in this order.
    year : int
        Model year; the profile must cover its 8760 (8784) hours, or a full year of the same
        length (relabelled), or a full UTC year (rotated to Beijing time).

    Returns
    -------
    xarray.DataArray
        float64, dims (snapshot, bus), Beijing-time tz-naive snapshots of ``year``.

    Raises
    ------
    ProfileError
        If the file is missing, of an unknown type, or fails a check (the message names the
        file, column/variable, first offending timestamp and value, and what is expected).
    """
    path = Path(path)
    if kind not in PROFILE_KINDS:
        msg = f"kind must be one of {sorted(PROFILE_KINDS)}, got {kind!r}"
        raise ProfileError(path, "kind", msg)
    if not path.is_file():
        msg = "file not found"
        raise ProfileError(path, "", msg)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        da, utc_naive = read_csv_profile(path), False
    elif suffix in (".nc", ".nc4", ".netcdf", ".cdf"):
        da, utc_naive = read_netcdf_profile(path)
    else:
        msg = f"unknown profile file type {suffix!r}; expected .csv or .nc"
        raise ProfileError(path, "", msg)
    out = check_profile(da, kind, path, year=year, buses=list(buses), utc_naive=utc_naive)
    logger.info("read %s profile for %d buses from %s", kind, len(buses), path)
    return out
