"""energysim: does Inner Mongolia's 2030 power plan hold, hour by hour?

Public API (imported on first use, so ``import energysim`` stays cheap and loads neither pypsa
nor numba): :func:`load_scenario`, :func:`modify`, :func:`simulate`, :func:`figures`
(the annual figures without the hourly Dataset), :func:`check`,
:func:`build_network`, :func:`to_pypsa`, :class:`Scenario`.
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

from energysim._version import __version__

logging.getLogger(__name__).addHandler(logging.NullHandler())

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs
    from energysim.config import Scenario, load_scenario, modify
    from energysim.feasibility import check
    from energysim.network import build_network, to_pypsa
    from energysim.run import simulate
    from energysim.sweep.figures import figures

_EXPORTS: dict[str, str] = {
    "Scenario": "energysim.config.schema",
    "load_scenario": "energysim.config.load",
    "to_pypsa": "energysim.network",
    "modify": "energysim.config.load",
    "check": "energysim.feasibility",
    "simulate": "energysim.run",
    "figures": "energysim.sweep.figures",
    "build_network": "energysim.network",
}

__all__ = [
    "Scenario",
    "__version__",
    "build_network",
    "check",
    "figures",
    "load_scenario",
    "modify",
    "simulate",
    "to_pypsa",
]


def __getattr__(name: str) -> Any:  # noqa: ANN401 - whatever the exported object is
    """Import an exported name's module on first access (PEP 562)."""
    module = _EXPORTS.get(name)
    if module is None:
        msg = f"module 'energysim' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
