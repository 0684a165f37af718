"""``energysim attribute A.yaml B.yaml``: what each assumption between two scenarios is worth."""

from __future__ import annotations

import argparse
import logging

from energysim.cli._common import EXIT_OK, out, output_path

logger = logging.getLogger(__name__)

__all__ = ["cmd_attribute", "format_attribution"]


def format_attribution(table) -> str:  # noqa: ANN001 - a pandas DataFrame from attribute()
    """The attribution table as text: start values, one signed row per step, end values."""
    start, end = table.attrs["start"], table.attrs["end"]
    figures = [c for c in table.columns if c != "changes"]
    names = [table.attrs["start_name"], *map(str, table.index), table.attrs["end_name"]]
    width = max(len(n) for n in names)
    heads = {"new_energy_utilisation": "utilisation", "new_energy_local_TWh": "NE local TWh",
             "new_energy_export_TWh": "NE export TWh", "renewable_weight": "RE weight",
             "unserved_MWh": "unserved MWh"}  # fmt: skip
    lines = [f"{'':{width}}  " + "  ".join(f"{heads.get(f, f)[:14]:>14}" for f in figures)]
    lines.append(f"{names[0]:{width}}  " + "  ".join(f"{start[f]:>14.4f}" for f in figures))
    for step, row in table.iterrows():
        lines.append(f"{step!s:{width}}  " + "  ".join(f"{row[f]:>+14.4f}" for f in figures))
    lines.append(f"{names[-1]:{width}}  " + "  ".join(f"{end[f]:>14.4f}" for f in figures))
    return "\n".join(lines)


def cmd_attribute(args: argparse.Namespace) -> int:
    """Walk from scenario A to scenario B one assumption at a time; print what each moves."""
    from energysim.attribution import attribute, waterfall
    from energysim.config import load_scenario

    csv = output_path(args.csv, (".csv",), "attribution table") if args.csv else None
    chart = output_path(args.chart, (".png", ".svg", ".pdf"), "chart") if args.chart else None
    table = attribute(load_scenario(args.start), load_scenario(args.end), engine=args.engine)
    out(format_attribution(table))
    if csv:
        table.to_csv(csv)
        out(f"wrote {csv}")
    if chart:
        import matplotlib

        matplotlib.use("Agg")
        ax = waterfall(table, figure=args.figure)
        ax.figure.tight_layout()
        ax.figure.savefig(chart, dpi=150)
        out(f"wrote {chart}")
    return EXIT_OK
