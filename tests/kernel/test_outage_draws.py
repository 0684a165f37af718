"""Outage draws sampled by sojourn times (issue 17): hand cases with exact answers, the random
numbers one spell takes, and statistical checks against the two-state chain's own figures (mean
availability 1 - FOR, mean outage MTTR) with tolerances derived from the sample sizes."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from energysim.kernel.availability import (
    _chain,
    _chain_count,
    _markov_up,
    draw_outages,
    expected_availability,
    outage_draw,
    outage_draw_array,
    outage_plan,
)
from tests.helpers import scenario

COAL = {"bus": "a", "carrier": "coal", "p_nom": 1000, "marginal_cost": 250}


def _spells(up: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lengths of the completed down and up spells of one block's 0/1 series (the first and the
    last spell, cut by the ends of the series, left out)."""
    change = np.flatnonzero(up[1:] != up[:-1]) + 1  # first hour of each new spell
    lengths = np.diff(change)
    states = up[change[:-1]]
    return lengths[states == 0.0], lengths[states == 1.0]


def test_a_block_that_never_fails_stays_up():
    count = np.full(50, -7.0)
    rng = np.random.default_rng(1)
    _chain_count(3, 0.0, 0.0, 0.5, rng, count)  # outage share 0, failure probability 0
    np.testing.assert_array_equal(count, 3.0)


def test_failure_and_repair_every_hour_alternate():
    # rate 0.5 with MTTR 1 h: repair 1 and failure 1 per hour, so each block flips every hour
    assert _chain(0.5, 1.0) == (1.0, 1.0)
    one = _markov_up(1, 9, 0.5, 1.0, np.random.default_rng(0))
    assert set(one) <= {0.0, 1.0}
    np.testing.assert_array_equal(one[1:], 1.0 - one[:-1])
    three = _markov_up(3, 40, 0.5, 1.0, np.random.default_rng(5))
    np.testing.assert_array_equal(three[1:] + three[:-1], 3.0)  # each block up every other hour


def test_outages_last_one_hour_when_the_repair_takes_one():
    up = _markov_up(1, 20_000, 0.1, 1.0, np.random.default_rng(2))
    down, _ = _spells(up)
    assert len(down) > 100
    np.testing.assert_array_equal(down, 1)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_one_uniform_per_spell(seed):
    # one uniform for the first hour's state, then one per spell (each change of state starts
    # one, and the first spell is one): far fewer than one per hour
    hours = 8760
    rng = np.random.default_rng(seed)
    up = _markov_up(1, hours, 0.03, 50.0, rng)
    spells = 1 + np.count_nonzero(up[1:] != up[:-1])
    stream = np.random.default_rng(seed).random(64)
    used = int(np.flatnonzero(stream == rng.random())[0])
    assert used == 1 + spells
    assert used < 40  # coal at 3 % and 50 h: about 5 outages a year, against 8760 hours


def test_mean_availability_is_one_minus_the_outage_rate():
    # N blocks over T hours, started from the stationary distribution: the mean share up is
    # unbiased; its variance is rate (1 - rate) / (N T) x (1 + l) / (1 - l), l = 1 - f - r the
    # chain's second eigenvalue (hour-to-hour correlation); the tolerance is 5 standard errors
    blocks, hours, rate, mttr = 400, 8760, 0.05, 40.0
    repair, fail = _chain(rate, mttr)
    lam = 1.0 - fail - repair
    se = math.sqrt(rate * (1 - rate) / (blocks * hours) * (1 + lam) / (1 - lam))
    count = _markov_up(blocks, hours, rate, mttr, np.random.default_rng(11))
    assert abs(count.mean() / blocks - (1 - rate)) < 5 * se
    assert 5 * se < 0.01  # the check is sharp: 5 standard errors is under a point of availability
    # the first hour alone is drawn from the stationary distribution: binomial(N, 1 - rate)
    many = 40_000
    first = _markov_up(many, 1, rate, mttr, np.random.default_rng(12))[0] / many
    assert abs(first - (1 - rate)) < 5 * math.sqrt(rate * (1 - rate) / many)


def test_mean_outage_length_is_the_mttr_and_spells_are_geometric():
    # completed spells of one block over 2 M hours: down spells geometric with mean MTTR
    # (standard deviation sqrt(1 - r) / r), up spells with mean 1 / f; 5 standard errors
    rate, mttr = 0.05, 40.0
    repair, fail = _chain(rate, mttr)
    up = _markov_up(1, 2_000_000, rate, mttr, np.random.default_rng(3))
    down, live = _spells(up)
    for spells, p in ((down, repair), (live, fail)):
        mean, sd = 1.0 / p, math.sqrt(1.0 - p) / p
        assert len(spells) > 1000
        assert abs(spells.mean() - mean) < 5 * sd / math.sqrt(len(spells))
    # geometric: P(K = 1) = r, P(K > k) = (1 - r)^k
    n = len(down)
    share_one = np.mean(down == 1)
    assert abs(share_one - repair) < 5 * math.sqrt(repair * (1 - repair) / n)
    tail = (1 - repair) ** 80
    assert abs(np.mean(down > 80) - tail) < 5 * math.sqrt(tail * (1 - tail) / n)


OUTAGES = {
    "generators": {"c": {**COAL, "p_nom": 6000}, "g": {**COAL, "carrier": "gas", "p_nom": 800}},
    "thermal_availability": {
        "maintenance": {"coal": [0, 0, 0.2, 0, 0, 0, 0, 0, 0, 0, 0, 0]},
        "forced_outage_rate": {"coal": 0.1},
        "unit_size_MW": {"coal": 600, "gas": 400},
        "mean_time_to_repair_h": {"coal": 30},
    },
}


def test_maintenance_is_laid_on_the_drawn_blocks():
    s = scenario(**OUTAGES)
    snaps = pd.date_range("2030-01-01", periods=24 * 120, freq="h")
    drawn = outage_draw(s, snaps, seed=4)
    maint = np.where(snaps.month == 3, 0.8, 1.0)
    blocks = drawn["c"].to_numpy() / maint * 10  # 10 blocks of 600 MW
    np.testing.assert_allclose(blocks, np.round(blocks), atol=1e-9)
    assert blocks.min() < 10 and blocks.max() == 10
    assert (drawn["c"][snaps.month == 3] <= 0.8 + 1e-12).all()
    # gas has no forced-outage rate and no maintenance: the expected availability, exactly
    np.testing.assert_array_equal(drawn["g"], expected_availability(s, snaps)["g"])
    # without forced outages the draw is the maintenance alone
    none = scenario(
        generators=OUTAGES["generators"],
        thermal_availability={**OUTAGES["thermal_availability"], "forced_outage_rate": {}},
    )
    np.testing.assert_array_equal(
        outage_draw(none, snaps, seed=4).to_numpy(), expected_availability(none, snaps).to_numpy()
    )


def test_same_seed_same_draw_other_seeds_differ_and_a_reused_block_is_rewritten():
    s = scenario(**OUTAGES)
    snaps = pd.date_range("2030-01-01", periods=2000, freq="h")
    plan = outage_plan(s, snaps)
    names, first = outage_draw_array(s, snaps, 9)
    assert tuple(names) == plan.names
    np.testing.assert_array_equal(first, draw_outages(plan, 9))
    out = np.full((2000, len(plan.names)), np.nan, order="F")
    assert draw_outages(plan, 9, out) is out
    np.testing.assert_array_equal(out, first)
    draws = [draw_outages(plan, seed)[:, 0] for seed in range(6)]
    assert len({d.tobytes() for d in draws}) == 6


def test_an_output_block_of_the_wrong_layout_is_refused():
    s = scenario(**OUTAGES)
    plan = outage_plan(s, pd.date_range("2030-01-01", periods=48, freq="h"))
    with pytest.raises(
        ValueError, match=r"out is \(48, 2\), not Fortran order; expected \(48, 2\) in Fortran"
    ):
        draw_outages(plan, 1, np.empty((48, 2)))  # C order
    with pytest.raises(ValueError, match=r"out is \(24, 2\), Fortran order; expected \(48, 2\)"):
        draw_outages(plan, 1, np.empty((24, 2), order="F"))
