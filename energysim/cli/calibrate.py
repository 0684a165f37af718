"""``energysim calibrate``: synthetic profiles against real series, baseline-2025 against 2025."""

from __future__ import annotations

import argparse
import logging
import sys

from energysim.cli._common import EXIT_OK, out

logger = logging.getLogger(__name__)

__all__ = ["cmd_calibrate"]


def cmd_calibrate(args: argparse.Namespace) -> int:
    """Print the profile calibration and the baseline-2025 calibration side by side."""
    from energysim.calibration import (
        baseline_calibration,
        baseline_cut_rows,
        baseline_months_rows,
        cut_timing,
        format_baseline,
        format_capacity_rows,
        format_cut_rows,
        format_cut_timing,
        format_grid_rows,
        format_imports,
        format_months_rows,
        format_weight_rows,
        grid_capacity_rows,
        grid_utilisation_rows,
        renewable_weight_rows,
    )
    from energysim.config.load import load_scenario
    from energysim.config.shipped import shipped_scenario
    from energysim.profiles.calibration import (
        DEFAULT_SHARED,
        calibration_table,
        format_calibration,
        reference_data_found,
    )
    from energysim.run import simulate

    if args.shared is None and not reference_data_found():
        # a fresh clone has no ../shared: run the half that needs no external data, say so
        sys.stderr.write(
            f"energysim: note: profile calibration skipped: reference data {DEFAULT_SHARED / 'data'}"
            " not found; give the folder that holds data/ with --shared PATH\n"
        )
    else:
        out("Synthetic profiles against the reference series (ERA5 2020, 2018 load)")
        out(format_calibration(calibration_table(args.shared, seed=args.seed)))
        out("")
    scenario = load_scenario(shipped_scenario("baseline-2025"))
    ds = simulate(scenario)
    out(f"baseline-2025 (kernel, weather seed {ds.attrs['seed']}) against reported 2025 figures")
    out(format_baseline(baseline_calibration(ds)))
    out("")
    out("baseline-2025 Jan-May against Jan-May 2025 (the same months)")
    out(format_months_rows(baseline_months_rows(ds)))
    out("")
    out("baseline-2025 export-cut hours by sending grid against 2025 (no reported cuts)")
    out(format_cut_rows(baseline_cut_rows(ds)))
    out(format_cut_timing(cut_timing(ds, "mengxi"), "蒙西 cut hours"))
    out(format_imports(ds))
    out("")
    out("baseline-2025 utilisation by grid against the last published split (Jan-May 2021)")
    p_nom = {name: g.p_nom for name, g in scenario.generators.items()}
    out(format_grid_rows(grid_utilisation_rows(ds, p_nom=p_nom)))
    out("")
    out("baseline-2025 new-energy capacity of 蒙东, grouped as its statistics group it (mid-2025)")
    out(format_capacity_rows(grid_capacity_rows(ds, p_nom)))
    out("")
    out("baseline-2025 renewable consumption weight (消纳权重) against the published weights")
    out(format_weight_rows(renewable_weight_rows(ds)))
    return EXIT_OK
