"""Command-line behaviour a new user meets: flags in either place, partial calibration."""

from __future__ import annotations

import logging

import pytest

from energysim.cli import build_parser, main


def test_debug_and_verbose_work_after_the_subcommand():
    parser = build_parser()
    assert parser.parse_args(["validate", "x.yaml", "--debug"]).debug is True
    assert parser.parse_args(["--debug", "validate", "x.yaml"]).debug is True
    assert parser.parse_args(["check", "-v"]).verbose is True
    args = parser.parse_args(["validate", "x.yaml"])
    assert args.debug is False and args.verbose is False


def test_debug_after_the_subcommand_shows_the_traceback(tmp_path):
    with pytest.raises(Exception, match="file not found"):
        main(["validate", str(tmp_path / "none.yaml"), "--debug"])


def test_library_info_logs_are_filtered():
    from energysim.cli import _quiet_libraries

    def record(name: str, level: int) -> logging.LogRecord:
        return logging.LogRecord(name, level, __file__, 1, "m", None, None)

    assert not _quiet_libraries(record("distributed.scheduler", logging.INFO))
    assert _quiet_libraries(record("distributed.scheduler", logging.WARNING))
    assert _quiet_libraries(record("energysim.sweep.runner", logging.INFO))


def test_calibrate_without_shared_runs_the_baseline_and_names_the_flag(
    monkeypatch, tmp_path, capsys
):
    import energysim.profiles.calibration as cal

    monkeypatch.setattr(cal, "DEFAULT_SHARED", tmp_path / "no-shared")
    assert main(["calibrate"]) == 0
    captured = capsys.readouterr()
    assert "--shared" in captured.err and "profile calibration skipped" in captured.err
    assert "baseline-2025 (kernel" in captured.out and "new-energy generation" in captured.out
    assert "export-cut hours, 蒙西" in captured.out and "export-cut hours, 蒙东" in captured.out
    # an explicitly named folder that is not there is an error
    assert main(["calibrate", "--shared", str(tmp_path / "nowhere")]) == 2


@pytest.mark.lp
def test_the_solver_banner_stays_off_stdout(repo):
    import subprocess
    import sys

    tiny = repo / "tests" / "config" / "tiny" / "base.yaml"
    proc = subprocess.run(
        [sys.executable, "-m", "energysim.cli", "fidelity", str(tiny), "--hours", "24"],
        capture_output=True,
        text=True,
        check=True,
        cwd=repo,
    )
    assert "HiGHS" not in proc.stdout and "HiGHS" not in proc.stderr
    assert proc.stdout.startswith(f"{tiny}  (24 h)")
