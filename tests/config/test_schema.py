"""The published JSON schema is generated from the pydantic models and kept in sync."""

from __future__ import annotations

import json

import jsonschema
import yaml

from energysim.config import scenario_json_schema


def test_schema_file_in_sync(repo):
    shipped = (repo / "scenarios" / "schema.json").read_text(encoding="utf-8")
    assert shipped == scenario_json_schema(), "run: energysim schema -o scenarios/schema.json"


def test_schema_accepts_a_valid_file_and_rejects_an_unknown_key(repo):
    schema = json.loads(scenario_json_schema())
    doc = yaml.safe_load((repo / "tests" / "config" / "tiny" / "base.yaml").read_text())
    jsonschema.validate(doc, schema)
    doc["generatorz"] = {}
    try:
        jsonschema.validate(doc, schema)
    except jsonschema.ValidationError as err:
        assert "generatorz" in str(err)
    else:  # pragma: no cover
        raise AssertionError("unknown key accepted by the schema")
