"""Progress of long work on stderr: a tqdm bar on a terminal, a few plain lines otherwise.

The one place that writes progress. Long features (the check's weather years and what-it-takes
search, sweeps, the benchmark) open a :func:`bar`; stdout stays for results. On a terminal it is a
tqdm bar; when stderr is a file or a pipe it writes a plain line at most every
:data:`LINE_EVERY_S` seconds and one at the end, so logs stay readable. ``ENERGYSIM_PROGRESS=0``
switches it off.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

logger = logging.getLogger(__name__)

__all__ = ["LINE_EVERY_S", "Bar", "bar", "enabled", "note", "note_if_slow"]

LINE_EVERY_S = 10.0
"""Seconds between plain progress lines when stderr is not a terminal."""


def enabled() -> bool:
    """Whether progress is shown (``ENERGYSIM_PROGRESS`` unset or not ``0``)."""
    return os.environ.get("ENERGYSIM_PROGRESS", "1").lower() not in ("0", "false", "no", "off")


def note(text: str) -> None:
    """One line of progress on stderr (nothing when progress is off)."""
    if enabled():
        sys.stderr.write(f"{text}\n")
        sys.stderr.flush()


class Bar:
    """Progress of ``total`` steps: tqdm on a terminal, plain lines otherwise, nothing when off."""

    def __init__(self, total: int, desc: str, unit: str = "step", initial: int = 0) -> None:
        self.total, self.desc, self.unit, self.n = total, desc, unit, initial
        self._tqdm: Any = None
        self._plain = False
        self._last = time.monotonic()
        self._start = self._last
        if not enabled() or total <= 0:
            return
        if sys.stderr.isatty():
            from tqdm.auto import tqdm

            self._tqdm = tqdm(
                total=total,
                initial=initial,
                desc=desc,
                unit=unit,
                file=sys.stderr,
                leave=False,
                dynamic_ncols=True,
            )
        else:
            self._plain = True

    def update(self, k: int = 1) -> None:
        """Count ``k`` more steps done."""
        self.n += k
        if self._tqdm is not None:
            self._tqdm.update(k)
        elif self._plain and time.monotonic() - self._last >= LINE_EVERY_S:
            self._last = time.monotonic()
            note(f"{self.desc}: {self.n}/{self.total} {self.unit}s")

    def close(self) -> None:
        """End the bar (the plain mode writes a last line with the elapsed time)."""
        if self._tqdm is not None:
            self._tqdm.close()
            self._tqdm = None
        elif self._plain:
            self._plain = False
            elapsed = time.monotonic() - self._start
            note(f"{self.desc}: {self.n}/{self.total} {self.unit}s in {elapsed:.0f} s")


def bar(total: int, desc: str, unit: str = "step", initial: int = 0) -> Bar:
    """A :class:`Bar` of ``total`` steps."""
    return Bar(total, desc, unit, initial)


@contextmanager
def note_if_slow(text: str, after_s: float = 1.0) -> Iterator[None]:
    """Write ``text`` on stderr if the block is still running after ``after_s`` seconds."""
    timer = threading.Timer(after_s, note, args=(text,))
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
