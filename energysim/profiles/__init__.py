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
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from energysim.profiles.synthetic import REGIONS, generate_profiles, snapshots, wind_site_coords

logger = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_FILE_YEARS",
    "DEFAULT_SEED",
    "bus_sites",
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


def _wind_xy(sites: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Wind-site coordinates of ``sites`` (validated; the bus site where not given)."""
    return wind_site_coords(
        sites, sites["x"].to_numpy(dtype=float), sites["y"].to_numpy(dtype=float)
    )


def _key(sites: pd.DataFrame) -> tuple:
    wx, wy = _wind_xy(sites)
    return (
        tuple(str(b) for b in sites.index),
        tuple(float(v) for v in sites["x"]),
        tuple(float(v) for v in sites["y"]),
        tuple(float(v) for v in wx),
        tuple(float(v) for v in wy),
    )


@functools.lru_cache(maxsize=32)
def _cached(key: tuple, year: int, seed: int, regions: tuple[str, ...]) -> xr.Dataset:
    names, xs, ys, wxs, wys = key
    sites = pd.DataFrame(
        {"x": xs, "y": ys, "wind_x": wxs, "wind_y": wys}, index=pd.Index(names, name="bus")
    )
    return generate_profiles(sites, year, seed, regions)


def bus_sites(buses: Mapping[str, Any]) -> pd.DataFrame:
    """Sites of scenario buses: ``x``, ``y`` (bus) and ``wind_x``, ``wind_y`` (wind fleet).

    Parameters
    ----------
    buses : mapping of str to energysim.config.schema.Bus
        The scenario's buses (anything with ``x``, ``y``, ``wind_x``, ``wind_y`` attributes).

    Returns
    -------
    pandas.DataFrame
        Index = bus name; degrees (lon east, lat north). ``wind_x``/``wind_y`` are the bus's
        ``x``/``y`` where the bus gives no wind site.
    """
    rows = {}
    for name, b in buses.items():
        wx, wy = getattr(b, "wind_x", None), getattr(b, "wind_y", None)
        rows[name] = {
            "x": float(b.x),
            "y": float(b.y),
            "wind_x": float(b.x if wx is None else wx),
            "wind_y": float(b.y if wy is None else wy),
        }
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "bus"
    return out


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
    coordinates, bus and wind site (within :data:`SITE_TOLERANCE_DEG`), and every region is in
    it. Values are those
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
    file_wx = ds["wind_x"].values[at] if "wind_x" in ds.coords else ds["x"].values[at]
    file_wy = ds["wind_y"].values[at] if "wind_y" in ds.coords else ds["y"].values[at]
    wx, wy = _wind_xy(sites)
    if not all(
        np.allclose(a, b, atol=SITE_TOLERANCE_DEG)
        for a, b in (
            (ds["x"].values[at], sites["x"].to_numpy(dtype=float)),
            (ds["y"].values[at], sites["y"].to_numpy(dtype=float)),
            (file_wx, wx),
            (file_wy, wy),
        )
    ):
        return None
    site_coords = [c for c in ("x", "y", "wind_x", "wind_y") if c in ds.coords]
    out = ds.isel(bus=at).sel(region=list(regions)).drop_vars(site_coords)
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
        Index = bus name; columns ``x`` (longitude, deg E), ``y`` (latitude, deg N), optionally
        ``wind_x``/``wind_y`` (wind site; see :func:`bus_sites`).
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
    """The sites of the shipped ``plan-2030`` scenario's buses (:func:`bus_sites`)."""
    from energysim.config import load_scenario
    from energysim.config.shipped import shipped_scenario

    return bus_sites(load_scenario(shipped_scenario("plan-2030")).buses)


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
        Bus sites (``x``, ``y``, optionally ``wind_x``, ``wind_y``); default
        :func:`shipped_sites`, so that the shipped scenarios' default runs read these files
        instead of generating.

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
        wx, wy = _wind_xy(sites)
        ds["wind_x"] = ("bus", wx, {"units": "degrees_east", "long_name": "wind site longitude"})
        ds["wind_y"] = ("bus", wy, {"units": "degrees_north", "long_name": "wind site latitude"})
        ds = ds.set_coords(["x", "y", "wind_x", "wind_y"])
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
            f"{seed}) at the bus sites x, y and wind sites wind_x, wind_y stored here; int16 "
            "with scale 1e-4."
        )
        ds.to_netcdf(path, encoding=encoding, engine="netcdf4")
        logger.info("wrote %s (%d bytes)", path, path.stat().st_size)
        out.append(path)
    return out
