"""What runs inside a sweep worker: apply a point's overrides, pack (cached), run the kernel.

The same functions run in the driver process (one worker), in a local process pool and on Dask
workers. Per worker they keep, for the current sweep:

* the base scenario as plain data (overrides are applied copy-on-write, never to the base);
* profiles per (buses, year, seed, real-profile files), so a weather year is generated once;
* the weather-independent part of a pack (:class:`energysim.kernel.pack.PackStatic`, kept by
  :func:`energysim.kernel.pack.shared_static`), so each further weather year fills only its
  own arrays;
* packed arrays per *structural variant*: the point's overrides without those that only touch
  storage or targets, with the figures pass's fleet table and the fleets' hourly floors and
  headroom (:func:`energysim.sweep.figures.fleet_hours`) and the buses' pre-pass balance
  (:func:`energysim.kernel.pack.inputs_balance`), which storage does not change.
  Storage changes are applied to the cached arrays by recomputing the storage
  arrays and the storage reserve with exactly the expressions of
  :func:`energysim.kernel.pack.pack` (tested bit-for-bit against a fresh pack). Sorting the
  points so that these axes vary fastest (the runner does) means one pack per structural variant;
* validated scenarios by the point's overrides other than capacity totals: a point that
  differs from an earlier one only in capacity totals is that scenario with the totals checked
  and applied (:func:`point_scenario`), not a re-validated merge;
* annual figures per dispatch (the point's overrides without targets): target changes do not
  affect dispatch at all, so a point that differs from an earlier one only in its targets reuses
  its figures and recomputes only the verdicts (without hourly outputs).

Caches are small LRUs, so worker memory does not grow with the number of points.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
import logging
import math
import os
import socket
import time
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

__all__ = [
    "HOURLY_VARIABLES",
    "Payload",
    "apply_overrides",
    "hello",
    "init_worker",
    "is_storage_path",
    "point_scenario",
    "run_batch",
    "structural_key",
]

HOURLY_VARIABLES = ("new_energy_curtailment", "unserved", "demand_response_shed", "thermal_relief")
"""Hourly (snapshot, bus) variables stored with ``--hourly``; units as in ``VARIABLES``."""

WORKER_ID = f"{socket.gethostname()}:{os.getpid()}"
"""This process as ``host:pid``: reported with every batch, so the runner knows what it cached."""

PACK_CACHE_SIZE = 4
PROFILE_CACHE_SIZE = 8
FIGURE_CACHE_SIZE = 256
SCENARIO_CACHE_SIZE = 16


@dataclasses.dataclass(frozen=True)
class Payload:
    """Everything a worker needs once per sweep (sent once, not per task)."""

    fingerprint: str
    base: dict[str, Any]  # model_dump of the validated base scenario
    figures: tuple[str, ...]
    hourly: bool
    storage_paths: frozenset[str]  # override paths applied to packed arrays directly
    engine: str = "kernel"  # a name in energysim.engines.REGISTRY


def is_storage_path(path: str, base: dict[str, Any]) -> bool:
    """Does an override only change existing storage units (fast path)?"""
    parts = path.split(".")
    if path in ("capacity_totals_GW.new_type_storage", "capacity_totals_GW.pumped_hydro"):
        return True
    return len(parts) == 3 and parts[0] == "storage" and parts[1] in base.get("storage", {})


def _is_target_path(path: str) -> bool:
    return path.split(".")[0] == "targets"


def _overrides_key(overrides: Sequence[tuple[str, Any]], skip: frozenset[str] = frozenset()) -> str:
    """Hash of a point's overrides without targets and without the paths in ``skip``."""
    rest = [[p, v] for p, v in overrides if p not in skip and not _is_target_path(p)]
    return hashlib.sha1(json.dumps(rest, sort_keys=True, default=str).encode()).hexdigest()


def dispatch_key(overrides: Sequence[tuple[str, Any]]) -> str:
    """Key of a point's dispatch: its overrides except targets (which never change dispatch)."""
    return _overrides_key(overrides)


def structural_key(overrides: Sequence[tuple[str, Any]], storage_paths: frozenset[str]) -> str:
    """Key of the packed arrays a point needs: its overrides except storage and targets."""
    return _overrides_key(overrides, storage_paths)


def apply_overrides(base: dict[str, Any], overrides: Sequence[tuple[str, Any]]) -> dict[str, Any]:
    """A copy of ``base`` with each dotted path set; only the dicts on the paths are copied."""
    out = dict(base)
    for path, value in overrides:
        parts = path.split(".")
        node = out
        for key in parts[:-1]:
            child = node.get(key)
            child = dict(child) if isinstance(child, dict) else {}
            node[key] = child
            node = child
        node[parts[-1]] = copy.deepcopy(value)
    return out


class _LRU:
    """A small least-recently-used cache: at most ``size`` entries."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Any, Any] = OrderedDict()

    def get(self, key: Any) -> Any:
        """The entry for ``key`` (now the most recent), or None."""
        hit = self._items.get(key)
        if hit is not None:
            self._items.move_to_end(key)
        return hit

    def put(self, key: Any, value: Any) -> None:
        """Store ``value``, dropping the least recently used entry when full."""
        self._items[key] = value
        if len(self._items) > self.size:
            self._items.popitem(last=False)


class _State:
    """Per-process caches for one sweep payload."""

    def __init__(self, payload: Payload) -> None:
        self.payload = payload
        self.profiles = _LRU(PROFILE_CACHE_SIZE)
        self.packs = _LRU(PACK_CACHE_SIZE)
        # annual figures by dispatch key: points that differ only in targets share one dispatch
        self.figures = _LRU(FIGURE_CACHE_SIZE)
        self.packs_made = 0  # packs computed by this process for this payload (cache misses)
        # validated scenarios by their overrides other than capacity totals (point_scenario)
        self.scenarios = _LRU(SCENARIO_CACHE_SIZE)

    def validated(self, overrides: Sequence[tuple[str, Any]]) -> Any:
        """The base with ``overrides`` applied and validated, kept for the next point."""
        key = json.dumps([[p, v] for p, v in overrides], sort_keys=True, default=str)
        hit = self.scenarios.get(key)
        if hit is None:
            from energysim.config import load_scenario_dict

            data = apply_overrides(self.payload.base, overrides)
            hit = load_scenario_dict(data, file="<sweep point>")
            self.scenarios.put(key, hit)
        return hit


_STATE: _State | None = None
_BARRIER: Any = None  # a multiprocessing Barrier shared by the workers of a local pool


def _pin_threads() -> None:
    """One numba thread and one OpenBLAS thread in this process.

    ``NUMBA_NUM_THREADS=1`` and ``OPENBLAS_NUM_THREADS=1`` themselves are set in the
    environment the workers are started with (the runner does that,
    :data:`energysim.sweep.runner.WORKER_ENV`); changing numba's here, after numba started its
    threads, would make numba refuse to compile. OpenBLAS is set here too
    (:func:`energysim.feasibility.blas_threads`), for a worker started without that environment
    (a Dask worker of a running scheduler).
    """
    try:
        import numba

        numba.set_num_threads(1)
    except (ImportError, ValueError, RuntimeError) as err:  # pragma: no cover
        logger.debug("could not pin numba threads: %s", err)
    from energysim.feasibility import blas_threads

    blas_threads(1)


def warm_up() -> None:
    """Compile (or load from numba's cache) the kernel on a one-bus, one-day system."""
    import pandas as pd
    import xarray as xr

    from energysim.config import load_scenario_dict
    from energysim.kernel import pack, run_kernel

    scenario = load_scenario_dict(
        {
            "name": "warm-up",
            "year": 2030,
            "buses": {"a": {"grid": "mengxi", "x": 110.0, "y": 40.0, "demand_share": 1.0}},
            "demand": {"annual_TWh": 1.0},
            "storage": {"s": {"bus": "a", "kind": "new_type", "p_nom": 1.0, "max_hours": 2.0}},
        },
        file="<warm-up>",
    )
    snap = pd.date_range("2030-01-01", periods=24, freq="h")
    ones = np.ones((24, 1))
    profiles = xr.Dataset(
        {
            "wind": (("snapshot", "bus"), ones * 0.3),
            "solar": (("snapshot", "bus"), ones * 0.2),
            "load": (("snapshot", "bus"), ones),
            "receiving_load": (("snapshot", "region"), ones),
        },
        coords={"snapshot": snap, "bus": ["a"], "region": ["jjj"]},
    )
    inputs, _ = pack(scenario, profiles)
    run_kernel(inputs)


def init_worker(
    payload: Payload | None = None, warm: bool = True, pin: bool = True, barrier: Any = None
) -> None:
    """Worker initializer: pin numba to one thread, warm the kernel up, keep the payload.

    ``pin=False`` in the driver process (one worker), which keeps its own numba settings.
    ``barrier`` (a ``multiprocessing.Barrier`` with one party per worker, passed at process
    start) is what :func:`hello` waits on.
    """
    global _STATE, _BARRIER
    _BARRIER = barrier
    if pin:
        _pin_threads()
    if warm:
        warm_up()
    if payload is not None:
        _STATE = _State(payload)


def hello(timeout: float = 600.0) -> str:
    """This worker's name (:data:`WORKER_ID`), once every worker of the pool has started.

    The runner submits one call per worker: each waits on the pool's barrier, so no worker can
    take two of them, and the runner learns every worker's name before it hands out work.
    Returns anyway after ``timeout`` seconds or when the barrier is broken.
    """
    import threading

    if _BARRIER is not None:
        try:
            _BARRIER.wait(timeout)
        except threading.BrokenBarrierError:
            logger.debug("sweep worker %s: start-up barrier broken", WORKER_ID)
    return WORKER_ID


def _state(payload: Payload | None) -> _State:
    global _STATE
    if payload is not None and (
        _STATE is None
        or (_STATE.payload.fingerprint, _STATE.payload.storage_paths)
        != (payload.fingerprint, payload.storage_paths)
    ):
        if _STATE is None and os.environ.get("NUMBA_NUM_THREADS") == "1":
            _pin_threads()  # a worker started by the runner (e.g. a Dask worker joining late)
        _STATE = _State(payload)
    if _STATE is None:
        msg = "sweep worker has no payload; call init_worker(payload) first"
        raise RuntimeError(msg)
    return _STATE


def _profiles(state: _State, scenario: Any) -> Any:
    import energysim.run as run

    w = scenario.weather
    key = (
        tuple((n, b.x, b.y, b.wind_x, b.wind_y) for n, b in scenario.buses.items()),
        scenario.year,
        w.seed,
        w.wind_profile,
        w.solar_profile,
        w.load_profile,
    )
    hit = state.profiles.get(key)
    if hit is None:
        hit = run.scenario_profiles(scenario)  # looked up at call time: tests may patch it
        state.profiles.put(key, hit)
    return hit


def storage_arrays(
    scenario: Any, inputs: Any, balance: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """Storage fields of :class:`KernelInputs` for ``scenario`` on already packed ``inputs``.

    ``balance`` (T, B), MW: :func:`energysim.kernel.pack.inputs_balance` of ``inputs``, which
    storage does not change (it has no storage term): a sweep computes it once per packed
    scenario and passes it to every storage point (:func:`_packed`); computed here when not
    given.
    """
    from energysim.kernel.pack import inputs_balance, storage_fields

    # ``net_short`` is pack's prepass_shortfall of exactly these arrays, which storage does not
    # change: passing it skips re-reading the (T, K, B) thermal block for every point
    return storage_fields(
        scenario,
        inputs.demand,
        inputs.zero_cost_avail,
        inputs.th_avail,
        inputs.schedule,
        inputs.reserve_req,
        short=inputs.net_short,
        # each bus's pre-pass balance (the storage room): a transport per hour, ~6 ms a year
        balance=inputs_balance(inputs) if balance is None else balance,
    )


def _packed(state: _State, scenario: Any, key: str) -> tuple:
    import pandas as pd

    from energysim.kernel.pack import inputs_balance, pack_with_block, shared_static
    from energysim.sweep.figures import fleet_hours, prepare_figures

    hit = state.packs.get(key)
    if hit is None:
        profiles = _profiles(state, scenario)
        inputs, index, _ = pack_with_block(
            scenario,
            profiles,
            # what no weather changes, shared by the sweep's weather years on this process
            static=shared_static(scenario, pd.DatetimeIndex(profiles["snapshot"].values)),
        )
        prep = prepare_figures(inputs, index, scenario)
        # the fleets' hourly floors and headroom and the buses' pre-pass balance: storage
        # points change neither
        hit = (inputs, index, prep, fleet_hours(index, prep), inputs_balance(inputs))
        state.packs.put(key, hit)
        state.packs_made += 1
    return hit


def _split_totals(
    overrides: Sequence[tuple[str, Any]],
) -> tuple[dict[str, float], list[tuple[str, Any]]] | None:
    """The point's capacity totals ``{key: GW}`` and its other overrides, or None when a
    ``capacity_totals_GW`` override is not a finite number >= 0 for one key (the full path
    then validates it and names the bad value)."""
    totals: dict[str, float] = {}
    rest: list[tuple[str, Any]] = []
    for path, value in overrides:
        section, _, key = path.partition(".")
        if section != "capacity_totals_GW":
            rest.append((path, value))
            continue
        if not key or "." in key or isinstance(value, bool):
            return None
        if not isinstance(value, (int, float)) or not (math.isfinite(value) and value >= 0):
            return None
        totals[key] = float(value)
    return totals, rest


def point_scenario(state: _State, overrides: Sequence[tuple[str, Any]]) -> Any:
    """The validated scenario of a point: the base with the point's overrides.

    Capacity totals (``capacity_totals_GW.<key>``, finite numbers >= 0: the storage-power axis of
    a sweep) are applied without re-validating the whole scenario: the base with the point's
    *other* overrides is validated once per process and kept (the base itself when there are
    none), then gets the totals, their check
    (:func:`energysim.config.checks.check_capacity_totals`, the only check that reads them) and
    the rescaling (:func:`~energysim.config.checks.apply_capacity_totals`), exactly as
    :func:`energysim.config.load_scenario_dict` applies them after validating (tested equal).
    A point whose validation or check fails goes through
    :func:`~energysim.config.load_scenario_dict` on the merged data, which raises the error that
    names the field and value.

    Returns
    -------
    Scenario
        Validated, with the totals applied (``capacity_totals_GW`` empty).
    """
    from energysim.config import load_scenario_dict
    from energysim.config.checks import apply_capacity_totals, check_capacity_totals
    from energysim.exceptions import ConfigError

    base = state.payload.base
    split = None if base.get("capacity_totals_GW") else _split_totals(overrides)
    if split is not None:
        totals, rest = split
        try:
            scenario = state.validated(rest)
            scenario = scenario.model_copy(update={"capacity_totals_GW": totals})
            check_capacity_totals(scenario)
        except ConfigError:
            pass  # the full path below raises it with the file and the field
        else:
            return apply_capacity_totals(scenario)
    return load_scenario_dict(apply_overrides(base, overrides), file="<sweep point>")


def run_point(
    state: _State, overrides: Sequence[tuple[str, Any]]
) -> tuple[dict[str, float], dict | None]:
    """Simulate one point; return its figures and (with hourly) its hourly arrays.

    Raises whatever the scenario, pack or kernel raise; :func:`run_batch` records it.
    """
    from energysim.engines import dispatch
    from energysim.sweep.figures import annual_figures, result_block, target_verdicts

    p = state.payload
    scenario = point_scenario(state, overrides)
    same_dispatch = dispatch_key(overrides)
    cached = None if p.hourly else state.figures.get(same_dispatch)
    if cached is not None:
        figures = dict(cached)
        figures.update(target_verdicts(figures, scenario))
        return figures, None
    key = structural_key(overrides, p.storage_paths)
    inputs, index, prep, fleets, balance = _packed(state, scenario, key)
    if any(path in p.storage_paths for path, _ in overrides):
        inputs = dataclasses.replace(inputs, **storage_arrays(scenario, inputs, balance))
    # the kernel writes into one output block per process (figures-only path: flat memory)
    options = {"out": result_block(inputs)} if p.engine == "kernel" else {}
    result = dispatch(scenario, inputs, index, p.engine, **options)
    figures = annual_figures(result, inputs, index, scenario, prep, fleets)
    if not p.hourly:
        state.figures.put(same_dispatch, dict(figures))
    figures.update(target_verdicts(figures, scenario))
    hourly = None
    if p.hourly:
        from energysim.accounting import new_energy_curtailment

        full = {
            "new_energy_curtailment": new_energy_curtailment(result, inputs),
            "unserved": result.unserved,
            "demand_response_shed": result.dr_shed,
            "thermal_relief": result.thermal_relief,
        }
        buses = list(p.base["buses"])
        cols = [index.buses.index(b) if b in index.buses else -1 for b in buses]
        hourly = {}
        for name, arr in full.items():
            out = np.full((arr.shape[0], len(buses)), np.nan, dtype=np.float32)
            for j, c in enumerate(cols):
                if c >= 0:
                    out[:, j] = arr[:, c]
            hourly[name] = out
    return figures, hourly


def run_batch(
    points: Sequence[tuple[str, Sequence[tuple[str, Any]]]], payload: Payload | None = None
) -> dict[str, Any]:
    """Run a batch of points; a failing point is recorded, the others continue.

    Parameters
    ----------
    points : sequence of (key, overrides)
        Point key (see :func:`energysim.sweep.spec.point_key`) and its (dotted path, value) pairs.
    payload : Payload, optional
        The sweep payload; not needed when :func:`init_worker` already set it.

    Returns
    -------
    dict
        ``keys`` (n,) str, ``values`` (n, F) float64 in the order of ``payload.figures`` (NaN
        where failed), ``error`` (n,) str (empty when ok), ``worker`` (str, ``host:pid`` of the
        process that ran the batch), ``started`` (float, s, the worker's ``time.time()`` when the
        call began), ``compute_s`` (float, s, wall time of this call in the worker), ``packs`` (int, scenarios packed by this batch: cache misses) and, with hourly
        outputs, ``hourly``: name -> (n, T, B) float32.
    """
    started = time.time()
    start = time.perf_counter()
    state = _state(payload)
    packs_before = state.packs_made
    figs = state.payload.figures
    n = len(points)
    values = np.full((n, len(figs)), np.nan)
    errors = [""] * n
    hourly: dict[str, list] = (
        {name: [None] * n for name in HOURLY_VARIABLES} if state.payload.hourly else {}
    )
    for i, (_, overrides) in enumerate(points):
        try:
            figures, hours = run_point(state, overrides)
        except Exception as err:  # noqa: BLE001 - every failure is recorded for its point
            errors[i] = f"{type(err).__name__}: {err}"
            logger.debug("point %s failed: %s", overrides, errors[i])
            continue
        values[i] = [figures[f] for f in figs]
        if hours is not None:
            for name, arr in hours.items():
                hourly[name][i] = arr
    out: dict[str, Any] = {"keys": [k for k, _ in points], "values": values, "error": errors}
    out["worker"] = WORKER_ID
    out["packs"] = state.packs_made - packs_before
    if state.payload.hourly:
        t = max((a.shape[0] for a in hourly[HOURLY_VARIABLES[0]] if a is not None), default=0)
        nb = len(state.payload.base["buses"])
        stacked = {}
        for name, arrs in hourly.items():
            block = np.full((n, t, nb), np.nan, dtype=np.float32)
            for i, a in enumerate(arrs):
                if a is not None:
                    block[i, : a.shape[0]] = a[:t]
            stacked[name] = block
        out["hourly"] = stacked
    out["started"] = started
    out["compute_s"] = time.perf_counter() - start
    return out
