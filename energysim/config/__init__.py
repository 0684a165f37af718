"""Scenario format: pydantic models, loading with ``extends`` chains, consistency checks."""

from energysim.config.load import load_scenario, load_scenario_dict, modify, scenario_json_schema
from energysim.config.schema import Scenario

__all__ = ["Scenario", "load_scenario", "load_scenario_dict", "modify", "scenario_json_schema"]
