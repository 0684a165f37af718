"""Tiny sweep fixtures: a two-bus base scenario and a helper that writes sweep files."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sweep_base import BASE


@pytest.fixture
def write_sweep(tmp_path: Path):
    """Write the tiny base and a sweep file; return the sweep file's path."""
    (tmp_path / "base.yaml").write_text(yaml.safe_dump(BASE), encoding="utf-8")

    def write(spec: dict | str, name: str = "sweep.yaml") -> Path:
        path = tmp_path / name
        text = (
            spec
            if isinstance(spec, str)
            else yaml.safe_dump({"base": "base.yaml", **spec}, sort_keys=False)
        )
        path.write_text(text, encoding="utf-8")
        return path

    return write
