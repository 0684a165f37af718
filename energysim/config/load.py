"""Read scenario files: YAML, CSV data tables, ``extends`` chains, strict validation.

A scenario file is YAML. A component section (``buses``, ``generators``, ``storage``,
``flexible_loads``, ``lines``, ``corridors``) is either a mapping of entries by name or the path of
a CSV data table (relative to the YAML file) with a ``name`` column and one column per field;
empty cells take the field's default. A variant names its base with ``extends:`` and states only
what changes: mappings are merged recursively, everything else is replaced.

Every error names the file, the dotted path inside it, the bad value and what is expected, and is
raised as :class:`energysim.exceptions.ConfigError`.
"""

from __future__ import annotations

import copy
import csv
import json
import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from energysim._yaml import safe_load
from energysim.config.checks import apply_capacity_totals, check_scenario
from energysim.config.schema import Scenario
from energysim.exceptions import ConfigError

logger = logging.getLogger(__name__)

__all__ = ["load_scenario", "load_scenario_dict", "modify", "read_yaml", "scenario_json_schema"]

COMPONENT_SECTIONS = ("buses", "generators", "storage", "flexible_loads", "lines", "corridors")

# provenance: dotted path of every leaf -> (file, detail such as "row 4")
_Provenance = dict[tuple[str, ...], tuple[str, str]]


def read_yaml(path: Path) -> dict[str, Any]:
    """Read a YAML mapping from ``path`` or raise a ConfigError naming the file."""
    if not path.is_file():
        raise ConfigError(path, "", "file not found; expected a YAML scenario file")
    try:
        data = safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(err, "problem", None) or str(err)
        raise ConfigError(path, "", f"not valid YAML{where}: {problem}") from None
    except UnicodeDecodeError:
        raise ConfigError(path, "", "not UTF-8 text; expected a YAML file") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(
            path, "", f"top level is a {type(data).__name__}; expected a mapping of sections"
        )
    return data


def _read_table(csv_path: Path, referrer: Path, section: str) -> tuple[dict, dict[str, int]]:
    """Read a component table: one row per entry, keyed by the ``name`` column."""
    if not csv_path.is_file():
        raise ConfigError(
            referrer, section, f"data table {str(csv_path)!r} not found; expected a CSV file"
        )
    entries: dict[str, dict[str, str]] = {}
    rows: dict[str, int] = {}
    with csv_path.open(encoding="utf-8", newline="") as fh:
        lines = (line for line in fh if not line.lstrip().startswith("#"))
        reader = csv.DictReader(lines)
        if reader.fieldnames is None or "name" not in reader.fieldnames:
            raise ConfigError(
                csv_path, "name", f"header {reader.fieldnames!r} lacks the 'name' column"
            )
        for i, row in enumerate(reader, start=2):
            if None in row:
                raise ConfigError(
                    csv_path, f"row {i}", f"has more cells than the header: {row[None]!r}"
                )
            name = (row.pop("name") or "").strip()
            if not name:
                raise ConfigError(csv_path, f"row {i}.name", "is empty; expected an entry name")
            if name in entries:
                raise ConfigError(
                    csv_path,
                    f"row {i}.name",
                    f"duplicate entry {name!r} (first at row {rows[name]})",
                )
            entries[name] = {k: v.strip() for k, v in row.items() if v is not None and v.strip()}
            rows[name] = i
    return entries, rows


def _register(
    prov: _Provenance,
    data: Any,
    prefix: tuple[str, ...],
    file: str,
    detail: str = "",
    keep: bool = False,
) -> None:
    """Record ``file`` (and ``detail``) as the source of ``data`` and of everything inside it.

    With ``keep``, a mapping already recorded (from a base file) keeps its source: a variant
    that overrides one field of an entry owns that field, not the whole entry.
    """
    if not (keep and prefix in prov and isinstance(data, Mapping)):
        prov[prefix] = (file, detail)
    if isinstance(data, Mapping):
        for key, value in data.items():
            _register(prov, value, (*prefix, str(key)), file, detail, keep)


def _deep_merge(base: dict, override: Mapping) -> dict:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _deep_merge(dict(out[key]), value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _resolve(path: Path, stack: tuple[Path, ...], prov: _Provenance) -> dict:
    """Read ``path`` and its ``extends`` chain into one merged mapping."""
    path = path.resolve()
    if path in stack:
        chain = " -> ".join(p.name for p in (*stack, path))
        raise ConfigError(stack[-1], "extends", f"cyclic extends chain: {chain}")
    raw = read_yaml(path)
    tables: dict[str, tuple[str, dict[str, int]]] = {}
    for section in COMPONENT_SECTIONS:
        value = raw.get(section)
        if isinstance(value, str):
            table, rows = _read_table(path.parent / value, path, section)
            raw[section] = table
            tables[section] = (str(path.parent / value), rows)
    economics = raw.get("economics")
    econ_table = None
    if isinstance(economics, dict) and isinstance(economics.get("technologies"), str):
        table_file = str(path.parent / economics["technologies"])
        table, rows = _read_table(Path(table_file), path, "economics.technologies")
        economics["technologies"] = table
        econ_table = (table_file, rows, table)
    weather = raw.get("weather")
    if isinstance(weather, dict):
        for key in ("wind_profile", "solar_profile", "load_profile"):
            value = weather.get(key)
            if isinstance(value, str) and value:
                weather[key] = str((path.parent / value).resolve())
    base: dict = {}
    parent = raw.pop("extends", None)
    if parent is not None:
        if not isinstance(parent, str) or not parent:
            raise ConfigError(
                path, "extends", f"got {parent!r}; expected a path to a scenario file"
            )
        parent_path = path.parent / parent
        if not parent_path.is_file():
            raise ConfigError(
                path, "extends", f"base scenario {parent!r} not found (looked for {parent_path})"
            )
        base = _resolve(parent_path, (*stack, path), prov)
    # this file's sources are recorded after its base's, so that they win where both set a value
    for key, value in raw.items():
        if key in tables:
            table_file, rows = tables[key]
            prov.setdefault((key,), (table_file, ""))
            for name, entry in value.items():
                _register(prov, entry, (key, name), table_file, f"row {rows[name]}")
        else:
            _register(prov, value, (str(key),), str(path), keep=True)
    if econ_table is not None:  # the technology table's rows are blamed on the CSV file
        table_file, rows, table = econ_table
        for name, entry in table.items():
            _register(
                prov, entry, ("economics", "technologies", name), table_file, f"row {rows[name]}"
            )
    return _deep_merge(base, raw)


def _locate(prov: _Provenance, loc: tuple[str, ...], default: str) -> tuple[str, str]:
    for n in range(len(loc), 0, -1):
        hit = prov.get(loc[:n])
        if hit is not None:
            return hit
    return default, ""


def _format_validation_error(
    err: ValidationError, prov: _Provenance, default_file: str
) -> ConfigError:
    first = err.errors(include_url=False)[0]
    loc = tuple(str(p) for p in first["loc"])
    file, detail = _locate(prov, loc, default_file)
    dotted = ".".join(loc)
    if detail:
        dotted = f"{dotted} ({detail})"
    kind = first["type"]
    value = first.get("input")
    if kind == "extra_forbidden":
        message = f"unknown key {loc[-1]!r}; check the spelling against scenarios/schema.json"
    elif kind == "missing":
        message = "required field is missing"
    else:
        text = first["msg"].removeprefix("Value error, ")
        message = f"{text}; got {value!r}"
    if len(err.errors()) > 1:
        message += f" (and {len(err.errors()) - 1} more problem(s))"
    return ConfigError(file, dotted, message)


def load_scenario_dict(data: Mapping[str, Any], file: str = "<dict>") -> Scenario:
    """Validate an already merged scenario mapping.

    Parameters
    ----------
    data : mapping
        The scenario as nested mappings (component sections as mappings by name).
    file : str, default "<dict>"
        Name used in error messages.

    Returns
    -------
    Scenario
        The validated scenario with ``capacity_totals_GW`` applied.

    Raises
    ------
    ConfigError
        On any schema or consistency problem.
    """

    # provenance only names the file in error messages; built only when there is an error
    # (sweeps validate a scenario per point)
    def provenance() -> _Provenance:
        prov: _Provenance = {}
        _register(prov, dict(data), (), file)
        return prov

    return _validate(dict(data), provenance, file)


def _validate(data: dict, provenance: Callable[[], _Provenance], file: str) -> Scenario:
    data.pop("extends", None)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as err:
        raise _format_validation_error(err, provenance(), file) from None
    try:
        check_scenario(scenario)
    except ConfigError as err:
        loc = tuple(err.path.split(".")) if err.path else ()
        where, detail = _locate(provenance(), loc, file)
        path = f"{err.path} ({detail})" if detail else err.path
        raise ConfigError(where, path, err.message) from None
    return apply_capacity_totals(scenario)


def load_scenario(path: str | Path) -> Scenario:
    """Load, merge and validate a scenario file.

    Parameters
    ----------
    path : str or Path
        YAML scenario file; its ``extends`` chain and CSV data tables are resolved relative to
        each file.

    Returns
    -------
    Scenario
        Validated scenario. ``capacity_totals_GW`` rescalings are already applied.

    Raises
    ------
    ConfigError
        Naming the file, dotted path, bad value and what is expected.
    """
    path = Path(path)
    prov: _Provenance = {}
    merged = _resolve(path, (), prov)
    logger.debug("loaded %s (%d top-level keys)", path, len(merged))
    return _validate(merged, lambda: prov, str(path))


def modify(scenario: Scenario, changes: Mapping[str, Any], name: str | None = None) -> Scenario:
    """A copy of ``scenario`` with ``changes`` merged in, validated again like a scenario file.

    This is the supported way to change a scenario in code. ``Scenario.model_copy(update=...)``
    skips validation (pydantic does not validate copies), so a typo or an impossible value would
    pass silently; :func:`modify` merges ``changes`` the way a variant file's ``extends`` does
    (mappings recursively, everything else replaced) and runs every check.

    Parameters
    ----------
    scenario : Scenario
        The scenario to start from (not changed).
    changes : mapping
        Nested mapping in the scenario-file format, e.g.
        ``{"corridors": {"kubuqi-shanghai": {"p_nom": 8000}}, "demand": {"annual_TWh": 820}}``.
    name : str, optional
        Name of the new scenario (default: the old one).

    Returns
    -------
    Scenario
        The validated new scenario (``capacity_totals_GW`` rescalings applied).

    Raises
    ------
    ConfigError
        Naming ``<NAME modified>``, the dotted path, the bad value and what is expected.
    """
    if not isinstance(changes, Mapping):
        raise ConfigError(
            f"<{scenario.name} modified>",
            "",
            f"changes are a {type(changes).__name__}; expected a mapping of sections",
        )
    data = _deep_merge(scenario.model_dump(), changes)
    if name is not None:
        data["name"] = name
    return load_scenario_dict(data, file=f"<{scenario.name} modified>")


def scenario_json_schema() -> str:
    """The JSON schema of the scenario format, generated from :class:`Scenario`.

    Component sections may also be given as the path of a CSV table; the schema states both.
    """
    schema = Scenario.model_json_schema()
    props = schema["properties"]
    for section in COMPONENT_SECTIONS:
        entry = props[section]
        description = entry.get("description", "")
        props[section] = {
            "anyOf": [
                {k: v for k, v in entry.items() if k not in ("description", "title")},
                {"type": "string", "description": "Path of a CSV data table with a 'name' column."},
            ],
            "title": entry.get("title", section),
            "description": description,
        }
    schema["properties"]["extends"] = {
        "anyOf": [{"type": "string"}, {"type": "null"}],
        "default": None,
        "title": "Extends",
        "description": "Base scenario file this one modifies (path relative to this file).",
    }
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
