"""Sweep files: a base scenario and axes of dotted paths into it, expanded into points.

A sweep file is YAML::

    name: storage-x-weather          # optional
    base: ../plan-2030.yaml          # relative to the sweep file
    mode: product                    # or zip
    axes:
      - path: capacity_totals_GW.new_type_storage
        name: storage_GW             # optional dimension name (default: the path)
        values: {start: 40, stop: 80, step: 10}   # stop inclusive
      - path: weather.seed
        values: [0, 1, 2]
      - name: wind_share             # a derived axis: one value sets several paths
        values: [0.4, 0.5, 0.6]
        set:
          capacity_totals_GW.wind: {scale: 300}                # 300 * x
          capacity_totals_GW.solar: {scale: -300, offset: 300}  # 300 - 300 * x
    figures: [new_energy_local_TWh, meets_new_energy_local_TWh]   # optional

Paths are checked against the resolved base scenario (its ``model_dump``): every key must exist,
except a new entry directly inside a map (``capacity_totals_GW.<key>`` with a known key, or a whole
new ``storage.<name>`` etc.). Values are not checked here: a value the scenario schema rejects
fails only its own points (see :mod:`energysim.sweep.runner`).

Every error is a :class:`~energysim.exceptions.ConfigError` naming the sweep file, the dotted
path inside it and the bad value.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from energysim.config.checks import TOTAL_KEYS
from energysim.config.load import load_scenario, read_yaml
from energysim.config.schema import Scenario
from energysim.exceptions import ConfigError
from energysim.results.schema import ANNUAL_FIGURES, VARIABLES

logger = logging.getLogger(__name__)

__all__ = [
    "FIGURE_CHOICES",
    "MAP_SECTIONS",
    "Axis",
    "Linear",
    "Point",
    "Range",
    "Sweep",
    "SweepSpec",
    "default_figures",
    "load_sweep",
    "target_figures",
]

MAP_SECTIONS = frozenset(
    {"buses", "generators", "storage", "flexible_loads", "lines", "corridors", "capacity_totals_GW"}
)
"""Top-level scenario fields that are maps by name: the only places a sweep may add a key."""

RESERVED_NAMES = frozenset({"point", "error", "status", "hour", "bus"})


def target_figures() -> dict[str, tuple[str, str, str]]:
    """The ``meets_<target>`` figures: name -> (target field, results variable, sense)."""
    from energysim.targets import TARGETS

    return {f"meets_{t.field}": (t.field, t.variable, t.sense) for t in TARGETS}


def _scalar_variables() -> tuple[str, ...]:
    return tuple(name for name, spec in VARIABLES.items() if spec.dims == ())


def default_figures() -> tuple[str, ...]:
    """:data:`~energysim.results.ANNUAL_FIGURES` plus whether each plan target is met."""
    return (*ANNUAL_FIGURES, *target_figures(), "meets_all_targets")


def figure_choices() -> tuple[str, ...]:
    """Every figure name a sweep may ask for: the scalar results variables and the verdicts."""
    return (*_scalar_variables(), *target_figures(), "meets_all_targets")


FIGURE_CHOICES = figure_choices()


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Range(_Model):
    """Evenly spaced values from ``start`` to ``stop`` (inclusive), by ``step`` or ``num``."""

    start: float | int = Field(description="First value.")
    stop: float | int = Field(description="Last value (inclusive when reached by the steps).")
    step: float | int | None = Field(None, description="Spacing; give step or num.")
    num: Annotated[int, Field(ge=1, le=1_000_000)] | None = Field(
        None, description="Number of values, start and stop included; give step or num."
    )

    def values(self, file: str, where: str) -> list[float | int]:
        """The values, ints when start, stop and step are ints; raise ConfigError if bad."""
        if (self.step is None) == (self.num is None):
            raise ConfigError(
                file,
                where,
                f"give exactly one of step or num; got step={self.step!r}, num={self.num!r}",
            )
        for key in ("start", "stop", "step"):
            v = getattr(self, key)
            if v is not None and not math.isfinite(v):
                raise ConfigError(file, f"{where}.{key}", f"got {v!r}; expected a finite number")
        if self.num is not None:
            if self.num == 1:
                if self.start != self.stop:
                    raise ConfigError(
                        file,
                        f"{where}.num",
                        f"got 1 with start {self.start!r} != stop {self.stop!r}; expected num >= 2",
                    )
                return [self.start]
            span = self.stop - self.start
            return [_tidy(self.start + span * i / (self.num - 1)) for i in range(self.num)]
        step = self.step
        assert step is not None
        if step == 0 or (self.stop - self.start) * step < 0:
            raise ConfigError(
                file,
                f"{where}.step",
                f"got {step!r}, which never reaches stop {self.stop!r} from start {self.start!r}; "
                "expected a non-zero step with the sign of stop - start",
            )
        count = math.floor((self.stop - self.start) / step * (1 + 1e-12) + 1e-9) + 1
        if count > 1_000_000:
            raise ConfigError(file, f"{where}.step", f"got {step!r}: {count} values, too many")
        if all(isinstance(v, int) for v in (self.start, self.stop, step)):
            return [int(self.start + i * step) for i in range(count)]
        return [_tidy(self.start + i * step) for i in range(count)]


def _tidy(x: float) -> float:
    """Round away binary noise (0.30000000000000004 -> 0.3)."""
    return float(f"{x:.12g}")


class Linear(_Model):
    """How a derived axis sets one path: ``offset + scale * x``."""

    scale: float = Field(1.0, description="Multiplier on the axis value.")
    offset: float = Field(0.0, description="Added after scaling.")


class Axis(_Model):
    """One sweep axis: a dotted path (or several, derived) and its values."""

    path: str | None = Field(
        None, description="Dotted path into the scenario, e.g. 'corridors.mengxi-jjj.p_nom'."
    )
    set: dict[str, Linear] | None = Field(
        None,
        description="Derived axis: dotted path -> {scale, offset}; each point sets every path to "
        "offset + scale * value. Needs 'name'.",
    )
    name: str | None = Field(
        None, min_length=1, description="Dimension name in the output (default: the path)."
    )
    values: list[Any] | Range = Field(description="A list, or a range {start, stop, step|num}.")


class SweepSpec(_Model):
    """The sweep file format."""

    name: str | None = Field(None, description="Short identifier of the sweep.")
    description: str = Field("", description="What the sweep explores.")
    base: str = Field(description="Base scenario file, relative to the sweep file.")
    mode: Literal["product", "zip"] = Field(
        "product", description="'product': every combination; 'zip': the i-th values together."
    )
    axes: list[Axis] = Field(min_length=1, description="The axes.")
    figures: list[str] | None = Field(
        None, description="Output figures (default: ANNUAL_FIGURES and the target verdicts)."
    )
    batch_size: Annotated[int, Field(ge=1, le=100_000)] | None = Field(
        None, description="Points per task (default: chosen from the number of points)."
    )
    engine: str = Field(
        "kernel",
        description="Dispatch engine of every point: 'kernel' (default) or a plug-in's name "
        "(energysim.engines); the sweep's fast annual figures need the kernel's array layout, "
        "which every engine returns.",
    )


@dataclass(frozen=True)
class Point:
    """One scenario of a sweep.

    ``index`` is the position along each axis (product mode) or ``(i,)`` (zip mode); ``flat`` is
    the position in expansion order; ``overrides`` are the (dotted path, value) pairs to apply.
    """

    flat: int
    index: tuple[int, ...]
    overrides: tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class Sweep:
    """A validated sweep: spec, resolved base, axis values and figures."""

    spec: SweepSpec
    file: Path
    text: str
    base_file: Path
    base: Scenario
    names: tuple[str, ...]  # dimension name of each axis
    values: tuple[tuple[Any, ...], ...]  # values of each axis
    figures: tuple[str, ...]

    @property
    def shape(self) -> tuple[int, ...]:
        """Points along each dimension: the axis lengths (product) or ``(n,)`` (zip)."""
        if self.spec.mode == "zip":
            return (len(self.values[0]),)
        return tuple(len(v) for v in self.values)

    @property
    def n_points(self) -> int:
        """Number of points."""
        return math.prod(self.shape)

    def _axis_overrides(self, a: int, v: Any) -> list[tuple[str, Any]]:
        axis = self.spec.axes[a]
        if axis.set is None:
            return [(str(axis.path), v)]
        return [(p, _tidy(lin.offset + lin.scale * float(v))) for p, lin in axis.set.items()]

    def points(self) -> list[Point]:
        """All points in expansion order (C order over the axes; zip: along the axes)."""
        out = []
        if self.spec.mode == "zip":
            for i in range(len(self.values[0])):
                ov = [
                    o
                    for a, vals in enumerate(self.values)
                    for o in self._axis_overrides(a, vals[i])
                ]
                out.append(Point(i, (i,), tuple(ov)))
            return out
        for flat, idx in enumerate(itertools.product(*(range(len(v)) for v in self.values))):
            ov = [o for a, i in enumerate(idx) for o in self._axis_overrides(a, self.values[a][i])]
            out.append(Point(flat, tuple(idx), tuple(ov)))
        return out

    def fingerprint(self, hourly: bool = False) -> str:
        """Hash of everything a point's result depends on except its overrides.

        The resolved base scenario, the figures and the hourly flag: editing the sweep file's axes
        keeps the results of points already computed (resume), changing the base does not.
        """
        from energysim._version import __version__

        blob = json.dumps(
            [__version__, self.base.model_dump(mode="json"), list(self.figures), bool(hourly)]
            + ([self.spec.engine] if self.spec.engine != "kernel" else []),
            sort_keys=True,
            default=str,
        )
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


def point_key(fingerprint: str, overrides: tuple[tuple[str, Any], ...]) -> str:
    """Stable key of one point: hash of the sweep fingerprint and its overrides."""
    blob = json.dumps([fingerprint, [list(o) for o in overrides]], sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:20]


def _format_pydantic(err: ValidationError, file: Path) -> ConfigError:
    errors = err.errors(include_url=False)
    # a union (values: list or range) reports one error per branch: show the branch that fits
    # the input's type and drop the branch tags from the path
    tags = ("list[any]", "Range")
    fitting = [
        e for e in errors if not (isinstance(e.get("input"), dict) and "list[any]" in e["loc"])
    ]
    first = (fitting or errors)[0]
    loc = ".".join(str(p) for p in first["loc"] if p not in tags)
    kind = first["type"]
    if kind == "extra_forbidden":
        message = f"unknown key {first['loc'][-1]!r}; see docs/sweeps.md for the sweep format"
    elif kind == "missing":
        message = "required field is missing"
    else:
        message = f"{first['msg'].removeprefix('Value error, ')}; got {first.get('input')!r}"
    return ConfigError(file, loc, message)


def check_path(dump: dict[str, Any], path: str, file: Path, where: str) -> None:
    """Raise ConfigError unless ``path`` names a field of the base scenario (see module doc)."""
    parts = path.split(".")
    if not path or any(not p for p in parts):
        raise ConfigError(
            file, where, f"got path {path!r}; expected dotted keys like 'demand.annual_TWh'"
        )
    if parts[0] in ("name", "extends"):
        raise ConfigError(file, where, f"got path {path!r}; {parts[0]!r} cannot be swept")
    node: Any = dump
    for i, key in enumerate(parts):
        here = ".".join(parts[:i]) or "<scenario>"
        if not isinstance(node, dict):
            raise ConfigError(
                file,
                where,
                f"path {path!r} does not exist in the base scenario: {here} is a "
                f"{type(node).__name__} ({node!r}), not a section with key {key!r}",
            )
        if key not in node:
            if i == 1 and parts[0] == "capacity_totals_GW":
                if key not in TOTAL_KEYS:
                    raise ConfigError(
                        file,
                        where,
                        f"path {path!r}: unknown capacity_totals_GW key {key!r}; "
                        f"expected one of: {', '.join(sorted(TOTAL_KEYS))}",
                    )
                if len(parts) > 2:
                    raise ConfigError(file, where, f"path {path!r}: capacity totals are numbers")
                return
            if i == 1 and parts[0] in MAP_SECTIONS and len(parts) == 2:
                return  # a whole new entry; its value is validated per point
            keys = sorted(str(k) for k in node)
            shown = ", ".join(keys[:15]) + (", ..." if len(keys) > 15 else "")
            raise ConfigError(
                file,
                where,
                f"path {path!r} does not exist in the base scenario: {here} has no key {key!r}; "
                f"expected one of: {shown}",
            )
        node = node[key]


def _coord_value(v: Any) -> Any:
    if isinstance(v, bool) or v is None or isinstance(v, (dict, list)):
        return json.dumps(v, sort_keys=True)
    return v


def load_sweep(path: str | Path) -> Sweep:
    """Read and validate a sweep file.

    Parameters
    ----------
    path : str or Path
        The sweep YAML file.

    Returns
    -------
    Sweep
        Validated sweep with its resolved base scenario.

    Raises
    ------
    ConfigError
        Naming the sweep file, the dotted path inside it and the bad value: unknown keys, a
        missing base, a path not in the base scenario, zip axes of unequal length, bad ranges,
        duplicate values or names, unknown figures.
    """
    file = Path(path)
    raw = read_yaml(file)
    text = file.read_text(encoding="utf-8")
    try:
        spec = SweepSpec.model_validate(raw)
    except ValidationError as err:
        raise _format_pydantic(err, file) from None
    base_file = file.parent / spec.base
    if not base_file.is_file():
        raise ConfigError(
            file, "base", f"base scenario {spec.base!r} not found (looked for {base_file})"
        )
    base = load_scenario(base_file)
    dump = base.model_dump()

    names: list[str] = []
    values: list[tuple[Any, ...]] = []
    for a, axis in enumerate(spec.axes):
        where = f"axes.{a}"
        if (axis.path is None) == (axis.set is None):
            raise ConfigError(file, where, "give exactly one of 'path' or 'set' (a derived axis)")
        if axis.set is not None:
            if not axis.name:
                raise ConfigError(file, f"{where}.name", "a derived axis ('set') needs a name")
            if not axis.set:
                raise ConfigError(
                    file, f"{where}.set", "is empty; expected dotted path -> {scale, offset}"
                )
            for p in axis.set:
                check_path(dump, p, file, f"{where}.set.{p}")
        else:
            check_path(dump, str(axis.path), file, f"{where}.path")
        vals = (
            axis.values.values(file, f"{where}.values")
            if isinstance(axis.values, Range)
            else list(axis.values)
        )
        if not vals:
            raise ConfigError(file, f"{where}.values", "is empty; expected at least one value")
        if axis.set is not None:
            for i, v in enumerate(vals):
                if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                    raise ConfigError(
                        file, f"{where}.values.{i}", f"got {v!r}; a derived axis takes numbers"
                    )
        if spec.mode == "product":
            seen = [json.dumps(v, sort_keys=True, default=str) for v in vals]
            dup = next((vals[i] for i, s in enumerate(seen) if s in seen[:i]), None)
            if len(set(seen)) != len(seen):
                raise ConfigError(file, f"{where}.values", f"value {dup!r} appears twice")
        name = axis.name or str(axis.path)
        if name in names or name in RESERVED_NAMES:
            raise ConfigError(
                file, f"{where}.name", f"dimension name {name!r} is used twice or reserved"
            )
        names.append(name)
        values.append(tuple(vals))

    paths = [p for axis in spec.axes for p in ([axis.path] if axis.path else list(axis.set or {}))]
    for p in paths:
        clash = [q for q in paths if q != p and (q.startswith(p + ".") or q == p)]
        if clash or paths.count(p) > 1:
            raise ConfigError(file, "axes", f"path {p!r} is set by more than one axis")

    if spec.mode == "zip":
        lengths = {n: len(v) for n, v in zip(names, values, strict=True)}
        if len(set(lengths.values())) > 1:
            raise ConfigError(file, "axes", f"zip mode needs axes of equal length; got {lengths}")

    figures = tuple(spec.figures) if spec.figures is not None else default_figures()
    for i, f in enumerate(figures):
        if f not in FIGURE_CHOICES:
            raise ConfigError(
                file,
                f"figures.{i}",
                f"unknown figure {f!r}; expected one of: {', '.join(FIGURE_CHOICES)}",
            )
        if f in names:
            raise ConfigError(file, f"figures.{i}", f"figure {f!r} has the name of an axis")
    if len(set(figures)) != len(figures):
        raise ConfigError(file, "figures", "lists a figure twice")
    from energysim.engines import engine_names

    if spec.engine not in engine_names():
        raise ConfigError(
            file,
            "engine",
            f"unknown engine {spec.engine!r}; expected one of: {', '.join(engine_names())}",
        )
    sweep = Sweep(spec, file, text, base_file, base, tuple(names), tuple(values), figures)
    logger.debug("sweep %s: %d points over %s", file, sweep.n_points, names)
    return sweep
