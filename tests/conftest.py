"""Shared fixtures: tiny scenarios, synthetic test profiles, guards on, Agg backend."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")
os.environ.setdefault("ENERGYSIM_DEBUG_GUARDS", "1")

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture
def shared_dir() -> Path:
    """The reference data folder ``../shared``; skips the test when it is absent."""
    if not (SHARED / "data").is_dir():
        pytest.skip("../shared reference data not available")
    return SHARED


@pytest.fixture
def repo() -> Path:
    return REPO
