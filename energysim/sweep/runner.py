"""Run a sweep: batches of points on a local process pool or Dask, resumable, combined atomically.

Flow of :func:`run_sweep`:

1. Expand the points; give each a key (hash of the base scenario, figures, hourly flag and the
   point's overrides, :func:`energysim.sweep.spec.point_key`).
2. Read the sidecar folder ``<output>.parts/``: every ``part-*.npz`` holds the results of one
   finished batch (written atomically by the driver). Points already there are not run again.
3. Sort the missing points so that points sharing packed arrays are neighbours, cut them into
   batches and run the batches: in this process (``workers=1``), on a
   :class:`~concurrent.futures.ProcessPoolExecutor` (``workers>1``; spawned workers pinned to one
   numba thread, kernel warmed up in the initializer) or on Dask distributed (``scheduler`` or
   ``cluster="local"``). Each finished batch becomes a part file at once, so an interrupt loses
   at most the batches in flight.
4. Combine all parts into one Dataset, write it atomically, remove the parts folder.

A point that fails (bad value, kernel error) gets its message in the ``error`` variable and NaN
figures; the other points complete. Results do not depend on the number of workers or on the
batching: every point is computed from the same inputs by the same code.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import math
import os
import shutil
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from energysim.exceptions import EnergysimError
from energysim.results.io import atomic_write
from energysim.results.schema import VARIABLES
from energysim.sweep.spec import Point, Sweep, point_key, target_figures
from energysim.sweep.worker import (
    HOURLY_VARIABLES,
    Payload,
    hello,
    init_worker,
    is_storage_path,
    run_batch,
    structural_key,
)

logger = logging.getLogger(__name__)

__all__ = ["parts_dir", "run_sweep", "sweep_payload"]

MAX_BATCH = 32


def parts_dir(output: str | Path) -> Path:
    """The sidecar folder of per-batch results for ``output``: ``<output>.parts``."""
    output = Path(output)
    return output.with_name(output.name + ".parts")


def sweep_payload(sweep: Sweep, hourly: bool = False) -> Payload:
    """What every worker needs once: base scenario data, figures, fast-path paths."""
    base = sweep.base.model_dump()
    paths: set[str] = set()
    for axis in sweep.spec.axes:
        paths.update([axis.path] if axis.path else list(axis.set or {}))
    storage = frozenset(p for p in paths if is_storage_path(p, base))
    return Payload(
        sweep.fingerprint(hourly), base, sweep.figures, hourly, storage, sweep.spec.engine
    )


# -- part files ---------------------------------------------------------------------------------


def _write_part(folder: Path, res: dict[str, Any], figures: Sequence[str]) -> Path:
    name = hashlib.sha1("\n".join(res["keys"]).encode()).hexdigest()[:20]
    arrays = {
        "keys": np.array(res["keys"], dtype=str),
        "values": res["values"],
        "error": np.array(res["error"], dtype=str),
        "figures": np.array(list(figures), dtype=str),
    }
    for var, block in res.get("hourly", {}).items():
        arrays[f"hourly_{var}"] = block

    def write(tmp: Path) -> None:
        with tmp.open("wb") as fh:
            np.savez(fh, **arrays)

    return atomic_write(folder / f"part-{name}.npz", write)


def _read_parts(folder: Path, figures: Sequence[str]) -> Iterator[tuple[Path, Any]]:
    if not folder.is_dir():
        return
    for path in sorted(folder.glob("part-*.npz")):
        try:
            data = np.load(path, allow_pickle=False)
        except (OSError, ValueError) as err:
            logger.warning("ignoring unreadable part file %s: %s", path, err)
            continue
        if list(data["figures"]) != list(figures):
            continue
        yield path, data


# -- executors ----------------------------------------------------------------------------------


@contextlib.contextmanager
def _env(**values: str) -> Iterator[None]:
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


WORKER_ENV = {"NUMBA_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
"""Environment the sweep's worker processes start with: one numba thread and one OpenBLAS
thread each. OpenBLAS's own threads (one per core) spin after each product of the weather
generator (a pack's profiles): with two workers on two cores they take CPU from the other
worker (measured: a plan-2030 year's profiles cost ~0.16 s of process CPU with them, ~0.05 s
with one thread; the profiles do not depend on the thread count,
:func:`energysim.feasibility.blas_threads`)."""

Batch = list[tuple[str, tuple[tuple[str, Any], ...]]]
Handle = Callable[[dict[str, Any]], None]
Mark = Callable[[], None]  # called once the workers are up, before the first batch


class Dispatcher:
    """Hands out batches so that each worker keeps to the packed scenarios it already holds.

    A *unit* is the list of batches of one structural group (points that share a packed
    scenario; see :func:`plan_units`). A free worker gets, in this order: the next batch of the
    unit it works on; the first batch of a unit nobody has started; the last batch of a unit
    nobody works on any more; or the last batch of the unit with the most batches left, if
    stealing it pays: the unit has n >= 2 batches left and, once :meth:`observe` has seen
    batches with and without a pack, (n - 1) x its batch time exceeds the time of a pack (the
    thief packs and runs one batch while the owner runs the other n - 1). A unit stolen from
    is then shared by both workers. Results do not depend on who runs what; only the number of
    packs does.

    Parameters
    ----------
    units : list of list of Batch
        Batches grouped by unit, in run order.
    """

    def __init__(self, units: Sequence[Sequence[Batch]]) -> None:
        self._left: dict[int, list[Batch]] = {u: list(b) for u, b in enumerate(units) if b}
        self._fresh = list(self._left)[::-1]  # a stack: pop() gives the first unit
        self._owner: dict[str, int] = {}
        self._point = [0.0, 0]  # seconds and points of batches without a pack
        self._pack = [0.0, 0]  # extra seconds and packs of batches with packs

    def observe(self, points: int, seconds: float, packs: int) -> None:
        """Learn from a finished batch of ``points`` points that took ``seconds`` with ``packs``."""
        if packs == 0:
            self._point[0] += seconds
            self._point[1] += points
        elif self._point[1]:
            per_point = self._point[0] / self._point[1]
            self._pack[0] += max(0.0, seconds - points * per_point)
            self._pack[1] += packs

    def _steal_pays(self, unit: int) -> bool:
        left = self._left[unit]
        if len(left) < 2:
            return False
        if not (self._point[1] and self._pack[1]):
            return True  # nothing measured yet: two batches left is enough
        per_point = self._point[0] / self._point[1]
        batch_s = per_point * sum(len(b) for b in left) / len(left)
        return (len(left) - 1) * batch_s > self._pack[0] / self._pack[1]

    def __len__(self) -> int:
        return sum(len(b) for b in self._left.values())

    def next_for(self, worker: str, force: bool = False) -> Batch | None:
        """The next batch for ``worker`` (any hashable name), or None: nothing for it now.

        ``force``: hand out any batch left rather than None (when no other worker is busy).
        """
        unit = self._owner.get(worker)
        if unit is not None and self._left.get(unit):
            return self._take(unit, 0)
        if self._fresh:
            unit = self._fresh.pop()
            self._owner[worker] = unit
            return self._take(unit, 0)
        if not self._left:
            return None
        owned = set(self._owner.values())
        unit = max(self._left, key=lambda u: (u not in owned, len(self._left[u]), -u))
        if unit in owned and not force and not self._steal_pays(unit):
            return None
        self._owner[worker] = unit
        return self._take(unit, -1)

    def _take(self, unit: int, end: int) -> Batch:
        batches = self._left[unit]
        batch = batches.pop(end)
        if not batches:
            del self._left[unit]
        return batch


def _run_serial(units: list[list[Batch]], payload: Payload, handle: Handle, mark: Mark) -> None:
    init_worker(payload, warm=False, pin=False)
    mark()
    for unit in units:
        for batch in unit:
            handle(run_batch(batch, payload))


def _run_pool(
    units: list[list[Batch]], payload: Payload, handle: Handle, mark: Mark, workers: int
) -> None:
    """Local process pool, one batch in flight per worker, handed out by :class:`Dispatcher`.

    The workers first answer :func:`~energysim.sweep.worker.hello` behind a barrier, so all
    are started and named before work is handed out. With exactly one batch per worker in
    flight, the batch submitted when a result arrives is taken by the worker that just sent it
    (the others are busy), so the dispatcher's choice for that worker holds. Should another
    worker take it instead, only a pack is repeated.
    """
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    plan = Dispatcher(units)
    ctx = multiprocessing.get_context("spawn")
    with _env(**WORKER_ENV):
        pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=ctx,
            initializer=init_worker,
            initargs=(payload, True, True, ctx.Barrier(workers)),
        )
        try:
            running: dict[Future, str] = {}
            idle = [fut.result() for fut in [pool.submit(hello) for _ in range(workers)]]
            mark()

            def fill() -> None:
                for name in list(idle):
                    batch = plan.next_for(name, force=not running)
                    if batch is not None:
                        idle.remove(name)
                        running[pool.submit(run_batch, batch)] = name

            fill()
            while running:
                done, _ = wait(list(running), return_when=FIRST_COMPLETED)
                results = []
                for fut in done:
                    res = fut.result()
                    running.pop(fut)
                    idle.append(res["worker"])  # normally the worker it was meant for
                    plan.observe(len(res["keys"]), res["compute_s"], res["packs"])
                    results.append(res)
                fill()  # hand out work before writing the parts
                for res in results:
                    handle(res)
        except BrokenProcessPool as err:
            pool.shutdown(wait=False, cancel_futures=True)
            msg = f"a sweep worker died ({err}); finished batches are kept, run again to resume"
            raise EnergysimError(msg) from None
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown()


DASK_LOCAL_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.scheduler.work-stealing": False,
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.admin.tick.interval": "500ms",
}
"""Dask settings for a LocalCluster the sweep starts itself (a running cluster keeps its own).

No statistical profiler sampling the task thread every 10 ms; no work stealing (the runner
places every batch on the worker that holds its packed scenario, :class:`Dispatcher`: a
stolen batch costs a pack); the system monitor every 5 s instead of 0.5 s and the event-loop
health tick every 0.5 s instead of 20 ms. With two workers on two cores the scheduler's and
workers' own CPU competes with the points: measured (2 workers, 400 against 100 plan-2030
points, load 2.2-3.4 from other processes), the driver's CPU per point fell from 3.1-5.4 ms to
0.4-0.8 ms with these settings (``benchmarks/README.md``)."""

DASK_IN_FLIGHT = 2
"""Batches queued per Dask worker: one running, one waiting, so no worker idles while the
scheduler round-trips a result."""


def _run_dask(
    units: list[list[Batch]],
    payload: Payload,
    handle: Handle,
    mark: Mark,
    workers: int,
    scheduler: str | None,
) -> int:
    """Dask futures, each batch sent to a chosen worker (a loose restriction); returns workers."""
    try:
        from distributed import Client, LocalCluster, wait
    except ImportError as err:  # pragma: no cover - the dist extra is optional
        msg = "Dask execution needs the 'dist' extra: pip install 'energysim[dist]'"
        raise EnergysimError(msg) from err
    plan = Dispatcher(units)
    with contextlib.ExitStack() as stack, _env(**WORKER_ENV):
        if scheduler:
            client = stack.enter_context(Client(scheduler))
            client.wait_for_workers(1)
        else:
            import dask

            # our own cluster: quiet background work (DASK_LOCAL_CONFIG)
            stack.enter_context(dask.config.set(DASK_LOCAL_CONFIG))
            cluster = stack.enter_context(
                LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=":0",  # any free port: no clash warning with 8787
                )
            )
            client = stack.enter_context(Client(cluster))
            client.wait_for_workers(workers)
        client.run(init_worker, payload)
        shared = client.scatter(payload, broadcast=True)
        addresses = sorted(client.scheduler_info()["workers"])
        mark()
        where: dict[Any, str] = {}
        load = dict.fromkeys(addresses, 0)

        def fill() -> None:
            for _ in range(DASK_IN_FLIGHT):
                for addr in addresses:
                    if load[addr] >= DASK_IN_FLIGHT:
                        continue
                    batch = plan.next_for(addr, force=not where)
                    if batch is None:
                        continue
                    fut = client.submit(
                        run_batch,
                        batch,
                        shared,
                        pure=False,
                        workers=[addr],
                        allow_other_workers=True,
                    )
                    where[fut] = addr
                    load[addr] += 1

        fill()
        try:
            while where:
                done, _ = wait(list(where), return_when="FIRST_COMPLETED")
                results = []
                for fut in done:
                    load[where.pop(fut)] -= 1
                    res = fut.result()
                    plan.observe(len(res["keys"]), res["compute_s"], res["packs"])
                    results.append(res)
                    fut.release()
                fill()
                for res in results:
                    handle(res)
        except BaseException:
            client.cancel(list(where))
            raise
    return len(addresses)


# -- the sweep ----------------------------------------------------------------------------------


def _order(points: list[Point], payload: Payload) -> list[Point]:
    """Points sharing packed arrays next to each other; stable otherwise."""
    return [p for group in _groups(points, payload) for p in group]


def _groups(points: list[Point], payload: Payload) -> list[list[Point]]:
    """Points by structural key (one packed scenario each), in order of first appearance."""
    groups: dict[str, list[Point]] = {}
    for p in points:
        groups.setdefault(structural_key(p.overrides, payload.storage_paths), []).append(p)
    return [sorted(g, key=lambda p: p.flat) for g in groups.values()]


def batch_size_for(n_points: int, workers: int) -> int:
    """Default points per batch: about four batches per worker, at most :data:`MAX_BATCH`."""
    return max(1, min(MAX_BATCH, math.ceil(n_points / (4 * max(workers, 1)))))


def plan_units(
    points: list[Point], payload: Payload, size: int, keys: Sequence[str]
) -> list[list[Batch]]:
    """Cut the points into batches of at most ``size``, grouped into units of one packed scenario.

    A structural group with at least ``size`` points is one unit, cut into the fewest batches
    of at most ``size`` points with sizes differing by at most one. Consecutive smaller groups
    are pooled into units of up to ``size`` points (one batch each), so tiny groups do not make
    tiny tasks. ``keys[p.flat]`` is each point's key.
    """
    units: list[list[Batch]] = []
    pool: Batch = []
    for group in _groups(points, payload):
        items = [(keys[p.flat], p.overrides) for p in group]
        if len(items) < size:
            if len(pool) + len(items) > size:
                units.append([pool])
                pool = []
            pool.extend(items)
            continue
        n = math.ceil(len(items) / size)
        cuts = [round(i * len(items) / n) for i in range(n + 1)]
        units.append([items[a:b] for a, b in zip(cuts[:-1], cuts[1:], strict=True)])
    if pool:
        units.append([pool])
    return units


def _coord(values: Sequence[Any]) -> np.ndarray:
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return np.array(values)
    return np.array(
        [v if isinstance(v, str) else json.dumps(v, sort_keys=True) for v in values], dtype=str
    )


def _figure_attrs(name: str) -> dict[str, str]:
    if name in VARIABLES:
        return {"units": VARIABLES[name].units, "long_name": VARIABLES[name].long_name}
    if name == "meets_all_targets":
        return {"units": "1", "long_name": "every plan target met (1 yes, 0 no, NaN failed point)"}
    field, variable, sense = target_figures()[name]
    return {
        "units": "1",
        "long_name": f"plan target {field} met: {variable} {sense} target "
        "(1 yes, 0 no, NaN no target or failed point)",
    }


def build_dataset(
    sweep: Sweep,
    values: np.ndarray,
    errors: np.ndarray,
    hourly: dict[str, np.ndarray] | None,
    attrs: dict[str, Any],
) -> xr.Dataset:
    """Arrange per-point results (in point order) on the sweep's dimensions.

    Parameters
    ----------
    sweep : Sweep
        The sweep.
    values : ndarray (n_points, n_figures)
        Figures in the order of ``sweep.figures``.
    errors : ndarray (n_points,) of str
        Error message per point, empty when ok.
    hourly : dict of str to ndarray (n_points, hour, bus), optional
        Hourly outputs.
    attrs : dict
        Provenance attributes (str or number values).
    """
    shape = sweep.shape
    if sweep.spec.mode == "zip":
        dims: tuple[str, ...] = ("point",)
        coords: dict[str, Any] = {"point": np.arange(shape[0])}
        for name, vals in zip(sweep.names, sweep.values, strict=True):
            coords[name] = ("point", _coord(vals))
    else:
        dims = sweep.names
        coords = {name: _coord(vals) for name, vals in zip(sweep.names, sweep.values, strict=True)}
    data: dict[str, Any] = {}
    for f, name in enumerate(sweep.figures):
        data[name] = (dims, values[:, f].reshape(shape), _figure_attrs(name))
    data["error"] = (dims, errors.reshape(shape), {"long_name": "error of the point (empty: ok)"})
    data["status"] = (
        dims,
        np.where(errors == "", "ok", "failed").reshape(shape),
        {"long_name": "'ok' or 'failed'"},
    )
    if hourly:
        buses = list(sweep.base.buses)
        coords["bus"] = buses
        for name, arr in hourly.items():
            t = arr.shape[1]
            coords.setdefault("hour", np.arange(t))
            spec = VARIABLES[name]
            data[f"hourly_{name}"] = (
                (*dims, "hour", "bus"),
                arr.reshape((*shape, t, len(buses))),
                {"units": spec.units, "long_name": f"{spec.long_name} (hour of the model year)"},
            )
    ds = xr.Dataset(data, coords=coords)
    for axis, name in zip(sweep.spec.axes, sweep.names, strict=True):
        if axis.path:
            ds[name].attrs["path"] = axis.path
        else:
            ds[name].attrs["set"] = json.dumps(
                {p: lin.model_dump() for p, lin in (axis.set or {}).items()}
            )
    ds.attrs.update(attrs)
    return ds


def write_sweep(ds: xr.Dataset, output: Path) -> Path:
    """Write atomically: netCDF (chunked, compressed) or zarr when ``output`` ends in ``.zarr``."""
    hourly_chunks = {
        name: tuple(1 if d not in ("hour", "bus") else ds.sizes[d] for d in var.dims)
        for name, var in ds.data_vars.items()
        if "hour" in var.dims
    }
    if output.suffix == ".zarr":
        enc = {name: {"chunks": c} for name, c in hourly_chunks.items()}
        # variable-length strings: fixed-width unicode has no zarr v3 specification yet
        ds = ds.assign(
            {n: v.astype(object) for n, v in ds.data_vars.items() if v.dtype.kind == "U"}
        )
        ds = ds.assign_coords(
            {n: c.astype(object) for n, c in ds.coords.items() if c.dtype.kind == "U"}
        )
        tmp = output.with_name(f".{output.name}.part")
        if tmp.exists():
            shutil.rmtree(tmp)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*[Cc]onsolidated metadata.*")
            ds.to_zarr(tmp, mode="w", encoding=enc)
        old = output.with_name(f".{output.name}.old")
        if output.exists():
            os.replace(output, old)
        os.replace(tmp, output)
        if old.exists():
            shutil.rmtree(old)
        logger.info("wrote %s", output)
        return output
    encoding: dict[str, dict[str, Any]] = {}
    for name, var in ds.data_vars.items():
        if var.dtype.kind == "f" and var.ndim >= 1:
            encoding[name] = {"zlib": True, "complevel": 4}
            if name in hourly_chunks:
                encoding[name]["chunksizes"] = hourly_chunks[name]
    return atomic_write(output, lambda tmp: ds.to_netcdf(tmp, encoding=encoding, engine="netcdf4"))


def run_sweep(
    sweep: Sweep,
    output: str | Path,
    *,
    workers: int = 1,
    scheduler: str | None = None,
    cluster: str | None = None,
    hourly: bool = False,
    progress: bool = False,
    batch_size: int | None = None,
    stats: dict[str, Any] | None = None,
) -> xr.Dataset:
    """Run every point of a sweep that is not yet done and write the combined Dataset.

    Parameters
    ----------
    sweep : Sweep
        From :func:`energysim.sweep.spec.load_sweep`.
    output : str or Path
        ``.nc`` (netCDF) or ``.zarr``. Per-batch results go to ``<output>.parts/`` meanwhile.
    workers : int, default 1
        Processes (local pool) or Dask workers (LocalCluster). 1: run in this process.
    scheduler : str, optional
        Address of a running Dask scheduler; ``workers`` is then ignored.
    cluster : {"local"}, optional
        Start a Dask LocalCluster with ``workers`` single-threaded worker processes.
    hourly : bool, default False
        Also store hourly (hour, bus) outputs per point (:data:`HOURLY_VARIABLES`, float32,
        chunked one point per chunk). Memory and file size grow with the points (~1.7 MB per
        point for 12 buses); without it memory does not.
    progress : bool, default False
        Show a progress bar with ETA on stderr.
    batch_size : int, optional
        Points per task; default from the sweep file, else :func:`batch_size_for` (about four
        tasks per worker, at most :data:`MAX_BATCH`). Batches never mix packed scenarios
        unless their groups are smaller than a batch (:func:`plan_units`).
    stats : dict, optional
        Filled with run statistics (not part of the Dataset, whose content must not depend on
        timing): ``backend`` ("serial", "pool" or "dask"), ``workers``, ``points_run``,
        ``tasks``, ``batch_size``, ``packs`` (scenarios packed, summed over workers),
        ``start_s`` (s, starting the workers: processes, kernel warm-up, Dask cluster),
        ``run_s`` (s, driver wall time from then to the last result), ``compute_s`` (s, sum over tasks of the time spent inside
        :func:`~energysim.sweep.worker.run_batch`), ``gap_s`` (s, sum over workers of the time
        between their first task's start and last task's end not spent in a task: scheduling,
        transfers, waiting for work) and ``overhead`` (gap_s / (gap_s + compute_s)).

    Returns
    -------
    xarray.Dataset
        The combined results: one dimension per axis (zip mode: ``point``), one variable per
        figure, ``error`` and ``status``, provenance attributes.

    Raises
    ------
    EnergysimError
        On bad options or a crashed worker pool (finished batches are kept for the rerun).
    """
    from energysim._version import __version__
    from energysim.progress import bar as bar_of

    output = Path(output)
    if workers < 1:
        msg = f"--workers must be >= 1; got {workers}"
        raise EnergysimError(msg)
    if scheduler and cluster:
        msg = "give --scheduler or --cluster, not both"
        raise EnergysimError(msg)
    if cluster not in (None, "local"):
        msg = f"--cluster {cluster!r} is not known; expected 'local'"
        raise EnergysimError(msg)
    start = time.perf_counter()
    payload = sweep_payload(sweep, hourly)
    points = sweep.points()
    n = len(points)
    keys = [point_key(payload.fingerprint, p.overrides) for p in points]
    flat_of = {k: i for i, k in enumerate(keys)}
    figures = sweep.figures
    values = np.full((n, len(figures)), np.nan)
    errors = np.full(n, "", dtype=object)
    done = np.zeros(n, dtype=bool)
    folder = parts_dir(output)

    def absorb(res_keys: Sequence[str], res_values: np.ndarray, res_errors: Sequence[str]) -> int:
        count = 0
        for k, v, e in zip(res_keys, res_values, res_errors, strict=True):
            i = flat_of.get(str(k))
            if i is None or done[i]:
                continue
            values[i] = v
            errors[i] = str(e)
            done[i] = True
            count += 1
        return count

    for _, data in _read_parts(folder, figures):
        absorb(list(data["keys"]), data["values"], list(data["error"]))
    resumed = int(done.sum())
    if resumed:
        logger.info("resuming %s: %d of %d points already done", output, resumed, n)

    todo = [p for p in points if not done[p.flat]]
    size = batch_size or sweep.spec.batch_size or batch_size_for(len(todo), workers)
    units = plan_units(todo, payload, size, keys)
    n_tasks = sum(len(u) for u in units)
    tally = {"compute_s": 0.0, "packs": 0}
    spans: dict[str, list[float]] = {}  # worker -> [first start, last end, compute]
    bar = (
        bar_of(n, sweep.spec.name or sweep.file.stem, "point", initial=resumed)
        if progress
        else bar_of(0, "")
    )

    def handle(res: dict[str, Any]) -> None:
        _write_part(folder, res, figures)
        compute = float(res.get("compute_s", 0.0))
        tally["compute_s"] += compute
        tally["packs"] += int(res.get("packs", 0))
        if "started" in res:
            begin, end = float(res["started"]), float(res["started"]) + compute
            span = spans.setdefault(str(res.get("worker")), [begin, end, 0.0])
            span[0], span[1], span[2] = min(span[0], begin), max(span[1], end), span[2] + compute
        bar.update(absorb(res["keys"], res["values"], res["error"]))

    if units:
        folder.mkdir(parents=True, exist_ok=True)
    backend = "dask" if scheduler or cluster else "serial" if workers == 1 else "pool"
    n_workers = workers if backend == "dask" else min(workers, max(n_tasks, 1))
    marks = [time.perf_counter()]

    def mark() -> None:
        marks.append(time.perf_counter())

    try:
        if not units:
            pass
        elif backend == "dask":
            n_workers = _run_dask(units, payload, handle, mark, workers, scheduler)
        elif backend == "serial":
            _run_serial(units, payload, handle, mark)
        else:
            _run_pool(units, payload, handle, mark, n_workers)
    finally:
        bar.close()
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()  # a run that finished no batch leaves nothing to resume from
    run_s = time.perf_counter() - marks[-1]
    start_s = marks[-1] - marks[0]
    if not done.all():  # pragma: no cover - every batch reports every point
        msg = f"{int((~done).sum())} points have no result; run the command again to resume"
        raise EnergysimError(msg)
    if stats is not None:
        gap = sum(max(0.0, end - begin - busy) for begin, end, busy in spans.values())
        busy = tally["compute_s"]
        stats.update(
            backend=backend,
            workers=n_workers,
            points_run=len(todo),
            tasks=n_tasks,
            batch_size=size,
            packs=tally["packs"],
            start_s=start_s,
            run_s=run_s,
            compute_s=busy,
            gap_s=gap,
            overhead=gap / (gap + busy) if busy > 0 else 0.0,
        )

    hourly_arrays = _combine_hourly(folder, figures, flat_of, n) if hourly else None
    elapsed = time.perf_counter() - start
    err = errors.astype(str)
    attrs = {
        "energysim_version": __version__,
        "engine": sweep.spec.engine,
        "sweep_name": sweep.spec.name or sweep.file.stem,
        "sweep_file": str(sweep.file),
        "sweep": sweep.text,
        "base_scenario": sweep.base.name,
        "base_file": str(sweep.base_file),
        "mode": sweep.spec.mode,
        "n_points": n,
        "n_failed": int((err != "").sum()),
        "n_resumed": resumed,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    ds = build_dataset(sweep, values, err, hourly_arrays, attrs)
    write_sweep(ds, output)
    if folder.exists():
        shutil.rmtree(folder)
    logger.info("sweep %s: %d points (%d resumed) in %.1f s", output, n, resumed, elapsed)
    return ds


def _combine_hourly(
    folder: Path, figures: Sequence[str], flat_of: dict[str, int], n: int
) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for _, data in _read_parts(folder, figures):
        for name in HOURLY_VARIABLES:
            block = data[f"hourly_{name}"]
            if name not in out:
                out[name] = np.full((n, *block.shape[1:]), np.nan, dtype=np.float32)
            arr = out[name]
            for k, row in zip(data["keys"], block, strict=True):
                i = flat_of.get(str(k))
                if i is not None:
                    t = min(arr.shape[1], row.shape[0])
                    arr[i, :t] = row[:t]
    return out
