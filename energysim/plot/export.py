"""Export figures: PNG (chosen dpi), SVG or PDF by file suffix, written atomically."""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from energysim.exceptions import EnergysimError
from energysim.plot.style import chart_style
from energysim.results.io import atomic_write

if TYPE_CHECKING:
    from matplotlib.figure import Figure

logger = logging.getLogger(__name__)

__all__ = ["FORMATS", "figure_bytes", "figure_format", "save_figure"]

FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}
"""File suffix -> matplotlib format."""


def figure_format(path: str | Path) -> str:
    """The export format of ``path`` from its suffix; raise for an unsupported one."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        msg = f"cannot export a chart to {str(path)!r}: the suffix must be one of {sorted(FORMATS)}"
        raise EnergysimError(msg)
    return FORMATS[suffix]


def figure_bytes(fig: Figure, fmt: str = "png", dpi: int = 150, lang: str = "en") -> bytes:
    """The figure encoded as ``fmt`` (``"png"``, ``"svg"``, ``"pdf"``), drawn in the print style."""
    buf = io.BytesIO()
    with chart_style(lang):
        fig.savefig(buf, format=fmt, dpi=dpi, metadata=_metadata(fmt))
    return buf.getvalue()


def _metadata(fmt: str) -> dict[str, str | None]:
    # no creation dates: the same figure gives the same bytes
    if fmt == "png":
        return {"Software": "energysim"}
    if fmt == "svg":
        return {"Date": None, "Creator": "energysim"}
    return {"CreationDate": None, "Creator": "energysim"}


def save_figure(fig: Figure, path: str | Path, dpi: int = 200, lang: str = "en") -> Path:
    """Write ``fig`` to ``path`` (format from the suffix) atomically.

    Parameters
    ----------
    fig : Figure
        The figure.
    path : path-like
        Output file ending in ``.png``, ``.svg`` or ``.pdf``.
    dpi : int, default 200
        Resolution of PNG output, dots per inch.
    lang : {"en", "zh"}, default "en"
        Language the figure was drawn in (selects the fonts used while rendering).

    Returns
    -------
    Path
        The written file.
    """
    fmt = figure_format(path)
    if dpi < 10 or dpi > 2400:
        msg = f"dpi {dpi} is out of range; expected 10 to 2400"
        raise EnergysimError(msg)

    def write(tmp: Path) -> None:
        with chart_style(lang):
            fig.savefig(tmp, format=fmt, dpi=dpi, metadata=_metadata(fmt))

    return atomic_write(path, write)
