"""Caches that make repeated :func:`energysim.simulate` calls on one scenario cheap (issue 17).

Two things cost more than the kernel itself when a scenario is simulated again and again (a
notebook loop, a test): packing it (profiles and arrays, ~65 ms for plan-2030) and writing its
configuration as YAML into the Dataset's ``config`` attribute (~100 ms with PyYAML). Both are
pure functions of the scenario's validated content, so both are cached here, keyed on that
content (``Scenario.model_dump_json()``, ~1 ms) and not on the object: a scenario changed in
place (``s.demand.annual_TWh = ...``) has a new key and is packed again, never served stale.

* :func:`config_yaml` -- the YAML text of a scenario (LRU of :data:`CONFIG_CACHE_SIZE`).
* :func:`packed_cached` -- ``pack(scenario, profiles)`` (LRU of :data:`PACK_CACHE_SIZE`,
  each plan-2030 entry ~35 MB). The key adds the profiles: with none given, the scenario's
  own (synthetic from its seed, plus the path, size and modification time of every weather
  file it names); with a Dataset given, a BLAKE2 digest of its arrays and coordinates.

The cached arrays are shared between calls: engines must treat ``KernelInputs`` as read-only
(as :mod:`energysim.engines` documents), and :func:`detach` copies whatever part of a results
Dataset still points into them, so a caller editing a Dataset cannot alter the cache.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import yaml

try:
    from numpy.lib.array_utils import byte_bounds
except ImportError:  # numpy < 2
    from numpy import byte_bounds

if TYPE_CHECKING:
    import xarray as xr

    from energysim.config.schema import Scenario
    from energysim.kernel import KernelInputs, PackIndex

logger = logging.getLogger(__name__)

__all__ = [
    "CONFIG_CACHE_SIZE",
    "PACK_CACHE_SIZE",
    "clear",
    "config_yaml",
    "detach",
    "packed_cached",
    "pinned_key",
    "scenario_key",
]

CONFIG_CACHE_SIZE = 32
"""YAML texts kept (each ~100 kB for plan-2030)."""
PACK_CACHE_SIZE = 4
"""Packed scenarios kept (each ~35 MB for a full plan-2030 year)."""

_lock = threading.Lock()
_config: OrderedDict[str, str] = OrderedDict()
_packs: OrderedDict[tuple, tuple[KernelInputs, PackIndex]] = OrderedDict()


_pinned = threading.local()


def scenario_key(scenario: Scenario) -> str:
    """The scenario's validated content as canonical JSON: equal content, equal key.

    Inside :func:`pinned_key` for this very object, the key given there (no second dump).
    """
    pinned = getattr(_pinned, "value", None)
    if pinned is not None and pinned[0] is scenario:
        return pinned[1]
    return scenario.model_dump_json()


@contextlib.contextmanager
def pinned_key(scenario: Scenario, key: str) -> Iterator[None]:
    """Within the block (this thread), :func:`scenario_key` of ``scenario`` is ``key``.

    For one :func:`energysim.simulate` call, which computes the key once for the pack cache and
    the configuration text; the scenario must not change inside the block.
    """
    previous = getattr(_pinned, "value", None)
    _pinned.value = (scenario, key)
    try:
        yield
    finally:
        _pinned.value = previous


def _get(cache: OrderedDict, key: object) -> object | None:
    with _lock:
        value = cache.get(key)
        if value is not None:
            cache.move_to_end(key)
        return value


def _put(cache: OrderedDict, key: object, value: object, size: int) -> None:
    with _lock:
        cache[key] = value
        cache.move_to_end(key)
        while len(cache) > size:
            cache.popitem(last=False)


def config_yaml(scenario: Scenario, key: str | None = None) -> str:
    """The scenario's configuration as YAML (``config`` attribute of a results Dataset).

    The same text as ``yaml.safe_dump(scenario.model_dump(mode="json"), allow_unicode=True,
    sort_keys=False)``, computed once per distinct content.
    """
    key = scenario_key(scenario) if key is None else key
    text = _get(_config, key)
    if text is None:
        text = yaml.dump(
            scenario.model_dump(mode="json"),
            Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper),  # libyaml: same text, 7x
            allow_unicode=True,
            sort_keys=False,
        )
        _put(_config, key, text, CONFIG_CACHE_SIZE)
    return text


def _weather_files(scenario: Scenario) -> tuple:
    """Path, size and modification time of every file the scenario's weather names."""
    stats = []
    for field, value in sorted(scenario.weather.model_dump().items()):
        if isinstance(value, str) and value:
            path = Path(value).expanduser().resolve()
            try:
                st = path.stat()
                stats.append((field, str(path), st.st_size, st.st_mtime_ns))
            except OSError:
                stats.append((field, str(path), None, None))
    return tuple(stats)


def _profiles_digest(profiles: xr.Dataset) -> str:
    """BLAKE2 digest of a profiles Dataset's variables and coordinates (names, dims, values)."""
    h = hashlib.blake2b(digest_size=20)
    for name in sorted(map(str, profiles.variables)):
        var = profiles.variables[name]
        values = np.asarray(var.values)
        h.update(f"{name}|{var.dims}|{values.dtype}|{values.shape}".encode())
        if values.dtype == object:
            h.update(repr(values.tolist()).encode())
        else:
            h.update(np.ascontiguousarray(values).reshape(-1).view(np.uint8).data)
    return h.hexdigest()


def packed_cached(
    scenario: Scenario,
    profiles: xr.Dataset | None,
    make_profiles: Callable[[Scenario], xr.Dataset],
    pack: Callable[[Scenario, xr.Dataset], tuple[KernelInputs, PackIndex]],
    key: str | None = None,
) -> tuple[KernelInputs, PackIndex]:
    """``pack(scenario, profiles or make_profiles(scenario))``, cached on content.

    Parameters
    ----------
    scenario : Scenario
        Validated scenario.
    profiles : xarray.Dataset or None
        Hourly profiles; None for the scenario's own (``make_profiles``).
    make_profiles, pack : callable
        The profile builder and the packer (passed in to keep this module free of imports).
    key : str, optional
        :func:`scenario_key` of the scenario, when the caller has it already.
    """
    key = scenario_key(scenario) if key is None else key
    source = ("own", _weather_files(scenario)) if profiles is None else _profiles_digest(profiles)
    full_key = (key, source)
    hit = _get(_packs, full_key)
    if hit is not None:
        logger.debug("pack cache hit for %s", scenario.name)
        return hit
    value = pack(scenario, make_profiles(scenario) if profiles is None else profiles)
    _put(_packs, full_key, value, PACK_CACHE_SIZE)
    return value


def _arrays(*objects: object) -> list[np.ndarray]:
    out = []
    for obj in objects:
        for field in dataclasses.fields(obj):
            value = getattr(obj, field.name)
            if isinstance(value, np.ndarray):
                out.append(value)
    return out


def detach(ds: xr.Dataset, inputs: KernelInputs, index: PackIndex) -> xr.Dataset:
    """Copy, in place, every variable of ``ds`` whose data may share memory with the packed arrays.

    ``to_dataset`` wraps some packed arrays without copying (demand, schedules, availability);
    with a cached pack those arrays are shared by every later call, so the Dataset gets its own.
    "May share" is ``numpy.may_share_memory``'s test (overlapping address ranges), made once per
    array against all packed arrays at once.
    """
    shared = [a for a in _arrays(inputs, index) if a.size]
    indexed = set(ds.xindexes)  # once: building ds.indexes copies every index
    own = [  # the Dataset's own Variable objects holding numpy data
        var
        for name, var in ds.variables.items()
        if name not in indexed and isinstance(var.data, np.ndarray) and var.data.size
    ]
    if not shared or not own:
        return ds
    packed_bounds = np.array([byte_bounds(a) for a in shared], dtype=np.int64)
    var_bounds = np.array([byte_bounds(var.data) for var in own], dtype=np.int64)
    overlaps = (var_bounds[:, None, 0] < packed_bounds[None, :, 1]) & (
        packed_bounds[None, :, 0] < var_bounds[:, None, 1]
    )
    for var, hit in zip(own, overlaps.any(axis=1), strict=True):
        if hit:
            var.data = var.data.copy()  # in place: no re-alignment
    return ds


def clear() -> None:
    """Empty both caches."""
    with _lock:
        _config.clear()
        _packs.clear()
