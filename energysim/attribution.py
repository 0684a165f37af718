"""Attribution: which assumption carries the verdict.

:func:`attribute` walks from one scenario (say ``plan-2030-optimistic``) to another
(``plan-2030``) one assumption at a time and reports how much each step moves each headline
figure. An *assumption* is a top-level section of the scenario (``demand``, ``weather``,
``heating_season``, ...) or, for the component tables (``generators``, ``corridors``, ...), one
field group changed on all entries at once (``corridors.in_service_date``,
``generators.marginal_cost``, ...). The fleet of a table (entries added or removed, and ``p_nom``)
is one step: added entries arrive with all their fields (an entry split out of another, like the
captive plants or the model year's additions, brings its own dates and floors). Label fields
(``source``, ``name_zh``) are never a step of their own; the last step brings them.

The decomposition is sequential: step ``i`` starts from the scenario with steps ``0..i-1``
applied, so the steps sum exactly to the total change, and each step's effect is measured with
the earlier ones in place (a different order can split interactions differently; the order is
the scenario's section order, then the field order of the schema, and can be given).
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import xarray as xr
from pydantic import ValidationError

from energysim.config.schema import Scenario
from energysim.exceptions import ConfigError

logger = logging.getLogger(__name__)

__all__ = [
    "HEADLINE_FIGURES",
    "OPTIONAL_FIGURES",
    "Step",
    "assumption_steps",
    "attribute",
    "waterfall",
]

HEADLINE_FIGURES: tuple[str, ...] = (
    "new_energy_utilisation",
    "new_energy_local_TWh",
    "new_energy_export_TWh",
    "renewable_weight",
    "unserved_MWh",
)
"""Annual figures every attribution reports (results Dataset variables)."""

OPTIONAL_FIGURES: tuple[str, ...] = ("export_cut_hours", "loss_of_load_hours")
"""Reported as well when the results Dataset has them."""

IGNORED_KEYS = frozenset({"name", "description", "extends"})
"""Top-level keys that are labels, not assumptions."""

TABLES = ("buses", "generators", "storage", "flexible_loads", "lines", "corridors")
"""Sections that are tables of entries (field-group steps)."""

FIELD_GROUPS: dict[str, tuple[tuple[str, ...], ...]] = {
    "generators": (("p_max_pu", "p_min_pu", "p_min_pu_heating"),),
    "storage": (("soc_min", "soc_max"),),
    "corridors": (
        ("in_service_year", "in_service_date"),
        ("annual_TWh", "utilisation_hours"),
        ("flexible_export", "surplus_share", "surplus_annual_TWh", "surplus_hours"),
    ),
}
"""Fields that change together (validators tie them, or they form one assumption), per table."""

GROUP_NAMES: dict[tuple[str, ...], str] = {
    ("p_max_pu", "p_min_pu", "p_min_pu_heating"): "floors",
    ("soc_min", "soc_max"): "soc_limits",
    ("in_service_year", "in_service_date"): "in_service",
    ("annual_TWh", "utilisation_hours"): "scheduled_energy",
    ("flexible_export", "surplus_share", "surplus_annual_TWh", "surplus_hours"): "surplus_market",
}
"""Short step names of the tied field groups (the step's description lists the fields)."""

LABEL_FIELDS = frozenset({"source", "name_zh"})
"""Entry fields that are labels: they never form a step of their own (the last step brings them)."""


@dataclass(frozen=True)
class Step:
    """One assumption: where it lives and the values it sets.

    ``updates`` maps a path (tuple of keys into the scenario mapping) to its new value;
    ``removes`` lists paths deleted.
    """

    name: str
    description: str
    updates: dict[tuple[str, ...], Any] = field(default_factory=dict)
    removes: tuple[tuple[str, ...], ...] = ()

    def apply(self, data: dict) -> dict:
        """A copy of the scenario mapping ``data`` with this step applied."""
        out = copy.deepcopy(data)
        for path in self.removes:
            node = out
            for key in path[:-1]:
                node = node[key]
            node.pop(path[-1], None)
        for path, value in self.updates.items():
            node = out
            for key in path[:-1]:
                node = node.setdefault(key, {})
            node[path[-1]] = copy.deepcopy(value)
        return out


def _groups(table: str, fields: Sequence[str]) -> list[tuple[str, ...]]:
    """Fields of a table entry split into the groups that change together, schema order."""
    tied = FIELD_GROUPS.get(table, ())
    out: list[tuple[str, ...]] = []
    seen: set[str] = set()
    for f in fields:
        if f in seen:
            continue
        group = next((g for g in tied if f in g), (f,))
        out.append(group)
        seen.update(group)
    return out


def _shown(names: list[str]) -> str:
    return ", ".join(names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4 else "")


def _table_steps(table: str, a: dict, b: dict) -> list[Step]:
    """Steps of one table: the fleet (entries added or removed, together with ``p_nom``, so that
    the table's totals never pass through a state neither scenario has), then each field group."""
    steps: list[Step] = []
    added = [k for k in b if k not in a]
    removed = [k for k in a if k not in b]
    common = [k for k in b if k in a]
    resized = [k for k in common if a[k].get("p_nom") != b[k].get("p_nom")]
    if added or removed or resized:
        parts = []
        if added:
            parts.append(f"adds {_shown(added)}")
        if removed:
            parts.append(f"removes {_shown(removed)}")
        if resized:
            parts.append(f"p_nom of {_shown(resized)}")
        name = f"{table}.p_nom" + (" (+ entries)" if added or removed else "")
        updates: dict[tuple[str, ...], Any] = {(table, k): b[k] for k in added}
        updates |= {(table, k, "p_nom"): b[k].get("p_nom") for k in resized}
        removes = tuple((table, k) for k in removed)
        steps.append(Step(name, "; ".join(parts), updates=updates, removes=removes))
    fields: list[str] = []
    for k in common:
        for f in list(a[k]) + list(b[k]):
            if f not in fields and f not in LABEL_FIELDS and f != "p_nom":
                fields.append(f)
    for group in _groups(table, fields):
        changed = [k for k in common if any(a[k].get(f) != b[k].get(f) for f in group)]
        if not changed:
            continue
        updates = {(table, k, f): b[k].get(f) for k in changed for f in group}
        label = "/".join(group)
        short = GROUP_NAMES.get(group, label)
        steps.append(Step(f"{table}.{short}", f"{label} of {_shown(changed)}", updates=updates))
    return steps


def assumption_steps(start: Scenario, end: Scenario) -> list[Step]:
    """The assumptions in which ``end`` differs from ``start``, in section order.

    Parameters
    ----------
    start, end : Scenario
        Validated scenarios of the same model year.

    Returns
    -------
    list of Step
        Applied in order to ``start``'s mapping they give ``end``'s (labels aside).
    """
    a = start.model_dump(mode="python")
    b = end.model_dump(mode="python")
    steps: list[Step] = []
    for key in b:
        if key in IGNORED_KEYS or a.get(key) == b[key]:
            continue
        if key in TABLES:
            steps.extend(_table_steps(key, a.get(key, {}), b[key]))
        else:
            steps.append(Step(key, f"{key} as in {end.name}", updates={(key,): b[key]}))
    return steps


def _figures(ds: xr.Dataset) -> dict[str, float]:
    names = list(HEADLINE_FIGURES) + [f for f in OPTIONAL_FIGURES if f in ds]
    return {n: float(ds[n]) for n in names}


def _validated(data: dict, step: Step, end: Scenario) -> Scenario:
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        msg = (
            f"step {step.name!r} ({step.description}) gives an invalid scenario on the way to "
            f"{end.name!r}: {exc.errors()[0]['msg']}; expected each step to stand alone "
            "(tie the fields in attribution.FIELD_GROUPS or give an order)"
        )
        raise ConfigError(end.name, step.name, msg) from exc


def attribute(
    optimistic: Scenario,
    central: Scenario,
    engine: str = "kernel",
    order: Sequence[str] | None = None,
    simulate: Callable[[Scenario, str], xr.Dataset] | None = None,
) -> pd.DataFrame:
    """Move from ``optimistic`` to ``central`` one assumption at a time.

    Parameters
    ----------
    optimistic, central : Scenario
        Start and end of the walk (validated, same model year).
    engine : str, default "kernel"
        Engine each intermediate scenario is simulated with.
    order : sequence of str, optional
        Step names to apply first, in this order; the rest follow in section order.
    simulate : callable, optional
        ``simulate(scenario, engine) -> Dataset``; default :func:`energysim.run.simulate`.

    Returns
    -------
    pandas.DataFrame
        One row per step (index ``step``): ``changes`` (text) and, per headline figure, the
        change that step makes (units of the figure: p.u., TWh, MWh, h). ``attrs`` holds
        ``start`` and ``end`` (figure -> value in ``optimistic`` and ``central``), ``units``,
        and ``start_name``/``end_name``. The steps of each figure sum to ``end - start``.
    """
    if optimistic.year != central.year:
        msg = f"model year {central.year}; expected the start's year {optimistic.year}"
        raise ConfigError(central.name, "year", msg)
    if simulate is None:
        from energysim.run import simulate as run_simulate

        def simulate(s: Scenario, e: str) -> xr.Dataset:
            return run_simulate(s, engine=e)

    steps = assumption_steps(optimistic, central)
    if order:
        names = [s.name for s in steps]
        unknown = [o for o in order if o not in names]
        if unknown:
            msg = f"order names {unknown}; expected step names among {names}"
            raise ConfigError(central.name, "order", msg)
        steps = [s for o in order for s in steps if s.name == o] + [
            s for s in steps if s.name not in order
        ]
    data = optimistic.model_dump(mode="python")
    ds = simulate(optimistic, engine)
    start = _figures(ds)
    units = {n: str(ds[n].attrs.get("units", "")) for n in start}
    previous = start
    rows = []
    for i, step in enumerate(steps):
        data = step.apply(data)
        scenario = central if i == len(steps) - 1 else _validated(data, step, central)
        values = _figures(simulate(scenario, engine))
        rows.append(
            {"step": step.name, "changes": step.description}
            | {n: values[n] - previous[n] for n in start}
        )
        logger.info("attribution step %d/%d %s", i + 1, len(steps), step.name)
        previous = values
    table = pd.DataFrame(rows, columns=["step", "changes", *start]).set_index("step")
    table.attrs.update(
        start=start,
        end=previous,
        units=units,
        start_name=optimistic.name,
        end_name=central.name,
    )
    return table


def waterfall(table: pd.DataFrame, figure: str = "new_energy_utilisation", ax: Any = None) -> Any:
    """Waterfall chart of one figure: start bar, one bar per step, end bar.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`attribute`.
    figure : str
        Column to draw (a headline figure).
    ax : matplotlib.axes.Axes, optional
        Axes to draw into; a new figure by default.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    if figure not in table.columns:
        msg = f"figure {figure!r} is not in the table; expected one of {list(table.columns[1:])}"
        raise ValueError(msg)
    if ax is None:
        _, ax = plt.subplots(figsize=(max(8.0, 0.5 * (len(table) + 2)), 5.5))
    start = table.attrs["start"][figure]
    end = table.attrs["end"][figure]
    labels = [
        table.attrs.get("start_name", "start"),
        *table.index,
        table.attrs.get("end_name", "end"),
    ]
    level = start
    bottoms, heights, colors = [0.0], [start], ["0.55"]
    for delta in table[figure]:
        bottoms.append(level if delta >= 0 else level + delta)
        heights.append(abs(delta))
        colors.append("tab:green" if delta >= 0 else "tab:red")
        level += delta
    bottoms.append(0.0)
    heights.append(end)
    colors.append("0.3")
    x = range(len(labels))
    ax.bar(x, heights, bottom=bottoms, color=colors)
    ax.set_xticks(list(x), labels, rotation=60, ha="right", fontsize=8)
    unit = table.attrs.get("units", {}).get(figure, "")
    ax.set_ylabel(f"{figure} ({unit})" if unit else figure)
    finite = [b + h for b, h in zip(bottoms, heights, strict=True)] + bottoms[1:-1]
    lo, hi = min(finite), max(finite)
    pad = 0.1 * (hi - lo) if hi > lo else 1.0
    ax.set_ylim(max(0.0, lo - pad) if lo >= 0 else lo - pad, hi + pad)
    ax.set_title(f"{figure}: {labels[0]} -> {labels[-1]}")
    return ax
