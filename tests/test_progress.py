"""Progress on stderr: plain lines when stderr is not a terminal, notes only for slow work."""

from __future__ import annotations

import time

from energysim import progress


def test_note_only_when_the_block_is_slow(capsys):
    with progress.note_if_slow("slow work", after_s=0.05):
        time.sleep(0.3)
    with progress.note_if_slow("fast work", after_s=5.0):
        pass
    err = capsys.readouterr().err
    assert err == "slow work\n"


def test_plain_lines_off_a_terminal(capsys, monkeypatch):
    monkeypatch.setattr(progress, "LINE_EVERY_S", 0.0)
    bar = progress.bar(3, "check", "run")
    for _ in range(3):
        bar.update()
    bar.close()
    lines = capsys.readouterr().err.splitlines()
    assert lines[:3] == ["check: 1/3 runs", "check: 2/3 runs", "check: 3/3 runs"]
    assert lines[3].startswith("check: 3/3 runs in ") and len(lines) == 4


def test_progress_can_be_switched_off(capsys, monkeypatch):
    monkeypatch.setenv("ENERGYSIM_PROGRESS", "0")
    bar = progress.bar(2, "sweep", "point")
    bar.update(2)
    bar.close()
    progress.note("hello")
    assert capsys.readouterr().err == ""


def test_a_single_step_shows_nothing(capsys):
    bar = progress.bar(1, "check", "run")
    bar.update()
    bar.close()
    assert capsys.readouterr().err == ""
