"""Write results atomically: a file is either complete or absent, never half-written."""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import xarray as xr

logger = logging.getLogger(__name__)

__all__ = ["atomic_write", "write_dataset"]


def atomic_write(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp_path)`` and move the temporary file onto ``path`` only if it succeeded."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        write(tmp_path)
        umask = os.umask(0)
        os.umask(umask)
        if tmp_path.is_file():  # mkstemp creates 0600; give the file the usual permissions
            tmp_path.chmod(0o666 & ~umask)
        os.replace(tmp_path, path)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise
    logger.info("wrote %s", path)
    return path


def write_dataset(ds: xr.Dataset, path: str | Path) -> Path:
    """Write a results Dataset to netCDF (``.nc``) or zarr (``.zarr``), atomically for netCDF."""
    path = Path(path)
    if path.suffix == ".zarr":
        tmp = path.with_name(f".{path.name}.part")
        ds.to_zarr(tmp, mode="w")
        if path.exists():
            import shutil

            shutil.rmtree(path)
        os.replace(tmp, path)
        return path
    encoding = {
        name: {"zlib": True, "complevel": 4}
        for name, var in ds.data_vars.items()
        if var.dtype.kind == "f" and var.ndim >= 1
    }
    return atomic_write(path, lambda tmp: ds.to_netcdf(tmp, encoding=encoding, engine="netcdf4"))
