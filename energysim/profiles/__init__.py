"""Hourly profiles: seeded synthetic weather years, real-profile input, checks, calibration.

Public API
----------
:func:`default_profiles`
    The profiles every run starts from: the synthetic generator's output for (sites, year,
    seed), read from the shipped ``profiles/default-<year>.nc`` when they hold it (seed 0 at the
    shipped scenarios' sites), else generated; cached in-process.
:func:`energysim.profiles.synthetic.generate_profiles`
    The generator itself.
:func:`energysim.profiles.io.load_profile`
    Real profiles from CSV or atlite/PyPSA-Eur netCDF, validated by
    :func:`energysim.profiles.checks.check_profile`.
:func:`energysim.profiles.calibration.calibration_table`
    Synthetic vs reference statistics.
:func:`write_default_files`
    (Re)write the shipped ``profiles/default-<year>.nc`` files (at the shipped scenarios' sites).
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
    "shipped_profiles",
    "shipped_sites",
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


SITE_TOLERANCE_DEG = 1e-6
"""Largest coordinate difference, degrees, at which a site counts as a shipped file's site."""


@functools.lru_cache(maxsize=4)
def _read_shipped(path: str, mtime: float) -> xr.Dataset:
    with xr.open_dataset(path) as ds:
        return ds.load()


def shipped_profiles(
    sites: pd.DataFrame, year: int, seed: int, regions: Sequence[str]
) -> xr.Dataset | None:
    """The profiles for ``sites`` from the shipped ``default-<year>.nc``, or None.

    The file is used when its seed is ``seed`` and every site is one of its buses at the same
    coordinates (within :data:`SITE_TOLERANCE_DEG`) and every region is in it. Values are those
    of the generator to the file's int16 quantisation (:data:`PACK_SCALE`, at most half a step:
    5e-5 p.u.).
    """
    from energysim.config.shipped import profiles_folder

    folder = profiles_folder()
    path = None if folder is None else folder / f"default-{int(year)}.nc"
    if path is None or not path.is_file():
        return None
    ds = _read_shipped(str(path), path.stat().st_mtime)
    if int(ds.attrs.get("seed", -1)) != int(seed):
        return None
    names = [str(b) for b in sites.index]
    known = {str(b): i for i, b in enumerate(ds["bus"].values)}
    if any(n not in known for n in names) or any(r not in ds["region"].values for r in regions):
        return None
    at = [known[n] for n in names]
    if not (
        np.allclose(ds["x"].values[at], sites["x"].to_numpy(dtype=float), atol=SITE_TOLERANCE_DEG)
        and np.allclose(
            ds["y"].values[at], sites["y"].to_numpy(dtype=float), atol=SITE_TOLERANCE_DEG
        )
    ):
        return None
    out = ds.isel(bus=at).sel(region=list(regions)).drop_vars(["x", "y"])
    out = out.assign_coords(bus=pd.Index(names, name="bus"))
    logger.debug("profiles for %d sites, %d, seed %d from %s", len(names), year, seed, path)
    return out


def default_profiles(
    sites: pd.DataFrame,
    year: int,
    seed: int = DEFAULT_SEED,
    regions: Sequence[str] = REGIONS,
) -> xr.Dataset:
    """Synthetic profiles for the sites, year and seed: read from the shipped file when it holds
    them (:func:`shipped_profiles`), else generated (cached in-process).

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
        modify it. The shipped ``profiles/default-<year>.nc`` files equal the generator's output
        for their sites and seed 0 within their int16 quantisation.
    """
    missing = [c for c in ("x", "y") if c not in sites.columns]
    if missing:
        return generate_profiles(sites, year, seed, regions)  # raises the ProfileError
    shipped = shipped_profiles(sites, year, seed, regions)
    if shipped is not None:
        return shipped.copy(deep=True)
    ds = _cached(_key(sites), int(year), int(seed), tuple(regions))
    return ds.copy(deep=True)


def shipped_sites() -> pd.DataFrame:
    """The bus sites of the shipped ``plan-2030`` scenario (x = lon, y = lat), index = bus."""
    from energysim.config import load_scenario
    from energysim.config.shipped import shipped_scenario

    buses = load_scenario(shipped_scenario("plan-2030")).buses
    return pd.DataFrame(
        {"x": [b.x for b in buses.values()], "y": [b.y for b in buses.values()]},
        index=pd.Index(list(buses), name="bus"),
    )


def write_default_files(
    folder: Path,
    years: Sequence[int] = DEFAULT_FILE_YEARS,
    seed: int = DEFAULT_SEED,
    sites: pd.DataFrame | None = None,
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
    sites : pandas.DataFrame, optional
        Bus sites (``x``, ``y``); default :func:`shipped_sites`, so that the shipped scenarios'
        default runs read these files instead of generating.

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    sites = shipped_sites() if sites is None else sites
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for year in years:
        ds = generate_profiles(sites, year, seed)
        ds["x"] = ("bus", sites["x"].to_numpy(dtype=float), {"units": "degrees_east"})
        ds["y"] = ("bus", sites["y"].to_numpy(dtype=float), {"units": "degrees_north"})
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
            f"SYNTHETIC. Reproduce with energysim.profiles.generate_profiles(sites, {year}, "
            f"{seed}) at the bus sites x, y stored here; int16 with scale 1e-4."
        )
        ds.to_netcdf(path, encoding=encoding, engine="netcdf4")
        logger.info("wrote %s (%d bytes)", path, path.stat().st_size)
        out.append(path)
    return out
