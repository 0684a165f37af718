"""Open an HTML report in headless Chromium, take a screenshot and check it.

Usage::

    energysim report scenarios/plan-2030.yaml -o report.html
    python scripts/screenshot_report.py report.html -o report.png [--size 1280x2400]

Needs a Chromium (Debian: ``apt-get install -y chromium``; also found as ``chromium-browser``,
``google-chrome`` or via ``$CHROMIUM``). It runs::

    chromium --headless --no-sandbox --disable-gpu --disable-background-networking \\
        --disable-component-update --no-first-run --hide-scrollbars \\
        --window-size=W,H --screenshot=OUT file:///abs/report.html

and checks that the PNG has the requested size and is not blank (its pixels vary and part of the
page is neither white nor one colour). ``--dump-dom`` gives the page as the browser parsed it;
:func:`check_report` checks that it opens with the executive summary and that its figures were
drawn (the summary's panel colour and the charts' carrier colours are on the screenshot).
Exit code 0 when the checks pass, 1 when one fails, 2 when no Chromium is installed.
``tests/test_report.py`` runs it when Chromium is present.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
DEFAULT_SIZE = (1280, 2400)


def find_chromium() -> str | None:
    """Path of a Chromium executable (``$CHROMIUM`` first), or None."""
    env = os.environ.get("CHROMIUM")
    if env and shutil.which(env):
        return shutil.which(env)
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


def screenshot(
    html: str | Path,
    png: str | Path,
    size: tuple[int, int] = DEFAULT_SIZE,
    chromium: str | None = None,
    timeout: float = 90.0,
) -> Path:
    """Render ``html`` in headless Chromium and write a ``size`` (width, height) PNG to ``png``."""
    chromium = chromium or find_chromium()
    if chromium is None:
        msg = "no Chromium found (apt-get install -y chromium, or set $CHROMIUM)"
        raise FileNotFoundError(msg)
    html, png = Path(html).resolve(), Path(png).resolve()
    png.parent.mkdir(parents=True, exist_ok=True)
    png.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="energysim-chromium-") as profile:
        cmd = [
            *_chromium_cmd(chromium, profile),
            f"--window-size={size[0]},{size[1]}",
            f"--screenshot={png}",
            html.as_uri(),
        ]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    if not png.is_file():
        msg = f"Chromium wrote no screenshot (exit {done.returncode}): {done.stderr[-2000:]}"
        raise RuntimeError(msg)
    return png


def _chromium_cmd(chromium: str, profile: str) -> list[str]:
    return [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--hide-scrollbars",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
    ]


def dump_dom(html: str | Path, chromium: str | None = None, timeout: float = 90.0) -> str:
    """The page's DOM as headless Chromium parsed and laid it out (``--dump-dom``)."""
    chromium = chromium or find_chromium()
    if chromium is None:
        msg = "no Chromium found (apt-get install -y chromium, or set $CHROMIUM)"
        raise FileNotFoundError(msg)
    with tempfile.TemporaryDirectory(prefix="energysim-chromium-") as profile:
        cmd = [*_chromium_cmd(chromium, profile), "--dump-dom", Path(html).resolve().as_uri()]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    if not done.stdout.strip():
        msg = f"Chromium dumped no DOM (exit {done.returncode}): {done.stderr[-2000:]}"
        raise RuntimeError(msg)
    return done.stdout


SUMMARY_RGB = (0xF5, 0xF7, 0xFA)
"""Background of the report's executive-summary panel."""
CHART_RGB = ((0x3B, 0x8B, 0xC2), (0x1D, 0x35, 0x57))
"""Colours only the charts draw in quantity (wind, export corridors)."""


def check_report(png: str | Path, dom: str) -> dict[str, float]:
    """Check a rendered report: the summary comes first and the figures were drawn.

    The DOM must have the summary section (``id="summary"``) before the first figure and at
    least one ``<figure>`` with a PNG image; the screenshot must show the summary panel's colour
    and the charts' colours (share of pixels within 6/255 of each).

    Returns
    -------
    dict
        ``summary`` and ``charts``: shares of the screenshot's pixels in those colours, and
        ``figures``: the number of figures in the DOM.
    """
    import re

    import matplotlib.image as mpimg
    import numpy as np

    summary_at = dom.find('id="summary"')
    figure_at = dom.find("<figure")
    figures = len(re.findall(r'<figure[^>]*>\s*<img[^>]+src="data:image/png;base64,', dom))
    if summary_at < 0:
        msg = 'the rendered report has no executive summary (id="summary")'
        raise ValueError(msg)
    if figures == 0 or figure_at < summary_at:
        msg = f"the rendered report has {figures} figures, or a figure before the summary"
        raise ValueError(msg)
    img = (mpimg.imread(png)[..., :3] * 255).astype(int)

    def share(rgb: tuple[int, int, int]) -> float:
        return float((np.abs(img - np.array(rgb)).max(axis=2) <= 6).mean())

    measures = {
        "summary": share(SUMMARY_RGB),
        "charts": sum(share(c) for c in CHART_RGB),
        "figures": float(figures),
    }
    if measures["summary"] < 0.01:
        msg = f"the summary panel is not on the screenshot ({measures['summary']:.2%} of pixels)"
        raise ValueError(msg)
    if measures["charts"] < 0.002:
        msg = f"no chart is drawn on the screenshot ({measures['charts']:.2%} of pixels)"
        raise ValueError(msg)
    return measures


def check_png(png: str | Path, size: tuple[int, int] = DEFAULT_SIZE) -> dict[str, float]:
    """Check a screenshot: the expected size, not blank. Returns the measures; raises if it fails.

    Returns
    -------
    dict
        ``width``, ``height``, ``std`` (pixel standard deviation, 0-1 scale) and ``ink`` (share of
        pixels that are not near-white).
    """
    import matplotlib.image as mpimg

    with Path(png).open("rb") as fh:
        if fh.read(8) != b"\x89PNG\r\n\x1a\n":
            msg = f"{png} is not a PNG file"
            raise ValueError(msg)
    img = mpimg.imread(png)[..., :3]
    height, width = img.shape[:2]
    measures = {
        "width": float(width),
        "height": float(height),
        "std": float(img.std()),
        "ink": float((img.min(axis=2) < 0.9).mean()),
    }
    if (width, height) != tuple(size):
        msg = f"screenshot is {width}x{height}, expected {size[0]}x{size[1]}"
        raise ValueError(msg)
    if measures["std"] < 0.02 or measures["ink"] < 0.01:
        msg = f"screenshot looks blank (pixel std {measures['std']:.3f}, ink {measures['ink']:.1%})"
        raise ValueError(msg)
    return measures


def main(argv: list[str] | None = None) -> int:
    """Command line: screenshot an HTML report and check the PNG."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("html", type=Path)
    parser.add_argument(
        "-o", "--output", type=Path, default=None, help="PNG (default: beside the HTML)"
    )
    parser.add_argument(
        "--size", default=f"{DEFAULT_SIZE[0]}x{DEFAULT_SIZE[1]}", help="WIDTHxHEIGHT"
    )
    parser.add_argument(
        "--report",
        action="store_true",
        help="also check the summary and the figures (the height must reach the first chart)",
    )
    args = parser.parse_args(argv)
    width, height = (int(v) for v in args.size.lower().split("x"))
    output = args.output or args.html.with_suffix(".png")
    chromium = find_chromium()
    if chromium is None:
        sys.stderr.write("no Chromium found (apt-get install -y chromium, or set $CHROMIUM)\n")
        return 2
    try:
        screenshot(args.html, output, (width, height), chromium)
        measures = check_png(output, (width, height))
        if args.report:
            measures.update(check_report(output, dump_dom(args.html, chromium)))
    except (RuntimeError, ValueError, subprocess.TimeoutExpired) as err:
        sys.stderr.write(f"screenshot check failed: {err}\n")
        return 1
    print(  # noqa: T201 - a command-line script
        f"wrote {output}: {width}x{height}, pixel std {measures['std']:.3f}, "
        f"ink {measures['ink']:.1%}"
        + (
            f", summary {measures['summary']:.1%}, charts {measures['charts']:.1%}, "
            f"{measures['figures']:.0f} figures"
            if args.report
            else ""
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
