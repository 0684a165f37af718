"""``energysim check``: the feasibility table of scenarios, on the terminal and as JSON/CSV."""

from __future__ import annotations

import argparse
import json
import logging
import math
import sys

from energysim.cli._common import EXIT_BAD_INPUT, EXIT_FAILED_TARGET, EXIT_OK, out
from energysim.exceptions import EnergysimError

logger = logging.getLogger(__name__)

__all__ = ["balance_json", "cmd_check", "format_adequacy", "format_balance"]

MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_adequacy(detail: dict) -> list[str]:
    """Lines with the adequacy figures of one run (:func:`energysim.adequacy.adequacy_summary`)."""
    import pandas as pd

    lines = [
        f"    loss of load {detail['loss_of_load_hours']:,.0f} h, "
        f"{detail['unserved_MWh']:,.0f} MWh; reserve short {detail['reserve_shortfall_hours']:,.0f}"
        f" h, {detail['reserve_shortfall_MWh'] / 1e6:,.2f} TWh"
    ]
    if detail.get("import_hours", 0.0) > 0:
        lines.append(
            f"    met with support from neighbouring grids (Northeast grid at 蒙东): "
            f"{detail['import_hours']:,.0f} h, {detail['import_TWh']:,.2f} TWh, largest "
            f"{detail['import_max_MW'] / 1e3:,.1f} GW (imports, not Inner Mongolian generation)"
        )
    if detail["export_cut_hours"] > 0:
        when = pd.Timestamp(detail["export_cut_max_time"]).strftime("%d %b %H:%M")
        months = ", ".join(
            f"{m} {h:,.0f}"
            for m, h in zip(MONTH_NAMES, detail["export_cut_hours_by_month"], strict=True)
            if h > 0
        )
        lines.append(
            f"    export schedules cut in {detail['export_cut_hours']:,.0f} h "
            f"({detail['export_shortfall_TWh']:,.2f} TWh), largest "
            f"{detail['export_cut_max_MW'] / 1e3:,.1f} GW at {when}; in the receiving grids' "
            f"peak hours {detail['export_cut_peak_hours']:,.0f} h "
            f"({detail['export_cut_peak_TWh']:,.2f} TWh)"
        )
        by_grid = detail.get("export_cut_by_grid") or {}
        if by_grid:
            from energysim.adequacy import GRID_LABELS

            parts = ", ".join(
                f"{GRID_LABELS.get(g, g)} {v['hours']:,.0f} h ({v['TWh']:,.2f} TWh)"
                for g, v in by_grid.items()
            )
            lines.append(f"    export schedules cut: {parts} (by sending grid)")
        lines.append(f"    cut hours by month: {months}")
    return lines


def format_balance(frame: object) -> list[str]:
    """Lines of a capacity balance (:func:`energysim.adequacy.capacity_balance`), GW."""
    import pandas as pd

    from energysim.adequacy import SEASONS

    summer = pd.Timestamp(frame.attrs["summer_hour"]).strftime("%d %b %H:%M")
    winter = pd.Timestamp(frame.attrs["winter_hour"]).strftime("%d %b %H:%M")
    lines = [
        f"  capacity balance (电力平衡), GW   {'summer ' + summer:>18s} {'winter ' + winter:>18s}"
    ]
    for r in frame.itertuples():
        head = {"requirement": "need", "supply": "have", "margin": "    "}[r.side]
        lines.append(
            f"    {head} {r.item[:30]:30s} {r.summer_MW / 1e3:>18,.1f} {r.winter_MW / 1e3:>18,.1f}"
        )
    pct = frame.attrs["margin_pct"]
    lines.append(
        f"         {'margin / requirement':30s} {pct['summer']:>17,.1f}% {pct['winter']:>17,.1f}%"
    )
    for grid, part in frame.attrs.get("by_grid", {}).items():
        margin = part.set_index("item").loc["margin (supply - requirement)"]
        hours = [pd.Timestamp(part.attrs[f"{s}_hour"]).strftime("%d %b %H:%M") for s in SEASONS]
        lines.append(
            f"    margin {grid} (own supply + ties at rating): "
            f"summer {margin.summer_MW / 1e3:+,.1f} GW ({hours[0]}), "
            f"winter {margin.winter_MW / 1e3:+,.1f} GW ({hours[1]})"
        )
    return lines


def balance_json(frame: object) -> dict:
    """A capacity balance (and its per-grid parts) as JSON-ready data."""
    out = {"rows": json.loads(frame.to_json(orient="records"))}
    for key, value in frame.attrs.items():
        if key == "by_grid":
            out[key] = {g: balance_json(part) for g, part in value.items()}
        elif key != "scenario":
            out[key] = value
    return out


def cmd_check(args: argparse.Namespace) -> int:
    """Check the scenarios named (default: every shipped one) and print the table."""
    from energysim.adequacy import adequacy_verdict
    from energysim.config.shipped import scenario_folders_searched, shipped_scenarios
    from energysim.feasibility import FAIL, check, format_table
    from energysim.results.io import atomic_write

    paths = args.scenarios or shipped_scenarios()
    if not paths:
        where = ", ".join(str(p) for p in scenario_folders_searched())
        sys.stderr.write(
            f"energysim: error: no scenario given and no shipped scenarios found (looked in {where})"
            "; name scenario files: energysim check SCENARIO.yaml\n"
        )
        return EXIT_BAD_INPUT
    table = check(
        paths,
        lp=args.lp,
        weather_years=args.weather_years,
        what_it_takes_levers=args.what_it_takes,
        engine=args.engine,
        outage_draws=args.outage_draws,
    )
    to_stdout = [name for name in ("json", "csv") if str(getattr(args, name) or "") == "-"]
    if len(to_stdout) > 1:
        msg = "--json - and --csv - both ask for stdout; give a file name to one of them"
        raise EnergysimError(msg)

    def after(scenario: str) -> list[str]:
        lines = []
        detail = table.attrs["adequacy"].get(scenario)
        if detail:
            lines.extend(format_adequacy(detail))
        frame = table.attrs["capacity_balance"].get(scenario)
        if frame is not None:
            lines.extend(format_balance(frame))
        return lines

    color = sys.stdout.isatty() and not args.no_color and not to_stdout
    text = format_table(table, color=color, after=after)
    if to_stdout:  # stdout carries the machine-readable table; the readable one goes to stderr
        sys.stderr.write(text + "\n")
    else:
        out(text)
    if args.json:
        payload = {
            "targets": json.loads(table.to_json(orient="records")),
            "what_it_takes": json.loads(table.attrs["what_it_takes"].to_json(orient="records"))
            if len(table.attrs["what_it_takes"])
            else [],
            "what_it_takes_skipped": table.attrs["what_it_takes_skipped"].to_dict("records"),
            "indicators": {  # NaN/inf (no technology table, no thermal) as null: valid JSON
                name: [
                    {**r, "value": r["value"] if math.isfinite(r["value"]) else None} for r in rows
                ]
                for name, rows in table.attrs.get("indicators", {}).items()
            },
            "adequacy": {
                str(name): {**adequacy_verdict(rows), **table.attrs["adequacy"].get(name, {})}
                for name, rows in table.groupby("scenario", sort=False)
            },
            "capacity_balance": {
                name: balance_json(frame) for name, frame in table.attrs["capacity_balance"].items()
            },
        }
        text = json.dumps(payload, indent=2, ensure_ascii=False)
        if "json" in to_stdout:
            out(text)
        else:
            atomic_write(args.json, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    if args.csv:
        if "csv" in to_stdout:
            sys.stdout.write(table.to_csv(index=False))
        else:
            atomic_write(args.csv, lambda tmp: table.to_csv(tmp, index=False))
    failed = bool((table.verdict == FAIL).any())
    return EXIT_FAILED_TARGET if (args.strict and failed) else EXIT_OK
