"""Hourly profiles: seeded synthetic weather years, real-profile input, checks, calibration.

Public API
----------
:func:`default_profiles`
    The profiles every run starts from: the synthetic generator's output for (sites, year,
    seed), cached in-process.
:func:`energysim.profiles.synthetic.generate_profiles`
    The generator itself.
:func:`energysim.profiles.io.load_profile`
    Real profiles from CSV or atlite/PyPSA-Eur netCDF, validated by
    :func:`energysim.profiles.checks.check_profile`.
:func:`energysim.profiles.calibration.calibration_table`
    Synthetic vs reference statistics.
:func:`write_default_files`
    (Re)write the shipped ``profiles/default-<year>.nc`` files.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from energysim.profiles.synthetic import REGIONS, generate_profiles, snapshots

logger = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_FILE_YEARS",
    "DEFAULT_SEED",
    "default_profiles",
    "generate_profiles",
    "snapshots",
    "write_default_files",
]

#: Years and seed of the shipped files in ``<repo>/profiles/``.
DEFAULT_FILE_YEARS = (2025, 2030)
DEFAULT_SEED = 0
#: int16 quantisation step of the shipped files, per variable (p.u. or dimensionless).
PACK_SCALE = {"wind": 1e-4, "solar": 1e-4, "load": 1e-4, "receiving_load": 1e-4}


def _key(sites: pd.DataFrame) -> tuple:
    return (
        tuple(str(b) for b in sites.index),
        tuple(float(v) for v in sites["x"]),
        tuple(float(v) for v in sites["y"]),
    )


@functools.lru_cache(maxsize=32)
def _cached(key: tuple, year: int, seed: int, regions: tuple[str, ...]) -> xr.Dataset:
    names, xs, ys = key
    sites = pd.DataFrame({"x": xs, "y": ys}, index=pd.Index(names, name="bus"))
    return generate_profiles(sites, year, seed, regions)


def default_profiles(
    sites: pd.DataFrame,
    year: int,
    seed: int = DEFAULT_SEED,
    regions: Sequence[str] = REGIONS,
) -> xr.Dataset:
    """Synthetic profiles for the sites, year and seed (cached in-process).

    Parameters
    ----------
    sites : pandas.DataFrame
        Index = bus name; columns ``x`` (longitude, deg E), ``y`` (latitude, deg N).
    year : int
        Calendar year of the snapshots.
    seed : int, default 0
        Weather-year seed.
    regions : sequence of str, default all receiving regions
        Regions of ``receiving_load``.

    Returns
    -------
    xarray.Dataset
        As :func:`energysim.profiles.synthetic.generate_profiles`; a copy, so callers may
        modify it. The shipped ``profiles/default-<year>.nc`` files equal this output for the
        default sites and seed 0 within their int16 quantisation.
    """
    missing = [c for c in ("x", "y") if c not in sites.columns]
    if missing:
        return generate_profiles(sites, year, seed, regions)  # raises the ProfileError
    ds = _cached(_key(sites), int(year), int(seed), tuple(regions))
    return ds.copy(deep=True)


def write_default_files(
    folder: Path, years: Sequence[int] = DEFAULT_FILE_YEARS, seed: int = DEFAULT_SEED
) -> list[Path]:
    """Write the shipped default profiles as compact netCDF (int16 scaled, zlib).

    Parameters
    ----------
    folder : pathlib.Path
        Output folder (``<repo>/profiles``).
    years : sequence of int, default (2025, 2030)
        One file ``default-<year>.nc`` per year.
    seed : int, default 0
        Weather-year seed.

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    from energysim.profiles.calibration import DEFAULT_SITES

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for year in years:
        ds = generate_profiles(DEFAULT_SITES, year, seed)
        ds["x"] = ("bus", DEFAULT_SITES["x"].to_numpy(), {"units": "degrees_east"})
        ds["y"] = ("bus", DEFAULT_SITES["y"].to_numpy(), {"units": "degrees_north"})
        ds = ds.set_coords(["x", "y"])
        ds["bus"] = ds["bus"].astype(str)
        ds["region"] = ds["region"].astype(str)
        encoding = {
            var: {
                "dtype": "int16",
                "scale_factor": PACK_SCALE[var],
                "add_offset": 0.0,
                "_FillValue": np.int16(-32768),
                "zlib": True,
                "complevel": 9,
                "shuffle": True,
            }
            for var in PACK_SCALE
        }
        encoding["snapshot"] = {"units": "hours since 1970-01-01 00:00:00", "dtype": "int32"}
        path = folder / f"default-{year}.nc"
        ds.attrs["note"] = (
            f"SYNTHETIC. Reproduce with energysim.profiles.generate_profiles("
            f"DEFAULT_SITES, {year}, {seed}); int16 with scale 1e-4."
        )
        ds.to_netcdf(path, encoding=encoding, engine="netcdf4")
        logger.info("wrote %s (%d bytes)", path, path.stat().st_size)
        out.append(path)
    return out
