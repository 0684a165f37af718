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
page is neither white nor one colour). Exit code 0 when the check passes, 1 when it fails, 2 when
no Chromium is installed. ``tests/test_report.py`` runs it when Chromium is present.
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
            f"--window-size={size[0]},{size[1]}",
            f"--screenshot={png}",
            html.as_uri(),
        ]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    if not png.is_file():
        msg = f"Chromium wrote no screenshot (exit {done.returncode}): {done.stderr[-2000:]}"
        raise RuntimeError(msg)
    return png


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
    except (RuntimeError, ValueError, subprocess.TimeoutExpired) as err:
        sys.stderr.write(f"screenshot check failed: {err}\n")
        return 1
    print(  # noqa: T201 - a command-line script
        f"wrote {output}: {width}x{height}, pixel std {measures['std']:.3f}, "
        f"ink {measures['ink']:.1%}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
