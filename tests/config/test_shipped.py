"""Finding the shipped scenarios: in ./scenarios, the checkout, or the installed package data."""

from __future__ import annotations

import pytest

from energysim.cli import main
from energysim.config import shipped
from energysim.exceptions import EnergysimError


def test_the_checkout_scenarios_are_found(repo, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no ./scenarios here
    names = [p.name for p in shipped.shipped_scenarios()]
    assert "plan-2030.yaml" in names and "baseline-2025.yaml" in names
    assert shipped.shipped_scenario("plan-2030").is_file()
    assert shipped.profiles_folder() is not None


def test_a_local_scenarios_folder_comes_first(monkeypatch, tmp_path):
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "mine.yaml").write_text("name: mine\n")
    monkeypatch.chdir(tmp_path)
    assert [p.name for p in shipped.shipped_scenarios()] == ["mine.yaml"]


def test_none_found_says_so_and_exits_2(monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(shipped, "_candidates", lambda name: [tmp_path / "nowhere" / name])
    assert shipped.shipped_scenarios() == []
    with pytest.raises(EnergysimError, match="shipped scenario 'plan-2030' not found"):
        shipped.shipped_scenario("plan-2030")
    assert main(["check", "--strict"]) == 2
    err = capsys.readouterr().err
    assert "no shipped scenarios found" in err and "nowhere" in err


def test_modify_merges_and_validates_again():
    import energysim

    plan = energysim.load_scenario(shipped.shipped_scenario("plan-2030"))
    corridor = next(iter(plan.corridors))
    new = energysim.modify(plan, {"corridors": {corridor: {"p_nom": 1234.0}}}, name="plan-x")
    assert new.corridors[corridor].p_nom == 1234.0 and new.name == "plan-x"
    assert plan.corridors[corridor].p_nom != 1234.0  # the original is unchanged
    assert new.corridors[corridor].bus == plan.corridors[corridor].bus  # the rest kept
    with pytest.raises(EnergysimError) as info:
        energysim.modify(plan, {"corridors": {corridor: {"in_servce_year": 2031}}})
    text = str(info.value)
    assert text.startswith("<plan-2030 modified>") and "in_servce_year" in text
    assert "unknown key" in text
    with pytest.raises(
        EnergysimError, match="demand.annual_TWh: Input should be greater than 0; got -5"
    ):
        energysim.modify(plan, {"demand": {"annual_TWh": -5}})
