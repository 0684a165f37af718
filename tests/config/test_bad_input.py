"""The malformed-scenario corpus: one clear error naming file, field and value; CLI exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from energysim.cli import main
from energysim.config import load_scenario
from energysim.exceptions import ConfigError

BAD = Path(__file__).parent / "bad"

# file -> (file named in the message, substrings the message must contain)
CASES = {
    "unknown-key.yaml": ("unknown-key.yaml", ["generatorz", "unknown key"]),
    "unknown-nested-key.yaml": ("unknown-nested-key.yaml", ["generators.w.pnom", "unknown key"]),
    "negative-capacity.yaml": (
        "negative-capacity.yaml",
        ["generators.w.p_nom", "-100", "greater than or equal to 0"],
    ),
    "non-numeric-capacity.yaml": (
        "non-numeric-capacity.yaml",
        ["generators.w.p_nom", "'lots'", "valid number"],
    ),
    "efficiency-above-one.yaml": (
        "efficiency-above-one.yaml",
        ["storage.s.efficiency_store", "1.2", "less than or equal to 1"],
    ),
    "duration-zero.yaml": ("duration-zero.yaml", ["storage.s.max_hours", "0", "greater than 0"]),
    "corridor-unknown-bus.yaml": (
        "corridor-unknown-bus.yaml",
        ["corridors.x.bus", "'nowhere'", "expected one of: a"],
    ),
    "corridor-unknown-grid.yaml": (
        "corridor-unknown-grid.yaml",
        ["corridors.x.receiving_grid", "'mars'", "shandong"],
    ),
    "corridor-no-energy.yaml": (
        "corridor-no-energy.yaml",
        ["corridors.x", "annual_TWh or utilisation_hours"],
    ),
    "corridor-overscheduled.yaml": (
        "corridor-overscheduled.yaml",
        ["corridors.x.annual_TWh", "9.0 TWh", "8760"],
    ),
    "line-unknown-bus.yaml": ("line-unknown-bus.yaml", ["lines.l.bus1", "'b'"]),
    "line-same-bus.yaml": ("line-same-bus.yaml", ["lines.l", "must differ", "'a'"]),
    "unknown-carrier.yaml": (
        "unknown-carrier.yaml",
        ["generators.n.carrier", "'nuclear'", "'wind'"],
    ),
    "wind-with-pmaxpu.yaml": (
        "wind-with-pmaxpu.yaml",
        ["generators.w.p_max_pu", "0.3", "profiles"],
    ),
    "demand-shares.yaml": ("demand-shares.yaml", ["demand_share", "1.2000", "expected 1"]),
    "bad-grid.yaml": ("bad-grid.yaml", ["buses.a.grid", "'mengzhong'", "'mengxi'"]),
    "missing-demand.yaml": ("missing-demand.yaml", ["demand", "required field is missing"]),
    "cyclic-a.yaml": (
        "cyclic-b.yaml",
        ["extends", "cyclic extends chain", "cyclic-a.yaml -> cyclic-b.yaml -> cyclic-a.yaml"],
    ),
    "missing-extends.yaml": ("missing-extends.yaml", ["extends", "no-such-base.yaml", "not found"]),
    "not-yaml.yaml": ("not-yaml.yaml", ["not valid YAML", "line"]),
    "top-level-list.yaml": ("top-level-list.yaml", ["top level is a list", "mapping"]),
    "dedicated-unknown.yaml": (
        "dedicated-unknown.yaml",
        ["generators.c.dedicated_to", "'nowhere'"],
    ),
    "soc-bounds.yaml": ("soc-bounds.yaml", ["storage.s", "soc_min (0.8)", "soc_max (0.5)"]),
    "dr-share.yaml": ("dr-share.yaml", ["demand_response.share_of_peak", "1.5"]),
    "bad-total-key.yaml": ("bad-total-key.yaml", ["capacity_totals_GW.fusion", "new_type_storage"]),
    "bad-heating.yaml": ("bad-heating.yaml", ["heating_season.start", "'October'"]),
    "csv-table.yaml": ("bad-generators.csv", ["generators.c.p_nom (row 3)", "'abc'"]),
    "missing-table.yaml": ("missing-table.yaml", ["generators", "no-such-table.csv", "not found"]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_scenario_gives_one_clear_error(name):
    file, needles = CASES[name]
    with pytest.raises(ConfigError) as info:
        load_scenario(BAD / name)
    message = str(info.value)
    assert Path(info.value.file).name == file, message
    for needle in needles:
        assert needle in message, f"{needle!r} not in {message!r}"


@pytest.mark.parametrize("name", sorted(CASES))
def test_cli_exit_code_2_without_traceback(name, capsys):
    assert main(["validate", str(BAD / name)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("energysim: error: ")
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_corpus_is_complete():
    yaml_files = {p.name for p in BAD.glob("*.yaml")} - {"cyclic-b.yaml"}
    assert yaml_files == set(CASES)
    assert len(CASES) >= 20


def test_bad_profile_file_named_by_the_cli(tmp_path, capsys):
    scenario = Path(__file__).parent / "bad_profiles" / "scenario.yaml"
    assert main(["run", str(scenario), "-o", str(tmp_path / "r.nc")]) == 2
    err = capsys.readouterr().err
    assert "wind-too-high.csv" in err and "Traceback" not in err
    assert not (tmp_path / "r.nc").exists()


@pytest.fixture
def variant_files(tmp_path):
    """A base scenario with CSV tables and a folder for variants of it."""
    (tmp_path / "corridors.csv").write_text(
        "name,bus,receiving_grid,p_nom,utilisation_hours,in_service_year\n"
        "exp,a,shandong,300,4000,2020\n"
        "exp2,a,jiangsu,200,4000,2020\n"
    )
    (tmp_path / "storage.csv").write_text(
        "name,bus,kind,p_nom,max_hours\ns1,a,new_type,100,2\ns2,a,new_type,100,4\n"
    )
    (tmp_path / "base.yaml").write_text(
        "name: base\nyear: 2030\nbuses: {a: {grid: mengxi, x: 110, y: 40, demand_share: 1}}\n"
        "demand: {annual_TWh: 10}\ncorridors: corridors.csv\nstorage: storage.csv\n"
    )
    return tmp_path


# variant files -> (extra file written: name and text, variant text, file blamed, text expected)
VARIANT_CASES = {
    "override in the variant yaml": (
        None,
        "extends: base.yaml\ncorridors: {exp2: {in_servce_year: 2031}}\n",
        "variant.yaml",
        "corridors.exp2.in_servce_year: unknown key",
    ),
    "the variant's own table": (
        (
            "storage-v.csv",
            "name,bus,kind,p_nom,max_hours\ns1,a,new_type,100,2\ns2,a,new_type,-5,4\n",
        ),
        "extends: base.yaml\nstorage: storage-v.csv\n",
        "storage-v.csv",
        "storage.s2.p_nom (row 3): Input should be greater than or equal to 0; got '-5'",
    ),
    "the base's table": (
        (
            "corridors.csv",
            "name,bus,receiving_grid,p_nom,utilisation_hours,in_service_year\n"
            "exp,a,mars,300,4000,2020\n",
        ),
        "extends: base.yaml\nname: v\n",
        "corridors.csv",
        "corridors.exp.receiving_grid (row 2)",
    ),
}


@pytest.mark.parametrize("case", list(VARIANT_CASES))
def test_a_variant_error_is_blamed_on_the_file_that_holds_the_value(variant_files, case):
    extra, text, blamed, expected = VARIANT_CASES[case]
    if extra is not None:
        (variant_files / extra[0]).write_text(extra[1])
    variant = variant_files / "variant.yaml"
    variant.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_scenario(variant)
    message = str(info.value)
    assert message.startswith(f"{variant_files / blamed}: ")
    assert expected in message


def test_validate_fails_for_a_missing_profile_file(tmp_path, capsys):
    path = tmp_path / "s.yaml"
    path.write_text(
        "name: s\nyear: 2030\nbuses: {a: {grid: mengxi, x: 110, y: 40, demand_share: 1}}\n"
        "demand: {annual_TWh: 10}\nweather: {wind_profile: wind-2019.csv}\n"
    )
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and "weather.wind_profile" in err and "wind-2019.csv" in err
    assert "not found" in err
