"""Colours, nice names, labels and print defaults shared by every chart.

* Colours and carrier names come from the one table :data:`energysim.constants.CARRIERS`
  (English and Chinese nice names).
* Axis labels, titles and report texts live in the one table :data:`energysim.plot.labels.TEXT`
  (key -> English, Chinese; :data:`LABELS` is the same dict); every label that names a quantity
  carries its unit.
* ``lang="zh"`` needs a CJK font. :func:`find_cjk_font` looks for one known to matplotlib or on
  the system (Noto Sans CJK, Source Han Sans, WenQuanYi, SimHei, ...). Without one,
  :func:`resolve_lang` falls back to English with an
  :class:`~energysim.exceptions.EnergysimWarning`.
* :func:`chart_style` is an rcParams context for print: readable font sizes, thin lines, the CJK
  font first when Chinese is drawn, fonts embedded as TrueType in PDF.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Literal, get_args

import matplotlib as mpl

from energysim.constants import CARRIERS
from energysim.exceptions import EnergysimError, EnergysimWarning
from energysim.plot.labels import TEXT, tr

logger = logging.getLogger(__name__)

__all__ = [
    "LABELS",
    "LANGS",
    "Lang",
    "carrier_color",
    "carrier_name",
    "chart_style",
    "check_lang",
    "find_cjk_font",
    "label",
    "resolve_lang",
]

Lang = Literal["en", "zh"]
LANGS = frozenset(get_args(Lang))

CJK_FONT_NAMES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Noto Serif CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Heiti SC",
    "AR PL UMing CN",
    "Droid Sans Fallback",
)
"""CJK fonts looked for, in order of preference."""

_CJK_FILE_HINTS = (
    "cjk",
    "wqy",
    "sourcehan",
    "simhei",
    "msyh",
    "pingfang",
    "droidsansfallback",
    "uming",
    "ukai",
    "notosanssc",
    "notoserifsc",
)

LABELS = TEXT
"""The one translation table (:data:`energysim.plot.labels.TEXT`), under its older name."""


def check_lang(lang: str) -> None:
    """Raise :class:`EnergysimError` unless ``lang`` is ``"en"`` or ``"zh"``."""
    if lang not in LANGS:
        msg = f"language {lang!r} is not supported; expected one of {sorted(LANGS)}"
        raise EnergysimError(msg)


def label(key: str, lang: str = "en") -> str:
    """The label ``key`` of :data:`LABELS` in ``lang``."""
    return tr(key, lang)


def carrier_color(carrier: str) -> str:
    """Colour of a carrier from :data:`energysim.constants.CARRIERS` (grey if unknown)."""
    entry = CARRIERS.get(carrier)
    return entry[0] if entry else "#999999"


def carrier_name(carrier: str, lang: str = "en") -> str:
    """Nice name of a carrier in ``lang`` (the key itself if unknown)."""
    entry = CARRIERS.get(carrier)
    if entry is None:
        return carrier
    return entry[2] if lang == "zh" else entry[1]


@functools.cache
def find_cjk_font() -> str | None:
    """Family name of an installed CJK font, or None.

    Looks first among the fonts matplotlib knows, then among system font files whose name
    suggests CJK coverage (registering them with matplotlib), so a font installed after
    matplotlib built its cache is found too.

    Returns
    -------
    str or None
        A family name usable in ``rcParams["font.family"]``.
    """
    from matplotlib import font_manager

    known = {f.name for f in font_manager.fontManager.ttflist}
    for name in CJK_FONT_NAMES:
        if name in known:
            return name
    for path in font_manager.findSystemFonts():
        stem = Path(path).name.lower().replace("-", "").replace("_", "")
        if not any(hint in stem for hint in _CJK_FILE_HINTS):
            continue
        try:
            font_manager.fontManager.addfont(path)
            name = font_manager.FontProperties(fname=path).get_name()
        except (OSError, RuntimeError, ValueError):  # pragma: no cover - unreadable font file
            logger.debug("cannot read font %s", path)
            continue
        logger.debug("registered CJK font %s from %s", name, path)
        return name
    return None


def resolve_lang(lang: str) -> Lang:
    """The language charts can draw: ``lang``, or ``"en"`` with a warning when no CJK font exists.

    Raises
    ------
    EnergysimError
        If ``lang`` is not ``"en"`` or ``"zh"``.
    """
    check_lang(lang)
    if lang == "zh" and find_cjk_font() is None:
        warnings.warn(
            "no CJK font found (install one, e.g. Debian 'fonts-noto-cjk' or "
            "'fonts-wqy-microhei'); drawing English labels instead of Chinese",
            EnergysimWarning,
            stacklevel=2,
        )
        return "en"
    return "zh" if lang == "zh" else "en"


def rc_params(lang: str = "en") -> dict[str, object]:
    """rcParams for print: 9 pt text, thin lines, light grid, CJK font first for ``"zh"``."""
    rc: dict[str, object] = {
        "font.size": 9.0,
        "axes.titlesize": 10.0,
        "axes.labelsize": 9.0,
        "xtick.labelsize": 8.0,
        "ytick.labelsize": 8.0,
        "legend.fontsize": 7.5,
        "legend.frameon": False,
        "lines.linewidth": 1.0,
        "axes.linewidth": 0.6,
        "xtick.major.width": 0.6,
        "ytick.major.width": 0.6,
        "patch.linewidth": 0.3,
        "hatch.linewidth": 0.5,
        "grid.linewidth": 0.4,
        "grid.alpha": 0.5,
        "axes.grid": False,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "figure.dpi": 100.0,
        "savefig.bbox": "tight",
        "pdf.fonttype": 42,
        "ps.fonttype": 42,
        "svg.fonttype": "path",
        "svg.hashsalt": "energysim",  # stable ids: the same figure gives the same SVG
    }
    font = find_cjk_font() if lang == "zh" else None
    if font is not None:
        # a concrete family list (not the generic "sans-serif"): text keeps it when the figure
        # is saved outside this context
        rc["font.family"] = [font, "DejaVu Sans"]
        rc["font.sans-serif"] = [font, *mpl.rcParams["font.sans-serif"]]
        rc["axes.unicode_minus"] = False
    return rc


@contextlib.contextmanager
def chart_style(lang: str = "en") -> Iterator[None]:
    """Context with the print rcParams of :func:`rc_params` (``lang`` already resolved)."""
    with mpl.rc_context(rc_params(lang)):
        yield
