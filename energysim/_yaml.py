"""YAML reading for the whole package: libyaml's C parser where PyYAML has it.

PyYAML's pure-Python parser took 295 ms for ``energysim/profiles/parameters.yaml`` (34 kB) and
15 ms for ``scenarios/plan-2030.yaml``; libyaml's ``CSafeLoader`` took 43 ms and 1.6 ms on the
same machine, and gives the same Python objects (the same safe resolvers run on top of it). Both
raise :class:`yaml.YAMLError` with a ``problem_mark``; libyaml words some problems differently.
"""

from __future__ import annotations

from typing import IO, Any

import yaml

__all__ = ["safe_load"]

_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(stream: str | bytes | IO[str]) -> Any:
    """Parse one YAML document with the safe loader (libyaml's where available).

    Parameters
    ----------
    stream : str, bytes or text file
        The document.

    Returns
    -------
    object
        What :func:`yaml.safe_load` returns for the same document.
    """
    return yaml.load(stream, Loader=_SafeLoader)  # noqa: S506 - a safe loader
