"""Validation of user-supplied hourly profiles.

Every failure raises :class:`energysim.exceptions.ProfileError` naming the file, the column or
variable, the first offending timestamp and value, and what is expected.

Time rules (:func:`to_beijing_time`)
------------------------------------
* tz-naive timestamps are taken as Beijing local time (Asia/Shanghai, UTC+8), except in
  netCDF files, where CF/atlite/PyPSA-Eur times are UTC unless the ``time`` coordinate or the
  file declares ``time_zone`` (see :mod:`energysim.profiles.io`).
* tz-aware timestamps (``Z``, ``+00:00``, ``+08:00``, any fixed offset or zone) are converted to
  Beijing local time and made tz-naive. China has had no daylight saving since 1991, so the
  conversion is unambiguous.
* A complete UTC year converted to Beijing time covers 08:00 on 1 January to 07:00 on
  1 January of the next year; it is rotated by 8 hours (the last 8 hours are moved to the start)
  so it covers the Beijing-time year.
* A complete year of another calendar year with the same number of hours (a weather year used
  for a model year) is relabelled to the model year.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import xarray as xr

from energysim.exceptions import ProfileError
from energysim.profiles.synthetic import TIME_ZONE, snapshots

logger = logging.getLogger(__name__)

__all__ = ["NA_TOKENS", "ProfileKind", "check_profile", "to_beijing_time"]

ProfileKind = Literal["wind", "solar", "load"]
PROFILE_KINDS = frozenset(("wind", "solar", "load"))

#: Cell texts read as missing values (then reported as NaN, not as non-numeric).
NA_TOKENS = ("", "nan", "NaN", "NAN", "NA", "N/A", "n/a", "null", "None")

#: Capacity factors within this tolerance outside [0, 1] are clipped, not rejected.
CF_TOLERANCE = 1e-6


def to_beijing_time(
    values: object, file: str | Path, field: str, utc_naive: bool = False
) -> pd.DatetimeIndex:
    """Parse timestamps and return them tz-naive in Beijing local time.

    Parameters
    ----------
    values : array-like
        Timestamps as strings, datetime64 or Timestamps (tz-naive or tz-aware), dims (time,).
    file : path-like or str
        Source file, for error messages.
    field : str
        Name of the time column or coordinate, for error messages.
    utc_naive : bool, default False
        Take tz-naive values as UTC (netCDF convention) instead of Beijing local time.

    Returns
    -------
    pandas.DatetimeIndex
        tz-naive, Beijing local time.

    Raises
    ------
    ProfileError
        If a timestamp cannot be parsed, naive and tz-aware values are mixed, or values are
        numbers rather than date-times.
    """
    return _parse_time(values, file, field, utc_naive)[0]


def _parse_time(
    values: object, file: str | Path, field: str, utc_naive: bool
) -> tuple[pd.DatetimeIndex, bool]:
    """Beijing-time tz-naive index and whether the input was UTC (offset 0)."""
    if isinstance(values, pd.DatetimeIndex):
        idx = values
    else:
        raw = pd.Index(np.asarray(values).ravel())
        if len(raw) and (
            pd.api.types.is_numeric_dtype(raw.dtype)
            and not pd.api.types.is_datetime64_any_dtype(raw.dtype)
        ):
            msg = (
                f"timestamps must be date-times, got numbers (first value {raw[0]!r}); "
                "expected ISO 8601 strings such as '2025-01-01 00:00' or '2025-01-01T00:00Z'"
            )
            raise ProfileError(file, field, msg)
        try:
            idx = pd.DatetimeIndex(pd.to_datetime(raw, format="ISO8601"))
        except (ValueError, TypeError) as err:
            bad = _first_unparseable(raw)
            if bad is not None:
                pos, value = bad
                msg = (
                    f"cannot parse timestamp {value!r} (row {pos}); expected ISO 8601 such "
                    "as '2025-01-01 00:00' (Beijing time) or '2025-01-01T00:00+08:00' / "
                    "'...Z' (UTC); time-zone names are not accepted, use an offset"
                )
                raise ProfileError(file, field, msg) from None
            # parseable one by one: mixed offsets (fine) or a naive/aware mix (rejected)
            aware = [pd.to_datetime(v, format="ISO8601").tzinfo is not None for v in raw]
            if not all(aware):
                pos = aware.index(False) if aware[0] else aware.index(True)
                msg = (
                    f"timestamps mix tz-naive and tz-aware values (first switch at row {pos}:"
                    f" {raw[pos]!r}); use one convention: all Beijing local time, or all "
                    f"with an offset ({err})"
                )
                raise ProfileError(file, field, msg) from None
            idx = pd.DatetimeIndex(pd.to_datetime(raw, format="ISO8601", utc=True))
    if idx.tz is None:
        if not utc_naive:
            return idx, False
        idx = idx.tz_localize("UTC")
    was_utc = len(idx) > 0 and idx[0].utcoffset() == pd.Timedelta(0)
    return idx.tz_convert(TIME_ZONE).tz_localize(None), bool(was_utc)


def _first_unparseable(raw: pd.Index) -> tuple[int, object] | None:
    for pos, value in enumerate(raw):
        try:
            pd.Timestamp(value) if not isinstance(value, str) else pd.to_datetime(
                value, format="ISO8601"
            )
        except (ValueError, TypeError):
            return pos, value
    return None


def _align_year(
    idx: pd.DatetimeIndex, year: int, file: str | Path, field: str, was_utc: bool
) -> np.ndarray:
    """Positions that reorder ``idx`` onto ``snapshots(year)``; raises when impossible."""
    expected = snapshots(year)
    n = len(expected)
    if idx.has_duplicates:
        dup = idx[idx.duplicated()][0]
        msg = f"duplicate timestamp {dup} (Beijing time); expected each hour once"
        raise ProfileError(file, field, msg)
    if len(idx) != n:
        msg = (
            f"has {len(idx)} hourly values ({idx[0] if len(idx) else '-'} .. "
            f"{idx[-1] if len(idx) else '-'}); expected {n} for {year} "
            f"({'leap year, ' if n == 8784 else ''}1 Jan 00:00 to 31 Dec 23:00 Beijing time)"
        )
        raise ProfileError(file, field, msg)
    order = np.argsort(idx.values, kind="stable")
    sorted_idx = idx[order]
    if sorted_idx.equals(expected):
        return order
    src_year = int(sorted_idx[0].year)
    src = snapshots(src_year)
    if (
        was_utc
        and len(src) == n
        and sorted_idx.equals(pd.DatetimeIndex(src + pd.Timedelta(hours=8)))
    ):
        logger.info(
            "%s: UTC year %d rotated by 8 h to cover the Beijing-time year %d", file, src_year, year
        )
        return np.concatenate([order[-8:], order[:-8]])
    if src_year != year and len(src) == n and sorted_idx.equals(src):
        logger.info("%s: weather year %d relabelled to %d", file, src_year, year)
        return order
    missing = expected.difference(sorted_idx)
    if len(missing):
        extra = sorted_idx.difference(expected)
        msg = (
            f"timestamp {missing[0]} (Beijing time) is missing"
            + (f" and {extra[0]} is not an hour of {year}" if len(extra) else "")
            + f"; expected the {n} hours of {year} on the hour (or a full UTC/other year)"
        )
        raise ProfileError(file, field, msg)
    return order


def check_profile(
    da: xr.DataArray,
    kind: ProfileKind,
    file: str | Path,
    *,
    year: int | None = None,
    buses: list[str] | None = None,
    utc_naive: bool = False,
) -> xr.DataArray:
    """Validate a profile and return it on the snapshots of its year.

    Parameters
    ----------
    da : xarray.DataArray
        Dims (snapshot, bus) (``time`` is accepted for ``snapshot``); the time coordinate may be
        datetime64, strings or tz-aware Timestamps.
    kind : {"wind", "solar", "load"}
        Capacity factors (p.u., must lie in [0, 1]) or a load shape (must be >= 0 with a
        positive mean per bus).
    file : path-like or str
        Source file, named in error messages.
    year : int, optional
        Model year; default the year of the first (Beijing) timestamp.
    buses : list of str, optional
        Buses that must be present; the result has exactly these, in this order.
    utc_naive : bool, default False
        Take tz-naive times as UTC (netCDF convention) instead of Beijing local time.

    Returns
    -------
    xarray.DataArray
        float64, dims (snapshot, bus), tz-naive Beijing-time snapshots of ``year``; attrs
        ``units``, ``long_name``, ``source``, ``time_zone``.

    Raises
    ------
    ProfileError
        Wrong length or time stamps, bad time zone, NaN, non-numeric values, capacity factors
        outside [0, 1], negative load, or missing buses.
    """
    if kind not in PROFILE_KINDS:
        msg = f"kind must be one of {sorted(PROFILE_KINDS)}, got {kind!r}"
        raise ProfileError(file, "kind", msg)
    field = da.name or "profile"
    time_dim = "snapshot" if "snapshot" in da.dims else "time"
    if set(da.dims) != {time_dim, "bus"}:
        msg = f"has dims {tuple(da.dims)}; expected ('snapshot' or 'time', 'bus')"
        raise ProfileError(file, str(field), msg)
    if time_dim not in da.coords or "bus" not in da.coords:
        msg = f"has no '{time_dim}' or 'bus' coordinate; expected both"
        raise ProfileError(file, str(field), msg)
    da = da.transpose(time_dim, "bus")
    da = xr.DataArray(
        da.values,
        dims=("snapshot", "bus"),
        coords={"snapshot": da[time_dim].values, "bus": da["bus"].values},
        name=da.name,
        attrs=dict(da.attrs),
    )
    time_field = str(da.attrs.get("time_column", "snapshot"))
    if "snapshot" not in da.coords:
        msg = "has no time coordinate; expected a 'time'/'snapshot' coordinate"
        raise ProfileError(file, time_field, msg)
    idx, was_utc = _parse_time(da["snapshot"].to_index(), file, time_field, utc_naive)
    if year is None:
        year = int(idx.min().year) if len(idx) else 0
    order = _align_year(idx, int(year), file, time_field, was_utc)
    bus_names = [str(b) for b in da["bus"].values]
    if buses is not None:
        missing = [b for b in buses if b not in bus_names]
        if missing:
            msg = (
                f"bus(es) {missing} missing; the file has {bus_names}; expected one "
                f"column/bus entry per bus of the scenario {list(buses)}"
            )
            raise ProfileError(file, "bus", msg)
    values = da.values[order]
    if values.dtype.kind not in "fiub":
        values, bad = _to_float(values)
        if bad is not None:
            t, b = bad
            msg = (
                f"non-numeric value {da.values[order][t, b]!r} at {snapshots(int(year))[t]} "
                f"(bus {bus_names[b]!r}); expected a number"
            )
            raise ProfileError(file, bus_names[b], msg)
    values = values.astype(float)
    snaps = snapshots(int(year))
    nan = np.isnan(values)
    if nan.any():
        t, b = np.argwhere(nan)[0]
        msg = (
            f"NaN/empty value at {snaps[t]} (bus {bus_names[b]!r}; {int(nan.sum())} in all); "
            "expected a number for every hour"
        )
        raise ProfileError(file, bus_names[b], msg)
    if kind in ("wind", "solar"):
        bad = (values < -CF_TOLERANCE) | (values > 1 + CF_TOLERANCE)
        if bad.any():
            t, b = np.argwhere(bad)[0]
            msg = (
                f"capacity factor {values[t, b]!r} at {snaps[t]} (bus {bus_names[b]!r}) is "
                f"outside [0, 1]; expected per-unit {kind} capacity factors (not MW or %)"
            )
            raise ProfileError(file, bus_names[b], msg)
        values = np.clip(values, 0.0, 1.0)
        units, long_name = "p.u.", f"{kind} capacity factor"
    else:
        neg = values < 0
        if neg.any():
            t, b = np.argwhere(neg)[0]
            msg = (
                f"negative load {values[t, b]!r} at {snaps[t]} (bus {bus_names[b]!r}); "
                "expected load >= 0 (any unit; the shape is rescaled)"
            )
            raise ProfileError(file, bus_names[b], msg)
        zero = values.mean(axis=0) <= 0
        if zero.any():
            b = int(np.argmax(zero))
            msg = f"load of bus {bus_names[b]!r} is zero all year; expected a positive mean"
            raise ProfileError(file, bus_names[b], msg)
        units, long_name = "1", "load shape"
    out = xr.DataArray(
        values,
        dims=("snapshot", "bus"),
        coords={"snapshot": snaps, "bus": bus_names},
        attrs={"units": units, "long_name": long_name, "source": str(file), "time_zone": TIME_ZONE},
    )
    if buses is not None:
        out = out.sel(bus=list(buses))
    return out


def _to_float(values: np.ndarray) -> tuple[np.ndarray, tuple[int, int] | None]:
    """Convert an object array to float; returns the first non-numeric (row, col) if any."""
    raw = pd.DataFrame(values).apply(lambda c: c.astype(str).str.strip())
    missing = raw.isin(NA_TOKENS) | pd.DataFrame(values).isna()
    out = raw.mask(missing).apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    bad = np.isnan(out) & ~missing.to_numpy()
    if bad.any():
        t, b = np.argwhere(bad)[0]
        return out, (int(t), int(b))
    return out, None
