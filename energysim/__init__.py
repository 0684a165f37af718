"""energysim: does Inner Mongolia's 2030 power plan hold, hour by hour?

Public API: :func:`load_scenario`, :func:`simulate`, :func:`build_network`, :func:`check`.
"""

from __future__ import annotations

import logging

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())


def _configure_pypsa() -> None:
    try:
        import pypsa

        pypsa.options.api.legacy_string_dtype = True
    except (ImportError, AttributeError):  # pragma: no cover - older PyPSA
        pass


_configure_pypsa()

from energysim.config import Scenario, load_scenario  # noqa: E402
from energysim.feasibility import check  # noqa: E402
from energysim.run import simulate  # noqa: E402


def build_network(scenario, profiles=None):  # noqa: ANN001, ANN201
    """Build the PyPSA network of a scenario (path or :class:`Scenario`); see :mod:`energysim.network`."""
    from energysim.network import build_network_from_packed
    from energysim.run import packed

    scenario, inputs, index = packed(scenario, profiles)
    return build_network_from_packed(scenario, inputs, index)


__all__ = ["Scenario", "__version__", "build_network", "check", "load_scenario", "simulate"]
