"""Where the shipped scenarios and profiles are, in a checkout or an installed package.

Looked up in this order: ``./scenarios`` (``./profiles``) in the working directory, the source
checkout this package was imported from (an editable install or ``pythonpath``), and the copy
installed as package data (``energysim/_shipped/``, built into the wheel from the same folders).
"""

from __future__ import annotations

import logging
from pathlib import Path

from energysim.exceptions import EnergysimError

logger = logging.getLogger(__name__)

__all__ = [
    "profiles_folder",
    "scenario_folder",
    "scenario_folders_searched",
    "shipped_scenario",
    "shipped_scenarios",
]

_PACKAGE = Path(__file__).resolve().parents[1]
_CHECKOUT = _PACKAGE.parent


def _candidates(name: str) -> list[Path]:
    return [Path(name), _CHECKOUT / name, _PACKAGE / "_shipped" / name]


def scenario_folders_searched() -> list[Path]:
    """The folders searched for shipped scenarios, in order."""
    return _candidates("scenarios")


def scenario_folder() -> Path | None:
    """The first folder with scenario files (``*.yaml``), or None when none is found."""
    for folder in scenario_folders_searched():
        if folder.is_dir() and any(folder.glob("*.yaml")):
            return folder
    return None


def shipped_scenarios() -> list[Path]:
    """The shipped scenario files, sorted by name (empty when no folder is found)."""
    folder = scenario_folder()
    return [] if folder is None else sorted(p for p in folder.glob("*.yaml") if p.is_file())


def shipped_scenario(name: str) -> Path:
    """The shipped scenario file ``<name>.yaml``.

    Raises
    ------
    EnergysimError
        If it is not found, naming the folders searched.
    """
    folder = scenario_folder()
    path = None if folder is None else folder / f"{name}.yaml"
    if path is None or not path.is_file():
        where = ", ".join(str(p) for p in scenario_folders_searched())
        msg = f"shipped scenario {name!r} not found; looked for {name}.yaml in: {where}"
        raise EnergysimError(msg)
    return path


def profiles_folder() -> Path | None:
    """The first folder holding shipped profile files (``default-*.nc``), or None."""
    for folder in _candidates("profiles"):
        if folder.is_dir() and any(folder.glob("default-*.nc")):
            return folder
    return None
