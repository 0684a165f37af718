"""Exception hierarchy of energysim.

Every error raised for bad user input derives from :class:`EnergysimError`; the CLI turns these
into one clear line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "ConfigError",
    "EnergysimError",
    "EnergysimWarning",
    "KernelError",
    "ProfileError",
    "SolverError",
]


class EnergysimError(Exception):
    """Base class of all energysim errors caused by input or by a failed run."""


class ConfigError(EnergysimError, ValueError):
    """A scenario or sweep file is malformed.

    Parameters
    ----------
    file : path-like or str
        The file in which the problem was found.
    path : str
        Dotted path of the offending field inside the file (``"corridors.ximeng-taizhou.p_nom"``),
        or ``""`` for the whole file.
    message : str
        What is wrong and what is expected, including the bad value.
    """

    def __init__(self, file: str | Path, path: str, message: str) -> None:
        self.file = str(file)
        self.path = path
        self.message = message
        where = f"{self.file}: {path}" if path else self.file
        super().__init__(f"{where}: {message}")


class ProfileError(EnergysimError, ValueError):
    """A time-series profile is malformed (wrong length, NaN, out of range, bad time zone).

    Parameters
    ----------
    file : path-like or str
        The profile file (or a description such as ``"<generated>"``).
    field : str
        The column or variable at fault.
    message : str
        What is wrong and what is expected, including the bad value.
    """

    def __init__(self, file: str | Path, field: str, message: str) -> None:
        self.file = str(file)
        self.field = field
        self.message = message
        where = f"{self.file}: {field}" if field else self.file
        super().__init__(f"{where}: {message}")


class KernelError(EnergysimError, RuntimeError):
    """The dispatch kernel cannot run this network (for example a meshed backbone)."""


class SolverError(EnergysimError, RuntimeError):
    """The LP reference solve did not end optimal."""


class EnergysimWarning(UserWarning):
    """Warnings about questionable but usable input (e.g. no CJK font, fallback to English)."""
